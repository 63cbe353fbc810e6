//! Connection tuning through real sockets on 127.0.0.1: the connect deadline, connection reuse,
//! TCP keep-alive (read back from `/proc/net/tcp`), the HTTP version offered by ALPN, the
//! address family of resolved names, the method after a 302, and the request as sent.

mod support;
mod transport_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

use oidckit::http::{FollowRedirects, HttpVersion, IpFamily};
use oidckit::{Client, ClientConfig, ProviderMetadata};
use support::{provider, sign_in};
use transport_support::*;

#[tokio::test]
async fn connect_timeout_bounds_a_stalled_tls_handshake() {
    let silent = SilentListener::start();
    let mut cfg = ClientConfig::new(format!("https://127.0.0.1:{}", silent.port), "c");
    cfg.http.timeout = Duration::from_secs(60);
    cfg.http.connect_timeout = Some(Duration::from_secs(1));
    let started = Instant::now();
    let err = Client::discover(cfg).await.expect_err("stalled handshake");
    assert_eq!(err.code(), 201, "{err:?}");
    // Generous bound: well under the 60 s whole-request timeout.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

fn count(lines: &[String], wanted: &str) -> usize {
    lines.iter().filter(|l| *l == wanted).count()
}

#[tokio::test]
async fn keep_alive_reuses_one_connection_and_reports_only_new_ones() {
    for keep_alive in [false, true] {
        let p = provider();
        let recorder = Arc::new(Recorder::default());
        let mut cfg = client_config_for(&p);
        cfg.http.keep_alive = keep_alive;
        cfg.http.events = Some(recorder.clone());
        let client = Client::discover(cfg).await.expect("discovery");
        sign_in(&client).await.expect("sign-in");
        let lines = recorder.lines();
        let requests = count(&lines, "start_transfer Download");
        assert!(requests >= 3, "discovery, token, JWKS: {lines:?}");
        let connected = count(&lines, "connected 0");
        let disconnected = count(&lines, "disconnected 0");
        if keep_alive {
            assert_eq!(connected, 1, "one reused connection: {lines:?}");
            assert_eq!(disconnected, 0, "{lines:?}");
        } else {
            assert_eq!(connected, requests, "{lines:?}");
            assert_eq!(disconnected, requests, "{lines:?}");
        }
    }
}

/// The `tr` (timer) field of the client sockets connected to `server_port`, from
/// `/proc/net/tcp`: `02` is the keep-alive timer.
fn client_socket_timers(server_port: u16) -> Vec<String> {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    let remote = format!("0100007F:{server_port:04X}");
    table
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.get(2) == Some(&remote.as_str()) && f.get(3) == Some(&"01")).then(|| {
                f.get(5)
                    .and_then(|t| t.split(':').next())
                    .unwrap_or("")
                    .to_string()
            })
        })
        .collect()
}

#[tokio::test]
async fn tcp_keepalive_sets_so_keepalive_on_the_socket() {
    if !std::path::Path::new("/proc/net/tcp").exists() {
        eprintln!("skipping: no /proc/net/tcp on this system");
        return;
    }
    for keepalive in [None, Some(Duration::from_secs(5))] {
        let port = Arc::new(AtomicU16::new(0));
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (port2, seen2) = (port.clone(), seen.clone());
        let server = ScriptedServer::start(move |_, _, _| {
            seen2
                .lock()
                .expect("lock")
                .extend(client_socket_timers(port2.load(Ordering::SeqCst)));
            json_response("200 OK", "", "{}")
        });
        port.store(server.port, Ordering::SeqCst);
        let mut cfg = ClientConfig::new(server.url(""), "c");
        cfg.http.tcp_keepalive = keepalive;
        cfg.http.tcp_keepalive_interval = keepalive;
        // The document is not a valid discovery document: only the socket matters here.
        let _ = Client::discover(cfg).await;
        let timers = seen.lock().expect("lock").clone();
        assert!(!timers.is_empty(), "the client socket was found");
        let expected = if keepalive.is_some() { "02" } else { "00" };
        assert!(
            timers.iter().all(|t| t == expected),
            "keepalive {keepalive:?}: timers {timers:?}"
        );
    }
}

#[tokio::test]
async fn http_version_decides_what_alpn_offers() {
    let pki = Pki::new();
    let probe = AlpnProbe::start(&pki);
    for (version, expected) in [
        (HttpVersion::Http11, Some("http/1.1")),
        (HttpVersion::Http2, Some("h2")),
    ] {
        let mut cfg = ClientConfig::new(format!("https://127.0.0.1:{}", probe.port), "c");
        cfg.http.tls.extra_root_certificates = vec![pki.ca_pem.clone()];
        cfg.http.http_version = version;
        cfg.http.timeout = Duration::from_secs(10);
        // The probe closes after the handshake: the request itself fails.
        let _ = Client::discover(cfg).await;
        let last = probe.negotiated.lock().expect("lock").last().cloned();
        assert_eq!(last.flatten().as_deref(), expected, "{version:?}");
    }
}

#[tokio::test]
async fn ip_family_filters_the_addresses_of_a_name() {
    // localhost resolves to 127.0.0.1 here (and maybe ::1); the provider listens on 127.0.0.1.
    let p = provider();
    let doc_url = format!("http://localhost:{}", p.port());
    for (family, ok) in [
        (IpFamily::V4Only, true),
        (IpFamily::V6ThenV4, true),
        (IpFamily::Any, true),
        (IpFamily::V6Only, false),
    ] {
        let mut cfg = ClientConfig::new(doc_url.clone(), "c");
        cfg.http.ip_family = family;
        cfg.http.timeout = Duration::from_secs(10);
        // The issuer is 127.0.0.1, so discovery through "localhost" fails the issuer check
        // (900) once connected; a resolver refusal is 11001, a refused ::1 connection 10061.
        let code = match Client::discover(cfg).await {
            Ok(_) => 0,
            Err(e) => e.code(),
        };
        let connected = code == 0 || code == 900;
        assert_eq!(connected, ok, "{family:?}: code {code}");
        if !ok {
            assert!([11001, 10061].contains(&code), "{family:?}: code {code}");
        }
    }
}

fn token_redirect_server() -> ScriptedServer {
    ScriptedServer::start(|_, path, _| {
        if path == "/token" {
            "HTTP/1.1 302 Found\r\nLocation: /final\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                .to_string()
        } else {
            json_response(
                "200 OK",
                "",
                r#"{"access_token":"at-1","token_type":"Bearer","expires_in":60}"#,
            )
        }
    })
}

#[tokio::test]
async fn get_on_302_redirect_decides_the_method_after_a_302() {
    for get_on_302 in [false, true] {
        let server = token_redirect_server();
        let mut meta = ProviderMetadata::from_json(
            format!(
                r#"{{"issuer":"{0}","authorization_endpoint":"{0}/authorize","token_endpoint":"{0}/token","jwks_uri":"{0}/jwks","response_types_supported":["code"],"subject_types_supported":["public"],"id_token_signing_alg_values_supported":["RS256"]}}"#,
                server.url("")
            )
            .as_bytes(),
        )
        .expect("metadata");
        meta.token_endpoint = Some(server.url("/token"));
        let mut cfg = ClientConfig::new(server.url(""), "c").with_secret("s");
        cfg.http.follow_redirects = FollowRedirects::Always;
        cfg.http.get_on_302_redirect = get_on_302;
        let client = Client::new(cfg, meta).expect("client");
        client
            .client_credentials(None)
            .await
            .expect("token after the redirect");
        let requests = server.requests.lock().expect("lock").clone();
        let second = requests.get(1).expect("the redirect was followed");
        let method = if get_on_302 {
            "GET /final"
        } else {
            "POST /final"
        };
        assert!(second.starts_with(method), "{get_on_302}: {second}");
        if !get_on_302 {
            assert!(
                second.contains("grant_type=client_credentials")
                    || second.contains("content-length"),
                "the body goes along: {second}"
            );
        }
    }
}

#[tokio::test]
async fn the_request_as_sent_is_recorded_and_masked() {
    for mask in [true, false] {
        let p = provider();
        let mut cfg = client_config_for(&p);
        cfg.http.mask_sensitive = mask;
        cfg.http.other_headers = vec![("X-Extra".into(), "yes".into())];
        let client = Client::discover(cfg).await.expect("discovery");
        let tokens = sign_in(&client).await.expect("sign-in");
        client.userinfo(&tokens).await.expect("userinfo");
        let last = client.last_response().expect("a response");
        let head = &last.request_headers;
        assert!(head.starts_with("GET /userinfo HTTP/1.1\r\n"), "{head}");
        assert!(head.contains("\r\nHost: 127.0.0.1:"), "{head}");
        assert!(head.contains("\r\nUser-Agent: oidckit/"), "{head}");
        assert!(head.contains("\r\nX-Extra: yes\r\n"), "{head}");
        let access = tokens.access_token.as_deref().expect("access token");
        assert_eq!(head.contains(access), !mask, "mask {mask}: {head}");
        assert!(head.contains("authorization: Bearer "), "{head}");
        assert!(last.request.starts_with(head.as_str()));
    }
}
