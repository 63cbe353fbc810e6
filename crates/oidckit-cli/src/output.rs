//! Printing results and errors: human text by default, one JSON object with `--json`.
//!
//! Everything a provider controls (error texts, device codes and URLs, claims, discovery
//! fields, UserInfo, introspection, error messages that quote any of them) goes through
//! [`escape`] before it reaches a terminal in human mode, so a hostile provider cannot move
//! the cursor, rewrite earlier lines, set the window title or plant OSC-8 links. `--json`
//! output is JSON-escaped, with DEL and the C1 controls (which serde_json leaves raw) escaped
//! too.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use oidckit::TokenSet;

/// The code printed for failures that are not `oidckit` errors (bad input files and the like).
pub const GENERIC_ERROR_CODE: u16 = 1;

/// The code printed (with `--json`) for invalid command-line usage; the exit code is 2 too.
pub const USAGE_ERROR_CODE: u16 = 2;

/// Whether `c` must not reach a terminal raw: C0 controls (tab, CR and LF included), DEL, C1
/// controls, and the Unicode bidirectional overrides and isolates that reorder what is shown.
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` safe for a terminal: each unsafe character written as `\u{1b}` (Rust's escape
/// notation), everything else unchanged.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `s` escaped and in double quotes (`"` and `\` escaped as well), so that values with spaces
/// or commas stay distinguishable in a list.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Pretty JSON for people: JSON escaping, plus DEL, C1 controls and bidi overrides escaped
/// (`\u009b`), which keeps it valid JSON.
pub fn json_text(value: &Value) -> String {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into());
    escape_json_text(text)
}

/// Escapes, inside serialized JSON, the characters serde_json leaves raw. They can only occur
/// inside strings, where `\uXXXX` means the same character.
fn escape_json_text(text: String) -> String {
    if !text.chars().any(|c| c != '\n' && is_unsafe(c)) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c != '\n' && is_unsafe(c) {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// The `oidckit` error code of `err`, if an `oidckit::Error` is in its chain.
pub fn error_code(err: &anyhow::Error) -> u16 {
    oidckit_error(err).map_or(GENERIC_ERROR_CODE, oidckit::Error::code)
}

fn oidckit_error(err: &anyhow::Error) -> Option<&oidckit::Error> {
    err.chain().find_map(|e| e.downcast_ref::<oidckit::Error>())
}

/// The message of a failure: the context chain down to the first `oidckit` error, whose
/// message already says what its underlying cause was (so the cause is printed once), with a
/// hint for an untrusted server certificate. Not escaped.
pub fn error_message(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for e in err.chain() {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        if let Some(lib) = e.downcast_ref::<oidckit::Error>() {
            if let Some(hint) = certificate_hint(lib) {
                parts.push(hint.into());
            }
            break;
        }
    }
    parts.join(": ")
}

/// What to do about a server certificate the platform does not trust.
fn certificate_hint(err: &oidckit::Error) -> Option<&'static str> {
    let oidckit::Error::Connection { reason, .. } = err else {
        return None;
    };
    let r = reason.to_ascii_lowercase();
    let untrusted = r.contains("certificate")
        && [
            "unknown issuer",
            "unknownissuer",
            "not trusted",
            "notvalidforname",
            "expired",
        ]
        .iter()
        .any(|k| r.contains(k));
    untrusted.then_some(
        "the server's certificate is not trusted here; pass --ca-file PEM with the CA that issued it (or set SSL_CERT_FILE to a CA bundle)",
    )
}

/// Prints a failure: `{"error":{…}}` on stdout with `--json`, `error[CODE]: …` on stderr otherwise.
pub fn print_error(err: &anyhow::Error, json: bool) {
    let code = error_code(err);
    let message = error_message(err);
    if json {
        let mut obj = Map::new();
        obj.insert("code".into(), code.into());
        obj.insert("message".into(), message.into());
        if let Some(lib) = oidckit_error(err) {
            oauth_fields(lib, &mut obj);
        }
        let _ = print_json(&json!({ "error": obj }));
    } else {
        eprintln!("error[{code}]: {}", escape(&message));
    }
}

/// The provider's `error`, `error_description` and `error_uri` of an OAuth error, as fields.
fn oauth_fields(err: &oidckit::Error, obj: &mut Map<String, Value>) {
    let (error, description, uri) = match err {
        oidckit::Error::OAuth {
            error,
            error_description,
            error_uri,
            ..
        }
        | oidckit::Error::AuthorizationDenied {
            error,
            error_description,
            error_uri,
        } => (error, error_description, error_uri),
        _ => return,
    };
    obj.insert("error".into(), error.clone().into());
    obj.insert(
        "error_description".into(),
        description.clone().map_or(Value::Null, Value::String),
    );
    if let Some(u) = uri {
        obj.insert("error_uri".into(), u.clone().into());
    }
}

/// Prints a command-line usage error (from clap) and returns the exit code: 2, or 0 for
/// `--help` and `--version`. With `--json` it is `{"error":{"code":2,"message":…}}` on stdout.
pub fn print_usage_error(err: &clap::Error, json: bool) -> u8 {
    use clap::error::ErrorKind;
    let informational = matches!(
        err.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    );
    if informational || !json {
        let _ = err.print();
        return if informational { 0 } else { 2 };
    }
    let rendered = err.render().to_string();
    let message = rendered
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    let message = message.strip_prefix("error: ").unwrap_or(&message);
    let _ = print_json(&json!({ "error": {
        "code": USAGE_ERROR_CODE,
        "message": message,
        "kind": err.kind().as_str().unwrap_or("usage"),
    }}));
    2
}

/// Whether the failure is a closed standard output (`oidckit … | head`).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|e| e.downcast_ref::<std::io::Error>())
        .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}

/// Prints one JSON value on its own line on stdout.
pub fn print_json(value: &Value) -> anyhow::Result<()> {
    let text = escape_json_text(serde_json::to_string_pretty(value)?);
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    out.flush()?;
    Ok(())
}

/// Prints a line on stdout, reporting a broken pipe as an error (so `main` can exit 0). The
/// caller has escaped what the provider controls.
pub fn print_line(line: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    Ok(())
}

/// Prints a warning or progress line on stderr, escaped as a whole (for lines that quote
/// provider text and have no line breaks of their own).
pub fn note(line: &str) {
    eprintln!("{}", escape(line));
}

/// The JSON form of a sign-in result: tokens, the verified ID token claims and the UserInfo claims.
pub fn tokens_json(tokens: &TokenSet, userinfo: Option<&Map<String, Value>>) -> Value {
    let mut obj = Map::new();
    obj.insert(
        "access_token".into(),
        tokens
            .access_token
            .clone()
            .map_or(Value::Null, Value::String),
    );
    obj.insert(
        "token_type".into(),
        tokens.token_type.clone().map_or(Value::Null, Value::String),
    );
    if let Some(e) = tokens.expires_in {
        obj.insert("expires_in".into(), e.into());
    }
    if let Some(r) = &tokens.refresh_token {
        obj.insert("refresh_token".into(), r.clone().into());
    }
    let id = tokens.id_token.as_ref();
    obj.insert(
        "id_token".into(),
        id.map_or(Value::Null, |t| t.raw().into()),
    );
    if let Some(s) = &tokens.scope {
        obj.insert("scope".into(), s.clone().into());
    }
    obj.insert(
        "claims".into(),
        id.map_or(Value::Null, |t| Value::Object(t.claims().as_map().clone())),
    );
    obj.insert(
        "userinfo".into(),
        userinfo.map_or(Value::Null, |m| Value::Object(m.clone())),
    );
    Value::Object(obj)
}

/// Prints a sign-in result for people: who signed in, the claims, and token sizes (not the
/// tokens). Without an ID token there is no "Signed in as" line (nobody is known).
pub fn print_tokens_human(
    tokens: &TokenSet,
    userinfo: Option<&Map<String, Value>>,
) -> anyhow::Result<()> {
    let claims = tokens.id_token.as_ref().map(|t| t.claims());
    let sub = claims.and_then(|c| c.subject());
    let who = userinfo
        .and_then(|u| u.get("email").and_then(Value::as_str))
        .or_else(|| claims.and_then(|c| c.get_str("email")));
    let mut text = match (sub, who) {
        (Some(sub), Some(email)) => {
            format!("Signed in as {} ({})\n", escape(sub), escape(email))
        }
        (Some(sub), None) => format!("Signed in as {}\n", escape(sub)),
        (None, _) => "Got new tokens (no ID token in the response)\n".to_string(),
    };
    if let Some(c) = claims {
        let map = Value::Object(c.as_map().clone());
        text.push_str(&format!(
            "\nVerified ID token claims:\n{}\n",
            json_text(&map)
        ));
    }
    if let Some(u) = userinfo {
        text.push_str(&format!(
            "\nUserInfo:\n{}\n",
            json_text(&Value::Object(u.clone()))
        ));
    }
    let describe = |name: &str, t: Option<&str>| match t {
        Some(t) => format!("{name}: {} characters\n", t.len()),
        None => format!("{name}: none\n"),
    };
    text.push('\n');
    text.push_str(&describe("access token", tokens.access_token.as_deref()));
    text.push_str(&describe("refresh token", tokens.refresh_token.as_deref()));
    if let Some(e) = tokens.expires_in {
        text.push_str(&format!("expires in: {e} s\n"));
    }
    text.push_str("(use --json to print the tokens themselves)");
    print_line(&text)
}

/// A spinner with a countdown on stderr while waiting for the browser or a device approval,
/// drawn only when stderr is a terminal; it clears its line when dropped.
#[derive(Debug)]
pub struct Spinner {
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Spinner {
    /// Starts drawing `label` and the time left of `total` (none in `--json` mode or when
    /// stderr is not a terminal).
    pub fn start(label: &str, total: Option<Duration>, json: bool) -> Spinner {
        if json || !std::io::stderr().is_terminal() {
            return Spinner { task: None };
        }
        let label = escape(label).into_owned();
        let started = Instant::now();
        let task = tokio::spawn(async move {
            const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
            let mut tick = tokio::time::interval(Duration::from_millis(120));
            for frame in FRAMES.iter().cycle() {
                tick.tick().await;
                let left = total
                    .map(|t| {
                        let s = t.saturating_sub(started.elapsed()).as_secs();
                        format!(" ({}:{:02} left)", s / 60, s % 60)
                    })
                    .unwrap_or_default();
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r\x1b[2K{frame} {label}{left}");
                let _ = err.flush();
            }
        });
        Spinner { task: Some(task) }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_control_and_bidi_character() {
        assert_eq!(escape("plain text"), "plain text");
        assert_eq!(escape("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(
            escape("x\r\ny\t\x7f\u{9b}"),
            "x\\u{d}\\u{a}y\\u{9}\\u{7f}\\u{9b}"
        );
        assert_eq!(escape("\u{202e}evil"), "\\u{202e}evil");
        assert_eq!(quote("code id_token"), "\"code id_token\"");
        assert_eq!(quote("a\"b"), "\"a\\\"b\"");
    }

    #[test]
    fn json_text_stays_valid_json_with_c1_and_del_escaped() {
        let v = json!({ "name": "\u{9b}31m\u{7f}\x1b" });
        let text = json_text(&v);
        assert!(!text.chars().any(|c| c != '\n' && is_unsafe(c)), "{text}");
        let back: Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(back, v);
    }
}
