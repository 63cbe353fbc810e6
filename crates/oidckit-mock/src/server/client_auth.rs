//! Client authentication at the token, introspection and revocation endpoints: secrets
//! (basic and post) and client assertions (OpenID Connect Core §9, RFC 7523 §2.2) verified
//! with `jsonwebtoken`.

use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use super::respond::token_error;
use super::state::{Req, Shared};
use crate::MockClient;

pub(super) const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

pub(crate) fn authenticate_client(s: &Shared, req: &Req) -> Result<MockClient, Box<Response>> {
    let invalid_client =
        |d: &str| Box::new(token_error(StatusCode::UNAUTHORIZED, "invalid_client", d));
    if req.form("client_assertion_type").is_some() || req.form("client_assertion").is_some() {
        return authenticate_with_assertion(s, req);
    }
    let body_id = req.form("client_id");
    let body_secret = req.form("client_secret");
    if let Some(basic) = req.authorization("Basic") {
        if body_secret.is_some() {
            return Err(Box::new(token_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "more than one client authentication method used",
            )));
        }
        let decoded = STANDARD
            .decode(basic)
            .ok()
            .and_then(|b| String::from_utf8(b).ok());
        let Some((id, secret)) = decoded.as_deref().and_then(|d| d.split_once(':')) else {
            return Err(invalid_client("malformed Basic credentials"));
        };
        let (Some(id), Some(secret)) = (form_decode(id), form_decode(secret)) else {
            return Err(invalid_client("malformed Basic credentials"));
        };
        if body_id.is_some_and(|b| b != id) {
            return Err(Box::new(token_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "client_id in the body differs from the authenticated client",
            )));
        }
        let Some(client) = s.client(&id) else {
            return Err(invalid_client("unknown client"));
        };
        if client.client_secret.as_deref() != Some(secret.as_str()) {
            return Err(invalid_client("client authentication failed"));
        }
        return Ok(client);
    }
    let Some(id) = body_id else {
        return Err(invalid_client("client authentication required"));
    };
    let Some(client) = s.client(id) else {
        return Err(invalid_client("unknown client"));
    };
    if s.lock().extra.has_keys(id) {
        return Err(invalid_client(
            "this client must authenticate with private_key_jwt",
        ));
    }
    match (&client.client_secret, body_secret) {
        (Some(expected), Some(got)) if expected == got => Ok(client),
        (None, None) => Ok(client),
        (None, Some(_)) => Err(invalid_client("public client must not send a secret")),
        (Some(_), _) => Err(invalid_client("client authentication failed")),
    }
}

pub(super) fn invalid_client(d: &str) -> Box<Response> {
    Box::new(token_error(StatusCode::UNAUTHORIZED, "invalid_client", d))
}

/// The unverified claims of a JWT, to find who claims to have signed it.
pub(super) fn peek_claims(jwt: &str) -> Option<Map<String, Value>> {
    let payload = jwt.split('.').nth(1)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

/// Verifies `jwt` with the keys registered for `id` (or, for HS*, `secret`): signature,
/// `aud` (one of `audiences`), `exp`, `iss` and, when given, `sub`. Returns the claims.
pub(super) fn verify_jwt(
    s: &Shared,
    jwt: &str,
    id: &str,
    secret: Option<&str>,
    audiences: &[String],
    sub: Option<&str>,
) -> Result<Map<String, Value>, String> {
    let header = jsonwebtoken::decode_header(jwt).map_err(|e| format!("malformed JWT: {e}"))?;
    let keys: Vec<DecodingKey> = if matches!(
        header.alg,
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
    ) {
        let secret = secret.ok_or("HMAC assertion from a client without a secret")?;
        vec![DecodingKey::from_secret(secret.as_bytes())]
    } else {
        let inner = s.lock();
        let keys = inner
            .extra
            .keys
            .get(id)
            .ok_or("no key registered for this client")?;
        keys.iter().map(|k| k.key.clone()).collect()
    };
    let mut v = Validation::new(header.alg);
    v.set_audience(audiences);
    v.set_issuer(&[id]);
    if let Some(sub) = sub {
        v.sub = Some(sub.to_owned());
    }
    v.leeway = 5;
    v.set_required_spec_claims(&["exp", "aud", "iss"]);
    let mut last = String::from("no key");
    for key in keys {
        match jsonwebtoken::decode::<Map<String, Value>>(jwt, &key, &v) {
            Ok(data) => return Ok(data.claims),
            Err(e) => last = format!("assertion rejected: {e}"),
        }
    }
    Err(last)
}

/// Refuses a `jti` seen before (replay).
pub(super) fn check_jti(
    s: &Shared,
    claims: &Map<String, Value>,
    required: bool,
) -> Result<(), String> {
    match claims.get("jti").and_then(Value::as_str) {
        Some(jti) if !s.lock().extra.used_jti.insert(jti.to_owned()) => {
            Err("assertion jti already used".into())
        }
        None if required => Err("assertion has no jti".into()),
        _ => Ok(()),
    }
}

pub(super) fn audiences(s: &Shared) -> Vec<String> {
    vec![format!("{}/token", s.issuer), s.issuer.clone()]
}

/// `client_secret_jwt` / `private_key_jwt` (Core §9).
pub(crate) fn authenticate_with_assertion(
    s: &Shared,
    req: &Req,
) -> Result<MockClient, Box<Response>> {
    if req.form("client_assertion_type") != Some(ASSERTION_TYPE) {
        return Err(invalid_client("unsupported client_assertion_type"));
    }
    let jwt = req
        .form("client_assertion")
        .ok_or_else(|| invalid_client("no client_assertion"))?;
    let claimed = peek_claims(jwt)
        .and_then(|c| c.get("sub").and_then(Value::as_str).map(str::to_owned))
        .ok_or_else(|| invalid_client("client_assertion has no sub"))?;
    if req.form("client_id").is_some_and(|id| id != claimed) {
        return Err(invalid_client("client_id differs from the assertion's sub"));
    }
    let client = s
        .client(&claimed)
        .ok_or_else(|| invalid_client("unknown client"))?;
    let claims = verify_jwt(
        s,
        jwt,
        &claimed,
        client.client_secret.as_deref(),
        &audiences(s),
        Some(&claimed),
    )
    .map_err(|e| invalid_client(&e))?;
    check_jti(s, &claims, true).map_err(|e| invalid_client(&e))?;
    Ok(client)
}

/// Percent-decode one `application/x-www-form-urlencoded` component (`+` is a space).
fn form_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}
