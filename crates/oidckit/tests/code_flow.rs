//! Whole sign-ins over real HTTP against the mock provider: code (with and without PKCE, every
//! client auth method), implicit, hybrid, form_post, refresh, endpoints set by hand, every alg.

mod support;

use oidckit::{
    AuthMethod, AuthorizationRequest, Client, ClientConfig, GrantType, ProviderMetadata,
    ResponseType,
};
use oidckit_mock::SigningAlg;
use support::*;

#[tokio::test]
async fn code_flow_with_pkce_signs_in_and_fetches_userinfo() {
    let p = provider();
    let client = client_with(&p, |c| c.scope = "openid profile email".into()).await;
    let (tx, params) = authorize(&client, &AuthorizationRequest::default());
    let tokens = client
        .handle_callback(&tx, &params)
        .await
        .expect("sign-in succeeds");

    let id = tokens.id_token.as_ref().expect("id token");
    assert_eq!(id.claims().subject(), Some("248289761001"));
    assert_eq!(id.claims().issuer(), Some(p.issuer().as_str()));
    assert_eq!(id.claims().audience(), vec!["test-client"]);
    assert_eq!(id.claims().nonce(), Some(tx.nonce.as_str()));
    assert!(tokens.access_token.is_some());
    assert!(tokens.refresh_token.is_some());
    assert!(
        tokens
            .authorization()
            .expect("authorization")
            .starts_with("Bearer ")
    );

    // What went over the wire: S256 challenge on /authorize, verifier + Basic auth on /token.
    let reqs = p.requests();
    let auth_req = reqs
        .iter()
        .find(|r| r.path == "/authorize")
        .expect("authorize request");
    assert_eq!(auth_req.param("code_challenge_method"), Some("S256"));
    assert_eq!(auth_req.param("state"), Some(tx.state.as_str()));
    let token_req = reqs
        .iter()
        .find(|r| r.path == "/token")
        .expect("token request");
    assert_eq!(
        token_req.param("code_verifier"),
        tx.code_verifier.as_deref()
    );
    assert!(
        token_req
            .header("authorization")
            .is_some_and(|h| h.starts_with("Basic "))
    );
    assert_eq!(token_req.param("client_secret"), None);

    let me = client.userinfo(&tokens).await.expect("userinfo");
    assert_eq!(me.sub.as_deref(), Some("248289761001"));
    assert_eq!(me.email.as_deref(), Some("janedoe@example.com"));
    assert_eq!(me.email_verified, Some(true));
    assert_eq!(me.name.as_deref(), Some("Jane Doe"));
}

#[tokio::test]
async fn code_flow_without_pkce_sends_no_challenge() {
    let p = provider();
    let client = client_with(&p, |c| c.use_pkce = false).await;
    let (tx, params) = authorize(&client, &AuthorizationRequest::default());
    assert!(tx.code_verifier.is_none());
    let tokens = client
        .handle_callback(&tx, &params)
        .await
        .expect("sign-in succeeds");
    assert!(tokens.id_token.is_some());
    let reqs = p.requests();
    assert!(
        reqs.iter()
            .all(|r| r.param("code_challenge").is_none() && r.param("code_verifier").is_none())
    );
}

#[tokio::test]
async fn public_client_uses_pkce_and_no_client_authentication() {
    let p = provider();
    let cfg = ClientConfig::new(p.issuer(), "public-client").with_redirect_uri(REDIRECT);
    let client = Client::discover(cfg).await.expect("discover");
    let tokens = sign_in(&client).await.expect("sign-in");
    assert_eq!(
        tokens.id_token.expect("id").claims().audience(),
        vec!["public-client"]
    );
    let token_req = p
        .requests()
        .into_iter()
        .find(|r| r.path == "/token")
        .expect("token request");
    assert_eq!(token_req.header("authorization"), None);
    assert_eq!(token_req.param("client_id"), Some("public-client"));
    assert!(token_req.param("code_verifier").is_some());
}

#[tokio::test]
async fn client_secret_post_puts_credentials_in_the_body() {
    let p = provider();
    let client = client_with(&p, |c| c.auth_method = Some(AuthMethod::ClientSecretPost)).await;
    sign_in(&client).await.expect("sign-in");
    let token_req = p
        .requests()
        .into_iter()
        .find(|r| r.path == "/token")
        .expect("token request");
    assert_eq!(token_req.header("authorization"), None);
    assert_eq!(token_req.param("client_secret"), Some("test-secret"));
}

#[tokio::test]
async fn implicit_flow_verifies_at_hash_and_needs_no_token_endpoint() {
    let p = provider();
    let client = client_with(&p, |c| c.grant_type = GrantType::Implicit).await;
    let (tx, params) = authorize(&client, &AuthorizationRequest::default());
    assert_eq!(tx.response_type, "id_token token");
    assert!(
        params.get("access_token").is_some(),
        "fragment carried the access token"
    );
    let tokens = client
        .handle_callback(&tx, &params)
        .await
        .expect("implicit sign-in");
    let id = tokens.id_token.as_ref().expect("id token");
    assert!(id.claims().get_str("at_hash").is_some());
    assert_eq!(count_requests(&p, "/token"), 0);
    let me = client
        .userinfo(&tokens)
        .await
        .expect("userinfo with implicit token");
    assert_eq!(me.sub.as_deref(), Some("248289761001"));
}

#[tokio::test]
async fn id_token_only_response_has_no_access_token() {
    let p = provider();
    let client = client_with(&p, |c| c.response_type = Some(ResponseType::ID_TOKEN)).await;
    let tokens = sign_in(&client).await.expect("sign-in");
    assert!(tokens.access_token.is_none());
    assert!(tokens.id_token.is_some());
    assert_eq!(
        client
            .userinfo(&tokens)
            .await
            .expect_err("no access token")
            .code(),
        920
    );
}

#[tokio::test]
async fn hybrid_flow_checks_c_hash_then_exchanges_the_code() {
    let p = provider();
    let client = client_with(&p, |c| c.grant_type = GrantType::Hybrid).await;
    let (tx, params) = authorize(&client, &AuthorizationRequest::default());
    assert!(params.get("id_token").is_some() && params.get("code").is_some());
    let tokens = client
        .handle_callback(&tx, &params)
        .await
        .expect("hybrid sign-in");
    assert!(tokens.access_token.is_some());
    assert_eq!(count_requests(&p, "/token"), 1);

    let client = client_with(&p, |c| {
        c.response_type = Some(ResponseType::CODE_ID_TOKEN_TOKEN)
    })
    .await;
    let tokens = sign_in(&client).await.expect("code id_token token sign-in");
    assert!(tokens.id_token.is_some());
}

#[tokio::test]
async fn form_post_response_mode_is_parsed_from_the_form_body() {
    let p = provider();
    let client = client_with(&p, |c| c.response_mode = Some("form_post".into())).await;
    let (url, tx) = client
        .authorization_url(&AuthorizationRequest::default())
        .expect("url");
    let outcome = oidckit_mock::browser::authorize(&url).expect("authorize");
    let fields = outcome
        .form_post
        .expect("the provider answered with a form");
    assert_eq!(outcome.redirect_to, REDIRECT);
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&fields)
        .finish();
    let params = oidckit::CallbackParams::from_query(&body);
    client
        .handle_callback(&tx, &params)
        .await
        .expect("form_post sign-in");
}

#[tokio::test]
async fn refresh_rotates_the_refresh_token_and_validates_the_new_id_token() {
    let p = provider();
    let client = client(&p).await;
    let first = sign_in(&client).await.expect("sign-in");
    let rt = first.refresh_token.clone().expect("refresh token");
    let second = client
        .refresh(&rt, first.id_token.as_ref())
        .await
        .expect("refresh");
    assert_ne!(second.access_token, first.access_token);
    let new_rt = second.refresh_token.clone().expect("rotated refresh token");
    assert_ne!(new_rt, rt);
    if let Some(id) = &second.id_token {
        assert_eq!(id.claims().subject(), Some("248289761001"));
    }
    // The old refresh token is dead after rotation: a clear error, never a silent downgrade.
    let err = client
        .refresh(&rt, None)
        .await
        .expect_err("old refresh token refused");
    assert_eq!(err.code(), 151);
    assert_eq!(err.oauth_error(), Some("invalid_grant"));
    client
        .refresh(&new_rt, None)
        .await
        .expect("new refresh token works");
}

#[tokio::test]
async fn endpoints_set_by_hand_work_without_discovery() {
    let p = provider();
    let mut meta = ProviderMetadata::new(p.issuer());
    meta.authorization_endpoint = Some(format!("{}/authorize", p.issuer()));
    meta.token_endpoint = Some(format!("{}/token", p.issuer()));
    meta.userinfo_endpoint = Some(format!("{}/userinfo", p.issuer()));
    meta.jwks_uri = Some(format!("{}/jwks", p.issuer()));
    let client = Client::new(config(&p), meta).expect("client");
    let tokens = sign_in(&client).await.expect("sign-in");
    client.userinfo(&tokens).await.expect("userinfo");
    assert_eq!(count_requests(&p, "/.well-known/openid-configuration"), 0);
}

#[tokio::test]
async fn signer_key_given_directly_replaces_the_jwks() {
    let p = provider();
    let jwk = p.jwks()["keys"][0].to_string();
    let key = oidckit::VerifyingKey::from_jwk(&jwk).expect("jwk");
    let client = client_with(&p, |c| c.signer_key = Some(key)).await;
    sign_in(&client).await.expect("sign-in with a given key");
    assert_eq!(count_requests(&p, "/jwks"), 0);
}

#[tokio::test]
async fn signed_userinfo_is_verified() {
    let p = provider_with(|c| c.userinfo_signed = true);
    let client = client_with(&p, |c| c.scope = "openid email".into()).await;
    let tokens = sign_in(&client).await.expect("sign-in");
    let me = client.userinfo(&tokens).await.expect("signed userinfo");
    assert_eq!(me.email.as_deref(), Some("janedoe@example.com"));
}

#[tokio::test]
async fn every_signing_algorithm_signs_in() {
    for alg in [
        SigningAlg::RS256,
        SigningAlg::PS256,
        SigningAlg::ES256,
        SigningAlg::EdDSA,
        SigningAlg::HS256,
    ] {
        let p = provider_with(|c| c.id_token_alg = alg);
        let client = client(&p).await;
        let tokens = sign_in(&client)
            .await
            .unwrap_or_else(|e| panic!("{alg:?}: {e}"));
        let id = tokens.id_token.expect("id token");
        assert_eq!(id.header().alg.as_str(), alg.as_str());
    }
}
