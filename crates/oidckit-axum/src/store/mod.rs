//! The store behind logins and sessions: one small trait, [`Store`], with two implementations,
//! [`MemoryStore`] (one process, the default) and [`RedisStore`] (many instances, one Redis
//! server or a Redis Cluster). The routes, extractors and refresh layer never know which one
//! they have.
//!
//! What is stored, and for how long:
//! - login transactions (state, nonce, PKCE verifier, return path) under their `state`, for a
//!   short TTL, **taken once**: [`Store::take_transaction`] returns a transaction to exactly one
//!   caller, so a replayed callback fails on every instance;
//! - sessions under their opaque id, with a TTL, indexed by the provider's `sid` and `sub` so
//!   that a back-channel logout can find them;
//! - logout-token `jti`s already used ([`Store::first_use`]);
//! - short locks with a fencing value, so that one session is refreshed by one instance at a
//!   time ([`Store::try_lock`], [`Store::unlock`]).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use oidckit::Result;

mod memory;
mod redis;

pub use memory::MemoryStore;
pub use redis::RedisStore;

/// The boxed future every [`Store`] method returns (the trait is used as `Arc<dyn Store>`).
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

/// One stored session: the opaque data (JSON written by this crate) and the provider's
/// identifiers it is indexed by.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionEntry {
    /// The provider's subject identifier (`sub`) of the signed-in user.
    pub sub: String,
    /// The provider's session id (`sid`), when its ID token carried one.
    pub sid: Option<String>,
    /// The session's data (tokens, claims, userinfo) as JSON text. Holds tokens: never log it.
    pub data: String,
}

impl std::fmt::Debug for SessionEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionEntry")
            .field("sub", &self.sub)
            .field("sid", &self.sid)
            .field("data", &"[redacted]")
            .finish()
    }
}

/// Storage for login transactions, sessions, used logout tokens and refresh locks. Every method
/// must be safe to call from many instances at once; the guarantees each needs are on the method.
/// Errors are [`oidckit::Error::SessionStore`] (code 943).
pub trait Store: Send + Sync + std::fmt::Debug + 'static {
    /// Keeps a login transaction under `id` for `ttl`.
    fn put_transaction<'a>(
        &'a self,
        id: &'a str,
        data: &'a str,
        ttl: Duration,
    ) -> StoreFuture<'a, ()>;

    /// Removes and returns the transaction `id`, atomically: of any number of concurrent callers
    /// on any instance, at most one gets `Some`.
    fn take_transaction<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<String>>;

    /// Writes (creates or replaces) the session `id` with a TTL of `ttl`, and indexes it by
    /// the entry's `sid` and `sub`.
    fn put_session<'a>(
        &'a self,
        id: &'a str,
        entry: &'a SessionEntry,
        ttl: Duration,
    ) -> StoreFuture<'a, ()>;

    /// Reads the session `id` (`None` when absent or expired).
    fn get_session<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<SessionEntry>>;

    /// Deletes the session `id` (no error when absent).
    fn delete_session<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()>;

    /// Deletes every session indexed under the provider session id `sid`; returns how many.
    fn delete_by_sid<'a>(&'a self, sid: &'a str) -> StoreFuture<'a, usize>;

    /// Deletes every session of the subject `sub`; returns how many.
    fn delete_by_sub<'a>(&'a self, sub: &'a str) -> StoreFuture<'a, usize>;

    /// Records `key` as used for `ttl`; `true` when this call is the first to do so (across all
    /// instances), `false` when it was already recorded (a replay).
    fn first_use<'a>(&'a self, key: &'a str, ttl: Duration) -> StoreFuture<'a, bool>;

    /// Takes the lock `name` with the fencing value `fence` for at most `ttl` (`SET NX PX`);
    /// `true` when taken, `false` when someone else holds it.
    fn try_lock<'a>(
        &'a self,
        name: &'a str,
        fence: &'a str,
        ttl: Duration,
    ) -> StoreFuture<'a, bool>;

    /// Releases the lock `name` only if it still holds `fence` (so an expired lock taken over
    /// by another instance is never released by the first).
    fn unlock<'a>(&'a self, name: &'a str, fence: &'a str) -> StoreFuture<'a, ()>;
}
