//! Token issuance: mint the access, ID and refresh tokens of a successful grant.

use std::time::{Duration, Instant};

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::respond::token_error;
use super::signing::IdTokenInput;
use super::state::{AccessGrant, RefreshGrant, Shared};
use crate::keys::random_token;
use crate::{Misbehavior, MockClient};

pub(crate) fn issue_tokens(
    s: &Shared,
    client: &MockClient,
    scope: &str,
    nonce: Option<&str>,
    auth_time: u64,
) -> Response {
    let ttl = s.config.token_ttl_secs;
    let access_token = random_token(32);
    let id_token = s.issue_id_token(&IdTokenInput {
        client_id: &client.client_id,
        nonce,
        auth_time,
        code: None,
        access_token: Some(&access_token),
        scope,
        with_user_claims: false,
    });
    let id_token = match id_token {
        Ok(t) => t,
        Err(e) => return token_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", &e),
    };
    let mut body = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": ttl,
        "id_token": id_token,
        "scope": scope,
    });
    if s.has(&Misbehavior::TokenOmitsIdToken)
        && let Some(obj) = body.as_object_mut()
    {
        obj.remove("id_token");
    }
    {
        let mut inner = s.lock();
        inner.access_tokens.insert(
            access_token.clone(),
            AccessGrant {
                client_id: client.client_id.clone(),
                scope: scope.to_owned(),
                expires: Instant::now() + Duration::from_secs(ttl),
                sub: String::new(),
            },
        );
        if s.config.refresh_tokens {
            let rt = random_token(32);
            inner.refresh_tokens.insert(
                rt.clone(),
                RefreshGrant {
                    client_id: client.client_id.clone(),
                    scope: scope.to_owned(),
                    auth_time,
                },
            );
            body["refresh_token"] = rt.into();
        }
    }
    (
        StatusCode::OK,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        axum::Json(body),
    )
        .into_response()
}
