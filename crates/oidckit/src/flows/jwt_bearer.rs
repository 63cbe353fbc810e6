//! JWT bearer assertions, [RFC 7523](https://www.rfc-editor.org/rfc/rfc7523) §2.1 and §3:
//! service accounts that sign their own assertion (Google's JSON key; the seed's
//! `JWTServiceProvider=0`, `JWTIssuer`, `JWTSubject`, `JWTAudience`, `JWTValidityTime`,
//! `JWTJSONKey`) and the decoded payload of JWT access tokens (the seed's `JWTPayload`).
//!
//! Microsoft Entra ID certificate credentials (`JWTServiceProvider=1`) are client
//! authentication instead: set [`ClientConfig::client_key`](crate::ClientConfig::client_key)
//! to a key with its certificate (e.g. [`PrivateKey::from_pkcs12`]) and call
//! [`Client::client_credentials`](crate::Client::client_credentials).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use crate::jose::{CompactJws, PrivateKey};
use crate::{Client, ClientConfig, Error, ProviderMetadata, Result};

/// The `grant_type` of RFC 7523 §2.1.
pub const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// A JWT bearer assertion to sign: `iss`, optional `sub`, `aud`, optional `scope` (Google),
/// `iat` and `exp`, plus any extra claims.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct JwtAssertion {
    /// `iss` (the seed's `JWTIssuer`): for Google, the service account's `client_email`.
    pub issuer: String,
    /// `sub` (the seed's `JWTSubject`): the user to impersonate (Google domain-wide
    /// delegation). Default: none.
    pub subject: Option<String>,
    /// `aud` (the seed's `JWTAudience`): the token endpoint.
    pub audience: String,
    /// `scope` claim (Google), space separated. Default: none.
    pub scope: Option<String>,
    /// `exp - iat` (the seed's `JWTValidityTime`). Default: 3600 s (Google's maximum).
    pub validity: Duration,
    /// Any other claims. Default: none.
    pub extra: Map<String, Value>,
    /// The signing key (its `kid` and algorithm go in the header).
    pub key: PrivateKey,
}

impl JwtAssertion {
    /// An assertion with the required parts and defaults for the rest.
    pub fn new(
        issuer: impl Into<String>,
        audience: impl Into<String>,
        key: PrivateKey,
    ) -> JwtAssertion {
        JwtAssertion {
            issuer: issuer.into(),
            subject: None,
            audience: audience.into(),
            scope: None,
            validity: Duration::from_secs(3600),
            extra: Map::new(),
            key,
        }
    }

    /// The claim set as of `now`.
    pub fn claims(&self, now: SystemTime) -> Map<String, Value> {
        let iat = now
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        let mut m = self.extra.clone();
        m.insert("iss".into(), self.issuer.clone().into());
        if let Some(sub) = &self.subject {
            m.insert("sub".into(), sub.clone().into());
        }
        m.insert("aud".into(), self.audience.clone().into());
        if let Some(scope) = &self.scope {
            m.insert("scope".into(), scope.clone().into());
        }
        m.insert("iat".into(), iat.into());
        m.insert("exp".into(), (iat + self.validity.as_secs()).into());
        m
    }

    /// Signs the assertion as of now.
    pub fn sign(&self) -> Result<String> {
        self.key.sign_jwt(&self.claims(SystemTime::now()))
    }
}

/// A Google-style service account key (the JSON file from the cloud console; the seed's
/// `JWTJSONKey`). Debug output omits the private key.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServiceAccountKey {
    /// `client_email`: the assertion's issuer.
    pub client_email: String,
    /// `client_id`, when present.
    pub client_id: Option<String>,
    /// `private_key_id`: the `kid` of the assertion.
    pub private_key_id: Option<String>,
    /// `token_uri`: the token endpoint and the assertion's audience.
    pub token_uri: String,
    /// `project_id`, when present.
    pub project_id: Option<String>,
    /// The parsed `private_key`.
    pub key: PrivateKey,
}

impl ServiceAccountKey {
    /// Reads the key from JSON text, or from a file when `path_or_json` does not start with
    /// `{` (the seed's "data or file path"). Code 913 when a field is missing or malformed.
    pub fn load(path_or_json: &str) -> Result<ServiceAccountKey> {
        if path_or_json.trim_start().starts_with('{') {
            return Self::from_json(path_or_json);
        }
        let text =
            std::fs::read_to_string(path_or_json).map_err(|e| Error::InvalidServiceAccountKey {
                field: None,
                reason: format!("cannot read {path_or_json}: {e}"),
            })?;
        Self::from_json(&text)
    }

    /// Parses the JSON key.
    pub fn from_json(json: &str) -> Result<ServiceAccountKey> {
        let map: Map<String, Value> =
            serde_json::from_str(json).map_err(|e| Error::InvalidServiceAccountKey {
                field: None,
                reason: format!("not a JSON object: {e}"),
            })?;
        let text = |n: &str| map.get(n).and_then(Value::as_str).map(str::to_string);
        let need = |n: &'static str| {
            text(n).ok_or(Error::InvalidServiceAccountKey {
                field: Some(n),
                reason: format!("the key has no `{n}`"),
            })
        };
        if let Some(t) = text("type").filter(|t| t != "service_account") {
            return Err(Error::InvalidServiceAccountKey {
                field: Some("type"),
                reason: format!("type is {t:?}, not \"service_account\""),
            });
        }
        let pem = need("private_key")?;
        let private_key_id = text("private_key_id");
        let mut key = PrivateKey::from_pem(&pem).map_err(|e| Error::InvalidServiceAccountKey {
            field: Some("private_key"),
            reason: e.to_string(),
        })?;
        if let Some(kid) = &private_key_id {
            key = key.with_kid(kid.clone());
        }
        Ok(ServiceAccountKey {
            client_email: need("client_email")?,
            client_id: text("client_id"),
            private_key_id,
            token_uri: need("token_uri")?,
            project_id: text("project_id"),
            key,
        })
    }

    /// An RS256 assertion for `scope`, optionally impersonating `subject`.
    pub fn assertion(&self, scope: &str, subject: Option<&str>) -> JwtAssertion {
        let mut a = JwtAssertion::new(&self.client_email, &self.token_uri, self.key.clone());
        a.scope = Some(scope.to_string());
        a.subject = subject.map(str::to_string);
        a
    }

    /// A client whose token endpoint is the key's `token_uri` (no discovery), for
    /// [`Client::jwt_bearer`].
    pub fn client(&self) -> Result<Client> {
        let url =
            url::Url::parse(&self.token_uri).map_err(|e| Error::InvalidServiceAccountKey {
                field: Some("token_uri"),
                reason: e.to_string(),
            })?;
        let issuer = url.origin().ascii_serialization();
        let mut metadata = ProviderMetadata::new(issuer.clone());
        metadata.token_endpoint = Some(self.token_uri.clone());
        let mut config = ClientConfig::new(issuer, &self.client_email);
        config.auth_method = Some(crate::AuthMethod::None);
        Client::new(config, metadata)
    }
}

/// The claims an application asked for in an assertion (the seed's `JWTIssuer`, `JWTSubject`
/// and `JWTAudience`), each `None` when not given. RFC 7523 §3 decides what they become.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestedClaims {
    /// `iss`. Default: none.
    pub issuer: Option<String>,
    /// `sub`. Default: none.
    pub subject: Option<String>,
    /// `aud`. Default: none.
    pub audience: Option<String>,
}

/// A requested claim that an assertion cannot carry, and the value it must have.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClaimConflict {
    /// `iss`, `sub` or `aud`.
    pub claim: &'static str,
    /// The value asked for.
    pub requested: String,
    /// The value RFC 7523 requires.
    pub required: String,
}

impl RequestedClaims {
    /// The client id of a client assertion (RFC 7523 §2.2 and §3): `client_id`, or the
    /// requested issuer when `client_id` is empty. Its `iss` and `sub` are that client id and
    /// its `aud` the token endpoint, so a requested value that differs is a conflict (the first
    /// in the order `iss`, `sub`, `aud`).
    pub fn client_assertion_id(
        &self,
        client_id: &str,
        token_endpoint: &str,
    ) -> std::result::Result<String, ClaimConflict> {
        let id = match (client_id, &self.issuer) {
            ("", Some(issuer)) => issuer.clone(),
            _ => client_id.to_string(),
        };
        let fixed = [
            ("iss", &self.issuer, id.as_str()),
            ("sub", &self.subject, id.as_str()),
            ("aud", &self.audience, token_endpoint),
        ];
        for (claim, requested, required) in fixed {
            if let Some(r) = requested.as_deref().filter(|r| *r != required) {
                return Err(ClaimConflict {
                    claim,
                    requested: r.to_string(),
                    required: required.to_string(),
                });
            }
        }
        Ok(id)
    }

    /// The assertion of the JWT bearer authorization grant (RFC 7523 §2.1 and §3): `iss` is the
    /// requested issuer, else the service account's `client_email`, else `client_id`; `aud` the
    /// requested audience, else the account's `token_uri`, else `token_endpoint`; `sub` as
    /// requested. `None` when there is no issuer at all.
    pub fn grant_assertion(
        &self,
        key: PrivateKey,
        account: Option<&ServiceAccountKey>,
        client_id: &str,
        token_endpoint: &str,
    ) -> Option<JwtAssertion> {
        let issuer = [
            self.issuer.clone(),
            account.map(|a| a.client_email.clone()),
            Some(client_id.to_string()),
        ]
        .into_iter()
        .flatten()
        .find(|s| !s.is_empty())?;
        let audience = self.audience.clone().unwrap_or_else(|| {
            account.map_or_else(|| token_endpoint.to_string(), |a| a.token_uri.clone())
        });
        let mut a = JwtAssertion::new(issuer, audience, key);
        a.subject = self.subject.clone();
        Some(a)
    }
}

/// The payload of a JWT (e.g. a JWT access token), decoded **without verifying** its
/// signature (the seed's `JWTPayload`). Code 901 when it is not a JWS with a JSON payload.
pub fn unverified_payload(jwt: &str) -> Result<Map<String, Value>> {
    let jws = CompactJws::parse(jwt)?;
    match serde_json::from_slice(&jws.payload()?) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(Error::malformed("the payload is not a JSON object")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ed25519() -> PrivateKey {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let doc = aws_lc_rs::signature::Ed25519KeyPair::generate_pkcs8(&rng).expect("key");
        PrivateKey::from_pkcs8_der(doc.as_ref()).expect("key")
    }

    #[test]
    fn a_client_assertion_names_the_client_and_the_token_endpoint_only() {
        let asked = |iss: Option<&str>, sub: Option<&str>, aud: Option<&str>| RequestedClaims {
            issuer: iss.map(str::to_string),
            subject: sub.map(str::to_string),
            audience: aud.map(str::to_string),
        };
        let t = "https://op/token";
        assert_eq!(
            asked(None, None, None).client_assertion_id("c1", t),
            Ok("c1".into())
        );
        assert_eq!(
            asked(Some("c2"), Some("c2"), Some(t)).client_assertion_id("", t),
            Ok("c2".into())
        );
        let e = asked(None, Some("c2"), None)
            .client_assertion_id("c1", t)
            .expect_err("sub is not the client");
        assert_eq!((e.claim, e.required.as_str()), ("sub", "c1"));
        let e = asked(None, None, Some("https://other"))
            .client_assertion_id("c1", t)
            .expect_err("aud is not the token endpoint");
        assert_eq!((e.claim, e.requested.as_str()), ("aud", "https://other"));
    }

    #[test]
    fn a_grant_assertion_falls_back_to_the_client_id_and_the_token_endpoint() {
        let none = RequestedClaims::default();
        let a = none
            .grant_assertion(ed25519(), None, "c1", "https://op/token")
            .expect("issuer");
        assert_eq!(
            (a.issuer.as_str(), a.audience.as_str()),
            ("c1", "https://op/token")
        );
        assert!(
            none.grant_assertion(ed25519(), None, "", "https://op/token")
                .is_none()
        );
    }

    #[test]
    fn claims_follow_rfc_7523_section_3() {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let doc = aws_lc_rs::signature::Ed25519KeyPair::generate_pkcs8(&rng).expect("key");
        let key = PrivateKey::from_pkcs8_der(doc.as_ref()).expect("key");
        let mut a = JwtAssertion::new("sa@example.iam", "https://op/token", key);
        a.subject = Some("user@example.com".into());
        a.scope = Some("a b".into());
        let c = a.claims(UNIX_EPOCH + Duration::from_secs(100));
        assert_eq!(c["iss"], "sa@example.iam");
        assert_eq!(c["sub"], "user@example.com");
        assert_eq!(c["aud"], "https://op/token");
        assert_eq!(c["scope"], "a b");
        assert_eq!(
            (c["iat"].as_u64(), c["exp"].as_u64()),
            (Some(100), Some(3700))
        );
    }
}
