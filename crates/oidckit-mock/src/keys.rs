//! Key generation, JWK export and compact JWS signing.
//!
//! This module is deliberately independent of the `oidckit` library: keys come from
//! `aws-lc-rs`, signatures from `jsonwebtoken::crypto::sign`, and the few bits of DER we need
//! (PKCS#8 → PKCS#1 for RSA, the RSA modulus/exponent) are parsed by hand here.

use std::fmt;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair,
    KeyPair as _,
};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{Value, json};
use sha2::Digest as _;

use crate::SigningAlg;

/// base64url without padding.
pub(crate) fn b64url(data: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

/// A fresh random token (code, access token, refresh token, kid…), base64url of `n` bytes.
pub(crate) fn random_token(n: usize) -> String {
    let mut buf = vec![0u8; n];
    if aws_lc_rs::rand::fill(&mut buf).is_err() {
        // The system RNG failing is not something a test helper can recover from; fall back
        // to a time-derived value so we at least never hand out an all-zero token.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let digest = sha2::Sha256::digest(nanos.to_be_bytes());
        for (i, b) in buf.iter_mut().enumerate() {
            *b = digest[i % digest.len()];
        }
    }
    b64url(buf)
}

impl SigningAlg {
    /// The JOSE `alg` name.
    pub fn as_str(self) -> &'static str {
        match self {
            SigningAlg::RS256 => "RS256",
            SigningAlg::RS384 => "RS384",
            SigningAlg::RS512 => "RS512",
            SigningAlg::PS256 => "PS256",
            SigningAlg::PS384 => "PS384",
            SigningAlg::PS512 => "PS512",
            SigningAlg::ES256 => "ES256",
            SigningAlg::ES384 => "ES384",
            SigningAlg::EdDSA => "EdDSA",
            SigningAlg::HS256 => "HS256",
            SigningAlg::HS384 => "HS384",
            SigningAlg::HS512 => "HS512",
        }
    }

    /// Parse a JOSE `alg` name (case-sensitive, as in JOSE).
    pub fn parse(s: &str) -> Option<SigningAlg> {
        SigningAlg::ALL.iter().copied().find(|a| a.as_str() == s)
    }

    /// Every supported algorithm.
    pub const ALL: [SigningAlg; 12] = [
        SigningAlg::RS256,
        SigningAlg::RS384,
        SigningAlg::RS512,
        SigningAlg::PS256,
        SigningAlg::PS384,
        SigningAlg::PS512,
        SigningAlg::ES256,
        SigningAlg::ES384,
        SigningAlg::EdDSA,
        SigningAlg::HS256,
        SigningAlg::HS384,
        SigningAlg::HS512,
    ];

    /// True for the HMAC algorithms (keyed by a client secret, never in the JWKS).
    pub fn is_symmetric(self) -> bool {
        matches!(
            self,
            SigningAlg::HS256 | SigningAlg::HS384 | SigningAlg::HS512
        )
    }

    pub(crate) fn jwt_alg(self) -> Algorithm {
        match self {
            SigningAlg::RS256 => Algorithm::RS256,
            SigningAlg::RS384 => Algorithm::RS384,
            SigningAlg::RS512 => Algorithm::RS512,
            SigningAlg::PS256 => Algorithm::PS256,
            SigningAlg::PS384 => Algorithm::PS384,
            SigningAlg::PS512 => Algorithm::PS512,
            SigningAlg::ES256 => Algorithm::ES256,
            SigningAlg::ES384 => Algorithm::ES384,
            SigningAlg::EdDSA => Algorithm::EdDSA,
            SigningAlg::HS256 => Algorithm::HS256,
            SigningAlg::HS384 => Algorithm::HS384,
            SigningAlg::HS512 => Algorithm::HS512,
        }
    }
}

impl fmt::Display for SigningAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `at_hash` / `c_hash` value for `value` under `alg`: the left half of the hash named by
/// the algorithm (SHA-512 for EdDSA, the OpenID Foundation convention for Ed25519),
/// base64url-encoded without padding.
pub(crate) fn half_hash(alg: SigningAlg, value: &str) -> String {
    let digest: Vec<u8> = match alg {
        SigningAlg::RS256 | SigningAlg::PS256 | SigningAlg::ES256 | SigningAlg::HS256 => {
            sha2::Sha256::digest(value.as_bytes()).to_vec()
        }
        SigningAlg::RS384 | SigningAlg::PS384 | SigningAlg::ES384 | SigningAlg::HS384 => {
            sha2::Sha384::digest(value.as_bytes()).to_vec()
        }
        SigningAlg::RS512 | SigningAlg::PS512 | SigningAlg::HS512 | SigningAlg::EdDSA => {
            sha2::Sha512::digest(value.as_bytes()).to_vec()
        }
    };
    b64url(&digest[..digest.len() / 2])
}

/// An asymmetric signing key held by the provider.
#[derive(Clone)]
pub(crate) struct SigningKey {
    pub alg: SigningAlg,
    pub kid: String,
    pub encoding: EncodingKey,
    /// Public JWK (with kid/use/alg).
    pub jwk: Value,
    /// SubjectPublicKeyInfo PEM text — only for RSA keys (used by the HS/RS confusion
    /// misbehavior).
    pub spki_pem: Option<String>,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Generate a new key for `alg` (must be asymmetric).
    pub fn generate(alg: SigningAlg) -> Result<SigningKey, String> {
        let kid = format!("{}-{}", alg.as_str().to_ascii_lowercase(), random_token(6));
        let rng = SystemRandom::new();
        match alg {
            SigningAlg::RS256
            | SigningAlg::RS384
            | SigningAlg::RS512
            | SigningAlg::PS256
            | SigningAlg::PS384
            | SigningAlg::PS512 => {
                let kp = aws_lc_rs::rsa::KeyPair::generate(KeySize::Rsa2048)
                    .map_err(|e| format!("RSA key generation failed: {e}"))?;
                let pkcs8 = kp
                    .as_der()
                    .map_err(|e| format!("RSA key export failed: {e}"))?;
                let pkcs1 = pkcs8_inner_key(pkcs8.as_ref())
                    .ok_or("could not parse the generated PKCS#8 RSA key")?;
                let (n, e) = rsa_public_components(kp.public_key().as_ref())
                    .ok_or("could not parse the generated RSA public key")?;
                let spki = kp
                    .public_key()
                    .as_der()
                    .map_err(|e| format!("RSA public key export failed: {e}"))?;
                Ok(SigningKey {
                    alg,
                    jwk: json!({
                        "kty": "RSA", "kid": kid, "use": "sig", "alg": alg.as_str(),
                        "n": b64url(n), "e": b64url(e),
                    }),
                    kid,
                    encoding: EncodingKey::from_rsa_der(pkcs1),
                    spki_pem: Some(pem("PUBLIC KEY", spki.as_ref())),
                })
            }
            SigningAlg::ES256 | SigningAlg::ES384 => {
                let (signing, crv) = if alg == SigningAlg::ES256 {
                    (&ECDSA_P256_SHA256_FIXED_SIGNING, "P-256")
                } else {
                    (&ECDSA_P384_SHA384_FIXED_SIGNING, "P-384")
                };
                let doc = EcdsaKeyPair::generate_pkcs8(signing, &rng)
                    .map_err(|e| format!("EC key generation failed: {e}"))?;
                let kp = EcdsaKeyPair::from_pkcs8(signing, doc.as_ref())
                    .map_err(|e| format!("EC key parse failed: {e}"))?;
                let point = kp.public_key().as_ref();
                // Uncompressed SEC1 point: 0x04 || x || y.
                if point.first() != Some(&4) || point.len() % 2 != 1 {
                    return Err("unexpected EC public key encoding".into());
                }
                let half = (point.len() - 1) / 2;
                Ok(SigningKey {
                    alg,
                    jwk: json!({
                        "kty": "EC", "kid": kid, "use": "sig", "alg": alg.as_str(), "crv": crv,
                        "x": b64url(&point[1..1 + half]), "y": b64url(&point[1 + half..]),
                    }),
                    kid,
                    encoding: EncodingKey::from_ec_der(doc.as_ref()),
                    spki_pem: None,
                })
            }
            SigningAlg::EdDSA => {
                let doc = Ed25519KeyPair::generate_pkcs8(&rng)
                    .map_err(|e| format!("Ed25519 key generation failed: {e}"))?;
                let kp = Ed25519KeyPair::from_pkcs8(doc.as_ref())
                    .map_err(|e| format!("Ed25519 key parse failed: {e}"))?;
                Ok(SigningKey {
                    alg,
                    jwk: json!({
                        "kty": "OKP", "kid": kid, "use": "sig", "alg": "EdDSA", "crv": "Ed25519",
                        "x": b64url(kp.public_key().as_ref()),
                    }),
                    kid,
                    encoding: EncodingKey::from_ed_der(doc.as_ref()),
                    spki_pem: None,
                })
            }
            SigningAlg::HS256 | SigningAlg::HS384 | SigningAlg::HS512 => Err(format!(
                "{alg} is symmetric; it is keyed by the client secret, not a provider key"
            )),
        }
    }
}

/// PEM-armour DER bytes (64-column base64 lines, trailing newline).
fn pem(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Read one DER TLV: returns (tag, contents, rest).
fn der_read(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let mut len = 0usize;
        for &b in &rest[..n] {
            len = (len << 8) | usize::from(b);
        }
        rest = &rest[n..];
        len
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

/// PKCS#8 PrivateKeyInfo → the inner `privateKey` OCTET STRING contents (for RSA: the PKCS#1
/// RSAPrivateKey, which is what `jsonwebtoken`'s aws-lc backend wants).
fn pkcs8_inner_key(pkcs8: &[u8]) -> Option<&[u8]> {
    let (tag, seq, _) = der_read(pkcs8)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, _version, rest) = der_read(seq)?;
    if tag != 0x02 {
        return None;
    }
    let (tag, _alg_id, rest) = der_read(rest)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, key, _) = der_read(rest)?;
    (tag == 0x04).then_some(key)
}

/// PKCS#1 RSAPublicKey → (n, e) as unsigned big-endian bytes without leading zeros.
fn rsa_public_components(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let (tag, seq, _) = der_read(der)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, n, rest) = der_read(seq)?;
    if tag != 0x02 {
        return None;
    }
    let (tag, e, _) = der_read(rest)?;
    if tag != 0x02 {
        return None;
    }
    Some((strip_leading_zeros(n), strip_leading_zeros(e)))
}

fn strip_leading_zeros(mut v: &[u8]) -> &[u8] {
    while v.len() > 1 && v[0] == 0 {
        v = &v[1..];
    }
    v
}

/// Build a compact JWS: `b64(header).b64(claims).signature`.
pub(crate) fn compact_sign(
    header: &Value,
    claims: &Value,
    key: &EncodingKey,
    alg: SigningAlg,
) -> Result<String, String> {
    let input = signing_input(header, claims)?;
    let sig = jsonwebtoken::crypto::sign(input.as_bytes(), key, alg.jwt_alg())
        .map_err(|e| format!("signing with {alg} failed: {e}"))?;
    Ok(format!("{input}.{sig}"))
}

/// `b64(header).b64(claims)`.
pub(crate) fn signing_input(header: &Value, claims: &Value) -> Result<String, String> {
    let h = serde_json::to_vec(header).map_err(|e| e.to_string())?;
    let c = serde_json::to_vec(claims).map_err(|e| e.to_string())?;
    Ok(format!("{}.{}", b64url(h), b64url(c)))
}

/// Corrupt the signature of a compact JWS (flip bits in its first and last bytes) while
/// keeping it well-formed base64url of the same length.
pub(crate) fn tamper_signature(jws: &str) -> String {
    let Some((input, sig)) = jws.rsplit_once('.') else {
        return jws.to_owned();
    };
    let mut bytes = URL_SAFE_NO_PAD.decode(sig).unwrap_or_default();
    if bytes.is_empty() {
        bytes.push(0);
    }
    bytes[0] ^= 0x5a;
    let last = bytes.len() - 1;
    bytes[last] ^= 0xa5;
    format!("{input}.{}", b64url(bytes))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn generates_every_asymmetric_key_and_signs() {
        for alg in SigningAlg::ALL.into_iter().filter(|a| !a.is_symmetric()) {
            let key = SigningKey::generate(alg).unwrap();
            let tok = compact_sign(
                &json!({"alg": alg.as_str(), "kid": key.kid}),
                &json!({"sub": "x"}),
                &key.encoding,
                alg,
            )
            .unwrap();
            let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(key.jwk.clone()).unwrap();
            let dk = jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap();
            let (input, sig) = tok.rsplit_once('.').unwrap();
            assert!(
                jsonwebtoken::crypto::verify(sig, input.as_bytes(), &dk, alg.jwt_alg()).unwrap(),
                "{alg}"
            );
            let bad = tamper_signature(&tok);
            let (input, sig) = bad.rsplit_once('.').unwrap();
            assert!(
                !jsonwebtoken::crypto::verify(sig, input.as_bytes(), &dk, alg.jwt_alg())
                    .unwrap_or(false)
            );
        }
    }

    #[test]
    fn half_hash_matches_spec_example() {
        // OpenID Connect Core, appendix A.3 / A.4 style check: at_hash of a known token.
        let h = half_hash(
            SigningAlg::RS256,
            "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y",
        );
        assert_eq!(h, "77QmUPtjPfzWtF2AnpK9RQ");
    }
}
