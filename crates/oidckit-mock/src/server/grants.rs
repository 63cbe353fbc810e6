//! The grants and endpoints beyond the code flow: client assertions (OpenID Connect Core §9,
//! RFC 7523 §2.2) verified with `jsonwebtoken`, the device flow (RFC 8628), client
//! credentials, password and JWT bearer grants, introspection (RFC 7662), revocation
//! (RFC 7009) and a Google-style `tokeninfo` endpoint.

use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::client_auth::{authenticate_client, check_jti, peek_claims, verify_jwt};
use super::grant_state::{DeviceGrant, DeviceStatus};
use super::issue::issue_tokens;
use super::respond::{bad, method_not_allowed};
use super::state::{AccessGrant, Req, S, Shared, now};
use crate::keys::random_token;
use crate::{Misbehavior, MockClient};

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);
/// Polls may arrive this much early (timer granularity) without `slow_down`.
const POLL_TOLERANCE: Duration = Duration::from_millis(150);

/// Grants handled before client authentication: the JWT bearer grant authenticates by its
/// assertion (Google's service accounts send no client credentials).
pub(crate) fn before_client_auth(s: &Shared, req: &Req) -> Option<Response> {
    if req.form("grant_type") != Some(JWT_BEARER_GRANT) {
        return None;
    }
    let Some(jwt) = req.form("assertion") else {
        return Some(bad("invalid_request", "missing assertion"));
    };
    let Some(iss) = peek_claims(jwt).and_then(|c| c.get("iss")?.as_str().map(str::to_owned)) else {
        return Some(bad("invalid_grant", "assertion has no iss"));
    };
    let aud = [format!("{}/token", s.issuer)];
    let claims = match verify_jwt(s, jwt, &iss, None, &aud, None) {
        Ok(c) => c,
        Err(e) => return Some(bad("invalid_grant", &e)),
    };
    if let Err(e) = check_jti(s, &claims, false) {
        return Some(bad("invalid_grant", &e));
    }
    let scope = claims
        .get("scope")
        .and_then(Value::as_str)
        .or(req.form("scope"))
        .unwrap_or("");
    let sub = claims.get("sub").and_then(Value::as_str).unwrap_or(&iss);
    Some(access_only(s, &iss, scope, sub))
}

/// The grant types the code-flow token endpoint does not know.
pub(crate) fn token_grant(s: &Shared, req: &Req, client: &MockClient, grant: &str) -> Response {
    match grant {
        "client_credentials" => {
            let scope = req.form("scope").unwrap_or("");
            access_only(s, &client.client_id, scope, &client.client_id)
        }
        "password" => {
            let user = &s.config.user;
            let name = user
                .claims
                .get("preferred_username")
                .and_then(Value::as_str);
            let username = req.form("username");
            let known = username.is_some_and(|u| u == user.sub || Some(u) == name);
            if !known || req.form("password") != Some(s.config.user_password.as_str()) {
                return bad("invalid_grant", "wrong username or password");
            }
            let scope = req.form("scope").unwrap_or("openid");
            issue_tokens(s, client, scope, None, now())
        }
        DEVICE_GRANT => device_token(s, req, client),
        other => bad(
            "unsupported_grant_type",
            &format!("grant_type '{other}' is not supported"),
        ),
    }
}

/// An access token without ID or refresh token (client credentials, JWT bearer).
fn access_only(s: &Shared, client_id: &str, scope: &str, sub: &str) -> Response {
    let ttl = s.config.token_ttl_secs;
    let access_token = random_token(32);
    s.lock().access_tokens.insert(
        access_token.clone(),
        AccessGrant {
            client_id: client_id.to_owned(),
            scope: scope.to_owned(),
            expires: Instant::now() + Duration::from_secs(ttl),
            sub: sub.to_owned(),
        },
    );
    let mut body =
        json!({ "access_token": access_token, "token_type": "Bearer", "expires_in": ttl });
    if !scope.is_empty() {
        body["scope"] = scope.into();
    }
    (
        StatusCode::OK,
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(body),
    )
        .into_response()
}

fn device_token(s: &Shared, req: &Req, client: &MockClient) -> Response {
    let Some(code) = req.form("device_code") else {
        return bad("invalid_request", "missing device_code");
    };
    let now_i = Instant::now();
    let forced = {
        let inner = s.lock();
        inner.misbehaviors.iter().find_map(|m| match m {
            Misbehavior::DeviceSlowDown(n) => Some(*n as usize),
            _ => None,
        })
    };
    let mut inner = s.lock();
    let Some(d) = inner.extra.devices.get_mut(code) else {
        return bad("invalid_grant", "unknown device_code");
    };
    if d.client_id != client.client_id {
        return bad("invalid_grant", "device_code was issued to another client");
    }
    if now_i >= d.expires {
        return bad("expired_token", "the device code has expired");
    }
    d.polls.push(now_i);
    let too_fast = now_i + POLL_TOLERANCE < d.last_poll + d.interval;
    d.last_poll = now_i;
    if forced == Some(d.polls.len()) || too_fast {
        d.interval += SLOW_DOWN_STEP;
        return bad("slow_down", "polling too fast");
    }
    match d.status {
        DeviceStatus::Pending => bad("authorization_pending", "the user has not decided yet"),
        DeviceStatus::Denied => bad("access_denied", "the user denied the request"),
        DeviceStatus::Approved => {
            let scope = d.scope.clone();
            inner.extra.devices.remove(code);
            drop(inner);
            issue_tokens(s, client, &scope, None, now())
        }
    }
}

/// `POST /device_authorization` (RFC 8628 §3.1).
pub(crate) async fn device_authorization(
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
        Ok(c) => c,
        Err(r) => return *r,
    };
    let device_code = random_token(32);
    let raw = random_token(6)
        .to_ascii_uppercase()
        .replace(['-', '_'], "X");
    let user_code = format!("{}-{}", &raw[..4], &raw[4..8]);
    let cfg = &s.config;
    let now_i = Instant::now();
    s.lock().extra.devices.insert(
        device_code.clone(),
        DeviceGrant {
            client_id: client.client_id.clone(),
            scope: req.form("scope").unwrap_or("openid").to_owned(),
            user_code: user_code.clone(),
            status: DeviceStatus::Pending,
            expires: now_i + Duration::from_secs(cfg.device_code_ttl_secs),
            interval: Duration::from_secs(cfg.device_interval_secs),
            last_poll: now_i,
            polls: Vec::new(),
        },
    );
    let iss = &s.issuer;
    let shown = s.lock().misbehaviors.iter().find_map(|m| match m {
        Misbehavior::DeviceDisplayText {
            user_code,
            verification_uri,
        } => Some((user_code.clone(), verification_uri.clone())),
        _ => None,
    });
    let (user_code, verification_uri) =
        shown.unwrap_or_else(|| (user_code, format!("{iss}/device")));
    let body = json!({
        "device_code": device_code,
        "user_code": user_code,
        "verification_uri": verification_uri,
        "verification_uri_complete": format!("{verification_uri}?user_code={user_code}"),
        "expires_in": cfg.device_code_ttl_secs,
        "interval": cfg.device_interval_secs,
    });
    (
        StatusCode::OK,
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(body),
    )
        .into_response()
}

/// `GET|POST /device?user_code=…&decision=approve|deny`: the verification page. Without a
/// decision it shows a form; with one it records it (the user's side of RFC 8628 §3.3).
pub(crate) async fn device_page(
    State(s): S,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req = s.record(&method, &uri, &headers, &body);
    let code = req.param("user_code").unwrap_or("").to_owned();
    let status = match req.param("decision") {
        Some("approve") => DeviceStatus::Approved,
        Some("deny") => DeviceStatus::Denied,
        _ => {
            let form = format!(
                "<!DOCTYPE html><html><head><title>oidckit-mock: device</title></head><body>\
                 <form method=\"post\"><input name=\"user_code\" value=\"{}\">\
                 <button name=\"decision\" value=\"approve\">Approve</button>\
                 <button name=\"decision\" value=\"deny\">Deny</button></form></body></html>",
                code.replace(['"', '<', '>', '&'], "")
            );
            return (StatusCode::OK, [(header::CONTENT_TYPE, "text/html")], form).into_response();
        }
    };
    if s.lock().extra.set_device(&code, status) {
        (StatusCode::OK, "done; return to your device").into_response()
    } else {
        (StatusCode::BAD_REQUEST, "unknown or already used user code").into_response()
    }
}

/// `POST /introspect` (RFC 7662 §2), client authentication required.
pub(crate) async fn introspect(
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
    if let Err(r) = authenticate_client(&s, &req) {
        return *r;
    }
    let Some(token) = req.form("token") else {
        return bad("invalid_request", "missing token");
    };
    let inner = s.lock();
    let body = if let Some(g) = inner
        .access_tokens
        .get(token)
        .filter(|g| g.expires > Instant::now())
    {
        let left = g
            .expires
            .saturating_duration_since(Instant::now())
            .as_secs();
        let sub = if g.sub.is_empty() {
            &s.config.user.sub
        } else {
            &g.sub
        };
        json!({
            "active": true, "scope": g.scope, "client_id": g.client_id, "sub": sub,
            "token_type": "Bearer", "exp": now() + left, "iat": now(), "iss": s.issuer,
            "aud": g.client_id,
        })
    } else if let Some(g) = inner.refresh_tokens.get(token) {
        json!({
            "active": true, "scope": g.scope, "client_id": g.client_id,
            "sub": s.config.user.sub, "token_type": "refresh_token", "iss": s.issuer,
        })
    } else {
        json!({ "active": false })
    };
    (StatusCode::OK, axum::Json(body)).into_response()
}

/// `POST /revoke` (RFC 7009 §2): forgets the token; 200 also for unknown tokens.
pub(crate) async fn revoke(
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
        Ok(c) => c,
        Err(r) => return *r,
    };
    let Some(token) = req.form("token") else {
        return bad("invalid_request", "missing token");
    };
    let mut inner = s.lock();
    if inner
        .access_tokens
        .get(token)
        .is_some_and(|g| g.client_id == client.client_id)
    {
        inner.access_tokens.remove(token);
    }
    if inner
        .refresh_tokens
        .get(token)
        .is_some_and(|g| g.client_id == client.client_id)
    {
        inner.refresh_tokens.remove(token);
    }
    StatusCode::OK.into_response()
}

/// `GET /tokeninfo?access_token=…`, Google style: 200 with the token's fields, or 400
/// `invalid_token`.
pub(crate) async fn tokeninfo(
    State(s): S,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req = s.record(&method, &uri, &headers, &body);
    let grant = s.live_access_token(req.param("access_token"));
    let Some(g) = grant else {
        return bad("invalid_token", "unknown, expired or revoked access token");
    };
    let left = g
        .expires
        .saturating_duration_since(Instant::now())
        .as_secs();
    let sub = if g.sub.is_empty() {
        s.config.user.sub.clone()
    } else {
        g.sub
    };
    let body = json!({
        "aud": g.client_id, "azp": g.client_id, "scope": g.scope, "sub": sub,
        "exp": (now() + left).to_string(), "expires_in": left.to_string(),
    });
    (StatusCode::OK, axum::Json(body)).into_response()
}
