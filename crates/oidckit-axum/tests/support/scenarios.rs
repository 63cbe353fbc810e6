//! Scenarios run against each shared store (one Redis server, a Redis Cluster): two app

#![allow(dead_code)]
//! instances, A and B, each with its own connection to the same store.

use std::sync::Arc;
use std::time::Duration;

use oidckit_axum::store::Store;
use oidckit_mock::{MockProvider, SigningAlg};
use serde_json::json;

use super::{App, Browser, SID, backchannel, refresh_requests};

/// A login started on A completes on B; the same callback replayed is refused on A and on B;
/// the session works on both.
pub async fn login_moves_between_instances_and_replays_fail(a: &App, b: &App) {
    let browser = Browser::new();
    let url = browser.start_login(a, Some("/me")).await;
    let cb_b = browser.authorize(&url, b).await;
    let resp = browser.callback(&cb_b).await;
    assert_eq!(resp.status(), 303);
    assert_eq!(super::location(&resp), "/me");
    let set_cookie: Vec<String> = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    let session = set_cookie
        .iter()
        .find(|c| c.starts_with("oidckit_session="))
        .expect("session cookie");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"));
    for app in [a, b] {
        let (status, me) = browser.me(app).await;
        assert_eq!(status, 200);
        assert_eq!(me["user"]["sub"], "248289761001");
        assert_eq!(me["user"]["sid"], SID);
    }
    let cb_a = cb_b.replace(&format!(":{}/", b.port), &format!(":{}/", a.port));
    for replay in [&cb_a, &cb_b] {
        let resp = browser.callback(replay).await;
        assert_eq!(resp.status(), 400, "replayed callback refused");
        let body: serde_json::Value = resp.json().await.unwrap_or_default();
        assert_eq!(body["code"], 941);
    }
}

/// A started login survives the death of the instance that started it.
pub async fn killing_the_first_instance_mid_login_loses_nothing(a: &App, b: &App) {
    let browser = Browser::new();
    let url = browser.start_login(a, None).await;
    a.kill();
    let cb = browser.authorize(&url, b).await;
    assert_eq!(browser.callback(&cb).await.status(), 303);
    assert_eq!(browser.me(b).await.0, 200);
}

/// A back-channel logout POSTed to B ends the sessions of that `sid` on A; bad tokens before it
/// are refused with 400 and touch nothing.
pub async fn backchannel_logout_reaches_every_instance(op: &MockProvider, a: &App, b: &App) {
    let first = Browser::new();
    first.sign_in(a, a).await;
    let second = Browser::new();
    second.sign_in(b, a).await;
    assert_eq!(first.me(a).await.0, 200);
    assert_eq!(second.me(b).await.0, 200);

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let event = json!({ "http://schemas.openid.net/event/backchannel-logout": {} });
    let base = json!({
        "iss": op.issuer(), "aud": "test-client", "iat": now, "jti": "bad-1", "sid": SID,
        "events": event,
    });
    let with = |k: &str, v: serde_json::Value| {
        let mut c = base.clone();
        match v {
            serde_json::Value::Null => {
                c.as_object_mut().map(|m| m.remove(k));
            }
            v => {
                c[k] = v;
            }
        }
        c
    };
    let valid_token = op.logout_token("test-client", None, Some(SID));
    let (head, rest) = valid_token.split_once('.').expect("jws");
    let (payload, _sig) = rest.split_once('.').expect("jws");
    let bad_signature = format!(
        "{head}.{payload}.AAAA{}",
        &valid_token[valid_token.len() - 10..]
    );
    let bad = [
        (
            "nonce",
            op.sign_jwt(&with("nonce", json!("n-1")), SigningAlg::RS256),
            940,
        ),
        (
            "no events",
            op.sign_jwt(&with("events", serde_json::Value::Null), SigningAlg::RS256),
            940,
        ),
        ("bad signature", bad_signature, 903),
        (
            "another audience",
            op.sign_jwt(&with("aud", json!("other")), SigningAlg::RS256),
            940,
        ),
    ];
    for (what, token, code) in &bad {
        let (status, body) = backchannel(b, token).await;
        assert_eq!(status, 400, "{what}");
        assert_eq!(body["code"], *code, "{what}");
    }
    // A valid token for another provider session, then its replay (on the other instance).
    let other = op.logout_token("test-client", None, Some("another-session"));
    assert_eq!(backchannel(b, &other).await.0, 200);
    let (status, body) = backchannel(a, &other).await;
    assert_eq!(
        (status, body["code"].clone()),
        (400, json!(945)),
        "replay refused"
    );
    assert_eq!(first.me(a).await.0, 200, "bad tokens touched no session");
    assert_eq!(second.me(b).await.0, 200, "bad tokens touched no session");

    assert_eq!(backchannel(b, &valid_token).await.0, 200);
    for (browser, app) in [(&first, a), (&first, b), (&second, a), (&second, b)] {
        assert_eq!(browser.me(app).await.0, 401, "session ended everywhere");
    }
}

/// Two instances finding the same session's access token stale at once make one refresh
/// request; both answer with the new token, and the session keeps working.
pub async fn two_instances_refresh_once(op: &MockProvider, a: &App, b: &App) {
    let browser = Browser::new();
    browser.sign_in(a, b).await;
    let (_, before) = browser.me(a).await;
    let old_token = before["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    // Tokens live 4 s and are refreshed 2 s before expiry: after 2.5 s both instances see a
    // stale token.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    op.clear_requests();
    let (ra, rb) = tokio::join!(browser.me(a), browser.me(b));
    let refreshes = refresh_requests(op);
    assert_eq!(refreshes, 1, "exactly one refresh request");
    assert_eq!((ra.0, rb.0), (200, 200));
    let new_a = ra.1["access_token"].as_str().unwrap_or_default().to_owned();
    let new_b = rb.1["access_token"].as_str().unwrap_or_default().to_owned();
    assert_ne!(new_a, old_token, "a new access token");
    assert_eq!(new_a, new_b, "both instances use the refreshed token");
    // The rotated refresh token was kept: a later refresh works too.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (status, later) = browser.me(b).await;
    assert_eq!(
        status, 200,
        "the session keeps working after another refresh"
    );
    assert_ne!(later["access_token"], ra.1["access_token"]);
}

/// Starts A and B on `stores` against `op` with short-lived tokens (refresh tests).
pub async fn pair(op: &MockProvider, stores: [Arc<dyn Store>; 2]) -> (App, App) {
    let [sa, sb] = stores;
    let tweak = |_: &mut oidckit::ClientConfig, w: &mut oidckit_axum::WebConfig| {
        w.refresh_before = Duration::from_secs(2);
    };
    (
        App::start_with(&op.issuer(), sa, tweak).await,
        App::start_with(&op.issuer(), sb, tweak).await,
    )
}
