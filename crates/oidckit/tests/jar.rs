//! Signed request objects (RFC 9101, JAR) against the mock provider, which verifies them with
//! `jsonwebtoken` (typ, signature, iss, aud, exp, a fresh jti) and uses only their claims.

mod support;

use oidckit::{AuthorizationRequest, Client, ClientConfig, PrivateKey, TokenSet};
use oidckit_mock::{MockClient, MockProvider};
use support::*;

async fn sign_in_via(client: &Client) -> (String, oidckit::Result<TokenSet>) {
    let (url, tx) = client
        .start_authorization(&AuthorizationRequest::default())
        .await
        .expect("authorization URL");
    let outcome = oidckit_mock::browser::authorize(&url).expect("provider answers");
    let params = oidckit::CallbackParams::from_url(&outcome.redirect_to);
    (url, client.handle_callback(&tx, &params).await)
}

fn query_names(url: &str) -> Vec<String> {
    url::Url::parse(url)
        .expect("URL")
        .query_pairs()
        .map(|(k, _)| k.into_owned())
        .collect()
}

#[tokio::test]
async fn request_object_signed_with_the_secret_carries_every_parameter() {
    let p = provider();
    let client = client_with(&p, |c| c.request_object = true).await;
    let (url, result) = sign_in_via(&client).await;
    let tokens = result.expect("the mock verified the HS256 request object");
    assert!(tokens.id_token.is_some());
    // state, nonce and the PKCE challenge only travel inside the signed object.
    assert_eq!(
        query_names(&url),
        ["response_type", "client_id", "scope", "request"]
    );
    // The same object again: its jti was seen, the mock refuses it.
    assert!(oidckit_mock::browser::authorize(&url).is_err());
}

fn provider_with_key_client() -> (MockProvider, PrivateKey) {
    let p = provider_with(|c| c.clients.push(MockClient::public("key-client")));
    let kp = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    p.register_client_key("key-client", &kp.public_key_pem())
        .expect("registered");
    let key = PrivateKey::from_pem(&kp.serialize_pem()).expect("key");
    (p, key)
}

#[tokio::test]
async fn request_object_signed_with_the_client_key_by_value_and_through_par() {
    let (p, key) = provider_with_key_client();
    let mut cfg = ClientConfig::new(p.issuer(), "key-client").with_redirect_uri(REDIRECT);
    cfg.client_key = Some(key);
    cfg.request_object = true;
    let client = Client::discover(cfg.clone()).await.expect("discover");
    let (_, result) = sign_in_via(&client).await;
    result.expect("by value");

    cfg.pushed_authorization = true;
    let client = Client::discover(cfg).await.expect("discover");
    let (url, result) = sign_in_via(&client).await;
    result.expect("by reference");
    assert_eq!(query_names(&url), ["client_id", "request_uri"]);
    let reqs = p.requests();
    let pushed = reqs.iter().rfind(|r| r.path == "/par").expect("PAR");
    assert!(pushed.param("request").is_some());
    assert!(pushed.param("nonce").is_none(), "{:?}", pushed.params);
}

#[tokio::test]
async fn request_object_signed_with_another_key_is_refused_by_the_provider() {
    let (p, _) = provider_with_key_client();
    let other = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    let mut cfg = ClientConfig::new(p.issuer(), "key-client").with_redirect_uri(REDIRECT);
    cfg.client_key = Some(PrivateKey::from_pem(&other.serialize_pem()).expect("key"));
    cfg.request_object = true;
    let client = Client::discover(cfg).await.expect("discover");
    let (url, _) = client
        .authorization_url(&AuthorizationRequest::default())
        .expect("URL");
    let err = oidckit_mock::browser::authorize(&url).expect_err("signature does not verify");
    assert!(err.to_string().contains("400"), "{err}");
}

#[tokio::test]
async fn request_object_without_key_or_secret_is_code_920() {
    let p = provider();
    let mut cfg = ClientConfig::new(p.issuer(), "public-client").with_redirect_uri(REDIRECT);
    cfg.request_object = true;
    let client = Client::discover(cfg).await.expect("discover");
    let err = client
        .authorization_url(&AuthorizationRequest::default())
        .expect_err("nothing to sign with");
    assert_eq!(err.code(), 920);
}
