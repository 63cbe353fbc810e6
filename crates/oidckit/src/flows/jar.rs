//! Signed request objects, RFC 9101 (JAR, <https://www.rfc-editor.org/rfc/rfc9101>), and
//! OpenID Connect Core §6.1.
//!
//! The parameters of an authorization URL built as usual become the claims of a JWT signed with
//! the client's key or secret (`typ: oauth-authz-req+jwt`, `iss` = client id, `aud` = issuer,
//! `iat`, `nbf`, `exp` five minutes later, a random `jti`). The URL keeps `client_id`,
//! `response_type` and `scope` (Core §6.1 wants them outside too; RFC 9101 §5 allows it) and
//! carries the object as `request`. Optionally the signed object is then encrypted to the
//! provider's key (RFC 9101 §6.1, a nested JWT with `cty: JWT`).

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use crate::jose::{self, ContentEncryption, EncryptionKey, KeyManagement, PrivateKey};
use crate::{Error, Result};

/// The `typ` of request objects (RFC 9101 §10.8).
const TYP: &str = "oauth-authz-req+jwt";
/// How long a request object is valid.
const LIFETIME_SECS: u64 = 300;
/// Parameters repeated outside the request object.
const KEPT_OUTSIDE: [&str; 3] = ["client_id", "response_type", "scope"];

/// What signs request objects.
pub(crate) enum Signer<'a> {
    /// The client's private key (its algorithm).
    Key(&'a PrivateKey),
    /// HS256 with the client secret.
    Secret(&'a str),
}

/// How request objects are encrypted after signing (RFC 9101 §6.1): key, `alg`, `enc`.
pub(crate) type Encryption<'a> = (&'a EncryptionKey, KeyManagement, ContentEncryption);

/// Turns `authorization_url` (built on `endpoint`) into one carrying a signed request object,
/// then encrypted (`cty: JWT`) when `encryption` is given.
pub(crate) fn sign_url(
    authorization_url: &str,
    endpoint: &str,
    issuer: &str,
    signer: Signer<'_>,
    encryption: Option<Encryption<'_>>,
) -> Result<String> {
    let not_url = |e: url::ParseError| Error::InvalidUrl {
        url: endpoint.to_string(),
        reason: format!("authorization endpoint is not a URL: {e}"),
        problem: crate::error::UrlProblem::NoServer,
    };
    let full = url::Url::parse(authorization_url).map_err(not_url)?;
    let pairs: Vec<(String, String)> = full.query_pairs().into_owned().collect();
    let mut jwt = sign(&pairs, issuer, signer, SystemTime::now())?;
    if let Some((key, alg, enc)) = encryption {
        jwt = jose::jwe::encrypt(jwt.as_bytes(), key, alg, enc, Some("JWT"))?;
    }
    let mut url = url::Url::parse(endpoint).map_err(not_url)?;
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in pairs
            .iter()
            .filter(|(k, _)| KEPT_OUTSIDE.contains(&k.as_str()))
        {
            q.append_pair(k, v);
        }
        q.append_pair("request", &jwt);
    }
    Ok(url.into())
}

/// Signs `params` as a request object for `issuer`.
fn sign(
    params: &[(String, String)],
    issuer: &str,
    signer: Signer<'_>,
    now: SystemTime,
) -> Result<String> {
    let claims = claims(params, issuer, now)?;
    match signer {
        Signer::Key(key) => key.sign_jwt_typed(TYP, &claims),
        Signer::Secret(secret) => crate::client_auth::hs256_jwt(secret.as_bytes(), TYP, &claims),
    }
}

/// The claims: every parameter (`max_age` as a number, `claims` as the object it holds), then
/// `iss`, `aud`, `iat`, `nbf`, `exp` and `jti`.
fn claims(
    params: &[(String, String)],
    issuer: &str,
    now: SystemTime,
) -> Result<Map<String, Value>> {
    let mut m = Map::new();
    for (k, v) in params {
        let value = match k.as_str() {
            "max_age" => v
                .parse::<u64>()
                .map_or_else(|_| v.clone().into(), Value::from),
            "claims" => serde_json::from_str::<Value>(v)
                .ok()
                .filter(Value::is_object)
                .unwrap_or_else(|| v.clone().into()),
            _ => v.clone().into(),
        };
        m.insert(k.clone(), value);
    }
    let client_id = m.get("client_id").cloned().ok_or(Error::Missing {
        what: "client_id",
        hint: "a request object names its client",
    })?;
    let iat = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    m.insert("iss".into(), client_id);
    m.insert("aud".into(), issuer.into());
    m.insert("iat".into(), iat.into());
    m.insert("nbf".into(), iat.into());
    m.insert("exp".into(), iat.saturating_add(LIFETIME_SECS).into());
    m.insert("jti".into(), jose::random_token(16)?.into());
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_type_max_age_and_the_claims_parameter() {
        let params = [
            ("client_id".to_string(), "c".to_string()),
            ("max_age".to_string(), "60".to_string()),
            (
                "claims".to_string(),
                r#"{"userinfo":{"email":null}}"#.to_string(),
            ),
            ("state".to_string(), "s".to_string()),
        ];
        let now = UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        let c = claims(&params, "https://op", now).expect("claims");
        assert_eq!(c["max_age"], 60);
        assert!(c["claims"]["userinfo"].is_object());
        assert_eq!(c["iss"], "c");
        assert_eq!(c["aud"], "https://op");
        assert_eq!(c["exp"], 1_700_000_300u64);
        assert_eq!(c["state"], "s");
    }
}
