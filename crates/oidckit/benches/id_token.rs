//! Full ID token validation against the bare signature verification of the same token, per
//! algorithm, in the same run. `cargo bench -p oidckit --bench id_token`
//!
//! `validate/<alg>` is `Validator::validate` with the JWKS already parsed: header parse, alg
//! policy, key selection, signature, payload decode, claims parse and every claim check.
//! `verify_signature/<alg>` is aws-lc-rs verifying the same signature with a pre-parsed key:
//! the floor any validator pays. After criterion's report, a summary prints the ratios.

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_lc_rs::hmac;
use aws_lc_rs::signature::{self, ParsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::Criterion;
use oidckit::{Checks, Jwks, Validator};
use oidckit_mock::{MockConfig, MockProvider, SigningAlg};
use serde_json::{Value, json};

/// The bare verification of one signature: (signing input, signature) → valid?
type BareVerify = Box<dyn Fn(&[u8], &[u8]) -> bool>;

struct Case {
    name: &'static str,
    token: String,
    jwks: Jwks,
    validator: Validator,
    bare: BareVerify,
}

fn b64(v: &Value) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(v.as_str().expect("string").as_bytes())
        .expect("base64url")
}

fn der_integer(bytes: &[u8]) -> Vec<u8> {
    let mut body = bytes.to_vec();
    if body.first().is_some_and(|b| b & 0x80 != 0) {
        body.insert(0, 0);
    }
    der(0x02, &body)
}

fn der(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    if body.len() < 0x80 {
        out.push(body.len() as u8);
    } else if body.len() < 0x100 {
        out.extend_from_slice(&[0x81, body.len() as u8]);
    } else {
        out.extend_from_slice(&[0x82, (body.len() >> 8) as u8, body.len() as u8]);
    }
    out.extend_from_slice(body);
    out
}

fn case(p: &MockProvider, name: &'static str, alg: SigningAlg) -> Case {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let claims = json!({
        "iss": p.issuer(), "sub": "248289761001", "aud": "test-client", "nonce": "n-0S6_WzA2Mj",
        "iat": now, "exp": now + 3600, "auth_time": now, "name": "Jane Doe", "email": "janedoe@example.com",
        "email_verified": true, "at_hash": "77QmUPtjPfzWtF2AnpK9RQ"
    });
    let token = p.sign_jwt(&claims, alg);
    let jwks_doc = p.jwks();
    let jwks = Jwks::from_json(jwks_doc.to_string().as_bytes()).expect("jwks");
    let validator = Validator::new(p.issuer(), "test-client")
        .with_allowed_algs([oidckit::Alg::from(alg.as_str())])
        .with_client_secret("test-secret");
    let kid = oidckit::jose::CompactJws::parse(&token)
        .expect("jws")
        .header
        .kid
        .clone();
    let jwk = jwks_doc["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["kid"].as_str() == kid.as_deref())
        .cloned();
    let bare: BareVerify = match alg {
        SigningAlg::HS256 => {
            let key = hmac::Key::new(hmac::HMAC_SHA256, b"test-secret");
            Box::new(move |m, s| hmac::verify(&key, m, s).is_ok())
        }
        _ => {
            let jwk = jwk.expect("jwk for kid");
            let (va, bytes): (&'static dyn signature::VerificationAlgorithm, Vec<u8>) = match alg {
                SigningAlg::RS256 => {
                    let mut body = der_integer(&b64(&jwk["n"]));
                    body.extend(der_integer(&b64(&jwk["e"])));
                    (&signature::RSA_PKCS1_2048_8192_SHA256, der(0x30, &body))
                }
                SigningAlg::ES256 => {
                    let mut point = vec![4u8];
                    point.extend(b64(&jwk["x"]));
                    point.extend(b64(&jwk["y"]));
                    (&signature::ECDSA_P256_SHA256_FIXED, point)
                }
                SigningAlg::EdDSA => (&signature::ED25519, b64(&jwk["x"])),
                other => panic!("no bare verifier for {other:?}"),
            };
            let key = ParsedPublicKey::new(va, bytes).expect("key");
            Box::new(move |m, s| key.verify_sig(m, s).is_ok())
        }
    };
    Case {
        name,
        token,
        jwks,
        validator,
        bare,
    }
}

fn split(token: &str) -> (Vec<u8>, Vec<u8>) {
    let last = token.rfind('.').expect("dot");
    (
        token.as_bytes()[..last].to_vec(),
        URL_SAFE_NO_PAD.decode(&token[last + 1..]).expect("sig"),
    )
}

fn main() {
    let p = MockProvider::start(MockConfig::default()).expect("mock provider");
    let cases = [
        case(&p, "rs256", SigningAlg::RS256),
        case(&p, "es256", SigningAlg::ES256),
        case(&p, "eddsa", SigningAlg::EdDSA),
        case(&p, "hs256", SigningAlg::HS256),
    ];
    let mut checks = Checks::default();
    checks.nonce = Some("n-0S6_WzA2Mj");
    checks.max_age = Some(Duration::from_secs(600));

    let mut c = Criterion::default().configure_from_args();
    for case in &cases {
        let (input, sig) = split(&case.token);
        assert!((case.bare)(&input, &sig), "{}: bare verify", case.name);
        case.validator
            .validate(&case.token, &case.jwks, &checks)
            .expect("valid token");
        let mut g = c.benchmark_group(case.name);
        g.bench_function(format!("validate/{}", case.name), |b| {
            b.iter(|| {
                case.validator
                    .validate(black_box(&case.token), &case.jwks, &checks)
                    .is_ok()
            })
        });
        g.bench_function(format!("verify_signature/{}", case.name), |b| {
            b.iter(|| (case.bare)(black_box(&input), black_box(&sig)))
        });
        g.finish();
    }
    c.final_summary();

    // Same-run ratio summary: interleaved timing loops, best of several rounds.
    println!("\nratio full validation / bare signature verify (best of 7 rounds):");
    for case in &cases {
        let (input, sig) = split(&case.token);
        let iters = if case.name == "hs256" { 100_000 } else { 2_000 };
        let (mut best_full, mut best_bare) = (f64::MAX, f64::MAX);
        for _ in 0..7 {
            let t = Instant::now();
            for _ in 0..iters {
                black_box(
                    case.validator
                        .validate(black_box(&case.token), &case.jwks, &checks)
                        .is_ok(),
                );
            }
            best_full = best_full.min(t.elapsed().as_secs_f64() / iters as f64);
            let t = Instant::now();
            for _ in 0..iters {
                black_box((case.bare)(black_box(&input), black_box(&sig)));
            }
            best_bare = best_bare.min(t.elapsed().as_secs_f64() / iters as f64);
        }
        println!(
            "  {:<6} validate {:>9.2} µs   verify {:>9.2} µs   ratio {:.2}x",
            case.name,
            best_full * 1e6,
            best_bare * 1e6,
            best_full / best_bare
        );
    }
}
