//! Signed request objects (RFC 9101, JAR) against panva's `oidc-provider` with request objects
//! enabled (`INTEROP_JAR=1`, see `interop/provider.mjs`): by value, signed with the client
//! secret (HS256) or the client's key (ES256), and by reference through PAR.
//!
//! Needs Node.js and `(cd interop && npm ci)`; see `interop.rs`.

#[macro_use]
mod interop_support;

use oidckit::{AuthorizationRequest, Client, PrivateKey};

use interop_support::{Browser, USER, discover};

const JAR: &[(&str, &str)] = &[("INTEROP_JAR", "1")];
const HS256_SECRET: &str = "interop-hs256-secret-that-is-long-enough-for-hmac-sha256";

/// Signs in with `client` and returns the authorization URL's parameter names.
async fn sign_in(client: &Client) -> Vec<String> {
    let (url, tx) = client
        .start_authorization(&AuthorizationRequest::default())
        .await
        .expect("authorization URL");
    let names = url::Url::parse(&url)
        .expect("URL")
        .query_pairs()
        .map(|(k, _)| k.into_owned())
        .collect();
    let params = Browser::new().authorize(&url).await.params();
    let tokens = client
        .handle_callback(&tx, &params)
        .await
        .expect("sign-in with a request object succeeds");
    let id = tokens.id_token.expect("id token");
    assert_eq!(id.claims().subject(), Some(USER));
    // The nonce only travelled inside the signed object, and came back.
    assert_eq!(id.claims().nonce(), Some(tx.nonce.as_str()));
    names
}

#[tokio::test]
async fn request_object_by_value_signed_with_the_client_secret() {
    let op = provider_or_skip!(JAR);
    let mut cfg = op.config("interop-hs256").with_secret(HS256_SECRET);
    cfg.request_object = true;
    let names = sign_in(&discover(cfg).await).await;
    assert_eq!(names, ["response_type", "client_id", "scope", "request"]);
}

#[tokio::test]
async fn request_object_by_value_signed_with_the_client_key() {
    let op = provider_or_skip!(JAR);
    let key = PrivateKey::from_text(&op.private_key_jwt_client_key().await).expect("key");
    let mut cfg = op.config("interop-private-key-jwt");
    cfg.client_key = Some(key);
    cfg.request_object = true;
    let names = sign_in(&discover(cfg).await).await;
    assert_eq!(names, ["response_type", "client_id", "scope", "request"]);
}

#[tokio::test]
async fn request_object_by_reference_through_par() {
    let op = provider_or_skip!(JAR);
    let mut cfg = op.config("interop-hs256").with_secret(HS256_SECRET);
    cfg.request_object = true;
    cfg.pushed_authorization = true;
    let names = sign_in(&discover(cfg).await).await;
    assert_eq!(names, ["client_id", "request_uri"]);
}

#[tokio::test]
async fn request_object_with_another_key_is_refused_by_the_provider() {
    let op = provider_or_skip!(JAR);
    let other = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    let wrong = PrivateKey::from_pem(&other.serialize_pem())
        .expect("key")
        .with_kid("interop-client-es256");
    let mut cfg = op.config("interop-private-key-jwt");
    cfg.client_key = Some(wrong);
    cfg.request_object = true;
    // Pushed, so the refusal comes back to the client as an OAuth error.
    cfg.pushed_authorization = true;
    let client = discover(cfg).await;
    let err = client
        .start_authorization(&AuthorizationRequest::default())
        .await
        .expect_err("signature does not verify");
    assert_eq!(err.code(), 151);
    assert!(
        matches!(
            err.oauth_error(),
            Some("invalid_request_object" | "invalid_client")
        ),
        "{err:?}"
    );
}
