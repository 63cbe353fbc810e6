//! OAuth 2.0 Token Introspection, [RFC 7662](https://www.rfc-editor.org/rfc/rfc7662) §2, and
//! the seed's token info validation (`TokenInfoURL`, `ValidateToken`, `TokenInfoField*`): ask
//! the provider whether an access token is active and what it grants.

use serde_json::{Map, Value};

use crate::client_auth::ClientAuth;
use crate::http::Http;
use crate::token;
use crate::{Error, Result};

/// What the provider says about a token. Every returned member is in [`raw`](Self::raw).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Introspection {
    /// Whether the token is currently active (false for revoked, expired or unknown tokens).
    pub active: bool,
    /// Space-separated scopes.
    pub scope: Option<String>,
    /// The client the token was issued to.
    pub client_id: Option<String>,
    /// Human-readable identifier of the resource owner.
    pub username: Option<String>,
    /// The token type, e.g. `Bearer`.
    pub token_type: Option<String>,
    /// Expiry, seconds since the epoch.
    pub exp: Option<u64>,
    /// Issue time, seconds since the epoch.
    pub iat: Option<u64>,
    /// The subject.
    pub sub: Option<String>,
    /// The audiences.
    pub aud: Vec<String>,
    /// The issuer.
    pub iss: Option<String>,
    /// The response as received (the seed's `TokenInfoField*`).
    pub raw: Map<String, Value>,
}

impl Introspection {
    /// Reads an introspection response; `active` is required (code 914 otherwise).
    pub fn from_fields(raw: Map<String, Value>) -> Result<Introspection> {
        let active = raw.get("active").and_then(Value::as_bool).ok_or_else(|| {
            Error::InvalidIntrospection {
                reason: "the response has no boolean `active`".into(),
            }
        })?;
        Ok(Self::read(active, raw))
    }

    /// When the token expires, from `exp`; `None` without one or when it is beyond what the
    /// system clock can represent.
    pub fn expires_at(&self) -> Option<std::time::SystemTime> {
        std::time::UNIX_EPOCH.checked_add(std::time::Duration::from_secs(self.exp?))
    }

    fn read(active: bool, raw: Map<String, Value>) -> Introspection {
        let text = |n: &str| raw.get(n).and_then(Value::as_str).map(str::to_string);
        let number = |n: &str| {
            raw.get(n)
                .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()))
        };
        let aud = match raw.get("aud") {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        };
        Introspection {
            active,
            scope: text("scope"),
            client_id: text("client_id").or_else(|| text("azp")),
            username: text("username").or_else(|| text("email")),
            token_type: text("token_type"),
            exp: number("exp"),
            iat: number("iat"),
            sub: text("sub"),
            aud,
            iss: text("iss"),
            raw,
        }
    }

    /// Every returned member as (name, text) pairs: strings as they are, other values as JSON.
    pub fn fields(&self) -> Vec<(String, String)> {
        self.raw
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => (k.clone(), s.clone()),
                other => (k.clone(), other.to_string()),
            })
            .collect()
    }
}

/// Posts `token` to the introspection endpoint with client authentication.
pub(crate) async fn introspect(
    http: &Http,
    url: &str,
    auth: &ClientAuth,
    token_url: &str,
    token: &str,
    hint: Option<&str>,
) -> Result<Introspection> {
    let mut params = vec![("token", token)];
    if let Some(h) = hint {
        params.push(("token_type_hint", h));
    }
    let resp = crate::client_auth::post(http, url, auth, token_url, &params).await?;
    let map = token::parse_json_response(&resp, "introspection", url).map_err(|e| match e {
        Error::InvalidTokenResponse { reason } => Error::InvalidIntrospection { reason },
        other => other,
    })?;
    Introspection::from_fields(map)
}

/// The seed's `ValidateToken`: `GET <token info URL>?access_token=…` (Google's tokeninfo
/// style). 200 means active; a 400/401 `invalid_token` or `invalid_request` answer means
/// inactive; other failures are errors.
pub(crate) async fn token_info(http: &Http, url: &str, token: &str) -> Result<Introspection> {
    let mut full = http.check_url(url)?;
    full.query_pairs_mut().append_pair("access_token", token);
    let resp = http.get(full.as_str(), None, "application/json").await?;
    match token::parse_json_response(&resp, "tokeninfo", url) {
        Ok(map) => {
            let active = map.get("active").and_then(Value::as_bool).unwrap_or(true);
            Ok(Introspection::read(active, map))
        }
        Err(Error::OAuth { error, .. })
            if error == "invalid_token" || error == "invalid_request" =>
        {
            Ok(Introspection::read(false, Map::new()))
        }
        Err(Error::InvalidTokenResponse { reason }) => Err(Error::InvalidIntrospection { reason }),
        Err(e) => Err(e),
    }
}
