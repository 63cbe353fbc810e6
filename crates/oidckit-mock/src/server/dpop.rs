//! DPoP (RFC 9449) at `/token` and `/userinfo`, verified with `jsonwebtoken` and `sha2`: the
//! proof's `typ`, signature by its own `jwk`, `htm`, `htu`, `iat`, a never-seen `jti`, `ath` with
//! an access token, and the server nonce when [`crate::MockConfig::dpop_nonce`] is set. Tokens
//! issued with a proof are `token_type: DPoP` and bound to the key's thumbprint (RFC 7638).

use std::collections::BTreeMap;

use axum::body::{Bytes, to_bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::state::{S, Shared, now};
use crate::Misbehavior;

/// How far `iat` may be from now.
const IAT_WINDOW_SECS: u64 = 60;
/// Largest token response re-read to bind it.
const MAX_BODY: usize = 1 << 20;

/// Why a proof is not accepted.
enum Refusal {
    /// No or an old nonce: answer `use_dpop_nonce` with a fresh `DPoP-Nonce`.
    UseNonce,
    /// Anything else.
    Invalid(String),
}

/// `/token`: checks a proof when there is one, then binds what the token endpoint issued.
pub(super) async fn token(
    State(s): S,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let htu = format!("{}/token", s.issuer);
    let jkt = match check(&s, &headers, "POST", &htu, None) {
        Ok(jkt) => jkt,
        Err(r) => {
            s.record(&method, &uri, &headers, &body);
            return token_refusal(&s, r);
        }
    };
    let resp = super::token::token(State(s.clone()), method, uri, headers, body).await;
    let always = s.has(&Misbehavior::DpopTokenTypeWithoutProof);
    if resp.status() != StatusCode::OK || (jkt.is_none() && !always) {
        return resp;
    }
    if s.has(&Misbehavior::DpopIgnored) {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "token body").into_response();
    };
    let Ok(Value::Object(mut m)) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, bytes.into());
    };
    m.insert("token_type".into(), "DPoP".into());
    if let (Some(jkt), Some(at)) = (&jkt, m.get("access_token").and_then(Value::as_str)) {
        s.lock().extra.dpop_bound.insert(at.to_owned(), jkt.clone());
    }
    let mut out = Response::from_parts(parts, Value::Object(m).to_string().into());
    out.headers_mut().remove(header::CONTENT_LENGTH);
    out
}

/// `/userinfo`: `Authorization: DPoP` with a proof bound to the token, or a Bearer token that
/// is not DPoP-bound; then the plain UserInfo handler.
pub(super) async fn userinfo(
    State(s): S,
    method: Method,
    uri: Uri,
    mut headers: HeaderMap,
    body: Bytes,
) -> Response {
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .unwrap_or_default();
    let refuse = |s: &Shared, headers: &HeaderMap, challenge: String| {
        s.record(&method, &uri, headers, &body);
        resource_refusal(s, challenge)
    };
    if let Some(token) = auth.strip_prefix("DPoP ").map(str::trim) {
        let htu = format!("{}/userinfo", s.issuer);
        let bound = s.lock().extra.dpop_bound.get(token).cloned();
        match check(&s, &headers, method.as_str(), &htu, Some(token)) {
            Ok(Some(jkt)) if bound.as_deref() == Some(jkt.as_str()) => {}
            Ok(_) => {
                let c = "DPoP error=\"invalid_token\", error_description=\"the token is not bound to this proof's key\"";
                return refuse(&s, &headers, c.into());
            }
            Err(Refusal::UseNonce) => {
                return refuse(&s, &headers, "DPoP error=\"use_dpop_nonce\"".into());
            }
            Err(Refusal::Invalid(why)) => {
                let c = format!("DPoP error=\"invalid_dpop_proof\", error_description=\"{why}\"");
                return refuse(&s, &headers, c);
            }
        }
        if let Ok(v) = HeaderValue::from_str(&format!("Bearer {token}")) {
            headers.insert(header::AUTHORIZATION, v);
        }
    } else if let Some(token) = auth.strip_prefix("Bearer ").map(str::trim)
        && s.lock().extra.dpop_bound.contains_key(token)
    {
        let c = "Bearer error=\"invalid_token\", error_description=\"a DPoP-bound token needs a proof\"";
        return refuse(&s, &headers, c.into());
    }
    super::userinfo::userinfo(State(s.clone()), method, uri, headers, body).await
}

fn token_refusal(s: &Shared, r: Refusal) -> Response {
    let (error, description) = match r {
        Refusal::UseNonce => ("use_dpop_nonce", "a DPoP nonce is required".to_owned()),
        Refusal::Invalid(why) => ("invalid_dpop_proof", why),
    };
    let mut resp = (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({ "error": error, "error_description": description })),
    )
        .into_response();
    add_nonce(s, &mut resp);
    resp
}

fn resource_refusal(s: &Shared, challenge: String) -> Response {
    let mut resp = (StatusCode::UNAUTHORIZED, "").into_response();
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    add_nonce(s, &mut resp);
    resp
}

fn add_nonce(s: &Shared, resp: &mut Response) {
    if !s.config.dpop_nonce || s.has(&Misbehavior::DpopNonceWithoutHeader) {
        return;
    }
    let nonce = s.lock().extra.dpop_nonce.clone();
    if let Ok(v) = HeaderValue::from_str(&nonce) {
        resp.headers_mut().insert("dpop-nonce", v);
    }
}

/// Verifies the `DPoP` header, if any; returns the key's thumbprint.
fn check(
    s: &Shared,
    headers: &HeaderMap,
    htm: &str,
    htu: &str,
    access_token: Option<&str>,
) -> Result<Option<String>, Refusal> {
    let bad = |m: &str| Refusal::Invalid(m.to_owned());
    let mut proofs = headers.get_all("dpop").iter();
    let Some(proof) = proofs.next() else {
        return Ok(None);
    };
    if proofs.next().is_some() {
        return Err(bad("more than one DPoP header"));
    }
    let proof = proof.to_str().map_err(|_| bad("DPoP header is not text"))?;
    let header =
        jsonwebtoken::decode_header(proof).map_err(|e| bad(&format!("malformed proof: {e}")))?;
    if header.typ.as_deref() != Some("dpop+jwt") {
        return Err(bad("typ is not dpop+jwt"));
    }
    if matches!(
        header.alg,
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
    ) {
        return Err(bad("symmetric alg"));
    }
    let jwk = header
        .jwk
        .as_ref()
        .ok_or_else(|| bad("no jwk in the header"))?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| bad(&format!("unusable jwk: {e}")))?;
    let mut v = Validation::new(header.alg);
    v.validate_exp = false;
    v.validate_aud = false;
    v.required_spec_claims.clear();
    let claims = jsonwebtoken::decode::<Map<String, Value>>(proof, &key, &v)
        .map_err(|e| bad(&format!("proof signature: {e}")))?
        .claims;
    let text = |n: &str| claims.get(n).and_then(Value::as_str);
    if text("htm") != Some(htm) {
        return Err(bad("htm does not match the request method"));
    }
    if text("htu") != Some(htu) {
        return Err(bad("htu does not match the request URL"));
    }
    let iat = claims
        .get("iat")
        .and_then(Value::as_u64)
        .ok_or_else(|| bad("no iat"))?;
    if iat.abs_diff(now()) > IAT_WINDOW_SECS {
        return Err(bad("iat is too far from now"));
    }
    let jti = text("jti")
        .filter(|j| !j.is_empty())
        .ok_or_else(|| bad("no jti"))?;
    if !s.lock().extra.dpop_jti.insert(jti.to_owned()) {
        return Err(bad("jti already used (replayed proof)"));
    }
    if let Some(token) = access_token {
        let ath = URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()));
        if text("ath") != Some(ath.as_str()) {
            return Err(bad("ath does not match the access token"));
        }
    }
    if s.config.dpop_nonce && text("nonce") != Some(s.lock().extra.dpop_nonce.as_str()) {
        return Err(Refusal::UseNonce);
    }
    thumbprint(proof)
        .map(Some)
        .ok_or_else(|| bad("cannot compute the jwk thumbprint"))
}

/// The RFC 7638 SHA-256 thumbprint of the proof header's `jwk`.
fn thumbprint(proof: &str) -> Option<String> {
    let head = proof.split('.').next()?;
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(head).ok()?).ok()?;
    let jwk = header.get("jwk")?;
    let members: &[&str] = match jwk.get("kty")?.as_str()? {
        "EC" => &["crv", "kty", "x", "y"],
        "RSA" => &["e", "kty", "n"],
        "OKP" => &["crv", "kty", "x"],
        _ => return None,
    };
    let mut m = BTreeMap::new();
    for name in members {
        m.insert(*name, jwk.get(*name)?.as_str()?);
    }
    let canonical = serde_json::to_string(&m).ok()?;
    Some(URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes())))
}
