//! The facade's settings beyond the seed (`UsePAR`, `RequestObject`, `ResponseMode`, `UseDPoP`,
//! `DPoPKey`, `ClientKey`, `DecryptionKey`, `Resource`, `SecurityProfile`) end to end through
//! `OpenId::config` against the mock provider, which checks PAR, request objects, JARM, DPoP
//! proofs and client assertions with its own JOSE code, and encrypts with its own JWE code.

use std::path::PathBuf;

use oidckit::openid::{ClientProfile, OpenId};
use oidckit_mock::{
    Misbehavior, MockClient, MockConfig, MockProvider, RecordedRequest, SigningAlg,
};

const REDIRECT: &str = "http://127.0.0.1:9/cb";

fn provider_with(f: impl FnOnce(&mut MockConfig)) -> MockProvider {
    let mut cfg = MockConfig::default();
    f(&mut cfg);
    MockProvider::start(cfg).expect("mock provider starts")
}

/// A Web-profile facade for the mock's confidential client, after discovery.
fn web_openid(p: &MockProvider) -> OpenId {
    let mut o = OpenId::new();
    o.set_client_id("test-client");
    o.set_client_secret("test-secret");
    o.set_client_profile(ClientProfile::Web);
    o.set_return_url(REDIRECT);
    o.get_discovery_doc(&p.discovery_url()).expect("discovery");
    o
}

/// get_authorization_url, the scripted browser, get_authorization with the callback URL.
fn web_sign_in(o: &mut OpenId) -> oidckit::Result<String> {
    let url = o.get_authorization_url()?;
    let outcome = oidckit_mock::browser::authorize(&url).expect("provider answers");
    o.set_authorization_code(outcome.callback_url());
    o.get_authorization()
}

fn last<'a>(reqs: &'a [RecordedRequest], path: &str) -> &'a RecordedRequest {
    reqs.iter()
        .rev()
        .find(|r| r.path == path)
        .unwrap_or_else(|| panic!("no request to {path}"))
}

fn header<'a>(r: &'a RecordedRequest, name: &str) -> Option<&'a str> {
    r.headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The names of the authorization URL's query parameters.
fn query_names(url: &str) -> Vec<String> {
    url::Url::parse(url)
        .expect("URL")
        .query_pairs()
        .map(|(k, _)| k.into_owned())
        .collect()
}

fn es256_pem() -> (String, String) {
    let kp = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    (kp.serialize_pem(), kp.public_key_pem())
}

fn temp_file(name: &str, text: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("oidckit-seed-ext-{}-{name}", std::process::id()));
    std::fs::write(&path, text).expect("write");
    path
}

#[test]
fn use_par_pushes_the_request_and_the_url_carries_only_a_reference() {
    let p = provider_with(|_| {});
    let mut o = web_openid(&p);
    assert_eq!(o.config("UsePAR").expect("read"), "false");
    o.config("UsePAR=true").expect("UsePAR");
    assert_eq!(o.config("usepar").expect("read"), "true");
    let url = o.get_authorization_url().expect("pushed");
    assert_eq!(query_names(&url), ["client_id", "request_uri"]);
    let reqs = p.requests();
    let pushed = last(&reqs, "/par");
    assert_eq!(pushed.param("redirect_uri"), Some(REDIRECT));
    assert_eq!(pushed.param("code_challenge_method"), Some("S256"));
    let outcome = oidckit_mock::browser::authorize(&url).expect("provider answers");
    o.set_authorization_code(outcome.callback_url());
    let authorization = o.get_authorization().expect("sign-in");
    assert!(authorization.starts_with("Bearer "), "{authorization}");
}

#[test]
fn a_provider_requiring_par_gets_pushed_requests_without_use_par() {
    let p = provider_with(|c| c.require_par = true);
    let mut o = web_openid(&p);
    web_sign_in(&mut o).expect("sign-in");
    assert_eq!(p.requests().iter().filter(|r| r.path == "/par").count(), 1);
}

#[test]
fn request_object_with_use_par_pushes_a_signed_request() {
    let p = provider_with(|_| {});
    let mut o = web_openid(&p);
    o.config("RequestObject=true").expect("RequestObject");
    o.config("UsePAR=true").expect("UsePAR");
    web_sign_in(&mut o).expect("sign-in with a pushed request object");
    let reqs = p.requests();
    let pushed = last(&reqs, "/par");
    let request = pushed
        .param("request")
        .expect("a request object was pushed");
    assert_eq!(request.split('.').count(), 3, "a JWS");
    assert_eq!(pushed.param("redirect_uri"), None, "only inside the object");
}

#[test]
fn jarm_response_mode_is_verified_through_the_facade() {
    let p = provider_with(|_| {});
    let mut o = web_openid(&p);
    let err = o.config("ResponseMode=query.jwtt").expect_err("typo");
    assert_eq!(err.code(), 921);
    o.config("ResponseMode=QUERY.JWT").expect("ResponseMode");
    assert_eq!(o.config("ResponseMode").expect("read"), "query.jwt");
    web_sign_in(&mut o).expect("JARM sign-in");
    let reqs = p.requests();
    assert_eq!(
        last(&reqs, "/authorize").param("response_mode"),
        Some("query.jwt")
    );
    assert!(!o.get_param("response").is_empty(), "the JWT came back");

    // A response JWT with a bad signature is refused before the code is used.
    p.set_misbehavior(Misbehavior::JarmBadSignature);
    let before = p.requests().iter().filter(|r| r.path == "/token").count();
    let err = web_sign_in(&mut o).expect_err("bad signature");
    assert_eq!(err.code(), 952);
    let after = p.requests().iter().filter(|r| r.path == "/token").count();
    assert_eq!(before, after, "no code exchange");
}

#[test]
fn use_dpop_gives_dpop_bound_tokens_used_at_userinfo() {
    let p = provider_with(|_| {});
    let mut o = web_openid(&p);
    o.config("UseDPoP=true").expect("UseDPoP");
    let authorization = web_sign_in(&mut o).expect("sign-in with DPoP");
    assert!(authorization.starts_with("DPoP "), "{authorization}");
    assert_eq!(o.config("AuthorizationTokenType").expect("read"), "DPoP");
    o.get_user_info().expect("UserInfo with a DPoP proof");
    let reqs = p.requests();
    assert!(header(last(&reqs, "/token"), "dpop").is_some());
    // The mock refuses a bound token sent as Bearer, proof or not, and checks that the proof's
    // key is the token's (it records the request after turning `DPoP` into `Bearer`).
    assert!(header(last(&reqs, "/userinfo"), "dpop").is_some());
}

/// The `jwk` of a DPoP proof's header.
fn proof_jwk(proof: &str) -> serde_json::Value {
    let header = jsonwebtoken::decode_header(proof).expect("proof header");
    serde_json::to_value(header.jwk.expect("jwk")).expect("jwk JSON")
}

#[test]
fn dpop_key_setting_reads_the_key_file_and_refuses_a_bad_one() {
    let p = provider_with(|_| {});
    let (pem, _) = es256_pem();
    let file = temp_file("dpop.pem", &pem);
    let path = file.to_string_lossy().to_string();
    // Two facades with the same DPoPKey file sign their proofs with the same key.
    let mut jwks = Vec::new();
    for _ in 0..2 {
        let mut o = web_openid(&p);
        o.config(&format!("DPoPKey={path}")).expect("DPoPKey");
        assert_eq!(o.config("DPoPKey").expect("read"), path);
        let authorization = web_sign_in(&mut o).expect("sign-in");
        assert!(authorization.starts_with("DPoP "), "the key turns DPoP on");
        let reqs = p.requests();
        jwks.push(proof_jwk(
            header(last(&reqs, "/token"), "dpop").expect("proof"),
        ));
    }
    assert_eq!(jwks[0], jwks[1]);
    // UseDPoP alone: a fresh key per client.
    let mut o = web_openid(&p);
    o.config("UseDPoP=true").expect("UseDPoP");
    web_sign_in(&mut o).expect("sign-in");
    let reqs = p.requests();
    assert_ne!(
        proof_jwk(header(last(&reqs, "/token"), "dpop").expect("proof")),
        jwks[0]
    );

    // A missing file and a file that is not a key are refused when written.
    let mut o = OpenId::new();
    let missing = std::env::temp_dir().join("oidckit-no-such-key.pem");
    for bad in [
        missing.to_string_lossy().to_string(),
        temp_file("not-a-key.pem", "hello")
            .to_string_lossy()
            .to_string(),
    ] {
        let err = o.config(&format!("DPoPKey={bad}")).expect_err("bad key");
        assert_eq!(err.code(), 921);
        assert_eq!(o.config("DPoPKey").expect("read"), "", "unchanged");
    }
    let _ = std::fs::remove_file(file);
}

/// An ES256 provider with a public `key-client` whose ES256 key is registered; the key's PEM.
fn fapi_provider() -> (MockProvider, String) {
    let p = provider_with(|c| {
        c.id_token_alg = SigningAlg::ES256;
        c.clients.push(MockClient::public("key-client"));
    });
    let (pem, public) = es256_pem();
    p.register_client_key("key-client", &public)
        .expect("registered");
    (p, pem)
}

fn fapi_openid(p: &MockProvider, key_pem: &str) -> OpenId {
    let mut o = OpenId::new();
    o.set_client_id("key-client");
    o.set_client_profile(ClientProfile::Web);
    o.set_return_url(REDIRECT);
    o.get_discovery_doc(&p.discovery_url()).expect("discovery");
    o.config(&format!("ClientKey={key_pem}"))
        .expect("ClientKey");
    o.config("SecurityProfile=fapi2").expect("SecurityProfile");
    o
}

#[test]
fn security_profile_fapi2_signs_in_with_par_private_key_jwt_and_dpop() {
    let (p, pem) = fapi_provider();
    let mut o = fapi_openid(&p, &pem);
    assert_eq!(o.config("SecurityProfile").expect("read"), "FAPI2");
    let url = o.get_authorization_url().expect("pushed");
    assert_eq!(query_names(&url), ["client_id", "request_uri"]);
    let outcome = oidckit_mock::browser::authorize(&url).expect("provider answers");
    o.set_authorization_code(outcome.callback_url());
    let authorization = o.get_authorization().expect("FAPI 2.0 sign-in");
    assert!(authorization.starts_with("DPoP "), "{authorization}");
    o.get_user_info().expect("UserInfo with DPoP");
    let reqs = p.requests();
    let pushed = last(&reqs, "/par");
    assert!(pushed.param("client_assertion").is_some());
    let token = last(&reqs, "/token");
    assert!(token.param("client_assertion").is_some());
    assert!(header(token, "dpop").is_some());
}

#[test]
fn security_profile_fapi2_refuses_what_the_profile_forbids() {
    let (p, pem) = fapi_provider();
    // A client secret instead of a key: the client authentication rule.
    let mut o = web_openid(&p);
    o.config("SecurityProfile=FAPI2").expect("SecurityProfile");
    let err = o.get_authorization_url().expect_err("client_secret_basic");
    assert_eq!(err.code(), 953);
    assert!(
        matches!(
            err,
            oidckit::Error::Fapi2 {
                rule: "client authentication",
                ..
            }
        ),
        "{err:?}"
    );
    // The profile does not override a plain PKCE setting; it refuses it.
    let mut o = fapi_openid(&p, &pem);
    o.config("PKCEChallengeEncoding=1").expect("plain");
    let err = o.get_authorization_url().expect_err("plain PKCE");
    assert!(
        matches!(
            err,
            oidckit::Error::Fapi2 {
                rule: "PKCE S256",
                ..
            }
        ),
        "{err:?}"
    );
    // Back to no profile: the same facade builds a plain client again.
    let mut o = web_openid(&p);
    o.config("SecurityProfile=FAPI2").expect("on");
    o.config("SecurityProfile=").expect("off");
    web_sign_in(&mut o).expect("plain sign-in");
}

/// Every value of `name` in a recorded request.
fn params<'a>(r: &'a RecordedRequest, name: &str) -> Vec<&'a str> {
    r.params
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

#[test]
fn resource_setting_names_the_resources_at_authorization_code_exchange_and_refresh() {
    let p = provider_with(|_| {});
    let mut o = web_openid(&p);
    let (api, files) = ("https://api.example.com/", "https://files.example.com/v1");
    o.config(&format!("Resource={api}  {files}"))
        .expect("Resource");
    let url = o.get_authorization_url().expect("url");
    let in_url: Vec<String> = url::Url::parse(&url)
        .expect("URL")
        .query_pairs()
        .filter(|(k, _)| k == "resource")
        .map(|(_, v)| v.into_owned())
        .collect();
    assert_eq!(in_url, [api, files]);
    let outcome = oidckit_mock::browser::authorize(&url).expect("provider answers");
    o.set_authorization_code(outcome.callback_url());
    o.get_authorization().expect("sign-in");
    let exchange = last(&p.requests(), "/token").clone();
    assert_eq!(exchange.param("grant_type"), Some("authorization_code"));
    assert_eq!(params(&exchange, "resource"), [api, files]);

    o.get_authorization().expect("refresh");
    let refresh = last(&p.requests(), "/token").clone();
    assert_eq!(refresh.param("grant_type"), Some("refresh_token"));
    assert_eq!(params(&refresh, "resource"), [api, files]);

    o.config("Resource=not a uri")
        .expect("written; checked when the client is built");
    let err = o
        .get_authorization_url()
        .expect_err("a relative resource is refused");
    assert_eq!(err.code(), 921, "{err}");
}

#[test]
fn decryption_key_setting_opens_encrypted_id_tokens_and_userinfo() {
    let (pem, _) = es256_pem();
    let public = oidckit::DecryptionKey::from_text(&pem)
        .expect("an EC decryption key")
        .public_jwk();
    let p = provider_with(|c| {
        c.id_token_encryption = Some(oidckit_mock::MockEncryption::new(
            public.clone(),
            "ECDH-ES+A128KW",
            "A256GCM",
        ));
        c.userinfo_encryption = Some(oidckit_mock::MockEncryption::new(
            public,
            "ECDH-ES",
            "A128CBC-HS256",
        ));
    });

    let mut without = web_openid(&p);
    let err = web_sign_in(&mut without).expect_err("no key for an encrypted ID token");
    assert_eq!(err.code(), 958, "{err}");

    let mut o = web_openid(&p);
    let err = o
        .config("DecryptionKey=-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----")
        .expect_err("checked when written");
    assert_eq!(err.code(), 921, "{err}");
    o.set_authorization_scope("openid email");
    let path = temp_file("enc.pem", &pem);
    o.config(&format!("DecryptionKey={}", path.display()))
        .expect("DecryptionKey from a file");
    web_sign_in(&mut o).expect("the encrypted ID token opens and verifies");
    assert_eq!(o.user_details_subject(), "248289761001");
    o.get_user_info().expect("the encrypted UserInfo opens");
    assert_eq!(o.user_details_email(), "janedoe@example.com");
    let _ = std::fs::remove_file(path);
}
