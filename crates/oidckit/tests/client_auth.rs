//! Client credentials and password grants, and every client authentication method
//! (RFC 6749 §2.3.1, OpenID Connect Core §9) against the mock provider over real HTTP.

mod support;

use oidckit::{AuthMethod, ClientConfig, PrivateKey};
use oidckit_mock::{MockClient, MockProvider};
use support::{client, client_with, provider_with};

/// A provider with an extra client `key-client` whose public key (made by rcgen) is registered.
fn provider_with_key_client(alg: &'static rcgen::SignatureAlgorithm) -> (MockProvider, PrivateKey) {
    let p = provider_with(|c| c.clients.push(MockClient::public("key-client")));
    let kp = rcgen::KeyPair::generate_for(alg).expect("key");
    p.register_client_key("key-client", &kp.public_key_pem())
        .expect("registered");
    let key = PrivateKey::from_pem(&kp.serialize_pem()).expect("our parser reads rcgen's PKCS#8");
    (p, key)
}

fn key_config(p: &MockProvider, key: PrivateKey) -> ClientConfig {
    let mut cfg = ClientConfig::new(p.issuer(), "key-client");
    cfg.client_key = Some(key);
    cfg
}

#[tokio::test]
async fn client_credentials_with_client_secret_basic_gets_an_access_token() {
    let p = provider_with(|_| {});
    let c = client(&p).await;
    let t = c.client_credentials(Some("api.read")).await.expect("token");
    assert!(t.access_token.is_some());
    assert_eq!(t.scope.as_deref(), Some("api.read"));
    assert!(t.id_token.is_none() && t.refresh_token.is_none());
    let req = p
        .requests()
        .into_iter()
        .rfind(|r| r.path == "/token")
        .expect("token request");
    assert_eq!(req.param("grant_type"), Some("client_credentials"));
    assert!(
        req.header("authorization")
            .is_some_and(|h| h.starts_with("Basic "))
    );
}

#[tokio::test]
async fn client_secret_jwt_authenticates_with_an_hs256_assertion() {
    let p = provider_with(|_| {});
    let c = client_with(&p, |cfg| {
        cfg.auth_method = Some(AuthMethod::ClientSecretJwt)
    })
    .await;
    c.client_credentials(None).await.expect("token");
    let req = p
        .requests()
        .into_iter()
        .rfind(|r| r.path == "/token")
        .expect("token request");
    assert!(req.param("client_secret").is_none() && req.header("authorization").is_none());
    let claims =
        oidckit::jwt_bearer::unverified_payload(req.param("client_assertion").expect("assertion"))
            .expect("jwt");
    assert_eq!(claims["iss"], "test-client");
    assert_eq!(claims["sub"], "test-client");
    assert_eq!(claims["aud"], format!("{}/token", p.issuer()));
    assert!(claims["jti"].is_string() && claims["exp"].as_u64() > claims["iat"].as_u64());
}

#[tokio::test]
async fn private_key_jwt_works_with_rsa_ec_and_ed25519_keys() {
    for alg in [
        &rcgen::PKCS_RSA_SHA256,
        &rcgen::PKCS_ECDSA_P256_SHA256,
        &rcgen::PKCS_ECDSA_P384_SHA384,
        &rcgen::PKCS_ED25519,
    ] {
        let (p, key) = provider_with_key_client(alg);
        let c = oidckit::Client::discover(key_config(&p, key))
            .await
            .expect("discovery");
        let t = c.client_credentials(Some("api")).await.expect("token");
        assert!(t.access_token.is_some(), "{alg:?}");
        let req = p
            .requests()
            .into_iter()
            .rfind(|r| r.path == "/token")
            .expect("token request");
        assert_eq!(
            req.param("client_assertion_type"),
            Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        );
    }
}

#[tokio::test]
async fn private_key_jwt_with_the_wrong_key_is_refused_as_invalid_client() {
    let (p, _) = provider_with_key_client(&rcgen::PKCS_ECDSA_P256_SHA256);
    let other = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    let wrong = PrivateKey::from_pem(&other.serialize_pem()).expect("key");
    let c = oidckit::Client::discover(key_config(&p, wrong))
        .await
        .expect("discovery");
    let err = c.client_credentials(None).await.expect_err("wrong key");
    assert_eq!(err.code(), 151);
    assert_eq!(err.oauth_error(), Some("invalid_client"));
}

#[tokio::test]
async fn a_client_with_a_registered_key_cannot_skip_the_assertion() {
    let (p, _) = provider_with_key_client(&rcgen::PKCS_ECDSA_P256_SHA256);
    let mut cfg = ClientConfig::new(p.issuer(), "key-client");
    cfg.auth_method = Some(AuthMethod::None);
    let c = oidckit::Client::discover(cfg).await.expect("discovery");
    let err = c.client_credentials(None).await.expect_err("no assertion");
    assert_eq!(err.oauth_error(), Some("invalid_client"));
}

/// Posts a client credentials request with `assertion` as client_assertion, by hand.
async fn post_assertion(p: &MockProvider, assertion: &str) -> (u16, serde_json::Value) {
    let resp = reqwest::Client::new()
        .post(format!("{}/token", p.issuer()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion={assertion}"
        ))
        .send()
        .await
        .expect("sent");
    let status = resp.status().as_u16();
    (
        status,
        serde_json::from_slice(&resp.bytes().await.expect("body")).unwrap_or_default(),
    )
}

fn assertion(p: &MockProvider, key: &PrivateKey, aud: &str, exp_offset: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs() as i64;
    let claims = serde_json::json!({
        "iss": "key-client", "sub": "key-client", "aud": aud, "jti": format!("j{}", rand_suffix()),
        "iat": now, "exp": now + exp_offset,
    });
    let serde_json::Value::Object(m) = claims else {
        unreachable!()
    };
    let _ = p;
    key.sign_jwt(&m).expect("signed")
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_nanos()
}

#[tokio::test]
async fn mock_refuses_tampered_expired_misaddressed_and_replayed_assertions() {
    let (p, key) = provider_with_key_client(&rcgen::PKCS_ECDSA_P256_SHA256);
    let aud = format!("{}/token", p.issuer());
    let good = assertion(&p, &key, &aud, 60);
    assert_eq!(post_assertion(&p, &good).await.0, 200);
    // Replay of the same jti.
    let (status, body) = post_assertion(&p, &good).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    // Tampered payload: another audience spliced in under the original signature.
    let fresh = assertion(&p, &key, &aud, 60);
    let parts: Vec<&str> = fresh.split('.').collect();
    let forged = assertion(&p, &key, "https://elsewhere.example/token", 60);
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        forged.split('.').nth(1).expect("payload"),
        parts[2]
    );
    assert_eq!(post_assertion(&p, &tampered).await.0, 401);
    // Wrong audience, properly signed.
    assert_eq!(post_assertion(&p, &forged).await.0, 401);
    // Expired.
    assert_eq!(
        post_assertion(&p, &assertion(&p, &key, &aud, -600)).await.0,
        401
    );
}

#[tokio::test]
async fn password_grant_returns_a_verified_id_token_and_refuses_a_wrong_password() {
    let p = provider_with(|_| {});
    let c = client(&p).await;
    let t = c.password("j.doe", "password", None).await.expect("token");
    let id = t.id_token.expect("id token");
    assert_eq!(id.claims().subject(), Some("248289761001"));
    let err = c
        .password("j.doe", "nope", None)
        .await
        .expect_err("wrong password");
    assert_eq!(
        (err.code(), err.oauth_error()),
        (151, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn refresh_keeps_the_rotated_token_and_a_failed_refresh_is_an_error() {
    let p = provider_with(|_| {});
    let c = client(&p).await;
    let first = c
        .password("j.doe", "password", Some("openid offline_access"))
        .await
        .expect("token");
    let old_rt = first.refresh_token.clone().expect("refresh token");
    let second = c
        .refresh(&old_rt, first.id_token.as_ref())
        .await
        .expect("refresh");
    let new_rt = second.refresh_token.clone().expect("rotated");
    assert_ne!(new_rt, old_rt);
    let err = c
        .refresh(&old_rt, None)
        .await
        .expect_err("old token is spent");
    assert_eq!(
        (err.code(), err.oauth_error()),
        (151, Some("invalid_grant"))
    );
    c.refresh(&new_rt, second.id_token.as_ref())
        .await
        .expect("the rotated token works");
}
