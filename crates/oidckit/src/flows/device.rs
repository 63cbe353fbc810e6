//! OAuth 2.0 Device Authorization Grant, [RFC 8628](https://www.rfc-editor.org/rfc/rfc8628):
//! request a device code (§3.1–3.2), show the user code and URL, then poll the token endpoint
//! (§3.4–3.5) honouring `interval`, `authorization_pending` and `slow_down` (+5 s).

use std::fmt;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use crate::client_auth::ClientAuth;
use crate::http::Http;
use crate::token;
use crate::{Error, Result};

/// The `grant_type` of the device flow (the seed's default `DeviceGrantType`).
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// Added to the polling interval on each `slow_down` (RFC 8628 §3.5).
pub const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

/// A device authorization response (RFC 8628 §3.2). Show [`user_code`](Self::user_code) and
/// [`verification_uri`](Self::verification_uri) (or `verification_uri_complete`, e.g. as a QR
/// code) to the user, then call [`Client::poll_device_token`](crate::Client::poll_device_token).
#[derive(Clone)]
#[non_exhaustive]
pub struct DeviceAuthorization {
    /// The device verification code (secret; redacted in `Debug`).
    pub device_code: String,
    /// The code the user enters (the seed's `DeviceUserCode`).
    pub user_code: String,
    /// Where the user enters it (Google's `verification_url` is accepted too).
    pub verification_uri: String,
    /// The URL with the user code filled in, when the provider sends one.
    pub verification_uri_complete: Option<String>,
    /// Lifetime of the codes in seconds.
    pub expires_in: u64,
    /// The polling interval (the seed's `PollingInterval`); 5 s when the provider sends none.
    pub interval: Duration,
    /// The grant type used when polling (the seed's `DeviceGrantType`). Default:
    /// [`DEVICE_CODE_GRANT`].
    pub grant_type: String,
    /// The response as received.
    pub raw: Map<String, Value>,
    received: Instant,
}

impl fmt::Debug for DeviceAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceAuthorization")
            .field("device_code", &"[redacted]")
            .field("user_code", &self.user_code)
            .field("verification_uri", &self.verification_uri)
            .field("verification_uri_complete", &self.verification_uri_complete)
            .field("expires_in", &self.expires_in)
            .field("interval", &self.interval)
            .finish()
    }
}

impl DeviceAuthorization {
    /// Reads a device authorization response. Code 910 when a required member is missing.
    pub fn from_fields(raw: Map<String, Value>) -> Result<DeviceAuthorization> {
        let text = |name: &str| raw.get(name).and_then(Value::as_str).map(str::to_string);
        let need = |name: &str| {
            text(name).ok_or_else(|| Error::InvalidDeviceAuthorization {
                reason: format!("the response has no `{name}`"),
            })
        };
        let number = |name: &str| {
            raw.get(name).and_then(|v| {
                v.as_u64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            })
        };
        Ok(DeviceAuthorization {
            device_code: need("device_code")?,
            user_code: need("user_code")?,
            verification_uri: text("verification_url")
                .map_or_else(|| need("verification_uri"), Ok)?,
            verification_uri_complete: text("verification_uri_complete"),
            expires_in: number("expires_in").unwrap_or(600),
            interval: Duration::from_secs(number("interval").unwrap_or(5)),
            grant_type: DEVICE_CODE_GRANT.to_string(),
            received: Instant::now(),
            raw,
        })
    }

    /// When the device code expires.
    pub fn expires_at(&self) -> Instant {
        self.received + Duration::from_secs(self.expires_in)
    }

    /// Sets the polling interval from the client's own `interval` (§3.5): used as is when the
    /// provider sent no `interval`; otherwise the provider's is kept unless the client's is
    /// longer, so the client never polls faster than either side asks.
    pub fn poll_no_faster_than(&mut self, interval: Duration) {
        self.interval = if self.raw.contains_key("interval") {
            self.interval.max(interval)
        } else {
            interval
        };
    }
}

/// Requests a device code at the device authorization endpoint (§3.1).
pub(crate) async fn authorize(
    http: &Http,
    url: &str,
    auth: &ClientAuth,
    token_url: &str,
    scope: &str,
) -> Result<DeviceAuthorization> {
    let resp = crate::client_auth::post(http, url, auth, token_url, &[("scope", scope)]).await?;
    let map =
        token::parse_json_response(&resp, "device_authorization", url).map_err(|e| match e {
            Error::InvalidTokenResponse { reason } => Error::InvalidDeviceAuthorization { reason },
            other => other,
        })?;
    DeviceAuthorization::from_fields(map)
}

/// Polls the token endpoint until the user approves (the token response), denies
/// (`access_denied`, code 151), the code expires (`expired_token`, code 151), or `timeout` /
/// the code's lifetime passes locally (code 201). Dropping the future stops polling.
pub(crate) async fn poll(
    http: &Http,
    token_url: &str,
    auth: &ClientAuth,
    da: &DeviceAuthorization,
    timeout: Option<Duration>,
) -> Result<Map<String, Value>> {
    let mut deadline = da.expires_at();
    if let Some(t) = timeout {
        deadline = deadline.min(Instant::now() + t);
    }
    let started = Instant::now();
    let mut interval = da.interval;
    let grant = [
        ("grant_type", da.grant_type.as_str()),
        ("device_code", da.device_code.as_str()),
    ];
    loop {
        if Instant::now() + interval > deadline {
            tokio::time::sleep_until(deadline.into()).await;
            return Err(Error::Timeout {
                what: "device authorization (the user did not finish in time)".into(),
                seconds: (Instant::now() - started).as_secs().max(1),
            });
        }
        tokio::time::sleep(interval).await;
        match token::request(http, token_url, auth, &grant).await {
            Err(Error::OAuth { error, .. }) if error == "authorization_pending" => {}
            Err(Error::OAuth { error, .. }) if error == "slow_down" => interval += SLOW_DOWN_STEP,
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(v: serde_json::Value) -> DeviceAuthorization {
        let raw = v.as_object().expect("object").clone();
        DeviceAuthorization::from_fields(raw).expect("device authorization")
    }

    #[test]
    fn polls_no_faster_than_either_side_asks() {
        let base = serde_json::json!({"device_code": "d", "user_code": "u", "verification_uri": "https://op/d"});
        let mut without = answer(base.clone());
        without.poll_no_faster_than(Duration::from_secs(2));
        assert_eq!(
            without.interval,
            Duration::from_secs(2),
            "no provider interval: ours"
        );
        let mut with = base;
        with["interval"] = 8.into();
        let mut slow = answer(with.clone());
        slow.poll_no_faster_than(Duration::from_secs(5));
        assert_eq!(
            slow.interval,
            Duration::from_secs(8),
            "the provider asks for slower"
        );
        let mut fast = answer(with);
        fast.poll_no_faster_than(Duration::from_secs(10));
        assert_eq!(fast.interval, Duration::from_secs(10), "we ask for slower");
    }
}
