//! Running the real `oidckit` binary from tests: a clean environment, and a deadline so that a
//! hanging command fails its test instead of hanging the suite.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A fresh directory under the system temp dir, removed with its contents when dropped (also
/// when the test fails), so test runs leave nothing behind.
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates `<tmp>/oidckit-<tag>-<pid>-<n>`.
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "oidckit-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `contents` to `name` in the directory and returns its path.
    pub fn file(&self, name: &str, contents: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).expect("write a temp file");
        path
    }
}

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_oidckit");

/// The binary with a clean environment (no `OIDC_*` from the developer's shell, no providers file).
pub fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, _) in std::env::vars() {
        // The CLI honours proxy variables; tests that want a proxy set them themselves.
        let proxy = k.to_ascii_uppercase().ends_with("_PROXY");
        if k.starts_with("OIDC") || proxy || k == "SSL_CERT_FILE" {
            cmd.env_remove(k);
        }
    }
    cmd.env(
        "XDG_CONFIG_HOME",
        std::env::temp_dir().join("oidckit-test-no-config"),
    );
    cmd
}

/// Waits for `child` (whose stderr may already be partly read into `stderr_so_far`), killing it
/// and failing the test after `timeout`.
pub fn finish(mut child: Child, stderr_so_far: Vec<u8>, timeout: Duration) -> Output {
    let mut stdout = child.stdout.take().expect("stdout");
    let stderr = child.stderr.take();
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stdout.read_to_end(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = stderr_so_far;
        if let Some(mut e) = stderr {
            let _ = e.read_to_end(&mut s);
        }
        s
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("oidckit hung for more than {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out_reader.join().expect("stdout"),
        stderr: err_reader.join().expect("stderr"),
    }
}

/// Runs the binary with extra environment variables and a deadline.
pub fn run_with(args: &[&str], envs: &[(&str, &str)], timeout: Duration) -> Output {
    let mut cmd = command(args);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    finish(cmd.spawn().expect("oidckit runs"), Vec::new(), timeout)
}

/// The single JSON object a `--json` run printed on stdout.
pub fn json_of(out: &Output) -> Value {
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON object ({e}):\n{text}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The hidden stand-in browser (`oidckit __browse`) as a `--browser-command`.
pub fn stand_in_browser() -> String {
    format!("'{}' __browse", BIN.replace('\'', "'\\''"))
}

/// A `--browser-command` script in `dir` that writes the URL it is given to the file `url` in
/// `dir` (atomically) and exits, for tests that sign in at a real provider themselves. Returns
/// the script and the URL file.
pub fn url_handing_browser(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let url_file = dir.join("url");
    let script = dir.join("browser.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\nprintf '%s' \"$1\" > \"$(dirname \"$0\")/url.part\" && mv \"$(dirname \"$0\")/url.part\" \"$(dirname \"$0\")/url\"\n",
    )
    .expect("script");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    (script, url_file)
}

/// `oidckit login` as the mock's confidential `test-client` through the stand-in browser,
/// with `extra` flags (e.g. `--json`), within 60 s.
pub fn login(issuer: &str, extra: &[&str]) -> Output {
    let browser = stand_in_browser();
    let mut args = vec![
        "login",
        "--issuer",
        issuer,
        "--client-id",
        "test-client",
        "--client-secret",
        "test-secret",
        "--browser-command",
        &browser,
        "--browser-timeout",
        "30",
    ];
    args.extend_from_slice(extra);
    run_with(&args, &[], Duration::from_secs(60))
}

/// Runs the binary with `stdin` as its standard input, within 60 s.
pub fn run_stdin(args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = command(args)
        .stdin(Stdio::piped())
        .spawn()
        .expect("oidckit runs");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin.as_bytes()).expect("write stdin");
    drop(input);
    finish(child, Vec::new(), Duration::from_secs(60))
}

/// The JSON of a run that must have succeeded (the output and stderr in the failure message).
pub fn ok_json(out: &Output) -> Value {
    let v = json_of(out);
    assert!(
        out.status.success(),
        "oidckit failed: {v}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    v
}
