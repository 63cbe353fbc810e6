//! Encrypting ID tokens and UserInfo responses to a client's public key (JWE compact
//! serialization, RFC 7516 §7.1, algorithms of RFC 7518 §4–5).
//!
//! Independent of the `oidckit` library on purpose: the key parsing, Concat KDF and CBC-HMAC
//! construction are written here again, so a test cannot confirm a bug both share. It also
//! makes what a real provider must never send (`dir`, `RSA1_5`), for the refusal tests.

use aws_lc_rs::aead::{AES_128_GCM, AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::agreement::{self, UnparsedPublicKey};
use aws_lc_rs::cipher::{
    AES_128, AES_256, EncryptionContext, PaddedBlockEncryptingKey, UnboundCipherKey,
};
use aws_lc_rs::hmac;
use aws_lc_rs::iv::FixedLength;
use aws_lc_rs::key_wrap::{self, KeyEncryptionKey, KeyWrap as _};
use aws_lc_rs::rsa::{
    OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepPublicEncryptingKey, Pkcs1PublicEncryptingKey,
    PublicEncryptingKey,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use sha2::Digest as _;

use crate::keys::b64url;

/// Where and how the mock encrypts a token: the recipient's public JWK (RSA or EC
/// P-256/P-384/P-521, JSON text), the `alg` and the `enc`.
///
/// `alg`: `RSA-OAEP`, `RSA-OAEP-256`, `ECDH-ES`, `ECDH-ES+A128KW`, `ECDH-ES+A256KW`, and the
/// refused-by-clients `RSA1_5` and `dir` (a random key nobody knows). `enc`: `A128GCM`,
/// `A256GCM`, `A128CBC-HS256`, `A256CBC-HS512`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockEncryption {
    /// The recipient's public key as a JWK (its `kid` goes in the JWE header).
    pub jwk: String,
    /// The key management algorithm.
    pub alg: String,
    /// The content encryption algorithm.
    pub enc: String,
}

impl MockEncryption {
    /// Encryption to `jwk` with `alg` and `enc`.
    pub fn new(jwk: impl Into<String>, alg: impl Into<String>, enc: impl Into<String>) -> Self {
        MockEncryption {
            jwk: jwk.into(),
            alg: alg.into(),
            enc: enc.into(),
        }
    }
}

/// Encrypts `plaintext` as a compact JWE (`cty` in the header when given). With
/// `bad_tag`, the last byte of the tag is flipped.
pub(crate) fn encrypt(
    plaintext: &[u8],
    to: &MockEncryption,
    cty: Option<&str>,
    bad_tag: bool,
) -> Result<String, String> {
    let jwk: Map<String, Value> =
        serde_json::from_str(&to.jwk).map_err(|e| format!("encryption JWK: {e}"))?;
    let (cek_len, mac_len) = match to.enc.as_str() {
        "A128GCM" => (16, 0),
        "A256GCM" => (32, 0),
        "A128CBC-HS256" => (32, 16),
        "A256CBC-HS512" => (64, 32),
        other => return Err(format!("mock cannot encrypt with enc {other}")),
    };
    let mut header = Map::new();
    header.insert("alg".into(), to.alg.clone().into());
    header.insert("enc".into(), to.enc.clone().into());
    if let Some(kid) = jwk.get("kid") {
        header.insert("kid".into(), kid.clone());
    }
    if let Some(cty) = cty {
        header.insert("cty".into(), cty.into());
    }
    let (cek, encrypted_key) = match to.alg.as_str() {
        "RSA-OAEP" | "RSA-OAEP-256" | "RSA1_5" => {
            let cek = random(cek_len);
            (cek.clone(), rsa_encrypt(&jwk, &to.alg, &cek)?)
        }
        "dir" => (random(cek_len), Vec::new()),
        "ECDH-ES" | "ECDH-ES+A128KW" | "ECDH-ES+A256KW" => {
            let (z, epk) = ecdh(&jwk)?;
            header.insert("epk".into(), epk);
            match to.alg.as_str() {
                "ECDH-ES" => (kdf(&z, &to.enc, cek_len), Vec::new()),
                alg => {
                    let kw_len = if alg.ends_with("A128KW") { 16 } else { 32 };
                    let kek = kdf(&z, alg, kw_len);
                    let cipher = if kw_len == 16 {
                        &key_wrap::AES_128
                    } else {
                        &key_wrap::AES_256
                    };
                    let cek = random(cek_len);
                    let kek = KeyEncryptionKey::new(cipher, &kek).map_err(|e| e.to_string())?;
                    let mut out = vec![0u8; cek_len + 8];
                    let n = kek.wrap(&cek, &mut out).map_err(|e| e.to_string())?.len();
                    out.truncate(n);
                    (cek, out)
                }
            }
        }
        other => return Err(format!("mock cannot encrypt with alg {other}")),
    };
    let protected = b64url(Value::Object(header).to_string());
    let aad = protected.as_bytes();
    let (iv, ciphertext, mut tag) = if mac_len == 0 {
        let iv = random(12);
        let alg = if cek_len == 16 {
            &AES_128_GCM
        } else {
            &AES_256_GCM
        };
        let key = LessSafeKey::new(UnboundKey::new(alg, &cek).map_err(|e| e.to_string())?);
        let nonce = Nonce::try_assume_unique_for_key(&iv).map_err(|e| e.to_string())?;
        let mut data = plaintext.to_vec();
        let tag = key
            .seal_in_place_separate_tag(nonce, Aad::from(aad), &mut data)
            .map_err(|e| e.to_string())?;
        (iv, data, tag.as_ref().to_vec())
    } else {
        let iv = random(16);
        let (mac_key, aes_key) = cek.split_at(mac_len);
        let aes = if mac_len == 16 { &AES_128 } else { &AES_256 };
        let key = PaddedBlockEncryptingKey::cbc_pkcs7(
            UnboundCipherKey::new(aes, aes_key).map_err(|e| e.to_string())?,
        )
        .map_err(|e| e.to_string())?;
        let mut data = plaintext.to_vec();
        let iv_arr: [u8; 16] = iv.clone().try_into().map_err(|_| "iv".to_string())?;
        key.less_safe_encrypt(
            &mut data,
            EncryptionContext::Iv128(FixedLength::from(iv_arr)),
        )
        .map_err(|e| e.to_string())?;
        let mac_alg = if mac_len == 16 {
            hmac::HMAC_SHA256
        } else {
            hmac::HMAC_SHA512
        };
        let mut input = Vec::new();
        input.extend_from_slice(aad);
        input.extend_from_slice(&iv);
        input.extend_from_slice(&data);
        input.extend_from_slice(&((aad.len() as u64) * 8).to_be_bytes());
        let full = hmac::sign(&hmac::Key::new(mac_alg, mac_key), &input);
        (iv, data, full.as_ref()[..mac_len].to_vec())
    };
    if bad_tag && let Some(last) = tag.last_mut() {
        *last ^= 1;
    }
    Ok([
        protected,
        b64url(encrypted_key),
        b64url(iv),
        b64url(ciphertext),
        b64url(tag),
    ]
    .join("."))
}

fn random(n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    if aws_lc_rs::rand::fill(&mut v).is_err() {
        // A test helper cannot recover from a failing RNG; derive something non-constant.
        v = sha2::Sha512::digest(crate::keys::random_token(32)).to_vec();
        v.truncate(n);
    }
    v
}

fn field(jwk: &Map<String, Value>, name: &str) -> Result<Vec<u8>, String> {
    jwk.get(name)
        .and_then(Value::as_str)
        .and_then(|s| URL_SAFE_NO_PAD.decode(s).ok())
        .ok_or_else(|| format!("encryption JWK lacks a base64url `{name}`"))
}

fn rsa_encrypt(jwk: &Map<String, Value>, alg: &str, cek: &[u8]) -> Result<Vec<u8>, String> {
    let spki = rsa_spki(&field(jwk, "n")?, &field(jwk, "e")?);
    let key = PublicEncryptingKey::from_der(&spki).map_err(|e| format!("RSA JWK: {e}"))?;
    let mut out = vec![0u8; key.key_size_bytes()];
    let n = if alg == "RSA1_5" {
        let k = Pkcs1PublicEncryptingKey::new(key).map_err(|e| e.to_string())?;
        k.encrypt(cek, &mut out).map_err(|e| e.to_string())?.len()
    } else {
        let k = OaepPublicEncryptingKey::new(key).map_err(|e| e.to_string())?;
        let oaep = if alg == "RSA-OAEP" {
            &OAEP_SHA1_MGF1SHA1
        } else {
            &OAEP_SHA256_MGF1SHA256
        };
        k.encrypt(oaep, cek, &mut out, None)
            .map_err(|e| e.to_string())?
            .len()
    };
    out.truncate(n);
    Ok(out)
}

/// An ephemeral key agreement with the recipient: the shared secret Z and the `epk`.
fn ecdh(jwk: &Map<String, Value>) -> Result<(Vec<u8>, Value), String> {
    let crv = jwk.get("crv").and_then(Value::as_str).unwrap_or_default();
    let alg = match crv {
        "P-256" => &agreement::ECDH_P256,
        "P-384" => &agreement::ECDH_P384,
        "P-521" => &agreement::ECDH_P521,
        other => return Err(format!("mock cannot agree on curve {other:?}")),
    };
    let mut point = vec![4u8];
    point.extend(field(jwk, "x")?);
    point.extend(field(jwk, "y")?);
    let eph = agreement::PrivateKey::generate(alg).map_err(|e| e.to_string())?;
    let eph_pub = eph.compute_public_key().map_err(|e| e.to_string())?;
    let z = agreement::agree(
        &eph,
        UnparsedPublicKey::new(alg, &point),
        "agreement failed",
        |z| Ok(z.to_vec()),
    )
    .map_err(str::to_string)?;
    let p = eph_pub.as_ref();
    let half = (p.len() - 1) / 2;
    let epk =
        json!({"kty": "EC", "crv": crv, "x": b64url(&p[1..=half]), "y": b64url(&p[1 + half..])});
    Ok((z, epk))
}

/// Concat KDF (NIST SP 800-56A) with SHA-256, empty PartyUInfo and PartyVInfo.
fn kdf(z: &[u8], algorithm_id: &str, len: usize) -> Vec<u8> {
    let mut info = Vec::new();
    info.extend((algorithm_id.len() as u32).to_be_bytes());
    info.extend(algorithm_id.as_bytes());
    info.extend(0u32.to_be_bytes());
    info.extend(0u32.to_be_bytes());
    info.extend(((len * 8) as u32).to_be_bytes());
    let mut out = Vec::new();
    for round in 1u32.. {
        if out.len() >= len {
            break;
        }
        let mut h = sha2::Sha256::new();
        h.update(round.to_be_bytes());
        h.update(z);
        h.update(&info);
        out.extend(h.finalize());
    }
    out.truncate(len);
    out
}

/// DER `SubjectPublicKeyInfo` of an RSA key.
fn rsa_spki(n: &[u8], e: &[u8]) -> Vec<u8> {
    fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = body.len();
        if len < 128 {
            out.push(len as u8);
        } else {
            let bytes: Vec<u8> = len
                .to_be_bytes()
                .into_iter()
                .skip_while(|b| *b == 0)
                .collect();
            out.push(0x80 | bytes.len() as u8);
            out.extend(bytes);
        }
        out.extend_from_slice(body);
        out
    }
    fn uint(v: &[u8]) -> Vec<u8> {
        let v: Vec<u8> = v.iter().copied().skip_while(|b| *b == 0).collect();
        let mut body = Vec::new();
        if v.first().is_none_or(|b| b & 0x80 != 0) {
            body.push(0);
        }
        body.extend(v);
        tlv(0x02, &body)
    }
    let rsa_oid = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
    ];
    let mut key = uint(n);
    key.extend(uint(e));
    let mut bits = vec![0u8];
    bits.extend(tlv(0x30, &key));
    let mut body = tlv(0x30, &rsa_oid);
    body.extend(tlv(0x03, &bits));
    tlv(0x30, &body)
}
