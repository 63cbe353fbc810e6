//! Network options shared by every command: environment proxies (on by default), extra
//! trust anchors (`--ca-file`) and `-v`/`--verbose` logging of each HTTP exchange through the
//! library's masked transport log (secrets, codes and tokens never printed).

use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use anyhow::Context;

use oidckit::HttpConfig;
use oidckit::http::{HttpEvents, LogLevel};

use crate::output;

/// The global network flags, set once by `main`.
#[derive(Debug, Clone, Default)]
pub struct NetOptions {
    /// `-v` count: 1 = method, URL, status, timing and headers; 2 = also bodies.
    pub verbose: u8,
    /// PEM files whose certificates are trusted on top of the platform's roots.
    pub ca_files: Vec<PathBuf>,
    /// Ignore HTTPS_PROXY / HTTP_PROXY / NO_PROXY.
    pub no_env_proxy: bool,
}

static OPTIONS: OnceLock<NetOptions> = OnceLock::new();

/// Records the global flags (first call wins).
pub fn set(options: NetOptions) {
    let _ = OPTIONS.set(options);
}

/// Applies the global network flags to a client's HTTP settings.
pub fn apply(http: &mut HttpConfig) -> anyhow::Result<()> {
    let options = OPTIONS.get().cloned().unwrap_or_default();
    http.proxy_auto_detect = !options.no_env_proxy;
    for path in &options.ca_files {
        let pem = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the --ca-file {}", path.display()))?;
        http.tls.extra_root_certificates.push(pem);
    }
    if options.verbose > 0 {
        http.log_level = LogLevel::Debug;
        http.mask_sensitive = true;
        http.events = Some(std::sync::Arc::new(StderrLog {
            bodies: options.verbose > 1,
            started: Mutex::new(None),
        }));
    }
    Ok(())
}

/// Prints the transport log on stderr as `* …` lines, escaped, with the time each exchange
/// took on its status line.
#[derive(Debug)]
struct StderrLog {
    bodies: bool,
    started: Mutex<Option<Instant>>,
}

impl HttpEvents for StderrLog {
    fn on_log(&self, _level: LogLevel, message: &str, log_type: &str) {
        let body = matches!(log_type, "RequestBody" | "ResponseBody");
        if body && !self.bodies {
            return;
        }
        let mut started = self.started.lock().unwrap_or_else(|e| e.into_inner());
        let mut line = message.trim_end().to_string();
        if log_type == "Info" {
            let is_request = ["GET ", "POST ", "PUT ", "DELETE ", "HEAD ", "PATCH "]
                .iter()
                .any(|m| line.starts_with(m));
            if is_request {
                *started = Some(Instant::now());
            } else if line.starts_with("HTTP/")
                && let Some(t) = started.take()
            {
                line.push_str(&format!(" ({} ms)", t.elapsed().as_millis()));
            }
        }
        let prefix = match log_type {
            "RequestHeaders" | "RequestBody" => "> ",
            "ResponseHeaders" | "ResponseBody" => "< ",
            _ => "* ",
        };
        let mut err = std::io::stderr().lock();
        for l in line.lines() {
            let l = l.trim_end_matches('\r');
            let _ = std::io::Write::write_fmt(
                &mut err,
                format_args!("{prefix}{}\n", output::escape(l)),
            );
        }
    }
}
