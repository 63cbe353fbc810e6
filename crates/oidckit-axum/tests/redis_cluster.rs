//! Two app instances sharing a real 3-master Redis Cluster (`redis-server --cluster-enabled`).

mod support;

use std::sync::Arc;

use oidckit_axum::store::{RedisStore, Store};
use support::redis::RedisCluster;
use support::{provider_with, scenarios};

async fn store(nodes: &[String]) -> Arc<dyn Store> {
    Arc::new(
        RedisStore::connect_cluster(nodes)
            .await
            .expect("connect to the cluster"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_share_logins_sessions_refreshes_and_logouts_through_a_redis_cluster() {
    if !support::redis::available() {
        return;
    }
    let cluster = RedisCluster::start();
    let op = provider_with(|c| c.token_ttl_secs = 4);
    let urls = cluster.urls();
    let (a, b) = scenarios::pair(&op, [store(&urls).await, store(&urls).await]).await;
    scenarios::login_moves_between_instances_and_replays_fail(&a, &b).await;
    scenarios::backchannel_logout_reaches_every_instance(&op, &a, &b).await;
    scenarios::two_instances_refresh_once(&op, &a, &b).await;
    scenarios::killing_the_first_instance_mid_login_loses_nothing(&a, &b).await;
}
