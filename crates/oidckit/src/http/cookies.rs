//! Cookies (RFC 6265, the parts a relying party needs): `Set-Cookie` parsing for
//! [`HttpEvents::on_set_cookie`](super::HttpEvents::on_set_cookie) and a small in-memory jar
//! that sends cookies back to the host (or domain) and path that set them.

use std::sync::{Arc, Mutex};

use super::events::SetCookie;

/// Parses one `Set-Cookie` header value; `None` when it has no `name=value`.
pub(crate) fn parse_set_cookie(value: &str) -> Option<SetCookie> {
    let mut parts = value.split(';');
    let (name, val) = parts.next()?.split_once('=')?;
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    let mut cookie = SetCookie {
        name: name.to_string(),
        value: val.trim().trim_matches('"').to_string(),
        expires: String::new(),
        domain: String::new(),
        path: String::new(),
        secure: false,
    };
    for attr in parts {
        let (k, v) = match attr.split_once('=') {
            Some((k, v)) => (k.trim(), v.trim()),
            None => (attr.trim(), ""),
        };
        match k.to_ascii_lowercase().as_str() {
            "expires" if cookie.expires.is_empty() => cookie.expires = v.to_string(),
            "max-age" => cookie.expires = format!("Max-Age={v}"),
            "domain" => cookie.domain = v.trim_start_matches('.').to_ascii_lowercase(),
            "path" => cookie.path = v.to_string(),
            "secure" => cookie.secure = true,
            _ => {}
        }
    }
    Some(cookie)
}

#[derive(Debug, Clone)]
struct Stored {
    cookie: SetCookie,
    /// The host that set it (for host-only cookies).
    host: String,
    /// The effective path.
    path: String,
}

/// A shared in-memory cookie jar.
#[derive(Debug, Clone, Default)]
pub(crate) struct Jar {
    cookies: Arc<Mutex<Vec<Stored>>>,
}

impl Jar {
    /// Stores (or replaces, or with `Max-Age<=0` removes) a cookie set by `url`.
    pub fn store(&self, url: &url::Url, cookie: &SetCookie) {
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        if !cookie.domain.is_empty() && !domain_matches(&host, &cookie.domain) {
            return; // A server may not set cookies for another domain.
        }
        let path = if cookie.path.starts_with('/') {
            cookie.path.clone()
        } else {
            default_path(url.path())
        };
        let expired = cookie
            .expires
            .strip_prefix("Max-Age=")
            .and_then(|n| n.parse::<i64>().ok())
            .is_some_and(|n| n <= 0);
        let Ok(mut jar) = self.cookies.lock() else {
            return;
        };
        jar.retain(|s| {
            !(s.cookie.name == cookie.name && s.cookie.domain == cookie.domain && s.path == path)
        });
        if !expired {
            jar.push(Stored {
                cookie: cookie.clone(),
                host,
                path,
            });
        }
    }

    /// The `name=value` pairs to send to `url`.
    pub fn matching(&self, url: &url::Url) -> Vec<(String, String)> {
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let Ok(jar) = self.cookies.lock() else {
            return Vec::new();
        };
        jar.iter()
            .filter(|s| {
                let host_ok = if s.cookie.domain.is_empty() {
                    s.host == host
                } else {
                    domain_matches(&host, &s.cookie.domain)
                };
                host_ok
                    && path_matches(url.path(), &s.path)
                    && (!s.cookie.secure || url.scheme() == "https")
            })
            .map(|s| (s.cookie.name.clone(), s.cookie.value.clone()))
            .collect()
    }
}

fn domain_matches(host: &str, domain: &str) -> bool {
    host == domain || host.ends_with(&format!(".{domain}"))
}

fn path_matches(request: &str, cookie: &str) -> bool {
    request == cookie
        || (request.starts_with(cookie)
            && (cookie.ends_with('/') || request[cookie.len()..].starts_with('/')))
}

fn default_path(path: &str) -> String {
    match path.rfind('/') {
        Some(0) | None => "/".into(),
        Some(i) => path[..i].to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_goes_back_only_to_its_host_and_path() {
        let jar = Jar::default();
        let url = url::Url::parse("http://127.0.0.1:1/a/b").expect("url");
        let c = parse_set_cookie("sid=42; Path=/a; HttpOnly").expect("cookie");
        assert_eq!(c.path, "/a");
        jar.store(&url, &c);
        let back = |u: &str| jar.matching(&url::Url::parse(u).expect("url"));
        assert_eq!(
            back("http://127.0.0.1:1/a/c"),
            vec![("sid".into(), "42".into())]
        );
        assert!(back("http://127.0.0.1:1/ab").is_empty());
        assert!(back("http://localhost:1/a").is_empty());
        jar.store(
            &url,
            &parse_set_cookie("sid=; Path=/a; Max-Age=0").expect("cookie"),
        );
        assert!(back("http://127.0.0.1:1/a").is_empty());
    }
}
