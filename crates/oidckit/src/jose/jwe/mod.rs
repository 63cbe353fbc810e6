//! JSON Web Encryption in the compact serialization, RFC 7516 §7.1
//! (<https://www.rfc-editor.org/rfc/rfc7516>), with the algorithms of RFC 7518 §4–5:
//! `BASE64URL(header).BASE64URL(encrypted key).BASE64URL(IV).BASE64URL(ciphertext).BASE64URL(tag)`.
//!
//! Decryption accepts `RSA-OAEP`, `RSA-OAEP-256`, `ECDH-ES`, `ECDH-ES+A128KW` and
//! `ECDH-ES+A256KW` (P-256, P-384, P-521) with `A128GCM`, `A256GCM`, `A128CBC-HS256` and
//! `A256CBC-HS512`. It refuses `dir` (the content key would be a secret shared with the
//! provider, and a client secret is not meant for that), `RSA1_5` (PKCS#1 v1.5 key transport
//! is open to Bleichenbacher's padding oracle), `zip` (compression bombs; RFC 8725 §3.6) and
//! any `crit` extension (none is understood). Sizes are bounded, every tag check is constant
//! time, and a key that does not unwrap gets a random content key instead, so that "wrong key"
//! and "altered token" fail alike (RFC 7516 §11.5).

mod content;
mod keys;

use serde_json::{Map, Value};

pub use content::ContentEncryption;
pub use keys::{DecryptionKey, EncryptionKey, KeyManagement};

use super::{b64url_decode, b64url_encode};
use crate::{Error, Result};

/// The longest compact JWE accepted, in bytes.
pub const MAX_JWE_LEN: usize = 256 * 1024;
/// The longest encoded protected header accepted.
const MAX_HEADER_LEN: usize = 8 * 1024;
/// The longest encrypted key (RSA-8192 is 1024 bytes).
const MAX_ENCRYPTED_KEY_LEN: usize = 1024;
/// The longest `apu` / `apv`.
const MAX_PARTY_INFO_LEN: usize = 512;

/// The protected header of a JWE, as far as this library reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct JweHeader {
    /// The key management algorithm.
    pub alg: KeyManagement,
    /// The content encryption algorithm.
    pub enc: ContentEncryption,
    /// The key id of the recipient key, if any.
    pub kid: Option<String>,
    /// The content type; `JWT` for a nested (signed, then encrypted) JWT.
    pub cty: Option<String>,
    /// The media type.
    pub typ: Option<String>,
}

/// A decrypted JWE: its header and plaintext. `Debug` does not show the plaintext.
#[derive(Clone)]
pub struct Decrypted {
    /// The protected header.
    pub header: JweHeader,
    /// The plaintext (for an ID token: the signed JWT inside).
    pub plaintext: Vec<u8>,
}

impl std::fmt::Debug for Decrypted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decrypted")
            .field("header", &self.header)
            .field("plaintext", &"[redacted]")
            .finish()
    }
}

/// Whether `token` has the shape of a compact JWE (five dot-separated parts).
pub fn is_jwe(token: &str) -> bool {
    // `matches` with a char finds each dot with memchr: far cheaper than a byte loop.
    token.trim().matches('.').take(5).count() == 4
}

/// Decrypts a compact JWE with one of `keys`: the key with the header's `kid` when it names
/// one (then keys without a `kid`), else each key of the fitting type in turn.
///
/// Codes: 955 malformed; 954 a refused or unsupported `alg`, `enc`, `zip` or `crit`; 958 no
/// keys given; 956 no key fits (another `kid`, another key type or curve: encrypted to
/// another key); 957 the token does not decrypt under any fitting key (altered, or encrypted
/// to another key without a `kid`).
pub fn decrypt(token: &str, keys: &[DecryptionKey]) -> Result<Decrypted> {
    let token = token.trim();
    if token.len() > MAX_JWE_LEN {
        return Err(malformed(format!(
            "it is {} bytes, more than the {MAX_JWE_LEN} accepted",
            token.len()
        )));
    }
    let parts: Vec<&str> = token.split('.').collect();
    let [h, ek, iv, ct, tag] = parts[..] else {
        return Err(malformed(format!(
            "a compact JWE has 5 dot-separated parts, this has {}",
            parts.len()
        )));
    };
    if h.is_empty() || h.len() > MAX_HEADER_LEN {
        return Err(malformed("the protected header is empty or too long"));
    }
    let part = |v: &str, name: &str| {
        b64url_decode(v).ok_or_else(|| malformed(format!("the {name} is not base64url")))
    };
    let header_bytes = part(h, "protected header")?;
    let raw = RawHeader::parse(&header_bytes)?;
    let encrypted_key = part(ek, "encrypted key")?;
    if encrypted_key.len() > MAX_ENCRYPTED_KEY_LEN {
        return Err(malformed("the encrypted key is too long"));
    }
    let iv = part(iv, "initialization vector")?;
    let ciphertext = part(ct, "ciphertext")?;
    let tag = part(tag, "authentication tag")?;
    let enc = raw.header.enc;
    if iv.len() != enc.iv_len() || tag.len() != enc.tag_len() {
        return Err(malformed(format!(
            "{enc} needs a {}-byte IV and a {}-byte tag; this has {} and {}",
            enc.iv_len(),
            enc.tag_len(),
            iv.len(),
            tag.len()
        )));
    }
    if keys.is_empty() {
        return Err(Error::DecryptionKeysMissing);
    }
    let alg = raw.header.alg;
    let curve = raw.epk.as_ref().map(|(_, c)| *c);
    // The key with the token's kid first, then keys without a kid; every key when the token
    // names none.
    let kid = raw.header.kid.as_deref();
    let fitting = || keys.iter().filter(|k| k.fits(alg, curve));
    let candidates: Vec<&DecryptionKey> = match kid {
        Some(kid) => fitting()
            .filter(|k| k.kid() == Some(kid))
            .chain(fitting().filter(|k| k.kid().is_none()))
            .collect(),
        None => fitting().collect(),
    };
    if candidates.is_empty() {
        return Err(Error::NoDecryptionKey {
            kid: raw.header.kid.clone(),
            alg: alg.as_str(),
            configured: keys.len(),
        });
    }
    let agreement = raw.epk.as_ref().map(|(point, _)| keys::AgreementInput {
        epk_point: point,
        alg: alg.as_str(),
        enc: enc.as_str(),
        apu: &raw.apu,
        apv: &raw.apv,
    });
    // The AAD is the encoded protected header as sent (RFC 7516 §5.2 step 14).
    let aad = h.as_bytes();
    for key in candidates {
        let cek = key
            .unwrap_cek(alg, &encrypted_key, agreement.as_ref(), enc.key_len())
            .filter(|c| c.len() == enc.key_len())
            .map_or_else(|| random_key(enc.key_len()), Ok)?;
        if let Some(plaintext) = content::decrypt(enc, &cek, &iv, aad, &ciphertext, &tag) {
            return Ok(Decrypted {
                header: raw.header,
                plaintext,
            });
        }
    }
    Err(Error::JweDecryptionFailed {
        alg: alg.as_str(),
        enc: enc.as_str(),
        kid: raw.header.kid,
    })
}

/// Encrypts `plaintext` to `key` as a compact JWE with `alg` and `enc`; `cty` (e.g. `JWT` for
/// a signed JWT inside) goes in the header, with the key's `kid`. Code 932 when `alg` does
/// not fit the key.
pub fn encrypt(
    plaintext: &[u8],
    key: &EncryptionKey,
    alg: KeyManagement,
    enc: ContentEncryption,
    cty: Option<&str>,
) -> Result<String> {
    let keys::WrappedCek {
        cek,
        encrypted_key,
        epk,
    } = key.wrap_new_cek(alg, enc.as_str(), enc.key_len())?;
    let mut header = Map::new();
    header.insert("alg".into(), alg.as_str().into());
    header.insert("enc".into(), enc.as_str().into());
    if let Some(kid) = key.kid() {
        header.insert("kid".into(), kid.into());
    }
    if let Some(cty) = cty {
        header.insert("cty".into(), cty.into());
    }
    if let Some(epk) = epk {
        header.insert("epk".into(), Value::Object(epk));
    }
    let h = b64url_encode(Value::Object(header).to_string());
    let (iv, ct, tag) = content::encrypt(enc, &cek, h.as_bytes(), plaintext)
        .ok_or_else(|| keys::encrypt_error(format!("{enc} encryption failed")))?;
    Ok(format!(
        "{h}.{}.{}.{}.{}",
        b64url_encode(encrypted_key),
        b64url_encode(iv),
        b64url_encode(ct),
        b64url_encode(tag)
    ))
}

fn malformed(reason: impl Into<String>) -> Error {
    Error::MalformedJwe {
        reason: reason.into(),
    }
}

fn refused(member: &'static str, value: &str, reason: &'static str) -> Error {
    let mut value = value.to_string();
    let mut end = value.len().min(64);
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    value.truncate(end);
    Error::JweAlgorithmRefused {
        member,
        value,
        reason,
    }
}

fn random_key(len: usize) -> Result<Vec<u8>> {
    let mut k = vec![0u8; len];
    super::random_bytes(&mut k)?;
    Ok(k)
}

/// The header with the ECDH-ES inputs decoded.
struct RawHeader {
    header: JweHeader,
    epk: Option<(Vec<u8>, keys::Curve)>,
    apu: Vec<u8>,
    apv: Vec<u8>,
}

impl RawHeader {
    fn parse(bytes: &[u8]) -> Result<RawHeader> {
        let bytes = crate::json::checked(bytes).map_err(|e| {
            e.into_error("JWE header", |e| {
                malformed(format!("the protected header is not JSON: {e}"))
            })
        })?;
        let map: Map<String, Value> = serde_json::from_slice(bytes)
            .map_err(|_| malformed("the protected header is not a JSON object"))?;
        let text = |name: &str| -> Result<Option<String>> {
            match map.get(name) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(malformed(format!("header `{name}` is not a string"))),
            }
        };
        let alg_name = text("alg")?.ok_or_else(|| malformed("the header has no `alg`"))?;
        let enc_name = text("enc")?.ok_or_else(|| malformed("the header has no `enc`"))?;
        let alg = match alg_name.as_str() {
            "dir" => {
                return Err(refused(
                    "alg",
                    &alg_name,
                    "direct encryption with a shared key is not accepted; register an RSA or EC encryption key (RSA-OAEP-256 or ECDH-ES)",
                ));
            }
            "RSA1_5" => {
                return Err(refused(
                    "alg",
                    &alg_name,
                    "RSAES-PKCS1-v1_5 is open to padding-oracle attacks; register RSA-OAEP-256 instead",
                ));
            }
            name => KeyManagement::parse(name).ok_or_else(|| {
                refused(
                    "alg",
                    name,
                    "unsupported; use RSA-OAEP, RSA-OAEP-256, ECDH-ES, ECDH-ES+A128KW or ECDH-ES+A256KW",
                )
            })?,
        };
        let enc = ContentEncryption::parse(&enc_name).ok_or_else(|| {
            refused(
                "enc",
                &enc_name,
                "unsupported; use A128GCM, A256GCM, A128CBC-HS256 or A256CBC-HS512",
            )
        })?;
        if let Some(zip) = map.get("zip") {
            return Err(refused(
                "zip",
                zip.as_str().unwrap_or("?"),
                "compressed JWEs are refused (decompression bombs); ask the provider not to compress",
            ));
        }
        if let Some(crit) = map.get("crit") {
            let first = crit
                .as_array()
                .and_then(|a| a.first())
                .and_then(Value::as_str)
                .unwrap_or("?");
            return Err(refused(
                "crit",
                first,
                "no critical header extension is understood",
            ));
        }
        let party = |name: &str| -> Result<Vec<u8>> {
            let v = text(name)?.map_or_else(
                || Ok(Vec::new()),
                |s| {
                    b64url_decode(&s)
                        .ok_or_else(|| malformed(format!("header `{name}` is not base64url")))
                },
            )?;
            if v.len() > MAX_PARTY_INFO_LEN {
                return Err(malformed(format!("header `{name}` is too long")));
            }
            Ok(v)
        };
        let epk = if alg.is_rsa() {
            None
        } else {
            Some(epk_point(map.get("epk"))?)
        };
        Ok(RawHeader {
            header: JweHeader {
                alg,
                enc,
                kid: text("kid")?,
                cty: text("cty")?,
                typ: text("typ")?,
            },
            epk,
            apu: party("apu")?,
            apv: party("apv")?,
        })
    }
}

/// The uncompressed point of an `epk` EC JWK.
fn epk_point(epk: Option<&Value>) -> Result<(Vec<u8>, keys::Curve)> {
    let epk = epk
        .and_then(Value::as_object)
        .ok_or_else(|| malformed("ECDH-ES needs an `epk` object in the header"))?;
    let field = |name: &str| epk.get(name).and_then(Value::as_str);
    if field("kty") != Some("EC") {
        return Err(malformed("`epk` is not an EC key (kty \"EC\")"));
    }
    let crv = field("crv").unwrap_or_default();
    let curve = keys::Curve::parse(crv)
        .ok_or_else(|| refused("epk", crv, "unsupported curve; use P-256, P-384 or P-521"))?;
    let coord = |name: &str| {
        field(name)
            .and_then(b64url_decode)
            .filter(|v| v.len() == curve.len())
            .ok_or_else(|| malformed(format!("`epk` `{name}` is not a {crv} coordinate")))
    };
    let mut point = vec![4u8];
    point.extend(coord("x")?);
    point.extend(coord("y")?);
    Ok((point, curve))
}

#[cfg(test)]
mod tests;
