//! Dynamic client registration (RFC 7591 §3): `POST /register` with the client's metadata as
//! JSON registers a client that can sign in at once (exact redirect URIs; `none` = public).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::respond::method_not_allowed;
use super::state::{S, now};
use crate::keys::random_token;
use crate::{Misbehavior, MockClient};

/// At most this many clients are registered; older ones are forgotten.
const MAX_REGISTERED: usize = 64;

fn invalid(error: &str, description: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

pub(super) async fn register(
    State(s): S,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    s.record(&method, &uri, &headers, &body);
    if method != Method::POST {
        return method_not_allowed("POST");
    }
    let Ok(Value::Object(mut meta)) = serde_json::from_slice::<Value>(&body) else {
        return invalid("invalid_client_metadata", "the body is not a JSON object");
    };
    let redirect_uris: Vec<String> = match meta.get("redirect_uris") {
        Some(Value::Array(a)) if !a.is_empty() => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => return invalid("invalid_redirect_uri", "redirect_uris is required"),
    };
    let public = meta
        .get("token_endpoint_auth_method")
        .and_then(Value::as_str)
        == Some("none");
    let client_id = format!("dyn-{}", random_token(12));
    let secret = (!public).then(|| random_token(24));
    let client = MockClient {
        client_id: client_id.clone(),
        client_secret: secret.clone(),
        redirect_uris,
    };
    {
        let mut inner = s.lock();
        if inner.registered_clients.len() >= MAX_REGISTERED {
            inner.registered_clients.remove(0);
        }
        inner.registered_clients.push(client);
    }
    if !s.has(&Misbehavior::RegistrationOmitsClientId) {
        meta.insert("client_id".into(), client_id.clone().into());
    }
    meta.insert("client_id_issued_at".into(), now().into());
    if let Some(secret) = secret {
        meta.insert("client_secret".into(), secret.into());
        meta.insert("client_secret_expires_at".into(), 0.into());
    }
    meta.insert("registration_access_token".into(), random_token(24).into());
    meta.insert(
        "registration_client_uri".into(),
        format!("{}/register/{client_id}", s.issuer).into(),
    );
    (StatusCode::CREATED, axum::Json(Value::Object(meta))).into_response()
}
