//! JOSE: compact JWS parsing, JSON Web Keys and signature verification (RFC 7515, 7517, 7518, 8037),
//! and compact JWE decryption and encryption (RFC 7516, [`jwe`]).
//!
//! The crypto is [`aws-lc-rs`](https://docs.rs/aws-lc-rs), the provider rustls and reqwest use by
//! default, so the binary carries one crypto library. Keys are parsed once, when a JWKS or a signer
//! key is loaded, into ready-to-use verification keys; a token is then verified without any key
//! parsing on the hot path.

mod alg;
pub(crate) mod b64;
pub(crate) mod credential;
mod der;
pub mod jwe;
mod jwk;
mod jws;
pub(crate) mod sign;

pub use alg::Alg;
pub use jwe::{ContentEncryption, DecryptionKey, EncryptionKey, KeyManagement};
pub use jwk::{Jwks, SignerKey, VerifyingKey};
pub use jws::{CompactJws, JwsHeader};
pub use sign::PrivateKey;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Decodes unpadded base64url (RFC 7515 §2); padding or other alphabets are refused.
pub fn b64url_decode(input: &str) -> Option<Vec<u8>> {
    b64::decode(input.as_bytes())
}

/// Encodes bytes as unpadded base64url.
pub fn b64url_encode(input: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(input)
}

/// Computes an `at_hash` / `c_hash` value (OpenID Connect Core §3.1.3.6, §3.3.2.11): the
/// base64url encoding of the left half of the hash of `value`, with the hash function of the
/// token's `alg` (SHA-512 for EdDSA with Ed25519). Returns `None` for algorithms without a hash.
pub fn half_hash(alg: &Alg, value: &str) -> Option<String> {
    let digest_alg = alg.hash()?;
    let d = aws_lc_rs::digest::digest(digest_alg, value.as_bytes());
    let bytes = d.as_ref();
    Some(b64url_encode(&bytes[..bytes.len() / 2]))
}

/// Fills `buf` with bytes from the operating system's CSPRNG.
pub(crate) fn random_bytes(buf: &mut [u8]) -> crate::Result<()> {
    use aws_lc_rs::rand::SecureRandom as _;
    aws_lc_rs::rand::SystemRandom::new()
        .fill(buf)
        .map_err(|_| crate::Error::invalid_key("the system random number generator failed"))
}

/// A fresh random value of `n` bytes, base64url encoded (for state, nonce, PKCE verifiers, jti).
pub(crate) fn random_token(n: usize) -> crate::Result<String> {
    let mut buf = vec![0u8; n];
    random_bytes(&mut buf)?;
    Ok(b64url_encode(&buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_hash_matches_oidc_core_example() {
        // OpenID Connect Core, Appendix A.4: access token and its at_hash (RS256).
        let at = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y";
        assert_eq!(
            half_hash(&Alg::RS256, at).as_deref(),
            Some("77QmUPtjPfzWtF2AnpK9RQ")
        );
    }

    #[test]
    fn base64url_refuses_padding_and_std_alphabet() {
        assert!(b64url_decode("YQ==").is_none());
        assert!(b64url_decode("+/").is_none());
        assert_eq!(b64url_decode("YQ").as_deref(), Some(&b"a"[..]));
    }
}
