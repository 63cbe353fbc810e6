//! `oidckit verify --profile id-token|access-token|jwt` against keys fetched from the mock
//! provider (discovery or a JWKS URL) over real HTTP.
// See: issue 15, item 6.

mod support;

use std::process::Output;
use std::time::Duration;

use oidckit_mock::{MockConfig, MockProvider, SigningAlg};
use serde_json::{Value, json};

use support::{json_of, run_with};

const RESOURCE: &str = "https://api.example.com";

fn verify(token: &str, args: &[&str]) -> Output {
    let mut all = vec!["verify", token, "--json"];
    all.extend_from_slice(args);
    run_with(&all, &[], Duration::from_secs(60))
}

fn code(out: &Output) -> Value {
    json_of(out)["error"]["code"].clone()
}

fn access_claims(p: &MockProvider) -> Value {
    json!({ "iss": p.issuer(), "sub": "user-1", "aud": RESOURCE, "client_id": "test-client",
            "jti": "j1", "iat": 1_700_000_000u64, "exp": 4_000_000_000u64 })
}

#[test]
fn access_tokens_verify_with_their_own_rules() {
    let p = MockProvider::start(MockConfig::default()).expect("mock");
    let issuer = p.issuer();
    let jwks = format!("{issuer}/jwks");
    let at = p.sign_jwt_with_header(
        &access_claims(&p),
        SigningAlg::RS256,
        &json!({"typ": "at+jwt"}),
    );
    let plain = p.sign_jwt(&access_claims(&p), SigningAlg::RS256);
    let ok = verify(
        &at,
        &[
            "--profile",
            "access-token",
            "--issuer",
            &issuer,
            "--audience",
            RESOURCE,
            "--client-id",
            "test-client",
            "--strict",
        ],
    );
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    assert_eq!(json_of(&ok)["claims"]["client_id"], "test-client");
    // Keys from a JWKS URL instead of discovery.
    let ok = verify(
        &plain,
        &[
            "--profile",
            "access-token",
            "--issuer",
            &issuer,
            "--audience",
            RESOURCE,
            "--jwks",
            &jwks,
        ],
    );
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    // --strict needs typ at+jwt.
    let out = verify(
        &plain,
        &[
            "--profile",
            "access-token",
            "--issuer",
            &issuer,
            "--audience",
            RESOURCE,
            "--strict",
        ],
    );
    assert_eq!(code(&out), 903);
    // --client-id is compared with client_id.
    let out = verify(
        &plain,
        &[
            "--profile",
            "access-token",
            "--issuer",
            &issuer,
            "--audience",
            RESOURCE,
            "--client-id",
            "other",
        ],
    );
    assert_eq!(code(&out), 903);
    // The default ID token profile refuses it for test-client (aud is the resource).
    let out = verify(&plain, &["--issuer", &issuer, "--client-id", "test-client"]);
    assert_eq!(code(&out), 903);
}

#[test]
fn a_jwt_without_sub_verifies_with_the_jwt_profile_only() {
    let p = MockProvider::start(MockConfig::default()).expect("mock");
    let issuer = p.issuer();
    let t = p.sign_jwt(
        &json!({ "iss": issuer, "aud": "svc", "email": "robot@example.com", "exp": 4_000_000_000u64 }),
        SigningAlg::RS256,
    );
    let ok = verify(&t, &["--profile", "jwt", "--issuer", &issuer]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    let ok = verify(
        &t,
        &["--profile", "jwt", "--issuer", &issuer, "--audience", "svc"],
    );
    assert_eq!(ok.status.code(), Some(0));
    assert_eq!(
        code(&verify(
            &t,
            &["--profile", "jwt", "--issuer", &issuer, "--audience", "x"]
        )),
        903
    );
    assert_eq!(
        code(&verify(&t, &["--issuer", &issuer, "--audience", "svc"])),
        903,
        "sub is required for ID tokens"
    );
    let expired = p.sign_jwt(
        &json!({ "iss": issuer, "exp": 1_000u64 }),
        SigningAlg::RS256,
    );
    assert_eq!(
        code(&verify(
            &expired,
            &["--profile", "jwt", "--issuer", &issuer]
        )),
        903
    );
}

#[test]
fn an_id_token_audience_differing_from_client_id_checks_aud_and_azp_separately() {
    let p = MockProvider::start(MockConfig::default()).expect("mock");
    let issuer = p.issuer();
    let t = p.sign_jwt(
        &json!({ "iss": issuer, "sub": "u", "aud": ["test-client", "api"], "azp": "test-client",
                 "iat": 1_700_000_000u64, "exp": 4_000_000_000u64 }),
        SigningAlg::RS256,
    );
    let ok = verify(
        &t,
        &[
            "--issuer",
            &issuer,
            "--client-id",
            "test-client",
            "--audience",
            "api",
        ],
    );
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    let out = verify(
        &t,
        &[
            "--issuer",
            &issuer,
            "--client-id",
            "test-client",
            "--audience",
            "nope",
        ],
    );
    assert_eq!(code(&out), 903);
    let out = verify(&t, &["--issuer", &issuer, "--client-id", "api"]);
    assert_eq!(code(&out), 903, "azp is test-client");
}
