//! `oidckit dpop-proof`: prints a DPoP proof (RFC 9449) for one request, for use with curl:
//! `curl -H "Authorization: DPoP $AT" -H "DPoP: $(oidckit dpop-proof --key k.pem --url U --access-token $AT)" U`.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use serde_json::json;

use crate::output;

/// Flags of `oidckit dpop-proof`.
#[derive(Debug, Clone, Args)]
pub struct DpopProofArgs {
    /// The DPoP private key (PEM or private JWK), the one the tokens are bound to.
    #[arg(long, value_name = "PATH")]
    pub key: PathBuf,

    /// The HTTP method of the request.
    #[arg(long, value_name = "METHOD", default_value = "GET")]
    pub method: String,

    /// The URL of the request (query and fragment are left out of the proof).
    #[arg(long, value_name = "URL")]
    pub url: String,

    /// Bind the proof to this access token (`ath`), for resource requests.
    #[arg(long, value_name = "TOKEN", allow_hyphen_values = true)]
    pub access_token: Option<String>,

    /// The server's `DPoP-Nonce`, when it asked for one.
    #[arg(long, value_name = "NONCE")]
    pub nonce: Option<String>,
}

/// Reads a DPoP key file (PEM or private JWK).
pub fn read_key(path: &PathBuf) -> anyhow::Result<oidckit::PrivateKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the DPoP key {}", path.display()))?;
    Ok(oidckit::PrivateKey::from_text(&text)?)
}

/// Runs `oidckit dpop-proof`.
pub fn run(args: DpopProofArgs, json: bool) -> anyhow::Result<()> {
    let key = read_key(&args.key)?;
    let proof = oidckit::dpop::proof(
        &key,
        &args.method,
        &args.url,
        args.access_token.as_deref(),
        args.nonce.as_deref(),
    )?;
    if json {
        return output::print_json(&json!({ "dpop": proof }));
    }
    output::print_line(&proof)
}
