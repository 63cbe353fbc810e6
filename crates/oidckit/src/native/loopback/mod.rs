//! Native-app sign-in through a loopback redirect (RFC 8252 §7.3): a tiny HTTP/1.1 server on
//! `127.0.0.1` receives the authorization response from the user's browser.
//!
//! The server accepts the response as a query string (`response_mode=query`), as a `form_post`
//! body, and, for fragment responses (implicit and hybrid flows), serves a small page whose
//! script relays `location.hash` back to the server with a same-origin `POST` to
//! [`RELAY_PATH`]. Unrelated requests (favicon, probes, other paths) are answered `404` and do
//! not end the wait. Every read is bounded in size and time.
//!
//! [`sign_in`] does the whole desktop sign-in: start the server, build the URL with the
//! server's redirect URI, open the browser, wait, and complete the sign-in with
//! [`Client::handle_callback`].
//!
//! It binds `127.0.0.1` only, never a wildcard address: nothing outside this machine can reach it.
//!
//! With [`LoopbackConfig::tls`] the server speaks HTTPS only (redirect URI
//! `https://127.0.0.1:PORT/PATH`), presenting a certificate from PEM text or file or from a
//! PKCS#12 blob or file. The TLS handshake counts against the per-connection read deadline;
//! a plain-HTTP request to an HTTPS server fails its handshake and is closed at once.
//!
//! [`SignIn`] is the one composition of the steps (URL, browser, wait, hook, completion,
//! answer page); [`sign_in`] and [`sign_in_with`] are shorthands for it.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use crate::browser::{self, BrowserOptions, Opened};
use crate::{
    AuthTransaction, AuthorizationRequest, CallbackParams, Client, Error, Result, TokenSet,
};

/// The path the fragment relay page posts `location.hash` to.
pub const RELAY_PATH: &str = "/oidckit-relay";

/// Most connections served at once while waiting; more are closed unanswered.
const MAX_CONNECTIONS: usize = 32;

/// Settings of a [`LoopbackServer`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LoopbackConfig {
    /// The port to listen on; 0 picks a free ephemeral port. Default: 0.
    pub port: u16,
    /// The path of the redirect URI, e.g. `/callback`. Default: `/`.
    pub path: String,
    /// How long to wait for the browser to come back. Default: 300 s.
    pub timeout: Duration,
    /// Text of the page shown after a successful sign-in.
    /// Default: "Signed in. You can close this window and return to the application."
    pub success_message: String,
    /// Text of the page shown when the sign-in failed; the reason follows it.
    /// Default: "Sign-in failed."
    pub failure_message: String,
    /// Largest request (head and body) read from the browser. Default: 64 KiB.
    pub max_request_size: usize,
    /// Deadline for reading one request from a connection, TLS handshake included.
    /// Default: 10 s.
    pub read_timeout: Duration,
    /// Name `localhost` instead of `127.0.0.1` in the redirect URI (the seed's
    /// `WebServerHost=localhost`); the server still listens on `127.0.0.1` only.
    /// Default: false.
    pub localhost: bool,
    /// Serve HTTPS with this certificate instead of plain HTTP. Default: none.
    pub tls: Option<LoopbackTls>,
}

/// The certificate of an HTTPS loopback server, and the subject it must have.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LoopbackTls {
    /// Where the certificate and its private key come from.
    pub certificate: LoopbackCertificate,
    /// When not empty (nor `*`), the certificate's subject must equal it or contain it
    /// (e.g. `CN=127.0.0.1`; case and blanks after commas are ignored), else the server does
    /// not start (code 921). Default: "".
    pub subject: String,
}

impl LoopbackTls {
    /// HTTPS with this certificate, whatever its subject.
    pub fn new(certificate: LoopbackCertificate) -> LoopbackTls {
        LoopbackTls {
            certificate,
            subject: String::new(),
        }
    }

    /// Requires the certificate's subject to match `subject` (see [`LoopbackTls::subject`]).
    pub fn with_subject(mut self, subject: impl Into<String>) -> LoopbackTls {
        self.subject = subject.into();
        self
    }
}

/// The certificate (end-entity first, then its chain) and private key an HTTPS loopback
/// server presents.
#[derive(Clone)]
#[non_exhaustive]
pub enum LoopbackCertificate {
    /// PEM text: `CERTIFICATE` blocks and a PKCS#8, PKCS#1 or SEC1 private key. Both fields
    /// may hold the same text when it contains both.
    Pem {
        /// The `CERTIFICATE` blocks.
        certificate_chain: String,
        /// The private key block.
        private_key: String,
    },
    /// A PEM file holding the certificates and the private key.
    PemFile(PathBuf),
    /// A PKCS#12 (`.p12`/`.pfx`) store and its password.
    Pkcs12 {
        /// The store's bytes.
        der: Vec<u8>,
        /// Its password.
        password: String,
    },
    /// A PKCS#12 file and its password.
    Pkcs12File {
        /// The file.
        path: PathBuf,
        /// Its password.
        password: String,
    },
}

impl fmt::Debug for LoopbackCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoopbackCertificate::Pem {
                certificate_chain, ..
            } => f
                .debug_struct("Pem")
                .field("certificate_chain", &certificate_chain.len())
                .finish_non_exhaustive(),
            LoopbackCertificate::PemFile(path) => f.debug_tuple("PemFile").field(path).finish(),
            LoopbackCertificate::Pkcs12 { der, .. } => f
                .debug_struct("Pkcs12")
                .field("der", &der.len())
                .finish_non_exhaustive(),
            LoopbackCertificate::Pkcs12File { path, .. } => f
                .debug_struct("Pkcs12File")
                .field("path", path)
                .finish_non_exhaustive(),
        }
    }
}

impl Default for LoopbackConfig {
    fn default() -> LoopbackConfig {
        LoopbackConfig {
            port: 0,
            path: "/".into(),
            timeout: Duration::from_secs(300),
            success_message: "Signed in. You can close this window and return to the application."
                .into(),
            failure_message: "Sign-in failed.".into(),
            max_request_size: 64 * 1024,
            read_timeout: Duration::from_secs(10),
            localhost: false,
            tls: None,
        }
    }
}

/// A loopback HTTP server waiting for authorization responses. One server can serve several
/// sign-ins one after the other ([`LoopbackServer::wait`] may be called again).
pub struct LoopbackServer {
    listener: TcpListener,
    port: u16,
    path: String,
    config: LoopbackConfig,
    acceptor: Option<TlsAcceptor>,
}

impl fmt::Debug for LoopbackServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoopbackServer")
            .field("port", &self.port)
            .field("path", &self.path)
            .field("tls", &self.acceptor.is_some())
            .field("config", &self.config)
            .finish()
    }
}

/// A connection to the browser: plain TCP or TLS over it.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

type Stream = Box<dyn Io>;

/// An authorization response received by the server. The browser's connection stays open so
/// that the application can show the outcome: call [`Callback::respond`] once the response has
/// been handled (dropping it closes the connection with no page).
pub struct Callback {
    params: CallbackParams,
    stream: Stream,
    success_message: String,
    failure_message: String,
}

impl fmt::Debug for Callback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Callback")
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

/// Everything [`sign_in`] needs besides the client.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct SignInOptions {
    /// The loopback server settings. Default: see [`LoopbackConfig`].
    pub server: LoopbackConfig,
    /// How to open the browser. Default: the system browser.
    pub browser: BrowserOptions,
    /// Parameters of the authorization request; its `redirect_uri` is replaced by the
    /// server's. Default: none.
    pub request: AuthorizationRequest,
}

/// Signs the user in with the system browser: starts a loopback server, opens the browser at
/// the authorization URL (redirect URI `http://127.0.0.1:PORT/PATH`, or `https://` with
/// [`LoopbackConfig::tls`]), waits for the response and completes the sign-in. The `client`
/// may have been discovered with any redirect URI; the server's is used for this request.
///
/// Errors: 201 when the browser does not come back within `options.server.timeout`; every
/// error of [`Client::handle_callback`]; 1120 when the server cannot listen; 912/921 when its
/// certificate cannot be loaded.
pub async fn sign_in(client: &Client, options: &SignInOptions) -> Result<TokenSet> {
    let server = LoopbackServer::bind(options.server.clone()).await?;
    sign_in_with(client, &server, &options.browser, &options.request).await
}

/// [`sign_in`] with a server that is already running (so it can be reused).
pub async fn sign_in_with(
    client: &Client,
    server: &LoopbackServer,
    browser_options: &BrowserOptions,
    request: &AuthorizationRequest,
) -> Result<TokenSet> {
    SignIn::new(client, server)
        .browser(browser_options.clone())
        .request(request.clone())
        .run()
        .await
        .map(|done| done.tokens)
}

/// A page of the application's own, shown to the browser instead of the configured success
/// or failure page (see [`Callback::respond_with`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CustomPage {
    /// Extra `Name: value` header lines (`Content-Type` replaces the default).
    pub headers: String,
    /// The body, sent as is.
    pub body: String,
}

impl CustomPage {
    /// A page with these header lines and body.
    pub fn new(headers: impl Into<String>, body: impl Into<String>) -> CustomPage {
        CustomPage {
            headers: headers.into(),
            body: body.into(),
        }
    }
}

type OpenedHook<'a> = Box<dyn FnOnce(&Opened) + Send + 'a>;
type CallbackHook<'a> =
    Box<dyn FnOnce(&CallbackParams, &AuthTransaction) -> Option<CustomPage> + Send + 'a>;

/// One sign-in through a running [`LoopbackServer`]: build the authorization URL with the
/// server's redirect URI, open the browser, wait for the response, run the callback hook,
/// complete the sign-in with [`Client::handle_callback`], and answer the browser.
pub struct SignIn<'a> {
    client: &'a Client,
    server: &'a LoopbackServer,
    browser: BrowserOptions,
    request: AuthorizationRequest,
    on_opened: Option<OpenedHook<'a>>,
    on_callback: Option<CallbackHook<'a>>,
}

impl fmt::Debug for SignIn<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignIn")
            .field("server", &self.server)
            .field("browser", &self.browser)
            .field("request", &self.request)
            .finish_non_exhaustive()
    }
}

/// The outcome of a [`SignIn`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SignedIn {
    /// The tokens.
    pub tokens: TokenSet,
    /// The authorization response the browser brought back.
    pub params: CallbackParams,
}

impl<'a> SignIn<'a> {
    /// A sign-in of `client` through `server`, with the system browser and no extra request
    /// parameters.
    pub fn new(client: &'a Client, server: &'a LoopbackServer) -> SignIn<'a> {
        SignIn {
            client,
            server,
            browser: BrowserOptions::default(),
            request: AuthorizationRequest::default(),
            on_opened: None,
            on_callback: None,
        }
    }

    /// How to open the browser.
    pub fn browser(mut self, browser: BrowserOptions) -> SignIn<'a> {
        self.browser = browser;
        self
    }

    /// Parameters of the authorization request; its `redirect_uri` is replaced by the
    /// server's.
    pub fn request(mut self, request: AuthorizationRequest) -> SignIn<'a> {
        self.request = request;
        self
    }

    /// Called with what [`browser::open`] did, before the wait.
    pub fn on_opened(mut self, hook: impl FnOnce(&Opened) + Send + 'a) -> SignIn<'a> {
        self.on_opened = Some(Box::new(hook));
        self
    }

    /// Called when the authorization response has arrived, before it is checked; returning a
    /// [`CustomPage`] shows that page (status `200 OK` when the sign-in succeeds, else
    /// `400 Bad Request`) instead of the configured one.
    pub fn on_callback(
        mut self,
        hook: impl FnOnce(&CallbackParams, &AuthTransaction) -> Option<CustomPage> + Send + 'a,
    ) -> SignIn<'a> {
        self.on_callback = Some(Box::new(hook));
        self
    }

    /// Runs the sign-in. Errors: see [`sign_in`].
    pub async fn run(self) -> Result<SignedIn> {
        let mut request = self.request;
        request.redirect_uri = Some(self.server.redirect_uri());
        let (url, tx) = self.client.authorization_url(&request)?;
        let opened = browser::open(&url, &self.browser);
        if let Some(hook) = self.on_opened {
            hook(&opened);
        }
        let callback = self.server.wait().await?;
        let params = callback.params().clone();
        let page = self.on_callback.and_then(|hook| hook(&params, &tx));
        let result = self.client.handle_callback(&tx, &params).await;
        match page {
            None => {
                callback
                    .respond(result.as_ref().map(|_| ()).map_err(|e| e.to_string()))
                    .await
            }
            Some(page) => {
                let status = if result.is_ok() {
                    "200 OK"
                } else {
                    "400 Bad Request"
                };
                callback
                    .respond_with(status, &page.headers, &page.body)
                    .await;
            }
        }
        result.map(|tokens| SignedIn { tokens, params })
    }
}

impl LoopbackServer {
    /// Starts listening on `127.0.0.1` (never another address). Code 1120 when the port is
    /// taken or cannot be bound; 921 when the path is not an absolute path, or the TLS
    /// certificate cannot be read or does not match its subject; 912 when a PKCS#12 store
    /// cannot be opened (e.g. a wrong password).
    pub async fn bind(config: LoopbackConfig) -> Result<LoopbackServer> {
        let path = normalize_path(&config.path)?;
        let acceptor = match &config.tls {
            Some(tls) => Some(tls_acceptor(tls)?),
            None => None,
        };
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, config.port));
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| bind_error(addr, e))?;
        let port = listener
            .local_addr()
            .map_err(|e| bind_error(addr, e))?
            .port();
        Ok(LoopbackServer {
            listener,
            port,
            path,
            config,
            acceptor,
        })
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The redirect URI to register and send: `http://127.0.0.1:PORT/PATH` (`https` with
    /// [`LoopbackConfig::tls`], `localhost` with [`LoopbackConfig::localhost`]).
    pub fn redirect_uri(&self) -> String {
        let scheme = if self.acceptor.is_some() {
            "https"
        } else {
            "http"
        };
        let host = if self.config.localhost {
            "localhost"
        } else {
            "127.0.0.1"
        };
        format!("{scheme}://{host}:{}{}", self.port, self.path)
    }

    /// Whether the server speaks HTTPS.
    pub fn is_tls(&self) -> bool {
        self.acceptor.is_some()
    }

    /// The settings the server runs with.
    pub fn config(&self) -> &LoopbackConfig {
        &self.config
    }

    /// Waits for the next authorization response (query, `form_post` or relayed fragment),
    /// serving the relay page and ignoring unrelated requests meanwhile. Code 201 after
    /// `config.timeout`.
    pub async fn wait(&self) -> Result<Callback> {
        self.wait_for(self.config.timeout).await
    }

    /// [`LoopbackServer::wait`] with another timeout.
    pub async fn wait_for(&self, timeout: Duration) -> Result<Callback> {
        let waiting = self.accept_until_callback();
        match tokio::time::timeout(timeout, waiting).await {
            Ok(result) => result,
            Err(_) => Err(Error::Timeout {
                what: "the browser to return the authorization response".into(),
                seconds: timeout.as_secs(),
            }),
        }
    }

    async fn accept_until_callback(&self) -> Result<Callback> {
        let mut connections: JoinSet<Option<(CallbackParams, Stream)>> = JoinSet::new();
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    // A failed accept (e.g. the peer reset at once) is not the end of the wait.
                    let Ok((stream, _)) = accepted else { continue };
                    if connections.len() >= MAX_CONNECTIONS {
                        continue;
                    }
                    connections.spawn(serve(
                        stream,
                        self.acceptor.clone(),
                        self.port,
                        self.path.clone(),
                        self.config.clone(),
                    ));
                }
                Some(done) = connections.join_next(), if !connections.is_empty() => {
                    if let Ok(Some((params, stream))) = done {
                        return Ok(Callback {
                            params,
                            stream,
                            success_message: self.config.success_message.clone(),
                            failure_message: self.config.failure_message.clone(),
                        });
                    }
                }
            }
        }
    }
}

impl Callback {
    /// The authorization response parameters.
    pub fn params(&self) -> &CallbackParams {
        &self.params
    }

    /// Shows the browser the success page (`Ok`) or the failure page with the reason (`Err`),
    /// and closes the connection. Write errors are ignored: the browser may have gone.
    pub async fn respond(mut self, outcome: std::result::Result<(), String>) {
        let (status, body) = match outcome {
            Ok(()) => ("200 OK", page("Signed in", &self.success_message, None)),
            Err(reason) => (
                "400 Bad Request",
                page("Sign-in failed", &self.failure_message, Some(&reason)),
            ),
        };
        write_response(&mut self.stream, status, &body).await;
    }
}

impl Callback {
    /// Shows the browser a page of the application's own instead of the configured one (the
    /// seed's writable `on_return_url` parameters): `status` such as `200 OK`, extra `headers`
    /// as `Name: value` lines (a `Content-Type` line replaces the default
    /// `text/html; charset=utf-8`; lines without a colon, or with CR/LF inside, are dropped),
    /// and `body` sent as is. Closes the connection; write errors are ignored.
    pub async fn respond_with(mut self, status: &str, headers: &str, body: &str) {
        let mut content_type = "text/html; charset=utf-8".to_string();
        let mut extra = String::new();
        for line in headers.lines() {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let (name, value) = (name.trim(), value.trim());
            if name.is_empty() || name.contains(['\r', '\n']) || value.contains(['\r', '\n']) {
                continue;
            }
            match name.to_ascii_lowercase().as_str() {
                "content-type" => content_type = value.to_string(),
                "content-length" | "connection" | "transfer-encoding" => {}
                _ => extra.push_str(&format!("{name}: {value}\r\n")),
            }
        }
        let status = if status.contains(['\r', '\n']) {
            "200 OK"
        } else {
            status
        };
        let head = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
             Cache-Control: no-store\r\n{extra}Connection: close\r\n\r\n",
            body.len()
        );
        let _ = self.stream.write_all(head.as_bytes()).await;
        let _ = self.stream.write_all(body.as_bytes()).await;
        let _ = self.stream.flush().await;
        let _ = self.stream.shutdown().await;
    }
}

/// Reads and answers one request. Returns the parameters and the open stream when the request
/// is an authorization response.
async fn serve(
    tcp: TcpStream,
    acceptor: Option<TlsAcceptor>,
    port: u16,
    path: String,
    config: LoopbackConfig,
) -> Option<(CallbackParams, Stream)> {
    let reading = async {
        let mut stream: Stream = match acceptor {
            // A failed handshake (e.g. plain HTTP sent to the HTTPS server) closes the
            // connection.
            Some(acceptor) => Box::new(acceptor.accept(tcp).await.ok()?),
            None => Box::new(tcp),
        };
        let request = read_request(&mut stream, config.max_request_size).await;
        Some((stream, request))
    };
    let (mut stream, request) = match tokio::time::timeout(config.read_timeout, reading).await {
        Ok(Some(read)) => read,
        Ok(None) | Err(_) => return None,
    };
    let request = match request {
        Ok(r) => r,
        Err(status) => {
            write_response(
                &mut stream,
                status,
                &page("Bad request", "The request could not be read.", None),
            )
            .await;
            return None;
        }
    };
    if !host_allowed(request.header("host"), port) {
        // DNS rebinding: a page of another site must not talk to us under its own name.
        write_response(
            &mut stream,
            "400 Bad Request",
            &page("Bad request", "Unexpected Host header.", None),
        )
        .await;
        return None;
    }
    let (req_path, query) = match request.target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (request.target.as_str(), None),
    };
    let is_form = request.header("content-type").is_some_and(|c| {
        c.to_ascii_lowercase()
            .starts_with("application/x-www-form-urlencoded")
    });
    match (request.method.as_str(), req_path) {
        ("GET", p) if p == path => {
            let params = CallbackParams::from_query(query.unwrap_or(""));
            if is_authorization_response(&params) {
                return Some((params, stream));
            }
            write_response(&mut stream, "200 OK", &relay_page()).await;
            None
        }
        ("POST", p) if (p == path || p == RELAY_PATH) && is_form => {
            let body = String::from_utf8_lossy(&request.body);
            let params = CallbackParams::from_query(&body);
            if is_authorization_response(&params) {
                return Some((params, stream));
            }
            write_response(
                &mut stream,
                "400 Bad Request",
                &page(
                    "Bad request",
                    "No authorization response in this request.",
                    None,
                ),
            )
            .await;
            None
        }
        _ => {
            write_response(
                &mut stream,
                "404 Not Found",
                &page("Not found", "Nothing here.", None),
            )
            .await;
            None
        }
    }
}

fn is_authorization_response(params: &CallbackParams) -> bool {
    ["code", "state", "error", "id_token", "access_token"]
        .iter()
        .any(|k| params.get(k).is_some())
}

fn host_allowed(host: Option<&str>, port: u16) -> bool {
    match host {
        None => true,
        Some(h) => {
            let h = h.trim().to_ascii_lowercase();
            let name = h.strip_suffix(&format!(":{port}")).unwrap_or(&h);
            matches!(name, "127.0.0.1" | "localhost")
        }
    }
}

struct Request {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads one HTTP/1.1 request of at most `cap` bytes. `Err` carries the status to answer.
async fn read_request(
    stream: &mut (impl AsyncRead + Unpin),
    cap: usize,
) -> std::result::Result<Request, &'static str> {
    const TOO_LARGE: &str = "413 Content Too Large";
    const BAD: &str = "400 Bad Request";
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i;
        }
        if buf.len() >= cap {
            return Err(TOO_LARGE);
        }
        let n = stream.read(&mut chunk).await.map_err(|_| BAD)?;
        if n == 0 {
            return Err(BAD);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = std::str::from_utf8(&buf[..head_end]).map_err(|_| BAD)?;
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let (Some(method), Some(target), Some(version)) = (first.next(), first.next(), first.next())
    else {
        return Err(BAD);
    };
    if !version.starts_with("HTTP/1.") {
        return Err(BAD);
    }
    let mut headers = Vec::new();
    for line in lines {
        let (k, v) = line.split_once(':').ok_or(BAD)?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let mut request = Request {
        method: method.to_string(),
        target: target.to_string(),
        headers,
        body: Vec::new(),
    };
    if request.header("transfer-encoding").is_some() {
        return Err("411 Length Required");
    }
    let length: usize = match request.header("content-length") {
        Some(v) => v.parse().map_err(|_| BAD)?,
        None => 0,
    };
    let body_start = head_end + 4;
    if body_start.saturating_add(length) > cap {
        return Err(TOO_LARGE);
    }
    let mut body = buf.split_off(body_start);
    while body.len() < length {
        let n = stream.read(&mut chunk).await.map_err(|_| BAD)?;
        if n == 0 {
            return Err(BAD);
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    request.body = body;
    Ok(request)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

async fn write_response(stream: &mut (impl AsyncWrite + Unpin), status: &str, body: &str) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nX-Content-Type-Options: nosniff\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body.as_bytes()).await;
    let _ = stream.flush().await;
    let _ = stream.shutdown().await;
}

fn page(title: &str, message: &str, detail: Option<&str>) -> String {
    let detail = detail
        .map(|d| format!("<pre>{}</pre>", escape_html(d)))
        .unwrap_or_default();
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{}</title></head><body>\
         <h1>{}</h1><p>{}</p>{detail}</body></html>",
        escape_html(title),
        escape_html(title),
        escape_html(message)
    )
}

/// The page served at the redirect URI without parameters: it relays the fragment.
fn relay_page() -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Signing in</title></head><body>\
<p id=\"m\">Completing sign-in&hellip;</p><script>\
(function(){{var m=document.getElementById('m');var h=window.location.hash.substring(1);\
if(!h){{m.textContent='No sign-in response in this address. You can close this window.';return;}}\
history.replaceState(null,'',window.location.pathname);\
fetch('{RELAY_PATH}',{{method:'POST',headers:{{'Content-Type':'application/x-www-form-urlencoded'}},body:h}})\
.then(function(r){{return r.text();}})\
.then(function(t){{document.open();document.write(t);document.close();}})\
.catch(function(){{m.textContent='The application could not be reached. You can close this window.';}});}})();\
</script><noscript>JavaScript is needed to finish signing in.</noscript></body></html>"
    )
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn normalize_path(path: &str) -> Result<String> {
    let p = if path.is_empty() {
        "/".to_string()
    } else {
        path.to_string()
    };
    if !p.starts_with('/') || p.contains(['?', '#', ' ']) || p == RELAY_PATH {
        return Err(Error::InvalidSetting {
            name: "redirect path".into(),
            reason: format!(
                "{path:?} must be an absolute path like /callback, without query or fragment"
            ),
        });
    }
    Ok(p)
}

/// Loads the certificate, checks its subject, and builds the TLS side of the server.
fn tls_acceptor(tls: &LoopbackTls) -> Result<TlsAcceptor> {
    let (chain, key) = load_certificate(&tls.certificate)?;
    let end_entity = chain
        .first()
        .ok_or_else(|| bad_certificate("it holds no certificate".into()))?;
    let subject = p12_keystore::Certificate::from_der(end_entity.as_ref())
        .map_err(|e| bad_certificate(format!("its certificate cannot be parsed: {e}")))?
        .subject()
        .to_string();
    if !subject_matches(&subject, &tls.subject) {
        return Err(bad_certificate(format!(
            "its subject {subject:?} does not match the wanted subject {:?}",
            tls.subject
        )));
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| bad_certificate(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| bad_certificate(format!("the certificate and key do not fit: {e}")))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

fn load_certificate(
    cert: &LoopbackCertificate,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)> {
    match cert {
        LoopbackCertificate::Pem {
            certificate_chain,
            private_key,
        } => load_pem(certificate_chain, private_key),
        LoopbackCertificate::PemFile(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| bad_certificate(format!("cannot read {}: {e}", path.display())))?;
            load_pem(&text, &text)
        }
        LoopbackCertificate::Pkcs12 { der, password } => load_pkcs12(der, password),
        LoopbackCertificate::Pkcs12File { path, password } => {
            let der = std::fs::read(path)
                .map_err(|e| bad_certificate(format!("cannot read {}: {e}", path.display())))?;
            load_pkcs12(&der, password)
        }
    }
}

fn load_pem(
    chain: &str,
    key: &str,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)> {
    let certs = CertificateDer::pem_slice_iter(chain.as_bytes())
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| bad_certificate(format!("unreadable PEM certificate: {e}")))?;
    if certs.is_empty() {
        return Err(bad_certificate("no PEM CERTIFICATE block".into()));
    }
    let key = PrivateKeyDer::from_pem_slice(key.as_bytes())
        .map_err(|e| bad_certificate(format!("no usable PEM private key: {e}")))?;
    Ok((certs, key))
}

fn load_pkcs12(
    der: &[u8],
    password: &str,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)> {
    let invalid = |reason: String| Error::InvalidPkcs12 {
        reason: format!("web server certificate: {reason}"),
    };
    let store = p12_keystore::KeyStore::from_pkcs12(
        der,
        password,
        p12_keystore::Pkcs12ImportPolicy::Relaxed,
    )
    .map_err(|e| invalid(format!("{e} (wrong password or not a PKCS#12 file?)")))?;
    let (_, chain) = store
        .private_key_chain()
        .ok_or_else(|| invalid("it holds no private key".into()))?;
    let certs = chain
        .certs()
        .iter()
        .map(|c| CertificateDer::from(c.as_der().to_vec()))
        .collect();
    let key = PrivateKeyDer::try_from(chain.key().as_der().to_vec())
        .map_err(|e| invalid(format!("its private key is unusable: {e}")))?;
    Ok((certs, key))
}

/// The seed's subject search: empty or `*` takes the certificate; otherwise its subject must
/// equal the wanted one or contain it, ignoring case and blanks around commas.
fn subject_matches(subject: &str, wanted: &str) -> bool {
    let norm = |s: &str| {
        s.split(',')
            .map(|part| part.trim().to_ascii_lowercase())
            .collect::<Vec<_>>()
            .join(",")
    };
    let wanted = wanted.trim();
    wanted.is_empty() || wanted == "*" || norm(subject).contains(&norm(wanted))
}

fn bad_certificate(reason: String) -> Error {
    Error::InvalidSetting {
        name: "web server certificate".into(),
        reason,
    }
}

fn bind_error(addr: SocketAddr, e: std::io::Error) -> Error {
    Error::Connection {
        url: format!("http://{addr}/"),
        reason: format!("cannot listen for the browser's response: {e}"),
        source: Some(Box::new(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_header_must_name_the_loopback_server() {
        assert!(host_allowed(Some("127.0.0.1:8080"), 8080));
        assert!(host_allowed(Some("localhost:8080"), 8080));
        assert!(!host_allowed(Some("evil.example:8080"), 8080));
        assert!(!host_allowed(Some("127.0.0.1:8081"), 8080));
    }

    #[test]
    fn redirect_path_must_be_absolute() {
        assert_eq!(normalize_path("").expect("empty is /"), "/");
        assert_eq!(normalize_path("/cb").expect("ok"), "/cb");
        assert_eq!(normalize_path("cb").expect_err("relative").code(), 921);
        assert_eq!(normalize_path("/cb?x").expect_err("query").code(), 921);
    }

    #[test]
    fn subjects_match_exactly_or_by_part() {
        let subject = "CN=127.0.0.1, O=oidckit";
        assert!(subject_matches(subject, ""));
        assert!(subject_matches(subject, "*"));
        assert!(subject_matches(subject, "cn=127.0.0.1,o=oidckit"));
        assert!(subject_matches(subject, "CN=127.0.0.1"));
        assert!(!subject_matches(subject, "CN=example.com"));
    }

    #[test]
    fn pages_escape_text() {
        assert!(page("t", "<b>", Some("\"x\"")).contains("&lt;b&gt;"));
    }
}
