//! Key management, RFC 7518 §4: RSA-OAEP (§4.3), ECDH-ES with the Concat KDF (§4.6), with or
//! without AES key wrap (§4.4). The client's private decryption keys and the provider's public
//! encryption keys.

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::agreement::{self, UnparsedPublicKey};
use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::key_wrap::{AES_128, AES_256, KeyEncryptionKey, KeyWrap as _};
use aws_lc_rs::rsa::{
    KeySize, OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepAlgorithm, OaepPrivateDecryptingKey,
    OaepPublicEncryptingKey, PrivateDecryptingKey, PublicEncryptingKey,
};
use serde_json::{Map, Value};

use super::super::der;
use super::super::{b64url_decode, b64url_encode};
use crate::{Error, Result};

/// A key management algorithm (`alg`, RFC 7518 §4.1) this library decrypts and encrypts with.
/// `dir` and `RSA1_5` are deliberately absent (see [`super::decrypt`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyManagement {
    /// `RSA-OAEP`: RSAES-OAEP with SHA-1 and MGF1-SHA-1.
    RsaOaep,
    /// `RSA-OAEP-256`: RSAES-OAEP with SHA-256 and MGF1-SHA-256.
    RsaOaep256,
    /// `ECDH-ES`: the agreed key is the content encryption key.
    EcdhEs,
    /// `ECDH-ES+A128KW`: the agreed key wraps the content encryption key (AES-128 key wrap).
    EcdhEsA128Kw,
    /// `ECDH-ES+A256KW`: the agreed key wraps the content encryption key (AES-256 key wrap).
    EcdhEsA256Kw,
}

impl KeyManagement {
    /// Every supported value.
    pub const ALL: [KeyManagement; 5] = [
        KeyManagement::RsaOaep,
        KeyManagement::RsaOaep256,
        KeyManagement::EcdhEs,
        KeyManagement::EcdhEsA128Kw,
        KeyManagement::EcdhEsA256Kw,
    ];

    /// The JOSE name.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyManagement::RsaOaep => "RSA-OAEP",
            KeyManagement::RsaOaep256 => "RSA-OAEP-256",
            KeyManagement::EcdhEs => "ECDH-ES",
            KeyManagement::EcdhEsA128Kw => "ECDH-ES+A128KW",
            KeyManagement::EcdhEsA256Kw => "ECDH-ES+A256KW",
        }
    }

    /// Parses a JOSE name (case-sensitive); `None` for anything unsupported or refused.
    pub fn parse(name: &str) -> Option<KeyManagement> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }

    /// Whether this algorithm takes an RSA key (else an EC key).
    pub fn is_rsa(self) -> bool {
        matches!(self, KeyManagement::RsaOaep | KeyManagement::RsaOaep256)
    }

    fn oaep(self) -> &'static OaepAlgorithm {
        match self {
            KeyManagement::RsaOaep => &OAEP_SHA1_MGF1SHA1,
            _ => &OAEP_SHA256_MGF1SHA256,
        }
    }

    /// The key-wrap key length for the `+KW` variants.
    fn wrap_len(self) -> Option<usize> {
        match self {
            KeyManagement::EcdhEsA128Kw => Some(16),
            KeyManagement::EcdhEsA256Kw => Some(32),
            _ => None,
        }
    }
}

impl fmt::Display for KeyManagement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The NIST curves ECDH-ES is supported on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Curve {
    P256,
    P384,
    P521,
}

impl Curve {
    pub(crate) fn parse(crv: &str) -> Option<Curve> {
        match crv {
            "P-256" => Some(Curve::P256),
            "P-384" => Some(Curve::P384),
            "P-521" => Some(Curve::P521),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
        }
    }

    /// Coordinate (and private scalar) length in bytes.
    pub(crate) fn len(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }

    fn agreement(self) -> &'static agreement::Algorithm {
        match self {
            Curve::P256 => &agreement::ECDH_P256,
            Curve::P384 => &agreement::ECDH_P384,
            Curve::P521 => &agreement::ECDH_P521,
        }
    }
}

fn bad(reason: impl Into<String>) -> Error {
    Error::InvalidDecryptionKey {
        reason: reason.into(),
    }
}

/// One of the client's private keys for decrypting JWEs (RSA, or EC P-256/P-384/P-521), with
/// its `kid`. Cheap to clone; `Debug` shows no key material.
#[derive(Clone)]
pub struct DecryptionKey {
    kid: Option<String>,
    private: Arc<Private>,
    /// The public JWK members (`kty`, `n`/`e` or `crv`/`x`/`y`), for [`DecryptionKey::public_jwk`].
    public: Map<String, Value>,
}

enum Private {
    Rsa(OaepPrivateDecryptingKey),
    Ec(agreement::PrivateKey, Curve),
}

impl DecryptionKey {
    /// Parses a key given as text: a private JWK (JSON object) or PEM.
    pub fn from_text(text: &str) -> Result<DecryptionKey> {
        if text.trim_start().starts_with('{') {
            Self::from_jwk(text)
        } else {
            Self::from_pem(text)
        }
    }

    /// Parses a private JWK: RSA with `n e d p q dp dq qi`, EC with `crv x y d`. A key whose
    /// `use` is not `enc` is refused. Code 959 when it is not a usable private key.
    pub fn from_jwk(json: &str) -> Result<DecryptionKey> {
        let map: Map<String, Value> = serde_json::from_str(json)
            .map_err(|e| bad(format!("JWK is not a JSON object: {e}")))?;
        Self::from_map(&map)
    }

    /// Every private encryption key of a JWKS document (`{"keys":[…]}`): keys with `use: sig`
    /// or without private members are skipped. Code 959 when the document is not a JWKS or
    /// holds no usable key.
    pub fn from_jwks(json: &str) -> Result<Vec<DecryptionKey>> {
        let doc: Value =
            serde_json::from_str(json).map_err(|e| bad(format!("JWKS is not JSON: {e}")))?;
        Self::from_jwks_value(&doc)
    }

    /// The keys of a key file's text: a JWKS (`{"keys":[…]}`, see [`from_jwks`](Self::from_jwks))
    /// gives its private encryption keys; a private JWK or PEM (see
    /// [`from_text`](Self::from_text)) gives one key. Code 959 when it is none of these.
    pub fn all_from_text(text: &str) -> Result<Vec<DecryptionKey>> {
        let text = text.trim();
        if text.starts_with('{')
            && let Ok(doc) = serde_json::from_str::<Value>(text)
            && doc.get("keys").is_some()
        {
            return Self::from_jwks_value(&doc);
        }
        Self::from_text(text).map(|k| vec![k])
    }

    fn from_jwks_value(doc: &Value) -> Result<Vec<DecryptionKey>> {
        let keys = doc
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("JWKS has no keys array"))?;
        let usable: Vec<DecryptionKey> = keys
            .iter()
            .filter_map(Value::as_object)
            .filter(|k| k.get("use").and_then(Value::as_str) != Some("sig") && k.contains_key("d"))
            .filter_map(|k| Self::from_map(k).ok())
            .collect();
        if usable.is_empty() {
            return Err(bad("the JWKS holds no private RSA or EC encryption key"));
        }
        Ok(usable)
    }

    fn from_map(map: &Map<String, Value>) -> Result<DecryptionKey> {
        if map
            .get("use")
            .and_then(Value::as_str)
            .is_some_and(|u| u != "enc")
        {
            return Err(bad("the JWK is not an encryption key (use is not \"enc\")"));
        }
        let b64 = |name: &str| -> Result<Vec<u8>> {
            let v = map
                .get(name)
                .and_then(Value::as_str)
                .ok_or_else(|| bad(format!("private JWK lacks `{name}`")))?;
            b64url_decode(v).ok_or_else(|| bad(format!("JWK `{name}` is not base64url")))
        };
        let mut key = match map.get("kty").and_then(Value::as_str) {
            Some("RSA") => {
                let pkcs1 = der::rsa_private_key(b64)?;
                Self::rsa_from_pkcs8(&pkcs8_rsa(&pkcs1))?
            }
            Some("EC") => {
                let crv = map.get("crv").and_then(Value::as_str).unwrap_or_default();
                let curve = Curve::parse(crv)
                    .ok_or_else(|| bad(format!("unsupported EC curve {crv:?}")))?;
                let private =
                    agreement::PrivateKey::from_private_key(curve.agreement(), &b64("d")?)
                        .map_err(|e| bad(format!("EC JWK: {e}")))?;
                let key = Self::ec(private, curve)?;
                let (x, y) = (b64("x")?, b64("y")?);
                if key.public.get("x").and_then(Value::as_str) != Some(&b64url_encode(&x))
                    || key.public.get("y").and_then(Value::as_str) != Some(&b64url_encode(&y))
                {
                    return Err(bad("EC JWK: x and y are not the public key of d"));
                }
                key
            }
            other => {
                let other = other.unwrap_or("none");
                return Err(bad(format!(
                    "unsupported key type {other:?} for decryption (RSA or EC)"
                )));
            }
        };
        key.kid = map.get("kid").and_then(Value::as_str).map(str::to_string);
        Ok(key)
    }

    /// Parses a PEM private key: `PRIVATE KEY` (PKCS#8, RSA or EC) or `EC PRIVATE KEY` (SEC1).
    pub fn from_pem(text: &str) -> Result<DecryptionKey> {
        let der = super::super::credential::pem_private_key(text).map_err(bad)?;
        let der = der.secret_der();
        if let Ok(key) = Self::rsa_from_pkcs8(der) {
            return Ok(key);
        }
        for curve in [Curve::P256, Curve::P384, Curve::P521] {
            if let Ok(k) = agreement::PrivateKey::from_private_key_der(curve.agreement(), der) {
                return Self::ec(k, curve);
            }
        }
        Err(bad(
            "not an RSA (2048-8192 bits) or EC P-256/P-384/P-521 private key",
        ))
    }

    /// A new RSA-2048 key (for tests and for registering a fresh `jwks` with a provider).
    pub fn generate_rsa() -> Result<DecryptionKey> {
        let k = PrivateDecryptingKey::generate(KeySize::Rsa2048)
            .map_err(|_| bad("RSA key generation failed"))?;
        Self::rsa(k)
    }

    /// A new EC key on `crv` (`P-256`, `P-384` or `P-521`).
    pub fn generate_ec(crv: &str) -> Result<DecryptionKey> {
        let curve =
            Curve::parse(crv).ok_or_else(|| bad(format!("unsupported EC curve {crv:?}")))?;
        let k = agreement::PrivateKey::generate(curve.agreement())
            .map_err(|_| bad("EC key generation failed"))?;
        Self::ec(k, curve)
    }

    fn rsa_from_pkcs8(der: &[u8]) -> Result<DecryptionKey> {
        let k = PrivateDecryptingKey::from_pkcs8(der).map_err(|e| bad(format!("RSA key: {e}")))?;
        Self::rsa(k)
    }

    fn rsa(k: PrivateDecryptingKey) -> Result<DecryptionKey> {
        let spki = k
            .public_key()
            .as_der()
            .map_err(|_| bad("RSA public key cannot be encoded"))?;
        let (n, e) =
            spki_rsa_numbers(spki.as_ref()).ok_or_else(|| bad("RSA public key cannot be read"))?;
        let mut public = Map::new();
        public.insert("kty".into(), "RSA".into());
        public.insert("n".into(), b64url_encode(n).into());
        public.insert("e".into(), b64url_encode(e).into());
        let oaep =
            OaepPrivateDecryptingKey::new(k).map_err(|_| bad("RSA key unusable for OAEP"))?;
        Ok(DecryptionKey {
            kid: None,
            private: Arc::new(Private::Rsa(oaep)),
            public,
        })
    }

    fn ec(k: agreement::PrivateKey, curve: Curve) -> Result<DecryptionKey> {
        let point = k
            .compute_public_key()
            .map_err(|_| bad("EC public key cannot be computed"))?;
        let point = point.as_ref();
        let len = curve.len();
        if point.len() != 1 + 2 * len {
            return Err(bad("EC public key has an unexpected encoding"));
        }
        let mut public = Map::new();
        public.insert("kty".into(), "EC".into());
        public.insert("crv".into(), curve.name().into());
        public.insert("x".into(), b64url_encode(&point[1..=len]).into());
        public.insert("y".into(), b64url_encode(&point[1 + len..]).into());
        Ok(DecryptionKey {
            kid: None,
            private: Arc::new(Private::Ec(k, curve)),
            public,
        })
    }

    /// Sets the `kid` (builder style).
    pub fn with_kid(mut self, kid: impl Into<String>) -> DecryptionKey {
        self.kid = Some(kid.into());
        self
    }

    /// The key id, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// `RSA` or `EC`.
    pub fn key_type(&self) -> &'static str {
        match &*self.private {
            Private::Rsa(_) => "RSA",
            Private::Ec(..) => "EC",
        }
    }

    /// The public half as a JWK (JSON text) with `use: enc` and the `kid`, to publish in the
    /// client's `jwks` so the provider can encrypt to it.
    pub fn public_jwk(&self) -> String {
        let mut m = self.public.clone();
        m.insert("use".into(), "enc".into());
        if let Some(kid) = &self.kid {
            m.insert("kid".into(), kid.clone().into());
        }
        Value::Object(m).to_string()
    }

    /// The matching public key, to encrypt to this key (tests, self-encryption).
    pub fn encryption_key(&self) -> Result<EncryptionKey> {
        EncryptionKey::from_jwk(&self.public_jwk())
            .map_err(|e| bad(format!("public half unusable: {e}")))
    }

    /// Whether this key can serve `alg` (with the `epk` curve for ECDH-ES).
    pub(crate) fn fits(&self, alg: KeyManagement, curve: Option<Curve>) -> bool {
        match &*self.private {
            Private::Rsa(_) => alg.is_rsa(),
            Private::Ec(_, c) => !alg.is_rsa() && curve == Some(*c),
        }
    }

    /// Recovers the content encryption key. `None` on any failure (the caller substitutes a
    /// random key so that a failure here looks like a bad tag, RFC 7516 §11.5).
    pub(crate) fn unwrap_cek(
        &self,
        alg: KeyManagement,
        encrypted_key: &[u8],
        agreement_input: Option<&AgreementInput<'_>>,
        enc_len: usize,
    ) -> Option<Vec<u8>> {
        match (&*self.private, agreement_input) {
            (Private::Rsa(k), _) if alg.is_rsa() => {
                let mut out = vec![0u8; k.min_output_size()];
                let n = k
                    .decrypt(alg.oaep(), encrypted_key, &mut out, None)
                    .ok()?
                    .len();
                out.truncate(n);
                Some(out)
            }
            (Private::Ec(k, curve), Some(input)) if !alg.is_rsa() => {
                let peer = UnparsedPublicKey::new(curve.agreement(), input.epk_point);
                let z = agreement::agree(k, peer, (), |z| Ok(z.to_vec())).ok()?;
                derive_or_unwrap(alg, &z, input, encrypted_key, enc_len)
            }
            _ => None,
        }
    }
}

impl fmt::Debug for DecryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecryptionKey")
            .field("kid", &self.kid)
            .field("kty", &self.key_type())
            .finish_non_exhaustive()
    }
}

/// What ECDH-ES needs from the header: the ephemeral public point, the `enc` and `alg`
/// names and the party infos.
pub(crate) struct AgreementInput<'a> {
    pub(crate) epk_point: &'a [u8],
    pub(crate) alg: &'a str,
    pub(crate) enc: &'a str,
    pub(crate) apu: &'a [u8],
    pub(crate) apv: &'a [u8],
}

/// ECDH-ES: the derived key is the CEK; `+KW`: it unwraps `encrypted_key`.
fn derive_or_unwrap(
    alg: KeyManagement,
    z: &[u8],
    input: &AgreementInput<'_>,
    encrypted_key: &[u8],
    enc_len: usize,
) -> Option<Vec<u8>> {
    match alg.wrap_len() {
        None => {
            if !encrypted_key.is_empty() {
                return None;
            }
            Some(concat_kdf(z, input.enc, input.apu, input.apv, enc_len))
        }
        Some(len) => {
            let kek = concat_kdf(z, input.alg, input.apu, input.apv, len);
            let cipher = if len == 16 { &AES_128 } else { &AES_256 };
            let kek = KeyEncryptionKey::new(cipher, &kek).ok()?;
            let mut out = vec![0u8; encrypted_key.len()];
            let n = kek.unwrap(encrypted_key, &mut out).ok()?.len();
            out.truncate(n);
            Some(out)
        }
    }
}

/// The Concat KDF of NIST SP 800-56A §5.8.1 as RFC 7518 §4.6.2 uses it, with SHA-256.
pub(crate) fn concat_kdf(
    z: &[u8],
    algorithm_id: &str,
    apu: &[u8],
    apv: &[u8],
    len: usize,
) -> Vec<u8> {
    let mut other = Vec::new();
    for part in [algorithm_id.as_bytes(), apu, apv] {
        other.extend_from_slice(&(part.len() as u32).to_be_bytes());
        other.extend_from_slice(part);
    }
    other.extend_from_slice(&((len as u32).saturating_mul(8)).to_be_bytes());
    let mut out = Vec::with_capacity(len + 32);
    let mut counter: u32 = 1;
    while out.len() < len {
        let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
        ctx.update(&counter.to_be_bytes());
        ctx.update(z);
        ctx.update(&other);
        out.extend_from_slice(ctx.finish().as_ref());
        counter = counter.saturating_add(1);
    }
    out.truncate(len);
    out
}

/// A provider's public key to encrypt request objects to (RSA, or EC P-256/P-384/P-521).
#[derive(Clone)]
pub struct EncryptionKey {
    kid: Option<String>,
    public: Arc<Public>,
}

enum Public {
    Rsa(OaepPublicEncryptingKey),
    Ec(Vec<u8>, Curve),
}

impl EncryptionKey {
    /// Parses a public JWK (RSA `n e`, or EC `crv x y`); a key whose `use` is not `enc` is
    /// refused. Code 932 when it is unusable.
    pub fn from_jwk(json: &str) -> Result<EncryptionKey> {
        let map: Map<String, Value> = serde_json::from_str(json)
            .map_err(|e| encrypt_error(format!("JWK is not a JSON object: {e}")))?;
        Self::from_map(&map)
    }

    /// The first usable encryption key (`use: enc`, or no `use`) of a JWKS document, preferring
    /// one marked `use: enc`. Code 932 when there is none.
    pub fn from_jwks(json: &[u8]) -> Result<EncryptionKey> {
        let doc: Value = serde_json::from_slice(crate::json::strip_bom(json))
            .map_err(|e| encrypt_error(format!("JWKS is not JSON: {e}")))?;
        let keys: Vec<&Map<String, Value>> = doc
            .get("keys")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_object).collect())
            .unwrap_or_default();
        let marked = keys
            .iter()
            .filter(|k| k.get("use").and_then(Value::as_str) == Some("enc"));
        let unmarked = keys.iter().filter(|k| !k.contains_key("use"));
        marked
            .chain(unmarked)
            .find_map(|k| Self::from_map(k).ok())
            .ok_or_else(|| {
                encrypt_error(
                    "the provider's JWKS has no RSA or EC key for encryption (use \"enc\")",
                )
            })
    }

    fn from_map(map: &Map<String, Value>) -> Result<EncryptionKey> {
        if map
            .get("use")
            .and_then(Value::as_str)
            .is_some_and(|u| u != "enc")
        {
            return Err(encrypt_error(
                "the JWK is not an encryption key (use is not \"enc\")",
            ));
        }
        let b64 = |name: &str| -> Result<Vec<u8>> {
            let v = map
                .get(name)
                .and_then(Value::as_str)
                .ok_or_else(|| encrypt_error(format!("JWK lacks `{name}`")))?;
            b64url_decode(v).ok_or_else(|| encrypt_error(format!("JWK `{name}` is not base64url")))
        };
        let public = match map.get("kty").and_then(Value::as_str) {
            Some("RSA") => {
                let spki = spki_rsa(&der::rsa_public_key(&b64("n")?, &b64("e")?));
                let k = PublicEncryptingKey::from_der(&spki)
                    .map_err(|e| encrypt_error(format!("RSA JWK: {e}")))?;
                Public::Rsa(
                    OaepPublicEncryptingKey::new(k)
                        .map_err(|_| encrypt_error("RSA key unusable for OAEP"))?,
                )
            }
            Some("EC") => {
                let crv = map.get("crv").and_then(Value::as_str).unwrap_or_default();
                let curve = Curve::parse(crv)
                    .ok_or_else(|| encrypt_error(format!("unsupported EC curve {crv:?}")))?;
                let (x, y) = (b64("x")?, b64("y")?);
                if x.len() != curve.len() || y.len() != curve.len() {
                    return Err(encrypt_error("EC key coordinates have the wrong length"));
                }
                let mut point = vec![4u8];
                point.extend(x);
                point.extend(y);
                Public::Ec(point, curve)
            }
            other => {
                let other = other.unwrap_or("none");
                return Err(encrypt_error(format!(
                    "unsupported key type {other:?} for encryption (RSA or EC)"
                )));
            }
        };
        Ok(EncryptionKey {
            kid: map.get("kid").and_then(Value::as_str).map(str::to_string),
            public: Arc::new(public),
        })
    }

    /// The key id, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// `RSA` or `EC`.
    pub fn key_type(&self) -> &'static str {
        match &*self.public {
            Public::Rsa(_) => "RSA",
            Public::Ec(..) => "EC",
        }
    }

    /// The default key management algorithm for this key: RSA-OAEP-256 for RSA, ECDH-ES for EC.
    pub fn default_alg(&self) -> KeyManagement {
        match &*self.public {
            Public::Rsa(_) => KeyManagement::RsaOaep256,
            Public::Ec(..) => KeyManagement::EcdhEs,
        }
    }

    /// Makes a CEK of `enc_len` bytes and wraps it for this key.
    pub(crate) fn wrap_new_cek(
        &self,
        alg: KeyManagement,
        enc: &str,
        enc_len: usize,
    ) -> Result<WrappedCek> {
        let failed = |what: &str| encrypt_error(format!("{alg}: {what} failed"));
        match &*self.public {
            Public::Rsa(k) if alg.is_rsa() => {
                let mut cek = vec![0u8; enc_len];
                aws_lc_rs::rand::fill(&mut cek).map_err(|_| failed("random"))?;
                let mut out = vec![0u8; k.ciphertext_size()];
                let n = k
                    .encrypt(alg.oaep(), &cek, &mut out, None)
                    .map_err(|_| failed("RSA encryption"))?
                    .len();
                out.truncate(n);
                Ok(WrappedCek {
                    cek,
                    encrypted_key: out,
                    epk: None,
                })
            }
            Public::Ec(point, curve) if !alg.is_rsa() => {
                let eph = agreement::PrivateKey::generate(curve.agreement())
                    .map_err(|_| failed("key generation"))?;
                let eph_pub = eph
                    .compute_public_key()
                    .map_err(|_| failed("key generation"))?;
                let peer = UnparsedPublicKey::new(curve.agreement(), point.as_slice());
                let z = agreement::agree(&eph, peer, (), |z| Ok(z.to_vec()))
                    .map_err(|()| failed("key agreement"))?;
                let len = curve.len();
                let p = eph_pub.as_ref();
                let mut epk = Map::new();
                epk.insert("kty".into(), "EC".into());
                epk.insert("crv".into(), curve.name().into());
                epk.insert("x".into(), b64url_encode(&p[1..=len]).into());
                epk.insert("y".into(), b64url_encode(&p[1 + len..]).into());
                match alg.wrap_len() {
                    None => Ok(WrappedCek {
                        cek: concat_kdf(&z, enc, &[], &[], enc_len),
                        encrypted_key: Vec::new(),
                        epk: Some(epk),
                    }),
                    Some(kw) => {
                        let kek = concat_kdf(&z, alg.as_str(), &[], &[], kw);
                        let cipher = if kw == 16 { &AES_128 } else { &AES_256 };
                        let kek =
                            KeyEncryptionKey::new(cipher, &kek).map_err(|_| failed("key wrap"))?;
                        let mut cek = vec![0u8; enc_len];
                        aws_lc_rs::rand::fill(&mut cek).map_err(|_| failed("random"))?;
                        let mut out = vec![0u8; enc_len + 8];
                        let n = kek
                            .wrap(&cek, &mut out)
                            .map_err(|_| failed("key wrap"))?
                            .len();
                        out.truncate(n);
                        Ok(WrappedCek {
                            cek,
                            encrypted_key: out,
                            epk: Some(epk),
                        })
                    }
                }
            }
            _ => Err(encrypt_error(format!(
                "{alg} does not fit a {} key",
                self.key_type()
            ))),
        }
    }
}

impl fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptionKey")
            .field("kid", &self.kid)
            .field("kty", &self.key_type())
            .finish()
    }
}

/// A fresh content encryption key, wrapped for the recipient.
pub(crate) struct WrappedCek {
    /// The content encryption key.
    pub(crate) cek: Vec<u8>,
    /// The JWE Encrypted Key (empty for ECDH-ES direct agreement).
    pub(crate) encrypted_key: Vec<u8>,
    /// The ephemeral public key's JWK members, for ECDH-ES.
    pub(crate) epk: Option<Map<String, Value>>,
}

pub(crate) fn encrypt_error(reason: impl Into<String>) -> Error {
    Error::JweEncryption {
        reason: reason.into(),
    }
}

/// `SEQUENCE { SEQUENCE { rsaEncryption, NULL }, BIT STRING { RSAPublicKey } }`.
fn spki_rsa(pkcs1: &[u8]) -> Vec<u8> {
    let mut alg = der::element(0x06, der::OID_RSA);
    alg.extend_from_slice(&[0x05, 0x00]);
    let mut bits = vec![0u8];
    bits.extend_from_slice(pkcs1);
    let mut body = der::element(0x30, &alg);
    body.extend(der::element(0x03, &bits));
    der::element(0x30, &body)
}

/// `SEQUENCE { 0, SEQUENCE { rsaEncryption, NULL }, OCTET STRING { RSAPrivateKey } }`.
fn pkcs8_rsa(pkcs1: &[u8]) -> Vec<u8> {
    let mut alg = der::element(0x06, der::OID_RSA);
    alg.extend_from_slice(&[0x05, 0x00]);
    let mut body = der::integer(&[0]);
    body.extend(der::element(0x30, &alg));
    body.extend(der::element(0x04, pkcs1));
    der::element(0x30, &body)
}

/// The modulus and exponent of an RSA SubjectPublicKeyInfo, without leading zero bytes.
fn spki_rsa_numbers(spki: &[u8]) -> Option<(&[u8], &[u8])> {
    let (_, body, _, _) = der::tlv(spki)?;
    let (_, _, _, rest) = der::tlv(body)?;
    let (tag, bits, _, _) = der::tlv(rest)?;
    if tag != 0x03 {
        return None;
    }
    let (_, seq, _, _) = der::tlv(bits.get(1..)?)?;
    let (_, n, _, rest) = der::tlv(seq)?;
    let (_, e, _, _) = der::tlv(rest)?;
    let trim = |v: &[u8]| -> usize { v.iter().position(|&b| b != 0).unwrap_or(v.len()) };
    Some((&n[trim(n)..], &e[trim(e)..]))
}
