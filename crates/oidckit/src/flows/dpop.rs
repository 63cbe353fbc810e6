//! DPoP, RFC 9449 (<https://www.rfc-editor.org/rfc/rfc9449>): proof-of-possession for tokens.
//!
//! A client with DPoP on has one key (ES256 generated at start unless one is given). Every
//! request to the token endpoint, UserInfo or a resource server carries a fresh proof (§4.2:
//! `typ: dpop+jwt`, the public `jwk`, and the claims `jti`, `htm`, `htu` without query or
//! fragment, `iat`, plus `ath` with an access token and `nonce` once the server gave one).
//! A server nonce (§8, §9) is remembered per origin; when a server answers `use_dpop_nonce`
//! (400 from the token endpoint, 401 with a `DPoP` challenge from a resource server), the
//! request is sent once more with the new nonce.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use crate::http::{Basic, Http, Response};
use crate::jose::{self, PrivateKey, b64url_encode};
use crate::{Error, Result};

/// A DPoP proof signed with `key` for `method` on `url` (query and fragment dropped), bound to
/// `access_token` when given (`ath`), with a server `nonce` when given: for `curl`-style use
/// outside a [`Client`](crate::Client) (e.g. `oidckit dpop-proof`).
pub fn proof(
    key: &PrivateKey,
    method: &str,
    url: &str,
    access_token: Option<&str>,
    nonce: Option<&str>,
) -> Result<String> {
    let d = Dpop::new(Some(key.clone()))?;
    if let Some(n) = nonce {
        d.set_nonce(url, n)?;
    }
    d.proof(method, url, access_token)
}

/// How many origins' nonces are remembered (the map is cleared beyond that).
const MAX_ORIGINS: usize = 64;
/// Longest nonce kept.
const MAX_NONCE_LEN: usize = 512;

/// A client's DPoP key and the nonces servers gave it.
pub(crate) struct Dpop {
    key: PrivateKey,
    jwk: Map<String, Value>,
    nonces: Mutex<HashMap<String, String>>,
}

impl std::fmt::Debug for Dpop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dpop").field("key", &self.key).finish()
    }
}

impl Dpop {
    /// DPoP with `key`, or with a fresh ES256 (P-256) key.
    pub fn new(key: Option<PrivateKey>) -> Result<Dpop> {
        let key = match key {
            Some(k) => k,
            None => generate_es256()?,
        };
        let public: Value =
            serde_json::from_str(&key.public_jwk()).map_err(|_| Error::InvalidPrivateKey {
                reason: "the DPoP key has no usable public JWK".into(),
            })?;
        let mut jwk = Map::new();
        for member in ["kty", "crv", "x", "y", "n", "e"] {
            if let Some(v) = public.get(member) {
                jwk.insert(member.into(), v.clone());
            }
        }
        Ok(Dpop {
            key,
            jwk,
            nonces: Mutex::new(HashMap::new()),
        })
    }

    /// A proof for `method` on `url`, bound to `access_token` when given (`ath`), with the
    /// nonce remembered for the URL's origin.
    pub fn proof(&self, method: &str, url: &str, access_token: Option<&str>) -> Result<String> {
        let (origin, htu) = split(url)?;
        let nonce = self
            .nonces
            .lock()
            .ok()
            .and_then(|m| m.get(&origin).cloned());
        let iat = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        let mut claims = Map::new();
        claims.insert("jti".into(), jose::random_token(16)?.into());
        claims.insert("htm".into(), method.to_ascii_uppercase().into());
        claims.insert("htu".into(), htu.into());
        claims.insert("iat".into(), iat.into());
        if let Some(token) = access_token {
            claims.insert("ath".into(), access_token_hash(token).into());
        }
        if let Some(n) = nonce {
            claims.insert("nonce".into(), n.into());
        }
        let mut header = Map::new();
        header.insert("typ".into(), "dpop+jwt".into());
        header.insert("alg".into(), self.key.alg().as_str().into());
        header.insert("jwk".into(), Value::Object(self.jwk.clone()));
        let input = jose::sign::signing_input(&header, &claims)?;
        let sig = self.key.sign(input.as_bytes())?;
        Ok(format!("{input}.{}", b64url_encode(sig)))
    }

    /// Keeps the `DPoP-Nonce` of `resp` for the origin of `url`.
    fn remember(&self, url: &str, resp: &Response) -> bool {
        let Some(nonce) = resp.dpop_nonce.as_deref().map(str::trim) else {
            return false;
        };
        let usable = !nonce.is_empty()
            && nonce.len() <= MAX_NONCE_LEN
            && nonce
                .bytes()
                .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\');
        let (Ok((origin, _)), true) = (split(url), usable) else {
            return false;
        };
        if let Ok(mut m) = self.nonces.lock() {
            if m.len() >= MAX_ORIGINS && !m.contains_key(&origin) {
                m.clear();
            }
            m.insert(origin, nonce.to_string());
        }
        true
    }

    /// Remembers a nonce given by hand (e.g. from a resource server's answer).
    pub fn set_nonce(&self, url: &str, nonce: &str) -> Result<()> {
        let (origin, _) = split(url)?;
        if let Ok(mut m) = self.nonces.lock() {
            m.insert(origin, nonce.to_string());
        }
        Ok(())
    }

    /// Posts a form with a proof (and the client's `form`/`basic` credentials from
    /// `credentials`, rebuilt for the retry so an assertion's `jti` is fresh); once more with the
    /// server's nonce on `use_dpop_nonce`.
    pub async fn post_form(
        &self,
        http: &Http,
        url: &str,
        credentials: impl Fn() -> Result<(Vec<(String, String)>, Option<(String, String)>)>,
    ) -> Result<Response> {
        let mut retried = false;
        loop {
            let (form, basic) = credentials()?;
            let form: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let basic = basic
                .as_ref()
                .map(|(user, password)| Basic { user, password });
            let proof = self.proof("POST", url, None)?;
            let resp = http
                .post_form_with(url, &form, basic, vec![("dpop", proof)])
                .await?;
            let fresh = self.remember(url, &resp);
            if !(resp.status == 400 && token_error(&resp) == Some("use_dpop_nonce")) {
                return Ok(resp);
            }
            if retried || !fresh {
                return Err(nonce_error(retried));
            }
            retried = true;
        }
    }

    /// GET `url` with `Authorization: DPoP <token>` and a proof bound to the token; once more
    /// with the server's nonce on a 401 `use_dpop_nonce` challenge.
    pub async fn get(
        &self,
        http: &Http,
        url: &str,
        access_token: &str,
        accept: &str,
    ) -> Result<Response> {
        let mut retried = false;
        loop {
            let proof = self.proof("GET", url, Some(access_token))?;
            let headers = vec![
                ("authorization", format!("DPoP {access_token}")),
                ("dpop", proof),
            ];
            let resp = http.get_with(url, accept, headers).await?;
            let fresh = self.remember(url, &resp);
            let challenge = resp.www_authenticate.as_deref().unwrap_or_default();
            if !(resp.status == 401 && is_nonce_challenge(challenge)) {
                return Ok(resp);
            }
            if retried || !fresh {
                return Err(nonce_error(retried));
            }
            retried = true;
        }
    }
}

fn nonce_error(retried: bool) -> Error {
    Error::DpopNonce {
        reason: if retried {
            "the server asked for a new DPoP nonce again after the retry with its nonce"
        } else {
            "the server asked for a DPoP nonce (use_dpop_nonce) but sent no usable DPoP-Nonce header"
        },
    }
}

/// `(origin, htu)`: the URL's origin, and the URL without query and fragment (§4.2).
fn split(url: &str) -> Result<(String, String)> {
    let mut u = url::Url::parse(url).map_err(|e| Error::InvalidUrl {
        url: url.to_string(),
        reason: format!("not a URL: {e}"),
        problem: crate::error::UrlProblem::NoServer,
    })?;
    u.set_query(None);
    u.set_fragment(None);
    Ok((u.origin().ascii_serialization(), u.into()))
}

/// `ath`: BASE64URL(SHA-256(access token)) (§4.2).
pub(crate) fn access_token_hash(token: &str) -> String {
    b64url_encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        token.as_bytes(),
    ))
}

fn token_error(resp: &Response) -> Option<&str> {
    // Borrow-friendly peek at `{"error": "..."}` without keeping the parsed value.
    let text = std::str::from_utf8(&resp.body).ok()?;
    let v: Value = serde_json::from_str(text).ok()?;
    let e = v.get("error")?.as_str()?;
    ["use_dpop_nonce"].into_iter().find(|known| *known == e)
}

/// Whether a `WWW-Authenticate` value is a `DPoP` challenge with `error="use_dpop_nonce"`.
fn is_nonce_challenge(challenge: &str) -> bool {
    let lower = challenge.to_ascii_lowercase();
    lower.trim_start().starts_with("dpop")
        && (lower.contains("error=\"use_dpop_nonce\"") || lower.contains("error=use_dpop_nonce"))
}

fn generate_es256() -> Result<PrivateKey> {
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
    let failed = |_| Error::InvalidPrivateKey {
        reason: "cannot generate a DPoP key".into(),
    };
    let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).map_err(failed)?;
    let der = pair.to_pkcs8v1().map_err(failed)?;
    PrivateKey::from_pkcs8_der(der.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn htu_drops_query_and_fragment_and_origin_keeps_the_port() {
        let (origin, htu) = split("https://rs.example:8443/api/x?y=1#f").expect("url");
        assert_eq!(origin, "https://rs.example:8443");
        assert_eq!(htu, "https://rs.example:8443/api/x");
    }

    #[test]
    fn a_proof_has_the_rfc_9449_header_and_claims() {
        let d = Dpop::new(None).expect("key");
        let p = d
            .proof("get", "https://rs.example/a?b", Some("tok"))
            .expect("proof");
        let parts: Vec<&str> = p.split('.').collect();
        let header: Value =
            serde_json::from_slice(&jose::b64url_decode(parts[0]).expect("b64")).expect("json");
        let claims: Value =
            serde_json::from_slice(&jose::b64url_decode(parts[1]).expect("b64")).expect("json");
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        assert!(header["jwk"].get("d").is_none());
        assert_eq!(claims["htm"], "GET");
        assert_eq!(claims["htu"], "https://rs.example/a");
        assert_eq!(claims["ath"], access_token_hash("tok"));
        let again = d.proof("GET", "https://rs.example/a", None).expect("proof");
        assert_ne!(p, again);
    }
}
