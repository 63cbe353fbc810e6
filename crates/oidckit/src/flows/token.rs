//! The token endpoint (RFC 6749 §3.2, §4.1.3, §5, §6): grants, client authentication, and
//! token / error response parsing.

use std::fmt;
use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};

use crate::client_auth::ClientAuth;
use crate::http::{Http, Response};
use crate::id_token::IdToken;
use crate::{Error, Result};

/// The tokens of a sign-in or refresh. Debug output redacts every token.
#[derive(Clone)]
#[non_exhaustive]
pub struct TokenSet {
    /// The access token (seed: `access_token`); `None` for `response_type=id_token`.
    pub access_token: Option<String>,
    /// The token type, normally `Bearer` (seed: `AuthorizationTokenType`).
    pub token_type: Option<String>,
    /// Lifetime in seconds, as sent.
    pub expires_in: Option<u64>,
    /// When the access token expires, computed from `expires_in` on receipt.
    pub expires_at: Option<SystemTime>,
    /// The refresh token.
    pub refresh_token: Option<String>,
    /// The verified ID token.
    pub id_token: Option<IdToken>,
    /// The granted scope, when the provider says.
    pub scope: Option<String>,
    /// The token response as received (seed: `RawJSON`); for implicit flows, the front-channel parameters.
    pub raw: Map<String, Value>,
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = |o: &Option<String>| o.as_ref().map(|_| "[redacted]");
        f.debug_struct("TokenSet")
            .field("access_token", &r(&self.access_token))
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("refresh_token", &r(&self.refresh_token))
            .field("id_token", &self.id_token)
            .field("scope", &self.scope)
            .finish()
    }
}

impl TokenSet {
    /// The seed's "authorization string": `"<token_type> <access_token>"`, ready for an
    /// `Authorization` header.
    pub fn authorization(&self) -> Option<String> {
        let token = self.access_token.as_deref()?;
        Some(format!(
            "{} {token}",
            self.token_type.as_deref().unwrap_or("Bearer")
        ))
    }

    /// Builds a token set from the fields of a JSON object (token endpoint response or
    /// front-channel parameters), accepting only `Bearer` tokens. The ID token is attached by
    /// the caller after validation.
    pub(crate) fn from_fields(raw: Map<String, Value>) -> Result<TokenSet> {
        Self::from_fields_accepting(raw, BEARER_ONLY)
    }

    /// [`from_fields`](Self::from_fields) with the token types the request allows (compared
    /// case-insensitively): a flow that proved possession of a key (DPoP) passes its own list.
    /// Code 915 when the response carries an access token of another (or no) type.
    pub(crate) fn from_fields_accepting(
        raw: Map<String, Value>,
        accepted: &[&str],
    ) -> Result<TokenSet> {
        let string = |name: &str| -> Result<Option<String>> {
            match raw.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(Error::InvalidTokenResponse {
                    reason: format!("`{name}` is not a string"),
                }),
            }
        };
        let access_token = string("access_token")?;
        let token_type = string("token_type")?;
        if access_token.is_some() {
            check_token_type(token_type.as_deref(), accepted)?;
        }
        let expires_in = lifetime(raw.get("expires_in"));
        Ok(TokenSet {
            access_token,
            token_type,
            expires_in,
            expires_at: expires_in.map(|s| expiry_time(SystemTime::now(), s)),
            refresh_token: string("refresh_token")?,
            id_token: None,
            scope: string("scope")?,
            raw,
        })
    }
}

/// The token types a plain request accepts (RFC 6750).
pub(crate) const BEARER_ONLY: &[&str] = &["Bearer"];

/// The longest lifetime [`TokenSet::expires_at`] is computed for: a provider's `expires_in`
/// above ten years is clamped to it (and `expires_in` keeps the value as sent).
pub const MAX_LIFETIME: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// Code 915 unless `token_type` is one of `accepted`, ignoring ASCII case (RFC 6749 §7.1).
pub(crate) fn check_token_type(token_type: Option<&str>, accepted: &[&str]) -> Result<()> {
    match token_type {
        Some(t) if accepted.iter().any(|a| a.eq_ignore_ascii_case(t)) => Ok(()),
        other => Err(Error::UnsupportedTokenType {
            token_type: other.unwrap_or_default().to_string(),
        }),
    }
}

/// A lifetime in whole seconds as providers send it: a non-negative number (fractions and
/// values beyond `u64` saturate) or a decimal string; anything else counts as absent.
pub(crate) fn lifetime(value: Option<&Value>) -> Option<u64> {
    match value? {
        Value::Number(n) => n.as_u64().or_else(|| {
            // `as` saturates (and maps NaN to 0), so no float can panic here.
            n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)
        }),
        // Some providers send it as a string.
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    }
}

/// `now + seconds`, with the lifetime clamped to [`MAX_LIFETIME`]; never panics.
pub(crate) fn expiry_time(now: SystemTime, seconds: u64) -> SystemTime {
    let lifetime = Duration::from_secs(seconds).min(MAX_LIFETIME);
    now.checked_add(lifetime).unwrap_or(now)
}

/// Posts a grant to the token endpoint and returns the parsed JSON object.
pub(crate) async fn request(
    http: &Http,
    url: &str,
    auth: &ClientAuth,
    grant: &[(&str, &str)],
) -> Result<Map<String, Value>> {
    let mut form = grant.to_vec();
    form.extend(
        auth.extra_form
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
    );
    let resp = crate::client_auth::post_with_dpop(http, url, auth, url, &form).await?;
    parse_json_response(&resp, "token", url)
}

/// Checks `token_type` against whether DPoP was used (RFC 9449 §5): `DPoP` only with a proof,
/// and, with a proof, nothing else. (Other types are judged elsewhere.)
pub(crate) fn check_dpop_token_type(token_type: Option<&str>, dpop_used: bool) -> Result<()> {
    let is_dpop = token_type.is_some_and(|t| t.eq_ignore_ascii_case("DPoP"));
    match (dpop_used, is_dpop) {
        (true, false) => Err(Error::DpopTokenType {
            expected: "DPoP",
            found: token_type.unwrap_or_default().to_string(),
            state: "was used",
        }),
        (false, true) => Err(Error::DpopTokenType {
            expected: "Bearer",
            found: token_type.unwrap_or_default().to_string(),
            state: "is off",
        }),
        _ => Ok(()),
    }
}

/// Parses a JSON object from a response; RFC 6749 §5.2 error bodies become [`Error::OAuth`],
/// other error statuses [`Error::HttpStatus`], and a 2xx that is not a JSON object code 908.
pub(crate) fn parse_json_response(
    resp: &Response,
    endpoint: &'static str,
    url: &str,
) -> Result<Map<String, Value>> {
    let parsed = crate::json::parse(&resp.body);
    if !resp.is_success() {
        if let Ok(Value::Object(obj)) = &parsed
            && let Some(Value::String(error)) = obj.get("error")
        {
            return Err(Error::OAuth {
                endpoint,
                status: resp.status,
                error: error.clone(),
                error_description: obj
                    .get("error_description")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                error_uri: obj
                    .get("error_uri")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            });
        }
        return Err(Error::HttpStatus {
            url: strip_query(url),
            status: resp.status,
            body: resp.body_text(),
        });
    }
    match parsed {
        Ok(Value::Object(obj)) => Ok(obj),
        Ok(_) => Err(Error::InvalidTokenResponse {
            reason: format!("the {endpoint} response is not a JSON object"),
        }),
        Err(e) => Err(e.into_error(endpoint, |e| Error::InvalidTokenResponse {
            reason: format!("the {endpoint} response is not JSON: {e}"),
        })),
    }
}

pub(crate) fn strip_query(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or(url).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_in_as_string_is_tolerated() {
        let mut m = Map::new();
        m.insert("access_token".into(), "a".into());
        m.insert("expires_in".into(), "3600".into());
        m.insert("token_type".into(), "bearer".into());
        let t = TokenSet::from_fields(m).expect("ok");
        assert_eq!(t.expires_in, Some(3600));
        assert_eq!(t.authorization().as_deref(), Some("bearer a"));
        assert!(!format!("{t:?}").contains("\"a\""));
    }
}
