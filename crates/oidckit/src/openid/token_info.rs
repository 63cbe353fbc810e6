//! What [`OpenId`] does with tokens once it has them: records them, fetches UserInfo, asks a
//! token info or introspection endpoint about them, and builds the logout URL.

use serde_json::Value;

use super::client::Channel;
use super::{Doc, OpenId, jwt_payload, opt, text};
use crate::config::ClientConfig;
use crate::discovery::ProviderMetadata;
use crate::token::TokenSet;
use crate::userinfo::UserDetails;
use crate::{Client, Error, Result};

impl OpenId {
    /// Fetches the UserInfo claims with `access_token` into `user_details_*` and `RawJSON`. The
    /// `sub` must be the ID token's when there is one (error 907).
    pub fn get_user_info(&mut self) -> Result<()> {
        let access = opt(&self.p.access_token).ok_or(Error::Missing {
            what: "access_token",
            hint: "call get_authorization first, or set access_token",
        })?;
        let sub = self
            .p
            .id_token
            .as_ref()
            .and_then(|t| t.claims().subject().map(str::to_string));
        let client = self.client()?;
        let cl = client.clone();
        let details = self.run(&client, async move {
            cl.userinfo_with(&access, sub.as_deref()).await
        })?;
        self.p.raw_json = Some(Doc::from_value(&Value::Object(details.claims.clone())));
        let id_token = std::mem::take(&mut self.p.user);
        self.p.user = details.with_id_token_claims(id_token);
        Ok(())
    }
    /// Not in the seed: the RP-initiated logout URL (the provider's `end_session_endpoint`, the
    /// `LogoutURL` setting) with `client_id`, the ID token of the last sign-in as
    /// `id_token_hint`, and `post_logout_redirect_uri` when not empty. Send the browser there.
    pub fn logout_url(&self, post_logout_redirect_uri: &str) -> Result<String> {
        let client = self.client()?;
        let mut req = crate::logout::EndSessionRequest::default();
        if let Some(t) = &self.p.id_token {
            req = req.with_id_token_hint(t.raw());
        }
        if !post_logout_redirect_uri.is_empty() {
            req = req.with_post_logout_redirect_uri(post_logout_redirect_uri);
        }
        client.end_session_url(&req)
    }
    /// `ValidateToken=<token>`: asks `TokenInfoURL` (or the introspection endpoint) about the
    /// token and fills `TokenInfoField*`.
    pub(super) fn validate_token(&mut self, value: &str) -> Result<()> {
        let token = if value.trim().is_empty() {
            self.p.access_token.clone()
        } else {
            value.trim().to_string()
        };
        self.p.token_info.clear();
        self.p.token_verdict.clear();
        if token.is_empty() {
            return Ok(());
        }
        let url = self.p.set.token_info_url.clone();
        let client = match self.client() {
            Ok(c) => c,
            Err(e) if url.is_empty() => return Err(e),
            // A token info service needs no provider metadata.
            Err(_) => self.cached(Channel::TokenInfo, || {
                let mut c = ClientConfig::new(url.clone(), self.p.client_id.clone());
                c.http = self.http_config()?;
                if c.client_id.is_empty() {
                    c.client_id = "oidckit-tokeninfo".into();
                }
                Client::new(c, ProviderMetadata::new(url.clone()))
            })?,
        };
        let cl = client.clone();
        let info = self.run(&client, async move {
            if url.is_empty() {
                cl.introspect(&token, Some("access_token")).await
            } else {
                cl.token_info(&url, &token).await
            }
        })?;
        self.p.token_info = info.fields();
        self.p.token_verdict = info.active.to_string();
        Ok(())
    }
    pub(super) fn apply_tokens(&mut self, tokens: TokenSet) -> String {
        let p = &mut self.p;
        p.access_token = tokens.access_token.clone().unwrap_or_default();
        p.access_token_exp = tokens
            .expires_in
            .and_then(|s| i64::try_from(s).ok())
            .unwrap_or(0);
        if let Some(rt) = &tokens.refresh_token {
            p.refresh_token = rt.clone();
        }
        p.token_type = tokens.token_type.clone();
        p.jwt_payload = tokens.access_token.as_deref().and_then(jwt_payload);
        for (k, v) in &tokens.raw {
            if !p.response_params.iter().any(|(n, _)| n == k) {
                p.response_params.push((k.clone(), text(v)));
            }
        }
        if let Some(id) = &tokens.id_token {
            p.user = UserDetails::from_claims(id.claims());
            p.raw_json = jwt_payload(id.raw());
            p.id_token = Some(id.clone());
        }
        self.log_info("authorization complete".into());
        tokens.authorization().unwrap_or_default()
    }
}
