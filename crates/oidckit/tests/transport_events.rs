//! Transport events, masked logging, redirects, cookies and extra headers, against the mock
//! provider and a scripted HTTP server on 127.0.0.1.

mod support;
mod transport_support;

use std::sync::Arc;

use oidckit::Client;
use oidckit::http::{FollowRedirects, LogLevel};
use support::{provider, sign_in};
use transport_support::*;

fn discovery_doc(port: u16) -> String {
    let i = format!("http://127.0.0.1:{port}");
    format!(
        r#"{{"issuer":"{i}","authorization_endpoint":"{i}/authorize","token_endpoint":"{i}/token","jwks_uri":"{i}/jwks","response_types_supported":["code"],"subject_types_supported":["public"],"id_token_signing_alg_values_supported":["RS256"]}}"#
    )
}

/// A provider whose discovery document is at `/real`; `/.well-known/openid-configuration`
/// redirects there (setting a cookie), and `/real` demands the cookie when `need_cookie`.
fn redirecting_server(need_cookie: bool) -> ScriptedServer {
    let port = Arc::new(std::sync::OnceLock::<u16>::new());
    let port2 = port.clone();
    let server = ScriptedServer::start(move |_method, path, head| {
        let port = *port2.get().expect("port set");
        match path {
            "/.well-known/openid-configuration" => (
                "HTTP/1.1 302 Found\r\nLocation: /real\r\nSet-Cookie: sid=abc123; Path=/\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            .to_string(),
            "/real" if need_cookie && !head.to_ascii_lowercase().contains("sid=abc123") => {
                json_response("403 Forbidden", "", r#"{"error":"no cookie"}"#)
            }
            "/real" => json_response("200 OK", "", &discovery_doc(port)),
            "/elsewhere/.well-known/openid-configuration" => "HTTP/1.1 301 Moved\r\nLocation: https://127.0.0.1:1/x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string(),
            _ => json_response("404 Not Found", "", "{}"),
        }
    });
    port.set(server.port).expect("once");
    server
}

#[tokio::test]
async fn one_request_emits_its_events_in_order() {
    let port_cell = Arc::new(std::sync::OnceLock::<u16>::new());
    let pc = port_cell.clone();
    let server = ScriptedServer::start(move |_, _, _| {
        json_response(
            "200 OK",
            "X-Test: yes\r\n",
            &discovery_doc(*pc.get().expect("port")),
        )
    });
    port_cell.set(server.port).expect("once");
    let recorder = Arc::new(Recorder::default());
    let mut cfg = oidckit::ClientConfig::new(server.url(""), "c");
    cfg.http.events = Some(recorder.clone());
    cfg.http.log_level = LogLevel::None;
    let client = Client::discover(cfg).await.expect("discovery");
    let lines: Vec<String> = recorder
        .lines()
        .into_iter()
        .filter(|l| !l.starts_with("header ") && !l.starts_with("transfer "))
        .collect();
    assert_eq!(
        lines,
        [
            "connection_status Connected",
            "connected 0",
            "status 200",
            "start_transfer Download",
            "end_transfer Download",
            "connection_status Disconnected",
            "disconnected 0",
        ],
        "{:?}",
        recorder.lines()
    );
    let all = recorder.lines();
    assert!(all.contains(&"header x-test: yes".to_string()), "{all:?}");
    let body_len = discovery_doc(server.port).len();
    assert_eq!(
        all.iter().rfind(|l| l.starts_with("transfer ")),
        Some(&format!("transfer Download {body_len}"))
    );
    let last = client.last_response().expect("last response");
    assert_eq!(last.status, 200);
    assert!(last.headers.contains("x-test: yes\r\n"), "{}", last.headers);
    assert_eq!(last.body.len(), body_len);
}

#[tokio::test]
async fn a_failed_connection_reports_error_and_disconnected() {
    let recorder = Arc::new(Recorder::default());
    let mut cfg = oidckit::ClientConfig::new(format!("http://127.0.0.1:{}", free_port()), "c");
    cfg.http.events = Some(recorder.clone());
    cfg.http.log_level = LogLevel::None;
    let err = Client::discover(cfg).await.expect_err("refused");
    assert_eq!(err.code(), 10061);
    let lines = recorder.lines();
    assert_eq!(lines.last(), Some(&"error 10061".to_string()), "{lines:?}");
    assert!(
        lines.contains(&"disconnected 10061".to_string()),
        "{lines:?}"
    );
}

fn secrets_in(
    logs: &str,
    p: &oidckit_mock::MockProvider,
    tokens: &oidckit::TokenSet,
) -> Vec<String> {
    let token_req = p
        .requests()
        .into_iter()
        .find(|r| r.path == "/token")
        .expect("token request");
    let code = token_req.param("code").expect("code").to_string();
    let verifier = token_req
        .param("code_verifier")
        .expect("verifier")
        .to_string();
    let mut secrets = vec![
        "test-secret".to_string(),
        // Basic test-client:test-secret
        "dGVzdC1jbGllbnQ6dGVzdC1zZWNyZXQ".to_string(),
        code,
        verifier,
    ];
    secrets.extend(tokens.access_token.clone());
    secrets.extend(tokens.refresh_token.clone());
    secrets
        .into_iter()
        .filter(|s| logs.contains(s.as_str()))
        .collect()
}

#[tokio::test]
async fn a_debug_log_holds_no_secret_code_or_token_while_masking_is_on() {
    let p = provider();
    let recorder = Arc::new(Recorder::default());
    let mut cfg = client_config_for(&p);
    cfg.http.log_level = LogLevel::Debug;
    cfg.http.events = Some(recorder.clone());
    let client = Client::discover(cfg).await.expect("discovery");
    let tokens = sign_in(&client).await.expect("sign-in");
    let _ = client.userinfo(&tokens).await.expect("userinfo");
    let logs = recorder.logs();
    assert!(
        logs.contains("RequestBody: grant_type=authorization_code"),
        "{logs}"
    );
    assert!(logs.contains("ResponseBody:"), "{logs}");
    let leaked = secrets_in(&logs, &p, &tokens);
    assert!(leaked.is_empty(), "leaked {leaked:?} in\n{logs}");
}

#[tokio::test]
async fn with_masking_off_the_debug_log_shows_what_went_over_the_wire() {
    let p = provider();
    let recorder = Arc::new(Recorder::default());
    let mut cfg = client_config_for(&p);
    cfg.http.log_level = LogLevel::Debug;
    cfg.http.mask_sensitive = false;
    cfg.http.events = Some(recorder.clone());
    let client = Client::discover(cfg).await.expect("discovery");
    let tokens = sign_in(&client).await.expect("sign-in");
    let logs = recorder.logs();
    let shown = secrets_in(&logs, &p, &tokens);
    assert!(shown.len() >= 4, "only {shown:?} in\n{logs}");
}

#[tokio::test]
async fn the_info_level_logs_urls_without_their_query_and_no_bodies() {
    let p = provider();
    let recorder = Arc::new(Recorder::default());
    let mut cfg = client_config_for(&p);
    cfg.http.events = Some(recorder.clone());
    let client = Client::discover(cfg).await.expect("discovery");
    sign_in(&client).await.expect("sign-in");
    let logs = recorder.logs();
    assert!(
        logs.contains("log[1] Info: POST http://127.0.0.1"),
        "{logs}"
    );
    assert!(
        !logs.contains("log[2]") && !logs.contains("log[3]"),
        "{logs}"
    );
}

#[tokio::test]
async fn redirects_are_refused_by_default() {
    let server = redirecting_server(false);
    let recorder = Arc::new(Recorder::default());
    let mut cfg = oidckit::ClientConfig::new(server.url(""), "c");
    cfg.http.events = Some(recorder.clone());
    let err = Client::discover(cfg).await.expect_err("302 not followed");
    assert_eq!(err.code(), 900, "{err:?}");
    assert!(recorder.lines().contains(&"redirect 302 false".to_string()));
    assert_eq!(server.requests.lock().expect("lock").len(), 1);
}

#[tokio::test]
async fn redirects_are_followed_when_allowed_and_the_cookie_is_sent_back() {
    for follow in [FollowRedirects::Always, FollowRedirects::SameScheme] {
        let server = redirecting_server(true);
        let recorder = Arc::new(Recorder::default());
        let mut cfg = oidckit::ClientConfig::new(server.url(""), "c");
        cfg.http.follow_redirects = follow;
        cfg.http.cookie_jar = true;
        cfg.http.events = Some(recorder.clone());
        Client::discover(cfg)
            .await
            .expect("redirect followed with the cookie");
        let lines = recorder.lines();
        assert!(
            lines.contains(&"redirect 302 true".to_string()),
            "{lines:?}"
        );
        assert!(
            lines.contains(&"set_cookie sid=abc123".to_string()),
            "{lines:?}"
        );
    }
}

#[tokio::test]
async fn without_the_jar_the_cookie_is_not_sent_back() {
    let server = redirecting_server(true);
    let mut cfg = oidckit::ClientConfig::new(server.url(""), "c");
    cfg.http.follow_redirects = FollowRedirects::Always;
    let err = Client::discover(cfg).await.expect_err("403 without cookie");
    assert_eq!(err.code(), 900, "{err:?}");
}

#[tokio::test]
async fn same_scheme_refuses_a_redirect_from_http_to_https() {
    let server = redirecting_server(false);
    let recorder = Arc::new(Recorder::default());
    let mut cfg = oidckit::ClientConfig::new(server.url("/elsewhere"), "c");
    cfg.http.follow_redirects = FollowRedirects::SameScheme;
    cfg.http.events = Some(recorder.clone());
    let err = Client::discover(cfg).await.expect_err("scheme change");
    assert_eq!(err.code(), 900, "{err:?}");
    assert!(recorder.lines().contains(&"redirect 301 false".to_string()));
}

#[tokio::test]
async fn other_headers_and_added_cookies_go_with_every_request() {
    let server = redirecting_server(false);
    let mut cfg = oidckit::ClientConfig::new(server.url(""), "c");
    cfg.http.follow_redirects = FollowRedirects::Always;
    cfg.http.other_headers = vec![("X-Trace".into(), "t-1".into())];
    cfg.http.cookies = vec![("pref".into(), "dark".into())];
    cfg.http.local_host = Some("127.0.0.1".parse().expect("ip"));
    Client::discover(cfg).await.expect("discovery");
    let requests = server.requests.lock().expect("lock").clone();
    assert_eq!(requests.len(), 2);
    for head in requests {
        let lower = head.to_ascii_lowercase();
        assert!(lower.contains("x-trace: t-1"), "{head}");
        assert!(lower.contains("cookie: pref=dark"), "{head}");
    }
}
