//! [`MemoryStore`]: everything in one process's memory. The default; right for one instance,
//! wrong behind a load balancer (use [`super::RedisStore`] there).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::{SessionEntry, Store, StoreFuture};

/// At most this many entries of each kind; past it, expired entries are dropped and then the
/// oldest-expiring ones, so a flood of `/login` requests cannot grow memory without bound.
const MAX_ENTRIES: usize = 100_000;

/// An in-process [`Store`]. Cheap to create; share one `Arc` among the routes.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    transactions: HashMap<String, (String, Instant)>,
    sessions: HashMap<String, (SessionEntry, Instant)>,
    used: HashMap<String, Instant>,
    locks: HashMap<String, (String, Instant)>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the maps half-updated (each operation is
        // one insert or remove), so a poisoned lock is safe to keep using.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn ready<'a, T: Send + 'a>(value: T) -> StoreFuture<'a, T> {
    Box::pin(std::future::ready(Ok::<T, oidckit::Error>(value)))
}

fn bound<V>(map: &mut HashMap<String, V>, expiry: impl Fn(&V) -> Instant) {
    if map.len() < MAX_ENTRIES {
        return;
    }
    let now = Instant::now();
    map.retain(|_, v| expiry(v) > now);
    while map.len() >= MAX_ENTRIES {
        let Some(oldest) = map
            .iter()
            .min_by_key(|(_, v)| expiry(v))
            .map(|(k, _)| k.clone())
        else {
            break;
        };
        map.remove(&oldest);
    }
}

fn delete_where(inner: &mut Inner, keep: impl Fn(&SessionEntry) -> bool) -> usize {
    let before = inner.sessions.len();
    inner.sessions.retain(|_, (e, _)| keep(e));
    before - inner.sessions.len()
}

impl Store for MemoryStore {
    fn put_transaction<'a>(
        &'a self,
        id: &'a str,
        data: &'a str,
        ttl: Duration,
    ) -> StoreFuture<'a, ()> {
        let mut inner = self.lock();
        bound(&mut inner.transactions, |v| v.1);
        inner
            .transactions
            .insert(id.to_owned(), (data.to_owned(), Instant::now() + ttl));
        ready(())
    }

    fn take_transaction<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<String>> {
        let taken = self
            .lock()
            .transactions
            .remove(id)
            .filter(|(_, exp)| *exp > Instant::now())
            .map(|(data, _)| data);
        ready(taken)
    }

    fn put_session<'a>(
        &'a self,
        id: &'a str,
        entry: &'a SessionEntry,
        ttl: Duration,
    ) -> StoreFuture<'a, ()> {
        let mut inner = self.lock();
        bound(&mut inner.sessions, |v| v.1);
        inner
            .sessions
            .insert(id.to_owned(), (entry.clone(), Instant::now() + ttl));
        ready(())
    }

    fn get_session<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<SessionEntry>> {
        let mut inner = self.lock();
        let found = match inner.sessions.get(id) {
            Some((e, exp)) if *exp > Instant::now() => Some(e.clone()),
            Some(_) => {
                inner.sessions.remove(id);
                None
            }
            None => None,
        };
        ready(found)
    }

    fn delete_session<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        self.lock().sessions.remove(id);
        ready(())
    }

    fn delete_by_sid<'a>(&'a self, sid: &'a str) -> StoreFuture<'a, usize> {
        let n = delete_where(&mut self.lock(), |e| e.sid.as_deref() != Some(sid));
        ready(n)
    }

    fn delete_by_sub<'a>(&'a self, sub: &'a str) -> StoreFuture<'a, usize> {
        let n = delete_where(&mut self.lock(), |e| e.sub != sub);
        ready(n)
    }

    fn first_use<'a>(&'a self, key: &'a str, ttl: Duration) -> StoreFuture<'a, bool> {
        let mut inner = self.lock();
        let now = Instant::now();
        let first = match inner.used.get(key) {
            Some(exp) if *exp > now => false,
            _ => {
                bound(&mut inner.used, |v| *v);
                inner.used.insert(key.to_owned(), now + ttl);
                true
            }
        };
        ready(first)
    }

    fn try_lock<'a>(
        &'a self,
        name: &'a str,
        fence: &'a str,
        ttl: Duration,
    ) -> StoreFuture<'a, bool> {
        let mut inner = self.lock();
        let now = Instant::now();
        let taken = match inner.locks.get(name) {
            Some((_, exp)) if *exp > now => false,
            _ => {
                bound(&mut inner.locks, |v| v.1);
                inner
                    .locks
                    .insert(name.to_owned(), (fence.to_owned(), now + ttl));
                true
            }
        };
        ready(taken)
    }

    fn unlock<'a>(&'a self, name: &'a str, fence: &'a str) -> StoreFuture<'a, ()> {
        let mut inner = self.lock();
        if inner.locks.get(name).is_some_and(|(f, _)| f == fence) {
            inner.locks.remove(name);
        }
        ready(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oidckit::Result;

    #[tokio::test]
    async fn a_transaction_is_taken_once_and_locks_honour_their_fence() -> Result<()> {
        let s = MemoryStore::new();
        s.put_transaction("t", "data", Duration::from_secs(60))
            .await?;
        assert_eq!(s.take_transaction("t").await?.as_deref(), Some("data"));
        assert_eq!(s.take_transaction("t").await?, None);
        assert!(s.try_lock("l", "f1", Duration::from_secs(60)).await?);
        assert!(!s.try_lock("l", "f2", Duration::from_secs(60)).await?);
        s.unlock("l", "f2").await?;
        assert!(!s.try_lock("l", "f3", Duration::from_secs(60)).await?);
        s.unlock("l", "f1").await?;
        assert!(s.try_lock("l", "f4", Duration::from_secs(60)).await?);
        assert!(s.first_use("j", Duration::from_secs(60)).await?);
        assert!(!s.first_use("j", Duration::from_secs(60)).await?);
        Ok(())
    }
}
