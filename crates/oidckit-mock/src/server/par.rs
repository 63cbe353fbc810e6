//! The pushed authorization request endpoint (RFC 9126): authenticates the client like the
//! token endpoint, keeps the parameters under a one-time `request_uri`, and lets `/authorize`
//! resolve it.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::client_auth::authenticate_client;
use super::grant_state::Pushed;
use super::respond::{bad, method_not_allowed};
use super::state::{Req, S, Shared, now};
use crate::Misbehavior;
use crate::keys::random_token;

/// Lifetime of a pushed request.
const PUSHED_TTL_SECS: u64 = 60;
/// The prefix of RFC 9126 §2.2 request URIs.
pub(super) const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";
/// Form fields that authenticate the client and are not authorization parameters.
const CREDENTIALS: [&str; 3] = ["client_secret", "client_assertion", "client_assertion_type"];

pub(super) async fn par(
    State(s): S,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req = s.record(&method, &uri, &headers, &body);
    if method != Method::POST {
        return method_not_allowed("POST");
    }
    let client = match authenticate_client(&s, &req) {
        Ok(c) => c.clone(),
        Err(r) => return *r,
    };
    if req.form("request_uri").is_some() {
        return bad(
            "invalid_request",
            "request_uri must not be pushed (RFC 9126 §2.1)",
        );
    }
    if req
        .form("client_id")
        .is_some_and(|id| id != client.client_id)
    {
        return bad(
            "invalid_request",
            "client_id differs from the authenticated client",
        );
    }
    let mut params: Vec<(String, String)> = req
        .form
        .iter()
        .filter(|(k, _)| !CREDENTIALS.contains(&k.as_str()))
        .cloned()
        .collect();
    if !params.iter().any(|(k, _)| k == "client_id") {
        params.push(("client_id".into(), client.client_id.clone()));
    }
    let params = match super::request_object::expand(&s, &client.client_id, params) {
        Ok(p) => p,
        Err(why) => return bad("invalid_request_object", &why),
    };
    let request_uri = format!("{REQUEST_URI_PREFIX}{}", random_token(24));
    s.lock().extra.pushed.insert(
        request_uri.clone(),
        Pushed {
            client_id: client.client_id.clone(),
            params,
            expires: now() + PUSHED_TTL_SECS,
        },
    );
    let answer = if s.has(&Misbehavior::ParMissingRequestUri) {
        json!({ "expires_in": PUSHED_TTL_SECS })
    } else {
        json!({ "request_uri": request_uri, "expires_in": PUSHED_TTL_SECS })
    };
    (
        StatusCode::CREATED,
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(answer),
    )
        .into_response()
}

/// Resolves a `request_uri` sent to `/authorize`: the pushed parameters (once), when it names a
/// live pushed request of `client_id`. `Err` says why not.
pub(super) fn resolve(s: &Shared, req: &Req) -> Result<Option<Req>, &'static str> {
    let Some(request_uri) = req.param("request_uri") else {
        if s.config.require_par {
            return Err("this provider requires pushed authorization requests");
        }
        return Ok(None);
    };
    let pushed = s
        .lock()
        .extra
        .pushed
        .remove(request_uri)
        .ok_or("unknown or already used request_uri")?;
    if pushed.expires < now() {
        return Err("the request_uri has expired");
    }
    if req.param("client_id") != Some(pushed.client_id.as_str()) {
        return Err("client_id differs from the pushed request's");
    }
    Ok(Some(Req {
        query: pushed.params,
        form: Vec::new(),
        headers: req.headers.clone(),
    }))
}
