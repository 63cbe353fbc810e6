//! Load test (bounded, loopback only): N concurrent sign-ins (default 200) against the embedded
//! mock provider, first on one instance with the in-memory store (the baseline), then spread
//! over two instances sharing a real `redis-server` (started here on a free port, stopped at
//! the end). Each sign-in is `GET /login`, the provider's redirect, `GET /callback` (on the
//! other instance for odd-numbered users) and `GET /me`. Prints sign-ins/s and p50/p99 latency.
//!
//! ```text
//! cargo run --release -p oidckit-axum --example loadtest -- [COUNT]
//! ```

#[path = "../tests/support/redis.rs"]
mod redis_server;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use oidckit_axum::store::{MemoryStore, RedisStore, Store};
use oidckit_axum::{Oidc, SignedIn, WebConfig};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

async fn instance(
    issuer: &str,
    store: Arc<dyn Store>,
) -> Result<(u16, tokio::task::JoinHandle<()>), BoxError> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let config = oidckit::ClientConfig::new(issuer, "test-client")
        .with_secret("test-secret")
        .with_redirect_uri(format!("http://127.0.0.1:{port}/callback"));
    let client = oidckit::Client::discover(config).await?;
    let mut web = WebConfig::new([9u8; 32]);
    web.secure_cookies = false;
    let oidc = Oidc::new(client, store, web)?;
    let app: Router = Router::new()
        .route("/me", get(|SignedIn(u): SignedIn| async move { u.sub }))
        .merge(oidc.router())
        .layer(oidc.layer());
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((port, task))
}

async fn sign_in(start: u16, finish: u16) -> Result<Duration, BoxError> {
    let began = Instant::now();
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()?;
    let resp = http
        .get(format!("http://127.0.0.1:{start}/login"))
        .send()
        .await?;
    let url = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .ok_or("no redirect from /login")?
        .to_owned();
    let callback =
        tokio::task::spawn_blocking(move || oidckit_mock::follow_authorization(&url)).await??;
    let path = callback
        .find("/callback")
        .map(|i| callback[i..].to_owned())
        .ok_or("no callback")?;
    let resp = http
        .get(format!("http://127.0.0.1:{finish}{path}"))
        .send()
        .await?;
    if resp.status() != 303 {
        return Err(format!("callback answered {}", resp.status()).into());
    }
    let me = http
        .get(format!("http://127.0.0.1:{finish}/me"))
        .send()
        .await?;
    if me.status() != 200 {
        return Err(format!("/me answered {}", me.status()).into());
    }
    Ok(began.elapsed())
}

struct Figures {
    ok: usize,
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

async fn run(count: usize, ports: &[u16]) -> Result<Figures, BoxError> {
    let began = Instant::now();
    let tasks: Vec<_> = (0..count)
        .map(|i| {
            let start = ports[i % ports.len()];
            let finish = ports[(i + 1) % ports.len()];
            tokio::spawn(sign_in(start, finish))
        })
        .collect();
    let mut times = Vec::with_capacity(count);
    for t in tasks {
        times.push(t.await??);
    }
    let wall = began.elapsed();
    times.sort();
    let at = |q: f64| {
        times[((times.len() as f64 * q).ceil() as usize)
            .saturating_sub(1)
            .min(times.len() - 1)]
    };
    Ok(Figures {
        ok: times.len(),
        per_second: times.len() as f64 / wall.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
    })
}

fn print(label: &str, f: &Figures) {
    println!(
        "{label:<40} {:>4} ok  {:>8.1} sign-ins/s  p50 {:>7.1} ms  p99 {:>7.1} ms",
        f.ok,
        f.per_second,
        f.p50.as_secs_f64() * 1000.0,
        f.p99.as_secs_f64() * 1000.0
    );
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let count: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(200)
        .clamp(1, 1000);
    let op = oidckit_mock::MockProvider::start(oidckit_mock::MockConfig::default())?;
    let redis = redis_server::RedisServer::start();

    let (mem_port, mem_task) = instance(&op.issuer(), Arc::new(MemoryStore::new())).await?;
    let a_store: Arc<dyn Store> = Arc::new(RedisStore::connect(&redis.url()).await?);
    let b_store: Arc<dyn Store> = Arc::new(RedisStore::connect(&redis.url()).await?);
    let (a_port, a_task) = instance(&op.issuer(), a_store).await?;
    let (b_port, b_task) = instance(&op.issuer(), b_store).await?;

    // Warm-up (connections, JWKS), not counted.
    run(4, &[mem_port]).await?;
    run(4, &[a_port, b_port]).await?;

    println!("{count} concurrent sign-ins against the mock provider (loopback)");
    let memory = run(count, &[mem_port]).await?;
    print("in-memory store, one instance", &memory);
    let shared = run(count, &[a_port, b_port]).await?;
    print("Redis store, two instances (cross-instance)", &shared);
    for t in [mem_task, a_task, b_task] {
        t.abort();
    }
    drop(redis);
    Ok(())
}
