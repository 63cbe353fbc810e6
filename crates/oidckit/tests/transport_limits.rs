//! Bounded reads: a provider that never answers, a 50 MB answer, a provider that is down.

mod support;

use std::time::{Duration, Instant};

use oidckit::{Client, Error};
use oidckit_mock::{Endpoint, Misbehavior};
use support::*;

#[tokio::test]
async fn a_provider_that_never_answers_fails_within_the_timeout() {
    let p = provider();
    p.set_misbehavior(Misbehavior::Hang(Endpoint::Discovery));
    let mut cfg = config(&p);
    cfg.http.timeout = Duration::from_secs(1);
    let started = Instant::now();
    let err = Client::discover(cfg).await.expect_err("hang");
    assert_eq!(err.code(), 201, "{err:?}");
    // Generous bound: the point is "no hang", not speed.
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[tokio::test]
async fn a_hanging_token_endpoint_times_out_too() {
    let p = provider();
    let client = client_with(&p, |c| c.http.timeout = Duration::from_secs(1)).await;
    p.set_misbehavior(Misbehavior::Hang(Endpoint::Token));
    let err = sign_in(&client).await.expect_err("hang");
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
}

#[tokio::test]
async fn a_50_mb_response_fails_without_being_read_whole() {
    for endpoint in [Endpoint::Discovery, Endpoint::Jwks, Endpoint::UserInfo] {
        let p = provider();
        let client = if endpoint == Endpoint::Discovery {
            None
        } else {
            Some(client(&p).await)
        };
        p.set_misbehavior(Misbehavior::HugeResponse(endpoint));
        let err = match client {
            None => Client::discover(config(&p))
                .await
                .expect_err("huge discovery"),
            Some(c) if endpoint == Endpoint::Jwks => sign_in(&c).await.expect_err("huge jwks"),
            Some(c) => {
                p.clear_misbehaviors();
                let tokens = sign_in(&c).await.expect("sign-in");
                p.set_misbehavior(Misbehavior::HugeResponse(endpoint));
                c.userinfo(&tokens).await.expect_err("huge userinfo")
            }
        };
        assert!(
            matches!(
                err,
                Error::ResponseTooLarge {
                    limit: 1_048_576,
                    ..
                }
            ),
            "{endpoint:?}: {err:?}"
        );
        assert_eq!(err.code(), 909);
    }
}

#[tokio::test]
async fn a_provider_that_is_down_is_connection_refused() {
    // Bind then drop a listener to get a port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let cfg = oidckit::ClientConfig::new(format!("http://127.0.0.1:{port}"), "c");
    let err = Client::discover(cfg).await.expect_err("down");
    assert_eq!(err.code(), 10061, "{err:?}");
}

#[tokio::test]
async fn plain_http_to_a_remote_host_is_refused_before_connecting() {
    let cfg = oidckit::ClientConfig::new("http://op.example.com", "c");
    let err = Client::discover(cfg).await.expect_err("http");
    assert_eq!(err.code(), 153);
}
