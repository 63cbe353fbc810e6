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

mod transport_support;

#[cfg(feature = "gzip")]
/// A discovery endpoint that answers with `body` gzip-compressed.
fn gzip_server(body: Vec<u8>) -> transport_support::ScriptedServer {
    use std::io::Write as _;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(&body).expect("gzip");
    let gz = enc.finish().expect("gzip");
    transport_support::ScriptedServer::start_bytes(move |_, _, _| {
        let mut resp = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            gz.len()
        )
        .into_bytes();
        resp.extend_from_slice(&gz);
        resp
    })
}

#[cfg(feature = "gzip")]
#[tokio::test]
async fn a_gzip_bomb_is_capped_on_the_decompressed_bytes() {
    // 4 MiB of spaces inside a JSON string: a few KB on the wire.
    let mut body = b"{\"issuer\":\"".to_vec();
    body.extend(std::iter::repeat_n(b' ', 4 * 1024 * 1024));
    body.extend_from_slice(b"\"}");
    let server = gzip_server(body);
    let mut cfg = oidckit::ClientConfig::new(server.url(""), "c");
    cfg.http.accept_encoding = Some("gzip, deflate".into());
    let err = Client::discover(cfg).await.expect_err("bomb");
    assert_eq!(err.code(), 909, "{err:?}");
    let head = server.requests.lock().expect("lock")[0].to_ascii_lowercase();
    assert!(head.contains("accept-encoding: gzip, deflate"), "{head}");
}

#[cfg(feature = "gzip")]
#[tokio::test]
async fn a_gzip_response_is_decompressed_when_compression_is_on() {
    let p = provider();
    let doc = transport_support::fetch_plain(p.port(), "/.well-known/openid-configuration");
    let server = gzip_server(doc.into_bytes());
    let mut cfg = oidckit::ClientConfig::new(server.url(""), "c");
    cfg.http.accept_encoding = Some("gzip".into());
    // The document names the mock as issuer, so discovery through another URL fails the
    // issuer check (900), which proves the JSON was read after decompression.
    let err = Client::discover(cfg).await.expect_err("issuer mismatch");
    assert_eq!(err.code(), 900, "{err:?}");
    assert!(err.to_string().contains(&p.issuer()), "{err}");
}

#[tokio::test]
async fn accept_encoding_refuses_codings_it_cannot_decode() {
    let mut cfg = oidckit::ClientConfig::new("https://op.example.com", "c");
    cfg.http.accept_encoding = Some("br, gzip".into());
    let err = Client::discover(cfg).await.expect_err("br");
    assert_eq!(err.code(), 921, "{err:?}");
}

#[cfg(not(feature = "gzip"))]
#[tokio::test]
async fn without_the_gzip_feature_asking_for_gzip_is_a_setting_error() {
    let mut cfg = oidckit::ClientConfig::new("https://op.example.com", "c");
    cfg.http.accept_encoding = Some("gzip".into());
    let err = Client::discover(cfg).await.expect_err("no gzip");
    assert_eq!(err.code(), 921, "{err:?}");
    cfg = oidckit::ClientConfig::new("https://127.0.0.1:9", "c");
    cfg.http.accept_encoding = Some("identity".into());
    let err = Client::discover(cfg).await.expect_err("nothing listens");
    assert_ne!(err.code(), 921, "{err:?}");
}
