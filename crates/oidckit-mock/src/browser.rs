//! A scripted "browser" for tests: sends the authorization request to the mock provider (which
//! auto-approves) and reports where the provider sends the user back, without a real browser.
//! Plain HTTP/1.1 over `std::net`, for `http://` loopback URLs only.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Where the provider sent the user after the authorization request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationOutcome {
    /// The URL the browser is sent to: the `Location` of a redirect, or the `action` of a
    /// `form_post` form.
    pub redirect_to: String,
    /// For `response_mode=form_post`: the form's fields (the browser would POST them).
    pub form_post: Option<Vec<(String, String)>>,
}

impl AuthorizationOutcome {
    /// The callback as one URL: the redirect itself, or for `form_post` the action with the
    /// fields as its query (handy for `CallbackParams::from_url`).
    pub fn callback_url(&self) -> String {
        match &self.form_post {
            None => self.redirect_to.clone(),
            Some(fields) => {
                let q = form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(fields)
                    .finish();
                format!(
                    "{}?{q}",
                    self.redirect_to
                        .split('?')
                        .next()
                        .unwrap_or(&self.redirect_to)
                )
            }
        }
    }
}

/// Follows an authorization URL like a browser of a signed-in user and returns the callback URL
/// (see [`AuthorizationOutcome::callback_url`]).
pub fn follow_authorization(url: &str) -> io::Result<String> {
    authorize(url).map(|o| o.callback_url())
}

/// Sends the authorization request and reports the redirect or `form_post` form.
pub fn authorize(url: &str) -> io::Result<AuthorizationOutcome> {
    let (status, headers, body) = http_get(url)?;
    if (300..400).contains(&status) {
        let location = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("location"))
            .map(|(_, v)| v.clone())
            .ok_or_else(|| io::Error::other("redirect without Location"))?;
        return Ok(AuthorizationOutcome {
            redirect_to: location,
            form_post: None,
        });
    }
    if status == 200
        && let Some(outcome) = parse_form(&body)
    {
        return Ok(outcome);
    }
    Err(io::Error::other(format!(
        "authorization request answered {status}: {}",
        body.chars().take(300).collect::<String>()
    )))
}

/// An HTTP response as `(status, headers, body)`.
pub type HttpResponse = (u16, Vec<(String, String)>, String);

/// A minimal GET: returns status, headers and body (at most 1 MiB).
pub fn http_get(url: &str) -> io::Result<HttpResponse> {
    let parsed =
        url::Url::parse(url).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    if parsed.scheme() != "http" {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "only http:// URLs are supported",
        ));
    }
    let host = parsed
        .host_str()
        .ok_or_else(|| io::Error::other("no host"))?;
    let port = parsed.port_or_known_default().unwrap_or(80);
    let mut stream = TcpStream::connect((host.trim_matches(['[', ']']), port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    stream.set_write_timeout(Some(Duration::from_secs(30)))?;
    let path = match parsed.query() {
        Some(q) => format!("{}?{q}", parsed.path()),
        None => parsed.path().to_string(),
    };
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\nAccept: text/html\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    stream.take(1024 * 1024).read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| io::Error::other("no HTTP status line"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| {
            l.split_once(':')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        })
        .collect();
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_string()
    };
    Ok((status, headers, body))
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// Finds `<form … action="…">` and its `<input name="…" value="…">` fields.
fn parse_form(html: &str) -> Option<AuthorizationOutcome> {
    let form_start = html.find("<form")?;
    let form = &html[form_start..];
    let action = attr(&form[..form.find('>')?], "action")?;
    let mut fields = Vec::new();
    let mut rest = form;
    while let Some(i) = rest.find("<input") {
        let tag_end = rest[i..].find('>').map(|e| i + e)?;
        let tag = &rest[i..tag_end];
        if let Some(name) = attr(tag, "name") {
            fields.push((name, attr(tag, "value").unwrap_or_default()));
        }
        rest = &rest[tag_end..];
    }
    Some(AuthorizationOutcome {
        redirect_to: action,
        form_post: Some(fields),
    })
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let needle = format!("{name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')? + start;
    Some(html_unescape(&tag[start..end]))
}

fn html_unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
