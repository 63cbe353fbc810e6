//! The grants and endpoints beyond the code flow: client assertions (OpenID Connect Core §9,
//! RFC 7523 §2.2) verified with `jsonwebtoken`, the device flow (RFC 8628), client
//! credentials, password and JWT bearer grants, introspection (RFC 7662), revocation
//! (RFC 7009) and a Google-style `tokeninfo` endpoint.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value, json};

use crate::keys::random_token;
use crate::server::{
    AccessGrant, Req, S, Shared, authenticate_client, issue_tokens, method_not_allowed, now,
    token_error,
};
use crate::{Misbehavior, MockClient};

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);
/// Polls may arrive this much early (timer granularity) without `slow_down`.
const POLL_TOLERANCE: Duration = Duration::from_millis(150);

/// Whether a device authorization is waiting, approved or denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeviceStatus {
    Pending,
    Approved,
    Denied,
}

#[derive(Debug, Clone)]
struct DeviceGrant {
    client_id: String,
    scope: String,
    user_code: String,
    status: DeviceStatus,
    expires: Instant,
    interval: Duration,
    last_poll: Instant,
    polls: Vec<Instant>,
}

/// A registered public key of a client (or JWT bearer issuer).
#[derive(Clone)]
pub(crate) struct ClientKey {
    key: DecodingKey,
}

impl std::fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientKey")
    }
}

impl ClientKey {
    /// SPKI PEM (RSA, EC or Ed25519) or a public JWK.
    pub fn parse(text: &str) -> Result<ClientKey, String> {
        let t = text.trim();
        let key = if t.starts_with('{') {
            let jwk: jsonwebtoken::jwk::Jwk =
                serde_json::from_str(t).map_err(|e| format!("not a JWK: {e}"))?;
            DecodingKey::from_jwk(&jwk).map_err(|e| format!("unusable JWK: {e}"))?
        } else {
            DecodingKey::from_rsa_pem(t.as_bytes())
                .or_else(|_| DecodingKey::from_ec_pem(t.as_bytes()))
                .or_else(|_| DecodingKey::from_ed_pem(t.as_bytes()))
                .map_err(|e| format!("unusable PEM public key: {e}"))?
        };
        Ok(ClientKey { key })
    }
}

/// State of this module, kept inside the provider's one mutex.
#[derive(Debug, Default)]
pub(crate) struct Extra {
    devices: HashMap<String, DeviceGrant>,
    keys: HashMap<String, Vec<ClientKey>>,
    used_jti: HashSet<String>,
}

impl Extra {
    pub fn add_key(&mut self, id: &str, key: ClientKey) {
        self.keys.entry(id.to_owned()).or_default().push(key);
    }

    pub fn has_keys(&self, id: &str) -> bool {
        self.keys.contains_key(id)
    }

    fn device_by_user_code(&mut self, user_code: &str) -> Option<&mut DeviceGrant> {
        self.devices.values_mut().find(|d| d.user_code == user_code)
    }

    pub fn set_device(&mut self, user_code: &str, status: DeviceStatus) -> bool {
        match self.device_by_user_code(user_code) {
            Some(d) if d.status == DeviceStatus::Pending => {
                d.status = status;
                true
            }
            _ => false,
        }
    }

    pub fn expire_device(&mut self, user_code: &str) -> bool {
        self.device_by_user_code(user_code)
            .map(|d| d.expires = Instant::now())
            .is_some()
    }

    pub fn poll_times(&mut self, user_code: &str) -> Vec<Instant> {
        self.device_by_user_code(user_code)
            .map(|d| d.polls.clone())
            .unwrap_or_default()
    }
}

fn invalid_client(d: &str) -> Box<Response> {
    Box::new(token_error(StatusCode::UNAUTHORIZED, "invalid_client", d))
}

fn bad(error: &str, description: &str) -> Response {
    token_error(StatusCode::BAD_REQUEST, error, description)
}

/// The unverified claims of a JWT, to find who claims to have signed it.
fn peek_claims(jwt: &str) -> Option<Map<String, Value>> {
    let payload = jwt.split('.').nth(1)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

/// Verifies `jwt` with the keys registered for `id` (or, for HS*, `secret`): signature,
/// `aud` (one of `audiences`), `exp`, `iss` and, when given, `sub`. Returns the claims.
fn verify_jwt(
    s: &Shared,
    jwt: &str,
    id: &str,
    secret: Option<&str>,
    audiences: &[String],
    sub: Option<&str>,
) -> Result<Map<String, Value>, String> {
    let header = jsonwebtoken::decode_header(jwt).map_err(|e| format!("malformed JWT: {e}"))?;
    let keys: Vec<DecodingKey> = if matches!(
        header.alg,
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
    ) {
        let secret = secret.ok_or("HMAC assertion from a client without a secret")?;
        vec![DecodingKey::from_secret(secret.as_bytes())]
    } else {
        let inner = s.lock();
        let keys = inner
            .extra
            .keys
            .get(id)
            .ok_or("no key registered for this client")?;
        keys.iter().map(|k| k.key.clone()).collect()
    };
    let mut v = Validation::new(header.alg);
    v.set_audience(audiences);
    v.set_issuer(&[id]);
    if let Some(sub) = sub {
        v.sub = Some(sub.to_owned());
    }
    v.leeway = 5;
    v.set_required_spec_claims(&["exp", "aud", "iss"]);
    let mut last = String::from("no key");
    for key in keys {
        match jsonwebtoken::decode::<Map<String, Value>>(jwt, &key, &v) {
            Ok(data) => return Ok(data.claims),
            Err(e) => last = format!("assertion rejected: {e}"),
        }
    }
    Err(last)
}

/// Refuses a `jti` seen before (replay).
fn check_jti(s: &Shared, claims: &Map<String, Value>, required: bool) -> Result<(), String> {
    match claims.get("jti").and_then(Value::as_str) {
        Some(jti) if !s.lock().extra.used_jti.insert(jti.to_owned()) => {
            Err("assertion jti already used".into())
        }
        None if required => Err("assertion has no jti".into()),
        _ => Ok(()),
    }
}

fn audiences(s: &Shared) -> Vec<String> {
    vec![format!("{}/token", s.issuer), s.issuer.clone()]
}

/// `client_secret_jwt` / `private_key_jwt` (Core §9).
pub(crate) fn authenticate_with_assertion<'a>(
    s: &'a Shared,
    req: &Req,
) -> Result<&'a MockClient, Box<Response>> {
    if req.form("client_assertion_type") != Some(ASSERTION_TYPE) {
        return Err(invalid_client("unsupported client_assertion_type"));
    }
    let jwt = req
        .form("client_assertion")
        .ok_or_else(|| invalid_client("no client_assertion"))?;
    let claimed = peek_claims(jwt)
        .and_then(|c| c.get("sub").and_then(Value::as_str).map(str::to_owned))
        .ok_or_else(|| invalid_client("client_assertion has no sub"))?;
    if req.form("client_id").is_some_and(|id| id != claimed) {
        return Err(invalid_client("client_id differs from the assertion's sub"));
    }
    let client = s
        .client(&claimed)
        .ok_or_else(|| invalid_client("unknown client"))?;
    let claims = verify_jwt(
        s,
        jwt,
        &claimed,
        client.client_secret.as_deref(),
        &audiences(s),
        Some(&claimed),
    )
    .map_err(|e| invalid_client(&e))?;
    check_jti(s, &claims, true).map_err(|e| invalid_client(&e))?;
    Ok(client)
}

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
    let grant = req
        .param("access_token")
        .and_then(|t| s.lock().access_tokens.get(t).cloned())
        .filter(|g| g.expires > Instant::now());
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
