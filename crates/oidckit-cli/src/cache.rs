//! The token cache of `oidckit token`, `kubectl`, `header`, `git-credential` and `logout`.
//!
//! One entry per (issuer, client id, scopes, audience/resource, profile name). Each entry has a
//! record file `<id>.json` in the cache directory (`--cache-dir`, `$OIDCKIT_CACHE_DIR`, or
//! `<data dir>/oidckit/tokens`), created 0600 in a 0700 directory, and a lock file `<id>.lock`
//! beside it (see [`crate::lock`]). The tokens themselves (access, refresh and ID token, and the
//! verified ID token claims) are in the OS keyring when one works (`--token-cache keyring`, or
//! `auto`), else in the record file. `auto` falls back to the file when the keyring is missing or
//! refuses the entry (too large); the record then says where the tokens are.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The keyring service name of every entry.
const KEYRING_SERVICE: &str = "oidckit";
/// Record files larger than this are refused (a token set is a few kilobytes).
const MAX_RECORD_BYTES: u64 = 1024 * 1024;

/// Where the tokens are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    /// The OS keyring when it works, else the file.
    Auto,
    /// A file in the cache directory (0600).
    File,
    /// The OS keyring; an error when there is none.
    Keyring,
    /// No cache: every call signs in.
    None,
}

/// Flags of the token cache.
#[derive(Debug, Clone, Args)]
pub struct CacheArgs {
    /// Where tokens are kept between calls.
    #[arg(
        long,
        env = "OIDCKIT_TOKEN_CACHE",
        value_enum,
        default_value_t = Backend::Auto
    )]
    pub token_cache: Backend,

    /// The token cache directory. [default: oidckit/tokens in the platform data directory]
    #[arg(long, env = "OIDCKIT_CACHE_DIR", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

/// What identifies a cache entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key {
    /// The issuer as configured (without a trailing slash).
    pub issuer: String,
    /// The client id.
    pub client_id: String,
    /// The scopes, sorted and space-separated.
    pub scope: String,
    /// The `audience` authorization parameter, if any.
    pub audience: Option<String>,
    /// The `resource` authorization parameter(s), if any, space-separated.
    pub resource: Option<String>,
    /// The providers-file profile (`--provider NAME`), if any.
    pub profile: Option<String>,
}

impl Key {
    /// A key; scopes are sorted and de-duplicated so that their order does not matter.
    pub fn new(
        issuer: &str,
        client_id: &str,
        scope: &str,
        audience: Option<String>,
        resource: Option<String>,
        profile: Option<String>,
    ) -> Key {
        let mut scopes: Vec<&str> = scope.split_whitespace().collect();
        scopes.sort_unstable();
        scopes.dedup();
        Key {
            issuer: issuer.trim_end_matches('/').to_string(),
            client_id: client_id.to_string(),
            scope: scopes.join(" "),
            audience,
            resource,
            profile,
        }
    }

    /// The entry id: the first 32 hex digits of the SHA-256 of the key's JSON.
    pub fn id(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        let digest = Sha256::digest(&json);
        digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
    }
}

/// The tokens of an entry (kept in the keyring or the record file).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tokens {
    /// The access token.
    pub access_token: Option<String>,
    /// Its type, normally `Bearer`.
    pub token_type: Option<String>,
    /// When the access token expires (Unix seconds), if the provider said.
    pub expires_at: Option<u64>,
    /// The refresh token.
    pub refresh_token: Option<String>,
    /// The ID token, verified when it was received.
    pub id_token: Option<String>,
    /// The granted scope, if the provider said.
    pub scope: Option<String>,
    /// The verified ID token claims.
    pub claims: Map<String, Value>,
}

impl Tokens {
    /// When the ID token expires (its `exp`), if there is one.
    pub fn id_token_expires_at(&self) -> Option<u64> {
        self.claims.get("exp").and_then(Value::as_u64)
    }
}

/// Where an entry's tokens are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Store {
    /// In the record file.
    File,
    /// In the OS keyring, under service `oidckit` and the entry id.
    Keyring,
}

impl Store {
    /// The name shown by `cache list`.
    pub fn as_str(self) -> &'static str {
        match self {
            Store::File => "file",
            Store::Keyring => "keyring",
        }
    }
}

/// A record file.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    version: u32,
    key: Key,
    store: Store,
    updated_at: u64,
    /// The tokens, when `store` is `file`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tokens: Option<Tokens>,
}

/// A cache entry: its key, where its tokens are and the tokens.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The key.
    pub key: Key,
    /// Where the tokens are.
    pub store: Store,
    /// When the entry was last written (Unix seconds).
    pub updated_at: u64,
    /// The tokens; `None` when the keyring no longer has them.
    pub tokens: Option<Tokens>,
}

/// An opened token cache.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
    backend: Backend,
}

impl Cache {
    /// The cache the flags name (the directory is created on first write).
    pub fn open(args: &CacheArgs) -> anyhow::Result<Cache> {
        let dir = match &args.cache_dir {
            Some(d) => d.clone(),
            None => default_cache_dir().context(
                "cannot find the platform data directory; pass --cache-dir DIR (or OIDCKIT_CACHE_DIR)",
            )?,
        };
        Ok(Cache {
            dir,
            backend: args.token_cache,
        })
    }

    /// Whether caching is off (`--token-cache none`).
    pub fn disabled(&self) -> bool {
        self.backend == Backend::None
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The record file of an entry.
    pub fn record_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    /// The lock file of an entry.
    pub fn lock_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.lock"))
    }

    /// The entry for `key`, if there is one (always `None` with `--token-cache none`).
    pub fn load(&self, key: &Key) -> anyhow::Result<Option<Entry>> {
        if self.disabled() {
            return Ok(None);
        }
        let id = key.id();
        match self.read_entry(&id)? {
            Some(e) if &e.key == key => Ok(Some(e)),
            _ => Ok(None),
        }
    }

    /// Writes the tokens of `key` (the record atomically, 0600).
    pub fn save(&self, key: &Key, tokens: &Tokens) -> anyhow::Result<Store> {
        if self.disabled() {
            return Ok(Store::File);
        }
        self.ensure_dir()?;
        let id = key.id();
        let store = match self.backend {
            Backend::Keyring => {
                keyring_set(&id, tokens).context(
                    "the OS keyring refused the tokens; use --token-cache file (or auto)",
                )?;
                Store::Keyring
            }
            Backend::Auto if keyring_set(&id, tokens).is_ok() => Store::Keyring,
            _ => Store::File,
        };
        if store == Store::File {
            // Tokens may have been in the keyring before; don't leave them there.
            let _ = keyring_delete(&id);
        }
        let record = Record {
            version: 1,
            key: key.clone(),
            store,
            updated_at: unix_now(),
            tokens: (store == Store::File).then(|| tokens.clone()),
        };
        let bytes = serde_json::to_vec_pretty(&record)?;
        write_private(&self.record_path(&id), &bytes)?;
        Ok(store)
    }

    /// Removes an entry (record and keyring item); false when there was none. The lock file
    /// stays: a process waiting on it must lock the same file as the next one.
    pub fn remove(&self, id: &str) -> anyhow::Result<bool> {
        let record = self.record_path(id);
        let existed = record.exists();
        if existed {
            fs::remove_file(&record)
                .with_context(|| format!("cannot remove {}", record.display()))?;
        }
        let _ = keyring_delete(id);
        Ok(existed)
    }

    /// Every entry, oldest first by key issuer and client.
    pub fn list(&self) -> anyhow::Result<Vec<(String, Entry)>> {
        let mut out = Vec::new();
        let dir = match fs::read_dir(&self.dir) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => {
                return Err(e).with_context(|| format!("cannot read {}", self.dir.display()));
            }
        };
        for item in dir {
            let name = item?.file_name();
            let Some(id) = name.to_str().and_then(|n| n.strip_suffix(".json")) else {
                continue;
            };
            if let Some(entry) = self.read_entry(id)? {
                out.push((id.to_string(), entry));
            }
        }
        out.sort_by(|a, b| {
            (&a.1.key.issuer, &a.1.key.client_id, &a.0).cmp(&(
                &b.1.key.issuer,
                &b.1.key.client_id,
                &b.0,
            ))
        });
        Ok(out)
    }

    /// Creates the cache directory 0700 (and makes an existing one 0700).
    pub fn ensure_dir(&self) -> anyhow::Result<()> {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(&self.dir)
            .with_context(|| format!("cannot create the cache directory {}", self.dir.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&self.dir)?.permissions().mode() & 0o777;
            if mode != 0o700 {
                fs::set_permissions(&self.dir, fs::Permissions::from_mode(0o700)).with_context(
                    || format!("cannot make {} private (0700)", self.dir.display()),
                )?;
            }
        }
        Ok(())
    }

    fn read_entry(&self, id: &str) -> anyhow::Result<Option<Entry>> {
        let path = self.record_path(id);
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let mut bytes = Vec::new();
        file.take(MAX_RECORD_BYTES + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > MAX_RECORD_BYTES {
            bail!(
                "{} is larger than 1 MiB; remove it with `oidckit cache clear`",
                path.display()
            );
        }
        let record: Record = serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "{} is not a token cache record; remove it with `oidckit cache clear`",
                path.display()
            )
        })?;
        let tokens = match record.store {
            Store::File => record.tokens,
            Store::Keyring => keyring_get(id).ok(),
        };
        Ok(Some(Entry {
            key: record.key,
            store: record.store,
            updated_at: record.updated_at,
            tokens,
        }))
    }
}

/// `<data dir>/oidckit/tokens` for this platform.
pub fn default_cache_dir() -> Option<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let dir = if cfg!(windows) {
        env("LOCALAPPDATA")
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|h| h.join("Library/Application Support"))
    } else {
        env("XDG_DATA_HOME").or_else(|| env("HOME").map(|h| h.join(".local/share")))
    };
    dir.map(|d| d.join("oidckit").join("tokens"))
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// Writes `bytes` to `path` through a 0600 temporary file and a rename, so that readers see
/// the old or the new record, never half of one.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let result = (|| {
        let mut file = options
            .open(&tmp)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn keyring_entry(id: &str) -> keyring::Result<keyring::Entry> {
    keyring::Entry::new(KEYRING_SERVICE, id)
}

fn keyring_set(id: &str, tokens: &Tokens) -> anyhow::Result<()> {
    let text = serde_json::to_string(tokens)?;
    keyring_entry(id)?.set_password(&text)?;
    // Some keyrings accept what they cannot give back (size limits); check it round-trips.
    if keyring_entry(id)?.get_password()? != text {
        let _ = keyring_delete(id);
        bail!("the keyring did not keep the tokens intact");
    }
    Ok(())
}

fn keyring_get(id: &str) -> anyhow::Result<Tokens> {
    let text = keyring_entry(id)?.get_password()?;
    Ok(serde_json::from_str(&text)?)
}

fn keyring_delete(id: &str) -> anyhow::Result<()> {
    Ok(keyring_entry(id)?.delete_credential()?)
}
