//! Shared helpers: every test starts its own mock provider on 127.0.0.1:0 (stopped on drop)
//! and talks real HTTP to it.
#![allow(dead_code)]

use oidckit::{
    AuthTransaction, AuthorizationRequest, CallbackParams, Client, ClientConfig, TokenSet,
};
use oidckit_mock::{MockConfig, MockProvider};

/// A redirect URI the mock accepts; nothing listens there, the scripted browser stops at the redirect.
pub const REDIRECT: &str = "http://127.0.0.1:9/cb";

pub fn provider() -> MockProvider {
    provider_with(|_| {})
}

pub fn provider_with(f: impl FnOnce(&mut MockConfig)) -> MockProvider {
    let mut cfg = MockConfig::default();
    f(&mut cfg);
    MockProvider::start(cfg).expect("mock provider starts")
}

pub fn config(p: &MockProvider) -> ClientConfig {
    ClientConfig::new(p.issuer(), "test-client")
        .with_secret("test-secret")
        .with_redirect_uri(REDIRECT)
}

pub async fn client(p: &MockProvider) -> Client {
    client_with(p, |_| {}).await
}

pub async fn client_with(p: &MockProvider, f: impl FnOnce(&mut ClientConfig)) -> Client {
    let mut cfg = config(p);
    f(&mut cfg);
    Client::discover(cfg).await.expect("discovery succeeds")
}

/// Builds the authorization URL, lets the scripted browser follow it, and returns the callback.
pub fn authorize(client: &Client, req: &AuthorizationRequest) -> (AuthTransaction, CallbackParams) {
    let (url, tx) = client.authorization_url(req).expect("authorization URL");
    let outcome =
        oidckit_mock::browser::authorize(&url).expect("provider answers the authorization request");
    let params = match &outcome.form_post {
        Some(fields) => CallbackParams::from_pairs(fields.clone()),
        None => CallbackParams::from_url(&outcome.redirect_to),
    };
    (tx, params)
}

/// A whole sign-in with default request parameters.
pub async fn sign_in(client: &Client) -> oidckit::Result<TokenSet> {
    let (tx, params) = authorize(client, &AuthorizationRequest::default());
    client.handle_callback(&tx, &params).await
}

pub fn count_requests(p: &MockProvider, path: &str) -> usize {
    p.requests().iter().filter(|r| r.path == path).count()
}
