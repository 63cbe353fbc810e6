//! Failures of the authorization response, the token endpoint and UserInfo, each with its code.

mod support;

use oidckit::{AuthorizationRequest, Error};
use oidckit_mock::Misbehavior;
use support::*;

#[tokio::test]
async fn state_mismatch_is_905() {
    let p = provider();
    p.set_misbehavior(Misbehavior::AuthResponseWrongState);
    let err = sign_in(&client(&p).await).await.expect_err("state");
    assert!(matches!(err, Error::StateMismatch { .. }), "{err:?}");
    assert_eq!(err.code(), 905);
    assert_eq!(
        count_requests(&p, "/token"),
        0,
        "no code redeemed for a foreign response"
    );
}

#[tokio::test]
async fn response_from_another_request_is_refused() {
    let p = provider();
    let client = client(&p).await;
    let (_tx1, params1) = authorize(&client, &AuthorizationRequest::default());
    let (tx2, _params2) = authorize(&client, &AuthorizationRequest::default());
    let err = client
        .handle_callback(&tx2, &params1)
        .await
        .expect_err("swapped");
    assert_eq!(err.code(), 905);
}

#[tokio::test]
async fn wrong_iss_in_authorization_response_is_906() {
    let p = provider();
    p.set_misbehavior(Misbehavior::AuthResponseWrongIss);
    let err = sign_in(&client(&p).await).await.expect_err("mix-up");
    assert!(
        matches!(err, Error::ResponseIssuerMismatch { .. }),
        "{err:?}"
    );
    assert_eq!(err.code(), 906);
}

#[tokio::test]
async fn missing_iss_is_refused_when_the_provider_advertises_it() {
    let p = provider();
    let client = client(&p).await;
    let (tx, params) = authorize(&client, &AuthorizationRequest::default());
    let stripped = oidckit::CallbackParams::from_pairs(
        params.pairs().iter().filter(|(k, _)| k != "iss").cloned(),
    );
    let err = client
        .handle_callback(&tx, &stripped)
        .await
        .expect_err("no iss");
    assert_eq!(err.code(), 906);
}

#[tokio::test]
async fn authorization_error_is_904_with_the_providers_words() {
    let p = provider();
    p.set_misbehavior(Misbehavior::AuthResponseError("access_denied".into()));
    let err = sign_in(&client(&p).await).await.expect_err("denied");
    assert_eq!(err.code(), 904);
    assert_eq!(err.oauth_error(), Some("access_denied"));
    assert!(
        matches!(
            err,
            Error::AuthorizationDenied {
                error_description: Some(_),
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn invalid_grant_from_the_token_endpoint_is_151_with_error_fields() {
    let p = provider();
    p.set_misbehavior(Misbehavior::TokenInvalidGrant);
    let err = sign_in(&client(&p).await).await.expect_err("invalid_grant");
    assert_eq!(err.code(), 151);
    match err {
        Error::OAuth {
            endpoint,
            status,
            error,
            ..
        } => {
            assert_eq!(
                (endpoint, status, error.as_str()),
                ("token", 400, "invalid_grant")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn malformed_token_response_is_908() {
    let p = provider();
    p.set_misbehavior(Misbehavior::TokenMalformedJson);
    let err = sign_in(&client(&p).await).await.expect_err("not json");
    assert!(matches!(err, Error::InvalidTokenResponse { .. }), "{err:?}");
    assert_eq!(err.code(), 908);
}

#[tokio::test]
async fn reusing_a_code_is_refused() {
    let p = provider();
    let client = client(&p).await;
    let (tx, params) = authorize(&client, &AuthorizationRequest::default());
    client
        .handle_callback(&tx, &params)
        .await
        .expect("first use");
    let err = client
        .handle_callback(&tx, &params)
        .await
        .expect_err("second use");
    assert_eq!(err.oauth_error(), Some("invalid_grant"));
}

#[tokio::test]
async fn userinfo_sub_mismatch_is_907() {
    let p = provider();
    let client = client(&p).await;
    let tokens = sign_in(&client).await.expect("sign-in");
    p.set_misbehavior(Misbehavior::UserinfoWrongSub);
    let err = client.userinfo(&tokens).await.expect_err("other user");
    assert!(matches!(err, Error::InvalidUserInfo { .. }), "{err:?}");
    assert_eq!(err.code(), 907);
}

#[tokio::test]
async fn userinfo_with_a_bad_token_reports_the_bearer_error() {
    let p = provider();
    let client = client(&p).await;
    let err = client
        .userinfo_with("not-a-token", None)
        .await
        .expect_err("bad token");
    assert_eq!(err.code(), 151);
}

#[tokio::test]
async fn missing_iss_is_accepted_when_the_response_carries_an_id_token() {
    // RFC 9207 §2.4: an ID token in the response identifies its issuer (checked as a claim).
    let p = provider();
    let client = client_with(&p, |c| c.grant_type = oidckit::GrantType::Implicit).await;
    let (tx, params) = authorize(&client, &AuthorizationRequest::default());
    let stripped = oidckit::CallbackParams::from_pairs(
        params.pairs().iter().filter(|(k, _)| k != "iss").cloned(),
    );
    client
        .handle_callback(&tx, &stripped)
        .await
        .expect("id_token names the issuer");

    // But a wrong iss claim inside that token is still refused.
    p.set_misbehavior(Misbehavior::IdTokenWrongIssuer);
    let (tx, params) = authorize(&client, &AuthorizationRequest::default());
    let stripped = oidckit::CallbackParams::from_pairs(
        params.pairs().iter().filter(|(k, _)| k != "iss").cloned(),
    );
    let err = client
        .handle_callback(&tx, &stripped)
        .await
        .expect_err("wrong issuer in token");
    assert_eq!(err.code(), 903);
}
