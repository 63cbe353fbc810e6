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

/// The longest polling interval: a provider's `interval`, `slow_down` steps and the back-off
/// after a connection timeout are clamped to five minutes.
pub const MAX_INTERVAL: Duration = Duration::from_secs(300);

/// The longest device code lifetime: a provider's `expires_in` above one day is clamped to it.
pub const MAX_EXPIRES_IN: u64 = 24 * 3600;

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
    /// Lifetime of the codes in seconds (600 when the provider sends none; clamped to
    /// [`MAX_EXPIRES_IN`]).
    pub expires_in: u64,
    /// The polling interval (the seed's `PollingInterval`); 5 s when the provider sends none,
    /// at least 1 s and at most [`MAX_INTERVAL`].
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
    /// Reads a device authorization response. Code 910 when a required member is missing;
    /// code 917 when `verification_uri` or `verification_uri_complete` is not https (or http
    /// on a loopback host), so that nothing is shown or opened.
    pub fn from_fields(raw: Map<String, Value>) -> Result<DeviceAuthorization> {
        Self::from_fields_checked(raw, false)
    }

    /// [`from_fields`](Self::from_fields); `allow_http` is the client's `dangerous().allow_http`.
    pub(crate) fn from_fields_checked(
        raw: Map<String, Value>,
        allow_http: bool,
    ) -> Result<DeviceAuthorization> {
        let text = |name: &str| raw.get(name).and_then(Value::as_str).map(str::to_string);
        let need = |name: &str| {
            text(name).ok_or_else(|| Error::InvalidDeviceAuthorization {
                reason: format!("the response has no `{name}`"),
            })
        };
        let number = |name: &str| token::lifetime(raw.get(name));
        let verification_uri =
            text("verification_url").map_or_else(|| need("verification_uri"), Ok)?;
        let verification_uri_complete = text("verification_uri_complete");
        let uris = [
            ("verification_uri", Some(&verification_uri)),
            (
                "verification_uri_complete",
                verification_uri_complete.as_ref(),
            ),
        ];
        for (field, uri) in uris {
            if let Some(uri) = uri {
                crate::http::check_provider_url(field, uri, allow_http)?;
            }
        }
        let interval = Duration::from_secs(number("interval").unwrap_or(5));
        Ok(DeviceAuthorization {
            device_code: need("device_code")?,
            user_code: need("user_code")?,
            verification_uri,
            verification_uri_complete,
            expires_in: number("expires_in").unwrap_or(600).min(MAX_EXPIRES_IN),
            interval: interval.clamp(Duration::from_secs(1), MAX_INTERVAL),
            grant_type: DEVICE_CODE_GRANT.to_string(),
            received: Instant::now(),
            raw,
        })
    }

    /// When the device code expires (`expires_in` is clamped to [`MAX_EXPIRES_IN`]).
    pub fn expires_at(&self) -> Instant {
        let lifetime = Duration::from_secs(self.expires_in.min(MAX_EXPIRES_IN));
        self.received.checked_add(lifetime).unwrap_or(self.received)
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
    let allow_http = http.allows_http();
    let map =
        token::parse_json_response(&resp, "device_authorization", url).map_err(|e| match e {
            Error::InvalidTokenResponse { reason } => Error::InvalidDeviceAuthorization { reason },
            other => other,
        })?;
    DeviceAuthorization::from_fields_checked(map, allow_http)
}

/// Polls the token endpoint until the user approves (the token response), denies
/// (`access_denied`, code 151), the code expires (`expired_token`, code 151), or `timeout` /
/// the code's lifetime passes locally (code 201). `slow_down` adds [`SLOW_DOWN_STEP`]; a
/// request that times out doubles the interval (RFC 8628 §3.5), both up to [`MAX_INTERVAL`].
/// Dropping the future stops polling.
pub(crate) async fn poll(
    http: &Http,
    token_url: &str,
    auth: &ClientAuth,
    da: &DeviceAuthorization,
    timeout: Option<Duration>,
) -> Result<Map<String, Value>> {
    let deadline = poll_deadline(da, timeout, Instant::now());
    let started = Instant::now();
    let mut interval = da.interval;
    let grant = [
        ("grant_type", da.grant_type.as_str()),
        ("device_code", da.device_code.as_str()),
    ];
    loop {
        if !time_for_another_poll(Instant::now(), interval, deadline) {
            tokio::time::sleep_until(deadline.into()).await;
            return Err(Error::Timeout {
                what: "device authorization (the user did not finish in time)".into(),
                seconds: (Instant::now() - started).as_secs().max(1),
            });
        }
        tokio::time::sleep(interval).await;
        match token::request(http, token_url, auth, &grant).await {
            Err(Error::OAuth { error, .. }) if error == "authorization_pending" => {}
            Err(Error::OAuth { error, .. }) if error == "slow_down" => {
                interval = next_interval(interval, PollAnswer::SlowDown);
            }
            Err(Error::Timeout { .. }) => interval = next_interval(interval, PollAnswer::TimedOut),
            other => return other,
        }
    }
}

/// A poll answer that changes the interval.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PollAnswer {
    /// `slow_down`: add [`SLOW_DOWN_STEP`].
    SlowDown,
    /// The request timed out: double the interval (RFC 8628 §3.5).
    TimedOut,
}

/// The interval after `answer`, never above [`MAX_INTERVAL`].
pub(crate) fn next_interval(interval: Duration, answer: PollAnswer) -> Duration {
    let next = match answer {
        PollAnswer::SlowDown => interval.saturating_add(SLOW_DOWN_STEP),
        PollAnswer::TimedOut => interval.saturating_mul(2),
    };
    next.min(MAX_INTERVAL)
}

/// When polling gives up: the code's expiry, or `now + timeout` when that is sooner.
pub(crate) fn poll_deadline(
    da: &DeviceAuthorization,
    timeout: Option<Duration>,
    now: Instant,
) -> Instant {
    let expiry = da.expires_at();
    match timeout.and_then(|t| now.checked_add(t)) {
        Some(end) => expiry.min(end),
        None => expiry,
    }
}

/// Whether a poll `interval` from `now` still falls before `deadline`.
pub(crate) fn time_for_another_poll(now: Instant, interval: Duration, deadline: Instant) -> bool {
    now.checked_add(interval)
        .is_some_and(|next| next <= deadline)
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
