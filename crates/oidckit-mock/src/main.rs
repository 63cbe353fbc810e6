//! `oidckit-mock [--port N] [--alg RS256]` — run the mock OpenID Provider until Ctrl-C.
//!
//! For local experiments and demos only; this is not a production provider.

use std::process::ExitCode;

use oidckit_mock::{MockConfig, MockProvider, SigningAlg};

const USAGE: &str =
    "usage: oidckit-mock [--port N] [--alg ALG] [--no-auto-approve] [--signed-userinfo]
  --port N             listen on 127.0.0.1:N (default: a random free port)
  --alg ALG            ID token signing algorithm (RS256 default; RS384 RS512 PS256 PS384 PS512
                       ES256 ES384 EdDSA HS256 HS384 HS512)
  --no-auto-approve    show a login page instead of approving at once
  --signed-userinfo    answer UserInfo with a signed JWT";

fn main() -> ExitCode {
    let mut config = MockConfig::default();
    let mut port: u16 = 0;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| args.next());
        match name.as_str() {
            "--port" | "-p" => match value().and_then(|v| v.parse().ok()) {
                Some(p) => port = p,
                None => return usage_error("--port needs a number between 0 and 65535"),
            },
            "--alg" => match value().as_deref().and_then(SigningAlg::parse) {
                Some(a) => config.id_token_alg = a,
                None => return usage_error("--alg needs a supported algorithm name"),
            },
            "--no-auto-approve" => config.auto_approve = false,
            "--signed-userinfo" => config.userinfo_signed = true,
            "--help" | "-h" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => return usage_error(&format!("unknown argument '{other}'")),
        }
    }

    let provider = match MockProvider::start_on(config, port) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("oidckit-mock: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", provider.issuer());
    eprintln!(
        "oidckit-mock: listening; discovery at {} (clients: test-client/test-secret, \
         public-client). Press Ctrl-C to stop.",
        provider.discovery_url()
    );

    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("oidckit-mock: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let _ = tokio::signal::ctrl_c().await;
    });
    provider.stop();
    ExitCode::SUCCESS
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("oidckit-mock: {msg}\n{USAGE}");
    ExitCode::from(2)
}
