//! The token endpoint: client authentication, grants and token issuance.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::Digest as _;

use super::authorize::pkce_syntax_ok;
use super::client_auth::authenticate_client;
use super::grants::{before_client_auth, token_grant};
use super::issue::{issue_tokens, issue_tokens_in_chain, revoke_reused_chain};
use super::respond::{json_body, method_not_allowed, token_error};
use super::state::S;
use crate::{Endpoint, Misbehavior};

// ---------------------------------------------------------------------------------------
// Token endpoint
// ---------------------------------------------------------------------------------------

pub(super) async fn token(
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
    if let Some(r) = s.endpoint_misbehavior(Endpoint::Token).await {
        return r;
    }
    if s.has(&Misbehavior::TokenInvalidGrant) {
        return token_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "mock provider misbehavior: grant rejected",
        );
    }
    let forced_text = s.lock().misbehaviors.iter().find_map(|m| match m {
        Misbehavior::TokenErrorText { error, description } => {
            Some((error.clone(), description.clone()))
        }
        _ => None,
    });
    if let Some((e, d)) = forced_text {
        return token_error(StatusCode::BAD_REQUEST, &e, &d);
    }
    if s.has(&Misbehavior::TokenMalformedJson) {
        return json_body(
            StatusCode::OK,
            "<html><body>this is not JSON</body></html>".to_owned(),
        );
    }
    if let Some(r) = before_client_auth(&s, &req) {
        return r;
    }
    let client = match authenticate_client(&s, &req) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let bad = |e: &str, d: &str| token_error(StatusCode::BAD_REQUEST, e, d);
    match req.form("grant_type") {
        Some("authorization_code") => {
            let Some(code) = req.form("code") else {
                return bad("invalid_request", "missing code");
            };
            let Some(grant) = s.lock().codes.remove(code) else {
                return bad("invalid_grant", "unknown, expired or already used code");
            };
            if grant.expires < Instant::now() {
                return bad("invalid_grant", "code expired");
            }
            if grant.client_id != client.client_id {
                return bad("invalid_grant", "code was issued to another client");
            }
            if req.form("redirect_uri") != Some(grant.redirect_uri.as_str()) {
                return bad("invalid_grant", "redirect_uri does not match");
            }
            let verifier = req.form("code_verifier");
            match (&grant.code_challenge, verifier) {
                (None, None) => {}
                (None, Some(_)) => {
                    return bad(
                        "invalid_grant",
                        "code_verifier sent but no code_challenge was",
                    );
                }
                (Some(_), None) => return bad("invalid_grant", "missing code_verifier"),
                (Some((challenge, m)), Some(v)) => {
                    if !pkce_syntax_ok(v) {
                        return bad("invalid_grant", "malformed code_verifier");
                    }
                    let computed = if m == "S256" {
                        URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(v.as_bytes()))
                    } else {
                        v.to_owned()
                    };
                    if &computed != challenge {
                        return bad("invalid_grant", "PKCE verification failed");
                    }
                }
            }
            issue_tokens(
                &s,
                &client,
                &grant.scope,
                grant.nonce.as_deref(),
                grant.auth_time,
            )
        }
        Some("refresh_token") => {
            if !s.config.refresh_tokens {
                return bad("unsupported_grant_type", "refresh tokens are disabled");
            }
            let Some(rt) = req.form("refresh_token") else {
                return bad("invalid_request", "missing refresh_token");
            };
            let Some(grant) = s.lock().refresh_tokens.remove(rt) else {
                if s.config.refresh_reuse_revokes_chain && revoke_reused_chain(&s, rt) {
                    return bad(
                        "invalid_grant",
                        "refresh token reuse detected; every token of its chain is revoked",
                    );
                }
                return bad("invalid_grant", "unknown or already used refresh token");
            };
            if grant.client_id != client.client_id {
                s.lock().refresh_tokens.insert(rt.to_owned(), grant);
                return bad(
                    "invalid_grant",
                    "refresh token was issued to another client",
                );
            }
            let scope = match req.form("scope") {
                None => grant.scope.clone(),
                Some(requested) => {
                    let granted: Vec<&str> = grant.scope.split_whitespace().collect();
                    if !requested.split_whitespace().all(|x| granted.contains(&x)) {
                        s.lock().refresh_tokens.insert(rt.to_owned(), grant);
                        return bad("invalid_scope", "requested scope exceeds the granted scope");
                    }
                    requested.to_owned()
                }
            };
            let chain = {
                let mut inner = s.lock();
                let chain = inner.refresh_chains.remove(rt);
                if let Some(c) = chain {
                    inner.used_refresh_tokens.insert(rt.to_owned(), c);
                }
                chain
            };
            issue_tokens_in_chain(&s, &client, &scope, None, grant.auth_time, chain)
        }
        Some(other) => token_grant(&s, &req, &client, other),
        None => bad("invalid_request", "missing grant_type"),
    }
}
