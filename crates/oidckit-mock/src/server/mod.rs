//! The HTTP side: shared state, axum routes and endpoint handlers.
//!
//! [`state`] holds the provider's memory, [`signing`] mints ID tokens, [`misbehavior`] the
//! hanging and huge responses; one module per endpoint group serves the routes set up here.

mod authorize;
mod discovery;
mod misbehavior;
mod signing;
mod state;
mod token;
mod userinfo;

use authorize::authorize;
use discovery::{discovery, jwks};
pub use state::RecordedRequest;
pub(crate) use state::{AccessGrant, Req, Shared, now};
use token::token;
pub(crate) use token::{authenticate_client, issue_tokens, token_error};
use userinfo::{logout, userinfo};

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
