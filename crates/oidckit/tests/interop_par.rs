//! Pushed authorization requests (RFC 9126) against panva's `oidc-provider`, which implements
//! them: by choice of the client, and automatically when the provider requires them
//! (`INTEROP_REQUIRE_PAR=1`, see `interop/provider.mjs`).
//!
//! Needs Node.js and `(cd interop && npm ci)`; see `interop.rs`.

#[macro_use]
mod interop_support;

use oidckit::{AuthMethod, AuthorizationRequest, Client, Error, PrivateKey};

use interop_support::{Browser, USER, discover};

/// The only parameters of a pushed request's URL are `client_id` and `request_uri`.
fn assert_only_reference(url: &str, client_id: &str) {
    let parsed = url::Url::parse(url).expect("URL");
    let names: Vec<String> = parsed.query_pairs().map(|(k, _)| k.into_owned()).collect();
    assert_eq!(names, ["client_id", "request_uri"], "{url}");
    let get = |n: &str| {
        parsed
            .query_pairs()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(get("client_id").as_deref(), Some(client_id));
    assert!(
        get("request_uri").is_some_and(|u| u.starts_with("urn:ietf:params:oauth:request_uri:")),
        "{url}"
    );
}

/// Starts the sign-in with `client`, checks the URL is a pushed one, signs in and returns
/// the tokens' subject.
async fn pushed_sign_in(client: &Client) -> String {
    let (url, tx) = client
        .start_authorization(&AuthorizationRequest::default())
        .await
        .expect("the request is pushed");
    assert_only_reference(&url, &client.config().client_id);
    let params = Browser::new().authorize(&url).await.params();
    let tokens = client
        .handle_callback(&tx, &params)
        .await
        .expect("sign-in through PAR succeeds");
    let id = tokens.id_token.expect("id token");
    assert_eq!(id.claims().nonce(), Some(tx.nonce.as_str()));
    id.claims().subject().expect("sub").to_string()
}

#[tokio::test]
async fn pushed_request_with_client_secret_basic_signs_in() {
    let op = provider_or_skip!();
    let mut cfg = op.confidential("interop-basic");
    cfg.pushed_authorization = true;
    let client = discover(cfg).await;
    assert!(
        client
            .metadata()
            .pushed_authorization_request_endpoint
            .is_some()
    );
    assert!(!client.metadata().require_pushed_authorization_requests);
    assert_eq!(pushed_sign_in(&client).await, USER);
}

#[tokio::test]
async fn pushed_request_with_client_secret_post_and_private_key_jwt_signs_in() {
    let op = provider_or_skip!();
    // interop-post refuses HTTP Basic, so the body credentials are what authenticated.
    let mut post = op.confidential("interop-post");
    post.auth_method = Some(AuthMethod::ClientSecretPost);
    post.pushed_authorization = true;
    assert_eq!(pushed_sign_in(&discover(post).await).await, USER);

    // The assertion's audience is the issuer (RFC 9126 §2).
    let key = PrivateKey::from_text(&op.private_key_jwt_client_key().await).expect("key");
    let mut jwt = op.config("interop-private-key-jwt");
    jwt.client_key = Some(key);
    jwt.pushed_authorization = true;
    assert_eq!(pushed_sign_in(&discover(jwt).await).await, USER);
}

#[tokio::test]
async fn pushed_request_with_a_wrong_secret_is_refused_by_the_provider() {
    let op = provider_or_skip!();
    let mut cfg = op.config("interop-basic").with_secret("not-the-secret");
    cfg.pushed_authorization = true;
    let client = discover(cfg).await;
    let err = client
        .start_authorization(&AuthorizationRequest::default())
        .await
        .expect_err("wrong secret");
    assert_eq!(err.code(), 151);
    assert_eq!(err.oauth_error(), Some("invalid_client"));
}

#[tokio::test]
async fn provider_that_requires_par_gets_pushed_requests_automatically() {
    let op = provider_or_skip!(&[("INTEROP_REQUIRE_PAR", "1")]);
    // A public client with PKCE; pushed_authorization is not set.
    let client = discover(op.config("interop-public")).await;
    assert!(client.metadata().require_pushed_authorization_requests);
    let err = client
        .authorization_url(&AuthorizationRequest::default())
        .expect_err("a plain URL would be refused by the provider");
    assert!(
        matches!(err, Error::PushedAuthorizationRequired { .. }),
        "{err:?}"
    );
    assert_eq!(err.code(), 931);
    assert_eq!(pushed_sign_in(&client).await, USER);
}
