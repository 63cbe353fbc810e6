//! `jose::jwe::decrypt` on arbitrary text, with an RSA and a P-256 key: no panic, and every
//! refusal is one of the JWE codes (954 refused, 955 malformed, 956 no fitting key, 957 did
//! not decrypt) or 916 (a header repeating a member). Inputs starting with `!` are encrypted
//! instead, to every alg/enc pair: the round trip gives the plaintext back, and one flipped
//! byte in the ciphertext or tag is refused with 957.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use oidckit::jose::jwe::{self, ContentEncryption, DecryptionKey, KeyManagement};
use oidckit::jose::{b64url_decode, b64url_encode};

fn keys() -> &'static [DecryptionKey] {
    static KEYS: OnceLock<Vec<DecryptionKey>> = OnceLock::new();
    KEYS.get_or_init(|| {
        vec![
            DecryptionKey::generate_rsa().expect("rsa").with_kid("rsa"),
            DecryptionKey::generate_ec("P-256")
                .expect("ec")
                .with_kid("ec"),
        ]
    })
}

fuzz_target!(|data: &[u8]| {
    if let Some(plain) = data.strip_prefix(b"!") {
        let pick = plain.first().copied().unwrap_or(0) as usize;
        let key = &keys()[pick % 2];
        let alg = if pick % 2 == 0 {
            [KeyManagement::RsaOaep, KeyManagement::RsaOaep256][pick / 2 % 2]
        } else {
            [
                KeyManagement::EcdhEs,
                KeyManagement::EcdhEsA128Kw,
                KeyManagement::EcdhEsA256Kw,
            ][pick / 2 % 3]
        };
        let enc = ContentEncryption::ALL[pick / 8 % 4];
        let public = key.encryption_key().expect("public half");
        let token = jwe::encrypt(plain, &public, alg, enc, None).expect("encrypts");
        let opened = jwe::decrypt(&token, keys()).expect("round trip");
        assert_eq!(opened.plaintext, plain);
        let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
        let part = 3 + pick % 2;
        let mut bytes = b64url_decode(&parts[part]).expect("b64");
        let at = pick % bytes.len().max(1);
        if let Some(b) = bytes.get_mut(at) {
            *b ^= 0x01;
            parts[part] = b64url_encode(&bytes);
            let err = jwe::decrypt(&parts.join("."), keys()).expect_err("tampered");
            assert_eq!(err.code(), 957);
        }
        return;
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = jwe::decrypt(text, keys()) {
        assert!(matches!(e.code(), 916 | 954..=957), "{}: {e}", e.code());
    }
});
