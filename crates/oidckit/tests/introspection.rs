//! Token introspection (RFC 7662), the seed's token info validation, revocation (RFC 7009)
//! and the RP-initiated logout URL, against the mock provider over real HTTP.

mod support;

use oidckit::logout::EndSessionRequest;
use oidckit::{ClientConfig, PrivateKey};
use oidckit_mock::MockClient;
use support::{client, provider_with};

#[tokio::test]
async fn introspection_reports_an_active_token_and_its_fields() {
    let p = provider_with(|_| {});
    let c = client(&p).await;
    let t = c
        .password("j.doe", "password", Some("openid email"))
        .await
        .expect("token");
    let info = c
        .introspect(t.access_token.as_deref().expect("at"), Some("access_token"))
        .await
        .expect("introspection");
    assert!(info.active);
    assert_eq!(info.client_id.as_deref(), Some("test-client"));
    assert_eq!(info.sub.as_deref(), Some("248289761001"));
    assert_eq!(info.scope.as_deref(), Some("openid email"));
    assert!(info.exp.is_some());
    assert!(
        info.fields()
            .iter()
            .any(|(k, v)| k == "token_type" && v == "Bearer")
    );
}

#[tokio::test]
async fn introspection_of_a_revoked_token_reports_inactive() {
    let p = provider_with(|_| {});
    let c = client(&p).await;
    let t = c.client_credentials(Some("api")).await.expect("token");
    let at = t.access_token.as_deref().expect("at");
    c.revoke(at, Some("access_token")).await.expect("revoked");
    assert!(!c.introspect(at, None).await.expect("introspection").active);
    // Revoking again (an unknown token) is still success (RFC 7009 §2.2).
    c.revoke(at, None).await.expect("idempotent");
}

#[tokio::test]
async fn a_revoked_refresh_token_can_no_longer_refresh() {
    let p = provider_with(|_| {});
    let c = client(&p).await;
    let t = c.password("j.doe", "password", None).await.expect("token");
    let rt = t.refresh_token.as_deref().expect("rt");
    c.revoke(rt, Some("refresh_token")).await.expect("revoked");
    let err = c.refresh(rt, None).await.expect_err("revoked");
    assert_eq!(
        (err.code(), err.oauth_error()),
        (151, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn introspection_and_revocation_authenticate_with_private_key_jwt() {
    let p = provider_with(|c| c.clients.push(MockClient::public("key-client")));
    let kp = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).expect("key");
    p.register_client_key("key-client", &kp.public_key_pem())
        .expect("registered");
    let mut cfg = ClientConfig::new(p.issuer(), "key-client");
    cfg.client_key = Some(PrivateKey::from_pem(&kp.serialize_pem()).expect("key"));
    let c = oidckit::Client::discover(cfg).await.expect("discovery");
    let at = c
        .client_credentials(None)
        .await
        .expect("token")
        .access_token
        .expect("at");
    assert!(c.introspect(&at, None).await.expect("introspection").active);
    c.revoke(&at, None).await.expect("revoked");
    for path in ["/introspect", "/revoke"] {
        let req = p
            .requests()
            .into_iter()
            .rfind(|r| r.path == path)
            .expect("request");
        assert!(req.param("client_assertion").is_some(), "{path}");
    }
}

#[tokio::test]
async fn token_info_validates_an_access_token_and_exposes_every_field() {
    let p = provider_with(|_| {});
    let c = client(&p).await;
    let at = c
        .client_credentials(Some("api"))
        .await
        .expect("token")
        .access_token
        .expect("at");
    let url = format!("{}/tokeninfo", p.issuer());
    let info = c.token_info(&url, &at).await.expect("token info");
    assert!(info.active);
    assert_eq!(info.scope.as_deref(), Some("api"));
    assert!(info.exp.is_some());
    assert!(info.fields().iter().any(|(k, _)| k == "expires_in"));
    c.revoke(&at, None).await.expect("revoked");
    assert!(!c.token_info(&url, &at).await.expect("token info").active);
}

#[tokio::test]
async fn end_session_url_carries_the_hint_redirect_state_and_client_id() {
    let p = provider_with(|_| {});
    let c = client(&p).await;
    let req = EndSessionRequest::default()
        .with_id_token_hint("h.e.s")
        .with_post_logout_redirect_uri("http://127.0.0.1:9/bye")
        .with_state("st");
    let url = url::Url::parse(&c.end_session_url(&req).expect("url")).expect("parses");
    assert_eq!(url.path(), "/logout");
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["client_id"], "test-client");
    assert_eq!(q["id_token_hint"], "h.e.s");
    assert_eq!(q["post_logout_redirect_uri"], "http://127.0.0.1:9/bye");
    assert_eq!(q["state"], "st");
    // The mock redirects back with the state.
    let resp = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(url.as_str())
        .send()
        .await
        .expect("sent");
    let location = resp.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    assert_eq!(location, "http://127.0.0.1:9/bye?state=st");
}
