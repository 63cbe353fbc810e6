//! Tokens for other tools, from the cache of `oidckit token`: `kubectl` (an ExecCredential),
//! `git-credential` (git's credential-helper protocol), `header` (for curl), and `logout` and
//! `cache list|clear` to manage the cache.

use std::io::BufRead;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Value, json};

use crate::cache::{Cache, CacheArgs, Tokens, unix_now};
use crate::lock::EntryLock;
use crate::output;
use crate::token_cmd::{self, Format, SourceArgs, Want};

/// Bounds on what git sends a credential helper.
const MAX_GIT_INPUT_BYTES: u64 = 64 * 1024;

/// Flags of `oidckit kubectl`.
#[derive(Debug, Clone, Args)]
pub struct KubectlArgs {
    /// Sign-in flags and the cache.
    #[command(flatten)]
    pub source: SourceArgs,

    /// Put the access token in the credential instead of the ID token (for API servers that
    /// accept the provider's JWT access tokens).
    #[arg(long)]
    pub access_token: bool,
}

/// Runs `oidckit kubectl`: prints an ExecCredential for kubectl's `exec` credential plugin.
pub async fn kubectl(args: KubectlArgs, json: bool) -> anyhow::Result<()> {
    let want = if args.access_token {
        Want::Access
    } else {
        Want::Id
    };
    let tokens = token_cmd::obtain(&args.source, want, json).await?;
    token_cmd::print(&tokens, want, Format::ExecCredential)
}

/// Flags of `oidckit header`.
#[derive(Debug, Clone, Args)]
pub struct HeaderArgs {
    /// Sign-in flags and the cache.
    #[command(flatten)]
    pub source: SourceArgs,
}

/// Runs `oidckit header`: prints `Authorization: Bearer <access token>`.
pub async fn header(args: HeaderArgs, json: bool) -> anyhow::Result<()> {
    let tokens = token_cmd::obtain(&args.source, Want::Access, json).await?;
    token_cmd::print(&tokens, Want::Access, Format::Header)
}

/// What git asks of a credential helper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GitAction {
    /// Print a user name and the access token as the password.
    Get,
    /// Git found the credential good (nothing to do: the cache already has it).
    Store,
    /// Git's server refused the credential: drop the cached access token.
    Erase,
}

/// Flags of `oidckit git-credential`.
#[derive(Debug, Clone, Args)]
pub struct GitCredentialArgs {
    /// Sign-in flags and the cache.
    #[command(flatten)]
    pub source: SourceArgs,

    /// The user name given to git with the token (many servers ignore it).
    #[arg(long, default_value = "oauth2", value_name = "NAME")]
    pub username: String,

    /// The action git asks for (git appends it).
    #[arg(value_enum)]
    pub action: GitAction,
}

/// Runs `oidckit git-credential get|store|erase` (git-credential(1) "CUSTOM HELPERS").
pub async fn git_credential(args: GitCredentialArgs, json: bool) -> anyhow::Result<()> {
    let request = read_git_request(std::io::stdin().lock())?;
    let attr = |name: &str| {
        request
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    match args.action {
        GitAction::Store => Ok(()),
        GitAction::Get => {
            let host = attr("host").unwrap_or("");
            if attr("protocol") == Some("http") && !is_loopback_host(host) {
                // A token sent over plain http to another host could be read on the way.
                eprintln!(
                    "oidckit: no token for plain-http host {}",
                    output::escape(host)
                );
                return Ok(());
            }
            if args.username.bytes().any(|b| b.is_ascii_control()) {
                bail!("--username must not contain control characters");
            }
            let tokens = token_cmd::obtain(&args.source, Want::Access, json).await?;
            let token = token_cmd::token_of(&tokens, Want::Access)?;
            let mut text = format!("username={}\npassword={token}", args.username);
            if let Some(e) = tokens.expires_at {
                text.push_str(&format!("\npassword_expiry_utc={e}"));
            }
            output::print_line(&text)
        }
        GitAction::Erase => {
            let Some(password) = attr("password") else {
                return Ok(());
            };
            forget_access_token(&args.source, password).await
        }
    }
}

/// `key=value` lines up to an empty line or the end (bounded).
fn read_git_request(input: impl BufRead) -> anyhow::Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for line in input.take(MAX_GIT_INPUT_BYTES).lines() {
        let line = line.context("reading git's credential request")?;
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once('=') {
            out.push((k.to_string(), v.to_string()));
        }
    }
    Ok(out)
}

fn is_loopback_host(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    };
    matches!(name, "127.0.0.1" | "localhost" | "[::1]")
}

/// Marks the cached access token expired when it is the one git's server refused, so the
/// next `get` refreshes it (the refresh token is kept).
async fn forget_access_token(source: &SourceArgs, refused: &str) -> anyhow::Result<()> {
    let key = token_cmd::cache_key(&source.login)?;
    let cache = Cache::open(&source.cache)?;
    if cache.disabled() || cache.load(&key)?.is_none() {
        return Ok(());
    }
    let timeout = Duration::from_secs(source.lock_timeout);
    let _lock = EntryLock::acquire(&cache.lock_path(&key.id()), timeout).await?;
    let Some(mut tokens) = cache.load(&key)?.and_then(|e| e.tokens) else {
        return Ok(());
    };
    if tokens.access_token.as_deref() == Some(refused) {
        tokens.access_token = None;
        tokens.expires_at = Some(0);
        cache.save(&key, &tokens)?;
    }
    Ok(())
}

/// Flags of `oidckit logout`.
#[derive(Debug, Clone, Args)]
pub struct LogoutArgs {
    /// Sign-in flags and the cache.
    #[command(flatten)]
    pub source: SourceArgs,
}

/// Runs `oidckit logout`: revokes the cached refresh (and access) token where the provider
/// has a revocation endpoint, and removes the entry.
pub async fn logout(args: LogoutArgs, json: bool) -> anyhow::Result<()> {
    let login = &args.source.login;
    let key = token_cmd::cache_key(login)?;
    let cache = Cache::open(&args.source.cache)?;
    let id = key.id();
    let entry = cache.load(&key)?;
    let mut revoked: Vec<&str> = Vec::new();
    let mut problem = None;
    if let Some(tokens) = entry.as_ref().and_then(|e| e.tokens.as_ref()) {
        match revoke_all(login, tokens, &mut revoked).await {
            Ok(()) => {}
            Err(e) => problem = Some(format!("{e:#}")),
        }
    }
    let removed = entry.is_some() && cache.remove(&id)?;
    if json {
        return output::print_json(&json!({
            "removed": removed,
            "revoked": revoked,
            "revocation_error": problem,
        }));
    }
    let mut text = if removed {
        format!(
            "Removed the cached tokens of {} for {}",
            output::escape(&key.client_id),
            output::escape(&key.issuer)
        )
    } else {
        format!(
            "No cached tokens of {} for {}",
            output::escape(&key.client_id),
            output::escape(&key.issuer)
        )
    };
    if !revoked.is_empty() {
        text.push_str(&format!(
            "; revoked the {} at the provider",
            revoked.join(" and ")
        ));
    }
    output::print_line(&text)?;
    if let Some(p) = problem {
        eprintln!(
            "warning: could not revoke the tokens at the provider: {}",
            output::escape(&p)
        );
    }
    Ok(())
}

async fn revoke_all(
    login: &crate::login::LoginArgs,
    tokens: &Tokens,
    revoked: &mut Vec<&str>,
) -> anyhow::Result<()> {
    let client = login.provider.client_with(&login.auth).await?;
    if client.metadata().revocation_endpoint.is_none() {
        return Ok(());
    }
    if let Some(rt) = &tokens.refresh_token {
        client.revoke(rt, Some("refresh_token")).await?;
        revoked.push("refresh token");
    }
    if let Some(at) = &tokens.access_token {
        client.revoke(at, Some("access_token")).await?;
        revoked.push("access token");
    }
    Ok(())
}

/// Flags of `oidckit cache`.
#[derive(Debug, Clone, Args)]
pub struct CacheCommandArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: CacheAction,
}

/// `oidckit cache list|clear`.
#[derive(Debug, Clone, Subcommand)]
pub enum CacheAction {
    /// List the cached entries (never the tokens themselves).
    List {
        /// The token cache.
        #[command(flatten)]
        cache: CacheArgs,
    },
    /// Remove cached entries: the ones named by --id, or all.
    Clear {
        /// The token cache.
        #[command(flatten)]
        cache: CacheArgs,

        /// The entry to remove (repeatable; see `oidckit cache list`). [default: all]
        #[arg(long = "id", value_name = "ID")]
        ids: Vec<String>,
    },
}

/// Runs `oidckit cache list|clear`.
pub fn cache(args: CacheCommandArgs, json: bool) -> anyhow::Result<()> {
    match args.action {
        CacheAction::List { cache } => list(&Cache::open(&cache)?, json),
        CacheAction::Clear { cache, ids } => clear(&Cache::open(&cache)?, &ids, json),
    }
}

fn list(cache: &Cache, json: bool) -> anyhow::Result<()> {
    let entries = cache.list()?;
    let now = unix_now();
    let rows: Vec<Value> = entries
        .iter()
        .map(|(id, e)| {
            let t = e.tokens.as_ref();
            json!({
                "id": id,
                "issuer": e.key.issuer,
                "client_id": e.key.client_id,
                "scope": e.key.scope,
                "audience": e.key.audience,
                "resource": e.key.resource,
                "profile": e.key.profile,
                "store": e.store.as_str(),
                "sub": t.and_then(|t| t.claims.get("sub").cloned()),
                "expires_at": t.and_then(|t| t.expires_at),
                "has_refresh_token": t.is_some_and(|t| t.refresh_token.is_some()),
                "tokens_present": t.is_some(),
                "updated_at": e.updated_at,
            })
        })
        .collect();
    if json {
        return output::print_json(&json!({ "directory": cache.dir(), "entries": rows }));
    }
    if entries.is_empty() {
        return output::print_line(&format!(
            "No cached tokens in {}",
            output::escape(&cache.dir().display().to_string())
        ));
    }
    let mut text = format!(
        "Token cache {}:\n",
        output::escape(&cache.dir().display().to_string())
    );
    for (id, e) in &entries {
        let t = e.tokens.as_ref();
        let expiry = match t.and_then(|t| t.expires_at) {
            _ if t.is_none() => "tokens missing from the keyring".to_string(),
            Some(at) if at > now => format!("expires in {} s", at - now),
            Some(_) => "expired".to_string(),
            None => "no expiry".to_string(),
        };
        let sub = t
            .and_then(|t| t.claims.get("sub"))
            .and_then(Value::as_str)
            .unwrap_or("-");
        let refresh = if t.is_some_and(|t| t.refresh_token.is_some()) {
            "refresh token"
        } else {
            "no refresh token"
        };
        text.push_str(&format!(
            "\n{id}  {} client {} scope \"{}\"{}{}\n    user {}  {}  {}  in {}\n",
            output::escape(&e.key.issuer),
            output::escape(&e.key.client_id),
            output::escape(&e.key.scope),
            e.key
                .audience
                .as_deref()
                .map(|a| format!(" audience {}", output::escape(a)))
                .unwrap_or_default(),
            e.key
                .profile
                .as_deref()
                .map(|p| format!(" profile {}", output::escape(p)))
                .unwrap_or_default(),
            output::escape(sub),
            expiry,
            refresh,
            e.store.as_str(),
        ));
    }
    output::print_line(text.trim_end())
}

fn clear(cache: &Cache, ids: &[String], json: bool) -> anyhow::Result<()> {
    let targets: Vec<String> = if ids.is_empty() {
        cache.list()?.into_iter().map(|(id, _)| id).collect()
    } else {
        for id in ids {
            if id.is_empty() || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
                bail!(
                    "{} is not a cache entry id (see `oidckit cache list`)",
                    output::escape(id)
                );
            }
        }
        ids.to_vec()
    };
    let mut removed = Vec::new();
    for id in &targets {
        if cache.remove(id)? {
            removed.push(id.clone());
        }
    }
    if json {
        return output::print_json(&json!({ "removed": removed }));
    }
    output::print_line(&format!(
        "Removed {} cached entr{}",
        removed.len(),
        if removed.len() == 1 { "y" } else { "ies" }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_request_stops_at_the_blank_line() {
        let input = b"protocol=https\nhost=git.example.com\n\nignored=1\n";
        let req = read_git_request(&input[..]).expect("parses");
        assert_eq!(
            req,
            vec![
                ("protocol".into(), "https".into()),
                ("host".into(), "git.example.com".into())
            ]
        );
    }

    #[test]
    fn escaping_neutralises_terminal_controls() {
        assert_eq!(output::escape("a\u{1b}[2Jb\r"), "a\\u{1b}[2Jb\\u{d}");
        assert_eq!(output::escape("x\u{202e}y"), "x\\u{202e}y");
    }
}
