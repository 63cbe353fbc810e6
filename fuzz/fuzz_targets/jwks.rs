//! JWKS / JWK / PEM / SPKI key parsing on arbitrary input, then `select` and `verify` with an
//! arbitrary kid, alg, message and signature. Input layout (0xFF never occurs in UTF-8, so it
//! separates the parts): `document 0xFF kid 0xFF alg 0xFF message 0xFF signature`.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use oidckit::{Alg, Jwks, VerifyingKey};

/// Real public keys (RSA 2048, P-256, Ed25519) generated for these fuzz targets.
const FIXED_JWKS: &str = include_str!("../keys/jwks.json");

fn fixed() -> &'static Jwks {
    static KEYS: OnceLock<Jwks> = OnceLock::new();
    KEYS.get_or_init(|| Jwks::from_json(FIXED_JWKS.as_bytes()).expect("the fixed JWKS parses"))
}

fn check_select(jwks: &Jwks, kid: Option<&str>, alg: &Alg) {
    match jwks.select(kid, alg) {
        Ok(key) => {
            assert!(
                key.supports(alg),
                "selected a key that does not support {alg}"
            );
            if let Some(kid) = kid {
                assert_eq!(key.kid(), Some(kid), "selected a key with another kid");
            }
        }
        Err(n) => {
            let fitting = jwks
                .keys()
                .iter()
                .filter(|k| k.supports(alg) && kid.is_none_or(|kid| k.kid() == Some(kid)))
                .count();
            assert_eq!(n, fitting, "candidate count is wrong");
            assert!(
                n != 1 && (kid.is_none() || n == 0),
                "a unique candidate was refused"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|&b| b == 0xff);
    let doc = parts.next().unwrap_or_default();
    let kid = parts.next().map(String::from_utf8_lossy);
    let alg = Alg::from(&*String::from_utf8_lossy(parts.next().unwrap_or(b"RS256")));
    let message = parts.next().unwrap_or_default();
    let signature = parts.next().unwrap_or_default();

    let mut keys: Vec<VerifyingKey> = Vec::new();
    if let Ok(jwks) = Jwks::from_json(doc) {
        check_select(&jwks, kid.as_deref(), &alg);
        keys.extend(jwks.keys().iter().cloned());
        let _ = format!("{jwks:?}");
    }
    let _ = VerifyingKey::from_spki(doc);
    if let Ok(text) = std::str::from_utf8(doc) {
        for key in [
            VerifyingKey::from_text(text),
            VerifyingKey::from_jwk(text),
            VerifyingKey::from_pem(text),
        ]
        .into_iter()
        .flatten()
        {
            assert!(matches!(key.key_type(), "RSA" | "EC" | "OKP"));
            keys.push(key);
        }
    }
    for key in &keys {
        let _ = key.verify(&alg, message, signature);
        assert!(!key.verify(&Alg::None, message, signature));
        assert!(!key.verify(&Alg::HS256, message, signature));
    }
    let set = Jwks::from_keys(keys);
    check_select(&set, kid.as_deref(), &alg);

    // Real keys: arbitrary signatures never verify and never panic.
    let fixed = fixed();
    check_select(fixed, kid.as_deref(), &alg);
    for key in fixed.keys() {
        for a in Alg::SUPPORTED.iter().chain([&alg]) {
            assert!(
                !key.verify(a, message, signature),
                "a fuzzed signature verified with {a}"
            );
        }
    }
});
