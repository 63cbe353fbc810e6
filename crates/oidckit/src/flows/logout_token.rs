//! OpenID Connect Back-Channel Logout 1.0 §2.4 and §2.6: validating a logout token.
//! <https://openid.net/specs/openid-connect-backchannel-1_0.html#Validation>
//!
//! The token is a JWT the provider POSTs to the relying party's `backchannel_logout_uri`. It is
//! verified with the same keys and algorithm policy as ID tokens ([`crate::Validator`]); then
//! its claims: `iss`, `aud`, `iat` (not in the future, not older than the caller's limit), `exp`
//! when present, a `jti`, `sub` and/or `sid`, the back-channel logout member in `events`, and
//! **no** `nonce` (so an ID token can never pass as a logout token). Whether the `jti` was seen
//! before is the caller's business (it needs storage shared by every instance).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use crate::jose::CompactJws;
use crate::{Client, Error, Result};

/// The `events` member a logout token must carry (§2.4).
pub const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// A validated logout token: who is to be logged out.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogoutToken {
    /// The issuer (the provider).
    pub iss: String,
    /// The subject whose sessions end, when given.
    pub sub: Option<String>,
    /// The provider session that ends, when given.
    pub sid: Option<String>,
    /// The token's unique id, for replay detection.
    pub jti: String,
    /// Issued at (Unix seconds).
    pub iat: i64,
}

fn invalid(reason: impl Into<String>) -> Error {
    Error::InvalidLogoutToken {
        reason: reason.into(),
    }
}

fn unix(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

fn optional_string(claims: &Map<String, Value>, name: &str) -> Result<Option<String>> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
        Some(_) => Err(invalid(format!("`{name}` is not a non-empty string"))),
    }
}

fn time(claims: &Map<String, Value>, name: &str) -> Result<Option<i64>> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
            .map(Some)
            .ok_or_else(|| invalid(format!("`{name}` is not a time"))),
        Some(_) => Err(invalid(format!("`{name}` is not a number"))),
    }
}

/// Checks the claims of a logout token whose signature was verified (§2.6 steps 2, 4–6).
/// `leeway` allows for clock skew; `max_age` is how old `iat` may be.
pub fn check_claims(
    claims: &Map<String, Value>,
    issuer: &str,
    client_id: &str,
    now: SystemTime,
    leeway: Duration,
    max_age: Duration,
) -> Result<LogoutToken> {
    let now = unix(now);
    let leeway = secs(leeway);
    let iss = optional_string(claims, "iss")?.ok_or_else(|| invalid("`iss` is missing"))?;
    if iss != issuer {
        return Err(invalid(format!("`iss` is {iss:?}, expected {issuer:?}")));
    }
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => a == client_id,
        Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(client_id)),
        _ => false,
    };
    if !aud_ok {
        return Err(invalid(format!("`aud` does not contain {client_id:?}")));
    }
    let iat = time(claims, "iat")?.ok_or_else(|| invalid("`iat` is missing"))?;
    if iat > now.saturating_add(leeway) {
        return Err(invalid("`iat` is in the future"));
    }
    if iat < now.saturating_sub(secs(max_age)).saturating_sub(leeway) {
        return Err(invalid(format!(
            "`iat` is more than {} s in the past",
            max_age.as_secs()
        )));
    }
    if let Some(exp) = time(claims, "exp")?
        && now > exp.saturating_add(leeway)
    {
        return Err(invalid("the token has expired (`exp`)"));
    }
    let jti = optional_string(claims, "jti")?.ok_or_else(|| invalid("`jti` is missing"))?;
    let sub = optional_string(claims, "sub")?;
    let sid = optional_string(claims, "sid")?;
    if sub.is_none() && sid.is_none() {
        return Err(invalid("the token has neither `sub` nor `sid`"));
    }
    match claims.get("events") {
        Some(Value::Object(events)) => match events.get(BACKCHANNEL_LOGOUT_EVENT) {
            Some(Value::Object(_)) => {}
            Some(_) => {
                return Err(invalid(
                    "the back-channel logout member of `events` is not a JSON object",
                ));
            }
            None => {
                return Err(invalid(format!(
                    "`events` has no {BACKCHANNEL_LOGOUT_EVENT:?} member"
                )));
            }
        },
        Some(_) => return Err(invalid("`events` is not a JSON object")),
        None => return Err(invalid("`events` is missing")),
    }
    if claims.contains_key("nonce") {
        return Err(invalid(
            "the token has a `nonce` (an ID token is not a logout token)",
        ));
    }
    Ok(LogoutToken {
        iss,
        sub,
        sid,
        jti,
        iat,
    })
}

impl Client {
    /// Validates a back-channel logout token (§2.6): signature with the provider's JWKS
    /// (re-fetched once for an unknown key) and this client's algorithm policy, then the claims
    /// (see [`check_claims`]); `max_age` bounds how old its `iat` may be. Code 940 when it is
    /// not acceptable (901/903 for a malformed token or a bad signature).
    pub async fn validate_logout_token(
        &self,
        token: &str,
        max_age: Duration,
    ) -> Result<LogoutToken> {
        let jws = CompactJws::parse(token)?;
        if let Some(typ) = jws.header.typ.as_deref() {
            let typ = typ.to_ascii_lowercase();
            if !matches!(
                typ.as_str(),
                "jwt" | "logout+jwt" | "application/logout+jwt"
            ) {
                return Err(invalid(format!(
                    "the token's `typ` is {typ:?}, expected logout+jwt"
                )));
            }
        }
        self.verify_jws(&jws).await?;
        let payload = jws.payload()?;
        let claims: Map<String, Value> = serde_json::from_slice(&payload)
            .map_err(|_| invalid("the payload is not a JSON object"))?;
        check_claims(
            &claims,
            &self.metadata().issuer,
            &self.config().client_id,
            SystemTime::now(),
            self.config().leeway,
            max_age,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(extra: Value) -> Map<String, Value> {
        let now = unix(SystemTime::now());
        let mut base = json!({
            "iss": "https://op", "aud": "rp", "iat": now, "jti": "j1", "sid": "s1",
            "events": { BACKCHANNEL_LOGOUT_EVENT: {} }
        });
        if let (Some(b), Some(e)) = (base.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                if v.is_null() {
                    b.remove(k);
                } else {
                    b.insert(k.clone(), v.clone());
                }
            }
        }
        base.as_object().cloned().unwrap_or_default()
    }

    fn check(c: &Map<String, Value>) -> Result<LogoutToken> {
        check_claims(
            c,
            "https://op",
            "rp",
            SystemTime::now(),
            Duration::from_secs(60),
            Duration::from_secs(300),
        )
    }

    #[test]
    fn a_logout_token_needs_events_no_nonce_and_a_subject_or_session() -> Result<()> {
        assert_eq!(check(&claims(json!({})))?.sid.as_deref(), Some("s1"));
        let old = unix(SystemTime::now()) - 3600;
        for bad in [
            json!({"nonce": "n"}),
            json!({"events": null}),
            json!({"events": {"other": {}}}),
            json!({"events": {BACKCHANNEL_LOGOUT_EVENT: "x"}}),
            json!({"sid": null}),
            json!({"jti": null}),
            json!({"aud": "other"}),
            json!({"iss": "https://evil"}),
            json!({"iat": old}),
            json!({"iat": "now"}),
        ] {
            assert_eq!(
                check(&claims(bad.clone())).map_err(|e| e.code()),
                Err(940),
                "{bad}"
            );
        }
        Ok(())
    }
}
