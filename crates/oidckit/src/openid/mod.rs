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

// First: the other modules use its macros.
#[macro_use]
mod macros;

pub mod events;
pub mod settings;
pub mod xpath;

mod client;
mod configure;
mod details;
mod grants;
mod profiles;
mod properties;
mod runtime;
mod token_info;
mod transport;
mod web_server;

use std::fmt;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::authorize::AuthTransaction;
use crate::blocking::Worker;
use crate::config::GrantType;
use crate::device::DeviceAuthorization;
use crate::discovery::ProviderMetadata;
use crate::http::LastResponse;
use crate::id_token::IdToken;
use crate::jose::b64url_decode;
use crate::loopback::LoopbackServer;
use crate::userinfo::UserDetails;
use crate::{Error, Result};

use events::Events;
use xpath::{JsonDoc, Node};

pub use runtime::Interrupter;

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
/// A JSON document and its text as received.
#[derive(Debug, Clone)]
struct Doc {
    text: String,
    doc: JsonDoc,
}

impl Doc {
    fn from_text(text: String) -> Option<Doc> {
        let node = Node::parse(&text, settings::name::RAW_JSON).ok()?;
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
    /// The verdict of the last ValidateToken (`true`/`false`; empty before any).
    token_verdict: String,
    /// The user code of the last device authorization (`DeviceUserCode`).
    device_user_code: String,
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
    /// The config settings, parsed (see [`settings`]).
    set: settings::Values,
}

impl Props {
    fn defaults() -> Props {
        Props {
            authorization_scope: "openid".into(),
            timeout: 60,
            use_pkce: true,
            web_server_ssl_cert_store: "MY".into(),
            set: settings::Values::from_table(),
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
    /// Bumped when an event handler is registered: the core client forwards to the handlers
    /// it was built with.
    events_epoch: u64,
    /// The core client, kept across calls with what it was built from (see [`client`]).
    core: Mutex<Option<client::Core>>,
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

/// Element `i` of a property array, growing the array with defaults when needed (the seed's
/// indexed setters).
fn slot<T: Default + Clone>(items: &mut Vec<T>, i: usize) -> &mut T {
    if i >= items.len() {
        items.resize(i + 1, T::default());
    }
    &mut items[i]
}

/// Decodes a base64 blob (a PKCS#12 store) that may be wrapped over lines or spaced.
fn base64_blob(text: &str) -> std::result::Result<Vec<u8>, base64::DecodeError> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(text.replace(['\r', '\n', ' '], ""))
}

/// The payload of a compact JWT as a document, when it is one.
fn jwt_payload(token: &str) -> Option<Doc> {
    let mut parts = token.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    let bytes = b64url_decode(payload)?;
    Doc::from_text(String::from_utf8(bytes).ok()?)
}

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
            events_epoch: 0,
            core: Mutex::default(),
        }
    }
    /// Restores every property and setting to its default, forgets all results and stops the
    /// loopback server. Registered events stay registered.
    pub fn reset(&mut self) {
        self.p = Props::defaults();
        self.drop_server();
    }
}

impl Drop for OpenId {
    fn drop(&mut self) {
        self.drop_server();
    }
}
