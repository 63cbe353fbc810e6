//! The protocol steps, one file each: discovery, the authorization request and its callback,
//! the token endpoint, the device flow, the JWT bearer grant, introspection, revocation, logout,
//! back-channel logout tokens,
//! UserInfo, and the client authentication they share.
//!
//! Each module is re-exported at the crate root (`oidckit::authorize`, `oidckit::token`, …).

pub mod authorize;
pub(crate) mod client_auth;
pub mod device;
pub mod discovery;
pub mod dpop;
pub(crate) mod fapi2;
pub mod introspection;
pub(crate) mod jar;
pub(crate) mod jarm;
pub mod jwt_bearer;
pub mod logout;
pub mod logout_token;
pub(crate) mod par;
pub mod registration;
pub mod resource;
pub mod revocation;
pub mod token;
pub mod userinfo;
