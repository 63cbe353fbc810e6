//! Client authentication (RFC 6749 §2.3.1; OpenID Connect Core §9; RFC 7523 §2.2): the
//! credentials added to every request that authenticates the client, at the token,
//! introspection, revocation and device authorization endpoints.
//!
//! `client_secret_jwt` and `private_key_jwt` send a fresh JWT as `client_assertion` with
//! `iss = sub = client_id`, `aud` = the token endpoint, a random `jti`, `iat` and an `exp` one
//! minute later.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use crate::config::{AuthMethod, ClientConfig};
use crate::http::{Basic, Http, Response};
use crate::jose::{self, b64url_encode};
use crate::{Error, Result};

/// How to authenticate one token-endpoint request.
#[derive(Clone)]
pub(crate) struct ClientAuth {
    pub client_id: String,
    pub secret: Option<String>,
    pub method: AuthMethod,
    /// The private key for `private_key_jwt` (set by `client_auth::attach_key`).
    pub key: Option<crate::jose::PrivateKey>,
    /// Extra form fields for token endpoint requests (`ClientConfig::token_form_params`).
    pub extra_form: Vec<(String, String)>,
    /// DPoP (RFC 9449) at the token and PAR endpoints, when on.
    pub dpop: Option<std::sync::Arc<crate::flows::dpop::Dpop>>,
    /// The audience of every client assertion, instead of the endpoint's: under FAPI 2.0 the
    /// issuer identifier, as the sole `aud` value.
    pub audience: Option<String>,
}

impl fmt::Debug for ClientAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientAuth")
            .field("client_id", &self.client_id)
            .field("method", &self.method)
            .finish()
    }
}

impl ClientAuth {
    /// Chooses the method: the configured one, else `client_secret_basic` with a secret (or
    /// `client_secret_post` when the provider advertises only that), else `none`.
    pub fn choose(
        client_id: &str,
        secret: Option<&str>,
        configured: Option<&AuthMethod>,
        advertised: &[String],
    ) -> ClientAuth {
        let method = match (configured, secret) {
            (Some(m), _) => m.clone(),
            (None, None) => AuthMethod::None,
            (None, Some(_)) => {
                let has = |m: &str| advertised.iter().any(|a| a == m);
                if !has("client_secret_basic") && has("client_secret_post") {
                    AuthMethod::ClientSecretPost
                } else {
                    AuthMethod::ClientSecretBasic
                }
            }
        };
        ClientAuth {
            client_id: client_id.to_string(),
            secret: secret.map(str::to_string),
            method,
            key: None,
            extra_form: Vec::new(),
            dpop: None,
            audience: None,
        }
    }
}

/// `client_assertion_type` of RFC 7523 §2.2.
pub(crate) const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Lifetime of a client assertion.
const ASSERTION_LIFETIME: Duration = Duration::from_secs(60);

/// The credentials of one request: form parameters and, for `client_secret_basic`, the
/// Basic user and password.
pub(crate) struct Credentials {
    pub form: Vec<(&'static str, String)>,
    pub basic: Option<(String, String)>,
}

impl Credentials {
    pub fn basic(&self) -> Option<Basic<'_>> {
        self.basic
            .as_ref()
            .map(|(user, password)| Basic { user, password })
    }
}

/// Gives the client key of `config` to `auth`, and makes `private_key_jwt` the automatic
/// method when there is a key and no secret.
pub(crate) fn attach_key(auth: &mut ClientAuth, config: &ClientConfig) {
    auth.key = config.client_key.clone();
    if config.auth_method.is_none() && config.client_secret.is_none() && auth.key.is_some() {
        auth.method = AuthMethod::PrivateKeyJwt;
    }
}

/// The credentials for one request; `audience` is the token endpoint (Core §9), unless
/// [`ClientAuth::audience`] overrides it.
pub(crate) fn credentials(auth: &ClientAuth, audience: &str) -> Result<Credentials> {
    let audience = auth.audience.as_deref().unwrap_or(audience);
    let id = auth.client_id.clone();
    let secret = || {
        auth.secret.clone().ok_or(Error::Missing {
            what: "client_secret",
            hint: "this auth method needs a client secret; set one or choose another method",
        })
    };
    let (form, basic) = match &auth.method {
        AuthMethod::ClientSecretBasic => (vec![], Some((id, secret()?))),
        AuthMethod::ClientSecretPost => {
            (vec![("client_id", id), ("client_secret", secret()?)], None)
        }
        AuthMethod::ClientSecretJwt => {
            let claims = assertion_claims(&id, audience, SystemTime::now())?;
            let jwt = hs256_jwt(secret()?.as_bytes(), "JWT", &claims)?;
            (assertion_form(id, jwt), None)
        }
        AuthMethod::PrivateKeyJwt => {
            let key = auth.key.as_ref().ok_or(Error::Missing {
                what: "client_key",
                hint: "private_key_jwt needs the client's private key (ClientConfig::client_key)",
            })?;
            let claims = assertion_claims(&id, audience, SystemTime::now())?;
            (assertion_form(id, key.sign_jwt(&claims)?), None)
        }
        _ => (vec![("client_id", id)], None),
    };
    Ok(Credentials { form, basic })
}

/// Posts `params` plus the client's credentials to `url` (an endpoint that authenticates the
/// client); `audience` is the token endpoint, used as the assertion audience.
pub(crate) async fn post(
    http: &Http,
    url: &str,
    auth: &ClientAuth,
    audience: &str,
    params: &[(&str, &str)],
) -> Result<Response> {
    let creds = credentials(auth, audience)?;
    let mut form: Vec<(&str, &str)> = params.to_vec();
    form.extend(creds.form.iter().map(|(k, v)| (*k, v.as_str())));
    http.post_form(url, &form, creds.basic(), None).await
}

/// Like [`post`], with a DPoP proof (and one nonce retry) when the client uses DPoP: for the
/// token and pushed authorization request endpoints.
pub(crate) async fn post_with_dpop(
    http: &Http,
    url: &str,
    auth: &ClientAuth,
    audience: &str,
    params: &[(&str, &str)],
) -> Result<Response> {
    let Some(dpop) = &auth.dpop else {
        return post(http, url, auth, audience, params).await;
    };
    let build = || {
        let creds = credentials(auth, audience)?;
        let mut form: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        form.extend(creds.form.into_iter().map(|(k, v)| (k.to_string(), v)));
        Ok((form, creds.basic))
    };
    dpop.post_form(http, url, build).await
}

fn assertion_form(client_id: String, jwt: String) -> Vec<(&'static str, String)> {
    vec![
        ("client_id", client_id),
        ("client_assertion_type", ASSERTION_TYPE.to_string()),
        ("client_assertion", jwt),
    ]
}

/// The claim set of a client assertion (Core §9): `iss`, `sub`, `aud`, `jti`, `iat`, `exp`.
pub(crate) fn assertion_claims(
    client_id: &str,
    audience: &str,
    now: SystemTime,
) -> Result<Map<String, Value>> {
    let iat = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let mut m = Map::new();
    m.insert("iss".into(), client_id.into());
    m.insert("sub".into(), client_id.into());
    m.insert("aud".into(), audience.into());
    m.insert("jti".into(), jose::random_token(16)?.into());
    m.insert("iat".into(), iat.into());
    m.insert("exp".into(), (iat + ASSERTION_LIFETIME.as_secs()).into());
    Ok(m)
}

/// An HS256 JWT keyed with the client secret, with header `typ`.
pub(crate) fn hs256_jwt(secret: &[u8], typ: &str, claims: &Map<String, Value>) -> Result<String> {
    let mut header = Map::new();
    header.insert("alg".into(), "HS256".into());
    header.insert("typ".into(), typ.into());
    let input = jose::sign::signing_input(&header, claims)?;
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret);
    let tag = aws_lc_rs::hmac::sign(&key, input.as_bytes());
    Ok(format!("{input}.{}", b64url_encode(tag.as_ref())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_method_follows_what_the_provider_advertises() {
        let adv = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            ClientAuth::choose("c", Some("s"), None, &adv(&[])).method,
            AuthMethod::ClientSecretBasic
        );
        assert_eq!(
            ClientAuth::choose("c", Some("s"), None, &adv(&["client_secret_post"])).method,
            AuthMethod::ClientSecretPost
        );
        assert_eq!(
            ClientAuth::choose(
                "c",
                Some("s"),
                None,
                &adv(&["client_secret_post", "client_secret_basic"])
            )
            .method,
            AuthMethod::ClientSecretBasic
        );
        assert_eq!(
            ClientAuth::choose("c", None, None, &adv(&[])).method,
            AuthMethod::None
        );
    }

    #[test]
    fn assertion_claims_follow_core_section_9() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let c = assertion_claims("cid", "https://op/token", now).expect("claims");
        assert_eq!(c["iss"], "cid");
        assert_eq!(c["sub"], "cid");
        assert_eq!(c["aud"], "https://op/token");
        assert_eq!(c["iat"], 1_700_000_000u64);
        assert_eq!(c["exp"], 1_700_000_060u64);
        let other = assertion_claims("cid", "https://op/token", now).expect("claims");
        assert_ne!(c["jti"], other["jti"]);
    }

    #[test]
    fn client_secret_jwt_verifies_with_the_secret() {
        let claims = assertion_claims("cid", "aud", SystemTime::now()).expect("claims");
        let jwt = hs256_jwt(b"s3cret", "JWT", &claims).expect("jwt");
        let (input, sig) = jwt.rsplit_once('.').expect("dots");
        let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, b"s3cret");
        let sig = jose::b64url_decode(sig).expect("b64");
        assert!(aws_lc_rs::hmac::verify(&key, input.as_bytes(), &sig).is_ok());
    }
}
