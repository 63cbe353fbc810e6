//! JARM (JWT Secured Authorization Response Mode) against the mock provider, which signs the
//! response parameters into one `response` JWT with its own JOSE code (`jsonwebtoken`).

mod support;

use oidckit::{AuthorizationRequest, CallbackParams, Client, Error};
use oidckit_mock::{Misbehavior, MockProvider};
use support::*;

async fn jarm_client(p: &MockProvider, mode: &str) -> Client {
    client_with(p, |c| c.response_mode = Some(mode.into())).await
}

#[tokio::test]
async fn every_jwt_response_mode_signs_in() {
    let p = provider();
    for mode in ["query.jwt", "fragment.jwt", "form_post.jwt", "jwt"] {
        let client = jarm_client(&p, mode).await;
        let (tx, params) = authorize(&client, &AuthorizationRequest::default());
        let names: Vec<&str> = params.pairs().iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["response"], "{mode}: only the JWT comes back");
        let tokens = client
            .handle_callback(&tx, &params)
            .await
            .unwrap_or_else(|e| panic!("{mode}: {e}"));
        assert!(tokens.id_token.is_some(), "{mode}");
    }
}

/// Signs in with `mode` and returns the error; no code reached the token endpoint.
async fn jarm_error(p: &MockProvider, mode: &str) -> Error {
    let client = jarm_client(p, mode).await;
    let (tx, params) = authorize(&client, &AuthorizationRequest::default());
    let err = client
        .handle_callback(&tx, &params)
        .await
        .expect_err("refused");
    assert_eq!(count_requests(p, "/token"), 0, "no parameter was used");
    err
}

#[tokio::test]
async fn jarm_response_with_a_bad_signature_is_code_952() {
    let p = provider();
    p.set_misbehavior(Misbehavior::JarmBadSignature);
    let err = jarm_error(&p, "query.jwt").await;
    assert!(matches!(err, Error::InvalidJarmResponse { .. }), "{err:?}");
    assert_eq!(err.code(), 952);
}

#[tokio::test]
async fn jarm_response_for_another_audience_is_code_952() {
    let p = provider();
    p.set_misbehavior(Misbehavior::JarmWrongAudience);
    let err = jarm_error(&p, "form_post.jwt").await;
    assert_eq!(err.code(), 952);
}

#[tokio::test]
async fn jarm_response_is_then_checked_like_a_plain_one() {
    let p = provider();
    p.set_misbehavior(Misbehavior::AuthResponseWrongState);
    let err = jarm_error(&p, "jwt").await;
    assert!(matches!(err, Error::StateMismatch { .. }), "{err:?}");
    p.clear_misbehaviors();
    p.set_misbehavior(Misbehavior::AuthResponseError("access_denied".into()));
    let err = jarm_error(&p, "jwt").await;
    assert_eq!(err.oauth_error(), Some("access_denied"));
    assert_eq!(err.code(), 904);
}

#[tokio::test]
async fn plain_parameters_when_jarm_was_asked_for_are_code_952() {
    let p = provider();
    let client = jarm_client(&p, "query.jwt").await;
    let (_, tx) = client
        .authorization_url(&AuthorizationRequest::default())
        .expect("URL");
    let forged = CallbackParams::from_pairs([("code", "c"), ("state", tx.state.as_str())]);
    let err = client
        .handle_callback(&tx, &forged)
        .await
        .expect_err("unsigned");
    assert_eq!(err.code(), 952);
    assert_eq!(count_requests(&p, "/token"), 0);
}
