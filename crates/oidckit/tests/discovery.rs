//! Discovery over real HTTP: issuer match, malformed documents, the full-URL form.

mod support;

use oidckit::{Client, Error};
use oidckit_mock::Misbehavior;
use support::*;

#[tokio::test]
async fn discovery_fills_every_endpoint_and_keeps_the_raw_document() {
    let p = provider();
    let client = client(&p).await;
    let m = client.metadata();
    assert_eq!(m.issuer, p.issuer());
    assert_eq!(
        m.authorization_endpoint.as_deref(),
        Some(format!("{}/authorize", p.issuer()).as_str())
    );
    assert!(m.token_endpoint.is_some() && m.userinfo_endpoint.is_some() && m.jwks_uri.is_some());
    assert!(m.scopes_supported.iter().any(|s| s == "openid"));
    assert!(m.authorization_response_iss_parameter_supported);
    assert_eq!(m.raw["issuer"], p.issuer());
}

#[tokio::test]
async fn accepts_the_full_discovery_url() {
    let p = provider();
    let cfg = oidckit::ClientConfig::new(p.discovery_url(), "test-client");
    let client = Client::discover(cfg).await.expect("full URL works");
    assert_eq!(client.metadata().issuer, p.issuer());
}

#[tokio::test]
async fn issuer_mismatch_in_discovery_is_error_900() {
    let p = provider();
    p.set_misbehavior(Misbehavior::DiscoveryIssuerMismatch);
    let err = Client::discover(config(&p)).await.expect_err("mismatch");
    assert_eq!(err.code(), 900);
    assert!(
        matches!(&err, Error::IssuerMismatch { expected, .. } if *expected == p.issuer()),
        "{err:?}"
    );
}

#[tokio::test]
async fn malformed_discovery_document_is_error_900() {
    let p = provider();
    p.set_misbehavior(Misbehavior::DiscoveryMalformedJson);
    let err = Client::discover(config(&p)).await.expect_err("malformed");
    assert!(
        matches!(err, Error::InvalidDiscoveryDocument { .. }),
        "{err:?}"
    );
    assert_eq!(err.code(), 900);
}

#[tokio::test]
async fn a_trailing_slash_is_a_different_issuer() {
    let p = provider();
    let cfg = oidckit::ClientConfig::new(format!("{}/", p.issuer()), "test-client");
    let err = Client::discover(cfg)
        .await
        .expect_err("issuer must match exactly");
    assert_eq!(err.code(), 900);
}
