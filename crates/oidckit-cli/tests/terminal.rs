//! Terminal injection: every provider-controlled string the CLI prints goes through one
//! escaping helper. A hostile mock provider sends ANSI, OSC-8, CR-LF, C1, DEL and bidi
//! payloads in error texts, device fields, claims, discovery fields and UserInfo; no raw
//! control character may reach stdout or stderr, in text or JSON mode.
// See: issue 10, item 2.

use std::process::Output;
use std::time::Duration;

use oidckit_mock::{Misbehavior, MockConfig, MockProvider, SigningAlg};
use serde_json::json;

mod support;

use support::{json_of, run_with};

/// Clears the screen, plants an OSC-8 link, forges a line, then C1 CSI, DEL and a bidi override.
const EVIL: &str = "\x1b[2J\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07\r\nerror[0]: all good\u{9b}31m\x7f\u{202e}";

fn run(args: &[&str]) -> Output {
    run_with(args, &[], Duration::from_secs(60))
}

/// Fails when stdout or stderr holds a control character other than a line feed (or a bidi
/// override), and returns both as text.
fn assert_clean(out: &Output) -> (String, String) {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    for (name, text) in [("stdout", &stdout), ("stderr", &stderr)] {
        let bad: Vec<char> = text
            .chars()
            .filter(|&c| {
                (c.is_control() && c != '\n')
                    || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
            })
            .collect();
        assert!(
            bad.is_empty(),
            "raw control characters {bad:?} on {name}:\n{}",
            text.escape_debug()
        );
    }
    (stdout, stderr)
}

fn login(p: &MockProvider, json: bool) -> Output {
    let scope: &[&str] = &["--scope", "openid profile email"];
    let json_flag: &[&str] = if json { &["--json"] } else { &[] };
    support::login(&p.issuer(), &[scope, json_flag].concat())
}

fn hostile_user() -> MockConfig {
    let mut cfg = MockConfig::default();
    cfg.user.sub = format!("user{EVIL}");
    cfg.user
        .claims
        .insert("email".into(), format!("a{EVIL}@example.com").into());
    cfg.user.claims.insert("name".into(), EVIL.into());
    cfg.user.claims.insert(EVIL.into(), "claim name".into());
    cfg
}

#[test]
fn authorization_error_texts_are_escaped_in_text_and_json() {
    let p = MockProvider::start(MockConfig::default()).expect("mock");
    p.set_misbehavior(Misbehavior::AuthResponseErrorText {
        error: format!("access_denied{EVIL}"),
        description: EVIL.into(),
    });
    let out = login(&p, false);
    assert_eq!(out.status.code(), Some(1));
    let (_, stderr) = assert_clean(&out);
    assert!(stderr.contains("error[904]"), "{stderr}");
    assert!(
        stderr.contains("\\u{1b}[2J"),
        "escaped, not dropped: {stderr}"
    );

    let out = login(&p, true);
    assert_eq!(out.status.code(), Some(1));
    assert_clean(&out);
    let v = json_of(&out);
    assert_eq!(v["error"]["code"], 904);
    // JSON keeps the exact provider text (escaped as JSON) in its own fields.
    assert_eq!(v["error"]["error"], format!("access_denied{EVIL}"));
    assert_eq!(v["error"]["error_description"], EVIL);
}

#[test]
fn token_error_texts_are_escaped_in_text_and_json() {
    let p = MockProvider::start(MockConfig::default()).expect("mock");
    p.set_misbehavior(Misbehavior::TokenErrorText {
        error: format!("invalid_grant{EVIL}"),
        description: EVIL.into(),
    });
    let issuer = p.issuer();
    let args = [
        "refresh",
        "--issuer",
        &issuer,
        "--client-id",
        "test-client",
        "--client-secret",
        "test-secret",
        "--refresh-token",
        "some-token",
    ];
    let out = run(&args);
    assert_eq!(out.status.code(), Some(1));
    let (_, stderr) = assert_clean(&out);
    assert!(stderr.contains("error[151]"), "{stderr}");

    let mut json_args = args.to_vec();
    json_args.push("--json");
    let out = run(&json_args);
    assert_clean(&out);
    let v = json_of(&out);
    assert_eq!(v["error"]["code"], 151);
    assert_eq!(v["error"]["error"], format!("invalid_grant{EVIL}"));
    assert_eq!(v["error"]["error_description"], EVIL);
}

#[test]
fn device_user_code_and_verification_uri_are_escaped() {
    let cfg = MockConfig {
        device_interval_secs: 1,
        ..MockConfig::default()
    };
    let p = MockProvider::start(cfg).expect("mock");
    p.set_misbehavior(Misbehavior::DeviceDisplayText {
        user_code: format!("ABCD{EVIL}"),
        verification_uri: format!("{}/device{EVIL}", p.issuer()),
    });
    let issuer = p.issuer();
    let out = run(&[
        "device",
        "--issuer",
        &issuer,
        "--client-id",
        "test-client",
        "--client-secret",
        "test-secret",
        "--poll-timeout",
        "1",
    ]);
    // Whether the URI is refused or shown, nothing raw reaches the terminal.
    assert_eq!(out.status.code(), Some(1));
    let (_, stderr) = assert_clean(&out);
    if stderr.contains("enter the code") {
        assert!(stderr.contains("ABCD\\u{1b}[2J"), "{stderr}");
    }
}

#[test]
fn claims_userinfo_introspection_and_verify_output_are_escaped() {
    let p = MockProvider::start(hostile_user()).expect("mock");
    let out = login(&p, false);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (stdout, _) = assert_clean(&out);
    assert!(
        stdout.starts_with("Signed in as user\\u{1b}[2J"),
        "{stdout}"
    );

    let out = login(&p, true);
    let (stdout, _) = assert_clean(&out);
    assert!(stdout.contains("\\u009b"), "C1 escaped in JSON: {stdout}");
    let v = json_of(&out);
    assert_eq!(
        v["claims"]["sub"],
        format!("user{EVIL}"),
        "JSON keeps the value"
    );
    let access = v["access_token"]
        .as_str()
        .expect("access token")
        .to_string();
    let id_token = v["id_token"].as_str().expect("id token").to_string();

    let issuer = p.issuer();
    let out = run(&[
        "userinfo",
        "--issuer",
        &issuer,
        "--client-id",
        "test-client",
        "--access-token",
        &access,
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_clean(&out);

    let out = run(&[
        "introspect",
        &access,
        "--issuer",
        &issuer,
        "--client-id",
        "test-client",
        "--client-secret",
        "test-secret",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_clean(&out);

    let out = run(&[
        "verify",
        &id_token,
        "--issuer",
        &issuer,
        "--client-id",
        "test-client",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_clean(&out);

    // Unverified values quoted in warnings (no --issuer / --client-id) are escaped too.
    let forged = p.sign_jwt(
        &json!({ "iss": format!("{issuer}{EVIL}"), "aud": EVIL, "sub": "x", "exp": 4_000_000_000u64, "iat": 1 }),
        SigningAlg::RS256,
    );
    let out = run(&["verify", &forged]);
    assert_eq!(out.status.code(), Some(1));
    assert_clean(&out);
}

#[test]
fn discovery_fields_and_errors_that_quote_them_are_escaped() {
    let p = MockProvider::start(MockConfig::default()).expect("mock");
    let list = serde_json::to_string(&json!(["openid", EVIL])).expect("json");
    p.set_misbehavior(Misbehavior::DiscoveryMember(
        "scopes_supported".into(),
        list,
    ));
    let endpoint = serde_json::to_string(&format!("{}/logout{EVIL}", p.issuer())).expect("json");
    p.set_misbehavior(Misbehavior::DiscoveryMember(
        "end_session_endpoint".into(),
        endpoint,
    ));
    let issuer = p.issuer();
    let out = run(&["discover", &issuer]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (stdout, _) = assert_clean(&out);
    assert!(stdout.contains("\"\\u{1b}[2J"), "{stdout}");
    let out = run(&["discover", &issuer, "--json"]);
    assert_clean(&out);
    assert_eq!(json_of(&out)["document"]["scopes_supported"][1], EVIL);

    // An error message that quotes the provider's issuer.
    let bad_issuer = serde_json::to_string(&format!("https://evil.example/{EVIL}")).expect("json");
    p.set_misbehavior(Misbehavior::DiscoveryMember("issuer".into(), bad_issuer));
    let out = run(&["discover", &issuer]);
    assert_eq!(out.status.code(), Some(1));
    let (_, stderr) = assert_clean(&out);
    assert!(stderr.contains("error[900]"), "{stderr}");
    let out = run(&["discover", &issuer, "--json"]);
    assert_clean(&out);
    assert_eq!(json_of(&out)["error"]["code"], 900);
}

#[test]
fn an_error_that_quotes_a_provider_url_is_escaped() {
    let p = MockProvider::start(MockConfig::default()).expect("mock");
    let issuer = p.issuer();
    // The key download fails at a jwks_uri with hostile text; the message names the URL.
    let doc = serde_json::to_string(&format!("{issuer}/nowhere{EVIL}")).expect("json");
    p.set_misbehavior(Misbehavior::DiscoveryMember("jwks_uri".into(), doc));
    let token = p.sign_jwt(
        &json!({ "iss": issuer, "aud": "test-client", "sub": "x", "exp": 4_000_000_000u64, "iat": 1 }),
        SigningAlg::RS256,
    );
    let out = run(&[
        "verify",
        &token,
        "--issuer",
        &issuer,
        "--client-id",
        "test-client",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_clean(&out);
    let out = run(&[
        "verify",
        &token,
        "--issuer",
        &issuer,
        "--client-id",
        "test-client",
        "--json",
    ]);
    assert_clean(&out);
    assert!(json_of(&out)["error"]["code"].as_u64().is_some());
}
