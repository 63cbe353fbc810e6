//! DPoP (RFC 9449) against the mock provider, which verifies every proof with its own JOSE code
//! (`jsonwebtoken`, `sha2`): typ, signature by the header's jwk, htm, htu, iat, a never-seen jti,
//! ath, the server nonce, and the binding of the token to the key.

mod support;

use oidckit::{AuthorizationRequest, Client, TokenSet};
use oidckit_mock::{Misbehavior, MockProvider};
use support::*;

async fn dpop_client(p: &MockProvider) -> Client {
    client_with(p, |c| c.dpop = true).await
}

async fn sign_in_tokens(client: &Client) -> oidckit::Result<TokenSet> {
    let (tx, params) = authorize(client, &AuthorizationRequest::default());
    client.handle_callback(&tx, &params).await
}

fn header<'a>(r: &'a oidckit_mock::RecordedRequest, name: &str) -> Option<&'a str> {
    r.headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn dpop_sign_in_binds_the_tokens_and_every_proof_is_fresh() {
    let p = provider();
    let client = dpop_client(&p).await;
    let tokens = sign_in_tokens(&client).await.expect("sign-in with DPoP");
    assert_eq!(tokens.token_type.as_deref(), Some("DPoP"));
    assert!(tokens.authorization().expect("header").starts_with("DPoP "));
    let me = client.userinfo(&tokens).await.expect("UserInfo with DPoP");
    assert_eq!(me.sub.as_deref(), Some("248289761001"));
    let refreshed = client
        .refresh(tokens.refresh_token.as_deref().expect("rt"), None)
        .await
        .expect("refresh with DPoP");
    assert_eq!(refreshed.token_type.as_deref(), Some("DPoP"));
    let (status, body) = client
        .get_resource(
            &format!("{}/userinfo", p.issuer()),
            refreshed.access_token.as_deref().expect("at"),
        )
        .await
        .expect("resource request");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));

    let reqs = p.requests();
    let proofs: Vec<&str> = reqs.iter().filter_map(|r| header(r, "dpop")).collect();
    assert_eq!(proofs.len(), 4, "token, userinfo, refresh, resource");
    let mut unique = proofs.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 4, "a fresh proof each time");
    let userinfo = reqs
        .iter()
        .find(|r| r.path == "/userinfo")
        .expect("userinfo");
    // (The mock refuses a DPoP-bound token sent as Bearer; see the test below.)
    assert!(header(userinfo, "dpop").is_some());
}

#[tokio::test]
async fn server_nonce_is_retried_once_and_then_remembered() {
    let p = provider_with(|c| c.dpop_nonce = true);
    let client = dpop_client(&p).await;
    let tokens = sign_in_tokens(&client)
        .await
        .expect("sign-in after the nonce retry");
    assert_eq!(count_requests(&p, "/token"), 2, "one refusal, one retry");
    client
        .refresh(tokens.refresh_token.as_deref().expect("rt"), None)
        .await
        .expect("refresh");
    client.userinfo(&tokens).await.expect("userinfo");
    // The nonce of the origin was remembered: no more refusals.
    assert_eq!(count_requests(&p, "/token"), 3);
    assert_eq!(count_requests(&p, "/userinfo"), 1);
}

#[tokio::test]
async fn use_dpop_nonce_without_a_nonce_is_code_951() {
    let p = provider_with(|c| c.dpop_nonce = true);
    p.set_misbehavior(Misbehavior::DpopNonceWithoutHeader);
    let client = dpop_client(&p).await;
    let err = sign_in_tokens(&client)
        .await
        .expect_err("no nonce to retry with");
    assert!(matches!(err, oidckit::Error::DpopNonce { .. }), "{err:?}");
    assert_eq!(err.code(), 951);
    assert_eq!(count_requests(&p, "/token"), 1);
}

#[tokio::test]
async fn dpop_token_type_without_dpop_is_code_950() {
    let p = provider();
    p.set_misbehavior(Misbehavior::DpopTokenTypeWithoutProof);
    let err = sign_in_tokens(&client(&p).await)
        .await
        .expect_err("DPoP not used");
    assert!(
        matches!(
            err,
            oidckit::Error::DpopTokenType {
                expected: "Bearer",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), 950);
}

#[tokio::test]
async fn bearer_token_type_when_dpop_was_used_is_code_950() {
    let p = provider();
    p.set_misbehavior(Misbehavior::DpopIgnored);
    let err = sign_in_tokens(&dpop_client(&p).await)
        .await
        .expect_err("the provider ignored the proof");
    assert!(
        matches!(
            err,
            oidckit::Error::DpopTokenType {
                expected: "DPoP",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), 950);
}

/// GET /userinfo with a hand-made proof; returns the status.
async fn userinfo_status(p: &MockProvider, token: &str, proof: &str) -> u16 {
    reqwest::Client::new()
        .get(format!("{}/userinfo", p.issuer()))
        .header("authorization", format!("DPoP {token}"))
        .header("dpop", proof)
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

#[tokio::test]
async fn the_mock_refuses_a_replayed_proof_a_wrong_htu_and_a_wrong_htm() {
    let p = provider();
    let client = dpop_client(&p).await;
    let tokens = sign_in_tokens(&client).await.expect("sign-in");
    let at = tokens.access_token.as_deref().expect("at");
    let url = format!("{}/userinfo", p.issuer());

    let proof = client.dpop_proof("GET", &url, Some(at)).expect("proof");
    assert_eq!(userinfo_status(&p, at, &proof).await, 200);
    assert_eq!(userinfo_status(&p, at, &proof).await, 401, "replayed jti");

    let query = client
        .dpop_proof("GET", &format!("{url}?x=1#f"), Some(at))
        .expect("proof");
    assert_eq!(
        userinfo_status(&p, at, &query).await,
        200,
        "htu without query"
    );
    let wrong_htu = client
        .dpop_proof("GET", &format!("{}/other", p.issuer()), Some(at))
        .expect("proof");
    assert_eq!(userinfo_status(&p, at, &wrong_htu).await, 401);
    let wrong_htm = client.dpop_proof("POST", &url, Some(at)).expect("proof");
    assert_eq!(userinfo_status(&p, at, &wrong_htm).await, 401);
    let no_ath = client.dpop_proof("GET", &url, None).expect("proof");
    assert_eq!(userinfo_status(&p, at, &no_ath).await, 401);
    // Another client's key: the token is not bound to it.
    let other = dpop_client(&p).await;
    let foreign = other.dpop_proof("GET", &url, Some(at)).expect("proof");
    assert_eq!(userinfo_status(&p, at, &foreign).await, 401);
    // And the bound token without a proof.
    let plain = client_with(&p, |_| {}).await;
    let err = plain
        .userinfo_with(at, None)
        .await
        .expect_err("bound token");
    assert_eq!(err.code(), 151);
}

#[tokio::test]
async fn dpop_proof_needs_dpop_on() {
    let p = provider();
    let err = client(&p)
        .await
        .dpop_proof("GET", "https://rs.example/", None)
        .expect_err("DPoP off");
    assert_eq!(err.code(), 920);
}
