//! `Validator::with_profile`: RFC 9068 JWT access tokens and plain signed JWTs, signed by the
//! mock provider's independent JOSE code.

use oidckit::{Checks, ClaimCheck, Error, Jwks, TokenProfile, Validator};
use oidckit_mock::{MockConfig, MockProvider, SigningAlg};
use serde_json::{Value, json};

const RESOURCE: &str = "https://api.example.com";

fn setup() -> (MockProvider, Jwks) {
    let p = MockProvider::start(MockConfig::default()).expect("mock");
    // Sign once so that the key is in the JWKS.
    p.sign_jwt(&json!({}), SigningAlg::RS256);
    let jwks = Jwks::from_json(p.jwks().to_string().as_bytes()).expect("jwks");
    (p, jwks)
}

fn access_claims(p: &MockProvider) -> Value {
    json!({ "iss": p.issuer(), "sub": "user-1", "aud": RESOURCE, "client_id": "test-client",
            "jti": "j1", "iat": 1_700_000_000u64, "exp": 4_000_000_000u64 })
}

fn claim_of(err: &Error) -> (&'static str, ClaimCheck) {
    match err {
        Error::IdTokenClaim { claim, check, .. } => (claim, *check),
        other => panic!("not a claim error: {other:?}"),
    }
}

#[test]
fn an_rfc_9068_access_token_checks_typ_only_when_strict_and_client_id_only_when_given() {
    let (p, jwks) = setup();
    let at_jwt = p.sign_jwt_with_header(
        &access_claims(&p),
        SigningAlg::RS256,
        &json!({"typ": "at+jwt"}),
    );
    let plain = p.sign_jwt(&access_claims(&p), SigningAlg::RS256);
    let base = || Validator::new(p.issuer(), RESOURCE).with_profile(TokenProfile::AccessToken);
    let checks = Checks::default();

    base()
        .validate(&plain, &jwks, &checks)
        .expect("typ JWT is fine without strict");
    base()
        .with_strict_typ(true)
        .validate(&at_jwt, &jwks, &checks)
        .expect("at+jwt in strict mode");
    let app = p.sign_jwt_with_header(
        &access_claims(&p),
        SigningAlg::RS256,
        &json!({"typ": "application/at+JWT"}),
    );
    base()
        .with_strict_typ(true)
        .validate(&app, &jwks, &checks)
        .expect("media type form");
    let err = base()
        .with_strict_typ(true)
        .validate(&plain, &jwks, &checks)
        .expect_err("typ JWT");
    assert_eq!(err.code(), 903);
    assert_eq!(claim_of(&err), ("typ", ClaimCheck::Mismatch));

    base()
        .with_authorized_party("test-client")
        .validate(&plain, &jwks, &checks)
        .expect("client_id matches");
    let err = base()
        .with_authorized_party("someone-else")
        .validate(&plain, &jwks, &checks)
        .expect_err("client_id differs");
    assert_eq!(claim_of(&err), ("client_id", ClaimCheck::Mismatch));

    let err = Validator::new(p.issuer(), "https://other.example")
        .with_profile(TokenProfile::AccessToken)
        .validate(&plain, &jwks, &checks)
        .expect_err("aud is the resource");
    assert_eq!(claim_of(&err), ("aud", ClaimCheck::Mismatch));

    // As an ID token the same JWT fails: its aud is not the client id.
    let err = Validator::new(p.issuer(), "test-client")
        .validate(&plain, &jwks, &checks)
        .expect_err("not an ID token for test-client");
    assert_eq!(claim_of(&err).0, "aud");

    let mut no_sub = access_claims(&p);
    no_sub.as_object_mut().expect("object").remove("sub");
    let t = p.sign_jwt(&no_sub, SigningAlg::RS256);
    assert_eq!(
        claim_of(&base().validate(&t, &jwks, &checks).expect_err("sub")),
        ("sub", ClaimCheck::Missing)
    );
}

#[test]
fn a_plain_jwt_needs_no_sub_or_exp_but_checks_them_when_present() {
    let (p, jwks) = setup();
    let checks = Checks::default();
    let claims = json!({ "iss": p.issuer(), "aud": "svc", "email": "robot@example.com" });
    let t = p.sign_jwt(&claims, SigningAlg::RS256);
    let jwt = |aud: &str| Validator::new(p.issuer(), aud).with_profile(TokenProfile::Jwt);
    jwt("")
        .validate(&t, &jwks, &checks)
        .expect("no aud check, no sub, no exp");
    jwt("svc")
        .validate(&t, &jwks, &checks)
        .expect("aud given and matching");
    assert_eq!(
        claim_of(&jwt("other").validate(&t, &jwks, &checks).expect_err("aud")).0,
        "aud"
    );
    let expired = p.sign_jwt(
        &json!({ "iss": p.issuer(), "exp": 1_000u64 }),
        SigningAlg::RS256,
    );
    assert_eq!(
        claim_of(
            &jwt("")
                .validate(&expired, &jwks, &checks)
                .expect_err("expired")
        ),
        ("exp", ClaimCheck::Expired)
    );
    let early = p.sign_jwt(
        &json!({ "iss": p.issuer(), "nbf": 4_000_000_000u64 }),
        SigningAlg::RS256,
    );
    assert_eq!(
        claim_of(&jwt("").validate(&early, &jwks, &checks).expect_err("nbf")),
        ("nbf", ClaimCheck::NotYetValid)
    );
    let other_iss = p.sign_jwt(&json!({ "iss": "https://elsewhere" }), SigningAlg::RS256);
    assert_eq!(
        claim_of(
            &jwt("")
                .validate(&other_iss, &jwks, &checks)
                .expect_err("iss")
        )
        .0,
        "iss"
    );
    // The signature still rules: a tampered payload fails whatever the profile.
    let mut parts: Vec<&str> = t.split('.').collect();
    parts[1] = "eyJpc3MiOiJ4In0";
    let tampered = parts.join(".");
    assert_eq!(
        jwt("")
            .validate(&tampered, &jwks, &checks)
            .expect_err("sig")
            .code(),
        903
    );
}
