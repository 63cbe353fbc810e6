//! Transport logging through [`HttpEvents::on_log`](super::HttpEvents::on_log), with the
//! seed's `LogLevel` and `MaskSensitive`: with masking on (the default) client secrets,
//! codes, code verifiers, tokens, passwords and assertions never reach a log message.

use std::sync::Arc;

use serde_json::Value;

use super::events::{HttpEvents, LogLevel};

/// Parameter and JSON member names whose values are secret.
const SENSITIVE: &[&str] = &[
    "client_secret",
    "code",
    "code_verifier",
    "access_token",
    "refresh_token",
    "id_token",
    "token",
    "password",
    "client_assertion",
    "assertion",
    "subject_token",
    "actor_token",
    "device_code",
    "logout_token",
    "id_token_hint",
    "request",
];

/// Headers whose values are credentials.
const SENSITIVE_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

const MASK: &str = "********";

fn is_sensitive(name: &str) -> bool {
    SENSITIVE.iter().any(|s| s.eq_ignore_ascii_case(name))
}

/// Whether a `tracing` subscriber wants lines of `level` (DEBUG for Info and Verbose, TRACE
/// for Debug).
#[cfg(feature = "tracing")]
fn traced(level: LogLevel) -> bool {
    match level {
        LogLevel::None => false,
        LogLevel::Info | LogLevel::Verbose => {
            tracing::enabled!(target: "oidckit::http", tracing::Level::DEBUG)
        }
        LogLevel::Debug => tracing::enabled!(target: "oidckit::http", tracing::Level::TRACE),
    }
}

#[cfg(not(feature = "tracing"))]
fn traced(_level: LogLevel) -> bool {
    false
}

/// One transport log line as a `tracing` event.
#[cfg(feature = "tracing")]
fn trace_event(level: LogLevel, message: &str, log_type: &str) {
    match level {
        LogLevel::None => {}
        LogLevel::Info | LogLevel::Verbose => {
            tracing::debug!(target: "oidckit::http", log_type, "{message}");
        }
        LogLevel::Debug => tracing::trace!(target: "oidckit::http", log_type, "{message}"),
    }
}

#[cfg(not(feature = "tracing"))]
fn trace_event(_level: LogLevel, _message: &str, _log_type: &str) {}

/// Sends log lines to the events, filtered by level and masked.
#[derive(Debug, Clone)]
pub(crate) struct Logger {
    pub events: Arc<dyn HttpEvents>,
    pub level: LogLevel,
    pub mask: bool,
}

impl Logger {
    /// Whether a line of `level` goes anywhere: to the events, or (feature `tracing`) to an
    /// interested `tracing` subscriber.
    pub fn enabled(&self, level: LogLevel) -> bool {
        self.to_events(level) || traced(level)
    }

    fn to_events(&self, level: LogLevel) -> bool {
        level != LogLevel::None && level <= self.level
    }

    pub fn log(&self, level: LogLevel, log_type: &str, message: impl FnOnce() -> String) {
        let (events, traced) = (self.to_events(level), traced(level));
        if !events && !traced {
            return;
        }
        let message = message();
        if events {
            self.events.on_log(level, &message, log_type);
        }
        if traced {
            trace_event(level, &message, log_type);
        }
    }

    /// A header line for a log, with credentials masked.
    pub fn header(&self, name: &str, value: &str) -> String {
        if self.mask
            && SENSITIVE_HEADERS
                .iter()
                .any(|h| h.eq_ignore_ascii_case(name))
        {
            return format!("{name}: {}", mask_header_value(value));
        }
        format!("{name}: {value}")
    }

    /// A URL for a Debug log: with its query, sensitive values masked.
    pub fn url(&self, url: &url::Url) -> String {
        if !self.mask || url.query().is_none() {
            return url.to_string();
        }
        let mut u = url.clone();
        u.set_fragment(None);
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let v = if is_sensitive(&k) {
                    MASK.into()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        u.query_pairs_mut().clear().extend_pairs(pairs);
        u.to_string()
    }

    /// A body for a Debug log: form or JSON members with sensitive names masked, a bare JWT
    /// masked whole.
    pub fn body(&self, body: &[u8], content_type: Option<&str>) -> String {
        let text = String::from_utf8_lossy(body);
        if !self.mask {
            return text.into_owned();
        }
        mask_body(&text, content_type)
    }
}

/// `Basic abc` → `Basic ********`; a cookie list keeps its names.
fn mask_header_value(value: &str) -> String {
    if value.contains('=') && !value.contains(' ') || value.contains("; ") {
        // Cookie / Set-Cookie: name=value pairs.
        return value
            .split(';')
            .map(|part| match part.split_once('=') {
                Some((name, _)) => format!("{name}={MASK}"),
                None => part.to_string(),
            })
            .collect::<Vec<_>>()
            .join(";");
    }
    match value.split_once(' ') {
        Some((scheme, _)) => format!("{scheme} {MASK}"),
        None => MASK.to_string(),
    }
}

pub(crate) fn mask_body(text: &str, content_type: Option<&str>) -> String {
    let media = content_type
        .and_then(|ct| ct.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if let Ok(mut json) = serde_json::from_str::<Value>(text) {
        mask_json(&mut json);
        return json.to_string();
    }
    if media == "application/jwt" || looks_like_jwt(text) {
        return MASK.into();
    }
    if media == "application/x-www-form-urlencoded" || looks_like_form(text) {
        return form_urlencoded::parse(text.as_bytes())
            .map(|(k, v)| {
                let v = if is_sensitive(&k) {
                    MASK.into()
                } else {
                    v.into_owned()
                };
                form_urlencoded::Serializer::new(String::new())
                    .append_pair(&k, &v)
                    .finish()
            })
            .collect::<Vec<_>>()
            .join("&");
    }
    text.to_string()
}

fn mask_json(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if is_sensitive(k) && !val.is_object() && !val.is_array() {
                    *val = Value::String(MASK.into());
                } else {
                    mask_json(val);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_json),
        _ => {}
    }
}

fn looks_like_jwt(text: &str) -> bool {
    let t = text.trim();
    t.split('.').count() >= 3
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

fn looks_like_form(text: &str) -> bool {
    !text.is_empty()
        && text.contains('=')
        && !text.contains(char::is_whitespace)
        && !text.starts_with('<')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_and_json_secrets_are_masked() {
        let form = "grant_type=authorization_code&code=abc&client_secret=s3&redirect_uri=x";
        let masked = mask_body(form, Some("application/x-www-form-urlencoded"));
        assert!(
            !masked.contains("abc") && !masked.contains("s3"),
            "{masked}"
        );
        assert!(masked.contains("grant_type=authorization_code"));
        let json = r#"{"access_token":"AT","id_token":"a.b.c","token_type":"Bearer","nested":{"refresh_token":"RT"}}"#;
        let masked = mask_body(json, Some("application/json"));
        assert!(!masked.contains("AT\"") && !masked.contains("RT") && !masked.contains("a.b.c"));
        assert!(masked.contains("Bearer"));
    }

    #[test]
    fn credential_headers_keep_only_their_scheme() {
        assert_eq!(mask_header_value("Basic dXNlcjpwYXNz"), "Basic ********");
        assert_eq!(
            mask_header_value("sid=1; theme=dark"),
            "sid=********; theme=********"
        );
    }
}
