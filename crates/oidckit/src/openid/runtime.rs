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
        let result = result.map_err(in_seed_words);
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

/// The core names what is missing in the protocol's words (`token_endpoint`); users of the
/// facade know the seed's property names (`server_token_url`), so the facade says those.
fn in_seed_words(e: Error) -> Error {
    let Error::Missing { what, hint } = e else {
        return e;
    };
    let (what, hint) = match what {
        // In the Device profile the seed's server_auth_url is the device endpoint.
        "authorization_endpoint" | "device_authorization_endpoint" => (
            "server_auth_url",
            "call get_discovery_doc, or set server_auth_url",
        ),
        "token_endpoint" => (
            "server_token_url",
            "call get_discovery_doc, or set server_token_url",
        ),
        "userinfo_endpoint" => (
            "server_user_info_url",
            "the provider has no UserInfo endpoint; set server_user_info_url if it has one",
        ),
        "end_session_endpoint" => (
            "LogoutURL",
            "the provider advertises no end-session endpoint; set config(\"LogoutURL=...\")",
        ),
        "redirect_uri" => (
            "return_url",
            "set return_url to the redirect URI registered with the provider",
        ),
        other => (other, hint),
    };
    Error::Missing { what, hint }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_endpoint_names_become_the_seeds_property_names() {
        let core = Error::Missing {
            what: "token_endpoint",
            hint: "call discovery",
        };
        let Error::Missing { what, .. } = in_seed_words(core) else {
            panic!("still a Missing error");
        };
        assert_eq!(what, "server_token_url");
        let other = Error::Missing {
            what: "access_token",
            hint: "h",
        };
        let Error::Missing { what, hint } = in_seed_words(other) else {
            panic!("still a Missing error");
        };
        assert_eq!((what, hint), ("access_token", "h"));
    }
}
