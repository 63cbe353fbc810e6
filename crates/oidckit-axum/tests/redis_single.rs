//! Two app instances sharing one real `redis-server` (with append-only persistence).

mod support;

use std::sync::Arc;

use oidckit_axum::store::{RedisStore, Store};
use support::redis::RedisServer;
use support::{App, Browser, provider_with, scenarios};

async fn store(url: &str) -> Arc<dyn Store> {
    Arc::new(RedisStore::connect(url).await.expect("connect to redis"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_share_logins_sessions_refreshes_and_logouts_through_redis() {
    if !support::redis::available() {
        return;
    }
    let redis = RedisServer::start();
    let op = provider_with(|c| c.token_ttl_secs = 4);
    let (a, b) = scenarios::pair(&op, [store(&redis.url()).await, store(&redis.url()).await]).await;
    scenarios::login_moves_between_instances_and_replays_fail(&a, &b).await;
    scenarios::backchannel_logout_reaches_every_instance(&op, &a, &b).await;
    scenarios::two_instances_refresh_once(&op, &a, &b).await;
    scenarios::killing_the_first_instance_mid_login_loses_nothing(&a, &b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_survive_a_redis_restart_with_persistence() {
    if !support::redis::available() {
        return;
    }
    let mut redis = RedisServer::start();
    let op = provider_with(|_| {});
    let a = App::start(&op.issuer(), store(&redis.url()).await).await;
    let browser = Browser::new();
    browser.sign_in(&a, &a).await;
    assert_eq!(browser.me(&a).await.0, 200);
    redis.restart();
    // The connection manager reconnects; a request during the reconnect may answer 503, never
    // 401 (the session is still there).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let (status, _) = browser.me(&a).await;
        assert_ne!(status, 401, "session lost across the restart");
        if status == 200 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "redis did not come back"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // A new instance (new connection) sees the session too.
    let b = App::start(&op.issuer(), store(&redis.url()).await).await;
    assert_eq!(browser.me(&b).await.0, 200);
}
