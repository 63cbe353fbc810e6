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
        hide_env_values = true
    )]
    pub client_secret: Option<String>,

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
        config.client_secret = self
            .client_secret
            .clone()
            .or_else(|| file.string("client_secret"));
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
        Ok((config, file))
    }

    /// Discovers the provider and builds a client.
    pub async fn client(&self) -> anyhow::Result<Client> {
        let (config, _) = self.client_config()?;
        discover(config).await
    }
}

/// [`Client::discover`], with a hint when an http issuer is refused.
pub async fn discover(config: ClientConfig) -> anyhow::Result<Client> {
    let issuer = config.issuer.clone();
    match Client::discover(config).await {
        Ok(c) => Ok(c),
        Err(e @ oidckit::Error::InvalidUrl { code: 153, .. }) if issuer.starts_with("http:") => {
            Err(anyhow::Error::new(e).context("plain-http issuers are refused except on loopback hosts (pass --insecure-allow-http to override)"))
        }
        Err(e) => Err(e.into()),
    }
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
