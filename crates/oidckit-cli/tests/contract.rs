//! The command-line contract: flags people and scripts rely on, JSON errors for every
//! failure, secrets kept out of argv, private files, and refresh per Core §12.2.
// See: issue 10, items 4 (CLI half) and 7.

use std::process::Output;
use std::time::Duration;

use oidckit_mock::{Misbehavior, MockConfig, MockProvider, SigningAlg};
use serde_json::{Value, json};

mod support;

use support::{json_of, run_stdin, run_with};

fn run(args: &[&str]) -> Output {
    run_with(args, &[], Duration::from_secs(60))
}

fn ok(out: &Output) -> Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}\nstdout: {}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    json_of(out)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn temp_dir(name: &str) -> support::TempDir {
    support::TempDir::new(&format!("contract-{name}"))
}

fn login(p: &MockProvider, extra: &[&str]) -> Output {
    let mut args = vec!["--json"];
    args.extend_from_slice(extra);
    support::login(&p.issuer(), &args)
}

fn sent_code_challenge(p: &MockProvider) -> bool {
    p.requests()
        .into_iter()
        .find(|r| r.path == "/authorize")
        .expect("an authorization request")
        .param("code_challenge")
        .is_some()
}

#[test]
fn login_accepts_pkce_and_no_pkce_warns_loudly() {
    let p = MockProvider::start(MockConfig::default()).expect("mock");
    let v = ok(&login(&p, &["--pkce"]));
    assert!(v["id_token"].is_string());
    assert!(sent_code_challenge(&p));

    let p = MockProvider::start(MockConfig::default()).expect("mock");
    let out = login(&p, &["--no-pkce"]);
    ok(&out);
    assert!(
        stderr(&out).contains("warning: --no-pkce"),
        "{}",
        stderr(&out)
    );
    assert!(!sent_code_challenge(&p));
}

#[test]
fn every_json_failure_is_one_error_object_even_usage_errors() {
    for args in [
        vec!["--json", "login", "--no-such-flag"],
        vec!["login", "--no-such-flag", "--json"],
        vec!["--json", "no-such-command"],
        vec!["--json", "refresh"],
        vec!["--json", "verify", "--profile", "nonsense", "x.y.z"],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let v = json_of(&out);
        assert_eq!(v["error"]["code"], 2, "{args:?}: {v}");
        let message = v["error"]["message"].as_str().expect("message");
        assert!(
            !message.is_empty() && !message.contains('\x1b'),
            "{message}"
        );
    }
    // Text mode keeps clap's usage error on stderr, exit 2; --help still exits 0.
    let out = run(&["login", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert_eq!(run(&["--json", "--help"]).status.code(), Some(0));
}

#[test]
fn an_oauth_error_carries_error_and_error_description_fields() {
    let p = MockProvider::start(MockConfig::default()).expect("mock");
    let issuer = p.issuer();
    let out = run(&[
        "refresh",
        "--json",
        "--issuer",
        &issuer,
        "--client-id",
        "test-client",
        "--client-secret",
        "test-secret",
        "--refresh-token",
        "not-a-refresh-token",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v = json_of(&out);
    assert_eq!(v["error"]["code"], 151);
    assert_eq!(v["error"]["error"], "invalid_grant");
    assert!(v["error"]["error_description"].is_string(), "{v}");
}

#[test]
fn messages_never_show_rust_debug_formatting() {
    for m in [
        Misbehavior::IdTokenWrongAudience,
        Misbehavior::IdTokenWrongAzp,
        Misbehavior::IdTokenBadSignature,
        Misbehavior::AuthResponseWrongState,
    ] {
        let p = MockProvider::start(MockConfig::default()).expect("mock");
        p.set_misbehavior(m.clone());
        let out = login(&p, &[]);
        assert_eq!(out.status.code(), Some(1), "{m:?}");
        let message = json_of(&out)["error"]["message"]
            .as_str()
            .expect("message")
            .to_string();
        for debug in ["Some(", "None)", "Str(", "Strs(", "Field"] {
            assert!(!message.contains(debug), "{m:?}: {message}");
        }
    }
}

#[test]
fn the_client_secret_comes_from_a_file_or_stdin() {
    let p = MockProvider::start(MockConfig::default()).expect("mock");
    let issuer = p.issuer();
    let dir = temp_dir("secret");
    let file = dir.join("secret");
    std::fs::write(&file, "test-secret\n").expect("write");
    let base = [
        "client-credentials",
        "--json",
        "--issuer",
        &issuer,
        "--client-id",
        "test-client",
        "--client-secret-file",
    ];
    let mut args = base.to_vec();
    args.push(file.to_str().expect("utf-8"));
    ok(&run(&args));
    let mut args = base.to_vec();
    args.push("-");
    ok(&run_stdin(&args, "test-secret\n"));
    // The secret never needed argv.
    assert!(!args.contains(&"test-secret"));
}

#[test]
fn a_dash_reads_each_token_argument_from_stdin() {
    let p = MockProvider::start(MockConfig::default()).expect("mock");
    let v = ok(&login(&p, &["--scope", "openid email"]));
    let refresh = v["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_string();
    let issuer = p.issuer();
    let out = run_stdin(
        &[
            "refresh",
            "--json",
            "--issuer",
            &issuer,
            "--client-id",
            "test-client",
            "--client-secret",
            "test-secret",
            "--refresh-token",
            "-",
        ],
        &format!("{refresh}\n"),
    );
    let refreshed = ok(&out);
    let access = refreshed["access_token"].as_str().expect("access token");
    let out = run_stdin(
        &[
            "userinfo",
            "--json",
            "--issuer",
            &issuer,
            "--client-id",
            "test-client",
            "--access-token",
            "-",
        ],
        access,
    );
    assert_eq!(ok(&out)["email"], "janedoe@example.com");
    // Two `-` arguments cannot both read stdin.
    let out = run_stdin(
        &[
            "refresh",
            "--json",
            "--issuer",
            &issuer,
            "--client-id",
            "test-client",
            "--client-secret-file",
            "-",
            "--refresh-token",
            "-",
        ],
        "test-secret",
    );
    assert_eq!(out.status.code(), Some(1));
}

#[cfg(unix)]
#[test]
fn auth_url_saves_the_transaction_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let p = MockProvider::start(MockConfig::default()).expect("mock");
    let issuer = p.issuer();
    let dir = temp_dir("save");
    let fresh = dir.join("tx.json");
    let existing = dir.join("old.json");
    std::fs::write(&existing, "{}").expect("write");
    std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    for path in [&fresh, &existing] {
        let out = run(&[
            "auth-url",
            "--issuer",
            &issuer,
            "--client-id",
            "test-client",
            "--redirect-uri",
            "http://127.0.0.1:9/cb",
            "--save",
            path.to_str().expect("utf-8"),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let mode = std::fs::metadata(path).expect("saved").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", path.display());
        let tx: Value = serde_json::from_slice(&std::fs::read(path).expect("read")).expect("json");
        assert!(tx["code_verifier"].is_string(), "{tx}");
    }
}

#[test]
fn discover_takes_a_file_with_oidc_issuer_set_an_issuer_flag_and_quotes_list_values() {
    let p = MockProvider::start(MockConfig::default()).expect("mock");
    let issuer = p.issuer();
    let dir = temp_dir("discover");
    let doc = dir.join("doc.json");
    let out = run(&["discover", "--json", "--issuer", &issuer]);
    let fetched = ok(&out);
    std::fs::write(&doc, fetched["document"].to_string()).expect("write");
    let out = run_with(
        &["discover", "--file", doc.to_str().expect("utf-8")],
        &[("OIDC_ISSUER", "https://elsewhere.example")],
        Duration::from_secs(60),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    // One value with a space is quoted as one; two values are two quoted items.
    assert!(text.contains("\"code id_token\""), "{text}");
    assert!(text.contains("\"code\", \"id_token\""), "{text}");
    // An explicit issuer and --file together are a mistake.
    let out = run(&["discover", &issuer, "--file", doc.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn refresh_checks_the_new_id_token_against_the_original() {
    let p = MockProvider::start(MockConfig::default()).expect("mock");
    let issuer = p.issuer();
    let refresh = |refresh_token: &str, id_token: &str, stdin: Option<&str>| {
        let args = [
            "refresh",
            "--json",
            "--issuer",
            &issuer,
            "--client-id",
            "test-client",
            "--client-secret",
            "test-secret",
            "--refresh-token",
            refresh_token,
            "--id-token",
            id_token,
        ];
        match stdin {
            Some(s) => run_stdin(&args, s),
            None => run(&args),
        }
    };
    let v = ok(&login(&p, &[]));
    let original = v["id_token"].as_str().expect("id token").to_string();
    let rt = v["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_string();
    let v = ok(&refresh(&rt, &original, None));
    assert_eq!(v["claims"]["sub"], "248289761001");
    let rt = v["refresh_token"].as_str().expect("rotated").to_string();
    let v = ok(&refresh(&rt, "-", Some(&original)));
    let rt = v["refresh_token"].as_str().expect("rotated").to_string();

    // An original for another user: the refreshed token's sub differs.
    let other = p.sign_jwt(
        &json!({ "iss": issuer, "aud": "test-client", "sub": "someone-else",
                 "iat": 1_700_000_000u64, "exp": 1_700_003_600u64 }),
        SigningAlg::RS256,
    );
    let out = refresh(&rt, &other, None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_of(&out)["error"]["code"], 903);

    // An original whose audience is different (aud must be the same, §12.2).
    let v = ok(&login(&p, &[]));
    let rt = v["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_string();
    let wider = p.sign_jwt(
        &json!({ "iss": issuer, "aud": ["test-client", "api"], "azp": "test-client",
                 "sub": "248289761001", "iat": 1_700_000_000u64, "exp": 1_700_003_600u64 }),
        SigningAlg::RS256,
    );
    let out = refresh(&rt, &wider, None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_of(&out)["error"]["code"], 903);
}

#[test]
fn text_refresh_without_an_id_token_names_nobody() {
    let p = MockProvider::start(MockConfig::default()).expect("mock");
    let v = ok(&login(&p, &[]));
    let rt = v["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_string();
    p.set_misbehavior(Misbehavior::TokenOmitsIdToken);
    let issuer = p.issuer();
    let out = run(&[
        "refresh",
        "--issuer",
        &issuer,
        "--client-id",
        "test-client",
        "--client-secret",
        "test-secret",
        "--refresh-token",
        &rt,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("Signed in as"), "{text}");
    assert!(text.contains("access token: "), "{text}");
}

#[test]
fn completions_and_man_page_are_generated() {
    for shell in ["bash", "zsh", "fish"] {
        let out = run(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("oidckit") && text.contains("refresh"),
            "{shell}: {text}"
        );
    }
    let out = run(&["man"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(".TH oidckit"), "{text}");
    assert!(text.contains("login"));
}

#[test]
fn no_spinner_is_drawn_when_stderr_is_not_a_terminal() {
    let cfg = MockConfig {
        device_interval_secs: 1,
        ..MockConfig::default()
    };
    let p = MockProvider::start(cfg).expect("mock");
    let issuer = p.issuer();
    let out = run(&[
        "device",
        "--issuer",
        &issuer,
        "--client-id",
        "test-client",
        "--client-secret",
        "test-secret",
        "--no-qr",
        "--poll-timeout",
        "2",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!out.stderr.contains(&b'\r'), "{}", stderr(&out));
}

#[test]
fn a_countdown_is_drawn_when_stderr_is_a_terminal() {
    // `script` (util-linux, essential on Debian) runs the CLI on a pseudo-terminal.
    let cfg = MockConfig {
        device_interval_secs: 1,
        ..MockConfig::default()
    };
    let p = MockProvider::start(cfg).expect("mock");
    let line = format!(
        "'{}' device --issuer {} --client-id test-client --client-secret test-secret --no-qr --poll-timeout 2",
        support::BIN,
        p.issuer()
    );
    let mut cmd = std::process::Command::new("script");
    cmd.args(["-qefc", &line, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, _) in std::env::vars() {
        if k.starts_with("OIDC") || k.to_ascii_uppercase().ends_with("_PROXY") {
            cmd.env_remove(k);
        }
    }
    let child = cmd.spawn().expect("`script` from util-linux runs");
    let out = support::finish(child, Vec::new(), Duration::from_secs(60));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Waiting for approval on the other device"),
        "{text}"
    );
    assert!(text.contains(" left)"), "{text}");
}
