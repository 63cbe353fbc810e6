//! Transport events (the seed's `on_connected` … `on_log`), delivered to an
//! [`HttpEvents`] trait object set in [`HttpConfig::events`](crate::HttpConfig::events).
//!
//! reqwest does not expose every socket-level step, so some events are approximations; each
//! method's doc says exactly when it fires.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// How much the transport logs (the seed's `LogLevel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
#[non_exhaustive]
pub enum LogLevel {
    /// 0: nothing is logged.
    None = 0,
    /// 1: the method and URL (without its query) of each request and the status of each
    /// response. The default.
    #[default]
    Info = 1,
    /// 2: also connections, redirects, cookies and byte counts.
    Verbose = 2,
    /// 3: also the headers and bodies of requests and responses (masked, see
    /// [`HttpConfig::mask_sensitive`](crate::HttpConfig::mask_sensitive)).
    Debug = 3,
}

impl LogLevel {
    /// The seed's number for the level (0–3).
    pub fn as_u8(self) -> u8 {
        self as u8
    }

    /// The level for the seed's number; values above 3 mean [`LogLevel::Debug`].
    pub fn from_u8(n: u8) -> LogLevel {
        match n {
            0 => LogLevel::None,
            1 => LogLevel::Info,
            2 => LogLevel::Verbose,
            _ => LogLevel::Debug,
        }
    }
}

/// Which way data flows (the seed's `direction`: 0 = client to server, 1 = server to client).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Direction {
    /// A request body going to the server.
    Upload,
    /// A response body coming from the server.
    Download,
}

/// What the server presented during the TLS handshake, given to
/// [`HttpEvents::on_ssl_server_authentication`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerCertificate {
    /// The server name that was verified (host of the URL, or of the proxy for `https` proxies).
    pub server_name: String,
    /// The chain as sent by the server, DER-encoded, end-entity certificate first.
    pub chain_der: Vec<Vec<u8>>,
    /// `"OK"` when the configured trust (platform roots, extra CAs, the accepted certificate)
    /// accepts the chain, otherwise why it does not.
    pub status: String,
    /// Whether the connection goes ahead. Starts as "the configured trust accepts the chain";
    /// the application may change it either way (accepting an untrusted certificate is as
    /// dangerous as it sounds).
    pub accept: bool,
}

/// A redirect the server answered with, given to [`HttpEvents::on_redirect`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Redirect {
    /// The absolute URL the server redirects to (as sent; may carry a query).
    pub location: String,
    /// The 3xx status.
    pub status: u16,
    /// Whether to follow it. Starts as what [`FollowRedirects`](super::FollowRedirects)
    /// decided; set it to `false` to refuse (the request then fails with code 151).
    pub accept: bool,
}

/// A cookie the server set, given to [`HttpEvents::on_set_cookie`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SetCookie {
    /// The cookie's name.
    pub name: String,
    /// The cookie's value.
    pub value: String,
    /// The `Expires` attribute as sent (or `Max-Age=N` when only that was sent), or empty.
    pub expires: String,
    /// The `Domain` attribute, or empty (host-only cookie).
    pub domain: String,
    /// The `Path` attribute, or empty.
    pub path: String,
    /// Whether the `Secure` attribute is set.
    pub secure: bool,
}

/// Receives transport events. Every method has an empty default body: implement only the
/// ones you need. Methods are called on the task that makes the request; keep them quick.
///
/// One request (no redirect, a fresh connection) produces, in order: `on_log`,
/// `on_connection_status("Connected")`, `on_connected`, `on_ssl_status` (https only),
/// `on_status`, `on_header` for each response header (`on_set_cookie` right after each
/// `Set-Cookie`), `on_start_transfer`, `on_transfer` for each chunk, `on_end_transfer`,
/// `on_connection_status("Disconnected")`, `on_disconnected`. On failure, `on_disconnected`
/// (with the error's code) and then `on_error`.
pub trait HttpEvents: Send + Sync + fmt::Debug {
    /// Fires when a TCP connection (through the proxy or firewall, if any, and before TLS)
    /// completes (`status_code` 0) or fails (1; the error's code follows in `on_error`).
    /// Observed at the connector, so
    /// it is exact. Each request uses a new connection (connections are not kept alive), so
    /// this fires once per request and redirect hop.
    fn on_connected(&self, status_code: u16, description: &str) {
        let _ = (status_code, description);
    }

    /// Fires on connection state changes: `"Connected"`, `"Disconnected"`.
    fn on_connection_status(&self, connection_event: &str, status_code: u16, description: &str) {
        let _ = (connection_event, status_code, description);
    }

    /// Fires after the response has been read (or the request failed), when the transport
    /// releases the connection, which then closes. Approximation: reqwest does not report
    /// the socket's close itself.
    fn on_disconnected(&self, status_code: u16, description: &str) {
        let _ = (status_code, description);
    }

    /// Fires during the TLS handshake after the server's chain was checked against the
    /// configured trust. Change `cert.accept` to override the decision.
    fn on_ssl_server_authentication(&self, cert: &mut ServerCertificate) {
        let _ = cert;
    }

    /// Progress of the TLS handshake, e.g. `"server certificate accepted"`.
    fn on_ssl_status(&self, message: &str) {
        let _ = message;
    }

    /// Fires when the status line arrives: version (`"HTTP/1.1"`), code and reason phrase.
    fn on_status(&self, http_version: &str, status_code: u16, description: &str) {
        let _ = (http_version, status_code, description);
    }

    /// Fires once for each response header, in the order received.
    fn on_header(&self, field: &str, value: &str) {
        let _ = (field, value);
    }

    /// Fires for every `Set-Cookie` the server sends.
    fn on_set_cookie(&self, cookie: &SetCookie) {
        let _ = cookie;
    }

    /// Fires for every redirect response, before it is followed or refused.
    fn on_redirect(&self, redirect: &mut Redirect) {
        let _ = redirect;
    }

    /// Fires when the body starts transferring (after the headers). Only
    /// [`Direction::Download`] is reported: request bodies are small forms handed to the
    /// transport whole.
    fn on_start_transfer(&self, direction: Direction) {
        let _ = direction;
    }

    /// Fires for each chunk of the body: its bytes, the running total, and the percentage
    /// done (0 when the length is unknown).
    fn on_transfer(
        &self,
        direction: Direction,
        bytes_transferred: u64,
        percent_done: u8,
        text: &[u8],
    ) {
        let _ = (direction, bytes_transferred, percent_done, text);
    }

    /// Fires when the body has been read completely.
    fn on_end_transfer(&self, direction: Direction) {
        let _ = direction;
    }

    /// Fires when a request fails, with the error's code and message.
    fn on_error(&self, error_code: u16, description: &str) {
        let _ = (error_code, description);
    }

    /// One log message at `level` or below the configured
    /// [`HttpConfig::log_level`](crate::HttpConfig::log_level). `log_type` is one of `"Info"`,
    /// `"RequestHeaders"`, `"RequestBody"`, `"ResponseHeaders"`, `"ResponseBody"`.
    fn on_log(&self, level: LogLevel, message: &str, log_type: &str) {
        let _ = (level, message, log_type);
    }
}

/// Receives nothing: the events of an [`HttpConfig`](crate::HttpConfig) without `events`.
#[derive(Debug)]
pub(crate) struct NoEvents;

impl HttpEvents for NoEvents {}

tokio::task_local! {
    /// The request on whose behalf the connector is working (for `on_connected`).
    pub(crate) static CURRENT: Arc<RequestScope>;
}

/// What the connector layer needs to report a connection.
#[derive(Debug)]
pub(crate) struct RequestScope {
    pub events: Arc<dyn HttpEvents>,
    /// `host:port` of the request's URL.
    pub target: String,
    /// How the connection is made, e.g. `" via proxy 127.0.0.1:8888"`, or empty.
    pub via: String,
}

/// A connector layer that reports each new connection to the current request's events.
#[derive(Debug, Clone)]
pub(crate) struct ObserveConnect;

impl<S> tower_layer::Layer<S> for ObserveConnect {
    type Service = ObserveConnectService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ObserveConnectService { inner }
    }
}

/// The service of [`ObserveConnect`].
#[derive(Debug, Clone)]
pub(crate) struct ObserveConnectService<S> {
    inner: S,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, R> tower_service::Service<R> for ObserveConnectService<S>
where
    S: tower_service::Service<R>,
    S::Future: Send + 'static,
    S::Response: Send + 'static,
    S::Error: fmt::Display + Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<Result<S::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: R) -> Self::Future {
        let scope = CURRENT.try_with(Arc::clone).ok();
        let fut = self.inner.call(req);
        Box::pin(async move {
            let result = fut.await;
            if let Some(scope) = scope {
                match &result {
                    Ok(_) => {
                        let what = format!("connected to {}{}", scope.target, scope.via);
                        scope.events.on_connection_status("Connected", 0, &what);
                        scope.events.on_connected(0, &what);
                    }
                    Err(e) => {
                        let what =
                            format!("could not connect to {}{}: {e}", scope.target, scope.via);
                        scope.events.on_connected(1, &what);
                    }
                }
            }
            result
        })
    }
}
