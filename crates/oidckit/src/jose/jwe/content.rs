//! Content encryption, RFC 7518 §5: AES-GCM (§5.3) and AES-CBC with HMAC-SHA-2 (§5.2).
//!
//! The CBC-HMAC tag is checked, in constant time, before any byte is decrypted, so a wrong
//! padding can never be told apart from a wrong tag (no padding oracle).

use aws_lc_rs::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::cipher::{
    self, DecryptionContext, EncryptionContext, PaddedBlockDecryptingKey, PaddedBlockEncryptingKey,
    UnboundCipherKey,
};
use aws_lc_rs::hmac;
use aws_lc_rs::iv::FixedLength;

/// A content encryption algorithm (`enc`, RFC 7518 §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ContentEncryption {
    /// `A128GCM`: AES-128 in Galois/Counter Mode.
    A128Gcm,
    /// `A256GCM`: AES-256 in Galois/Counter Mode.
    A256Gcm,
    /// `A128CBC-HS256`: AES-128-CBC with an HMAC-SHA-256 tag.
    A128CbcHs256,
    /// `A256CBC-HS512`: AES-256-CBC with an HMAC-SHA-512 tag.
    A256CbcHs512,
}

impl ContentEncryption {
    /// Every supported value.
    pub const ALL: [ContentEncryption; 4] = [
        ContentEncryption::A128Gcm,
        ContentEncryption::A256Gcm,
        ContentEncryption::A128CbcHs256,
        ContentEncryption::A256CbcHs512,
    ];

    /// The JOSE name.
    pub fn as_str(self) -> &'static str {
        match self {
            ContentEncryption::A128Gcm => "A128GCM",
            ContentEncryption::A256Gcm => "A256GCM",
            ContentEncryption::A128CbcHs256 => "A128CBC-HS256",
            ContentEncryption::A256CbcHs512 => "A256CBC-HS512",
        }
    }

    /// Parses a JOSE name (case-sensitive); `None` for anything unsupported.
    pub fn parse(name: &str) -> Option<ContentEncryption> {
        Self::ALL.into_iter().find(|e| e.as_str() == name)
    }

    /// The content encryption key length in bytes (for CBC-HMAC: MAC key plus AES key).
    pub(crate) fn key_len(self) -> usize {
        match self {
            ContentEncryption::A128Gcm => 16,
            ContentEncryption::A256Gcm | ContentEncryption::A128CbcHs256 => 32,
            ContentEncryption::A256CbcHs512 => 64,
        }
    }

    /// The initialization vector length in bytes.
    pub(crate) fn iv_len(self) -> usize {
        match self {
            ContentEncryption::A128Gcm | ContentEncryption::A256Gcm => 12,
            _ => 16,
        }
    }

    /// The authentication tag length in bytes.
    pub(crate) fn tag_len(self) -> usize {
        match self {
            ContentEncryption::A256CbcHs512 => 32,
            _ => 16,
        }
    }

    fn gcm(self) -> Option<&'static aead::Algorithm> {
        match self {
            ContentEncryption::A128Gcm => Some(&aead::AES_128_GCM),
            ContentEncryption::A256Gcm => Some(&aead::AES_256_GCM),
            _ => None,
        }
    }

    fn cbc(self) -> (&'static cipher::Algorithm, hmac::Algorithm) {
        match self {
            ContentEncryption::A256CbcHs512 => (&cipher::AES_256, hmac::HMAC_SHA512),
            _ => (&cipher::AES_128, hmac::HMAC_SHA256),
        }
    }
}

impl std::fmt::Display for ContentEncryption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Decrypts and authenticates. `None` when the tag does not verify (wrong key, altered
/// header, IV, ciphertext or tag) or the sizes do not fit `enc`. Never says which.
pub(crate) fn decrypt(
    enc: ContentEncryption,
    cek: &[u8],
    iv: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Option<Vec<u8>> {
    if cek.len() != enc.key_len() || iv.len() != enc.iv_len() || tag.len() != enc.tag_len() {
        return None;
    }
    if let Some(alg) = enc.gcm() {
        let key = LessSafeKey::new(UnboundKey::new(alg, cek).ok()?);
        let nonce = Nonce::try_assume_unique_for_key(iv).ok()?;
        let mut in_out = Vec::with_capacity(ciphertext.len() + tag.len());
        in_out.extend_from_slice(ciphertext);
        in_out.extend_from_slice(tag);
        let n = key
            .open_in_place(nonce, Aad::from(aad), &mut in_out)
            .ok()?
            .len();
        in_out.truncate(n);
        return Some(in_out);
    }
    let (aes, mac) = enc.cbc();
    let half = cek.len() / 2;
    let (mac_key, enc_key) = cek.split_at(half);
    if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(16) {
        return None;
    }
    // RFC 7518 §5.2.2.2: the tag first, in constant time; only then decrypt.
    let expected = cbc_tag(mac, mac_key, aad, iv, ciphertext);
    aws_lc_rs::constant_time::verify_slices_are_equal(&expected.as_ref()[..enc.tag_len()], tag)
        .ok()?;
    let key =
        PaddedBlockDecryptingKey::cbc_pkcs7(UnboundCipherKey::new(aes, enc_key).ok()?).ok()?;
    let iv: [u8; 16] = iv.try_into().ok()?;
    let mut in_out = ciphertext.to_vec();
    let n = key
        .decrypt(&mut in_out, DecryptionContext::Iv128(FixedLength::from(iv)))
        .ok()?
        .len();
    in_out.truncate(n);
    Some(in_out)
}

/// Encrypts with a fresh random IV; returns (IV, ciphertext, tag).
pub(crate) fn encrypt(
    enc: ContentEncryption,
    cek: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Option<(Vec<u8>, Vec<u8>, Vec<u8>)> {
    if cek.len() != enc.key_len() {
        return None;
    }
    let mut iv = vec![0u8; enc.iv_len()];
    aws_lc_rs::rand::fill(&mut iv).ok()?;
    if let Some(alg) = enc.gcm() {
        let key = LessSafeKey::new(UnboundKey::new(alg, cek).ok()?);
        let nonce = Nonce::try_assume_unique_for_key(&iv).ok()?;
        let mut in_out = plaintext.to_vec();
        let tag = key
            .seal_in_place_separate_tag(nonce, Aad::from(aad), &mut in_out)
            .ok()?;
        return Some((iv, in_out, tag.as_ref().to_vec()));
    }
    let (aes, mac) = enc.cbc();
    let (mac_key, enc_key) = cek.split_at(cek.len() / 2);
    let key =
        PaddedBlockEncryptingKey::cbc_pkcs7(UnboundCipherKey::new(aes, enc_key).ok()?).ok()?;
    let iv16: [u8; 16] = iv.as_slice().try_into().ok()?;
    let mut in_out = plaintext.to_vec();
    key.less_safe_encrypt(
        &mut in_out,
        EncryptionContext::Iv128(FixedLength::from(iv16)),
    )
    .ok()?;
    let full = cbc_tag(mac, mac_key, aad, &iv, &in_out);
    let tag = full.as_ref()[..enc.tag_len()].to_vec();
    Some((iv, in_out, tag))
}

/// HMAC over `AAD || IV || ciphertext || AL` (AL: the AAD length in bits, 64-bit big-endian).
fn cbc_tag(mac: hmac::Algorithm, key: &[u8], aad: &[u8], iv: &[u8], ct: &[u8]) -> hmac::Tag {
    let key = hmac::Key::new(mac, key);
    let mut ctx = hmac::Context::with_key(&key);
    ctx.update(aad);
    ctx.update(iv);
    ctx.update(ct);
    let bits = (aad.len() as u64).saturating_mul(8);
    ctx.update(&bits.to_be_bytes());
    ctx.sign()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_enc_round_trips_and_refuses_a_flipped_bit() {
        for enc in ContentEncryption::ALL {
            let cek = vec![7u8; enc.key_len()];
            let (iv, ct, tag) = encrypt(enc, &cek, b"aad", b"hello world").expect("encrypt");
            assert_eq!(
                decrypt(enc, &cek, &iv, b"aad", &ct, &tag).as_deref(),
                Some(&b"hello world"[..]),
                "{enc}"
            );
            let mut bad = ct.clone();
            bad[0] ^= 1;
            assert!(
                decrypt(enc, &cek, &iv, b"aad", &bad, &tag).is_none(),
                "{enc}"
            );
            assert!(
                decrypt(enc, &cek, &iv, b"aae", &ct, &tag).is_none(),
                "{enc}"
            );
        }
    }

    #[test]
    fn cbc_hs256_matches_rfc7518_appendix_b1() {
        // RFC 7518 Appendix B.1 (AES_128_CBC_HMAC_SHA_256), the tag T.
        let k: Vec<u8> = (0u8..32).collect();
        let iv = [
            0x1a, 0xf3, 0x8c, 0x2d, 0xc2, 0xb9, 0x6f, 0xfd, 0xd8, 0x66, 0x94, 0x09, 0x23, 0x41,
            0xbc, 0x04,
        ];
        let aad = b"The second principle of Auguste Kerckhoffs";
        let p = b"A cipher system must not be required to be secret, and it must be able to fall into the hands of the enemy without inconvenience";
        let (aes, mac) = ContentEncryption::A128CbcHs256.cbc();
        let key =
            PaddedBlockEncryptingKey::cbc_pkcs7(UnboundCipherKey::new(aes, &k[16..]).expect("key"))
                .expect("cbc");
        let mut ct = p.to_vec();
        key.less_safe_encrypt(&mut ct, EncryptionContext::Iv128(FixedLength::from(iv)))
            .expect("encrypt");
        let t = cbc_tag(mac, &k[..16], aad, &iv, &ct);
        assert_eq!(
            &t.as_ref()[..16],
            &[
                0x65, 0x2c, 0x3f, 0xa3, 0x6b, 0x0a, 0x7c, 0x5b, 0x32, 0x19, 0xfa, 0xb3, 0xa3, 0x0b,
                0xc1, 0xc4
            ]
        );
        assert_eq!(
            decrypt(
                ContentEncryption::A128CbcHs256,
                &k,
                &iv,
                aad,
                &ct,
                &t.as_ref()[..16]
            )
            .as_deref(),
            Some(&p[..])
        );
    }
}
