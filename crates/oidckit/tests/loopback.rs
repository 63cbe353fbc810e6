//! The loopback redirect server (RFC 8252 §7.3) and the desktop `sign_in` helper, over real
//! sockets: query, form_post and relayed-fragment responses, unrelated requests, limits,
//! timeouts, reuse, and that it listens on loopback only; HTTPS with a test CA (PEM and
//! PKCS#12 certificates), through the library and through the `OpenId` facade.

use std::net::{IpAddr, SocketAddr, TcpStream, UdpSocket};
use std::time::Duration;

use oidckit::browser::{BrowserOptions, HookDecision};
use oidckit::loopback::{
    LoopbackCertificate, LoopbackConfig, LoopbackServer, LoopbackTls, RELAY_PATH, SignInOptions,
    sign_in, sign_in_to_resource, sign_in_with,
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

// ---------------------------------------------------------------------------------------
// HTTPS
// ---------------------------------------------------------------------------------------

/// A test CA and a server certificate for `127.0.0.1`/`localhost` it issued.
struct TestPki {
    ca_pem: String,
    cert_pem: String,
    cert_der: Vec<u8>,
    key_pem: String,
    key_der: Vec<u8>,
}

fn test_pki() -> TestPki {
    let ca_key = rcgen::KeyPair::generate().expect("ca key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "oidckit loopback test CA");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).expect("ca");
    let key = rcgen::KeyPair::generate().expect("key");
    let mut params =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .expect("params");
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "127.0.0.1");
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "oidckit tests");
    let cert = params.signed_by(&key, &ca).expect("cert");
    TestPki {
        ca_pem: ca.pem(),
        cert_pem: cert.pem(),
        cert_der: cert.der().to_vec(),
        key_pem: key.serialize_pem(),
        key_der: key.serialize_der(),
    }
}

impl TestPki {
    fn pem(&self) -> LoopbackCertificate {
        LoopbackCertificate::Pem {
            certificate_chain: self.cert_pem.clone(),
            private_key: self.key_pem.clone(),
        }
    }

    fn pkcs12(&self, password: &str) -> Vec<u8> {
        let key = p12_keystore::PrivateKey::from_der(&self.key_der).expect("pkcs8");
        let cert = p12_keystore::Certificate::from_der(&self.cert_der).expect("cert");
        let chain = p12_keystore::PrivateKeyChain::new(vec![7u8; 4], key, [cert]);
        let mut ks = p12_keystore::KeyStore::new();
        ks.add_entry(
            "loopback",
            p12_keystore::KeyStoreEntry::PrivateKeyChain(chain),
        );
        ks.writer(password).write().expect("pkcs12")
    }

    /// A browser that trusts the test CA (and nothing else).
    fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(self.ca_pem.as_bytes()).expect("ca")])
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }
}

/// A file under the temporary directory, unique to this process and `name`.
fn temp_file(name: &str, contents: &[u8]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("oidckit-loopback-{}-{name}", std::process::id()));
    std::fs::write(&path, contents).expect("write temp file");
    path
}

async fn https_server(certificate: LoopbackCertificate) -> LoopbackServer {
    let mut config = LoopbackConfig::default();
    config.path = "/cb".into();
    config.timeout = Duration::from_secs(20);
    config.tls = Some(LoopbackTls::new(certificate));
    LoopbackServer::bind(config).await.expect("bind https")
}

/// Plays the browser over HTTPS: follows the URL at the mock and delivers the redirect with a
/// client trusting the test CA; sends the page's status and body on `done`.
fn https_browser(
    pki: &TestPki,
    done: tokio::sync::mpsc::UnboundedSender<(u16, String)>,
) -> BrowserOptions {
    let client = pki.browser();
    BrowserOptions::default().with_hook(move |launch| {
        let (url, client, done) = (launch.url.clone(), client.clone(), done.clone());
        tokio::spawn(async move {
            let callback =
                tokio::task::spawn_blocking(move || oidckit_mock::follow_authorization(&url))
                    .await
                    .expect("join")
                    .expect("mock redirects");
            assert!(callback.starts_with("https://127.0.0.1:"), "{callback}");
            let response = client.get(&callback).send().await.expect("https delivery");
            let status = response.status().as_u16();
            let _ = done.send((status, response.text().await.unwrap_or_default()));
        });
        HookDecision::Cancel
    })
}

#[tokio::test]
async fn https_sign_in_completes_through_a_server_with_a_test_ca_certificate() {
    let pki = test_pki();
    let p = MockProvider::start(MockConfig::default()).expect("mock");
    let client = Client::discover(ClientConfig::new(p.issuer(), "public-client"))
        .await
        .expect("discover");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut options = SignInOptions::default();
    options.browser = https_browser(&pki, tx);
    options.server.timeout = Duration::from_secs(20);
    options.server.path = "/cb".into();
    options.server.tls = Some(LoopbackTls::new(pki.pem()).with_subject("CN=127.0.0.1"));
    let tokens = sign_in(&client, &options)
        .await
        .expect("signed in over https");
    assert_eq!(
        tokens.id_token.expect("id token").claims().subject(),
        Some("248289761001")
    );
    let (status, body) = rx.recv().await.expect("browser page");
    assert_eq!(status, 200);
    assert!(body.contains("Signed in"), "{body}");
    let auth = p
        .requests()
        .into_iter()
        .find(|r| r.path == "/authorize")
        .expect("authorize");
    let redirect = auth.param("redirect_uri").expect("redirect_uri");
    assert!(redirect.starts_with("https://127.0.0.1:") && redirect.ends_with("/cb"));
}

#[tokio::test]
async fn plain_http_to_the_https_server_is_closed_at_once_and_https_still_works() {
    let pki = test_pki();
    let server = https_server(pki.pem()).await;
    assert!(server.is_tls());
    let port = server.port();
    let uri = format!("{}?code=abc&state=xyz", server.redirect_uri());
    assert!(uri.starts_with("https://127.0.0.1:"));
    let browser = pki.browser();
    let task = tokio::spawn(async move {
        // Well under the 10 s read deadline: the failed handshake closes the connection.
        let plain = tokio::time::timeout(Duration::from_secs(3), async {
            let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .expect("connect");
            s.write_all(b"GET /cb?code=x&state=y HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                .await
                .expect("write");
            let mut out = Vec::new();
            let _ = s.read_to_end(&mut out).await;
            out
        })
        .await
        .expect("plain HTTP is refused without hanging");
        assert!(!plain.starts_with(b"HTTP/"), "answered in plain HTTP");
        let response = browser.get(&uri).send().await.expect("https");
        (
            response.status().as_u16(),
            response.text().await.expect("body"),
        )
    });
    let callback = server.wait().await.expect("https callback");
    assert_eq!(callback.params().get("code"), Some("abc"));
    callback.respond(Ok(())).await;
    let (status, body) = task.await.expect("join");
    assert_eq!(status, 200);
    assert!(body.contains("Signed in"));
}

#[tokio::test]
async fn pkcs12_certificates_open_with_their_password_and_a_wrong_one_is_code_912() {
    let pki = test_pki();
    let der = pki.pkcs12("s3cret");
    let wrong = LoopbackCertificate::Pkcs12 {
        der: der.clone(),
        password: "wrong".into(),
    };
    let mut config = LoopbackConfig::default();
    config.tls = Some(LoopbackTls::new(wrong));
    let err = LoopbackServer::bind(config)
        .await
        .expect_err("wrong password");
    assert_eq!(err.code(), 912, "{err}");
    assert!(err.to_string().contains("password"), "{err}");

    let server = https_server(LoopbackCertificate::Pkcs12 {
        der: der.clone(),
        password: "s3cret".into(),
    })
    .await;
    assert!(server.redirect_uri().starts_with("https://127.0.0.1:"));

    let path = temp_file("store.p12", &der);
    let file = LoopbackCertificate::Pkcs12File {
        path: path.clone(),
        password: "s3cret".into(),
    };
    let mut config = LoopbackConfig::default();
    config.localhost = true;
    config.tls = Some(LoopbackTls::new(file.clone()).with_subject("cn=127.0.0.1, o=oidckit tests"));
    let server = LoopbackServer::bind(config).await.expect("p12 file");
    assert!(server.redirect_uri().starts_with("https://localhost:"));
    // A subject the certificate does not have: the server does not start.
    let mut config = LoopbackConfig::default();
    config.tls = Some(LoopbackTls::new(file).with_subject("CN=example.com"));
    let err = LoopbackServer::bind(config).await.expect_err("subject");
    assert_eq!(err.code(), 921, "{err}");
    let _ = std::fs::remove_file(path);
    // Not a certificate at all.
    let mut config = LoopbackConfig::default();
    config.tls = Some(LoopbackTls::new(LoopbackCertificate::Pem {
        certificate_chain: "nothing".into(),
        private_key: "nothing".into(),
    }));
    assert_eq!(
        LoopbackServer::bind(config).await.expect_err("pem").code(),
        921
    );
}

#[test]
fn openid_web_server_ssl_signs_in_over_https() {
    use oidckit::openid::OpenId;
    let pki = test_pki();
    let p = MockProvider::start(MockConfig::default()).expect("mock");
    let pem = format!("{}{}", pki.cert_pem, pki.key_pem);
    let path = temp_file("server.pem", pem.as_bytes());
    let mut o = OpenId::new();
    o.set_client_id("test-client");
    o.set_client_secret("test-secret");
    o.get_discovery_doc(&p.discovery_url()).expect("discovery");
    o.set_web_server_ssl_enabled(true);
    o.set_web_server_ssl_cert_store_type(6);
    o.set_web_server_ssl_cert_store(path.to_string_lossy());
    o.set_web_server_ssl_cert_subject("CN=127.0.0.1");
    let ca = pki.ca_pem.clone();
    o.on_launch_browser(move |e| {
        let (url, ca) = (e.url.clone(), ca.clone());
        std::thread::spawn(move || {
            let callback = oidckit_mock::follow_authorization(&url).expect("mock redirects");
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let client = reqwest::Client::builder()
                    .tls_certs_only([reqwest::Certificate::from_pem(ca.as_bytes()).expect("ca")])
                    .build()
                    .expect("client");
                let _ = client.get(&callback).send().await;
            });
        });
        e.command.clear();
    });
    let auth = o.get_authorization().expect("sign-in over https");
    assert!(auth.starts_with("Bearer "));
    assert!(
        o.return_url().starts_with("https://127.0.0.1:"),
        "{}",
        o.return_url()
    );
    assert_eq!(o.user_details_subject(), "248289761001");
    let _ = std::fs::remove_file(path);

    // A PKCS#12 blob with a wrong password: a clear error when the server starts.
    use base64::Engine as _;
    let mut o = OpenId::new();
    o.set_web_server_ssl_enabled(true);
    o.set_web_server_ssl_cert_store_type(3);
    o.set_web_server_ssl_cert_store(
        base64::engine::general_purpose::STANDARD.encode(pki.pkcs12("right")),
    );
    o.set_web_server_ssl_cert_store_password("wrong");
    let err = o.start_web_server().expect_err("wrong password");
    assert_eq!(err.code(), 912, "{err}");
    o.set_web_server_ssl_cert_store_password("right");
    o.start_web_server().expect("right password");
    assert!(o.return_url().starts_with("https://127.0.0.1:"));
    o.stop_web_server().expect("stop");
    // The seed's default store name is no certificate here.
    let mut o = OpenId::new();
    o.set_web_server_ssl_enabled(true);
    assert_eq!(o.web_server_ssl_cert_store(), "MY");
    assert_eq!(o.start_web_server().expect_err("MY").code(), 921);
}

// ---------------------------------------------------------------------------------------
// A local process that finds the port (issue 10, item 3)
// ---------------------------------------------------------------------------------------

/// The `state` of an authorization URL.
fn state_of(url: &str) -> String {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .expect("the request has a state")
}

// See: issue 10, item 3 (a forged callback ended the sign-in and its page echoed the state).
#[tokio::test]
async fn a_callback_with_a_foreign_state_gets_a_page_that_reveals_nothing_and_the_wait_goes_on() {
    let p = MockProvider::start(MockConfig::default()).expect("mock");
    let client = Client::discover(ClientConfig::new(p.issuer(), "public-client"))
        .await
        .expect("discover");
    let server = server().await;
    let port = server.port();
    let (forged_tx, forged_rx) = std::sync::mpsc::channel();
    let browser = BrowserOptions::default().with_hook(move |launch| {
        let url = launch.url.clone();
        let forged_tx = forged_tx.clone();
        std::thread::spawn(move || {
            let state = state_of(&url);
            // An attacker's page or process gets there first, twice: a wrong state, no state.
            for query in ["code=forged&state=attacker", "code=forged"] {
                let forged = http_get(&format!("http://127.0.0.1:{port}/cb?{query}"))
                    .expect("the server answers the forged callback");
                let _ = forged_tx.send((forged, state.clone()));
            }
            let callback = oidckit_mock::follow_authorization(&url).expect("mock redirects");
            let _ = http_get(&callback);
        });
        HookDecision::Cancel
    });
    let tokens = sign_in_with(&client, &server, &browser, &AuthorizationRequest::default())
        .await
        .expect("the real response still signs in");
    assert!(tokens.id_token.is_some());
    for _ in 0..2 {
        let ((status, _, body), state) = forged_rx.recv().expect("forged answer");
        assert_eq!(status, 400);
        assert!(!body.contains(&state), "the page must not reveal the state");
    }
    // The forged code never reached the token endpoint.
    assert!(
        p.requests()
            .iter()
            .filter(|r| r.path == "/token")
            .all(|r| r.param("code") != Some("forged"))
    );
}

// See: issue 10, item 3 (40 idle connections made the real redirect fail).
#[tokio::test]
async fn the_sign_in_completes_while_forty_idle_connections_are_held_open() {
    let p = MockProvider::start(MockConfig::default()).expect("mock");
    let client = Client::discover(ClientConfig::new(p.issuer(), "public-client"))
        .await
        .expect("discover");
    let server = server().await;
    let mut idle = Vec::new();
    for i in 0..40 {
        let mut s = TcpStream::connect(("127.0.0.1", server.port())).expect("connect");
        if i % 2 == 0 {
            // Half of them start a request and never finish it.
            std::io::Write::write_all(&mut s, b"GET /cb HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                .expect("write");
        }
        idle.push(s);
    }
    let tokens = sign_in_with(
        &client,
        &server,
        &scripted_browser(),
        &AuthorizationRequest::default(),
    )
    .await
    .expect("the browser's redirect gets through");
    assert!(tokens.id_token.is_some());
    drop(idle);
}

#[tokio::test]
async fn sign_in_to_resource_registers_the_loopback_redirect_and_signs_in_for_the_resource() {
    let p = MockProvider::start(MockConfig::default()).expect("mock");
    let resource = format!("{}/resource", p.issuer());
    let mut options = SignInOptions::default();
    options.browser = scripted_browser();
    options.server.timeout = Duration::from_secs(20);
    let (found, tokens) =
        sign_in_to_resource(&resource, oidckit::ResourceOptions::default(), &options)
            .await
            .expect("signed in for the resource");
    let registration = found.registration.expect("registered");
    let redirect = registration.metadata["redirect_uris"][0]
        .as_str()
        .expect("redirect URI")
        .to_string();
    assert!(redirect.starts_with("http://127.0.0.1:"), "{redirect}");
    let reqs = p.requests();
    let auth = reqs
        .iter()
        .find(|r| r.path == "/authorize")
        .expect("authorize");
    assert_eq!(auth.param("redirect_uri"), Some(redirect.as_str()));
    assert_eq!(auth.param("resource"), Some(resource.as_str()));
    let access = tokens.access_token.expect("access token");
    let (status, _) = found
        .client
        .get_resource(&resource, &access)
        .await
        .expect("resource answers");
    assert_eq!(status, 200);
}
