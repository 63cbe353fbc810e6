//! `oidckit login`: a desktop sign-in through the system browser and a loopback redirect.

use std::time::Duration;

use anyhow::Context;
use clap::{Args, ValueEnum};
use serde_json::{Map, Value};

use oidckit::browser::{Browser, BrowserOptions, split_command};
use oidckit::loopback::{LoopbackConfig, LoopbackServer, sign_in_with};
use oidckit::{AuthorizationRequest, Client, GrantType, ResourceOptions, ResponseType, TokenSet};

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
    /// The device flow (RFC 8628): a code to enter on another device; no browser here.
    Device,
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
    /// JARM: a signed `response` JWT in the query.
    #[value(name = "query.jwt")]
    QueryJwt,
    /// JARM: a signed `response` JWT in the fragment.
    #[value(name = "fragment.jwt")]
    FragmentJwt,
    /// JARM: a signed `response` JWT POSTed as a form.
    #[value(name = "form_post.jwt")]
    FormPostJwt,
    /// JARM: a signed `response` JWT in the response type's default mode.
    Jwt,
}

/// A security profile that `login` enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Profile {
    /// FAPI 2.0 Security Profile: PAR, PKCE S256, DPoP, private_key_jwt or mTLS, ES256/PS256.
    Fapi2,
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

    /// The flow. [default: code; for `oidckit token` and the helpers: code in a browser on a
    /// desktop, device when there is no display or the session is over SSH]
    #[arg(long, value_enum)]
    pub flow: Option<Flow>,

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

    /// Push the authorization request to the provider first (RFC 9126 PAR); the browser gets
    /// only a reference. Used anyway when the provider requires it.
    #[arg(long)]
    pub par: bool,

    /// Send the request parameters as a signed request object (RFC 9101 JAR), signed with the
    /// client key or, without one, HS256 with the client secret.
    #[arg(long)]
    pub request_object: bool,

    /// Encrypt the request object to the provider's `use: enc` key from its JWKS (sign, then
    /// encrypt; RFC 9101 §6.1); implies --request-object. Error 932 when the provider
    /// publishes no encryption key.
    #[arg(long)]
    pub encrypt_request_object: bool,

    /// Bind the tokens to a DPoP key (RFC 9449): a fresh ES256 key unless --dpop-key is given
    /// (then the tokens stay usable with `oidckit dpop-proof --key`).
    #[arg(long)]
    pub dpop: bool,

    /// Enforce a security profile; each refusal names the rule (error 953).
    #[arg(long, value_enum)]
    pub profile: Option<Profile>,

    /// The DPoP private key (PEM or private JWK); implies --dpop.
    #[arg(long, value_name = "PATH")]
    pub dpop_key: Option<std::path::PathBuf>,

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

    /// Sign in for this protected resource (an MCP server, an API): its authorization server
    /// is found from its metadata (RFC 9728), a public client is registered there (RFC 7591)
    /// unless --client-id is given, and the token is asked for the resource (RFC 8707).
    /// --issuer, when given, is the only authorization server trusted.
    #[arg(long, value_name = "URL")]
    pub resource: Option<String>,
}

fn parse_key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("{s:?} is not of the form key=value")),
    }
}

/// Runs `oidckit login`.
pub async fn run(args: LoginArgs, json: bool) -> anyhow::Result<()> {
    let (client, tokens) = sign_in(&args, json).await?;
    let userinfo = fetch_userinfo(&client, &tokens).await?;
    if json {
        output::print_json(&output::tokens_json(&tokens, userinfo.as_ref()))
    } else {
        output::print_tokens_human(&tokens, userinfo.as_ref())
    }
}

/// Signs in as the flags say (a browser and the loopback redirect, or the device flow);
/// messages for the user go to stderr.
pub async fn sign_in(args: &LoginArgs, json: bool) -> anyhow::Result<(Client, TokenSet)> {
    let mut provider = args.provider.clone();
    let trusted: Vec<String> = provider.issuer.iter().cloned().collect();
    if args.resource.is_some() {
        // Found from the resource's metadata, and registered when not given.
        provider.issuer.get_or_insert_with(String::new);
        provider.client_id.get_or_insert_with(String::new);
    }
    let (mut config, file) = provider.client_config()?;
    args.auth.apply(&mut config)?;
    config.grant_type = match args.flow.unwrap_or(Flow::Code) {
        Flow::Code => GrantType::Code,
        Flow::Implicit => GrantType::Implicit,
        Flow::Hybrid => GrantType::Hybrid,
        Flow::Device => {
            let client = settings::discover(config).await?;
            let tokens = crate::grants::device_sign_in(&client, false, None).await?;
            return Ok((client, tokens));
        }
    };
    if let Some(rt) = &args.response_type {
        config.response_type = Some(ResponseType::parse(rt)?);
    }
    config.response_mode = args.response_mode.map(|m| match m {
        ResponseMode::Query => "query".to_string(),
        ResponseMode::Fragment => "fragment".to_string(),
        ResponseMode::FormPost => "form_post".to_string(),
        ResponseMode::QueryJwt => "query.jwt".to_string(),
        ResponseMode::FragmentJwt => "fragment.jwt".to_string(),
        ResponseMode::FormPostJwt => "form_post.jwt".to_string(),
        ResponseMode::Jwt => "jwt".to_string(),
    });
    config.use_pkce = !args.no_pkce;
    if args.no_pkce {
        eprintln!(
            "warning: --no-pkce: PKCE is OFF; an authorization code intercepted on its way to the loopback redirect can be redeemed by anyone"
        );
    }
    if args.profile == Some(Profile::Fapi2) {
        config = config.fapi2();
    }
    config.pushed_authorization |= args.par;
    config.request_object |= args.request_object || args.encrypt_request_object;
    config.encrypt_request_object |= args.encrypt_request_object;
    config.dpop |= args.dpop;
    if let Some(path) = &args.dpop_key {
        config.dpop_key = Some(crate::dpop::read_key(path)?);
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

    let (client, server) = match &args.resource {
        None => {
            let client = settings::discover(config).await?;
            (client, LoopbackServer::bind(server_config).await?)
        }
        Some(resource) => {
            let server = LoopbackServer::bind(server_config).await?;
            config.redirect_uri = Some(server.redirect_uri());
            let client = for_resource(resource, config, trusted, json).await?;
            (client, server)
        }
    };
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
    Ok((client, tokens?))
}

/// The client for a protected resource (`--resource`), with what was found on stderr.
async fn for_resource(
    resource: &str,
    config: oidckit::ClientConfig,
    trusted: Vec<String>,
    json: bool,
) -> anyhow::Result<Client> {
    let mut options = ResourceOptions::default();
    options.config = config;
    options.trusted_authorization_servers = trusted;
    let found = Client::for_resource(resource, options).await?;
    if !json {
        eprintln!(
            "Resource {}: authorization server {}",
            output::escape(&found.resource.resource),
            output::escape(&found.client.metadata().issuer)
        );
        if let Some(registered) = &found.registration {
            eprintln!(
                "Registered client {} for this sign-in",
                output::escape(&registered.client_id)
            );
        }
    }
    Ok(found.client)
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
