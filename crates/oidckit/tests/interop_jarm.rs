//! JARM (JWT Secured Authorization Response Mode) against panva's `oidc-provider` with
//! `jwtResponseModes` enabled (`INTEROP_JARM=1`, see `interop/provider.mjs`).
//!
//! Needs Node.js and `(cd interop && npm ci)`; see `interop.rs`.

#[macro_use]
mod interop_support;

use oidckit::{AuthorizationRequest, ResponseType};

use interop_support::{USER, authorize, discover};

#[tokio::test]
async fn every_jwt_response_mode_signs_in() {
    let op = provider_or_skip!(&[("INTEROP_JARM", "1")]);
    for mode in ["query.jwt", "fragment.jwt", "form_post.jwt", "jwt"] {
        let mut cfg = op.confidential("interop-basic");
        cfg.response_mode = Some(mode.into());
        let client = discover(cfg).await;
        let (tx, params) = authorize(&client, &AuthorizationRequest::default()).await;
        assert!(params.get("response").is_some(), "{mode}: {params:?}");
        assert!(params.get("code").is_none(), "{mode}: only the JWT");
        let tokens = client
            .handle_callback(&tx, &params)
            .await
            .unwrap_or_else(|e| panic!("{mode}: {e}"));
        let id = tokens.id_token.expect("id token");
        assert_eq!(id.claims().subject(), Some(USER), "{mode}");
    }
}

#[tokio::test]
async fn hybrid_flow_with_a_jwt_response_mode() {
    let op = provider_or_skip!(&[("INTEROP_JARM", "1")]);
    let mut cfg = op.confidential("interop-basic");
    cfg.response_type = Some(ResponseType::parse("code id_token").expect("rt"));
    cfg.response_mode = Some("fragment.jwt".into());
    let client = discover(cfg).await;
    let (tx, params) = authorize(&client, &AuthorizationRequest::default()).await;
    let tokens = client
        .handle_callback(&tx, &params)
        .await
        .expect("hybrid JARM sign-in");
    assert!(tokens.access_token.is_some());
}
