//! `oidckit token` and `oidckit logout` against panva's certified `oidc-provider` (started
//! from `interop/provider.mjs`): sign-in through its login and consent pages, answers from
//! the cache, refresh with rotation, a fresh sign-in after revocation, and revocation on
//! logout. Skipped only with `OIDCKIT_SKIP_INTEROP=1` when Node.js or the npm packages are
//! missing.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::Value;

#[path = "../../oidckit/tests/interop_support/mod.rs"]
#[macro_use]
mod interop_support;
mod support;

use interop_support::{Browser, OpenIdProvider, USER};
use support::{finish, json_of, ok_json as ok, run_with};

const TIMEOUT: Duration = Duration::from_secs(90);
const CLIENT: &str = "interop-basic";

struct Setup {
    dir: PathBuf,
    url_file: PathBuf,
    flags: Vec<String>,
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A temporary home with the cache and a "browser" script that hands the URL to the test.
fn setup(op: &OpenIdProvider, name: &str) -> Setup {
    let dir = std::env::temp_dir().join(format!(
        "oidckit-token-interop-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (script, url_file) = support::url_handing_browser(&dir);
    let flags = [
        "--issuer",
        op.issuer(),
        "--client-id",
        CLIENT,
        "--client-secret",
        &format!("{CLIENT}-secret"),
        "--scope",
        "openid profile email",
        // The registered redirect URI is http://127.0.0.1:9/cb; for native clients the port of
        // a loopback redirect URI may differ (RFC 8252 §7.3).
        "--redirect-path",
        "/cb",
        "--browser-command",
        &script.display().to_string(),
        "--browser-timeout",
        "60",
        "--token-cache",
        "file",
        "--cache-dir",
        &dir.join("cache").display().to_string(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    Setup {
        dir,
        url_file,
        flags,
    }
}

/// Runs `oidckit <command> <flags> <extra>`; signs in at the provider whenever the command
/// opens the "browser". Returns the output and how many sign-ins it took.
async fn run(s: &Setup, command: &[&str], extra: &[&str]) -> (Output, usize) {
    let mut args: Vec<&str> = command.to_vec();
    args.extend(s.flags.iter().map(String::as_str));
    args.extend_from_slice(extra);
    let mut child = support::command(&args).spawn().expect("oidckit runs");
    let deadline = Instant::now() + TIMEOUT;
    let mut sign_ins = 0;
    while child.try_wait().expect("wait").is_none() && Instant::now() < deadline {
        if let Ok(url) = std::fs::read_to_string(&s.url_file) {
            let _ = std::fs::remove_file(&s.url_file);
            let _ = Browser::new().visit(&url).await;
            sign_ins += 1;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let out = tokio::task::spawn_blocking(move || finish(child, Vec::new(), TIMEOUT))
        .await
        .expect("join");
    (out, sign_ins)
}

fn cached(dir: &Path) -> Value {
    let cache = dir.join("cache");
    let file = std::fs::read_dir(&cache)
        .expect("cache dir")
        .map(|e| e.expect("entry").path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("a record");
    let rec: Value =
        serde_json::from_str(&std::fs::read_to_string(file).expect("read")).expect("JSON");
    rec["tokens"].clone()
}

/// `oidckit <command> --issuer … --client-id interop-basic --client-secret …`.
fn with_client(op: &OpenIdProvider, command: &[&str]) -> Output {
    let secret = format!("{CLIENT}-secret");
    let mut args = command.to_vec();
    args.extend([
        "--issuer",
        op.issuer(),
        "--client-id",
        CLIENT,
        "--client-secret",
        &secret,
    ]);
    run_with(&args, &[], TIMEOUT)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_cache_refresh_revocation_and_logout_against_oidc_provider() {
    let op = provider_or_skip!();
    let s = setup(&op, "flow");

    // First call: signs in through the provider's login and consent pages.
    let (out, sign_ins) = run(&s, &["token", "--format", "json"], &[]).await;
    let first = ok(&out);
    assert_eq!(sign_ins, 1);
    assert_eq!(first["claims"]["sub"], USER);
    assert_eq!(first["claims"]["iss"], op.issuer());
    let at1 = first["access_token"].as_str().expect("at").to_string();
    let rt1 = cached(&s.dir)["refresh_token"]
        .as_str()
        .expect("rt")
        .to_string();

    // Second: from the cache, the same token, no browser.
    let (out, sign_ins) = run(&s, &["token"], &[]).await;
    assert!(out.status.success());
    assert_eq!(sign_ins, 0);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), at1);

    // Within the margin: refreshed; oidc-provider rotates the refresh token.
    let (out, sign_ins) = run(
        &s,
        &["token", "--format", "json"],
        &["--min-validity", "7200"],
    )
    .await;
    let second = ok(&out);
    assert_eq!(sign_ins, 0);
    assert_ne!(second["access_token"], at1.as_str());
    let rt2 = cached(&s.dir)["refresh_token"]
        .as_str()
        .expect("rt")
        .to_string();
    assert_ne!(rt2, rt1);

    // The refresh token revoked: invalid_grant on refresh, then a fresh sign-in.
    let revoke = with_client(
        &op,
        &[
            "revoke",
            "--json",
            &rt2,
            "--token-type-hint",
            "refresh_token",
        ],
    );
    ok(&revoke);
    let (out, sign_ins) = run(
        &s,
        &["token", "--format", "json"],
        &["--min-validity", "7200"],
    )
    .await;
    let third = ok(&out);
    assert_eq!(sign_ins, 1, "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(third["claims"]["sub"], USER);
    let rt3 = cached(&s.dir)["refresh_token"]
        .as_str()
        .expect("rt")
        .to_string();

    // Logout revokes the refresh token at the provider.
    let (out, _) = run(&s, &["logout", "--json"], &[]).await;
    let v = ok(&out);
    assert_eq!(v["removed"], true);
    assert!(
        v["revoked"]
            .as_array()
            .is_some_and(|r| r.iter().any(|x| x == "refresh token")),
        "{v}"
    );
    let refresh = with_client(&op, &["refresh", "--json", "--refresh-token", &rt3]);
    assert!(
        !refresh.status.success(),
        "the revoked refresh token is dead"
    );
    assert_eq!(json_of(&refresh)["error"]["code"], 151);
}
