//! Compact JWS serialization (RFC 7515 §7.1): `BASE64URL(header).BASE64URL(payload).BASE64URL(signature)`.

use serde::Deserialize;

use super::{Alg, b64url_decode};
use crate::{Error, Result};

/// A parsed (not yet verified) compact JWS.
///
/// Parsing decodes the header and the signature only; the payload is decoded by
/// [`CompactJws::payload`], which callers use after the signature has been verified.
#[derive(Debug, Clone)]
pub struct CompactJws<'a> {
    /// The decoded protected header.
    pub header: JwsHeader,
    signing_input: &'a str,
    payload_b64: &'a str,
    signature: Signature,
}

/// Signatures of up to 132 bytes (HMAC, ECDSA up to P-521, Ed25519) stay inline; RSA ones go
/// to the heap. Saves an allocation per token on the validation hot path.
#[derive(Debug, Clone)]
enum Signature {
    Inline([u8; 134], usize),
    Heap(Vec<u8>),
}

/// The JOSE header fields this library uses. Embedded keys (`jwk`, `jku`, `x5u`, `x5c`)
/// are deliberately ignored: a token never chooses its own verification key.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct JwsHeader {
    /// The signature algorithm.
    pub alg: Alg,
    /// The key id, if any.
    pub kid: Option<String>,
    /// The media type, e.g. `JWT`.
    pub typ: Option<String>,
    /// The content type, set for nested JWTs.
    pub cty: Option<String>,
    /// Critical extensions that must be understood (RFC 7515 §4.1.11).
    pub crit: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct RawHeader<'a> {
    #[serde(borrow)]
    alg: std::borrow::Cow<'a, str>,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    typ: Option<String>,
    #[serde(default)]
    cty: Option<String>,
    #[serde(default)]
    crit: Option<Vec<String>>,
}

impl<'a> CompactJws<'a> {
    /// Parses a compact JWS. Fails with code 901 when it has not exactly three parts, a part is
    /// not base64url, or the header is not a JSON object with a string `alg`.
    pub fn parse(token: &'a str) -> Result<CompactJws<'a>> {
        let token = token.trim();
        let Some((h, p, s)) = split3(token) else {
            let dots = token.matches('.').count();
            return Err(Error::malformed(if dots == 4 {
                "the token is an encrypted JWE (5 parts) where a signed JWT was expected"
                    .to_string()
            } else {
                format!(
                    "a compact JWS has 3 dot-separated parts, this has {}",
                    dots + 1
                )
            }));
        };
        if h.is_empty() {
            return Err(Error::malformed("the header part is empty"));
        }
        // Headers are small: decode on the stack when it fits, to keep allocations off the hot path.
        let bad_header = || Error::malformed("the header is not base64url");
        let mut stack = [0u8; 384];
        let heap;
        let header_bytes: &[u8] = if h.len() <= 500 {
            let n = super::b64::decode_into(h.as_bytes(), &mut stack).ok_or_else(bad_header)?;
            &stack[..n]
        } else {
            heap = b64url_decode(h).ok_or_else(bad_header)?;
            &heap
        };
        let header_text = std::str::from_utf8(header_bytes)
            .map_err(|_| Error::malformed("the header is not UTF-8"))?;
        let raw: RawHeader<'_> = serde_json::from_str(header_text).map_err(|e| {
            Error::malformed(format!(
                "the header is not a JSON object with a string alg: {e}"
            ))
        })?;
        let bad_signature = || Error::malformed("the signature is not base64url");
        // 132 bytes of signature (P-521) need at most 176 characters.
        let signature = if s.len() <= 176 {
            let mut buf = [0u8; 134];
            let n = super::b64::decode_into(s.as_bytes(), &mut buf).ok_or_else(bad_signature)?;
            Signature::Inline(buf, n)
        } else {
            Signature::Heap(b64url_decode(s).ok_or_else(bad_signature)?)
        };
        Ok(CompactJws {
            header: JwsHeader {
                alg: Alg::from(&*raw.alg),
                kid: raw.kid,
                typ: raw.typ,
                cty: raw.cty,
                crit: raw.crit,
            },
            signing_input: &token[..h.len() + 1 + p.len()],
            payload_b64: p,
            signature,
        })
    }

    /// The bytes the signature covers: `header.payload` as ASCII.
    pub fn signing_input(&self) -> &[u8] {
        self.signing_input.as_bytes()
    }

    /// The decoded signature.
    pub fn signature(&self) -> &[u8] {
        match &self.signature {
            Signature::Inline(buf, n) => &buf[..*n],
            Signature::Heap(v) => v,
        }
    }

    /// Decodes the payload into `out` when it fits (with the two bytes of slack the decoder
    /// wants), returning its length; `None` when it does not fit or is not base64url (then
    /// [`CompactJws::payload`] decodes it, or says what is wrong).
    pub(crate) fn payload_into(&self, out: &mut [u8]) -> Option<usize> {
        let n = super::b64::decoded_len(self.payload_b64.len())?;
        let room = out.get_mut(..n.div_ceil(3) * 3)?;
        super::b64::decode_into(self.payload_b64.as_bytes(), room)
    }

    /// Decodes the payload. Only trust it after verifying the signature.
    pub fn payload(&self) -> Result<Vec<u8>> {
        b64url_decode(self.payload_b64)
            .ok_or_else(|| Error::malformed("the payload is not base64url"))
    }
}

/// Splits `a.b.c` into its three parts; `None` unless there are exactly two dots.
fn split3(token: &str) -> Option<(&str, &str, &str)> {
    // `str::find` with a char uses memchr: far cheaper than a byte loop over a long payload.
    let first = token.find('.')?;
    let second = first + 1 + token[first + 1..].find('.')?;
    let sig = &token[second + 1..];
    if sig.contains('.') {
        return None;
    }
    Some((&token[..first], &token[first + 1..second], sig))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_header_and_keeps_signing_input() {
        let h = super::super::b64url_encode(br#"{"alg":"RS256","kid":"k1","typ":"JWT"}"#);
        let p = super::super::b64url_encode(br#"{"sub":"x"}"#);
        let token = format!("{h}.{p}.c2ln");
        let jws = CompactJws::parse(&token).expect("valid");
        assert_eq!(jws.header.alg, Alg::RS256);
        assert_eq!(jws.header.kid.as_deref(), Some("k1"));
        assert_eq!(jws.signing_input(), format!("{h}.{p}").as_bytes());
        assert_eq!(jws.signature(), b"sig");
        assert_eq!(jws.payload().expect("payload"), br#"{"sub":"x"}"#);
    }

    #[test]
    fn refuses_wrong_shapes_with_901() {
        for bad in [
            "",
            "a.b",
            "a.b.c.d",
            "a.b.c.d.e",
            "!!.e30.",
            "e30.e30.***",
            "bnVsbA.e30.",
        ] {
            let err = CompactJws::parse(bad).expect_err(bad);
            assert_eq!(err.code(), 901, "{bad}");
        }
    }
}
