//! `Validator::validate` with fixed real keys (Ed25519, RSA, P-256) and a client secret on
//! arbitrary tokens: never panics and never accepts (the seed tokens that do verify are expired).
//! The same input is also taken as a claims object: signed by the harness with the client secret
//! (HS256) so the claim checks run on it (anything accepted must really satisfy iss, sub, aud,
//! exp, iat, nonce, auth_time), and for `Claims::from_payload` and `UserDetails::from_claims`.
#![no_main]

use std::sync::OnceLock;
use std::time::{Duration, UNIX_EPOCH};

use aws_lc_rs::hmac;
use libfuzzer_sys::fuzz_target;
use oidckit::jose::{CompactJws, b64url_encode};
use oidckit::{Alg, Checks, ClaimSink, Claims, Jwks, UserDetails, Validator};
use serde_json::Value;

const FIXED_JWKS: &str = include_str!("../keys/jwks.json");
const ISSUER: &str = "https://op.example";
const CLIENT_ID: &str = "client-1";
const NONCE: &str = "n-0S6_WzA2Mj";
const SECRET: &str = "fuzz-client-secret";

fn setup() -> &'static (Validator, Jwks) {
    static S: OnceLock<(Validator, Jwks)> = OnceLock::new();
    S.get_or_init(|| {
        let validator = Validator::new(ISSUER, CLIENT_ID)
            .with_allowed_algs(Alg::SUPPORTED)
            .with_client_secret(SECRET);
        let jwks = Jwks::from_json(FIXED_JWKS.as_bytes()).expect("the fixed JWKS parses");
        assert_eq!(jwks.keys().len(), 3);
        (validator, jwks)
    })
}

/// Signs `claims` (any bytes) as the payload of an HS256 token with the client secret, so that
/// arbitrary claims get past the signature check into the claim checks.
fn hs256_token(claims: &[u8]) -> String {
    let header = b64url_encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let signing_input = format!("{header}.{}", b64url_encode(claims));
    let key = hmac::Key::new(hmac::HMAC_SHA256, SECRET.as_bytes());
    let signature = b64url_encode(hmac::sign(&key, signing_input.as_bytes()));
    format!("{signing_input}.{signature}")
}

fn check_claims(validator: &Validator, jwks: &Jwks, claims: &[u8]) {
    let token = hs256_token(claims);
    let mut strict = Checks::default();
    strict.nonce = Some(NONCE);
    strict.max_age = Some(Duration::from_secs(3600));
    strict.access_token = Some("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y");
    strict.require_at_hash = true;
    strict.code = Some("Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk");
    strict.now = Some(UNIX_EPOCH + Duration::from_secs(1_700_000_100));
    let mut lax = Checks::default();
    lax.now = strict.now;
    let mut ancient = Checks::default();
    ancient.now = Some(UNIX_EPOCH);
    ancient.max_age = Some(Duration::from_secs(u64::MAX));

    for checks in [&strict, &lax, &ancient] {
        let fed = validator.validate_into(&token, jwks, checks, Record::default());
        match validator.validate(&token, jwks, checks) {
            Ok(id) => {
                // The sink saw every member, the last of a repeated name winning as in the map.
                let fed = fed.expect("validate_into accepts what validate accepts");
                let mut map = serde_json::Map::new();
                map.extend(fed.0);
                assert_eq!(&map, id.claims().as_map());
                // Whatever passed must really satisfy the basic checks.
                let c = id.claims();
                assert_eq!(c.issuer(), Some(ISSUER));
                assert!(c.subject().is_some_and(|s| !s.is_empty()));
                assert!(c.audience().contains(&CLIENT_ID));
                assert!(c.expiration().is_some() && c.issued_at().is_some());
                if checks.nonce.is_some() {
                    assert_eq!(c.nonce(), checks.nonce);
                }
                if checks.max_age.is_some() {
                    assert!(c.auth_time().is_some());
                }
            }
            Err(e) => {
                assert!(
                    matches!(e.code(), 901 | 903),
                    "unexpected error code {}: {e}",
                    e.code()
                );
                // The same error. Only the wording of a JSON syntax error (901) may differ:
                // the sink path reads a checked claim from its own text, with serde_json's
                // skipping reader first.
                let other = fed.expect_err("validate_into refuses what validate refuses");
                assert_eq!(other.code(), e.code(), "{other} / {e}");
                if e.code() != 901 {
                    assert_eq!(other.to_string(), e.to_string());
                }
            }
        }
    }
}

/// Every member a `ClaimSink` is handed, in order.
#[derive(Debug, Default)]
struct Record(Vec<(String, Value)>);

impl<'de> ClaimSink<'de> for Record {
    fn member<D: serde::Deserializer<'de>>(&mut self, name: &str, value: D) -> Result<(), D::Error> {
        let value = <Value as serde::Deserialize>::deserialize(value)?;
        self.0.push((name.to_string(), value));
        Ok(())
    }
}

/// JSON equality where numbers may differ in the last bit: serde_json (without its
/// `float_roundtrip` feature) may round a long decimal literal 1 ULP off, and re-serialising
/// that value prints a literal for the neighbouring float.
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x == y
                || x.as_f64()
                    .zip(y.as_f64())
                    .is_some_and(|(p, q)| (p - q).abs() <= p.abs().max(q.abs()) * 1e-15)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_json(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

fn use_claims(payload: &[u8]) {
    let Ok(claims) = Claims::from_payload(payload) else {
        return;
    };
    let details = UserDetails::from_claims(&claims);
    assert_eq!(&details.claims, claims.as_map());
    let again =
        Claims::from_payload(&serde_json::to_vec(&claims).expect("serialize")).expect("re-parse");
    assert!(same_json(
        &Value::Object(again.into_map()),
        &Value::Object(claims.as_map().clone())
    ));
    let _ = serde_json::to_string(&details);
}

fuzz_target!(|data: &[u8]| {
    let (validator, jwks) = setup();
    if let Ok(token) = std::str::from_utf8(data) {
        let mut checks = Checks::default();
        checks.nonce = Some(NONCE);
        let result = validator.validate(token, jwks, &checks);
        assert!(result.is_err(), "a fuzzed token was accepted: {result:?}");
        if let Ok(jws) = CompactJws::parse(token) {
            let _ = validator.verify_signature(&jws, &Jwks::default());
            if let Ok(payload) = jws.payload() {
                use_claims(&payload);
                check_claims(validator, jwks, &payload);
            }
        }
    }
    use_claims(data);
    check_claims(validator, jwks, data);
});
