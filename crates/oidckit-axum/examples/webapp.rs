//! A small web app with OpenID Connect sign-in: `/` shows the signed-in user (and sends you to
//! the provider when nobody is), `/me` returns the user as JSON (401 when not signed in),
//! plus the routes of `oidckit-axum` (`/login`, `/callback`, `/logout`, `/backchannel-logout`).
//!
//! Offline, against the embedded mock provider, in one command:
//!
//! ```text
//! cargo run -p oidckit-axum --example webapp -- --listen 127.0.0.1:3000
//! ```
//!
//! Against a real provider, two instances sharing Redis (register the redirect URI and, for
//! back-channel logout, `http(s)://<app>/backchannel-logout` as the client's
//! `backchannel_logout_uri`):
//!
//! ```text
//! cargo run -p oidckit-axum --example webapp -- --listen 127.0.0.1:3000 \
//!     --issuer https://accounts.example.com --client-id my-app --client-secret s3cret \
//!     --redirect-uri http://127.0.0.1:3000/callback --redis redis://127.0.0.1:6379 \
//!     --cookie-key 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
//! ```

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use clap::Parser;
use oidckit_axum::store::{MemoryStore, RedisStore, Store};
use oidckit_axum::{Oidc, SignedIn, SignedInOrLogin, WebConfig};

/// OpenID Connect sign-in demo on axum.
#[derive(Parser, Debug)]
struct Args {
    /// Address to listen on (loopback only for plain http).
    #[arg(long, default_value = "127.0.0.1:3000")]
    listen: SocketAddr,
    /// The provider's issuer URL. Absent: start the embedded mock provider (offline).
    #[arg(long)]
    issuer: Option<String>,
    /// Client id registered with the provider.
    #[arg(long, default_value = "test-client")]
    client_id: String,
    /// Client secret.
    #[arg(long, default_value = "test-secret")]
    client_secret: String,
    /// Redirect URI registered with the provider. Default: http://<listen>/callback.
    #[arg(long)]
    redirect_uri: Option<String>,
    /// Redis URL for shared logins and sessions; several comma-separated URLs are the nodes of
    /// a Redis Cluster. Absent: in-memory store (one instance).
    #[arg(long)]
    redis: Option<String>,
    /// Cookie signing key, 64 hex digits (the same on every instance). Absent: a random key
    /// (sessions end when the app restarts).
    #[arg(long, env = "OIDCKIT_COOKIE_KEY")]
    cookie_key: Option<String>,
}

fn hex_key(hex: &str) -> anyhow_like::Result<Vec<u8>> {
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
        })
        .collect();
    match bytes {
        Some(b) if b.len() >= 32 => Ok(b),
        _ => Err("--cookie-key must be at least 64 hex digits".into()),
    }
}

mod anyhow_like {
    pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

async fn home(SignedInOrLogin(user): SignedInOrLogin) -> Html<String> {
    let name = user
        .claims
        .get("name")
        .and_then(|v| v.as_str())
        .unwrap_or(&user.sub);
    let claims = serde_json::to_string_pretty(&user.to_json()).unwrap_or_default();
    Html(format!(
        "<!doctype html><meta charset=utf-8><title>Signed in</title>\
         <h1>Hello, {}</h1><p>You are signed in as <code>{}</code>.</p>\
         <form method=post action=/logout><button>Sign out</button></form>\
         <h2>Your claims</h2><pre>{}</pre>",
        escape(name),
        escape(&user.sub),
        escape(&claims)
    ))
}

async fn me(SignedIn(user): SignedIn) -> impl IntoResponse {
    axum::Json(user.to_json())
}

#[tokio::main]
async fn main() -> anyhow_like::Result<()> {
    let args = Args::parse();
    let mut _mock = None;
    let issuer = match &args.issuer {
        Some(i) => i.clone(),
        None => {
            let op = oidckit_mock::MockProvider::start(oidckit_mock::MockConfig::default())?;
            let issuer = op.issuer();
            eprintln!("embedded mock provider at {issuer}");
            _mock = Some(op);
            issuer
        }
    };
    let redirect_uri = args
        .redirect_uri
        .clone()
        .unwrap_or_else(|| format!("http://{}/callback", args.listen));
    let mut config = oidckit::ClientConfig::new(issuer, args.client_id.clone())
        .with_secret(args.client_secret.clone())
        .with_redirect_uri(redirect_uri.clone());
    config.scope = "openid profile email".into();
    let client = oidckit::Client::discover(config).await?;
    let store: Arc<dyn Store> = match &args.redis {
        None => Arc::new(MemoryStore::new()),
        Some(urls) if urls.contains(',') => {
            let nodes: Vec<String> = urls.split(',').map(str::to_owned).collect();
            Arc::new(RedisStore::connect_cluster(&nodes).await?)
        }
        Some(url) => Arc::new(RedisStore::connect(url).await?),
    };
    let key = match &args.cookie_key {
        Some(hex) => hex_key(hex)?,
        None => {
            let mut k = vec![0u8; 32];
            aws_lc_rs::rand::fill(&mut k).map_err(|_| "the system random generator failed")?;
            k
        }
    };
    let mut web = WebConfig::new(key);
    // Plain http is only for loopback; Oidc::new refuses it for any other redirect URI.
    web.secure_cookies = !redirect_uri.starts_with("http://");
    let oidc = Oidc::new(client, store, web)?;
    let app: Router = Router::new()
        .route("/", get(home))
        .route("/me", get(me))
        .merge(oidc.router())
        .layer(oidc.layer());
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    eprintln!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
