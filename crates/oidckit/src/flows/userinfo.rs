//! UserInfo (OpenID Connect Core §5.3) and the standard claims (§5.1) as [`UserDetails`].

use serde_json::{Map, Value};

use crate::http::Http;
use crate::id_token::Claims;
use crate::token;
use crate::{Error, Result};

/// The standard claims about the user (the seed's `user_details_*`), from the ID token or the
/// UserInfo response. Values real providers send in odd shapes are tolerated:
/// `email_verified: "true"`, `updated_at` as a string. Every claim, standard or not, stays in
/// [`UserDetails::claims`].
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct UserDetails {
    /// `sub`: the user's identifier at the provider.
    pub sub: Option<String>,
    /// `iss`.
    pub iss: Option<String>,
    /// `aud`, as a list.
    pub aud: Vec<String>,
    /// `iat`.
    pub iat: Option<i64>,
    /// `exp`.
    pub exp: Option<i64>,
    /// `auth_time`.
    pub auth_time: Option<i64>,
    /// `name`.
    pub name: Option<String>,
    /// `given_name`.
    pub given_name: Option<String>,
    /// `family_name`.
    pub family_name: Option<String>,
    /// `middle_name`.
    pub middle_name: Option<String>,
    /// `nickname`.
    pub nickname: Option<String>,
    /// `preferred_username`.
    pub preferred_username: Option<String>,
    /// `profile` (URL).
    pub profile: Option<String>,
    /// `picture` (URL).
    pub picture: Option<String>,
    /// `website` (URL).
    pub website: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// `email_verified`.
    pub email_verified: Option<bool>,
    /// `gender`.
    pub gender: Option<String>,
    /// `birthdate`.
    pub birthdate: Option<String>,
    /// `zoneinfo`.
    pub zoneinfo: Option<String>,
    /// `locale`.
    pub locale: Option<String>,
    /// `phone_number`.
    pub phone_number: Option<String>,
    /// `phone_number_verified`.
    pub phone_number_verified: Option<bool>,
    /// `address.formatted`.
    pub address_formatted: Option<String>,
    /// `address.street_address`.
    pub address_street_address: Option<String>,
    /// `address.locality`.
    pub address_locality: Option<String>,
    /// `address.region`.
    pub address_region: Option<String>,
    /// `address.postal_code`.
    pub address_postal_code: Option<String>,
    /// `address.country`.
    pub address_country: Option<String>,
    /// `updated_at` in seconds since the epoch.
    pub updated_at: Option<i64>,
    /// Every claim received, including the ones above.
    pub claims: Map<String, Value>,
}

impl UserDetails {
    /// Maps a claims object.
    pub fn from_map(map: &Map<String, Value>) -> UserDetails {
        let s = |name: &str| text(map.get(name));
        let addr = map.get("address").and_then(Value::as_object);
        let a = |name: &str| addr.and_then(|o| text(o.get(name)));
        UserDetails {
            sub: s("sub"),
            iss: s("iss"),
            aud: match map.get("aud") {
                Some(Value::String(x)) => vec![x.clone()],
                Some(Value::Array(xs)) => xs
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            },
            iat: number(map.get("iat")),
            exp: number(map.get("exp")),
            auth_time: number(map.get("auth_time")),
            name: s("name"),
            given_name: s("given_name"),
            family_name: s("family_name"),
            middle_name: s("middle_name"),
            nickname: s("nickname"),
            preferred_username: s("preferred_username"),
            profile: s("profile"),
            picture: s("picture"),
            website: s("website"),
            email: s("email"),
            email_verified: boolean(map.get("email_verified")),
            gender: s("gender"),
            birthdate: s("birthdate"),
            zoneinfo: s("zoneinfo"),
            locale: s("locale"),
            phone_number: s("phone_number"),
            phone_number_verified: boolean(map.get("phone_number_verified")),
            address_formatted: a("formatted"),
            address_street_address: a("street_address"),
            address_locality: a("locality"),
            address_region: a("region"),
            address_postal_code: a("postal_code"),
            address_country: a("country"),
            updated_at: number(map.get("updated_at")),
            claims: map.clone(),
        }
    }

    /// Maps verified ID token claims.
    pub fn from_claims(claims: &Claims) -> UserDetails {
        Self::from_map(claims.as_map())
    }

    /// Completes UserInfo claims with the ID token's (Core §5.3.2 and §5.1): a UserInfo
    /// response need not repeat the ID token's `iss`, `aud`, `iat`, `exp` and `auth_time`, so
    /// those of `id_token` are kept where this response has none. The `sub` must already have
    /// been compared ([`Client::userinfo_with`](crate::Client::userinfo_with) does).
    pub fn with_id_token_claims(mut self, id_token: UserDetails) -> UserDetails {
        self.iss = self.iss.or(id_token.iss);
        if self.aud.is_empty() {
            self.aud = id_token.aud;
        }
        self.iat = self.iat.or(id_token.iat);
        self.exp = self.exp.or(id_token.exp);
        self.auth_time = self.auth_time.or(id_token.auth_time);
        self
    }
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn boolean(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn number(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
}

/// What the UserInfo endpoint answered: JSON claims, or a signed JWT still to verify.
pub(crate) enum Response {
    /// A JSON object.
    Claims(Map<String, Value>),
    /// An `application/jwt` response (Core §5.3.2), not yet verified.
    Signed(String),
}

/// Fetches UserInfo with the access token (Core §5.3.1) and reads the response (§5.3.2). An
/// error response becomes the provider's error (RFC 6750 §3 challenge, or a JSON error) or an
/// HTTP status error.
pub(crate) async fn fetch(
    http: &Http,
    url: &str,
    access_token: &str,
    dpop: Option<&crate::flows::dpop::Dpop>,
) -> Result<Response> {
    let accept = "application/json, application/jwt";
    let resp = match dpop {
        Some(d) => d.get(http, url, access_token, accept).await?,
        None => http.get(url, Some(access_token), accept).await?,
    };
    let response = if resp.is_success() && resp.is_jwt() {
        let text = String::from_utf8(resp.body).map_err(|_| Error::InvalidUserInfo {
            reason: "the signed response is not text".into(),
        })?;
        Response::Signed(text.trim().to_string())
    } else if resp.is_success() {
        match crate::json::parse(&resp.body) {
            Ok(Value::Object(m)) => Response::Claims(m),
            Err(e @ crate::json::JsonError::Repeated(_)) => {
                return Err(e.into_error("userinfo", |reason| Error::InvalidUserInfo { reason }));
            }
            _ => {
                return Err(Error::InvalidUserInfo {
                    reason: "the response is not a JSON object".into(),
                });
            }
        }
    } else {
        if let Some(challenge) = resp.www_authenticate.as_deref()
            && let Some(error) = auth_param(challenge, "error")
        {
            return Err(Error::OAuth {
                endpoint: "userinfo",
                status: resp.status,
                error,
                error_description: auth_param(challenge, "error_description"),
                error_uri: None,
            });
        }
        return Err(match token::parse_json_response(&resp, "userinfo", url) {
            Err(e) => e,
            Ok(_) => Error::HttpStatus {
                url: url.to_string(),
                status: resp.status,
                body: resp.body_text(),
            },
        });
    };
    Ok(response)
}

/// Checks the `iss` (against `issuer`, unless `None` for a tenant template) and `aud` of a
/// verified signed response, and returns its claims.
pub(crate) fn check_signed(
    claims: Claims,
    issuer: Option<&str>,
    client_id: &str,
) -> Result<Map<String, Value>> {
    if let Some(iss) = claims.issuer()
        && let Some(issuer) = issuer
        && iss != issuer
    {
        return Err(Error::InvalidUserInfo {
            reason: format!("signed response iss {iss:?} is not the provider's"),
        });
    }
    if claims.get("aud").is_some() && !claims.audience().contains(&client_id) {
        return Err(Error::InvalidUserInfo {
            reason: "signed response is not for this client (aud)".into(),
        });
    }
    Ok(claims.into_map())
}

/// Checks that the response names a `sub`, and the expected one when given (Core §5.3.4), and
/// reads the standard claims.
pub(crate) fn details(map: Map<String, Value>, expected_sub: Option<&str>) -> Result<UserDetails> {
    let sub = map.get("sub").and_then(Value::as_str);
    match (sub, expected_sub) {
        (None, _) => {
            return Err(Error::InvalidUserInfo {
                reason: "the response has no `sub`".into(),
            });
        }
        (Some(found), Some(expected)) if found != expected => {
            return Err(Error::InvalidUserInfo {
                reason: format!(
                    "sub {found:?} is not the ID token's sub {expected:?}; the token may belong to another user"
                ),
            });
        }
        _ => {}
    }
    Ok(UserDetails::from_map(&map))
}

/// Reads `name="value"` from a `WWW-Authenticate: Bearer …` challenge.
fn auth_param(challenge: &str, name: &str) -> Option<String> {
    let rest = challenge
        .trim_start()
        .strip_prefix("Bearer")
        .unwrap_or(challenge);
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        if k.trim().eq_ignore_ascii_case(name) {
            return Some(v.trim().trim_matches('"').to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerates_what_real_providers_send() {
        let v = serde_json::json!({
            "sub": "1", "email_verified": "true", "phone_number_verified": "False",
            "updated_at": "1700000000", "address": {"country": "NZ"}, "custom": [1]
        });
        let d = UserDetails::from_map(v.as_object().expect("object"));
        assert_eq!(d.email_verified, Some(true));
        assert_eq!(d.phone_number_verified, Some(false));
        assert_eq!(d.updated_at, Some(1_700_000_000));
        assert_eq!(d.address_country.as_deref(), Some("NZ"));
        assert_eq!(d.claims["custom"], serde_json::json!([1]));
    }

    #[test]
    fn userinfo_keeps_the_id_tokens_registered_claims_it_does_not_repeat() {
        let map = |v: serde_json::Value| UserDetails::from_map(v.as_object().expect("object"));
        let id = map(serde_json::json!({
            "sub": "1", "iss": "https://op", "aud": "c", "iat": 10, "exp": 20, "auth_time": 5
        }));
        let merged = map(serde_json::json!({"sub": "1", "iat": 11, "name": "Jane"}))
            .with_id_token_claims(id);
        assert_eq!(merged.iss.as_deref(), Some("https://op"));
        assert_eq!(merged.aud, ["c"]);
        assert_eq!(
            (merged.iat, merged.exp, merged.auth_time),
            (Some(11), Some(20), Some(5))
        );
        assert_eq!(merged.name.as_deref(), Some("Jane"));
    }
}
