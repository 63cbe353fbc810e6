//! [`RedisStore`]: logins and sessions shared by every instance through Redis (one server or a
//! Redis Cluster), with the `redis` crate's reconnecting, multiplexed connections.
//!
//! Keys (prefix `oidckit` by default), every one with a TTL:
//!
//! | key | value | written by |
//! | --- | --- | --- |
//! | `oidckit:tx:{<state>}` | login transaction | `SET … PX`, taken with `GETDEL` |
//! | `oidckit:session:{<id>}` | session entry (JSON) | `SET … PX` |
//! | `oidckit:lock:{<id>}` | fencing value | `SET … NX PX`, released by a compare-and-delete script |
//! | `oidckit:sid:{<hash of sid>}` | set of session ids | `SADD` + `PEXPIRE` |
//! | `oidckit:sub:{<hash of sub>}` | set of session ids | `SADD` + `PEXPIRE` |
//! | `oidckit:jti:{<hash of iss and jti>}` | `1` | `SET … NX PX` |
//!
//! A session's keys (`session` and `lock`) share the hash tag `{<id>}`, so they live on one
//! Cluster slot. Provider-chosen values (`sid`, `sub`, `jti`) are hashed (SHA-256) before they
//! become key names, so their length and characters cannot matter.

use std::time::Duration;

use base64::Engine as _;
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster_async::ClusterConnection;
use serde::{Deserialize, Serialize};

use oidckit::{Error, Result};

use super::{SessionEntry, Store, StoreFuture};

/// How long one Redis command may take before it fails (code 943).
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Deletes `KEYS[1]` only while it still holds the fencing value `ARGV[1]`.
const UNLOCK_SCRIPT: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

/// A [`Store`] on Redis. Clone-free: share it as `Arc<dyn Store>`. Connections reconnect by
/// themselves after Redis restarts or a network break; commands in flight then fail with code 943.
pub struct RedisStore {
    conn: Conn,
    prefix: String,
    unlock: redis::Script,
}

#[derive(Clone)]
enum Conn {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.conn {
            Conn::Single(_) => "single",
            Conn::Cluster(_) => "cluster",
        };
        f.debug_struct("RedisStore")
            .field("kind", &kind)
            .field("prefix", &self.prefix)
            .finish()
    }
}

#[derive(Serialize, Deserialize)]
struct Stored {
    sub: String,
    sid: Option<String>,
    data: String,
}

fn store_error(operation: &'static str) -> impl FnOnce(redis::RedisError) -> Error {
    move |e| Error::SessionStore {
        operation,
        source: Box::new(e),
    }
}

fn hashed(value: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, value.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref())
}

fn millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

impl RedisStore {
    /// Connects to one Redis server, e.g. `redis://127.0.0.1:6379/0` (`rediss://` for TLS is
    /// not enabled in this build). Fails with code 943 when Redis cannot be reached.
    pub async fn connect(url: &str) -> Result<RedisStore> {
        let client = redis::Client::open(url).map_err(store_error("parse the Redis URL"))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_number_of_retries(3)
            .set_max_delay(Duration::from_secs(2));
        let manager = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(store_error("connect to Redis"))?;
        Ok(Self::with_conn(Conn::Single(manager)))
    }

    /// Connects to a Redis Cluster through any of its nodes (`redis://host:port` each); the
    /// client learns the slot map and follows `MOVED`/`ASK` redirections.
    pub async fn connect_cluster(nodes: &[String]) -> Result<RedisStore> {
        let client = redis::cluster::ClusterClient::builder(nodes.iter().map(String::as_str))
            .connection_timeout(CONNECT_TIMEOUT)
            .response_timeout(RESPONSE_TIMEOUT)
            .build()
            .map_err(store_error("parse the Redis Cluster node URLs"))?;
        let conn = client
            .get_async_connection()
            .await
            .map_err(store_error("connect to Redis Cluster"))?;
        Ok(Self::with_conn(Conn::Cluster(conn)))
    }

    /// Uses `prefix` instead of `oidckit` in front of every key (several applications on one
    /// Redis).
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> RedisStore {
        self.prefix = prefix.into();
        self
    }

    fn with_conn(conn: Conn) -> RedisStore {
        RedisStore {
            conn,
            prefix: "oidckit".to_owned(),
            unlock: redis::Script::new(UNLOCK_SCRIPT),
        }
    }

    fn key(&self, kind: &str, id: &str) -> String {
        format!("{}:{kind}:{{{id}}}", self.prefix)
    }

    async fn run<T: redis::FromRedisValue>(
        &self,
        cmd: &redis::Cmd,
        operation: &'static str,
    ) -> Result<T> {
        match self.conn.clone() {
            Conn::Single(mut c) => cmd.query_async(&mut c).await,
            Conn::Cluster(mut c) => cmd.query_async(&mut c).await,
        }
        .map_err(store_error(operation))
    }

    async fn delete_indexed(&self, index: String) -> Result<usize> {
        let ids: Vec<String> = self
            .run(redis::cmd("SMEMBERS").arg(&index), "read a session index")
            .await?;
        let mut deleted = 0usize;
        // One DEL per session: in a Cluster each session lives on its own slot.
        for id in &ids {
            let n: usize = self
                .run(
                    redis::cmd("DEL").arg(self.key("session", id)),
                    "delete a session",
                )
                .await?;
            deleted = deleted.saturating_add(n);
        }
        let _: usize = self
            .run(redis::cmd("DEL").arg(&index), "delete a session index")
            .await?;
        Ok(deleted)
    }

    /// `SET key value NX PX ttl`: `true` when this call created the key.
    async fn set_if_absent(
        &self,
        key: String,
        value: &str,
        ttl: Duration,
        operation: &'static str,
    ) -> Result<bool> {
        let cmd = redis::cmd("SET")
            .arg(key)
            .arg(value)
            .arg("NX")
            .arg("PX")
            .arg(millis(ttl))
            .to_owned();
        let set: Option<String> = self.run(&cmd, operation).await?;
        Ok(set.is_some())
    }

    async fn add_to_index(&self, index: String, id: &str, ttl: Duration) -> Result<()> {
        let _: usize = self
            .run(redis::cmd("SADD").arg(&index).arg(id), "index a session")
            .await?;
        let _: usize = self
            .run(
                redis::cmd("PEXPIRE").arg(&index).arg(millis(ttl)),
                "index a session",
            )
            .await?;
        Ok(())
    }
}

fn invoke<C: ConnectionLike + Send>(
    script: &redis::Script,
    key: String,
    fence: &str,
    mut conn: C,
) -> impl std::future::Future<Output = redis::RedisResult<i64>> + Send {
    let mut invocation = script.key(key);
    invocation.arg(fence);
    async move { invocation.invoke_async(&mut conn).await }
}

impl Store for RedisStore {
    fn put_transaction<'a>(
        &'a self,
        id: &'a str,
        data: &'a str,
        ttl: Duration,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let cmd = redis::cmd("SET")
                .arg(self.key("tx", id))
                .arg(data)
                .arg("PX")
                .arg(millis(ttl))
                .to_owned();
            self.run::<()>(&cmd, "store a login transaction").await
        })
    }

    fn take_transaction<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<String>> {
        Box::pin(async move {
            self.run(
                redis::cmd("GETDEL").arg(self.key("tx", id)),
                "take a login transaction",
            )
            .await
        })
    }

    fn put_session<'a>(
        &'a self,
        id: &'a str,
        entry: &'a SessionEntry,
        ttl: Duration,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let stored = Stored {
                sub: entry.sub.clone(),
                sid: entry.sid.clone(),
                data: entry.data.clone(),
            };
            let json = serde_json::to_string(&stored).map_err(|e| Error::SessionStore {
                operation: "encode a session",
                source: Box::new(e),
            })?;
            let cmd = redis::cmd("SET")
                .arg(self.key("session", id))
                .arg(json)
                .arg("PX")
                .arg(millis(ttl))
                .to_owned();
            self.run::<()>(&cmd, "store a session").await?;
            self.add_to_index(self.key("sub", &hashed(&entry.sub)), id, ttl)
                .await?;
            if let Some(sid) = &entry.sid {
                self.add_to_index(self.key("sid", &hashed(sid)), id, ttl)
                    .await?;
            }
            Ok(())
        })
    }

    fn get_session<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<SessionEntry>> {
        Box::pin(async move {
            let raw: Option<String> = self
                .run(
                    redis::cmd("GET").arg(self.key("session", id)),
                    "read a session",
                )
                .await?;
            let Some(raw) = raw else { return Ok(None) };
            let stored: Stored = serde_json::from_str(&raw).map_err(|e| Error::SessionStore {
                operation: "decode a session",
                source: Box::new(e),
            })?;
            Ok(Some(SessionEntry {
                sub: stored.sub,
                sid: stored.sid,
                data: stored.data,
            }))
        })
    }

    fn delete_session<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let _: usize = self
                .run(
                    redis::cmd("DEL").arg(self.key("session", id)),
                    "delete a session",
                )
                .await?;
            Ok(())
        })
    }

    fn delete_by_sid<'a>(&'a self, sid: &'a str) -> StoreFuture<'a, usize> {
        Box::pin(self.delete_indexed(self.key("sid", &hashed(sid))))
    }

    fn delete_by_sub<'a>(&'a self, sub: &'a str) -> StoreFuture<'a, usize> {
        Box::pin(self.delete_indexed(self.key("sub", &hashed(sub))))
    }

    fn first_use<'a>(&'a self, key: &'a str, ttl: Duration) -> StoreFuture<'a, bool> {
        Box::pin(self.set_if_absent(
            self.key("jti", &hashed(key)),
            "1",
            ttl,
            "record a used logout token",
        ))
    }

    fn try_lock<'a>(
        &'a self,
        name: &'a str,
        fence: &'a str,
        ttl: Duration,
    ) -> StoreFuture<'a, bool> {
        Box::pin(self.set_if_absent(self.key("lock", name), fence, ttl, "take a refresh lock"))
    }

    fn unlock<'a>(&'a self, name: &'a str, fence: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let key = self.key("lock", name);
            let result = match self.conn.clone() {
                Conn::Single(c) => invoke(&self.unlock, key, fence, c).await,
                Conn::Cluster(c) => invoke(&self.unlock, key, fence, c).await,
            };
            result.map_err(store_error("release a refresh lock"))?;
            Ok(())
        })
    }
}
