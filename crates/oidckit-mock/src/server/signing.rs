//! Signing: ID tokens, user claims, keys per algorithm and the attacks on them.

use jsonwebtoken::EncodingKey;
use serde_json::{Map, Value, json};

use super::state::{Shared, now};
use crate::keys::{SigningKey, compact_sign, half_hash, signing_input, tamper_signature};
use crate::{Misbehavior, SigningAlg};

impl Shared {
    /// The HMAC secret for `client_id` (HS* algorithms).
    pub(super) fn client_secret(&self, client_id: Option<&str>) -> Result<Vec<u8>, String> {
        let by_id = client_id
            .and_then(|id| self.client(id))
            .and_then(|c| c.client_secret.clone());
        let any = || {
            self.config
                .clients
                .iter()
                .find_map(|c| c.client_secret.clone())
        };
        by_id
            .or_else(|| if client_id.is_none() { any() } else { None })
            .map(String::into_bytes)
            .ok_or_else(|| "HMAC signing needs a confidential client's secret".to_owned())
    }

    /// Header + key for a normal (non-misbehaving) signature with `alg`.
    pub(super) fn header_and_key(
        &self,
        alg: SigningAlg,
        client_id: Option<&str>,
    ) -> Result<(Map<String, Value>, EncodingKey), String> {
        let mut header = Map::new();
        header.insert("alg".into(), alg.as_str().into());
        header.insert("typ".into(), "JWT".into());
        if alg.is_symmetric() {
            let secret = self.client_secret(client_id)?;
            Ok((header, EncodingKey::from_secret(&secret)))
        } else {
            let key = self.lock().key_for(alg)?;
            header.insert("kid".into(), key.kid.clone().into());
            Ok((header, key.encoding))
        }
    }

    pub fn sign_custom(
        &self,
        claims: &Value,
        alg: SigningAlg,
        header_extras: &Value,
    ) -> Result<String, String> {
        let aud = match claims.get("aud") {
            Some(Value::String(s)) => Some(s.as_str()),
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .find(|id| self.client(id).is_some()),
            _ => None,
        };
        let aud = aud.filter(|id| self.client(id).is_some_and(|c| c.client_secret.is_some()));
        let (mut header, key) = self.header_and_key(alg, aud)?;
        if let Value::Object(extras) = header_extras {
            for (k, v) in extras {
                header.insert(k.clone(), v.clone());
            }
        }
        compact_sign(&Value::Object(header), claims, &key, alg)
    }

    /// Claims of the user released for `scope` (sub is handled by the caller).
    pub(super) fn user_claims(&self, scope: &str) -> Map<String, Value> {
        const PROFILE: &[&str] = &[
            "name",
            "family_name",
            "given_name",
            "middle_name",
            "nickname",
            "preferred_username",
            "profile",
            "picture",
            "website",
            "gender",
            "birthdate",
            "zoneinfo",
            "locale",
            "updated_at",
        ];
        const EMAIL: &[&str] = &["email", "email_verified"];
        const ADDRESS: &[&str] = &["address"];
        const PHONE: &[&str] = &["phone_number", "phone_number_verified"];
        let scopes: Vec<&str> = scope.split_whitespace().collect();
        let groups = [
            ("profile", PROFILE),
            ("email", EMAIL),
            ("address", ADDRESS),
            ("phone", PHONE),
        ];
        let mut out = Map::new();
        for (name, value) in &self.config.user.claims {
            if name == "sub" {
                continue;
            }
            let group = groups
                .iter()
                .find(|(_, names)| names.contains(&name.as_str()));
            let released = match group {
                Some((scope_name, _)) => scopes.contains(scope_name),
                None => true, // non-standard claims are always released
            };
            if released {
                out.insert(name.clone(), value.clone());
            }
        }
        out
    }

    /// The RSA key whose public PEM keys the HS256 confusion token: the active key of
    /// `id_token_alg` if that is RSA, else the first RSA key, else a new RS256 key.
    pub fn confusion_rsa_key(&self) -> Result<SigningKey, String> {
        let rsa_family = |a: SigningAlg| matches!(a.as_str().get(..2), Some("RS" | "PS"));
        let alg = self.config.id_token_alg;
        let mut inner = self.lock();
        if rsa_family(alg) {
            return inner.key_for(alg);
        }
        if let Some(k) = inner.keys.iter().find(|k| rsa_family(k.alg)) {
            return Ok(k.clone());
        }
        inner.key_for(SigningAlg::RS256)
    }

    /// Build and sign an ID token, applying the ID-token misbehaviors.
    pub(super) fn issue_id_token(&self, inp: &IdTokenInput<'_>) -> Result<String, String> {
        let mis = self.lock().misbehaviors.clone();
        let has = |m: Misbehavior| mis.contains(&m);
        let alg = self.config.id_token_alg;
        let confusion = has(Misbehavior::IdTokenHs256WithRsaPublicKey);
        let hash_alg = if confusion { SigningAlg::HS256 } else { alg };
        let now = now();
        let ttl = self.config.token_ttl_secs;

        let mut c = Map::new();
        let iss = if has(Misbehavior::IdTokenWrongIssuer) {
            "https://wrong-issuer.example.com".to_owned()
        } else {
            self.issuer.clone()
        };
        c.insert("iss".into(), iss.into());
        if !has(Misbehavior::IdTokenMissingSub) {
            c.insert("sub".into(), self.config.user.sub.clone().into());
        }
        if has(Misbehavior::IdTokenWrongAudience) {
            c.insert("aud".into(), "some-other-client".into());
        } else if has(Misbehavior::IdTokenWrongAzp) || has(Misbehavior::IdTokenMultipleAudNoAzp) {
            c.insert("aud".into(), json!([inp.client_id, "other-client"]));
            if has(Misbehavior::IdTokenWrongAzp) {
                c.insert("azp".into(), "other-client".into());
            }
        } else {
            c.insert("aud".into(), inp.client_id.into());
        }
        let (iat, exp) = if has(Misbehavior::IdTokenExpired) {
            (now.saturating_sub(7200), now.saturating_sub(3600))
        } else if has(Misbehavior::IdTokenIatInFuture) {
            (now + 3600, now + 3600 + ttl)
        } else {
            (now, now + ttl)
        };
        c.insert("exp".into(), exp.into());
        if !has(Misbehavior::IdTokenMissingIat) {
            c.insert("iat".into(), iat.into());
        }
        let auth_time = if has(Misbehavior::IdTokenAuthTimeOld) {
            now.saturating_sub(2 * 24 * 3600)
        } else {
            inp.auth_time
        };
        c.insert("auth_time".into(), auth_time.into());
        if let Some(sid) = &self.config.session_id {
            c.insert("sid".into(), sid.clone().into());
        }
        match inp.nonce {
            Some(_) if has(Misbehavior::IdTokenMissingNonce) => {}
            Some(n) if has(Misbehavior::IdTokenWrongNonce) => {
                c.insert("nonce".into(), format!("{n}-wrong").into());
            }
            Some(n) => {
                c.insert("nonce".into(), n.into());
            }
            None if has(Misbehavior::IdTokenWrongNonce) => {
                c.insert("nonce".into(), "unexpected-nonce".into());
            }
            None => {}
        }
        if let Some(at) = inp.access_token {
            let v = if has(Misbehavior::IdTokenBadAtHash) {
                half_hash(hash_alg, &format!("{at}-not-this-one"))
            } else {
                half_hash(hash_alg, at)
            };
            c.insert("at_hash".into(), v.into());
        }
        if let Some(code) = inp.code {
            let v = if has(Misbehavior::IdTokenBadCHash) {
                half_hash(hash_alg, &format!("{code}-not-this-one"))
            } else {
                half_hash(hash_alg, code)
            };
            c.insert("c_hash".into(), v.into());
        }
        if inp.with_user_claims {
            for (k, v) in self.user_claims(inp.scope) {
                c.entry(k).or_insert(v);
            }
        }
        let claims = Value::Object(c);

        if has(Misbehavior::IdTokenAlgNone) {
            let input = signing_input(&json!({"alg": "none", "typ": "JWT"}), &claims)?;
            return Ok(format!("{input}."));
        }
        let token = if confusion {
            let rsa = self.confusion_rsa_key()?;
            let pem = rsa.spki_pem.clone().unwrap_or_default();
            let header = json!({"alg": "HS256", "typ": "JWT", "kid": rsa.kid});
            compact_sign(
                &header,
                &claims,
                &EncodingKey::from_secret(pem.as_bytes()),
                SigningAlg::HS256,
            )?
        } else {
            let (mut header, key) = self.header_and_key(alg, Some(inp.client_id))?;
            if has(Misbehavior::IdTokenNoKid) {
                header.remove("kid");
            }
            if has(Misbehavior::IdTokenUnknownCrit) {
                header.insert("crit".into(), json!(["exp-ext"]));
                header.insert("exp-ext".into(), (now + 60).into());
            }
            compact_sign(&Value::Object(header), &claims, &key, alg)?
        };
        let token = if has(Misbehavior::IdTokenBadSignature) {
            tamper_signature(&token)
        } else {
            token
        };
        match &self.config.id_token_encryption {
            Some(to) => crate::encryption::encrypt(
                token.as_bytes(),
                to,
                Some("JWT"),
                has(Misbehavior::JweBadTag),
            ),
            None => Ok(token),
        }
    }
}

pub(super) struct IdTokenInput<'a> {
    pub(super) client_id: &'a str,
    pub(super) nonce: Option<&'a str>,
    pub(super) auth_time: u64,
    pub(super) code: Option<&'a str>,
    pub(super) access_token: Option<&'a str>,
    pub(super) scope: &'a str,
    pub(super) with_user_claims: bool,
}
