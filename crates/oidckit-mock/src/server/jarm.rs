//! JARM (JWT Secured Authorization Response Mode): the authorization response parameters
//! signed into one JWT (`iss`, `aud` = client id, `exp` in a minute) with the provider's ID
//! token key, sent as `response`; then encrypted when `MockConfig::jarm_encryption` is set.

use serde_json::{Map, Value};

use super::state::{Shared, now};
use crate::Misbehavior;
use crate::keys::compact_sign;

/// Lifetime of a response JWT.
const TTL_SECS: u64 = 60;

pub(super) fn sign(
    s: &Shared,
    client_id: &str,
    params: &[(String, String)],
) -> Result<String, String> {
    let mut claims = Map::new();
    for (k, v) in params {
        claims.insert(k.clone(), v.clone().into());
    }
    let aud = if s.has(&Misbehavior::JarmWrongAudience) {
        "another-client".to_owned()
    } else {
        client_id.to_owned()
    };
    claims.insert("iss".into(), s.issuer.clone().into());
    claims.insert("aud".into(), aud.into());
    claims.insert("exp".into(), (now() + TTL_SECS).into());
    let alg = s.config.id_token_alg;
    let (header, key) = s.header_and_key(alg, Some(client_id))?;
    let mut jwt = compact_sign(&Value::Object(header), &Value::Object(claims), &key, alg)?;
    if s.has(&Misbehavior::JarmBadSignature) {
        // Flip a character in the middle of the signature.
        let mut bytes = jwt.into_bytes();
        let last_dot = bytes.iter().rposition(|b| *b == b'.').unwrap_or(0);
        let i = last_dot + (bytes.len() - last_dot) / 2;
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        jwt = String::from_utf8(bytes).map_err(|e| e.to_string())?;
    }
    match &s.config.jarm_encryption {
        Some(to) => crate::encryption::encrypt(
            jwt.as_bytes(),
            to,
            Some("JWT"),
            s.has(&Misbehavior::JweBadTag),
        ),
        None => Ok(jwt),
    }
}
