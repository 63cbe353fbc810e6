//! `oidckit login`: a desktop sign-in through the system browser and a loopback redirect.

use std::time::Duration;

use anyhow::Context;
use clap::{Args, ValueEnum};
use serde_json::{Map, Value};

use oidckit::browser::{Browser, BrowserOptions, split_command};
use oidckit::loopback::{LoopbackConfig, LoopbackServer, sign_in_with};
use oidckit::{AuthorizationRequest, Client, GrantType, ResponseType, TokenSet};

use crate::output;
use crate::settings::{self, ProviderArgs};

/// The flow to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Flow {
    /// Authorization code (response_type=code).
    Code,
    /// Implicit (response_type="id_token token").
    Implicit,
    /// Hybrid (response_type="code id_token").
    Hybrid,
}

/// How the provider returns the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ResponseMode {
    /// In the redirect URL's query.
    Query,
    /// In the redirect URL's fragment (relayed to the loopback server by a small page).
    Fragment,
    /// As a form POSTed to the redirect URI.
    #[value(name = "form_post", alias = "form-post")]
    FormPost,
}

/// Flags of `oidckit login`.
#[derive(Debug, Clone, Args)]
pub struct LoginArgs {
    /// Provider and client.
    #[command(flatten)]
    pub provider: ProviderArgs,

    /// Client authentication at the token endpoint.
    #[command(flatten)]
    pub auth: settings::ClientAuthArgs,

    /// The flow.
    #[arg(long, value_enum, default_value_t = Flow::Code)]
    pub flow: Flow,

    /// Override the flow's response type, e.g. "id_token" or "code id_token token".
    #[arg(long, value_name = "TYPE")]
    pub response_type: Option<String>,

    /// The response_mode to request. [default: the provider's default for the response type]
    #[arg(long, value_enum)]
    pub response_mode: Option<ResponseMode>,

    /// Use PKCE with S256 (the default; accepted for scripts that say so).
    #[arg(long, overrides_with = "no_pkce")]
    pub pkce: bool,

    /// DANGEROUS: do not use PKCE (it is on by default for flows that return a code). Only
    /// for providers that reject it; an intercepted code can then be redeemed by anyone.
    #[arg(long, overrides_with = "pkce")]
    pub no_pkce: bool,

    /// Loopback port for the redirect URI http://127.0.0.1:PORT/. [default: any free port]
    #[arg(long, env = "OIDC_REDIRECT_PORT", value_name = "PORT")]
    pub redirect_port: Option<u16>,

    /// Path of the redirect URI. [default: /]
    #[arg(long, env = "OIDC_REDIRECT_PATH", value_name = "PATH")]
    pub redirect_path: Option<String>,

    /// Open the URL with this command (split like a shell; the URL is appended as the last argument).
    #[arg(
        long,
        env = "OIDC_BROWSER",
        value_name = "CMD",
        conflicts_with = "no_browser"
    )]
    pub browser_command: Option<String>,

    /// Open no browser: print the URL on stderr and wait for the redirect.
    #[arg(long)]
    pub no_browser: bool,

    /// `prompt` parameter: none, login, consent, select_account.
    #[arg(long)]
    pub prompt: Option<String>,

    /// `login_hint` parameter, e.g. an email address.
    #[arg(long, value_name = "HINT")]
    pub login_hint: Option<String>,

    /// `max_age` in seconds; the ID token's auth_time is then required and checked.
    #[arg(long, value_name = "SECONDS")]
    pub max_age: Option<u64>,

    /// Extra authorization request parameter (repeatable), e.g. --param access_type=offline.
    #[arg(long = "param", value_name = "K=V", value_parser = parse_key_value)]
    pub params: Vec<(String, String)>,

    /// Seconds to wait for the browser to come back.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub browser_timeout: u64,
}

fn parse_key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("{s:?} is not of the form key=value")),
    }
}

/// Runs `oidckit login`.
pub async fn run(args: LoginArgs, json: bool) -> anyhow::Result<()> {
    let (mut config, file) = args.provider.client_config()?;
    args.auth.apply(&mut config)?;
    config.grant_type = match args.flow {
        Flow::Code => GrantType::Code,
        Flow::Implicit => GrantType::Implicit,
        Flow::Hybrid => GrantType::Hybrid,
    };
    if let Some(rt) = &args.response_type {
        config.response_type = Some(ResponseType::parse(rt)?);
    }
    config.response_mode = args.response_mode.map(|m| match m {
        ResponseMode::Query => "query".to_string(),
        ResponseMode::Fragment => "fragment".to_string(),
        ResponseMode::FormPost => "form_post".to_string(),
    });
    config.use_pkce = !args.no_pkce;
    if args.no_pkce {
        eprintln!(
            "warning: --no-pkce: PKCE is OFF; an authorization code intercepted on its way to the loopback redirect can be redeemed by anyone"
        );
    }
    config.max_age = args.max_age.map(Duration::from_secs);

    let mut server_config = LoopbackConfig::default();
    server_config.port = match args.redirect_port {
        Some(p) => p,
        None => file
            .number("redirect_port")
            .and_then(|p| u16::try_from(p).ok())
            .unwrap_or(0),
    };
    if let Some(path) = args
        .redirect_path
        .clone()
        .or_else(|| file.string("redirect_path"))
    {
        server_config.path = path;
    }
    server_config.timeout = Duration::from_secs(args.browser_timeout);

    let browser = if args.no_browser {
        let mut options = BrowserOptions::default();
        options.browser = Browser::PrintUrl;
        options
    } else if let Some(cmd) = args
        .browser_command
        .clone()
        .or_else(|| file.string("browser_command"))
    {
        BrowserOptions::command(split_command(&cmd)?)
    } else {
        BrowserOptions::default()
    };
    let mut request = AuthorizationRequest::default();
    request.prompt = args.prompt.clone();
    request.login_hint = args.login_hint.clone();
    request.extra = args.params.clone();

    let client = settings::discover(config).await?;
    let server = LoopbackServer::bind(server_config).await?;
    if !json {
        eprintln!(
            "Waiting up to {} s for the browser at {} (register this redirect URI with the provider)…",
            args.browser_timeout,
            server.redirect_uri()
        );
    }
    let spinner = output::Spinner::start(
        "Waiting for the browser",
        Some(Duration::from_secs(args.browser_timeout)),
        json,
    );
    let tokens = sign_in_with(&client, &server, &browser, &request).await;
    drop(spinner);
    let tokens = tokens?;
    let userinfo = fetch_userinfo(&client, &tokens).await?;
    if json {
        output::print_json(&output::tokens_json(&tokens, userinfo.as_ref()))
    } else {
        output::print_tokens_human(&tokens, userinfo.as_ref())
    }
}

/// The UserInfo claims, when there is an access token and the provider has the endpoint.
pub async fn fetch_userinfo(
    client: &Client,
    tokens: &TokenSet,
) -> anyhow::Result<Option<Map<String, Value>>> {
    if tokens.access_token.is_none() || client.metadata().userinfo_endpoint.is_none() {
        return Ok(None);
    }
    let details = client.userinfo(tokens).await.context("fetching UserInfo")?;
    Ok(Some(details.claims))
}
