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

/// RFC 7516 Appendix A.1.3: the RSA key (`dp`, `dq`, `qi` as computed from `d`, `p`, `q`).
const RFC7516_A1_KEY: &str = r#"{"kty":"RSA",
  "n":"oahUIoWw0K0usKNuOR6H4wkf4oBUXHTxRvgb48E-BVvxkeDNjbC4he8rUWcJoZmds2h7M70imEVhRU5djINXtqllXI4DFqcI1DgjT9LewND8MW2Krf3Spsk_ZkoFnilakGygTwpZ3uesH-PFABNIUYpOiN15dsQRkgr0vEhxN92i2asbOenSZeyaxziK72UwxrrKoExv6kc5twXTq4h-QChLOln0_mtUZwfsRaMStPs6mS6XrgxnxbWhojf663tuEQueGC-FCMfra36C9knDFGzKsNa7LZK2djYgyD3JR_MB_4NUJW_TqOQtwHYbxevoJArm-L5StowjzGy-_bq6Gw",
  "e":"AQAB",
  "d":"kLdtIj6GbDks_ApCSTYQtelcNttlKiOyPzMrXHeI-yk1F7-kpDxY4-WY5NWV5KntaEeXS1j82E375xxhWMHXyvjYecPT9fpwR_M9gV8n9Hrh2anTpTD93Dt62ypW3yDsJzBnTnrYu1iwWRgBKrEYY46qAZIrA2xAwnm2X7uGR1hghkqDp0Vqj3kbSCz1XyfCs6_LehBwtxHIyh8Ripy40p24moOAbgxVw3rxT_vlt3UVe4WO3JkJOzlpUf-KTVI2Ptgm-dARxTEtE-id-4OJr0h-K-VFs3VSndVTIznSxfyrj8ILL6MG_Uv8YAu7VILSB3lOW085-4qE3DzgrTjgyQ",
  "p":"1r52Xk46c-LsfB5P442p7atdPUrxQSy4mti_tZI3Mgf2EuFVbUoDBvaRQ-SWxkbkmoEzL7JXroSBjSrK3YIQgYdMgyAEPTPjXv_hI2_1eTSPVZfzL0lffNn03IXqWF5MDFuoUYE0hzb2vhrlN_rKrbfDIwUbTrjjgieRbwC6Cl0",
  "q":"wLb35x7hmQWZsWJmB_vle87ihgZ19S8lBEROLIsZG4ayZVe9Hi9gDVCOBmUDdaDYVTSNx_8Fyw1YYa9XGrGnDew00J28cRUoeBB_jKI1oma0Orv1T9aXIWxKwd4gvxFImOWr3QRL9KEBRzk2RatUBnmDZJTIAfwTs0g68UZHvtc",
  "dp":"ZK-YwE7diUh0qR1tR7w8WHtolDx3MZ_OTowiFvgfeQ3SiresXjm9gZ5KLhMXvo-uz-KUJWDxS5pFQ_M0evdo1dKiRTjVw_x4NyqyXPM5nULPkcpU827rnpZzAJKpdhWAgqrXGKAECQH0Xt4taznjnd_zVpAmZZq60WPMBMfKcuE",
  "dq":"Dq0gfgJ1DdFGXiLvQEZnuKEN0UUmsJBxkjydc3j4ZYdBiMRAy86x0vHCjywcMlYYg4yoC4YZa9hNVcsjqA3FeiL19rk8g6Qn29Tt0cj8qqyFpz9vNDBUfCAiJVeESOjJDZPYHdHY8v1b-o-Z2X5tvLx-TCekf7oxyeKDUqKWjis",
  "qi":"VIMpMYbPf47dT1w_zDUXfPimsSegnMOA1zTaX7aGk_8urY6R8-ZW1FxU7AlWAyLWybqq6t16VFd7hQd0y6flUK4SlOydB61gwanOsXGOAOv82cHq0E3eL4HrtZkUuKvnPrMnsUUFlfUdybVzxyjz9JF_XyaY14ardLSjf4L_FNY"}"#;

/// RFC 7516 Appendix A.1.7: RSA-OAEP with A256GCM.
const RFC7516_A1: &str = concat!(
    "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.",
    "OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgckCL9kiMT03JGeipsEdY3mx_etLbbWSrFr05kLzcSr4qKAq7YN7e9jwQRb23nfa6c9d-StnImGyFDbSv04uVuxIp5Zms1gNxKKK2Da14B8S4rzVRltdYwam_lDp5XnZAYpQdb76FdIKLaVmqgfwX7XWRxv2322i-vDxRfqNzo_tETKzpVLzfiwQyeyPGLBIO56YJ7eObdv0je81860ppamavo35UgoRdbYaBcoh9QcfylQr66oc6vFWXRcZ_ZT2LawVCWTIy3brGPi6UklfCpIMfIjf7iGdXKHzg.",
    "48V1_ALb6US04U3b.",
    "5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6jiSdiwkIr3ajwQzaBtQD_A.",
    "XFBoMYUZodetZdvTiFvSkQ"
);

#[test]
fn decrypts_rfc7516_appendix_a1_rsa_oaep_a256gcm_example() {
    let key = DecryptionKey::from_jwk(RFC7516_A1_KEY).expect("key");
    let out = decrypt(RFC7516_A1, &[key]).expect("decrypts");
    assert_eq!(out.header.alg, KeyManagement::RsaOaep);
    assert_eq!(out.header.enc, ContentEncryption::A256Gcm);
    assert_eq!(
        out.plaintext,
        b"The true sign of intelligence is not knowledge but imagination."
    );
}

#[test]
fn an_ec_pem_key_decrypts_what_its_public_jwk_receives() {
    for alg in [
        &rcgen::PKCS_ECDSA_P256_SHA256,
        &rcgen::PKCS_ECDSA_P384_SHA384,
    ] {
        let pair = rcgen::KeyPair::generate_for(alg).expect("key pair");
        let key = DecryptionKey::from_pem(&pair.serialize_pem()).expect("PKCS#8 PEM");
        assert_eq!(key.key_type(), "EC");
        let public = EncryptionKey::from_jwk(&key.public_jwk()).expect("public JWK");
        let jwe = encrypt(
            b"pem",
            &public,
            KeyManagement::EcdhEsA256Kw,
            ContentEncryption::A256Gcm,
            None,
        )
        .expect("encrypt");
        assert_eq!(decrypt(&jwe, &[key]).expect("decrypts").plaintext, b"pem");
    }
}
