//! `oidckit::blocking::Client` against the mock provider over real HTTP, from plain threads
//! (no async runtime in the test): every method of the async `Client` has a blocking twin of
//! the same name, and each is called here.

mod support;

use std::time::Duration;

use oidckit::blocking::Client;
use oidckit::id_token::Checks;
use oidckit::jwt_bearer::JwtAssertion;
use oidckit::logout::EndSessionRequest;
use oidckit::{AuthorizationRequest, CallbackParams, PrivateKey, ResponseType};
use support::{config, provider_with};

/// The scripted browser's answer to an authorization URL, as callback parameters.
fn follow(url: &str) -> CallbackParams {
    let outcome = oidckit_mock::browser::authorize(url).expect("provider answers");
    CallbackParams::from_url(&outcome.redirect_to)
}

#[test]
fn the_blocking_client_signs_in_refreshes_and_validates_like_the_async_one() {
    let p = provider_with(|_| {});
    let c = Client::discover(config(&p)).expect("discovery");
    assert_eq!(c.metadata().issuer, p.issuer());
    assert_eq!(c.config().client_id, "test-client");
    assert_eq!(c.response_type(), ResponseType::CODE);
    assert_eq!(c.validator().issuer(), p.issuer());

    // handle_callback: the whole code flow.
    let (url, tx) = c
        .authorization_url(&AuthorizationRequest::default())
        .expect("url");
    let tokens = c.handle_callback(&tx, &follow(&url)).expect("tokens");
    let id_token = tokens.id_token.clone().expect("id token");
    assert_eq!(id_token.claims().subject(), Some("248289761001"));
    assert_eq!(c.last_response().expect("recorded").status, 200);

    // validate_id_token: the same token again, with its nonce (JWKS from the cache).
    let mut checks = Checks::default();
    checks.nonce = Some(&tx.nonce);
    let again = c
        .validate_id_token(id_token.raw(), &checks)
        .expect("validates");
    assert_eq!(again.claims().subject(), Some("248289761001"));
    let mut wrong = Checks::default();
    wrong.nonce = Some("another nonce");
    let err = c
        .validate_id_token(id_token.raw(), &wrong)
        .expect_err("nonce mismatch");
    assert_eq!(err.code(), 903);

    // validate_with: the same token with a validator of one's own.
    let own = oidckit::Validator::new(p.issuer(), "test-client").with_client_secret("test-secret");
    let by_own = c
        .validate_with(&own, id_token.raw(), &checks)
        .expect("validates with its own validator");
    assert_eq!(by_own.claims().subject(), Some("248289761001"));
    let other_audience = oidckit::Validator::new(p.issuer(), "another-client");
    assert_eq!(
        c.validate_with(&other_audience, id_token.raw(), &checks)
            .expect_err("wrong audience")
            .code(),
        903
    );

    // exchange_code: the code of a second sign-in, exchanged by hand.
    let (url, tx2) = c
        .authorization_url(&AuthorizationRequest::default())
        .expect("url");
    let code = follow(&url).get("code").expect("code").to_string();
    let exchanged = c.exchange_code(&code, &tx2).expect("exchanged");
    assert!(exchanged.access_token.is_some());

    // refresh, userinfo, userinfo_with.
    let rt = tokens.refresh_token.as_deref().expect("refresh token");
    let refreshed = c.refresh(rt, Some(&id_token)).expect("refreshed");
    assert!(refreshed.access_token.is_some());
    assert_eq!(
        c.userinfo(&tokens).expect("userinfo").sub.as_deref(),
        Some("248289761001")
    );
    let at = refreshed.access_token.as_deref().expect("at");
    let me = c.userinfo_with(at, Some("248289761001")).expect("userinfo");
    assert_eq!(me.sub.as_deref(), Some("248289761001"));
    assert_eq!(
        c.userinfo_with(at, Some("someone else"))
            .expect_err("sub mismatch")
            .code(),
        907
    );

    // end_session_url, and the async client inside through `run`.
    let logout = c
        .end_session_url(&EndSessionRequest::default().with_state("st"))
        .expect("logout url");
    assert!(logout.contains("state=st") && logout.contains("client_id=test-client"));
    let meta = c
        .run(|inner| async move { Ok(inner.metadata().issuer.clone()) })
        .expect("ran");
    assert_eq!(meta, c.as_async().metadata().issuer);
}

#[test]
fn the_blocking_client_runs_every_grant_introspects_and_revokes() {
    let p = provider_with(|c| c.device_interval_secs = 1);
    let kp = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).expect("key");
    p.register_client_key("svc@example.com", &kp.public_key_pem())
        .expect("registered");
    // `new`: metadata set by hand (here: as discovered by another client).
    let c = Client::new(config(&p), discovered(&p)).expect("client from metadata");

    let cc = c
        .client_credentials(Some("api"))
        .expect("client credentials");
    let at = cc.access_token.clone().expect("at");
    let pw = c
        .password("j.doe", "password", Some("openid email"))
        .expect("password grant");
    assert_eq!(
        pw.id_token.expect("id token").claims().subject(),
        Some("248289761001")
    );

    let key = PrivateKey::from_pem(&kp.serialize_pem()).expect("key");
    let assertion = JwtAssertion::new("svc@example.com", format!("{}/token", p.issuer()), key);
    assert!(
        c.jwt_bearer(&assertion)
            .expect("jwt bearer")
            .access_token
            .is_some()
    );

    // Device flow: approve at once, then poll.
    let da = c.device_authorization(None).expect("device code");
    assert!(p.approve_device(&da.user_code));
    let device_tokens = c
        .poll_device_token(&da, Some(Duration::from_secs(30)))
        .expect("device tokens");
    assert!(device_tokens.access_token.is_some());

    // Introspection, token info, revocation.
    assert!(
        c.introspect(&at, Some("access_token"))
            .expect("info")
            .active
    );
    let token_info_url = format!("{}/tokeninfo", p.issuer());
    assert!(c.token_info(&token_info_url, &at).expect("info").active);
    c.revoke(&at, Some("access_token")).expect("revoked");
    assert!(!c.introspect(&at, None).expect("info").active);
    assert!(!c.token_info(&token_info_url, &at).expect("info").active);
}

/// The provider's metadata, discovered once with the blocking client.
fn discovered(p: &oidckit_mock::MockProvider) -> oidckit::ProviderMetadata {
    Client::discover(config(p))
        .expect("discovery")
        .metadata()
        .clone()
}

#[test]
fn the_blocking_client_reaches_a_protected_resource_like_the_async_one() {
    let p = provider_with(|_| {});
    let resource = format!("{}/resource", p.issuer());
    let mut options = oidckit::ResourceOptions::default();
    options.config.redirect_uri = Some(support::REDIRECT.into());
    let (client, meta, registration) =
        Client::for_resource(&resource, options).expect("resource client");
    assert_eq!(meta.resource, resource);
    let registration = registration.expect("registered");
    assert_eq!(client.config().client_id, registration.client_id);
    let (url, tx) = client
        .authorization_url(&AuthorizationRequest::default())
        .expect("URL");
    let tokens = client.handle_callback(&tx, &follow(&url)).expect("sign-in");
    let access = tokens.access_token.expect("access token");
    let status = client
        .run(move |c| async move { c.get_resource(&resource, &access).await })
        .expect("resource answers")
        .0;
    assert_eq!(status, 200);
}
