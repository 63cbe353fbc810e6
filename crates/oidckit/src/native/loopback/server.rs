//! The loopback HTTP/1.1 server: bind `127.0.0.1`, serve the relay page, read each request
//! with bounded size and time, and hand over the authorization response with its open
//! connection ([`Callback`]).

use std::collections::VecDeque;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{AbortHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

use super::config::LoopbackConfig;
use super::tls;
use crate::{CallbackParams, Error, Result};

/// The path the fragment relay page posts `location.hash` to.
pub const RELAY_PATH: &str = "/oidckit-relay";

/// Most connections served at once while waiting. When one more arrives, the oldest still
/// open connection is closed to make room: a real browser sends its request at once, so the
/// oldest is an idle (or deliberately slow) one, and a local process that holds many
/// connections open cannot keep the browser's redirect out.
const MAX_CONNECTIONS: usize = 32;

/// The page for an authorization response whose `state` is not the one of the sign-in in
/// progress. It says nothing about the expected state.
const FOREIGN_RESPONSE: &str = "This response does not belong to the sign-in in progress; the application keeps waiting for its own.";

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

impl LoopbackServer {
    /// Starts listening on `127.0.0.1` (never another address). Code 1120 when the port is
    /// taken or cannot be bound; 921 when the path is not an absolute path, or the TLS
    /// certificate cannot be read or does not match its subject; 912 when a PKCS#12 store
    /// cannot be opened (e.g. a wrong password).
    pub async fn bind(config: LoopbackConfig) -> Result<LoopbackServer> {
        let path = normalize_path(&config.path)?;
        let acceptor = match &config.tls {
            Some(tls) => Some(tls::acceptor(tls)?),
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

    /// Waits, like [`LoopbackServer::wait`], for the authorization response of the sign-in
    /// whose request carried `state`. A response with another (or no) `state` — a forged or
    /// stale redirect from another page or process — is answered `400` with a page that
    /// reveals nothing, and the server keeps waiting until `config.timeout` (code 201).
    pub async fn wait_for_state(&self, state: &str) -> Result<Callback> {
        let timeout = self.config.timeout;
        Self::timed(timeout, self.accept_until_callback(Some(state))).await
    }

    /// [`LoopbackServer::wait`] with another timeout.
    pub async fn wait_for(&self, timeout: Duration) -> Result<Callback> {
        Self::timed(timeout, self.accept_until_callback(None)).await
    }

    async fn timed(
        timeout: Duration,
        waiting: impl std::future::Future<Output = Result<Callback>>,
    ) -> Result<Callback> {
        match tokio::time::timeout(timeout, waiting).await {
            Ok(result) => result,
            Err(_) => Err(Error::Timeout {
                what: "the browser to return the authorization response".into(),
                seconds: timeout.as_secs(),
            }),
        }
    }

    async fn accept_until_callback(&self, state: Option<&str>) -> Result<Callback> {
        let mut connections: JoinSet<Option<(CallbackParams, Stream)>> = JoinSet::new();
        // Oldest first; finished tasks are skipped when making room.
        let mut open: VecDeque<AbortHandle> = VecDeque::new();
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    // A failed accept (e.g. the peer reset at once) is not the end of the wait.
                    let Ok((stream, _)) = accepted else { continue };
                    open.retain(|h| !h.is_finished());
                    if open.len() >= MAX_CONNECTIONS
                        && let Some(oldest) = open.pop_front()
                    {
                        oldest.abort();
                    }
                    open.push_back(connections.spawn(serve(
                        stream,
                        self.acceptor.clone(),
                        self.port,
                        self.path.clone(),
                        self.config.clone(),
                    )));
                }
                Some(done) = connections.join_next(), if !connections.is_empty() => {
                    let Ok(Some((params, mut stream))) = done else { continue };
                    // A JARM response (`response=<JWT>`) carries its `state` inside the signed
                    // JWT; the client checks it after verifying the JWT.
                    let jarm = params.get("state").is_none() && params.get("response").is_some();
                    if let Some(expected) = state
                        && !jarm
                        && !same_state(params.get("state"), expected)
                    {
                        open.push_back(connections.spawn(async move {
                            let body = page("Sign-in failed", FOREIGN_RESPONSE, None);
                            write_response(&mut stream, "400 Bad Request", &body).await;
                            None
                        }));
                        continue;
                    }
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

/// Compares a received `state` with the expected one in time independent of where they
/// differ.
fn same_state(found: Option<&str>, expected: &str) -> bool {
    let Some(found) = found else { return false };
    found.len() == expected.len()
        && found
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
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
    match route(&request, port, &path) {
        Route::Callback(params) => Some((params, stream)),
        Route::Reply(status, body) => {
            write_response(&mut stream, status, &body).await;
            None
        }
    }
}

/// What to do with one request.
enum Route {
    /// An authorization response: hand it over with the open connection.
    Callback(CallbackParams),
    /// Answer with this status and page, and close.
    Reply(&'static str, String),
}

fn route(request: &Request, port: u16, path: &str) -> Route {
    if !host_allowed(request.header("host"), port) {
        // DNS rebinding: a page of another site must not talk to us under its own name.
        return Route::Reply(
            "400 Bad Request",
            page("Bad request", "Unexpected Host header.", None),
        );
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
                return Route::Callback(params);
            }
            Route::Reply("200 OK", relay_page())
        }
        ("POST", p) if (p == path || p == RELAY_PATH) && is_form => {
            let body = String::from_utf8_lossy(&request.body);
            let params = CallbackParams::from_query(&body);
            if is_authorization_response(&params) {
                return Route::Callback(params);
            }
            Route::Reply(
                "400 Bad Request",
                page(
                    "Bad request",
                    "No authorization response in this request.",
                    None,
                ),
            )
        }
        _ => Route::Reply("404 Not Found", page("Not found", "Nothing here.", None)),
    }
}

/// The fuzzing entry point: reads `bytes` as one request (with the default size cap) to a
/// server on `port` with redirect path `path`, and routes it.
pub(crate) fn parse_request_for_fuzzing(
    bytes: &[u8],
    path: &str,
    port: u16,
) -> Option<CallbackParams> {
    let mut stream = bytes;
    let reading = read_request(&mut stream, LoopbackConfig::default().max_request_size);
    let mut reading = std::pin::pin!(reading);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    // Reading from a byte slice never waits, so one poll finishes the future.
    let std::task::Poll::Ready(Ok(request)) = reading.as_mut().poll(&mut cx) else {
        return None;
    };
    match route(&request, port, path) {
        Route::Callback(params) => Some(params),
        Route::Reply(..) => None,
    }
}

fn is_authorization_response(params: &CallbackParams) -> bool {
    // `response`: a JARM response JWT.
    [
        "code",
        "state",
        "error",
        "id_token",
        "access_token",
        "response",
    ]
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
    fn pages_escape_text() {
        assert!(page("t", "<b>", Some("\"x\"")).contains("&lt;b&gt;"));
    }
}
