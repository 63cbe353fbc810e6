//! The authorization request (OpenID Connect Core §3.1.2.1, RFC 7636 PKCE) and the parsing and
//! first checks of the authorization response (state, RFC 9207 `iss`, errors).

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::config::{PkceMethod, ResponseType};
use crate::error::UrlProblem;
use crate::jose::{b64url_encode, random_token};
use crate::{Error, Result};

/// Optional parameters of one authorization request. Everything here is optional; the client's
/// configuration supplies the rest.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct AuthorizationRequest {
    /// Overrides the configured redirect URI.
    pub redirect_uri: Option<String>,
    /// Overrides the configured scope.
    pub scope: Option<String>,
    /// Use this state instead of a random one (the seed's `state` property). Keep it unguessable.
    pub state: Option<String>,
    /// Use this nonce instead of a random one.
    pub nonce: Option<String>,
    /// `prompt` (e.g. `login`, `consent`, `select_account`, `none`).
    pub prompt: Option<String>,
    /// `display` (`page`, `popup`, `touch`, `wap`).
    pub display: Option<String>,
    /// `login_hint`.
    pub login_hint: Option<String>,
    /// `id_token_hint`.
    pub id_token_hint: Option<String>,
    /// `ui_locales`.
    pub ui_locales: Option<String>,
    /// `acr_values`.
    pub acr_values: Option<String>,
    /// `claims` request parameter (a JSON object as text).
    pub claims: Option<String>,
    /// Overrides the configured `max_age`.
    pub max_age: Option<Duration>,
    /// Extra parameters, appended as given (seed: `add_param`).
    pub extra: Vec<(String, String)>,
}

/// What must be remembered between sending the user to the provider and handling the response:
/// state, nonce, PKCE verifier, redirect URI, response type, max_age. For server-side (Web
/// profile) use, store it in the user's session: it serializes with serde.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthTransaction {
    /// The `state` sent.
    pub state: String,
    /// The `nonce` sent.
    pub nonce: String,
    /// The PKCE code verifier, if PKCE is used. Secret.
    pub code_verifier: Option<String>,
    /// The redirect URI sent (needed again at the token endpoint).
    pub redirect_uri: String,
    /// The response type requested, e.g. `code`.
    pub response_type: String,
    /// The `max_age` sent, in seconds.
    pub max_age: Option<u64>,
}

impl fmt::Debug for AuthTransaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthTransaction")
            .field("state", &self.state)
            .field("nonce", &self.nonce)
            .field(
                "code_verifier",
                &self.code_verifier.as_ref().map(|_| "[redacted]"),
            )
            .field("redirect_uri", &self.redirect_uri)
            .field("response_type", &self.response_type)
            .field("max_age", &self.max_age)
            .finish()
    }
}

impl AuthTransaction {
    /// The response type as a typed value.
    pub fn response_type(&self) -> Result<ResponseType> {
        ResponseType::parse(&self.response_type)
    }
}

/// What [`CallbackParams::from_code_or_url`] found. The code is redacted in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub enum CodeOrCallback {
    /// A bare authorization code, to exchange with
    /// [`Client::exchange_code`](crate::Client::exchange_code).
    Code(String),
    /// The redirect's parameters, to complete with
    /// [`Client::handle_callback`](crate::Client::handle_callback) (state and `iss` checked).
    Callback(CallbackParams),
}

/// The parameters of an authorization response, from a redirect URL (query or fragment) or a
/// `form_post` body.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct CallbackParams {
    params: Vec<(String, String)>,
}

impl fmt::Debug for CodeOrCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodeOrCallback::Code(_) => f.write_str("Code([redacted])"),
            CodeOrCallback::Callback(p) => f.debug_tuple("Callback").field(p).finish(),
        }
    }
}

impl fmt::Debug for CallbackParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (k, v) in &self.params {
            match k.as_str() {
                "code" | "access_token" | "id_token" | "refresh_token" => m.entry(k, &"[redacted]"),
                _ => m.entry(k, v),
            };
        }
        m.finish()
    }
}

impl CallbackParams {
    /// Parses the redirect URL the browser was sent to: parameters from the fragment when it has
    /// one with parameters, else from the query. A relative URL (`/cb?code=…`) works too.
    pub fn from_url(url: &str) -> CallbackParams {
        let (before_fragment, fragment) = match url.split_once('#') {
            Some((b, f)) => (b, Some(f)),
            None => (url, None),
        };
        if let Some(f) = fragment.filter(|f| f.contains('=')) {
            return Self::from_query(f);
        }
        let query = before_fragment
            .split_once('?')
            .map(|(_, q)| q)
            .unwrap_or("");
        Self::from_query(query)
    }

    /// Reads what the application was handed back: the whole redirect (an absolute or
    /// relative URL, or anything with a query or fragment) gives its parameters; anything else
    /// is taken as the bare authorization code.
    pub fn from_code_or_url(value: &str) -> CodeOrCallback {
        let value = value.trim();
        if value.contains("://") || value.contains('?') || value.contains('#') {
            CodeOrCallback::Callback(Self::from_url(value))
        } else {
            CodeOrCallback::Code(value.to_string())
        }
    }

    /// Parses an `application/x-www-form-urlencoded` string (a query, a fragment, or a
    /// `form_post` body). A leading `?` or `#` is ignored.
    pub fn from_query(query: &str) -> CallbackParams {
        let q = query.trim_start_matches(['?', '#']);
        CallbackParams {
            params: form_urlencoded::parse(q.as_bytes()).into_owned().collect(),
        }
    }

    /// Builds parameters from pairs.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> CallbackParams {
        CallbackParams {
            params: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// The first value of a parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// All parameters in order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.params
    }

    /// Whether a parameter appears more than once (RFC 6749 §3.1: parameters must not repeat).
    fn repeated(&self) -> Option<&str> {
        for (i, (k, _)) in self.params.iter().enumerate() {
            if self.params[..i].iter().any(|(k2, _)| k2 == k) {
                return Some(k);
            }
        }
        None
    }
}

/// Everything needed to build the URL, resolved by the client.
pub(crate) struct UrlParts<'a> {
    pub endpoint: &'a str,
    pub client_id: &'a str,
    pub response_type: ResponseType,
    pub response_mode: Option<&'a str>,
    pub scope: String,
    pub redirect_uri: String,
    pub pkce: Option<PkceMethod>,
    pub max_age: Option<Duration>,
}

/// Builds the authorization URL and the transaction to keep. State and nonce are 32 random bytes
/// from the OS CSPRNG unless given; the PKCE verifier is 32 random bytes (43 characters).
pub(crate) fn build(
    parts: UrlParts<'_>,
    req: &AuthorizationRequest,
) -> Result<(String, AuthTransaction)> {
    let mut url = url::Url::parse(parts.endpoint).map_err(|e| Error::InvalidUrl {
        url: parts.endpoint.to_string(),
        reason: format!("authorization endpoint is not a URL: {e}"),
        problem: UrlProblem::NoServer,
    })?;
    let state = match &req.state {
        Some(s) => s.clone(),
        None => random_token(32)?,
    };
    let nonce = match &req.nonce {
        Some(n) => n.clone(),
        None => random_token(32)?,
    };
    let pkce = match parts.pkce.filter(|_| parts.response_type.code) {
        Some(method) => {
            let verifier = random_token(32)?;
            let challenge = match method {
                PkceMethod::S256 => pkce_challenge(&verifier),
                PkceMethod::Plain => verifier.clone(),
            };
            Some((verifier, challenge, method))
        }
        None => None,
    };
    let max_age = req.max_age.or(parts.max_age);
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", parts.response_type.as_str());
        q.append_pair("client_id", parts.client_id);
        q.append_pair("redirect_uri", &parts.redirect_uri);
        q.append_pair("scope", &parts.scope);
        q.append_pair("state", &state);
        q.append_pair("nonce", &nonce);
        if let Some((_, challenge, method)) = &pkce {
            q.append_pair("code_challenge", challenge);
            q.append_pair("code_challenge_method", method.as_str());
        }
        if let Some(mode) = parts.response_mode {
            q.append_pair("response_mode", mode);
        }
        let optional = [
            ("prompt", &req.prompt),
            ("display", &req.display),
            ("login_hint", &req.login_hint),
            ("id_token_hint", &req.id_token_hint),
            ("ui_locales", &req.ui_locales),
            ("acr_values", &req.acr_values),
            ("claims", &req.claims),
        ];
        for (name, value) in optional {
            if let Some(v) = value {
                q.append_pair(name, v);
            }
        }
        if let Some(age) = max_age {
            q.append_pair("max_age", &age.as_secs().to_string());
        }
        for (k, v) in &req.extra {
            q.append_pair(k, v);
        }
    }
    let tx = AuthTransaction {
        state,
        nonce,
        code_verifier: pkce.map(|(v, _, _)| v),
        redirect_uri: parts.redirect_uri,
        response_type: parts.response_type.as_str().to_string(),
        max_age: max_age.map(|d| d.as_secs()),
    };
    Ok((url.into(), tx))
}

/// The S256 code challenge: BASE64URL(SHA256(ASCII(verifier))) (RFC 7636 §4.2).
pub fn pkce_challenge(verifier: &str) -> String {
    b64url_encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        verifier.as_bytes(),
    ))
}

/// Checks what can be checked before any token is looked at: repeated parameters, state,
/// RFC 9207 `iss`, and error responses. `expected_iss` is `Some` when the provider's issuer must
/// appear (it advertises the parameter); an `iss` that is present is always checked.
pub(crate) fn check_response(
    params: &CallbackParams,
    tx: &AuthTransaction,
    issuer: &str,
    iss_required: bool,
) -> Result<()> {
    if let Some(name) = params.repeated() {
        return Err(Error::InvalidAuthorizationResponse {
            reason: format!("parameter {name:?} appears more than once"),
        });
    }
    let state = params.get("state");
    if state.is_none_or(|s| !constant_time_eq(s.as_bytes(), tx.state.as_bytes())) {
        return Err(Error::StateMismatch {
            expected: tx.state.clone(),
            found: state.map(str::to_string),
        });
    }
    let iss = params.get("iss");
    // Microsoft's multi-tenant issuer is a template; its responses are matched on the token's iss.
    // A response carrying an ID token may omit `iss`: the token's own `iss` claim, which is
    // always verified, identifies the issuer (RFC 9207 §2.4; oidc-provider does exactly this).
    let required = iss_required && params.get("id_token").is_none();
    if !issuer.contains("{tenantid}") && (iss.is_some() || required) && iss != Some(issuer) {
        return Err(Error::ResponseIssuerMismatch {
            expected: issuer.to_string(),
            found: iss.map(str::to_string),
        });
    }
    if let Some(error) = params.get("error") {
        return Err(Error::AuthorizationDenied {
            error: error.to_string(),
            error_description: params.get("error_description").map(str::to_string),
            error_uri: params.get("error_uri").map(str::to_string),
        });
    }
    Ok(())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_code_and_a_callback_url_are_told_apart() {
        assert_eq!(
            CallbackParams::from_code_or_url(" abc.123 "),
            CodeOrCallback::Code("abc.123".into())
        );
        for url in [
            "http://127.0.0.1/cb?code=c&state=s",
            "/cb?code=c&state=s",
            "#code=c&state=s",
        ] {
            match CallbackParams::from_code_or_url(url) {
                CodeOrCallback::Callback(p) => assert_eq!(p.get("code"), Some("c"), "{url}"),
                CodeOrCallback::Code(_) => panic!("{url} is a callback"),
            }
        }
    }

    #[test]
    fn pkce_s256_matches_rfc7636_appendix_b() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn callback_params_prefer_fragment_and_decode() {
        let p = CallbackParams::from_url("http://127.0.0.1:1/cb?x=1#code=a%2Bb&state=s+t");
        assert_eq!(p.get("code"), Some("a+b"));
        assert_eq!(p.get("state"), Some("s t"));
        assert_eq!(p.get("x"), None);
        let q = CallbackParams::from_url("/cb?code=c&state=s#");
        assert_eq!(q.get("code"), Some("c"));
    }

    #[test]
    fn url_values_cannot_inject_parameters() {
        let parts = UrlParts {
            endpoint: "https://op.example/auth?tenant=x",
            client_id: "c&evil=1",
            response_type: ResponseType::CODE,
            response_mode: None,
            scope: "openid".into(),
            redirect_uri: "http://127.0.0.1/cb#frag".into(),
            pkce: Some(PkceMethod::S256),
            max_age: None,
        };
        let req = AuthorizationRequest {
            login_hint: Some("a\nb=c&d#e é".into()),
            ..Default::default()
        };
        let (url, tx) = build(parts, &req).expect("url");
        let parsed = url::Url::parse(&url).expect("valid");
        let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("tenant"), Some("x"));
        assert_eq!(get("client_id"), Some("c&evil=1"));
        assert_eq!(get("evil"), None);
        assert_eq!(get("login_hint"), Some("a\nb=c&d#e é"));
        assert_eq!(get("redirect_uri"), Some("http://127.0.0.1/cb#frag"));
        assert_eq!(parsed.fragment(), None);
        assert_eq!(
            get("code_challenge").map(str::to_string),
            tx.code_verifier.as_deref().map(pkce_challenge)
        );
        assert_eq!(tx.state.len(), 43);
    }
}
