//! Against panva's `oidc-provider` (`interop/provider.mjs`) with back-channel logout enabled:
//! two app instances sharing Redis; ending the user's session at the provider makes the
//! provider POST a logout token to instance B, which ends the sessions on A and B.

#[path = "../../oidckit/tests/interop_support/mod.rs"]
#[macro_use]
mod interop_support;
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use oidckit::logout::EndSessionRequest;
use oidckit_axum::store::{RedisStore, Store};
use support::redis::RedisServer;
use support::{App, Browser};

async fn store(url: &str) -> Arc<dyn Store> {
    Arc::new(RedisStore::connect(url).await.expect("connect to redis"))
}

/// Signs `app_browser` in through `provider_browser` (which answers the provider's pages),
/// starting on `start` and finishing on `finish`.
async fn sign_in(
    app_browser: &Browser,
    provider_browser: &interop_support::Browser,
    start: &App,
    finish: &App,
) {
    let url = app_browser.start_login(start, None).await;
    let callback = provider_browser.authorize(&url).await;
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(callback.params().pairs())
        .finish();
    let resp = app_browser
        .callback(&finish.url(&format!("/callback?{query}")))
        .await;
    assert_eq!(resp.status(), 303, "callback signs in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ending_the_session_at_oidc_provider_logs_the_user_out_of_both_instances() {
    let mut op = provider_or_skip!();
    if !support::redis::available() {
        return;
    }
    let redis = RedisServer::start();
    let listen_a = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let listen_b = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port_b = listen_b.local_addr().expect("addr").port();
    op.set_backchannel_logout_uri(&format!("http://127.0.0.1:{port_b}/backchannel-logout"));
    let config = || {
        op.config("interop-backchannel")
            .with_secret("interop-backchannel-secret")
    };
    let a = App::serve(listen_a, config(), store(&redis.url()).await, |_, _| {}).await;
    let b = App::serve(listen_b, config(), store(&redis.url()).await, |_, _| {}).await;

    // One user, one provider session, two app sessions (signed in on A, and on B).
    let at_provider = interop_support::Browser::new();
    let first = Browser::new();
    sign_in(&first, &at_provider, &a, &b).await;
    let second = Browser::new();
    sign_in(&second, &at_provider, &b, &a).await;
    let (status, me) = first.me(&a).await;
    assert_eq!(status, 200);
    let sid = me["user"]["sid"]
        .as_str()
        .expect("oidc-provider sends sid")
        .to_owned();
    let (status, me) = second.me(&b).await;
    assert_eq!(
        (status, me["user"]["sid"].as_str()),
        (200, Some(sid.as_str()))
    );

    // End the session at the provider (its logout confirmation page, as the user would).
    let client = oidckit::Client::discover(config())
        .await
        .expect("discovery");
    let end = client
        .end_session_url(&EndSessionRequest::default())
        .expect("end-session URL");
    let _ = at_provider.visit(&end).await;

    // oidc-provider awaits its back-channel calls before answering, but allow for a slow one.
    let deadline = Instant::now() + Duration::from_secs(10);
    for (browser, app) in [(&first, &a), (&first, &b), (&second, &a), (&second, &b)] {
        loop {
            let (status, _) = browser.me(app).await;
            if status == 401 {
                break;
            }
            assert_eq!(status, 200);
            assert!(
                Instant::now() < deadline,
                "the back-channel logout did not end the session"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
