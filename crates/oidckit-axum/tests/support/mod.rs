//! Shared helpers: app instances (real axum servers on 127.0.0.1:0), a scripted browser with a
//! cookie jar, and real Redis servers (see `redis.rs`).

#![allow(dead_code)]

pub mod redis;
pub mod scenarios;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::response::IntoResponse;
use axum::routing::get;
use oidckit::ClientConfig;
use oidckit_axum::store::Store;
use oidckit_axum::{Oidc, SignedIn, WebConfig};
use oidckit_mock::{MockConfig, MockProvider};

pub const COOKIE_KEY: [u8; 32] = [42u8; 32];
pub const SID: &str = "mock-provider-session-1";

pub fn provider_with(f: impl FnOnce(&mut MockConfig)) -> MockProvider {
    let mut cfg = MockConfig {
        session_id: Some(SID.to_owned()),
        ..MockConfig::default()
    };
    f(&mut cfg);
    MockProvider::start(cfg).expect("mock provider starts")
}

/// One instance of the application: `/me` (JSON, 401 when not signed in) + the sign-in routes.
pub struct App {
    pub port: u16,
    task: tokio::task::JoinHandle<()>,
}

impl App {
    pub async fn start(issuer: &str, store: Arc<dyn Store>) -> App {
        Self::start_with(issuer, store, |_, _| {}).await
    }

    pub async fn start_with(
        issuer: &str,
        store: Arc<dyn Store>,
        tweak: impl FnOnce(&mut ClientConfig, &mut WebConfig),
    ) -> App {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let config = ClientConfig::new(issuer, "test-client")
            .with_secret("test-secret")
            .with_redirect_uri(format!("http://127.0.0.1:{port}/callback"));
        Self::serve(listener, config, store, tweak).await
    }

    /// Serves the app on `listener` for the client `config`.
    pub async fn serve(
        listener: tokio::net::TcpListener,
        mut config: ClientConfig,
        store: Arc<dyn Store>,
        tweak: impl FnOnce(&mut ClientConfig, &mut WebConfig),
    ) -> App {
        let port = listener.local_addr().expect("addr").port();
        let mut web = WebConfig::new(COOKIE_KEY);
        web.secure_cookies = false;
        tweak(&mut config, &mut web);
        let client = oidckit::Client::discover(config).await.expect("discovery");
        let oidc = Oidc::new(client, store, web).expect("oidc");
        let app: Router = Router::new()
            .route(
                "/me",
                get(|SignedIn(user): SignedIn| async move {
                    axum::Json(serde_json::json!({
                        "user": user.to_json(),
                        "access_token": user.access_token,
                    }))
                    .into_response()
                }),
            )
            .merge(oidc.router())
            .layer(oidc.layer());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        App { port, task }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Stops the instance at once (like a crash): its listener and connections go away.
    pub fn kill(&self) {
        self.task.abort();
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A browser: one cookie jar (cookies are not isolated by port, so the instances on
/// 127.0.0.1 see the same cookies, as behind one load balancer), no automatic redirects.
pub struct Browser {
    pub http: reqwest::Client,
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

pub struct Started {
    /// The authorization URL (at the provider).
    pub authorize_url: String,
}

impl Browser {
    pub fn new() -> Browser {
        Browser {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(20))
                .build()
                .expect("reqwest"),
        }
    }

    /// `GET /login` on `app`; returns the provider URL it redirects to.
    pub async fn start_login(&self, app: &App, return_to: Option<&str>) -> String {
        let mut url = app.url("/login");
        if let Some(r) = return_to {
            url = format!("{url}?return_to={}", urlencode(r));
        }
        let resp = self.http.get(url).send().await.expect("GET /login");
        assert_eq!(resp.status(), 303, "login redirects to the provider");
        location(&resp)
    }

    /// The provider's answer to the authorization request: the callback URL (query), with
    /// the instance's origin replaced by `on`'s.
    pub async fn authorize(&self, authorize_url: &str, on: &App) -> String {
        let url = authorize_url.to_owned();
        let callback = tokio::task::spawn_blocking(move || {
            oidckit_mock::follow_authorization(&url).expect("provider answers")
        })
        .await
        .expect("join");
        let path = callback
            .find("/callback")
            .map(|i| &callback[i..])
            .expect("callback path");
        on.url(path)
    }

    /// `GET` the callback; returns the response.
    pub async fn callback(&self, callback_url: &str) -> reqwest::Response {
        self.http
            .get(callback_url)
            .send()
            .await
            .expect("GET /callback")
    }

    /// A whole sign-in: login on `start`, callback on `finish`; panics unless it succeeds.
    pub async fn sign_in(&self, start: &App, finish: &App) {
        let url = self.start_login(start, None).await;
        let cb = self.authorize(&url, finish).await;
        let resp = self.callback(&cb).await;
        assert_eq!(resp.status(), 303, "callback signs in");
    }

    /// `GET /me`: status and JSON body.
    pub async fn me(&self, app: &App) -> (u16, serde_json::Value) {
        let resp = self.http.get(app.url("/me")).send().await.expect("GET /me");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or_default())
    }
}

pub fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("Location")
        .to_owned()
}

pub fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// POSTs a logout token to `/backchannel-logout` of `app` as the provider would.
pub async fn backchannel(app: &App, token: &str) -> (u16, serde_json::Value) {
    let resp = reqwest::Client::new()
        .post(app.url("/backchannel-logout"))
        .form(&[("logout_token", token)])
        .send()
        .await
        .expect("POST /backchannel-logout");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or_default())
}

/// Refresh-token requests the provider received.
pub fn refresh_requests(op: &MockProvider) -> usize {
    op.requests()
        .iter()
        .filter(|r| {
            r.path == "/token"
                && r.params
                    .iter()
                    .any(|(k, v)| k == "grant_type" && v == "refresh_token")
        })
        .count()
}
