use super::*;

/// RFC 7520 §5.5: the P-256 key of "meriadoc.brandybuck@buckland.example".
const RFC7520_EC_KEY: &str = r#"{"kty":"EC","kid":"meriadoc.brandybuck@buckland.example","use":"enc","crv":"P-256",
  "x":"Ze2loSV3wrroKUN_4zhwGhCqo3Xhu1td4QjeQ5wIVR0","y":"HlLtdXARY_f55A3fnzQbPcm6hgr34Mp8p-nuzQCE0Zw",
  "d":"r_kHyZ-a06rmxM3yESK84r1otSg-aQcVStkRhA-iCM8"}"#;

/// RFC 7520 §5.5.7: ECDH-ES with A128CBC-HS256, compact serialization.
const RFC7520_5_5: &str = concat!(
    "eyJhbGciOiJFQ0RILUVTIiwia2lkIjoibWVyaWFkb2MuYnJhbmR5YnVja0BidWNrbGFuZC5leGFtcGxlIiwiZXBrIjp7Imt0eSI6IkVDIiwiY3J2IjoiUC0yNTYiLCJ4IjoibVBVS1RfYkFXR0hJaGcwVHBqanFWc1AxclhXUXVfdndWT0hIdE5rZFlvQSIsInkiOiI4QlFBc0ltR2VBUzQ2ZnlXdzVNaFlmR1RUMElqQnBGdzJTUzM0RHY0SXJzIn0sImVuYyI6IkExMjhDQkMtSFMyNTYifQ",
    "..yc9N8v5sYyv3iGQT926IUg.",
    "BoDlwPnTypYq-ivjmQvAYJLb5Q6l-F3LIgQomlz87yW4OPKbWE1zSTEFjDfhU9IPIOSA9Bml4m7iDFwA-1ZXvHteLDtw4R1XRGMEsDIqAYtskTTmzmzNa-_q4F_evAPUmwlO-ZG45Mnq4uhM1fm_D9rBtWolqZSF3xGNNkpOMQKF1Cl8i8wjzRli7-IXgyirlKQsbhhqRzkv8IcY6aHl24j03C-AR2le1r7URUhArM79BY8soZU0lzwI-sD5PZ3l4NDCCei9XkoIAfsXJWmySPoeRb2Ni5UZL4mYpvKDiwmyzGd65KqVw7MsFfI_K767G9C9Azp73gKZD0DyUn1mn0WW5LmyX_yJ-3AROq8p1WZBfG-ZyJ6195_JGG2m9Csg",
    ".WCCkNa-x4BeB9hIDIfFuhg"
);

/// RFC 7520 §5 plaintext.
const RFC7520_PLAINTEXT: &str = "You can trust us to stick with you through thick and thin\u{2013}to the bitter end. And you can trust us to keep any secret of yours\u{2013}closer than you keep it yourself. But you cannot trust us to let you face trouble alone, and go off without a word. We are your friends, Frodo.";

fn header(json: &str) -> String {
    b64url_encode(json)
}

#[test]
fn decrypts_rfc7520_ecdh_es_a128cbc_hs256_example() {
    let key = DecryptionKey::from_jwk(RFC7520_EC_KEY).expect("key");
    let out = decrypt(RFC7520_5_5, &[key]).expect("decrypts");
    assert_eq!(out.header.alg, KeyManagement::EcdhEs);
    assert_eq!(out.header.enc, ContentEncryption::A128CbcHs256);
    assert_eq!(out.plaintext, RFC7520_PLAINTEXT.as_bytes());
}

#[test]
fn every_alg_and_enc_round_trips_through_rsa_and_every_curve() {
    let keys = [
        DecryptionKey::generate_rsa().expect("rsa").with_kid("r"),
        DecryptionKey::generate_ec("P-256")
            .expect("p256")
            .with_kid("e256"),
        DecryptionKey::generate_ec("P-384")
            .expect("p384")
            .with_kid("e384"),
        DecryptionKey::generate_ec("P-521")
            .expect("p521")
            .with_kid("e521"),
    ];
    for key in &keys {
        let public = key.encryption_key().expect("public");
        for alg in KeyManagement::ALL
            .into_iter()
            .filter(|a| a.is_rsa() == (key.key_type() == "RSA"))
        {
            for enc in ContentEncryption::ALL {
                let jwe = encrypt(b"inner", &public, alg, enc, Some("JWT")).expect("encrypt");
                let out = decrypt(&jwe, &keys).unwrap_or_else(|e| panic!("{alg} {enc}: {e}"));
                assert_eq!(out.plaintext, b"inner");
                assert_eq!(out.header.cty.as_deref(), Some("JWT"));
            }
        }
    }
}

#[test]
fn a_token_for_another_key_is_956_with_a_kid_and_957_without() {
    let mine = DecryptionKey::generate_ec("P-256")
        .expect("mine")
        .with_kid("mine");
    let other = DecryptionKey::generate_ec("P-256")
        .expect("other")
        .with_kid("other");
    let jwe = encrypt(
        b"x",
        &other.encryption_key().expect("pub"),
        KeyManagement::EcdhEsA128Kw,
        ContentEncryption::A128Gcm,
        None,
    )
    .expect("encrypt");
    let err = decrypt(&jwe, std::slice::from_ref(&mine)).expect_err("other kid");
    assert_eq!(err.code(), 956);
    let anonymous = other.clone();
    let anonymous = DecryptionKey::from_jwk(&anonymous.public_jwk()).err();
    assert!(anonymous.is_some(), "a public JWK is not a decryption key");
    let mine_no_kid = DecryptionKey::generate_ec("P-256").expect("k");
    let jwe = encrypt(
        b"x",
        &DecryptionKey::generate_ec("P-256")
            .expect("o")
            .encryption_key()
            .expect("p"),
        KeyManagement::EcdhEs,
        ContentEncryption::A256Gcm,
        None,
    )
    .expect("encrypt");
    assert_eq!(
        decrypt(&jwe, &[mine_no_kid]).expect_err("wrong key").code(),
        957
    );
    assert_eq!(decrypt(&jwe, &[]).expect_err("no keys").code(), 958);
}

#[test]
fn a_flipped_bit_anywhere_fails_with_957() {
    let key = DecryptionKey::generate_rsa().expect("rsa");
    let public = key.encryption_key().expect("pub");
    for enc in [ContentEncryption::A128CbcHs256, ContentEncryption::A256Gcm] {
        let jwe =
            encrypt(b"hello", &public, KeyManagement::RsaOaep256, enc, None).expect("encrypt");
        let parts: Vec<&str> = jwe.split('.').collect();
        for i in 1..5 {
            let mut bytes = b64url_decode(parts[i]).expect("b64");
            bytes[0] ^= 0x80;
            let mut tampered = parts.clone();
            let enc_part = b64url_encode(&bytes);
            tampered[i] = &enc_part;
            let err =
                decrypt(&tampered.join("."), std::slice::from_ref(&key)).expect_err("tampered");
            assert_eq!(err.code(), 957, "{enc} part {i}: {err}");
        }
    }
}

#[test]
fn dir_rsa1_5_zip_crit_and_unknown_enc_are_refused_with_954() {
    let rest = ".AAAA.AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA";
    for h in [
        r#"{"alg":"dir","enc":"A128GCM"}"#,
        r#"{"alg":"RSA1_5","enc":"A128GCM"}"#,
        r#"{"alg":"A128KW","enc":"A128GCM"}"#,
        r#"{"alg":"RSA-OAEP","enc":"A192GCM"}"#,
        r#"{"alg":"RSA-OAEP","enc":"A128GCM","zip":"DEF"}"#,
        r#"{"alg":"RSA-OAEP","enc":"A128GCM","crit":["exp"],"exp":1}"#,
    ] {
        let token = format!("{}{rest}", header(h));
        let err = decrypt(&token, &[]).expect_err(h);
        assert_eq!(err.code(), 954, "{h}: {err}");
    }
}

#[test]
fn malformed_tokens_are_955_not_panics() {
    let ok = header(
        r#"{"alg":"ECDH-ES","enc":"A128GCM","epk":{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}}"#,
    );
    for bad in [
        String::new(),
        "a.b.c.d".into(),
        "a.b.c.d.e.f".into(),
        "!!.a.b.c.d".into(),
        format!("{}.a.b.c.d", header("[]")),
        format!(
            "{}.a.b.c.d",
            header(r#"{"alg":"RSA-OAEP","alg":"RSA-OAEP","enc":"A128GCM"}"#)
        ),
        format!("{}.a.b.c.d", header(r#"{"enc":"A128GCM"}"#)),
        format!(
            "{}...AAAA.AAAAAAAAAAAAAAAAAAAAAA",
            header(r#"{"alg":"RSA-OAEP","enc":"A128GCM"}"#)
        ),
        format!("{ok}..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA"),
        format!(
            "{}..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA",
            header(r#"{"alg":"ECDH-ES","enc":"A128GCM"}"#)
        ),
        "a.".repeat(MAX_JWE_LEN),
    ] {
        let err = decrypt(&bad, &[]).expect_err("malformed");
        assert!(matches!(err.code(), 955 | 916), "{bad:.60}: {err}");
    }
}

#[test]
fn an_epk_off_the_curve_does_not_decrypt() {
    let key = DecryptionKey::generate_ec("P-256").expect("k");
    let h = header(
        r#"{"alg":"ECDH-ES","enc":"A128GCM","epk":{"kty":"EC","crv":"P-256","x":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","y":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}"#,
    );
    let token = format!("{h}..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA");
    assert_eq!(decrypt(&token, &[key]).expect_err("off curve").code(), 957);
}

#[test]
fn decryption_keys_load_from_jwk_pem_and_private_jwks() {
    let ec = DecryptionKey::from_jwk(RFC7520_EC_KEY).expect("jwk");
    assert_eq!(ec.kid(), Some("meriadoc.brandybuck@buckland.example"));
    let jwks = format!(
        r#"{{"keys":[{{"kty":"EC","use":"sig","crv":"P-256","x":"a","y":"b","d":"c"}},{RFC7520_EC_KEY}]}}"#
    );
    assert_eq!(DecryptionKey::from_jwks(&jwks).expect("jwks").len(), 1);
    let sig = RFC7520_EC_KEY.replace("\"enc\"", "\"sig\"");
    assert_eq!(
        DecryptionKey::from_jwk(&sig).expect_err("sig key").code(),
        959
    );
    let wrong_y = RFC7520_EC_KEY.replace("HlLt", "HlLu");
    assert_eq!(
        DecryptionKey::from_jwk(&wrong_y)
            .expect_err("mismatched")
            .code(),
        959
    );
    assert_eq!(
        DecryptionKey::from_pem("nope").expect_err("pem").code(),
        959
    );
}
