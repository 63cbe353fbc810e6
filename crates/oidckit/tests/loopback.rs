//! The loopback redirect server (RFC 8252 §7.3) and the desktop `sign_in` helper, over real
//! sockets: query, form_post and relayed-fragment responses, unrelated requests, limits,
//! timeouts, reuse, and that it listens on loopback only.

use std::net::{IpAddr, SocketAddr, TcpStream, UdpSocket};
use std::time::Duration;

use oidckit::browser::{BrowserOptions, HookDecision};
use oidckit::loopback::{
    LoopbackConfig, LoopbackServer, RELAY_PATH, SignInOptions, sign_in, sign_in_with,
};
use oidckit::{AuthorizationRequest, Client, ClientConfig, GrantType};
use oidckit_mock::browser::http_get;
use oidckit_mock::{MockConfig, MockProvider};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn server() -> LoopbackServer {
    let mut config = LoopbackConfig::default();
    config.path = "/cb".into();
    config.timeout = Duration::from_secs(20);
    LoopbackServer::bind(config).await.expect("bind")
}

/// Sends raw bytes and returns the response text.
async fn raw(port: u16, request: &str) -> String {
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    s.write_all(request.as_bytes()).await.expect("write");
    let mut out = String::new();
    let _ = s.read_to_string(&mut out).await;
    out
}

fn status(response: &str) -> u16 {
    response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn query_response_is_returned_and_the_browser_gets_the_success_page() {
    let server = server().await;
    assert!(server.redirect_uri().starts_with("http://127.0.0.1:"));
    assert!(server.redirect_uri().ends_with("/cb"));
    let uri = format!("{}?code=abc&state=xyz", server.redirect_uri());
    let browser = tokio::task::spawn_blocking(move || http_get(&uri).expect("get"));
    let callback = server.wait().await.expect("callback");
    assert_eq!(callback.params().get("code"), Some("abc"));
    assert_eq!(callback.params().get("state"), Some("xyz"));
    callback.respond(Ok(())).await;
    let (code, _, body) = browser.await.expect("join");
    assert_eq!(code, 200);
    assert!(body.contains("Signed in"));
}

#[tokio::test]
async fn unrelated_requests_do_not_end_the_wait() {
    let server = server().await;
    let port = server.port();
    let probes = tokio::spawn(async move {
        assert_eq!(
            status(&raw(port, "GET /favicon.ico HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await),
            404
        );
        assert_eq!(
            status(&raw(port, "OPTIONS /cb HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await),
            404
        );
        assert_eq!(status(&raw(port, "garbage\r\n\r\n").await), 400);
        // Another site's name (DNS rebinding) is refused.
        assert_eq!(
            status(
                &raw(
                    port,
                    "GET /cb?code=1&state=2 HTTP/1.1\r\nHost: evil.example\r\n\r\n"
                )
                .await
            ),
            400
        );
        // Too large: refused without reading it all.
        let big = "POST /cb HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000\r\n\r\n";
        assert_eq!(status(&raw(port, big).await), 413);
        // An idle connection (a browser's preconnect) does not block others.
        let _idle = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("idle");
        // The bare redirect path serves the fragment relay page.
        let page = raw(port, "GET /cb HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await;
        assert_eq!(status(&page), 200);
        assert!(page.contains(RELAY_PATH) && page.contains("location.hash"));
        raw(
            port,
            "GET /cb?code=real&state=s HTTP/1.1\r\nHost: localhost\r\n\r\n",
        )
        .await
    });
    let callback = server.wait().await.expect("callback");
    assert_eq!(callback.params().get("code"), Some("real"));
    callback
        .respond(Err("the state did not match".into()))
        .await;
    let last = probes.await.expect("probes");
    assert_eq!(status(&last), 400);
    assert!(last.contains("Sign-in failed") && last.contains("the state did not match"));
}

#[tokio::test]
async fn form_post_and_relayed_fragment_are_accepted_and_one_server_is_reused() {
    let server = server().await;
    let port = server.port();
    let form = "POST /cb HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 20\r\n\r\ncode=c1&state=s%2B1x";
    let task = tokio::spawn(async move { raw(port, form).await });
    let cb = server.wait().await.expect("form_post");
    assert_eq!(cb.params().get("state"), Some("s+1x"));
    cb.respond(Ok(())).await;
    assert_eq!(status(&task.await.expect("join")), 200);

    let body = "id_token=a.b.c&access_token=t&state=s2";
    let relay = format!(
        "POST {RELAY_PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let task = tokio::spawn(async move { raw(port, &relay).await });
    let cb = server.wait().await.expect("relayed fragment");
    assert_eq!(cb.params().get("id_token"), Some("a.b.c"));
    assert_eq!(cb.params().get("state"), Some("s2"));
    cb.respond(Ok(())).await;
    assert_eq!(status(&task.await.expect("join")), 200);
}

#[tokio::test]
async fn gives_up_after_the_timeout_with_code_201() {
    let server = server().await;
    let err = server
        .wait_for(Duration::from_millis(300))
        .await
        .expect_err("nobody comes");
    assert_eq!(err.code(), 201);
}

#[tokio::test]
async fn a_taken_port_and_a_bad_path_are_reported() {
    let first = server().await;
    let mut config = LoopbackConfig::default();
    config.port = first.port();
    assert_eq!(
        LoopbackServer::bind(config)
            .await
            .expect_err("port taken")
            .code(),
        1120
    );
    let mut config = LoopbackConfig::default();
    config.path = "cb".into();
    assert_eq!(
        LoopbackServer::bind(config)
            .await
            .expect_err("relative path")
            .code(),
        921
    );
}

/// One of this machine's non-loopback IPv4 addresses, if it has one. Connecting a UDP socket
/// sends nothing; it only picks the outgoing interface.
fn non_loopback_ip() -> Option<IpAddr> {
    let socket = UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("10.255.255.255:1").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[tokio::test]
async fn is_not_reachable_on_a_non_loopback_address() {
    let server = server().await;
    let Some(ip) = non_loopback_ip() else {
        eprintln!("skipping: this machine has no non-loopback IPv4 address");
        return;
    };
    let addr = SocketAddr::new(ip, server.port());
    let result = tokio::task::spawn_blocking(move || {
        TcpStream::connect_timeout(&addr, Duration::from_secs(2))
    })
    .await
    .expect("join");
    assert!(result.is_err(), "the loopback server answered on {addr}");
    // …while it is reachable on 127.0.0.1.
    assert!(TcpStream::connect(("127.0.0.1", server.port())).is_ok());
}

/// A browser hook that plays the user's browser: follows the URL with the mock's scripted
/// browser and delivers the redirect (query responses) to the loopback server.
fn scripted_browser() -> BrowserOptions {
    BrowserOptions::default().with_hook(|launch| {
        let url = launch.url.clone();
        std::thread::spawn(move || {
            let callback = oidckit_mock::follow_authorization(&url).expect("mock redirects");
            let _ = http_get(&callback);
        });
        HookDecision::Cancel
    })
}

#[tokio::test]
async fn sign_in_completes_a_code_flow_through_the_loopback_server() {
    let p = MockProvider::start(MockConfig::default()).expect("mock");
    // A client discovered without a redirect URI: sign_in supplies the server's.
    let client = Client::discover(ClientConfig::new(p.issuer(), "public-client"))
        .await
        .expect("discover");
    let mut options = SignInOptions::default();
    options.browser = scripted_browser();
    options.server.timeout = Duration::from_secs(20);
    let tokens = sign_in(&client, &options).await.expect("signed in");
    assert_eq!(
        tokens.id_token.expect("id token").claims().subject(),
        Some("248289761001")
    );
    let auth = p
        .requests()
        .into_iter()
        .find(|r| r.path == "/authorize")
        .expect("authorize");
    assert!(
        auth.param("redirect_uri")
            .is_some_and(|r| r.starts_with("http://127.0.0.1:"))
    );
    assert_eq!(auth.param("code_challenge_method"), Some("S256"));
}

#[tokio::test]
async fn one_server_serves_two_sign_ins_and_reports_provider_errors() {
    let p = MockProvider::start(MockConfig::default()).expect("mock");
    let mut config = ClientConfig::new(p.issuer(), "test-client").with_secret("test-secret");
    config.grant_type = GrantType::Code;
    let client = Client::discover(config).await.expect("discover");
    let server = server().await;
    let browser = scripted_browser();
    for _ in 0..2 {
        sign_in_with(&client, &server, &browser, &AuthorizationRequest::default())
            .await
            .expect("sign-in");
    }
    p.set_misbehavior(oidckit_mock::Misbehavior::AuthResponseError(
        "access_denied".into(),
    ));
    let err = sign_in_with(&client, &server, &browser, &AuthorizationRequest::default())
        .await
        .expect_err("denied");
    assert_eq!(err.code(), 904);
}
