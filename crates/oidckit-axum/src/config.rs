//! [`WebConfig`]: cookie, lifetime and path settings of the sign-in routes, with secure defaults.

use std::time::Duration;

/// Settings of [`crate::Oidc`]. Build with [`WebConfig::new`] (the cookie key is required) and
/// change fields as needed.
#[derive(Clone)]
#[non_exhaustive]
pub struct WebConfig {
    /// Key that signs the cookies (HMAC-SHA256); at least 32 random bytes, the same on every
    /// instance behind one load balancer. Required.
    pub cookie_key: Vec<u8>,
    /// Name of the session cookie. Default: `oidckit_session`.
    pub session_cookie: String,
    /// Name of the short-lived cookie that binds a login to the browser that started it.
    /// Default: `oidckit_login`.
    pub login_cookie: String,
    /// Mark cookies `Secure`. Turn off only for an app served over plain http on a loopback
    /// address; [`crate::Oidc::new`] refuses `false` with a non-loopback redirect URI.
    /// Default: `true`.
    pub secure_cookies: bool,
    /// How long a session lives after sign-in, refreshes included. Default: 8 hours.
    pub session_ttl: Duration,
    /// How long a started login may take to come back to the callback. Default: 10 minutes.
    pub login_ttl: Duration,
    /// Refresh the access token when it expires within this margin. Default: 60 seconds.
    pub refresh_before: Duration,
    /// How long a request waits for another instance that is refreshing the same session.
    /// Default: 5 seconds.
    pub refresh_wait: Duration,
    /// Lifetime of the refresh lock, longer than a token request may take. Default: 30 seconds.
    pub refresh_lock_ttl: Duration,
    /// Logout tokens whose `iat` is older than this are refused; their `jti`s are remembered
    /// for twice as long. Default: 5 minutes.
    pub logout_token_max_age: Duration,
    /// Where to send the user after sign-in when the login named no `return_to`. Default: `/`.
    pub after_login: String,
    /// Absolute URL the provider sends the user to after its end-session endpoint
    /// (`post_logout_redirect_uri`, registered with the provider); `None` sends none.
    /// Default: `None`.
    pub post_logout_redirect_uri: Option<String>,
    /// Where `POST /logout` sends the user when the provider has no end-session endpoint.
    /// Default: `/`.
    pub after_logout: String,
    /// Fetch UserInfo at sign-in and keep it in the session. Default: `true`.
    pub fetch_userinfo: bool,
    /// Path of the login route, for the redirecting extractor. Default: `/login`.
    pub login_path: String,
}

impl std::fmt::Debug for WebConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebConfig")
            .field("cookie_key", &"[redacted]")
            .field("session_cookie", &self.session_cookie)
            .field("secure_cookies", &self.secure_cookies)
            .field("session_ttl", &self.session_ttl)
            .field("login_ttl", &self.login_ttl)
            .field("refresh_before", &self.refresh_before)
            .finish_non_exhaustive()
    }
}

impl WebConfig {
    /// Settings with the defaults above and `cookie_key` (at least 32 bytes; shorter keys are
    /// refused by [`crate::Oidc::new`]).
    pub fn new(cookie_key: impl Into<Vec<u8>>) -> WebConfig {
        WebConfig {
            cookie_key: cookie_key.into(),
            session_cookie: "oidckit_session".to_owned(),
            login_cookie: "oidckit_login".to_owned(),
            secure_cookies: true,
            session_ttl: Duration::from_secs(8 * 3600),
            login_ttl: Duration::from_secs(600),
            refresh_before: Duration::from_secs(60),
            refresh_wait: Duration::from_secs(5),
            refresh_lock_ttl: Duration::from_secs(30),
            logout_token_max_age: Duration::from_secs(300),
            after_login: "/".to_owned(),
            post_logout_redirect_uri: None,
            after_logout: "/".to_owned(),
            fetch_userinfo: true,
            login_path: "/login".to_owned(),
        }
    }
}
