//! The grants without a browser (client credentials, password, JWT bearer, device) and token
//! management (introspection, token info, revocation, the end-session URL) of [`Client`].

use std::time::Duration;

use super::Client;
use crate::Result;
use crate::token::TokenSet;

impl Client {
    /// Client credentials grant (RFC 6749 §4.4) with this client's authentication, e.g. a
    /// certificate assertion for Microsoft Entra ID (set `client_key`). `scope` is sent as is.
    pub async fn client_credentials(&self, scope: Option<&str>) -> Result<TokenSet> {
        let mut grant = vec![("grant_type", "client_credentials")];
        grant.extend(scope.map(|s| ("scope", s)));
        self.grant(&grant).await
    }

    /// Resource owner password grant (RFC 6749 §4.3; the seed's `PasswordGrantUsername`).
    /// Scope defaults to the configured one (with `openid`); an ID token is validated.
    pub async fn password(
        &self,
        username: &str,
        password: &str,
        scope: Option<&str>,
    ) -> Result<TokenSet> {
        if self.inner.config.fapi2 {
            return Err(crate::flows::fapi2::refuse(
                "no password grant",
                "the resource owner password grant is not allowed",
            ));
        }
        let scope = scope.map_or_else(|| self.inner.config.effective_scope(), str::to_string);
        let grant = [
            ("grant_type", "password"),
            ("username", username),
            ("password", password),
            ("scope", &scope),
        ];
        self.grant(&grant).await
    }

    /// JWT bearer grant (RFC 7523 §2.1): signs `assertion` and exchanges it, e.g. for a Google
    /// service account (see [`ServiceAccountKey::client`](crate::jwt_bearer::ServiceAccountKey::client)).
    pub async fn jwt_bearer(
        &self,
        assertion: &crate::jwt_bearer::JwtAssertion,
    ) -> Result<TokenSet> {
        let jwt = assertion.sign()?;
        self.grant(&[
            ("grant_type", crate::jwt_bearer::JWT_BEARER_GRANT),
            ("assertion", &jwt),
        ])
        .await
    }

    /// Starts the device flow (RFC 8628 §3.1) with the configured scope or `scope`.
    pub async fn device_authorization(
        &self,
        scope: Option<&str>,
    ) -> Result<crate::device::DeviceAuthorization> {
        let url = self.endpoint(
            &self.inner.metadata.device_authorization_endpoint,
            "device_authorization_endpoint",
            "the provider advertises no device authorization endpoint; set it by hand",
        )?;
        let scope = scope.map_or_else(|| self.inner.config.effective_scope(), str::to_string);
        let token_url = self.token_endpoint()?;
        crate::device::authorize(&self.inner.http, url, &self.inner.auth, token_url, &scope).await
    }

    /// Polls for the device flow's tokens (RFC 8628 §3.4) until the user approves; see
    /// [`device`](crate::device) for the errors. Stops at `timeout` or the code's expiry
    /// (code 201); dropping the future cancels.
    pub async fn poll_device_token(
        &self,
        da: &crate::device::DeviceAuthorization,
        timeout: Option<Duration>,
    ) -> Result<TokenSet> {
        let url = self.token_endpoint()?;
        let raw = crate::device::poll(&self.inner.http, url, &self.inner.auth, da, timeout).await?;
        self.finish_grant(raw).await
    }

    /// An endpoint that authenticates the client, and the audience of client assertions sent to
    /// it: the token endpoint when there is one (Core §9), else the endpoint itself.
    fn authenticated_endpoint<'a>(
        &'a self,
        value: &'a Option<String>,
        what: &'static str,
        hint: &'static str,
    ) -> Result<(&'a str, &'a str)> {
        let url = self.endpoint(value, what, hint)?;
        Ok((url, self.token_endpoint().unwrap_or(url)))
    }

    /// Token introspection (RFC 7662) with this client's authentication.
    pub async fn introspect(
        &self,
        token: &str,
        token_type_hint: Option<&str>,
    ) -> Result<crate::introspection::Introspection> {
        let (url, token_url) = self.authenticated_endpoint(
            &self.inner.metadata.introspection_endpoint,
            "introspection_endpoint",
            "the provider advertises no introspection endpoint; set it by hand",
        )?;
        crate::introspection::introspect(
            &self.inner.http,
            url,
            &self.inner.auth,
            token_url,
            token,
            token_type_hint,
        )
        .await
    }

    /// The seed's `ValidateToken`: asks a token info service (`TokenInfoURL`) about `token`.
    pub async fn token_info(
        &self,
        token_info_url: &str,
        token: &str,
    ) -> Result<crate::introspection::Introspection> {
        crate::introspection::token_info(&self.inner.http, token_info_url, token).await
    }

    /// Revokes an access or refresh token (RFC 7009).
    pub async fn revoke(&self, token: &str, token_type_hint: Option<&str>) -> Result<()> {
        let (url, token_url) = self.authenticated_endpoint(
            &self.inner.metadata.revocation_endpoint,
            "revocation_endpoint",
            "the provider advertises no revocation endpoint; set it by hand",
        )?;
        crate::revocation::revoke(
            &self.inner.http,
            url,
            &self.inner.auth,
            token_url,
            token,
            token_type_hint,
        )
        .await
    }

    /// The RP-initiated logout URL (the seed's `LogoutURL`) from `end_session_endpoint`.
    pub fn end_session_url(&self, req: &crate::logout::EndSessionRequest) -> Result<String> {
        let url = self.endpoint(
            &self.inner.metadata.end_session_endpoint,
            "end_session_endpoint",
            "the provider advertises no end_session_endpoint; set it by hand",
        )?;
        crate::logout::build(url, &self.inner.config.client_id, req)
    }
}
