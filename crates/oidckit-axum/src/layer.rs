//! [`OidcLayer`]: the tower layer that finds the request's session, refreshes its access token
//! before it expires (once across instances), and hands the result to the extractors.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::http::Request;
use axum::response::Response;
use tower_layer::Layer;
use tower_service::Service;

use crate::{Oidc, SignedInUser, session};

/// What the layer found for one request (a request extension read by the extractors).
#[derive(Clone, Debug)]
pub(crate) enum Found {
    User(Box<SignedInUser>),
    Nobody,
    Failed(Arc<oidckit::Error>),
}

impl Oidc {
    /// The layer to put around the application's routes (`router.layer(oidc.layer())`). For each
    /// request with a session cookie it loads the session and, when the access token expires
    /// within [`crate::WebConfig::refresh_before`], refreshes it first; then the extractors
    /// hand the user to the handler. Without this layer the extractors answer 500.
    pub fn layer(&self) -> OidcLayer {
        OidcLayer { oidc: self.clone() }
    }
}

/// See [`Oidc::layer`].
#[derive(Clone, Debug)]
pub struct OidcLayer {
    oidc: Oidc,
}

impl<S> Layer<S> for OidcLayer {
    type Service = OidcService<S>;

    fn layer(&self, inner: S) -> OidcService<S> {
        OidcService {
            inner,
            oidc: self.oidc.clone(),
        }
    }
}

/// The service made by [`OidcLayer`].
#[derive(Clone, Debug)]
pub struct OidcService<S> {
    inner: S,
    oidc: Oidc,
}

async fn resolve(oidc: &Oidc, id: Option<String>) -> Found {
    let Some(id) = id else {
        return Found::Nobody;
    };
    let result = async {
        let Some(data) = session::load(oidc, &id).await? else {
            return Ok(None);
        };
        session::fresh(oidc, &id, data).await
    }
    .await;
    match result {
        Ok(Some(data)) => Found::User(Box::new(data.user(&id))),
        Ok(None) => Found::Nobody,
        Err(e) => Found::Failed(Arc::new(e)),
    }
}

impl<S> Service<Request<Body>> for OidcService<S>
where
    S: Service<Request<Body>, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<Body>) -> Self::Future {
        // The clone that was driven to readiness serves this request (tower's usual pattern).
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let oidc = self.oidc.clone();
        let id = oidc
            .cookies()
            .get(req.headers(), &oidc.config().session_cookie);
        Box::pin(async move {
            let found = resolve(&oidc, id).await;
            req.extensions_mut().insert(found);
            req.extensions_mut().insert(oidc);
            inner.call(req).await
        })
    }
}
