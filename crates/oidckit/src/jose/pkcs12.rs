//! PKCS#12 (RFC 7292) `.p12` / `.pfx` files: the private key and certificate of a client
//! certificate credential (the seed's `JWTCertStoreType=2`), parsed with `p12-keystore`.

use super::PrivateKey;
use crate::{Error, Result};

impl PrivateKey {
    /// Opens a PKCS#12 file protected by `password` and returns its private key with the
    /// matching certificate attached (so assertions carry `x5t`). Code 912 when the bytes are
    /// not PKCS#12, the password is wrong, or there is no private key inside.
    pub fn from_pkcs12(der: &[u8], password: &str) -> Result<PrivateKey> {
        let invalid = |reason: String| Error::InvalidPkcs12 { reason };
        let store = p12_keystore::KeyStore::from_pkcs12(
            der,
            password,
            p12_keystore::Pkcs12ImportPolicy::Relaxed,
        )
        .map_err(|e| invalid(format!("{e} (wrong password or not a PKCS#12 file?)")))?;
        let (_, chain) = store
            .private_key_chain()
            .ok_or_else(|| invalid("it holds no private key".into()))?;
        let key = PrivateKey::from_pkcs8_der(chain.key().as_der())
            .map_err(|e| invalid(format!("its private key is unusable: {e}")))?;
        Ok(match chain.certs().first() {
            Some(cert) => key.with_certificate_der(cert.as_der().to_vec()),
            None => key,
        })
    }
}
