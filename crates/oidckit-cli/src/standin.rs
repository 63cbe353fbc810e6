//! A stand-in browser for tests and the demo: it sends the authorization request to the
//! (auto-approving mock) provider, then delivers the response to the loopback server the way
//! a browser would — a GET of the redirect, a POST of a `form_post` form, or for fragment
//! responses a GET of the relay page followed by the POST its script makes.
//! Plain HTTP/1.1 over `std::net`, for `http://` loopback URLs only.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use anyhow::{Context, bail};

use oidckit::loopback::RELAY_PATH;
use oidckit_mock::browser::{authorize, http_get};

/// Follows `url` and delivers the callback; returns the status and body of the final page.
pub fn browse(url: &str) -> anyhow::Result<(u16, String)> {
    let outcome = authorize(url).context("stand-in browser: authorization request failed")?;
    let (status, body) = match &outcome.form_post {
        Some(fields) => {
            let body = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(fields)
                .finish();
            http_post(&outcome.redirect_to, &body)?
        }
        None => match outcome.redirect_to.split_once('#') {
            Some((page_url, fragment)) if fragment.contains('=') => {
                let (status, _, page) =
                    http_get(page_url).context("stand-in browser: loading the redirect page")?;
                if status != 200 || !page.contains(RELAY_PATH) {
                    bail!(
                        "stand-in browser: the redirect page ({status}) is not the fragment relay page"
                    );
                }
                // What the page's script does: POST location.hash (without '#') to the relay path.
                let parsed = url::Url::parse(page_url)?;
                let relay = parsed.join(RELAY_PATH)?;
                http_post(relay.as_str(), fragment)?
            }
            _ => {
                let (status, _, body) = http_get(&outcome.redirect_to)
                    .context("stand-in browser: following the redirect")?;
                (status, body)
            }
        },
    };
    Ok((status, body))
}

/// POSTs a form body and returns status and body.
fn http_post(url: &str, body: &str) -> anyhow::Result<(u16, String)> {
    let parsed = url::Url::parse(url)?;
    if parsed.scheme() != "http" {
        bail!("stand-in browser: only http URLs are supported, not {url}");
    }
    let host = parsed.host_str().context("no host")?.to_string();
    let port = parsed.port_or_known_default().unwrap_or(80);
    let mut stream = TcpStream::connect((host.trim_matches(['[', ']']), port))
        .with_context(|| format!("stand-in browser: connecting to {host}:{port}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let path = match parsed.query() {
        Some(q) => format!("{}?{q}", parsed.path()),
        None => parsed.path().to_string(),
    };
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut raw = Vec::new();
    stream.take(1024 * 1024).read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("stand-in browser: no HTTP status")?;
    Ok((status, body.to_string()))
}
