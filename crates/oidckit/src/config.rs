//! Typed client configuration. Every field's doc ends with its default.

use std::fmt;
use std::time::Duration;

use crate::error::Redacted;
pub use crate::http::HttpConfig;
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
    /// Send authorization requests through the provider's pushed authorization request
    /// endpoint (RFC 9126) in [`Client::start_authorization`](crate::Client::start_authorization).
    /// Default: false (PAR is used anyway when the provider sets
    /// `require_pushed_authorization_requests`).
    pub pushed_authorization: bool,
    /// Send the authorization parameters as a signed request object (RFC 9101, JAR): signed
    /// with `client_key` when set (RS/PS/ES/EdDSA, the key's algorithm), else HS256 with the
    /// client secret. By value (`request`), or by reference when the request is pushed.
    /// Encrypted too when `encrypt_request_object` is set. Default: false.
    pub request_object: bool,
    /// Sender-constrain tokens with DPoP (RFC 9449): proofs at the token endpoint (and PAR),
    /// `Authorization: DPoP` at UserInfo and resources. Uses `dpop_key`, else an ES256 key
    /// generated when the client is built. Default: false.
    pub dpop: bool,
    /// The DPoP key (ES256/384/512, RS*, PS*, EdDSA); setting it turns DPoP on. Default: none.
    pub dpop_key: Option<crate::jose::PrivateKey>,
    /// Enforce the FAPI 2.0 Security Profile (see [`ClientConfig::fapi2`]). Default: false.
    pub fapi2: bool,
    /// The client's private keys for encrypted ID tokens, UserInfo and JARM responses (JWE,
    /// RFC 7516): RSA keys for `RSA-OAEP` / `RSA-OAEP-256`, EC keys for `ECDH-ES`,
    /// `ECDH-ES+A128KW` and `ECDH-ES+A256KW`. The key with the token's `kid` is used, else each
    /// key of the fitting type. Register their public halves
    /// ([`DecryptionKey::public_jwk`](crate::jose::DecryptionKey::public_jwk)) in the client's
    /// `jwks`. Default: none (an encrypted token is refused, code 958).
    pub decryption_keys: Vec<crate::jose::DecryptionKey>,
    /// Encrypt request objects to the provider (sign, then encrypt; `cty: JWT`; RFC 9101 §6.1).
    /// Only with `request_object`. Default: false.
    pub encrypt_request_object: bool,
    /// The provider's public key to encrypt request objects to. Default: none, meaning the
    /// first `use: enc` RSA or EC key of the provider's JWKS, which
    /// [`Client::discover`](crate::Client::discover) fetches and puts here.
    pub request_object_encryption_key: Option<crate::jose::EncryptionKey>,
    /// The request object's `alg`. Default: none, meaning `RSA-OAEP-256` for an RSA key and
    /// `ECDH-ES` for an EC key.
    pub request_object_encryption_alg: Option<crate::jose::KeyManagement>,
    /// The request object's `enc`. Default: `A256GCM`.
    pub request_object_encryption_enc: crate::jose::ContentEncryption,
    /// The `alg` registered for ID token encryption: when set, an ID token that is not
    /// encrypted (934) or encrypted with another `alg` (954) is refused (Core §3.1.3.7 step 1).
    /// Default: none (encrypted or not, both accepted).
    pub id_token_encrypted_response_alg: Option<crate::jose::KeyManagement>,
    /// The `alg` registered for UserInfo encryption: when set, a UserInfo response that is not
    /// encrypted (934) or encrypted with another `alg` (954) is refused. Default: none.
    pub userinfo_encrypted_response_alg: Option<crate::jose::KeyManagement>,
    /// Resource indicators (RFC 8707): each is sent as a `resource` parameter with the
    /// authorization request (and PAR), the code exchange and refreshes, so the access token
    /// is meant for (has the audience of) those resources. Absolute URIs without a fragment.
    /// Default: none.
    pub resource: Vec<String>,
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
            .field("pushed_authorization", &self.pushed_authorization)
            .field("request_object", &self.request_object)
            .field("dpop", &self.dpop)
            .field("dpop_key", &self.dpop_key)
            .field("fapi2", &self.fapi2)
            .field("decryption_keys", &self.decryption_keys)
            .field("encrypt_request_object", &self.encrypt_request_object)
            .field(
                "request_object_encryption_key",
                &self.request_object_encryption_key,
            )
            .field(
                "request_object_encryption_alg",
                &self.request_object_encryption_alg,
            )
            .field(
                "request_object_encryption_enc",
                &self.request_object_encryption_enc,
            )
            .field(
                "id_token_encrypted_response_alg",
                &self.id_token_encrypted_response_alg,
            )
            .field(
                "userinfo_encrypted_response_alg",
                &self.userinfo_encrypted_response_alg,
            )
            .field("resource", &self.resource)
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
            pushed_authorization: false,
            request_object: false,
            dpop: false,
            dpop_key: None,
            fapi2: false,
            decryption_keys: Vec::new(),
            encrypt_request_object: false,
            request_object_encryption_key: None,
            request_object_encryption_alg: None,
            request_object_encryption_enc: crate::jose::ContentEncryption::A256Gcm,
            id_token_encrypted_response_alg: None,
            userinfo_encrypted_response_alg: None,
            resource: Vec::new(),
            dangerous: Dangerous::default(),
        }
    }

    /// Switches to the FAPI 2.0 Security Profile (builder style): PAR, PKCE S256 and DPoP on.
    /// Building the client then refuses (code 953, naming the rule) anything else the profile
    /// forbids: client authentication other than `private_key_jwt` / `tls_client_auth`, tokens
    /// neither DPoP- nor mTLS-bound, a provider without RFC 9207 `iss`, implicit or hybrid
    /// response types, algorithms other than ES256 / PS256; the password grant and plain
    /// authorization URLs are refused too. Set `client_key` (ES256 or PS256).
    pub fn fapi2(mut self) -> ClientConfig {
        self.fapi2 = true;
        self.pushed_authorization = true;
        self.use_pkce = true;
        self.pkce_method = PkceMethod::S256;
        self.dpop = true;
        self
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
