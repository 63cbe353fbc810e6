//! Endpoint misbehaviors that need a response of their own: hanging and huge bodies.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::state::Shared;
use crate::{Endpoint, Misbehavior};

impl Shared {
    /// `Hang` / `HugeResponse` for an endpoint.
    pub(super) async fn endpoint_misbehavior(&self, ep: Endpoint) -> Option<Response> {
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

// ---------------------------------------------------------------------------------------
// Huge streaming body
// ---------------------------------------------------------------------------------------

pub(super) const HUGE_SIZE: usize = 50 * 1024 * 1024;
pub(super) static FILLER: [u8; 64 * 1024] = [b'a'; 64 * 1024];
pub(super) const HUGE_PREFIX: &[u8] = b"{\"padding\":\"";
pub(super) const HUGE_SUFFIX: &[u8] = b"\"}";

/// A JSON body of about `remaining` bytes produced 64 KiB at a time from a static buffer.
pub(super) struct HugeBody {
    pub(super) prefix_sent: bool,
    pub(super) remaining: usize,
    pub(super) suffix_sent: bool,
}

impl HugeBody {
    pub(super) fn new(size: usize) -> Self {
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
