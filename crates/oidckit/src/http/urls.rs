//! The URL rules of the transport: `https` only, except for loopback hosts (or when the
//! application opts in), and URLs without their query for logs and errors.

use crate::error::UrlProblem;
use crate::{Error, Result};

/// [`check_url`] for a URL the provider sent (a discovery endpoint, a device verification URI,
/// a registration or resource URL): code 917 naming the `field` unless it passes.
pub(crate) fn check_provider_url(field: &str, url: &str, allow_http: bool) -> Result<()> {
    match check_url(url, allow_http) {
        Ok(_) => Ok(()),
        Err(_) => Err(Error::InsecureProviderUrl {
            field: field.to_string(),
            url: url.to_string(),
        }),
    }
}

/// Parses `url` and applies the scheme rule: https, or http on a loopback host (or anywhere
/// with `allow_http`). Code 152 without a server, 153 for a scheme that is not allowed.
pub(crate) fn check_url(url: &str, allow_http: bool) -> Result<url::Url> {
    let parsed = url::Url::parse(url).map_err(|e| Error::InvalidUrl {
        url: url.to_string(),
        reason: format!("not an absolute URL: {e}"),
        problem: UrlProblem::NoServer,
    })?;
    let Some(host) = parsed.host_str() else {
        return Err(Error::InvalidUrl {
            url: url.to_string(),
            reason: "no server in URL".into(),
            problem: UrlProblem::NoServer,
        });
    };
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if allow_http || is_loopback_host(host) => Ok(parsed),
        "http" => Err(Error::InvalidUrl {
            url: url.to_string(),
            reason: "http is only allowed for loopback hosts (127.0.0.1, [::1], localhost); use https, or opt in with dangerous().allow_http".into(),
            problem: UrlProblem::Scheme,
        }),
        other => Err(Error::InvalidUrl {
            url: url.to_string(),
            reason: format!("scheme {other:?} is not http or https"),
            problem: UrlProblem::Scheme,
        }),
    }
}

/// Whether `host` is a loopback name or address.
fn is_loopback_host(host: &str) -> bool {
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
}
