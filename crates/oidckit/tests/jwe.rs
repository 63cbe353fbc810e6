//! Encrypted ID tokens and UserInfo (JWE, RFC 7516) against the mock provider, which encrypts
//! with its own code (not the library's): every alg/enc pair decrypts and the inner JWS is
//! validated in full; another key, `dir`, `RSA1_5`, a bad tag, a bad inner token and a client
//! without keys are refused with stable codes. JARM responses likewise. Request objects are
//! signed, then encrypted.

mod support;

use oidckit::{AuthorizationRequest, ContentEncryption, DecryptionKey, KeyManagement};
use oidckit_mock::{Misbehavior, MockEncryption};
use support::*;

fn rsa_key() -> DecryptionKey {
    DecryptionKey::generate_rsa()
        .expect("rsa")
        .with_kid("enc-rsa")
}

fn ec_key() -> DecryptionKey {
    DecryptionKey::generate_ec("P-256")
        .expect("ec")
        .with_kid("enc-ec")
}

#[tokio::test]
async fn encrypted_id_tokens_of_every_alg_and_enc_sign_in() {
    let rsa = rsa_key();
    let ec = ec_key();
    for (key, alg) in [
        (&rsa, "RSA-OAEP"),
        (&rsa, "RSA-OAEP-256"),
        (&ec, "ECDH-ES"),
        (&ec, "ECDH-ES+A128KW"),
        (&ec, "ECDH-ES+A256KW"),
    ] {
        for enc in ["A128GCM", "A256GCM", "A128CBC-HS256", "A256CBC-HS512"] {
            let p = provider_with(|c| {
                c.id_token_encryption = Some(MockEncryption::new(key.public_jwk(), alg, enc));
            });
            let client =
                client_with(&p, |c| c.decryption_keys = vec![rsa.clone(), ec.clone()]).await;
            let tokens = sign_in(&client)
                .await
                .unwrap_or_else(|e| panic!("{alg} {enc}: {e}"));
            let id = tokens.id_token.expect("id token");
            assert_eq!(id.claims().subject(), Some("248289761001"));
            // The kept token is the inner JWS, verified like any ID token.
            assert_eq!(id.raw().matches('.').count(), 2, "{alg} {enc}");
        }
    }
}

#[tokio::test]
async fn encrypted_userinfo_signed_or_not_is_decrypted_and_checked() {
    let key = ec_key();
    for signed in [false, true] {
        let p = provider_with(|c| {
            c.userinfo_signed = signed;
            c.userinfo_encryption = Some(MockEncryption::new(
                key.public_jwk(),
                "ECDH-ES+A128KW",
                "A128CBC-HS256",
            ));
        });
        let client = client_with(&p, |c| {
            c.scope = "openid email".into();
            c.decryption_keys = vec![key.clone()];
        })
        .await;
        let tokens = sign_in(&client).await.expect("sign-in");
        let me = client.userinfo(&tokens).await.expect("userinfo decrypts");
        assert_eq!(me.sub.as_deref(), Some("248289761001"));
        assert_eq!(me.email.as_deref(), Some("janedoe@example.com"));

        p.set_misbehavior(Misbehavior::UserinfoWrongSub);
        let err = client
            .userinfo(&tokens)
            .await
            .expect_err("wrong sub inside");
        assert_eq!(err.code(), 907, "signed={signed}");
    }
}

#[tokio::test]
async fn an_id_token_encrypted_to_another_key_is_refused_with_956_or_957() {
    let mine = rsa_key();
    let other_with_kid = DecryptionKey::generate_rsa()
        .expect("rsa")
        .with_kid("someone-else");
    let p = provider_with(|c| {
        c.id_token_encryption = Some(MockEncryption::new(
            other_with_kid.public_jwk(),
            "RSA-OAEP-256",
            "A256GCM",
        ));
    });
    let client = client_with(&p, |c| c.decryption_keys = vec![mine.clone()]).await;
    let err = sign_in(&client).await.expect_err("another kid");
    assert_eq!(err.code(), 956);
    assert!(matches!(
        err,
        oidckit::Error::NoDecryptionKey { kid: Some(ref k), .. } if k == "someone-else"
    ));

    // Without a kid the client tries its RSA key, which does not open it.
    let other_no_kid = DecryptionKey::generate_rsa().expect("rsa");
    let p = provider_with(|c| {
        c.id_token_encryption = Some(MockEncryption::new(
            other_no_kid.public_jwk(),
            "RSA-OAEP",
            "A128CBC-HS256",
        ));
    });
    let client = client_with(&p, |c| {
        c.decryption_keys = vec![DecryptionKey::generate_rsa().expect("rsa")]
    })
    .await;
    assert_eq!(sign_in(&client).await.expect_err("other key").code(), 957);
}

#[tokio::test]
async fn dir_and_rsa1_5_are_refused_with_954() {
    let key = rsa_key();
    for alg in ["dir", "RSA1_5"] {
        let p = provider_with(|c| {
            c.id_token_encryption = Some(MockEncryption::new(key.public_jwk(), alg, "A128GCM"));
        });
        let client = client_with(&p, |c| c.decryption_keys = vec![key.clone()]).await;
        let err = sign_in(&client).await.expect_err(alg);
        assert_eq!(err.code(), 954, "{alg}");
        assert!(matches!(
            err,
            oidckit::Error::JweAlgorithmRefused { member: "alg", ref value, .. } if value == alg
        ));
    }
}

#[tokio::test]
async fn a_tampered_tag_is_refused_with_957_for_id_tokens_and_userinfo() {
    let key = ec_key();
    let p = provider_with(|c| {
        c.id_token_encryption = Some(MockEncryption::new(key.public_jwk(), "ECDH-ES", "A256GCM"));
        c.userinfo_encryption = Some(MockEncryption::new(
            key.public_jwk(),
            "ECDH-ES",
            "A128CBC-HS256",
        ));
    });
    let client = client_with(&p, |c| c.decryption_keys = vec![key.clone()]).await;
    let tokens = sign_in(&client).await.expect("untampered sign-in");
    p.set_misbehavior(Misbehavior::JweBadTag);
    assert_eq!(
        client.userinfo(&tokens).await.expect_err("bad tag").code(),
        957
    );
    assert_eq!(sign_in(&client).await.expect_err("bad tag").code(), 957);
}

#[tokio::test]
async fn an_encrypted_id_token_whose_inner_jws_is_bad_is_still_refused() {
    let key = rsa_key();
    for (m, code) in [
        (Misbehavior::IdTokenWrongAudience, 903),
        (Misbehavior::IdTokenBadSignature, 903),
        (Misbehavior::IdTokenWrongNonce, 903),
        (Misbehavior::IdTokenAlgNone, 903),
    ] {
        let p = provider_with(|c| {
            c.id_token_encryption = Some(MockEncryption::new(
                key.public_jwk(),
                "RSA-OAEP-256",
                "A256GCM",
            ));
        });
        p.set_misbehavior(m.clone());
        let client = client_with(&p, |c| c.decryption_keys = vec![key.clone()]).await;
        let err = sign_in(&client).await.expect_err("inner token is bad");
        assert_eq!(err.code(), code, "{m:?}: {err}");
    }
}

#[tokio::test]
async fn an_encrypted_id_token_without_a_configured_key_is_958() {
    let key = rsa_key();
    let p = provider_with(|c| {
        c.id_token_encryption = Some(MockEncryption::new(
            key.public_jwk(),
            "RSA-OAEP-256",
            "A256GCM",
        ));
    });
    let client = client(&p).await;
    let err = sign_in(&client).await.expect_err("no key");
    assert_eq!(err.code(), 958);
}

#[tokio::test]
async fn registered_encryption_refuses_plain_tokens_and_other_algs() {
    let key = rsa_key();
    // Nothing encrypted, but encryption registered: 934 for the ID token and for UserInfo.
    let p = provider();
    let client = client_with(&p, |c| {
        c.decryption_keys = vec![key.clone()];
        c.id_token_encrypted_response_alg = Some(KeyManagement::RsaOaep256);
    })
    .await;
    let err = sign_in(&client).await.expect_err("plain ID token");
    assert_eq!(err.code(), 934);
    let client = client_with(&p, |c| {
        c.userinfo_encrypted_response_alg = Some(KeyManagement::RsaOaep256);
    })
    .await;
    let tokens = sign_in(&client).await.expect("the ID token may be plain");
    assert_eq!(
        client.userinfo(&tokens).await.expect_err("plain").code(),
        934
    );

    // Encrypted with RSA-OAEP where RSA-OAEP-256 was registered: 954.
    let p = provider_with(|c| {
        c.id_token_encryption = Some(MockEncryption::new(key.public_jwk(), "RSA-OAEP", "A256GCM"));
    });
    let client = client_with(&p, |c| {
        c.decryption_keys = vec![key.clone()];
        c.id_token_encrypted_response_alg = Some(KeyManagement::RsaOaep256);
    })
    .await;
    assert_eq!(sign_in(&client).await.expect_err("other alg").code(), 954);
    let client = client_with(&p, |c| {
        c.decryption_keys = vec![key.clone()];
        c.id_token_encrypted_response_alg = Some(KeyManagement::RsaOaep);
    })
    .await;
    sign_in(&client).await.expect("the registered alg");
}

#[tokio::test]
async fn request_objects_are_signed_then_encrypted_to_the_given_key() {
    let p = provider();
    let provider_key = ec_key();
    for (alg, enc, kty) in [
        (None, ContentEncryption::A256Gcm, "EC"),
        (
            Some(KeyManagement::EcdhEsA256Kw),
            ContentEncryption::A128CbcHs256,
            "EC",
        ),
    ] {
        let client = client_with(&p, |c| {
            c.request_object = true;
            c.encrypt_request_object = true;
            c.request_object_encryption_key =
                Some(provider_key.encryption_key().expect("public half"));
            c.request_object_encryption_alg = alg;
            c.request_object_encryption_enc = enc;
        })
        .await;
        let (url, _tx) = client
            .authorization_url(&AuthorizationRequest::default())
            .expect("url");
        let request = url::Url::parse(&url)
            .expect("url")
            .query_pairs()
            .find(|(k, _)| k == "request")
            .map(|(_, v)| v.into_owned())
            .expect("request parameter");
        let opened = oidckit::jose::jwe::decrypt(&request, std::slice::from_ref(&provider_key))
            .expect("encrypted to the provider key");
        assert_eq!(
            opened.header.alg,
            alg.unwrap_or(KeyManagement::EcdhEs),
            "{kty}"
        );
        assert_eq!(opened.header.enc, enc);
        assert_eq!(opened.header.cty.as_deref(), Some("JWT"));
        assert_eq!(opened.header.kid.as_deref(), Some("enc-ec"));
        let inner = String::from_utf8(opened.plaintext).expect("utf-8");
        let jws = oidckit::jose::CompactJws::parse(&inner).expect("a signed JWT inside");
        assert_eq!(jws.header.typ.as_deref(), Some("oauth-authz-req+jwt"));
    }
}

#[tokio::test]
async fn request_object_encryption_without_a_provider_key_is_932() {
    let p = provider();
    let mut cfg = config(&p);
    cfg.request_object = true;
    cfg.encrypt_request_object = true;
    // The mock's JWKS has signing keys only: discovery finds no encryption key.
    let err = oidckit::Client::discover(cfg)
        .await
        .expect_err("no enc key");
    assert_eq!(err.code(), 932);
}

#[tokio::test]
async fn encrypted_jarm_responses_are_decrypted_then_validated() {
    let key = ec_key();
    let p = provider_with(|c| {
        c.jarm_encryption = Some(MockEncryption::new(key.public_jwk(), "ECDH-ES", "A128GCM"));
    });
    let jarm = |keys: Vec<DecryptionKey>| {
        let p = &p;
        async move {
            client_with(p, |c| {
                c.response_mode = Some("query.jwt".into());
                c.decryption_keys = keys;
            })
            .await
        }
    };
    let client = jarm(vec![key.clone()]).await;
    let tokens = sign_in(&client).await.expect("encrypted JARM sign-in");
    assert!(tokens.id_token.is_some());

    // Signed badly inside: refused as a JARM response, after decryption.
    p.set_misbehavior(Misbehavior::JarmBadSignature);
    assert_eq!(
        sign_in(&client).await.expect_err("bad inner JWS").code(),
        952
    );
    p.clear_misbehaviors();
    p.set_misbehavior(Misbehavior::JweBadTag);
    assert_eq!(sign_in(&client).await.expect_err("bad tag").code(), 957);
    p.clear_misbehaviors();

    let other = jarm(vec![
        DecryptionKey::generate_ec("P-256")
            .expect("ec")
            .with_kid("x"),
    ])
    .await;
    assert_eq!(sign_in(&other).await.expect_err("another key").code(), 956);
    let none = jarm(Vec::new()).await;
    assert_eq!(sign_in(&none).await.expect_err("no key").code(), 958);
    assert_eq!(
        count_requests(&p, "/token"),
        1,
        "only the good response reached /token"
    );
}
