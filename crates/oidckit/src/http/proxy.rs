//! Proxies and firewalls: the seed's `proxy_*` and `firewall_*` settings mapped onto reqwest's
//! HTTP (forwarding and `CONNECT`), SOCKS4, SOCKS4A and SOCKS5 proxies. Failures are code 118.

use std::fmt;

use crate::error::Redacted;
use crate::{Error, Result};

/// How the client authenticates to an HTTP proxy (the seed's `proxy_auth_scheme`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ProxyAuthScheme {
    /// `Proxy-Authorization: Basic` with the user and password (seed value 0). The default.
    #[default]
    Basic,
    /// Digest (seed value 1). Not supported: building the client fails with code 921.
    Digest,
    /// A token set by the application (seed value 2). Not supported: code 921.
    Proprietary,
    /// No authentication (seed value 3), even when a user is set.
    None,
    /// NTLM (seed value 4). Not supported: code 921.
    Ntlm,
    /// Negotiate / Kerberos (seed value 5). Not supported: code 921.
    Negotiate,
}

/// When the connection to the proxy itself uses TLS (the seed's `proxy_ssl`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ProxySsl {
    /// `https` URLs go through a `CONNECT` tunnel, `http` URLs are forwarded; the proxy is
    /// spoken to in plain HTTP (seed value 0). The default.
    #[default]
    Automatic,
    /// The proxy is spoken to over TLS (an `https://` proxy; seed value 1).
    Always,
    /// The proxy is spoken to in plain HTTP (seed value 2); same as `Automatic` here.
    Never,
    /// Same as `Automatic` here: `https` always tunnels, and `http` requests are forwarded
    /// rather than tunnelled (seed value 3; an approximation).
    Tunnel,
}

/// An HTTP proxy (the seed's `proxy_server`, `proxy_port`, `proxy_user`, `proxy_password`,
/// `proxy_auth_scheme`, `proxy_ssl`).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProxySettings {
    /// Host name or IP address of the proxy. Required.
    pub server: String,
    /// TCP port. Default: 80.
    pub port: u16,
    /// User for proxy authentication. Default: none.
    pub user: Option<String>,
    /// Password for proxy authentication. Default: none.
    pub password: Option<String>,
    /// Authentication scheme. Default: [`ProxyAuthScheme::Basic`].
    pub auth_scheme: ProxyAuthScheme,
    /// TLS to the proxy. Default: [`ProxySsl::Automatic`].
    pub ssl: ProxySsl,
}

impl ProxySettings {
    /// A proxy at `server:port` without authentication.
    pub fn new(server: impl Into<String>, port: u16) -> ProxySettings {
        ProxySettings {
            server: server.into(),
            port,
            user: None,
            password: None,
            auth_scheme: ProxyAuthScheme::Basic,
            ssl: ProxySsl::Automatic,
        }
    }

    /// Sets user and password (builder style).
    pub fn with_credentials(
        mut self,
        user: impl Into<String>,
        password: impl Into<String>,
    ) -> ProxySettings {
        self.user = Some(user.into());
        self.password = Some(password.into());
        self
    }
}

impl fmt::Debug for ProxySettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxySettings")
            .field("server", &self.server)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| Redacted(())))
            .field("auth_scheme", &self.auth_scheme)
            .field("ssl", &self.ssl)
            .finish()
    }
}

/// The kind of firewall (the seed's `firewall_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FirewallType {
    /// An HTTP proxy that tunnels with `CONNECT` (seed value 1; default port 80). `http` URLs
    /// are forwarded rather than tunnelled (an approximation).
    Tunnel,
    /// SOCKS4 (seed value 2; default port 1080); names are resolved locally. No password.
    Socks4,
    /// SOCKS5 (seed value 3; default port 1080); names are resolved by the proxy.
    Socks5,
    /// SOCKS4A (seed value 10; default port 1080); names are resolved by the proxy.
    Socks4A,
}

impl FirewallType {
    /// The port the seed sets when the type is chosen.
    pub fn default_port(self) -> u16 {
        match self {
            FirewallType::Tunnel => 80,
            _ => 1080,
        }
    }
}

/// A firewall (SOCKS or tunnelling proxy) every connection goes through (the seed's
/// `firewall_type`, `firewall_host`, `firewall_port`, `firewall_user`, `firewall_password`).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Firewall {
    /// The kind of firewall. Required.
    pub kind: FirewallType,
    /// Host name or IP address. Required.
    pub host: String,
    /// TCP port. Default: [`FirewallType::default_port`].
    pub port: u16,
    /// User (SOCKS5 user/password, SOCKS4 user id, tunnel Basic auth). Default: none.
    pub user: Option<String>,
    /// Password. Default: none.
    pub password: Option<String>,
}

impl Firewall {
    /// A firewall of `kind` at `host` on the kind's default port, without authentication.
    pub fn new(kind: FirewallType, host: impl Into<String>) -> Firewall {
        Firewall {
            kind,
            host: host.into(),
            port: kind.default_port(),
            user: None,
            password: None,
        }
    }

    /// Sets the port (builder style).
    pub fn with_port(mut self, port: u16) -> Firewall {
        self.port = port;
        self
    }

    /// Sets user and password (builder style).
    pub fn with_credentials(
        mut self,
        user: impl Into<String>,
        password: impl Into<String>,
    ) -> Firewall {
        self.user = Some(user.into());
        self.password = Some(password.into());
        self
    }
}

impl fmt::Debug for Firewall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Firewall")
            .field("kind", &self.kind)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| Redacted(())))
            .finish()
    }
}

/// The proxy in use, for messages: `host:port` and its kind.
#[derive(Debug, Clone)]
pub(crate) struct ProxyInUse {
    pub display: String,
}

/// The proxy-related settings of [`HttpConfig`](crate::HttpConfig).
pub(crate) struct ProxyOptions<'a> {
    pub proxy: Option<&'a ProxySettings>,
    pub firewall: Option<&'a Firewall>,
    pub auto_detect: bool,
    /// Hosts that bypass the proxy or firewall (`ProxyExceptionsList`).
    pub exceptions: &'a [String],
    /// A raw `Proxy-Authorization` value (`ProxyAuthorization`).
    pub authorization: Option<&'a str>,
}

/// The seed's `ProxyExceptionsList` (`;`-separated, also `,` or spaces) as a reqwest list.
fn exceptions(list: &[String]) -> Option<reqwest::NoProxy> {
    let hosts: Vec<&str> = list
        .iter()
        .flat_map(|e| e.split([';', ',', ' ', '\t', '\n']))
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .collect();
    if hosts.is_empty() {
        return None;
    }
    reqwest::NoProxy::from_string(&hosts.join(","))
}

/// Configures `builder` with the firewall, else the proxy, else environment proxies when
/// `auto_detect`, else no proxy at all (the environment is ignored).
pub(crate) fn apply(
    mut builder: reqwest::ClientBuilder,
    opts: &ProxyOptions<'_>,
) -> Result<(reqwest::ClientBuilder, Option<ProxyInUse>)> {
    let (proxy, firewall, auto_detect) = (opts.proxy, opts.firewall, opts.auto_detect);
    let bypass = exceptions(opts.exceptions);
    builder = builder.no_proxy();
    if let Some(fw) = firewall {
        let scheme = match fw.kind {
            FirewallType::Tunnel => "http",
            FirewallType::Socks4 => "socks4",
            FirewallType::Socks4A => "socks4a",
            FirewallType::Socks5 => "socks5h",
        };
        if cfg!(not(feature = "socks")) && fw.kind != FirewallType::Tunnel {
            return Err(Error::InvalidSetting {
                name: "Firewall".into(),
                reason: "SOCKS firewalls need oidckit's `socks` feature; enable it or use a tunnel (HTTP CONNECT) firewall".into(),
            });
        }
        let url = proxy_url(
            scheme,
            &fw.host,
            fw.port,
            fw.user.as_deref(),
            fw.password.as_deref(),
            "Firewall",
        )?;
        let p = reqwest::Proxy::all(url)
            .map_err(|e| invalid("Firewall", e))?
            .no_proxy(bypass);
        let display = format!("{}:{} ({:?} firewall)", fw.host, fw.port, fw.kind);
        return Ok((builder.proxy(p), Some(ProxyInUse { display })));
    }
    if let Some(px) = proxy {
        let (user, password) = match px.auth_scheme {
            _ if opts.authorization.is_some() => (None, None),
            ProxyAuthScheme::Basic => (px.user.as_deref(), px.password.as_deref()),
            ProxyAuthScheme::None => (None, None),
            other => {
                return Err(Error::InvalidSetting {
                    name: "ProxyAuthScheme".into(),
                    reason: format!(
                        "{other:?} proxy authentication is not supported; use Basic (or None), or a proxy that accepts Basic"
                    ),
                });
            }
        };
        let scheme = if px.ssl == ProxySsl::Always {
            "https"
        } else {
            "http"
        };
        let url = proxy_url(scheme, &px.server, px.port, user, password, "ProxyServer")?;
        let mut p = reqwest::Proxy::all(url)
            .map_err(|e| invalid("ProxyServer", e))?
            .no_proxy(bypass);
        if let Some(raw) = opts.authorization {
            let value = reqwest::header::HeaderValue::from_str(raw.trim()).map_err(|_| {
                Error::InvalidSetting {
                    name: "ProxyAuthorization".into(),
                    reason: "not a valid header value (no line breaks or control characters)"
                        .into(),
                }
            })?;
            p = p.custom_http_auth(value);
        }
        let display = format!("{}:{} (HTTP proxy)", px.server, px.port);
        return Ok((builder.proxy(p), Some(ProxyInUse { display })));
    }
    if auto_detect {
        let env = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| std::env::var(n).ok().filter(|v| !v.trim().is_empty()))
        };
        let no_proxy = reqwest::NoProxy::from_env();
        let mut shown = Vec::new();
        if let Some(url) = env(&["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]) {
            let p = reqwest::Proxy::https(url.as_str()).map_err(|e| invalid("HTTPS_PROXY", e))?;
            builder = builder.proxy(p.no_proxy(no_proxy.clone()));
            shown.push(format!("{} (HTTPS_PROXY)", strip_credentials(&url)));
        }
        if let Some(url) = env(&["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]) {
            let p = reqwest::Proxy::http(url.as_str()).map_err(|e| invalid("HTTP_PROXY", e))?;
            builder = builder.proxy(p.no_proxy(no_proxy));
            shown.push(format!("{} (HTTP_PROXY)", strip_credentials(&url)));
        }
        if !shown.is_empty() {
            let display = shown.join(", ");
            return Ok((builder, Some(ProxyInUse { display })));
        }
    }
    Ok((builder, None))
}

fn proxy_url(
    scheme: &str,
    host: &str,
    port: u16,
    user: Option<&str>,
    password: Option<&str>,
    setting: &str,
) -> Result<url::Url> {
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_string()
    };
    let mut url = url::Url::parse(&format!("{scheme}://{host}:{port}")).map_err(|e| {
        Error::InvalidSetting {
            name: setting.into(),
            reason: format!("{host:?} is not a usable host: {e}"),
        }
    })?;
    if let Some(u) = user.filter(|u| !u.is_empty()) {
        let bad = |_| Error::InvalidSetting {
            name: setting.into(),
            reason: "cannot carry a user or password for this host".into(),
        };
        url.set_username(u).map_err(bad)?;
        url.set_password(password).map_err(bad)?;
    }
    Ok(url)
}

fn invalid(setting: &str, e: reqwest::Error) -> Error {
    Error::InvalidSetting {
        name: setting.into(),
        reason: format!("not a usable proxy: {e}"),
    }
}

/// `http://user:pw@host:port` → `http://host:port`, for messages.
fn strip_credentials(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        Err(_) => "(unparsable proxy URL)".into(),
    }
}

/// Whether the error chain text says the proxy or firewall failed (not the server behind it).
pub(crate) fn is_proxy_failure(chain_lower: &str) -> bool {
    ["proxy", "tunnel", "socks"]
        .iter()
        .any(|w| chain_lower.contains(w))
}
