//! `oidckit token` and its helpers (`kubectl`, `header`, `git-credential`, `logout`, `cache`)
//! end to end: the real binary, the mock provider in this process, the file token cache in a
//! temporary directory, the stand-in browser `oidckit __browse`, and real `git`.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use oidckit_mock::{MockConfig, MockProvider};
use serde_json::Value;

mod support;

use support::{BIN, json_of, ok_json as ok, run_with};

const TIMEOUT: Duration = Duration::from_secs(90);

fn stand_in_browser() -> String {
    format!("'{}' __browse", BIN.replace('\'', "'\\''"))
}

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("oidckit-token-cache-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The sign-in and cache flags for `test-client` at `p`, with the cache in `dir`.
fn client_flags(p: &MockProvider, dir: &Path) -> Vec<String> {
    [
        "--issuer",
        &p.issuer(),
        "--client-id",
        "test-client",
        "--client-secret",
        "test-secret",
        "--scope",
        "openid profile email",
        "--browser-command",
        &stand_in_browser(),
        "--browser-timeout",
        "30",
        "--token-cache",
        "file",
        "--cache-dir",
        &dir.display().to_string(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn oidckit(command: &[&str], flags: &[String], extra: &[&str]) -> Output {
    let mut args: Vec<&str> = command.to_vec();
    args.extend(flags.iter().map(String::as_str));
    args.extend_from_slice(extra);
    run_with(&args, &[], TIMEOUT)
}

/// `oidckit <command> --issuer … --client-id test-client --client-secret test-secret`.
fn with_client(p: &MockProvider, command: &[&str]) -> Output {
    let client = [
        "--issuer".to_string(),
        p.issuer(),
        "--client-id".into(),
        "test-client".into(),
        "--client-secret".into(),
        "test-secret".into(),
    ];
    oidckit(command, &client, &[])
}

fn token_json(p: &MockProvider, dir: &Path, extra: &[&str]) -> Value {
    ok(&oidckit(
        &["token", "--format", "json"],
        &client_flags(p, dir),
        extra,
    ))
}

/// The one record file of the cache.
fn record(dir: &Path) -> (PathBuf, Value) {
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("cache dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert_eq!(files.len(), 1, "one cache entry: {files:?}");
    let text = std::fs::read_to_string(&files[0]).expect("record");
    (
        files[0].clone(),
        serde_json::from_str(&text).expect("record JSON"),
    )
}

fn count(p: &MockProvider, path: &str) -> usize {
    p.requests().iter().filter(|r| r.path == path).count()
}

fn refresh_requests(p: &MockProvider) -> usize {
    p.requests()
        .iter()
        .filter(|r| r.path == "/token" && r.param("grant_type") == Some("refresh_token"))
        .count()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn token_signs_in_once_answers_from_the_cache_refreshes_and_signs_in_again_when_refused() {
    let p = MockProvider::start(MockConfig::default()).expect("mock provider");
    let home = temp_dir("flow");
    let dir = home.join("cache");

    // 1. Nothing cached: a sign-in through the (stand-in) browser.
    let first = token_json(&p, &dir, &[]);
    assert_eq!(count(&p, "/authorize"), 1);
    let at1 = first["access_token"]
        .as_str()
        .expect("access token")
        .to_string();
    assert_eq!(first["claims"]["sub"], "248289761001");
    assert!(
        first["expires_in"].as_u64().is_some_and(|e| e > 3000),
        "{first}"
    );
    let (path, rec) = record(&dir);
    assert_eq!(rec["store"], "file");
    assert_eq!(rec["tokens"]["access_token"], at1.as_str());
    let rt1 = rec["tokens"]["refresh_token"]
        .as_str()
        .expect("rt")
        .to_string();
    #[cfg(unix)]
    {
        assert_eq!(mode(&dir), 0o700, "cache directory mode");
        assert_eq!(mode(&path), 0o600, "cache file mode");
    }

    // 2. Cached and valid: no request at all to the provider.
    p.clear_requests();
    let raw = oidckit(&["token"], &client_flags(&p, &dir), &[]);
    assert!(raw.status.success());
    assert_eq!(String::from_utf8_lossy(&raw.stdout).trim_end(), at1);
    let header = oidckit(&["header"], &client_flags(&p, &dir), &[]);
    assert_eq!(
        String::from_utf8_lossy(&header.stdout).trim_end(),
        format!("Authorization: Bearer {at1}")
    );
    let env = oidckit(&["token", "--format", "env"], &client_flags(&p, &dir), &[]);
    let env = String::from_utf8_lossy(&env.stdout).into_owned();
    let mut lines = env.lines();
    assert_eq!(
        lines.next(),
        Some(format!("export OIDC_ACCESS_TOKEN='{at1}'").as_str())
    );
    let exp = first["expires_at"].as_u64().expect("expires_at");
    assert_eq!(
        lines.next(),
        Some(format!("export OIDC_TOKEN_EXPIRES_AT='{exp}'").as_str())
    );
    assert!(p.requests().is_empty(), "{:?}", p.requests());

    // 3. Expires within the margin: refreshed with the cached refresh token, which rotates.
    let second = token_json(&p, &dir, &["--min-validity", "7200"]);
    assert_eq!(refresh_requests(&p), 1);
    assert_eq!(count(&p, "/authorize"), 0);
    let at2 = second["access_token"].as_str().expect("at").to_string();
    assert_ne!(at2, at1);
    let (_, rec) = record(&dir);
    let rt2 = rec["tokens"]["refresh_token"]
        .as_str()
        .expect("rt")
        .to_string();
    assert_ne!(rt2, rt1);
    assert_eq!(rec["tokens"]["claims"]["sub"], "248289761001");

    // 4. The refresh token is revoked: the next refresh gets invalid_grant, so sign in again.
    let revoke = with_client(&p, &["revoke", "--json", &rt2]);
    ok(&revoke);
    p.clear_requests();
    let third = token_json(&p, &dir, &["--min-validity", "7200"]);
    assert_eq!(refresh_requests(&p), 1, "the refresh was tried first");
    assert_eq!(count(&p, "/authorize"), 1, "then a fresh sign-in");
    assert_ne!(third["access_token"], at2.as_str());
    let (_, rec) = record(&dir);
    let rt3 = rec["tokens"]["refresh_token"]
        .as_str()
        .expect("rt")
        .to_string();

    // 5. `cache list` shows the entry, never a token.
    let list = ok(&oidckit(
        &["cache", "list", "--json"],
        &["--cache-dir".into(), dir.display().to_string()],
        &[],
    ));
    let entries = list["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["issuer"], p.issuer().as_str());
    assert_eq!(entries[0]["client_id"], "test-client");
    assert_eq!(entries[0]["scope"], "email openid profile");
    assert_eq!(entries[0]["sub"], "248289761001");
    assert_eq!(entries[0]["has_refresh_token"], true);
    assert!(!list.to_string().contains(&rt3));

    // 6. `logout` revokes the refresh token at the provider and removes the entry.
    p.clear_requests();
    let out = ok(&oidckit(
        &["logout", "--json"],
        &client_flags(&p, &dir),
        &[],
    ));
    assert_eq!(out["removed"], true);
    let revoked: Vec<String> = p
        .requests()
        .iter()
        .filter(|r| r.path == "/revoke")
        .filter_map(|r| r.param("token").map(str::to_string))
        .collect();
    assert!(revoked.contains(&rt3), "{revoked:?}");
    assert!(
        std::fs::read_dir(&dir).expect("dir").all(|e| e
            .expect("entry")
            .path()
            .extension()
            .is_none_or(|x| x != "json")),
        "the record is gone"
    );
    let refresh = with_client(&p, &["refresh", "--json", "--refresh-token", &rt3]);
    assert!(
        !refresh.status.success(),
        "the revoked refresh token is dead"
    );
    assert_eq!(json_of(&refresh)["error"]["code"], 151);
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn kubectl_prints_a_v1_exec_credential_with_the_id_token_and_its_expiry() {
    let p = MockProvider::start(MockConfig::default()).expect("mock provider");
    let home = temp_dir("kubectl");
    let dir = home.join("cache");
    let first = token_json(&p, &dir, &["--id-token"]);
    let id_token = first["id_token"].as_str().expect("id token").to_string();
    let exp = first["claims"]["exp"].as_u64().expect("exp");

    for (command, extra, token) in [
        (vec!["kubectl"], vec![], id_token.clone()),
        (
            vec!["token", "--format", "exec-credential"],
            vec![],
            first_access(&dir),
        ),
    ] {
        let out = oidckit(&command, &client_flags(&p, &dir), &extra);
        let v = ok(&out);
        // client.authentication.k8s.io/v1 ExecCredential: TypeMeta, optional spec, status.
        let top: Vec<&str> = v
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert!(
            top.iter()
                .all(|k| ["apiVersion", "kind", "spec", "status"].contains(k)),
            "{v}"
        );
        assert_eq!(v["apiVersion"], "client.authentication.k8s.io/v1");
        assert_eq!(v["kind"], "ExecCredential");
        let status = v["status"].as_object().expect("status object");
        let allowed = [
            "token",
            "expirationTimestamp",
            "clientCertificateData",
            "clientKeyData",
        ];
        assert!(status.keys().all(|k| allowed.contains(&k.as_str())), "{v}");
        assert_eq!(status["token"], token.as_str());
        // expirationTimestamp is a metav1.Time: RFC 3339, second precision, UTC.
        let ts = status["expirationTimestamp"].as_str().expect("timestamp");
        assert_eq!(ts.len(), 20, "{ts}");
        let b = ts.as_bytes();
        for (i, c) in [
            (4, b'-'),
            (7, b'-'),
            (10, b'T'),
            (13, b':'),
            (16, b':'),
            (19, b'Z'),
        ] {
            assert_eq!(b[i], c, "{ts}");
        }
        if command == ["kubectl"] {
            assert_eq!(ts, utc(exp), "the ID token's exp");
        }
    }
    assert_eq!(count(&p, "/authorize"), 1, "both answered from the cache");
    let _ = std::fs::remove_dir_all(&home);
}

fn first_access(dir: &Path) -> String {
    record(dir).1["tokens"]["access_token"]
        .as_str()
        .expect("at")
        .to_string()
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`, by `date` (an independent implementation).
fn utc(unix: u64) -> String {
    let out = Command::new("date")
        .args(["-u", "-d", &format!("@{unix}"), "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .expect("date runs");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn ten_processes_refreshing_a_rotating_token_every_second_never_lose_the_chain() {
    let p = MockProvider::start(MockConfig {
        token_ttl_secs: 1,
        refresh_reuse_revokes_chain: true,
        ..MockConfig::default()
    })
    .expect("mock provider");
    let home = temp_dir("concurrency");
    let dir = home.join("cache");
    let flags = client_flags(&p, &dir);
    let first = oidckit(&["token", "--min-validity", "0"], &flags, &[]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );

    let failures = Arc::new(Mutex::new(Vec::new()));
    let workers: Vec<_> = (0..10)
        .map(|_| {
            let flags = flags.clone();
            let failures = Arc::clone(&failures);
            std::thread::spawn(move || {
                for _ in 0..20 {
                    // Spread the calls over several token lifetimes (1 s each).
                    std::thread::sleep(Duration::from_millis(200));
                    let out = oidckit(&["token", "--min-validity", "0"], &flags, &[]);
                    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
                    if !out.status.success() || token.is_empty() {
                        failures
                            .lock()
                            .expect("lock")
                            .push(String::from_utf8_lossy(&out.stderr).into_owned());
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("worker");
    }
    let failures = failures.lock().expect("lock").clone();
    assert!(
        failures.is_empty(),
        "{} failed calls: {failures:#?}",
        failures.len()
    );
    assert_eq!(
        count(&p, "/authorize"),
        1,
        "no process lost the refresh chain and had to sign in again"
    );
    let refreshes = refresh_requests(&p);
    eprintln!("{refreshes} refreshes for 200 calls");
    assert!(refreshes >= 3, "tokens did expire and were refreshed");
    let reused = p
        .requests()
        .iter()
        .filter(|r| r.path == "/token" && r.param("grant_type") == Some("refresh_token"))
        .map(|r| r.param("refresh_token").unwrap_or_default().to_string())
        .collect::<Vec<_>>();
    let mut unique = reused.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        reused.len(),
        "no refresh token was used twice"
    );

    // The chain ends with a working refresh token.
    let rt = record(&dir).1["tokens"]["refresh_token"]
        .as_str()
        .expect("rt")
        .to_string();
    let out = with_client(&p, &["refresh", "--json", "--refresh-token", &rt]);
    ok(&out);
    let _ = std::fs::remove_dir_all(&home);
}

/// A smart-HTTP git server for `ls-remote` only: one branch, Basic authentication whose
/// password must be `token`. Records the Authorization headers it saw.
struct GitServer {
    url: String,
    seen: Arc<Mutex<Vec<Option<String>>>>,
}

const COMMIT: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

fn pkt(line: &str) -> String {
    format!("{:04x}{line}", line.len() + 4)
}

fn git_server(token: String) -> GitServer {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/repo.git", listener.local_addr().expect("addr"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut auth = None;
            let mut request_line = String::new();
            let _ = reader.read_line(&mut request_line);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((k, v)) = line.split_once(':')
                    && k.eq_ignore_ascii_case("authorization")
                {
                    auth = Some(v.trim().to_string());
                }
            }
            log.lock().expect("lock").push(auth.clone());
            let password = auth
                .as_deref()
                .and_then(|a| a.strip_prefix("Basic "))
                .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|up| up.split_once(':').map(|(_, p)| p.to_string()));
            let response = if password.as_deref() == Some(token.as_str())
                && request_line.starts_with("GET /repo.git/info/refs?service=git-upload-pack")
            {
                let body = format!(
                    "{}0000{}{}0000",
                    pkt("# service=git-upload-pack\n"),
                    pkt(&format!("{COMMIT} HEAD\0symref=HEAD:refs/heads/main\n")),
                    pkt(&format!("{COMMIT} refs/heads/main\n")),
                );
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/x-git-upload-pack-advertisement\r\n\
                     Cache-Control: no-cache\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
            } else {
                "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"test\"\r\n\
                 Content-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_string()
            };
            let _ = stream.write_all(response.as_bytes());
        }
    });
    GitServer { url, seen }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[test]
fn git_ls_remote_authenticates_with_the_credential_helper() {
    let p = MockProvider::start(MockConfig::default()).expect("mock provider");
    let home = temp_dir("git");
    let dir = home.join("cache");
    let flags = client_flags(&p, &dir);
    let token = String::from_utf8_lossy(&oidckit(&["token"], &flags, &[]).stdout)
        .trim()
        .to_string();
    assert!(!token.is_empty());
    let server = git_server(token.clone());

    let mut helper = format!("!{} git-credential", shell_quote(BIN));
    for f in &flags {
        helper.push(' ');
        helper.push_str(&shell_quote(f));
    }
    let mut git = Command::new("git");
    git.args(["-c", "credential.helper=", "-c"])
        .arg(format!("credential.helper={helper}"))
        .args(["ls-remote", &server.url])
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "/bin/false");
    for (k, _) in std::env::vars() {
        if k.starts_with("OIDC") || k.starts_with("GIT_TRACE") {
            git.env_remove(k);
        }
    }
    let out = git.output().expect("git runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "git ls-remote failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("{COMMIT}\trefs/heads/main")),
        "{stdout}"
    );
    let seen = server.seen.lock().expect("lock").clone();
    assert_eq!(seen.first(), Some(&None), "first try without credentials");
    let expected = base64::engine::general_purpose::STANDARD.encode(format!("oauth2:{token}"));
    assert!(
        seen.contains(&Some(format!("Basic {expected}"))),
        "then with the token: {seen:?}"
    );
    assert_eq!(
        count(&p, "/authorize"),
        1,
        "the helper answered from the cache"
    );

    // `erase` (git's server refused the password) drops the cached access token only.
    let mut erase = support::command(&["git-credential"]);
    erase
        .args(&flags)
        .arg("erase")
        .stdin(std::process::Stdio::piped());
    let mut child = erase.spawn().expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("protocol=http\nhost=127.0.0.1\npassword={token}\n\n").as_bytes())
        .expect("write");
    let out = support::finish(child, Vec::new(), TIMEOUT);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rec = record(&dir).1;
    assert!(rec["tokens"]["access_token"].is_null(), "{rec}");
    assert!(rec["tokens"]["refresh_token"].is_string());
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn git_credential_gives_no_token_to_a_plain_http_remote_host() {
    let p = MockProvider::start(MockConfig::default()).expect("mock provider");
    let home = temp_dir("git-http");
    let dir = home.join("cache");
    let flags = client_flags(&p, &dir);
    let mut get = support::command(&["git-credential"]);
    get.args(&flags)
        .arg("get")
        .stdin(std::process::Stdio::piped());
    let mut child = get.spawn().expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"protocol=http\nhost=git.example.com\n\n")
        .expect("write");
    let out = support::finish(child, Vec::new(), TIMEOUT);
    assert!(out.status.success());
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        p.requests().is_empty(),
        "no sign-in for a host that would not get the token"
    );
    let _ = std::fs::remove_dir_all(&home);
}

#[cfg(unix)]
/// A process holding an entry's lock, like a refresh in progress; dropping it kills it with
/// SIGKILL (a crash), process group and all.
struct LockHolder(std::process::Child);

#[cfg(unix)]
impl LockHolder {
    fn hold(lock: &Path) -> LockHolder {
        let mut cmd = Command::new("flock");
        cmd.arg(lock).args(["sleep", "60"]);
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let holder = LockHolder(cmd.spawn().expect("flock runs"));
        // Wait until it has the lock (a non-blocking attempt fails).
        for _ in 0..200 {
            let probe = Command::new("flock")
                .args(["-n"])
                .arg(lock)
                .arg("true")
                .status()
                .expect("flock -n");
            if !probe.success() {
                return holder;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("flock never took the lock");
    }
}

#[cfg(unix)]
impl Drop for LockHolder {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.0.id())])
            .status();
        let _ = self.0.wait();
    }
}

#[cfg(unix)]
#[test]
fn a_held_entry_lock_bounds_the_wait_and_a_killed_holder_releases_it() {
    let p = MockProvider::start(MockConfig::default()).expect("mock provider");
    let home = temp_dir("lock");
    let dir = home.join("cache");
    token_json(&p, &dir, &[]);
    let lock = record(&dir).0.with_extension("lock");
    assert!(lock.exists(), "the lock file sits beside the record");
    assert_eq!(mode(&lock), 0o600);

    let holder = LockHolder::hold(&lock);
    p.clear_requests();
    let out = oidckit(
        &["token", "--json"],
        &client_flags(&p, &dir),
        &["--min-validity", "7200", "--lock-timeout", "1"],
    );
    assert!(
        !out.status.success(),
        "no refresh while another process holds the lock"
    );
    let err = json_of(&out);
    assert_eq!(err["error"]["code"], 1, "{err}");
    assert!(p.requests().is_empty(), "{:?}", p.requests());

    // Still valid tokens need no lock at all.
    let out = oidckit(
        &["token"],
        &client_flags(&p, &dir),
        &["--lock-timeout", "1"],
    );
    assert!(out.status.success());

    drop(holder);
    let v = token_json(
        &p,
        &dir,
        &["--min-validity", "7200", "--lock-timeout", "10"],
    );
    assert!(v["access_token"].is_string());
    assert_eq!(refresh_requests(&p), 1);
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn over_ssh_without_a_browser_command_token_signs_in_with_the_device_flow() {
    let p = MockProvider::start(MockConfig {
        device_interval_secs: 1,
        ..MockConfig::default()
    })
    .expect("mock provider");
    let home = temp_dir("device");
    let dir = home.join("cache");
    let issuer = p.issuer();
    let cache_dir = dir.display().to_string();
    let mut cmd = support::command(&[
        "token",
        "--issuer",
        &issuer,
        "--client-id",
        "test-client",
        "--client-secret",
        "test-secret",
        "--token-cache",
        "file",
        "--cache-dir",
        &cache_dir,
    ]);
    cmd.env("SSH_CONNECTION", "192.0.2.1 50000 192.0.2.2 22")
        .env("DISPLAY", ":0");
    let mut child = cmd.spawn().expect("oidckit runs");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if let Some(rest) = line.split("enter the code ").nth(1) {
                let _ = tx.send(rest.split_whitespace().next().unwrap_or("").to_string());
            }
        }
    });
    let user_code = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the device code is shown on stderr");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while p.device_poll_times(&user_code).is_empty() {
        assert!(std::time::Instant::now() < deadline, "the CLI never polled");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(p.approve_device(&user_code));
    let out = support::finish(child, Vec::new(), TIMEOUT);
    let _ = reader.join();
    assert!(out.status.success());
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert_eq!(record(&dir).1["tokens"]["access_token"], token.as_str());
    assert_eq!(count(&p, "/authorize"), 0, "no browser sign-in");
    assert_eq!(count(&p, "/device_authorization"), 1);
    let _ = std::fs::remove_dir_all(&home);
}
