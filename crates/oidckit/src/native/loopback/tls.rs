//! The TLS side of an HTTPS loopback server: load its certificate (PEM or PKCS#12), check the
//! subject, and build the acceptor.

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use super::config::{LoopbackCertificate, LoopbackTls};
use crate::jose::credential;
use crate::{Error, Result};

/// Loads the certificate, checks its subject, and builds the TLS side of the server.
pub(super) fn acceptor(tls: &LoopbackTls) -> Result<TlsAcceptor> {
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
    let pkcs12 = |der: &[u8], password: &str| {
        credential::from_pkcs12(der, password).map_err(|reason| Error::InvalidPkcs12 {
            reason: format!("web server certificate: {reason}"),
        })
    };
    let read_error = |path: &std::path::Path, e: std::io::Error| {
        bad_certificate(format!("cannot read {}: {e}", path.display()))
    };
    let loaded = match cert {
        LoopbackCertificate::Pem {
            certificate_chain,
            private_key,
        } => credential::from_pem(certificate_chain, private_key).map_err(bad_certificate)?,
        LoopbackCertificate::PemFile(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| read_error(path, e))?;
            credential::from_pem(&text, &text).map_err(bad_certificate)?
        }
        LoopbackCertificate::Pkcs12 { der, password } => pkcs12(der, password)?,
        LoopbackCertificate::Pkcs12File { path, password } => {
            let der = std::fs::read(path).map_err(|e| read_error(path, e))?;
            pkcs12(&der, password)?
        }
    };
    Ok((loaded.chain, loaded.key))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_match_exactly_or_by_part() {
        let subject = "CN=127.0.0.1, O=oidckit";
        assert!(subject_matches(subject, ""));
        assert!(subject_matches(subject, "*"));
        assert!(subject_matches(subject, "cn=127.0.0.1,o=oidckit"));
        assert!(subject_matches(subject, "CN=127.0.0.1"));
        assert!(!subject_matches(subject, "CN=example.com"));
    }
}
