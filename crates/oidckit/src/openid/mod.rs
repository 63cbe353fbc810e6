//! [`OpenId`]: the seed's OpenID class, blocking, with the seed's property, method, event and
//! config setting names.
//!
//! It is a thin facade: each member delegates to the async core ([`crate::Client`],
//! [`crate::loopback`], [`crate::browser`]) on the facade's own worker thread (see
//! [`crate::blocking`]); no flow is implemented twice. Properties are typed getters and setters
//! (`client_id()` / `set_client_id()`), arrays have counts and indices as in the seed
//! (`param_count()`, `param_name(i)`), and [`OpenId::config`] is the string layer over the rest
//! (see [`settings`]).
//!
//! **Do not call it from async code**: every method blocks the calling thread until the call
//! finishes. Async programs use [`crate::Client`].
//!
//! ```
//! # fn main() -> oidckit::Result<()> {
//! use oidckit::openid::{ClientProfile, OpenId};
//! # let provider = oidckit_mock::MockProvider::start(Default::default()).unwrap();
//! let mut openid = OpenId::new();
//! openid.set_client_id("test-client");
//! openid.set_client_secret("test-secret");
//! openid.set_client_profile(ClientProfile::Web);
//! openid.set_return_url("http://127.0.0.1:8080/callback");
//! openid.get_discovery_doc(&provider.discovery_url())?;
//! let url = openid.get_authorization_url()?;
//! // … redirect the user to `url`; they come back to the return URL with a code …
//! # let callback = oidckit_mock::follow_authorization(&url).unwrap();
//! openid.set_authorization_code(&callback); // the code, or the whole callback URL
//! let authorization = openid.get_authorization()?; // "Bearer …"
//! assert!(authorization.starts_with("Bearer "));
//! assert_eq!(openid.user_details_subject(), "248289761001");
//! # Ok(()) }
//! ```

pub mod events;
pub mod settings;
pub mod xpath;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::Notify;

use crate::authorize::{AuthTransaction, AuthorizationRequest, CallbackParams};
use crate::blocking::Worker;
use crate::browser::{self, BrowserOptions, HookDecision, Launch};
use crate::config::{AuthMethod, ClientConfig, GrantType, PkceMethod, ResponseType};
use crate::device::DeviceAuthorization;
use crate::discovery::ProviderMetadata;
use crate::http::LastResponse;
use crate::id_token::IdToken;
use crate::jose::PrivateKey;
use crate::jose::{VerifyingKey, b64url_decode};
use crate::jwt_bearer::{JwtAssertion, ServiceAccountKey};
use crate::loopback::{
    CustomPage, LoopbackCertificate, LoopbackConfig, LoopbackServer, LoopbackTls, SignIn,
};
use crate::token::TokenSet;
use crate::userinfo::UserDetails;
use crate::{Client, Error, Result};

use events::{
    ConnectedEvent, ConnectionStatusEvent, DisconnectedEvent, ErrorEvent, Events, HeaderEvent,
    LaunchBrowserEvent, LogEvent, RedirectEvent, ReturnUrlEvent, SetCookieEvent,
    SslServerAuthenticationEvent, SslStatusEvent, StatusEvent, TransferBoundaryEvent,
    TransferEvent, fire,
};
use settings::{Access, Setting, Status};
use xpath::{JsonDoc, Node};

/// The environment the class runs in (the seed's `client_profile`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientProfile {
    /// 0, desktop application: loopback server plus system browser. The default.
    #[default]
    Application,
    /// 1, server-side web application: `get_authorization_url`, then `get_authorization` with
    /// the code (or the callback URL).
    Web,
    /// 2, device without a browser (RFC 8628): `get_authorization_url` gives the URL and
    /// `DeviceUserCode`, `get_authorization` polls.
    Device,
    /// 3, mobile application: like Application, but the application opens the URL itself
    /// (from `on_launch_browser`).
    Mobile,
    /// 4, browser (JavaScript) application: like Mobile.
    Browser,
    /// 5, server to server with a JWT assertion (RFC 7523): see `JWTServiceProvider`.
    Jwt,
}

impl ClientProfile {
    /// The seed's number.
    pub fn as_i32(self) -> i32 {
        self as i32
    }

    /// From the seed's number (error 921 for others).
    pub fn from_i32(n: i32) -> Result<ClientProfile> {
        Ok(match n {
            0 => ClientProfile::Application,
            1 => ClientProfile::Web,
            2 => ClientProfile::Device,
            3 => ClientProfile::Mobile,
            4 => ClientProfile::Browser,
            5 => ClientProfile::Jwt,
            _ => {
                return Err(Error::InvalidSetting {
                    name: "client_profile".into(),
                    reason: format!("{n} is not 0..=5"),
                });
            }
        })
    }
}

/// A cookie of the `cookie_*` arrays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cookie {
    /// Name.
    pub name: String,
    /// Value.
    pub value: String,
    /// Domain (received cookies).
    pub domain: String,
    /// Path (received cookies).
    pub path: String,
    /// Expiry (received cookies).
    pub expiration: String,
    /// `Secure` flag (received cookies).
    pub secure: bool,
}

/// Interrupts the running call of an [`OpenId`] from another thread (or from an event
/// callback): the call returns error 301. Cheap to clone. Does nothing when no call runs.
#[derive(Debug, Clone, Default)]
pub struct Interrupter {
    current: Arc<Mutex<Option<Arc<Notify>>>>,
}

impl Interrupter {
    /// Aborts the running call (error 301). No call running: does nothing.
    pub fn interrupt(&self) {
        if let Some(n) = self
            .current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
        {
            // notify_one keeps a permit, so an interrupt racing the start of the wait is not lost.
            n.notify_one();
        }
    }

    /// Whether no call is running (the seed's `idle`).
    pub fn idle(&self) -> bool {
        self.current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_none()
    }

    fn begin(&self) -> Arc<Notify> {
        let n = Arc::new(Notify::new());
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = Some(n.clone());
        n
    }

    fn end(&self) {
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }
}

/// A JSON document and its text as received.
#[derive(Debug, Clone)]
struct Doc {
    text: String,
    doc: JsonDoc,
}

impl Doc {
    fn from_text(text: String) -> Option<Doc> {
        let node = Node::parse(&text, "RawJSON").ok()?;
        Some(Doc {
            text,
            doc: JsonDoc::new(node),
        })
    }

    fn from_value(v: &Value) -> Doc {
        Doc {
            text: v.to_string(),
            doc: JsonDoc::new(Node::from_value(v)),
        }
    }
}

/// The properties: everything [`OpenId::reset`] restores.
#[derive(Clone, Default)]
struct Props {
    access_token: String,
    access_token_exp: i64,
    authorization_code: String,
    authorization_scope: String,
    client_id: String,
    client_profile: ClientProfile,
    client_secret: String,
    grant_type: GrantType,
    issuer: String,
    params: Vec<(String, String)>,
    cookies: Vec<Cookie>,
    refresh_token: String,
    return_url: String,
    server_auth_url: String,
    server_token_url: String,
    server_user_info_url: String,
    signer_cert_encoded: String,
    signer_cert_url: String,
    state: String,
    timeout: u64,
    use_pkce: bool,
    web_server_port: u16,
    web_server_ssl_enabled: bool,
    web_server_ssl_cert_store: String,
    web_server_ssl_cert_store_type: i32,
    web_server_ssl_cert_store_password: String,
    web_server_ssl_cert_subject: String,
    // Results of the calls.
    discovery: Option<ProviderMetadata>,
    user: UserDetails,
    id_token: Option<IdToken>,
    token_type: Option<String>,
    raw_json: Option<Doc>,
    jwt_payload: Option<Doc>,
    response_params: Vec<(String, String)>,
    transaction: Option<AuthTransaction>,
    /// The pending device authorization (Device profile).
    device: Option<DeviceAuthorization>,
    /// Fields of the last ValidateToken answer.
    token_info: Vec<(String, String)>,
    /// The password of the password grant (not a seed name).
    password_grant_password: String,
    /// The last HTTP response read.
    last_response: Option<LastResponse>,
    /// The last server certificate presented (DER).
    server_cert: Option<Vec<u8>>,
    proxy_ssl: i32,
    proxy_auto_detect: bool,
    ssl_accept_server_cert_encoded: String,
    ssl_cert_encoded: String,
    ssl_cert_store_password: String,
    /// Config settings that were written, by canonical name (`FormVarName[0]`).
    values: BTreeMap<String, String>,
}

impl Props {
    fn defaults() -> Props {
        Props {
            authorization_scope: "openid".into(),
            timeout: 60,
            use_pkce: true,
            web_server_ssl_cert_store: "MY".into(),
            ..Props::default()
        }
    }
}

/// The seed's OpenID class. See the [module docs](self).
pub struct OpenId {
    p: Props,
    events: Events,
    worker: Option<Worker>,
    interrupter: Interrupter,
    server: Option<Arc<LoopbackServer>>,
    received: Arc<Mutex<events::Received>>,
}

impl fmt::Debug for OpenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenId")
            .field("client_id", &self.p.client_id)
            .field("client_profile", &self.p.client_profile)
            .field("grant_type", &self.p.grant_type)
            .field("issuer", &self.p.issuer)
            .field("server_auth_url", &self.p.server_auth_url)
            .field("server_token_url", &self.p.server_token_url)
            .field("events", &self.events)
            .field("web_server", &self.server.as_ref().map(|s| s.port()))
            .finish_non_exhaustive()
    }
}

impl Default for OpenId {
    fn default() -> OpenId {
        OpenId::new()
    }
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The payload of a compact JWT as a document, when it is one.
fn jwt_payload(token: &str) -> Option<Doc> {
    let mut parts = token.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    let bytes = b64url_decode(payload)?;
    Doc::from_text(String::from_utf8(bytes).ok()?)
}

macro_rules! string_props {
    ($($(#[$doc:meta])* $get:ident / $set:ident;)*) => {$(
        $(#[$doc])*
        pub fn $get(&self) -> &str {
            &self.p.$get
        }
        #[doc = concat!("Sets [`", stringify!($get), "`](Self::", stringify!($get), ").")]
        pub fn $set(&mut self, value: impl Into<String>) {
            self.p.$get = value.into();
        }
    )*};
}

macro_rules! user_text {
    ($($(#[$doc:meta])* $get:ident => $field:ident;)*) => {$(
        $(#[$doc])*
        pub fn $get(&self) -> &str {
            self.p.user.$field.as_deref().unwrap_or("")
        }
    )*};
}

macro_rules! user_number {
    ($($(#[$doc:meta])* $get:ident => $field:ident;)*) => {$(
        $(#[$doc])*
        pub fn $get(&self) -> i64 {
            self.p.user.$field.unwrap_or(0)
        }
    )*};
}

macro_rules! discovery_text {
    ($($(#[$doc:meta])* $get:ident => $field:ident;)*) => {$(
        $(#[$doc])*
        pub fn $get(&self) -> &str {
            self.p.discovery.as_ref().and_then(|d| d.$field.as_deref()).unwrap_or("")
        }
    )*};
}

macro_rules! discovery_list {
    ($($(#[$doc:meta])* $get:ident => $field:ident;)*) => {$(
        $(#[$doc])*
        pub fn $get(&self) -> String {
            self.p.discovery.as_ref().map(|d| d.$field.join(",")).unwrap_or_default()
        }
    )*};
}

macro_rules! setting_text {
    ($($(#[$doc:meta])* $get:ident / $set:ident => $name:literal;)*) => {$(
        $(#[$doc])*
        pub fn $get(&self) -> String {
            self.setting_str($name)
        }
        #[doc = concat!("Sets [`", stringify!($get), "`](Self::", stringify!($get), ").")]
        pub fn $set(&mut self, value: impl Into<String>) {
            self.p.values.insert($name.into(), value.into());
        }
    )*};
}

macro_rules! event_registrations {
    ($($(#[$doc:meta])* $name:ident($ev:ty) => $field:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name(&mut self, handler: impl Fn(&mut $ev) + Send + Sync + 'static) {
            self.events.$field = Some(Arc::new(handler));
        }
    )*};
}

// After the macros: `transport` uses them.
mod transport;

impl OpenId {
    /// Seed property names that have a member here (getter, and setter where the seed has one).
    pub const PROPERTY_NAMES: &'static [&'static str] = &[
        "access_token",
        "access_token_exp",
        "authorization_code",
        "authorization_scope",
        "client_id",
        "client_profile",
        "client_secret",
        "cookie_count",
        "cookie_domain",
        "cookie_expiration",
        "cookie_name",
        "cookie_path",
        "cookie_secure",
        "cookie_value",
        "discovery_doc_details_authorization_url",
        "discovery_doc_details_claims_param_supported",
        "discovery_doc_details_issuer",
        "discovery_doc_details_registration_url",
        "discovery_doc_details_service_docs_url",
        "discovery_doc_details_signer_cert_url",
        "discovery_doc_details_supported_claims",
        "discovery_doc_details_supported_displays",
        "discovery_doc_details_supported_grant_types",
        "discovery_doc_details_supported_response_types",
        "discovery_doc_details_supported_scopes",
        "discovery_doc_details_token_url",
        "discovery_doc_details_user_info_url",
        "firewall_auto_detect",
        "firewall_host",
        "firewall_password",
        "firewall_port",
        "firewall_type",
        "firewall_user",
        "follow_redirects",
        "grant_type",
        "idle",
        "local_host",
        "other_headers",
        "param_count",
        "param_name",
        "param_value",
        "proxy_auth_scheme",
        "proxy_auto_detect",
        "proxy_password",
        "proxy_port",
        "proxy_server",
        "proxy_ssl",
        "proxy_user",
        "refresh_token",
        "return_url",
        "server_auth_url",
        "server_token_url",
        "server_user_info_url",
        "signer_cert_encoded",
        "signer_cert_url",
        "ssl_accept_server_cert_encoded",
        "ssl_cert_encoded",
        "ssl_cert_store_password",
        "ssl_server_cert_encoded",
        "state",
        "timeout",
        "transferred_data",
        "transferred_headers",
        "use_pkce",
        "user_details_addr_country",
        "user_details_addr_formatted",
        "user_details_addr_locality",
        "user_details_addr_postal_code",
        "user_details_addr_region",
        "user_details_addr_street_addr",
        "user_details_audiences",
        "user_details_birthday",
        "user_details_email",
        "user_details_email_verified",
        "user_details_first_name",
        "user_details_gender",
        "user_details_issuer",
        "user_details_last_name",
        "user_details_locale",
        "user_details_middle_name",
        "user_details_name",
        "user_details_nickname",
        "user_details_phone_number",
        "user_details_phone_number_verified",
        "user_details_picture_url",
        "user_details_preferred_username",
        "user_details_profile_url",
        "user_details_subject",
        "user_details_token_auth_time",
        "user_details_token_exp_time",
        "user_details_token_issued_at",
        "user_details_updated_at",
        "user_details_website",
        "user_details_zone_info",
        "web_server_port",
        "web_server_ssl_cert_store",
        "web_server_ssl_cert_store_password",
        "web_server_ssl_cert_store_type",
        "web_server_ssl_cert_subject",
        "web_server_ssl_enabled",
    ];

    /// Seed method names that have a member here.
    pub const METHOD_NAMES: &'static [&'static str] = &[
        "add_cookie",
        "add_param",
        "config",
        "do_events",
        "get_authorization",
        "get_authorization_url",
        "get_discovery_doc",
        "get_param",
        "get_user_info",
        "interrupt",
        "reset",
        "start_web_server",
        "stop_web_server",
    ];

    /// Seed event names that can be registered here (`on_*` methods).
    pub const EVENT_NAMES: &'static [&'static str] = &[
        "on_connected",
        "on_connection_status",
        "on_disconnected",
        "on_end_transfer",
        "on_error",
        "on_header",
        "on_launch_browser",
        "on_log",
        "on_redirect",
        "on_return_url",
        "on_set_cookie",
        "on_ssl_server_authentication",
        "on_ssl_status",
        "on_start_transfer",
        "on_status",
        "on_transfer",
    ];

    /// A facade with the seed's defaults. The worker thread starts at the first network call.
    pub fn new() -> OpenId {
        OpenId {
            p: Props::defaults(),
            events: Events::default(),
            worker: None,
            interrupter: Interrupter::default(),
            server: None,
            received: Arc::default(),
        }
    }

    // ----- Properties -----

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
        if i >= self.p.params.len() {
            self.set_param_count(i + 1);
        }
        self.p.params[i].0 = name.into();
    }

    /// The value of param `i` (0-based); `None` out of range.
    pub fn param_value(&self, i: usize) -> Option<&str> {
        self.p.params.get(i).map(|(_, v)| v.as_str())
    }

    /// Sets the value of param `i`, growing the array when needed.
    pub fn set_param_value(&mut self, i: usize, value: impl Into<String>) {
        if i >= self.p.params.len() {
            self.set_param_count(i + 1);
        }
        self.p.params[i].1 = value.into();
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
        if i >= self.p.cookies.len() {
            self.set_cookie_count(i + 1);
        }
        self.p.cookies[i].name = name.into();
    }

    /// The value of cookie `i`.
    pub fn cookie_value(&self, i: usize) -> Option<&str> {
        self.cookie(i).map(|c| c.value.as_str())
    }

    /// Sets the value of cookie `i`, growing the arrays when needed.
    pub fn set_cookie_value(&mut self, i: usize, value: impl Into<String>) {
        if i >= self.p.cookies.len() {
            self.set_cookie_count(i + 1);
        }
        self.p.cookies[i].value = value.into();
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

    discovery_text! {
        /// The authorization endpoint from the discovery document. Default: "".
        discovery_doc_details_authorization_url => authorization_endpoint;
        /// The registration endpoint from the discovery document. Default: "".
        discovery_doc_details_registration_url => registration_endpoint;
        /// The service documentation URL from the discovery document. Default: "".
        discovery_doc_details_service_docs_url => service_documentation;
        /// The JWKS URL from the discovery document. Default: "".
        discovery_doc_details_signer_cert_url => jwks_uri;
        /// The token endpoint from the discovery document. Default: "".
        discovery_doc_details_token_url => token_endpoint;
        /// The UserInfo endpoint from the discovery document. Default: "".
        discovery_doc_details_user_info_url => userinfo_endpoint;
    }

    discovery_list! {
        /// Comma-separated `claims_supported`. Default: "".
        discovery_doc_details_supported_claims => claims_supported;
        /// Comma-separated `display_values_supported`. Default: "".
        discovery_doc_details_supported_displays => display_values_supported;
        /// Comma-separated `grant_types_supported`. Default: "".
        discovery_doc_details_supported_grant_types => grant_types_supported;
        /// Comma-separated `response_types_supported`. Default: "".
        discovery_doc_details_supported_response_types => response_types_supported;
        /// Comma-separated `scopes_supported`. Default: "".
        discovery_doc_details_supported_scopes => scopes_supported;
    }

    /// The issuer from the discovery document. Default: "".
    pub fn discovery_doc_details_issuer(&self) -> &str {
        self.p.discovery.as_ref().map_or("", |d| d.issuer.as_str())
    }

    /// Whether the provider supports the `claims` parameter. Default: false.
    pub fn discovery_doc_details_claims_param_supported(&self) -> bool {
        self.p
            .discovery
            .as_ref()
            .is_some_and(|d| d.claims_parameter_supported)
    }

    user_text! {
        /// `address.country`. Default: "".
        user_details_addr_country => address_country;
        /// `address.formatted`. Default: "".
        user_details_addr_formatted => address_formatted;
        /// `address.locality`. Default: "".
        user_details_addr_locality => address_locality;
        /// `address.postal_code`. Default: "".
        user_details_addr_postal_code => address_postal_code;
        /// `address.region`. Default: "".
        user_details_addr_region => address_region;
        /// `address.street_address`. Default: "".
        user_details_addr_street_addr => address_street_address;
        /// `birthdate`. Default: "".
        user_details_birthday => birthdate;
        /// `email`. Default: "".
        user_details_email => email;
        /// `given_name`. Default: "".
        user_details_first_name => given_name;
        /// `gender`. Default: "".
        user_details_gender => gender;
        /// `iss` of the ID token. Default: "".
        user_details_issuer => iss;
        /// `family_name`. Default: "".
        user_details_last_name => family_name;
        /// `locale`. Default: "".
        user_details_locale => locale;
        /// `middle_name`. Default: "".
        user_details_middle_name => middle_name;
        /// `name`. Default: "".
        user_details_name => name;
        /// `nickname`. Default: "".
        user_details_nickname => nickname;
        /// `phone_number`. Default: "".
        user_details_phone_number => phone_number;
        /// `picture`. Default: "".
        user_details_picture_url => picture;
        /// `preferred_username`. Default: "".
        user_details_preferred_username => preferred_username;
        /// `profile`. Default: "".
        user_details_profile_url => profile;
        /// `sub`. Default: "".
        user_details_subject => sub;
        /// `website`. Default: "".
        user_details_website => website;
        /// `zoneinfo`. Default: "".
        user_details_zone_info => zoneinfo;
    }

    user_number! {
        /// `auth_time` (seconds since the epoch). Default: 0.
        user_details_token_auth_time => auth_time;
        /// `exp` of the ID token. Default: 0.
        user_details_token_exp_time => exp;
        /// `iat` of the ID token. Default: 0.
        user_details_token_issued_at => iat;
        /// `updated_at`. Default: 0.
        user_details_updated_at => updated_at;
    }

    /// Comma-separated `aud` of the ID token. Default: "".
    pub fn user_details_audiences(&self) -> String {
        self.p.user.aud.join(",")
    }

    /// `email_verified`. Default: false.
    pub fn user_details_email_verified(&self) -> bool {
        self.p.user.email_verified.unwrap_or(false)
    }

    /// `phone_number_verified`. Default: false.
    pub fn user_details_phone_number_verified(&self) -> bool {
        self.p.user.phone_number_verified.unwrap_or(false)
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

    /// A handle that interrupts the running call from another thread.
    pub fn interrupter(&self) -> Interrupter {
        self.interrupter.clone()
    }

    /// Not in the seed: the password of the password grant (see `PasswordGrantUsername`).
    pub fn set_password_grant_password(&mut self, password: impl Into<String>) {
        self.p.password_grant_password = password.into();
    }

    /// Not in the seed: the RP-initiated logout URL (the provider's `end_session_endpoint`, the
    /// `LogoutURL` setting) with `client_id`, the ID token of the last sign-in as
    /// `id_token_hint`, and `post_logout_redirect_uri` when not empty. Send the browser there.
    pub fn logout_url(&self, post_logout_redirect_uri: &str) -> Result<String> {
        let client = self.client()?;
        let mut req = crate::logout::EndSessionRequest::default();
        if let Some(t) = &self.p.id_token {
            req = req.with_id_token_hint(t.raw());
        }
        if !post_logout_redirect_uri.is_empty() {
            req = req.with_post_logout_redirect_uri(post_logout_redirect_uri);
        }
        client.end_session_url(&req)
    }

    // ----- Events -----

    event_registrations! {
        /// Registers `on_connected` (forwarded from the transport).
        on_connected(ConnectedEvent) => connected;
        /// Registers `on_connection_status` (forwarded from the transport).
        on_connection_status(ConnectionStatusEvent) => connection_status;
        /// Registers `on_disconnected` (forwarded from the transport).
        on_disconnected(DisconnectedEvent) => disconnected;
        /// Registers `on_end_transfer` (forwarded from the transport).
        on_end_transfer(TransferBoundaryEvent) => end_transfer;
        /// Registers `on_error`: fires when a call fails, with its code and message.
        on_error(ErrorEvent) => error;
        /// Registers `on_header` (forwarded from the transport).
        on_header(HeaderEvent) => header;
        /// Registers `on_launch_browser`: fires before the browser opens; may change the URL
        /// and the command (empty: open nothing).
        on_launch_browser(LaunchBrowserEvent) => launch_browser;
        /// Registers `on_log`: one call per log message up to `LogLevel`.
        on_log(LogEvent) => log;
        /// Registers `on_redirect` (forwarded from the transport).
        on_redirect(RedirectEvent) => redirect;
        /// Registers `on_return_url`: fires when the browser comes back to the loopback server.
        on_return_url(ReturnUrlEvent) => return_url;
        /// Registers `on_set_cookie` (forwarded from the transport).
        on_set_cookie(SetCookieEvent) => set_cookie;
        /// Registers `on_ssl_server_authentication` (forwarded from the transport).
        on_ssl_server_authentication(SslServerAuthenticationEvent) => ssl_server_authentication;
        /// Registers `on_ssl_status` (forwarded from the transport).
        on_ssl_status(SslStatusEvent) => ssl_status;
        /// Registers `on_start_transfer` (forwarded from the transport).
        on_start_transfer(TransferBoundaryEvent) => start_transfer;
        /// Registers `on_status` (forwarded from the transport).
        on_status(StatusEvent) => status;
        /// Registers `on_transfer` (forwarded from the transport).
        on_transfer(TransferEvent) => transfer;
    }

    // ----- Methods -----

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

    /// A documented no-op: there is no message loop; events fire directly from the running call.
    pub fn do_events(&mut self) {}

    /// Interrupts the running call (error 301). From another thread use
    /// [`interrupter`](Self::interrupter); the facade is borrowed by the running call.
    pub fn interrupt(&self) {
        self.interrupter.interrupt();
    }

    /// Restores every property and setting to its default, forgets all results and stops the
    /// loopback server. Registered events stay registered.
    pub fn reset(&mut self) {
        self.p = Props::defaults();
        self.drop_server();
    }

    fn setting_str(&self, name: &str) -> String {
        match self.p.values.get(name) {
            Some(v) => v.clone(),
            None => settings::find(name)
                .map(|s| s.default.to_string())
                .unwrap_or_default(),
        }
    }

    fn setting_int(&self, name: &str) -> i64 {
        self.setting_str(name).parse().unwrap_or(0)
    }

    fn setting_bool(&self, name: &str) -> bool {
        settings::parse_bool(&self.setting_str(name)).unwrap_or(false)
    }

    fn log_level(&self) -> i32 {
        i32::try_from(self.setting_int("LogLevel")).unwrap_or(1)
    }

    fn worker(&mut self) -> Result<&Worker> {
        if self.worker.is_none() {
            self.worker = Some(Worker::start()?);
        }
        // Just set above.
        self.worker.as_ref().ok_or(Error::Interrupted)
    }

    /// Runs `fut` on the worker, racing it with `interrupt` (error 301). Fires `on_error` on
    /// failure.
    fn call<T: Send + 'static>(
        &mut self,
        fut: impl std::future::Future<Output = Result<T>> + Send + 'static,
    ) -> Result<T> {
        let notify = self.interrupter.begin();
        let result = match self.worker() {
            Ok(w) => w.run(async move {
                tokio::select! {
                    biased;
                    () = notify.notified() => Err(Error::Interrupted),
                    r = fut => r,
                }
            }),
            Err(e) => Err(e),
        };
        self.interrupter.end();
        if let Err(e) = &result {
            fire(
                &self.events.error,
                ErrorEvent {
                    error_code: i32::from(e.code()),
                    description: e.to_string(),
                },
            );
        }
        result
    }

    /// The core configuration and metadata the properties describe.
    fn core_parts(&self) -> Result<(ClientConfig, ProviderMetadata)> {
        let p = &self.p;
        if p.timeout == 0 {
            return Err(Error::InvalidSetting {
                name: "timeout".into(),
                reason: "0 (non-blocking mode) is not supported; use a number of seconds".into(),
            });
        }
        let jwt_origin = || {
            (p.client_profile == ClientProfile::Jwt)
                .then(|| url::Url::parse(&self.jwt_token_url().ok()?).ok())
                .flatten()
                .map(|u| u.origin().ascii_serialization())
        };
        let issuer = if p.issuer.is_empty() {
            p.discovery
                .as_ref()
                .map(|d| d.issuer.clone())
                .or_else(jwt_origin)
                .ok_or(Error::Missing {
                    what: "issuer",
                    hint: "call get_discovery_doc, or set_issuer() along with the endpoints set by hand",
                })?
        } else {
            p.issuer.clone()
        };
        let mut meta = match &p.discovery {
            Some(d) if d.issuer == issuer => d.clone(),
            _ => ProviderMetadata::new(issuer.clone()),
        };
        meta.authorization_endpoint = opt(&p.server_auth_url);
        meta.token_endpoint = opt(&p.server_token_url);
        meta.userinfo_endpoint = opt(&p.server_user_info_url);
        meta.jwks_uri = opt(&p.signer_cert_url);
        if p.client_profile == ClientProfile::Device {
            // The seed's server_auth_url is the device authorization endpoint in this profile,
            // unless it is still the discovered authorization endpoint.
            let discovered = p
                .discovery
                .as_ref()
                .and_then(|d| d.authorization_endpoint.as_deref());
            if !p.server_auth_url.is_empty() && discovered != Some(p.server_auth_url.as_str()) {
                meta.device_authorization_endpoint = Some(p.server_auth_url.clone());
            }
        }

        let mut c = ClientConfig::new(issuer, p.client_id.clone());
        c.client_secret = opt(&p.client_secret);
        c.redirect_uri = opt(&p.return_url);
        c.scope = p.authorization_scope.clone();
        c.grant_type = p.grant_type;
        let rt = self.setting_str("ResponseType");
        if !rt.is_empty() {
            c.response_type = Some(ResponseType::parse(&rt)?);
        }
        c.use_pkce = p.use_pkce;
        c.pkce_method = if self.setting_int("PKCEChallengeEncoding") == 1 {
            PkceMethod::Plain
        } else {
            PkceMethod::S256
        };
        let method = self.setting_str("AuthMethod");
        c.auth_method = if !method.is_empty() {
            Some(AuthMethod::parse(&method)?)
        } else if self.setting_bool("IncludeClientCredsInBody") {
            Some(AuthMethod::ClientSecretPost)
        } else {
            None
        };
        let cert = p.signer_cert_encoded.trim();
        if !cert.is_empty() {
            c.signer_key = Some(if cert.starts_with('{') {
                VerifyingKey::from_jwk(cert)?
            } else {
                VerifyingKey::from_pem(cert)?
            });
        }
        c.http = self.http_config()?;
        c.token_form_params = self.form_vars();
        Ok((c, meta))
    }

    fn client(&self) -> Result<Client> {
        let (config, meta) = self.core_parts()?;
        Client::new(config, meta)
    }

    /// The seed's `FormVarName[i]` / `FormVarValue[i]` for `i < FormVarCount` (empty names
    /// skipped).
    fn form_vars(&self) -> Vec<(String, String)> {
        let n = usize::try_from(self.setting_int("FormVarCount")).unwrap_or(0);
        (0..n)
            .filter_map(|i| {
                let name = self.p.values.get(&format!("FormVarName[{i}]"))?;
                let value = self
                    .p
                    .values
                    .get(&format!("FormVarValue[{i}]"))
                    .cloned()
                    .unwrap_or_default();
                (!name.is_empty()).then(|| (name.clone(), value))
            })
            .collect()
    }

    /// `redirect_uri` for the grants without a front channel, per `IncludeEmptyRedirectURI`.
    fn add_redirect_uri(&self, c: &mut ClientConfig) {
        if self.setting_bool("IncludeEmptyRedirectURI") || !self.p.return_url.is_empty() {
            c.token_form_params
                .push(("redirect_uri".into(), self.p.return_url.clone()));
        }
    }

    /// Runs `fut` (see [`call`](Self::call)) and records what the transport received: the last
    /// response, received cookies and the server certificate.
    fn run<T: Send + 'static>(
        &mut self,
        client: &Client,
        fut: impl std::future::Future<Output = Result<T>> + Send + 'static,
    ) -> Result<T> {
        let result = self.call(fut);
        if let Some(last) = client.last_response() {
            self.p.last_response = Some(last);
        }
        self.absorb_received();
        result
    }

    /// Moves cookies and the certificate the transport received into the properties.
    fn absorb_received(&mut self) {
        let got =
            std::mem::take(&mut *self.received.lock().unwrap_or_else(PoisonError::into_inner));
        for c in got.cookies {
            let cookie = Cookie {
                name: c.name.clone(),
                value: c.value.clone(),
                domain: c.domain.clone(),
                path: c.path.clone(),
                expiration: c.expires.clone(),
                secure: c.secure,
            };
            match self
                .p
                .cookies
                .iter_mut()
                .find(|k| k.name == c.name && (k.domain.is_empty() || k.domain == c.domain))
            {
                Some(k) => *k = cookie,
                None => self.p.cookies.push(cookie),
            }
        }
        if got.server_cert.is_some() {
            self.p.server_cert = got.server_cert;
        }
    }

    /// The token endpoint of the JWT profile: `server_token_url`, else the JSON key's.
    fn jwt_token_url(&self) -> Result<String> {
        if !self.p.server_token_url.is_empty() {
            return Ok(self.p.server_token_url.clone());
        }
        let json = self.setting_str("JWTJSONKey");
        if !json.trim().is_empty() {
            return Ok(ServiceAccountKey::load(json.trim())?.token_uri);
        }
        Err(Error::Missing {
            what: "server_token_url",
            hint: "set server_token_url (or JWTJSONKey, whose token_uri is used)",
        })
    }

    /// The signing key of the JWT profile from `JWTCertStore*`.
    fn jwt_store_key(&self) -> Result<PrivateKey> {
        let store = self.setting_str("JWTCertStore");
        let password = self.setting_str("JWTCertStorePassword");
        let kind = self.setting_int("JWTCertStoreType");
        if store.trim().is_empty() {
            return Err(Error::Missing {
                what: "JWT signing key",
                hint: "set JWTJSONKey, or JWTCertStoreType and JWTCertStore",
            });
        }
        let read = |path: &str| {
            std::fs::read(path).map_err(|e| Error::InvalidSetting {
                name: "JWTCertStore".into(),
                reason: format!("cannot read {path}: {e}"),
            })
        };
        match kind {
            2 => PrivateKey::from_pkcs12(&read(store.trim())?, &password),
            3 => {
                use base64::Engine as _;
                let der = base64::engine::general_purpose::STANDARD
                    .decode(store.replace(['\r', '\n', ' '], ""))
                    .map_err(|e| Error::InvalidSetting {
                        name: "JWTCertStore".into(),
                        reason: format!("PFXBlob is not base64: {e}"),
                    })?;
                PrivateKey::from_pkcs12(&der, &password)
            }
            6 => PrivateKey::from_pem(&String::from_utf8_lossy(&read(store.trim())?)),
            7 => PrivateKey::from_pem(&store),
            n => Err(Error::InvalidSetting {
                name: "JWTCertStoreType".into(),
                reason: format!(
                    "{n}: Windows and Java certificate stores do not exist here; use 2 (PFXFile), 3 (PFXBlob), 6 (PEMKeyFile) or 7 (PEMKeyBlob)"
                ),
            }),
        }
    }

    /// The JWT profile: a Google-style JWT bearer grant or a Microsoft-style client
    /// credentials grant with a certificate assertion.
    fn jwt_profile(&mut self) -> Result<String> {
        let json = self.setting_str("JWTJSONKey");
        let sa = if json.trim().is_empty() {
            None
        } else {
            Some(ServiceAccountKey::load(json.trim())?)
        };
        let mut key = match &sa {
            Some(k) => k.key.clone(),
            None => self.jwt_store_key()?,
        };
        if self.p.values.contains_key("JWTSignatureAlgorithm") {
            key = key.with_alg(jwt_alg(&self.setting_str("JWTSignatureAlgorithm"))?)?;
        }
        let token_url = self.jwt_token_url()?;
        let (mut c, mut meta) = self.core_parts()?;
        meta.token_endpoint = Some(token_url.clone());
        self.add_redirect_uri(&mut c);
        let issuer_setting = self.setting_str("JWTIssuer");
        let subject = self.setting_str("JWTSubject");
        let audience = self.setting_str("JWTAudience");
        let scope = self.p.authorization_scope.clone();
        let client;
        let tokens = if self.setting_int("JWTServiceProvider") == 1 {
            if c.client_id.is_empty() {
                c.client_id = issuer_setting.clone();
            }
            let mismatch = |name: &str, v: &str, want: &str| {
                (!v.is_empty() && v != want).then(|| Error::InvalidSetting {
                    name: name.into(),
                    reason: format!(
                        "{v:?}: with JWTServiceProvider=1 the assertion's value is {want:?} (a client assertion, RFC 7523 §2.2)"
                    ),
                })
            };
            let id = c.client_id.clone();
            if let Some(e) = mismatch("JWTIssuer", &issuer_setting, &id)
                .or_else(|| mismatch("JWTSubject", &subject, &id))
                .or_else(|| mismatch("JWTAudience", &audience, &token_url))
            {
                return Err(e);
            }
            c.client_key = Some(key);
            c.auth_method = Some(AuthMethod::PrivateKeyJwt);
            client = Client::new(c, meta)?;
            let cl = client.clone();
            self.run(&client, async move {
                cl.client_credentials(opt(&scope).as_deref()).await
            })?
        } else {
            let issuer = [
                issuer_setting,
                sa.as_ref()
                    .map(|k| k.client_email.clone())
                    .unwrap_or_default(),
                c.client_id.clone(),
            ]
            .into_iter()
            .find(|s| !s.is_empty())
            .ok_or(Error::Missing {
                what: "JWTIssuer",
                hint: "set JWTIssuer (the service account's e-mail) or JWTJSONKey",
            })?;
            if c.client_id.is_empty() {
                c.client_id = issuer.clone();
            }
            let audience = if audience.is_empty() {
                sa.as_ref()
                    .map_or_else(|| token_url.clone(), |k| k.token_uri.clone())
            } else {
                audience
            };
            let mut a = JwtAssertion::new(issuer, audience, key);
            a.scope = opt(&scope);
            a.subject = opt(&subject);
            a.validity = Duration::from_secs(
                u64::try_from(self.setting_int("JWTValidityTime")).unwrap_or(3600),
            );
            client = Client::new(c, meta)?;
            let cl = client.clone();
            self.run(&client, async move { cl.jwt_bearer(&a).await })?
        };
        Ok(self.apply_tokens(tokens))
    }

    /// Requests a device code (Device profile), fills `DeviceUserCode` and returns the
    /// verification URL.
    fn device_start(&mut self) -> Result<String> {
        let client = self.client()?;
        let cl = client.clone();
        let mut da = self.run(&client, async move { cl.device_authorization(None).await })?;
        da.grant_type = self.setting_str("DeviceGrantType");
        let polling =
            Duration::from_secs(u64::try_from(self.setting_int("PollingInterval")).unwrap_or(5));
        da.interval = if da.raw.contains_key("interval") {
            da.interval.max(polling)
        } else {
            polling
        };
        self.p
            .values
            .insert("DeviceUserCode".into(), da.user_code.clone());
        self.p.response_params = da
            .raw
            .iter()
            .filter(|(k, _)| k.as_str() != "device_code")
            .map(|(k, v)| (k.clone(), text(v)))
            .collect();
        let url = da.verification_uri.clone();
        self.p.device = Some(da);
        Ok(url)
    }

    /// The Device profile: polls for the tokens of the pending device authorization (starting
    /// one first when `get_authorization_url` was not called).
    fn device_profile(&mut self) -> Result<String> {
        if self.p.device.is_none() {
            let url = self.device_start()?;
            let code = self.setting_str("DeviceUserCode");
            self.events.log(
                self.log_level(),
                1,
                "Info",
                format!("device sign-in: visit {url} and enter the code {code}"),
            );
        }
        let da = self.p.device.take().ok_or(Error::Missing {
            what: "device authorization",
            hint: "call get_authorization_url first",
        })?;
        let (mut c, meta) = self.core_parts()?;
        self.add_redirect_uri(&mut c);
        let client = Client::new(c, meta)?;
        let cl = client.clone();
        let tokens = self.run(
            &client,
            async move { cl.poll_device_token(&da, None).await },
        )?;
        Ok(self.apply_tokens(tokens))
    }

    /// The password grant (`PasswordGrantUsername`).
    fn password_grant(&mut self, username: String) -> Result<String> {
        let (mut c, meta) = self.core_parts()?;
        self.add_redirect_uri(&mut c);
        let client = Client::new(c, meta)?;
        let cl = client.clone();
        let password = self.p.password_grant_password.clone();
        let tokens = self.run(&client, async move {
            cl.password(&username, &password, None).await
        })?;
        Ok(self.apply_tokens(tokens))
    }

    /// `ValidateToken=<token>`: asks `TokenInfoURL` (or the introspection endpoint) about the
    /// token and fills `TokenInfoField*`.
    fn validate_token(&mut self, value: &str) -> Result<()> {
        let token = if value.trim().is_empty() {
            self.p.access_token.clone()
        } else {
            value.trim().to_string()
        };
        self.p.token_info.clear();
        self.p.values.remove("ValidateToken");
        if token.is_empty() {
            return Ok(());
        }
        let url = self.setting_str("TokenInfoURL");
        let client = match self.client() {
            Ok(c) => c,
            Err(e) if url.is_empty() => return Err(e),
            Err(_) => {
                // A token info service needs no provider metadata.
                let mut c = ClientConfig::new(url.clone(), self.p.client_id.clone());
                c.http = self.http_config()?;
                if c.client_id.is_empty() {
                    c.client_id = "oidckit-tokeninfo".into();
                }
                Client::new(c, ProviderMetadata::new(url.clone()))?
            }
        };
        let cl = client.clone();
        let info = self.run(&client, async move {
            if url.is_empty() {
                cl.introspect(&token, Some("access_token")).await
            } else {
                cl.token_info(&url, &token).await
            }
        })?;
        self.p.token_info = info.fields();
        self.p
            .values
            .insert("ValidateToken".into(), info.active.to_string());
        Ok(())
    }

    /// The authorization request the properties and settings describe.
    fn request(&self) -> AuthorizationRequest {
        let mut r = AuthorizationRequest {
            state: opt(&self.p.state),
            ..AuthorizationRequest::default()
        };
        for (k, v) in &self.p.params {
            if k == "state" {
                r.state = Some(v.clone());
            } else if !k.is_empty() {
                r.extra.push((k.clone(), v.clone()));
            }
        }
        r.prompt = opt(&self.setting_str("Prompt"));
        r.display = opt(&self.setting_str("Display"));
        r.login_hint = opt(&self.setting_str("LoginHint"));
        r.id_token_hint = opt(&self.setting_str("IDTokenHint"));
        r
    }

    /// Fetches the discovery document at `url` (the issuer or its
    /// `/.well-known/openid-configuration`), fills the `discovery_doc_details_*` properties, the
    /// endpoints (`server_auth_url`, `server_token_url`, `server_user_info_url`,
    /// `signer_cert_url`) and `RawJSON`. Error 900 when the document is invalid or names another
    /// issuer.
    pub fn get_discovery_doc(&mut self, url: &str) -> Result<()> {
        let mut config = ClientConfig::new(url, "oidckit-discovery");
        config.http = self.http_config()?;
        config.http.timeout = Duration::from_secs(self.p.timeout.max(1));
        let result = self.call(Client::discover(config));
        self.absorb_received();
        let client = result?;
        self.p.last_response = client.last_response();
        let meta = client.metadata().clone();
        self.events.log(
            self.log_level(),
            1,
            "Info",
            format!("discovery document of {} received", meta.issuer),
        );
        let p = &mut self.p;
        p.issuer = meta.issuer.clone();
        p.server_auth_url = meta.authorization_endpoint.clone().unwrap_or_default();
        p.server_token_url = meta.token_endpoint.clone().unwrap_or_default();
        p.server_user_info_url = meta.userinfo_endpoint.clone().unwrap_or_default();
        p.signer_cert_url = meta.jwks_uri.clone().unwrap_or_default();
        p.raw_json = Some(Doc::from_value(&meta.raw));
        p.discovery = Some(meta);
        Ok(())
    }

    /// Builds the URL to send the user to (no request is made) and keeps the transaction for
    /// `get_authorization`.
    ///
    /// Device profile: requests a device code (at the provider's device authorization
    /// endpoint, or `server_auth_url` when set by hand), fills `DeviceUserCode` and returns the
    /// verification URL the user must visit to enter it (`get_param("verification_uri_complete")`
    /// has the URL with the code when the provider sends one).
    pub fn get_authorization_url(&mut self) -> Result<String> {
        if self.p.client_profile == ClientProfile::Device {
            return self.device_start();
        }
        let client = self.client()?;
        let (url, tx) = client.authorization_url(&self.request())?;
        self.p.transaction = Some(tx);
        Ok(url)
    }

    /// Runs the authorization for the current `client_profile` and returns the authorization
    /// string (`Bearer <access token>`; empty when the flow returns no access token):
    ///
    /// - a `refresh_token` is set (and, in the Web profile, no code is pending): refresh;
    /// - Web: exchange `authorization_code` (a code, or the whole callback URL, whose state and
    ///   `iss` are then checked) with the transaction of `get_authorization_url`;
    /// - Application: start the loopback server, fire `on_launch_browser`, open the browser,
    ///   wait up to `BrowserResponseTimeout`, fire `on_return_url`, complete the sign-in;
    /// - Mobile, Browser: the same, but the application opens the URL (from `on_launch_browser`);
    /// - `PasswordGrantUsername` is set (any profile but JWT): the password grant with
    ///   [`set_password_grant_password`](Self::set_password_grant_password);
    /// - Device: poll the token endpoint every `PollingInterval` seconds until the user has
    ///   entered `DeviceUserCode` (from `get_authorization_url`; started here when it was not
    ///   called, the code and URL then go to `on_log`);
    /// - JWT: `JWTServiceProvider` 0 (Google): a signed assertion (`JWTJSONKey` or
    ///   `JWTCertStore*`, `JWTIssuer`, `JWTSubject`, `JWTAudience`, `JWTValidityTime`,
    ///   `authorization_scope` as its `scope`) exchanged with the JWT bearer grant; 1
    ///   (Microsoft): the client credentials grant authenticated with a certificate assertion
    ///   (`private_key_jwt`, key from `JWTCertStore*`).
    ///
    /// Fills `user_details_*` from the ID token, `access_token`, `refresh_token`, `RawJSON`
    /// (the ID token payload) and `IDToken`.
    pub fn get_authorization(&mut self) -> Result<String> {
        let profile = self.p.client_profile;
        let code_pending = !self.p.authorization_code.is_empty() && self.p.transaction.is_some();
        let web_code_pending = profile == ClientProfile::Web && code_pending;
        if !self.p.refresh_token.is_empty() && !web_code_pending {
            let client = self.client()?;
            let cl = client.clone();
            let (rt, prev) = (self.p.refresh_token.clone(), self.p.id_token.clone());
            let tokens = self.run(&client, async move { cl.refresh(&rt, prev.as_ref()).await })?;
            return Ok(self.apply_tokens(tokens));
        }
        let username = self.setting_str("PasswordGrantUsername");
        if !username.is_empty() && profile != ClientProfile::Jwt {
            return self.password_grant(username);
        }
        match profile {
            ClientProfile::Web => self.complete_web(),
            ClientProfile::Application | ClientProfile::Mobile | ClientProfile::Browser => {
                self.interactive(profile == ClientProfile::Application)
            }
            ClientProfile::Device => self.device_profile(),
            ClientProfile::Jwt => self.jwt_profile(),
        }
    }

    fn complete_web(&mut self) -> Result<String> {
        let tx = self.p.transaction.clone().ok_or(Error::Missing {
            what: "authorization transaction",
            hint: "call get_authorization_url first (or restore it with set_transaction)",
        })?;
        let code = self.p.authorization_code.trim().to_string();
        if code.is_empty() {
            return Err(Error::Missing {
                what: "authorization_code",
                hint: "set authorization_code to the code (or the whole callback URL) the browser brought back",
            });
        }
        let client = self.client()?;
        let tokens = if code.contains("://") || code.contains('?') || code.contains('#') {
            let params = CallbackParams::from_url(&code);
            self.p.response_params = params.pairs().to_vec();
            if let Some(c) = params.get("code") {
                self.p.authorization_code = c.to_string();
            }
            let cl = client.clone();
            self.run(
                &client,
                async move { cl.handle_callback(&tx, &params).await },
            )?
        } else {
            self.p.response_params.clear();
            let cl = client.clone();
            self.run(&client, async move { cl.exchange_code(&code, &tx).await })?
        };
        self.p.transaction = None;
        Ok(self.apply_tokens(tokens))
    }

    fn loopback_config(&self) -> Result<LoopbackConfig> {
        let pick = |a: String, b: String| if a.is_empty() { b } else { a };
        Ok(LoopbackConfig {
            port: self.p.web_server_port,
            timeout: Duration::from_secs(
                u64::try_from(self.setting_int("BrowserResponseTimeout")).unwrap_or(300),
            ),
            success_message: pick(
                self.setting_str("WebServerResponse"),
                self.setting_str("ResponseSuccessMessage"),
            ),
            failure_message: pick(
                self.setting_str("WebServerFailedResponse"),
                self.setting_str("ResponseFailureMessage"),
            ),
            localhost: self.setting_str("WebServerHost") == "localhost",
            tls: self.web_server_tls()?,
            ..LoopbackConfig::default()
        })
    }

    /// The loopback server's certificate from the `web_server_ssl_*` properties.
    fn web_server_tls(&self) -> Result<Option<LoopbackTls>> {
        let p = &self.p;
        if !p.web_server_ssl_enabled {
            return Ok(None);
        }
        let bad = |reason: String| Error::InvalidSetting {
            name: "web_server_ssl_cert_store".into(),
            reason,
        };
        let store = p.web_server_ssl_cert_store.trim();
        let password = p.web_server_ssl_cert_store_password.clone();
        let pkcs12_blob = |text: &str| {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(text.replace(['\r', '\n', ' '], ""))
                .map_err(|e| bad(format!("not a base64 PKCS#12 store: {e}")))
        };
        let pem_text = |text: &str| LoopbackCertificate::Pem {
            certificate_chain: text.to_string(),
            private_key: text.to_string(),
        };
        let certificate = match p.web_server_ssl_cert_store_type {
            2 => LoopbackCertificate::Pkcs12File {
                path: store.into(),
                password,
            },
            3 => LoopbackCertificate::Pkcs12 {
                der: pkcs12_blob(store)?,
                password,
            },
            6 => LoopbackCertificate::PemFile(store.into()),
            7 => pem_text(store),
            0 | 99 if store.contains("-----BEGIN") => pem_text(store),
            0 | 99 if std::path::Path::new(store).is_file() => {
                let bytes =
                    std::fs::read(store).map_err(|e| bad(format!("cannot read {store}: {e}")))?;
                if bytes.windows(10).any(|w| w == b"-----BEGIN") {
                    LoopbackCertificate::PemFile(store.into())
                } else {
                    LoopbackCertificate::Pkcs12 {
                        der: bytes,
                        password,
                    }
                }
            }
            0 | 99 if store.eq_ignore_ascii_case("MY") || store.is_empty() => {
                return Err(bad(format!(
                    "{store:?} is no certificate: give a PEM or PKCS#12 file or blob \
                     (Windows certificate stores do not exist here)"
                )));
            }
            0 | 99 => LoopbackCertificate::Pkcs12 {
                der: pkcs12_blob(store)?,
                password,
            },
            other => {
                return Err(Error::InvalidSetting {
                    name: "web_server_ssl_cert_store_type".into(),
                    reason: format!("{other} is not supported here: use 2, 3, 6, 7 or 99"),
                });
            }
        };
        Ok(Some(
            LoopbackTls::new(certificate).with_subject(p.web_server_ssl_cert_subject.clone()),
        ))
    }

    /// Starts the loopback server (RFC 8252 §7.3, `127.0.0.1` only) on `web_server_port` (0:
    /// any free port) and sets `return_url` and `web_server_port`. Already running: no-op.
    pub fn start_web_server(&mut self) -> Result<()> {
        if self.server.is_some() {
            return Ok(());
        }
        let cfg = self.loopback_config()?;
        let server = self.call(LoopbackServer::bind(cfg))?;
        self.p.web_server_port = server.port();
        self.p.return_url = server.redirect_uri();
        self.events.log(
            self.log_level(),
            1,
            "Info",
            format!("web server listening on {}", self.p.return_url),
        );
        self.server = Some(Arc::new(server));
        Ok(())
    }

    /// Stops the loopback server. Not running: no-op.
    pub fn stop_web_server(&mut self) -> Result<()> {
        self.drop_server();
        Ok(())
    }

    fn drop_server(&mut self) {
        if let Some(server) = self.server.take()
            && let Some(w) = &self.worker
        {
            // The listener belongs to the worker's runtime: close it there.
            let _ = w.run(async move {
                drop(server);
                Ok(())
            });
        }
    }

    fn interactive(&mut self, open_browser: bool) -> Result<String> {
        self.start_web_server()?;
        let server = self.server.clone().ok_or(Error::Missing {
            what: "web server",
            hint: "start_web_server failed",
        })?;
        let client = self.client()?;
        let req = self.request();
        let events = self.events.clone();
        let path = url::Url::parse(&self.p.return_url)
            .map(|u| u.path().to_string())
            .unwrap_or_else(|_| "/".into());
        let log_level = self.log_level();
        let result = self.call(async move {
            let hook_events = events.clone();
            let hook = move |launch: &mut Launch| {
                let command = launch
                    .command
                    .as_ref()
                    .map(|c| join_command(c))
                    .unwrap_or_default();
                let ev = fire(
                    &hook_events.launch_browser,
                    LaunchBrowserEvent {
                        url: launch.url.clone(),
                        command,
                    },
                );
                launch.url = ev.url;
                launch.command = browser::split_command(&ev.command).ok();
                if open_browser && launch.command.is_some() {
                    HookDecision::Open
                } else {
                    HookDecision::Cancel
                }
            };
            let log_events = events.clone();
            let done = SignIn::new(&client, &server)
                .browser(BrowserOptions::default().with_hook(hook))
                .request(req)
                .on_opened(move |opened| {
                    log_events.log(log_level, 2, "Browser", format!("browser: {opened:?}"));
                })
                .on_callback(move |params, tx| {
                    let query = form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(params.pairs())
                        .finish();
                    let page = fire(
                        &events.return_url,
                        ReturnUrlEvent {
                            url_path: path,
                            query_string: query,
                            state: tx.state.clone(),
                            ..ReturnUrlEvent::default()
                        },
                    );
                    (!page.response_body.is_empty() || !page.response_headers.is_empty())
                        .then(|| CustomPage::new(page.response_headers, page.response_body))
                })
                .run()
                .await?;
            Ok((done.tokens, done.params))
        });
        if !self.setting_bool("ReUseWebServer") {
            self.drop_server();
        }
        let (tokens, params) = result?;
        self.p.response_params = params.pairs().to_vec();
        if let Some(code) = params.get("code") {
            self.p.authorization_code = code.to_string();
        }
        Ok(self.apply_tokens(tokens))
    }

    fn apply_tokens(&mut self, tokens: TokenSet) -> String {
        let p = &mut self.p;
        p.access_token = tokens.access_token.clone().unwrap_or_default();
        p.access_token_exp = tokens
            .expires_in
            .and_then(|s| i64::try_from(s).ok())
            .unwrap_or(0);
        if let Some(rt) = &tokens.refresh_token {
            p.refresh_token = rt.clone();
        }
        p.token_type = tokens.token_type.clone();
        p.jwt_payload = tokens.access_token.as_deref().and_then(jwt_payload);
        for (k, v) in &tokens.raw {
            if !p.response_params.iter().any(|(n, _)| n == k) {
                p.response_params.push((k.clone(), text(v)));
            }
        }
        if let Some(id) = &tokens.id_token {
            p.user = UserDetails::from_claims(id.claims());
            p.raw_json = jwt_payload(id.raw());
            p.id_token = Some(id.clone());
        }
        self.events
            .log(self.log_level(), 1, "Info", "authorization complete".into());
        tokens.authorization().unwrap_or_default()
    }

    /// Fetches the UserInfo claims with `access_token` into `user_details_*` and `RawJSON`. The
    /// `sub` must be the ID token's when there is one (error 907).
    pub fn get_user_info(&mut self) -> Result<()> {
        let access = opt(&self.p.access_token).ok_or(Error::Missing {
            what: "access_token",
            hint: "call get_authorization first, or set access_token",
        })?;
        let sub = self
            .p
            .id_token
            .as_ref()
            .and_then(|t| t.claims().subject().map(str::to_string));
        let client = self.client()?;
        let cl = client.clone();
        let details = self.run(&client, async move {
            cl.userinfo_with(&access, sub.as_deref()).await
        })?;
        self.p.raw_json = Some(Doc::from_value(&Value::Object(details.claims.clone())));
        // The ID token's registered claims stay when UserInfo does not repeat them.
        let old = std::mem::take(&mut self.p.user);
        let mut user = details;
        user.iss = user.iss.or(old.iss);
        if user.aud.is_empty() {
            user.aud = old.aud;
        }
        user.iat = user.iat.or(old.iat);
        user.exp = user.exp.or(old.exp);
        user.auth_time = user.auth_time.or(old.auth_time);
        self.p.user = user;
        Ok(())
    }

    /// The seed's `config`: `"Name=Value"` sets a setting and returns "", `"Name"` reads it.
    /// Names are case-insensitive; indexed ones are written `Name[i]`. Unknown names and bad
    /// values are error 921 (902 for a bad `ResponseType`). See [`settings::TABLE`].
    pub fn config(&mut self, configuration: &str) -> Result<String> {
        match configuration.split_once('=') {
            Some((name, value)) => {
                let key = settings::resolve(name)?;
                self.set_setting(key.setting, key.index, value)?;
                if key.setting.name == "ValidateToken" {
                    // The seed returns the verdict of the validation.
                    return self.get_setting(key.setting, key.index);
                }
                Ok(String::new())
            }
            None => {
                let key = settings::resolve(configuration)?;
                self.get_setting(key.setting, key.index)
            }
        }
    }

    fn storage_key(s: &Setting, index: Option<usize>) -> String {
        match index {
            Some(i) => format!("{}[{i}]", s.name),
            None => s.name.to_string(),
        }
    }

    fn set_setting(
        &mut self,
        s: &'static Setting,
        index: Option<usize>,
        value: &str,
    ) -> Result<()> {
        match s.name {
            "XPath" | "JWTXPath" => {
                let doc = if s.name == "XPath" {
                    self.p.raw_json.as_mut()
                } else {
                    self.p.jwt_payload.as_mut()
                };
                let doc = doc.ok_or_else(|| Error::InvalidSetting {
                    name: s.name.into(),
                    reason: "there is no JSON document yet (call a method that receives one)"
                        .into(),
                })?;
                return doc.doc.select(value, s.name);
            }
            "ResponseType" => {
                let v = value.trim();
                let canonical = if v.is_empty() {
                    String::new()
                } else {
                    ResponseType::parse(v)?.as_str().to_string()
                };
                self.p.values.insert(s.name.into(), canonical);
                return Ok(());
            }
            "ValidateToken" => return self.validate_token(value),
            "PKCEVerifier" => {
                let tx = self.p.transaction.as_mut().ok_or(Error::Missing {
                    what: "authorization transaction",
                    hint: "PKCEVerifier can be set once get_authorization_url has run (or set_transaction restored it)",
                })?;
                tx.code_verifier = opt(value);
                return Ok(());
            }
            _ => {}
        }
        let canonical = settings::normalize(s, value)?;
        self.p.values.insert(Self::storage_key(s, index), canonical);
        Ok(())
    }

    fn doc(&self, jwt: bool, name: &str) -> Result<&JsonDoc> {
        let doc = if jwt {
            self.p.jwt_payload.as_ref()
        } else {
            self.p.raw_json.as_ref()
        };
        doc.map(|d| &d.doc).ok_or_else(|| Error::InvalidSetting {
            name: name.into(),
            reason: "there is no JSON document yet (call a method that receives one)".into(),
        })
    }

    fn get_setting(&self, s: &'static Setting, index: Option<usize>) -> Result<String> {
        let i = index.unwrap_or(0);
        let jwt = s.name.starts_with("JWTX");
        let x = if jwt { &s.name[3..] } else { s.name };
        let value = match (s.name, x) {
            ("IDToken", _) => self
                .p
                .id_token
                .as_ref()
                .map(|t| t.raw().to_string())
                .unwrap_or_default(),
            ("LogoutURL", _) => self
                .p
                .discovery
                .as_ref()
                .and_then(|d| d.end_session_endpoint.clone())
                .unwrap_or_default(),
            ("RawJSON", _) => self
                .p
                .raw_json
                .as_ref()
                .map(|d| d.text.clone())
                .unwrap_or_default(),
            ("JWTPayload", _) => self
                .p
                .jwt_payload
                .as_ref()
                .map(|d| d.text.clone())
                .unwrap_or_default(),
            ("ResponseType", _) => {
                let v = self.setting_str("ResponseType");
                if v.is_empty() {
                    self.p
                        .grant_type
                        .default_response_type()
                        .as_str()
                        .to_string()
                } else {
                    v
                }
            }
            ("AuthorizationTokenType", _) => self.p.token_type.clone().unwrap_or_default(),
            ("PKCEVerifier", _) => self
                .p
                .transaction
                .as_ref()
                .and_then(|t| t.code_verifier.clone())
                .unwrap_or_default(),
            ("Microsoft365AdminConsentError", _) => self.get_param("error"),
            ("Microsoft365AdminConsentErrorDesc", _) => self.get_param("error_description"),
            ("Microsoft365AdminConsentTenant", _) => self.get_param("tenant"),
            ("TokenInfoFieldCount", _) => self.p.token_info.len().to_string(),
            ("TokenInfoFieldName", _) => self
                .p
                .token_info
                .get(i)
                .map(|(k, _)| k.clone())
                .unwrap_or_default(),
            ("TokenInfoFieldValue", _) => self
                .p
                .token_info
                .get(i)
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
            ("StatusCode", _) => self.last(|r| r.status.to_string(), "0"),
            ("StatusLine", _) => self.last(|r| r.status_line.clone(), ""),
            ("TransferredData", _) => self.transferred_data(),
            ("TransferredHeaders", _) => self.transferred_headers(),
            ("SentHeaders", _) => self.last(|r| r.request_headers.clone(), ""),
            ("TransferredRequest", _) => self.last(|r| r.request.clone(), ""),
            ("BytesTransferred", _) => self.last(|r| r.body.len().to_string(), "0"),
            ("NegotiatedHTTPVersion", _) => self.last(
                |r| {
                    r.status_line
                        .split(' ')
                        .next()
                        .unwrap_or_default()
                        .trim_start_matches("HTTP/")
                        .to_string()
                },
                "",
            ),
            ("BuildInfo", _) => concat!("oidckit ", env!("CARGO_PKG_VERSION")).to_string(),
            (_, "XPath") => match self.doc(jwt, s.name) {
                Ok(d) => d.path(),
                Err(_) => s.default.to_string(),
            },
            (_, "XElement") => self.doc(jwt, s.name)?.element(),
            (_, "XText") => self.doc(jwt, s.name)?.text(),
            (_, "XParent") => self.doc(jwt, s.name)?.parent(),
            (_, "XSubTree") => self.doc(jwt, s.name)?.sub_tree(),
            (_, "XChildCount") => self.doc(jwt, s.name)?.child_count().to_string(),
            (_, "XChildName") => self.doc(jwt, s.name)?.child_name(i, s.name)?,
            (_, "XChildXText") => self.doc(jwt, s.name)?.child_text(i, s.name)?,
            _ => match self.p.values.get(&Self::storage_key(s, index)) {
                Some(v) => v.clone(),
                None if s.access == Access::ReadOnly && s.status == Status::Implemented => {
                    String::new()
                }
                None => s.default.to_string(),
            },
        };
        Ok(value)
    }
}

/// The seed's `JWTSignatureAlgorithm` names (and JWS names) as an [`Alg`](crate::Alg).
fn jwt_alg(name: &str) -> Result<crate::Alg> {
    let alg = match name.trim().to_ascii_uppercase().as_str() {
        "RSA-SHA256" | "RS256" => crate::Alg::RS256,
        "RSA-SHA384" | "RS384" => crate::Alg::RS384,
        "RSA-SHA512" | "RS512" => crate::Alg::RS512,
        "PS256" => crate::Alg::PS256,
        "PS384" => crate::Alg::PS384,
        "PS512" => crate::Alg::PS512,
        "ECDSA-SHA256" | "ES256" => crate::Alg::ES256,
        "ECDSA-SHA384" | "ES384" => crate::Alg::ES384,
        "EDDSA" => crate::Alg::EdDSA,
        other => {
            return Err(Error::InvalidSetting {
                name: "JWTSignatureAlgorithm".into(),
                reason: format!(
                    "{other:?} is not RSA-SHA256, RSA-SHA384, RSA-SHA512 or a JWS name"
                ),
            });
        }
    };
    Ok(alg)
}

/// Joins a command for display in `on_launch_browser`, quoting words with spaces.
fn join_command(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            if w.is_empty() || w.contains([' ', '\t', '"', '\'', '\\']) {
                format!("'{}'", w.replace('\'', r"'\''"))
            } else {
                w.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl Drop for OpenId {
    fn drop(&mut self) {
        self.drop_server();
    }
}
