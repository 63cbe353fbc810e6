//! A hostile or buggy provider, over real HTTP against the mock provider: hostile numbers,
//! repeated JSON members, byte-order marks, non-Bearer token types, insecure URLs, malformed
//! ID tokens and a token endpoint that stops answering. Each one gets a clear error or a
//! documented clamp, never a panic.
// See: issue 10 (items 1, 4 and 6).

mod support;

use std::time::{Duration, SystemTime};

use oidckit::device::{MAX_EXPIRES_IN, MAX_INTERVAL};
use oidckit::token::MAX_LIFETIME;
use oidckit::{Client, Error};
use oidckit_mock::{Misbehavior, MockProvider};
use support::{client, client_with, config, count_requests, provider, provider_with, sign_in};

const DISCOVERY: &str = "/.well-known/openid-configuration";

fn member(p: &MockProvider, path: &str, member: &str, json: &str) {
    p.set_misbehavior(Misbehavior::JsonMember {
        path: path.into(),
        member: member.into(),
        json: json.into(),
    });
}

fn repeated(p: &MockProvider, path: &str, member: &str) {
    p.set_misbehavior(Misbehavior::JsonRepeatedMember {
        path: path.into(),
        member: member.into(),
    });
}

fn assert_repeated(err: &Error, member_name: &str) {
    assert_eq!(err.code(), 916, "{err}");
    assert!(
        matches!(err, Error::RepeatedJsonMember { member, .. } if member == member_name),
        "{err:?}"
    );
}

#[tokio::test]
async fn hostile_expires_in_values_never_panic_and_clamp_the_expiry() {
    for (json, sent) in [
        ("18446744073709551615", Some(u64::MAX)),
        ("1e300", Some(u64::MAX)),
        ("\"18446744073709551615\"", Some(u64::MAX)),
        ("-1", None),
        ("\"99999999999999999999999\"", None),
        ("3.5", Some(3)),
    ] {
        let p = provider();
        member(&p, "/token", "expires_in", json);
        let c = client(&p).await;
        let before = SystemTime::now();
        let tokens = sign_in(&c).await.unwrap_or_else(|e| panic!("{json}: {e}"));
        assert_eq!(tokens.expires_in, sent, "{json}");
        if let Some(at) = tokens.expires_at {
            let latest = SystemTime::now() + MAX_LIFETIME;
            assert!(at >= before && at <= latest, "{json}: {at:?}");
        } else {
            assert!(sent.is_none(), "{json}");
        }
    }
}

#[tokio::test]
async fn a_huge_device_expires_in_and_interval_are_clamped_and_polling_stops_on_time() {
    let p = provider();
    member(
        &p,
        "/device_authorization",
        "expires_in",
        "18446744073709551615",
    );
    member(
        &p,
        "/device_authorization",
        "interval",
        "18446744073709551615",
    );
    let c = client(&p).await;
    let da = c.device_authorization(None).await.expect("device code");
    assert_eq!(da.expires_in, MAX_EXPIRES_IN);
    assert_eq!(da.interval, MAX_INTERVAL);
    let _ = da.expires_at();
    let err = c
        .poll_device_token(&da, Some(Duration::from_millis(200)))
        .await
        .expect_err("the local timeout ends polling");
    assert_eq!(err.code(), 201, "{err}");

    let p = provider();
    member(&p, "/device_authorization", "interval", "0");
    let c = client(&p).await;
    let da = c.device_authorization(None).await.expect("device code");
    assert_eq!(
        da.interval,
        Duration::from_secs(1),
        "interval 0 would poll in a loop"
    );
}

#[tokio::test]
async fn token_type_must_be_bearer_ignoring_case() {
    let p = provider();
    member(&p, "/token", "token_type", "\"bEaReR\"");
    let c = client(&p).await;
    sign_in(&c).await.expect("Bearer in any case is fine");

    // `DPoP` without DPoP is its own error (950, tests/dpop.rs).
    for json in ["\"mac\"", "\"\"", "null"] {
        let p = provider();
        member(&p, "/token", "token_type", json);
        let c = client(&p).await;
        let err = sign_in(&c).await.expect_err(json);
        assert_eq!(err.code(), 915, "{json}: {err}");
        // The userinfo endpoint never saw the token.
        assert_eq!(count_requests(&p, "/userinfo"), 0);
    }
}

#[tokio::test]
async fn repeated_members_are_refused_in_discovery_jwks_token_and_userinfo() {
    let p = provider();
    repeated(&p, DISCOVERY, "issuer");
    let err = Client::discover(config(&p)).await.expect_err("discovery");
    assert_repeated(&err, "issuer");

    let p = provider();
    repeated(&p, "/jwks", "keys");
    let c = client(&p).await;
    assert_repeated(&sign_in(&c).await.expect_err("jwks"), "keys");

    let p = provider();
    repeated(&p, "/token", "access_token");
    let c = client(&p).await;
    assert_repeated(&sign_in(&c).await.expect_err("token"), "access_token");

    let p = provider();
    repeated(&p, "/userinfo", "sub");
    let c = client(&p).await;
    let tokens = sign_in(&c).await.expect("sign-in");
    assert_repeated(&c.userinfo(&tokens).await.expect_err("userinfo"), "sub");
}

#[tokio::test]
async fn a_byte_order_mark_before_json_is_tolerated_everywhere() {
    let p = provider();
    for path in [DISCOVERY, "/jwks", "/token", "/userinfo"] {
        p.set_misbehavior(Misbehavior::JsonByteOrderMark { path: path.into() });
    }
    let c = client(&p).await;
    let tokens = sign_in(&c).await.expect("sign-in with BOMs");
    let user = c.userinfo(&tokens).await.expect("userinfo with a BOM");
    assert_eq!(user.sub.as_deref(), Some("248289761001"));
}

#[tokio::test]
async fn discovery_endpoints_that_are_not_https_are_refused_when_loaded() {
    for field in [
        "token_endpoint",
        "jwks_uri",
        "userinfo_endpoint",
        "revocation_endpoint",
    ] {
        let p = provider();
        member(&p, DISCOVERY, field, "\"http://provider.example/x\"");
        let err = Client::discover(config(&p)).await.expect_err(field);
        assert_eq!(err.code(), 917, "{field}: {err}");
        assert!(
            matches!(&err, Error::InsecureProviderUrl { field: f, .. } if f == field),
            "{err:?}"
        );
    }
    let p = provider();
    member(
        &p,
        DISCOVERY,
        "token_endpoint",
        "\"http://provider.example/x\"",
    );
    client_with(&p, |c| c.dangerous().allow_http = true).await;
}

#[tokio::test]
async fn device_verification_uris_that_are_not_https_are_refused() {
    for (field, json) in [
        ("verification_uri", "\"http://provider.example/device\""),
        ("verification_uri", "\"javascript:alert(1)\""),
        (
            "verification_uri_complete",
            "\"http://provider.example/device?c=1\"",
        ),
        ("verification_uri_complete", "\"file:///etc/passwd\""),
    ] {
        let p = provider();
        member(&p, "/device_authorization", field, json);
        let c = client(&p).await;
        let err = c.device_authorization(None).await.expect_err(json);
        assert_eq!(err.code(), 917, "{json}: {err}");
    }
    let p = provider();
    member(
        &p,
        "/device_authorization",
        "verification_uri",
        "\"http://localhost:1/device\"",
    );
    let c = client(&p).await;
    c.device_authorization(None)
        .await
        .expect("http on a loopback host is fine");
}

#[tokio::test]
async fn a_base64url_or_json_error_inside_an_id_token_is_901() {
    let p = provider();
    let good = p.sign_jwt(
        &serde_json::json!({"sub": "x"}),
        oidckit_mock::SigningAlg::RS256,
    );
    let (header, rest) = good.split_once('.').expect("a JWS");
    let signature = rest.split_once('.').expect("a JWS").1;
    // "bm90IGpzb24" is base64url of `not json`.
    for payload in ["!!not-base64!!", "bm90IGpzb24"] {
        let p = provider();
        let token = format!("{header}.{payload}.{signature}");
        member(
            &p,
            "/token",
            "id_token",
            &serde_json::Value::from(token).to_string(),
        );
        let c = client(&p).await;
        let err = sign_in(&c).await.expect_err(payload);
        assert_eq!(err.code(), 901, "{payload}: {err}");
    }
}

// RFC 8628 §3.5: a poll that times out backs off and polling goes on.
#[tokio::test]
async fn device_polling_backs_off_after_a_connection_timeout() {
    let p = provider_with(|c| c.device_interval_secs = 1);
    let c = client_with(&p, |c| c.http.timeout = Duration::from_secs(1)).await;
    let da = c.device_authorization(None).await.expect("device code");
    p.set_misbehavior(Misbehavior::Hang(oidckit_mock::Endpoint::Token));
    let poll = c.poll_device_token(&da, Some(Duration::from_secs(30)));
    let recover = async {
        while count_requests(&p, "/token") < 1 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // The first poll stays hung until it times out; the next one finds the approval.
        p.clear_misbehaviors();
        assert!(p.approve_device(&da.user_code));
    };
    let (tokens, ()) = tokio::join!(poll, recover);
    tokens.expect("tokens after the timed-out poll");
    assert!(count_requests(&p, "/token") >= 2);
}

// ---------------------------------------------------------------------------------------
// Whole responses through the expiry computation, with hostile numbers
// ---------------------------------------------------------------------------------------

mod expiry_properties {
    use std::time::{Duration, SystemTime};

    use oidckit::device::{MAX_EXPIRES_IN, MAX_INTERVAL};
    use oidckit::fuzzing;
    use oidckit::token::MAX_LIFETIME;
    use proptest::prelude::*;

    /// JSON text for a number (or number-like value) a provider might send.
    fn hostile_number() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<u64>().prop_map(|n| n.to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<f64>()
                .prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
                .prop_map(|f| format!("{f:e}")),
            (0u32..400).prop_map(|e| format!("1e{e}")),
            (0u32..400).prop_map(|e| format!("-1e{e}")),
            "[0-9]{1,40}".prop_map(|d| format!("\"{d}\"")),
            Just("null".to_string()),
            Just("true".to_string()),
            Just("{}".to_string()),
        ]
    }

    proptest! {
        #[test]
        fn token_responses_never_panic_and_clamp_the_expiry(n in hostile_number()) {
            let body = format!(
                r#"{{"access_token":"a","token_type":"Bearer","expires_in":{n}}}"#
            );
            let before = SystemTime::now();
            match fuzzing::token_response(body.as_bytes()) {
                Ok((_, Some(at))) => {
                    prop_assert!(at >= before && at <= SystemTime::now() + MAX_LIFETIME);
                }
                Ok((sent, None)) => prop_assert!(sent.is_none()),
                // 1e400 is out of serde_json's range: not JSON, code 908.
                Err(e) => prop_assert_eq!(e.code(), 908, "{}", e),
            }
        }

        #[test]
        fn device_responses_never_panic_and_clamp_interval_and_lifetime(
            expires_in in hostile_number(),
            interval in hostile_number(),
            answers in proptest::collection::vec(any::<u8>(), 0..40),
            timeout in proptest::option::of(any::<u64>()),
        ) {
            let body = format!(
                r#"{{"device_code":"d","user_code":"u","verification_uri":"https://op.example/device","expires_in":{expires_in},"interval":{interval}}}"#
            );
            match fuzzing::device_response(body.as_bytes(), &answers, timeout.map(Duration::from_secs)) {
                Ok((interval, left, _)) => {
                    prop_assert!(interval >= Duration::from_secs(1) && interval <= MAX_INTERVAL);
                    prop_assert!(left <= Duration::from_secs(MAX_EXPIRES_IN));
                }
                Err(e) => prop_assert_eq!(e.code(), 908, "{}", e),
            }
        }

        #[test]
        fn introspection_responses_never_panic(exp in hostile_number(), iat in hostile_number()) {
            let body = format!(r#"{{"active":true,"exp":{exp},"iat":{iat}}}"#);
            match fuzzing::introspection_response(body.as_bytes()) {
                Ok((active, _)) => prop_assert!(active),
                Err(e) => prop_assert_eq!(e.code(), 908, "{}", e),
            }
        }
    }
}
