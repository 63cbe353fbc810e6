//! Native-app pieces: the loopback redirect server and sign-in composition, and opening the
//! system browser (RFC 8252).
//!
//! Both are re-exported at the crate root (`oidckit::loopback`, `oidckit::browser`).

#[cfg(feature = "browser")]
pub mod browser;
#[cfg(feature = "loopback")]
pub mod loopback;
