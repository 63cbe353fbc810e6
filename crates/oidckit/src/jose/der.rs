//! Just enough DER (X.690) to find a certificate's SubjectPublicKeyInfo and read its key type.
//! Keys themselves are parsed by aws-lc-rs; this only walks the outer structure.

/// Key types found in a SubjectPublicKeyInfo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SpkiKind {
    Rsa,
    EcP256,
    EcP384,
    EcP521,
    Ed25519,
}

const SEQUENCE: u8 = 0x30;
const OID: u8 = 0x06;

pub(crate) const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
const OID_P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];
const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];

/// One DER element: (tag, contents, whole element, rest of the input).
pub(crate) type Tlv<'a> = (u8, &'a [u8], &'a [u8], &'a [u8]);

/// Reads one TLV from `input`.
pub(crate) fn tlv(input: &[u8]) -> Option<Tlv<'_>> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | b as usize);
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    let header_len = input.len() - rest.len();
    Some((tag, &rest[..len], &input[..header_len + len], &rest[len..]))
}

/// Returns the SubjectPublicKeyInfo element of an X.509 certificate (RFC 5280 §4.1).
pub(crate) fn certificate_spki(cert: &[u8]) -> Option<&[u8]> {
    let (tag, cert_body, _, _) = tlv(cert)?;
    if tag != SEQUENCE {
        return None;
    }
    let (tag, tbs, _, _) = tlv(cert_body)?;
    if tag != SEQUENCE {
        return None;
    }
    let mut rest = tbs;
    // Optional [0] EXPLICIT version.
    if rest.first() == Some(&0xa0) {
        rest = tlv(rest)?.3;
    }
    // serialNumber, signature, issuer, validity, subject.
    for _ in 0..5 {
        rest = tlv(rest)?.3;
    }
    let (tag, _, spki, _) = tlv(rest)?;
    (tag == SEQUENCE).then_some(spki)
}

/// Reads the key type of a SubjectPublicKeyInfo.
pub(crate) fn spki_kind(spki: &[u8]) -> Option<SpkiKind> {
    let (tag, body, _, _) = tlv(spki)?;
    if tag != SEQUENCE {
        return None;
    }
    let (tag, alg_id, _, _) = tlv(body)?;
    if tag != SEQUENCE {
        return None;
    }
    let (tag, oid, _, params) = tlv(alg_id)?;
    if tag != OID {
        return None;
    }
    match oid {
        OID_RSA => Some(SpkiKind::Rsa),
        OID_ED25519 => Some(SpkiKind::Ed25519),
        OID_EC => {
            let (tag, curve, _, _) = tlv(params)?;
            if tag != OID {
                return None;
            }
            match curve {
                OID_P256 => Some(SpkiKind::EcP256),
                OID_P384 => Some(SpkiKind::EcP384),
                OID_P521 => Some(SpkiKind::EcP521),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Encodes an RSA public key as a PKCS#1 `RSAPublicKey` (RFC 8017 §A.1.1) from its
/// big-endian modulus and exponent.
pub(crate) fn rsa_public_key(n: &[u8], e: &[u8]) -> Vec<u8> {
    let n = integer(n);
    let e = integer(e);
    let mut body = Vec::with_capacity(n.len() + e.len());
    body.extend_from_slice(&n);
    body.extend_from_slice(&e);
    element(SEQUENCE, &body)
}

/// Builds a PKCS#1 `RSAPrivateKey` (RFC 8017 §A.1.2, version 0) from the big-endian members of
/// a private RSA JWK, read through `member` (`n e d p q dp dq qi`).
pub(crate) fn rsa_private_key<E>(
    mut member: impl FnMut(&str) -> Result<Vec<u8>, E>,
) -> Result<Vec<u8>, E> {
    let mut body = integer(&[0]);
    for name in ["n", "e", "d", "p", "q", "dp", "dq", "qi"] {
        body.extend(integer(&member(name)?));
    }
    Ok(element(0x30, &body))
}

pub(crate) fn integer(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    let trimmed = &bytes[start..];
    let mut v = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|&b| b & 0x80 != 0) {
        v.push(0);
    }
    v.extend_from_slice(trimmed);
    element(0x02, &v)
}

pub(crate) fn element(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 6);
    out.push(tag);
    let len = body.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(bytes.len() - 1);
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_truncated_input_without_panicking() {
        for n in 0..8 {
            let input = vec![0x30u8, 0x82, 0xff, 0xff, 0x30, 0x01, 0x02][..n.min(7)].to_vec();
            assert!(certificate_spki(&input).is_none());
            assert!(spki_kind(&input).is_none());
        }
    }

    #[test]
    fn integer_keeps_positive_sign() {
        assert_eq!(integer(&[0x80]), vec![0x02, 0x02, 0x00, 0x80]);
        assert_eq!(integer(&[0x00, 0x01]), vec![0x02, 0x01, 0x01]);
        assert_eq!(element(0x04, &[0u8; 200])[..3], [0x04, 0x81, 200]);
    }
}
