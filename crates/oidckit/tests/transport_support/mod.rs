//! Real servers for the transport tests, all on 127.0.0.1 and all stopped on `Drop`:
//! `tinyproxy` and `microsocks` child processes, a TLS front (tokio-rustls) before the mock
//! provider, a tiny scripted HTTP server, and an event recorder.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use oidckit::http::{Direction, HttpEvents, LogLevel, Redirect, ServerCertificate, SetCookie};
use oidckit::{ClientConfig, ProviderMetadata};
use oidckit_mock::MockProvider;
use rcgen::{CertificateParams, CertifiedIssuer, IsCa, KeyPair};

/// A free TCP port on 127.0.0.1 (bound to port 0, then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

/// Finds a system server binary, or panics with the apt line (skips when
/// `OIDCKIT_SKIP_SYSTEM_SERVERS=1`: then `None`).
pub fn system_binary(name: &str, package: &str) -> Option<PathBuf> {
    for dir in [
        "/usr/bin",
        "/usr/sbin",
        "/usr/local/bin",
        "/usr/local/sbin",
        "/bin",
        "/sbin",
    ] {
        let p = PathBuf::from(dir).join(name);
        if p.exists() {
            return Some(p);
        }
    }
    if std::env::var("OIDCKIT_SKIP_SYSTEM_SERVERS").as_deref() == Ok("1") {
        eprintln!("skipping: {name} not installed and OIDCKIT_SKIP_SYSTEM_SERVERS=1");
        return None;
    }
    panic!(
        "this test needs `{name}`: run `apt-get install -y {package}` (or set OIDCKIT_SKIP_SYSTEM_SERVERS=1 to skip)"
    );
}

/// A child process killed (and reaped) on drop, with its temp dir removed.
#[derive(Debug)]
pub struct ChildServer {
    child: Child,
    pub port: u16,
    dir: PathBuf,
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "oidckit-{tag}-{}-{}",
        std::process::id(),
        free_port()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn wait_listening(port: u16, child: &mut Child, what: &str) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited early with {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not listen on 127.0.0.1:{port} within 10 s");
}

/// `tinyproxy` in the foreground with Basic auth `user`/`password`.
pub fn tinyproxy(user: &str, password: &str) -> Option<ChildServer> {
    let bin = system_binary("tinyproxy", "tinyproxy")?;
    let dir = temp_dir("tinyproxy");
    let port = free_port();
    let conf = dir.join("tinyproxy.conf");
    std::fs::write(
        &conf,
        format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 30\nAllow 127.0.0.1\nMaxClients 20\n\
             LogLevel Info\nPidFile \"{}\"\nBasicAuth {user} {password}\n",
            dir.join("tinyproxy.pid").display()
        ),
    )
    .expect("write tinyproxy.conf");
    let mut child = Command::new(bin)
        .arg("-d")
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start tinyproxy");
    wait_listening(port, &mut child, "tinyproxy");
    Some(ChildServer { child, port, dir })
}

/// `microsocks` (SOCKS5) with user/password authentication.
pub fn microsocks(user: &str, password: &str) -> Option<ChildServer> {
    let bin = system_binary("microsocks", "microsocks")?;
    let dir = temp_dir("microsocks");
    let port = free_port();
    let mut child = Command::new(bin)
        .args([
            "-i",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-u",
            user,
            "-P",
            password,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start microsocks");
    wait_listening(port, &mut child, "microsocks");
    Some(ChildServer { child, port, dir })
}

/// A test PKI: a CA, a server certificate for 127.0.0.1 and a client certificate.
pub struct Pki {
    pub ca_pem: String,
    pub server_cert_pem: String,
    pub server_cert_der: Vec<u8>,
    pub server_key_der: Vec<u8>,
    pub client_cert_pem: String,
    pub client_key_pem: String,
}

impl Pki {
    pub fn new() -> Pki {
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
        ca_params.is_ca = IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "oidckit test CA");
        let ca =
            CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("key")).expect("ca");
        let server_key = KeyPair::generate().expect("key");
        let server = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .expect("server params")
            .signed_by(&server_key, &ca)
            .expect("server cert");
        let client_key = KeyPair::generate().expect("key");
        let mut client_params = CertificateParams::new(Vec::<String>::new()).expect("params");
        client_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "test-client");
        client_params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
        let client = client_params
            .signed_by(&client_key, &ca)
            .expect("client cert");
        Pki {
            ca_pem: ca.pem(),
            server_cert_pem: server.pem(),
            server_cert_der: server.der().to_vec(),
            server_key_der: server_key.serialize_der(),
            client_cert_pem: client.pem(),
            client_key_pem: client_key.serialize_pem(),
        }
    }
}

/// A TLS-terminating front on 127.0.0.1 that forwards each connection to the mock provider.
/// With `client_ca`, a client certificate signed by it is required (mutual TLS).
pub struct TlsFront {
    pub port: u16,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TlsFront {
    pub fn start(pki: &Pki, backend_port: u16, require_client_cert: bool) -> TlsFront {
        use tokio_rustls::rustls;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .expect("versions");
        let builder = if require_client_cert {
            let mut roots = rustls::RootCertStore::empty();
            let ca = rustls::pki_types::CertificateDer::from_pem_slice(pki.ca_pem.as_bytes())
                .expect("ca pem");
            roots.add(ca).expect("add ca");
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .expect("client verifier");
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let config = builder
            .with_single_cert(
                vec![pki.server_cert_der.clone().into()],
                rustls::pki_types::PrivateKeyDer::try_from(pki.server_key_der.clone())
                    .expect("key der"),
            )
            .expect("server config");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("addr").port();
        let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                loop {
                    tokio::select! {
                        _ = &mut rx => break,
                        accepted = listener.accept() => {
                            let Ok((tcp, _)) = accepted else { continue };
                            let acceptor = acceptor.clone();
                            tokio::spawn(async move {
                                let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                                let Ok(mut back) =
                                    tokio::net::TcpStream::connect(("127.0.0.1", backend_port)).await
                                else {
                                    return;
                                };
                                let _ = tokio::io::copy_bidirectional(&mut tls, &mut back).await;
                            });
                        }
                    }
                }
            });
        });
        TlsFront {
            port,
            stop: Some(tx),
            thread: Some(thread),
        }
    }
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

use tokio_rustls::rustls::pki_types::pem::PemObject as _;

/// The mock's metadata with the back-channel endpoints (token, JWKS, UserInfo) moved to
/// `https://127.0.0.1:{front_port}`; the issuer stays the mock's.
pub fn https_metadata(p: &MockProvider, front_port: u16) -> ProviderMetadata {
    let doc = fetch_plain(p.port(), "/.well-known/openid-configuration");
    let mut m = ProviderMetadata::from_json(doc.as_bytes()).expect("metadata");
    let http = format!("http://127.0.0.1:{}", p.port());
    let https = format!("https://127.0.0.1:{front_port}");
    for ep in [
        &mut m.token_endpoint,
        &mut m.jwks_uri,
        &mut m.userinfo_endpoint,
    ] {
        if let Some(u) = ep.as_mut() {
            *u = u.replace(&http, &https);
        }
    }
    m
}

/// A body fetched with a hand-written HTTP/1.0 GET (no client library involved).
pub fn fetch_plain(port: u16, path: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n").expect("write");
    let mut raw = String::new();
    s.read_to_string(&mut raw).expect("read");
    raw.split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default()
}

pub fn client_config_for(p: &MockProvider) -> ClientConfig {
    ClientConfig::new(p.issuer(), "test-client")
        .with_secret("test-secret")
        .with_redirect_uri("http://127.0.0.1:9/cb")
}

/// A scripted HTTP/1.1 server: `handler(method, path, request_head)` returns the whole
/// response text. One request per connection.
pub struct ScriptedServer {
    pub port: u16,
    pub requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ScriptedServer {
    pub fn start(handler: impl Fn(&str, &str, &str) -> String + Send + 'static) -> ScriptedServer {
        ScriptedServer::start_bytes(move |m, p, h| handler(m, p, h).into_bytes())
    }

    /// Like [`start`](Self::start), with a binary response (e.g. a gzip body).
    pub fn start_bytes(
        handler: impl Fn(&str, &str, &str) -> Vec<u8> + Send + 'static,
    ) -> ScriptedServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("addr").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (req2, stop2) = (requests.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !stop2.load(std::sync::atomic::Ordering::SeqCst) {
                let Ok((mut s, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                };
                let _ = s.set_nonblocking(false);
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf).to_string();
                let mut first = head.lines().next().unwrap_or_default().split(' ');
                let method = first.next().unwrap_or_default().to_string();
                let path = first.next().unwrap_or_default().to_string();
                req2.lock().expect("lock").push(head.clone());
                let resp = handler(&method, &path, &head);
                let _ = s.write_all(&resp);
            }
        });
        ScriptedServer {
            port,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// An HTTP response with a JSON body and extra header lines.
pub fn json_response(status: &str, extra_headers: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{extra_headers}\r\n{body}",
        body.len()
    )
}

/// Records every event as a line, e.g. `status 200`, `log[3] RequestBody: …`.
#[derive(Debug, Default)]
pub struct Recorder {
    pub lines: Mutex<Vec<String>>,
    /// What `on_ssl_server_authentication` sets `accept` to (`None`: leave it).
    pub ssl_decision: Option<bool>,
}

impl Recorder {
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().expect("lock").clone()
    }
    fn push(&self, s: String) {
        self.lines.lock().expect("lock").push(s);
    }
    pub fn logs(&self) -> String {
        self.lines()
            .into_iter()
            .filter(|l| l.starts_with("log["))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl HttpEvents for Recorder {
    fn on_connected(&self, status_code: u16, _description: &str) {
        self.push(format!("connected {status_code}"));
    }
    fn on_disconnected(&self, status_code: u16, _description: &str) {
        self.push(format!("disconnected {status_code}"));
    }
    fn on_connection_status(&self, event: &str, _code: u16, _description: &str) {
        self.push(format!("connection_status {event}"));
    }
    fn on_ssl_server_authentication(&self, cert: &mut ServerCertificate) {
        self.push(format!(
            "ssl_server_authentication {} {}",
            cert.status,
            cert.chain_der.len()
        ));
        if let Some(d) = self.ssl_decision {
            cert.accept = d;
        }
    }
    fn on_status(&self, _v: &str, status_code: u16, _d: &str) {
        self.push(format!("status {status_code}"));
    }
    fn on_header(&self, field: &str, value: &str) {
        self.push(format!("header {field}: {value}"));
    }
    fn on_set_cookie(&self, c: &SetCookie) {
        self.push(format!("set_cookie {}={}", c.name, c.value));
    }
    fn on_redirect(&self, r: &mut Redirect) {
        self.push(format!("redirect {} {}", r.status, r.accept));
    }
    fn on_start_transfer(&self, d: Direction) {
        self.push(format!("start_transfer {d:?}"));
    }
    fn on_transfer(&self, d: Direction, total: u64, _pct: u8, _text: &[u8]) {
        self.push(format!("transfer {d:?} {total}"));
    }
    fn on_end_transfer(&self, d: Direction) {
        self.push(format!("end_transfer {d:?}"));
    }
    fn on_error(&self, code: u16, _description: &str) {
        self.push(format!("error {code}"));
    }
    fn on_log(&self, level: LogLevel, message: &str, log_type: &str) {
        self.push(format!("log[{}] {log_type}: {message}", level.as_u8()));
    }
}

/// `danted` (Dante SOCKS server) in the foreground on 127.0.0.1, without authentication. It
/// answers SOCKS4, SOCKS4A and SOCKS5. Runs as the current user (no privilege switch).
pub fn danted() -> Option<ChildServer> {
    let bin = system_binary("danted", "dante-server")?;
    let dir = temp_dir("danted");
    let port = free_port();
    let conf = dir.join("danted.conf");
    std::fs::write(
        &conf,
        format!(
            "logoutput: stderr\ninternal: 127.0.0.1 port = {port}\nexternal: 127.0.0.1\n\
             clientmethod: none\nsocksmethod: none\n\
             client pass {{ from: 127.0.0.0/8 to: 0.0.0.0/0 }}\n\
             socks pass {{ from: 127.0.0.0/8 to: 0.0.0.0/0 protocol: tcp }}\n"
        ),
    )
    .expect("write danted.conf");
    let mut child = Command::new(bin)
        .arg("-f")
        .arg(&conf)
        .arg("-p")
        .arg(dir.join("danted.pid"))
        .arg("-N")
        .arg("1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start danted");
    wait_listening(port, &mut child, "danted");
    Some(ChildServer { child, port, dir })
}

/// A TCP listener that accepts connections and never answers (a stalled TLS handshake).
pub struct SilentListener {
    pub port: u16,
    _listener: TcpListener,
    held: Arc<Mutex<Vec<TcpStream>>>,
    _thread: std::thread::JoinHandle<()>,
}

impl SilentListener {
    pub fn start() -> SilentListener {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let l2 = listener.try_clone().expect("clone");
        let held = Arc::new(Mutex::new(Vec::new()));
        let h2 = held.clone();
        let thread = std::thread::spawn(move || {
            for s in l2.incoming().flatten() {
                h2.lock().expect("lock").push(s);
            }
        });
        SilentListener {
            port,
            _listener: listener,
            held,
            _thread: thread,
        }
    }
}

/// A TLS server offering ALPN `h2` and `http/1.1` that records the protocol it negotiated with
/// each client (`None`: the client offered neither), then closes the connection.
pub struct AlpnProbe {
    pub port: u16,
    pub negotiated: Arc<Mutex<Vec<Option<String>>>>,
    _thread: std::thread::JoinHandle<()>,
}

impl AlpnProbe {
    pub fn start(pki: &Pki) -> AlpnProbe {
        use tokio_rustls::rustls;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![pki.server_cert_der.clone().into()],
                rustls::pki_types::PrivateKeyDer::try_from(pki.server_key_der.clone())
                    .expect("key der"),
            )
            .expect("server config");
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let negotiated = Arc::new(Mutex::new(Vec::new()));
        let n2 = negotiated.clone();
        let thread = std::thread::spawn(move || {
            for mut tcp in listener.incoming().flatten() {
                let Ok(mut conn) = rustls::ServerConnection::new(config.clone()) else {
                    continue;
                };
                let _ = tcp.set_read_timeout(Some(Duration::from_secs(5)));
                while conn.is_handshaking() {
                    if conn.complete_io(&mut tcp).is_err() {
                        break;
                    }
                }
                if !conn.is_handshaking() {
                    let alpn = conn
                        .alpn_protocol()
                        .map(|p| String::from_utf8_lossy(p).into_owned());
                    n2.lock().expect("lock").push(alpn);
                }
            }
        });
        AlpnProbe {
            port,
            negotiated,
            _thread: thread,
        }
    }
}

/// A PKCS#12 store (DER) holding the PKI's client certificate and key, with `password`.
pub fn client_pkcs12(pki: &Pki, password: &str) -> Vec<u8> {
    let key_der = KeyPair::from_pem(&pki.client_key_pem)
        .expect("client key")
        .serialize_der();
    let cert_der = tokio_rustls::rustls::pki_types::CertificateDer::from_pem_slice(
        pki.client_cert_pem.as_bytes(),
    )
    .expect("client cert pem");
    let key = p12_keystore::PrivateKey::from_der(&key_der).expect("pkcs8");
    let cert = p12_keystore::Certificate::from_der(cert_der.as_ref()).expect("cert");
    let chain = p12_keystore::PrivateKeyChain::new(vec![1u8], key, [cert]);
    let mut ks = p12_keystore::KeyStore::new();
    ks.add_entry(
        "client",
        p12_keystore::KeyStoreEntry::PrivateKeyChain(chain),
    );
    ks.writer(password).write().expect("write pkcs12")
}
