//! The FAPI 2.0 Security Profile switch (`ClientConfig::fapi2`) against the mock provider: one
//! whole sign-in that follows the profile, then one test per rule it enforces (code 953, the
//! rule named in the error).

mod support;

use oidckit::{
    AuthMethod, AuthorizationRequest, Client, ClientConfig, Error, GrantType, PkceMethod,
    PrivateKey,
};
use oidckit_mock::{MockClient, MockConfig, MockProvider, SigningAlg};
use support::*;

/// An ES256 provider with a `key-client` whose ES256 key is registered.
fn fapi_provider(f: impl FnOnce(&mut MockConfig)) -> (MockProvider, PrivateKey) {
    let p = provider_with(|c| {
        c.id_token_alg = SigningAlg::ES256;
        c.clients.push(MockClient::public("key-client"));
        f(c);
    });
    let kp = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    p.register_client_key("key-client", &kp.public_key_pem())
        .expect("registered");
    (p, PrivateKey::from_pem(&kp.serialize_pem()).expect("key"))
}

/// A fresh ES256 key.
fn es256_key() -> PrivateKey {
    let kp = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    PrivateKey::from_pem(&kp.serialize_pem()).expect("key")
}

fn fapi_config(p: &MockProvider, key: PrivateKey) -> ClientConfig {
    let mut cfg = ClientConfig::new(p.issuer(), "key-client")
        .with_redirect_uri(REDIRECT)
        .fapi2();
    cfg.client_key = Some(key);
    cfg
}

/// Starts a pushed sign-in and lets the scripted browser follow it; the transaction and the
/// callback.
async fn pushed_sign_in(client: &Client) -> (oidckit::AuthTransaction, oidckit::CallbackParams) {
    let (url, tx) = client
        .start_authorization(&AuthorizationRequest::default())
        .await
        .expect("pushed");
    let outcome = oidckit_mock::browser::authorize(&url).expect("authorize");
    (tx, oidckit::CallbackParams::from_url(&outcome.redirect_to))
}

/// Building the client fails with the FAPI 2.0 rule `rule`.
async fn refused(cfg: ClientConfig, rule: &str) {
    let err = Client::discover(cfg).await.expect_err("refused");
    assert!(
        matches!(&err, Error::Fapi2 { rule: r, .. } if *r == rule),
        "{err:?}"
    );
    assert_eq!(err.code(), 953);
}

#[tokio::test]
async fn a_fapi2_sign_in_pushes_signs_and_binds() {
    let (p, key) = fapi_provider(|_| {});
    let client = Client::discover(fapi_config(&p, key))
        .await
        .expect("client");
    let (tx, params) = pushed_sign_in(&client).await;
    let tokens = client.handle_callback(&tx, &params).await.expect("sign-in");
    assert_eq!(tokens.token_type.as_deref(), Some("DPoP"));
    let reqs = p.requests();
    let token = reqs.iter().find(|r| r.path == "/token").expect("token");
    assert!(token.headers.iter().any(|(k, _)| k == "dpop"));
    let pushed = reqs.iter().find(|r| r.path == "/par").expect("pushed");
    // FAPI 2.0: the issuer is the sole audience of the assertions, at every endpoint.
    for r in [pushed, token] {
        let assertion = r.param("client_assertion").expect("private_key_jwt");
        assert_eq!(assertion_audience(assertion), p.issuer(), "{}", r.path);
    }
}

/// The `aud` of a client assertion, which must be a single string.
fn assertion_audience(jwt: &str) -> String {
    let data = jsonwebtoken::dangerous::insecure_decode::<serde_json::Value>(jwt)
        .expect("assertion claims");
    data.claims["aud"]
        .as_str()
        .expect("aud is one string")
        .to_string()
}

#[tokio::test]
async fn rule_par_only() {
    let (p, key) = fapi_provider(|_| {});
    let mut cfg = fapi_config(&p, key.clone());
    cfg.pushed_authorization = false;
    refused(cfg, "PAR only").await;
    let client = Client::discover(fapi_config(&p, key))
        .await
        .expect("client");
    let err = client
        .authorization_url(&AuthorizationRequest::default())
        .expect_err("plain URL");
    assert!(
        matches!(
            err,
            Error::Fapi2 {
                rule: "PAR only",
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn rule_pkce_s256() {
    let (p, key) = fapi_provider(|_| {});
    let mut cfg = fapi_config(&p, key);
    cfg.pkce_method = PkceMethod::Plain;
    refused(cfg, "PKCE S256").await;
    let mut cfg = fapi_config(&p, es256_key());
    cfg.use_pkce = false;
    refused(cfg, "PKCE S256").await;
}

#[tokio::test]
async fn rule_private_key_jwt_or_mtls_client_authentication() {
    let (p, _) = fapi_provider(|_| {});
    let cfg = ClientConfig::new(p.issuer(), "test-client")
        .with_secret("test-secret")
        .with_redirect_uri(REDIRECT)
        .fapi2();
    refused(cfg, "client authentication").await;
    // client_secret_jwt is not enough either, even with a key configured.
    let (p, key) = fapi_provider(|_| {});
    let mut cfg = fapi_config(&p, key.clone()).with_secret("test-secret");
    cfg.auth_method = Some(AuthMethod::ClientSecretJwt);
    refused(cfg, "client authentication").await;
    // mTLS (tls_client_auth) binds the tokens by itself: no DPoP needed.
    let mut cfg = fapi_config(&p, key);
    cfg.auth_method = Some(AuthMethod::TlsClientAuth);
    cfg.dpop = false;
    Client::discover(cfg)
        .await
        .expect("tls_client_auth is allowed");
}

#[tokio::test]
async fn rule_sender_constrained_tokens() {
    let (p, key) = fapi_provider(|_| {});
    let mut cfg = fapi_config(&p, key);
    cfg.dpop = false;
    refused(cfg, "sender-constrained tokens").await;
    // A DPoP key of its own is DPoP too.
    let mut cfg = fapi_config(&p, es256_key());
    cfg.dpop = false;
    cfg.dpop_key = Some(es256_key());
    Client::discover(cfg)
        .await
        .expect("a DPoP key binds the tokens");
}

#[tokio::test]
async fn rule_rfc_9207_iss_required() {
    let (p, key) = fapi_provider(|c| c.advertise_iss_parameter = false);
    refused(fapi_config(&p, key), "RFC 9207 iss").await;
    // At the callback: a response without `iss` is refused before the code is exchanged.
    let (p, key) = fapi_provider(|_| {});
    let client = Client::discover(fapi_config(&p, key))
        .await
        .expect("client");
    let (tx, params) = pushed_sign_in(&client).await;
    assert!(params.get("iss").is_some());
    let without_iss = oidckit::CallbackParams::from_pairs(
        params
            .pairs()
            .iter()
            .filter(|(k, _)| k != "iss")
            .cloned()
            .collect::<Vec<_>>(),
    );
    let err = client
        .handle_callback(&tx, &without_iss)
        .await
        .expect_err("no iss");
    assert!(
        matches!(err, Error::ResponseIssuerMismatch { found: None, .. }),
        "{err:?}"
    );
    assert_eq!(count_requests(&p, "/token"), 0);
}

#[tokio::test]
async fn rule_no_implicit_hybrid_or_password() {
    let (p, key) = fapi_provider(|_| {});
    for grant in [GrantType::Implicit, GrantType::Hybrid] {
        let mut cfg = fapi_config(&p, key.clone());
        cfg.grant_type = grant;
        refused(cfg, "no implicit or hybrid").await;
    }
    let client = Client::discover(fapi_config(&p, key))
        .await
        .expect("client");
    let err = client
        .password("janedoe", "password", None)
        .await
        .expect_err("password grant");
    assert!(
        matches!(
            err,
            Error::Fapi2 {
                rule: "no password grant",
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn rule_es256_or_ps256_only() {
    // A provider that signs ID tokens with RS256 only.
    let p = provider_with(|c| c.clients.push(MockClient::public("key-client")));
    let kp = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    let key = PrivateKey::from_pem(&kp.serialize_pem()).expect("key");
    refused(fapi_config(&p, key.clone()), "ES256 or PS256 only").await;
    // An RS256 client key or an RS256 allowance.
    let (p, key) = fapi_provider(|_| {});
    let rsa = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("rsa");
    let mut cfg = fapi_config(&p, PrivateKey::from_pem(&rsa.serialize_pem()).expect("key"));
    cfg.auth_method = Some(AuthMethod::PrivateKeyJwt);
    refused(cfg, "ES256 or PS256 only").await;
    let mut cfg = fapi_config(&p, key.clone());
    cfg.allowed_algs = Some(vec![oidckit::Alg::ES256, oidckit::Alg::RS256]);
    refused(cfg, "ES256 or PS256 only").await;
    // An RS256 DPoP key.
    let mut cfg = fapi_config(&p, key);
    cfg.dpop_key = Some(PrivateKey::from_pem(&rsa.serialize_pem()).expect("key"));
    refused(cfg, "ES256 or PS256 only").await;
}
