//! Encrypted tokens between client and provider (JWE, RFC 7516): ID tokens (OpenID Connect
//! Core §2, §3.1.3.7 step 1), UserInfo responses (Core §5.3.2) and JARM responses (JARM §2.2)
//! are decrypted with `ClientConfig::decryption_keys` and then validated as if they had come
//! signed only; request objects are signed, then encrypted to the provider (RFC 9101 §6.1).

use std::borrow::Cow;

use super::Client;
use crate::discovery::ProviderMetadata;
use crate::http::Http;
use crate::jose::jwe;
use crate::jose::{ContentEncryption, EncryptionKey, KeyManagement};
use crate::{ClientConfig, Error, Result};

impl Client {
    /// `token` itself when it is not a JWE; else its decrypted plaintext. With `nested`, the
    /// plaintext must be a signed JWT (code 933 otherwise): ID tokens and JARM responses are
    /// signed, then encrypted. With `required`, the token must be a JWE with that `alg`
    /// (934 when it is not encrypted, 954 for another `alg`).
    pub(crate) fn decrypt_if_jwe<'t>(
        &self,
        token: &'t str,
        what: &'static str,
        nested: bool,
        required: Option<KeyManagement>,
    ) -> Result<Cow<'t, str>> {
        if !jwe::is_jwe(token) {
            return match required {
                Some(alg) => Err(Error::EncryptionRequired {
                    what,
                    alg: alg.as_str(),
                }),
                None => Ok(Cow::Borrowed(token)),
            };
        }
        let decrypted = jwe::decrypt(token, &self.inner.config.decryption_keys)?;
        if let Some(alg) = required
            && decrypted.header.alg != alg
        {
            return Err(Error::JweAlgorithmRefused {
                member: "alg",
                value: decrypted.header.alg.as_str().to_string(),
                reason: "not the algorithm registered for this token (ClientConfig::*_encrypted_response_alg)",
            });
        }
        let text = String::from_utf8(decrypted.plaintext).ok();
        match text {
            Some(t) if !nested || is_compact_jws(&t) => Ok(Cow::Owned(t)),
            _ => Err(Error::NestedJwtRequired { what }),
        }
    }

    /// The request object encryption settings in effect, when encryption is on.
    pub(crate) fn request_encryption(
        &self,
    ) -> Result<Option<(&EncryptionKey, KeyManagement, ContentEncryption)>> {
        let cfg = &self.inner.config;
        if !cfg.encrypt_request_object {
            return Ok(None);
        }
        let key = cfg.request_object_encryption_key.as_ref().ok_or_else(|| {
            Error::JweEncryption {
                reason: "no provider encryption key: set request_object_encryption_key, or build the client with Client::discover so the provider's JWKS is read".into(),
            }
        })?;
        let alg = cfg
            .request_object_encryption_alg
            .unwrap_or_else(|| key.default_alg());
        Ok(Some((key, alg, cfg.request_object_encryption_enc)))
    }
}

/// Whether `text` has the shape of a compact JWS (three dot-separated parts).
pub(crate) fn is_compact_jws(text: &str) -> bool {
    text.trim().bytes().filter(|&b| b == b'.').count() == 2
}

/// The key to encrypt request objects to: the configured one, else (when encryption is on)
/// the first `use: enc` key of the provider's JWKS.
pub(crate) async fn provider_encryption_key(
    config: &ClientConfig,
    metadata: &ProviderMetadata,
    http: &Http,
) -> Result<Option<EncryptionKey>> {
    if let Some(key) = &config.request_object_encryption_key {
        return Ok(Some(key.clone()));
    }
    if !(config.request_object && config.encrypt_request_object) {
        return Ok(None);
    }
    let Some(uri) = metadata.jwks_uri.as_deref() else {
        return Err(Error::JweEncryption {
            reason: "the provider has no jwks_uri to take an encryption key from; set request_object_encryption_key".into(),
        });
    };
    EncryptionKey::from_jwks(&crate::jwks::fetch(http, uri).await?).map(Some)
}
