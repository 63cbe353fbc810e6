//! The blocking plumbing of [`OpenId`]: the worker thread every call runs on, the race with
//! [`Interrupter`], `on_error`, and what the transport received during a call.

use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::Notify;

use super::events::{ErrorEvent, fire};
use super::{Cookie, OpenId};
use crate::blocking::Worker;
use crate::{Client, Error, Result};

/// Interrupts the running call of an [`OpenId`] from another thread (or from an event
/// callback): the call returns error 301. Cheap to clone. Does nothing when no call runs.
#[derive(Debug, Clone, Default)]
pub struct Interrupter {
    current: Arc<Mutex<Option<Arc<Notify>>>>,
}

impl Interrupter {
    /// Aborts the running call (error 301). No call running: does nothing.
    pub fn interrupt(&self) {
        if let Some(n) = self
            .current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
        {
            // notify_one keeps a permit, so an interrupt racing the start of the wait is not lost.
            n.notify_one();
        }
    }

    /// Whether no call is running (the seed's `idle`).
    pub fn idle(&self) -> bool {
        self.current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_none()
    }

    fn begin(&self) -> Arc<Notify> {
        let n = Arc::new(Notify::new());
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = Some(n.clone());
        n
    }

    fn end(&self) {
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }
}

impl OpenId {
    /// A handle that interrupts the running call from another thread.
    pub fn interrupter(&self) -> Interrupter {
        self.interrupter.clone()
    }

    /// A documented no-op: there is no message loop; events fire directly from the running call.
    pub fn do_events(&mut self) {}

    /// Interrupts the running call (error 301). From another thread use
    /// [`interrupter`](Self::interrupter); the facade is borrowed by the running call.
    pub fn interrupt(&self) {
        self.interrupter.interrupt();
    }
    pub(super) fn worker(&mut self) -> Result<&Worker> {
        if self.worker.is_none() {
            self.worker = Some(Worker::start()?);
        }
        // Just set above.
        self.worker.as_ref().ok_or(Error::Interrupted)
    }

    /// Runs `fut` on the worker, racing it with `interrupt` (error 301). Fires `on_error` on
    /// failure.
    pub(super) fn call<T: Send + 'static>(
        &mut self,
        fut: impl std::future::Future<Output = Result<T>> + Send + 'static,
    ) -> Result<T> {
        let notify = self.interrupter.begin();
        let result = match self.worker() {
            Ok(w) => w.run(async move {
                tokio::select! {
                    biased;
                    () = notify.notified() => Err(Error::Interrupted),
                    r = fut => r,
                }
            }),
            Err(e) => Err(e),
        };
        self.interrupter.end();
        if let Err(e) = &result {
            fire(
                &self.events.error,
                ErrorEvent {
                    error_code: i32::from(e.code()),
                    description: e.to_string(),
                },
            );
        }
        result
    }

    /// Runs `fut` (see [`call`](Self::call)) and records what the transport received: the last
    /// response, received cookies and the server certificate.
    pub(super) fn run<T: Send + 'static>(
        &mut self,
        client: &Client,
        fut: impl std::future::Future<Output = Result<T>> + Send + 'static,
    ) -> Result<T> {
        let result = self.call(fut);
        if let Some(last) = client.last_response() {
            self.p.last_response = Some(last);
        }
        self.absorb_received();
        result
    }

    /// Moves cookies and the certificate the transport received into the properties.
    pub(super) fn absorb_received(&mut self) {
        let got =
            std::mem::take(&mut *self.received.lock().unwrap_or_else(PoisonError::into_inner));
        for c in got.cookies {
            let cookie = Cookie {
                name: c.name.clone(),
                value: c.value.clone(),
                domain: c.domain.clone(),
                path: c.path.clone(),
                expiration: c.expires.clone(),
                secure: c.secure,
            };
            match self
                .p
                .cookies
                .iter_mut()
                .find(|k| k.name == c.name && (k.domain.is_empty() || k.domain == c.domain))
            {
                Some(k) => *k = cookie,
                None => self.p.cookies.push(cookie),
            }
        }
        if got.server_cert.is_some() {
            self.p.server_cert = got.server_cert;
        }
    }
}
