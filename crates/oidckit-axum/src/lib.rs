//! `oidckit-axum`: OpenID Connect sign-in for [axum](https://docs.rs/axum) web applications
//! that run as many instances behind a load balancer.
//!
//! It gives an app, on top of one [`oidckit::Client`]:
//! - a router ([`Oidc::router`]) with `GET /login` (optional same-origin `return_to`),
//!   `GET`/`POST /callback` (query and `form_post` responses), `POST /logout` (to the
//!   provider's end-session endpoint when it has one) and `POST /backchannel-logout`
//!   (OpenID Connect Back-Channel Logout 1.0);
//! - extractors for handlers: [`SignedIn`] (401 when nobody is signed in) and [`SignedInOrLogin`]
//!   (redirects to the login route), each with the verified ID token claims, the UserInfo and an
//!   access token that is not about to expire;
//! - a tower layer ([`Oidc::layer`]) that loads the session and refreshes the access token
//!   before it expires, once across all instances;
//! - stores behind one small trait ([`store::Store`]): in memory (default) or Redis (one server
//!   or a Redis Cluster), shared by every instance, so a login started on one instance completes
//!   on another and a back-channel logout received by one ends the session on all.
//!
//! The session cookie holds only an opaque random id, signed, `HttpOnly`, `Secure`,
//! `SameSite=Lax`; a new id is issued at every sign-in (no session fixation).
//!
//! It does **not**: render login pages (the provider does), manage your application's own
//! session data (keep it in your store under the user's `sub`), offer front-channel logout, or
//! speak TLS (put it behind your TLS terminator). Setup and figures: `docs/web.md`.
//!
//! ```no_run
//! # async fn run() -> oidckit::Result<()> {
//! use axum::{Router, routing::get};
//! use oidckit_axum::{Oidc, SignedIn, WebConfig, store::MemoryStore};
//! let client = oidckit::Client::discover(
//!     oidckit::ClientConfig::new("https://accounts.example.com", "my-app")
//!         .with_secret("s3cret")
//!         .with_redirect_uri("https://app.example/callback"),
//! )
//! .await?;
//! let oidc = Oidc::new(client, std::sync::Arc::new(MemoryStore::new()), WebConfig::new([7u8; 32]))?;
//! let app: Router = Router::new()
//!     .route("/", get(|user: SignedIn| async move { format!("hello {}", user.0.sub) }))
//!     .merge(oidc.router())
//!     .layer(oidc.layer());
//! # let _ = app; Ok(()) }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

use std::sync::Arc;

use serde_json::{Map, Value};

use oidckit::{Client, Error, Result};

mod config;
mod cookie;
mod extract;
mod layer;
mod response;
mod routes;
mod session;
pub mod store;

pub use config::WebConfig;
pub use extract::{SignedIn, SignedInOrLogin};
pub use layer::{OidcLayer, OidcService};
pub use response::WebError;

use cookie::CookieJar;
use store::Store;

/// The sign-in integration: the provider's client, the store and the settings. Cheap to clone;
/// build one per application and give it to [`Oidc::router`] and [`Oidc::layer`].
#[derive(Clone)]
pub struct Oidc {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    store: Arc<dyn Store>,
    config: WebConfig,
    cookies: CookieJar,
}

impl std::fmt::Debug for Oidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oidc")
            .field("client", &self.inner.client.config().client_id)
            .field("store", &self.inner.store)
            .field("config", &self.inner.config)
            .finish()
    }
}

impl Oidc {
    /// Builds the integration. Code 921 when the cookie key is shorter than 32 bytes, or when
    /// `secure_cookies` is off while the client's redirect URI is not plain http on a loopback
    /// address.
    pub fn new(client: Client, store: Arc<dyn Store>, config: WebConfig) -> Result<Oidc> {
        if config.cookie_key.len() < 32 {
            return Err(Error::InvalidSetting {
                name: "cookie_key".into(),
                reason: "the cookie key must be at least 32 random bytes".into(),
            });
        }
        if !config.secure_cookies {
            let redirect = client.config().redirect_uri.clone().unwrap_or_default();
            if !is_loopback_http(&redirect) {
                return Err(Error::InvalidSetting {
                    name: "secure_cookies".into(),
                    reason: format!(
                        "cookies may drop `Secure` only for an app on plain http at a loopback address; the redirect URI is {redirect:?}"
                    ),
                });
            }
        }
        let cookies = CookieJar::new(&config.cookie_key, config.secure_cookies);
        Ok(Oidc {
            inner: Arc::new(Inner {
                client,
                store,
                config,
                cookies,
            }),
        })
    }

    /// The provider's client.
    pub fn client(&self) -> &Client {
        &self.inner.client
    }

    /// The store of logins and sessions.
    pub fn store(&self) -> &dyn Store {
        self.inner.store.as_ref()
    }

    /// The settings.
    pub fn config(&self) -> &WebConfig {
        &self.inner.config
    }

    pub(crate) fn cookies(&self) -> &CookieJar {
        &self.inner.cookies
    }
}

fn is_loopback_http(uri: &str) -> bool {
    url::Url::parse(uri).is_ok_and(|u| {
        u.scheme() == "http"
            && match u.host() {
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                Some(url::Host::Domain(d)) => d == "localhost",
                None => false,
            }
    })
}

/// The signed-in user of a request, as the extractors hand it to handlers.
#[derive(Clone)]
#[non_exhaustive]
pub struct SignedInUser {
    session_id: String,
    /// The provider's subject identifier.
    pub sub: String,
    /// The provider's session id (`sid`), when the ID token carried one.
    pub sid: Option<String>,
    /// The verified ID token's claims (of the sign-in, or of the latest refresh).
    pub claims: Map<String, Value>,
    /// The UserInfo response at sign-in, when fetched.
    pub userinfo: Option<Map<String, Value>>,
    /// An access token that does not expire within [`WebConfig::refresh_before`] (when the
    /// provider gave a lifetime and a refresh token). Secret: never log it.
    pub access_token: String,
    /// When the access token expires (Unix seconds), when known.
    pub expires_at: Option<u64>,
}

impl std::fmt::Debug for SignedInUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedInUser")
            .field("sub", &self.sub)
            .field("sid", &self.sid)
            .field("claims", &self.claims)
            .field("userinfo", &self.userinfo)
            .field("access_token", &"[redacted]")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl SignedInUser {
    /// The user as JSON for `GET /me`-style endpoints: `sub`, `sid`, `claims`, `userinfo`
    /// and `expires_at`, never a token.
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "sub": self.sub,
            "sid": self.sid,
            "claims": self.claims,
            "userinfo": self.userinfo,
            "expires_at": self.expires_at,
        })
    }

    pub(crate) fn session_id(&self) -> &str {
        &self.session_id
    }
}
