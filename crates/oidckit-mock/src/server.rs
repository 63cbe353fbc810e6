//! The HTTP side: shared state, axum routes and endpoint handlers.

use std::collections::HashMap;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::EncodingKey;
use serde_json::{Map, Value, json};
use sha2::Digest as _;
use tokio::sync::watch;
use url::Url;

use crate::keys::{
    SigningKey, compact_sign, half_hash, random_token, signing_input, tamper_signature,
};
use crate::{Endpoint, Misbehavior, MockClient, MockConfig, SigningAlg};

/// One HTTP request as the provider received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// HTTP method, e.g. `"POST"`.
    pub method: String,
    /// Request path without the query, e.g. `"/token"`.
    pub path: String,
    /// Headers in arrival order, names lower-cased (non-UTF-8 values are lossily decoded).
    pub headers: Vec<(String, String)>,
    /// Query parameters followed by `application/x-www-form-urlencoded` body parameters,
    /// decoded.
    pub params: Vec<(String, String)>,
}

impl RecordedRequest {
    /// The first parameter (query or form) with that name.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first header with that (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

const CODE_TTL: Duration = Duration::from_secs(60);

#[derive(Debug, Clone)]
struct CodeGrant {
    client_id: String,
    redirect_uri: String,
    nonce: Option<String>,
    code_challenge: Option<(String, String)>,
    scope: String,
    auth_time: u64,
    expires: Instant,
}

#[derive(Debug, Clone)]
pub(crate) struct AccessGrant {
    pub client_id: String,
    pub scope: String,
    pub expires: Instant,
    /// The subject (the user, or the client for client credentials); empty = the user.
    pub sub: String,
}

#[derive(Debug, Clone)]
pub(crate) struct RefreshGrant {
    pub client_id: String,
    pub scope: String,
    pub auth_time: u64,
}

/// Mutable provider state, behind one mutex.
#[derive(Debug, Default)]
pub(crate) struct Inner {
    keys: Vec<SigningKey>,
    pub misbehaviors: Vec<Misbehavior>,
    codes: HashMap<String, CodeGrant>,
    pub access_tokens: HashMap<String, AccessGrant>,
    pub refresh_tokens: HashMap<String, RefreshGrant>,
    pub requests: Vec<crate::RecordedRequest>,
    /// Device codes, client keys and used assertion ids (see `grants.rs`).
    pub extra: crate::grants::Extra,
}

impl Inner {
    /// The active key for `alg`, generating (and publishing) one on first use.
    fn key_for(&mut self, alg: SigningAlg) -> Result<SigningKey, String> {
        if let Some(k) = self.keys.iter().find(|k| k.alg == alg) {
            return Ok(k.clone());
        }
        let k = SigningKey::generate(alg)?;
        self.keys.push(k.clone());
        Ok(k)
    }
}

/// State shared between the [`crate::MockProvider`] handle and the server.
#[derive(Debug)]
pub(crate) struct Shared {
    pub issuer: String,
    pub config: MockConfig,
    inner: Mutex<Inner>,
    shutdown: watch::Receiver<bool>,
}

pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

impl Shared {
    pub fn new(
        issuer: String,
        config: MockConfig,
        shutdown: watch::Receiver<bool>,
    ) -> Result<Shared, String> {
        let mut inner = Inner::default();
        if !config.id_token_alg.is_symmetric() {
            inner.key_for(config.id_token_alg)?;
        }
        Ok(Shared {
            issuer,
            config,
            inner: Mutex::new(inner),
            shutdown,
        })
    }

    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave `Inner` logically inconsistent in a
        // way that matters for a test double, so recover from poisoning.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn has(&self, m: &Misbehavior) -> bool {
        self.lock().misbehaviors.contains(m)
    }

    pub fn client(&self, client_id: &str) -> Option<&MockClient> {
        self.config
            .clients
            .iter()
            .find(|c| c.client_id == client_id)
    }

    pub fn rotate_keys(&self) {
        let mut algs: Vec<SigningAlg> = Vec::new();
        for k in &self.lock().keys {
            if !algs.contains(&k.alg) {
                algs.push(k.alg);
            }
        }
        if algs.is_empty() && !self.config.id_token_alg.is_symmetric() {
            algs.push(self.config.id_token_alg);
        }
        // Generate outside the lock: RSA key generation takes a while.
        let mut fresh = Vec::new();
        for alg in algs {
            match SigningKey::generate(alg) {
                Ok(k) => fresh.push(k),
                // aws-lc-rs key generation only fails on internal errors; a test helper
                // cannot continue meaningfully then.
                Err(e) => panic!("oidckit-mock: key generation failed: {e}"),
            }
        }
        self.lock().keys = fresh;
    }

    pub fn add_key(&self, alg: SigningAlg) {
        if alg.is_symmetric() {
            return;
        }
        match SigningKey::generate(alg) {
            Ok(k) => self.lock().keys.push(k),
            // See `rotate_keys`.
            Err(e) => panic!("oidckit-mock: key generation failed: {e}"),
        }
    }

    pub fn jwks(&self) -> Value {
        let keys: Vec<Value> = self.lock().keys.iter().map(|k| k.jwk.clone()).collect();
        json!({ "keys": keys })
    }

    pub fn active_kid(&self) -> String {
        let alg = self.config.id_token_alg;
        if alg.is_symmetric() {
            return String::new();
        }
        self.lock().key_for(alg).map(|k| k.kid).unwrap_or_default()
    }

    /// The HMAC secret for `client_id` (HS* algorithms).
    fn client_secret(&self, client_id: Option<&str>) -> Result<Vec<u8>, String> {
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
    fn header_and_key(
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
    fn user_claims(&self, scope: &str) -> Map<String, Value> {
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
    fn issue_id_token(&self, inp: &IdTokenInput<'_>) -> Result<String, String> {
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
        Ok(if has(Misbehavior::IdTokenBadSignature) {
            tamper_signature(&token)
        } else {
            token
        })
    }

    /// Record a request; returns its parsed form.
    pub fn record(&self, method: &Method, uri: &Uri, headers: &HeaderMap, body: &Bytes) -> Req {
        let query: Vec<(String, String)> = uri
            .query()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        let is_form = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim()
                    .to_ascii_lowercase()
                    .starts_with("application/x-www-form-urlencoded")
            });
        let form: Vec<(String, String)> = if is_form {
            form_urlencoded::parse(body).into_owned().collect()
        } else {
            Vec::new()
        };
        let rec = RecordedRequest {
            method: method.as_str().to_owned(),
            path: uri.path().to_owned(),
            headers: headers
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_owned(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            params: query.iter().chain(form.iter()).cloned().collect(),
        };
        self.lock().requests.push(rec);
        Req {
            query,
            form,
            headers: headers.clone(),
        }
    }

    /// `Hang` / `HugeResponse` for an endpoint.
    async fn endpoint_misbehavior(&self, ep: Endpoint) -> Option<Response> {
        let (hang, huge) = {
            let inner = self.lock();
            (
                inner.misbehaviors.contains(&Misbehavior::Hang(ep)),
                inner.misbehaviors.contains(&Misbehavior::HugeResponse(ep)),
            )
        };
        if hang {
            let mut rx = self.shutdown.clone();
            let _ = rx.wait_for(|stop| *stop).await;
            return Some(StatusCode::SERVICE_UNAVAILABLE.into_response());
        }
        if huge {
            return Some(
                (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "application/json")],
                    Body::new(HugeBody::new(HUGE_SIZE)),
                )
                    .into_response(),
            );
        }
        None
    }
}

struct IdTokenInput<'a> {
    client_id: &'a str,
    nonce: Option<&'a str>,
    auth_time: u64,
    code: Option<&'a str>,
    access_token: Option<&'a str>,
    scope: &'a str,
    with_user_claims: bool,
}

/// A parsed request.
pub(crate) struct Req {
    query: Vec<(String, String)>,
    form: Vec<(String, String)>,
    headers: HeaderMap,
}

impl Req {
    /// Query first, then form body.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .chain(self.form.iter())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn form(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn authorization(&self, scheme: &str) -> Option<&str> {
        let v = self.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
        let (s, rest) = v.split_once(' ')?;
        s.eq_ignore_ascii_case(scheme).then(|| rest.trim())
    }
}

// ---------------------------------------------------------------------------------------
// Huge streaming body
// ---------------------------------------------------------------------------------------

const HUGE_SIZE: usize = 50 * 1024 * 1024;
static FILLER: [u8; 64 * 1024] = [b'a'; 64 * 1024];
const HUGE_PREFIX: &[u8] = b"{\"padding\":\"";
const HUGE_SUFFIX: &[u8] = b"\"}";

/// A JSON body of about `remaining` bytes produced 64 KiB at a time from a static buffer.
struct HugeBody {
    prefix_sent: bool,
    remaining: usize,
    suffix_sent: bool,
}

impl HugeBody {
    fn new(size: usize) -> Self {
        HugeBody {
            prefix_sent: false,
            remaining: size.saturating_sub(HUGE_PREFIX.len() + HUGE_SUFFIX.len()),
            suffix_sent: false,
        }
    }
}

impl http_body::Body for HugeBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        let chunk: &'static [u8] = if !this.prefix_sent {
            this.prefix_sent = true;
            HUGE_PREFIX
        } else if this.remaining > 0 {
            let n = this.remaining.min(FILLER.len());
            this.remaining -= n;
            &FILLER[..n]
        } else if !this.suffix_sent {
            this.suffix_sent = true;
            HUGE_SUFFIX
        } else {
            return Poll::Ready(None);
        };
        Poll::Ready(Some(Ok(http_body::Frame::data(Bytes::from_static(chunk)))))
    }

    fn is_end_stream(&self) -> bool {
        self.prefix_sent && self.remaining == 0 && self.suffix_sent
    }
}

// ---------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------

pub(crate) async fn serve(
    listener: std::net::TcpListener,
    state: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    let app = Router::new()
        .route("/.well-known/openid-configuration", any(discovery))
        .route("/jwks", any(jwks))
        .route("/authorize", any(authorize))
        .route("/token", any(token))
        .route("/userinfo", any(userinfo))
        .route("/logout", any(logout))
        .route(
            "/device_authorization",
            any(crate::grants::device_authorization),
        )
        .route("/device", any(crate::grants::device_page))
        .route("/introspect", any(crate::grants::introspect))
        .route("/revoke", any(crate::grants::revoke))
        .route("/tokeninfo", any(crate::grants::tokeninfo))
        .fallback(fallback)
        .with_state(state);
    let mut graceful_rx = shutdown.clone();
    let graceful = axum::serve(listener, app).with_graceful_shutdown(async move {
        let _ = graceful_rx.wait_for(|stop| *stop).await;
    });
    // Graceful shutdown waits for open connections; a client stuck on a hanging or huge
    // response must not keep us from stopping, so give it a short grace period only.
    let hard_stop = async move {
        let _ = shutdown.wait_for(|stop| *stop).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    tokio::select! {
        _ = async { graceful.await } => {}
        _ = hard_stop => {}
    }
}

pub(crate) type S = State<Arc<Shared>>;

pub(crate) fn method_not_allowed(allow: &'static str) -> Response {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        [(header::ALLOW, allow)],
        "method not allowed",
    )
        .into_response()
}

pub(crate) fn json_body(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn html_error(status: StatusCode, msg: &str) -> Response {
    html(
        status,
        format!(
            "<!DOCTYPE html><html><head><title>oidckit-mock: error</title></head>\
             <body><h1>Authorization request rejected</h1><p>{}</p></body></html>",
            escape_html(msg)
        ),
    )
}

async fn fallback(
    State(s): S,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    s.record(&method, &uri, &headers, &body);
    (StatusCode::NOT_FOUND, "not found").into_response()
}

async fn discovery(
    State(s): S,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    s.record(&method, &uri, &headers, &body);
    if method != Method::GET && method != Method::HEAD {
        return method_not_allowed("GET, HEAD");
    }
    if let Some(r) = s.endpoint_misbehavior(Endpoint::Discovery).await {
        return r;
    }
    let iss = &s.issuer;
    if s.has(&Misbehavior::DiscoveryMalformedJson) {
        return json_body(
            StatusCode::OK,
            format!("{{\"issuer\": \"{iss}\", \"authorization_endpoint\": \"{iss}/authorize\", "),
        );
    }
    let mut algs = vec![s.config.id_token_alg.as_str().to_owned()];
    for k in &s.lock().keys {
        let a = k.alg.as_str().to_owned();
        if !algs.contains(&a) {
            algs.push(a);
        }
    }
    let issuer = if s.has(&Misbehavior::DiscoveryIssuerMismatch) {
        format!("{iss}/other-issuer")
    } else {
        iss.clone()
    };
    let doc = json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{iss}/authorize"),
        "token_endpoint": format!("{iss}/token"),
        "userinfo_endpoint": format!("{iss}/userinfo"),
        "jwks_uri": format!("{iss}/jwks"),
        "end_session_endpoint": format!("{iss}/logout"),
        "device_authorization_endpoint": format!("{iss}/device_authorization"),
        "introspection_endpoint": format!("{iss}/introspect"),
        "revocation_endpoint": format!("{iss}/revoke"),
        "registration_endpoint": format!("{iss}/register"),
        "service_documentation": format!("{iss}/docs"),
        "scopes_supported": ["openid", "profile", "email", "address", "phone", "offline_access"],
        "response_types_supported": [
            "code", "id_token", "id_token token", "code id_token", "code token",
            "code id_token token"
        ],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "grant_types_supported": [
            "authorization_code", "implicit", "refresh_token", "client_credentials", "password",
            "urn:ietf:params:oauth:grant-type:device_code",
            "urn:ietf:params:oauth:grant-type:jwt-bearer"
        ],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": algs,
        "userinfo_signing_alg_values_supported": [s.config.id_token_alg.as_str()],
        "token_endpoint_auth_methods_supported":
            ["client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt",
             "none"],
        "token_endpoint_auth_signing_alg_values_supported":
            ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA",
             "HS256", "HS384", "HS512"],
        "code_challenge_methods_supported": ["S256", "plain"],
        "claims_supported": [
            "iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "c_hash",
            "name", "given_name", "family_name", "middle_name", "nickname",
            "preferred_username", "profile", "picture", "website", "gender", "birthdate",
            "zoneinfo", "locale", "updated_at", "email", "email_verified", "address",
            "phone_number", "phone_number_verified"
        ],
        "display_values_supported": ["page", "popup"],
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "authorization_response_iss_parameter_supported": s.config.advertise_iss_parameter,
    });
    (StatusCode::OK, axum::Json(doc)).into_response()
}

async fn jwks(State(s): S, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    s.record(&method, &uri, &headers, &body);
    if method != Method::GET && method != Method::HEAD {
        return method_not_allowed("GET, HEAD");
    }
    if let Some(r) = s.endpoint_misbehavior(Endpoint::Jwks).await {
        return r;
    }
    if s.has(&Misbehavior::JwksMalformedJson) {
        return json_body(StatusCode::OK, "{\"keys\": [{\"kty\": \"RSA\", ".to_owned());
    }
    (StatusCode::OK, axum::Json(s.jwks())).into_response()
}

// ---------------------------------------------------------------------------------------
// Authorization endpoint
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ResponseType {
    code: bool,
    id_token: bool,
    token: bool,
}

impl ResponseType {
    fn parse(s: &str) -> Option<ResponseType> {
        let mut rt = ResponseType {
            code: false,
            id_token: false,
            token: false,
        };
        for part in s.split(' ') {
            let slot = match part {
                "code" => &mut rt.code,
                "id_token" => &mut rt.id_token,
                "token" => &mut rt.token,
                _ => return None,
            };
            if *slot {
                return None;
            }
            *slot = true;
        }
        // Plain OAuth "token" is not an OpenID Connect response type.
        (rt.code || rt.id_token).then_some(rt)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ResponseMode {
    Query,
    Fragment,
    FormPost,
}

/// Sends authorization responses (success or error) back to the client.
struct Responder<'a> {
    s: &'a Shared,
    redirect: Url,
    mode: ResponseMode,
    state: Option<String>,
}

impl Responder<'_> {
    fn error(&self, error: &str, description: &str) -> Response {
        self.send(vec![
            ("error".into(), error.into()),
            ("error_description".into(), description.into()),
        ])
    }

    fn send(&self, mut params: Vec<(String, String)>) -> Response {
        let wrong_state = self.s.has(&Misbehavior::AuthResponseWrongState);
        match (&self.state, wrong_state) {
            (Some(st), false) => params.push(("state".into(), st.clone())),
            (Some(st), true) => params.push(("state".into(), format!("{st}-tampered"))),
            (None, true) => params.push(("state".into(), "tampered".into())),
            (None, false) => {}
        }
        if self.s.config.advertise_iss_parameter {
            let iss = if self.s.has(&Misbehavior::AuthResponseWrongIss) {
                "https://wrong-issuer.example.com".to_owned()
            } else {
                self.s.issuer.clone()
            };
            params.push(("iss".into(), iss));
        }
        match self.mode {
            ResponseMode::Query => {
                let mut url = self.redirect.clone();
                {
                    let mut q = url.query_pairs_mut();
                    for (k, v) in &params {
                        q.append_pair(k, v);
                    }
                }
                redirect_to(url.as_str())
            }
            ResponseMode::Fragment => {
                let mut url = self.redirect.clone();
                let frag = form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(params.iter())
                    .finish();
                url.set_fragment(Some(&frag));
                redirect_to(url.as_str())
            }
            ResponseMode::FormPost => {
                let inputs: String = params
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "<input type=\"hidden\" name=\"{}\" value=\"{}\"/>",
                            escape_html(k),
                            escape_html(v)
                        )
                    })
                    .collect();
                html(
                    StatusCode::OK,
                    format!(
                        "<!DOCTYPE html><html><head><title>Submit This Form</title></head>\
                         <body onload=\"javascript:document.forms[0].submit()\">\
                         <form method=\"post\" action=\"{}\">{inputs}\
                         <noscript><button type=\"submit\">Continue</button></noscript>\
                         </form></body></html>",
                        escape_html(self.redirect.as_str())
                    ),
                )
            }
        }
    }
}

fn redirect_to(location: &str) -> Response {
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, location.to_owned()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
    )
        .into_response()
}

fn redirect_allowed(client: &MockClient, redirect_uri: &str) -> bool {
    if !client.redirect_uris.is_empty() {
        return client.redirect_uris.iter().any(|u| u == redirect_uri);
    }
    match Url::parse(redirect_uri) {
        Ok(u) => {
            u.scheme() == "http"
                && matches!(
                    u.host_str(),
                    Some("127.0.0.1") | Some("localhost") | Some("[::1]")
                )
        }
        Err(_) => false,
    }
}

/// RFC 7636 `code_verifier` / S256 `code_challenge` syntax: 43–128 unreserved characters.
fn pkce_syntax_ok(s: &str) -> bool {
    (43..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

async fn authorize(
    State(s): S,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req = s.record(&method, &uri, &headers, &body);
    if method != Method::GET && method != Method::POST {
        return method_not_allowed("GET, POST");
    }
    if let Some(r) = s.endpoint_misbehavior(Endpoint::Authorize).await {
        return r;
    }
    let p = |n: &str| req.param(n);

    // Errors about the client or the redirect URI are never redirected.
    let Some(client_id) = p("client_id") else {
        return html_error(StatusCode::BAD_REQUEST, "missing client_id");
    };
    let Some(client) = s.client(client_id) else {
        return html_error(StatusCode::BAD_REQUEST, "unknown client_id");
    };
    let Some(redirect_uri) = p("redirect_uri") else {
        return html_error(StatusCode::BAD_REQUEST, "missing redirect_uri");
    };
    if !redirect_allowed(client, redirect_uri) {
        return html_error(
            StatusCode::BAD_REQUEST,
            "redirect_uri is not registered for this client",
        );
    }
    let redirect = match Url::parse(redirect_uri) {
        Ok(u) if u.fragment().is_none() => u,
        _ => return html_error(StatusCode::BAD_REQUEST, "invalid redirect_uri"),
    };

    let response_type = p("response_type");
    let rt = response_type.and_then(ResponseType::parse);
    let default_mode = match rt {
        Some(r) if r.id_token || r.token => ResponseMode::Fragment,
        _ => ResponseMode::Query,
    };
    let (mode, mode_error) = match p("response_mode") {
        None => (default_mode, None),
        Some("query") if rt.is_some_and(|r| r.id_token || r.token) => (
            default_mode,
            Some("response_mode=query is not allowed for this response_type"),
        ),
        Some("query") => (ResponseMode::Query, None),
        Some("fragment") => (ResponseMode::Fragment, None),
        Some("form_post") => (ResponseMode::FormPost, None),
        Some(_) => (default_mode, Some("unsupported response_mode")),
    };
    let responder = Responder {
        s: &s,
        redirect,
        mode,
        state: p("state").map(str::to_owned),
    };

    let forced_error = s.lock().misbehaviors.iter().find_map(|m| match m {
        Misbehavior::AuthResponseError(e) => Some(e.clone()),
        _ => None,
    });
    if let Some(e) = forced_error {
        return responder.error(&e, "mock provider misbehavior: forced error response");
    }
    if let Some(msg) = mode_error {
        return responder.error("invalid_request", msg);
    }
    let Some(response_type) = response_type else {
        return responder.error("invalid_request", "missing response_type");
    };
    let Some(rt) = rt else {
        return responder.error(
            "unsupported_response_type",
            &format!("response_type '{response_type}' is not supported"),
        );
    };
    let scope = p("scope").unwrap_or("");
    if !scope.split_whitespace().any(|x| x == "openid") {
        return responder.error("invalid_scope", "the openid scope is required");
    }
    let nonce = p("nonce");
    if rt
        != (ResponseType {
            code: true,
            id_token: false,
            token: false,
        })
        && nonce.is_none()
    {
        return responder.error(
            "invalid_request",
            "nonce is required for the implicit and hybrid flows",
        );
    }
    let challenge_method = p("code_challenge_method");
    let challenge = match (p("code_challenge"), challenge_method) {
        (None, Some(_)) => {
            return responder.error(
                "invalid_request",
                "code_challenge_method without code_challenge",
            );
        }
        (None, None) => None,
        (Some(c), m) => {
            let m = m.unwrap_or("plain");
            if m != "S256" && m != "plain" {
                return responder.error(
                    "invalid_request",
                    "unsupported code_challenge_method (S256 or plain)",
                );
            }
            if !pkce_syntax_ok(c) {
                return responder.error("invalid_request", "malformed code_challenge");
            }
            Some((c.to_owned(), m.to_owned()))
        }
    };
    if client.client_secret.is_none() && rt.code && challenge.is_none() {
        return responder.error(
            "invalid_request",
            "PKCE (code_challenge) is required for public clients",
        );
    }
    let prompts: Vec<&str> = p("prompt").unwrap_or("").split_whitespace().collect();
    if prompts.contains(&"none") && prompts.len() > 1 {
        return responder.error("invalid_request", "prompt=none cannot be combined");
    }
    if let Some(max_age) = p("max_age")
        && max_age.parse::<u64>().is_err()
    {
        return responder.error("invalid_request", "max_age must be a non-negative integer");
    }

    if !s.config.auto_approve {
        match p("mock_decision") {
            Some("approve") => {}
            Some(_) => return responder.error("access_denied", "the end-user denied the request"),
            None if prompts.contains(&"none") => {
                return responder.error("login_required", "the end-user is not logged in");
            }
            None => return login_page(&s, &req),
        }
    }

    // Issue.
    let auth_time = now();
    let mut out: Vec<(String, String)> = Vec::new();
    let code = rt.code.then(|| random_token(32));
    if let Some(code) = &code {
        let grant = CodeGrant {
            client_id: client.client_id.clone(),
            redirect_uri: redirect_uri.to_owned(),
            nonce: nonce.map(str::to_owned),
            code_challenge: challenge,
            scope: scope.to_owned(),
            auth_time,
            expires: Instant::now() + CODE_TTL,
        };
        s.lock().codes.insert(code.clone(), grant);
        out.push(("code".into(), code.clone()));
    }
    let access_token = rt.token.then(|| random_token(32));
    if let Some(at) = &access_token {
        let grant = AccessGrant {
            client_id: client.client_id.clone(),
            scope: scope.to_owned(),
            expires: Instant::now() + Duration::from_secs(s.config.token_ttl_secs),
            sub: String::new(),
        };
        s.lock().access_tokens.insert(at.clone(), grant);
        out.push(("access_token".into(), at.clone()));
        out.push(("token_type".into(), "Bearer".into()));
        out.push(("expires_in".into(), s.config.token_ttl_secs.to_string()));
    }
    if rt.id_token {
        let input = IdTokenInput {
            client_id: &client.client_id,
            nonce,
            auth_time,
            code: code.as_deref(),
            access_token: access_token.as_deref(),
            scope,
            with_user_claims: !rt.code && !rt.token,
        };
        match s.issue_id_token(&input) {
            Ok(t) => out.push(("id_token".into(), t)),
            Err(e) => return responder.error("server_error", &e),
        }
    }
    responder.send(out)
}

fn login_page(s: &Shared, req: &Req) -> Response {
    let hidden: String = req
        .query
        .iter()
        .chain(req.form.iter())
        .filter(|(k, _)| k != "mock_decision")
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\"/>",
                escape_html(k),
                escape_html(v)
            )
        })
        .collect();
    let name = s
        .config
        .user
        .claims
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or(&s.config.user.sub)
        .to_owned();
    html(
        StatusCode::OK,
        format!(
            "<!DOCTYPE html><html><head><title>oidckit-mock: sign in</title></head><body>\
             <h1>oidckit-mock</h1><p>Sign in as <strong>{}</strong>?</p>\
             <form method=\"post\" action=\"/authorize\">{hidden}\
             <button type=\"submit\" name=\"mock_decision\" value=\"approve\">Approve</button>\
             <button type=\"submit\" name=\"mock_decision\" value=\"deny\">Deny</button>\
             </form></body></html>",
            escape_html(&name)
        ),
    )
}

// ---------------------------------------------------------------------------------------
// Token endpoint
// ---------------------------------------------------------------------------------------

pub(crate) fn token_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut r = (
        status,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        axum::Json(json!({ "error": error, "error_description": description })),
    )
        .into_response();
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            axum::http::HeaderValue::from_static("Basic realm=\"oidckit-mock\""),
        );
    }
    r
}

/// Percent-decode one `application/x-www-form-urlencoded` component (`+` is a space).
fn form_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

pub(crate) fn authenticate_client<'a>(
    s: &'a Shared,
    req: &Req,
) -> Result<&'a MockClient, Box<Response>> {
    let invalid_client =
        |d: &str| Box::new(token_error(StatusCode::UNAUTHORIZED, "invalid_client", d));
    if req.form("client_assertion_type").is_some() || req.form("client_assertion").is_some() {
        return crate::grants::authenticate_with_assertion(s, req);
    }
    let body_id = req.form("client_id");
    let body_secret = req.form("client_secret");
    if let Some(basic) = req.authorization("Basic") {
        if body_secret.is_some() {
            return Err(Box::new(token_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "more than one client authentication method used",
            )));
        }
        let decoded = STANDARD
            .decode(basic)
            .ok()
            .and_then(|b| String::from_utf8(b).ok());
        let Some((id, secret)) = decoded.as_deref().and_then(|d| d.split_once(':')) else {
            return Err(invalid_client("malformed Basic credentials"));
        };
        let (Some(id), Some(secret)) = (form_decode(id), form_decode(secret)) else {
            return Err(invalid_client("malformed Basic credentials"));
        };
        if body_id.is_some_and(|b| b != id) {
            return Err(Box::new(token_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "client_id in the body differs from the authenticated client",
            )));
        }
        let Some(client) = s.client(&id) else {
            return Err(invalid_client("unknown client"));
        };
        if client.client_secret.as_deref() != Some(secret.as_str()) {
            return Err(invalid_client("client authentication failed"));
        }
        return Ok(client);
    }
    let Some(id) = body_id else {
        return Err(invalid_client("client authentication required"));
    };
    let Some(client) = s.client(id) else {
        return Err(invalid_client("unknown client"));
    };
    if s.lock().extra.has_keys(id) {
        return Err(invalid_client(
            "this client must authenticate with private_key_jwt",
        ));
    }
    match (&client.client_secret, body_secret) {
        (Some(expected), Some(got)) if expected == got => Ok(client),
        (None, None) => Ok(client),
        (None, Some(_)) => Err(invalid_client("public client must not send a secret")),
        (Some(_), _) => Err(invalid_client("client authentication failed")),
    }
}

async fn token(State(s): S, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let req = s.record(&method, &uri, &headers, &body);
    if method != Method::POST {
        return method_not_allowed("POST");
    }
    if let Some(r) = s.endpoint_misbehavior(Endpoint::Token).await {
        return r;
    }
    if s.has(&Misbehavior::TokenInvalidGrant) {
        return token_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "mock provider misbehavior: grant rejected",
        );
    }
    if s.has(&Misbehavior::TokenMalformedJson) {
        return json_body(
            StatusCode::OK,
            "<html><body>this is not JSON</body></html>".to_owned(),
        );
    }
    if let Some(r) = crate::grants::before_client_auth(&s, &req) {
        return r;
    }
    let client = match authenticate_client(&s, &req) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let bad = |e: &str, d: &str| token_error(StatusCode::BAD_REQUEST, e, d);
    match req.form("grant_type") {
        Some("authorization_code") => {
            let Some(code) = req.form("code") else {
                return bad("invalid_request", "missing code");
            };
            let Some(grant) = s.lock().codes.remove(code) else {
                return bad("invalid_grant", "unknown, expired or already used code");
            };
            if grant.expires < Instant::now() {
                return bad("invalid_grant", "code expired");
            }
            if grant.client_id != client.client_id {
                return bad("invalid_grant", "code was issued to another client");
            }
            if req.form("redirect_uri") != Some(grant.redirect_uri.as_str()) {
                return bad("invalid_grant", "redirect_uri does not match");
            }
            let verifier = req.form("code_verifier");
            match (&grant.code_challenge, verifier) {
                (None, None) => {}
                (None, Some(_)) => {
                    return bad(
                        "invalid_grant",
                        "code_verifier sent but no code_challenge was",
                    );
                }
                (Some(_), None) => return bad("invalid_grant", "missing code_verifier"),
                (Some((challenge, m)), Some(v)) => {
                    if !pkce_syntax_ok(v) {
                        return bad("invalid_grant", "malformed code_verifier");
                    }
                    let computed = if m == "S256" {
                        URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(v.as_bytes()))
                    } else {
                        v.to_owned()
                    };
                    if &computed != challenge {
                        return bad("invalid_grant", "PKCE verification failed");
                    }
                }
            }
            issue_tokens(
                &s,
                client,
                &grant.scope,
                grant.nonce.as_deref(),
                grant.auth_time,
            )
        }
        Some("refresh_token") => {
            if !s.config.refresh_tokens {
                return bad("unsupported_grant_type", "refresh tokens are disabled");
            }
            let Some(rt) = req.form("refresh_token") else {
                return bad("invalid_request", "missing refresh_token");
            };
            let Some(grant) = s.lock().refresh_tokens.remove(rt) else {
                return bad("invalid_grant", "unknown or already used refresh token");
            };
            if grant.client_id != client.client_id {
                s.lock().refresh_tokens.insert(rt.to_owned(), grant);
                return bad(
                    "invalid_grant",
                    "refresh token was issued to another client",
                );
            }
            let scope = match req.form("scope") {
                None => grant.scope.clone(),
                Some(requested) => {
                    let granted: Vec<&str> = grant.scope.split_whitespace().collect();
                    if !requested.split_whitespace().all(|x| granted.contains(&x)) {
                        s.lock().refresh_tokens.insert(rt.to_owned(), grant);
                        return bad("invalid_scope", "requested scope exceeds the granted scope");
                    }
                    requested.to_owned()
                }
            };
            issue_tokens(&s, client, &scope, None, grant.auth_time)
        }
        Some(other) => crate::grants::token_grant(&s, &req, client, other),
        None => bad("invalid_request", "missing grant_type"),
    }
}

pub(crate) fn issue_tokens(
    s: &Shared,
    client: &MockClient,
    scope: &str,
    nonce: Option<&str>,
    auth_time: u64,
) -> Response {
    let ttl = s.config.token_ttl_secs;
    let access_token = random_token(32);
    let id_token = s.issue_id_token(&IdTokenInput {
        client_id: &client.client_id,
        nonce,
        auth_time,
        code: None,
        access_token: Some(&access_token),
        scope,
        with_user_claims: false,
    });
    let id_token = match id_token {
        Ok(t) => t,
        Err(e) => return token_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", &e),
    };
    let mut body = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": ttl,
        "id_token": id_token,
        "scope": scope,
    });
    {
        let mut inner = s.lock();
        inner.access_tokens.insert(
            access_token.clone(),
            AccessGrant {
                client_id: client.client_id.clone(),
                scope: scope.to_owned(),
                expires: Instant::now() + Duration::from_secs(ttl),
                sub: String::new(),
            },
        );
        if s.config.refresh_tokens {
            let rt = random_token(32);
            inner.refresh_tokens.insert(
                rt.clone(),
                RefreshGrant {
                    client_id: client.client_id.clone(),
                    scope: scope.to_owned(),
                    auth_time,
                },
            );
            body["refresh_token"] = rt.into();
        }
    }
    (
        StatusCode::OK,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        axum::Json(body),
    )
        .into_response()
}

// ---------------------------------------------------------------------------------------
// UserInfo and logout
// ---------------------------------------------------------------------------------------

fn bearer_error(www_authenticate: String) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, www_authenticate)],
        "",
    )
        .into_response()
}

async fn userinfo(
    State(s): S,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req = s.record(&method, &uri, &headers, &body);
    if method != Method::GET && method != Method::POST {
        return method_not_allowed("GET, POST");
    }
    if let Some(r) = s.endpoint_misbehavior(Endpoint::UserInfo).await {
        return r;
    }
    let token = req.authorization("Bearer").or_else(|| {
        (method == Method::POST)
            .then(|| req.form("access_token"))
            .flatten()
    });
    let Some(token) = token else {
        return bearer_error("Bearer realm=\"oidckit-mock\"".to_owned());
    };
    let grant = s.lock().access_tokens.get(token).cloned();
    let Some(grant) = grant.filter(|g| g.expires > Instant::now()) else {
        return bearer_error(
            "Bearer realm=\"oidckit-mock\", error=\"invalid_token\", \
             error_description=\"unknown or expired access token\""
                .to_owned(),
        );
    };
    let mut claims = Map::new();
    let sub = if s.has(&Misbehavior::UserinfoWrongSub) {
        format!("{}-someone-else", s.config.user.sub)
    } else {
        s.config.user.sub.clone()
    };
    claims.insert("sub".into(), sub.into());
    claims.extend(s.user_claims(&grant.scope));
    if !s.config.userinfo_signed {
        return (StatusCode::OK, axum::Json(Value::Object(claims))).into_response();
    }
    claims.insert("iss".into(), s.issuer.clone().into());
    claims.insert("aud".into(), grant.client_id.clone().into());
    claims.insert("iat".into(), now().into());
    let alg = s.config.id_token_alg;
    let signed = s
        .header_and_key(alg, Some(&grant.client_id))
        .and_then(|(h, k)| compact_sign(&Value::Object(h), &Value::Object(claims), &k, alg));
    match signed {
        Ok(jwt) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/jwt")],
            jwt,
        )
            .into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
    }
}

async fn logout(
    State(s): S,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req = s.record(&method, &uri, &headers, &body);
    if method != Method::GET && method != Method::POST {
        return method_not_allowed("GET, POST");
    }
    if let Some(target) = req.param("post_logout_redirect_uri") {
        let Ok(mut url) = Url::parse(target) else {
            return html_error(StatusCode::BAD_REQUEST, "invalid post_logout_redirect_uri");
        };
        if let Some(state) = req.param("state") {
            url.query_pairs_mut().append_pair("state", state);
        }
        return redirect_to(url.as_str());
    }
    html(
        StatusCode::OK,
        "<!DOCTYPE html><html><head><title>oidckit-mock: signed out</title></head>\
         <body><h1>You have been signed out.</h1></body></html>"
            .to_owned(),
    )
}
