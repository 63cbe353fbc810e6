//! Provider state: recorded requests, issued codes and tokens, keys, registered clients.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri, header};
use serde_json::{Value, json};
use tokio::sync::watch;

use super::grant_state::Extra;
use crate::keys::SigningKey;
use crate::{Misbehavior, MockClient, MockConfig, SigningAlg};

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

pub(super) const CODE_TTL: Duration = Duration::from_secs(60);

#[derive(Debug, Clone)]
pub(super) struct CodeGrant {
    pub(super) client_id: String,
    pub(super) redirect_uri: String,
    pub(super) nonce: Option<String>,
    pub(super) code_challenge: Option<(String, String)>,
    pub(super) scope: String,
    pub(super) auth_time: u64,
    pub(super) expires: Instant,
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
    pub(super) keys: Vec<SigningKey>,
    pub misbehaviors: Vec<Misbehavior>,
    pub(super) codes: HashMap<String, CodeGrant>,
    pub access_tokens: HashMap<String, AccessGrant>,
    pub refresh_tokens: HashMap<String, RefreshGrant>,
    pub requests: Vec<crate::RecordedRequest>,
    /// Device codes, client keys and used assertion ids (see `grants.rs`).
    pub extra: Extra,
    /// The chain (rotation family) of each live refresh token.
    pub refresh_chains: HashMap<String, u64>,
    /// Used (rotated) refresh tokens and their chain, for reuse detection.
    pub used_refresh_tokens: HashMap<String, u64>,
    /// The last chain number handed out.
    pub last_chain: u64,
    /// Clients registered at `/register` (RFC 7591), at most 64.
    pub registered_clients: Vec<MockClient>,
}

impl Inner {
    /// The active key for `alg`, generating (and publishing) one on first use.
    pub(super) fn key_for(&mut self, alg: SigningAlg) -> Result<SigningKey, String> {
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
    pub(super) inner: Mutex<Inner>,
    pub(super) shutdown: watch::Receiver<bool>,
}

/// The state every handler extracts.
pub(crate) type S = State<Arc<Shared>>;

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
        inner.extra.dpop_nonce = format!("mock-nonce-{}", crate::keys::random_token(12));
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

    /// The grant of an access token that was issued and has not expired (nor been revoked).
    pub fn live_access_token(&self, token: Option<&str>) -> Option<AccessGrant> {
        let token = token?;
        self.lock()
            .access_tokens
            .get(token)
            .filter(|g| g.expires > Instant::now())
            .cloned()
    }

    pub fn has(&self, m: &Misbehavior) -> bool {
        self.lock().misbehaviors.contains(m)
    }

    /// A configured client, or one registered dynamically (`/register`).
    pub fn client(&self, client_id: &str) -> Option<MockClient> {
        self.config
            .clients
            .iter()
            .find(|c| c.client_id == client_id)
            .cloned()
            .or_else(|| {
                self.lock()
                    .registered_clients
                    .iter()
                    .find(|c| c.client_id == client_id)
                    .cloned()
            })
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
}

/// A parsed request.
pub(crate) struct Req {
    pub(super) query: Vec<(String, String)>,
    pub(super) form: Vec<(String, String)>,
    pub(super) headers: HeaderMap,
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

    pub(super) fn authorization(&self, scheme: &str) -> Option<&str> {
        let v = self.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
        let (s, rest) = v.split_once(' ')?;
        s.eq_ignore_ascii_case(scheme).then(|| rest.trim())
    }
}
