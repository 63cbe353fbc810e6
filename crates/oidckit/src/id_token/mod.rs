//! ID token validation: OpenID Connect Core 1.0 §3.1.3.7 (code flow), §3.2.2.11 (implicit),
//! §3.3.2.12 (hybrid) and §12.2 (refresh).
//!
//! Order of work: parse the header; decode and parse the claims, so that a malformed token is
//! reported as such (901) rather than as a bad signature; check `crit` and the algorithm
//! allow-list, select the key and verify the signature; only then check the claims. Nothing of
//! the payload is used before the signature verifies (a [`ClaimSink`] fed during the parse is
//! handed back only when every check passed).

use std::fmt;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::hmac;
use serde_json::{Map, Value};

use crate::error::ClaimCheck;
use crate::jose::{Alg, CompactJws, Jwks, JwsHeader, half_hash};
use crate::{Error, Result};

pub(crate) mod jwks;
mod profile;
mod registered;

pub use profile::TokenProfile;
pub use registered::ClaimSink;

use registered::{Field, Registered, optional_str, optional_time, required_str, required_time};

/// A verified ID token: the raw JWT, its header and its claims.
#[derive(Clone)]
pub struct IdToken {
    raw: String,
    header: JwsHeader,
    /// The decoded payload, a JSON object (checked during validation).
    payload: Vec<u8>,
    /// The claims map, built on first access: validation itself reads the claims zero-copy.
    claims: OnceLock<Claims>,
}

/// The claims of a verified token, with typed accessors for the registered ones; every other
/// claim stays reachable through [`Claims::get`] and [`Claims::as_map`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Claims(Map<String, Value>);

/// Per-token expectations: what this particular response must match.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Checks<'a> {
    /// The nonce sent in the authorization request; when set, the token must carry it.
    pub nonce: Option<&'a str>,
    /// The `max_age` sent; when set, `auth_time` is required and must be recent enough.
    pub max_age: Option<Duration>,
    /// The access token returned with the ID token; its `at_hash` is checked when present.
    pub access_token: Option<&'a str>,
    /// Whether `at_hash` must be present (implicit `id_token token`, hybrid `code id_token token`).
    pub require_at_hash: bool,
    /// The authorization code returned with the ID token; its `c_hash` is checked when present.
    pub code: Option<&'a str>,
    /// Whether `c_hash` must be present (hybrid `code id_token`).
    pub require_c_hash: bool,
    /// Validate as of this time instead of now (e.g. to debug a token from old logs).
    pub now: Option<SystemTime>,
}

/// Validates ID tokens for one client of one issuer, with a fixed algorithm policy.
///
/// Build it once and share it (`&Validator` is `Sync`): it holds the parsed HMAC keys.
#[derive(Clone)]
pub struct Validator {
    issuer: String,
    /// Whether `issuer` is Microsoft's `{tenantid}` template (computed once).
    tenant_template: bool,
    client_id: String,
    allowed: Vec<Alg>,
    hmac: Vec<(Alg, hmac::Key)>,
    leeway: i64,
    /// Which kind of JWT (ID token by default).
    profile: TokenProfile,
    /// The `client_id`/`azp` an access token or JWT must name, when set.
    authorized_party: Option<String>,
    /// RFC 9068 strict mode for access tokens (`typ` `at+jwt`, `jti`, `client_id`).
    strict_typ: bool,
}

impl Validator {
    /// A validator for `issuer` and `client_id` that accepts `RS256` only, with a 60 s leeway.
    pub fn new(issuer: impl Into<String>, client_id: impl Into<String>) -> Validator {
        let issuer = issuer.into();
        Validator {
            tenant_template: issuer.contains("{tenantid}"),
            issuer,
            client_id: client_id.into(),
            allowed: vec![Alg::RS256],
            hmac: Vec::new(),
            leeway: 60,
            profile: TokenProfile::IdToken,
            authorized_party: None,
            strict_typ: false,
        }
    }

    /// Sets the kind of JWT checked (see [`TokenProfile`]). For [`TokenProfile::AccessToken`]
    /// the `client_id` given to [`Validator::new`] is the expected audience (the resource);
    /// for [`TokenProfile::Jwt`] an empty one means `aud` is not checked.
    pub fn with_profile(mut self, profile: TokenProfile) -> Validator {
        self.profile = profile;
        self
    }

    /// The `client_id` (or, without one, `azp`) an access token or JWT must carry. Ignored for
    /// ID tokens, whose `azp` is always checked against the client id.
    pub fn with_authorized_party(mut self, client_id: impl Into<String>) -> Validator {
        self.authorized_party = Some(client_id.into());
        self
    }

    /// RFC 9068 strict mode for [`TokenProfile::AccessToken`]: the header `typ` must be
    /// `at+jwt` or `application/at+jwt`, and `jti` and `client_id` are required.
    pub fn with_strict_typ(mut self, strict: bool) -> Validator {
        self.strict_typ = strict;
        self
    }

    /// Sets the algorithm allow-list. `none` and unsupported names are dropped; HMAC
    /// algorithms stay usable only if a client secret is set.
    pub fn with_allowed_algs(mut self, algs: impl IntoIterator<Item = Alg>) -> Validator {
        self.allowed = algs.into_iter().filter(Alg::is_supported).collect();
        self
    }

    /// Sets the client secret used as the key of HMAC-signed tokens (never a public key).
    pub fn with_client_secret(mut self, secret: &str) -> Validator {
        self.hmac = vec![
            (
                Alg::HS256,
                hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes()),
            ),
            (
                Alg::HS384,
                hmac::Key::new(hmac::HMAC_SHA384, secret.as_bytes()),
            ),
            (
                Alg::HS512,
                hmac::Key::new(hmac::HMAC_SHA512, secret.as_bytes()),
            ),
        ];
        self
    }

    /// Sets the tolerated clock skew.
    pub fn with_leeway(mut self, leeway: Duration) -> Validator {
        self.leeway = i64::try_from(leeway.as_secs()).unwrap_or(i64::MAX);
        self
    }

    /// The expected issuer.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The algorithms accepted.
    pub fn allowed_algs(&self) -> &[Alg] {
        &self.allowed
    }

    /// Fully validates `token` with the keys of `jwks`.
    ///
    /// Errors: 901 when it is not a compact JWS or its claims are not a JSON object; 903 for
    /// every failed check ([`Error::NoMatchingKey`] when no key fits, which a caller with a JWKS
    /// URL answers by re-fetching the key set once).
    pub fn validate(&self, token: &str, jwks: &Jwks, checks: &Checks<'_>) -> Result<IdToken> {
        let jws = CompactJws::parse(token)?;
        let payload = self.validate_parsed(&jws, jwks, checks)?;
        Ok(IdToken::new(token, jws.header, payload))
    }

    /// [`Validator::validate`] that builds `sink` from the claims in the same pass that reads
    /// them for the checks and returns it, instead of an [`IdToken`]: for callers that turn
    /// the claims into their own objects (see [`ClaimSink`]). Same checks, same errors.
    pub fn validate_into<S: for<'de> ClaimSink<'de>>(
        &self,
        token: &str,
        jwks: &Jwks,
        checks: &Checks<'_>,
        mut sink: S,
    ) -> Result<S> {
        let jws = CompactJws::parse(token)?;
        self.validate_parsed_into(&jws, jwks, checks, &mut sink)?;
        Ok(sink)
    }

    /// [`Validator::validate`] of a token its caller has already parsed (to pick the keys by
    /// its header): every check, and the decoded payload when they all pass.
    pub(crate) fn validate_parsed(
        &self,
        jws: &CompactJws<'_>,
        jwks: &Jwks,
        checks: &Checks<'_>,
    ) -> Result<Vec<u8>> {
        // Every part is decoded and parsed before the signature is checked, so that a token
        // that is not well-formed is reported as such (901), not as a bad signature (903).
        // Nothing of the payload is trusted before the signature has verified.
        let payload = jws.payload()?;
        let claims = Registered::parse(&payload)?;
        self.verify_signature(jws, jwks)?;
        self.check_typ(&jws.header)?;
        self.check_claims(&jws.header.alg, &claims, checks)?;
        Ok(payload)
    }

    /// [`Validator::validate_parsed`] that feeds `sink` from the same pass over the claims
    /// that reads them for the checks, instead of returning the payload.
    pub(crate) fn validate_parsed_into<S: for<'de> ClaimSink<'de>>(
        &self,
        jws: &CompactJws<'_>,
        jwks: &Jwks,
        checks: &Checks<'_>,
        sink: &mut S,
    ) -> Result<()> {
        // A typical payload decodes on the stack; a long one into a vector.
        let mut stack = [0u8; 2048];
        let heap;
        let payload: &[u8] = match jws.payload_into(&mut stack) {
            Some(n) => &stack[..n],
            None => {
                heap = jws.payload()?;
                &heap
            }
        };
        let claims = Registered::parse_into(payload, sink)?;
        self.verify_signature(jws, jwks)?;
        self.check_typ(&jws.header)?;
        self.check_claims(&jws.header.alg, &claims, checks)
    }

    /// Checks `crit`, the algorithm and the signature, without looking at the claims.
    pub fn verify_signature(&self, jws: &CompactJws<'_>, jwks: &Jwks) -> Result<()> {
        let header = &jws.header;
        if let Some(crit) = &header.crit {
            // We implement no JWS extensions, so any critical one must be refused (RFC 7515 §4.1.11).
            let name = crit
                .first()
                .cloned()
                .unwrap_or_else(|| "(empty crit list)".into());
            return Err(Error::UnsupportedCriticalHeader { name });
        }
        let alg = &header.alg;
        if !alg.is_supported()
            || !self.allowed.contains(alg)
            || (alg.is_hmac() && self.hmac.is_empty())
        {
            return Err(Error::AlgorithmNotAllowed {
                alg: alg.as_str().to_string(),
                allowed: self.allowed_list(),
            });
        }
        let ok = if alg.is_hmac() {
            self.hmac
                .iter()
                .find(|(a, _)| a == alg)
                .is_some_and(|(_, key)| {
                    hmac::verify(key, jws.signing_input(), jws.signature()).is_ok()
                })
        } else {
            let key = jwks
                .select(header.kid.as_deref(), alg)
                .map_err(|candidates| Error::NoMatchingKey {
                    kid: header.kid.clone(),
                    alg: alg.as_str().to_string(),
                    candidates,
                })?;
            key.verify(alg, jws.signing_input(), jws.signature())
        };
        if ok {
            Ok(())
        } else {
            Err(Error::BadSignature {
                alg: alg.as_str().to_string(),
                kid: header.kid.clone(),
            })
        }
    }

    fn allowed_list(&self) -> String {
        let mut names: Vec<&str> = self
            .allowed
            .iter()
            .filter(|a| !a.is_hmac() || !self.hmac.is_empty())
            .map(Alg::as_str)
            .collect();
        if names.is_empty() {
            names.push("(none)");
        }
        names.join(", ")
    }

    /// The claim checks of Core §3.1.3.7 steps 2–13 (signature excluded).
    fn check_claims(&self, alg: &Alg, claims: &Registered<'_>, checks: &Checks<'_>) -> Result<()> {
        let now = unix_time(checks.now.unwrap_or_else(SystemTime::now));
        let leeway = self.leeway;
        if self.profile != TokenProfile::IdToken {
            return self.check_profile_claims(claims, now);
        }

        // iss: exact match, or Microsoft's {tenantid} template filled with the token's tid.
        let iss = required_str(&claims.iss, "iss")?;
        if self.tenant_template {
            let tid = required_str(&claims.tid, "tid")?;
            let expected = self.issuer.replace("{tenantid}", tid);
            if iss != expected {
                return Err(mismatch("iss", &expected, iss));
            }
        } else if iss != self.issuer {
            return Err(mismatch("iss", &self.issuer, iss));
        }

        let sub = required_str(&claims.sub, "sub")?;
        if sub.is_empty() {
            return Err(Error::claim(
                "sub",
                ClaimCheck::Missing,
                None,
                Some("\"\"".into()),
            ));
        }

        // aud must contain client_id; azp, when present, must be client_id. Since errata set 2
        // (Dec 2023) Core §3.1.3.7 step 5 no longer requires azp when there are several
        // audiences.
        let client_id = self.client_id.as_str();
        let has_client = match &claims.aud {
            Some(Field::Str(a)) => a == client_id,
            Some(Field::Strs(list)) if !list.is_empty() => list.iter().any(|a| a == client_id),
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
        if !has_client {
            return Err(Error::claim(
                "aud",
                ClaimCheck::Mismatch,
                Some(format!("{client_id:?}")),
                claims.aud.as_ref().map(ToString::to_string),
            ));
        }
        match optional_str(&claims.azp, "azp")? {
            Some(azp) if azp != client_id => return Err(mismatch("azp", client_id, azp)),
            _ => {}
        }

        let exp = required_time(&claims.exp, "exp")?;
        if now > exp.saturating_add(leeway) {
            return Err(Error::claim(
                "exp",
                ClaimCheck::Expired,
                Some(format!("> {now}")),
                Some(exp.to_string()),
            ));
        }
        let iat = required_time(&claims.iat, "iat")?;
        if iat > now.saturating_add(leeway) {
            return Err(Error::claim(
                "iat",
                ClaimCheck::NotYetValid,
                Some(format!("<= {now}")),
                Some(iat.to_string()),
            ));
        }
        if let Some(nbf) = optional_time(&claims.nbf, "nbf")?
            && nbf > now.saturating_add(leeway)
        {
            return Err(Error::claim(
                "nbf",
                ClaimCheck::NotYetValid,
                Some(format!("<= {now}")),
                Some(nbf.to_string()),
            ));
        }

        if let Some(expected) = checks.nonce {
            match optional_str(&claims.nonce, "nonce")? {
                Some(n) if n == expected => {}
                Some(n) => return Err(mismatch("nonce", expected, n)),
                None => {
                    return Err(Error::claim(
                        "nonce",
                        ClaimCheck::Missing,
                        Some(format!("{expected:?}")),
                        None,
                    ));
                }
            }
        }

        if let Some(max_age) = checks.max_age {
            let auth_time = optional_time(&claims.auth_time, "auth_time")?.ok_or_else(|| {
                Error::claim(
                    "auth_time",
                    ClaimCheck::Missing,
                    Some("present because max_age was requested".into()),
                    None,
                )
            })?;
            let max_age = i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX);
            if now > auth_time.saturating_add(max_age).saturating_add(leeway) {
                return Err(Error::claim(
                    "auth_time",
                    ClaimCheck::TooOld,
                    Some(format!(">= {}", now.saturating_sub(max_age))),
                    Some(auth_time.to_string()),
                ));
            }
        }

        check_hash(
            &claims.at_hash,
            "at_hash",
            alg,
            checks.access_token,
            checks.require_at_hash,
        )?;
        check_hash(
            &claims.c_hash,
            "c_hash",
            alg,
            checks.code,
            checks.require_c_hash,
        )?;
        Ok(())
    }
}

impl fmt::Debug for Validator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Validator")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("allowed", &self.allowed)
            .field(
                "hmac_secret",
                &if self.hmac.is_empty() {
                    "none"
                } else {
                    "[redacted]"
                },
            )
            .field("leeway", &self.leeway)
            .field("profile", &self.profile)
            .finish()
    }
}

fn check_hash(
    field: &Option<Field<'_>>,
    name: &'static str,
    alg: &Alg,
    value: Option<&str>,
    required: bool,
) -> Result<()> {
    match (optional_str(field, name)?, value) {
        (Some(found), Some(value)) => {
            let expected = half_hash(alg, value)
                .ok_or_else(|| Error::claim(name, ClaimCheck::Mismatch, None, None))?;
            if found != expected {
                return Err(mismatch(name, &expected, found));
            }
            Ok(())
        }
        (None, Some(_)) if required => Err(Error::claim(name, ClaimCheck::Missing, None, None)),
        _ => Ok(()),
    }
}

fn mismatch(claim: &'static str, expected: &str, found: &str) -> Error {
    Error::claim(
        claim,
        ClaimCheck::Mismatch,
        Some(format!("{expected:?}")),
        Some(format!("{found:?}")),
    )
}

pub(crate) fn unix_time(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

impl IdToken {
    /// A token whose checks all passed.
    pub(crate) fn new(token: &str, header: JwsHeader, payload: Vec<u8>) -> IdToken {
        IdToken {
            raw: token.trim().to_string(),
            header,
            payload,
            claims: OnceLock::new(),
        }
    }

    /// The compact JWT as received (seed: `IDToken`).
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The JOSE header.
    pub fn header(&self) -> &JwsHeader {
        &self.header
    }

    /// The decoded payload: the verified claims as the JSON object the issuer signed, for
    /// callers that turn them into their own types without building [`Claims`] first.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The verified claims.
    pub fn claims(&self) -> &Claims {
        // The payload was fully parsed as a JSON object during validation, so this cannot fail;
        // an empty map would only hide a bug, never accept a token.
        self.claims
            .get_or_init(|| Claims::from_payload(&self.payload).unwrap_or_default())
    }
}

impl fmt::Debug for IdToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdToken")
            .field("raw", &"[redacted]")
            .field("header", &self.header)
            .field("claims", self.claims())
            .finish()
    }
}

impl Claims {
    /// Parses a JSON object of claims (code 901 otherwise).
    pub fn from_payload(payload: &[u8]) -> Result<Claims> {
        match serde_json::from_slice::<Value>(payload) {
            Ok(Value::Object(map)) => Ok(Claims(map)),
            Ok(_) => Err(Error::malformed("the claims are not a JSON object")),
            Err(e) => Err(Error::malformed(format!("the claims are not JSON: {e}"))),
        }
    }

    /// Wraps a claims map.
    pub fn from_map(map: Map<String, Value>) -> Claims {
        Claims(map)
    }

    /// Any claim by name.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    /// A string claim by name.
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(Value::as_str)
    }

    /// All claims.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }

    /// All claims, owned.
    pub fn into_map(self) -> Map<String, Value> {
        self.0
    }

    /// `iss`.
    pub fn issuer(&self) -> Option<&str> {
        self.get_str("iss")
    }

    /// `sub`.
    pub fn subject(&self) -> Option<&str> {
        self.get_str("sub")
    }

    /// `aud` as a list (a single string becomes one element; wrong types give an empty list).
    pub fn audience(&self) -> Vec<&str> {
        self.audiences().unwrap_or_default()
    }

    /// `exp` in seconds since the epoch.
    pub fn expiration(&self) -> Option<i64> {
        self.optional_time("exp").ok().flatten()
    }

    /// `iat` in seconds since the epoch.
    pub fn issued_at(&self) -> Option<i64> {
        self.optional_time("iat").ok().flatten()
    }

    /// `auth_time` in seconds since the epoch.
    pub fn auth_time(&self) -> Option<i64> {
        self.optional_time("auth_time").ok().flatten()
    }

    /// `nonce`.
    pub fn nonce(&self) -> Option<&str> {
        self.get_str("nonce")
    }

    fn audiences(&self) -> Result<Vec<&str>> {
        match self.0.get("aud") {
            Some(Value::String(s)) => Ok(vec![s.as_str()]),
            Some(Value::Array(items)) if !items.is_empty() => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .ok_or_else(|| Error::claim("aud", ClaimCheck::WrongType, None, None))
                })
                .collect(),
            Some(_) => Err(Error::claim(
                "aud",
                ClaimCheck::WrongType,
                Some("a string or array of strings".into()),
                None,
            )),
            None => Err(Error::claim("aud", ClaimCheck::Missing, None, None)),
        }
    }

    fn optional_time(&self, name: &'static str) -> Result<Option<i64>> {
        match self.0.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
                .map(Some)
                .ok_or_else(|| {
                    Error::claim(
                        name,
                        ClaimCheck::WrongType,
                        Some("seconds since the epoch".into()),
                        None,
                    )
                }),
            Some(_) => Err(Error::claim(
                name,
                ClaimCheck::WrongType,
                Some("a number".into()),
                None,
            )),
        }
    }
}

impl serde::Serialize for Claims {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}
