//! Extractors for handlers: [`SignedIn`] (401 when nobody is signed in) and [`SignedInOrLogin`]
//! (redirects to the login route, coming back to the same page).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::layer::Found;
use crate::{Oidc, SignedInUser, WebError};

/// The signed-in user; rejects with 401 (JSON, code 944) when there is none. Needs
/// [`Oidc::layer`] around the route.
#[derive(Debug, Clone)]
pub struct SignedIn(pub SignedInUser);

/// The signed-in user; when there is none, redirects (303) to the login route with
/// `return_to` set to this request's path and query. Needs [`Oidc::layer`] around the route.
#[derive(Debug, Clone)]
pub struct SignedInOrLogin(pub SignedInUser);

fn found(parts: &Parts) -> Result<Option<SignedInUser>, Box<Response>> {
    match parts.extensions.get::<Found>() {
        Some(Found::User(u)) => Ok(Some((**u).clone())),
        Some(Found::Nobody) => Ok(None),
        Some(Found::Failed(e)) => Err(Box::new(
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({
                    "error": "temporarily_unavailable",
                    "code": e.code(),
                    "error_description": e.to_string(),
                })),
            )
                .into_response(),
        )),
        None => Err(Box::new(
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "oidckit-axum: add `.layer(oidc.layer())` around the routes that use SignedIn",
            )
                .into_response(),
        )),
    }
}

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Response> {
        match found(parts).map_err(|r| *r)? {
            Some(user) => Ok(SignedIn(user)),
            None => Err(WebError(oidckit::Error::NotSignedIn).into_response()),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for SignedInOrLogin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Response> {
        if let Some(user) = found(parts).map_err(|r| *r)? {
            return Ok(SignedInOrLogin(user));
        }
        let login = parts
            .extensions
            .get::<Oidc>()
            .map(|o| o.config().login_path.clone())
            .unwrap_or_else(|| "/login".to_owned());
        let here = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let q: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("return_to", here)
            .finish();
        Err((
            StatusCode::SEE_OTHER,
            [
                (header::LOCATION, format!("{login}?{q}")),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
        )
            .into_response())
    }
}

impl SignedInUser {
    /// Ends this user's session in the store (for an app's own "sign out everywhere" button;
    /// the browser's cookie then names nothing).
    pub async fn end_session(&self, oidc: &Oidc) -> oidckit::Result<()> {
        oidc.store().delete_session(self.session_id()).await
    }
}
