//! Signed request objects (RFC 9101, JAR) at `/authorize` and `/par`: verified with
//! `jsonwebtoken` (the client secret for HS*, the client's registered keys otherwise), then
//! their claims replace the request's parameters.

use serde_json::Value;

use super::client_auth::{check_jti, verify_jwt};
use super::state::Shared;

/// The `typ` a request object must carry.
const TYP: &str = "oauth-authz-req+jwt";
/// Claims about the object itself, not authorization parameters.
const ENVELOPE: [&str; 6] = ["iss", "aud", "iat", "nbf", "exp", "jti"];

/// When `params` carry `request`, verifies it for `client_id` and returns its parameters
/// instead (plus `client_id`); else returns `params` unchanged.
pub(super) fn expand(
    s: &Shared,
    client_id: &str,
    params: Vec<(String, String)>,
) -> Result<Vec<(String, String)>, String> {
    let Some(jwt) = params
        .iter()
        .find(|(k, _)| k == "request")
        .map(|(_, v)| v.clone())
    else {
        return Ok(params);
    };
    let client = s.client(client_id).ok_or("unknown client_id")?;
    let header =
        jsonwebtoken::decode_header(&jwt).map_err(|e| format!("bad request object: {e}"))?;
    if header.typ.as_deref() != Some(TYP) {
        return Err(format!("request object typ is not {TYP}"));
    }
    let claims = verify_jwt(
        s,
        &jwt,
        client_id,
        client.client_secret.as_deref(),
        std::slice::from_ref(&s.issuer),
        None,
    )
    .map_err(|e| format!("request object: {e}"))?;
    check_jti(s, &claims, true).map_err(|e| format!("request object: {e}"))?;
    if claims.get("client_id").and_then(Value::as_str) != Some(client_id) {
        return Err("the request object's client_id differs from the request's".into());
    }
    Ok(claims
        .into_iter()
        .filter(|(k, _)| !ENVELOPE.contains(&k.as_str()))
        .map(|(k, v)| match v {
            Value::String(s) => (k, s),
            other => (k, other.to_string()),
        })
        .collect())
}
