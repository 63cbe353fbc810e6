//! `oidckit.OpenID`: the seed's class over [`oidckit::openid::OpenId`].
//!
//! The properties are generated from one table ([`properties!`]): each row gives a Python
//! property plus the seed's `get_x()` / `set_x()` methods. Arrays (`param_*`, `cookie_*`) are
//! index methods as in the seed. Every call that may block runs with the GIL released (see
//! [`OpenID::blocking`]).

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};
use std::time::Duration;

use oidckit::GrantType;
use oidckit::openid::{ClientProfile, Interrupter, OpenId, settings};
use pyo3::exceptions::{PyIndexError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::errors::check;
use crate::events::{self, Hooks};

/// The seed's OpenID Connect Relying Party class. Blocking: every network call returns when
/// it is done (with the GIL released, so other threads run meanwhile).
#[pyclass(frozen, weakref, module = "oidckit._native", name = "OpenID")]
pub struct OpenID {
    inner: Mutex<OpenId>,
    interrupter: Interrupter,
    hooks: Arc<Hooks>,
}

/// What a facade getter returns, as the value handed to Python.
trait Owned {
    type Out;
    fn owned(self) -> Self::Out;
}

impl Owned for &str {
    type Out = String;
    fn owned(self) -> String {
        self.to_string()
    }
}

macro_rules! owned_as_is {
    ($($t:ty),*) => {$(
        impl Owned for $t {
            type Out = $t;
            fn owned(self) -> $t {
                self
            }
        }
    )*};
}
owned_as_is!(String, bool, i64, u64, u16, i32, usize);

/// What a facade setter returns: nothing, or a result (settings that check their value).
trait SetOutcome {
    fn done(self) -> PyResult<()>;
}

impl SetOutcome for () {
    fn done(self) -> PyResult<()> {
        Ok(())
    }
}

impl SetOutcome for oidckit::Result<()> {
    fn done(self) -> PyResult<()> {
        check(self)
    }
}

/// A bytes property's value: text as is; other bytes base64-encoded (how the facade takes
/// binary stores).
#[derive(FromPyObject)]
enum Blob {
    Text(String),
    Bytes(Vec<u8>),
}

impl Blob {
    fn into_text(self) -> String {
        match self {
            Blob::Text(t) => t,
            Blob::Bytes(b) => match String::from_utf8(b) {
                Ok(t) => t,
                Err(e) => {
                    use base64::Engine as _;
                    base64::engine::general_purpose::STANDARD.encode(e.into_bytes())
                }
            },
        }
    }
}

macro_rules! properties {
    (
        $( rw $name:ident: $ty:ty = $doc:literal; )*
        --
        $( ro $ro:ident: $rty:ty = $rdoc:literal; )*
        --
        $( bytes $b:ident = $bdoc:literal; )*
        --
        $( bytes_ro $br:ident = $brdoc:literal; )*
    ) => { paste::paste! {
        #[pymethods]
        impl OpenID {
            $(
                #[doc = $doc]
                #[getter($name)]
                fn [<__prop_get_ $name>](&self) -> PyResult<$ty> {
                    self.with(|o| Owned::owned(o.$name()))
                }
                #[setter($name)]
                fn [<__prop_set_ $name>](&self, value: $ty) -> PyResult<()> {
                    self.with(|o| o.[<set_ $name>](value))?.done()
                }
                #[doc = $doc]
                fn [<get_ $name>](&self) -> PyResult<$ty> {
                    self.with(|o| Owned::owned(o.$name()))
                }
                #[doc = concat!("Sets `", stringify!($name), "`.")]
                fn [<set_ $name>](&self, value: $ty) -> PyResult<()> {
                    self.with(|o| o.[<set_ $name>](value))?.done()
                }
            )*
            $(
                #[doc = $rdoc]
                #[getter($ro)]
                fn [<__prop_get_ $ro>](&self) -> PyResult<$rty> {
                    self.with(|o| Owned::owned(o.$ro()))
                }
                #[doc = $rdoc]
                fn [<get_ $ro>](&self) -> PyResult<$rty> {
                    self.with(|o| Owned::owned(o.$ro()))
                }
            )*
            $(
                #[doc = $bdoc]
                #[getter($b)]
                fn [<__prop_get_ $b>]<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
                    self.[<get_ $b>](py)
                }
                #[setter($b)]
                fn [<__prop_set_ $b>](&self, value: Blob) -> PyResult<()> {
                    self.[<set_ $b>](value)
                }
                #[doc = $bdoc]
                fn [<get_ $b>]<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
                    let text = self.with(|o| Owned::owned(o.$b()))?;
                    Ok(PyBytes::new(py, text.as_bytes()))
                }
                #[doc = concat!("Sets `", stringify!($b), "` (bytes or str).")]
                fn [<set_ $b>](&self, value: Blob) -> PyResult<()> {
                    let text = value.into_text();
                    self.with(|o| o.[<set_ $b>](text))?.done()
                }
            )*
            $(
                #[doc = $brdoc]
                #[getter($br)]
                fn [<__prop_get_ $br>]<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
                    self.[<get_ $br>](py)
                }
                #[doc = $brdoc]
                fn [<get_ $br>]<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
                    let text = self.with(|o| Owned::owned(o.$br()))?;
                    Ok(PyBytes::new(py, text.as_bytes()))
                }
            )*
        }

        /// Every property of the table with its Python type and whether it is writable (for
        /// the stub generator and the surface test).
        pub const PROPERTY_TABLE: &[(&str, &str, bool)] = &[
            $( (stringify!($name), py_type(stringify!($ty)), true), )*
            $( (stringify!($ro), py_type(stringify!($rty)), false), )*
            $( (stringify!($b), "bytes", true), )*
            $( (stringify!($br), "bytes", false), )*
        ];
    }};
}

/// The Python name of a Rust property type.
const fn py_type(rust: &str) -> &'static str {
    match rust.as_bytes() {
        b"String" => "str",
        b"bool" => "bool",
        _ => "int",
    }
}

properties! {
    rw access_token: String = "The access token of the last authorization; set it to call `get_user_info` with a stored token. Default: \"\".";
    rw authorization_code: String = "The authorization code. Web profile: set it (or the whole callback URL) before `get_authorization`. Default: \"\".";
    rw authorization_scope: String = "Space-separated scopes to ask for (`openid` is always sent). Default: \"openid\".";
    rw client_id: String = "The client id registered with the provider. Default: \"\".";
    rw client_secret: String = "The client secret; empty for a public client. Default: \"\".";
    rw refresh_token: String = "The refresh token; when set, `get_authorization` refreshes instead of signing in. Default: \"\".";
    rw return_url: String = "The redirect URI; in the Application profile it is set from the loopback server. Default: \"\".";
    rw server_auth_url: String = "The authorization endpoint (set by `get_discovery_doc`, or by hand). Default: \"\".";
    rw server_token_url: String = "The token endpoint (set by `get_discovery_doc`, or by hand). Default: \"\".";
    rw server_user_info_url: String = "The UserInfo endpoint (set by `get_discovery_doc`, or by hand). Default: \"\".";
    rw signer_cert_url: String = "The provider's JWKS URL (set by `get_discovery_doc`, or by hand). Default: \"\".";
    rw state: String = "The `state` to send; empty sends a fresh random one (recommended). Default: \"\".";
    rw issuer: String = "Not in the seed: the provider's issuer, needed to verify ID tokens when the endpoints are set by hand. Default: \"\".";
    rw web_server_ssl_cert_store_password: String = "The password of a PKCS#12 `web_server_ssl_cert_store`. Default: \"\".";
    rw web_server_ssl_cert_subject: String = "The subject the loopback server's certificate must have; empty or `*` takes the store's certificate. Default: \"\".";
    rw proxy_server: String = "The HTTP proxy's host name or address; empty connects directly. Default: \"\".";
    rw proxy_user: String = "The user name for the proxy. Default: \"\".";
    rw proxy_password: String = "The password for the proxy. Default: \"\".";
    rw firewall_host: String = "The SOCKS firewall's host name or address. Default: \"\".";
    rw firewall_user: String = "The user name for the firewall. Default: \"\".";
    rw firewall_password: String = "The password for the firewall. Default: \"\".";
    rw other_headers: String = "Extra request headers, `Name: value` lines. Default: \"\".";
    rw local_host: String = "The local address to connect from; empty lets the system choose. Default: \"\".";
    rw ssl_cert_store_password: String = "The password of the PKCS#12 store in `ssl_cert_encoded`. Default: \"\".";
    rw timeout: u64 = "Seconds a call may take before it fails with code 201; 0 waits forever. Default: 60.";
    rw use_pkce: bool = "Whether to send a PKCE S256 challenge (this library's default is on; the seed's is off). Default: True.";
    rw web_server_ssl_enabled: bool = "Whether the loopback server speaks HTTPS. Default: False.";
    rw firewall_auto_detect: bool = "Whether to take the firewall from the environment. Default: False.";
    rw proxy_auto_detect: bool = "Whether to take the proxy from the environment. Default: False.";
    rw web_server_port: u16 = "The loopback server's port; 0 picks a free one. Default: 0.";
    rw proxy_port: u16 = "The proxy's port. Default: 80.";
    rw firewall_port: u16 = "The firewall's port. Default: 0.";
    rw web_server_ssl_cert_store_type: i32 = "How `web_server_ssl_cert_store` is given (the seed's store type numbers). Default: 0.";
    rw firewall_type: i32 = "0 none, 1 tunnel, 2 SOCKS4, 3 SOCKS5, 10 SOCKS4A. Default: 0.";
    rw proxy_auth_scheme: i32 = "0 basic, 1 digest, 2 proprietary, 3 none, 4 NTLM, 5 negotiate. Default: 0.";
    rw proxy_ssl: i32 = "0 automatic, 1 always, 2 never, 3 tunnel. Default: 0.";
    rw follow_redirects: i32 = "0 never, 1 always, 2 same scheme only. Default: 0.";
    rw param_count: usize = "The number of extra authorization request parameters (`param_*`). Default: 0.";
    rw cookie_count: usize = "The number of cookies (`cookie_*`): sent ones you added and received ones. Default: 0.";
    --
    ro access_token_exp: i64 = "The access token's lifetime in seconds (`expires_in`). Default: 0.";
    ro transferred_headers: String = "The headers of the last HTTP response, `Name: value` lines. Default: \"\".";
    ro discovery_doc_details_authorization_url: String = "The discovery document's `authorization_endpoint`. Default: \"\".";
    ro discovery_doc_details_claims_param_supported: bool = "The discovery document's `claims_parameter_supported`. Default: False.";
    ro discovery_doc_details_issuer: String = "The discovery document's `issuer`. Default: \"\".";
    ro discovery_doc_details_registration_url: String = "The discovery document's `registration_endpoint`. Default: \"\".";
    ro discovery_doc_details_service_docs_url: String = "The discovery document's `service_documentation`. Default: \"\".";
    ro discovery_doc_details_signer_cert_url: String = "The discovery document's `jwks_uri`. Default: \"\".";
    ro discovery_doc_details_supported_claims: String = "The discovery document's `claims_supported`, comma-separated. Default: \"\".";
    ro discovery_doc_details_supported_displays: String = "The discovery document's `display_values_supported`, comma-separated. Default: \"\".";
    ro discovery_doc_details_supported_grant_types: String = "The discovery document's `grant_types_supported`, comma-separated. Default: \"\".";
    ro discovery_doc_details_supported_response_types: String = "The discovery document's `response_types_supported`, comma-separated. Default: \"\".";
    ro discovery_doc_details_supported_scopes: String = "The discovery document's `scopes_supported`, comma-separated. Default: \"\".";
    ro discovery_doc_details_token_url: String = "The discovery document's `token_endpoint`. Default: \"\".";
    ro discovery_doc_details_user_info_url: String = "The discovery document's `userinfo_endpoint`. Default: \"\".";
    ro user_details_addr_country: String = "The user's country (`address.country`). Default: \"\".";
    ro user_details_addr_formatted: String = "The user's full address (`address.formatted`). Default: \"\".";
    ro user_details_addr_locality: String = "The user's city (`address.locality`). Default: \"\".";
    ro user_details_addr_postal_code: String = "The user's postal code (`address.postal_code`). Default: \"\".";
    ro user_details_addr_region: String = "The user's region or state (`address.region`). Default: \"\".";
    ro user_details_addr_street_addr: String = "The user's street address (`address.street_address`). Default: \"\".";
    ro user_details_audiences: String = "The ID token's audiences (`aud`), comma-separated. Default: \"\".";
    ro user_details_birthday: String = "The user's birthday (`birthdate`). Default: \"\".";
    ro user_details_email: String = "The user's e-mail address. Default: \"\".";
    ro user_details_email_verified: bool = "Whether the provider verified the e-mail address. Default: False.";
    ro user_details_first_name: String = "The user's given name. Default: \"\".";
    ro user_details_gender: String = "The user's gender. Default: \"\".";
    ro user_details_issuer: String = "The ID token's issuer (`iss`). Default: \"\".";
    ro user_details_last_name: String = "The user's family name. Default: \"\".";
    ro user_details_locale: String = "The user's locale. Default: \"\".";
    ro user_details_middle_name: String = "The user's middle name. Default: \"\".";
    ro user_details_name: String = "The user's full name. Default: \"\".";
    ro user_details_nickname: String = "The user's nickname. Default: \"\".";
    ro user_details_phone_number: String = "The user's phone number. Default: \"\".";
    ro user_details_phone_number_verified: bool = "Whether the provider verified the phone number. Default: False.";
    ro user_details_picture_url: String = "The URL of the user's picture. Default: \"\".";
    ro user_details_preferred_username: String = "The user's preferred user name. Default: \"\".";
    ro user_details_profile_url: String = "The URL of the user's profile page. Default: \"\".";
    ro user_details_subject: String = "The user's identifier at the provider (`sub`). Default: \"\".";
    ro user_details_token_auth_time: i64 = "When the user authenticated (`auth_time`, Unix seconds). Default: 0.";
    ro user_details_token_exp_time: i64 = "When the ID token expires (`exp`, Unix seconds). Default: 0.";
    ro user_details_token_issued_at: i64 = "When the ID token was issued (`iat`, Unix seconds). Default: 0.";
    ro user_details_updated_at: i64 = "When the user's details last changed (`updated_at`, Unix seconds). Default: 0.";
    ro user_details_website: String = "The user's web site. Default: \"\".";
    ro user_details_zone_info: String = "The user's time zone (`zoneinfo`). Default: \"\".";
    --
    bytes signer_cert_encoded = "A PEM certificate or public key (or a JWK) that verifies ID tokens instead of the provider's JWKS. Default: b\"\".";
    bytes ssl_accept_server_cert_encoded = "A server certificate (PEM) to trust whatever its chain. Default: b\"\".";
    bytes ssl_cert_encoded = "The client certificate for mutual TLS: PEM with its key, or a PKCS#12 store. Default: b\"\".";
    bytes web_server_ssl_cert_store = "The loopback server's certificate and key: a file path or the store itself. Default: b\"MY\".";
    --
    bytes_ro ssl_server_cert_encoded = "The certificate the server presented on the last TLS connection (base64 DER). Default: b\"\".";
    bytes_ro transferred_data = "The body of the last HTTP response (it may hold tokens: keep it secret). Default: b\"\".";
}

fn grant_type_number(g: GrantType) -> i32 {
    match g {
        GrantType::Code => 0,
        GrantType::Implicit => 1,
        GrantType::Hybrid => 2,
    }
}

fn grant_type_from(n: i32) -> PyResult<GrantType> {
    match n {
        0 => Ok(GrantType::Code),
        1 => Ok(GrantType::Implicit),
        2 => Ok(GrantType::Hybrid),
        _ => Err(PyValueError::new_err(format!(
            "grant_type {n} is not 0 (code), 1 (implicit) or 2 (hybrid)"
        ))),
    }
}

fn element<T>(value: Option<T>, what: &str, i: usize) -> PyResult<T> {
    value.ok_or_else(|| PyIndexError::new_err(format!("{what} index {i} is out of range")))
}

impl OpenID {
    /// The facade, unless a call holds it (from another thread, or an event handler of the
    /// running call calling back in).
    fn lock(&self) -> PyResult<MutexGuard<'_, OpenId>> {
        match self.inner.try_lock() {
            Ok(g) => Ok(g),
            Err(TryLockError::Poisoned(p)) => Ok(p.into_inner()),
            Err(TryLockError::WouldBlock) => Err(PyRuntimeError::new_err(
                "this OpenID object is busy with a call (on another thread, or this is one of \
                 its event handlers); wait for the call to return, or call interrupt()",
            )),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut OpenId) -> R) -> PyResult<R> {
        Ok(f(&mut *self.lock()?))
    }

    /// Runs `f` on a helper thread with the GIL released. The calling thread waits, checking
    /// for signals: Ctrl-C interrupts the call (the facade then closes what it opened) and
    /// raises KeyboardInterrupt. An exception from an event handler wins over the result.
    fn blocking<R: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut OpenId) -> oidckit::Result<R> + Send,
    ) -> PyResult<R> {
        let mut guard = self.lock()?;
        let _ = self.hooks.take_raised();
        let o: &mut OpenId = &mut guard;
        let interrupter = &self.interrupter;
        let outcome = std::thread::scope(|s| {
            let (tx, mut rx) = mpsc::channel();
            s.spawn(move || {
                let _ = tx.send(f(o));
            });
            loop {
                let (back, got) = py.detach(move || {
                    let got = rx.recv_timeout(Duration::from_millis(50));
                    (rx, got)
                });
                rx = back;
                match got {
                    Ok(r) => return Ok(r),
                    Err(RecvTimeoutError::Timeout) => {
                        if let Err(signal) = py.check_signals() {
                            interrupter.interrupt();
                            let _ = py.detach(move || rx.recv());
                            return Err(signal);
                        }
                    }
                    Err(RecvTimeoutError::Disconnected) => {
                        return Err(PyRuntimeError::new_err("the call ended without a result"));
                    }
                }
            }
        });
        drop(guard);
        if let Some(raised) = self.hooks.take_raised() {
            return Err(raised);
        }
        check(outcome?)
    }
}

#[pymethods]
impl OpenID {
    #[new]
    fn new() -> OpenID {
        let mut o = OpenId::new();
        let hooks = Arc::new(Hooks::default());
        events::register(&mut o, &hooks);
        OpenID {
            interrupter: o.interrupter(),
            inner: Mutex::new(o),
            hooks,
        }
    }

    /// The environment the class runs in: 0 Application (loopback server and system browser),
    /// 1 Web, 2 Device, 3 Mobile, 4 Browser, 5 JWT (server to server). Default: 0.
    #[getter(client_profile)]
    fn prop_client_profile(&self) -> PyResult<i32> {
        self.get_client_profile()
    }
    #[setter(client_profile)]
    fn prop_set_client_profile(&self, value: i32) -> PyResult<()> {
        self.set_client_profile(value)
    }
    /// The environment the class runs in (see `client_profile`).
    fn get_client_profile(&self) -> PyResult<i32> {
        self.with(|o| o.client_profile().as_i32())
    }
    /// Sets `client_profile` (0..=5).
    fn set_client_profile(&self, value: i32) -> PyResult<()> {
        let p = check(ClientProfile::from_i32(value))?;
        self.with(|o| o.set_client_profile(p))
    }

    /// The flow: 0 authorization code, 1 implicit, 2 hybrid. Default: 0.
    #[getter(grant_type)]
    fn prop_grant_type(&self) -> PyResult<i32> {
        self.get_grant_type()
    }
    #[setter(grant_type)]
    fn prop_set_grant_type(&self, value: i32) -> PyResult<()> {
        self.set_grant_type(value)
    }
    /// The flow (see `grant_type`).
    fn get_grant_type(&self) -> PyResult<i32> {
        self.with(|o| grant_type_number(o.grant_type()))
    }
    /// Sets `grant_type` (0..=2).
    fn set_grant_type(&self, value: i32) -> PyResult<()> {
        let g = grant_type_from(value)?;
        self.with(|o| o.set_grant_type(g))
    }

    /// Whether no call is running (readable while one runs). Default: True.
    #[getter(idle)]
    fn prop_idle(&self) -> bool {
        self.interrupter.idle()
    }
    /// Whether no call is running.
    fn get_idle(&self) -> bool {
        self.interrupter.idle()
    }

    /// The name of extra authorization request parameter `param_index`.
    fn get_param_name(&self, param_index: usize) -> PyResult<String> {
        let v = self.with(|o| o.param_name(param_index).map(str::to_string))?;
        element(v, "param", param_index)
    }
    /// Sets the name of parameter `param_index` (the array grows as needed).
    fn set_param_name(&self, param_index: usize, value: String) -> PyResult<()> {
        self.with(|o| o.set_param_name(param_index, value))
    }
    /// The value of extra authorization request parameter `param_index`.
    fn get_param_value(&self, param_index: usize) -> PyResult<String> {
        let v = self.with(|o| o.param_value(param_index).map(str::to_string))?;
        element(v, "param", param_index)
    }
    /// Sets the value of parameter `param_index` (the array grows as needed).
    fn set_param_value(&self, param_index: usize, value: String) -> PyResult<()> {
        self.with(|o| o.set_param_value(param_index, value))
    }

    /// The name of cookie `cookie_index`.
    fn get_cookie_name(&self, cookie_index: usize) -> PyResult<String> {
        let v = self.with(|o| o.cookie_name(cookie_index).map(str::to_string))?;
        element(v, "cookie", cookie_index)
    }
    /// Sets the name of cookie `cookie_index` (the array grows as needed).
    fn set_cookie_name(&self, cookie_index: usize, value: String) -> PyResult<()> {
        self.with(|o| o.set_cookie_name(cookie_index, value))
    }
    /// The value of cookie `cookie_index`.
    fn get_cookie_value(&self, cookie_index: usize) -> PyResult<String> {
        let v = self.with(|o| o.cookie_value(cookie_index).map(str::to_string))?;
        element(v, "cookie", cookie_index)
    }
    /// Sets the value of cookie `cookie_index` (the array grows as needed).
    fn set_cookie_value(&self, cookie_index: usize, value: String) -> PyResult<()> {
        self.with(|o| o.set_cookie_value(cookie_index, value))
    }
    /// The domain of received cookie `cookie_index`.
    fn get_cookie_domain(&self, cookie_index: usize) -> PyResult<String> {
        let v = self.with(|o| o.cookie_domain(cookie_index).map(str::to_string))?;
        element(v, "cookie", cookie_index)
    }
    /// The expiry of received cookie `cookie_index`, as the server wrote it.
    fn get_cookie_expiration(&self, cookie_index: usize) -> PyResult<String> {
        let v = self.with(|o| o.cookie_expiration(cookie_index).map(str::to_string))?;
        element(v, "cookie", cookie_index)
    }
    /// The path of received cookie `cookie_index`.
    fn get_cookie_path(&self, cookie_index: usize) -> PyResult<String> {
        let v = self.with(|o| o.cookie_path(cookie_index).map(str::to_string))?;
        element(v, "cookie", cookie_index)
    }
    /// Whether received cookie `cookie_index` is sent over TLS only.
    fn get_cookie_secure(&self, cookie_index: usize) -> PyResult<bool> {
        let v = self.with(|o| o.cookie_secure(cookie_index))?;
        element(v, "cookie", cookie_index)
    }

    /// Adds a cookie sent with every request.
    fn add_cookie(&self, cookie_name: String, cookie_value: String) -> PyResult<()> {
        self.with(|o| o.add_cookie(cookie_name, cookie_value))
    }
    /// Adds an extra parameter to the authorization request.
    fn add_param(&self, param_name: String, param_value: String) -> PyResult<()> {
        self.with(|o| o.add_param(param_name, param_value))
    }
    /// A parameter of the last response (authorization callback, token or device answer),
    /// or "" when it had none of that name.
    fn get_param(&self, param_name: &str) -> PyResult<String> {
        self.with(|o| o.get_param(param_name))
    }

    /// Reads (`config("Name")`) or writes (`config("Name=Value")`) a configuration setting and
    /// returns its value. Some settings act when written (`ValidateToken=…`).
    fn config(&self, py: Python<'_>, configuration_string: String) -> PyResult<String> {
        self.blocking(py, move |o| o.config(&configuration_string))
    }

    /// Does nothing: events fire directly from the running call; kept for the seed's programs.
    fn do_events(&self) {}

    /// Signs the user in (or refreshes, or runs the configured grant) and returns the
    /// `Authorization` header value, e.g. "Bearer …". Fills the tokens and `user_details_*`.
    fn get_authorization(&self, py: Python<'_>) -> PyResult<String> {
        self.blocking(py, OpenId::get_authorization)
    }

    /// The URL to send the user to (Web, Mobile, Browser profiles), or the device
    /// verification URL (Device profile, with `DeviceUserCode` readable from `config`).
    fn get_authorization_url(&self, py: Python<'_>) -> PyResult<String> {
        self.blocking(py, OpenId::get_authorization_url)
    }

    /// Fetches the provider's discovery document and fills the endpoint properties and
    /// `discovery_doc_details_*`.
    fn get_discovery_doc(&self, py: Python<'_>, url: String) -> PyResult<()> {
        self.blocking(py, move |o| o.get_discovery_doc(&url))
    }

    /// Fetches the UserInfo claims with `access_token` and fills `user_details_*`.
    fn get_user_info(&self, py: Python<'_>) -> PyResult<()> {
        self.blocking(py, OpenId::get_user_info)
    }

    /// Ends the running call (on any thread) with error 301. Does nothing when none runs.
    fn interrupt(&self) {
        self.interrupter.interrupt();
    }

    /// Restores every property and setting to its default and stops the loopback server.
    /// Assigned event handlers stay.
    fn reset(&self) -> PyResult<()> {
        let _ = self.hooks.take_raised();
        self.with(OpenId::reset)
    }

    /// Starts the loopback server that receives the browser's redirect (Application profile).
    fn start_web_server(&self, py: Python<'_>) -> PyResult<()> {
        self.blocking(py, OpenId::start_web_server)
    }

    /// Stops the loopback server.
    fn stop_web_server(&self, py: Python<'_>) -> PyResult<()> {
        self.blocking(py, OpenId::stop_web_server)
    }

    /// Not in the seed: the provider's end-session (logout) URL with the ID token as hint and
    /// `post_logout_redirect_uri`.
    fn logout_url(&self, post_logout_redirect_uri: &str) -> PyResult<String> {
        check(self.with(|o| o.logout_url(post_logout_redirect_uri))?)
    }

    /// Not in the seed: the password of the password grant (`PasswordGrantUsername` names the
    /// user).
    fn set_password_grant_password(&self, password: String) -> PyResult<()> {
        self.with(|o| o.set_password_grant_password(password))
    }

    /// The names `config()` knows, in the seed's spelling (indexed ones without `[i]`).
    #[staticmethod]
    fn config_settings() -> Vec<&'static str> {
        settings::TABLE.iter().map(|s| s.name).collect()
    }

    fn __traverse__(&self, visit: pyo3::PyVisit<'_>) -> Result<(), pyo3::PyTraverseError> {
        self.hooks.traverse(&visit)
    }

    fn __clear__(&self) {
        self.hooks.clear();
    }

    fn __repr__(&self) -> String {
        match self.inner.try_lock() {
            Ok(o) => format!(
                "OpenID(client_id={:?}, issuer={:?})",
                o.client_id(),
                o.issuer()
            ),
            Err(_) => "OpenID(<busy>)".to_string(),
        }
    }
}

macro_rules! event_properties {
    ($($on:ident: $params:ident;)*) => { paste::paste! {
        #[pymethods]
        impl OpenID {
            $(
                #[doc = concat!("The callable run with an `", stringify!($params), "` when the event fires, or None.")]
                #[getter($on)]
                fn [<__event_get_ $on>](&self, py: Python<'_>) -> Option<Py<PyAny>> {
                    self.hooks.get(py, stringify!($on))
                }
                #[setter($on)]
                fn [<__event_set_ $on>](&self, py: Python<'_>, event_hook: Option<Py<PyAny>>) -> PyResult<()> {
                    self.set_hook(py, stringify!($on), event_hook)
                }
            )*
        }
    }};
}

impl OpenID {
    fn set_hook(&self, py: Python<'_>, name: &str, hook: Option<Py<PyAny>>) -> PyResult<()> {
        let Some(name) = events::static_name(name) else {
            return Err(PyValueError::new_err(format!("no event {name}")));
        };
        let hook = hook.filter(|h| !h.is_none(py));
        if let Some(h) = &hook
            && !h.bind(py).is_callable()
        {
            return Err(PyTypeError::new_err(format!(
                "{name} takes a callable (or None)"
            )));
        }
        self.hooks.set(name, hook);
        Ok(())
    }
}

event_properties! {
    on_connected: OpenIDConnectedEventParams;
    on_connection_status: OpenIDConnectionStatusEventParams;
    on_disconnected: OpenIDDisconnectedEventParams;
    on_end_transfer: OpenIDEndTransferEventParams;
    on_error: OpenIDErrorEventParams;
    on_header: OpenIDHeaderEventParams;
    on_launch_browser: OpenIDLaunchBrowserEventParams;
    on_log: OpenIDLogEventParams;
    on_redirect: OpenIDRedirectEventParams;
    on_return_url: OpenIDReturnURLEventParams;
    on_set_cookie: OpenIDSetCookieEventParams;
    on_ssl_server_authentication: OpenIDSSLServerAuthenticationEventParams;
    on_ssl_status: OpenIDSSLStatusEventParams;
    on_start_transfer: OpenIDStartTransferEventParams;
    on_status: OpenIDStatusEventParams;
    on_transfer: OpenIDTransferEventParams;
}

/// Whether `OpenID` holds what a class for Python threads needs.
const _: fn() = || {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<OpenID>();
};
