//! The seed's events: one event-params class per event, and the bridge that calls the
//! Python callable assigned to `on_*` with it.
//!
//! Every facade event is registered once, when the `OpenID` object is made, with a closure
//! that looks the Python callable up in [`Hooks`]; assigning `on_x = f` (or `None`) only changes
//! that table. Writable fields are copied back into the facade's event after the callable
//! returns. When the callable raises, the exception is kept, the running call is interrupted
//! and the method that fired the event raises it; a raising handler never widens what happens
//! (`on_launch_browser` opens nothing, `accept` stays false).

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex, PoisonError};

use oidckit::openid::events::{
    ConnectedEvent, ConnectionStatusEvent, DisconnectedEvent, ErrorEvent, HeaderEvent,
    LaunchBrowserEvent, LogEvent, RedirectEvent, ReturnUrlEvent, SetCookieEvent,
    SslServerAuthenticationEvent, SslStatusEvent, StatusEvent, TransferBoundaryEvent,
    TransferEvent,
};
use oidckit::openid::{Interrupter, OpenId};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// Bytes fields of event params (`cert_encoded`, `text`), shown to Python as `bytes`.
#[derive(Debug, Clone, Default)]
pub struct Bytes(Vec<u8>);

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Bytes {
        Bytes(v)
    }
}

impl<'py> IntoPyObject<'py> for &Bytes {
    type Target = PyBytes;
    type Output = Bound<'py, PyBytes>;
    type Error = Infallible;
    fn into_pyobject(self, py: Python<'py>) -> Result<Self::Output, Self::Error> {
        Ok(PyBytes::new(py, &self.0))
    }
}

/// An event-params class: built from the facade's event, copied back after the callable ran.
pub trait Params:
    pyo3::PyClass<Frozen = pyo3::pyclass::boolean_struct::False>
    + Into<pyo3::PyClassInitializer<Self>>
    + Sized
{
    /// The facade's event type.
    type Event;
    /// A params object with the event's fields.
    fn from_event(e: &Self::Event) -> Self;
    /// Copies the writable fields back.
    fn write_back(&self, e: &mut Self::Event);
    /// What a raising handler leaves in the event.
    fn on_raise(_e: &mut Self::Event) {}
}

macro_rules! params {
    ($(
        $(#[doc = $d:literal])*
        $name:ident for $ev:ty $([raise $raise:path])? {
            $( $(#[doc = $fd:literal])* $field:ident: $ty:ty $([$rw:ident])? ),* $(,)?
        }
    )*) => {$(
        $(#[doc = $d])*
        #[pyclass(module = "oidckit._native")]
        #[derive(Debug)]
        pub struct $name {
            $( $(#[doc = $fd])* #[pyo3(get $(, $rw)?)] pub $field: $ty, )*
        }

        impl Params for $name {
            type Event = $ev;
            fn from_event(e: &$ev) -> Self {
                $name { $( $field: e.$field.clone().into(), )* }
            }
            #[allow(unused_variables)]
            fn write_back(&self, e: &mut $ev) {
                $( $( params!(@back self e $field $rw); )? )*
            }
            $( fn on_raise(e: &mut $ev) { $raise(e) } )?
        }

        #[pymethods]
        impl $name {
            fn __repr__(&self) -> String {
                format!("{}({})", stringify!($name), [$(stringify!($field)),*].join(", "))
            }
        }
    )*};
    (@back $s:ident $e:ident $field:ident set) => {
        $e.$field = $s.$field.clone().into();
    };
}

fn open_nothing(e: &mut LaunchBrowserEvent) {
    e.command.clear();
}

fn refuse_redirect(e: &mut RedirectEvent) {
    e.accept = false;
}

fn refuse_certificate(e: &mut SslServerAuthenticationEvent) {
    e.accept = false;
}

impl From<Bytes> for Vec<u8> {
    fn from(b: Bytes) -> Vec<u8> {
        b.0
    }
}

params! {
    /// `on_connected`: a connection to a server completed (or failed).
    OpenIDConnectedEventParams for ConnectedEvent {
        /// 0 when it succeeded, else an error code.
        status_code: i32,
        /// What happened, in words.
        description: String,
    }
    /// `on_connection_status`: the state of a connection changed.
    OpenIDConnectionStatusEventParams for ConnectionStatusEvent {
        /// The kind of change, e.g. "Remote host connected".
        connection_event: String,
        /// 0 when it succeeded, else an error code.
        status_code: i32,
        /// What happened, in words.
        description: String,
    }
    /// `on_disconnected`: a connection closed.
    OpenIDDisconnectedEventParams for DisconnectedEvent {
        /// 0 for a normal close, else an error code.
        status_code: i32,
        /// What happened, in words.
        description: String,
    }
    /// `on_end_transfer`: a document finished transferring.
    OpenIDEndTransferEventParams for TransferBoundaryEvent {
        /// 0 for data sent to the server, 1 for data received.
        direction: i32,
    }
    /// `on_error`: the running call failed; fired once, before the method raises.
    OpenIDErrorEventParams for ErrorEvent {
        /// The numeric code the method raises with.
        error_code: i32,
        /// The message the method raises with.
        description: String,
    }
    /// `on_header`: one header of a server's response.
    OpenIDHeaderEventParams for HeaderEvent {
        /// The header's name.
        field: String,
        /// The header's value.
        value: String,
    }
    /// `on_launch_browser`: the browser is about to be opened at the authorization URL. Both
    /// fields are writable: change `url` to open another page, or clear `command` to open
    /// nothing (the application then shows the URL itself).
    OpenIDLaunchBrowserEventParams for LaunchBrowserEvent [raise open_nothing] {
        /// The URL that will be opened.
        url: String [set],
        /// The command that opens it (the URL is appended); empty opens nothing.
        command: String [set],
    }
    /// `on_log`: one log line of the library or its transport (never a secret).
    OpenIDLogEventParams for LogEvent {
        /// 1 info, 2 verbose, 3 debug.
        log_level: i32,
        /// The line.
        message: String,
        /// The kind of line, e.g. "Info" or "Endpoint".
        log_type: String,
    }
    /// `on_redirect`: a server answered with a redirect. Set `accept` to follow or refuse it.
    OpenIDRedirectEventParams for RedirectEvent [raise refuse_redirect] {
        /// Where the redirect points.
        location: String,
        /// Whether to follow it.
        accept: bool [set],
    }
    /// `on_return_url`: the browser came back to the loopback server. Set `response_headers`
    /// and `response_body` to answer with your own page.
    OpenIDReturnURLEventParams for ReturnUrlEvent {
        /// The requested path.
        url_path: String,
        /// The authorization response as a query string.
        query_string: String,
        /// The `state` sent with the authorization request.
        state: String,
        /// Extra headers of the page, `Name: value` lines.
        response_headers: String [set],
        /// The page sent to the browser; empty sends the default page.
        response_body: String [set],
    }
    /// `on_set_cookie`: a server set a cookie.
    OpenIDSetCookieEventParams for SetCookieEvent {
        /// The cookie's name.
        name: String,
        /// The cookie's value.
        value: String,
        /// When it expires, as the server wrote it.
        expires: String,
        /// Its domain.
        domain: String,
        /// Its path.
        path: String,
        /// Whether it is sent over TLS only.
        secure: bool,
    }
    /// `on_ssl_server_authentication`: a server presented its certificate. Set `accept` to
    /// trust or refuse it.
    OpenIDSSLServerAuthenticationEventParams for SslServerAuthenticationEvent [raise refuse_certificate] {
        /// The certificate, DER.
        cert_encoded: Bytes,
        /// The certificate's subject (the server name).
        cert_subject: String,
        /// The certificate's issuer.
        cert_issuer: String,
        /// The verification outcome, in words.
        status: String,
        /// Whether the connection goes on.
        accept: bool [set],
    }
    /// `on_ssl_status`: progress of a TLS handshake.
    OpenIDSSLStatusEventParams for SslStatusEvent {
        /// What happened, in words.
        message: String,
    }
    /// `on_start_transfer`: a document starts transferring.
    OpenIDStartTransferEventParams for TransferBoundaryEvent {
        /// 0 for data sent to the server, 1 for data received.
        direction: i32,
    }
    /// `on_status`: the status line of a server's response.
    OpenIDStatusEventParams for StatusEvent {
        /// The HTTP version, e.g. "1.1".
        http_version: String,
        /// The status code, e.g. 200.
        status_code: i32,
        /// The reason phrase.
        description: String,
    }
    /// `on_transfer`: a piece of a document was transferred.
    OpenIDTransferEventParams for TransferEvent {
        /// 0 for data sent to the server, 1 for data received.
        direction: i32,
        /// Bytes transferred so far.
        bytes_transferred: i64,
        /// Percent done, when the length is known.
        percent_done: i32,
        /// This piece of the document.
        text: Bytes,
    }
}

/// The Python callables assigned to `on_*`, and the first exception one of them raised.
#[derive(Debug, Default)]
pub struct Hooks {
    callables: Mutex<HashMap<&'static str, Py<PyAny>>>,
    raised: Mutex<Option<PyErr>>,
    interrupter: Mutex<Option<Interrupter>>,
}

impl Hooks {
    /// The callable assigned to `name`, or None.
    pub fn get(&self, py: Python<'_>, name: &'static str) -> Option<Py<PyAny>> {
        self.callables
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            .map(|c| c.clone_ref(py))
    }

    /// Assigns (or, with None, removes) the callable of `name`.
    pub fn set(&self, name: &'static str, callable: Option<Py<PyAny>>) {
        let mut map = self
            .callables
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match callable {
            Some(c) => map.insert(name, c),
            None => map.remove(name),
        };
    }

    /// Visits the callables for Python's cycle collector (a handler that refers to its own
    /// `OpenID` object would otherwise keep both alive forever).
    pub fn traverse(&self, visit: &pyo3::PyVisit<'_>) -> Result<(), pyo3::PyTraverseError> {
        // The collector runs with the GIL held; a lock held elsewhere means a handler is being
        // assigned right now, and skipping one collection is harmless.
        if let Ok(map) = self.callables.try_lock() {
            for c in map.values() {
                visit.call(c)?;
            }
        }
        Ok(())
    }

    /// Drops every callable (the collector breaking a cycle).
    pub fn clear(&self) {
        if let Ok(mut map) = self.callables.try_lock() {
            map.clear();
        }
    }

    /// The exception a handler raised since the last call, if any.
    pub fn take_raised(&self) -> Option<PyErr> {
        self.raised
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    fn fire<P: Params>(&self, name: &'static str, ev: &mut P::Event) {
        if !self
            .callables
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains_key(name)
        {
            return;
        }
        Python::attach(|py| {
            let Some(callable) = self.get(py, name) else {
                return;
            };
            let outcome = Bound::new(py, P::from_event(ev)).and_then(|params| {
                callable.call1(py, (params.clone(),))?;
                params.borrow().write_back(ev);
                Ok(())
            });
            if let Err(e) = outcome {
                P::on_raise(ev);
                let mut raised = self.raised.lock().unwrap_or_else(PoisonError::into_inner);
                if raised.is_none() {
                    *raised = Some(e);
                }
                if let Some(i) = &*self
                    .interrupter
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                {
                    i.interrupt();
                }
            }
        });
    }
}

macro_rules! register_all {
    ($($on:ident => $params:ident;)*) => {
        /// The `on_*` names, in the seed's order.
        pub const EVENT_NAMES: &[&str] = &[$(stringify!($on)),*];

        /// Registers every facade event once, each forwarding to the callable in `hooks`.
        pub fn register(o: &mut OpenId, hooks: &Arc<Hooks>) {
            *hooks.interrupter.lock().unwrap_or_else(PoisonError::into_inner) = Some(o.interrupter());
            $(
                let h = hooks.clone();
                o.$on(move |e| h.fire::<$params>(stringify!($on), e));
            )*
        }

        /// The `&'static str` of an `on_*` name.
        pub fn static_name(name: &str) -> Option<&'static str> {
            EVENT_NAMES.iter().copied().find(|n| *n == name)
        }

        /// Adds the params classes to the module.
        pub fn add_classes(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $( m.add_class::<$params>()?; )*
            Ok(())
        }
    };
}

register_all! {
    on_connected => OpenIDConnectedEventParams;
    on_connection_status => OpenIDConnectionStatusEventParams;
    on_disconnected => OpenIDDisconnectedEventParams;
    on_end_transfer => OpenIDEndTransferEventParams;
    on_error => OpenIDErrorEventParams;
    on_header => OpenIDHeaderEventParams;
    on_launch_browser => OpenIDLaunchBrowserEventParams;
    on_log => OpenIDLogEventParams;
    on_redirect => OpenIDRedirectEventParams;
    on_return_url => OpenIDReturnURLEventParams;
    on_set_cookie => OpenIDSetCookieEventParams;
    on_ssl_server_authentication => OpenIDSSLServerAuthenticationEventParams;
    on_ssl_status => OpenIDSSLStatusEventParams;
    on_start_transfer => OpenIDStartTransferEventParams;
    on_status => OpenIDStatusEventParams;
    on_transfer => OpenIDTransferEventParams;
}
