//! The `tracing` feature: the transport log reaches a `tracing` subscriber, masked, even
//! when no `HttpEvents` are configured. Run with `cargo test -p oidckit --features tracing
//! --test tracing`.

mod support;

use std::sync::{Arc, Mutex};

use support::{provider, sign_in};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// A subscriber that keeps every event of target `oidckit::http` as `LEVEL log_type: message`.
#[derive(Clone, Default)]
struct Collect(Arc<Mutex<Vec<String>>>);

struct Fields(String, String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "message" => self.0 = format!("{value:?}"),
            "log_type" => self.1 = format!("{value:?}"),
            _ => {}
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "message" => self.0 = value.to_string(),
            "log_type" => self.1 = value.to_string(),
            _ => {}
        }
    }
}

impl Subscriber for Collect {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target().starts_with("oidckit")
    }
    fn new_span(&self, _span: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _span: &Id, _values: &Record<'_>) {}
    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut f = Fields(String::new(), String::new());
        event.record(&mut f);
        let line = format!("{} {}: {}", event.metadata().level(), f.1, f.0);
        self.0.lock().expect("lock").push(line);
    }
    fn enter(&self, _span: &Id) {}
    fn exit(&self, _span: &Id) {}
}

#[test]
fn the_transport_log_is_emitted_as_masked_tracing_events() {
    let collect = Collect::default();
    let lines = collect.0.clone();
    let p = provider();
    let tokens = tracing::subscriber::with_default(collect, || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let client = support::client(&p).await;
            sign_in(&client).await.expect("sign-in")
        })
    });
    let lines = lines.lock().expect("lock").clone();
    let all = lines.join("\n");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("DEBUG") && l.contains("POST ") && l.contains("/token")),
        "{all}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("TRACE RequestHeaders") && l.contains("authorization: ")),
        "{all}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("TRACE ResponseBody")),
        "{all}"
    );
    // Masked: neither the client secret nor any token appears.
    let access = tokens.access_token.expect("access token");
    let id = tokens.id_token.expect("id token");
    for secret in [
        "test-secret",
        "dGVzdC1jbGllbnQ6dGVzdC1zZWNyZXQ", // base64 of test-client:test-secret
        access.as_str(),
        id.raw(),
    ] {
        assert!(!all.contains(secret), "{secret} leaked:\n{all}");
    }
    if let Some(rt) = tokens.refresh_token {
        assert!(!all.contains(&rt), "refresh token leaked");
    }
}
