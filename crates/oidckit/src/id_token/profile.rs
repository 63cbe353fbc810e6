//! Other kinds of JWT than ID tokens, for [`Validator::with_profile`]: RFC 9068 JWT access
//! tokens and plain signed JWTs (RFC 7519 §7.2 with the claim checks below).
//!
//! The signature and algorithm rules are the ID token's; only the claim rules differ.

use crate::error::ClaimCheck;
use crate::jose::JwsHeader;
use crate::{Error, Result};

use super::registered::{Registered, optional_str, optional_time, required_str, required_time};
use super::{Validator, mismatch};

/// What kind of JWT a [`Validator`] checks. Default: [`TokenProfile::IdToken`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TokenProfile {
    /// An OpenID Connect ID token (Core §3.1.3.7): `iss`, `sub`, `aud` with the client id,
    /// `azp`, `exp`, `iat`, and the per-response nonce and hash checks.
    #[default]
    IdToken,
    /// An RFC 9068 JWT access token: `iss`; `aud` contains the resource (the validator's
    /// audience); `sub`, `exp` and `iat` present; `client_id` (or `azp`) compared only with
    /// [`Validator::with_authorized_party`]. With [`Validator::with_strict_typ`] the header
    /// `typ` must be `at+jwt` (or `application/at+jwt`) and `jti` and `client_id` are
    /// required (RFC 9068 §2.1–2.2, §4). No nonce, `at_hash` or `azp`-for-several-audiences
    /// rules.
    AccessToken,
    /// Any signed JWT, e.g. a service-account identity token: `iss`; `aud` only when the
    /// validator's audience is not empty; `exp`, `nbf` and `iat` only when present; `sub` not
    /// required; `client_id`/`azp` as for access tokens.
    Jwt,
}

impl Validator {
    /// Checks the header `typ` an access token must have in strict mode (after the signature
    /// verified, so nothing unverified is acted on).
    pub(super) fn check_typ(&self, header: &JwsHeader) -> Result<()> {
        if self.profile != TokenProfile::AccessToken || !self.strict_typ {
            return Ok(());
        }
        let typ = header.typ.as_deref().unwrap_or("");
        let media = typ
            .get(..12)
            .filter(|p| p.eq_ignore_ascii_case("application/"))
            .map_or(typ, |_| &typ[12..]);
        if media.eq_ignore_ascii_case("at+jwt") {
            return Ok(());
        }
        Err(Error::claim(
            "typ",
            ClaimCheck::Mismatch,
            Some("\"at+jwt\" in the header (RFC 9068 §2.1)".into()),
            Some(if typ.is_empty() {
                "none".into()
            } else {
                format!("{typ:?}")
            }),
        ))
    }

    /// The claim checks of the [`TokenProfile::AccessToken`] and [`TokenProfile::Jwt`] profiles.
    pub(super) fn check_profile_claims(&self, claims: &Registered<'_>, now: i64) -> Result<()> {
        let leeway = self.leeway;
        let access = self.profile == TokenProfile::AccessToken;
        let iss = required_str(&claims.iss, "iss")?;
        if iss != self.issuer {
            return Err(mismatch("iss", &self.issuer, iss));
        }
        if access {
            let sub = required_str(&claims.sub, "sub")?;
            if sub.is_empty() {
                return Err(Error::claim("sub", ClaimCheck::Missing, None, None));
            }
        } else {
            optional_str(&claims.sub, "sub")?;
        }
        if access || !self.client_id.is_empty() {
            self.check_audience(claims)?;
        }
        if let Some(party) = &self.authorized_party {
            let found = match optional_str(&claims.client_id, "client_id")? {
                Some(c) => Some(("client_id", c)),
                None => optional_str(&claims.azp, "azp")?.map(|a| ("azp", a)),
            };
            match found {
                Some((_, c)) if c == party => {}
                Some((name, c)) => return Err(mismatch(name, party, c)),
                None => {
                    return Err(Error::claim(
                        "client_id",
                        ClaimCheck::Missing,
                        Some(format!("{party:?}")),
                        None,
                    ));
                }
            }
        }
        if access && self.strict_typ {
            required_str(&claims.client_id, "client_id")?;
            required_str(&claims.jti, "jti")?;
        }
        let exp = if access {
            Some(required_time(&claims.exp, "exp")?)
        } else {
            optional_time(&claims.exp, "exp")?
        };
        if let Some(exp) = exp
            && now > exp.saturating_add(leeway)
        {
            return Err(Error::claim(
                "exp",
                ClaimCheck::Expired,
                Some(format!("> {now}")),
                Some(exp.to_string()),
            ));
        }
        let iat = if access {
            Some(required_time(&claims.iat, "iat")?)
        } else {
            optional_time(&claims.iat, "iat")?
        };
        for (name, t) in [("iat", iat), ("nbf", optional_time(&claims.nbf, "nbf")?)] {
            if let Some(t) = t
                && t > now.saturating_add(leeway)
            {
                return Err(Error::claim(
                    name,
                    ClaimCheck::NotYetValid,
                    Some(format!("<= {now}")),
                    Some(t.to_string()),
                ));
            }
        }
        Ok(())
    }

    /// `aud` (a string or a list) must contain the validator's audience.
    fn check_audience(&self, claims: &Registered<'_>) -> Result<()> {
        use super::registered::Field;
        let expected = self.client_id.as_str();
        let ok = match &claims.aud {
            Some(Field::Str(a)) => a == expected,
            Some(Field::Strs(list)) => list.iter().any(|a| a == expected),
            Some(_) => {
                return Err(Error::claim(
                    "aud",
                    ClaimCheck::WrongType,
                    Some("a string or array of strings".into()),
                    None,
                ));
            }
            None => return Err(Error::claim("aud", ClaimCheck::Missing, None, None)),
        };
        if ok {
            return Ok(());
        }
        Err(Error::claim(
            "aud",
            ClaimCheck::Mismatch,
            Some(format!("{expected:?}")),
            claims.aud.as_ref().map(ToString::to_string),
        ))
    }
}
