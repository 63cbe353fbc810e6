//! Encrypted ID tokens, UserInfo and request objects (JWE, RFC 7516) against panva's
//! `oidc-provider` with `features.encryption` (`INTEROP_ENCRYPTION=1`, see
//! `interop/provider.mjs`): the provider encrypts ID tokens, UserInfo and JARM responses to the
//! client's registered `jwks` (RSA-OAEP-256, ECDH-ES+A128KW, ECDH-ES) and decrypts request
//! objects encrypted to the `use: enc` key of its own JWKS.
//!
//! Needs Node.js and `(cd interop && npm ci)`; see `interop.rs`.

#[macro_use]
mod interop_support;

use oidckit::{AuthorizationRequest, Client, DecryptionKey};

use interop_support::{Browser, OpenIdProvider, USER, authorize, discover};

const ENCRYPTION: &[(&str, &str)] = &[("INTEROP_ENCRYPTION", "1")];
const ENC_SECRET: &str = "interop-enc-secret-that-is-long-enough-for-hmac-sha256";

/// The private decryption key `name` served by provider.mjs at `/interop/client-keys`.
async fn decryption_key(op: &OpenIdProvider, name: &str) -> DecryptionKey {
    DecryptionKey::from_jwk(&op.client_private_key(name).await).expect("a usable decryption key")
}

async fn encryption_client(op: &OpenIdProvider, client_id: &str, key: &str) -> Client {
    let mut cfg = op.config(client_id).with_secret(ENC_SECRET);
    cfg.decryption_keys = vec![decryption_key(op, key).await];
    discover(cfg).await
}

/// A code-flow sign-in, then UserInfo; both come encrypted and are checked in full.
async fn sign_in_and_fetch_userinfo(client: &Client) {
    let (url, tx) = client
        .start_authorization(&AuthorizationRequest::default())
        .await
        .expect("authorization URL");
    let params = Browser::new().authorize(&url).await.params();
    let tokens = client
        .handle_callback(&tx, &params)
        .await
        .expect("the encrypted ID token decrypts and validates");
    let id = tokens.id_token.as_ref().expect("id token");
    assert_eq!(id.claims().subject(), Some(USER));
    assert_eq!(id.claims().nonce(), Some(tx.nonce.as_str()));
    // What the provider sent: a five-part JWE, not the JWS the client kept.
    let sent = tokens.raw["id_token"].as_str().expect("id_token as sent");
    assert_eq!(sent.matches('.').count(), 4, "an encrypted ID token");
    assert_eq!(id.raw().matches('.').count(), 2, "the inner JWS");
    let me = client.userinfo(&tokens).await.expect("encrypted UserInfo");
    let sent = client.last_response().expect("the UserInfo response");
    assert_eq!(
        sent.body.iter().filter(|&&b| b == b'.').count(),
        4,
        "encrypted UserInfo"
    );
    assert_eq!(me.sub.as_deref(), Some(USER));
    assert_eq!(me.email.as_deref(), Some("interop-user@example.com"));
}

#[tokio::test]
async fn encrypted_id_token_and_userinfo_with_rsa_oaep_256() {
    let op = provider_or_skip!(ENCRYPTION);
    let client = encryption_client(&op, "interop-enc-rsa", "interop-enc-rsa").await;
    sign_in_and_fetch_userinfo(&client).await;
}

#[tokio::test]
async fn encrypted_id_token_and_userinfo_with_ecdh_es_a128kw() {
    let op = provider_or_skip!(ENCRYPTION);
    let client = encryption_client(&op, "interop-enc-ec", "interop-enc-ec").await;
    sign_in_and_fetch_userinfo(&client).await;
}

#[tokio::test]
async fn encrypted_id_token_and_userinfo_with_ecdh_es() {
    let op = provider_or_skip!(ENCRYPTION);
    let client = encryption_client(&op, "interop-enc-ecdh-es", "interop-enc-ec").await;
    sign_in_and_fetch_userinfo(&client).await;
}

#[tokio::test]
async fn encrypted_request_object_is_accepted() {
    let op = provider_or_skip!(ENCRYPTION);
    let mut cfg = op.config("interop-enc-rsa").with_secret(ENC_SECRET);
    cfg.decryption_keys = vec![decryption_key(&op, "interop-enc-rsa").await];
    cfg.request_object = true;
    cfg.encrypt_request_object = true;
    let client = discover(cfg).await;
    let key = client
        .config()
        .request_object_encryption_key
        .clone()
        .expect("discovery took the provider's use=enc key");
    assert_eq!(key.key_type(), "RSA");
    let (url, tx) = client
        .start_authorization(&AuthorizationRequest::default())
        .await
        .expect("authorization URL");
    let request = url::Url::parse(&url)
        .expect("URL")
        .query_pairs()
        .find(|(k, _)| k == "request")
        .map(|(_, v)| v.into_owned())
        .expect("a request object");
    assert_eq!(request.matches('.').count(), 4, "a JWE");
    let params = Browser::new().authorize(&url).await.params();
    let tokens = client
        .handle_callback(&tx, &params)
        .await
        .expect("the provider decrypted the request object");
    // The nonce only travelled inside the encrypted object, and came back.
    let id = tokens.id_token.expect("id token");
    assert_eq!(id.claims().nonce(), Some(tx.nonce.as_str()));
}

#[tokio::test]
async fn an_encrypted_id_token_for_a_client_with_another_key_is_refused() {
    let op = provider_or_skip!(ENCRYPTION);
    let mut cfg = op.config("interop-enc-rsa").with_secret(ENC_SECRET);
    cfg.decryption_keys = vec![DecryptionKey::generate_rsa().expect("rsa")];
    let client = discover(cfg).await;
    let (url, tx) = client
        .start_authorization(&AuthorizationRequest::default())
        .await
        .expect("authorization URL");
    let params = Browser::new().authorize(&url).await.params();
    let err = client
        .handle_callback(&tx, &params)
        .await
        .expect_err("not our key");
    // The provider names its kid; the configured key has none, so it is tried and fails.
    assert_eq!(err.code(), 957, "{err}");
}

#[tokio::test]
async fn encrypted_jarm_responses_sign_in() {
    let op = provider_or_skip!(ENCRYPTION);
    for (client_id, key) in [
        ("interop-enc-rsa", "interop-enc-rsa"),
        ("interop-enc-ec", "interop-enc-ec"),
    ] {
        let mut cfg = op.config(client_id).with_secret(ENC_SECRET);
        cfg.decryption_keys = vec![decryption_key(&op, key).await];
        cfg.response_mode = Some("query.jwt".into());
        let client = discover(cfg).await;
        let (tx, params) = authorize(&client, &AuthorizationRequest::default()).await;
        let response = params.get("response").expect("a JARM response");
        assert_eq!(response.matches('.').count(), 4, "{client_id}: encrypted");
        let tokens = client
            .handle_callback(&tx, &params)
            .await
            .unwrap_or_else(|e| panic!("{client_id}: {e}"));
        assert_eq!(
            tokens.id_token.expect("id token").claims().subject(),
            Some(USER)
        );
    }
}
