//! Snapshots of help and error output with their exit codes (clap `tests/ui` style). After an
//! intended change, regenerate with `OIDCKIT_UPDATE_SNAPSHOTS=1 cargo test -p oidckit-cli
//! --test snapshots` and review the diff.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use support::run_with;

/// Runs `args` and compares `exit code`, stdout and stderr with `tests/snapshots/NAME.txt`.
fn snapshot(name: &str, args: &[&str]) {
    let out = run_with(args, &[], Duration::from_secs(60));
    let actual = format!(
        "$ oidckit {}\nexit: {}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        out.status.code().map_or("signal".into(), |c| c.to_string()),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.txt"));
    if std::env::var("OIDCKIT_UPDATE_SNAPSHOTS").as_deref() == Ok("1") {
        std::fs::write(&path, &actual).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        actual,
        expected,
        "{} differs (OIDCKIT_UPDATE_SNAPSHOTS=1 regenerates it)",
        path.display()
    );
}

#[test]
fn verify_help_matches_its_snapshot() {
    snapshot("verify-help", &["verify", "--help"]);
}

#[test]
fn usage_errors_match_their_snapshots_in_text_and_json() {
    snapshot("usage-error-text", &["refresh", "--no-such-flag"]);
    snapshot("usage-error-json", &["--json", "refresh", "--no-such-flag"]);
}

#[test]
fn a_library_error_matches_its_snapshot_in_text_and_json() {
    snapshot("malformed-token-text", &["verify", "not-a-jwt"]);
    snapshot("malformed-token-json", &["--json", "verify", "not-a-jwt"]);
}
