//! The one HTTP transport: reqwest over rustls, with a whole-request deadline, a response size
//! cap enforced while reading, a User-Agent, redirects followed only as configured, proxies and
//! firewalls, TLS trust settings and client certificates, cookies, events and masked logging,
//! and errors mapped to the seed's codes. URLs are logged and reported without their query.
//! Optional: gzip/deflate responses (the size cap applies to the decompressed bytes), HTTP/2
//! by ALPN, a connect deadline, TCP keep-alive and `TCP_NODELAY`, an address family for
//! resolved names, and the last request as sent ([`LastResponse::request`]).
//!
//! By default each request uses a new connection (no keep-alive), as the seed's classes do;
//! that makes [`HttpEvents::on_connected`] and [`HttpEvents::on_disconnected`] bracket each
//! request. [`HttpConfig::keep_alive`] turns connection reuse on.

mod config;
mod cookies;
mod events;
mod log;
mod proxy;
mod resolve;
mod tls;
mod urls;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;

use crate::error::UrlProblem;
use crate::{Error, Result};

pub use config::HttpConfig;
pub use events::{Direction, HttpEvents, LogLevel, Redirect, ServerCertificate, SetCookie};
pub use proxy::{Firewall, FirewallType, ProxyAuthScheme, ProxySettings, ProxySsl};
pub use resolve::{HttpVersion, IpFamily};
pub use tls::{ClientCertificate, TlsSettings};
pub(crate) use urls::{check_provider_url, check_url, without_query};

/// What happens when a server answers with a redirect (the seed's `follow_redirects`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum FollowRedirects {
    /// Never follow (seed value 0): the 3xx response is an error (code 151). The default.
    #[default]
    Never,
    /// Always follow (seed value 1), for any method, keeping the credentials.
    Always,
    /// Follow only to a URL of the same scheme and only for GET (seed value 2); credentials
    /// are dropped when the host or port changes.
    SameScheme,
}

/// The last response the transport read (the seed's `transferred_data` and
/// `transferred_headers`), from [`Client::last_response`](crate::Client::last_response).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct LastResponse {
    /// The status code.
    pub status: u16,
    /// The status line, e.g. `HTTP/1.1 200 OK`.
    pub status_line: String,
    /// Every header as received, one `Name: value` per line, `\r\n`-terminated.
    pub headers: String,
    /// The body as received (within the size cap; decompressed). It may hold tokens: treat
    /// it as secret.
    pub body: Vec<u8>,
    /// The request line and headers of the request that got this response, `\r\n`-terminated
    /// lines (the seed's `SentHeaders`); credentials and secret query values are masked when
    /// [`HttpConfig::mask_sensitive`] is on. `Proxy-Authorization` goes to the proxy and is not
    /// listed.
    pub request_headers: String,
    /// The whole request: `request_headers`, an empty line and the body (the seed's
    /// `TransferredRequest`), masked like `request_headers`.
    pub request: String,
}
/// A response that was read whole (within the size cap).
#[derive(Debug)]
pub(crate) struct Response {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    pub www_authenticate: Option<String>,
    /// The `DPoP-Nonce` header (RFC 9449 §8).
    pub dpop_nonce: Option<String>,
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
    events: Arc<dyn HttpEvents>,
    logger: log::Logger,
    follow: FollowRedirects,
    max_redirects: u32,
    other_headers: Vec<(String, String)>,
    cookies: Vec<(String, String)>,
    jar: Option<cookies::Jar>,
    proxy: Option<proxy::ProxyInUse>,
    last: Arc<Mutex<Option<LastResponse>>>,
    keep_alive: bool,
    get_on_302: bool,
    accept_encoding: Option<String>,
    user_agent: String,
}

/// One request to send (and re-send on a redirect).
struct Outgoing {
    method: reqwest::Method,
    headers: Vec<(&'static str, String)>,
    body: Option<String>,
}

impl Http {
    pub fn new(cfg: &HttpConfig, allow_http: bool) -> Result<Http> {
        let events: Arc<dyn HttpEvents> = cfg
            .events
            .clone()
            .unwrap_or_else(|| Arc::new(events::NoEvents));
        let mut tls = tls::client_config(&cfg.tls, cfg.events.clone())?;
        if cfg.http_version == HttpVersion::Http2 {
            tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        }
        let accept_encoding = match &cfg.accept_encoding {
            Some(v) => Some(check_accept_encoding(v)?),
            None => None,
        };
        let wants = |coding: &str| {
            accept_encoding.as_deref().is_some_and(|v| {
                v.split(',')
                    .any(|t| t.split(';').next().unwrap_or_default().trim() == coding)
            })
        };
        let connect_timeout = cfg
            .connect_timeout
            .filter(|d| !d.is_zero())
            .map_or(cfg.timeout, |d| d.min(cfg.timeout));
        let mut builder = reqwest::Client::builder()
            .user_agent(cfg.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .timeout(cfg.timeout)
            .connect_timeout(connect_timeout)
            .local_address(cfg.local_host)
            // Any keep-alive parameter turns SO_KEEPALIVE on: all or none.
            .tcp_keepalive(cfg.tcp_keepalive)
            .tcp_keepalive_interval(cfg.tcp_keepalive.and(cfg.tcp_keepalive_interval))
            .tcp_keepalive_retries(cfg.tcp_keepalive.map(|_| 3))
            .tcp_nodelay(cfg.tcp_nodelay)
            .tls_backend_preconfigured(tls)
            .connector_layer(events::ObserveConnect);
        #[cfg(feature = "gzip")]
        {
            builder = builder.gzip(wants("gzip")).deflate(wants("deflate"));
        }
        #[cfg(not(feature = "gzip"))]
        let _ = wants;
        if !cfg.keep_alive {
            builder = builder.pool_max_idle_per_host(0);
        }
        if cfg.http_version == HttpVersion::Http11 {
            builder = builder.http1_only();
        }
        if cfg.ip_family != IpFamily::Any {
            builder = builder.dns_resolver(Arc::new(resolve::FamilyResolver(cfg.ip_family)));
        }
        let (builder, proxy) = proxy::apply(
            builder,
            &proxy::ProxyOptions {
                proxy: cfg.proxy.as_ref(),
                firewall: cfg.firewall.as_ref(),
                auto_detect: cfg.proxy_auto_detect,
                exceptions: &cfg.proxy_exceptions,
                authorization: cfg.proxy_authorization.as_deref(),
            },
        )?;
        let client = builder.build().map_err(|e| Error::Connection {
            url: String::new(),
            reason: "could not initialise the HTTP client".into(),
            source: Some(Box::new(e)),
        })?;
        Ok(Http {
            client,
            timeout: cfg.timeout,
            max_size: cfg.max_response_size,
            allow_http,
            logger: log::Logger {
                events: events.clone(),
                level: cfg.log_level,
                mask: cfg.mask_sensitive,
            },
            events,
            follow: cfg.follow_redirects,
            max_redirects: cfg.max_redirects,
            other_headers: cfg.other_headers.clone(),
            cookies: cfg.cookies.clone(),
            jar: cfg.cookie_jar.then(cookies::Jar::default),
            proxy,
            last: Arc::new(Mutex::new(None)),
            keep_alive: cfg.keep_alive,
            get_on_302: cfg.get_on_302_redirect,
            accept_encoding,
            user_agent: cfg.user_agent.clone(),
        })
    }

    /// The last response read, if any.
    pub fn last_response(&self) -> Option<LastResponse> {
        self.last.lock().ok().and_then(|l| l.clone())
    }

    /// Checks that `url` is absolute, has a host, and is https (or http on a loopback host, or
    /// with the dangerous opt-in).
    pub fn check_url(&self, url: &str) -> Result<url::Url> {
        check_url(url, self.allow_http)
    }

    /// Whether plain http to any host was allowed (`dangerous().allow_http`).
    pub(crate) fn allows_http(&self) -> bool {
        self.allow_http
    }

    pub async fn get(&self, url: &str, bearer: Option<&str>, accept: &str) -> Result<Response> {
        let auth = bearer.map(|token| ("authorization", format!("Bearer {token}")));
        self.get_with(url, accept, auth.into_iter().collect()).await
    }

    /// A GET with extra request headers (e.g. `Authorization: DPoP …` and `DPoP`).
    pub async fn get_with(
        &self,
        url: &str,
        accept: &str,
        extra: Vec<(&'static str, String)>,
    ) -> Result<Response> {
        let parsed = self.check_url(url)?;
        let mut headers = vec![("accept", accept.to_string())];
        headers.extend(extra);
        let out = Outgoing {
            method: reqwest::Method::GET,
            headers,
            body: None,
        };
        self.send(parsed, out).await
    }

    pub async fn post_form(
        &self,
        url: &str,
        form: &[(&str, &str)],
        basic: Option<Basic<'_>>,
        bearer: Option<&str>,
    ) -> Result<Response> {
        let auth = bearer.map(|token| ("authorization", format!("Bearer {token}")));
        self.post_form_with(url, form, basic, auth.into_iter().collect())
            .await
    }

    /// A form POST with extra request headers (e.g. a `DPoP` proof).
    pub async fn post_form_with(
        &self,
        url: &str,
        form: &[(&str, &str)],
        basic: Option<Basic<'_>>,
        extra: Vec<(&'static str, String)>,
    ) -> Result<Response> {
        let parsed = self.check_url(url)?;
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let mut headers = vec![
            (
                "content-type",
                "application/x-www-form-urlencoded".to_string(),
            ),
            ("accept", "application/json".to_string()),
        ];
        if let Some(b) = basic {
            headers.push(("authorization", basic_header(b.user, b.password)));
        }
        headers.extend(extra);
        let out = Outgoing {
            method: reqwest::Method::POST,
            headers,
            body: Some(body),
        };
        self.send(parsed, out).await
    }

    /// A request with an optional JSON body and Bearer token (client registration and its
    /// management, RFC 7591/7592: POST, GET, PUT, DELETE).
    pub(crate) async fn send_json(
        &self,
        method: reqwest::Method,
        url: &str,
        json: Option<String>,
        bearer: Option<&str>,
    ) -> Result<Response> {
        let parsed = self.check_url(url)?;
        let mut headers = vec![("accept", "application/json".to_string())];
        if json.is_some() {
            headers.push(("content-type", "application/json".to_string()));
        }
        if let Some(token) = bearer {
            headers.push(("authorization", format!("Bearer {token}")));
        }
        let out = Outgoing {
            method,
            headers,
            body: json,
        };
        self.send(parsed, out).await
    }

    /// Sends `out`, following redirects as configured, all within the deadline.
    async fn send(&self, url: url::Url, out: Outgoing) -> Result<Response> {
        let shown = without_query(&url);
        let result = match tokio::time::timeout(self.timeout, self.follow_chain(url, out)).await {
            Ok(r) => r,
            Err(_) => Err(Error::Timeout {
                what: shown,
                seconds: self.timeout.as_secs().max(1),
            }),
        };
        if let Err(e) = &result {
            self.events.on_error(e.code(), &e.to_string());
            self.logger.log(LogLevel::Info, "Info", || {
                format!("error[{}]: {e}", e.code())
            });
        }
        result
    }

    async fn follow_chain(&self, mut url: url::Url, mut out: Outgoing) -> Result<Response> {
        let mut hops = 0u32;
        loop {
            let (resp, location) = self.exchange(&url, &out).await?;
            let Some(location) = location.filter(|_| is_redirect(resp.status)) else {
                return Ok(resp);
            };
            let next = url.join(&location).map_err(|e| Error::InvalidUrl {
                url: location.clone(),
                reason: format!("the server redirected to an unusable location: {e}"),
                problem: UrlProblem::NoServer,
            })?;
            let get = out.method == reqwest::Method::GET || out.method == reqwest::Method::HEAD;
            let decided = match self.follow {
                FollowRedirects::Never => false,
                FollowRedirects::Always => true,
                FollowRedirects::SameScheme => get && next.scheme() == url.scheme(),
            };
            let mut redirect = Redirect {
                location: next.to_string(),
                status: resp.status,
                accept: decided,
            };
            self.events.on_redirect(&mut redirect);
            self.logger.log(LogLevel::Verbose, "Info", || {
                let verdict = if redirect.accept {
                    "following"
                } else {
                    "not following"
                };
                format!(
                    "redirect {} to {} ({verdict})",
                    resp.status,
                    without_query(&next)
                )
            });
            if !redirect.accept {
                return Ok(resp);
            }
            hops += 1;
            if hops > self.max_redirects {
                return Err(Error::Connection {
                    url: without_query(&next),
                    reason: format!(
                        "more than {} redirects; raise max_redirects or configure the final URL",
                        self.max_redirects
                    ),
                    source: None,
                });
            }
            let next = self.check_url(next.as_str())?;
            let to_get = match resp.status {
                303 => true,
                301 => !get,
                302 => !get && self.get_on_302,
                _ => false,
            };
            if to_get {
                out.method = reqwest::Method::GET;
                out.body = None;
                out.headers.retain(|(n, _)| *n != "content-type");
            }
            let same_origin = next.host_str() == url.host_str()
                && next.port_or_known_default() == url.port_or_known_default();
            if !same_origin && self.follow != FollowRedirects::Always {
                out.headers.retain(|(n, _)| *n != "authorization");
            }
            url = next;
        }
    }

    /// One request and its whole response, inside the connection events.
    async fn exchange(&self, url: &url::Url, out: &Outgoing) -> Result<(Response, Option<String>)> {
        let target = format!(
            "{}:{}",
            url.host_str().unwrap_or_default(),
            url.port_or_known_default().unwrap_or_default()
        );
        let via = self
            .proxy
            .as_ref()
            .map(|p| format!(" via {}", p.display))
            .unwrap_or_default();
        let scope = Arc::new(events::RequestScope {
            events: self.events.clone(),
            target: target.clone(),
            via,
        });
        let result = events::CURRENT
            .scope(scope, self.exchange_inner(url, out))
            .await;
        let code = result.as_ref().err().map_or(0, Error::code);
        // With keep-alive a connection that served its request stays open in the pool.
        if !self.keep_alive || code != 0 {
            self.events
                .on_connection_status("Disconnected", code, &target);
            self.events
                .on_disconnected(code, &format!("connection to {target} released"));
        }
        result
    }

    async fn exchange_inner(
        &self,
        url: &url::Url,
        out: &Outgoing,
    ) -> Result<(Response, Option<String>)> {
        let shown = without_query(url);
        let log = &self.logger;
        log.log(LogLevel::Info, "Info", || format!("{} {shown}", out.method));
        let mut sent: Vec<(String, String)> = out
            .headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.clone()))
            .chain(self.other_headers.iter().cloned())
            .collect();
        let mut cookie_pairs = self.cookies.clone();
        if let Some(jar) = &self.jar {
            cookie_pairs.extend(jar.matching(url));
        }
        if !cookie_pairs.is_empty() {
            let joined: Vec<String> = cookie_pairs
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect();
            sent.push(("cookie".into(), joined.join("; ")));
        }
        if let Some(v) = &self.accept_encoding {
            sent.push(("accept-encoding".into(), v.clone()));
        }
        let mut req = self.client.request(out.method.clone(), url.clone());
        for (n, v) in &sent {
            req = req.header(n.as_str(), v.as_str());
        }
        if log.enabled(LogLevel::Debug) {
            let mut lines = format!("{} {} HTTP/1.1\r\n", out.method, log.url(url));
            for (n, v) in &sent {
                lines.push_str(&log.header(n, v));
                lines.push_str("\r\n");
            }
            log.log(LogLevel::Debug, "RequestHeaders", || lines);
            if let Some(b) = &out.body {
                let ct = Some("application/x-www-form-urlencoded");
                log.log(LogLevel::Debug, "RequestBody", || {
                    log.body(b.as_bytes(), ct)
                });
            }
        }
        if let Some(b) = &out.body {
            req = req.body(b.clone());
        }
        let mut resp = req.send().await.map_err(|e| self.map_error(&shown, e))?;
        let status = resp.status().as_u16();
        let version = format!("{:?}", resp.version());
        let (request_headers, request) = self.sent_request(url, out, &sent, &version);
        let reason = resp.status().canonical_reason().unwrap_or("");
        let status_line = format!("{version} {status} {reason}");
        self.events.on_status(&version, status, reason);
        log.log(LogLevel::Info, "Info", || status_line.clone());
        let mut raw_headers = String::new();
        let mut header_log = String::new();
        for (name, value) in resp.headers() {
            let v = String::from_utf8_lossy(value.as_bytes());
            self.events.on_header(name.as_str(), &v);
            raw_headers.push_str(&format!("{name}: {v}\r\n"));
            header_log.push_str(&log.header(name.as_str(), &v));
            header_log.push_str("\r\n");
            if name == reqwest::header::SET_COOKIE
                && let Some(c) = cookies::parse_set_cookie(&v)
            {
                self.events.on_set_cookie(&c);
                log.log(LogLevel::Verbose, "Info", || {
                    format!("cookie set: {}", c.name)
                });
                if let Some(jar) = &self.jar {
                    jar.store(url, &c);
                }
            }
        }
        log.log(LogLevel::Debug, "ResponseHeaders", || header_log);
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header("content-type");
        let www_authenticate = header("www-authenticate");
        let dpop_nonce = header("dpop-nonce");
        let location = header("location");
        let server = header("server");
        let too_large = || Error::ResponseTooLarge {
            url: shown.clone(),
            limit: self.max_size,
        };
        let length = resp.content_length();
        if length.is_some_and(|len| len > self.max_size) {
            return Err(too_large());
        }
        self.events.on_start_transfer(Direction::Download);
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.map_error(&shown, e))? {
            if body.len() as u64 + chunk.len() as u64 > self.max_size {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
            let done = body.len() as u64;
            let percent = length.map_or(0, |l| (done * 100 / l.max(1)).min(100) as u8);
            self.events
                .on_transfer(Direction::Download, done, percent, &chunk);
        }
        self.events.on_end_transfer(Direction::Download);
        log.log(LogLevel::Verbose, "Info", || {
            format!("received {} bytes", body.len())
        });
        log.log(LogLevel::Debug, "ResponseBody", || {
            log.body(&body, content_type.as_deref())
        });
        if let Ok(mut last) = self.last.lock() {
            *last = Some(LastResponse {
                status,
                status_line: status_line.clone(),
                headers: raw_headers,
                body: body.clone(),
                request_headers,
                request,
            });
        }
        // 407 is the proxy's answer. Some proxies (tinyproxy 1.11) answer a forwarded request
        // with 401 and a realm or Server header naming the proxy instead.
        let names_proxy =
            |h: Option<String>| h.is_some_and(|v| v.to_ascii_lowercase().contains("proxy"));
        let from_proxy = status == 407
            || (status == 401 && (names_proxy(www_authenticate.clone()) || names_proxy(server)));
        if from_proxy && let Some(p) = &self.proxy {
            return Err(Error::Proxy {
                proxy: p.display.clone(),
                answer: format!("{status_line}: {}", snippet(&body)),
                source: None,
            });
        }
        let resp = Response {
            status,
            content_type,
            body,
            www_authenticate,
            dpop_nonce,
        };
        Ok((resp, location))
    }

    /// The request as sent (request line, headers, body), masked as the log is: the seed's
    /// `SentHeaders` and `TransferredRequest`.
    fn sent_request(
        &self,
        url: &url::Url,
        out: &Outgoing,
        sent: &[(String, String)],
        version: &str,
    ) -> (String, String) {
        let log = &self.logger;
        let shown = url::Url::parse(&log.url(url)).unwrap_or_else(|_| url.clone());
        let mut target = shown.path().to_string();
        if let Some(q) = shown.query() {
            target.push('?');
            target.push_str(q);
        }
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => String::new(),
        };
        let mut head = format!("{} {target} {version}\r\nHost: {host}\r\n", out.method);
        head.push_str(&format!("User-Agent: {}\r\n", self.user_agent));
        for (n, v) in sent {
            head.push_str(&log.header(n, v));
            head.push_str("\r\n");
        }
        let body = out.body.as_deref().unwrap_or_default();
        if out.body.is_some() {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        let masked = log.body(body.as_bytes(), Some("application/x-www-form-urlencoded"));
        let request = format!("{head}\r\n{masked}");
        (head, request)
    }

    fn map_error(&self, url: &str, e: reqwest::Error) -> Error {
        let err = map_error(url, self.timeout, e);
        let Some(p) = &self.proxy else {
            return err;
        };
        match err {
            Error::ConnectionRefused { .. } => Error::Proxy {
                proxy: p.display.clone(),
                answer: "connection refused; is the proxy running on that host and port?".into(),
                source: None,
            },
            Error::Connection { reason, source, .. }
                if proxy::is_proxy_failure(&reason.to_ascii_lowercase()) =>
            {
                Error::Proxy {
                    proxy: p.display.clone(),
                    answer: reason,
                    source,
                }
            }
            other => other,
        }
    }
}

/// The start of a body, for messages: its text without markup, at most 200 characters.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(if c.is_whitespace() { ' ' } else { c }),
            _ => {}
        }
    }
    let words: Vec<&str> = out.split_whitespace().collect();
    words.join(" ").chars().take(200).collect()
}

/// Checks an `Accept-Encoding` value: only codings the transport can decode.
fn check_accept_encoding(value: &str) -> Result<String> {
    let v = value.trim();
    for part in v.split(',') {
        let coding = part.split(';').next().unwrap_or_default().trim();
        let coding_lower = coding.to_ascii_lowercase();
        if cfg!(not(feature = "gzip")) && ["gzip", "deflate"].contains(&coding_lower.as_str()) {
            return Err(Error::InvalidSetting {
                name: "AcceptEncoding".into(),
                reason: format!(
                    "{coding:?} needs oidckit's `gzip` feature; enable it or ask for identity"
                ),
            });
        }
        if !["gzip", "deflate", "identity"].contains(&coding_lower.as_str()) {
            return Err(Error::InvalidSetting {
                name: "AcceptEncoding".into(),
                reason: format!(
                    "{coding:?} cannot be decoded here; use gzip, deflate and identity (e.g. \"gzip, deflate\")"
                ),
            });
        }
    }
    Ok(v.to_ascii_lowercase())
}

fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
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
    fn basic_header_form_encodes_both_parts() {
        // "a b:c" → "a+b%3Ac"
        let h = basic_header("a b", "p:w");
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(h.trim_start_matches("Basic "))
            .expect("base64");
        assert_eq!(decoded, b"a+b:p%3Aw");
    }
}
