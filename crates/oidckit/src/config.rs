//! Typed client configuration. Every field's doc ends with its default.

use std::fmt;
use std::time::Duration;

use crate::error::Redacted;
use crate::jose::{Alg, VerifyingKey};
use crate::{Error, Result};

/// How the client signs the user in (the seed's `grant_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GrantType {
    /// Authorization code flow (seed value 0): `response_type=code`. The default.
    #[default]
    Code,
    /// Implicit flow (seed value 1): `response_type=id_token token`.
    Implicit,
    /// Hybrid flow (seed value 2): `response_type=code id_token`.
    Hybrid,
}

impl GrantType {
    /// The response type this grant type uses unless overridden.
    pub fn default_response_type(self) -> ResponseType {
        match self {
            GrantType::Code => ResponseType::CODE,
            GrantType::Implicit => ResponseType::ID_TOKEN_TOKEN,
            GrantType::Hybrid => ResponseType::CODE_ID_TOKEN,
        }
    }
}

/// An OAuth 2.0 / OpenID Connect `response_type`: a set of `code`, `id_token` and `token`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ResponseType {
    /// Whether an authorization code is returned.
    pub code: bool,
    /// Whether an ID token is returned from the authorization endpoint.
    pub id_token: bool,
    /// Whether an access token is returned from the authorization endpoint.
    pub token: bool,
}

impl ResponseType {
    /// `code`.
    pub const CODE: ResponseType = ResponseType {
        code: true,
        id_token: false,
        token: false,
    };
    /// `id_token`.
    pub const ID_TOKEN: ResponseType = ResponseType {
        code: false,
        id_token: true,
        token: false,
    };
    /// `id_token token`.
    pub const ID_TOKEN_TOKEN: ResponseType = ResponseType {
        code: false,
        id_token: true,
        token: true,
    };
    /// `code id_token`.
    pub const CODE_ID_TOKEN: ResponseType = ResponseType {
        code: true,
        id_token: true,
        token: false,
    };
    /// `code token`.
    pub const CODE_TOKEN: ResponseType = ResponseType {
        code: true,
        id_token: false,
        token: true,
    };
    /// `code id_token token`.
    pub const CODE_ID_TOKEN_TOKEN: ResponseType = ResponseType {
        code: true,
        id_token: true,
        token: true,
    };

    /// Parses a space-separated response type in any order. Code 902 for anything else
    /// (including `token` alone, which is OAuth-only and yields no identity).
    pub fn parse(value: &str) -> Result<ResponseType> {
        let mut rt = ResponseType {
            code: false,
            id_token: false,
            token: false,
        };
        let mut seen = 0;
        for part in value.split(' ').filter(|p| !p.is_empty()) {
            let slot = match part {
                "code" => &mut rt.code,
                "id_token" => &mut rt.id_token,
                "token" => &mut rt.token,
                _ => {
                    return Err(Error::InvalidResponseType {
                        response_type: value.to_string(),
                    });
                }
            };
            if *slot {
                return Err(Error::InvalidResponseType {
                    response_type: value.to_string(),
                });
            }
            *slot = true;
            seen += 1;
        }
        if seen == 0
            || rt
                == (ResponseType {
                    code: false,
                    id_token: false,
                    token: true,
                })
        {
            return Err(Error::InvalidResponseType {
                response_type: value.to_string(),
            });
        }
        Ok(rt)
    }

    /// The canonical string, e.g. `"code id_token"`.
    pub fn as_str(&self) -> &'static str {
        match (self.code, self.id_token, self.token) {
            (true, false, false) => "code",
            (false, true, false) => "id_token",
            (false, true, true) => "id_token token",
            (true, true, false) => "code id_token",
            (true, false, true) => "code token",
            (true, true, true) => "code id_token token",
            (false, false, true) => "token",
            (false, false, false) => "",
        }
    }

    /// Whether the authorization response comes in the URL fragment by default (any front-channel token).
    pub fn uses_fragment(&self) -> bool {
        self.id_token || self.token
    }
}

impl fmt::Debug for ResponseType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResponseType({:?})", self.as_str())
    }
}

impl fmt::Display for ResponseType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the client authenticates at the token endpoint (the seed's `AuthMethod`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthMethod {
    /// HTTP Basic with the URL-encoded client id and secret (RFC 6749 §2.3.1).
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body.
    ClientSecretPost,
    /// No client authentication: a public client, which should use PKCE.
    None,
    /// A JWT signed with HMAC (HS256) keyed by the client secret, sent as
    /// `client_assertion` (OpenID Connect Core §9).
    ClientSecretJwt,
    /// A JWT signed with the client's private key ([`ClientConfig::client_key`]), sent as
    /// `client_assertion` (OpenID Connect Core §9, RFC 7523 §2.2). With a certificate the
    /// header carries `x5t` / `x5t#S256` (Microsoft Entra ID certificate credentials).
    PrivateKeyJwt,
    /// Mutual TLS with the client certificate of [`HttpConfig::tls`] and only `client_id` in
    /// the body (RFC 8705 §2.1 `tls_client_auth`).
    TlsClientAuth,
}

impl AuthMethod {
    /// The registered name, e.g. `client_secret_basic`.
    pub fn as_str(&self) -> &'static str {
        match self {
            AuthMethod::ClientSecretBasic => "client_secret_basic",
            AuthMethod::ClientSecretPost => "client_secret_post",
            AuthMethod::None => "none",
            AuthMethod::ClientSecretJwt => "client_secret_jwt",
            AuthMethod::PrivateKeyJwt => "private_key_jwt",
            AuthMethod::TlsClientAuth => "tls_client_auth",
        }
    }

    /// Parses a registered name.
    pub fn parse(s: &str) -> Result<AuthMethod> {
        match s {
            "client_secret_basic" => Ok(AuthMethod::ClientSecretBasic),
            "client_secret_post" => Ok(AuthMethod::ClientSecretPost),
            "none" => Ok(AuthMethod::None),
            "client_secret_jwt" => Ok(AuthMethod::ClientSecretJwt),
            "private_key_jwt" => Ok(AuthMethod::PrivateKeyJwt),
            "tls_client_auth" => Ok(AuthMethod::TlsClientAuth),
            other => Err(Error::InvalidSetting {
                name: "AuthMethod".into(),
                reason: format!(
                    "{other:?} is not one of client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt, tls_client_auth, none"
                ),
            }),
        }
    }
}

/// The PKCE code challenge method (RFC 7636).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PkceMethod {
    /// `S256`: the challenge is the SHA-256 of the verifier. The default.
    #[default]
    S256,
    /// `plain`: the challenge is the verifier. Only for providers that cannot do S256.
    Plain,
}

impl PkceMethod {
    /// The registered name.
    pub fn as_str(self) -> &'static str {
        match self {
            PkceMethod::S256 => "S256",
            PkceMethod::Plain => "plain",
        }
    }
}

/// HTTP transport settings shared by every request the client makes.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HttpConfig {
    /// Deadline for each whole request, connection to last byte. Default: 60 s (the seed's `timeout`).
    pub timeout: Duration,
    /// Largest response body read; a larger one fails with code 909 without being read whole.
    /// Default: 1 MiB.
    pub max_response_size: u64,
    /// The `User-Agent` header. Default: `oidckit/<version>`.
    pub user_agent: String,
    /// An HTTP proxy (the seed's `proxy_*`). Failures are code 118. Default: none.
    pub proxy: Option<crate::http::ProxySettings>,
    /// Use the `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` and `NO_PROXY` environment variables
    /// when neither `proxy` nor `firewall` is set (the seed's `proxy_auto_detect`). When
    /// false the environment is ignored. Default: false.
    pub proxy_auto_detect: bool,
    /// A SOCKS4/4A/5 or tunnelling firewall (the seed's `firewall_*`); takes precedence over
    /// `proxy`. Failures are code 118. Default: none.
    pub firewall: Option<crate::http::Firewall>,
    /// TLS trust and client certificates. TLS 1.2 and 1.3 only. Default: the platform's
    /// roots, no client certificate.
    pub tls: crate::http::TlsSettings,
    /// Whether redirects are followed (the seed's `follow_redirects`). Default:
    /// [`FollowRedirects::Never`](crate::http::FollowRedirects::Never).
    pub follow_redirects: crate::http::FollowRedirects,
    /// Most redirects followed for one request (the seed's `MaxRedirectAttempts`). Default: 20.
    pub max_redirects: u32,
    /// Extra headers sent with every request (the seed's `other_headers`). Default: none.
    pub other_headers: Vec<(String, String)>,
    /// Cookies sent with every request (the seed's `add_cookie`). Default: none.
    pub cookies: Vec<(String, String)>,
    /// Keep cookies the servers set and send them back to the same host (or domain) and path.
    /// Default: false.
    pub cookie_jar: bool,
    /// Local address to connect from (the seed's `local_host`). Default: none (the system's choice).
    pub local_host: Option<std::net::IpAddr>,
    /// How much is logged to [`HttpEvents::on_log`](crate::http::HttpEvents::on_log) (the
    /// seed's `LogLevel`). Default: [`LogLevel::Info`](crate::http::LogLevel::Info).
    pub log_level: crate::http::LogLevel,
    /// Mask client secrets, codes, code verifiers, tokens, passwords, assertions and
    /// credential headers in log messages (the seed's `MaskSensitive`). Default: true.
    pub mask_sensitive: bool,
    /// Receives transport events (`on_connected` … `on_log`, `on_ssl_server_authentication`).
    /// Default: none.
    pub events: Option<std::sync::Arc<dyn crate::http::HttpEvents>>,
    /// Deadline for establishing each connection (TCP, proxy handshake and TLS), within
    /// [`timeout`](Self::timeout) (the seed's `ConnectionTimeout`). Default: none (the
    /// whole-request `timeout` applies).
    pub connect_timeout: Option<Duration>,
    /// Hosts and IP addresses that bypass [`proxy`](Self::proxy) and
    /// [`firewall`](Self::firewall) (the seed's `ProxyExceptionsList`): a name also matches its
    /// subdomains, `*` matches every host, `10.0.0.0/8` a network. Default: none.
    pub proxy_exceptions: Vec<String>,
    /// A raw `Proxy-Authorization` value sent to the HTTP proxy instead of one built from its
    /// user and password (the seed's `ProxyAuthorization`), e.g. `Bearer abc`. Default: none.
    pub proxy_authorization: Option<String>,
    /// Reuse connections between requests (the seed's `KeepAlive`). When on,
    /// [`HttpEvents::on_connected`](crate::http::HttpEvents::on_connected) fires only for new
    /// connections and `on_disconnected` is not fired after a request whose connection stays
    /// open in the pool. Default: false (a new connection per request, closed after it).
    pub keep_alive: bool,
    /// Idle time before TCP keep-alive probes are sent, or `None` to turn `SO_KEEPALIVE` off
    /// (the seed's `TCPKeepAlive` and `KeepAliveTime`). Default: 15 s.
    pub tcp_keepalive: Option<Duration>,
    /// Interval between unanswered TCP keep-alive probes (the seed's `KeepAliveInterval`).
    /// Default: 15 s.
    pub tcp_keepalive_interval: Option<Duration>,
    /// Set `TCP_NODELAY` (disable Nagle's algorithm; the seed's `TcpNoDelay`). Default: true.
    pub tcp_nodelay: bool,
    /// The HTTP version offered (the seed's `HTTPVersion`). Default:
    /// [`HttpVersion::Http11`](crate::http::HttpVersion::Http11).
    pub http_version: crate::http::HttpVersion,
    /// Ask for compressed responses and decompress them (the seed's `AllowHTTPCompression`);
    /// the value is the `Accept-Encoding` header (the seed's `AcceptEncoding`), made of `gzip`,
    /// `deflate` and `identity`. [`max_response_size`](Self::max_response_size) applies to the
    /// decompressed bytes. Default: none (no `Accept-Encoding`, nothing decompressed).
    pub accept_encoding: Option<String>,
    /// Which address families a host name may resolve to (the seed's `UseIPv6`); address
    /// literals in URLs are used as written. Default:
    /// [`IpFamily::Any`](crate::http::IpFamily::Any).
    pub ip_family: crate::http::IpFamily,
    /// On a followed 302, send the next request as a GET without body (the seed's
    /// `GetOn302Redirect`); when false a 302 keeps the method and body. A 303 always becomes
    /// GET, a 301 after a non-GET request too. Default: true.
    pub get_on_302_redirect: bool,
}

impl Default for HttpConfig {
    fn default() -> HttpConfig {
        HttpConfig {
            timeout: Duration::from_secs(60),
            max_response_size: 1024 * 1024,
            user_agent: concat!("oidckit/", env!("CARGO_PKG_VERSION")).to_string(),
            proxy: None,
            proxy_auto_detect: false,
            firewall: None,
            tls: crate::http::TlsSettings::default(),
            follow_redirects: crate::http::FollowRedirects::Never,
            max_redirects: 20,
            other_headers: Vec::new(),
            cookies: Vec::new(),
            cookie_jar: false,
            local_host: None,
            log_level: crate::http::LogLevel::Info,
            mask_sensitive: true,
            events: None,
            connect_timeout: None,
            proxy_exceptions: Vec::new(),
            proxy_authorization: None,
            keep_alive: false,
            tcp_keepalive: Some(Duration::from_secs(15)),
            tcp_keepalive_interval: Some(Duration::from_secs(15)),
            tcp_nodelay: true,
            http_version: crate::http::HttpVersion::Http11,
            accept_encoding: None,
            ip_family: crate::http::IpFamily::Any,
            get_on_302_redirect: true,
        }
    }
}

/// Configuration of a relying party (client).
///
/// ```
/// let mut config = oidckit::ClientConfig::new("https://accounts.example.com", "my-client");
/// config.scope = "openid profile email".into();
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    /// The issuer URL (or the full discovery URL ending in `/.well-known/openid-configuration`).
    /// Required.
    pub issuer: String,
    /// The client id registered with the provider. Required.
    pub client_id: String,
    /// The client secret, for confidential clients. Default: none (a public client).
    pub client_secret: Option<String>,
    /// The redirect URI registered with the provider. Default: none (must be set before building
    /// an authorization URL, except when the loopback server provides it).
    pub redirect_uri: Option<String>,
    /// Space-separated scopes; `openid` is added when missing. Default: `"openid"`.
    pub scope: String,
    /// The flow. Default: [`GrantType::Code`].
    pub grant_type: GrantType,
    /// Overrides the response type the grant type implies. Default: none.
    pub response_type: Option<ResponseType>,
    /// `response_mode` to request (`query`, `fragment`, `form_post`). Default: none (the provider's default for the response type).
    pub response_mode: Option<String>,
    /// Use PKCE for flows that return a code. Default: true.
    pub use_pkce: bool,
    /// The PKCE method. Default: [`PkceMethod::S256`].
    pub pkce_method: PkceMethod,
    /// Token endpoint authentication. Default: none, meaning automatic: `client_secret_basic`
    /// when a secret is set (or `client_secret_post` when the provider advertises only that),
    /// `none` otherwise.
    pub auth_method: Option<AuthMethod>,
    /// Algorithms accepted for ID token signatures. Default: none, meaning the provider's advertised
    /// `id_token_signing_alg_values_supported` that this library supports (HMAC ones only with a
    /// client secret), or `RS256` when it advertises none. `none` is never accepted.
    pub allowed_algs: Option<Vec<Alg>>,
    /// A key to verify ID tokens with, instead of the provider's JWKS (the seed's `signer_cert`).
    /// Default: none.
    pub signer_key: Option<VerifyingKey>,
    /// Clock skew tolerated for `exp`, `iat`, `nbf` and `auth_time`. Default: 60 s.
    pub leeway: Duration,
    /// `max_age` sent with the request; `auth_time` is then required and checked. Default: none.
    pub max_age: Option<Duration>,
    /// Minimum time between two JWKS re-fetches caused by an unknown `kid`. Default: 60 s.
    pub jwks_refresh_cooldown: Duration,
    /// HTTP transport settings. Default: see [`HttpConfig`].
    pub http: HttpConfig,
    /// The private key for `private_key_jwt` client authentication, optionally with its
    /// certificate (see [`PrivateKey::with_certificate_der`](crate::jose::PrivateKey::with_certificate_der)).
    /// When set and no secret is, the automatic auth method is `private_key_jwt`. Default: none.
    pub client_key: Option<crate::jose::PrivateKey>,
    /// Extra form fields posted with every token endpoint request (the seed's
    /// `FormVarName[i]` / `FormVarValue[i]`), after the grant's own fields. Default: none.
    pub token_form_params: Vec<(String, String)>,
    dangerous: Dangerous,
}

/// Settings that weaken security, reached through [`ClientConfig::dangerous`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Dangerous {
    /// Allow `http` URLs for non-loopback hosts. Default: false (loopback hosts may always use http).
    pub allow_http: bool,
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| Redacted(())),
            )
            .field("redirect_uri", &self.redirect_uri)
            .field("scope", &self.scope)
            .field("grant_type", &self.grant_type)
            .field("response_type", &self.response_type)
            .field("response_mode", &self.response_mode)
            .field("use_pkce", &self.use_pkce)
            .field("pkce_method", &self.pkce_method)
            .field("auth_method", &self.auth_method)
            .field("allowed_algs", &self.allowed_algs)
            .field("signer_key", &self.signer_key)
            .field("leeway", &self.leeway)
            .field("max_age", &self.max_age)
            .field("jwks_refresh_cooldown", &self.jwks_refresh_cooldown)
            .field("http", &self.http)
            .field("client_key", &self.client_key)
            .field(
                "token_form_params",
                &self
                    .token_form_params
                    .iter()
                    .map(|(k, _)| k)
                    .collect::<Vec<_>>(),
            )
            .field("dangerous", &self.dangerous)
            .finish()
    }
}

impl ClientConfig {
    /// A configuration with the given issuer and client id and secure defaults for the rest.
    pub fn new(issuer: impl Into<String>, client_id: impl Into<String>) -> ClientConfig {
        ClientConfig {
            issuer: issuer.into(),
            client_id: client_id.into(),
            client_secret: None,
            redirect_uri: None,
            scope: "openid".into(),
            grant_type: GrantType::Code,
            response_type: None,
            response_mode: None,
            use_pkce: true,
            pkce_method: PkceMethod::S256,
            auth_method: None,
            allowed_algs: None,
            signer_key: None,
            leeway: Duration::from_secs(60),
            max_age: None,
            jwks_refresh_cooldown: Duration::from_secs(60),
            http: HttpConfig::default(),
            client_key: None,
            token_form_params: Vec::new(),
            dangerous: Dangerous::default(),
        }
    }

    /// Sets the client secret (builder style).
    pub fn with_secret(mut self, secret: impl Into<String>) -> ClientConfig {
        self.client_secret = Some(secret.into());
        self
    }

    /// Sets the redirect URI (builder style).
    pub fn with_redirect_uri(mut self, uri: impl Into<String>) -> ClientConfig {
        self.redirect_uri = Some(uri.into());
        self
    }

    /// Settings that weaken security. Each use should be loud in code review.
    pub fn dangerous(&mut self) -> &mut Dangerous {
        &mut self.dangerous
    }

    pub(crate) fn dangerous_ref(&self) -> &Dangerous {
        &self.dangerous
    }

    /// The response type in effect: the override, or the grant type's.
    pub fn effective_response_type(&self) -> ResponseType {
        self.response_type
            .unwrap_or_else(|| self.grant_type.default_response_type())
    }

    /// The scope with `openid` guaranteed.
    pub(crate) fn effective_scope(&self) -> String {
        if self.scope.split(' ').any(|s| s == "openid") {
            self.scope.clone()
        } else if self.scope.trim().is_empty() {
            "openid".into()
        } else {
            format!("openid {}", self.scope.trim())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_types_parse_in_any_order_and_refuse_unknown() {
        assert_eq!(
            ResponseType::parse("token id_token").expect("ok"),
            ResponseType::ID_TOKEN_TOKEN
        );
        assert_eq!(
            ResponseType::parse("id_token code").expect("ok").as_str(),
            "code id_token"
        );
        for bad in ["", "token", "code code", "code foo", "device"] {
            assert_eq!(ResponseType::parse(bad).expect_err(bad).code(), 902);
        }
    }

    #[test]
    fn scope_always_contains_openid() {
        let mut c = ClientConfig::new("https://i", "c");
        c.scope = "profile email".into();
        assert_eq!(c.effective_scope(), "openid profile email");
        c.scope = String::new();
        assert_eq!(c.effective_scope(), "openid");
    }
}
