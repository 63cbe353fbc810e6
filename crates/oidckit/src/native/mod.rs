//! Native-app pieces: the loopback redirect server and sign-in composition, and opening the
//! system browser (RFC 8252).
//!
//! Both are re-exported at the crate root (`oidckit::loopback`, `oidckit::browser`).

pub mod browser;
pub mod loopback;
