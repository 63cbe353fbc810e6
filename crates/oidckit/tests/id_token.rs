//! Every ID token check of OpenID Connect Core §3.1.3.7, §3.2.2.11 and §3.3.2.12, each driven
//! by a provider that misbehaves in exactly that way, over real HTTP.

mod support;

use std::time::Duration;

use oidckit::{Alg, AuthorizationRequest, ClaimCheck, Error, GrantType, Jwks, Validator};
use oidckit_mock::{Misbehavior, SigningAlg};
use serde_json::json;
use support::*;

/// Signs in against a provider with `m` switched on and returns the error.
async fn sign_in_fails(m: Misbehavior) -> Error {
    let p = provider();
    p.set_misbehavior(m.clone());
    let client = client(&p).await;
    sign_in(&client)
        .await
        .expect_err(&format!("{m:?} must be refused"))
}

fn assert_claim(err: &Error, name: &str, check: ClaimCheck) {
    assert_eq!(err.code(), 903, "{err}");
    match err {
        Error::IdTokenClaim {
            claim, check: c, ..
        } => {
            assert_eq!((*claim, *c), (name, check), "{err}");
        }
        other => panic!("expected claim error for {name}, got {other:?}"),
    }
}

#[tokio::test]
async fn rejects_token_with_bad_signature() {
    let err = sign_in_fails(Misbehavior::IdTokenBadSignature).await;
    assert!(matches!(err, Error::BadSignature { .. }), "{err:?}");
    assert_eq!(err.code(), 903);
}

#[tokio::test]
async fn rejects_alg_none() {
    let err = sign_in_fails(Misbehavior::IdTokenAlgNone).await;
    assert!(
        matches!(&err, Error::AlgorithmNotAllowed { alg, .. } if alg == "none"),
        "{err:?}"
    );
}

#[tokio::test]
async fn rejects_hs256_token_signed_with_rsa_public_key() {
    // Default policy: the provider advertises RS256 only, so HS256 is not allowed at all.
    let err = sign_in_fails(Misbehavior::IdTokenHs256WithRsaPublicKey).await;
    assert!(
        matches!(&err, Error::AlgorithmNotAllowed { alg, .. } if alg == "HS256"),
        "{err:?}"
    );

    // Even with HS256 explicitly allowed, its key is the client secret, never the public key.
    let p = provider();
    p.set_misbehavior(Misbehavior::IdTokenHs256WithRsaPublicKey);
    let client = client_with(&p, |c| c.allowed_algs = Some(vec![Alg::RS256, Alg::HS256])).await;
    let err = sign_in(&client).await.expect_err("confusion refused");
    assert!(matches!(err, Error::BadSignature { .. }), "{err:?}");

    // And a public client (no secret) cannot use HMAC at all.
    let err = {
        let p = provider();
        p.set_misbehavior(Misbehavior::IdTokenHs256WithRsaPublicKey);
        let mut cfg =
            oidckit::ClientConfig::new(p.issuer(), "public-client").with_redirect_uri(REDIRECT);
        cfg.allowed_algs = Some(vec![Alg::RS256, Alg::HS256]);
        let client = oidckit::Client::discover(cfg).await.expect("discover");
        sign_in(&client).await.expect_err("no secret, no HMAC")
    };
    assert!(matches!(err, Error::AlgorithmNotAllowed { .. }), "{err:?}");
}

#[tokio::test]
async fn rejects_wrong_issuer_audience_and_azp() {
    assert_claim(
        &sign_in_fails(Misbehavior::IdTokenWrongIssuer).await,
        "iss",
        ClaimCheck::Mismatch,
    );
    assert_claim(
        &sign_in_fails(Misbehavior::IdTokenWrongAudience).await,
        "aud",
        ClaimCheck::Mismatch,
    );
    assert_claim(
        &sign_in_fails(Misbehavior::IdTokenWrongAzp).await,
        "azp",
        ClaimCheck::Mismatch,
    );
}

// See: issue 10, item 5 (OpenID Connect Core errata set 2, §3.1.3.7 step 5).
#[tokio::test]
async fn accepts_several_audiences_without_azp_per_errata_set_2() {
    let p = provider();
    p.set_misbehavior(Misbehavior::IdTokenMultipleAudNoAzp);
    let client = client(&p).await;
    let tokens = sign_in(&client)
        .await
        .expect("several audiences without azp are fine since errata set 2");
    let id = tokens.id_token.expect("id token");
    assert_eq!(id.claims().audience().len(), 2);
}

#[tokio::test]
async fn rejects_wrong_or_missing_nonce() {
    assert_claim(
        &sign_in_fails(Misbehavior::IdTokenWrongNonce).await,
        "nonce",
        ClaimCheck::Mismatch,
    );
    assert_claim(
        &sign_in_fails(Misbehavior::IdTokenMissingNonce).await,
        "nonce",
        ClaimCheck::Missing,
    );
}

#[tokio::test]
async fn rejects_expired_future_and_incomplete_tokens() {
    assert_claim(
        &sign_in_fails(Misbehavior::IdTokenExpired).await,
        "exp",
        ClaimCheck::Expired,
    );
    assert_claim(
        &sign_in_fails(Misbehavior::IdTokenMissingIat).await,
        "iat",
        ClaimCheck::Missing,
    );
    assert_claim(
        &sign_in_fails(Misbehavior::IdTokenIatInFuture).await,
        "iat",
        ClaimCheck::NotYetValid,
    );
    assert_claim(
        &sign_in_fails(Misbehavior::IdTokenMissingSub).await,
        "sub",
        ClaimCheck::Missing,
    );
}

#[tokio::test]
async fn rejects_bad_at_hash_from_the_token_endpoint_and_implicit_flow() {
    assert_claim(
        &sign_in_fails(Misbehavior::IdTokenBadAtHash).await,
        "at_hash",
        ClaimCheck::Mismatch,
    );
    let p = provider();
    p.set_misbehavior(Misbehavior::IdTokenBadAtHash);
    let client = client_with(&p, |c| c.grant_type = GrantType::Implicit).await;
    let err = sign_in(&client).await.expect_err("implicit bad at_hash");
    assert_claim(&err, "at_hash", ClaimCheck::Mismatch);
}

#[tokio::test]
async fn rejects_bad_c_hash_in_hybrid_flow_before_exchanging_the_code() {
    let p = provider();
    p.set_misbehavior(Misbehavior::IdTokenBadCHash);
    let client = client_with(&p, |c| c.grant_type = GrantType::Hybrid).await;
    let err = sign_in(&client).await.expect_err("bad c_hash");
    assert_claim(&err, "c_hash", ClaimCheck::Mismatch);
    assert_eq!(
        count_requests(&p, "/token"),
        0,
        "the code must not be redeemed"
    );
}

#[tokio::test]
async fn rp_id_token_kid_absent_single_jwks_is_accepted() {
    let p = provider();
    p.set_misbehavior(Misbehavior::IdTokenNoKid);
    let client = client(&p).await;
    sign_in(&client).await.expect("exactly one key fits");
}

#[tokio::test]
async fn rp_id_token_kid_absent_multiple_jwks_is_refused() {
    let p = provider();
    p.add_key(SigningAlg::RS256);
    p.set_misbehavior(Misbehavior::IdTokenNoKid);
    let client = client(&p).await;
    let err = sign_in(&client).await.expect_err("ambiguous key");
    assert!(
        matches!(
            err,
            Error::NoMatchingKey {
                kid: None,
                candidates: 2,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn rejects_unknown_critical_header() {
    let err = sign_in_fails(Misbehavior::IdTokenUnknownCrit).await;
    assert!(
        matches!(&err, Error::UnsupportedCriticalHeader { name } if name == "exp-ext"),
        "{err:?}"
    );
}

#[tokio::test]
async fn max_age_requires_recent_auth_time() {
    let p = provider();
    p.set_misbehavior(Misbehavior::IdTokenAuthTimeOld);
    let client = client_with(&p, |c| c.max_age = Some(Duration::from_secs(3600))).await;
    let (tx, params) = authorize(&client, &AuthorizationRequest::default());
    assert_eq!(tx.max_age, Some(3600));
    let err = client
        .handle_callback(&tx, &params)
        .await
        .expect_err("auth_time too old");
    assert_claim(&err, "auth_time", ClaimCheck::TooOld);
    // Without max_age the same token is fine.
    let plain = support::client(&p).await;
    sign_in(&plain)
        .await
        .expect("no max_age, no auth_time check");
}

#[tokio::test]
async fn rp_key_rotation_new_kid_is_fetched_once() {
    let p = provider();
    let client = client(&p).await;
    sign_in(&client).await.expect("first sign-in");
    assert_eq!(count_requests(&p, "/jwks"), 1);
    sign_in(&client).await.expect("cached keys");
    assert_eq!(count_requests(&p, "/jwks"), 1, "keys are cached");
    p.rotate_keys();
    sign_in(&client)
        .await
        .expect("rotated key accepted after one re-fetch");
    assert_eq!(count_requests(&p, "/jwks"), 2);

    // A token naming an unknown kid right after: refused, and no further fetch within the cooldown.
    let forged = p.sign_jwt_with_header(
        &json!({"iss": p.issuer(), "aud": "test-client", "sub": "x", "iat": now(), "exp": now() + 60}),
        SigningAlg::RS256,
        &json!({"kid": "unknown-kid"}),
    );
    let err = client
        .validate_id_token(&forged, &Default::default())
        .await
        .expect_err("unknown kid");
    assert!(matches!(err, Error::NoMatchingKey { .. }), "{err:?}");
    assert_eq!(count_requests(&p, "/jwks"), 2, "rate-limited re-fetch");
}

#[tokio::test]
async fn malformed_jwks_is_a_verification_error() {
    let err = sign_in_fails(Misbehavior::JwksMalformedJson).await;
    assert!(matches!(err, Error::InvalidKey { .. }), "{err:?}");
    assert_eq!(err.code(), 903);
}

#[test]
fn microsoft_tenant_template_issuer_is_filled_with_tid() {
    let p = provider();
    let jwks = Jwks::from_json(p.jwks().to_string().as_bytes()).expect("jwks");
    let template = "https://login.microsoftonline.com/{tenantid}/v2.0";
    let v = Validator::new(template, "test-client");
    let token = |iss: &str, tid: &str| {
        p.sign_jwt(
            &json!({"iss": iss, "tid": tid, "aud": "test-client", "sub": "u", "iat": now(), "exp": now() + 60}),
            SigningAlg::RS256,
        )
    };
    let good = token("https://login.microsoftonline.com/t-1/v2.0", "t-1");
    v.validate(&good, &jwks, &Default::default())
        .expect("tid fills the template");
    let bad = token("https://login.microsoftonline.com/t-1/v2.0", "t-2");
    let err = v
        .validate(&bad, &jwks, &Default::default())
        .expect_err("other tenant");
    assert_claim(&err, "iss", ClaimCheck::Mismatch);
}

#[test]
fn validates_as_of_a_given_time() {
    let p = provider();
    let jwks = Jwks::from_json(p.jwks().to_string().as_bytes()).expect("jwks");
    let v = Validator::new(p.issuer(), "test-client");
    let old = 1_600_000_000;
    let token = p.sign_jwt(
        &json!({"iss": p.issuer(), "aud": "test-client", "sub": "u", "iat": old, "exp": old + 300}),
        SigningAlg::RS256,
    );
    let err = v
        .validate(&token, &jwks, &Default::default())
        .expect_err("expired now");
    assert_claim(&err, "exp", ClaimCheck::Expired);
    let mut checks = oidckit::Checks::default();
    checks.now = Some(std::time::UNIX_EPOCH + Duration::from_secs(old as u64 + 10));
    let id = v
        .validate(&token, &jwks, &checks)
        .expect("valid at that time");
    assert_eq!(id.claims().subject(), Some("u"));
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}

/// A [`ClaimSink`](oidckit::ClaimSink) that records every member it is handed, in order.
#[derive(Debug, Default)]
struct Record(Vec<(String, serde_json::Value)>);

impl<'de> oidckit::ClaimSink<'de> for Record {
    fn member<D: serde::Deserializer<'de>>(
        &mut self,
        name: &str,
        value: D,
    ) -> Result<(), D::Error> {
        let value = <serde_json::Value as serde::Deserialize>::deserialize(value)?;
        self.0.push((name.to_string(), value));
        Ok(())
    }
}

/// An HS256 token over exactly these header and payload texts, with the test client's secret.
fn hs256(header: &str, payload: &str) -> String {
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, b"test-secret");
    let tag = aws_lc_rs::hmac::sign(&key, input.as_bytes());
    format!("{input}.{}", b64(tag.as_ref()))
}

#[tokio::test]
async fn validate_id_token_now_feeds_the_sink_every_claim_and_checks_exactly_as_validate_id_token()
{
    let p = provider();
    let client = client_with(&p, |c| {
        c.allowed_algs = Some(vec![Alg::RS256, Alg::HS256]);
    })
    .await;
    let (iss, now) = (p.issuer().to_string(), now());
    let head = r#"{"alg":"HS256","typ":"JWT"}"#;
    let checks = oidckit::Checks::default();

    // Every member, in document order, with the value a JSON parser reads: escapes in a checked
    // claim, `-0` (a float), integers past i64, a repeated unchecked claim (both times), nesting.
    let payload = format!(
        r#"{{"iss":"{iss}","sub":"a\"b\u0041","aud":["test-client","api"],"exp":{exp},"iat":{now},"auth_time":-0,"big":18446744073709551615,"x":1,"nested":{{"k":[1,{{"z":null}}]}},"x":"two","nonce":"n\/1","email_verified":true}}"#,
        exp = now + 600
    );
    let token = hs256(head, &payload);
    let got = client
        .validate_id_token_now(&token, &checks, Record::default())
        .expect("an HMAC token needs no keys")
        .expect("valid");
    let expected = vec![
        ("iss", json!(iss)),
        ("sub", json!("a\"bA")),
        ("aud", json!(["test-client", "api"])),
        ("exp", json!(now + 600)),
        ("iat", json!(now)),
        ("auth_time", json!(-0.0)),
        ("big", json!(18446744073709551615u64)),
        ("x", json!(1)),
        ("nested", json!({"k": [1, {"z": null}]})),
        ("x", json!("two")),
        ("nonce", json!("n/1")),
        ("email_verified", json!(true)),
    ];
    let expected: Vec<(String, serde_json::Value)> = expected
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    assert_eq!(got.0, expected);
    assert!(
        got.0[5].1.as_f64().is_some_and(|z| z.is_sign_negative()),
        "-0 stays -0.0"
    );
    let full = client
        .validate_id_token(&token, &checks)
        .await
        .expect("the other path agrees");
    assert_eq!(full.claims().subject(), Some("a\"bA"));

    // Every refusal is the same error, word for word, on both paths.
    let body = |extra: &str| {
        format!(
            r#"{{"iss":"{iss}","sub":"u","aud":"test-client","exp":{},"iat":{now}{extra}}}"#,
            now + 600
        )
    };
    let mut bad_sig = hs256(head, &body(""));
    bad_sig.replace_range(bad_sig.len() - 2.., "AA");
    let refused = [
        bad_sig,
        hs256(head, &body(r#","iss":"again""#)),
        hs256(head, &body(r#","azp":"someone-else""#)),
        hs256(
            head,
            &format!(r#"{{"iss":"{iss}","sub":"u","aud":"test-client","exp":1,"iat":1}}"#),
        ),
        hs256(
            head,
            &format!(
                r#"{{"iss":"https://evil.example","sub":"u","aud":"test-client","exp":{},"iat":{now}}}"#,
                now + 60
            ),
        ),
        hs256(
            head,
            &format!(
                r#"{{"iss":"{iss}","aud":"test-client","exp":{},"iat":{now}}}"#,
                now + 60
            ),
        ),
        hs256(
            head,
            &format!(r#"{{"iss":"{iss}","sub":"u","aud":"test-client","exp":"soon","iat":{now}}}"#),
        ),
        hs256(head, r#"{"iss":"#),
        hs256(head, "[]"),
        hs256(r#"{"alg":"none"}"#, &body("")),
        hs256(r#"{"alg":"HS256","crit":["b64"]}"#, &body("")),
        "not.a-token".to_string(),
        "e30.e30.e30.e30.e30".to_string(),
    ];
    for token in &refused {
        let now_err = client
            .validate_id_token_now(token, &checks, Record::default())
            .expect("no keys needed to refuse")
            .expect_err(token);
        let err = client
            .validate_id_token(token, &checks)
            .await
            .expect_err(token);
        assert_eq!(now_err.code(), err.code(), "{token}");
        assert_eq!(now_err.to_string(), err.to_string(), "{token}");
    }

    // RS256: nothing cached yet, so no answer without the network, and no request made.
    let rs = p.sign_jwt(
        &json!({"iss": iss, "aud": "test-client", "sub": "u", "iat": now, "exp": now + 60}),
        SigningAlg::RS256,
    );
    assert!(
        client
            .validate_id_token_now(&rs, &checks, Record::default())
            .is_none()
    );
    assert_eq!(count_requests(&p, "/jwks"), 0);
    client
        .validate_id_token(&rs, &checks)
        .await
        .expect("fetches the keys");
    let got = client
        .validate_id_token_now(&rs, &checks, Record::default())
        .expect("keys cached")
        .expect("valid");
    assert_eq!(got.0.len(), 5);
    // A kid the cached keys lack may be a rotation: that is for validate_id_token to fetch.
    p.rotate_keys();
    let rotated = p.sign_jwt(
        &json!({"iss": iss, "aud": "test-client", "sub": "u", "iat": now, "exp": now + 60}),
        SigningAlg::RS256,
    );
    assert!(
        client
            .validate_id_token_now(&rotated, &checks, Record::default())
            .is_none()
    );
    client
        .validate_id_token(&rotated, &checks)
        .await
        .expect("re-fetched");
    assert_eq!(count_requests(&p, "/jwks"), 2);
    assert!(
        client
            .validate_id_token_now(&rotated, &checks, Record::default())
            .is_some()
    );
}
