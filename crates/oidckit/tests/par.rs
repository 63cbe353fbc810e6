//! Pushed authorization requests (RFC 9126) against the mock provider: what is pushed and what
//! stays out of the URL, and the provider answers the client must refuse.

mod support;

use oidckit::{AuthMethod, AuthorizationRequest, Client, Error, ProviderMetadata};
use oidckit_mock::Misbehavior;
use support::*;

/// Starts the sign-in (pushed), follows the URL with the scripted browser and finishes it.
async fn pushed_sign_in(client: &Client) -> oidckit::Result<oidckit::TokenSet> {
    let (url, tx) = client
        .start_authorization(&AuthorizationRequest::default())
        .await?;
    let outcome = oidckit_mock::browser::authorize(&url).expect("provider answers");
    let params = oidckit::CallbackParams::from_url(&outcome.redirect_to);
    client.handle_callback(&tx, &params).await
}

#[tokio::test]
async fn pushed_request_carries_every_parameter_and_the_url_only_a_reference() {
    let p = provider();
    let client = client_with(&p, |c| {
        c.pushed_authorization = true;
        c.auth_method = Some(AuthMethod::ClientSecretPost);
    })
    .await;
    let tokens = pushed_sign_in(&client).await.expect("sign-in through PAR");
    assert!(tokens.id_token.is_some());

    let reqs = p.requests();
    let pushed = reqs
        .iter()
        .find(|r| r.path == "/par")
        .expect("a PAR request");
    assert_eq!(pushed.method, "POST");
    let param = |n: &str| {
        pushed
            .params
            .iter()
            .filter(|(k, _)| k == n)
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
    };
    for name in [
        "response_type",
        "redirect_uri",
        "scope",
        "state",
        "nonce",
        "code_challenge",
        "code_challenge_method",
        "client_secret",
    ] {
        assert_eq!(
            param(name).len(),
            1,
            "{name} pushed once: {:?}",
            pushed.params
        );
    }
    // client_id once, from the credentials (not repeated from the URL's parameters).
    assert_eq!(param("client_id"), ["test-client"]);
    let authorize = reqs
        .iter()
        .find(|r| r.path == "/authorize")
        .expect("authorize");
    let names: Vec<&str> = authorize.params.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["client_id", "request_uri"]);
}

#[tokio::test]
async fn basic_auth_keeps_client_id_as_a_request_parameter() {
    let p = provider();
    let client = client_with(&p, |c| c.pushed_authorization = true).await;
    pushed_sign_in(&client).await.expect("sign-in through PAR");
    let reqs = p.requests();
    let pushed = reqs.iter().find(|r| r.path == "/par").expect("PAR");
    assert!(
        pushed
            .headers
            .iter()
            .any(|(k, v)| k == "authorization" && v.starts_with("Basic "))
    );
    assert!(
        pushed
            .params
            .iter()
            .any(|(k, v)| k == "client_id" && v == "test-client")
    );
    assert!(!pushed.params.iter().any(|(k, _)| k == "client_secret"));
}

#[tokio::test]
async fn par_answer_without_request_uri_is_refused_with_code_930() {
    let p = provider();
    p.set_misbehavior(Misbehavior::ParMissingRequestUri);
    let client = client_with(&p, |c| c.pushed_authorization = true).await;
    let err = client
        .start_authorization(&AuthorizationRequest::default())
        .await
        .expect_err("no request_uri");
    assert!(
        matches!(err, Error::InvalidPushedAuthorizationResponse { .. }),
        "{err:?}"
    );
    assert_eq!(err.code(), 930);
}

#[tokio::test]
async fn par_refused_by_the_provider_keeps_the_oauth_error() {
    let p = provider();
    let client = client_with(&p, |c| {
        c.pushed_authorization = true;
        c.client_secret = Some("wrong".into());
    })
    .await;
    let err = client
        .push_authorization_request(&AuthorizationRequest::default())
        .await
        .expect_err("wrong secret");
    assert_eq!(err.code(), 151);
    assert_eq!(err.oauth_error(), Some("invalid_client"));
    assert!(matches!(err, Error::OAuth { status: 401, .. }), "{err:?}");
}

#[tokio::test]
async fn provider_requiring_par_refuses_a_plain_url_and_gets_a_pushed_one() {
    let p = provider_with(|c| c.require_par = true);
    // Not asked for: the provider's metadata turns PAR on.
    let client = client(&p).await;
    assert!(client.metadata().require_pushed_authorization_requests);
    let err = client
        .authorization_url(&AuthorizationRequest::default())
        .expect_err("plain URL");
    assert_eq!(err.code(), 931);
    let tokens = pushed_sign_in(&client).await.expect("pushed sign-in");
    assert!(tokens.id_token.is_some());
    // A request_uri is used once: the mock refuses the same URL again.
    let (url, _) = client
        .start_authorization(&AuthorizationRequest::default())
        .await
        .expect("push");
    assert!(oidckit_mock::browser::authorize(&url).is_ok());
    assert!(oidckit_mock::browser::authorize(&url).is_err());
}

#[tokio::test]
async fn pushed_authorization_without_an_endpoint_is_code_931() {
    let p = provider();
    let mut meta = ProviderMetadata::new(p.issuer());
    meta.authorization_endpoint = Some(format!("{}/authorize", p.issuer()));
    meta.token_endpoint = Some(format!("{}/token", p.issuer()));
    let mut cfg = config(&p);
    cfg.pushed_authorization = true;
    let client = Client::new(cfg, meta).expect("client");
    let err = client
        .start_authorization(&AuthorizationRequest::default())
        .await
        .expect_err("no PAR endpoint");
    assert!(
        matches!(err, Error::PushedAuthorizationRequired { .. }),
        "{err:?}"
    );
    assert_eq!(err.code(), 931);
}
