//! DPoP (RFC 9449) against panva's `oidc-provider` with DPoP enabled (`INTEROP_DPOP=1`, and
//! `INTEROP_DPOP_NONCE=1` for a provider that requires a server nonce): DPoP-bound tokens
//! from the code exchange and refresh, used at UserInfo with `Authorization: DPoP`.
//!
//! Needs Node.js and `(cd interop && npm ci)`; see `interop.rs`.

#[macro_use]
mod interop_support;

use oidckit::{AuthorizationRequest, Client, PrivateKey};

use interop_support::{Browser, USER, discover};

async fn dpop_sign_in_refresh_and_userinfo(client: &Client) {
    let (url, tx) = client
        .start_authorization(&AuthorizationRequest::default())
        .await
        .expect("authorization URL");
    let params = Browser::new().authorize(&url).await.params();
    let tokens = client
        .handle_callback(&tx, &params)
        .await
        .expect("code exchange with a DPoP proof");
    assert_eq!(tokens.token_type.as_deref(), Some("DPoP"));
    let me = client.userinfo(&tokens).await.expect("UserInfo with DPoP");
    assert_eq!(me.sub.as_deref(), Some(USER));
    let refreshed = client
        .refresh(
            tokens.refresh_token.as_deref().expect("refresh token"),
            tokens.id_token.as_ref(),
        )
        .await
        .expect("refresh with a DPoP proof");
    assert_eq!(refreshed.token_type.as_deref(), Some("DPoP"));
    let me = client
        .userinfo(&refreshed)
        .await
        .expect("UserInfo after refresh");
    assert_eq!(me.sub.as_deref(), Some(USER));
}

#[tokio::test]
async fn dpop_bound_tokens_at_token_refresh_and_userinfo() {
    let op = provider_or_skip!(&[("INTEROP_DPOP", "1")]);
    let mut cfg = op.confidential("interop-basic");
    cfg.dpop = true;
    dpop_sign_in_refresh_and_userinfo(&discover(cfg).await).await;
}

#[tokio::test]
async fn dpop_with_a_required_server_nonce_retries_once_and_remembers_it() {
    let op = provider_or_skip!(&[("INTEROP_DPOP", "1"), ("INTEROP_DPOP_NONCE", "1")]);
    // A public client, and the proofs also go to the pushed authorization request.
    let mut cfg = op.config("interop-public");
    cfg.dpop = true;
    cfg.pushed_authorization = true;
    dpop_sign_in_refresh_and_userinfo(&discover(cfg).await).await;
}

#[tokio::test]
async fn bearer_token_used_as_dpop_is_refused_by_userinfo() {
    let op = provider_or_skip!(&[("INTEROP_DPOP", "1")]);
    let key = PrivateKey::from_text(&op.private_key_jwt_client_key().await).expect("key");
    // DPoP with a given key; a second client without DPoP.
    let mut cfg = op.confidential("interop-basic");
    cfg.dpop_key = Some(key);
    let client = discover(cfg).await;
    let (url, tx) = client
        .start_authorization(&AuthorizationRequest::default())
        .await
        .expect("URL");
    let params = Browser::new().authorize(&url).await.params();
    let tokens = client.handle_callback(&tx, &params).await.expect("tokens");
    let plain = discover(op.confidential("interop-basic")).await;
    // The DPoP-bound token sent as a Bearer token is refused.
    let err = plain
        .userinfo_with(tokens.access_token.as_deref().expect("at"), None)
        .await
        .expect_err("bound token without proof");
    assert_eq!(err.code(), 151, "{err:?}");
}
