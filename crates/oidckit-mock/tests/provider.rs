//! End-to-end tests of the mock provider over real HTTP, with an independent client
//! (reqwest) and independent verification (jsonwebtoken + sha2).
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{DecodingKey, Validation, jwk::JwkSet};
use oidckit_mock::{Endpoint, Misbehavior, MockConfig, MockProvider, SigningAlg};
use serde_json::Value;
use sha2::Digest as _;

const REDIRECT: &str = "http://127.0.0.1:9999/callback";

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// GET /authorize and return the parameters of the redirect (query or fragment).
async fn authorize(op: &MockProvider, params: &[(&str, &str)]) -> Vec<(String, String)> {
    let resp = http()
        .get(format!("{}/authorize", op.issuer()))
        .query(params)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302, "{:?}", resp.text().await);
    let loc = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(loc.starts_with(REDIRECT), "{loc}");
    let url = url::Url::parse(&loc).unwrap();
    let raw = url.fragment().or(url.query()).unwrap_or("").to_owned();
    form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .collect()
}

fn get<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn verify(op: &MockProvider, token: &str, aud: &str) -> Value {
    let header = jsonwebtoken::decode_header(token).unwrap();
    let jwks: JwkSet = serde_json::from_value(op.jwks()).unwrap();
    let jwk = jwks.find(header.kid.as_deref().unwrap()).unwrap();
    let mut v = Validation::new(header.alg);
    v.set_audience(&[aud]);
    v.set_issuer(&[op.issuer()]);
    jsonwebtoken::decode::<Value>(token, &DecodingKey::from_jwk(jwk).unwrap(), &v)
        .unwrap()
        .claims
}

fn s256(v: &str) -> String {
    URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(v.as_bytes()))
}

#[tokio::test]
async fn discovery_and_jwks_have_the_expected_shape() {
    let op = MockProvider::start(MockConfig {
        id_token_alg: SigningAlg::ES256,
        ..MockConfig::default()
    })
    .unwrap();
    let doc: Value = reqwest::get(op.discovery_url())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["issuer"], op.issuer());
    assert!(!op.issuer().ends_with('/'));
    assert_eq!(doc["jwks_uri"], format!("{}/jwks", op.issuer()));
    assert_eq!(doc["token_endpoint"], format!("{}/token", op.issuer()));
    assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
    assert_eq!(doc["id_token_signing_alg_values_supported"][0], "ES256");
    assert!(
        doc["code_challenge_methods_supported"]
            .as_array()
            .unwrap()
            .contains(&"S256".into())
    );

    op.add_key(SigningAlg::RS256);
    op.add_key(SigningAlg::EdDSA);
    let jwks: Value = reqwest::get(format!("{}/jwks", op.issuer()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 3);
    assert_eq!(keys[0]["kid"], op.active_kid());
    assert_eq!(keys[0]["kty"], "EC");
    assert_eq!(keys[0]["crv"], "P-256");
    assert_eq!(
        URL_SAFE_NO_PAD
            .decode(keys[0]["x"].as_str().unwrap())
            .unwrap()
            .len(),
        32
    );
    assert_eq!(keys[1]["kty"], "RSA");
    assert_eq!(keys[1]["e"], "AQAB");
    assert_eq!(
        URL_SAFE_NO_PAD
            .decode(keys[1]["n"].as_str().unwrap())
            .unwrap()
            .len(),
        256
    );
    assert_eq!(keys[2]["kty"], "OKP");
    assert_eq!(keys[2]["crv"], "Ed25519");
    for k in keys {
        assert_eq!(k["use"], "sig");
        assert!(k.get("d").is_none(), "private material leaked");
    }
    // The JWKS parses with an independent implementation.
    let _: JwkSet = serde_json::from_value(jwks).unwrap();

    let old = op.active_kid();
    op.rotate_keys();
    assert_ne!(op.active_kid(), old);
    assert_eq!(op.jwks()["keys"].as_array().unwrap().len(), 3);
    assert!(
        op.jwks()["keys"]
            .as_array()
            .unwrap()
            .iter()
            .all(|k| k["kid"] != old)
    );
}

#[tokio::test]
async fn code_flow_with_pkce_refresh_rotation_and_userinfo() {
    let op = MockProvider::start(MockConfig::default()).unwrap();
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = s256(verifier);
    let params = authorize(
        &op,
        &[
            ("response_type", "code"),
            ("client_id", "public-client"),
            ("redirect_uri", REDIRECT),
            ("scope", "openid profile email"),
            ("state", "st-1"),
            ("nonce", "n-0S6_WzA2Mj"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    assert_eq!(get(&params, "state"), Some("st-1"));
    assert_eq!(get(&params, "iss"), Some(op.issuer().as_str()));
    let code = get(&params, "code").unwrap().to_owned();

    let token_url = format!("{}/token", op.issuer());
    let exchange = |verifier: &'static str| {
        http().post(&token_url).form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("client_id", "public-client"),
            ("code_verifier", verifier),
        ])
    };
    // Wrong verifier burns the code (one-time use) and is refused.
    let resp = exchange("wrong-verifier-wrong-verifier-wrong-verifier-x")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let code_again = authorize(
        &op,
        &[
            ("response_type", "code"),
            ("client_id", "public-client"),
            ("redirect_uri", REDIRECT),
            ("scope", "openid profile email"),
            ("nonce", "n-0S6_WzA2Mj"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    let code = get(&code_again, "code").unwrap().to_owned();
    let resp = http()
        .post(&token_url)
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("client_id", "public-client"),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let tokens: Value = resp.json().await.unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    let at = tokens["access_token"].as_str().unwrap();
    let claims = verify(&op, tokens["id_token"].as_str().unwrap(), "public-client");
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(claims["sub"], "248289761001");
    let digest = sha2::Sha256::digest(at.as_bytes());
    assert_eq!(claims["at_hash"], URL_SAFE_NO_PAD.encode(&digest[..16]));

    // Reusing the code fails.
    let resp = http()
        .post(&token_url)
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("client_id", "public-client"),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let err: Value = resp.json().await.unwrap();
    assert_eq!(err["error"], "invalid_grant");

    // UserInfo, filtered by scope.
    let ui: Value = http()
        .get(format!("{}/userinfo", op.issuer()))
        .bearer_auth(at)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ui["sub"], "248289761001");
    assert_eq!(ui["email"], "janedoe@example.com");
    assert_eq!(ui["name"], "Jane Doe");
    assert!(ui.get("address").is_none());
    let resp = http()
        .get(format!("{}/userinfo", op.issuer()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert!(resp.headers().contains_key("www-authenticate"));

    // Refresh rotation.
    let rt1 = tokens["refresh_token"].as_str().unwrap().to_owned();
    let refresh = |rt: String| {
        http().post(&token_url).form(&[
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", rt),
            ("client_id", "public-client".to_owned()),
        ])
    };
    let resp = refresh(rt1.clone()).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let t2: Value = resp.json().await.unwrap();
    let rt2 = t2["refresh_token"].as_str().unwrap();
    assert_ne!(rt2, rt1);
    let c2 = verify(&op, t2["id_token"].as_str().unwrap(), "public-client");
    assert_eq!(c2["sub"], claims["sub"]);
    assert!(c2.get("nonce").is_none());
    let resp = refresh(rt1).send().await.unwrap();
    assert_eq!(resp.status(), 400, "old refresh token must be refused");

    // Confidential client with client_secret_basic, and a wrong secret.
    let params = authorize(
        &op,
        &[
            ("response_type", "code"),
            ("client_id", "test-client"),
            ("redirect_uri", REDIRECT),
            ("scope", "openid"),
        ],
    )
    .await;
    let code = get(&params, "code").unwrap().to_owned();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
    ];
    let resp = http()
        .post(&token_url)
        .basic_auth("test-client", Some("nope"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let params = authorize(
        &op,
        &[
            ("response_type", "code"),
            ("client_id", "test-client"),
            ("redirect_uri", REDIRECT),
            ("scope", "openid"),
        ],
    )
    .await;
    let code = get(&params, "code").unwrap().to_owned();
    let resp = http()
        .post(&token_url)
        .basic_auth("test-client", Some("test-secret"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let recorded = op.requests();
    let last = recorded.last().unwrap();
    assert_eq!(last.path, "/token");
    assert!(last.header("authorization").unwrap().starts_with("Basic "));
}

#[tokio::test]
async fn misbehaviors_break_exactly_what_they_say() {
    let op = MockProvider::start(MockConfig::default()).unwrap();

    // Hybrid flow front channel: id_token with c_hash; wrong nonce when switched on.
    op.set_misbehavior(Misbehavior::IdTokenWrongNonce);
    let params = authorize(
        &op,
        &[
            ("response_type", "code id_token"),
            ("client_id", "test-client"),
            ("redirect_uri", REDIRECT),
            ("scope", "openid"),
            ("nonce", "abc"),
            ("state", "s"),
        ],
    )
    .await;
    let claims = verify(&op, get(&params, "id_token").unwrap(), "test-client");
    assert_eq!(claims["nonce"], "abc-wrong");
    let code = get(&params, "code").unwrap();
    let digest = sha2::Sha256::digest(code.as_bytes());
    assert_eq!(claims["c_hash"], URL_SAFE_NO_PAD.encode(&digest[..16]));
    op.clear_misbehaviors();

    // RS256 -> HS256 confusion: HMAC keyed by the RSA public key PEM.
    op.set_misbehavior(Misbehavior::IdTokenHs256WithRsaPublicKey);
    let params = authorize(
        &op,
        &[
            ("response_type", "id_token"),
            ("client_id", "test-client"),
            ("redirect_uri", REDIRECT),
            ("scope", "openid email"),
            ("nonce", "abc"),
        ],
    )
    .await;
    let tok = get(&params, "id_token").unwrap();
    let header = jsonwebtoken::decode_header(tok).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::HS256);
    assert_eq!(header.kid.as_deref(), Some(op.active_kid().as_str()));
    let pem = op.rsa_public_key_pem();
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
    let mut v = Validation::new(jsonwebtoken::Algorithm::HS256);
    v.set_audience(&["test-client"]);
    let forged = jsonwebtoken::decode::<Value>(tok, &DecodingKey::from_secret(pem.as_bytes()), &v);
    assert_eq!(forged.unwrap().claims["sub"], "248289761001");
    op.clear_misbehaviors();

    // alg=none.
    op.set_misbehavior(Misbehavior::IdTokenAlgNone);
    let params = authorize(
        &op,
        &[
            ("response_type", "id_token"),
            ("client_id", "test-client"),
            ("redirect_uri", REDIRECT),
            ("scope", "openid email"),
            ("nonce", "abc"),
        ],
    )
    .await;
    let tok = get(&params, "id_token").unwrap();
    assert!(tok.ends_with('.'));
    let payload: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(tok.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(payload["email"], "janedoe@example.com");
    op.clear_misbehaviors();

    // Authorization response misbehaviors.
    op.set_misbehavior(Misbehavior::AuthResponseWrongState);
    op.set_misbehavior(Misbehavior::AuthResponseWrongIss);
    let params = authorize(
        &op,
        &[
            ("response_type", "code"),
            ("client_id", "test-client"),
            ("redirect_uri", REDIRECT),
            ("scope", "openid"),
            ("state", "xyz"),
        ],
    )
    .await;
    assert_ne!(get(&params, "state"), Some("xyz"));
    assert_ne!(get(&params, "iss"), Some(op.issuer().as_str()));
    op.clear_misbehaviors();
    op.set_misbehavior(Misbehavior::AuthResponseError("access_denied".into()));
    let params = authorize(
        &op,
        &[
            ("response_type", "code"),
            ("client_id", "test-client"),
            ("redirect_uri", REDIRECT),
            ("scope", "openid"),
            ("state", "xyz"),
        ],
    )
    .await;
    assert_eq!(get(&params, "error"), Some("access_denied"));
    assert_eq!(get(&params, "state"), Some("xyz"));
    op.clear_misbehaviors();

    // Discovery issuer mismatch and token endpoint error.
    op.set_misbehavior(Misbehavior::DiscoveryIssuerMismatch);
    op.set_misbehavior(Misbehavior::TokenInvalidGrant);
    let doc: Value = reqwest::get(op.discovery_url())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_ne!(doc["issuer"], op.issuer());
    let resp = http()
        .post(format!("{}/token", op.issuer()))
        .form(&[("grant_type", "authorization_code"), ("code", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(
        resp.json::<Value>().await.unwrap()["error"],
        "invalid_grant"
    );

    // Unknown redirect URI: 400 page, never a redirect.
    let resp = http()
        .get(format!("{}/authorize", op.issuer()))
        .query(&[
            ("response_type", "code"),
            ("client_id", "test-client"),
            ("redirect_uri", "https://evil.example/cb"),
            ("scope", "openid"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn hang_and_huge_responses_do_not_block_shutdown() {
    let op = MockProvider::start(MockConfig::default()).unwrap();
    op.set_misbehavior(Misbehavior::HugeResponse(Endpoint::Jwks));
    let resp = http()
        .get(format!("{}/jwks", op.issuer()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.content_length().is_none());
    let body = resp.bytes().await.unwrap();
    assert_eq!(body.len(), 50 * 1024 * 1024);

    op.set_misbehavior(Misbehavior::Hang(Endpoint::Discovery));
    let url = op.discovery_url();
    let pending = tokio::spawn(async move { http().get(url).send().await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!pending.is_finished(), "discovery must hang");
    // A second request that starts streaming a huge body and is never read.
    let huge = http()
        .get(format!("{}/jwks", op.issuer()))
        .send()
        .await
        .unwrap();
    let started = Instant::now();
    drop(op);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "drop took {:?}",
        started.elapsed()
    );
    drop(huge);
    let _ = pending.await;
}

#[tokio::test]
async fn every_alg_signs_verifiable_id_tokens_and_login_page_and_signed_userinfo() {
    for alg in [
        SigningAlg::PS384,
        SigningAlg::ES384,
        SigningAlg::EdDSA,
        SigningAlg::HS256,
    ] {
        let op = MockProvider::start(MockConfig {
            id_token_alg: alg,
            userinfo_signed: true,
            ..MockConfig::default()
        })
        .unwrap();
        let params = authorize(
            &op,
            &[
                ("response_type", "id_token token"),
                ("client_id", "test-client"),
                ("redirect_uri", REDIRECT),
                ("scope", "openid address"),
                ("nonce", "n1"),
            ],
        )
        .await;
        let tok = get(&params, "id_token").unwrap();
        let header = jsonwebtoken::decode_header(tok).unwrap();
        assert_eq!(format!("{:?}", header.alg), alg.as_str());
        let claims = if alg == SigningAlg::HS256 {
            let mut v = Validation::new(header.alg);
            v.set_audience(&["test-client"]);
            jsonwebtoken::decode::<Value>(tok, &DecodingKey::from_secret(b"test-secret"), &v)
                .unwrap()
                .claims
        } else {
            verify(&op, tok, "test-client")
        };
        assert_eq!(claims["nonce"], "n1");
        let at = get(&params, "access_token").unwrap();
        let digest: Vec<u8> = match alg {
            SigningAlg::PS384 | SigningAlg::ES384 => sha2::Sha384::digest(at).to_vec(),
            SigningAlg::EdDSA => sha2::Sha512::digest(at).to_vec(),
            _ => sha2::Sha256::digest(at).to_vec(),
        };
        assert_eq!(
            claims["at_hash"],
            URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2])
        );
        // id_token + token: minimal ID token, claims come from UserInfo (here a signed JWT).
        assert!(claims.get("address").is_none());
        let resp = http()
            .get(format!("{}/userinfo", op.issuer()))
            .bearer_auth(at)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.headers()["content-type"], "application/jwt");
        let jwt = resp.text().await.unwrap();
        let ui = if alg == SigningAlg::HS256 {
            let mut v = Validation::new(jsonwebtoken::Algorithm::HS256);
            v.set_audience(&["test-client"]);
            v.required_spec_claims.clear();
            jsonwebtoken::decode::<Value>(&jwt, &DecodingKey::from_secret(b"test-secret"), &v)
                .unwrap()
                .claims
        } else {
            verify_no_exp(&op, &jwt, "test-client")
        };
        assert_eq!(ui["sub"], "248289761001");
        assert_eq!(ui["address"]["country"], "US");
        assert!(ui.get("email").is_none());
    }

    // auto_approve = false: a login page whose POST approves or denies.
    let op = MockProvider::start(MockConfig {
        auto_approve: false,
        ..MockConfig::default()
    })
    .unwrap();
    let base = [
        ("response_type", "code"),
        ("client_id", "test-client"),
        ("redirect_uri", REDIRECT),
        ("scope", "openid"),
        ("state", "s1"),
    ];
    let resp = http()
        .get(format!("{}/authorize", op.issuer()))
        .query(&base)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("mock_decision"));
    for (decision, expect) in [("approve", "code"), ("deny", "error")] {
        let mut form = base.to_vec();
        form.push(("mock_decision", decision));
        let resp = http()
            .post(format!("{}/authorize", op.issuer()))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 302);
        let loc = resp.headers()["location"].to_str().unwrap();
        assert!(loc.contains(&format!("{expect}=")), "{loc}");
        assert!(loc.contains("state=s1"), "{loc}");
    }
}

fn verify_no_exp(op: &MockProvider, token: &str, aud: &str) -> Value {
    let header = jsonwebtoken::decode_header(token).unwrap();
    let jwks: JwkSet = serde_json::from_value(op.jwks()).unwrap();
    let jwk = jwks.find(header.kid.as_deref().unwrap()).unwrap();
    let mut v = Validation::new(header.alg);
    v.set_audience(&[aud]);
    v.set_issuer(&[op.issuer()]);
    v.required_spec_claims.clear();
    v.validate_exp = false;
    jsonwebtoken::decode::<Value>(token, &DecodingKey::from_jwk(jwk).unwrap(), &v)
        .unwrap()
        .claims
}

#[tokio::test]
async fn reuse_of_a_rotated_refresh_token_revokes_its_chain_when_switched_on() {
    for revokes_chain in [false, true] {
        let op = MockProvider::start(MockConfig {
            refresh_reuse_revokes_chain: revokes_chain,
            ..MockConfig::default()
        })
        .unwrap();
        let params = authorize(
            &op,
            &[
                ("response_type", "code"),
                ("client_id", "test-client"),
                ("redirect_uri", REDIRECT),
                ("scope", "openid"),
            ],
        )
        .await;
        let token_url = format!("{}/token", op.issuer());
        let code = get(&params, "code").unwrap().to_owned();
        let tokens: Value = http()
            .post(&token_url)
            .basic_auth("test-client", Some("test-secret"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", REDIRECT),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let refresh = |rt: String| {
            http()
                .post(&token_url)
                .basic_auth("test-client", Some("test-secret"))
                .form(&[
                    ("grant_type", "refresh_token".to_owned()),
                    ("refresh_token", rt),
                ])
                .send()
        };
        let rt1 = tokens["refresh_token"].as_str().unwrap().to_owned();
        let t2: Value = refresh(rt1.clone()).await.unwrap().json().await.unwrap();
        let rt2 = t2["refresh_token"].as_str().unwrap().to_owned();
        let reuse = refresh(rt1).await.unwrap();
        assert_eq!(reuse.status(), 400);
        let err: Value = reuse.json().await.unwrap();
        assert_eq!(err["error"], "invalid_grant");
        // The newest token of the chain works only while reuse does not revoke the chain.
        let newest = refresh(rt2).await.unwrap();
        let expected = if revokes_chain { 400 } else { 200 };
        assert_eq!(newest.status(), expected, "revokes_chain = {revokes_chain}");
    }
}
