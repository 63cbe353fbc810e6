//! End-to-end tests of the `oidckit` binary against the mock provider (started in this process),
//! with the hidden stand-in browser `oidckit __browse` or real headless Chromium.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use oidckit_mock::{Misbehavior, MockConfig, MockEncryption, MockProvider};
use serde_json::Value;

mod support;

use support::{BIN, json_of, run_with};

fn run(args: &[&str]) -> Output {
    run_with(args, &[], Duration::from_secs(60))
}

fn stand_in_browser() -> String {
    format!("'{}' __browse", BIN.replace('\'', "'\\''"))
}

fn login(p: &MockProvider, extra: &[&str]) -> Output {
    let issuer = p.issuer();
    let browser = stand_in_browser();
    let mut args = vec![
        "login",
        "--json",
        "--issuer",
        &issuer,
        "--client-id",
        "test-client",
        "--client-secret",
        "test-secret",
        "--scope",
        "openid profile email",
        "--browser-command",
        &browser,
    ];
    if !extra.contains(&"--browser-timeout") {
        args.extend_from_slice(&["--browser-timeout", "30"]);
    }
    args.extend_from_slice(extra);
    run(&args)
}

fn login_ok(p: &MockProvider, extra: &[&str]) -> Value {
    let out = login(p, extra);
    let v = json_of(&out);
    assert!(
        out.status.success(),
        "login failed: {v}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(v["claims"]["sub"], "248289761001", "{v}");
    assert_eq!(v["claims"]["iss"], p.issuer().as_str());
    assert!(
        v["id_token"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3)
    );
    v
}

fn login_err(p: &MockProvider, extra: &[&str]) -> u64 {
    let out = login(p, extra);
    assert!(
        !out.status.success(),
        "expected failure, got {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let v = json_of(&out);
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{v}"
    );
    v["error"]["code"].as_u64().expect("numeric code")
}

fn provider() -> MockProvider {
    MockProvider::start(MockConfig::default()).expect("mock provider")
}

#[test]
fn login_code_flow_with_pkce_prints_tokens_claims_and_userinfo() {
    let p = provider();
    let v = login_ok(&p, &[]);
    assert!(v["access_token"].is_string());
    assert_eq!(
        v["token_type"]
            .as_str()
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("bearer")
    );
    assert!(v["refresh_token"].is_string());
    assert_eq!(v["userinfo"]["email"], "janedoe@example.com");
    assert_eq!(v["userinfo"]["sub"], "248289761001");
    let reqs = p.requests();
    let auth = reqs
        .iter()
        .find(|r| r.path == "/authorize")
        .expect("authorize request");
    assert_eq!(auth.param("code_challenge_method"), Some("S256"));
    let redirect = auth.param("redirect_uri").expect("redirect_uri");
    assert!(
        redirect.starts_with("http://127.0.0.1:") && redirect.ends_with('/'),
        "{redirect}"
    );
    let token = reqs
        .iter()
        .find(|r| r.path == "/token")
        .expect("token request");
    assert!(token.param("code_verifier").is_some());
}

#[test]
fn login_with_par_pushes_the_request_and_the_browser_gets_a_reference() {
    let p = provider();
    let v = login_ok(&p, &["--par"]);
    assert_eq!(v["userinfo"]["sub"], "248289761001");
    let reqs = p.requests();
    let pushed = reqs.iter().find(|r| r.path == "/par").expect("PAR request");
    assert_eq!(pushed.param("code_challenge_method"), Some("S256"));
    assert_only_a_reference_was_authorized(&p);
}

/// The browser's authorization request carried only `client_id` and `request_uri`.
fn assert_only_a_reference_was_authorized(p: &MockProvider) {
    let reqs = p.requests();
    let auth = reqs
        .iter()
        .find(|r| r.path == "/authorize")
        .expect("authorize request");
    let names: Vec<&str> = auth.params.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["client_id", "request_uri"]);
}

/// A mock provider that requires pushed authorization requests.
fn par_only_provider() -> MockProvider {
    MockProvider::start(MockConfig {
        require_par: true,
        ..MockConfig::default()
    })
    .expect("mock provider")
}

#[test]
fn login_pushes_by_itself_when_the_provider_requires_par() {
    let p = par_only_provider();
    login_ok(&p, &[]);
    assert!(count_requests_at(&p, "/par") == 1, "one PAR request");
    assert_only_a_reference_was_authorized(&p);
}

#[test]
fn auth_url_pushes_when_the_provider_requires_par_and_exchange_finishes() {
    let p = par_only_provider();
    let issuer = p.issuer();
    let base = [
        "--issuer",
        issuer.as_str(),
        "--client-id",
        "test-client",
        "--client-secret",
        "test-secret",
    ];
    let v = auth_url(&base, &[]);
    let url = v["url"].as_str().expect("url");
    let parsed = url::Url::parse(url).expect("url");
    let names: Vec<String> = parsed.query_pairs().map(|(k, _)| k.into_owned()).collect();
    assert_eq!(names, ["client_id", "request_uri"], "{url}");
    let pushed = p.requests();
    let pushed = pushed
        .iter()
        .find(|r| r.path == "/par")
        .expect("PAR request");
    assert_eq!(pushed.param("redirect_uri"), Some("http://127.0.0.1:9/cb"));
    let t = exchange(&base, &v);
    assert_eq!(t["claims"]["sub"], "248289761001");
}

#[test]
fn auth_url_with_par_pushes_to_a_provider_that_does_not_require_it() {
    let p = provider();
    let issuer = p.issuer();
    let base = [
        "--issuer",
        issuer.as_str(),
        "--client-id",
        "test-client",
        "--client-secret",
        "test-secret",
    ];
    let v = auth_url(&base, &["--par"]);
    assert!(
        v["url"]
            .as_str()
            .is_some_and(|u| u.contains("request_uri=") && !u.contains("code_challenge")),
        "{v}"
    );
    assert_eq!(p.requests().iter().filter(|r| r.path == "/par").count(), 1);
}

/// `oidckit auth-url --json` with the redirect URI `http://127.0.0.1:9/cb`; its JSON.
fn auth_url(base: &[&str], extra: &[&str]) -> Value {
    let args = [
        &[
            "auth-url",
            "--json",
            "--redirect-uri",
            "http://127.0.0.1:9/cb",
        ][..],
        extra,
        base,
    ]
    .concat();
    let out = run(&args);
    let v = json_of(&out);
    assert!(out.status.success(), "{v}");
    assert!(v["transaction"]["code_verifier"].is_string());
    v
}

/// Follows the URL `auth-url` printed through the mock, then `oidckit exchange --json` with
/// the saved transaction and the callback; its JSON.
fn exchange(base: &[&str], auth_url: &Value) -> Value {
    let url = auth_url["url"].as_str().expect("url");
    let callback = oidckit_mock::follow_authorization(url).expect("mock redirects");
    let tx_file = temp_dir("tx").with_extension("json");
    std::fs::write(&tx_file, auth_url.to_string()).expect("write");
    let tx_s = tx_file.to_string_lossy().to_string();
    let args = [
        &[
            "exchange",
            "--json",
            "--transaction",
            &tx_s,
            "--callback",
            &callback,
        ][..],
        base,
    ]
    .concat();
    let out = run(&args);
    let _ = std::fs::remove_file(tx_file);
    let t = json_of(&out);
    assert!(out.status.success(), "{t}");
    t
}

/// GET `url` over a plain TCP connection with extra headers; returns the status code.
fn raw_get(url: &str, headers: &[(&str, &str)]) -> u16 {
    use std::io::{Read, Write};
    let u = url::Url::parse(url).expect("url");
    let mut conn =
        std::net::TcpStream::connect((u.host_str().expect("host"), u.port().expect("port")))
            .expect("connect");
    let mut req = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
        u.path(),
        u.host_str().expect("host")
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    conn.write_all(req.as_bytes()).expect("write");
    let mut answer = String::new();
    let _ = conn.read_to_string(&mut answer);
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status")
}

#[test]
fn login_with_dpop_binds_the_tokens_and_dpop_proof_signs_for_curl() {
    let p = provider();
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    let key_file = temp_dir("dpop-key").with_extension("pem");
    std::fs::write(&key_file, key.serialize_pem()).expect("write key");
    let key_arg = key_file.to_str().expect("utf-8 path");
    let v = login_ok(&p, &["--dpop-key", key_arg]);
    assert_eq!(v["token_type"], "DPoP", "{v}");
    let at = v["access_token"]
        .as_str()
        .expect("access token")
        .to_string();
    let url = format!("{}/userinfo", p.issuer());
    let proof = |at: Option<&str>| {
        let mut args = vec!["dpop-proof", "--key", key_arg, "--url", &url];
        if let Some(at) = at {
            args.extend(["--access-token", at]);
        }
        let out = run(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .expect("utf-8")
            .trim()
            .to_string()
    };
    let bound = proof(Some(&at));
    assert_eq!(bound.split('.').count(), 3);
    let auth = format!("DPoP {at}");
    assert_eq!(
        raw_get(&url, &[("Authorization", &auth), ("DPoP", &bound)]),
        200
    );
    // Replayed, or without the token hash: refused.
    assert_eq!(
        raw_get(&url, &[("Authorization", &auth), ("DPoP", &bound)]),
        401
    );
    let unbound = proof(None);
    assert_eq!(
        raw_get(&url, &[("Authorization", &auth), ("DPoP", &unbound)]),
        401
    );
    let _ = std::fs::remove_file(&key_file);
}

#[test]
fn login_with_decryption_key_reads_encrypted_id_tokens_and_userinfo_and_refuses_without_it() {
    let pem = || {
        rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
            .expect("key")
            .serialize_pem()
    };
    let (mine, other) = (pem(), pem());
    let public = oidckit::DecryptionKey::from_pem(&mine)
        .expect("decryption key")
        .public_jwk();
    let p = MockProvider::start(MockConfig {
        id_token_encryption: Some(MockEncryption::new(
            public.clone(),
            "ECDH-ES+A128KW",
            "A256GCM",
        )),
        userinfo_encryption: Some(MockEncryption::new(public, "ECDH-ES", "A128CBC-HS256")),
        ..MockConfig::default()
    })
    .expect("mock provider");
    let write = |name: &str, text: &str| {
        let path = temp_dir(name).with_extension("pem");
        std::fs::write(&path, text).expect("write key");
        path
    };
    let (mine_file, other_file) = (write("enc-key", &mine), write("other-key", &other));
    let bad_file = write("bad-key", "not a key");
    let arg = |p: &PathBuf| p.to_str().expect("utf-8 path").to_string();

    let v = login_ok(
        &p,
        &[
            "--decryption-key",
            &arg(&other_file),
            "--decryption-key",
            &arg(&mine_file),
        ],
    );
    assert_eq!(v["userinfo"]["email"], "janedoe@example.com", "{v}");
    assert_eq!(v["userinfo"]["sub"], "248289761001", "{v}");
    let at = v["access_token"].as_str().expect("access token");
    let issuer = p.issuer();
    let userinfo = |extra: &[&str]| {
        let mut args = vec!["userinfo", "--json", "--issuer", &issuer];
        args.extend(["--client-id", "test-client", "--access-token", at]);
        args.extend_from_slice(extra);
        let out = run(&args);
        (out.status.success(), json_of(&out))
    };
    let (ok, claims) = userinfo(&["--decryption-key", &arg(&mine_file)]);
    assert!(ok, "{claims}");
    assert_eq!(claims["email"], "janedoe@example.com", "{claims}");
    let (ok, err) = userinfo(&[]);
    assert!(!ok);
    assert_eq!(err["error"]["code"], 958, "{err}");

    assert_eq!(login_err(&p, &[]), 958);
    let code = login_err(&p, &["--decryption-key", &arg(&other_file)]);
    assert!(code == 956 || code == 957, "{code}");

    let out = login(&p, &["--decryption-key", &arg(&bad_file)]);
    assert!(!out.status.success());
    let v = json_of(&out);
    assert_eq!(v["error"]["code"], 959, "{v}");
    let message = v["error"]["message"].as_str().expect("message");
    assert!(message.contains(&arg(&bad_file)), "{message}");
    assert_eq!(
        count_requests_at(&p, "/token"),
        3,
        "a bad key file stops before sign-in"
    );

    // The mock publishes no `use: enc` key: request object encryption has nothing to encrypt to.
    assert_eq!(login_err(&p, &["--encrypt-request-object"]), 932);
    for f in [mine_file, other_file, bad_file] {
        let _ = std::fs::remove_file(f);
    }
}

#[test]
fn login_with_jwt_response_modes_verifies_the_response_jwt() {
    let p = provider();
    for mode in ["query.jwt", "form_post.jwt"] {
        let v = login_ok(&p, &["--response-mode", mode]);
        assert_eq!(v["userinfo"]["sub"], "248289761001", "{mode}");
    }
    p.set_misbehavior(Misbehavior::JarmBadSignature);
    assert_eq!(login_err(&p, &["--response-mode", "query.jwt"]), 952);
}

#[test]
fn login_with_profile_fapi2_refuses_a_client_secret_naming_the_rule() {
    let p = provider();
    let out = login(&p, &["--profile", "fapi2"]);
    assert!(!out.status.success());
    let v = json_of(&out);
    assert_eq!(v["error"]["code"], 953, "{v}");
    assert!(count_requests_at(&p, "/par") == 0);
}

#[test]
fn login_with_profile_fapi2_and_a_private_key_signs_in_through_par_with_dpop() {
    let p = MockProvider::start(MockConfig {
        id_token_alg: oidckit_mock::SigningAlg::ES256,
        clients: vec![oidckit_mock::MockClient::public("key-client")],
        ..MockConfig::default()
    })
    .expect("mock provider");
    let kp = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    p.register_client_key("key-client", &kp.public_key_pem())
        .expect("registered");
    let key_file = temp_dir("fapi2-key").with_extension("pem");
    std::fs::write(&key_file, kp.serialize_pem()).expect("write key");
    let (issuer, browser) = (p.issuer(), stand_in_browser());
    let key_s = key_file.to_string_lossy().to_string();
    let out = run(&[
        "login",
        "--json",
        "--profile",
        "fapi2",
        "--issuer",
        &issuer,
        "--client-id",
        "key-client",
        "--private-key",
        &key_s,
        "--browser-command",
        &browser,
        "--browser-timeout",
        "30",
    ]);
    let v = json_of(&out);
    assert!(out.status.success(), "{v}");
    assert_eq!(v["token_type"], "DPoP", "{v}");
    assert_eq!(v["claims"]["sub"], "248289761001");
    let reqs = p.requests();
    let pushed = reqs.iter().find(|r| r.path == "/par").expect("PAR request");
    assert!(pushed.param("client_assertion").is_some());
    let token = reqs
        .iter()
        .find(|r| r.path == "/token")
        .expect("token request");
    assert!(token.param("client_assertion").is_some());
    assert!(token.headers.iter().any(|(k, _)| k == "dpop"));
    let _ = std::fs::remove_file(key_file);
}

fn count_requests_at(p: &MockProvider, path: &str) -> usize {
    p.requests().iter().filter(|r| r.path == path).count()
}

#[test]
fn login_code_flow_without_pkce_sends_no_challenge() {
    let p = provider();
    login_ok(&p, &["--no-pkce", "--redirect-path", "/callback"]);
    let reqs = p.requests();
    let auth = reqs
        .iter()
        .find(|r| r.path == "/authorize")
        .expect("authorize request");
    assert_eq!(auth.param("code_challenge"), None);
    assert!(
        auth.param("redirect_uri")
            .is_some_and(|r| r.ends_with("/callback"))
    );
}

#[test]
fn login_implicit_flow_relays_the_fragment() {
    let p = provider();
    let v = login_ok(&p, &["--flow", "implicit"]);
    assert!(v["access_token"].is_string());
    assert!(v["claims"]["at_hash"].is_string());
    assert_eq!(v["userinfo"]["email"], "janedoe@example.com");
    assert!(p.requests().iter().all(|r| r.path != "/token"));
}

#[test]
fn login_hybrid_flow_checks_c_hash_and_exchanges_the_code() {
    let p = provider();
    let v = login_ok(&p, &["--flow", "hybrid"]);
    assert!(v["access_token"].is_string());
    assert!(p.requests().iter().any(|r| r.path == "/token"));
}

#[test]
fn login_form_post_response_mode() {
    let p = provider();
    login_ok(&p, &["--response-mode", "form_post"]);
    let reqs = p.requests();
    let auth = reqs
        .iter()
        .find(|r| r.path == "/authorize")
        .expect("authorize request");
    assert_eq!(auth.param("response_mode"), Some("form_post"));
}

#[test]
fn login_id_token_only_has_null_access_token_and_userinfo() {
    let p = provider();
    let v = login_ok(&p, &["--response-type", "id_token"]);
    assert!(v["access_token"].is_null());
    assert!(v["userinfo"].is_null());
}

#[test]
fn login_passes_prompt_login_hint_max_age_and_extra_params() {
    let p = provider();
    login_ok(
        &p,
        &[
            "--prompt",
            "login",
            "--login-hint",
            "jane@example.com",
            "--max-age",
            "600",
            "--param",
            "foo=bar",
        ],
    );
    let reqs = p.requests();
    let auth = reqs
        .iter()
        .find(|r| r.path == "/authorize")
        .expect("authorize request");
    assert_eq!(auth.param("prompt"), Some("login"));
    assert_eq!(auth.param("login_hint"), Some("jane@example.com"));
    assert_eq!(auth.param("max_age"), Some("600"));
    assert_eq!(auth.param("foo"), Some("bar"));
}

#[test]
fn browser_that_never_returns_times_out_with_201() {
    let p = provider();
    let issuer = p.issuer();
    let args = [
        "login",
        "--json",
        "--issuer",
        &issuer,
        "--client-id",
        "test-client",
        "--client-secret",
        "test-secret",
    ];
    let start = Instant::now();
    let out = run(&[
        &args[..],
        &["--browser-command", "true", "--browser-timeout", "2"],
    ]
    .concat());
    assert!(!out.status.success());
    assert_eq!(json_of(&out)["error"]["code"], 201);
    assert!(start.elapsed() < Duration::from_secs(20));
    // --no-browser prints the URL on stderr and waits the same way.
    let out = run(&[&args[..], &["--no-browser", "--browser-timeout", "1"]].concat());
    assert_eq!(json_of(&out)["error"]["code"], 201);
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("{issuer}/authorize?")));
}

#[test]
fn access_denied_is_904() {
    let p = provider();
    p.set_misbehavior(Misbehavior::AuthResponseError("access_denied".into()));
    assert_eq!(login_err(&p, &[]), 904);
}

// See: issue 10, item 3: a response with a foreign state no longer ends the sign-in; the
// loopback server refuses it and keeps waiting for the right one until the browser timeout.
#[test]
fn a_foreign_state_is_refused_and_login_waits_until_the_browser_timeout() {
    let p = provider();
    p.set_misbehavior(Misbehavior::AuthResponseWrongState);
    assert_eq!(login_err(&p, &["--browser-timeout", "2"]), 201);
    assert_eq!(
        p.requests().iter().filter(|r| r.path == "/token").count(),
        0,
        "the forged response's code was never exchanged"
    );
}

#[test]
fn provider_down_is_10061() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let issuer = format!("http://127.0.0.1:{port}");
    let out = run(&[
        "login",
        "--json",
        "--issuer",
        &issuer,
        "--client-id",
        "c",
        "--no-browser",
        "--timeout",
        "5",
    ]);
    assert!(!out.status.success());
    assert_eq!(json_of(&out)["error"]["code"], 10061);
    // Without --json: human text on stderr, nothing on stdout.
    let out = run(&[
        "login",
        "--issuer",
        &issuer,
        "--client-id",
        "c",
        "--no-browser",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error[10061]: "));
}

#[test]
fn id_token_failures_are_903() {
    for m in [
        Misbehavior::IdTokenBadSignature,
        Misbehavior::IdTokenWrongAudience,
        Misbehavior::IdTokenExpired,
    ] {
        let p = provider();
        p.set_misbehavior(m.clone());
        assert_eq!(login_err(&p, &[]), 903, "{m:?}");
    }
}

#[test]
fn http_issuer_on_a_public_host_needs_the_insecure_flag() {
    let out = run(&["discover", "--json", "http://example.invalid"]);
    assert!(!out.status.success());
    assert_eq!(json_of(&out)["error"]["code"], 153);
}

#[test]
fn settings_come_from_env_and_the_providers_file() {
    let p = provider();
    let dir = temp_dir("config");
    std::fs::create_dir_all(dir.join("oidckit")).expect("mkdir");
    let file = serde_json::json!({"providers": {"mock": {"issuer": p.issuer(), "client_id": "test-client", "client_secret": "test-secret"}}});
    std::fs::write(dir.join("oidckit/providers.json"), file.to_string()).expect("write");
    let browser = stand_in_browser();
    let dir_s = dir.to_string_lossy().to_string();
    let out = run_with(
        &["login", "--json", "--provider", "mock"],
        &[
            ("XDG_CONFIG_HOME", &dir_s),
            ("OIDC_BROWSER", &browser),
            ("OIDC_SCOPE", "openid email"),
        ],
        Duration::from_secs(60),
    );
    let v = json_of(&out);
    assert!(out.status.success(), "{v}");
    assert_eq!(v["claims"]["aud"], "test-client");
    let auth = p
        .requests()
        .into_iter()
        .find(|r| r.path == "/authorize")
        .expect("authorize");
    assert_eq!(auth.param("scope"), Some("openid email"));
    // An unknown provider name fails clearly.
    let out = run_with(
        &["login", "--json", "--provider", "nope"],
        &[("XDG_CONFIG_HOME", &dir_s)],
        Duration::from_secs(20),
    );
    assert!(
        json_of(&out)["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("mock"))
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn demo_signs_in_offline() {
    let out = run(&["demo", "--json"]);
    let v = json_of(&out);
    assert!(out.status.success(), "{v}");
    assert_eq!(v["claims"]["sub"], "248289761001");
    assert_eq!(v["userinfo"]["email"], "janedoe@example.com");
    let out = run(&["demo"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"sub\": \"248289761001\""));
}

#[test]
fn demo_with_par_signs_in_through_a_pushed_request() {
    let out = run(&["demo", "--par"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let url = stdout
        .lines()
        .skip_while(|l| !l.starts_with("[4]"))
        .nth(1)
        .map(str::trim)
        .expect("the authorization URL");
    let parsed = url::Url::parse(url).expect("url");
    let names: Vec<String> = parsed.query_pairs().map(|(k, _)| k.into_owned()).collect();
    assert_eq!(names, ["client_id", "request_uri"], "{url}");
    assert!(stdout.contains("\"sub\": \"248289761001\""), "{stdout}");
}

#[test]
fn verify_checks_a_token_from_login_and_honours_at() {
    let p = provider();
    let v = login_ok(&p, &[]);
    let token = v["id_token"].as_str().expect("id token");
    let issuer = p.issuer();
    let out = run(&[
        "verify",
        "--json",
        token,
        "--issuer",
        &issuer,
        "--audience",
        "test-client",
    ]);
    let r = json_of(&out);
    assert!(out.status.success(), "{r}");
    assert_eq!(r["claims"]["sub"], "248289761001");
    assert_eq!(r["header"]["alg"], "RS256");
    let out = run(&[
        "verify",
        "--json",
        token,
        "--issuer",
        &issuer,
        "--audience",
        "test-client",
        "--at",
        "2100-01-01T00:00:00Z",
    ]);
    assert_eq!(json_of(&out)["error"]["code"], 903);
    let out = run(&[
        "verify",
        "--json",
        token,
        "--issuer",
        &issuer,
        "--audience",
        "someone-else",
    ]);
    assert_eq!(json_of(&out)["error"]["code"], 903);
    let jwks = temp_dir("jwks").with_extension("json");
    std::fs::write(&jwks, p.jwks().to_string()).expect("write jwks");
    let jwks_s = jwks.to_string_lossy().to_string();
    let out = run(&[
        "verify",
        "--json",
        token,
        "--issuer",
        &issuer,
        "--audience",
        "test-client",
        "--jwks",
        &jwks_s,
        "--alg",
        "RS256",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = run(&[
        "verify",
        "--json",
        token,
        "--issuer",
        &issuer,
        "--audience",
        "test-client",
        "--jwks",
        &jwks_s,
        "--alg",
        "ES256",
    ]);
    assert_eq!(json_of(&out)["error"]["code"], 903);
    let _ = std::fs::remove_file(jwks);
}

#[test]
fn auth_url_then_exchange_finishes_later() {
    let p = provider();
    let issuer = p.issuer();
    let base = [
        "--issuer",
        issuer.as_str(),
        "--client-id",
        "test-client",
        "--client-secret",
        "test-secret",
        "--scope",
        "openid email",
    ];
    let v = auth_url(&base, &[]);
    let t = exchange(&base, &v);
    assert_eq!(t["claims"]["sub"], "248289761001");
    let refresh = t["refresh_token"].as_str().expect("refresh token");
    let out = run(&[
        &["refresh", "--json", "--refresh-token", refresh][..],
        &base,
    ]
    .concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let access = t["access_token"].as_str().expect("access token");
    let out = run(&[&["userinfo", "--json", "--access-token", access][..], &base].concat());
    assert_eq!(json_of(&out)["email"], "janedoe@example.com");
    let id = t["id_token"].as_str().expect("id token");
    let out = run(&[
        &[
            "logout-url",
            "--json",
            "--id-token-hint",
            id,
            "--state",
            "s1",
        ][..],
        &base,
    ]
    .concat());
    let u = json_of(&out)["url"].as_str().expect("url").to_string();
    assert!(
        u.starts_with(&format!("{issuer}/logout?"))
            && u.contains("state=s1")
            && u.contains("client_id=test-client")
    );
}

#[test]
fn discover_reports_endpoints() {
    let p = provider();
    let out = run(&["discover", "--json", &p.issuer()]);
    let v = json_of(&out);
    assert!(out.status.success(), "{v}");
    assert_eq!(v["issuer"], p.issuer().as_str());
    assert!(v["notes"].as_array().is_some_and(|n| n.is_empty()), "{v}");
    let out = run(&["discover", &p.issuer()]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("token_endpoint"));
}

#[test]
fn help_is_available_for_every_command() {
    let out = run(&["--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for cmd in [
        "login",
        "discover",
        "auth-url",
        "exchange",
        "refresh",
        "userinfo",
        "verify",
        "logout-url",
        "mock-provider",
        "demo",
    ] {
        assert!(text.contains(cmd), "--help lists {cmd}");
        let out = run(&[cmd, "--help"]);
        assert!(out.status.success(), "{cmd} --help");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage: oidckit"),
            "{cmd} --help"
        );
    }
    assert!(!text.contains("__browse"));
    let out = run(&["login", "--flow", "nope"]);
    assert_eq!(out.status.code(), Some(2));
}

// ---------------------------------------------------------------------------------------------
// Real headless Chromium.

/// Kills the Chromium process group when the test ends, passed or not.
struct ChromiumGuard {
    pidfile: PathBuf,
    profile: PathBuf,
}

impl Drop for ChromiumGuard {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(&self.pidfile) {
            let pid = pid.trim().to_string();
            for signal in ["-TERM", "-KILL"] {
                let _ = Command::new("kill")
                    .args([signal, "--", &format!("-{pid}")])
                    .stderr(Stdio::null())
                    .status();
                let _ = Command::new("kill")
                    .args([signal, &pid])
                    .stderr(Stdio::null())
                    .status();
                std::thread::sleep(Duration::from_millis(300));
            }
        }
        let _ = std::fs::remove_file(&self.pidfile);
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn chromium_available() -> bool {
    let path = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if Path::new(&path).exists() {
        return true;
    }
    if std::env::var("OIDCKIT_SKIP_CHROMIUM").as_deref() == Ok("1") {
        eprintln!("skipping: Chromium not installed and OIDCKIT_SKIP_CHROMIUM=1");
        return false;
    }
    panic!(
        "Chromium is not installed at {path}: run `apt-get install -y chromium` (or set CHROMIUM=/path, or OIDCKIT_SKIP_CHROMIUM=1 to skip)"
    );
}

fn login_with_chromium(flow: &str) {
    if !chromium_available() {
        return;
    }
    let p = provider();
    let guard = ChromiumGuard {
        pidfile: temp_dir("chromium-pid"),
        profile: temp_dir("chromium-profile"),
    };
    std::fs::create_dir_all(&guard.profile).expect("profile dir");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/chromium-browser.sh");
    let browser = format!("'{}'", script.display());
    let issuer = p.issuer();
    let args = [
        "login",
        "--json",
        "--issuer",
        &issuer,
        "--client-id",
        "test-client",
        "--client-secret",
        "test-secret",
        "--flow",
        flow,
        "--browser-command",
        &browser,
        "--browser-timeout",
        "60",
    ];
    let pid = guard.pidfile.to_string_lossy().to_string();
    let profile = guard.profile.to_string_lossy().to_string();
    let out = run_with(
        &args,
        &[
            ("OIDCKIT_TEST_PIDFILE", &pid),
            ("OIDCKIT_TEST_PROFILE", &profile),
        ],
        Duration::from_secs(90),
    );
    let v = json_of(&out);
    assert!(
        out.status.success(),
        "{v}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(v["claims"]["sub"], "248289761001");
    assert_eq!(v["userinfo"]["sub"], "248289761001");
    drop(guard);
}

#[test]
fn login_with_headless_chromium_code_flow() {
    login_with_chromium("code");
}

#[test]
fn login_with_headless_chromium_implicit_flow_uses_the_relay_page() {
    login_with_chromium("implicit");
}

fn temp_dir(name: &str) -> PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    std::env::temp_dir().join(format!(
        "oidckit-cli-test-{}-{name}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ))
}

#[test]
fn login_with_resource_finds_the_authorization_server_registers_and_asks_for_the_resource() {
    let p = provider();
    let resource = format!("{}/resource", p.issuer());
    let browser = stand_in_browser();
    let out = run(&[
        "login",
        "--json",
        "--resource",
        &resource,
        "--browser-command",
        &browser,
        "--browser-timeout",
        "30",
    ]);
    let v = json_of(&out);
    assert!(
        out.status.success(),
        "login failed: {v}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(v["claims"]["sub"], "248289761001", "{v}");
    let reqs = p.requests();
    let register = reqs
        .iter()
        .find(|r| r.path == "/register")
        .expect("registration");
    assert_eq!(register.method, "POST");
    let auth = reqs
        .iter()
        .find(|r| r.path == "/authorize")
        .expect("authorize request");
    assert_eq!(auth.param("resource"), Some(resource.as_str()));
    assert!(
        auth.param("client_id")
            .is_some_and(|id| id.starts_with("dyn-"))
    );
    assert_eq!(auth.param("code_challenge_method"), Some("S256"));
    let token = reqs.iter().find(|r| r.path == "/token").expect("token");
    assert_eq!(token.param("resource"), Some(resource.as_str()));
}

#[test]
fn login_with_resource_refuses_an_authorization_server_other_than_the_issuer_given() {
    let p = provider();
    p.set_misbehavior(Misbehavior::ResourceMetadataAuthorizationServer(
        "https://evil.example".into(),
    ));
    let resource = format!("{}/resource", p.issuer());
    let out = run(&[
        "login",
        "--json",
        "--issuer",
        &p.issuer(),
        "--resource",
        &resource,
        "--no-browser",
    ]);
    assert!(!out.status.success());
    let v = json_of(&out);
    assert_eq!(v["error"]["code"], 963, "{v}");
    assert!(!p.requests().iter().any(|r| r.path == "/register"));
}
