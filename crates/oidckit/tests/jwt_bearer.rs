//! JWT bearer (RFC 7523): Google-style service account keys, Microsoft-style certificate
//! client assertions (PEM and PKCS#12), and the assertion builder checked byte for byte
//! against a signature made by PyJWT (`fixtures/make_assertion.py`).

mod support;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use oidckit::jwt_bearer::{JwtAssertion, ServiceAccountKey};
use oidckit::{Alg, ClientConfig, PrivateKey};
use oidckit_mock::{MockClient, MockProvider};
use serde_json::{Value, json};
use support::provider_with;

const FIXTURE_KEY: &str = include_str!("fixtures/assertion_key.pem");
const FIXTURE: &str = include_str!("fixtures/assertion_rs256.json");

fn fixture() -> Value {
    serde_json::from_str(FIXTURE).expect("fixture JSON")
}

#[test]
fn assertion_builder_matches_pyjwt_byte_for_byte() {
    let f = fixture();
    let key = PrivateKey::from_pem(FIXTURE_KEY)
        .expect("key")
        .with_kid("fixture-key-1");
    let Value::Object(claims) = f["claims"].clone() else {
        panic!("claims")
    };
    assert_eq!(
        key.sign_jwt(&claims).expect("signed"),
        f["jwt"].as_str().expect("jwt")
    );
}

#[test]
fn assertion_builder_with_fixed_time_reproduces_the_pyjwt_claim_set() {
    let f = fixture();
    let key = PrivateKey::from_pem(FIXTURE_KEY)
        .expect("key")
        .with_kid("fixture-key-1");
    let mut a = JwtAssertion::new(
        "fixture@oidckit-test.iam.gserviceaccount.com",
        "https://oauth2.googleapis.com/token",
        key.clone(),
    );
    a.scope = Some("https://www.googleapis.com/auth/cloud-platform".into());
    a.subject = Some("user@example.com".into());
    let claims = a.claims(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000));
    assert_eq!(Value::Object(claims.clone()), f["claims"]);
    assert_eq!(
        key.sign_jwt(&claims).expect("signed"),
        f["jwt"].as_str().expect("jwt")
    );
}

#[test]
fn our_verifier_accepts_the_pyjwt_signature() {
    let f = fixture();
    let jwt = f["jwt"].as_str().expect("jwt");
    let vk = PrivateKey::from_pem(FIXTURE_KEY)
        .expect("key")
        .verifying_key()
        .expect("public");
    let jws = oidckit::jose::CompactJws::parse(jwt).expect("parses");
    assert_eq!(jws.header.alg, Alg::RS256);
    assert!(vk.verify(&Alg::RS256, jws.signing_input(), jws.signature()));
}

/// The fixture key as a Google service account key whose token_uri is the mock's.
fn service_account_json(p: &MockProvider) -> Value {
    json!({
        "type": "service_account",
        "project_id": "oidckit-test",
        "private_key_id": "fixture-key-1",
        "private_key": FIXTURE_KEY,
        "client_email": "fixture@oidckit-test.iam.gserviceaccount.com",
        "client_id": "1234567890",
        "token_uri": format!("{}/token", p.issuer()),
    })
}

fn register_fixture_key(p: &MockProvider, id: &str) {
    // The public key comes from rcgen, not from oidckit.
    let kp = rcgen::KeyPair::from_pem(FIXTURE_KEY).expect("rcgen reads the fixture key");
    p.register_client_key(id, &kp.public_key_pem())
        .expect("registered");
}

#[tokio::test]
async fn google_service_account_key_gets_a_token_with_the_jwt_bearer_grant() {
    let p = provider_with(|_| {});
    register_fixture_key(&p, "fixture@oidckit-test.iam.gserviceaccount.com");
    let sa = ServiceAccountKey::load(&service_account_json(&p).to_string()).expect("key");
    let client = sa.client().expect("client");
    let a = sa.assertion(
        "https://www.googleapis.com/auth/devstorage.read_only",
        Some("user@example.com"),
    );
    let t = client.jwt_bearer(&a).await.expect("token");
    assert_eq!(
        t.scope.as_deref(),
        Some("https://www.googleapis.com/auth/devstorage.read_only")
    );
    let req = p
        .requests()
        .into_iter()
        .rfind(|r| r.path == "/token")
        .expect("request");
    assert_eq!(
        req.param("grant_type"),
        Some("urn:ietf:params:oauth:grant-type:jwt-bearer")
    );
    let sent = oidckit::jwt_bearer::unverified_payload(req.param("assertion").expect("assertion"))
        .expect("payload");
    assert_eq!(sent["iss"], "fixture@oidckit-test.iam.gserviceaccount.com");
    assert_eq!(sent["sub"], "user@example.com");
    assert_eq!(sent["aud"], format!("{}/token", p.issuer()));
    assert_eq!(
        sent["exp"].as_u64().expect("exp") - sent["iat"].as_u64().expect("iat"),
        3600
    );
    // The access token is known to the provider.
    let info = reqwest::get(format!(
        "{}/tokeninfo?access_token={}",
        p.issuer(),
        t.access_token.expect("at")
    ))
    .await
    .expect("sent");
    assert_eq!(info.status(), 200);
}

#[tokio::test]
async fn google_assertion_signed_with_another_key_is_refused() {
    let p = provider_with(|_| {});
    let other = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("key");
    p.register_client_key(
        "fixture@oidckit-test.iam.gserviceaccount.com",
        &other.public_key_pem(),
    )
    .expect("registered");
    let sa = ServiceAccountKey::from_json(&service_account_json(&p).to_string()).expect("key");
    let err = sa
        .client()
        .expect("client")
        .jwt_bearer(&sa.assertion("s", None))
        .await
        .expect_err("wrong key");
    assert_eq!(
        (err.code(), err.oauth_error()),
        (151, Some("invalid_grant"))
    );
}

#[test]
fn service_account_key_json_missing_fields_is_code_913_naming_the_field() {
    let p = MockProvider::start(Default::default()).expect("mock");
    for field in ["private_key", "client_email", "token_uri"] {
        let mut v = service_account_json(&p);
        v.as_object_mut().expect("object").remove(field);
        let err = ServiceAccountKey::from_json(&v.to_string()).expect_err(field);
        assert_eq!(err.code(), 913);
        assert!(
            matches!(err, oidckit::Error::InvalidServiceAccountKey { field: Some(f), .. } if f == field)
        );
    }
    assert_eq!(
        ServiceAccountKey::from_json("not json")
            .expect_err("json")
            .code(),
        913
    );
    assert_eq!(
        ServiceAccountKey::load("/nonexistent/key.json")
            .expect_err("file")
            .code(),
        913
    );
}

/// A self-signed certificate and its key, made by rcgen.
fn certificate(alg: &'static rcgen::SignatureAlgorithm) -> (rcgen::KeyPair, Vec<u8>, String) {
    let kp = rcgen::KeyPair::generate_for(alg).expect("key");
    let cert = rcgen::CertificateParams::new(vec!["oidckit-test".into()])
        .expect("params")
        .self_signed(&kp)
        .expect("cert");
    (kp, cert.der().to_vec(), cert.pem())
}

#[cfg(feature = "pkcs12")]
fn pkcs12(kp: &rcgen::KeyPair, cert_der: &[u8], password: &str) -> Vec<u8> {
    let key = p12_keystore::PrivateKey::from_der(&kp.serialize_der()).expect("pkcs8");
    let cert = p12_keystore::Certificate::from_der(cert_der).expect("cert");
    let chain = p12_keystore::PrivateKeyChain::new(vec![1u8, 2, 3], key, [cert]);
    let mut ks = p12_keystore::KeyStore::new();
    ks.add_entry(
        "client",
        p12_keystore::KeyStoreEntry::PrivateKeyChain(chain),
    );
    ks.writer(password).write().expect("pkcs12")
}

/// Client credentials with a certificate assertion, Microsoft Entra ID style; returns the
/// header of the assertion the provider received.
async fn microsoft_style(p: &MockProvider, key: PrivateKey) -> Value {
    let mut cfg = ClientConfig::new(p.issuer(), "cert-client");
    cfg.client_key = Some(key);
    let c = oidckit::Client::discover(cfg).await.expect("discovery");
    c.client_credentials(Some("https://graph.microsoft.com/.default"))
        .await
        .expect("token");
    let req = p
        .requests()
        .into_iter()
        .rfind(|r| r.path == "/token")
        .expect("request");
    let jwt = req.param("client_assertion").expect("assertion");
    serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(jwt.split('.').next().expect("header"))
            .expect("b64"),
    )
    .expect("json")
}

#[cfg(feature = "pkcs12")]
#[tokio::test]
async fn microsoft_certificate_assertion_from_pkcs12_carries_x5t_and_x5t_s256() {
    let p = provider_with(|c| c.clients.push(MockClient::public("cert-client")));
    let (kp, der, _) = certificate(&rcgen::PKCS_RSA_SHA256);
    p.register_client_key("cert-client", &kp.public_key_pem())
        .expect("registered");
    let key = PrivateKey::from_pkcs12(&pkcs12(&kp, &der, "pa55"), "pa55").expect("opens");
    let header = microsoft_style(&p, key).await;
    assert_eq!(header["alg"], "RS256");
    assert_eq!(
        header["x5t#S256"],
        URL_SAFE_NO_PAD.encode(<sha2::Sha256 as sha2::Digest>::digest(&der))
    );
    assert_eq!(
        header["x5t"]
            .as_str()
            .map(|t| URL_SAFE_NO_PAD.decode(t).expect("b64").len()),
        Some(20)
    );
}

#[tokio::test]
async fn certificate_and_key_from_one_pem_file_work_too() {
    let p = provider_with(|c| c.clients.push(MockClient::public("cert-client")));
    let (kp, der, cert_pem) = certificate(&rcgen::PKCS_ECDSA_P256_SHA256);
    p.register_client_key("cert-client", &kp.public_key_pem())
        .expect("registered");
    let key = PrivateKey::from_pem(&format!("{cert_pem}\n{}", kp.serialize_pem())).expect("key");
    assert_eq!(key.certificate_der(), Some(&der[..]));
    let header = microsoft_style(&p, key).await;
    assert_eq!(header["alg"], "ES256");
    assert!(header["x5t"].is_string());
}

#[cfg(feature = "pkcs12")]
#[test]
fn unreadable_or_wrong_password_pkcs12_is_code_912() {
    let (kp, der, _) = certificate(&rcgen::PKCS_ECDSA_P256_SHA256);
    let p12 = pkcs12(&kp, &der, "right");
    assert_eq!(
        PrivateKey::from_pkcs12(&p12, "wrong")
            .expect_err("password")
            .code(),
        912
    );
    assert_eq!(
        PrivateKey::from_pkcs12(b"not pkcs12", "right")
            .expect_err("garbage")
            .code(),
        912
    );
    assert!(PrivateKey::from_pkcs12(&p12, "right").is_ok());
}

#[test]
fn public_jwk_has_no_private_members_and_pins_the_keys_alg() {
    let rsa = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("key");
    let key = PrivateKey::from_pem(&rsa.serialize_pem()).expect("rsa");
    let public: Value = serde_json::from_str(&key.public_jwk()).expect("jwk");
    assert_eq!(public["kty"], "RSA");
    assert!(public.get("d").is_none());
    let m = serde_json::Map::new();
    let jwt = key
        .clone()
        .with_alg(Alg::PS256)
        .expect("ps256")
        .sign_jwt(&m)
        .expect("signed");
    let jws = oidckit::jose::CompactJws::parse(&jwt).expect("parses");
    let vk = oidckit::VerifyingKey::from_jwk(&key.public_jwk()).expect("public");
    assert!(
        !vk.verify(&Alg::PS256, jws.signing_input(), jws.signature()),
        "the JWK pins alg RS256"
    );
}
