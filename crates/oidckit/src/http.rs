//! The one HTTP transport: reqwest over rustls, with a whole-request deadline, a response size
//! cap enforced while reading, a User-Agent, no automatic redirects, and errors mapped to the
//! seed's codes. URLs are logged and reported without their query.

use std::time::Duration;

use base64::Engine as _;

use crate::config::HttpConfig;
use crate::{Error, Result};

/// A response that was read whole (within the size cap).
#[derive(Debug)]
pub(crate) struct Response {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    pub www_authenticate: Option<String>,
}

impl Response {
    /// Whether the media type is `application/jwt` (a signed UserInfo response).
    pub fn is_jwt(&self) -> bool {
        self.content_type.as_deref().is_some_and(|ct| {
            ct.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/jwt"))
        })
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Client credentials for HTTP Basic authentication.
pub(crate) struct Basic<'a> {
    pub user: &'a str,
    pub password: &'a str,
}

#[derive(Debug, Clone)]
pub(crate) struct Http {
    client: reqwest::Client,
    timeout: Duration,
    max_size: u64,
    allow_http: bool,
}

impl Http {
    pub fn new(cfg: &HttpConfig, allow_http: bool) -> Result<Http> {
        let client = reqwest::Client::builder()
            .user_agent(cfg.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout)
            .build()
            .map_err(|e| Error::Connection {
                url: String::new(),
                reason: "could not initialise the HTTP client".into(),
                source: Some(Box::new(e)),
            })?;
        Ok(Http {
            client,
            timeout: cfg.timeout,
            max_size: cfg.max_response_size,
            allow_http,
        })
    }

    /// Checks that `url` is absolute, has a host, and is https (or http on a loopback host, or
    /// with the dangerous opt-in).
    pub fn check_url(&self, url: &str) -> Result<url::Url> {
        check_url(url, self.allow_http)
    }

    pub async fn get(&self, url: &str, bearer: Option<&str>, accept: &str) -> Result<Response> {
        let parsed = self.check_url(url)?;
        let mut req = self.client.get(parsed.clone()).header("accept", accept);
        if let Some(token) = bearer {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        self.send(&parsed, req).await
    }

    pub async fn post_form(
        &self,
        url: &str,
        form: &[(&str, &str)],
        basic: Option<Basic<'_>>,
        bearer: Option<&str>,
    ) -> Result<Response> {
        let parsed = self.check_url(url)?;
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let mut req = self
            .client
            .post(parsed.clone())
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(body);
        if let Some(b) = basic {
            req = req.header("authorization", basic_header(b.user, b.password));
        }
        if let Some(token) = bearer {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        self.send(&parsed, req).await
    }

    async fn send(&self, url: &url::Url, req: reqwest::RequestBuilder) -> Result<Response> {
        let shown = without_query(url);
        let work = async {
            let mut resp = req
                .send()
                .await
                .map_err(|e| map_error(&shown, self.timeout, e))?;
            let status = resp.status().as_u16();
            let header = |name: &str| {
                resp.headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let content_type = header("content-type");
            let www_authenticate = header("www-authenticate");
            if resp.content_length().is_some_and(|len| len > self.max_size) {
                return Err(Error::ResponseTooLarge {
                    url: shown.clone(),
                    limit: self.max_size,
                });
            }
            let mut body = Vec::new();
            while let Some(chunk) = resp
                .chunk()
                .await
                .map_err(|e| map_error(&shown, self.timeout, e))?
            {
                if body.len() as u64 + chunk.len() as u64 > self.max_size {
                    return Err(Error::ResponseTooLarge {
                        url: shown.clone(),
                        limit: self.max_size,
                    });
                }
                body.extend_from_slice(&chunk);
            }
            Ok(Response {
                status,
                content_type,
                body,
                www_authenticate,
            })
        };
        match tokio::time::timeout(self.timeout, work).await {
            Ok(r) => r,
            Err(_) => Err(Error::Timeout {
                what: shown,
                seconds: self.timeout.as_secs().max(1),
            }),
        }
    }
}

/// `Authorization: Basic` with both parts form-urlencoded first (RFC 6749 §2.3.1).
fn basic_header(user: &str, password: &str) -> String {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let raw = format!("{}:{}", enc(user), enc(password));
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

pub(crate) fn check_url(url: &str, allow_http: bool) -> Result<url::Url> {
    let parsed = url::Url::parse(url).map_err(|e| Error::InvalidUrl {
        url: url.to_string(),
        reason: format!("not an absolute URL: {e}"),
        code: 152,
    })?;
    let Some(host) = parsed.host_str() else {
        return Err(Error::InvalidUrl {
            url: url.to_string(),
            reason: "no server in URL".into(),
            code: 152,
        });
    };
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if allow_http || is_loopback_host(host) => Ok(parsed),
        "http" => Err(Error::InvalidUrl {
            url: url.to_string(),
            reason: "http is only allowed for loopback hosts (127.0.0.1, [::1], localhost); use https, or opt in with dangerous().allow_http".into(),
            code: 153,
        }),
        other => Err(Error::InvalidUrl {
            url: url.to_string(),
            reason: format!("scheme {other:?} is not http or https"),
            code: 153,
        }),
    }
}

/// Whether `host` is a loopback name or address.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The URL without query or fragment, safe to log and to put in errors.
pub(crate) fn without_query(url: &url::Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    u.to_string()
}

fn map_error(url: &str, timeout: Duration, e: reqwest::Error) -> Error {
    if e.is_timeout() {
        return Error::Timeout {
            what: url.to_string(),
            seconds: timeout.as_secs().max(1),
        };
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    let mut chain = String::new();
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return Error::ConnectionRefused {
                url: url.to_string(),
            };
        }
        chain.push_str(&err.to_string());
        chain.push_str(": ");
        source = err.source();
    }
    let lower = chain.to_ascii_lowercase();
    if lower.contains("dns error") || lower.contains("failed to lookup address") {
        return Error::HostNotFound {
            url: url.to_string(),
        };
    }
    Error::Connection {
        url: url.to_string(),
        reason: chain.trim_end_matches(": ").to_string(),
        source: Some(Box::new(e.without_url())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_need_https_except_on_loopback() {
        assert!(check_url("https://example.com/x", false).is_ok());
        assert!(check_url("http://127.0.0.1:8080/x", false).is_ok());
        assert!(check_url("http://[::1]:8080/x", false).is_ok());
        assert!(check_url("http://localhost/x", false).is_ok());
        assert_eq!(
            check_url("http://example.com/x", false)
                .expect_err("http")
                .code(),
            153
        );
        assert!(check_url("http://example.com/x", true).is_ok());
        assert_eq!(
            check_url("ftp://example.com/x", true)
                .expect_err("ftp")
                .code(),
            153
        );
        assert_eq!(check_url("/relative", false).expect_err("rel").code(), 152);
    }

    #[test]
    fn basic_header_form_encodes_both_parts() {
        // "a b:c" → "a+b%3Ac"
        let h = basic_header("a b", "p:w");
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(h.trim_start_matches("Basic "))
            .expect("base64");
        assert_eq!(decoded, b"a+b:p%3Aw");
    }
}
