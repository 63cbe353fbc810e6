//! The sign-in routes: `GET /login`, `GET|POST /callback`, `POST /logout`,
//! `POST /backchannel-logout` (OpenID Connect Back-Channel Logout 1.0 §2.5–2.8).

use axum::Router;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

use oidckit::logout::EndSessionRequest;
use oidckit::{AuthTransaction, AuthorizationRequest, CallbackParams, Error, Result};

use crate::cookie::{SameSite, random_id};
use crate::session::{self, SessionData};
use crate::{Oidc, WebError};

/// Largest request body the routes read (a `form_post` response or a logout token).
const BODY_LIMIT: usize = 64 * 1024;

/// A started login, kept in the store under its `state` until the callback takes it.
#[derive(Serialize, Deserialize)]
struct LoginTransaction {
    tx: AuthTransaction,
    return_to: String,
}

impl Oidc {
    /// The sign-in routes, to merge into the application's router: `GET /login`,
    /// `GET /callback` and `POST /callback` (`form_post`), `POST /logout` and
    /// `POST /backchannel-logout`. The redirect URI registered with the provider is the app's
    /// origin + `/callback`; the back-channel logout URI is the origin + `/backchannel-logout`.
    pub fn router<S>(&self) -> Router<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        Router::new()
            .route("/login", get(login))
            .route("/callback", get(callback_query).post(callback_form))
            .route("/logout", post(logout))
            .route("/backchannel-logout", post(backchannel_logout))
            .layer(DefaultBodyLimit::max(BODY_LIMIT))
            .with_state(self.clone())
    }
}

fn see_other(location: &str, cookies: &[String]) -> Result<Response> {
    let mut resp = StatusCode::SEE_OTHER.into_response();
    let headers = resp.headers_mut();
    headers.insert(header::LOCATION, header_value(location)?);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    for c in cookies {
        headers.append(header::SET_COOKIE, header_value(c)?);
    }
    Ok(resp)
}

fn header_value(s: &str) -> Result<HeaderValue> {
    HeaderValue::from_str(s).map_err(|_| Error::InvalidSetting {
        name: "redirect".into(),
        reason: "a redirect target or cookie is not a valid header value".into(),
    })
}

/// `return_to` must be a path on this origin: starts with one `/`, no backslash, no control
/// characters, and resolves to the same origin (so `//evil.example/` and `/\evil` are refused).
pub(crate) fn same_origin_path(value: &str) -> Result<String> {
    let refuse = || Error::ReturnToRefused {
        value: value.chars().take(200).collect(),
    };
    if !value.starts_with('/')
        || value.starts_with("//")
        || value.len() > 2048
        || value.chars().any(|c| c == '\\' || c.is_control())
    {
        return Err(refuse());
    }
    let base = url::Url::parse("http://origin.invalid/").map_err(|_| refuse())?;
    let joined = base.join(value).map_err(|_| refuse())?;
    if joined.origin() != base.origin() {
        return Err(refuse());
    }
    Ok(value.to_owned())
}

async fn login(State(oidc): State<Oidc>, RawQuery(query): RawQuery) -> Response {
    start_login(&oidc, query.as_deref().unwrap_or(""))
        .await
        .unwrap_or_else(|e| WebError(e).into_response())
}

async fn start_login(oidc: &Oidc, query: &str) -> Result<Response> {
    let return_to = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "return_to")
        .map(|(_, v)| v.into_owned());
    let return_to = match return_to {
        Some(r) => same_origin_path(&r)?,
        None => oidc.config().after_login.clone(),
    };
    let (url, tx) = oidc
        .client()
        .authorization_url(&AuthorizationRequest::default())?;
    let state = tx.state.clone();
    let stored = serde_json::to_string(&LoginTransaction { tx, return_to }).map_err(|e| {
        Error::SessionStore {
            operation: "encode a login transaction",
            source: Box::new(e),
        }
    })?;
    let ttl = oidc.config().login_ttl;
    oidc.store().put_transaction(&state, &stored, ttl).await?;
    // The login cookie binds the callback to this browser (login CSRF). `SameSite=None` (when
    // Secure) so that a provider's cross-site `form_post` carries it.
    let cookie = oidc.cookies().set(
        &oidc.config().login_cookie,
        &state,
        ttl.as_secs(),
        SameSite::None,
    );
    see_other(&url, &[cookie])
}

async fn callback_query(
    State(oidc): State<Oidc>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let params = CallbackParams::from_query(query.as_deref().unwrap_or(""));
    finish_login(&oidc, &headers, &params)
        .await
        .unwrap_or_else(|e| WebError(e).into_response())
}

async fn callback_form(State(oidc): State<Oidc>, headers: HeaderMap, body: String) -> Response {
    let params = CallbackParams::from_query(&body);
    finish_login(&oidc, &headers, &params)
        .await
        .unwrap_or_else(|e| WebError(e).into_response())
}

async fn finish_login(
    oidc: &Oidc,
    headers: &HeaderMap,
    params: &CallbackParams,
) -> Result<Response> {
    let cfg = oidc.config();
    let state = params.get("state").ok_or(Error::LoginTransactionNotFound {
        reason: "the callback has no `state`",
    })?;
    if oidc.cookies().get(headers, &cfg.login_cookie).as_deref() != Some(state) {
        return Err(Error::LoginTransactionNotFound {
            reason: "the callback's `state` is not the login this browser started (missing or other login cookie)",
        });
    }
    // Taken once: a replayed callback finds nothing here, on this instance or any other.
    let stored =
        oidc.store()
            .take_transaction(state)
            .await?
            .ok_or(Error::LoginTransactionNotFound {
                reason: "the login is unknown, expired or already completed",
            })?;
    let login: LoginTransaction =
        serde_json::from_str(&stored).map_err(|e| Error::SessionStore {
            operation: "decode a login transaction",
            source: Box::new(e),
        })?;
    let tokens = oidc.client().handle_callback(&login.tx, params).await?;
    let userinfo = if cfg.fetch_userinfo && oidc.client().metadata().userinfo_endpoint.is_some() {
        Some(oidc.client().userinfo(&tokens).await?.claims)
    } else {
        None
    };
    let data = SessionData::from_sign_in(&tokens, userinfo)?;
    // A fresh id at every sign-in; the session the browser had before (if any) ends.
    if let Some(old) = oidc.cookies().get(headers, &cfg.session_cookie) {
        oidc.store().delete_session(&old).await?;
    }
    let id = random_id()?;
    session::save(oidc, &id, &data).await?;
    let cookies = [
        oidc.cookies().set(
            &cfg.session_cookie,
            &id,
            cfg.session_ttl.as_secs(),
            SameSite::Lax,
        ),
        oidc.cookies().clear(&cfg.login_cookie),
    ];
    see_other(&login.return_to, &cookies)
}

async fn logout(State(oidc): State<Oidc>, headers: HeaderMap) -> Response {
    end_session(&oidc, &headers)
        .await
        .unwrap_or_else(|e| WebError(e).into_response())
}

async fn end_session(oidc: &Oidc, headers: &HeaderMap) -> Result<Response> {
    let cfg = oidc.config();
    let mut id_token = None;
    if let Some(id) = oidc.cookies().get(headers, &cfg.session_cookie) {
        if let Some(data) = session::load(oidc, &id).await? {
            id_token = data.id_token;
        }
        oidc.store().delete_session(&id).await?;
    }
    let clear = oidc.cookies().clear(&cfg.session_cookie);
    if oidc.client().metadata().end_session_endpoint.is_some() {
        let mut req = EndSessionRequest::default();
        if let Some(t) = id_token {
            req = req.with_id_token_hint(t);
        }
        if let Some(uri) = &cfg.post_logout_redirect_uri {
            req = req.with_post_logout_redirect_uri(uri.clone());
        }
        let url = oidc.client().end_session_url(&req)?;
        return see_other(&url, &[clear]);
    }
    see_other(&cfg.after_logout, &[clear])
}

async fn backchannel_logout(State(oidc): State<Oidc>, body: String) -> Response {
    match backchannel(&oidc, &body).await {
        Ok(()) => (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")]).into_response(),
        Err(e) => WebError(e).into_response(),
    }
}

async fn backchannel(oidc: &Oidc, body: &str) -> Result<()> {
    let raw = form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == "logout_token")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| Error::InvalidLogoutToken {
            reason: "the request has no `logout_token` form parameter".into(),
        })?;
    let max_age = oidc.config().logout_token_max_age;
    let token = oidc.client().validate_logout_token(&raw, max_age).await?;
    // jti: refused when seen before on any instance; remembered longer than a token stays valid.
    let key = format!("{} {}", token.iss, token.jti);
    if !oidc
        .store()
        .first_use(&key, max_age.saturating_mul(2))
        .await?
    {
        return Err(Error::LogoutTokenReplayed { jti: token.jti });
    }
    match (&token.sid, &token.sub) {
        (Some(sid), _) => oidc.store().delete_by_sid(sid).await?,
        (None, Some(sub)) => oidc.store().delete_by_sub(sub).await?,
        (None, None) => 0,
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::same_origin_path;

    #[test]
    fn return_to_accepts_only_paths_on_this_origin() {
        for ok in ["/", "/a/b?c=d#e", "/%2F%2Fevil"] {
            assert!(same_origin_path(ok).is_ok(), "{ok}");
        }
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "\\\\evil",
            "",
            "evil",
            "/\tx",
            "javascript:alert(1)",
        ] {
            assert_eq!(
                same_origin_path(bad).map_err(|e| e.code()),
                Err(942),
                "{bad}"
            );
        }
    }
}
