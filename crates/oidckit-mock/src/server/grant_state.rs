//! What the device flow and the client-assertion checks remember between requests: device
//! authorizations, registered client keys and used assertion ids.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use jsonwebtoken::DecodingKey;

/// Whether a device authorization is waiting, approved or denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeviceStatus {
    Pending,
    Approved,
    Denied,
}

#[derive(Debug, Clone)]
pub(super) struct DeviceGrant {
    pub(super) client_id: String,
    pub(super) scope: String,
    pub(super) user_code: String,
    pub(super) status: DeviceStatus,
    pub(super) expires: Instant,
    pub(super) interval: Duration,
    pub(super) last_poll: Instant,
    pub(super) polls: Vec<Instant>,
}

/// A registered public key of a client (or JWT bearer issuer).
#[derive(Clone)]
pub(crate) struct ClientKey {
    pub(super) key: DecodingKey,
}

impl std::fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientKey")
    }
}

impl ClientKey {
    /// SPKI PEM (RSA, EC or Ed25519) or a public JWK.
    pub fn parse(text: &str) -> Result<ClientKey, String> {
        let t = text.trim();
        let key = if t.starts_with('{') {
            let jwk: jsonwebtoken::jwk::Jwk =
                serde_json::from_str(t).map_err(|e| format!("not a JWK: {e}"))?;
            DecodingKey::from_jwk(&jwk).map_err(|e| format!("unusable JWK: {e}"))?
        } else {
            DecodingKey::from_rsa_pem(t.as_bytes())
                .or_else(|_| DecodingKey::from_ec_pem(t.as_bytes()))
                .or_else(|_| DecodingKey::from_ed_pem(t.as_bytes()))
                .map_err(|e| format!("unusable PEM public key: {e}"))?
        };
        Ok(ClientKey { key })
    }
}

/// State of the grants beyond the code flow, kept inside the provider's one mutex.
#[derive(Debug, Default)]
pub(crate) struct Extra {
    pub(super) devices: HashMap<String, DeviceGrant>,
    pub(super) keys: HashMap<String, Vec<ClientKey>>,
    pub(super) used_jti: HashSet<String>,
    /// Pushed authorization requests by `request_uri` (RFC 9126).
    pub(super) pushed: HashMap<String, Pushed>,
    /// DPoP proof ids seen, bound access tokens (token → key thumbprint), the server nonce.
    pub(super) dpop_jti: HashSet<String>,
    pub(super) dpop_bound: HashMap<String, String>,
    pub(super) dpop_nonce: String,
}

impl Extra {
    pub fn add_key(&mut self, id: &str, key: ClientKey) {
        self.keys.entry(id.to_owned()).or_default().push(key);
    }

    pub fn has_keys(&self, id: &str) -> bool {
        self.keys.contains_key(id)
    }

    pub(super) fn device_by_user_code(&mut self, user_code: &str) -> Option<&mut DeviceGrant> {
        self.devices.values_mut().find(|d| d.user_code == user_code)
    }

    pub fn set_device(&mut self, user_code: &str, status: DeviceStatus) -> bool {
        match self.device_by_user_code(user_code) {
            Some(d) if d.status == DeviceStatus::Pending => {
                d.status = status;
                true
            }
            _ => false,
        }
    }

    pub fn expire_device(&mut self, user_code: &str) -> bool {
        self.device_by_user_code(user_code)
            .map(|d| d.expires = Instant::now())
            .is_some()
    }

    pub fn poll_times(&mut self, user_code: &str) -> Vec<Instant> {
        self.device_by_user_code(user_code)
            .map(|d| d.polls.clone())
            .unwrap_or_default()
    }
}

/// A pushed authorization request waiting to be used.
#[derive(Debug, Clone)]
pub(crate) struct Pushed {
    pub(super) client_id: String,
    pub(super) params: Vec<(String, String)>,
    pub(super) expires: u64,
}
