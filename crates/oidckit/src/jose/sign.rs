//! Signing JWTs with a private key (RFC 7515 §5.1, RFC 7518 §3, RFC 8037): the client
//! assertions of OpenID Connect Core §9 and the JWT bearer grant of RFC 7523.
//!
//! Keys come from PEM (PKCS#8 `PRIVATE KEY`, PKCS#1 `RSA PRIVATE KEY`, SEC1 `EC PRIVATE KEY`),
//! from a private JWK, or from a PKCS#12 file (`pkcs12` feature). The crypto is aws-lc-rs.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RsaKeyPair};
use base64::Engine as _;
use serde_json::{Map, Value};

use super::der;
use super::{Alg, VerifyingKey, b64url_decode, b64url_encode};
use crate::{Error, Result};

/// A private key that signs JWTs, with the `kid`, algorithm and certificate thumbprints put
/// in the header of what it signs. Cheap to clone; `Debug` shows no key material.
#[derive(Clone)]
pub struct PrivateKey {
    pair: Arc<Pair>,
    kid: Option<String>,
    alg: Alg,
    certificate: Option<Arc<Vec<u8>>>,
}

enum Pair {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
    Ed(Ed25519KeyPair),
}

fn bad(reason: impl Into<String>) -> Error {
    Error::InvalidPrivateKey {
        reason: reason.into(),
    }
}

impl PrivateKey {
    /// Parses a key given as text: a private JWK (JSON object) or PEM.
    pub fn from_text(text: &str) -> Result<PrivateKey> {
        if text.trim_start().starts_with('{') {
            Self::from_jwk(text)
        } else {
            Self::from_pem(text)
        }
    }

    /// Parses the first private key block of PEM text: `PRIVATE KEY` (PKCS#8), `RSA PRIVATE KEY`
    /// (PKCS#1) or `EC PRIVATE KEY` (SEC1). A `CERTIFICATE` block in the same text is kept as
    /// the key's certificate (for `x5t`). Code 911 otherwise (encrypted PEM is refused).
    pub fn from_pem(text: &str) -> Result<PrivateKey> {
        let blocks = pem_blocks(text)?;
        let (label, der) = blocks
            .iter()
            .find(|(l, _)| l.ends_with("PRIVATE KEY"))
            .ok_or_else(|| bad("no PRIVATE KEY block in the PEM text"))?;
        let mut key = match label.as_str() {
            "PRIVATE KEY" => Self::from_pkcs8_der(der)?,
            "RSA PRIVATE KEY" => Self::new(Pair::Rsa(
                RsaKeyPair::from_der(der).map_err(|e| bad(format!("PKCS#1 RSA key: {e}")))?,
            )),
            "EC PRIVATE KEY" => Self::new(Pair::Ec(ec_from(|a| {
                EcdsaKeyPair::from_private_key_der(a, der)
            })?)),
            "ENCRYPTED PRIVATE KEY" => {
                return Err(bad(
                    "encrypted PEM keys are not supported; use a PKCS#12 file or decrypt the key",
                ));
            }
            other => return Err(bad(format!("unsupported PEM block {other:?}"))),
        };
        if let Some((_, cert)) = blocks.iter().find(|(l, _)| l == "CERTIFICATE") {
            key = key.with_certificate_der(cert.clone());
        }
        Ok(key)
    }

    /// Parses a DER PKCS#8 `PrivateKeyInfo` (RSA, EC P-256/P-384/P-521 or Ed25519).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<PrivateKey> {
        if let Ok(k) = RsaKeyPair::from_pkcs8(der) {
            return Ok(Self::new(Pair::Rsa(k)));
        }
        if let Ok(k) = ec_from(|a| EcdsaKeyPair::from_pkcs8(a, der)) {
            return Ok(Self::new(Pair::Ec(k)));
        }
        Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
            .map(|k| Self::new(Pair::Ed(k)))
            .map_err(|_| bad("not a PKCS#8 RSA, EC (P-256/384/521) or Ed25519 private key"))
    }

    /// Parses a private JWK (RFC 7517, RFC 7518 §6.2.2/§6.3.2, RFC 8037): RSA with `n e d p q
    /// dp dq qi`, EC with `crv x y d`, OKP Ed25519 with `x d`. `kid` and `alg` are kept.
    pub fn from_jwk(json: &str) -> Result<PrivateKey> {
        let map: Map<String, Value> =
            serde_json::from_str(json).map_err(|e| bad(format!("JWK is not JSON: {e}")))?;
        let b64 = |name: &str| -> Result<Vec<u8>> {
            let v = map
                .get(name)
                .and_then(Value::as_str)
                .ok_or_else(|| bad(format!("private JWK lacks `{name}`")))?;
            b64url_decode(v).ok_or_else(|| bad(format!("JWK `{name}` is not base64url")))
        };
        let pair = match map.get("kty").and_then(Value::as_str) {
            Some("RSA") => {
                let pkcs1 = der::rsa_private_key(b64)?;
                Pair::Rsa(RsaKeyPair::from_der(&pkcs1).map_err(|e| bad(format!("RSA JWK: {e}")))?)
            }
            Some("EC") => {
                let alg = match map.get("crv").and_then(Value::as_str) {
                    Some("P-256") => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                    Some("P-384") => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
                    Some("P-521") => &signature::ECDSA_P521_SHA512_FIXED_SIGNING,
                    other => return Err(bad(format!("unsupported EC curve {other:?}"))),
                };
                let mut point = vec![4u8];
                point.extend(b64("x")?);
                point.extend(b64("y")?);
                Pair::Ec(
                    EcdsaKeyPair::from_private_key_and_public_key(alg, &b64("d")?, &point)
                        .map_err(|e| bad(format!("EC JWK: {e}")))?,
                )
            }
            Some("OKP") if map.get("crv").and_then(Value::as_str) == Some("Ed25519") => Pair::Ed(
                Ed25519KeyPair::from_seed_and_public_key(&b64("d")?, &b64("x")?)
                    .map_err(|e| bad(format!("Ed25519 JWK: {e}")))?,
            ),
            other => return Err(bad(format!("unsupported private JWK type {other:?}"))),
        };
        let mut key = Self::new(pair);
        key.kid = map.get("kid").and_then(Value::as_str).map(str::to_string);
        if let Some(alg) = map.get("alg").and_then(Value::as_str) {
            key = key.with_alg(Alg::from(alg))?;
        }
        Ok(key)
    }

    fn new(pair: Pair) -> PrivateKey {
        let alg = match &pair {
            Pair::Rsa(_) => Alg::RS256,
            Pair::Ec(k) => ec_alg(k),
            Pair::Ed(_) => Alg::EdDSA,
        };
        PrivateKey {
            pair: Arc::new(pair),
            kid: None,
            alg,
            certificate: None,
        }
    }

    /// Sets the `kid` put in the header (builder style).
    pub fn with_kid(mut self, kid: impl Into<String>) -> PrivateKey {
        self.kid = Some(kid.into());
        self
    }

    /// Chooses the signature algorithm (default: RS256 for RSA, ES256/384/512 by curve, EdDSA
    /// for Ed25519). Code 911 when it does not fit the key.
    pub fn with_alg(mut self, alg: Alg) -> Result<PrivateKey> {
        let fits = match &*self.pair {
            Pair::Rsa(_) => matches!(
                alg,
                Alg::RS256 | Alg::RS384 | Alg::RS512 | Alg::PS256 | Alg::PS384 | Alg::PS512
            ),
            Pair::Ec(k) => ec_alg(k) == alg,
            Pair::Ed(_) => alg == Alg::EdDSA,
        };
        if !fits {
            return Err(bad(format!(
                "algorithm {alg} does not fit a {} key",
                self.key_type()
            )));
        }
        self.alg = alg;
        Ok(self)
    }

    /// Attaches the DER X.509 certificate of this key; what it signs then carries `x5t` (SHA-1)
    /// and `x5t#S256` thumbprints, as Microsoft Entra ID expects.
    pub fn with_certificate_der(mut self, der: Vec<u8>) -> PrivateKey {
        self.certificate = Some(Arc::new(der));
        self
    }

    /// The `kid`, if set.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The signature algorithm.
    pub fn alg(&self) -> &Alg {
        &self.alg
    }

    /// The JWK key type: `RSA`, `EC` or `OKP`.
    pub fn key_type(&self) -> &'static str {
        match &*self.pair {
            Pair::Rsa(_) => "RSA",
            Pair::Ec(_) => "EC",
            Pair::Ed(_) => "OKP",
        }
    }

    /// The attached certificate (DER), if any.
    pub fn certificate_der(&self) -> Option<&[u8]> {
        self.certificate.as_deref().map(Vec::as_slice)
    }

    /// `x5t`: base64url SHA-1 thumbprint of the certificate (RFC 7515 §4.1.7).
    pub fn x5t(&self) -> Option<String> {
        let d = &aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY;
        self.certificate_der()
            .map(|c| b64url_encode(aws_lc_rs::digest::digest(d, c)))
    }

    /// `x5t#S256`: base64url SHA-256 thumbprint of the certificate (RFC 7515 §4.1.8).
    pub fn x5t_s256(&self) -> Option<String> {
        let d = &aws_lc_rs::digest::SHA256;
        self.certificate_der()
            .map(|c| b64url_encode(aws_lc_rs::digest::digest(d, c)))
    }

    /// The public key as a JWK JSON object (with `kid` and `alg`), e.g. to register it with a
    /// provider.
    pub fn public_jwk(&self) -> String {
        let mut m = Map::new();
        m.insert("kty".into(), self.key_type().into());
        match &*self.pair {
            Pair::Rsa(k) => {
                if let Some((n, e)) = rsa_components(k.public_key().as_ref()) {
                    m.insert("n".into(), b64url_encode(n).into());
                    m.insert("e".into(), b64url_encode(e).into());
                }
            }
            Pair::Ec(k) => {
                let point = &k.public_key().as_ref()[1..];
                let (x, y) = point.split_at(point.len() / 2);
                let crv = match self.alg {
                    Alg::ES256 => "P-256",
                    Alg::ES384 => "P-384",
                    _ => "P-521",
                };
                m.insert("crv".into(), crv.into());
                m.insert("x".into(), b64url_encode(x).into());
                m.insert("y".into(), b64url_encode(y).into());
            }
            Pair::Ed(k) => {
                m.insert("crv".into(), "Ed25519".into());
                m.insert("x".into(), b64url_encode(k.public_key().as_ref()).into());
            }
        }
        m.insert("alg".into(), self.alg.as_str().into());
        m.insert("use".into(), "sig".into());
        if let Some(kid) = &self.kid {
            m.insert("kid".into(), kid.clone().into());
        }
        Value::Object(m).to_string()
    }

    /// The matching verification key.
    pub fn verifying_key(&self) -> Result<VerifyingKey> {
        VerifyingKey::from_jwk(&self.public_jwk())
    }

    /// Signs `message` with the key's algorithm.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let failed = |_| bad("signing failed");
        let rng = SystemRandom::new();
        match &*self.pair {
            Pair::Rsa(k) => {
                let padding: &'static dyn signature::RsaEncoding = match self.alg {
                    Alg::RS256 => &signature::RSA_PKCS1_SHA256,
                    Alg::RS384 => &signature::RSA_PKCS1_SHA384,
                    Alg::RS512 => &signature::RSA_PKCS1_SHA512,
                    Alg::PS256 => &signature::RSA_PSS_SHA256,
                    Alg::PS384 => &signature::RSA_PSS_SHA384,
                    _ => &signature::RSA_PSS_SHA512,
                };
                let mut sig = vec![0u8; k.public_modulus_len()];
                k.sign(padding, &rng, message, &mut sig).map_err(failed)?;
                Ok(sig)
            }
            Pair::Ec(k) => Ok(k.sign(&rng, message).map_err(failed)?.as_ref().to_vec()),
            Pair::Ed(k) => Ok(k.sign(message).as_ref().to_vec()),
        }
    }

    /// Signs `claims` as a compact JWS with header `alg`, `kid` (if set), `typ: JWT` and, with
    /// a certificate, `x5t` and `x5t#S256`. Members are written in sorted order, compactly.
    pub fn sign_jwt(&self, claims: &Map<String, Value>) -> Result<String> {
        self.sign_jwt_typed("JWT", claims)
    }

    /// Like [`PrivateKey::sign_jwt`] with another `typ` (e.g. `oauth-authz-req+jwt`).
    pub(crate) fn sign_jwt_typed(&self, typ: &str, claims: &Map<String, Value>) -> Result<String> {
        let mut header = Map::new();
        header.insert("alg".into(), self.alg.as_str().into());
        header.insert("typ".into(), typ.into());
        if let Some(kid) = &self.kid {
            header.insert("kid".into(), kid.clone().into());
        }
        if let (Some(t1), Some(t256)) = (self.x5t(), self.x5t_s256()) {
            header.insert("x5t".into(), t1.into());
            header.insert("x5t#S256".into(), t256.into());
        }
        let input = signing_input(&header, claims)?;
        let sig = self.sign(input.as_bytes())?;
        Ok(format!("{input}.{}", b64url_encode(sig)))
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("kty", &self.key_type())
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .field("certificate", &self.certificate.is_some())
            .finish()
    }
}

/// `BASE64URL(header) . BASE64URL(claims)`, each JSON with sorted members and no whitespace,
/// so that the output does not depend on map ordering.
pub(crate) fn signing_input(
    header: &Map<String, Value>,
    claims: &Map<String, Value>,
) -> Result<String> {
    let json = |m: &Map<String, Value>| {
        let sorted: BTreeMap<&String, &Value> = m.iter().collect();
        serde_json::to_vec(&sorted).map_err(|e| bad(format!("cannot serialize the JWT: {e}")))
    };
    Ok(format!(
        "{}.{}",
        b64url_encode(json(header)?),
        b64url_encode(json(claims)?)
    ))
}

fn ec_from(
    f: impl Fn(
        &'static signature::EcdsaSigningAlgorithm,
    ) -> std::result::Result<EcdsaKeyPair, aws_lc_rs::error::KeyRejected>,
) -> Result<EcdsaKeyPair> {
    [
        &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
        &signature::ECDSA_P521_SHA512_FIXED_SIGNING,
    ]
    .into_iter()
    .find_map(|a| f(a).ok())
    .ok_or_else(|| bad("not an EC private key on P-256, P-384 or P-521"))
}

fn ec_alg(k: &EcdsaKeyPair) -> Alg {
    // The uncompressed point is 1 + 2 × coordinate length.
    match k.public_key().as_ref().len() {
        65 => Alg::ES256,
        97 => Alg::ES384,
        _ => Alg::ES512,
    }
}

/// The modulus and exponent of a PKCS#1 `RSAPublicKey`.
fn rsa_components(pkcs1: &[u8]) -> Option<(&[u8], &[u8])> {
    let (_, body, _, _) = der::tlv(pkcs1)?;
    let (_, n, _, rest) = der::tlv(body)?;
    let (_, e, _, _) = der::tlv(rest)?;
    fn strip(v: &[u8]) -> &[u8] {
        let start = v.iter().position(|&b| b != 0).unwrap_or(v.len());
        &v[start..]
    }
    Some((strip(n), strip(e)))
}

/// Every PEM block of `text` as (label, DER).
pub(crate) fn pem_blocks(text: &str) -> Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + 11..];
        let label_end = after
            .find("-----")
            .ok_or_else(|| bad("PEM header is not terminated"))?;
        let label = &after[..label_end];
        let body = &after[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let body_end = body
            .find(&end_marker)
            .ok_or_else(|| bad(format!("PEM block {label:?} has no END line")))?;
        let b64: String = body[..body_end]
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(b64.as_bytes())
            .map_err(|_| bad(format!("PEM block {label:?} is not valid base64")))?;
        out.push((label.to_string(), der));
        rest = &body[body_end + end_marker.len()..];
    }
    if out.is_empty() {
        return Err(bad("no PEM block found"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jose::CompactJws;

    fn sign_and_verify(key: &PrivateKey) {
        let mut claims = Map::new();
        claims.insert("sub".into(), "x".into());
        let jwt = key.sign_jwt(&claims).expect("signs");
        let jws = CompactJws::parse(&jwt).expect("parses");
        let vk = key.verifying_key().expect("public key");
        assert!(
            vk.verify(key.alg(), jws.signing_input(), jws.signature()),
            "{key:?}"
        );
    }

    #[test]
    fn every_generated_key_type_signs_what_its_public_key_verifies() {
        let rng = SystemRandom::new();
        for alg in [
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
            &signature::ECDSA_P521_SHA512_FIXED_SIGNING,
        ] {
            let doc = EcdsaKeyPair::generate_pkcs8(alg, &rng).expect("ec");
            sign_and_verify(&PrivateKey::from_pkcs8_der(doc.as_ref()).expect("ec pkcs8"));
        }
        let ed = Ed25519KeyPair::generate_pkcs8(&rng).expect("ed");
        sign_and_verify(&PrivateKey::from_pkcs8_der(ed.as_ref()).expect("ed pkcs8"));
        let rsa = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).expect("rsa");
        let doc = aws_lc_rs::encoding::AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&rsa)
            .expect("pkcs8");
        let key = PrivateKey::from_pkcs8_der(doc.as_ref()).expect("rsa pkcs8");
        for alg in [Alg::RS256, Alg::RS384, Alg::RS512, Alg::PS256] {
            sign_and_verify(&key.clone().with_alg(alg).expect("fits"));
        }
        assert_eq!(
            key.clone().with_alg(Alg::ES256).expect_err("no").code(),
            911
        );
    }

    #[test]
    fn private_ed25519_jwk_reproduces_rfc_8037_appendix_a4() {
        let jwk = r#"{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
        let key = PrivateKey::from_jwk(jwk).expect("jwk");
        let input = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
        let sig = b64url_encode(key.sign(input.as_bytes()).expect("sig"));
        assert_eq!(
            sig,
            "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
        );
        let public: Value = serde_json::from_str(&key.public_jwk()).expect("json");
        assert!(public.get("d").is_none());
    }

    #[test]
    fn unusable_pem_is_code_911() {
        for bad in [
            "",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
        ] {
            assert_eq!(PrivateKey::from_pem(bad).expect_err(bad).code(), 911);
        }
    }
}
