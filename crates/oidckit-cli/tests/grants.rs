//! End-to-end tests of the `oidckit` grant commands (device, client-credentials, jwt-bearer,
//! password, introspect, revoke) against the mock provider started in this process.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use oidckit_mock::{MockClient, MockConfig, MockProvider};
use serde_json::{Value, json};

mod support;

use support::{command, finish, json_of};
const SUB: &str = "248289761001";

fn run(args: &[&str]) -> Output {
    run_stdin(args, None)
}

fn run_stdin(args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = command(args);
    if stdin.is_some() {
        cmd.stdin(Stdio::piped());
    }
    let mut child = cmd.spawn().expect("oidckit runs");
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        pipe.write_all(text.as_bytes()).expect("write stdin");
    }
    finish(child, Vec::new(), Duration::from_secs(60))
}

fn ok(out: &Output) -> Value {
    let v = json_of(out);
    assert!(
        out.status.success(),
        "failed: {v}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    v
}

/// The `{"error":{"code","message"}}` of a failed run.
fn err(out: &Output) -> (u64, String) {
    let v = json_of(out);
    assert!(!out.status.success(), "expected failure, got {v}");
    let message = v["error"]["message"].as_str().expect("message").to_string();
    (v["error"]["code"].as_u64().expect("numeric code"), message)
}

fn provider_with(f: impl FnOnce(&mut MockConfig)) -> MockProvider {
    let mut cfg = MockConfig::default();
    f(&mut cfg);
    MockProvider::start(cfg).expect("mock provider")
}

/// A file in its own temp dir; the dir goes when the guard is dropped.
struct TempFile {
    _dir: support::TempDir,
    path: PathBuf,
}

impl std::ops::Deref for TempFile {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.path
    }
}

fn temp_file(name: &str, contents: &[u8]) -> TempFile {
    let dir = support::TempDir::new("cli-grants");
    let path = dir.file(name, contents);
    TempFile { _dir: dir, path }
}

fn token_requests(p: &MockProvider) -> Vec<oidckit_mock::RecordedRequest> {
    p.requests()
        .into_iter()
        .filter(|r| r.path == "/token")
        .collect()
}

/// Starts `oidckit device`, reads the user code from its stderr, lets `decide` act on it
/// (after the first poll), and returns the output and what stderr said before.
fn device_flow(p: &MockProvider, decide: impl FnOnce(&str) -> bool) -> (Output, String) {
    let issuer = p.issuer();
    let mut child = command(&[
        "device",
        "--json",
        "--issuer",
        &issuer,
        "--client-id",
        "test-client",
        "--client-secret",
        "test-secret",
        "--scope",
        "openid email",
    ])
    .spawn()
    .expect("oidckit runs");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            seen.extend_from_slice(line.as_bytes());
            seen.push(b'\n');
            if line.starts_with("Waiting for approval") {
                let _ = tx.send(String::from_utf8_lossy(&seen).into_owned());
            }
        }
        seen
    });
    let shown = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the code is shown on stderr");
    let user_code = shown
        .split("enter the code ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("user code on stderr")
        .to_string();
    let deadline = Instant::now() + Duration::from_secs(30);
    while p.device_poll_times(&user_code).is_empty() {
        assert!(Instant::now() < deadline, "the CLI never polled");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(decide(&user_code), "no pending device code {user_code}");
    let out = finish(child, Vec::new(), Duration::from_secs(60));
    let seen = reader.join().expect("stderr reader");
    let out = Output {
        stderr: seen,
        ..out
    };
    (out, shown)
}

#[test]
fn device_flow_shows_code_url_and_qr_then_returns_tokens_once_approved() {
    let p = provider_with(|c| c.device_interval_secs = 1);
    let (out, shown) = device_flow(&p, |code| p.approve_device(code));
    let v = ok(&out);
    assert!(shown.contains(&format!("{}/device", p.issuer())), "{shown}");
    assert!(
        shown.contains('\u{2580}') || shown.contains('\u{2584}'),
        "QR code drawn: {shown}"
    );
    assert!(v["access_token"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["claims"]["sub"], SUB);
    assert_eq!(v["claims"]["aud"], "test-client");
    assert!(
        v["id_token"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("test-secret"));
    let polls = token_requests(&p);
    assert!(polls.iter().all(|r| {
        r.param("grant_type") == Some("urn:ietf:params:oauth:grant-type:device_code")
    }));
}

#[test]
fn device_flow_denied_exits_non_zero_with_151_access_denied() {
    let p = provider_with(|c| c.device_interval_secs = 1);
    let (out, _) = device_flow(&p, |code| p.deny_device(code));
    let (code, message) = err(&out);
    assert_eq!(code, 151, "{message}");
    assert!(message.contains("access_denied"), "{message}");
}

#[test]
fn client_credentials_with_a_secret() {
    let p = provider_with(|_| {});
    let issuer = p.issuer();
    for method in [
        "client_secret_basic",
        "client_secret_post",
        "client_secret_jwt",
    ] {
        let out = run(&[
            "client-credentials",
            "--json",
            "--issuer",
            &issuer,
            "--client-id",
            "test-client",
            "--client-secret",
            "test-secret",
            "--scope",
            "api.read",
            "--auth-method",
            method,
        ]);
        let v = ok(&out);
        assert!(v["access_token"].as_str().is_some_and(|t| !t.is_empty()));
        assert_eq!(v["scope"], "api.read", "{method}");
        assert_eq!(v["id_token"], Value::Null);
        assert_eq!(v["claims"], Value::Null);
        let req = token_requests(&p).pop().expect("token request");
        assert_eq!(req.param("grant_type"), Some("client_credentials"));
        let basic = req.header("authorization").is_some();
        let assertion = req.param("client_assertion").is_some();
        assert_eq!(
            (basic, req.param("client_secret").is_some(), assertion),
            match method {
                "client_secret_basic" => (true, false, false),
                "client_secret_post" => (false, true, false),
                _ => (false, false, true),
            },
            "{method}"
        );
    }
    let out = run(&[
        "client-credentials",
        "--json",
        "--issuer",
        &issuer,
        "--client-id",
        "test-client",
        "--client-secret",
        "wrong",
    ]);
    let (code, message) = err(&out);
    assert_eq!(code, 151, "{message}");
    assert!(message.contains("invalid_client"), "{message}");
    assert!(
        !message.contains("wrong"),
        "the secret is echoed: {message}"
    );
}

/// A provider with the public client `key-client` whose key (made by rcgen) is registered.
fn key_client(p: &MockProvider) -> rcgen::KeyPair {
    let kp = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    p.register_client_key("key-client", &kp.public_key_pem())
        .expect("registered");
    kp
}

#[test]
fn client_credentials_with_a_private_key_uses_private_key_jwt() {
    let p = provider_with(|c| c.clients.push(MockClient::public("key-client")));
    let kp = key_client(&p);
    let key = temp_file("key.pem", kp.serialize_pem().as_bytes());
    let issuer = p.issuer();
    let key_path = key.to_string_lossy();
    let args = [
        "client-credentials",
        "--json",
        "--issuer",
        &issuer,
        "--client-id",
        "key-client",
        "--private-key",
        &key_path,
        "--key-id",
        "cli-key-1",
        "--scope",
        "api.write",
    ];
    let v = ok(&run(&args));
    assert_eq!(v["scope"], "api.write");
    assert!(v["access_token"].as_str().is_some_and(|t| !t.is_empty()));
    let req = token_requests(&p).pop().expect("token request");
    assert_eq!(
        req.param("client_assertion_type"),
        Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    );
    let header = jwt_part(req.param("client_assertion").expect("assertion"), 0);
    assert_eq!(header["alg"], "ES256");
    assert_eq!(header["kid"], "cli-key-1");
    let claims = jwt_part(req.param("client_assertion").expect("assertion"), 1);
    assert_eq!(claims["iss"], "key-client");
    assert_eq!(claims["sub"], "key-client");
    assert!(!String::from_utf8_lossy(&run(&args).stderr).contains("PRIVATE KEY"));

    // Another key is refused by the provider.
    let other = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    let wrong = temp_file("wrong.pem", other.serialize_pem().as_bytes());
    let wrong_path = wrong.to_string_lossy();
    let mut bad = args;
    bad[7] = &wrong_path;
    let (code, message) = err(&run(&bad));
    assert_eq!(code, 151, "{message}");
    assert!(message.contains("invalid_client"), "{message}");
}

/// Header (0) or payload (1) of a compact JWT.
fn jwt_part(jwt: &str, i: usize) -> Value {
    let part = jwt.split('.').nth(i).expect("part");
    let bytes = b64url(part);
    serde_json::from_slice(&bytes).expect("JSON")
}

fn b64url(s: &str) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u32, 0);
    for c in s.bytes() {
        let v = A.iter().position(|&a| a == c).expect("base64url") as u32;
        buf = (buf << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    out
}

#[test]
fn jwt_bearer_with_a_google_style_service_account_key() {
    let p = provider_with(|_| {});
    let kp = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("key");
    let email = "robot@oidckit-test.iam.gserviceaccount.com";
    p.register_client_key(email, &kp.public_key_pem())
        .expect("registered");
    let key = json!({
        "type": "service_account",
        "project_id": "oidckit-test",
        "private_key_id": "sa-key-1",
        "private_key": kp.serialize_pem(),
        "client_email": email,
        "client_id": "1234567890",
        "token_uri": format!("{}/token", p.issuer()),
    });
    let file = temp_file("sa.json", key.to_string().as_bytes());
    let path = file.to_string_lossy();
    let v = ok(&run(&[
        "jwt-bearer",
        "--json",
        "--service-account-key",
        &path,
        "--scope",
        "https://www.googleapis.com/auth/devstorage.read_only",
        "--subject",
        "user@example.com",
    ]));
    assert_eq!(
        v["scope"],
        "https://www.googleapis.com/auth/devstorage.read_only"
    );
    assert!(v["access_token"].as_str().is_some_and(|t| !t.is_empty()));
    let req = token_requests(&p).pop().expect("token request");
    assert_eq!(
        req.param("grant_type"),
        Some("urn:ietf:params:oauth:grant-type:jwt-bearer")
    );
    let assertion = req.param("assertion").expect("assertion");
    assert_eq!(jwt_part(assertion, 0)["kid"], "sa-key-1");
    assert_eq!(jwt_part(assertion, 0)["alg"], "RS256");
    let claims = jwt_part(assertion, 1);
    assert_eq!(claims["iss"], email);
    assert_eq!(claims["sub"], "user@example.com");
    assert_eq!(claims["aud"], format!("{}/token", p.issuer()));

    // --token-url overrides the key's token_uri (here: a port where nothing listens).
    let (code, _) = err(&run(&[
        "jwt-bearer",
        "--json",
        "--service-account-key",
        &path,
        "--token-url",
        "http://127.0.0.1:9/token",
    ]));
    assert_ne!(code, 151);

    // A key without client_email is code 913.
    let mut broken = key.clone();
    broken
        .as_object_mut()
        .expect("object")
        .remove("client_email");
    let file = temp_file("broken.json", broken.to_string().as_bytes());
    let (code, message) = err(&run(&[
        "jwt-bearer",
        "--json",
        "--service-account-key",
        &file.to_string_lossy(),
    ]));
    assert_eq!(code, 913, "{message}");
    assert!(message.contains("client_email"), "{message}");
}

/// A self-signed certificate and its key in a PKCS#12 file protected by `password`.
fn pkcs12(kp: &rcgen::KeyPair, password: &str) -> Vec<u8> {
    let cert = rcgen::CertificateParams::new(vec!["oidckit-cli-test".into()])
        .expect("params")
        .self_signed(kp)
        .expect("cert");
    let key = p12_keystore::PrivateKey::from_der(&kp.serialize_der()).expect("pkcs8");
    let cert = p12_keystore::Certificate::from_der(cert.der()).expect("cert");
    let chain = p12_keystore::PrivateKeyChain::new(vec![7u8], key, [cert]);
    let mut ks = p12_keystore::KeyStore::new();
    ks.add_entry(
        "client",
        p12_keystore::KeyStoreEntry::PrivateKeyChain(chain),
    );
    ks.writer(password).write().expect("pkcs12")
}

#[test]
fn jwt_bearer_microsoft_style_with_a_pkcs12_certificate() {
    let p = provider_with(|c| c.clients.push(MockClient::public("key-client")));
    let kp = key_client(&p);
    let file = temp_file("cert.p12", &pkcs12(&kp, "s3cret"));
    let issuer = p.issuer();
    let path = file.to_string_lossy();
    let args = [
        "jwt-bearer",
        "--json",
        "--service",
        "microsoft",
        "--issuer",
        &issuer,
        "--client-id",
        "key-client",
        "--certificate",
        &path,
        "--scope",
        "https://graph.microsoft.com/.default",
    ];
    let mut cmd = command(&args);
    cmd.env("OIDC_CERT_PASSWORD", "s3cret");
    let out = finish(
        cmd.spawn().expect("runs"),
        Vec::new(),
        Duration::from_secs(60),
    );
    let v = ok(&out);
    assert_eq!(v["scope"], "https://graph.microsoft.com/.default");
    let req = token_requests(&p).pop().expect("token request");
    assert_eq!(req.param("grant_type"), Some("client_credentials"));
    let header = jwt_part(req.param("client_assertion").expect("assertion"), 0);
    assert!(
        header["x5t"].is_string() && header["x5t#S256"].is_string(),
        "{header}"
    );

    // A wrong password is a clear error (912), and the password is not echoed.
    let mut wrong: Vec<&str> = args.to_vec();
    wrong.extend(["--password", "not-it"]);
    let (code, message) = err(&run(&wrong));
    assert_eq!(code, 912, "{message}");
    assert!(!message.contains("not-it"), "{message}");
}

fn password(p: &MockProvider, stdin: &str) -> Output {
    let issuer = p.issuer();
    run_stdin(
        &[
            "password",
            "--json",
            "--issuer",
            &issuer,
            "--client-id",
            "test-client",
            "--client-secret",
            "test-secret",
            "--username",
            "j.doe",
            "--password-stdin",
        ],
        Some(stdin),
    )
}

#[test]
fn password_grant_reads_the_password_from_stdin() {
    let p = provider_with(|_| {});
    let out = password(&p, "password\n");
    let v = ok(&out);
    assert_eq!(v["claims"]["sub"], SUB);
    assert_eq!(v["claims"]["iss"], p.issuer().as_str());
    assert!(v["refresh_token"].as_str().is_some());
    let req = token_requests(&p).pop().expect("token request");
    assert_eq!(req.param("grant_type"), Some("password"));
    assert_eq!(req.param("username"), Some("j.doe"));
    assert_eq!(req.param("password"), Some("password"));

    let out = password(&p, "nope\n");
    let (code, message) = err(&out);
    assert_eq!(code, 151, "{message}");
    assert!(message.contains("invalid_grant"), "{message}");
    assert!(!message.contains("nope"), "{message}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("nope"));

    // Without --password-stdin a non-terminal stdin is read too.
    let issuer = p.issuer();
    let base = [
        "password",
        "--json",
        "--issuer",
        &issuer,
        "--client-id",
        "test-client",
        "--client-secret",
        "test-secret",
        "--username",
        "j.doe",
    ];
    assert_eq!(
        ok(&run_stdin(&base, Some("password\n")))["claims"]["sub"],
        SUB
    );
    // The user's password is never a flag: --password is the certificate's.
    let mut flag = base.to_vec();
    flag.extend(["--password", "password"]);
    let (code, message) = err(&run(&flag));
    assert_eq!(code, 1);
    assert!(message.contains("--password-stdin"), "{message}");
}

#[test]
fn introspect_active_then_revoke_then_introspect_inactive() {
    let p = provider_with(|_| {});
    let issuer = p.issuer();
    let client = [
        "--issuer",
        &issuer,
        "--client-id",
        "test-client",
        "--client-secret",
        "test-secret",
    ];
    let with = |cmd: &[&str]| -> Vec<String> {
        cmd.iter()
            .chain(client.iter())
            .map(|s| s.to_string())
            .collect()
    };
    let runs = |args: Vec<String>| run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let tokens = ok(&password(&p, "password\n"));
    let at = tokens["access_token"].as_str().expect("at").to_string();
    let rt = tokens["refresh_token"].as_str().expect("rt").to_string();

    let v = ok(&runs(with(&["introspect", "--json", &at])));
    assert_eq!(v["active"], true);
    assert_eq!(v["client_id"], "test-client");
    assert_eq!(v["sub"], SUB);
    assert!(v["exp"].as_u64().is_some());

    let v = ok(&runs(with(&[
        "revoke",
        "--json",
        &at,
        "--token-type-hint",
        "access_token",
    ])));
    assert_eq!(v["revoked"], true);
    assert_eq!(v["token_type_hint"], "access_token");
    let req = p
        .requests()
        .into_iter()
        .rfind(|r| r.path == "/revoke")
        .expect("revocation request");
    assert_eq!(req.param("token"), Some(at.as_str()));
    assert_eq!(req.param("token_type_hint"), Some("access_token"));

    let v = ok(&runs(with(&["introspect", "--json", &at])));
    assert_eq!(v["active"], false);

    // Revoking the refresh token: `refresh` then fails; the token can come from stdin.
    let mut cmd = command(
        &with(&[
            "revoke",
            "--json",
            "-",
            "--token-type-hint",
            "refresh_token",
        ])
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>(),
    );
    cmd.stdin(Stdio::piped());
    let mut child = cmd.spawn().expect("runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{rt}\n").as_bytes())
        .expect("write");
    ok(&finish(child, Vec::new(), Duration::from_secs(60)));
    let (code, message) = err(&runs(with(&["refresh", "--json", "--refresh-token", &rt])));
    assert_eq!(code, 151, "{message}");
}

#[test]
fn refresh_and_introspect_accept_a_private_key() {
    let p = provider_with(|c| c.clients.push(MockClient::public("key-client")));
    let kp = key_client(&p);
    let key = temp_file("key.pem", kp.serialize_pem().as_bytes());
    let issuer = p.issuer();
    let key_path = key.to_string_lossy();
    let auth = [
        "--issuer",
        &issuer,
        "--client-id",
        "key-client",
        "--private-key",
        &key_path,
        "--auth-method",
        "private_key_jwt",
    ];
    let cc: Vec<&str> = ["client-credentials", "--json"]
        .into_iter()
        .chain(auth)
        .collect();
    let at = ok(&run(&cc))["access_token"]
        .as_str()
        .expect("at")
        .to_string();
    let intro: Vec<&str> = ["introspect", "--json", &at]
        .into_iter()
        .chain(auth)
        .collect();
    let v = ok(&run(&intro));
    assert_eq!(v["active"], true);
    assert_eq!(v["client_id"], "key-client");
    let req = p
        .requests()
        .into_iter()
        .rfind(|r| r.path == "/introspect")
        .expect("introspection request");
    assert!(req.param("client_assertion").is_some());

    // private_key_jwt without a key is a usage error with a hint.
    let (code, message) = err(&run(&[
        "client-credentials",
        "--json",
        "--issuer",
        &issuer,
        "--client-id",
        "key-client",
        "--auth-method",
        "private_key_jwt",
    ]));
    assert_eq!(code, 1);
    assert!(message.contains("--private-key"), "{message}");
}

#[test]
fn help_lists_the_grant_commands_and_their_flags() {
    let out = run(&["--help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for cmd in [
        "device",
        "client-credentials",
        "jwt-bearer",
        "password",
        "introspect",
        "revoke",
    ] {
        assert!(text.contains(cmd), "{cmd} missing from:\n{text}");
        assert!(run(&[cmd, "--help"]).status.success(), "{cmd} --help");
    }
    let help = String::from_utf8_lossy(&run(&["login", "--help"]).stdout).into_owned();
    for flag in [
        "--private-key",
        "--certificate",
        "--auth-method",
        "--key-id",
    ] {
        assert!(help.contains(flag), "login lacks {flag}");
    }
    let help = String::from_utf8_lossy(&run(&["jwt-bearer", "--help"]).stdout).into_owned();
    assert!(help.contains("--service") && help.contains("--service-account-key"));
    let help = String::from_utf8_lossy(&run(&["password", "--help"]).stdout).into_owned();
    assert!(help.contains("--password-stdin"));
}

// Regression: a random refresh token starting with '-' was taken for a flag ("unexpected
// argument '-H' found") and the CI run failed one time in 64.
#[test]
fn tokens_and_secrets_that_start_with_a_dash_are_values_not_flags() {
    let p = provider_with(|_| {});
    let issuer = p.issuer();
    let out = run(&[
        "--json",
        "refresh",
        "--issuer",
        &issuer,
        "--client-id",
        "test-client",
        "--client-secret",
        "-secret-with-dash",
        "--refresh-token",
        "-Hdash-token",
    ]);
    // The provider, not the argument parser, refuses it: a secret that is wrong, as sent.
    let (code, message) = err(&out);
    assert_eq!(code, 151, "{message}");
    assert!(message.contains("invalid_client"), "{message}");
    let out = run(&[
        "--json",
        "introspect",
        "--issuer",
        &issuer,
        "--client-id",
        "test-client",
        "--client-secret",
        "test-secret",
        "-Hdash-token",
    ]);
    let v = ok(&out);
    assert_eq!(v["active"], false);
}
