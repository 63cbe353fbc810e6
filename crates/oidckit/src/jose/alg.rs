//! JWS algorithm identifiers (RFC 7518 §3, RFC 8037).

use std::fmt;

use aws_lc_rs::digest;

/// A JWS `alg` value. Known algorithms have variants; anything else is kept as
/// [`Alg::Other`] so that it can be reported, never verified.
#[derive(Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Alg {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256.
    PS256,
    /// RSASSA-PSS with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512.
    PS512,
    /// ECDSA P-256 with SHA-256.
    ES256,
    /// ECDSA P-384 with SHA-384.
    ES384,
    /// ECDSA P-521 with SHA-512.
    ES512,
    /// EdDSA (Ed25519).
    EdDSA,
    /// HMAC with SHA-256 (key: the client secret).
    HS256,
    /// HMAC with SHA-384 (key: the client secret).
    HS384,
    /// HMAC with SHA-512 (key: the client secret).
    HS512,
    /// `none`: an unsecured JWS. Never accepted for verification.
    None,
    /// Any other value.
    #[doc(hidden)]
    Other(String),
}

impl Alg {
    /// Every algorithm this library can verify.
    pub const SUPPORTED: [Alg; 13] = [
        Alg::RS256,
        Alg::RS384,
        Alg::RS512,
        Alg::PS256,
        Alg::PS384,
        Alg::PS512,
        Alg::ES256,
        Alg::ES384,
        Alg::ES512,
        Alg::EdDSA,
        Alg::HS256,
        Alg::HS384,
        Alg::HS512,
    ];

    /// The registered name, e.g. `"RS256"`.
    pub fn as_str(&self) -> &str {
        match self {
            Alg::RS256 => "RS256",
            Alg::RS384 => "RS384",
            Alg::RS512 => "RS512",
            Alg::PS256 => "PS256",
            Alg::PS384 => "PS384",
            Alg::PS512 => "PS512",
            Alg::ES256 => "ES256",
            Alg::ES384 => "ES384",
            Alg::ES512 => "ES512",
            Alg::EdDSA => "EdDSA",
            Alg::HS256 => "HS256",
            Alg::HS384 => "HS384",
            Alg::HS512 => "HS512",
            Alg::None => "none",
            Alg::Other(s) => s,
        }
    }

    /// Whether this is an HMAC (shared-secret) algorithm.
    pub fn is_hmac(&self) -> bool {
        matches!(self, Alg::HS256 | Alg::HS384 | Alg::HS512)
    }

    /// Whether this library can verify signatures with this algorithm.
    pub fn is_supported(&self) -> bool {
        !matches!(self, Alg::None | Alg::Other(_))
    }

    /// The hash used by `at_hash` / `c_hash` for this algorithm.
    pub(crate) fn hash(&self) -> Option<&'static digest::Algorithm> {
        Some(match self {
            Alg::RS256 | Alg::PS256 | Alg::ES256 | Alg::HS256 => &digest::SHA256,
            Alg::RS384 | Alg::PS384 | Alg::ES384 | Alg::HS384 => &digest::SHA384,
            // Ed25519 uses SHA-512 internally; OpenID Foundation practice uses it for the hash claims.
            Alg::RS512 | Alg::PS512 | Alg::ES512 | Alg::HS512 | Alg::EdDSA => &digest::SHA512,
            Alg::None | Alg::Other(_) => return None,
        })
    }
}

impl From<&str> for Alg {
    fn from(s: &str) -> Alg {
        match s {
            "RS256" => Alg::RS256,
            "RS384" => Alg::RS384,
            "RS512" => Alg::RS512,
            "PS256" => Alg::PS256,
            "PS384" => Alg::PS384,
            "PS512" => Alg::PS512,
            "ES256" => Alg::ES256,
            "ES384" => Alg::ES384,
            "ES512" => Alg::ES512,
            "EdDSA" => Alg::EdDSA,
            "HS256" => Alg::HS256,
            "HS384" => Alg::HS384,
            "HS512" => Alg::HS512,
            "none" => Alg::None,
            other => Alg::Other(other.to_string()),
        }
    }
}

impl std::str::FromStr for Alg {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Alg, Self::Err> {
        Ok(Alg::from(s))
    }
}

impl fmt::Display for Alg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Alg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_name() {
        for alg in Alg::SUPPORTED.iter().chain([&Alg::None]) {
            assert_eq!(&Alg::from(alg.as_str()), alg);
        }
        assert_eq!(Alg::from("none"), Alg::None);
        assert!(!Alg::from("NONE").is_supported());
        assert!(!Alg::None.is_supported());
    }
}
