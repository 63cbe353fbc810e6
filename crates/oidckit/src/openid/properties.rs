//! The typed properties of [`OpenId`]: getters and setters, and the `param_*` and `cookie_*`
//! arrays.

use super::{ClientProfile, Cookie, OpenId, slot};
use crate::authorize::AuthTransaction;
use crate::config::GrantType;

impl OpenId {
    string_props! {
        /// The access token of the last authorization; set it to call `get_user_info` with a
        /// stored token. Default: "".
        access_token / set_access_token;
        /// The authorization code. Web profile: set it (or the whole callback URL) before
        /// `get_authorization`. Application profile: informational. Default: "".
        authorization_code / set_authorization_code;
        /// Space-separated scopes (`openid` is always included). Default: "openid".
        authorization_scope / set_authorization_scope;
        /// The client id registered with the provider. Default: "".
        client_id / set_client_id;
        /// The client secret; empty for a public client. Default: "".
        client_secret / set_client_secret;
        /// The refresh token; when set, `get_authorization` refreshes instead of signing in.
        /// Default: "".
        refresh_token / set_refresh_token;
        /// The redirect URI. Application profile: set from the loopback server. Default: "".
        return_url / set_return_url;
        /// The authorization endpoint (filled by `get_discovery_doc`). Default: "".
        server_auth_url / set_server_auth_url;
        /// The token endpoint (filled by `get_discovery_doc`). Default: "".
        server_token_url / set_server_token_url;
        /// The UserInfo endpoint (filled by `get_discovery_doc`). Default: "".
        server_user_info_url / set_server_user_info_url;
        /// A PEM certificate or public key (or a JWK) to verify ID tokens with instead of the
        /// provider's JWKS. Default: "".
        signer_cert_encoded / set_signer_cert_encoded;
        /// The provider's JWKS URL (filled by `get_discovery_doc`). Default: "".
        signer_cert_url / set_signer_cert_url;
        /// The `state` to send; empty sends a random one (recommended). Default: "".
        state / set_state;
        /// Not in the seed: the provider's issuer, needed to verify ID tokens when the endpoints
        /// are set by hand (filled by `get_discovery_doc`). Default: "".
        issuer / set_issuer;
    }

    /// The lifetime of the access token in seconds (`expires_in`). Default: 0.
    pub fn access_token_exp(&self) -> i64 {
        self.p.access_token_exp
    }

    /// The client profile. Default: [`ClientProfile::Application`].
    pub fn client_profile(&self) -> ClientProfile {
        self.p.client_profile
    }

    /// Sets [`client_profile`](Self::client_profile).
    pub fn set_client_profile(&mut self, value: ClientProfile) {
        self.p.client_profile = value;
    }

    /// The flow: code (0), implicit (1) or hybrid (2). Default: [`GrantType::Code`].
    pub fn grant_type(&self) -> GrantType {
        self.p.grant_type
    }

    /// Sets [`grant_type`](Self::grant_type).
    pub fn set_grant_type(&mut self, value: GrantType) {
        self.p.grant_type = value;
    }

    /// The timeout of each HTTP request in seconds. Default: 60.
    pub fn timeout(&self) -> u64 {
        self.p.timeout
    }

    /// Sets [`timeout`](Self::timeout); 0 is refused (error 921) at the next call.
    pub fn set_timeout(&mut self, seconds: u64) {
        self.p.timeout = seconds;
    }

    /// Whether PKCE is used. Default: **true** (the seed's is false; PKCE is required by the
    /// OAuth 2.0 Security BCP, so this library turns it on).
    pub fn use_pkce(&self) -> bool {
        self.p.use_pkce
    }

    /// Sets [`use_pkce`](Self::use_pkce).
    pub fn set_use_pkce(&mut self, value: bool) {
        self.p.use_pkce = value;
    }

    /// The loopback server's port (0 before it starts: an ephemeral port is picked). Default: 0.
    pub fn web_server_port(&self) -> u16 {
        self.p.web_server_port
    }

    /// Sets [`web_server_port`](Self::web_server_port) for the next start of the server.
    pub fn set_web_server_port(&mut self, port: u16) {
        self.p.web_server_port = port;
    }

    /// Whether the loopback server speaks HTTPS only (redirect URI `https://127.0.0.1:PORT/…`),
    /// with the certificate of `web_server_ssl_cert_store`. Applies at the next start of the
    /// server. Default: false.
    pub fn web_server_ssl_enabled(&self) -> bool {
        self.p.web_server_ssl_enabled
    }

    /// Sets [`web_server_ssl_enabled`](Self::web_server_ssl_enabled).
    pub fn set_web_server_ssl_enabled(&mut self, value: bool) {
        self.p.web_server_ssl_enabled = value;
    }

    /// The type of `web_server_ssl_cert_store`: 2 a PKCS#12 file, 3 a base64 PKCS#12 blob, 6 a
    /// PEM file (certificates and private key), 7 PEM text, 99 detect; 0 (the default, the
    /// seed's Windows user store) detects too. Other types are refused (error 921) when
    /// the server starts. Default: 0.
    pub fn web_server_ssl_cert_store_type(&self) -> i32 {
        self.p.web_server_ssl_cert_store_type
    }

    /// Sets [`web_server_ssl_cert_store_type`](Self::web_server_ssl_cert_store_type).
    pub fn set_web_server_ssl_cert_store_type(&mut self, value: i32) {
        self.p.web_server_ssl_cert_store_type = value;
    }

    string_props! {
        /// The loopback server's certificate and private key: a file path or a blob, as
        /// `web_server_ssl_cert_store_type` says (Windows store names such as the seed's
        /// default "MY" do not exist here). Default: "MY".
        web_server_ssl_cert_store / set_web_server_ssl_cert_store;
        /// The password of a PKCS#12 `web_server_ssl_cert_store`. Default: "".
        web_server_ssl_cert_store_password / set_web_server_ssl_cert_store_password;
        /// The subject the store's certificate must have: empty or `*` takes the store's
        /// (first) certificate; otherwise its subject must equal this or contain it (e.g.
        /// `CN=127.0.0.1`), else the server does not start (error 921). The store holds one
        /// certificate with its key, so there is nothing else to search. Default: "".
        web_server_ssl_cert_subject / set_web_server_ssl_cert_subject;
    }

    /// Whether no call is running. Default: true.
    pub fn idle(&self) -> bool {
        self.interrupter.idle()
    }

    /// The number of `params` (outgoing authorization request parameters). Default: 0.
    pub fn param_count(&self) -> usize {
        self.p.params.len()
    }

    /// Resizes `params` (new entries are empty, which are not sent).
    pub fn set_param_count(&mut self, count: usize) {
        self.p.params.resize(count, (String::new(), String::new()));
    }

    /// The name of param `i` (0-based); `None` out of range.
    pub fn param_name(&self, i: usize) -> Option<&str> {
        self.p.params.get(i).map(|(n, _)| n.as_str())
    }

    /// Sets the name of param `i`, growing the array when needed.
    pub fn set_param_name(&mut self, i: usize, name: impl Into<String>) {
        slot(&mut self.p.params, i).0 = name.into();
    }

    /// The value of param `i` (0-based); `None` out of range.
    pub fn param_value(&self, i: usize) -> Option<&str> {
        self.p.params.get(i).map(|(_, v)| v.as_str())
    }

    /// Sets the value of param `i`, growing the array when needed.
    pub fn set_param_value(&mut self, i: usize, value: impl Into<String>) {
        slot(&mut self.p.params, i).1 = value.into();
    }

    /// The number of cookies (sent with every request). Default: 0.
    pub fn cookie_count(&self) -> usize {
        self.p.cookies.len()
    }

    /// Resizes the cookie arrays.
    pub fn set_cookie_count(&mut self, count: usize) {
        self.p.cookies.resize(count, Cookie::default());
    }

    /// Cookie `i` (0-based) with all its fields; `None` out of range.
    pub fn cookie(&self, i: usize) -> Option<&Cookie> {
        self.p.cookies.get(i)
    }

    /// The name of cookie `i`.
    pub fn cookie_name(&self, i: usize) -> Option<&str> {
        self.cookie(i).map(|c| c.name.as_str())
    }

    /// Sets the name of cookie `i`, growing the arrays when needed.
    pub fn set_cookie_name(&mut self, i: usize, name: impl Into<String>) {
        slot(&mut self.p.cookies, i).name = name.into();
    }

    /// The value of cookie `i`.
    pub fn cookie_value(&self, i: usize) -> Option<&str> {
        self.cookie(i).map(|c| c.value.as_str())
    }

    /// Sets the value of cookie `i`, growing the arrays when needed.
    pub fn set_cookie_value(&mut self, i: usize, value: impl Into<String>) {
        slot(&mut self.p.cookies, i).value = value.into();
    }

    /// The domain of received cookie `i`.
    pub fn cookie_domain(&self, i: usize) -> Option<&str> {
        self.cookie(i).map(|c| c.domain.as_str())
    }

    /// The path of received cookie `i`.
    pub fn cookie_path(&self, i: usize) -> Option<&str> {
        self.cookie(i).map(|c| c.path.as_str())
    }

    /// The expiry of received cookie `i`.
    pub fn cookie_expiration(&self, i: usize) -> Option<&str> {
        self.cookie(i).map(|c| c.expiration.as_str())
    }

    /// The `Secure` flag of received cookie `i`.
    pub fn cookie_secure(&self, i: usize) -> Option<bool> {
        self.cookie(i).map(|c| c.secure)
    }
    /// Not in the seed: the pending authorization transaction of the Web profile (state, nonce,
    /// PKCE verifier, redirect URI). Store it in the user's session between
    /// `get_authorization_url` and `get_authorization` when they run in different processes.
    pub fn transaction(&self) -> Option<&AuthTransaction> {
        self.p.transaction.as_ref()
    }

    /// Restores the pending transaction (see [`transaction`](Self::transaction)).
    pub fn set_transaction(&mut self, tx: Option<AuthTransaction>) {
        self.p.transaction = tx;
    }
    /// Not in the seed: the password of the password grant (see `PasswordGrantUsername`).
    pub fn set_password_grant_password(&mut self, password: impl Into<String>) {
        self.p.password_grant_password = password.into();
    }
    /// Adds an outgoing authorization request parameter. A parameter named `state` sets the
    /// state instead (it is never sent twice).
    pub fn add_param(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.p.params.push((name.into(), value.into()));
    }

    /// A parameter of the last response: the authorization response (callback) first, then the
    /// token response. Empty when absent.
    pub fn get_param(&self, name: &str) -> String {
        self.p
            .response_params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Adds a cookie to the cookie arrays; it is sent with every request.
    pub fn add_cookie(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.p.cookies.push(Cookie {
            name: name.into(),
            value: value.into(),
            ..Cookie::default()
        });
    }
}
