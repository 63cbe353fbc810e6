//! [`WebError`]: an [`oidckit::Error`] as an HTTP response (status from its code, JSON body).

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// An error of a sign-in route, answered as JSON `{"error", "code", "error_description"}` with
/// `Cache-Control: no-store`. The status follows the code: 401 for 944 (not signed in), 503 for
/// the store (943) and a refresh still running elsewhere (946), 502 when the provider could not
/// be reached or answered with an HTTP error (codes below 900), and 400 for the rest (a bad
/// callback, logout token or `return_to`).
#[derive(Debug)]
pub struct WebError(pub oidckit::Error);

impl From<oidckit::Error> for WebError {
    fn from(e: oidckit::Error) -> Self {
        WebError(e)
    }
}

impl WebError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self.0.code() {
            944 => StatusCode::UNAUTHORIZED,
            943 | 946 => StatusCode::SERVICE_UNAVAILABLE,
            c if c < 900 => StatusCode::BAD_GATEWAY,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        let error = match status {
            StatusCode::UNAUTHORIZED => "login_required",
            StatusCode::BAD_REQUEST => "invalid_request",
            _ => "temporarily_unavailable",
        };
        let body = serde_json::json!({
            "error": error,
            "code": self.0.code(),
            "error_description": self.0.to_string(),
        });
        (
            status,
            [(header::CACHE_CONTROL, "no-store")],
            axum::Json(body),
        )
            .into_response()
    }
}
