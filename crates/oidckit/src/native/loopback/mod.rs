//! Native-app sign-in through a loopback redirect (RFC 8252 §7.3): a tiny HTTP/1.1 server on
//! `127.0.0.1` receives the authorization response from the user's browser.
//!
//! The server accepts the response as a query string (`response_mode=query`), as a `form_post`
//! body, and, for fragment responses (implicit and hybrid flows), serves a small page whose
//! script relays `location.hash` back to the server with a same-origin `POST` to
//! [`RELAY_PATH`]. Unrelated requests (favicon, probes, other paths) are answered `404` and do
//! not end the wait. Every read is bounded in size and time.
//!
//! [`sign_in`] does the whole desktop sign-in: start the server, build the URL with the
//! server's redirect URI, open the browser, wait, and complete the sign-in with
//! [`Client::handle_callback`](crate::Client::handle_callback).
//!
//! It binds `127.0.0.1` only, never a wildcard address: nothing outside this machine can reach it.
//!
//! With [`LoopbackConfig::tls`] the server speaks HTTPS only (redirect URI
//! `https://127.0.0.1:PORT/PATH`), presenting a certificate from PEM text or file or from a
//! PKCS#12 blob or file. The TLS handshake counts against the per-connection read deadline;
//! a plain-HTTP request to an HTTPS server fails its handshake and is closed at once.
//!
//! [`SignIn`] is the one composition of the steps (URL, browser, wait, hook, completion,
//! answer page); [`sign_in`] and [`sign_in_with`] are shorthands for it.

mod config;
mod server;
mod sign_in;
mod tls;

pub use config::{LoopbackCertificate, LoopbackConfig, LoopbackTls};
pub(crate) use server::parse_request_for_fuzzing;
pub use server::{Callback, LoopbackServer, RELAY_PATH};
pub use sign_in::{
    CustomPage, SignIn, SignInOptions, SignedIn, sign_in, sign_in_to_resource, sign_in_with,
};
