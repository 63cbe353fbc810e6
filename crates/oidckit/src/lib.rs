//! # oidckit
//!
//! A batteries-included OpenID Connect Relying Party: discover a provider, sign a user in with
//! the authorization code flow (PKCE, state, nonce) or the implicit and hybrid flows, verify the
//! ID token completely (OpenID Connect Core §3.1.3.7), and fetch the user's profile.
//!
//! It is for applications that sign users in with Google, Microsoft, Okta, Auth0, Keycloak or
//! any other OpenID Provider. It does **not** run a web server for your application, store
//! sessions, or act as a provider (see `oidckit-mock` for a test provider).
//!
//! ## Getting started
//!
//! ```
//! # fn main() -> oidckit::Result<()> { tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use oidckit::{AuthorizationRequest, CallbackParams, Client, ClientConfig};
//! # let provider = oidckit_mock::MockProvider::start(Default::default()).unwrap();
//! # let issuer = provider.issuer();
//! let config = ClientConfig::new(issuer, "test-client")
//!     .with_secret("test-secret")
//!     .with_redirect_uri("http://127.0.0.1:8080/callback");
//! let client = Client::discover(config).await?;
//! let (url, tx) = client.authorization_url(&AuthorizationRequest::default())?;
//! // Send the user to `url`. The provider redirects back to the redirect URI:
//! # let callback = oidckit_mock::follow_authorization(&url).unwrap();
//! let tokens = client.handle_callback(&tx, &CallbackParams::from_url(&callback)).await?;
//! let claims = tokens.id_token.as_ref().unwrap().claims();
//! println!("signed in as {}", claims.subject().unwrap());
//! let profile = client.userinfo(&tokens).await?;
//! println!("email: {:?}", profile.email);
//! # Ok(()) }) }
//! ```
//!
//! ## What is where
//!
//! | Need | Use |
//! |---|---|
//! | Sign a user in from a web server | [`Client::authorization_url`] then [`Client::handle_callback`] |
//! | Sign a user in from a desktop or CLI program | [`loopback::sign_in`] (loopback redirect + system browser) |
//! | Devices without a browser | [`Client::device_authorization`], [`Client::poll_device_token`] |
//! | Server to server | [`Client::client_credentials`], [`Client::jwt_bearer`] (Google / Microsoft) |
//! | Verify a token you were handed | [`Validator`] with a [`Jwks`] or [`VerifyingKey`] |
//! | Check, revoke, log out | [`Client::introspect`], [`Client::revoke`], [`Client::end_session_url`] |
//! | Proxies, TLS trust, client certificates, events, logs | [`HttpConfig`], [`http`] |
//! | No async in your program | [`blocking::Client`], or the seed-style [`OpenId`] facade |
//!
//! The source tree follows the same layers (every module below keeps its path at the crate
//! root, e.g. [`authorize`], [`loopback`]):
//!
//! | Folder | Holds |
//! |---|---|
//! | `flows/` | the protocol steps: [`discovery`], [`authorize`] (request and callback), [`token`], [`device`], [`jwt_bearer`], [`introspection`], [`revocation`], [`logout`], [`userinfo`], the newer request and response forms ([`dpop`], PAR, JAR, JARM, FAPI 2.0 rules), back-channel [`logout_token`]s, and the client authentication they share |
//! | `id_token/`, `jose/` | validation ([`id_token`], its JWKS cache) and the JOSE primitives ([`jose`]) |
//! | `http/` | the transport ([`http`], [`HttpConfig`]): proxies, TLS, events, logs, cookies |
//! | `native/` | native-app pieces: [`loopback`] (server, TLS, sign-in composition) and [`browser`] |
//! | `openid/` | the seed-style facade [`OpenId`] |
//! | `client/` | [`Client`]: ties the steps together (`grants.rs`: the grants without a browser and token management) |
//! | top level | [`config`], [`error`], [`blocking`] |
//!
//! ## Cargo features
//!
//! Every feature but `tracing` is on by default. `default-features = false` leaves the async core alone:
//! discovery, the flows, ID token validation, UserInfo and the transport (HTTP proxies, TLS,
//! PEM client certificates).
//!
//! | Feature | Default | Adds | Extra crates |
//! |---|---|---|---|
//! | `blocking` | on | `oidckit::blocking::Client`, the blocking twin of `Client` | none |
//! | `openid` | on | `oidckit::OpenId`, the seed-style facade; turns on `blocking`, `loopback`, `browser`, `pkcs12` | none of its own |
//! | `loopback` | on | `oidckit::loopback`: the loopback redirect server (optional HTTPS) and `sign_in`; turns on `browser`, `pkcs12` | tokio-rustls |
//! | `browser` | on | `oidckit::browser`: open the system browser | none |
//! | `pkcs12` | on | PKCS#12 (`.p12`/`.pfx`) stores: `PrivateKey::from_pkcs12`, `ClientCertificate::Pkcs12` | p12-keystore |
//! | `socks` | on | SOCKS4/4A/5 firewalls (`HttpConfig::firewall`) | reqwest `socks` |
//! | `gzip` | on | gzip/deflate responses (`HttpConfig::accept_encoding`) | reqwest `gzip`, `deflate` |
//! | `tracing` | off | the transport log (masked) as `tracing` events, target `oidckit::http` | tracing |
//!
//! Without `socks` a SOCKS firewall, and without `gzip` an `Accept-Encoding` of gzip or
//! deflate, is error 921; without `pkcs12` a PKCS#12 client certificate is error 921.
//!
//! ## Security defaults
//!
//! - PKCE S256, a random `state` and `nonce` (32 bytes from the OS CSPRNG) on every request.
//! - ID tokens: signature always verified, also for tokens from the token endpoint; `alg: none`
//!   never accepted; HMAC only with the client secret, never with a public key; `crit` refused;
//!   iss, aud, azp, exp, iat, nbf, nonce, auth_time/max_age, at_hash and c_hash checked.
//! - JWKS cached, re-fetched once (rate-limited) when a token names an unknown key.
//! - Discovery issuer must equal the configured issuer; RFC 9207 `iss` checked in responses.
//! - UserInfo `sub` must equal the ID token's.
//! - `https` only, except for loopback hosts; no redirects followed; a 60 s deadline and a 1 MiB
//!   cap on every response.
//! - Secrets and tokens print as `[redacted]` in `Debug`.
//!
//! ## Errors
//!
//! Every failure is an [`Error`] with a stable numeric [`Error::code`], the seed's where it has
//! one: 900 discovery, 901 unparsable ID token, 902 response type, 903 ID token verification,
//! 151 HTTP error, 201 timeout, …
//!
//! ## Stability
//!
//! Pre-1.0: the API may change between minor versions. Error codes are never renumbered.

#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

mod flows;
mod native;

#[cfg(feature = "blocking")]
pub mod blocking;
pub mod config;
pub mod error;
pub mod http;
pub mod id_token;
pub mod jose;
#[cfg(feature = "openid")]
pub mod openid;

mod client;
#[doc(hidden)]
pub mod fuzzing;
mod json;

pub use flows::{
    authorize, device, discovery, dpop, introspection, jwt_bearer, logout, logout_token,
    registration, resource, revocation, token, userinfo,
};
#[cfg(feature = "browser")]
pub use native::browser;
#[cfg(feature = "loopback")]
pub use native::loopback;

use flows::client_auth;
use id_token::jwks;

pub use authorize::{AuthTransaction, AuthorizationRequest, CallbackParams};
pub use client::{Client, ResourceClient, ResourceOptions};
pub use config::{AuthMethod, ClientConfig, GrantType, HttpConfig, PkceMethod, ResponseType};
pub use discovery::ProviderMetadata;
pub use error::{ClaimCheck, Error, Result, UrlProblem};
pub use id_token::{Checks, ClaimSink, Claims, IdToken, TokenProfile, Validator};
pub use jose::{Alg, Jwks, PrivateKey, VerifyingKey};
pub use jose::{ContentEncryption, DecryptionKey, EncryptionKey, KeyManagement};
#[cfg(feature = "openid")]
pub use openid::OpenId;
pub use token::TokenSet;
pub use userinfo::UserDetails;
