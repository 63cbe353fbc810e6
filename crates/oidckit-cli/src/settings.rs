//! Provider settings: flags first, then environment variables (both through clap), then a
//! named provider from the providers file (`--provider NAME`).
//!
//! The providers file is JSON, at `--config PATH`, `$OIDCKIT_CONFIG`, or
//! `<config dir>/oidckit/providers.json` (`$XDG_CONFIG_HOME` or `~/.config` on Linux,
//! `~/Library/Application Support` on macOS, `%APPDATA%` on Windows):
//!
//! ```json
//! { "providers": { "google": { "issuer": "https://accounts.google.com",
//!   "client_id": "….apps.googleusercontent.com", "client_secret": "…", "scope": "openid email" } } }
//! ```

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use serde_json::Value;

use oidckit::{Client, ClientConfig};

/// Which provider and client to use.
#[derive(Debug, Clone, Args)]
pub struct ProviderArgs {
    /// The issuer URL, e.g. `https://accounts.google.com` (https, except for loopback hosts).
    #[arg(long, env = "OIDC_ISSUER", value_name = "URL")]
    pub issuer: Option<String>,

    /// The full discovery document URL, instead of --issuer.
    #[arg(
        long,
        env = "OIDC_DISCOVERY_URL",
        value_name = "URL",
        conflicts_with = "issuer"
    )]
    pub discovery_url: Option<String>,

    /// The client id registered with the provider.
    #[arg(long, env = "OIDC_CLIENT_ID", value_name = "ID")]
    pub client_id: Option<String>,

    /// The client secret (confidential clients). Prefer the environment variable to the flag.
    #[arg(
        long,
        env = "OIDC_CLIENT_SECRET",
        value_name = "SECRET",
        hide_env_values = true,
        // Generated secrets may start with '-'.
        allow_hyphen_values = true
    )]
    pub client_secret: Option<String>,

    /// Read the client secret from this file (`-` for stdin), keeping it out of argv and the
    /// environment. Trailing line breaks are ignored.
    #[arg(
        long,
        env = "OIDC_CLIENT_SECRET_FILE",
        value_name = "PATH",
        conflicts_with = "client_secret"
    )]
    pub client_secret_file: Option<PathBuf>,

    /// Space-separated scopes; `openid` is always included. [default: openid]
    #[arg(long, env = "OIDC_SCOPE", value_name = "SCOPES")]
    pub scope: Option<String>,

    /// Take unset settings from this named provider of the providers file.
    #[arg(long, env = "OIDC_PROVIDER", value_name = "NAME")]
    pub provider: Option<String>,

    /// The providers file (default: `oidckit/providers.json` in the platform config directory).
    #[arg(long = "config", env = "OIDCKIT_CONFIG", value_name = "PATH")]
    pub config_file: Option<PathBuf>,

    /// Deadline in seconds for each network operation. [default: 60]
    #[arg(long, env = "OIDC_TIMEOUT", value_name = "SECONDS")]
    pub timeout: Option<u64>,

    /// DANGEROUS: allow plain-http issuers and endpoints on non-loopback hosts. Anyone on the
    /// network path can then read and change tokens.
    #[arg(long)]
    pub insecure_allow_http: bool,
}

/// A named provider of the providers file.
#[derive(Debug, Default, Clone)]
pub struct FileProvider {
    /// Values by setting name (`issuer`, `client_id`, `redirect_port`, …).
    pub values: serde_json::Map<String, Value>,
}

impl FileProvider {
    /// A string setting.
    pub fn string(&self, name: &str) -> Option<String> {
        match self.values.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// A number setting.
    pub fn number(&self, name: &str) -> Option<u64> {
        match self.values.get(name)? {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
    }
}

impl ProviderArgs {
    /// The named provider's settings, or empty ones when no provider is named.
    pub fn file_provider(&self) -> anyhow::Result<FileProvider> {
        let Some(name) = &self.provider else {
            return Ok(FileProvider::default());
        };
        let path = match &self.config_file {
            Some(p) => p.clone(),
            None => default_config_path()
                .context("cannot find the configuration directory; use --config PATH")?,
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read the providers file {}", path.display()))?;
        let doc: Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not valid JSON", path.display()))?;
        let providers = doc.get("providers").unwrap_or(&doc);
        match providers.get(name) {
            Some(Value::Object(values)) => Ok(FileProvider {
                values: values.clone(),
            }),
            _ => {
                let known: Vec<&str> = providers
                    .as_object()
                    .map(|o| o.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                bail!(
                    "no provider {name:?} in {} (known: {})",
                    path.display(),
                    known.join(", ")
                )
            }
        }
    }

    /// The client configuration from flags, environment and providers file.
    pub fn client_config(&self) -> anyhow::Result<(ClientConfig, FileProvider)> {
        let file = self.file_provider()?;
        let issuer = self
            .issuer
            .clone()
            .or_else(|| self.discovery_url.clone())
            .or_else(|| file.string("issuer"))
            .or_else(|| file.string("discovery_url"))
            .ok_or(oidckit::Error::Missing {
                what: "issuer",
                hint: "pass --issuer URL (or OIDC_ISSUER, or --provider NAME)",
            })?;
        let client_id = self
            .client_id
            .clone()
            .or_else(|| file.string("client_id"))
            .ok_or(oidckit::Error::Missing {
                what: "client id",
                hint: "pass --client-id ID (or OIDC_CLIENT_ID)",
            })?;
        let mut config = ClientConfig::new(issuer, client_id);
        config.client_secret = match &self.client_secret_file {
            Some(path) => Some(read_secret_file(path, "client secret")?),
            None => self
                .client_secret
                .as_deref()
                .map(|s| secret_arg(s, "client secret"))
                .transpose()?
                .or_else(|| file.string("client_secret")),
        };
        if let Some(scope) = self.scope.clone().or_else(|| file.string("scope")) {
            config.scope = scope;
        }
        if let Some(t) = self.timeout.or_else(|| file.number("timeout")) {
            config.http.timeout = Duration::from_secs(t.max(1));
        }
        if self.insecure_allow_http {
            eprintln!(
                "warning: --insecure-allow-http: plain-http provider URLs are accepted; tokens can be read and changed in transit"
            );
            config.dangerous().allow_http = true;
        }
        crate::network::apply(&mut config.http)?;
        Ok((config, file))
    }

    /// Discovers the provider and builds a client.
    pub async fn client(&self) -> anyhow::Result<Client> {
        let (config, _) = self.client_config()?;
        discover(config).await
    }

    /// Discovers the provider and builds a client that authenticates as `auth` says.
    pub async fn client_with(&self, auth: &ClientAuthArgs) -> anyhow::Result<Client> {
        let (mut config, _) = self.client_config()?;
        auth.apply(&mut config)?;
        discover(config).await
    }

    /// The scopes exactly as given (flag, environment or providers file), for grants that
    /// send them as they are.
    pub fn raw_scope(&self) -> anyhow::Result<Option<String>> {
        Ok(match &self.scope {
            Some(s) => Some(s.clone()),
            None => self.file_provider()?.string("scope"),
        })
    }
}

/// [`Client::discover`], with a hint when an http issuer is refused.
pub async fn discover(config: ClientConfig) -> anyhow::Result<Client> {
    let issuer = config.issuer.clone();
    match Client::discover(config).await {
        Ok(c) => Ok(c),
        Err(e @ oidckit::Error::InvalidUrl { problem: oidckit::error::UrlProblem::Scheme, .. }) if issuer.starts_with("http:") => {
            Err(anyhow::Error::new(e).context("plain-http issuers are refused except on loopback hosts (pass --insecure-allow-http to override)"))
        }
        Err(e) => Err(e.into()),
    }
}

/// Whether standard input was already taken by a `-` argument.
static STDIN_TAKEN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// All of standard input, once per run (a second `-` is an error rather than an empty value).
pub fn read_stdin(what: &str) -> anyhow::Result<String> {
    if STDIN_TAKEN.swap(true, std::sync::atomic::Ordering::SeqCst) {
        bail!("only one value can come from standard input (`-`); the {what} cannot");
    }
    let mut s = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut s)
        .with_context(|| format!("cannot read the {what} from standard input"))?;
    Ok(s)
}

/// A token or secret argument: the value itself, or with `-` the trimmed standard input.
pub fn secret_arg(value: &str, what: &str) -> anyhow::Result<String> {
    if value != "-" {
        return Ok(value.to_string());
    }
    let text = read_stdin(what)?;
    let value = text.trim();
    if value.is_empty() {
        bail!("no {what} on standard input");
    }
    Ok(value.to_string())
}

/// A secret kept in a file (`-`: standard input), without its trailing line break.
pub fn read_secret_file(path: &std::path::Path, what: &str) -> anyhow::Result<String> {
    if path.as_os_str() == "-" {
        return secret_arg("-", what);
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the {what} file {}", path.display()))?;
    let value = text.trim_end_matches(['\n', '\r']);
    if value.is_empty() {
        bail!("the {what} file {} is empty", path.display());
    }
    Ok(value.to_string())
}

/// Writes a file that holds secrets: created (or truncated) with mode 0600 on Unix, so no
/// other user can read it even for a moment.
pub fn write_private(path: &std::path::Path, contents: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    #[cfg(unix)]
    {
        // An existing file keeps its mode on open; tighten it before writing.
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("cannot make {} private", path.display()))?;
    }
    file.write_all(contents)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// `<config dir>/oidckit/providers.json` for this platform.
pub fn default_config_path() -> Option<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let dir = if cfg!(windows) {
        env("APPDATA")
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|h| h.join("Library/Application Support"))
    } else {
        env("XDG_CONFIG_HOME").or_else(|| env("HOME").map(|h| h.join(".config")))
    };
    dir.map(|d| d.join("oidckit").join("providers.json"))
}

/// How the client authenticates at the token, introspection, revocation and device
/// endpoints (`--client-secret` is with the provider settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthMethodArg {
    /// HTTP Basic with the client id and secret.
    #[value(name = "client_secret_basic")]
    ClientSecretBasic,
    /// Client id and secret in the form body.
    #[value(name = "client_secret_post")]
    ClientSecretPost,
    /// An HS256 assertion keyed by the client secret.
    #[value(name = "client_secret_jwt")]
    ClientSecretJwt,
    /// An assertion signed with --private-key or --certificate.
    #[value(name = "private_key_jwt")]
    PrivateKeyJwt,
    /// Mutual TLS with --certificate; only client_id in the body.
    #[value(name = "tls_client_auth")]
    TlsClientAuth,
    /// No client authentication (a public client).
    #[value(name = "none")]
    None,
}

impl AuthMethodArg {
    /// The library's method.
    pub fn method(self) -> oidckit::AuthMethod {
        match self {
            AuthMethodArg::ClientSecretBasic => oidckit::AuthMethod::ClientSecretBasic,
            AuthMethodArg::ClientSecretPost => oidckit::AuthMethod::ClientSecretPost,
            AuthMethodArg::ClientSecretJwt => oidckit::AuthMethod::ClientSecretJwt,
            AuthMethodArg::PrivateKeyJwt => oidckit::AuthMethod::PrivateKeyJwt,
            AuthMethodArg::TlsClientAuth => oidckit::AuthMethod::TlsClientAuth,
            AuthMethodArg::None => oidckit::AuthMethod::None,
        }
    }
}

/// Client authentication with a key or certificate, and the choice of method.
#[derive(Debug, Clone, Default, Args)]
pub struct ClientAuthArgs {
    /// Private key for private_key_jwt client assertions: PEM (PKCS#8, PKCS#1 or SEC1) or a
    /// private JWK, in a file.
    #[arg(long, env = "OIDC_PRIVATE_KEY", value_name = "FILE")]
    pub private_key: Option<PathBuf>,

    /// The `kid` put in the header of client assertions.
    #[arg(long, env = "OIDC_KEY_ID", value_name = "KID")]
    pub key_id: Option<String>,

    /// Client certificate with its key: a PKCS#12 file (.p12/.pfx, see --password) or PEM
    /// with CERTIFICATE and PRIVATE KEY blocks. Used for private_key_jwt assertions with
    /// `x5t`/`x5t#S256` headers (Microsoft Entra ID), or for mutual TLS with
    /// --auth-method tls_client_auth.
    #[arg(long, env = "OIDC_CERTIFICATE", value_name = "FILE")]
    pub certificate: Option<PathBuf>,

    /// Password of the --certificate PKCS#12 file. Prefer the environment variable to the flag.
    #[arg(
        long = "password",
        env = "OIDC_CERT_PASSWORD",
        value_name = "PASSWORD",
        hide_env_values = true,
        allow_hyphen_values = true
    )]
    pub certificate_password: Option<String>,

    /// Keys for encrypted tokens.
    #[command(flatten)]
    pub decryption: DecryptionArgs,

    /// Client authentication method. [default: client_secret_basic with a secret,
    /// private_key_jwt with a key or certificate, none otherwise]
    #[arg(long, env = "OIDC_AUTH_METHOD", value_enum, value_name = "METHOD")]
    pub auth_method: Option<AuthMethodArg>,
}

impl ClientAuthArgs {
    /// Puts the key, certificate and method into `config`.
    pub fn apply(&self, config: &mut ClientConfig) -> anyhow::Result<()> {
        let method = self.auth_method.map(AuthMethodArg::method);
        if self.private_key.is_some() && self.certificate.is_some() {
            bail!("give --private-key or --certificate, not both");
        }
        if let Some(path) = &self.private_key {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the private key {}", path.display()))?;
            let key = oidckit::PrivateKey::from_text(&text)
                .with_context(|| format!("cannot use the private key {}", path.display()))?;
            config.client_key = Some(self.with_kid(key));
        }
        if let Some(path) = &self.certificate {
            let bytes = std::fs::read(path)
                .with_context(|| format!("cannot read the certificate {}", path.display()))?;
            if method == Some(oidckit::AuthMethod::TlsClientAuth) {
                config.http.tls.client_certificate = Some(self.tls_certificate(bytes, path)?);
            } else {
                let key = self
                    .certificate_key(&bytes)
                    .with_context(|| format!("cannot use the certificate {}", path.display()))?;
                config.client_key = Some(self.with_kid(key));
            }
        }
        self.decryption.apply(config)?;
        if let Some(m) = method {
            let needs_key = m == oidckit::AuthMethod::PrivateKeyJwt;
            if needs_key && config.client_key.is_none() {
                bail!(
                    "--auth-method private_key_jwt needs --private-key FILE or --certificate FILE"
                );
            }
            let needs_secret = matches!(
                m,
                oidckit::AuthMethod::ClientSecretBasic
                    | oidckit::AuthMethod::ClientSecretPost
                    | oidckit::AuthMethod::ClientSecretJwt
            );
            if needs_secret && config.client_secret.is_none() {
                bail!(
                    "--auth-method {} needs --client-secret (or OIDC_CLIENT_SECRET)",
                    m.as_str()
                );
            }
            if m == oidckit::AuthMethod::TlsClientAuth && self.certificate.is_none() {
                bail!("--auth-method tls_client_auth needs --certificate FILE");
            }
            config.auth_method = Some(m);
        }
        Ok(())
    }

    fn with_kid(&self, key: oidckit::PrivateKey) -> oidckit::PrivateKey {
        match &self.key_id {
            Some(kid) => key.with_kid(kid.clone()),
            None => key,
        }
    }

    fn password(&self) -> &str {
        self.certificate_password.as_deref().unwrap_or("")
    }

    /// The signing key (with its certificate) of a PEM or PKCS#12 file.
    fn certificate_key(&self, bytes: &[u8]) -> anyhow::Result<oidckit::PrivateKey> {
        match pem_text(bytes) {
            Some(text) => {
                let key = oidckit::PrivateKey::from_pem(text)?;
                if key.certificate_der().is_none() {
                    bail!(
                        "the PEM file has no CERTIFICATE block (use --private-key for a bare key)"
                    );
                }
                Ok(key)
            }
            None => Ok(oidckit::PrivateKey::from_pkcs12(bytes, self.password())?),
        }
    }

    /// The mutual-TLS client certificate of a PEM or PKCS#12 file.
    fn tls_certificate(
        &self,
        bytes: Vec<u8>,
        path: &std::path::Path,
    ) -> anyhow::Result<oidckit::http::ClientCertificate> {
        let Some(text) = pem_text(&bytes) else {
            return Ok(oidckit::http::ClientCertificate::Pkcs12 {
                der: bytes,
                password: self.password().to_string(),
            });
        };
        let (mut chain, mut key) = (String::new(), None);
        for block in pem_blocks(text) {
            if block.starts_with("-----BEGIN CERTIFICATE-----") {
                chain.push_str(block);
                chain.push('\n');
            } else if key.is_none() && block.contains("PRIVATE KEY-----") {
                key = Some(block.to_string());
            }
        }
        match key {
            Some(private_key) if !chain.is_empty() => Ok(oidckit::http::ClientCertificate::Pem {
                certificate_chain: chain,
                private_key,
            }),
            _ => bail!(
                "{} needs both CERTIFICATE and PRIVATE KEY blocks",
                path.display()
            ),
        }
    }
}

/// The client's keys for encrypted ID tokens, UserInfo and JARM responses (JWE).
#[derive(Debug, Clone, Default, Args)]
pub struct DecryptionArgs {
    /// A private key for encrypted ID tokens, UserInfo and JARM responses (JWE), repeatable:
    /// PEM (PKCS#8 or SEC1), a private JWK, or a JWKS file (each private encryption key of it).
    /// Register the public half with the provider. [default: none; an encrypted token is then
    /// refused with error 958]
    #[arg(long = "decryption-key", value_name = "PATH")]
    pub decryption_keys: Vec<PathBuf>,
}

impl DecryptionArgs {
    /// Adds the keys of each file to `config.decryption_keys`.
    pub fn apply(&self, config: &mut ClientConfig) -> anyhow::Result<()> {
        for path in &self.decryption_keys {
            let keys = read_decryption_keys(path)
                .with_context(|| format!("cannot use the decryption key {}", path.display()))?;
            config.decryption_keys.extend(keys);
        }
        Ok(())
    }
}

/// The decryption keys of a PEM, private JWK or JWKS file (the key material is never printed).
fn read_decryption_keys(path: &std::path::Path) -> anyhow::Result<Vec<oidckit::DecryptionKey>> {
    let text = std::fs::read_to_string(path).context("cannot read the file")?;
    Ok(oidckit::DecryptionKey::all_from_text(&text)?)
}

/// The text of a PEM file, or `None` for binary (PKCS#12) contents.
fn pem_text(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes)
        .ok()
        .filter(|t| t.contains("-----BEGIN "))
}

/// The `-----BEGIN …-----` … `-----END …-----` blocks of PEM text.
fn pem_blocks(text: &str) -> Vec<&str> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let from = &rest[start..];
        let Some(end) = from.find("-----END ") else {
            break;
        };
        let tail = &from[end + 9..];
        let close = tail.find("-----").map_or(tail.len(), |i| i + 5);
        let len = end + 9 + close;
        blocks.push(&from[..len]);
        rest = &from[len..];
    }
    blocks
}
