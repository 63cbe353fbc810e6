//! The provider's key set: fetched on first use, cached, and re-fetched once when a token names
//! a key we do not have (key rotation), at most once per cooldown.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::http::Http;
use crate::jose::Jwks;
use crate::{Error, Result};

#[derive(Debug)]
pub(crate) struct KeyCache {
    uri: Option<String>,
    current: RwLock<Option<Arc<Jwks>>>,
    /// Serializes fetches; holds when the last fetch forced by an unknown kid happened.
    fetch: tokio::sync::Mutex<Option<Instant>>,
    cooldown: Duration,
}

impl KeyCache {
    /// A cache over `uri`, or a fixed key set when the keys were given directly.
    pub fn new(uri: Option<String>, fixed: Option<Jwks>, cooldown: Duration) -> KeyCache {
        KeyCache {
            uri: if fixed.is_some() { None } else { uri },
            current: RwLock::new(fixed.map(Arc::new)),
            fetch: tokio::sync::Mutex::new(None),
            cooldown,
        }
    }

    /// The key set cached now, if any (no fetch).
    pub fn cached(&self) -> Option<Arc<Jwks>> {
        // A poisoned lock only means another thread panicked while swapping an Arc; the value is intact.
        match self.current.read() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    fn store(&self, jwks: Arc<Jwks>) {
        match self.current.write() {
            Ok(mut g) => *g = Some(jwks),
            Err(p) => *p.into_inner() = Some(jwks),
        }
    }

    /// The current key set, fetched if not yet cached.
    pub async fn get(&self, http: &Http) -> Result<Arc<Jwks>> {
        if let Some(j) = self.cached() {
            return Ok(j);
        }
        let _guard = self.fetch.lock().await;
        if let Some(j) = self.cached() {
            return Ok(j);
        }
        let j = Arc::new(self.download(http).await?);
        self.store(j.clone());
        Ok(j)
    }

    /// Re-fetches after a key lookup failed on `seen`. Returns `None` when no re-fetch is
    /// possible (fixed keys, or within the cooldown of the previous forced re-fetch).
    pub async fn refresh(&self, http: &Http, seen: &Arc<Jwks>) -> Result<Option<Arc<Jwks>>> {
        if self.uri.is_none() {
            return Ok(None);
        }
        let mut last = self.fetch.lock().await;
        if let Some(current) = self.cached()
            && !Arc::ptr_eq(&current, seen)
        {
            // Another task re-fetched while we waited.
            return Ok(Some(current));
        }
        if last.is_some_and(|t| t.elapsed() < self.cooldown) {
            return Ok(None);
        }
        *last = Some(Instant::now());
        let j = Arc::new(self.download(http).await?);
        self.store(j.clone());
        Ok(Some(j))
    }

    async fn download(&self, http: &Http) -> Result<Jwks> {
        let Some(uri) = &self.uri else {
            return Ok(Jwks::default());
        };
        Jwks::from_json(&fetch(http, uri).await?)
    }
}

/// GETs the JWKS document at `uri` (151 for a non-success status).
pub(crate) async fn fetch(http: &Http, uri: &str) -> Result<Vec<u8>> {
    let resp = http
        .get(uri, None, "application/json, application/jwk-set+json")
        .await?;
    if !resp.is_success() {
        return Err(Error::HttpStatus {
            url: uri.to_string(),
            status: resp.status,
            body: resp.body_text(),
        });
    }
    Ok(resp.body)
}
