//! The `oidckit` command: sign in with any OpenID Provider from a terminal.
fn main() {}
