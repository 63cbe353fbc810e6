//! Dynamic client registration, RFC 7591 (<https://www.rfc-editor.org/rfc/rfc7591>), and its
//! management protocol, RFC 7592 (<https://www.rfc-editor.org/rfc/rfc7592>).
//!
//! [`Registrar::register`] posts the client's metadata as JSON to the provider's
//! `registration_endpoint` (with an initial access token as Bearer when the provider wants
//! one) and returns the [`RegisteredClient`]; its `registration_access_token` and
//! `registration_client_uri` then let [`Registrar::read`], [`Registrar::update`] and
//! [`Registrar::delete`] manage it. Every URL must be https (or loopback http), like every
//! other provider URL (code 917); responses are read under the transport's size cap and
//! deadline.

use std::fmt;

use serde_json::{Map, Value};

use crate::config::ClientConfig;
use crate::error::Redacted;
use crate::http::{Http, Response};
use crate::token::strip_query;
use crate::{Error, Result};

/// The metadata a client registers (RFC 7591 §2). Empty fields are not sent.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ClientMetadata {
    /// `redirect_uris`. Default: none.
    pub redirect_uris: Vec<String>,
    /// `grant_types`, e.g. `authorization_code`, `refresh_token`. Default: none (the
    /// provider's default, `authorization_code`).
    pub grant_types: Vec<String>,
    /// `response_types`, e.g. `code`. Default: none (the provider's default, `code`).
    pub response_types: Vec<String>,
    /// `token_endpoint_auth_method`, e.g. `none` for a public client. Default: none (the
    /// provider's default, usually `client_secret_basic`).
    pub token_endpoint_auth_method: Option<String>,
    /// `client_name`, shown to the user on the consent screen. Default: none.
    pub client_name: Option<String>,
    /// `scope`: the scopes the client may ask for (space separated). Default: none.
    pub scope: Option<String>,
    /// `application_type` (OpenID Connect Registration): `web` or `native`. Default: none.
    pub application_type: Option<String>,
    /// `jwks`: the client's public keys as a JWK Set (JSON object). Default: none.
    pub jwks: Option<Map<String, Value>>,
    /// `jwks_uri`. Default: none.
    pub jwks_uri: Option<String>,
    /// Any other member, sent as given (e.g. `contacts`, `logo_uri`,
    /// `id_token_signed_response_alg`). Default: none.
    pub extra: Map<String, Value>,
}

impl ClientMetadata {
    /// Metadata of a public native client (RFC 8252): the code flow with PKCE and refresh
    /// tokens, `token_endpoint_auth_method` `none`, `application_type` `native`.
    pub fn public_native(redirect_uri: impl Into<String>) -> ClientMetadata {
        ClientMetadata {
            redirect_uris: vec![redirect_uri.into()],
            grant_types: vec!["authorization_code".into(), "refresh_token".into()],
            response_types: vec!["code".into()],
            token_endpoint_auth_method: Some("none".into()),
            application_type: Some("native".into()),
            ..ClientMetadata::default()
        }
    }

    /// The JSON object to send.
    pub fn to_json(&self) -> Map<String, Value> {
        let mut m = Map::new();
        let list = |v: &[String]| Value::Array(v.iter().cloned().map(Value::String).collect());
        let put_list = |m: &mut Map<String, Value>, name: &str, v: &[String]| {
            if !v.is_empty() {
                m.insert(name.into(), list(v));
            }
        };
        put_list(&mut m, "redirect_uris", &self.redirect_uris);
        put_list(&mut m, "grant_types", &self.grant_types);
        put_list(&mut m, "response_types", &self.response_types);
        for (name, value) in [
            (
                "token_endpoint_auth_method",
                &self.token_endpoint_auth_method,
            ),
            ("client_name", &self.client_name),
            ("scope", &self.scope),
            ("application_type", &self.application_type),
            ("jwks_uri", &self.jwks_uri),
        ] {
            if let Some(v) = value {
                m.insert(name.into(), Value::String(v.clone()));
            }
        }
        if let Some(jwks) = &self.jwks {
            m.insert("jwks".into(), Value::Object(jwks.clone()));
        }
        for (k, v) in &self.extra {
            m.insert(k.clone(), v.clone());
        }
        m
    }
}

/// A registered client, as the provider answered (RFC 7591 §3.2.1, RFC 7592 §3).
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct RegisteredClient {
    /// The `client_id`. Always present (a response without one is code 960).
    pub client_id: String,
    /// The `client_secret`, for confidential clients. Secret.
    pub client_secret: Option<String>,
    /// `client_id_issued_at` (seconds since the epoch).
    pub client_id_issued_at: Option<u64>,
    /// `client_secret_expires_at` (seconds since the epoch; 0 = never). Required with a
    /// secret.
    pub client_secret_expires_at: Option<u64>,
    /// The RFC 7592 `registration_access_token` for reading, updating and deleting this
    /// registration. Secret.
    pub registration_access_token: Option<String>,
    /// The RFC 7592 `registration_client_uri` (the client configuration endpoint).
    pub registration_client_uri: Option<String>,
    /// The whole response: the client's metadata as registered (the provider may have
    /// changed or added values).
    pub metadata: Map<String, Value>,
}

impl fmt::Debug for RegisteredClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegisteredClient")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(Redacted))
            .field("client_id_issued_at", &self.client_id_issued_at)
            .field("client_secret_expires_at", &self.client_secret_expires_at)
            .field(
                "registration_access_token",
                &self.registration_access_token.as_ref().map(Redacted),
            )
            .field("registration_client_uri", &self.registration_client_uri)
            .finish_non_exhaustive()
    }
}

impl RegisteredClient {
    /// A [`ClientConfig`] for this client at `issuer` (the client id, and the secret when
    /// there is one).
    pub fn client_config(&self, issuer: impl Into<String>) -> ClientConfig {
        let mut config = ClientConfig::new(issuer, self.client_id.clone());
        config.client_secret = self.client_secret.clone();
        config
    }

    /// The registration's metadata as [`ClientMetadata`] for [`Registrar::update`]: every
    /// member of the registration except the ones the provider manages.
    pub fn client_metadata(&self) -> ClientMetadata {
        const MANAGED: &[&str] = &[
            "client_id",
            "client_secret",
            "client_id_issued_at",
            "client_secret_expires_at",
            "registration_access_token",
            "registration_client_uri",
        ];
        ClientMetadata {
            extra: self
                .metadata
                .iter()
                .filter(|(k, _)| !MANAGED.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            ..ClientMetadata::default()
        }
    }
}

/// Registers clients and manages registrations, over the transport of a [`ClientConfig`]
/// (its `issuer` and `client_id` are not used).
#[derive(Debug, Clone)]
pub struct Registrar {
    http: Http,
}

impl Registrar {
    /// A registrar using `config`'s transport settings (proxy, TLS, timeouts, size cap, the
    /// `dangerous().allow_http` opt-in).
    pub fn new(config: &ClientConfig) -> Result<Registrar> {
        Ok(Registrar::with_http(Http::new(
            &config.http,
            config.dangerous_ref().allow_http,
        )?))
    }

    pub(crate) fn with_http(http: Http) -> Registrar {
        Registrar { http }
    }

    /// Registers a client (RFC 7591 §3.1) at `registration_endpoint`, with
    /// `initial_access_token` as Bearer when given. Code 917 when the endpoint is not https,
    /// 151 when the provider refuses (its `error`, e.g. `invalid_redirect_uri`, kept), 960
    /// when the answer has no `client_id` or is otherwise unusable.
    pub async fn register(
        &self,
        registration_endpoint: &str,
        client: &ClientMetadata,
        initial_access_token: Option<&str>,
    ) -> Result<RegisteredClient> {
        crate::http::check_provider_url(
            "registration_endpoint",
            registration_endpoint,
            self.http.allows_http(),
        )?;
        let body = Value::Object(client.to_json()).to_string();
        let resp = self
            .http
            .send_json(
                reqwest::Method::POST,
                registration_endpoint,
                Some(body),
                initial_access_token,
            )
            .await?;
        parse(&resp, registration_endpoint, None)
    }

    /// Reads the registration (RFC 7592 §2.1) from its `registration_client_uri` with its
    /// `registration_access_token`.
    pub async fn read(&self, client: &RegisteredClient) -> Result<RegisteredClient> {
        let (uri, token) = management(client, self.http.allows_http())?;
        let resp = self
            .http
            .send_json(reqwest::Method::GET, uri, None, Some(token))
            .await?;
        parse(&resp, uri, Some(client))
    }

    /// Replaces the registration's metadata (RFC 7592 §2.2) with `metadata`; `client_id`
    /// (and the secret, when there is one) are added as the RFC requires. A new
    /// `registration_access_token` in the answer replaces the old one, else the old one is kept.
    pub async fn update(
        &self,
        client: &RegisteredClient,
        metadata: &ClientMetadata,
    ) -> Result<RegisteredClient> {
        let (uri, token) = management(client, self.http.allows_http())?;
        let mut body = metadata.to_json();
        body.insert("client_id".into(), Value::String(client.client_id.clone()));
        if let Some(secret) = &client.client_secret {
            body.insert("client_secret".into(), Value::String(secret.clone()));
        }
        let resp = self
            .http
            .send_json(
                reqwest::Method::PUT,
                uri,
                Some(Value::Object(body).to_string()),
                Some(token),
            )
            .await?;
        parse(&resp, uri, Some(client))
    }

    /// Deletes the registration (RFC 7592 §2.3); the provider answers 204.
    pub async fn delete(&self, client: &RegisteredClient) -> Result<()> {
        let (uri, token) = management(client, self.http.allows_http())?;
        let resp = self
            .http
            .send_json(reqwest::Method::DELETE, uri, None, Some(token))
            .await?;
        if resp.is_success() {
            return Ok(());
        }
        crate::token::parse_json_response(&resp, "client registration", uri).map(|_| ())
    }
}

/// The client configuration endpoint and its token, both required for RFC 7592.
fn management(client: &RegisteredClient, allow_http: bool) -> Result<(&str, &str)> {
    let uri = client
        .registration_client_uri
        .as_deref()
        .ok_or(Error::Missing {
            what: "registration_client_uri",
            hint: "the provider gave no client configuration endpoint, so this registration cannot be managed (RFC 7592)",
        })?;
    let token = client
        .registration_access_token
        .as_deref()
        .ok_or(Error::Missing {
            what: "registration_access_token",
            hint: "the provider gave no registration access token, so this registration cannot be managed (RFC 7592)",
        })?;
    crate::http::check_provider_url("registration_client_uri", uri, allow_http)?;
    Ok((uri, token))
}

/// Parses a registration response; `previous` (for RFC 7592 answers) supplies the management
/// values the answer may leave out.
fn parse(
    resp: &Response,
    url: &str,
    previous: Option<&RegisteredClient>,
) -> Result<RegisteredClient> {
    let invalid = |reason: String| Error::InvalidRegistrationResponse {
        url: strip_query(url),
        reason,
    };
    let body = crate::token::parse_json_response(resp, "client registration", url).map_err(
        |e| match e {
            Error::InvalidTokenResponse { reason } => invalid(reason),
            other => other,
        },
    )?;
    let text = |name: &str| -> Result<Option<String>> {
        match body.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(invalid(format!("`{name}` is not a string"))),
        }
    };
    let number = |name: &str| -> Result<Option<u64>> {
        match body.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_u64()
                .map(Some)
                .ok_or_else(|| invalid(format!("`{name}` is not a non-negative integer"))),
        }
    };
    let client_id = match text("client_id")? {
        Some(id) if !id.is_empty() => id,
        Some(_) => return Err(invalid("`client_id` is empty".into())),
        None => return Err(invalid("the response has no `client_id`".into())),
    };
    if let Some(prev) = previous
        && prev.client_id != client_id
    {
        return Err(invalid(format!(
            "the answer is about client {client_id:?}, not {:?}",
            prev.client_id
        )));
    }
    let client_secret =
        text("client_secret")?.or_else(|| previous.and_then(|p| p.client_secret.clone()));
    let client_secret_expires_at = number("client_secret_expires_at")?;
    if client_secret.is_some() && previous.is_none() && client_secret_expires_at.is_none() {
        return Err(invalid(
            "a `client_secret` without `client_secret_expires_at` (RFC 7591 §3.2.1)".into(),
        ));
    }
    let registration_client_uri = text("registration_client_uri")?
        .or_else(|| previous.and_then(|p| p.registration_client_uri.clone()));
    Ok(RegisteredClient {
        client_id,
        client_secret,
        client_id_issued_at: number("client_id_issued_at")?,
        client_secret_expires_at,
        registration_access_token: text("registration_access_token")?
            .or_else(|| previous.and_then(|p| p.registration_access_token.clone())),
        registration_client_uri,
        metadata: body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_sends_only_what_is_set_and_extra_members_as_given() {
        let mut m = ClientMetadata::public_native("http://127.0.0.1:4000/");
        m.client_name = Some("cli".into());
        m.extra
            .insert("contacts".into(), serde_json::json!(["a@b"]));
        let json = Value::Object(m.to_json());
        assert_eq!(json["redirect_uris"][0], "http://127.0.0.1:4000/");
        assert_eq!(json["token_endpoint_auth_method"], "none");
        assert_eq!(json["contacts"][0], "a@b");
        assert!(json.get("jwks").is_none() && json.get("scope").is_none());
    }
}
