//! The grants without a browser and the token management commands: `device`,
//! `client-credentials`, `jwt-bearer`, `password`, `introspect` and `revoke`.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use serde_json::{Value, json};

use oidckit::jwt_bearer::ServiceAccountKey;
use oidckit::{AuthMethod, Client, ClientConfig, ProviderMetadata, TokenSet};

use crate::output;
use crate::settings::{ClientAuthArgs, ProviderArgs};

/// Flags of `oidckit device`.
#[derive(Debug, Clone, Args)]
pub struct DeviceArgs {
    /// Provider and client.
    #[command(flatten)]
    pub provider: ProviderArgs,

    /// Client authentication.
    #[command(flatten)]
    pub auth: ClientAuthArgs,

    /// Do not draw the QR code of the verification URL.
    #[arg(long)]
    pub no_qr: bool,

    /// Stop polling after this many seconds. [default: until the code expires]
    #[arg(long, value_name = "SECONDS")]
    pub poll_timeout: Option<u64>,
}

/// Runs `oidckit device`: shows the user code, URL and QR code on stderr, then polls.
pub async fn device(args: DeviceArgs, json: bool) -> anyhow::Result<()> {
    let client = args.provider.client_with(&args.auth).await?;
    let da = client.device_authorization(None).await?;
    let mut text = format!(
        "To sign in, open {} and enter the code {}\n",
        output::escape(&da.verification_uri),
        output::escape(&da.user_code)
    );
    if let Some(complete) = &da.verification_uri_complete {
        text.push_str(&format!("or open {}\n", output::escape(complete)));
        if !args.no_qr {
            match qr_code(complete) {
                Some(qr) => text.push_str(&qr),
                None => text.push_str("(the URL is too long for a QR code)\n"),
            }
        }
    }
    text.push_str(&format!(
        "Waiting for approval (the code expires in {} s)…",
        da.expires_in
    ));
    eprintln!("{text}");
    let timeout = args.poll_timeout.map(Duration::from_secs);
    let total = timeout
        .unwrap_or(Duration::from_secs(da.expires_in))
        .min(Duration::from_secs(da.expires_in));
    let spinner = output::Spinner::start(
        "Waiting for approval on the other device",
        Some(total),
        json,
    );
    let tokens = client.poll_device_token(&da, timeout).await;
    drop(spinner);
    let tokens = tokens?;
    print_tokens(&tokens, json)
}

/// The QR code of `data` for a terminal: two rows of modules per line, with the quiet zone.
/// Light modules are drawn as blocks and dark ones left blank, which is right on the usual
/// dark-background terminal (phone cameras read the inverse too).
pub fn qr_code(data: &str) -> Option<String> {
    use qrcode::render::unicode::Dense1x2;
    let code = qrcode::QrCode::new(data.as_bytes()).ok()?;
    let image = code
        .render::<Dense1x2>()
        .dark_color(Dense1x2::Light)
        .light_color(Dense1x2::Dark)
        .quiet_zone(true)
        .build();
    Some(format!("{image}\n"))
}

/// Flags of `oidckit client-credentials`.
#[derive(Debug, Clone, Args)]
pub struct ClientCredentialsArgs {
    /// Provider and client (`--scope` is sent as given, without adding `openid`).
    #[command(flatten)]
    pub provider: ProviderArgs,

    /// Client authentication.
    #[command(flatten)]
    pub auth: ClientAuthArgs,
}

/// Runs `oidckit client-credentials`.
pub async fn client_credentials(args: ClientCredentialsArgs, json: bool) -> anyhow::Result<()> {
    let client = args.provider.client_with(&args.auth).await?;
    let scope = args.provider.raw_scope()?;
    let tokens = client.client_credentials(scope.as_deref()).await?;
    print_tokens(&tokens, json)
}

/// Which service account style `oidckit jwt-bearer` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Service {
    /// A Google service account JSON key (--service-account-key): the RFC 7523 JWT bearer
    /// grant with an assertion signed by the key.
    Google,
    /// Microsoft Entra ID: client credentials authenticated with a certificate assertion
    /// (--issuer, --client-id, --certificate).
    Microsoft,
}

/// Flags of `oidckit jwt-bearer`.
#[derive(Debug, Clone, Args)]
pub struct JwtBearerArgs {
    /// The service (named `--service` because `--provider` names a saved provider).
    /// [default: google with --service-account-key, microsoft otherwise]
    #[arg(long, value_enum)]
    pub service: Option<Service>,

    /// Google-style service account JSON key file (`client_email`, `private_key`, `token_uri`).
    #[arg(long, env = "OIDC_SERVICE_ACCOUNT_KEY", value_name = "FILE")]
    pub service_account_key: Option<PathBuf>,

    /// `sub` of the assertion: the user to act as (Google domain-wide delegation).
    #[arg(long, value_name = "SUB")]
    pub subject: Option<String>,

    /// The token endpoint, and the assertion's audience. [default: the key's `token_uri`]
    #[arg(long, value_name = "URL")]
    pub token_url: Option<String>,

    /// Provider and client (Microsoft); `--scope` is sent as given, e.g.
    /// `https://graph.microsoft.com/.default`.
    #[command(flatten)]
    pub provider: ProviderArgs,

    /// Client authentication (Microsoft: --certificate).
    #[command(flatten)]
    pub auth: ClientAuthArgs,
}

/// Runs `oidckit jwt-bearer`.
pub async fn jwt_bearer(args: JwtBearerArgs, json: bool) -> anyhow::Result<()> {
    let service = args
        .service
        .unwrap_or(if args.service_account_key.is_some() {
            Service::Google
        } else {
            Service::Microsoft
        });
    let scope = args.provider.raw_scope()?;
    let tokens = match service {
        Service::Google => {
            let path = args
                .service_account_key
                .as_ref()
                .ok_or(oidckit::Error::Missing {
                    what: "service account key",
                    hint: "pass --service-account-key FILE (Google's JSON key)",
                })?;
            let mut key = ServiceAccountKey::load(&path.to_string_lossy())?;
            if let Some(url) = &args.token_url {
                key.token_uri = url.clone();
            }
            let client = google_client(&key, &args.provider)?;
            let mut assertion = key.assertion("", args.subject.as_deref());
            assertion.scope = scope;
            client.jwt_bearer(&assertion).await?
        }
        Service::Microsoft => {
            if args.auth.certificate.is_none() && args.auth.private_key.is_none() {
                return Err(oidckit::Error::Missing {
                    what: "certificate",
                    hint: "pass --certificate FILE (PKCS#12 or PEM certificate and key)",
                }
                .into());
            }
            if args.subject.is_some() || args.token_url.is_some() {
                bail!("--subject and --token-url are for --service google");
            }
            let (mut config, _) = args.provider.client_config()?;
            args.auth.apply(&mut config)?;
            if config.auth_method.is_none() {
                config.auth_method = Some(AuthMethod::PrivateKeyJwt);
            }
            let client = crate::settings::discover(config).await?;
            client.client_credentials(scope.as_deref()).await?
        }
    };
    print_tokens(&tokens, json)
}

/// A client whose token endpoint is the key's `token_uri` (no discovery), with the timeout
/// and `--insecure-allow-http` of the provider flags.
fn google_client(key: &ServiceAccountKey, provider: &ProviderArgs) -> anyhow::Result<Client> {
    let url = url::Url::parse(&key.token_uri)
        .with_context(|| format!("the token URL {:?} is not a URL", key.token_uri))?;
    let issuer = url.origin().ascii_serialization();
    let mut metadata = ProviderMetadata::new(issuer.clone());
    metadata.token_endpoint = Some(key.token_uri.clone());
    let mut config = ClientConfig::new(issuer, &key.client_email);
    config.auth_method = Some(AuthMethod::None);
    if let Some(t) = provider.timeout {
        config.http.timeout = Duration::from_secs(t.max(1));
    }
    if provider.insecure_allow_http {
        eprintln!("warning: --insecure-allow-http: plain-http token URLs are accepted");
        config.dangerous().allow_http = true;
    }
    crate::network::apply(&mut config.http)?;
    Ok(Client::new(config, metadata)?)
}

/// Flags of `oidckit password`.
#[derive(Debug, Clone, Args)]
pub struct PasswordArgs {
    /// Provider and client.
    #[command(flatten)]
    pub provider: ProviderArgs,

    /// Client authentication.
    #[command(flatten)]
    pub auth: ClientAuthArgs,

    /// The resource owner's user name.
    #[arg(long, env = "OIDC_USERNAME", value_name = "USER")]
    pub username: String,

    /// Read the user's password from the first line of standard input (otherwise it is
    /// prompted for without echo on a terminal, or read from a non-terminal stdin).
    #[arg(long)]
    pub password_stdin: bool,
}

/// Runs `oidckit password` (resource owner password grant).
pub async fn password(args: PasswordArgs, json: bool) -> anyhow::Result<()> {
    if let Some(p) = &args.auth.certificate_password
        && args.auth.certificate.is_none()
        && std::env::var("OIDC_CERT_PASSWORD").ok().as_ref() != Some(p)
    {
        bail!(
            "--password is the password of the --certificate file; the user's password comes from --password-stdin or the prompt, never from a flag"
        );
    }
    let secret = read_password(&args.username, args.password_stdin)?;
    let client = args.provider.client_with(&args.auth).await?;
    let tokens = client.password(&args.username, &secret, None).await?;
    print_tokens(&tokens, json)
}

/// The user's password: a line of stdin, or a prompt without echo on a terminal.
fn read_password(username: &str, from_stdin: bool) -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if !from_stdin && stdin.is_terminal() {
        return rpassword::prompt_password(format!("Password for {username}: "))
            .context("cannot read the password from the terminal");
    }
    let mut line = String::new();
    let n = stdin
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    if n == 0 {
        bail!("no password on standard input");
    }
    let trimmed = line.strip_suffix('\n').unwrap_or(&line);
    Ok(trimmed.strip_suffix('\r').unwrap_or(trimmed).to_string())
}

/// A `token_type_hint` (RFC 7009 §2.1, RFC 7662 §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TokenTypeHint {
    /// An access token.
    #[value(name = "access_token")]
    AccessToken,
    /// A refresh token.
    #[value(name = "refresh_token")]
    RefreshToken,
}

impl TokenTypeHint {
    fn as_str(self) -> &'static str {
        match self {
            TokenTypeHint::AccessToken => "access_token",
            TokenTypeHint::RefreshToken => "refresh_token",
        }
    }
}

/// Flags of `oidckit introspect` and `oidckit revoke`.
#[derive(Debug, Clone, Args)]
pub struct TokenArgs {
    /// The token, or `-` to read it from standard input (keeps it out of the process list).
    #[arg(value_name = "TOKEN", allow_hyphen_values = true)]
    pub token: String,

    /// What kind of token it is.
    #[arg(long, value_enum, value_name = "HINT")]
    pub token_type_hint: Option<TokenTypeHint>,

    /// Provider and client.
    #[command(flatten)]
    pub provider: ProviderArgs,

    /// Client authentication.
    #[command(flatten)]
    pub auth: ClientAuthArgs,
}

impl TokenArgs {
    fn token(&self) -> anyhow::Result<String> {
        crate::settings::secret_arg(&self.token, "token")
    }
}

/// Runs `oidckit introspect`: prints every field the provider returns.
pub async fn introspect(args: TokenArgs, json: bool) -> anyhow::Result<()> {
    let token = args.token()?;
    let client = args.provider.client_with(&args.auth).await?;
    let hint = args.token_type_hint.map(TokenTypeHint::as_str);
    let info = client.introspect(&token, hint).await?;
    if json {
        return output::print_json(&Value::Object(info.raw.clone()));
    }
    let mut text = format!("active: {}", info.active);
    for (k, v) in info.fields() {
        if k != "active" {
            text.push_str(&format!("\n{}: {}", output::escape(&k), output::escape(&v)));
        }
    }
    output::print_line(&text)
}

/// Runs `oidckit revoke`.
pub async fn revoke(args: TokenArgs, json: bool) -> anyhow::Result<()> {
    let token = args.token()?;
    let client = args.provider.client_with(&args.auth).await?;
    let hint = args.token_type_hint.map(TokenTypeHint::as_str);
    client.revoke(&token, hint).await?;
    if json {
        output::print_json(&json!({ "revoked": true, "token_type_hint": hint }))
    } else {
        output::print_line("revoked")
    }
}

/// Prints a grant's tokens: the JSON object of `login`, or a summary for people.
fn print_tokens(tokens: &TokenSet, json: bool) -> anyhow::Result<()> {
    if json {
        return output::print_json(&output::tokens_json(tokens, None));
    }
    if tokens.id_token.is_some() {
        return output::print_tokens_human(tokens, None);
    }
    let mut text = format!(
        "Got an access token ({} characters)",
        tokens.access_token.as_deref().map_or(0, str::len)
    );
    if let Some(t) = &tokens.token_type {
        text.push_str(&format!("\ntoken type: {}", output::escape(t)));
    }
    if let Some(s) = &tokens.scope {
        text.push_str(&format!("\nscope: {}", output::escape(s)));
    }
    if let Some(e) = tokens.expires_in {
        text.push_str(&format!("\nexpires in: {e} s"));
    }
    if tokens.refresh_token.is_some() {
        text.push_str("\nrefresh token: yes");
    }
    text.push_str("\n(use --json to print the tokens themselves)");
    output::print_line(&text)
}
