//! A protected resource at `/resource` and its metadata (RFC 9728): without a valid access
//! token it answers 401 with `WWW-Authenticate: Bearer resource_metadata="…"`; the metadata
//! names the mock as its authorization server.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::state::S;
use super::userinfo::bearer_error;
use crate::Misbehavior;

pub(super) async fn resource(
    State(s): S,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req = s.record(&method, &uri, &headers, &body);
    let grant = s.live_access_token(req.authorization("Bearer"));
    match grant {
        Some(g) => (
            StatusCode::OK,
            axum::Json(json!({"resource": "ok", "client_id": g.client_id})),
        )
            .into_response(),
        None if s.has(&Misbehavior::ResourceNoChallenge) => {
            bearer_error("Bearer realm=\"oidckit-mock\"".to_owned())
        }
        None => bearer_error(format!(
            "Bearer realm=\"oidckit-mock\", resource_metadata=\"{}/.well-known/oauth-protected-resource/resource\"",
            s.issuer
        )),
    }
}

pub(super) async fn metadata(
    State(s): S,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    s.record(&method, &uri, &headers, &body);
    let iss = &s.issuer;
    let resource = if s.has(&Misbehavior::ResourceMetadataWrongResource) {
        format!("{iss}/other-resource")
    } else {
        format!("{iss}/resource")
    };
    let server = s
        .lock()
        .misbehaviors
        .iter()
        .find_map(|m| match m {
            Misbehavior::ResourceMetadataAuthorizationServer(a) => Some(a.clone()),
            _ => None,
        })
        .unwrap_or_else(|| iss.clone());
    (
        StatusCode::OK,
        axum::Json(json!({
            "resource": resource,
            "authorization_servers": [server],
            "scopes_supported": ["openid", "profile"],
            "bearer_methods_supported": ["header"],
            "resource_name": "oidckit-mock resource",
        })),
    )
        .into_response()
}
