//! `oidckit token`: a valid access (or ID) token from the cache, refreshed or signed in anew
//! when needed, printed for a script or another tool.
//!
//! The order of things: the cache entry is read without a lock, and a token that stays valid
//! for the margin (`--min-validity`) is printed at once, with no request to the provider.
//! Otherwise the entry's lock is taken, the entry read again (another process may have
//! refreshed it meanwhile), and only then is the refresh token used — or, when the provider
//! refuses it (`invalid_grant`), the user signed in again. A provider that rotates refresh
//! tokens therefore sees one refresh per expiry, however many processes ask at once.

use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use serde_json::{Value, json};

use oidckit::TokenSet;

use crate::cache::{Cache, CacheArgs, Key, Tokens, unix_now};
use crate::lock::EntryLock;
use crate::login::{self, Flow, LoginArgs};
use crate::output;

/// Where tokens come from: the sign-in flags of `oidckit login` and the cache.
#[derive(Debug, Clone, Args)]
pub struct SourceArgs {
    /// Sign-in flags (as for `oidckit login`).
    #[command(flatten)]
    pub login: LoginArgs,

    /// The token cache.
    #[command(flatten)]
    pub cache: CacheArgs,

    /// Refresh the token when it expires within this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub min_validity: u64,

    /// Wait at most this many seconds for another oidckit process that is refreshing or
    /// signing in for the same cache entry.
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    pub lock_timeout: u64,
}

/// How `oidckit token` prints the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The token alone on a line.
    Raw,
    /// A JSON object with the token, its type, expiry and the verified ID token claims.
    Json,
    /// `Authorization: Bearer <token>`.
    Header,
    /// A Kubernetes `client.authentication.k8s.io/v1` ExecCredential.
    ExecCredential,
    /// `export OIDC_ACCESS_TOKEN='…'` (or `OIDC_ID_TOKEN`) and the expiry, for `eval`.
    Env,
}

/// Flags of `oidckit token`.
#[derive(Debug, Clone, Args)]
pub struct TokenArgs {
    /// Sign-in flags and the cache.
    #[command(flatten)]
    pub source: SourceArgs,

    /// Print the ID token instead of the access token.
    #[arg(long)]
    pub id_token: bool,

    /// Output format (`--json` alone means `--format json`).
    #[arg(long, value_enum, default_value_t = Format::Raw)]
    pub format: Format,
}

/// Which token the caller wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// The access token.
    Access,
    /// The ID token.
    Id,
}

/// Runs `oidckit token`.
pub async fn run(args: TokenArgs, json: bool) -> anyhow::Result<()> {
    let want = if args.id_token {
        Want::Id
    } else {
        Want::Access
    };
    let tokens = obtain(&args.source, want, json).await?;
    let format = if json && args.format == Format::Raw {
        Format::Json
    } else {
        args.format
    };
    print(&tokens, want, format)
}

/// A token set holding a `want` token valid for `margin` more seconds: from the cache, or
/// refreshed, or from a new sign-in; the cache is updated.
pub async fn obtain(source: &SourceArgs, want: Want, json: bool) -> anyhow::Result<Tokens> {
    let key = cache_key(&source.login)?;
    let cache = Cache::open(&source.cache)?;
    let margin = source.min_validity;
    if cache.disabled() {
        let tokens = sign_in(&source.login, json).await?;
        return usable(tokens, want);
    }
    if let Some(t) = cache.load(&key)?.and_then(|e| e.tokens)
        && fresh(&t, want, margin)
    {
        return Ok(t);
    }
    cache.ensure_dir()?;
    let timeout = Duration::from_secs(source.lock_timeout);
    let _lock = EntryLock::acquire(&cache.lock_path(&key.id()), timeout).await?;
    // Another process may have refreshed (and rotated the refresh token) while we waited.
    let current = cache.load(&key)?.and_then(|e| e.tokens);
    if let Some(t) = &current
        && fresh(t, want, margin)
    {
        return Ok(t.clone());
    }
    let tokens = match current.filter(|t| t.refresh_token.is_some()) {
        Some(old) => match refresh(&source.login, &old).await {
            // Not `fresh(…, 0)`: a token that lives a second may already be at its end.
            Ok(t)
                if token_of(&t, want).is_ok()
                    && (want == Want::Access || t.id_token != old.id_token) =>
            {
                t
            }
            Ok(_) => {
                eprintln!(
                    "note: the refreshed tokens hold no valid {}; signing in again",
                    name(want)
                );
                sign_in(&source.login, json).await?
            }
            Err(e) if is_invalid_grant(&e) => {
                eprintln!(
                    "note: the provider refused the refresh token (invalid_grant); signing in again"
                );
                sign_in(&source.login, json).await?
            }
            Err(e) => return Err(e.context("refreshing the cached tokens")),
        },
        None => sign_in(&source.login, json).await?,
    };
    let tokens = usable(tokens, want)?;
    cache.save(&key, &tokens)?;
    Ok(tokens)
}

/// The cache key of the sign-in flags (no network: the issuer as configured, not discovered).
pub fn cache_key(login: &LoginArgs) -> anyhow::Result<Key> {
    let (config, _) = login.provider.client_config()?;
    let param = |name: &str| {
        let values: Vec<&str> = login
            .params
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect();
        (!values.is_empty()).then(|| values.join(" "))
    };
    Ok(Key::new(
        &config.issuer,
        &config.client_id,
        &config.scope,
        param("audience"),
        param("resource"),
        login.provider.provider.clone(),
    ))
}

/// Whether the wanted token is there and valid for `margin` more seconds. A token whose
/// expiry the provider did not say counts as valid (`git-credential erase` drops it when a
/// server refuses it).
pub fn fresh(tokens: &Tokens, want: Want, margin: u64) -> bool {
    let (token, expires_at) = match want {
        Want::Access => (&tokens.access_token, tokens.expires_at),
        Want::Id => (&tokens.id_token, tokens.id_token_expires_at()),
    };
    token.is_some() && expires_at.is_none_or(|e| e > unix_now().saturating_add(margin))
}

/// The token printed.
pub fn token_of(tokens: &Tokens, want: Want) -> anyhow::Result<&str> {
    match want {
        Want::Access => tokens.access_token.as_deref(),
        Want::Id => tokens.id_token.as_deref(),
    }
    .with_context(|| format!("the provider returned no {}", name(want)))
}

/// The wanted token's expiry (Unix seconds), if known.
pub fn expiry_of(tokens: &Tokens, want: Want) -> Option<u64> {
    match want {
        Want::Access => tokens.expires_at,
        Want::Id => tokens.id_token_expires_at(),
    }
}

fn name(want: Want) -> &'static str {
    match want {
        Want::Access => "access token",
        Want::Id => "ID token",
    }
}

/// Signs in: the flow of `--flow`, else a browser on a desktop and the device flow when
/// there is no display or the session is over SSH (an explicit `--browser-command` or
/// `--no-browser` means a browser).
async fn sign_in(login: &LoginArgs, json: bool) -> anyhow::Result<Tokens> {
    let mut args = login.clone();
    if args.flow.is_none() {
        let wants_browser = args.browser_command.is_some() || args.no_browser;
        args.flow = Some(if !wants_browser && headless() {
            Flow::Device
        } else {
            Flow::Code
        });
    }
    let (_, tokens) = login::sign_in(&args, json).await?;
    Ok(from_token_set(&tokens, None))
}

/// No display to open a browser on: over SSH, or (other than on macOS and Windows) without
/// `DISPLAY` and `WAYLAND_DISPLAY`.
fn headless() -> bool {
    let set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
    if set("SSH_CONNECTION") || set("SSH_TTY") {
        return true;
    }
    !cfg!(any(windows, target_os = "macos")) && !set("DISPLAY") && !set("WAYLAND_DISPLAY")
}

/// Uses the cached refresh token; the result keeps the ID token and claims of `old` when the
/// provider sends no new ID token.
async fn refresh(login: &LoginArgs, old: &Tokens) -> anyhow::Result<Tokens> {
    let refresh_token = old.refresh_token.as_deref().context("no refresh token")?;
    let client = login.provider.client_with(&login.auth).await?;
    let fresh = client.refresh(refresh_token, None).await?;
    if let Some(id) = &fresh.id_token {
        let before = old.claims.get("sub").and_then(Value::as_str);
        if before.is_some() && id.claims().subject() != before {
            bail!(
                "the refreshed ID token names another user than the cached one; run `oidckit logout` and sign in again"
            );
        }
    }
    Ok(from_token_set(&fresh, Some(old)))
}

/// Whether a refresh failed because the provider no longer accepts the refresh token.
fn is_invalid_grant(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        matches!(
            e.downcast_ref::<oidckit::Error>(),
            Some(oidckit::Error::OAuth { error, .. }) if error == "invalid_grant"
        )
    })
}

/// The cache form of a token response (`previous` supplies the ID token when it has none).
fn from_token_set(t: &TokenSet, previous: Option<&Tokens>) -> Tokens {
    let expires_at = t
        .expires_at
        .and_then(|at| at.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs())
        .or_else(|| t.expires_in.map(|s| unix_now().saturating_add(s)));
    let (id_token, claims) = match (&t.id_token, previous) {
        (Some(id), _) => (Some(id.raw().to_string()), id.claims().as_map().clone()),
        (None, Some(p)) => (p.id_token.clone(), p.claims.clone()),
        (None, None) => (None, Default::default()),
    };
    Tokens {
        access_token: t.access_token.clone(),
        token_type: t.token_type.clone(),
        expires_at,
        refresh_token: t.refresh_token.clone(),
        id_token,
        scope: t.scope.clone(),
        claims,
    }
}

/// Refuses tokens that could forge output: every token goes into headers, git's
/// line-based protocol and shell assignments, so only visible ASCII is accepted.
fn usable(tokens: Tokens, want: Want) -> anyhow::Result<Tokens> {
    let fields = [
        ("access token", &tokens.access_token),
        ("refresh token", &tokens.refresh_token),
        ("ID token", &tokens.id_token),
        ("token type", &tokens.token_type),
    ];
    for (what, value) in fields {
        if let Some(v) = value
            && (v.is_empty() || !v.bytes().all(|b| b.is_ascii_graphic()))
        {
            bail!(
                "the provider's {what} is empty or holds characters other than visible ASCII; refusing to print or cache it"
            );
        }
    }
    token_of(&tokens, want)?;
    Ok(tokens)
}

/// Prints the wanted token in `format`.
pub fn print(tokens: &Tokens, want: Want, format: Format) -> anyhow::Result<()> {
    let token = token_of(tokens, want)?;
    let expires_at = expiry_of(tokens, want);
    match format {
        Format::Raw => output::print_line(token),
        Format::Header => output::print_line(&format!("Authorization: Bearer {token}")),
        Format::ExecCredential => output::print_json(&exec_credential(token, expires_at)),
        Format::Env => {
            let var = match want {
                Want::Access => "OIDC_ACCESS_TOKEN",
                Want::Id => "OIDC_ID_TOKEN",
            };
            let mut text = format!("export {var}='{token}'");
            if let Some(e) = expires_at {
                text.push_str(&format!("\nexport OIDC_TOKEN_EXPIRES_AT='{e}'"));
            }
            output::print_line(&text)
        }
        Format::Json => {
            let field = match want {
                Want::Access => "access_token",
                Want::Id => "id_token",
            };
            let mut obj = json!({ field: token, "expires_at": expires_at });
            if want == Want::Access {
                obj["token_type"] = tokens.token_type.clone().into();
            }
            if let Some(e) = expires_at {
                obj["expires_in"] = e.saturating_sub(unix_now()).into();
            }
            obj["claims"] = Value::Object(tokens.claims.clone());
            output::print_json(&obj)
        }
    }
}

/// A `client.authentication.k8s.io/v1` ExecCredential holding `token`.
pub fn exec_credential(token: &str, expires_at: Option<u64>) -> Value {
    let mut status = json!({ "token": token });
    if let Some(e) = expires_at {
        status["expirationTimestamp"] = rfc3339(e).into();
    }
    json!({
        "apiVersion": "client.authentication.k8s.io/v1",
        "kind": "ExecCredential",
        "status": status,
    })
}

/// `YYYY-MM-DDTHH:MM:SSZ` for Unix seconds (the proleptic Gregorian calendar, UTC).
pub fn rfc3339(unix: u64) -> String {
    let days = unix / 86_400;
    let secs = unix % 86_400;
    // Civil from days (H. Hinnant's algorithm), in unsigned arithmetic from 1970-01-01.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_that_could_forge_output_are_refused() {
        let with = |access: &str| Tokens {
            access_token: Some(access.to_string()),
            ..Tokens::default()
        };
        assert!(usable(with("abc.DEF-_~+/="), Want::Access).is_ok());
        for bad in ["tok\nusername=evil", "tok\u{1b}]0;x\u{7}", "a b", ""] {
            assert!(usable(with(bad), Want::Access).is_err(), "{bad:?}");
        }
        assert!(usable(with("ok"), Want::Id).is_err(), "no ID token");
    }

    #[test]
    fn rfc3339_formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(4_107_542_399), "2100-02-28T23:59:59Z");
    }
}
