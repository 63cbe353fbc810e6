//! [`HttpConfig`]: the transport settings shared by every request the client makes.

use std::time::Duration;

/// HTTP transport settings shared by every request the client makes.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HttpConfig {
    /// Deadline for each whole request, connection to last byte. Default: 60 s (the seed's `timeout`).
    pub timeout: Duration,
    /// Largest response body read; a larger one fails with code 909 without being read whole.
    /// Default: 1 MiB.
    pub max_response_size: u64,
    /// The `User-Agent` header. Default: `oidckit/<version>`.
    pub user_agent: String,
    /// An HTTP proxy (the seed's `proxy_*`). Failures are code 118. Default: none.
    pub proxy: Option<crate::http::ProxySettings>,
    /// Use the `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` and `NO_PROXY` environment variables
    /// when neither `proxy` nor `firewall` is set (the seed's `proxy_auto_detect`). When
    /// false the environment is ignored. Default: false.
    pub proxy_auto_detect: bool,
    /// A SOCKS4/4A/5 or tunnelling firewall (the seed's `firewall_*`); takes precedence over
    /// `proxy`. Failures are code 118. Default: none.
    pub firewall: Option<crate::http::Firewall>,
    /// TLS trust and client certificates. TLS 1.2 and 1.3 only. Default: the platform's
    /// roots, no client certificate.
    pub tls: crate::http::TlsSettings,
    /// Whether redirects are followed (the seed's `follow_redirects`). Default:
    /// [`FollowRedirects::Never`](crate::http::FollowRedirects::Never).
    pub follow_redirects: crate::http::FollowRedirects,
    /// Most redirects followed for one request (the seed's `MaxRedirectAttempts`). Default: 20.
    pub max_redirects: u32,
    /// Extra headers sent with every request (the seed's `other_headers`). Default: none.
    pub other_headers: Vec<(String, String)>,
    /// Cookies sent with every request (the seed's `add_cookie`). Default: none.
    pub cookies: Vec<(String, String)>,
    /// Keep cookies the servers set and send them back to the same host (or domain) and path.
    /// Default: false.
    pub cookie_jar: bool,
    /// Local address to connect from (the seed's `local_host`). Default: none (the system's choice).
    pub local_host: Option<std::net::IpAddr>,
    /// How much is logged to [`HttpEvents::on_log`](crate::http::HttpEvents::on_log) (the
    /// seed's `LogLevel`). Default: [`LogLevel::Info`](crate::http::LogLevel::Info).
    pub log_level: crate::http::LogLevel,
    /// Mask client secrets, codes, code verifiers, tokens, passwords, assertions and
    /// credential headers in log messages (the seed's `MaskSensitive`). Default: true.
    pub mask_sensitive: bool,
    /// Receives transport events (`on_connected` … `on_log`, `on_ssl_server_authentication`).
    /// Default: none.
    pub events: Option<std::sync::Arc<dyn crate::http::HttpEvents>>,
    /// Deadline for establishing each connection (TCP, proxy handshake and TLS), within
    /// [`timeout`](Self::timeout) (the seed's `ConnectionTimeout`). Default: none (the
    /// whole-request `timeout` applies).
    pub connect_timeout: Option<Duration>,
    /// Hosts and IP addresses that bypass [`proxy`](Self::proxy) and
    /// [`firewall`](Self::firewall) (the seed's `ProxyExceptionsList`): a name also matches its
    /// subdomains, `*` matches every host, `10.0.0.0/8` a network. Default: none.
    pub proxy_exceptions: Vec<String>,
    /// A raw `Proxy-Authorization` value sent to the HTTP proxy instead of one built from its
    /// user and password (the seed's `ProxyAuthorization`), e.g. `Bearer abc`. Default: none.
    pub proxy_authorization: Option<String>,
    /// Reuse connections between requests (the seed's `KeepAlive`). When on,
    /// [`HttpEvents::on_connected`](crate::http::HttpEvents::on_connected) fires only for new
    /// connections and `on_disconnected` is not fired after a request whose connection stays
    /// open in the pool. Default: false (a new connection per request, closed after it).
    pub keep_alive: bool,
    /// Idle time before TCP keep-alive probes are sent, or `None` to turn `SO_KEEPALIVE` off
    /// (the seed's `TCPKeepAlive` and `KeepAliveTime`). Default: 15 s.
    pub tcp_keepalive: Option<Duration>,
    /// Interval between unanswered TCP keep-alive probes (the seed's `KeepAliveInterval`).
    /// Default: 15 s.
    pub tcp_keepalive_interval: Option<Duration>,
    /// Set `TCP_NODELAY` (disable Nagle's algorithm; the seed's `TcpNoDelay`). Default: true.
    pub tcp_nodelay: bool,
    /// The HTTP version offered (the seed's `HTTPVersion`). Default:
    /// [`HttpVersion::Http11`](crate::http::HttpVersion::Http11).
    pub http_version: crate::http::HttpVersion,
    /// Ask for compressed responses and decompress them (the seed's `AllowHTTPCompression`);
    /// the value is the `Accept-Encoding` header (the seed's `AcceptEncoding`), made of `gzip`,
    /// `deflate` and `identity`. [`max_response_size`](Self::max_response_size) applies to the
    /// decompressed bytes. Default: none (no `Accept-Encoding`, nothing decompressed).
    pub accept_encoding: Option<String>,
    /// Which address families a host name may resolve to (the seed's `UseIPv6`); address
    /// literals in URLs are used as written. Default:
    /// [`IpFamily::Any`](crate::http::IpFamily::Any).
    pub ip_family: crate::http::IpFamily,
    /// On a followed 302, send the next request as a GET without body (the seed's
    /// `GetOn302Redirect`); when false a 302 keeps the method and body. A 303 always becomes
    /// GET, a 301 after a non-GET request too. Default: true.
    pub get_on_302_redirect: bool,
}

impl Default for HttpConfig {
    fn default() -> HttpConfig {
        HttpConfig {
            timeout: Duration::from_secs(60),
            max_response_size: 1024 * 1024,
            user_agent: concat!("oidckit/", env!("CARGO_PKG_VERSION")).to_string(),
            proxy: None,
            proxy_auto_detect: false,
            firewall: None,
            tls: crate::http::TlsSettings::default(),
            follow_redirects: crate::http::FollowRedirects::Never,
            max_redirects: 20,
            other_headers: Vec::new(),
            cookies: Vec::new(),
            cookie_jar: false,
            local_host: None,
            log_level: crate::http::LogLevel::Info,
            mask_sensitive: true,
            events: None,
            connect_timeout: None,
            proxy_exceptions: Vec::new(),
            proxy_authorization: None,
            keep_alive: false,
            tcp_keepalive: Some(Duration::from_secs(15)),
            tcp_keepalive_interval: Some(Duration::from_secs(15)),
            tcp_nodelay: true,
            http_version: crate::http::HttpVersion::Http11,
            accept_encoding: None,
            ip_family: crate::http::IpFamily::Any,
            get_on_302_redirect: true,
        }
    }
}
