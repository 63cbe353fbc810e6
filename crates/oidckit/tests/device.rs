//! Device Authorization Grant (RFC 8628) against the mock provider over real HTTP: approve,
//! deny, expiry, `slow_down`, the local timeout and cancellation. The mock's interval is 1 s.

mod support;

use std::time::Duration;

use oidckit_mock::{Misbehavior, MockProvider};
use support::{client, provider_with};

fn fast_provider() -> MockProvider {
    provider_with(|c| c.device_interval_secs = 1)
}

async fn wait_for_polls(p: &MockProvider, user_code: &str, n: usize) {
    while p.device_poll_times(user_code).len() < n {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn device_flow_shows_the_code_then_returns_verified_tokens_once_approved() {
    let p = fast_provider();
    let c = client(&p).await;
    let da = c.device_authorization(None).await.expect("device code");
    assert_eq!(da.interval, Duration::from_secs(1));
    assert!(da.verification_uri.ends_with("/device"));
    assert!(
        da.verification_uri_complete
            .as_deref()
            .is_some_and(|u| u.contains(&da.user_code))
    );
    assert!(!format!("{da:?}").contains(&da.device_code));
    let poll = c.poll_device_token(&da, None);
    let approve = async {
        wait_for_polls(&p, &da.user_code, 1).await;
        assert!(p.approve_device(&da.user_code));
    };
    let (tokens, ()) = tokio::join!(poll, approve);
    let tokens = tokens.expect("tokens");
    assert!(tokens.access_token.is_some());
    assert_eq!(
        tokens.id_token.expect("id token").claims().subject(),
        Some("248289761001")
    );
}

#[tokio::test]
async fn slow_down_is_honoured_and_the_measured_gap_grows() {
    let p = fast_provider();
    p.set_misbehavior(Misbehavior::DeviceSlowDown(2));
    let c = client(&p).await;
    let da = c.device_authorization(None).await.expect("device code");
    let poll = async {
        let r = c.poll_device_token(&da, None).await;
        (r, std::time::Instant::now())
    };
    let watch = async {
        wait_for_polls(&p, &da.user_code, 2).await;
        let t = p.device_poll_times(&da.user_code);
        p.approve_device(&da.user_code);
        t
    };
    let ((result, third), t) = tokio::join!(poll, watch);
    result.expect("tokens after slow_down");
    // Poll 1 (pending) → poll 2 (slow_down) → poll 3 (approved): the second gap is 5 s longer.
    let before = t[1] - t[0];
    let after = third - t[1];
    assert!(
        after >= before + Duration::from_secs(4),
        "gap {before:?} then {after:?}"
    );
}

#[tokio::test]
async fn the_user_denying_is_access_denied_with_code_151() {
    let p = fast_provider();
    let c = client(&p).await;
    let da = c.device_authorization(None).await.expect("device code");
    assert!(p.deny_device(&da.user_code));
    let err = c.poll_device_token(&da, None).await.expect_err("denied");
    assert_eq!(
        (err.code(), err.oauth_error()),
        (151, Some("access_denied"))
    );
}

#[tokio::test]
async fn an_expired_device_code_is_expired_token_with_code_151() {
    let p = fast_provider();
    let c = client(&p).await;
    let da = c.device_authorization(None).await.expect("device code");
    assert!(p.expire_device(&da.user_code));
    let err = c.poll_device_token(&da, None).await.expect_err("expired");
    assert_eq!(
        (err.code(), err.oauth_error()),
        (151, Some("expired_token"))
    );
}

#[tokio::test]
async fn polling_gives_up_at_the_overall_timeout_with_code_201() {
    let p = fast_provider();
    let c = client(&p).await;
    let da = c.device_authorization(None).await.expect("device code");
    let err = c
        .poll_device_token(&da, Some(Duration::from_millis(2500)))
        .await
        .expect_err("timeout");
    assert_eq!(err.code(), 201);
    assert!(!p.device_poll_times(&da.user_code).is_empty());
}

#[tokio::test]
async fn dropping_the_poll_future_stops_polling() {
    let p = fast_provider();
    let c = client(&p).await;
    let da = c.device_authorization(None).await.expect("device code");
    let cancelled =
        tokio::time::timeout(Duration::from_millis(1500), c.poll_device_token(&da, None)).await;
    assert!(cancelled.is_err());
    let polls = p.device_poll_times(&da.user_code).len();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(p.device_poll_times(&da.user_code).len(), polls);
}

#[tokio::test]
async fn a_device_response_without_user_code_is_code_910() {
    let mut m = serde_json::Map::new();
    m.insert("device_code".into(), "d".into());
    m.insert("verification_uri".into(), "https://x/device".into());
    let err = oidckit::device::DeviceAuthorization::from_fields(m).expect_err("no user_code");
    assert_eq!(err.code(), 910);
}
