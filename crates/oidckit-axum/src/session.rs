//! The session's data, and refreshing its access token once across every instance.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use oidckit::{Error, Result, TokenSet};

use crate::cookie::random_id;
use crate::store::{SessionEntry, Store};
use crate::{Oidc, SignedInUser};

/// What a session holds (JSON in the store). Tokens never reach the browser.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct SessionData {
    pub sub: String,
    pub sid: Option<String>,
    pub claims: Map<String, Value>,
    pub userinfo: Option<Map<String, Value>>,
    pub id_token: Option<String>,
    pub access_token: String,
    pub refresh_token: Option<String>,
    /// Unix seconds.
    pub expires_at: Option<u64>,
    /// Unix seconds; the session ends at `created_at + session_ttl`, refreshes included.
    pub created_at: u64,
}

pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn unix(t: Option<SystemTime>) -> Option<u64> {
    t.and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_secs())
}

fn encode_error(e: serde_json::Error) -> Error {
    Error::SessionStore {
        operation: "encode or decode session data",
        source: Box::new(e),
    }
}

impl SessionData {
    /// A new session from the tokens of a completed sign-in.
    pub fn from_sign_in(tokens: &TokenSet, userinfo: Option<Map<String, Value>>) -> Result<Self> {
        let id = tokens.id_token.as_ref().ok_or(Error::Missing {
            what: "id_token",
            hint: "the sign-in returned no ID token; keep `openid` in the scope",
        })?;
        let claims = id.claims().as_map().clone();
        let sub = id.claims().subject().unwrap_or_default().to_owned();
        Ok(SessionData {
            sid: id.claims().get_str("sid").map(str::to_owned),
            sub,
            claims,
            userinfo,
            id_token: Some(id.raw().to_owned()),
            access_token: tokens.access_token.clone().unwrap_or_default(),
            refresh_token: tokens.refresh_token.clone(),
            expires_at: unix(tokens.expires_at),
            created_at: unix_now(),
        })
    }

    pub fn decode(entry: &SessionEntry) -> Result<SessionData> {
        serde_json::from_str(&entry.data).map_err(encode_error)
    }

    pub fn entry(&self) -> Result<SessionEntry> {
        Ok(SessionEntry {
            sub: self.sub.clone(),
            sid: self.sid.clone(),
            data: serde_json::to_string(self).map_err(encode_error)?,
        })
    }

    /// Time left of the session's lifetime (`None` when it is over).
    pub fn remaining(&self, ttl: Duration) -> Option<Duration> {
        let end = self.created_at.saturating_add(ttl.as_secs());
        let now = unix_now();
        (end > now).then(|| Duration::from_secs(end - now))
    }

    fn needs_refresh(&self, margin: Duration) -> bool {
        self.refresh_token.is_some()
            && self
                .expires_at
                .is_some_and(|exp| exp <= unix_now().saturating_add(margin.as_secs()))
    }

    fn apply(&mut self, tokens: TokenSet) -> Result<()> {
        if let Some(id) = &tokens.id_token {
            if id.claims().subject() != Some(self.sub.as_str()) {
                return Err(Error::IdTokenClaim {
                    claim: "sub",
                    check: oidckit::ClaimCheck::Mismatch,
                    expected: Some(format!("{:?}", self.sub)),
                    found: id.claims().subject().map(|s| format!("{s:?}")),
                });
            }
            self.claims = id.claims().as_map().clone();
            self.id_token = Some(id.raw().to_owned());
        }
        self.access_token = tokens.access_token.unwrap_or_default();
        // Client::refresh keeps the old refresh token when the provider did not rotate it.
        if tokens.refresh_token.is_some() {
            self.refresh_token = tokens.refresh_token;
        }
        self.expires_at = unix(tokens.expires_at);
        Ok(())
    }

    pub fn user(&self, session_id: &str) -> SignedInUser {
        SignedInUser {
            session_id: session_id.to_owned(),
            sub: self.sub.clone(),
            sid: self.sid.clone(),
            claims: self.claims.clone(),
            userinfo: self.userinfo.clone(),
            access_token: self.access_token.clone(),
            expires_at: self.expires_at,
        }
    }
}

/// Loads session `id`; `None` when it is absent or over.
pub(crate) async fn load(oidc: &Oidc, id: &str) -> Result<Option<SessionData>> {
    let Some(entry) = oidc.store().get_session(id).await? else {
        return Ok(None);
    };
    let data = SessionData::decode(&entry)?;
    Ok(data.remaining(oidc.config().session_ttl).map(|_| data))
}

/// Saves session `id` for the rest of its lifetime.
pub(crate) async fn save(oidc: &Oidc, id: &str, data: &SessionData) -> Result<()> {
    let Some(left) = data.remaining(oidc.config().session_ttl) else {
        return oidc.store().delete_session(id).await;
    };
    oidc.store().put_session(id, &data.entry()?, left).await
}

/// Returns the session with an access token that is not about to expire, refreshing it when
/// needed. Of several instances (or tasks) that find the same session stale at once, exactly one
/// calls the token endpoint, under a store lock with a fencing value; the others wait for its
/// result and read the new tokens from the store. A refresh the provider refuses ends the
/// session (`Ok(None)`).
pub(crate) async fn fresh(oidc: &Oidc, id: &str, data: SessionData) -> Result<Option<SessionData>> {
    let cfg = oidc.config();
    if !data.needs_refresh(cfg.refresh_before) {
        return Ok(Some(data));
    }
    let store: &dyn Store = oidc.store();
    let fence = random_id()?;
    let deadline = tokio::time::Instant::now() + cfg.refresh_wait;
    loop {
        if store.try_lock(id, &fence, cfg.refresh_lock_ttl).await? {
            let result = refresh_locked(oidc, id).await;
            // A failed release only delays the next refresh until the lock's TTL ends; the new
            // tokens are already saved, so the refresh result stands.
            let _ = store.unlock(id, &fence).await;
            return result;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
        match load(oidc, id).await? {
            None => return Ok(None),
            Some(now) if !now.needs_refresh(cfg.refresh_before) => return Ok(Some(now)),
            Some(_) if tokio::time::Instant::now() >= deadline => {
                return Err(Error::RefreshInProgress {
                    waited: cfg.refresh_wait,
                });
            }
            Some(_) => {}
        }
    }
}

async fn refresh_locked(oidc: &Oidc, id: &str) -> Result<Option<SessionData>> {
    // Re-read under the lock: another instance may have refreshed just before we took it, and
    // its rotated refresh token is the only one the provider still accepts.
    let Some(mut data) = load(oidc, id).await? else {
        return Ok(None);
    };
    if !data.needs_refresh(oidc.config().refresh_before) {
        return Ok(Some(data));
    }
    let Some(refresh_token) = data.refresh_token.clone() else {
        return Ok(Some(data));
    };
    match oidc.client().refresh(&refresh_token, None).await {
        Ok(tokens) => {
            data.apply(tokens)?;
            save(oidc, id, &data).await?;
            Ok(Some(data))
        }
        Err(Error::OAuth { .. }) => {
            // invalid_grant and friends: the grant is gone at the provider; so is the session.
            oidc.store().delete_session(id).await?;
            Ok(None)
        }
        Err(e) => Err(e),
    }
}
