//! The FAPI 2.0 Security Profile switch (`ClientConfig::fapi2`) against panva's `oidc-provider`
//! in its FAPI 2.0 mode (`INTEROP_FAPI2=1`: `features.fapi` profile `2.0`, PAR and PKCE
//! required, DPoP, only `private_key_jwt` and ES256/PS256; see `interop/provider.mjs`): a whole
//! sign-in per algorithm, then a refresh and UserInfo with DPoP; with a signed request object,
//! a required DPoP nonce, and JARM (`INTEROP_JARM=1`; an RS256-signed response is refused).
//!
//! Needs Node.js and `(cd interop && npm ci)`; see `interop.rs`.

#[macro_use]
mod interop_support;

use oidckit::{Alg, AuthorizationRequest, Client, ClientConfig, Error, PrivateKey};

use interop_support::{Browser, OpenIdProvider, USER, discover};

const FAPI2: &[(&str, &str)] = &[("INTEROP_FAPI2", "1")];

/// The FAPI 2.0 client `interop-fapi2-<alg>` with its registered key.
async fn fapi2_client(op: &OpenIdProvider, alg: &str) -> Client {
    discover(fapi2_config(op, alg).await).await
}

async fn fapi2_config(op: &OpenIdProvider, alg: &str) -> ClientConfig {
    let id = format!("interop-fapi2-{alg}");
    let key = PrivateKey::from_text(&op.client_private_key(&id).await).expect("client key");
    let mut cfg = op.config(&id).fapi2();
    cfg.scope = "openid profile".into();
    cfg.client_key = Some(key);
    cfg
}

/// A whole FAPI 2.0 sign-in: the request is pushed (the URL carries only `client_id` and
/// `request_uri`), the response names the issuer (RFC 9207), the code is exchanged with a
/// `private_key_jwt` assertion and a DPoP proof for DPoP-bound tokens, the ID token is signed
/// with `alg`; then a refresh and UserInfo, both with DPoP proofs.
async fn fapi2_sign_in_refresh_and_userinfo(client: &Client, op: &OpenIdProvider, alg: Alg) {
    let meta = client.metadata();
    assert!(meta.require_pushed_authorization_requests);
    assert!(meta.authorization_response_iss_parameter_supported);

    let (url, tx) = client
        .start_authorization(&AuthorizationRequest::default())
        .await
        .expect("the request is pushed");
    let parsed = url::Url::parse(&url).expect("URL");
    let names: Vec<String> = parsed.query_pairs().map(|(k, _)| k.into_owned()).collect();
    assert_eq!(names, ["client_id", "request_uri"], "{url}");

    let params = Browser::new().authorize(&url).await.params();
    assert_eq!(params.get("iss"), Some(op.issuer()));
    let tokens = client
        .handle_callback(&tx, &params)
        .await
        .expect("FAPI 2.0 sign-in succeeds");
    assert_eq!(tokens.token_type.as_deref(), Some("DPoP"));
    let id = tokens.id_token.as_ref().expect("id token");
    assert_eq!(id.header().alg, alg);
    assert_eq!(id.claims().subject(), Some(USER));
    assert_eq!(id.claims().nonce(), Some(tx.nonce.as_str()));

    let me = client.userinfo(&tokens).await.expect("UserInfo with DPoP");
    assert_eq!(me.sub.as_deref(), Some(USER));

    let refreshed = client
        .refresh(
            tokens.refresh_token.as_deref().expect("refresh token"),
            tokens.id_token.as_ref(),
        )
        .await
        .expect("refresh with private_key_jwt and a DPoP proof");
    assert_eq!(refreshed.token_type.as_deref(), Some("DPoP"));
    if let Some(id) = &refreshed.id_token {
        assert_eq!(id.header().alg, alg);
    }
    let me = client
        .userinfo(&refreshed)
        .await
        .expect("UserInfo with the refreshed DPoP-bound token");
    assert_eq!(me.sub.as_deref(), Some(USER));
}

#[tokio::test]
async fn fapi2_sign_in_with_es256_refresh_and_userinfo_with_dpop() {
    let op = provider_or_skip!(FAPI2);
    let client = fapi2_client(&op, "es256").await;
    fapi2_sign_in_refresh_and_userinfo(&client, &op, Alg::ES256).await;
}

#[tokio::test]
async fn fapi2_sign_in_with_ps256_refresh_and_userinfo_with_dpop() {
    let op = provider_or_skip!(FAPI2);
    let client = fapi2_client(&op, "ps256").await;
    fapi2_sign_in_refresh_and_userinfo(&client, &op, Alg::PS256).await;
}

#[tokio::test]
async fn fapi2_sign_in_with_a_signed_request_object_through_par() {
    let op = provider_or_skip!(FAPI2);
    // The request object is signed with the client's PS256 key; oidc-provider's FAPI 2.0 mode
    // requires its exp, nbf and aud and takes only the parameters inside it.
    let mut cfg = fapi2_config(&op, "ps256").await;
    cfg.request_object = true;
    let client = discover(cfg).await;
    fapi2_sign_in_refresh_and_userinfo(&client, &op, Alg::PS256).await;
}

#[tokio::test]
async fn fapi2_response_without_iss_is_refused_before_the_code_is_used() {
    let op = provider_or_skip!(FAPI2);
    let client = fapi2_client(&op, "es256").await;
    let (url, tx) = client
        .start_authorization(&AuthorizationRequest::default())
        .await
        .expect("pushed");
    let params = Browser::new().authorize(&url).await.params();
    let stripped = oidckit::CallbackParams::from_pairs(
        params
            .pairs()
            .iter()
            .filter(|(k, _)| k != "iss")
            .cloned()
            .collect::<Vec<_>>(),
    );
    let err = client
        .handle_callback(&tx, &stripped)
        .await
        .expect_err("RFC 9207 iss required");
    assert!(
        matches!(&err, Error::ResponseIssuerMismatch { found: None, .. }),
        "{err:?}"
    );
    // The code was not spent: the real response still signs in.
    client
        .handle_callback(&tx, &params)
        .await
        .expect("the untouched response signs in");
}

#[tokio::test]
async fn fapi2_with_a_required_dpop_nonce_retries_with_a_fresh_client_assertion() {
    // The first proof at PAR and at the token endpoint is refused with use_dpop_nonce; the
    // retry carries the nonce and a new private_key_jwt assertion (a reused one could be
    // refused as a replay).
    let op = provider_or_skip!(&[("INTEROP_FAPI2", "1"), ("INTEROP_DPOP_NONCE", "1")]);
    let client = fapi2_client(&op, "es256").await;
    fapi2_sign_in_refresh_and_userinfo(&client, &op, Alg::ES256).await;
}

#[tokio::test]
async fn fapi2_with_a_jarm_response_signs_in() {
    // FAPI 2.0 Message Signing: the authorization response comes back as one signed JWT
    // (query.jwt), verified before its code is used.
    let op = provider_or_skip!(&[("INTEROP_FAPI2", "1"), ("INTEROP_JARM", "1")]);
    let (client, tx, params) = fapi2_jarm_response(&op).await;
    let tokens = client
        .handle_callback(&tx, &params)
        .await
        .expect("JARM sign-in under FAPI 2.0");
    assert_eq!(tokens.token_type.as_deref(), Some("DPoP"));
}

#[tokio::test]
async fn fapi2_refuses_a_jarm_response_signed_with_rs256() {
    // The provider is misconfigured to sign JARM responses with RS256: ES256 or PS256 only.
    let op = provider_or_skip!(&[
        ("INTEROP_FAPI2", "1"),
        ("INTEROP_JARM", "1"),
        ("INTEROP_FAPI2_JARM_RS256", "1"),
    ]);
    let (client, tx, params) = fapi2_jarm_response(&op).await;
    let err = client
        .handle_callback(&tx, &params)
        .await
        .expect_err("RS256 is not a FAPI 2.0 algorithm");
    assert!(matches!(err, Error::InvalidJarmResponse { .. }), "{err:?}");
    assert_eq!(err.code(), 952);
}

/// A FAPI 2.0 client asking for `query.jwt`, and the response the provider sent back.
async fn fapi2_jarm_response(
    op: &OpenIdProvider,
) -> (Client, oidckit::AuthTransaction, oidckit::CallbackParams) {
    let mut cfg = fapi2_config(op, "ps256").await;
    cfg.response_mode = Some("query.jwt".into());
    let client = discover(cfg).await;
    let (url, tx) = client
        .start_authorization(&AuthorizationRequest::default())
        .await
        .expect("pushed");
    let params = Browser::new().authorize(&url).await.params();
    let names: Vec<&str> = params.pairs().iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["response"], "only the JWT comes back");
    (client, tx, params)
}
