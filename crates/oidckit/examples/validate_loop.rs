//! Profiling aid: validates one HS256 and one RS256 ID token in a loop, for callgrind/perf.
//!
//! ```sh
//! cargo build --release -p oidckit --example validate_loop
//! valgrind --tool=callgrind target/release/examples/validate_loop hs256 20000
//! ```

use oidckit::{Checks, Jwks, Validator};
use oidckit_mock::{MockConfig, MockProvider, SigningAlg};
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let alg = match args.next().as_deref() {
        Some("rs256") => SigningAlg::RS256,
        _ => SigningAlg::HS256,
    };
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let p = MockProvider::start(MockConfig::default())?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let claims = json!({
        "iss": p.issuer(), "sub": "248289761001", "aud": "test-client", "nonce": "n-0S6_WzA2Mj",
        "iat": now, "exp": now + 3600, "auth_time": now, "name": "Jane Doe", "email": "janedoe@example.com",
        "email_verified": true, "at_hash": "77QmUPtjPfzWtF2AnpK9RQ"
    });
    let token = p.sign_jwt(&claims, alg);
    let jwks = Jwks::from_json(p.jwks().to_string().as_bytes())?;
    let v = Validator::new(p.issuer(), "test-client")
        .with_allowed_algs([oidckit::Alg::from(alg.as_str())])
        .with_client_secret("test-secret");
    let mut checks = Checks::default();
    checks.nonce = Some("n-0S6_WzA2Mj");
    let mut ok = 0;
    for _ in 0..n {
        ok += usize::from(
            v.validate(std::hint::black_box(&token), &jwks, &checks)
                .is_ok(),
        );
    }
    println!("{ok}/{n} valid");
    Ok(())
}
