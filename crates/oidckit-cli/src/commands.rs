//! The smaller subcommands: discover, auth-url, exchange, refresh, userinfo, logout-url and
//! mock-provider.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;
use serde_json::{Value, json};

use oidckit::logout::EndSessionRequest;
use oidckit::{AuthTransaction, AuthorizationRequest, CallbackParams, Checks, ProviderMetadata};
use oidckit_mock::{MockConfig, MockProvider};

use crate::login::fetch_userinfo;
use crate::output;
use crate::settings::{ClientAuthArgs, ProviderArgs, read_stdin, secret_arg, write_private};

/// Flags of `oidckit discover`.
#[derive(Debug, Clone, Args)]
pub struct DiscoverArgs {
    /// The issuer URL (or the full discovery URL); the same as --issuer.
    #[arg(value_name = "ISSUER")]
    pub issuer_arg: Option<String>,

    /// The issuer URL (or the full discovery URL).
    #[arg(long, env = "OIDC_ISSUER", value_name = "URL")]
    pub issuer: Option<String>,

    /// Check a saved discovery document instead of fetching one (an issuer from OIDC_ISSUER
    /// is then ignored).
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,

    /// Deadline in seconds for the request. [default: 60]
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,

    /// DANGEROUS: allow a plain-http issuer on a non-loopback host.
    #[arg(long)]
    pub insecure_allow_http: bool,
}

impl DiscoverArgs {
    /// The issuer to fetch, if any: the argument, else --issuer; `None` with --file unless
    /// an issuer was given on the command line too (which is an error).
    fn issuer(&self) -> anyhow::Result<Option<String>> {
        let given = self.issuer_arg.clone().or_else(|| self.issuer.clone());
        if self.file.is_none() {
            return match given {
                Some(i) => Ok(Some(i)),
                None => Err(oidckit::Error::Missing {
                    what: "issuer",
                    hint: "pass an issuer URL (or --issuer URL, OIDC_ISSUER), or --file PATH",
                }
                .into()),
            };
        }
        let from_env = std::env::var("OIDC_ISSUER").ok();
        let explicit =
            self.issuer_arg.is_some() || (self.issuer.is_some() && self.issuer != from_env);
        if explicit {
            bail!("give an issuer URL or --file PATH, not both");
        }
        Ok(None)
    }
}

/// Runs `oidckit discover`.
pub async fn discover(args: DiscoverArgs, json: bool) -> anyhow::Result<()> {
    let metadata = match (&args.file, args.issuer()?) {
        (Some(path), _) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            ProviderMetadata::from_json(&bytes)?
        }
        (None, Some(issuer)) => {
            let provider = ProviderArgs {
                issuer: Some(issuer),
                discovery_url: None,
                client_id: Some("oidckit-discover".into()),
                client_secret: None,
                client_secret_file: None,
                scope: None,
                provider: None,
                config_file: None,
                timeout: args.timeout,
                insecure_allow_http: args.insecure_allow_http,
            };
            provider.client().await?.metadata().clone()
        }
        (None, None) => bail!("give an issuer URL or --file PATH"),
    };
    let notes = review(&metadata);
    if json {
        let mut doc = match &metadata.raw {
            Value::Object(_) => metadata.raw.clone(),
            _ => json!({ "issuer": metadata.issuer }),
        };
        let report = json!({ "issuer": metadata.issuer, "document": doc.take(), "notes": notes });
        return output::print_json(&report);
    }
    let show = |name: &str, v: &Option<String>| {
        format!(
            "  {name:<34} {}\n",
            v.as_deref().map_or("-".into(), output::escape)
        )
    };
    let mut text = format!(
        "issuer: {}\n\nendpoints:\n",
        output::escape(&metadata.issuer)
    );
    let endpoints = [
        ("authorization_endpoint", &metadata.authorization_endpoint),
        ("token_endpoint", &metadata.token_endpoint),
        ("userinfo_endpoint", &metadata.userinfo_endpoint),
        ("jwks_uri", &metadata.jwks_uri),
        ("end_session_endpoint", &metadata.end_session_endpoint),
        ("revocation_endpoint", &metadata.revocation_endpoint),
        ("introspection_endpoint", &metadata.introspection_endpoint),
        (
            "device_authorization_endpoint",
            &metadata.device_authorization_endpoint,
        ),
        (
            "pushed_authorization_request_endpoint",
            &metadata.pushed_authorization_request_endpoint,
        ),
    ];
    for (name, value) in endpoints {
        text.push_str(&show(name, value));
    }
    // Each value quoted, so that `"code id_token"` is one value and `"code", "id_token"` two.
    let list = |name: &str, v: &[String]| {
        let shown = if v.is_empty() {
            "-".to_string()
        } else {
            v.iter()
                .map(|s| output::quote(s))
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!("  {name:<34} {shown}\n")
    };
    text.push_str("\nsupported:\n");
    let lists = [
        ("response_types", &metadata.response_types_supported),
        ("response_modes", &metadata.response_modes_supported),
        ("scopes", &metadata.scopes_supported),
        (
            "id_token_signing_algs",
            &metadata.id_token_signing_alg_values_supported,
        ),
        (
            "code_challenge_methods",
            &metadata.code_challenge_methods_supported,
        ),
        (
            "token_endpoint_auth_methods",
            &metadata.token_endpoint_auth_methods_supported,
        ),
    ];
    for (name, values) in lists {
        text.push_str(&list(name, values));
    }
    text.push_str(&format!(
        "  {:<34} {}\n",
        "authorization_response_iss_param", metadata.authorization_response_iss_parameter_supported
    ));
    text.push_str("\nnotes:\n");
    if notes.is_empty() {
        text.push_str("  nothing missing or odd\n");
    }
    for n in &notes {
        text.push_str(&format!("  - {}\n", output::escape(n)));
    }
    output::print_line(text.trim_end())
}

/// What is missing or odd in a discovery document, for people configuring a client.
fn review(m: &ProviderMetadata) -> Vec<String> {
    let mut notes = Vec::new();
    let required = [
        ("authorization_endpoint", &m.authorization_endpoint),
        ("token_endpoint", &m.token_endpoint),
        ("jwks_uri", &m.jwks_uri),
    ];
    for (name, v) in required {
        if v.is_none() {
            notes.push(format!("missing {name}"));
        }
    }
    if m.userinfo_endpoint.is_none() {
        notes.push("no userinfo_endpoint: profile claims only from the ID token".into());
    }
    if m.end_session_endpoint.is_none() {
        notes.push("no end_session_endpoint: RP-initiated logout is not available".into());
    }
    if !m
        .code_challenge_methods_supported
        .iter()
        .any(|c| c == "S256")
    {
        notes.push("code_challenge_methods_supported does not list S256 (PKCE may still work; many providers omit it)".into());
    }
    if m.id_token_signing_alg_values_supported
        .iter()
        .any(|a| a == "none")
    {
        notes.push("advertises alg \"none\" for ID tokens (oidckit never accepts it)".into());
    }
    let endpoints = [
        &m.authorization_endpoint,
        &m.token_endpoint,
        &m.userinfo_endpoint,
        &m.jwks_uri,
    ];
    for e in endpoints.into_iter().flatten() {
        if e.starts_with("http:") && !is_loopback_url(e) {
            notes.push(format!("plain-http endpoint {e}"));
        }
    }
    if !m.issuer.starts_with("https:") && !is_loopback_url(&m.issuer) {
        notes.push("issuer is not https".into());
    }
    if m.is_tenant_template() {
        notes.push("issuer is a multi-tenant template ({tenantid})".into());
    }
    notes
}

fn is_loopback_url(u: &str) -> bool {
    url::Url::parse(u)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .is_some_and(|h| h == "localhost" || h == "127.0.0.1" || h == "[::1]")
}

/// Flags of `oidckit auth-url`.
#[derive(Debug, Clone, Args)]
pub struct AuthUrlArgs {
    /// Provider and client.
    #[command(flatten)]
    pub provider: ProviderArgs,

    /// Client authentication at the pushed authorization request endpoint (with --par, or
    /// when the provider requires pushed requests).
    #[command(flatten)]
    pub auth: ClientAuthArgs,

    /// The redirect URI registered with the provider.
    #[arg(long, env = "OIDC_REDIRECT_URI", value_name = "URI")]
    pub redirect_uri: String,

    /// Push the authorization request first (RFC 9126 PAR); the URL then carries only
    /// `client_id` and `request_uri`. Automatic when the provider requires it.
    #[arg(long)]
    pub par: bool,

    /// Write the transaction (state, nonce, PKCE verifier — keep it private) to this file.
    #[arg(long, value_name = "PATH")]
    pub save: Option<PathBuf>,
}

/// Runs `oidckit auth-url`.
pub async fn auth_url(args: AuthUrlArgs, json: bool) -> anyhow::Result<()> {
    let (mut config, _) = args.provider.client_config()?;
    args.auth.apply(&mut config)?;
    config.pushed_authorization |= args.par;
    let client = crate::settings::discover(config).await?;
    let mut request = AuthorizationRequest::default();
    request.redirect_uri = Some(args.redirect_uri.clone());
    // Pushed when asked for or when the provider requires it (a plain URL would be refused).
    let (url, tx) = client.start_authorization(&request).await?;
    let tx_json = serde_json::to_value(&tx)?;
    if let Some(path) = &args.save {
        // The transaction holds the PKCE verifier and the nonce: owner-only.
        write_private(path, serde_json::to_string_pretty(&tx_json)?.as_bytes())?;
    }
    if json {
        return output::print_json(&json!({ "url": url, "transaction": tx_json }));
    }
    output::print_line(&output::escape(&url))?;
    match &args.save {
        Some(path) => eprintln!(
            "Transaction saved to {}; finish with `oidckit exchange --transaction {} --callback URL`",
            path.display(),
            path.display()
        ),
        None => output::print_line(&output::escape(&serde_json::to_string(&tx_json)?))?,
    }
    Ok(())
}

/// Flags of `oidckit exchange`.
#[derive(Debug, Clone, Args)]
pub struct ExchangeArgs {
    /// Provider and client.
    #[command(flatten)]
    pub provider: ProviderArgs,

    /// Client authentication at the token endpoint.
    #[command(flatten)]
    pub auth: ClientAuthArgs,

    /// The transaction saved by `auth-url` (a file holding its JSON, or `-` for stdin).
    #[arg(long, value_name = "PATH")]
    pub transaction: String,

    /// The URL the browser was sent back to (query or fragment), or a form_post body.
    #[arg(long, value_name = "URL")]
    pub callback: String,
}

/// Runs `oidckit exchange`.
pub async fn exchange(args: ExchangeArgs, json: bool) -> anyhow::Result<()> {
    let text = read_arg_file(&args.transaction)?;
    let value: Value = serde_json::from_str(&text).context("the transaction is not JSON")?;
    let value = value.get("transaction").cloned().unwrap_or(value);
    let tx: AuthTransaction =
        serde_json::from_value(value).context("the JSON is not an oidckit transaction")?;
    let params = if args.callback.contains("://") || args.callback.starts_with('/') {
        CallbackParams::from_url(&args.callback)
    } else {
        CallbackParams::from_query(&args.callback)
    };
    let client = args.provider.client_with(&args.auth).await?;
    let tokens = client.handle_callback(&tx, &params).await?;
    let userinfo = fetch_userinfo(&client, &tokens).await?;
    if json {
        output::print_json(&output::tokens_json(&tokens, userinfo.as_ref()))
    } else {
        output::print_tokens_human(&tokens, userinfo.as_ref())
    }
}

fn read_arg_file(arg: &str) -> anyhow::Result<String> {
    if arg == "-" {
        read_stdin("transaction")
    } else {
        std::fs::read_to_string(arg).with_context(|| format!("cannot read {arg}"))
    }
}

/// Flags of `oidckit refresh`.
#[derive(Debug, Clone, Args)]
pub struct RefreshArgs {
    /// Provider and client.
    #[command(flatten)]
    pub provider: ProviderArgs,

    /// Client authentication at the token endpoint.
    #[command(flatten)]
    pub auth: ClientAuthArgs,

    /// The refresh token, or `-` to read it from standard input.
    #[arg(
        long,
        env = "OIDC_REFRESH_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true,
        // Random tokens may start with '-'.
        allow_hyphen_values = true
    )]
    pub refresh_token: String,

    /// The ID token of the sign-in (or `-` for stdin). A refreshed ID token must then have
    /// the same `iss`, `sub` and `aud` (OpenID Connect Core §12.2); it is verified first.
    #[arg(
        long,
        env = "OIDC_ID_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true,
        allow_hyphen_values = true
    )]
    pub id_token: Option<String>,
}

/// Runs `oidckit refresh`.
pub async fn refresh(args: RefreshArgs, json: bool) -> anyhow::Result<()> {
    let refresh_token = secret_arg(&args.refresh_token, "refresh token")?;
    let previous = args
        .id_token
        .as_deref()
        .map(|t| secret_arg(t, "ID token"))
        .transpose()?;
    let client = args.provider.client_with(&args.auth).await?;
    let previous = match &previous {
        Some(raw) => Some(
            client
                .validate_id_token(raw, &previous_checks(raw))
                .await
                .context("the --id-token given does not verify")?,
        ),
        None => None,
    };
    // The library checks that `sub` stays the same (Core §12.2); both tokens are verified
    // against this client's issuer and client id, and the audiences must be equal too.
    let tokens = client.refresh(&refresh_token, previous.as_ref()).await?;
    if let (Some(before), Some(after)) = (&previous, &tokens.id_token) {
        same_claim("iss", before.claims().issuer(), after.claims().issuer())?;
        let (mut a, mut b) = (before.claims().audience(), after.claims().audience());
        a.sort_unstable();
        b.sort_unstable();
        if a != b {
            return Err(oidckit::Error::IdTokenClaim {
                claim: "aud",
                check: oidckit::ClaimCheck::Mismatch,
                expected: Some(a.join(" ")),
                found: Some(b.join(" ")),
            }
            .into());
        }
    }
    if json {
        output::print_json(&output::tokens_json(&tokens, None))
    } else {
        output::print_tokens_human(&tokens, None)
    }
}

/// Checks for the ID token of an earlier sign-in: signature, issuer and audience, as of
/// when it was issued (it has normally expired by the time the tokens are refreshed).
fn previous_checks(raw: &str) -> Checks<'static> {
    let iat = raw
        .split('.')
        .nth(1)
        .and_then(oidckit::jose::b64url_decode)
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .and_then(|c| c.get("iat").and_then(Value::as_u64));
    let mut checks = Checks::default();
    checks.now = iat.map(|s| std::time::UNIX_EPOCH + std::time::Duration::from_secs(s));
    checks
}

/// A Core §12.2 comparison of the refreshed ID token with the original.
fn same_claim(
    claim: &'static str,
    before: Option<&str>,
    after: Option<&str>,
) -> anyhow::Result<()> {
    if before == after {
        return Ok(());
    }
    Err(oidckit::Error::IdTokenClaim {
        claim,
        check: oidckit::ClaimCheck::Mismatch,
        expected: before.map(str::to_string),
        found: after.map(str::to_string),
    }
    .into())
}

/// Flags of `oidckit userinfo`.
#[derive(Debug, Clone, Args)]
pub struct UserinfoArgs {
    /// Provider and client.
    #[command(flatten)]
    pub provider: ProviderArgs,

    /// The access token, or `-` to read it from standard input.
    #[arg(
        long,
        env = "OIDC_ACCESS_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true,
        // Random tokens may start with '-'.
        allow_hyphen_values = true
    )]
    pub access_token: String,

    /// Require this `sub` (e.g. the ID token's).
    #[arg(long, value_name = "SUB")]
    pub expect_sub: Option<String>,

    /// Keys for an encrypted UserInfo response.
    #[command(flatten)]
    pub decryption: crate::settings::DecryptionArgs,
}

/// Runs `oidckit userinfo`.
pub async fn userinfo(args: UserinfoArgs, json: bool) -> anyhow::Result<()> {
    let access_token = secret_arg(&args.access_token, "access token")?;
    let (mut config, _) = args.provider.client_config()?;
    args.decryption.apply(&mut config)?;
    let client = crate::settings::discover(config).await?;
    let details = client
        .userinfo_with(&access_token, args.expect_sub.as_deref())
        .await?;
    let value = Value::Object(details.claims);
    if json {
        output::print_json(&value)
    } else {
        output::print_line(&output::json_text(&value))
    }
}

/// Flags of `oidckit logout-url`.
#[derive(Debug, Clone, Args)]
pub struct LogoutUrlArgs {
    /// Provider and client.
    #[command(flatten)]
    pub provider: ProviderArgs,

    /// The ID token of the session to end (`id_token_hint`), or `-` for stdin.
    #[arg(long, value_name = "JWT", allow_hyphen_values = true)]
    pub id_token_hint: Option<String>,

    /// Where the provider sends the user afterwards (must be registered).
    #[arg(long, value_name = "URI")]
    pub post_logout_redirect_uri: Option<String>,

    /// `state` echoed back to the post-logout redirect URI.
    #[arg(long)]
    pub state: Option<String>,
}

/// Runs `oidckit logout-url`.
pub async fn logout_url(args: LogoutUrlArgs, json: bool) -> anyhow::Result<()> {
    let hint = args
        .id_token_hint
        .as_deref()
        .map(|t| secret_arg(t, "ID token"))
        .transpose()?;
    let client = args.provider.client().await?;
    let mut req = EndSessionRequest::default();
    req.id_token_hint = hint;
    req.post_logout_redirect_uri = args.post_logout_redirect_uri;
    req.state = args.state;
    let url = client.end_session_url(&req)?;
    if json {
        output::print_json(&json!({ "url": url }))
    } else {
        output::print_line(&output::escape(&url))
    }
}

/// Flags of `oidckit mock-provider`.
#[derive(Debug, Clone, Args)]
pub struct MockProviderArgs {
    /// Port on 127.0.0.1. [default: any free port]
    #[arg(long, default_value_t = 0)]
    pub port: u16,
}

/// Runs `oidckit mock-provider` until Ctrl-C.
pub async fn mock_provider(args: MockProviderArgs, json: bool) -> anyhow::Result<()> {
    let provider = MockProvider::start_on(MockConfig::default(), args.port)
        .context("cannot start the mock provider")?;
    if json {
        output::print_json(
            &json!({ "issuer": provider.issuer(), "discovery_url": provider.discovery_url() }),
        )?;
    } else {
        output::print_line(&provider.issuer())?;
        eprintln!(
            "Mock OpenID Provider (for tests only) at {}; clients test-client/test-secret and public-client. Ctrl-C stops it.",
            provider.issuer()
        );
    }
    tokio::signal::ctrl_c().await?;
    provider.stop();
    Ok(())
}
