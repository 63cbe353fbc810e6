//! JWT Secured Authorization Response Mode (JARM,
//! <https://openid.net/specs/oauth-v2-jarm-final.html>): `query.jwt`, `fragment.jwt`,
//! `form_post.jwt` and `jwt`.
//!
//! The response is one parameter, `response`, a JWT signed by the provider. It is validated like
//! an ID token's envelope before any parameter in it is used: signature (the client's algorithm
//! policy, the provider's JWKS or the client secret for HS*), `iss` equal to the issuer, `aud`
//! containing the client id, `exp` in the future (with the configured leeway). Its claims then
//! become the authorization response, which is checked as usual (state, RFC 9207 `iss`, errors).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::authorize::CallbackParams;
use crate::id_token::Claims;
use crate::{Error, Result};

/// Claims of the envelope, not authorization response parameters.
const ENVELOPE: [&str; 2] = ["aud", "exp"];

/// Whether `response_mode` is a JARM mode.
pub(crate) fn is_jarm(response_mode: Option<&str>) -> bool {
    response_mode.is_some_and(|m| m == "jwt" || m.ends_with(".jwt"))
}

/// The `response` JWT of a JARM response (code 952 when there is none).
pub(crate) fn response_jwt(params: &CallbackParams) -> Result<&str> {
    if params
        .pairs()
        .iter()
        .filter(|(k, _)| k == "response")
        .count()
        > 1
    {
        return Err(invalid("the `response` parameter appears more than once"));
    }
    params.get("response").ok_or_else(|| {
        invalid("a JWT response mode was requested but the response has no `response` JWT")
    })
}

/// Checks `iss`, `aud` and `exp` of a verified response JWT and returns its parameters.
pub(crate) fn unpack(
    claims: Claims,
    issuer: &str,
    client_id: &str,
    leeway: Duration,
) -> Result<CallbackParams> {
    if claims.issuer() != Some(issuer) {
        return Err(invalid(&format!(
            "iss is {:?}, not the provider's issuer {issuer:?}",
            claims.issuer().unwrap_or_default()
        )));
    }
    if !claims.audience().contains(&client_id) {
        return Err(invalid(&format!(
            "aud does not contain this client ({client_id:?})"
        )));
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let now = i64::try_from(now).unwrap_or(i64::MAX);
    let leeway = i64::try_from(leeway.as_secs()).unwrap_or(i64::MAX);
    match claims.expiration() {
        Some(exp) if exp.saturating_add(leeway) > now => {}
        Some(_) => return Err(invalid("the response JWT has expired")),
        None => return Err(invalid("the response JWT has no exp")),
    }
    let pairs: Vec<(String, String)> = claims
        .into_map()
        .into_iter()
        .filter(|(k, _)| !ENVELOPE.contains(&k.as_str()))
        .map(|(k, v)| match v {
            Value::String(s) => (k, s),
            other => (k, other.to_string()),
        })
        .collect();
    Ok(CallbackParams::from_pairs(pairs))
}

pub(crate) fn invalid(reason: &str) -> Error {
    Error::InvalidJarmResponse {
        reason: reason.to_string(),
    }
}
