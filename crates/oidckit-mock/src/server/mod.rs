//! The HTTP side: shared state, axum routes and endpoint handlers.
//!
//! [`state`] holds the provider's memory, [`signing`] mints ID tokens, [`misbehavior`] the
//! hanging and huge responses; one module per endpoint group serves the routes set up here.

mod authorize;
mod client_auth;
mod discovery;
mod dpop;
mod grant_state;
mod grants;
mod issue;
mod jarm;
mod misbehavior;
mod par;
mod registration;
mod request_object;
mod resource;
mod respond;
mod rewrite;
mod signing;
mod state;
mod token;
mod userinfo;

use authorize::authorize;
use discovery::{discovery, jwks};
pub(crate) use grant_state::{ClientKey, DeviceStatus};
pub use state::RecordedRequest;
pub(crate) use state::{S, Shared};
use userinfo::logout;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use tokio::sync::watch;

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
        .route("/token", any(dpop::token))
        .route("/userinfo", any(dpop::userinfo))
        .route("/logout", any(logout))
        .route("/device_authorization", any(grants::device_authorization))
        .route("/device", any(grants::device_page))
        .route("/introspect", any(grants::introspect))
        .route("/revoke", any(grants::revoke))
        .route("/tokeninfo", any(grants::tokeninfo))
        .route("/par", any(par::par))
        .route("/register", any(registration::register))
        .route("/.well-known/oauth-authorization-server", any(discovery))
        .route(
            "/.well-known/oauth-authorization-server/{*path}",
            any(discovery),
        )
        .route("/resource", any(resource::resource))
        .route(
            "/.well-known/oauth-protected-resource/resource",
            any(resource::metadata),
        )
        .fallback(fallback)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            rewrite::rewrite_json,
        ))
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
