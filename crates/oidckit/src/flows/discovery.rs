//! OpenID Connect Discovery 1.0 §4: fetch and check `/.well-known/openid-configuration`; RFC 8414
//! (<https://www.rfc-editor.org/rfc/rfc8414>) authorization server metadata as the fallback.

use serde::Deserialize;

use crate::http::Http;
use crate::{Error, Result};

const WELL_KNOWN: &str = "/.well-known/openid-configuration";
const AS_WELL_KNOWN: &str = "/.well-known/oauth-authorization-server";

/// The provider's metadata: from discovery, or set by hand with [`ProviderMetadata::new`].
#[derive(Debug, Clone, Default, Deserialize)]
#[non_exhaustive]
pub struct ProviderMetadata {
    /// The issuer identifier. Required.
    pub issuer: String,
    /// The authorization endpoint (seed: `server_auth_url`).
    #[serde(default)]
    pub authorization_endpoint: Option<String>,
    /// The token endpoint (seed: `server_token_url`).
    #[serde(default)]
    pub token_endpoint: Option<String>,
    /// The UserInfo endpoint (seed: `server_user_info_url`).
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
    /// The JWKS URL (seed: `signer_cert_url`).
    #[serde(default)]
    pub jwks_uri: Option<String>,
    /// Dynamic client registration endpoint.
    #[serde(default)]
    pub registration_endpoint: Option<String>,
    /// Human-readable service documentation.
    #[serde(default)]
    pub service_documentation: Option<String>,
    /// RP-initiated logout endpoint.
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
    /// RFC 8628 device authorization endpoint.
    #[serde(default)]
    pub device_authorization_endpoint: Option<String>,
    /// RFC 7662 introspection endpoint.
    #[serde(default)]
    pub introspection_endpoint: Option<String>,
    /// RFC 7009 revocation endpoint.
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    /// RFC 9126 pushed authorization request endpoint.
    #[serde(default)]
    pub pushed_authorization_request_endpoint: Option<String>,
    /// RFC 9126 §5: the provider accepts authorization requests only through PAR.
    #[serde(default)]
    pub require_pushed_authorization_requests: bool,
    /// Supported scopes.
    #[serde(default)]
    pub scopes_supported: Vec<String>,
    /// Supported response types.
    #[serde(default)]
    pub response_types_supported: Vec<String>,
    /// Supported response modes.
    #[serde(default)]
    pub response_modes_supported: Vec<String>,
    /// Supported grant types.
    #[serde(default)]
    pub grant_types_supported: Vec<String>,
    /// Supported claims.
    #[serde(default)]
    pub claims_supported: Vec<String>,
    /// Supported `display` values.
    #[serde(default)]
    pub display_values_supported: Vec<String>,
    /// Supported subject types.
    #[serde(default)]
    pub subject_types_supported: Vec<String>,
    /// ID token signing algorithms.
    #[serde(default)]
    pub id_token_signing_alg_values_supported: Vec<String>,
    /// UserInfo signing algorithms.
    #[serde(default)]
    pub userinfo_signing_alg_values_supported: Vec<String>,
    /// PKCE methods.
    #[serde(default)]
    pub code_challenge_methods_supported: Vec<String>,
    /// Token endpoint client authentication methods.
    #[serde(default)]
    pub token_endpoint_auth_methods_supported: Vec<String>,
    /// Whether the `claims` request parameter is supported.
    #[serde(default)]
    pub claims_parameter_supported: bool,
    /// Whether the authorization response carries `iss` (RFC 9207).
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
    /// Whether this came from RFC 8414 authorization server metadata (the OpenID discovery
    /// document was not there). When its `scopes_supported` lacks `openid` too, the server is
    /// taken to be a plain OAuth 2.0 one: see [`ProviderMetadata::is_oauth_only`].
    #[serde(skip)]
    pub from_authorization_server_metadata: bool,
    /// The whole document as received (seed: `RawJSON`); `Null` for metadata set by hand.
    #[serde(skip)]
    pub raw: serde_json::Value,
}

impl ProviderMetadata {
    /// Metadata set by hand, for providers without discovery (seed: setting `server_auth_url`,
    /// `server_token_url`, … instead of calling `get_discovery_doc`).
    pub fn new(issuer: impl Into<String>) -> ProviderMetadata {
        ProviderMetadata {
            issuer: issuer.into(),
            ..ProviderMetadata::default()
        }
    }

    /// Parses a discovery document without fetching it or checking its issuer against anything
    /// (use [`Client::discover`](crate::Client::discover) for that). Code 900 when it is not a JSON object with an `issuer` string
    /// and string-typed endpoints.
    pub fn from_json(bytes: &[u8]) -> Result<ProviderMetadata> {
        Self::from_json_at(bytes, "(document)")
    }

    fn from_json_at(bytes: &[u8], url: &str) -> Result<ProviderMetadata> {
        let invalid = |reason: String| Error::InvalidDiscoveryDocument {
            url: url.to_string(),
            reason,
        };
        let raw: serde_json::Value = crate::json::parse(bytes)
            .map_err(|e| e.into_error("discovery", |e| invalid(format!("not JSON: {e}"))))?;
        if !raw.is_object() {
            return Err(invalid("not a JSON object".into()));
        }
        let mut meta: ProviderMetadata = serde_json::from_value(raw.clone())
            .map_err(|e| invalid(format!("a field has the wrong type: {e}")))?;
        if meta.issuer.is_empty() {
            return Err(invalid("the issuer is empty".into()));
        }
        meta.raw = raw;
        Ok(meta)
    }

    /// The endpoints the client may call, by member name (those that are set).
    fn endpoints(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("authorization_endpoint", &self.authorization_endpoint),
            ("token_endpoint", &self.token_endpoint),
            ("userinfo_endpoint", &self.userinfo_endpoint),
            ("jwks_uri", &self.jwks_uri),
            ("registration_endpoint", &self.registration_endpoint),
            ("end_session_endpoint", &self.end_session_endpoint),
            (
                "device_authorization_endpoint",
                &self.device_authorization_endpoint,
            ),
            ("introspection_endpoint", &self.introspection_endpoint),
            ("revocation_endpoint", &self.revocation_endpoint),
            (
                "pushed_authorization_request_endpoint",
                &self.pushed_authorization_request_endpoint,
            ),
        ]
        .into_iter()
        .filter_map(|(name, url)| Some((name, url.as_deref()?)))
    }

    /// A plain OAuth 2.0 authorization server (RFC 8414 metadata without `openid` in
    /// `scopes_supported`): the code flow then asks for the configured scope as is (no
    /// `openid` added) and needs no ID token from the token endpoint.
    pub fn is_oauth_only(&self) -> bool {
        self.from_authorization_server_metadata
            && !self.scopes_supported.iter().any(|s| s == "openid")
    }

    /// Whether the issuer is Microsoft's multi-tenant template containing `{tenantid}`; the ID
    /// token's `iss` must then equal the template filled with its own `tid` claim.
    pub fn is_tenant_template(&self) -> bool {
        self.issuer.contains("{tenantid}")
    }
}

/// Splits what the user gave into (issuer, discovery URL). Accepts the issuer or the full
/// discovery URL.
pub(crate) fn discovery_url(issuer_or_url: &str) -> (String, String) {
    let s = issuer_or_url.trim();
    if let Some(prefix) = s.strip_suffix(WELL_KNOWN) {
        (prefix.to_string(), s.to_string())
    } else {
        (
            s.to_string(),
            format!("{}{WELL_KNOWN}", s.trim_end_matches('/')),
        )
    }
}

/// Fetches the discovery document for `issuer_or_url` and checks that its `issuer` equals the
/// issuer it was fetched for, character for character (code 900 otherwise). The one named
/// exception is Microsoft's multi-tenant template (see [`ProviderMetadata::is_tenant_template`]).
/// Every endpoint must be https (or http on a loopback host, or the dangerous opt-in): code
/// 917 names the first that is not, when the document is loaded rather than when it is used.
///
/// When the OpenID document is not there (404) and an issuer (not a full discovery URL) was
/// given, the RFC 8414 authorization server metadata is tried next, at
/// [`authorization_server_metadata_url`], with the same checks.
pub(crate) async fn discover(http: &Http, issuer_or_url: &str) -> Result<ProviderMetadata> {
    let (issuer, mut url) = discovery_url(issuer_or_url);
    let mut resp = http.get(&url, None, "application/json").await?;
    let mut tried = String::new();
    if resp.status == 404
        && !issuer_or_url.trim().ends_with(WELL_KNOWN)
        && let Some(alt) = authorization_server_metadata_url(&issuer)
    {
        tried = format!(" (and 404 at {url})");
        resp = http.get(&alt, None, "application/json").await?;
        url = alt;
    }
    if !resp.is_success() {
        return Err(Error::InvalidDiscoveryDocument {
            url,
            reason: format!("HTTP status {} (expected 200){tried}", resp.status),
        });
    }
    let mut meta = ProviderMetadata::from_json_at(&resp.body, &url)?;
    meta.from_authorization_server_metadata = !tried.is_empty();
    if !issuer_matches(&issuer, &meta) {
        return Err(Error::IssuerMismatch {
            expected: issuer,
            found: meta.issuer,
        });
    }
    for (field, endpoint) in meta.endpoints() {
        crate::http::check_provider_url(field, endpoint, http.allows_http())?;
    }
    Ok(meta)
}

/// Fetches the provider's metadata for `config.issuer` (OpenID discovery, then RFC 8414) with
/// `config`'s transport, without building a [`Client`](crate::Client): for registering a
/// client first (the client id is not needed). The same checks as
/// [`Client::discover`](crate::Client::discover): codes 900 and 917.
pub async fn fetch(config: &crate::ClientConfig) -> Result<ProviderMetadata> {
    let http = Http::new(&config.http, config.dangerous_ref().allow_http)?;
    discover(&http, &config.issuer).await
}

/// The RFC 8414 §3.1 metadata URL of `issuer`: `/.well-known/oauth-authorization-server`
/// inserted between the host and the path (a trailing `/` of the path dropped), so
/// `https://as.example/tenant` gives
/// `https://as.example/.well-known/oauth-authorization-server/tenant`. `None` when the issuer
/// is not a URL with a host.
pub fn authorization_server_metadata_url(issuer: &str) -> Option<String> {
    let mut url = url::Url::parse(&insert_well_known(issuer, AS_WELL_KNOWN)?).ok()?;
    url.set_query(None);
    Some(url.into())
}

/// `url` with `well_known` inserted between the host and the path (a trailing `/` of the path
/// dropped) and without fragment: the rule of RFC 8414 §3.1 and RFC 9728 §3.1.
pub(crate) fn insert_well_known(url: &str, well_known: &str) -> Option<String> {
    let mut url = url::Url::parse(url.trim()).ok()?;
    url.host_str()?;
    let path = url.path().trim_end_matches('/').to_string();
    url.set_path(&format!("{well_known}{path}"));
    url.set_fragment(None);
    Some(url.into())
}

fn issuer_matches(expected: &str, meta: &ProviderMetadata) -> bool {
    let found = meta.issuer.as_str();
    if found == expected {
        return true;
    }
    // Microsoft multi-tenant endpoints: discovery for .../common/v2.0 (or organizations,
    // consumers, or a tenant id) returns the template .../{tenantid}/v2.0.
    if meta.is_tenant_template()
        && let Some((prefix, suffix)) = found.split_once("{tenantid}")
        && let Some(middle) = expected
            .strip_prefix(prefix)
            .and_then(|r| r.strip_suffix(suffix))
    {
        return !middle.is_empty() && !middle.contains('/');
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_issuer_or_full_url() {
        assert_eq!(
            discovery_url("https://a.example/tenant/"),
            (
                "https://a.example/tenant/".into(),
                "https://a.example/tenant/.well-known/openid-configuration".into()
            )
        );
        assert_eq!(
            discovery_url("https://a.example/.well-known/openid-configuration").0,
            "https://a.example"
        );
    }

    #[test]
    fn authorization_server_metadata_url_inserts_the_well_known_before_the_path() {
        let url = |i| authorization_server_metadata_url(i).expect("a URL");
        assert_eq!(
            url("https://as.example/tenant"),
            "https://as.example/.well-known/oauth-authorization-server/tenant"
        );
        assert_eq!(
            url("https://as.example/a/b/"),
            "https://as.example/.well-known/oauth-authorization-server/a/b"
        );
        assert_eq!(
            url("https://as.example"),
            "https://as.example/.well-known/oauth-authorization-server"
        );
        assert!(authorization_server_metadata_url("not a url").is_none());
    }

    #[test]
    fn tenant_template_matches_only_one_path_segment() {
        let meta = ProviderMetadata::new("https://login.microsoftonline.com/{tenantid}/v2.0");
        assert!(issuer_matches(
            "https://login.microsoftonline.com/common/v2.0",
            &meta
        ));
        assert!(!issuer_matches(
            "https://login.microsoftonline.com/a/b/v2.0",
            &meta
        ));
        assert!(!issuer_matches("https://evil.example/common/v2.0", &meta));
    }

    #[test]
    fn rejects_documents_that_are_not_objects_or_lack_issuer() {
        for bad in [
            &b"[]"[..],
            b"{}",
            b"{\"issuer\":42}",
            b"{\"issuer\":\"x\",\"token_endpoint\":1}",
            b"<html>",
        ] {
            assert_eq!(
                ProviderMetadata::from_json(bad).expect_err("bad").code(),
                900
            );
        }
    }
}
