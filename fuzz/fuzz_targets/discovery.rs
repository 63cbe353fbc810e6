//! `ProviderMetadata::from_json` on arbitrary bytes: no panic; a refusal is 900 (not a usable
//! document) or 916 (a member named twice, which the parser refuses rather than keeping one of
//! the two); a parsed document has a non-empty issuer, keeps the whole object in `raw`, and
//! re-parses from `raw` to the same metadata.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oidckit::ProviderMetadata;
use serde_json::Value;

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

fuzz_target!(|data: &[u8]| {
    let meta = match ProviderMetadata::from_json(data) {
        Ok(m) => m,
        Err(e) => {
            assert!(
                matches!(e.code(), 900 | 916),
                "unexpected code {} for a discovery document: {e}",
                e.code()
            );
            return;
        }
    };
    assert!(!meta.issuer.is_empty());
    assert!(meta.raw.is_object());
    assert_eq!(
        meta.raw.get("issuer").and_then(|v| v.as_str()),
        Some(meta.issuer.as_str())
    );
    let _ = meta.is_tenant_template();

    let again = ProviderMetadata::from_json(&serde_json::to_vec(&meta.raw).expect("serialize"))
        .expect("re-parsing the raw document");
    assert!(same_json(&again.raw, &meta.raw));
    assert_eq!(again.issuer, meta.issuer);
    assert_eq!(again.authorization_endpoint, meta.authorization_endpoint);
    assert_eq!(again.token_endpoint, meta.token_endpoint);
    assert_eq!(again.jwks_uri, meta.jwks_uri);
    assert_eq!(
        again.id_token_signing_alg_values_supported,
        meta.id_token_signing_alg_values_supported
    );
    assert_eq!(
        again.authorization_response_iss_parameter_supported,
        meta.authorization_response_iss_parameter_supported
    );
});
