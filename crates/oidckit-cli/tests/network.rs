//! Corporate networks and debugging: environment proxies honoured by default (real
//! tinyproxy, only `HTTPS_PROXY` set), `--ca-file` trust anchors in front of a TLS server,
//! the untrusted-certificate hint, and `-v` logging with every secret masked.
// See: issue 15, item 5.

mod support;
#[path = "../../oidckit/tests/transport_support/mod.rs"]
mod support_transport;

use std::process::Output;
use std::time::Duration;

use oidckit_mock::{MockConfig, MockProvider, SigningAlg};
use serde_json::json;

use support::{json_of, run_with};
use support_transport::{Pki, TlsFront, tinyproxy};

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A mock provider behind a TLS front signed by a test CA, a token it signed, and the CA file.
struct Https {
    p: MockProvider,
    front: TlsFront,
    token: String,
    ca_file: std::path::PathBuf,
    /// Holds `ca_file`; removed when the test ends.
    _dir: support::TempDir,
}

fn https() -> Https {
    let p = MockProvider::start(MockConfig::default()).expect("mock");
    let pki = Pki::new();
    let front = TlsFront::start(&pki, p.port(), false);
    let token = p.sign_jwt(
        &json!({ "iss": p.issuer(), "aud": "test-client", "sub": "s",
                 "iat": 1_700_000_000u64, "exp": 4_000_000_000u64 }),
        SigningAlg::RS256,
    );
    let dir = support::TempDir::new("cli-net");
    let ca_file = dir.file("ca.pem", pki.ca_pem.as_bytes());
    Https {
        p,
        front,
        token,
        ca_file,
        _dir: dir,
    }
}

impl Https {
    /// `oidckit verify` fetching the JWKS over https from the front.
    fn verify(&self, extra: &[&str], envs: &[(&str, &str)]) -> Output {
        let issuer = self.p.issuer();
        let jwks = format!("https://127.0.0.1:{}/jwks", self.front.port);
        let mut args = vec![
            "verify",
            &self.token,
            "--json",
            "--issuer",
            &issuer,
            "--client-id",
            "test-client",
            "--jwks",
            &jwks,
        ];
        args.extend_from_slice(extra);
        run_with(&args, envs, Duration::from_secs(60))
    }

    fn ca(&self) -> &str {
        self.ca_file.to_str().expect("utf-8")
    }
}

#[test]
fn an_untrusted_certificate_names_ca_file_and_prints_its_cause_once() {
    let h = https();
    let out = h.verify(&[], &[]);
    assert_eq!(out.status.code(), Some(1));
    let v = json_of(&out);
    assert_eq!(v["error"]["code"], 1120, "{v}");
    let message = v["error"]["message"].as_str().expect("message");
    assert!(
        message.contains("--ca-file") && message.contains("SSL_CERT_FILE"),
        "{message}"
    );
    let cause = "UnknownIssuer";
    assert_eq!(message.matches(cause).count(), 1, "{message}");

    let out = h.verify(&["--ca-file", h.ca()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json_of(&out)["valid"], true);
    // The other fix the message names: a CA bundle in SSL_CERT_FILE.
    let out = h.verify(&[], &[("SSL_CERT_FILE", h.ca())]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn https_proxy_from_the_environment_is_used_by_default() {
    let Some(proxy) = tinyproxy("alice", "s3cret") else {
        return;
    };
    let h = https();
    let good = format!("http://alice:s3cret@127.0.0.1:{}", proxy.port);
    let bad = format!("http://alice:wrong@127.0.0.1:{}", proxy.port);
    let out = h.verify(&["--ca-file", h.ca()], &[("HTTPS_PROXY", &good)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The wrong password proves the request really went to the proxy (118)…
    let out = h.verify(&["--ca-file", h.ca()], &[("HTTPS_PROXY", &bad)]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        json_of(&out)["error"]["code"],
        118,
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // …as does a proxy that is not there; --no-env-proxy and NO_PROXY bypass it.
    let gone = "http://127.0.0.1:9";
    let out = h.verify(&["--ca-file", h.ca()], &[("HTTPS_PROXY", gone)]);
    assert_eq!(json_of(&out)["error"]["code"], 118);
    let out = h.verify(
        &["--ca-file", h.ca(), "--no-env-proxy"],
        &[("HTTPS_PROXY", gone)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = h.verify(
        &["--ca-file", h.ca()],
        &[("HTTPS_PROXY", gone), ("NO_PROXY", "127.0.0.1")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn verbose_prints_each_exchange_with_secrets_codes_and_tokens_masked() {
    let p = MockProvider::start(MockConfig::default()).expect("mock");
    let issuer = p.issuer();
    let out = support::login(&issuer, &["--json", "-vv"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let log = stderr(&out);
    assert!(log.contains(&format!("* POST {issuer}/token")), "{log}");
    assert!(
        log.contains("* HTTP/1.1 200 OK (") && log.contains(" ms)"),
        "{log}"
    );
    assert!(log.contains("> authorization: Basic ********"), "{log}");
    assert!(
        log.to_ascii_lowercase()
            .contains("< content-type: application/json"),
        "{log}"
    );
    let v = json_of(&out);
    let code = p
        .requests()
        .into_iter()
        .find(|r| r.path == "/token")
        .and_then(|r| r.param("code").map(str::to_string))
        .expect("the code sent");
    let mut secrets = vec![
        "test-secret".to_string(),
        "dGVzdC1jbGllbnQ6dGVzdC1zZWNyZXQ".to_string(),
        code,
    ];
    for field in ["access_token", "refresh_token", "id_token"] {
        secrets.push(v[field].as_str().expect(field).to_string());
    }
    for s in &secrets {
        assert!(!log.contains(s.as_str()), "{s} in the -v log:\n{log}");
    }
}
