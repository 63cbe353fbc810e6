//! The one loader of certificate credentials: PEM text (RFC 7468), parsed with
//! `rustls-pki-types`' PEM support, and PKCS#12 (`.p12` / `.pfx`, RFC 7292) stores, parsed with
//! `p12-keystore` when the `pkcs12` feature is on.
//!
//! Used by JWT client assertion keys ([`PrivateKey::from_pkcs12`](super::PrivateKey)), mutual
//! TLS client certificates (`http/tls.rs`) and the HTTPS loopback server
//! (`native/loopback/tls.rs`). It returns a plain reason; each caller wraps it in its own error
//! (and so keeps its code).

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

#[cfg(feature = "pkcs12")]
use super::PrivateKey;
#[cfg(feature = "pkcs12")]
use crate::{Error, Result as CrateResult};

#[cfg(feature = "pkcs12")]
impl PrivateKey {
    /// Opens a PKCS#12 file protected by `password` and returns its private key with the
    /// matching certificate attached (so assertions carry `x5t`). Code 912 when the bytes are
    /// not PKCS#12, the password is wrong, or there is no private key inside. Needs the
    /// `pkcs12` feature.
    pub fn from_pkcs12(der: &[u8], password: &str) -> CrateResult<PrivateKey> {
        let invalid = |reason: String| Error::InvalidPkcs12 { reason };
        let credential = from_pkcs12(der, password).map_err(invalid)?;
        let key = PrivateKey::from_pkcs8_der(credential.key.secret_der())
            .map_err(|e| invalid(format!("its private key is unusable: {e}")))?;
        Ok(match credential.chain.into_iter().next() {
            Some(cert) => key.with_certificate_der(cert.to_vec()),
            None => key,
        })
    }
}

/// A certificate chain (end-entity first) and its private key.
pub(crate) struct Credential {
    /// The `CERTIFICATE`s, end-entity first; may be empty for a PKCS#12 store without one.
    pub(crate) chain: Vec<CertificateDer<'static>>,
    /// The private key.
    pub(crate) key: PrivateKeyDer<'static>,
}

/// Every `CERTIFICATE` block of PEM text; at least one.
pub(crate) fn pem_certificates(pem: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("not PEM certificates: {e}"))?;
    if certs.is_empty() {
        return Err("no -----BEGIN CERTIFICATE----- block found".into());
    }
    Ok(certs)
}

/// The first private key block of PEM text: PKCS#8 `PRIVATE KEY`, PKCS#1 `RSA PRIVATE KEY` or
/// SEC1 `EC PRIVATE KEY`.
pub(crate) fn pem_private_key(pem: &str) -> Result<PrivateKeyDer<'static>, String> {
    PrivateKeyDer::from_pem_slice(pem.as_bytes()).map_err(|e| match e {
        rustls::pki_types::pem::Error::NoItemsFound if pem.contains("ENCRYPTED PRIVATE KEY") => {
            "encrypted PEM keys are not supported; use a PKCS#12 file or decrypt the key".into()
        }
        e => format!("no usable PEM private key: {e}"),
    })
}

/// A chain and a key from PEM text (the two may be the same text).
#[cfg(feature = "loopback")]
pub(crate) fn from_pem(chain: &str, key: &str) -> Result<Credential, String> {
    Ok(Credential {
        chain: pem_certificates(chain)?,
        key: pem_private_key(key)?,
    })
}

/// Opens a PKCS#12 store protected by `password`: its private key and that key's chain.
#[cfg(feature = "pkcs12")]
pub(crate) fn from_pkcs12(der: &[u8], password: &str) -> Result<Credential, String> {
    use rustls::pki_types::PrivatePkcs8KeyDer;

    let store = p12_keystore::KeyStore::from_pkcs12(
        der,
        password,
        p12_keystore::Pkcs12ImportPolicy::Relaxed,
    )
    .map_err(|e| format!("{e} (wrong password or not a PKCS#12 file?)"))?;
    let (_, chain) = store
        .private_key_chain()
        .ok_or_else(|| "it holds no private key".to_string())?;
    Ok(Credential {
        chain: chain
            .certs()
            .iter()
            .map(|c| CertificateDer::from(c.as_der().to_vec()))
            .collect(),
        // PKCS#12 key bags hold PKCS#8 `PrivateKeyInfo`s (RFC 7292 §4.2.1, §4.2.2).
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(chain.key().as_der().to_vec())),
    })
}

/// What a PKCS#12 store yields without the `pkcs12` feature: a reason saying so.
#[cfg(not(feature = "pkcs12"))]
pub(crate) fn from_pkcs12(_der: &[u8], _password: &str) -> Result<Credential, String> {
    Err("PKCS#12 stores need oidckit's `pkcs12` feature; enable it or give PEM".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_without_certificates_or_keys_gives_reasons() {
        assert!(pem_certificates("hello").is_err());
        assert!(pem_private_key("hello").is_err());
        let encrypted =
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
        assert!(
            pem_private_key(encrypted)
                .err()
                .is_some_and(|r| r.contains("encrypted"))
        );
    }
}
