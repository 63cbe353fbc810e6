//! The `oidckit` command: sign in with any OpenID Provider from a terminal, inspect providers
//! and tokens, and run the mock provider and an offline demo.
//!
//! It is a thin layer over the `oidckit` library (every protocol decision is the library's)
//! for developers and scripts. It does not store tokens anywhere: what it prints is all there is.
//!
//! Exit codes: 0 success; 1 any failure (the error, with its `oidckit` code, is printed on
//! standard error, or as `{"error":{"code":…,"message":…}}` on standard output with `--json`);
//! 2 invalid command-line usage (with `--json` also as `{"error":{"code":2,…}}`). A closed
//! standard output (broken pipe) exits 0.

mod commands;
mod demo;
mod grants;
mod login;
mod network;
mod output;
mod settings;
mod standin;
mod verify;

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

/// Sign in with any OpenID Provider from a terminal, and inspect providers and tokens.
///
/// Settings come from flags, then environment variables (OIDC_ISSUER, OIDC_CLIENT_ID,
/// OIDC_CLIENT_SECRET, OIDC_SCOPE, …), then the named provider (--provider) in the providers
/// file ($XDG_CONFIG_HOME/oidckit/providers.json). Secrets are never printed back.
///
/// Try `oidckit demo` for a complete sign-in against a built-in mock provider (offline).
///
/// Exit codes: 0 success, 1 failure (error code and message on stderr, or as JSON on stdout
/// with --json), 2 usage error.
#[derive(Debug, Parser)]
#[command(name = "oidckit", version, propagate_version = true)]
pub struct Cli {
    /// Print one JSON object on stdout (results or {"error":{"code","message"}}) instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    /// Print each HTTP exchange on stderr: method, URL, status, time and headers, with
    /// secrets, codes and tokens masked. Twice (-vv) adds the (masked) bodies.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Trust the CA certificates of this PEM file too (repeatable), e.g. a company's TLS
    /// inspection CA. SSL_CERT_FILE also works for the platform roots.
    #[arg(long, global = true, value_name = "PEM", env = "OIDCKIT_CA_FILE")]
    pub ca_file: Vec<std::path::PathBuf>,

    /// Ignore the HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY environment variables
    /// (they are honoured by default).
    #[arg(long, global = true)]
    pub no_env_proxy: bool,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in through the system browser and a loopback redirect (http://127.0.0.1:PORT/).
    Login(login::LoginArgs),
    /// Fetch and check a provider's discovery document, or check a saved one (--file).
    Discover(commands::DiscoverArgs),
    /// Print an authorization URL and the transaction to finish the sign-in later with `exchange`.
    AuthUrl(commands::AuthUrlArgs),
    /// Finish a sign-in started with `auth-url`, from the callback URL the browser ended on.
    Exchange(commands::ExchangeArgs),
    /// Get new tokens with a refresh token.
    Refresh(commands::RefreshArgs),
    /// Fetch the UserInfo claims with an access token.
    Userinfo(commands::UserinfoArgs),
    /// Verify a JWT (argument or stdin) and print its header and claims.
    Verify(verify::VerifyArgs),
    /// Build an RP-initiated logout URL (end_session_endpoint).
    LogoutUrl(commands::LogoutUrlArgs),
    /// Sign in on another device (RFC 8628): shows a code, URL and QR code, then polls.
    Device(grants::DeviceArgs),
    /// Get a token for the client itself (client credentials grant).
    ClientCredentials(grants::ClientCredentialsArgs),
    /// Get a token as a service account: Google JSON key, or Microsoft certificate (--service).
    JwtBearer(grants::JwtBearerArgs),
    /// Get tokens with a user name and password (resource owner password grant).
    Password(grants::PasswordArgs),
    /// Ask the provider whether a token is active and what it grants (RFC 7662).
    Introspect(grants::TokenArgs),
    /// Revoke an access or refresh token (RFC 7009).
    Revoke(grants::TokenArgs),
    /// Run the mock OpenID Provider on 127.0.0.1 until Ctrl-C (for local experiments only).
    MockProvider(commands::MockProviderArgs),
    /// Run a complete, offline code + PKCE sign-in against an in-process mock provider.
    Demo(demo::DemoArgs),
    /// Print a shell completion script: `oidckit completions bash > /etc/bash_completion.d/oidckit`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `oidckit man | man -l -`.
    Man,
    /// Stand-in browser for tests: follow the authorization URL and deliver the callback.
    #[command(name = "__browse", hide = true)]
    Browse {
        /// The authorization URL.
        url: String,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Parsing failed, so look for --json by hand (before any `--`).
            let json = std::env::args_os()
                .skip(1)
                .take_while(|a| a != "--")
                .any(|a| a == "--json");
            return ExitCode::from(output::print_usage_error(&e, json));
        }
    };
    let json = cli.json;
    network::set(network::NetOptions {
        verbose: cli.verbose,
        ca_files: cli.ca_file.clone(),
        no_env_proxy: cli.no_env_proxy,
    });
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            if output::is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            output::print_error(&err, json);
            ExitCode::FAILURE
        }
    }
}

/// Runs one command.
fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let json = cli.json;
    match &cli.command {
        Command::Browse { url } => {
            standin::browse(url)?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Completions { shell } => {
            let mut out = std::io::stdout().lock();
            clap_complete::generate(*shell, &mut Cli::command(), "oidckit", &mut out);
            return Ok(ExitCode::SUCCESS);
        }
        Command::Man => {
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(Cli::command()).render(&mut out)?;
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match cli.command {
            Command::Login(args) => login::run(args, json).await,
            Command::Discover(args) => commands::discover(args, json).await,
            Command::AuthUrl(args) => commands::auth_url(args, json).await,
            Command::Exchange(args) => commands::exchange(args, json).await,
            Command::Refresh(args) => commands::refresh(args, json).await,
            Command::Userinfo(args) => commands::userinfo(args, json).await,
            Command::Verify(args) => verify::run(args, json).await,
            Command::LogoutUrl(args) => commands::logout_url(args, json).await,
            Command::Device(args) => grants::device(args, json).await,
            Command::ClientCredentials(args) => grants::client_credentials(args, json).await,
            Command::JwtBearer(args) => grants::jwt_bearer(args, json).await,
            Command::Password(args) => grants::password(args, json).await,
            Command::Introspect(args) => grants::introspect(args, json).await,
            Command::Revoke(args) => grants::revoke(args, json).await,
            Command::MockProvider(args) => commands::mock_provider(args, json).await,
            Command::Demo(args) => demo::run(args, json).await,
            Command::Browse { .. } | Command::Completions { .. } | Command::Man => Ok(()),
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
