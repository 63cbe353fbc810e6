//! TLS for the transport: rustls (aws-lc-rs) with TLS 1.2 and 1.3 only, the platform's trust
//! (rustls-platform-verifier) plus extra CA certificates, an accepted ("pinned") server
//! certificate, the application's [`HttpEvents::on_ssl_server_authentication`] decision and
//! client certificates for mutual TLS (RFC 8705 `tls_client_auth`).
//!
//! Not applicable here: the seed's `ssl_provider` (always rustls) and Windows certificate
//! stores (`ssl_cert_store_type` other than PEM/PKCS#12 blobs).

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use super::events::{HttpEvents, ServerCertificate};
use crate::error::Redacted;
use crate::jose::credential;
use crate::{Error, Result};

/// TLS trust and client certificates (the seed's `ssl_*` settings).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct TlsSettings {
    /// Extra CA certificates to trust, PEM (one or more `CERTIFICATE` blocks per entry), on
    /// top of the platform's roots. Default: none.
    pub extra_root_certificates: Vec<String>,
    /// Accept exactly this server certificate (PEM, or base64 DER) whatever its issuer,
    /// name and dates, e.g. a self-signed development provider (the seed's
    /// `ssl_accept_server_cert_encoded`). Other certificates are still checked normally.
    /// Default: none.
    pub accept_server_certificate: Option<String>,
    /// A client certificate for mutual TLS (the seed's `ssl_cert_*`). Default: none.
    pub client_certificate: Option<ClientCertificate>,
}

/// A client certificate and its private key.
#[derive(Clone)]
#[non_exhaustive]
pub enum ClientCertificate {
    /// PEM: the certificate chain (end-entity first) and a PKCS#8, PKCS#1 or SEC1 key.
    Pem {
        /// `CERTIFICATE` blocks.
        certificate_chain: String,
        /// One `PRIVATE KEY` block.
        private_key: String,
    },
    /// A PKCS#12 (`.p12`/`.pfx`) file with its password.
    Pkcs12 {
        /// The file's bytes.
        der: Vec<u8>,
        /// Its password.
        password: String,
    },
}

impl fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientCertificate::Pem {
                certificate_chain, ..
            } => f
                .debug_struct("Pem")
                .field("certificate_chain", &certificate_chain.len())
                .field("private_key", &Redacted(()))
                .finish(),
            ClientCertificate::Pkcs12 { der, .. } => f
                .debug_struct("Pkcs12")
                .field("der", &der.len())
                .field("password", &Redacted(()))
                .finish(),
        }
    }
}

/// Builds the rustls configuration reqwest will use.
pub(crate) fn client_config(
    settings: &TlsSettings,
    events: Option<Arc<dyn HttpEvents>>,
) -> Result<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut extra = Vec::new();
    for pem in &settings.extra_root_certificates {
        let certs = parse_certs(pem, "ExtraRootCertificates")?;
        extra.extend(certs);
    }
    let platform =
        rustls_platform_verifier::Verifier::new_with_extra_roots(extra, provider.clone()).map_err(
            |e| Error::InvalidSetting {
                name: "ExtraRootCertificates".into(),
                reason: format!("could not load the trusted certificates: {e}"),
            },
        )?;
    let accepted = settings
        .accept_server_certificate
        .as_deref()
        .map(|s| parse_single_cert(s, "SSLAcceptServerCert"))
        .transpose()?;
    let verifier = Arc::new(Verifier {
        inner: Arc::new(platform),
        accepted,
        events,
        provider: provider.clone(),
    });
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| Error::InvalidSetting {
            name: "TLS".into(),
            reason: e.to_string(),
        })?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let mut config = match &settings.client_certificate {
        None => builder.with_no_client_auth(),
        Some(cert) => {
            let (chain, key) = load_client_certificate(cert)?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| Error::InvalidSetting {
                    name: "SSLCert".into(),
                    reason: format!("the client certificate and key do not go together: {e}"),
                })?
        }
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

fn parse_certs(pem: &str, setting: &str) -> Result<Vec<CertificateDer<'static>>> {
    credential::pem_certificates(pem).map_err(|reason| Error::InvalidSetting {
        name: setting.into(),
        reason,
    })
}

/// PEM or bare base64 DER.
fn parse_single_cert(text: &str, setting: &str) -> Result<CertificateDer<'static>> {
    if text.contains("-----BEGIN") {
        return parse_certs(text, setting)?
            .into_iter()
            .next()
            .ok_or_else(|| Error::InvalidSetting {
                name: setting.into(),
                reason: "no certificate".into(),
            });
    }
    let compact: String = text.split_whitespace().collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map(CertificateDer::from)
        .map_err(|e| Error::InvalidSetting {
            name: setting.into(),
            reason: format!("neither PEM nor base64 DER: {e}"),
        })
}

fn load_client_certificate(
    cert: &ClientCertificate,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)> {
    let (loaded, name) = match cert {
        ClientCertificate::Pem {
            certificate_chain,
            private_key,
        } => {
            let chain = parse_certs(certificate_chain, "SSLCert")?;
            let key = credential::pem_private_key(private_key).map_err(|reason| {
                Error::InvalidSetting {
                    name: "SSLCertKey".into(),
                    reason,
                }
            })?;
            return Ok((chain, key));
        }
        ClientCertificate::Pkcs12 { der, password } => {
            (credential::from_pkcs12(der, password), "SSLCertStore")
        }
    };
    let loaded = loaded.map_err(|reason| Error::InvalidSetting {
        name: name.into(),
        reason: format!("the PKCS#12 file: {reason}"),
    })?;
    Ok((loaded.chain, loaded.key))
}

/// The platform verifier, plus the accepted certificate and the application's decision.
#[derive(Debug)]
struct Verifier {
    inner: Arc<dyn ServerCertVerifier>,
    accepted: Option<CertificateDer<'static>>,
    events: Option<Arc<dyn HttpEvents>>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let result = if self
            .accepted
            .as_ref()
            .is_some_and(|a| a.as_ref() == end_entity.as_ref())
        {
            Ok(ServerCertVerified::assertion())
        } else {
            self.inner.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                now,
            )
        };
        let Some(events) = &self.events else {
            return result;
        };
        let mut cert = ServerCertificate {
            server_name: server_name.to_str().into_owned(),
            chain_der: std::iter::once(end_entity)
                .chain(intermediates)
                .map(|c| c.as_ref().to_vec())
                .collect(),
            status: match &result {
                Ok(_) => "OK".into(),
                Err(e) => e.to_string(),
            },
            accept: result.is_ok(),
        };
        events.on_ssl_server_authentication(&mut cert);
        match (cert.accept, result) {
            (true, Ok(v)) => {
                events.on_ssl_status("server certificate accepted");
                Ok(v)
            }
            (true, Err(_)) => {
                events.on_ssl_status("server certificate accepted by the application");
                Ok(ServerCertVerified::assertion())
            }
            (false, Err(e)) => {
                events.on_ssl_status(&format!("server certificate rejected: {e}"));
                Err(e)
            }
            (false, Ok(_)) => {
                events.on_ssl_status("server certificate rejected by the application");
                Err(rustls::Error::General(
                    "server certificate rejected by on_ssl_server_authentication".into(),
                ))
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
