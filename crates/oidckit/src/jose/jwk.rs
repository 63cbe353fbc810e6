//! JSON Web Keys (RFC 7517) and signer keys given as PEM, parsed once into verification keys.

use std::fmt;

use aws_lc_rs::signature::{self, ParsedPublicKey, VerificationAlgorithm};
use serde::Deserialize;

use super::der::{self, SpkiKind};
use super::{Alg, b64url_decode};
use crate::{Error, Result};

/// A public key ready to verify signatures, with its `kid` and the algorithms it may be used with.
#[derive(Clone)]
pub struct VerifyingKey {
    kid: Option<String>,
    kty: &'static str,
    /// One parsed key per algorithm this key may verify (an RSA key without `alg` serves all six RSA algorithms).
    parsed: Vec<(Alg, ParsedPublicKey)>,
}

/// A JSON Web Key Set: the usable keys, in document order. Keys of unknown type, curve or
/// algorithm, encryption keys, and malformed keys are skipped, never fatal.
#[derive(Clone, Default)]
pub struct Jwks {
    keys: Vec<VerifyingKey>,
    skipped: usize,
}

/// Alias kept for readability in configuration: a key given directly instead of a JWKS URL.
pub type SignerKey = VerifyingKey;

#[derive(Deserialize)]
struct RawJwk<'a> {
    #[serde(borrow)]
    kty: Option<std::borrow::Cow<'a, str>>,
    #[serde(default, rename = "use")]
    use_: Option<String>,
    #[serde(default)]
    alg: Option<String>,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
    #[serde(default)]
    crv: Option<String>,
    #[serde(default)]
    x: Option<String>,
    #[serde(default)]
    y: Option<String>,
}

#[derive(Deserialize)]
struct RawJwks<'a> {
    #[serde(borrow)]
    keys: Vec<&'a serde_json::value::RawValue>,
}

const RSA_ALGS: [Alg; 6] = [
    Alg::RS256,
    Alg::RS384,
    Alg::RS512,
    Alg::PS256,
    Alg::PS384,
    Alg::PS512,
];

fn verification_alg(alg: &Alg) -> Option<&'static dyn VerificationAlgorithm> {
    Some(match alg {
        Alg::RS256 => &signature::RSA_PKCS1_2048_8192_SHA256,
        Alg::RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
        Alg::RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
        Alg::PS256 => &signature::RSA_PSS_2048_8192_SHA256,
        Alg::PS384 => &signature::RSA_PSS_2048_8192_SHA384,
        Alg::PS512 => &signature::RSA_PSS_2048_8192_SHA512,
        Alg::ES256 => &signature::ECDSA_P256_SHA256_FIXED,
        Alg::ES384 => &signature::ECDSA_P384_SHA384_FIXED,
        Alg::ES512 => &signature::ECDSA_P521_SHA512_FIXED,
        Alg::EdDSA => &signature::ED25519,
        _ => return None,
    })
}

impl VerifyingKey {
    /// Parses one JWK (a JSON object). Fails with code 903 when the key is not a usable
    /// public signature key.
    pub fn from_jwk(json: &str) -> Result<VerifyingKey> {
        let raw: RawJwk<'_> = serde_json::from_str(json)
            .map_err(|e| Error::invalid_key(format!("JWK is not a JSON object: {e}")))?;
        Self::from_raw(raw)
    }

    fn from_raw(raw: RawJwk<'_>) -> Result<VerifyingKey> {
        if raw.use_.as_deref().is_some_and(|u| u != "sig") {
            return Err(Error::invalid_key(
                "the JWK is not a signature key (use is not \"sig\")",
            ));
        }
        let declared = raw.alg.as_deref().map(Alg::from);
        let b64 = |field: &Option<String>, name: &str| -> Result<Vec<u8>> {
            let v = field
                .as_deref()
                .ok_or_else(|| Error::invalid_key(format!("JWK lacks `{name}`")))?;
            b64url_decode(v)
                .ok_or_else(|| Error::invalid_key(format!("JWK `{name}` is not base64url")))
        };
        let kty = raw.kty.as_deref().unwrap_or_default();
        let (kty, bytes, candidates): (&'static str, Vec<u8>, Vec<Alg>) = match kty {
            "RSA" => {
                let n = b64(&raw.n, "n")?;
                let e = b64(&raw.e, "e")?;
                ("RSA", der::rsa_public_key(&n, &e), RSA_ALGS.to_vec())
            }
            "EC" => {
                let (alg, len) = match raw.crv.as_deref() {
                    Some("P-256") => (Alg::ES256, 32),
                    Some("P-384") => (Alg::ES384, 48),
                    Some("P-521") => (Alg::ES512, 66),
                    other => {
                        return Err(Error::invalid_key(format!(
                            "unsupported EC curve {other:?}"
                        )));
                    }
                };
                let x = b64(&raw.x, "x")?;
                let y = b64(&raw.y, "y")?;
                if x.len() != len || y.len() != len {
                    return Err(Error::invalid_key(
                        "EC key coordinates have the wrong length",
                    ));
                }
                let mut point = Vec::with_capacity(1 + 2 * len);
                point.push(4);
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                ("EC", point, vec![alg])
            }
            "OKP" => {
                if raw.crv.as_deref() != Some("Ed25519") {
                    return Err(Error::invalid_key(format!(
                        "unsupported OKP curve {:?}",
                        raw.crv
                    )));
                }
                ("OKP", b64(&raw.x, "x")?, vec![Alg::EdDSA])
            }
            other => {
                return Err(Error::invalid_key(format!(
                    "unsupported key type {other:?}"
                )));
            }
        };
        let algs = match declared {
            Some(alg) if candidates.contains(&alg) => vec![alg],
            Some(alg) => {
                return Err(Error::invalid_key(format!(
                    "JWK alg {alg} does not fit key type {kty}"
                )));
            }
            None => candidates,
        };
        Self::from_bytes(raw.kid, kty, &bytes, &algs)
    }

    fn from_bytes(
        kid: Option<String>,
        kty: &'static str,
        bytes: &[u8],
        algs: &[Alg],
    ) -> Result<VerifyingKey> {
        let mut parsed = Vec::with_capacity(algs.len());
        for alg in algs {
            let Some(va) = verification_alg(alg) else {
                continue;
            };
            let key = ParsedPublicKey::new(va, bytes)
                .map_err(|e| Error::invalid_key(format!("{kty} key rejected for {alg}: {e}")))?;
            parsed.push((alg.clone(), key));
        }
        Ok(VerifyingKey { kid, kty, parsed })
    }

    /// Parses a PEM `CERTIFICATE` or `PUBLIC KEY` (SubjectPublicKeyInfo), e.g. the seed's
    /// `signer_cert_encoded`. A bare base64 body without PEM armour is accepted as a certificate.
    pub fn from_pem(pem: &str) -> Result<VerifyingKey> {
        let (label, der) = pem_decode(pem)?;
        let spki = match label.as_str() {
            "CERTIFICATE" => der::certificate_spki(&der)
                .ok_or_else(|| Error::invalid_key("the certificate is not valid DER X.509"))?
                .to_vec(),
            "PUBLIC KEY" => der,
            "RSA PUBLIC KEY" => return Self::from_bytes(None, "RSA", &der, &RSA_ALGS),
            other => {
                return Err(Error::invalid_key(format!(
                    "PEM block {other:?} is not a certificate or public key"
                )));
            }
        };
        Self::from_spki(&spki)
    }

    /// Parses a DER SubjectPublicKeyInfo.
    pub fn from_spki(spki: &[u8]) -> Result<VerifyingKey> {
        let kind = der::spki_kind(spki).ok_or_else(|| {
            Error::invalid_key("unsupported or malformed public key (SubjectPublicKeyInfo)")
        })?;
        let (kty, algs): (&'static str, Vec<Alg>) = match kind {
            SpkiKind::Rsa => ("RSA", RSA_ALGS.to_vec()),
            SpkiKind::EcP256 => ("EC", vec![Alg::ES256]),
            SpkiKind::EcP384 => ("EC", vec![Alg::ES384]),
            SpkiKind::EcP521 => ("EC", vec![Alg::ES512]),
            SpkiKind::Ed25519 => ("OKP", vec![Alg::EdDSA]),
        };
        Self::from_bytes(None, kty, spki, &algs)
    }

    /// Parses a key given as text: a PEM block, or a JWK (JSON object).
    pub fn from_text(text: &str) -> Result<VerifyingKey> {
        if text.trim_start().starts_with('{') {
            Self::from_jwk(text)
        } else {
            Self::from_pem(text)
        }
    }

    /// The key id, if the key has one.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The JWK key type: `RSA`, `EC` or `OKP`.
    pub fn key_type(&self) -> &'static str {
        self.kty
    }

    /// Whether this key may verify signatures made with `alg`.
    pub fn supports(&self, alg: &Alg) -> bool {
        self.parsed.iter().any(|(a, _)| a == alg)
    }

    /// Verifies `signature` over `message` with `alg`. False when the key does not support `alg`.
    pub fn verify(&self, alg: &Alg, message: &[u8], signature: &[u8]) -> bool {
        self.parsed
            .iter()
            .find(|(a, _)| a == alg)
            .is_some_and(|(_, key)| key.verify_sig(message, signature).is_ok())
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("kid", &self.kid)
            .field("kty", &self.kty)
            .field(
                "algs",
                &self
                    .parsed
                    .iter()
                    .map(|(a, _)| a.as_str())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Jwks {
    /// Parses a JWKS document (`{"keys":[…]}`; a leading byte-order mark is ignored). Fails with
    /// code 903 only when the document itself is not a JSON object with a `keys` array, 916 when
    /// an object in it repeats a member; unusable keys are skipped.
    pub fn from_json(bytes: &[u8]) -> Result<Jwks> {
        let bytes = crate::json::checked(bytes).map_err(|e| {
            e.into_error("JWKS", |e| {
                Error::invalid_key(format!("JWKS is not a JSON object with a keys array: {e}"))
            })
        })?;
        let raw: RawJwks<'_> = serde_json::from_slice(bytes).map_err(|e| {
            Error::invalid_key(format!("JWKS is not a JSON object with a keys array: {e}"))
        })?;
        let mut jwks = Jwks::default();
        for key in raw.keys {
            match serde_json::from_str::<RawJwk<'_>>(key.get())
                .map_err(|_| ())
                .and_then(|k| VerifyingKey::from_raw(k).map_err(|_| ()))
            {
                Ok(k) => jwks.keys.push(k),
                Err(()) => jwks.skipped += 1,
            }
        }
        Ok(jwks)
    }

    /// A key set holding the given keys.
    pub fn from_keys(keys: Vec<VerifyingKey>) -> Jwks {
        Jwks { keys, skipped: 0 }
    }

    /// The usable keys.
    pub fn keys(&self) -> &[VerifyingKey] {
        &self.keys
    }

    /// How many keys of the document were skipped as unusable.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// Selects the key for a token: by `kid` when the token has one; otherwise the single key that
    /// supports `alg`. `Err(n)` gives the number of candidate keys when the choice is not exactly one.
    pub fn select(
        &self,
        kid: Option<&str>,
        alg: &Alg,
    ) -> std::result::Result<&VerifyingKey, usize> {
        let mut found = None;
        let mut count = 0;
        for key in &self.keys {
            let kid_fits = match kid {
                Some(kid) => key.kid.as_deref() == Some(kid),
                None => true,
            };
            if kid_fits && key.supports(alg) {
                count += 1;
                found.get_or_insert(key);
            }
        }
        match (found, count) {
            (Some(k), 1) => Ok(k),
            // Several keys with the same kid and alg: take the first, as a kid names one key.
            (Some(k), _) if kid.is_some() => Ok(k),
            _ => Err(count),
        }
    }
}

impl fmt::Debug for Jwks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwks")
            .field("keys", &self.keys)
            .field("skipped", &self.skipped)
            .finish()
    }
}

/// Decodes the first PEM block of `text`; returns its label and DER bytes. Text without
/// armour is taken as the base64 of a certificate.
fn pem_decode(text: &str) -> Result<(String, Vec<u8>)> {
    use base64::Engine as _;
    let text = text.trim();
    let (label, body) = if let Some(start) = text.find("-----BEGIN ") {
        let after = &text[start + 11..];
        let label_end = after
            .find("-----")
            .ok_or_else(|| Error::invalid_key("PEM header is not terminated"))?;
        let label = &after[..label_end];
        let body_start = &after[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let body_end = body_start
            .find(&end_marker)
            .ok_or_else(|| Error::invalid_key(format!("PEM block {label:?} has no END line")))?;
        (label.to_string(), &body_start[..body_end])
    } else {
        ("CERTIFICATE".to_string(), text)
    };
    let compact: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|_| Error::invalid_key("PEM body is not valid base64"))?;
    Ok((label, der))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwks_skips_unusable_keys_but_keeps_good_ones() {
        let ed = r#"{"kty":"OKP","crv":"Ed25519","kid":"ed","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
        let doc = format!(
            r#"{{"keys":[{{"kty":"foo"}},{{"kty":"EC","crv":"P-999"}},{{"kty":"RSA","n":"!!","e":"AQAB"}},{{"kty":"OKP","crv":"Ed25519","use":"enc","x":"AA"}},42,{ed}]}}"#
        );
        let jwks = Jwks::from_json(doc.as_bytes()).expect("jwks parses");
        assert_eq!(jwks.keys().len(), 1);
        assert_eq!(jwks.skipped(), 5);
        assert!(jwks.select(Some("ed"), &Alg::EdDSA).is_ok());
        assert!(jwks.select(None, &Alg::EdDSA).is_ok());
        assert_eq!(jwks.select(Some("other"), &Alg::EdDSA).err(), Some(0));
        assert_eq!(jwks.select(Some("ed"), &Alg::RS256).err(), Some(0));
    }

    #[test]
    fn jwks_that_is_not_an_object_is_an_error() {
        for bad in [&b"[]"[..], b"{}", b"{\"keys\":{}}", b"nope", b""] {
            assert_eq!(Jwks::from_json(bad).expect_err("bad").code(), 903);
        }
    }

    #[test]
    fn jwk_alg_must_fit_key_type() {
        let ed = r#"{"kty":"OKP","crv":"Ed25519","alg":"RS256","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
        assert!(VerifyingKey::from_jwk(ed).is_err());
    }
}
