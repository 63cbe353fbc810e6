//! An exclusive lock per token cache entry, across processes: an advisory lock (`flock` on
//! Unix, `LockFileEx` on Windows) on the entry's lock file. The operating system releases it
//! when the holder exits, however it exits, so a crashed `oidckit` never blocks the others;
//! waiting for a live holder is bounded.

use std::fs::{File, OpenOptions};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// How long to sleep between attempts (plus a little jitter so waiters do not move in step).
const POLL: Duration = Duration::from_millis(20);

/// A held lock; dropping it (or the process exiting) releases it.
#[derive(Debug)]
pub struct EntryLock {
    file: File,
}

impl EntryLock {
    /// Takes the lock on `path` (creating the file 0600), waiting at most `timeout` for
    /// another process to release it.
    pub async fn acquire(path: &Path, timeout: Duration) -> anyhow::Result<EntryLock> {
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options
            .open(path)
            .with_context(|| format!("cannot open the lock file {}", path.display()))?;
        let started = Instant::now();
        let mut attempt: u32 = 0;
        loop {
            match fs4::FileExt::try_lock(&file) {
                Ok(()) => {
                    return Ok(EntryLock { file });
                }
                Err(fs4::TryLockError::WouldBlock) => {}
                Err(fs4::TryLockError::Error(e)) => {
                    return Err(e).with_context(|| format!("cannot lock {}", path.display()));
                }
            }
            if started.elapsed() >= timeout {
                bail!(
                    "another oidckit process has been refreshing or signing in for this token \
                     cache entry for more than {} s (lock file {}); wait for it to finish, or \
                     raise --lock-timeout",
                    timeout.as_secs(),
                    path.display()
                );
            }
            attempt = attempt.wrapping_add(1);
            let jitter = Duration::from_millis(u64::from(
                (attempt.wrapping_mul(7) ^ std::process::id()) % 10,
            ));
            tokio::time::sleep(POLL + jitter).await;
        }
    }
}

impl Drop for EntryLock {
    fn drop(&mut self) {
        let _ = fs4::FileExt::unlock(&self.file);
    }
}
