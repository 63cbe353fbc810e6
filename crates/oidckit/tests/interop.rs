//! Interoperability with an independent, OpenID-certified provider: panva's `oidc-provider`
//! (npm, pinned in `interop/package.json`), started per test by `interop/provider.mjs` on
//! 127.0.0.1. A scripted browser signs in through its login and consent pages over HTTP.
//!
//! Needs Node.js and `(cd interop && npm ci)`. Without them these tests fail, unless
//! `OIDCKIT_SKIP_INTEROP=1` is set.

#[macro_use]
mod interop_support;

use std::time::Duration;

use oidckit::logout::EndSessionRequest;
use oidckit::{
    Alg, AuthMethod, AuthorizationRequest, Client, Error, GrantType, IdToken, PrivateKey,
    ResponseType, TokenSet,
};
use serde_json::Value;

use interop_support::{
    Browser, Callback, OpenIdProvider, Outcome, POST_LOGOUT_REDIRECT, USER, authorize,
    authorize_with, discover,
};

/// The checks every successful sign-in must pass: the ID token is about the one user, from this
/// issuer, for this client, answers this request's nonce, and UserInfo agrees.
fn assert_id_token(op: &OpenIdProvider, client: &Client, id: &IdToken, nonce: Option<&str>) {
    let claims = id.claims();
    assert_eq!(claims.subject(), Some(USER));
    assert_eq!(claims.issuer(), Some(op.issuer()));
    assert_eq!(claims.audience(), vec![client.config().client_id.as_str()]);
    assert_eq!(claims.nonce(), nonce);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let exp = claims.expiration().expect("exp");
    let iat = claims.issued_at().expect("iat");
    assert!(iat <= now + 5 && exp > now, "iat {iat} exp {exp} now {now}");
    // oidc-provider sends auth_time only when asked (max_age, require_auth_time, claims).
    assert!(
        claims.auth_time().is_none_or(|t| t <= now + 5),
        "auth_time in the past"
    );
    assert!(id.header().kid.is_some(), "oidc-provider names its key");
}

async fn assert_userinfo(client: &Client, tokens: &TokenSet) {
    let me = client.userinfo(tokens).await.expect("userinfo");
    assert_eq!(me.sub.as_deref(), Some(USER));
    assert_eq!(me.email.as_deref(), Some("interop-user@example.com"));
    assert_eq!(me.email_verified, Some(true));
    assert_eq!(me.name.as_deref(), Some("Interop User"));
    assert_eq!(me.given_name.as_deref(), Some("Interop"));
    assert_eq!(me.family_name.as_deref(), Some("User"));
    assert_eq!(me.updated_at, Some(1_700_000_000));
    // Scope `phone` was not requested: its claims are not released.
    assert_eq!(me.phone_number, None);
}

/// A complete sign-in with `client` and a fresh browser; returns the request's nonce too.
async fn sign_in(client: &Client) -> (TokenSet, String) {
    let (tx, params) = authorize(client, &AuthorizationRequest::default()).await;
    let tokens = client
        .handle_callback(&tx, &params)
        .await
        .expect("sign-in succeeds");
    (tokens, tx.nonce)
}

#[tokio::test]
async fn code_flow_with_client_secret_basic() {
    let op = provider_or_skip!();
    let client = discover(op.confidential("interop-basic")).await;
    assert_eq!(client.metadata().issuer, op.issuer());
    assert!(
        client
            .metadata()
            .authorization_response_iss_parameter_supported
    );

    let (tx, params) = authorize(&client, &AuthorizationRequest::default()).await;
    // RFC 9207: oidc-provider sends `iss` with the response, and the library checks it.
    assert_eq!(params.get("iss"), Some(op.issuer()));
    assert!(params.get("code").is_some());
    assert!(tx.code_verifier.is_some(), "PKCE is used by default");
    let tokens = client
        .handle_callback(&tx, &params)
        .await
        .expect("sign-in succeeds");

    let id = tokens.id_token.as_ref().expect("id token");
    assert_id_token(&op, &client, id, Some(&tx.nonce));
    assert_eq!(id.header().alg, Alg::RS256);
    // Code flow: profile claims come from UserInfo, not the ID token (Core §5.4).
    assert_eq!(id.claims().get("email"), None);
    assert!(id.claims().get("at_hash").is_some());
    assert_eq!(
        tokens
            .token_type
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("bearer")
    );
    assert!(tokens.expires_in.is_some_and(|s| s > 0 && s <= 3600));
    assert!(tokens.refresh_token.is_some());
    assert!(
        tokens
            .scope
            .as_deref()
            .is_some_and(|s| s.split(' ').any(|x| x == "email"))
    );
    assert_userinfo(&client, &tokens).await;
}

#[tokio::test]
async fn code_flow_without_pkce_for_a_confidential_client() {
    let op = provider_or_skip!();
    let mut cfg = op.confidential("interop-basic");
    cfg.use_pkce = false;
    let client = discover(cfg).await;
    let (tx, params) = authorize(&client, &AuthorizationRequest::default()).await;
    assert!(tx.code_verifier.is_none());
    let tokens = client
        .handle_callback(&tx, &params)
        .await
        .expect("sign-in succeeds");
    assert_id_token(
        &op,
        &client,
        tokens.id_token.as_ref().expect("id token"),
        Some(&tx.nonce),
    );
    assert_userinfo(&client, &tokens).await;
}

#[tokio::test]
async fn code_flow_with_client_secret_post() {
    let op = provider_or_skip!();
    let mut cfg = op.confidential("interop-post");
    cfg.auth_method = Some(AuthMethod::ClientSecretPost);
    let client = discover(cfg).await;
    let (tokens, nonce) = sign_in(&client).await;
    assert_id_token(
        &op,
        &client,
        tokens.id_token.as_ref().expect("id token"),
        Some(&nonce),
    );
    assert_userinfo(&client, &tokens).await;

    // provider.mjs refuses HTTP Basic for this client (stock oidc-provider accepts both secret
    // methods), so the sign-in above proves the secret went in the body.
    let mut wrong = op.confidential("interop-post");
    wrong.auth_method = Some(AuthMethod::ClientSecretBasic);
    let wrong = discover(wrong).await;
    let (tx, params) = authorize(&wrong, &AuthorizationRequest::default()).await;
    let err = wrong
        .handle_callback(&tx, &params)
        .await
        .expect_err("Basic is refused for this client");
    assert_eq!(err.oauth_error(), Some("invalid_client"), "{err}");
}

#[tokio::test]
async fn wrong_client_secret_is_refused_at_the_token_endpoint() {
    let op = provider_or_skip!();
    let client = discover(op.config("interop-basic").with_secret("not-the-secret")).await;
    let (tx, params) = authorize(&client, &AuthorizationRequest::default()).await;
    let err = client
        .handle_callback(&tx, &params)
        .await
        .expect_err("bad secret");
    assert!(
        matches!(
            err,
            Error::OAuth {
                endpoint: "token",
                status: 401,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.oauth_error(), Some("invalid_client"));
}

#[tokio::test]
async fn public_client_code_flow_with_pkce() {
    let op = provider_or_skip!();
    let client = discover(op.config("interop-public")).await;
    let (tx, params) = authorize(&client, &AuthorizationRequest::default()).await;
    assert!(tx.code_verifier.as_deref().is_some_and(|v| v.len() >= 43));
    let tokens = client
        .handle_callback(&tx, &params)
        .await
        .expect("sign-in succeeds");
    assert_id_token(
        &op,
        &client,
        tokens.id_token.as_ref().expect("id token"),
        Some(&tx.nonce),
    );
    assert_userinfo(&client, &tokens).await;
}

#[tokio::test]
async fn public_client_without_pkce_is_refused_by_the_provider() {
    let op = provider_or_skip!();
    let mut cfg = op.config("interop-public");
    cfg.use_pkce = false;
    let client = discover(cfg).await;
    let (tx, params) = authorize(&client, &AuthorizationRequest::default()).await;
    let err = client
        .handle_callback(&tx, &params)
        .await
        .expect_err("PKCE is required for public clients");
    assert!(matches!(err, Error::AuthorizationDenied { .. }), "{err:?}");
    assert_eq!(err.oauth_error(), Some("invalid_request"));
    assert_eq!(err.code(), 904);
}

#[tokio::test]
async fn tampered_pkce_verifier_is_refused() {
    let op = provider_or_skip!();
    let client = discover(op.config("interop-public")).await;
    let (mut tx, params) = authorize(&client, &AuthorizationRequest::default()).await;
    tx.code_verifier = Some("x".repeat(43));
    let err = client
        .handle_callback(&tx, &params)
        .await
        .expect_err("wrong verifier");
    assert_eq!(err.oauth_error(), Some("invalid_grant"), "{err}");
}

#[tokio::test]
async fn implicit_flow_id_token_token() {
    let op = provider_or_skip!();
    let mut cfg = op.confidential("interop-basic");
    cfg.grant_type = GrantType::Implicit;
    let client = discover(cfg).await;
    let (tx, params) = authorize(&client, &AuthorizationRequest::default()).await;
    assert_eq!(tx.response_type, "id_token token");
    assert!(params.get("code").is_none());
    assert_eq!(
        params.get("iss"),
        None,
        "oidc-provider sends no iss with an id_token"
    );
    let tokens = client
        .handle_callback(&tx, &params)
        .await
        .expect("implicit sign-in succeeds");
    let id = tokens.id_token.as_ref().expect("id token");
    assert_id_token(&op, &client, id, Some(&tx.nonce));
    assert!(
        id.claims().get("at_hash").is_some(),
        "at_hash is required with id_token token"
    );
    assert!(tokens.access_token.is_some());
    assert!(
        tokens.refresh_token.is_none(),
        "no refresh token from the front channel"
    );
    assert_userinfo(&client, &tokens).await;
}

#[tokio::test]
async fn implicit_flow_id_token_only_carries_the_claims() {
    let op = provider_or_skip!();
    let mut cfg = op.confidential("interop-basic");
    cfg.grant_type = GrantType::Implicit;
    cfg.response_type = Some(ResponseType::ID_TOKEN);
    let client = discover(cfg).await;
    let (tx, params) = authorize(&client, &AuthorizationRequest::default()).await;
    let tokens = client
        .handle_callback(&tx, &params)
        .await
        .expect("sign-in succeeds");
    let id = tokens.id_token.as_ref().expect("id token");
    assert_id_token(&op, &client, id, Some(&tx.nonce));
    // response_type=id_token: the scope's claims are in the ID token (Core §5.4).
    assert_eq!(
        id.claims().get_str("email"),
        Some("interop-user@example.com")
    );
    assert_eq!(id.claims().get_str("name"), Some("Interop User"));
    assert!(tokens.access_token.is_none());
    let err = client
        .userinfo(&tokens)
        .await
        .expect_err("no access token for userinfo");
    assert!(
        matches!(
            err,
            Error::Missing {
                what: "access_token",
                ..
            }
        ),
        "{err:?}"
    );
}

/// The library's plain configuration against oidc-provider's implicit flow. oidc-provider
/// advertises RFC 9207 `iss` but omits it whenever the response contains an `id_token` (whose
/// verified `iss` claim names the issuer); the library accepts exactly that case.
#[tokio::test]
async fn implicit_flow_with_discovered_metadata() {
    let op = provider_or_skip!();
    let mut cfg = op.confidential("interop-basic");
    cfg.grant_type = GrantType::Implicit;
    let client = discover(cfg).await;
    let (tx, params) = authorize(&client, &AuthorizationRequest::default()).await;
    assert_eq!(
        params.get("iss"),
        None,
        "oidc-provider sends no iss with an id_token"
    );
    let tokens = client
        .handle_callback(&tx, &params)
        .await
        .expect("implicit sign-in succeeds");
    assert_id_token(
        &op,
        &client,
        tokens.id_token.as_ref().expect("id token"),
        Some(&tx.nonce),
    );
}

#[tokio::test]
async fn hybrid_flow_code_id_token() {
    let op = provider_or_skip!();
    let mut cfg = op.confidential("interop-basic");
    cfg.grant_type = GrantType::Hybrid;
    let client = discover(cfg).await;
    let (tx, params) = authorize(&client, &AuthorizationRequest::default()).await;
    assert_eq!(tx.response_type, "code id_token");
    assert!(params.get("code").is_some() && params.get("id_token").is_some());
    let tokens = client
        .handle_callback(&tx, &params)
        .await
        .expect("hybrid sign-in succeeds");
    let id = tokens
        .id_token
        .as_ref()
        .expect("id token from the token endpoint");
    assert_id_token(&op, &client, id, Some(&tx.nonce));
    assert!(tokens.refresh_token.is_some());
    assert_userinfo(&client, &tokens).await;
}

#[tokio::test]
async fn hybrid_flow_every_response_type() {
    let op = provider_or_skip!();
    for rt in [
        ResponseType::CODE_TOKEN,
        ResponseType::CODE_ID_TOKEN_TOKEN,
        ResponseType::CODE_ID_TOKEN,
    ] {
        let mut cfg = op.confidential("interop-basic");
        cfg.grant_type = GrantType::Hybrid;
        cfg.response_type = Some(rt);
        let client = discover(cfg).await;
        let (tx, params) = authorize(&client, &AuthorizationRequest::default()).await;
        assert_eq!(params.get("id_token").is_some(), rt.id_token, "{rt}");
        assert_eq!(params.get("access_token").is_some(), rt.token, "{rt}");
        let tokens = client
            .handle_callback(&tx, &params)
            .await
            .unwrap_or_else(|e| panic!("{rt}: {e}"));
        assert_id_token(
            &op,
            &client,
            tokens.id_token.as_ref().expect("id token"),
            Some(&tx.nonce),
        );
        assert_userinfo(&client, &tokens).await;
    }
}

#[tokio::test]
async fn form_post_response_mode() {
    let op = provider_or_skip!();
    for (grant, client_id) in [
        (GrantType::Code, "interop-basic"),
        (GrantType::Hybrid, "interop-post"),
    ] {
        let mut cfg = op.confidential(client_id);
        cfg.grant_type = grant;
        cfg.response_mode = Some("form_post".into());
        if client_id == "interop-post" {
            cfg.auth_method = Some(AuthMethod::ClientSecretPost);
        }
        let client = discover(cfg).await;
        let (url, tx) = client
            .authorization_url(&AuthorizationRequest::default())
            .expect("url");
        let callback = Browser::new().authorize(&url).await;
        assert!(
            matches!(callback, interop_support::Callback::FormPost(_)),
            "{callback:?}"
        );
        let tokens = client
            .handle_callback(&tx, &callback.params())
            .await
            .expect("form_post sign-in");
        assert_id_token(
            &op,
            &client,
            tokens.id_token.as_ref().expect("id token"),
            Some(&tx.nonce),
        );
    }
}

#[tokio::test]
async fn refresh_rotates_the_refresh_token() {
    let op = provider_or_skip!();
    let client = discover(op.confidential("interop-basic")).await;
    let (first, nonce) = sign_in(&client).await;
    let first_id = first.id_token.as_ref().expect("id token");
    assert_id_token(&op, &client, first_id, Some(&nonce));
    let rt1 = first
        .refresh_token
        .clone()
        .expect("refresh token for the code flow");

    let second = client
        .refresh(&rt1, Some(first_id))
        .await
        .expect("refresh succeeds");
    let rt2 = second.refresh_token.clone().expect("refresh token");
    assert_ne!(
        rt2, rt1,
        "oidc-provider is configured to rotate refresh tokens"
    );
    assert_ne!(second.access_token, first.access_token);
    let second_id = second
        .id_token
        .as_ref()
        .expect("refresh returns a new ID token");
    assert_eq!(second_id.claims().subject(), Some(USER));
    assert_eq!(second_id.claims().issuer(), Some(op.issuer()));
    assert_eq!(second_id.claims().audience(), vec!["interop-basic"]);
    assert_eq!(
        second_id.claims().auth_time(),
        first_id.claims().auth_time()
    );
    assert_userinfo(&client, &second).await;

    // The rotated-out token is spent; reusing it is refused.
    let err = client
        .refresh(&rt1, Some(first_id))
        .await
        .expect_err("reuse of a rotated refresh token");
    assert_eq!(err.oauth_error(), Some("invalid_grant"), "{err}");
}

#[tokio::test]
async fn refresh_for_a_public_client() {
    let op = provider_or_skip!();
    let client = discover(op.config("interop-public")).await;
    let (first, _) = sign_in(&client).await;
    let rt = first.refresh_token.clone().expect("refresh token");
    let second = client
        .refresh(&rt, first.id_token.as_ref())
        .await
        .expect("refresh succeeds");
    assert!(second.access_token.is_some());
    assert_ne!(second.refresh_token.as_deref(), Some(rt.as_str()));
    assert_userinfo(&client, &second).await;
}

#[tokio::test]
async fn signed_userinfo_response() {
    let op = provider_or_skip!();
    let client = discover(op.confidential("interop-jwt-userinfo")).await;
    let (tokens, nonce) = sign_in(&client).await;
    assert_id_token(
        &op,
        &client,
        tokens.id_token.as_ref().expect("id token"),
        Some(&nonce),
    );

    // Check first that the provider really answers with a JWT, so the test proves the JWT path.
    let raw = reqwest::Client::new()
        .get(
            client
                .metadata()
                .userinfo_endpoint
                .clone()
                .expect("userinfo endpoint"),
        )
        .bearer_auth(tokens.access_token.as_deref().expect("access token"))
        .send()
        .await
        .expect("userinfo request");
    let content_type = raw
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(
        content_type.starts_with("application/jwt"),
        "content-type {content_type:?}"
    );

    let me = client
        .userinfo(&tokens)
        .await
        .expect("signed userinfo verifies");
    assert_eq!(me.sub.as_deref(), Some(USER));
    assert_eq!(me.email.as_deref(), Some("interop-user@example.com"));
    assert_eq!(me.iss.as_deref(), Some(op.issuer()));
    assert_eq!(me.aud, vec!["interop-jwt-userinfo"]);
}

#[tokio::test]
async fn every_asymmetric_id_token_signing_algorithm() {
    let op = provider_or_skip!();
    for (alg, client_id) in [
        (Alg::RS256, "interop-rs256"),
        (Alg::PS256, "interop-ps256"),
        (Alg::ES256, "interop-es256"),
        (Alg::EdDSA, "interop-eddsa"),
    ] {
        let client = discover(op.confidential(client_id)).await;
        let (tokens, nonce) = sign_in(&client).await;
        let id = tokens.id_token.as_ref().expect("id token");
        assert_eq!(id.header().alg, alg, "{client_id}");
        assert_id_token(&op, &client, id, Some(&nonce));
        assert_userinfo(&client, &tokens).await;
    }
}

#[tokio::test]
async fn hs256_id_tokens_verified_with_the_client_secret() {
    let op = provider_or_skip!();
    let cfg = op
        .config("interop-hs256")
        .with_secret("interop-hs256-secret-that-is-long-enough-for-hmac-sha256");
    let client = discover(cfg).await;
    let (tokens, nonce) = sign_in(&client).await;
    let id = tokens.id_token.as_ref().expect("id token");
    assert_eq!(id.header().alg, Alg::HS256);
    assert_id_token_hmac(&op, &client, id, &nonce);

    // An HS256 ID token is refused when the client only allows asymmetric algorithms.
    let mut strict = op
        .config("interop-hs256")
        .with_secret("interop-hs256-secret-that-is-long-enough-for-hmac-sha256");
    strict.allowed_algs = Some(vec![Alg::RS256, Alg::ES256]);
    let strict = discover(strict).await;
    let (tx, params) = authorize(&strict, &AuthorizationRequest::default()).await;
    let err = strict
        .handle_callback(&tx, &params)
        .await
        .expect_err("HS256 not allowed");
    assert_eq!(err.code(), 903, "{err}");
}

fn assert_id_token_hmac(op: &OpenIdProvider, client: &Client, id: &IdToken, nonce: &str) {
    let claims = id.claims();
    assert_eq!(claims.subject(), Some(USER));
    assert_eq!(claims.issuer(), Some(op.issuer()));
    assert_eq!(claims.audience(), vec![client.config().client_id.as_str()]);
    assert_eq!(claims.nonce(), Some(nonce));
}

#[tokio::test]
async fn key_rotation_between_two_sign_ins() {
    let mut op = provider_or_skip!();
    let client = discover(op.confidential("interop-es256")).await;
    let (first, nonce) = sign_in(&client).await;
    let first_id = first.id_token.as_ref().expect("id token");
    assert_id_token(&op, &client, first_id, Some(&nonce));
    let old_kid = first_id.header().kid.clone().expect("kid");

    let new_kids = op.rotate_keys();
    assert!(
        !new_kids.contains(&old_kid),
        "rotation replaced {old_kid}: {new_kids:?}"
    );

    // Same client (its JWKS cache holds only the old keys): the unknown kid makes it re-fetch.
    let (second, nonce) = sign_in(&client).await;
    let second_id = second.id_token.as_ref().expect("id token");
    assert_id_token(&op, &client, second_id, Some(&nonce));
    let new_kid = second_id.header().kid.clone().expect("kid");
    assert!(
        new_kids.contains(&new_kid),
        "{new_kid} is one of the new keys {new_kids:?}"
    );
    assert_eq!(second_id.header().alg, Alg::ES256);
    assert_userinfo(&client, &second).await;

    // The old ID token no longer verifies: its key is gone from the provider's JWKS.
    let mut checks = oidckit::Checks::default();
    checks.nonce = Some(&nonce);
    let err = client
        .validate_id_token(first_id.raw(), &checks)
        .await
        .expect_err("old key removed");
    assert_eq!(err.code(), 903, "{err}");
}

#[tokio::test]
async fn max_age_requires_and_checks_auth_time() {
    let op = provider_or_skip!();
    let mut cfg = op.confidential("interop-basic");
    cfg.max_age = Some(std::time::Duration::from_secs(300));
    let client = discover(cfg).await;
    let (tx, params) = authorize(&client, &AuthorizationRequest::default()).await;
    assert_eq!(tx.max_age, Some(300));
    let tokens = client
        .handle_callback(&tx, &params)
        .await
        .expect("sign-in succeeds");
    let id = tokens.id_token.as_ref().expect("id token");
    assert_id_token(&op, &client, id, Some(&tx.nonce));
    assert!(
        id.claims().auth_time().is_some(),
        "auth_time is sent when max_age is requested"
    );
}

#[tokio::test]
async fn second_sign_in_reuses_the_provider_session() {
    let op = provider_or_skip!();
    // A web client: oidc-provider always asks native clients for interaction, never prompt=none.
    let client = discover(op.confidential("interop-web")).await;
    let browser = Browser::new();
    let (tx, params) = authorize_with(&browser, &client, &AuthorizationRequest::default()).await;
    let first = client
        .handle_callback(&tx, &params)
        .await
        .expect("first sign-in");
    let logins = browser
        .visited()
        .iter()
        .filter(|l| l.starts_with("POST"))
        .count();
    assert_eq!(logins, 2, "login and consent: {:#?}", browser.visited());

    // prompt=none with the session cookie: no page at all, straight back with a code.
    let mut req = AuthorizationRequest::default();
    req.prompt = Some("none".into());
    let before = browser.visited().len();
    let (tx, params) = authorize_with(&browser, &client, &req).await;
    let second = client
        .handle_callback(&tx, &params)
        .await
        .expect("silent sign-in");
    assert!(
        browser.visited()[before..]
            .iter()
            .all(|l| !l.starts_with("POST")),
        "{:#?}",
        browser.visited()
    );
    let (a, b) = (first.id_token.expect("id"), second.id_token.expect("id"));
    assert_eq!(a.claims().get("sid"), b.claims().get("sid"));
    assert_eq!(a.claims().auth_time(), b.claims().auth_time());

    // prompt=none without a session: login_required, reported as a denied authorization.
    let (tx, params) = authorize(&client, &req).await;
    let err = client
        .handle_callback(&tx, &params)
        .await
        .expect_err("no session");
    assert_eq!(err.oauth_error(), Some("login_required"), "{err}");
}

#[tokio::test]
async fn provider_advertises_what_later_features_need() {
    let op = provider_or_skip!();
    let client = discover(op.config("interop-basic")).await;
    let raw: Value = reqwest::get(format!("{}/.well-known/openid-configuration", op.issuer()))
        .await
        .expect("discovery")
        .bytes()
        .await
        .map(|b| serde_json::from_slice(&b).expect("json"))
        .expect("body");
    for endpoint in [
        "end_session_endpoint",
        "introspection_endpoint",
        "revocation_endpoint",
        "device_authorization_endpoint",
        "pushed_authorization_request_endpoint",
    ] {
        assert!(
            raw.get(endpoint).and_then(Value::as_str).is_some(),
            "{endpoint} advertised"
        );
    }
    let methods = &client.metadata().token_endpoint_auth_methods_supported;
    for m in [
        "client_secret_basic",
        "client_secret_post",
        "client_secret_jwt",
        "private_key_jwt",
        "none",
    ] {
        assert!(methods.iter().any(|x| x == m), "{m} in {methods:?}");
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

fn scopes(scope: Option<&str>) -> Vec<&str> {
    let mut v: Vec<&str> = scope.unwrap_or_default().split(' ').collect();
    v.sort_unstable();
    v
}

/// Introspects `token` with `client` and checks what oidc-provider says about an active token
/// of `client_id`.
async fn assert_active(
    op: &OpenIdProvider,
    client: &Client,
    token: &str,
    hint: &str,
    client_id: &str,
) -> oidckit::introspection::Introspection {
    let info = client
        .introspect(token, Some(hint))
        .await
        .expect("introspection");
    assert!(info.active, "{hint} is active: {:?}", info.raw);
    assert_eq!(info.client_id.as_deref(), Some(client_id), "{:?}", info.raw);
    assert_eq!(info.iss.as_deref(), Some(op.issuer()));
    let now = now();
    assert!(info.exp.is_some_and(|e| e > now), "exp {:?}", info.exp);
    assert!(info.iat.is_some_and(|i| i <= now + 5), "iat {:?}", info.iat);
    info
}

async fn assert_inactive(client: &Client, token: &str, hint: &str) {
    let info = client
        .introspect(token, Some(hint))
        .await
        .expect("introspection");
    assert!(!info.active, "{hint} is inactive: {:?}", info.raw);
    // RFC 7662 §2.2: nothing but `active` is said about an inactive token.
    assert_eq!(info.raw.len(), 1, "{:?}", info.raw);
}

#[tokio::test]
async fn client_credentials_grant_for_a_machine_client() {
    let op = provider_or_skip!();
    let client = discover(op.confidential("interop-m2m")).await;
    let tokens = client
        .client_credentials(Some("api:read api:write"))
        .await
        .expect("client credentials grant");
    let access = tokens.access_token.clone().expect("access token");
    assert!(tokens.id_token.is_none(), "no user, no ID token");
    assert!(tokens.refresh_token.is_none());
    assert_eq!(scopes(tokens.scope.as_deref()), ["api:read", "api:write"]);
    assert!(tokens.expires_in.is_some_and(|s| s > 0 && s <= 600));

    let info = assert_active(&op, &client, &access, "access_token", "interop-m2m").await;
    assert_eq!(scopes(info.scope.as_deref()), ["api:read", "api:write"]);
    assert_eq!(info.sub, None, "a client credentials token has no user");
    assert_eq!(
        info.token_type.as_deref().map(str::to_ascii_lowercase),
        Some("bearer".into())
    );

    // Only one of the scopes: the token carries only that one.
    let narrow = client
        .client_credentials(Some("api:read"))
        .await
        .expect("narrower scope");
    let info = assert_active(
        &op,
        &client,
        narrow.access_token.as_deref().expect("access token"),
        "access_token",
        "interop-m2m",
    )
    .await;
    assert_eq!(info.scope.as_deref(), Some("api:read"));

    // A scope the client is not registered for is refused.
    let err = client
        .client_credentials(Some("api:read openid"))
        .await
        .expect_err("openid is not this client's scope");
    assert_eq!(err.oauth_error(), Some("invalid_scope"), "{err}");

    // And a wrong secret is refused as such.
    let wrong = discover(op.config("interop-m2m").with_secret("not-the-secret")).await;
    let err = wrong
        .client_credentials(Some("api:read"))
        .await
        .expect_err("wrong secret");
    assert_eq!(err.oauth_error(), Some("invalid_client"), "{err}");
}

const CLIENT_SECRET_JWT_SECRET: &str = "interop-client-secret-jwt-secret-long-enough-for-hs256";

#[tokio::test]
async fn code_flow_with_client_secret_jwt() {
    let op = provider_or_skip!();
    let mut cfg = op
        .config("interop-client-secret-jwt")
        .with_secret(CLIENT_SECRET_JWT_SECRET);
    cfg.auth_method = Some(AuthMethod::ClientSecretJwt);
    let client = discover(cfg).await;
    let (tokens, nonce) = sign_in(&client).await;
    let id = tokens.id_token.as_ref().expect("id token");
    assert_id_token(&op, &client, id, Some(&nonce));
    assert_userinfo(&client, &tokens).await;

    // The refresh grant and introspection authenticate with a fresh assertion each (new jti).
    let refreshed = client
        .refresh(
            tokens.refresh_token.as_deref().expect("refresh token"),
            Some(id),
        )
        .await
        .expect("refresh with client_secret_jwt");
    let access = refreshed.access_token.as_deref().expect("access token");
    let info = assert_active(
        &op,
        &client,
        access,
        "access_token",
        "interop-client-secret-jwt",
    )
    .await;
    assert_eq!(info.sub.as_deref(), Some(USER));

    // oidc-provider holds the client to its registered method: Basic with the same secret is
    // refused, so the calls above really used client_secret_jwt.
    let mut basic = op
        .config("interop-client-secret-jwt")
        .with_secret(CLIENT_SECRET_JWT_SECRET);
    basic.auth_method = Some(AuthMethod::ClientSecretBasic);
    let err = discover(basic)
        .await
        .introspect(access, None)
        .await
        .expect_err("client_secret_basic is not this client's method");
    assert_eq!(err.oauth_error(), Some("invalid_client"), "{err}");

    // An assertion signed with another secret is refused at the token endpoint.
    let mut wrong = op
        .config("interop-client-secret-jwt")
        .with_secret("another-secret-that-is-also-long-enough-for-hs256!!");
    wrong.auth_method = Some(AuthMethod::ClientSecretJwt);
    let wrong = discover(wrong).await;
    let (tx, params) = authorize(&wrong, &AuthorizationRequest::default()).await;
    let err = wrong
        .handle_callback(&tx, &params)
        .await
        .expect_err("wrong HMAC key");
    assert!(
        matches!(
            err,
            Error::OAuth {
                endpoint: "token",
                status: 401,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.oauth_error(), Some("invalid_client"), "{err}");
}

#[tokio::test]
async fn code_flow_with_private_key_jwt() {
    let op = provider_or_skip!();
    let key = PrivateKey::from_text(&op.private_key_jwt_client_key().await)
        .expect("the provider's private JWK parses");
    assert_eq!(key.alg(), &Alg::ES256);
    assert_eq!(key.kid(), Some("interop-client-es256"));

    // A key and no secret: private_key_jwt is chosen without setting auth_method.
    let mut cfg = op.config("interop-private-key-jwt");
    cfg.client_key = Some(key);
    let client = discover(cfg).await;
    let (tokens, nonce) = sign_in(&client).await;
    let id = tokens.id_token.as_ref().expect("id token");
    assert_id_token(&op, &client, id, Some(&nonce));
    assert_userinfo(&client, &tokens).await;
    let refreshed = client
        .refresh(
            tokens.refresh_token.as_deref().expect("refresh token"),
            Some(id),
        )
        .await
        .expect("refresh with private_key_jwt");
    let info = assert_active(
        &op,
        &client,
        refreshed.access_token.as_deref().expect("access token"),
        "access_token",
        "interop-private-key-jwt",
    )
    .await;
    assert_eq!(info.sub.as_deref(), Some(USER));

    // Another P-256 key under the registered kid: the signature does not verify.
    let other = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    let wrong_key = PrivateKey::from_pem(&other.serialize_pem())
        .expect("key")
        .with_kid("interop-client-es256");
    let mut wrong = op.config("interop-private-key-jwt");
    wrong.client_key = Some(wrong_key);
    let wrong = discover(wrong).await;
    let (tx, params) = authorize(&wrong, &AuthorizationRequest::default()).await;
    let err = wrong
        .handle_callback(&tx, &params)
        .await
        .expect_err("wrong private key");
    assert!(
        matches!(
            err,
            Error::OAuth {
                endpoint: "token",
                status: 401,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.oauth_error(), Some("invalid_client"), "{err}");
}

#[tokio::test]
async fn device_flow_with_the_verification_pages() {
    let op = provider_or_skip!();
    let client = discover(op.config("interop-device")).await;
    let mut da = client
        .device_authorization(None)
        .await
        .expect("device authorization");
    assert_eq!(da.verification_uri, format!("{}/device", op.issuer()));
    let complete = da
        .verification_uri_complete
        .clone()
        .expect("oidc-provider sends verification_uri_complete");
    let code_in_url = url::Url::parse(&complete)
        .expect("url")
        .query_pairs()
        .find(|(k, _)| k == "user_code")
        .map(|(_, v)| v.into_owned());
    assert_eq!(code_in_url.as_deref(), Some(da.user_code.as_str()));
    assert_eq!(da.expires_in, 600, "provider.mjs: DeviceCode ttl");
    // oidc-provider sends no `interval`: the library uses RFC 8628's default of 5 s.
    assert_eq!(da.interval, Duration::from_secs(5));
    // Poll faster to keep the test short (oidc-provider does not enforce an interval).
    da.interval = Duration::from_millis(500);

    // Before the user acts, polling sees authorization_pending and keeps going until the
    // local timeout (code 201).
    let err = client
        .poll_device_token(&da, Some(Duration::from_millis(1200)))
        .await
        .expect_err("nobody approved yet");
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert_eq!(err.code(), 201);

    // The user opens the verification URL on "another device" while the client polls.
    let browser = Browser::new();
    let (tokens, outcome) = tokio::join!(
        client.poll_device_token(&da, Some(Duration::from_secs(30))),
        browser.visit(&complete),
    );
    match outcome {
        Outcome::Page { body, .. } => assert!(body.contains("Sign-in Success"), "{body}"),
        other => panic!("the device flow ends on a page: {other:?}"),
    }
    let posts: Vec<String> = browser
        .visited()
        .into_iter()
        .filter(|l| l.starts_with("POST"))
        .collect();
    assert_eq!(
        posts.len(),
        4,
        "user code, confirm, login, consent: {posts:#?}"
    );
    assert!(
        posts[..2].iter().all(|p| p.ends_with("/device")),
        "{posts:#?}"
    );

    let tokens = tokens.expect("device flow tokens");
    let id = tokens.id_token.as_ref().expect("ID token for scope openid");
    assert_id_token(&op, &client, id, None);
    assert!(id.claims().get("at_hash").is_some());
    assert!(
        scopes(tokens.scope.as_deref()).contains(&"email"),
        "{:?}",
        tokens.scope
    );
    assert_userinfo(&client, &tokens).await;

    // The device code is spent.
    let err = client
        .poll_device_token(&da, Some(Duration::from_secs(5)))
        .await
        .expect_err("device code already used");
    assert_eq!(err.oauth_error(), Some("invalid_grant"), "{err}");
}

#[tokio::test]
async fn device_flow_aborted_by_the_user() {
    let op = provider_or_skip!();
    let client = discover(op.config("interop-device")).await;
    let mut da = client
        .device_authorization(None)
        .await
        .expect("device authorization");
    da.interval = Duration::from_millis(500);
    let complete = da
        .verification_uri_complete
        .clone()
        .expect("verification_uri_complete");
    let browser = Browser::new();
    let started = std::time::Instant::now();
    let (result, page) = tokio::join!(
        client.poll_device_token(&da, Some(Duration::from_secs(20))),
        browser.abort_device_flow(&complete),
    );
    assert!(page.contains("interrupted"), "{page}");
    let err = result.expect_err("the user aborted");
    assert_eq!(err.oauth_error(), Some("access_denied"), "{err}");
    assert_eq!(err.code(), 151);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "polling stops at the denial, not at the timeout"
    );
}

#[tokio::test]
async fn introspection_and_revocation_of_an_access_token() {
    let op = provider_or_skip!();
    let client = discover(op.confidential("interop-basic")).await;
    let (tokens, _) = sign_in(&client).await;
    let access = tokens.access_token.clone().expect("access token");
    let refresh = tokens.refresh_token.clone().expect("refresh token");

    let info = assert_active(&op, &client, &access, "access_token", "interop-basic").await;
    assert_eq!(info.sub.as_deref(), Some(USER));
    assert_eq!(
        scopes(info.scope.as_deref()),
        ["email", "openid", "profile"]
    );
    assert_eq!(
        info.token_type.as_deref().map(str::to_ascii_lowercase),
        Some("bearer".into())
    );
    assert_eq!(
        info.raw.get("sid"),
        tokens
            .id_token
            .as_ref()
            .expect("id token")
            .claims()
            .get("sid"),
        "same session as the ID token"
    );
    let info = assert_active(&op, &client, &refresh, "refresh_token", "interop-basic").await;
    assert_eq!(info.sub.as_deref(), Some(USER));
    assert_inactive(&client, "not-a-token-the-provider-issued", "access_token").await;

    // A public client is not told about another client's token (oidc-provider's default
    // introspection policy).
    let public = discover(op.config("interop-public")).await;
    assert_inactive(&public, &access, "access_token").await;

    client
        .revoke(&access, Some("access_token"))
        .await
        .expect("revocation");
    assert_inactive(&client, &access, "access_token").await;
    let err = client
        .userinfo(&tokens)
        .await
        .expect_err("revoked access token");
    assert_eq!(err.oauth_error(), Some("invalid_token"), "{err}");
    // Revoking an access token leaves the refresh token alone.
    assert_active(&op, &client, &refresh, "refresh_token", "interop-basic").await;
    // Revoking again, or an unknown token, is still a success (RFC 7009 §2.2).
    client
        .revoke(&access, Some("access_token"))
        .await
        .expect("second revocation");
}

#[tokio::test]
async fn revoked_refresh_token_cannot_be_used() {
    let op = provider_or_skip!();
    let client = discover(op.confidential("interop-basic")).await;
    let (tokens, _) = sign_in(&client).await;
    let access = tokens.access_token.clone().expect("access token");
    let refresh = tokens.refresh_token.clone().expect("refresh token");
    assert_active(&op, &client, &refresh, "refresh_token", "interop-basic").await;

    client
        .revoke(&refresh, Some("refresh_token"))
        .await
        .expect("revocation");
    assert_inactive(&client, &refresh, "refresh_token").await;
    let err = client
        .refresh(&refresh, tokens.id_token.as_ref())
        .await
        .expect_err("revoked refresh token");
    assert_eq!(err.oauth_error(), Some("invalid_grant"), "{err}");
    // RFC 7009 §2.1: oidc-provider also revokes the grant, so its access token goes too.
    assert_inactive(&client, &access, "access_token").await;
}

#[tokio::test]
async fn rp_initiated_logout_ends_the_provider_session() {
    let op = provider_or_skip!();
    let client = discover(op.confidential("interop-web")).await;
    let browser = Browser::new();
    let (tx, params) = authorize_with(&browser, &client, &AuthorizationRequest::default()).await;
    let tokens = client.handle_callback(&tx, &params).await.expect("sign-in");
    let id = tokens.id_token.as_ref().expect("id token");

    let req = EndSessionRequest::default()
        .with_id_token_hint(id.raw())
        .with_post_logout_redirect_uri(POST_LOGOUT_REDIRECT)
        .with_state("logout-state-42");
    let url = client.end_session_url(&req).expect("logout URL");
    let endpoint = client
        .metadata()
        .end_session_endpoint
        .clone()
        .expect("end_session_endpoint");
    assert!(url.starts_with(&format!("{endpoint}?")), "{url}");

    let before = browser.visited().len();
    let location = match browser.visit(&url).await {
        Outcome::Callback(Callback::Redirect(location)) => location,
        other => panic!("logout ends at the post-logout redirect URI: {other:?}"),
    };
    let steps = browser.visited()[before..].to_vec();
    assert!(
        steps
            .iter()
            .any(|l| l.starts_with("POST") && l.ends_with("/session/end/confirm")),
        "the logout confirmation was submitted: {steps:#?}"
    );
    let back = url::Url::parse(&location).expect("url");
    assert_eq!(&back[..url::Position::AfterPath], POST_LOGOUT_REDIRECT);
    let state: Vec<(String, String)> = back.query_pairs().into_owned().collect();
    assert_eq!(
        state,
        [("state".to_string(), "logout-state-42".to_string())]
    );

    // The provider session is gone: a silent sign-in now needs a login.
    let mut silent = AuthorizationRequest::default();
    silent.prompt = Some("none".into());
    let (tx, params) = authorize_with(&browser, &client, &silent).await;
    let err = client
        .handle_callback(&tx, &params)
        .await
        .expect_err("no session after logout");
    assert_eq!(err.oauth_error(), Some("login_required"), "{err}");
}

/// oidc-provider implements neither the resource owner password grant (RFC 6749 §4.3; dropped
/// by OAuth 2.1) nor the JWT bearer grant (RFC 7523 §2.1), and cannot be configured to, so those
/// flows have no sign-in test here (the mock provider's tests cover them). What can be checked
/// is that the library reports the provider's refusal as it is.
#[tokio::test]
async fn password_and_jwt_bearer_grants_are_refused_as_unsupported() {
    let op = provider_or_skip!();
    let client = discover(op.confidential("interop-basic")).await;
    let err = client
        .password(USER, "any password", None)
        .await
        .expect_err("no password grant in oidc-provider");
    assert_eq!(err.oauth_error(), Some("unsupported_grant_type"), "{err}");

    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    let key = PrivateKey::from_pem(&key.serialize_pem()).expect("key");
    let token_endpoint = client
        .metadata()
        .token_endpoint
        .clone()
        .expect("token endpoint");
    let assertion = oidckit::jwt_bearer::JwtAssertion::new("interop-basic", token_endpoint, key);
    let err = client
        .jwt_bearer(&assertion)
        .await
        .expect_err("no JWT bearer grant in oidc-provider");
    assert_eq!(err.oauth_error(), Some("unsupported_grant_type"), "{err}");
}
