//! Entry points for the fuzz targets in `fuzz/` (not part of the API; may change at any time).
//! Each one drives a whole provider response, or a whole request to the loopback server,
//! through the same crate-private code a real one takes, and returns what a caller would see,
//! so that the target can check the clamps.

use std::time::{Duration, Instant, SystemTime};

use crate::Result;
use crate::device::{self, DeviceAuthorization, PollAnswer};
use crate::http::Response;
use crate::introspection::Introspection;
use crate::token::{self, TokenSet};

/// A `200 application/json` response with `body`, as the transport would hand it over.
fn response(body: &[u8]) -> Response {
    Response {
        status: 200,
        content_type: Some("application/json".into()),
        body: body.to_vec(),
        www_authenticate: None,
        dpop_nonce: None,
    }
}

/// A token endpoint response body → the token set and its expiry.
pub fn token_response(body: &[u8]) -> Result<(Option<u64>, Option<SystemTime>)> {
    let map = token::parse_json_response(&response(body), "token", "https://op.example/token")?;
    let tokens = TokenSet::from_fields(map)?;
    Ok((tokens.expires_in, tokens.expires_at))
}

/// A device authorization response body, then `answers` (bit 0: slow_down or a timeout) as
/// poll outcomes → the final interval, the polling deadline and whether another poll fits.
pub fn device_response(
    body: &[u8],
    answers: &[u8],
    timeout: Option<Duration>,
) -> Result<(Duration, Duration, bool)> {
    let map = token::parse_json_response(
        &response(body),
        "device_authorization",
        "https://op.example/device",
    )?;
    let da = DeviceAuthorization::from_fields(map)?;
    let now = Instant::now();
    let deadline = device::poll_deadline(&da, timeout, now);
    let mut interval = da.interval;
    for a in answers {
        let answer = if a & 1 == 0 {
            PollAnswer::SlowDown
        } else {
            PollAnswer::TimedOut
        };
        interval = device::next_interval(interval, answer);
    }
    let more = device::time_for_another_poll(now, interval, deadline);
    Ok((interval, deadline.saturating_duration_since(now), more))
}

/// An introspection response body → whether the token is active and when it expires.
pub fn introspection_response(body: &[u8]) -> Result<(bool, Option<SystemTime>)> {
    let map = token::parse_json_response(
        &response(body),
        "introspection",
        "https://op.example/introspect",
    )?;
    let info = Introspection::from_fields(map)?;
    Ok((info.active, info.expires_at()))
}

#[cfg(feature = "loopback")]
/// Raw bytes sent to the loopback server → the authorization response it would hand over
/// (`None` when the request is refused or is not one).
pub fn loopback_request(bytes: &[u8]) -> Option<crate::CallbackParams> {
    crate::loopback::parse_request_for_fuzzing(bytes, "/cb", 8080)
}
