//! The token endpoint: client authentication, grants and token issuance.

use super::authorize::pkce_syntax_ok;
use super::signing::IdTokenInput;
use super::state::RefreshGrant;
use super::*;

// ---------------------------------------------------------------------------------------
// Token endpoint
// ---------------------------------------------------------------------------------------

pub(crate) fn token_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut r = (
        status,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        axum::Json(json!({ "error": error, "error_description": description })),
    )
        .into_response();
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            axum::http::HeaderValue::from_static("Basic realm=\"oidckit-mock\""),
        );
    }
    r
}

/// Percent-decode one `application/x-www-form-urlencoded` component (`+` is a space).
pub(super) fn form_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

pub(crate) fn authenticate_client<'a>(
    s: &'a Shared,
    req: &Req,
) -> Result<&'a MockClient, Box<Response>> {
    let invalid_client =
        |d: &str| Box::new(token_error(StatusCode::UNAUTHORIZED, "invalid_client", d));
    if req.form("client_assertion_type").is_some() || req.form("client_assertion").is_some() {
        return crate::grants::authenticate_with_assertion(s, req);
    }
    let body_id = req.form("client_id");
    let body_secret = req.form("client_secret");
    if let Some(basic) = req.authorization("Basic") {
        if body_secret.is_some() {
            return Err(Box::new(token_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "more than one client authentication method used",
            )));
        }
        let decoded = STANDARD
            .decode(basic)
            .ok()
            .and_then(|b| String::from_utf8(b).ok());
        let Some((id, secret)) = decoded.as_deref().and_then(|d| d.split_once(':')) else {
            return Err(invalid_client("malformed Basic credentials"));
        };
        let (Some(id), Some(secret)) = (form_decode(id), form_decode(secret)) else {
            return Err(invalid_client("malformed Basic credentials"));
        };
        if body_id.is_some_and(|b| b != id) {
            return Err(Box::new(token_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "client_id in the body differs from the authenticated client",
            )));
        }
        let Some(client) = s.client(&id) else {
            return Err(invalid_client("unknown client"));
        };
        if client.client_secret.as_deref() != Some(secret.as_str()) {
            return Err(invalid_client("client authentication failed"));
        }
        return Ok(client);
    }
    let Some(id) = body_id else {
        return Err(invalid_client("client authentication required"));
    };
    let Some(client) = s.client(id) else {
        return Err(invalid_client("unknown client"));
    };
    if s.lock().extra.has_keys(id) {
        return Err(invalid_client(
            "this client must authenticate with private_key_jwt",
        ));
    }
    match (&client.client_secret, body_secret) {
        (Some(expected), Some(got)) if expected == got => Ok(client),
        (None, None) => Ok(client),
        (None, Some(_)) => Err(invalid_client("public client must not send a secret")),
        (Some(_), _) => Err(invalid_client("client authentication failed")),
    }
}

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
    if s.has(&Misbehavior::TokenMalformedJson) {
        return json_body(
            StatusCode::OK,
            "<html><body>this is not JSON</body></html>".to_owned(),
        );
    }
    if let Some(r) = crate::grants::before_client_auth(&s, &req) {
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
                client,
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
            issue_tokens_in_chain(&s, client, &scope, None, grant.auth_time, chain)
        }
        Some(other) => crate::grants::token_grant(&s, &req, client, other),
        None => bad("invalid_request", "missing grant_type"),
    }
}

/// Revokes the refresh tokens of the chain `used` belonged to; false if `used` was never issued.
fn revoke_reused_chain(s: &Shared, used: &str) -> bool {
    let mut inner = s.lock();
    let Some(chain) = inner.used_refresh_tokens.get(used).copied() else {
        return false;
    };
    let live: Vec<String> = inner
        .refresh_chains
        .iter()
        .filter(|(_, c)| **c == chain)
        .map(|(t, _)| t.clone())
        .collect();
    for t in live {
        inner.refresh_tokens.remove(&t);
        inner.refresh_chains.remove(&t);
    }
    true
}

pub(crate) fn issue_tokens(
    s: &Shared,
    client: &MockClient,
    scope: &str,
    nonce: Option<&str>,
    auth_time: u64,
) -> Response {
    issue_tokens_in_chain(s, client, scope, nonce, auth_time, None)
}

/// Issues tokens; a refresh token joins `chain` (a refresh), or starts a new one.
fn issue_tokens_in_chain(
    s: &Shared,
    client: &MockClient,
    scope: &str,
    nonce: Option<&str>,
    auth_time: u64,
    chain: Option<u64>,
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
            let chain = chain.unwrap_or_else(|| {
                inner.last_chain = inner.last_chain.saturating_add(1);
                inner.last_chain
            });
            inner.refresh_chains.insert(rt.clone(), chain);
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
