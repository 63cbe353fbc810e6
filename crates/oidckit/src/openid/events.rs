//! The seed's events as registered callbacks, with the seed's parameters.
//!
//! Register with the `on_*` methods of [`OpenId`](super::OpenId), e.g.
//! `openid.on_launch_browser(|e| e.command.clear())`. Callbacks run on the facade's worker
//! thread while a call is in progress, so they must be `Send + Sync`; they must not call back
//! into the same [`OpenId`](super::OpenId) (it is borrowed by the running call), but may call
//! [`Interrupter::interrupt`](super::Interrupter::interrupt).
//!
//! Writable parameters are plain public fields: `on_launch_browser` may change `url` and
//! `command` (an empty command opens nothing; the URL is then printed on standard error, or —
//! in the Mobile and Browser profiles — left to the application).
//!
//! The connection-level events (`on_connected`, `on_status`, `on_header`, `on_transfer`,
//! `on_redirect`, `on_set_cookie`, `on_ssl_server_authentication`, …) are forwarded from the
//! transport's [`HttpEvents`](crate::http::HttpEvents); writable parameters (`accept`) go back
//! to it. `on_error` fires once per failed call, `on_log` carries both the facade's and the
//! transport's messages up to `LogLevel`.

use std::fmt;
use std::sync::Arc;

/// `on_connected`: a connection completed (or failed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectedEvent {
    /// 0 on success, else an error code.
    pub status_code: i32,
    /// Text of the status.
    pub description: String,
}

/// `on_connection_status`: the connection state changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectionStatusEvent {
    /// What happened (e.g. "Remote host connected").
    pub connection_event: String,
    /// 0 on success, else an error code.
    pub status_code: i32,
    /// Text of the status.
    pub description: String,
}

/// `on_disconnected`: a connection closed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DisconnectedEvent {
    /// 0 on a normal close, else an error code.
    pub status_code: i32,
    /// Text of the status.
    pub description: String,
}

/// `on_end_transfer` / `on_start_transfer`: a document starts or finishes transferring.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransferBoundaryEvent {
    /// 0 client to server, 1 server to client.
    pub direction: i32,
}

/// `on_error`: an error during data delivery.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorEvent {
    /// The error code (as [`crate::Error::code`]).
    pub error_code: i32,
    /// The message.
    pub description: String,
}

/// `on_header`: one response header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderEvent {
    /// Header name.
    pub field: String,
    /// Header value.
    pub value: String,
}

/// `on_launch_browser`: about to open the browser at the authorization URL. Both fields may
/// be changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LaunchBrowserEvent {
    /// The authorization URL; change it to open another.
    pub url: String,
    /// The command line that opens it (the URL is appended); empty opens nothing.
    pub command: String,
}

/// `on_log`: one log message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogEvent {
    /// 1 info, 2 verbose, 3 debug.
    pub log_level: i32,
    /// The message (never contains secrets, codes or tokens).
    pub message: String,
    /// The kind of message, e.g. `Info`, `Endpoint`, `Browser`.
    pub log_type: String,
}

/// `on_redirect`: the server answered with a redirect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RedirectEvent {
    /// The `Location`.
    pub location: String,
    /// Set to follow it.
    pub accept: bool,
}

/// `on_return_url`: the browser came back to the loopback server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReturnUrlEvent {
    /// The path the browser requested.
    pub url_path: String,
    /// The authorization response parameters as a query string.
    pub query_string: String,
    /// The `state` that was sent with the request.
    pub state: String,
    /// Extra headers of the page shown to the user, `Name: value` lines; set it (with
    /// `response_body`) to send a custom page. `Content-Type` here replaces the default
    /// `text/html; charset=utf-8`.
    pub response_headers: String,
    /// The page shown to the user; set it to send this body (as is) instead of the configured
    /// success or failure page.
    pub response_body: String,
}

/// `on_set_cookie`: the server set a cookie.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetCookieEvent {
    /// Cookie name.
    pub name: String,
    /// Cookie value.
    pub value: String,
    /// Expiry, as sent.
    pub expires: String,
    /// Domain.
    pub domain: String,
    /// Path.
    pub path: String,
    /// The `Secure` flag.
    pub secure: bool,
}

/// `on_ssl_server_authentication`: the server presented its certificate. Set `accept` to
/// trust it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SslServerAuthenticationEvent {
    /// The DER certificate.
    pub cert_encoded: Vec<u8>,
    /// Its subject.
    pub cert_subject: String,
    /// Its issuer.
    pub cert_issuer: String,
    /// The verification result.
    pub status: String,
    /// Set to accept the certificate.
    pub accept: bool,
}

/// `on_ssl_status`: progress of the TLS handshake.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SslStatusEvent {
    /// The message.
    pub message: String,
}

/// `on_status`: the HTTP status line arrived.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusEvent {
    /// E.g. `HTTP/1.1`.
    pub http_version: String,
    /// The status code.
    pub status_code: i32,
    /// The reason phrase.
    pub description: String,
}

/// `on_transfer`: document data arrived or was sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransferEvent {
    /// 0 client to server, 1 server to client.
    pub direction: i32,
    /// Bytes so far in this direction.
    pub bytes_transferred: i64,
    /// Progress, or -1 when unknown.
    pub percent_done: i32,
    /// The data of this chunk.
    pub text: Vec<u8>,
}

/// A registered callback.
pub type Handler<E> = Arc<dyn Fn(&mut E) + Send + Sync>;

/// Every registered callback. Cloned into each call.
#[derive(Clone, Default)]
pub struct Events {
    /// `on_connected`.
    pub connected: Option<Handler<ConnectedEvent>>,
    /// `on_connection_status`.
    pub connection_status: Option<Handler<ConnectionStatusEvent>>,
    /// `on_disconnected`.
    pub disconnected: Option<Handler<DisconnectedEvent>>,
    /// `on_end_transfer`.
    pub end_transfer: Option<Handler<TransferBoundaryEvent>>,
    /// `on_error`.
    pub error: Option<Handler<ErrorEvent>>,
    /// `on_header`.
    pub header: Option<Handler<HeaderEvent>>,
    /// `on_launch_browser`.
    pub launch_browser: Option<Handler<LaunchBrowserEvent>>,
    /// `on_log`.
    pub log: Option<Handler<LogEvent>>,
    /// `on_redirect`.
    pub redirect: Option<Handler<RedirectEvent>>,
    /// `on_return_url`.
    pub return_url: Option<Handler<ReturnUrlEvent>>,
    /// `on_set_cookie`.
    pub set_cookie: Option<Handler<SetCookieEvent>>,
    /// `on_ssl_server_authentication`.
    pub ssl_server_authentication: Option<Handler<SslServerAuthenticationEvent>>,
    /// `on_ssl_status`.
    pub ssl_status: Option<Handler<SslStatusEvent>>,
    /// `on_start_transfer`.
    pub start_transfer: Option<Handler<TransferBoundaryEvent>>,
    /// `on_status`.
    pub status: Option<Handler<StatusEvent>>,
    /// `on_transfer`.
    pub transfer: Option<Handler<TransferEvent>>,
}

impl fmt::Debug for Events {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names = Vec::new();
        let mut add = |set: bool, name: &'static str| {
            if set {
                names.push(name);
            }
        };
        add(self.launch_browser.is_some(), "on_launch_browser");
        add(self.log.is_some(), "on_log");
        add(self.return_url.is_some(), "on_return_url");
        add(self.error.is_some(), "on_error");
        f.debug_struct("Events")
            .field("registered", &names)
            .finish_non_exhaustive()
    }
}

/// Fires `handler` with `event` when one is registered; returns the (possibly changed) event.
pub(crate) fn fire<E>(handler: &Option<Handler<E>>, mut event: E) -> E {
    if let Some(h) = handler {
        h(&mut event);
    }
    event
}

impl Events {
    /// Fires `on_log` when `level` is within `max_level` (the `LogLevel` setting).
    pub(crate) fn log(&self, max_level: i32, level: i32, log_type: &str, message: String) {
        if level <= max_level {
            fire(
                &self.log,
                LogEvent {
                    log_level: level,
                    message,
                    log_type: log_type.to_string(),
                },
            );
        }
    }
}

/// What the transport received during a call, for the seed's read-only properties
/// (`cookie_*` of received cookies, `ssl_server_cert_encoded`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Received {
    /// Cookies set by the servers, in order.
    pub cookies: Vec<crate::http::SetCookie>,
    /// The last server certificate presented (DER).
    pub server_cert: Option<Vec<u8>>,
}

/// Forwards the transport's [`HttpEvents`](crate::http::HttpEvents) to the registered
/// callbacks, with the seed's parameters, and records what [`Received`] keeps.
#[derive(Debug, Clone)]
pub(crate) struct Forward(pub Events, pub Arc<std::sync::Mutex<Received>>);

impl Forward {
    fn record(&self, f: impl FnOnce(&mut Received)) {
        f(&mut self
            .1
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner));
    }
}

fn direction(d: crate::http::Direction) -> i32 {
    match d {
        crate::http::Direction::Upload => 0,
        _ => 1,
    }
}

impl crate::http::HttpEvents for Forward {
    fn on_connected(&self, status_code: u16, description: &str) {
        fire(
            &self.0.connected,
            ConnectedEvent {
                status_code: i32::from(status_code),
                description: description.to_string(),
            },
        );
    }

    fn on_connection_status(&self, connection_event: &str, status_code: u16, description: &str) {
        fire(
            &self.0.connection_status,
            ConnectionStatusEvent {
                connection_event: connection_event.to_string(),
                status_code: i32::from(status_code),
                description: description.to_string(),
            },
        );
    }

    fn on_disconnected(&self, status_code: u16, description: &str) {
        fire(
            &self.0.disconnected,
            DisconnectedEvent {
                status_code: i32::from(status_code),
                description: description.to_string(),
            },
        );
    }

    fn on_ssl_server_authentication(&self, cert: &mut crate::http::ServerCertificate) {
        self.record(|r| r.server_cert = cert.chain_der.first().cloned());
        let ev = fire(
            &self.0.ssl_server_authentication,
            SslServerAuthenticationEvent {
                cert_encoded: cert.chain_der.first().cloned().unwrap_or_default(),
                cert_subject: cert.server_name.clone(),
                cert_issuer: String::new(),
                status: cert.status.clone(),
                accept: cert.accept,
            },
        );
        cert.accept = ev.accept;
    }

    fn on_ssl_status(&self, message: &str) {
        fire(
            &self.0.ssl_status,
            SslStatusEvent {
                message: message.to_string(),
            },
        );
    }

    fn on_status(&self, http_version: &str, status_code: u16, description: &str) {
        fire(
            &self.0.status,
            StatusEvent {
                http_version: http_version.to_string(),
                status_code: i32::from(status_code),
                description: description.to_string(),
            },
        );
    }

    fn on_header(&self, field: &str, value: &str) {
        fire(
            &self.0.header,
            HeaderEvent {
                field: field.to_string(),
                value: value.to_string(),
            },
        );
    }

    fn on_set_cookie(&self, cookie: &crate::http::SetCookie) {
        self.record(|r| r.cookies.push(cookie.clone()));
        fire(
            &self.0.set_cookie,
            SetCookieEvent {
                name: cookie.name.clone(),
                value: cookie.value.clone(),
                expires: cookie.expires.clone(),
                domain: cookie.domain.clone(),
                path: cookie.path.clone(),
                secure: cookie.secure,
            },
        );
    }

    fn on_redirect(&self, redirect: &mut crate::http::Redirect) {
        let ev = fire(
            &self.0.redirect,
            RedirectEvent {
                location: redirect.location.clone(),
                accept: redirect.accept,
            },
        );
        redirect.accept = ev.accept;
    }

    fn on_start_transfer(&self, d: crate::http::Direction) {
        fire(
            &self.0.start_transfer,
            TransferBoundaryEvent {
                direction: direction(d),
            },
        );
    }

    fn on_transfer(
        &self,
        d: crate::http::Direction,
        bytes_transferred: u64,
        percent_done: u8,
        text: &[u8],
    ) {
        fire(
            &self.0.transfer,
            TransferEvent {
                direction: direction(d),
                bytes_transferred: i64::try_from(bytes_transferred).unwrap_or(i64::MAX),
                percent_done: i32::from(percent_done),
                text: text.to_vec(),
            },
        );
    }

    fn on_end_transfer(&self, d: crate::http::Direction) {
        fire(
            &self.0.end_transfer,
            TransferBoundaryEvent {
                direction: direction(d),
            },
        );
    }

    // `on_error` is fired once by the facade when the call fails (with the same code), not
    // here, so a transport failure is not reported twice.

    fn on_log(&self, level: crate::http::LogLevel, message: &str, log_type: &str) {
        fire(
            &self.0.log,
            LogEvent {
                log_level: i32::from(level.as_u8()),
                message: message.to_string(),
                log_type: log_type.to_string(),
            },
        );
    }
}

impl super::OpenId {
    event_registrations! {
        /// Registers `on_connected` (forwarded from the transport).
        on_connected(ConnectedEvent) => connected;
        /// Registers `on_connection_status` (forwarded from the transport).
        on_connection_status(ConnectionStatusEvent) => connection_status;
        /// Registers `on_disconnected` (forwarded from the transport).
        on_disconnected(DisconnectedEvent) => disconnected;
        /// Registers `on_end_transfer` (forwarded from the transport).
        on_end_transfer(TransferBoundaryEvent) => end_transfer;
        /// Registers `on_error`: fires when a call fails, with its code and message.
        on_error(ErrorEvent) => error;
        /// Registers `on_header` (forwarded from the transport).
        on_header(HeaderEvent) => header;
        /// Registers `on_launch_browser`: fires before the browser opens; may change the URL
        /// and the command (empty: open nothing).
        on_launch_browser(LaunchBrowserEvent) => launch_browser;
        /// Registers `on_log`: one call per log message up to `LogLevel`.
        on_log(LogEvent) => log;
        /// Registers `on_redirect` (forwarded from the transport).
        on_redirect(RedirectEvent) => redirect;
        /// Registers `on_return_url`: fires when the browser comes back to the loopback server.
        on_return_url(ReturnUrlEvent) => return_url;
        /// Registers `on_set_cookie` (forwarded from the transport).
        on_set_cookie(SetCookieEvent) => set_cookie;
        /// Registers `on_ssl_server_authentication` (forwarded from the transport).
        on_ssl_server_authentication(SslServerAuthenticationEvent) => ssl_server_authentication;
        /// Registers `on_ssl_status` (forwarded from the transport).
        on_ssl_status(SslStatusEvent) => ssl_status;
        /// Registers `on_start_transfer` (forwarded from the transport).
        on_start_transfer(TransferBoundaryEvent) => start_transfer;
        /// Registers `on_status` (forwarded from the transport).
        on_status(StatusEvent) => status;
        /// Registers `on_transfer` (forwarded from the transport).
        on_transfer(TransferEvent) => transfer;
    }
}
