//! Settings of the loopback server: [`LoopbackConfig`], and [`LoopbackTls`] with its
//! [`LoopbackCertificate`] for HTTPS.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Settings of a [`LoopbackServer`](super::LoopbackServer).
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
    /// Deadline for reading one request from a connection, TLS handshake included; an idle
    /// or slow connection is closed when it passes. Default: 5 s.
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
            read_timeout: Duration::from_secs(5),
            localhost: false,
            tls: None,
        }
    }
}
