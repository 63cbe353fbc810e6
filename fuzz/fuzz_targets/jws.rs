//! `CompactJws::parse` on arbitrary text: no panic; when it parses, the signing input is the
//! `header.payload` prefix of the (trimmed) token, the signature is the canonical decoding of the
//! third part, and the header's `alg` round-trips through its name. The base64url decoder is
//! checked against the base64 crate on every part.
#![no_main]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use libfuzzer_sys::fuzz_target;
use oidckit::Alg;
use oidckit::jose::{CompactJws, b64url_decode, b64url_encode};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The base64url decoder agrees with the base64 crate (strict: no padding, no other
    // alphabet, zero trailing bits) on the whole input and on every part.
    for part in std::iter::once(text).chain(text.split('.')) {
        assert_eq!(
            b64url_decode(part),
            URL_SAFE_NO_PAD.decode(part.as_bytes()).ok(),
            "{part:?}"
        );
    }
    let Ok(jws) = CompactJws::parse(text) else {
        return;
    };
    let token = text.trim();
    let si = jws.signing_input();
    assert!(
        token.as_bytes().starts_with(si),
        "signing input is not a prefix of the token"
    );
    assert_eq!(
        si.iter().filter(|&&b| b == b'.').count(),
        1,
        "signing input is not header.payload"
    );
    assert_eq!(token.as_bytes().get(si.len()), Some(&b'.'));
    let sig_part = &token[si.len() + 1..];
    assert_eq!(
        b64url_encode(jws.signature()),
        sig_part,
        "signature decoding is not canonical"
    );

    let alg = &jws.header.alg;
    assert_eq!(&Alg::from(alg.as_str()), alg, "alg does not round-trip");
    assert_eq!(alg.as_str().parse::<Alg>().ok().as_ref(), Some(alg));

    let payload_part = &token[si.iter().position(|&b| b == b'.').unwrap_or(0) + 1..si.len()];
    match jws.payload() {
        Ok(p) => {
            assert_eq!(
                b64url_encode(&p),
                payload_part,
                "payload decoding is not canonical"
            );
        }
        Err(e) => {
            assert_eq!(e.code(), 901);
            assert!(b64url_decode(payload_part).is_none());
        }
    }
});
