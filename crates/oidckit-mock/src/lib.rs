//! # oidckit-mock — an embeddable mock OpenID Provider
//!
//! `oidckit-mock` runs a small, real HTTP/1.1 OpenID Provider on `127.0.0.1` inside your test
//! process. It exists to exercise OpenID Connect **Relying Parties** — first of all the
//! `oidckit` library's own test-suite — end to end: discovery, JWKS, the authorization
//! endpoint (code, implicit and hybrid flows; query, fragment and `form_post` response
//! modes; PKCE), the token endpoint (authorization code and refresh token grants with
//! rotation; `client_secret_basic`, `client_secret_post` and public clients), UserInfo
//! (plain JSON or signed JWT) and RP-initiated logout.
//!
//! Its distinguishing feature is **misbehavior switches** ([`Misbehavior`]): each one makes
//! the provider break the protocol in exactly one way (a bad ID-token signature, `alg: none`,
//! the RS256→HS256 key-confusion attack, a wrong `iss`/`aud`/`nonce`, a mismatching discovery
//! issuer, a hanging or 50 MB response, …) so that tests can check that a relying party
//! rejects it.
//!
//! The JOSE code here is intentionally independent of `oidckit` (keys from `aws-lc-rs`,
//! signatures from `jsonwebtoken`, `at_hash`/`c_hash` from `sha2`), so a test can never
//! "confirm" a bug that the library and the mock share.
//!
//! **This is NOT a production OpenID Provider.** It keeps everything in memory, trusts any
//! loopback redirect URI by default, authenticates nobody (the one configured user is
//! always "logged in"), and exists only for tests and demos.
//!
//! ```no_run
//! use oidckit_mock::{MockConfig, MockProvider, Misbehavior};
//!
//! let op = MockProvider::start(MockConfig::default()).expect("mock provider starts");
//! println!("discovery at {}", op.discovery_url());
//! op.set_misbehavior(Misbehavior::IdTokenWrongNonce);
//! // … drive your relying party against op.issuer() …
//! op.stop();
//! ```

pub mod browser;
mod encryption;
mod keys;
mod server;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::{Map, Value, json};

pub use browser::follow_authorization;
pub use encryption::MockEncryption;
pub use server::RecordedRequest;
use server::Shared;

/// A JWS signing algorithm the mock provider can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(clippy::upper_case_acronyms)]
pub enum SigningAlg {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256.
    PS256,
    /// RSASSA-PSS with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512.
    PS512,
    /// ECDSA P-256 with SHA-256.
    ES256,
    /// ECDSA P-384 with SHA-384.
    ES384,
    /// Ed25519.
    EdDSA,
    /// HMAC SHA-256, keyed with the client secret.
    HS256,
    /// HMAC SHA-384, keyed with the client secret.
    HS384,
    /// HMAC SHA-512, keyed with the client secret.
    HS512,
}

/// An endpoint of the mock provider, for the endpoint-level misbehaviors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// `GET /.well-known/openid-configuration`.
    Discovery,
    /// `GET /jwks`.
    Jwks,
    /// `GET|POST /authorize`.
    Authorize,
    /// `POST /token`.
    Token,
    /// `GET|POST /userinfo`.
    UserInfo,
}

/// A switch that makes the provider misbehave in exactly one way.
///
/// Several can be active at once ([`MockProvider::set_misbehavior`] adds one); they are
/// cleared with [`MockProvider::clear_misbehaviors`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Misbehavior {
    /// Flip bits in the ID token's signature.
    IdTokenBadSignature,
    /// Unsigned ID token: header `{"alg":"none","typ":"JWT"}` and an empty signature.
    IdTokenAlgNone,
    /// An HS256 ID token whose HMAC key is the active RSA public key as SPKI PEM text
    /// (`-----BEGIN PUBLIC KEY-----\n…\n-----END PUBLIC KEY-----\n`, 64-column lines) — the
    /// RS/HS key-confusion attack. The header `kid` is the RSA key's kid.
    IdTokenHs256WithRsaPublicKey,
    /// `iss` is not the provider's issuer.
    IdTokenWrongIssuer,
    /// `aud` does not contain the client id.
    IdTokenWrongAudience,
    /// `aud = [client_id, "other-client"]`, `azp = "other-client"`.
    IdTokenWrongAzp,
    /// `aud = [client_id, "other-client"]` and no `azp`.
    IdTokenMultipleAudNoAzp,
    /// `nonce` differs from the one in the authorization request.
    IdTokenWrongNonce,
    /// `nonce` omitted even though the request had one.
    IdTokenMissingNonce,
    /// `exp` one hour in the past (and `iat` two hours in the past).
    IdTokenExpired,
    /// No `iat` claim.
    IdTokenMissingIat,
    /// `iat` one hour in the future.
    IdTokenIatInFuture,
    /// No `sub` claim.
    IdTokenMissingSub,
    /// `at_hash` does not match the access token.
    IdTokenBadAtHash,
    /// `c_hash` does not match the code (hybrid flows).
    IdTokenBadCHash,
    /// No `kid` in the header (combine with [`MockProvider::add_key`] to get "several keys fit").
    IdTokenNoKid,
    /// Header `crit: ["exp-ext"]` with an `exp-ext` header parameter the RP cannot understand.
    IdTokenUnknownCrit,
    /// `auth_time` two days in the past (for `max_age` tests).
    IdTokenAuthTimeOld,
    /// The discovery document's `issuer` differs from the URL it is served at.
    DiscoveryIssuerMismatch,
    /// The discovery endpoint answers 200 with truncated JSON.
    DiscoveryMalformedJson,
    /// The RFC 9207 `iss` parameter of the authorization response is wrong.
    AuthResponseWrongIss,
    /// The `state` echoed in the authorization response is altered.
    AuthResponseWrongState,
    /// The authorization endpoint redirects back with `error=<value>` (plus
    /// `error_description` and `state`), e.g. `"access_denied"`.
    AuthResponseError(String),
    /// UserInfo returns a `sub` different from the ID token's.
    UserinfoWrongSub,
    /// The token endpoint answers `400 {"error":"invalid_grant",…}` to everything.
    TokenInvalidGrant,
    /// The token endpoint answers 200 with a body that is not JSON.
    TokenMalformedJson,
    /// The JWKS endpoint answers 200 with truncated JSON.
    JwksMalformedJson,
    /// Never answer on that endpoint (until the provider shuts down).
    Hang(Endpoint),
    /// Answer 200 on that endpoint with a 50 MB `application/json` body, streamed in chunks
    /// with chunked transfer-encoding (no `Content-Length`).
    HugeResponse(Endpoint),
    /// The n-th token poll (1-based) of every device code answers `slow_down` (and the
    /// provider's interval for that code grows by 5 s), whatever the timing.
    DeviceSlowDown(u32),
    /// Every successful JSON response at `path` (e.g. `"/token"`, `"/device_authorization"`,
    /// `"/.well-known/openid-configuration"`) has its top-level member `member` set to `json`,
    /// raw JSON text written as given (so `18446744073709551615`, `1e400` or `"http://x"`
    /// reach the client unchanged).
    JsonMember {
        /// The request path.
        path: String,
        /// The member name.
        member: String,
        /// The raw JSON value.
        json: String,
    },
    /// Every successful JSON response at `path` repeats its top-level member `member` (same
    /// value) at the end of the object.
    JsonRepeatedMember {
        /// The request path.
        path: String,
        /// The member name.
        member: String,
    },
    /// Every successful JSON response at `path` starts with a UTF-8 byte-order mark.
    JsonByteOrderMark {
        /// The request path.
        path: String,
    },
    /// The authorization endpoint redirects back with this `error` and `error_description`
    /// (for hostile texts: control characters, ANSI and OSC-8 sequences).
    AuthResponseErrorText {
        /// The `error` value.
        error: String,
        /// The `error_description` value.
        description: String,
    },
    /// The token endpoint answers `400` with this `error` and `error_description`.
    TokenErrorText {
        /// The `error` value.
        error: String,
        /// The `error_description` value.
        description: String,
    },
    /// The device authorization response shows these `user_code` and `verification_uri`
    /// (and `verification_uri_complete` = the URI with `?user_code=`) instead of the real
    /// ones; the device code stays pending.
    DeviceDisplayText {
        /// The `user_code` shown.
        user_code: String,
        /// The `verification_uri` shown.
        verification_uri: String,
    },
    /// The discovery document's member `.0` is set to the JSON value `.1` (JSON text, e.g.
    /// `"[\"a\\u001b[2J\"]"`), added or replacing the real one.
    DiscoveryMember(String, String),
    /// Token responses (code exchange and refresh) carry no `id_token` (Core §12.2 lets a
    /// refresh response omit it).
    TokenOmitsIdToken,
    /// The pushed authorization request endpoint answers 201 without `request_uri`.
    ParMissingRequestUri,
    /// The token endpoint answers `token_type: DPoP` even to requests without a proof.
    DpopTokenTypeWithoutProof,
    /// The token endpoint ignores DPoP proofs: `token_type: Bearer`, tokens not bound.
    DpopIgnored,
    /// `use_dpop_nonce` answers carry no `DPoP-Nonce` header.
    DpopNonceWithoutHeader,
    /// JARM responses carry a signature that does not verify.
    JarmBadSignature,
    /// JARM responses name another audience than the client.
    JarmWrongAudience,
    /// Encrypted ID tokens, UserInfo and JARM responses carry an altered authentication tag.
    JweBadTag,
    /// RFC 8414 mode: `/.well-known/openid-configuration` is 404 and the metadata is served at
    /// `/.well-known/oauth-authorization-server` + this path (e.g. `"/tenant"`, or `""`),
    /// with the issuer `http://127.0.0.1:PORT` + the path (RFC 8414 §3.1 insertion rule).
    AuthorizationServerMetadataOnly(String),
    /// Dynamic registration (`/register`) answers without `client_id`.
    RegistrationOmitsClientId,
    /// The protected resource metadata names another `resource` than the URL it describes.
    ResourceMetadataWrongResource,
    /// The protected resource metadata names this authorization server instead of the mock.
    ResourceMetadataAuthorizationServer(String),
    /// The protected resource answers 401 without a `resource_metadata` challenge (clients
    /// must then use the well-known URL).
    ResourceNoChallenge,
}

/// A client (relying party) registered at the mock provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockClient {
    /// The `client_id`.
    pub client_id: String,
    /// The client secret; `None` for a public client (which must use PKCE).
    pub client_secret: Option<String>,
    /// Allowed redirect URIs (exact match). Empty = accept any `http` redirect to
    /// `127.0.0.1`, `localhost` or `[::1]`.
    pub redirect_uris: Vec<String>,
}

impl MockClient {
    /// A confidential client accepting any loopback redirect URI.
    pub fn confidential(client_id: impl Into<String>, secret: impl Into<String>) -> Self {
        MockClient {
            client_id: client_id.into(),
            client_secret: Some(secret.into()),
            redirect_uris: Vec::new(),
        }
    }

    /// A public client (no secret, PKCE required) accepting any loopback redirect URI.
    pub fn public(client_id: impl Into<String>) -> Self {
        MockClient {
            client_id: client_id.into(),
            client_secret: None,
            redirect_uris: Vec::new(),
        }
    }
}

/// The single end-user of the mock provider (always "logged in").
#[derive(Debug, Clone, PartialEq)]
pub struct MockUser {
    /// The subject identifier.
    pub sub: String,
    /// All other claims (standard OpenID Connect claims are released per scope; any other
    /// claim is always released).
    pub claims: Map<String, Value>,
}

impl Default for MockUser {
    fn default() -> Self {
        let claims = json!({
            "name": "Jane Doe",
            "given_name": "Jane",
            "family_name": "Doe",
            "preferred_username": "j.doe",
            "email": "janedoe@example.com",
            "email_verified": true,
            "picture": "http://example.com/janedoe/me.jpg",
            "locale": "en-US",
            "zoneinfo": "America/Los_Angeles",
            "birthdate": "1990-01-01",
            "updated_at": 1_700_000_000u64,
            "address": {
                "formatted": "1234 Hollywood Blvd.\nLos Angeles, CA 90210\nUS",
                "street_address": "1234 Hollywood Blvd.",
                "locality": "Los Angeles",
                "region": "CA",
                "postal_code": "90210",
                "country": "US"
            },
            "phone_number": "+1 (310) 123-4567",
            "phone_number_verified": false
        });
        MockUser {
            sub: "248289761001".to_owned(),
            claims: match claims {
                Value::Object(m) => m,
                _ => Map::new(),
            },
        }
    }
}

/// Configuration of a [`MockProvider`].
#[derive(Debug, Clone, PartialEq)]
pub struct MockConfig {
    /// Registered clients. Default: confidential `test-client` / `test-secret`
    /// (`client_secret_basic` or `client_secret_post`) and public `public-client` (PKCE
    /// required), both accepting any loopback redirect URI.
    pub clients: Vec<MockClient>,
    /// The end-user.
    pub user: MockUser,
    /// Algorithm for ID tokens and signed UserInfo responses. Default RS256.
    pub id_token_alg: SigningAlg,
    /// `true` (default): `/authorize` redirects back at once. `false`: it shows a minimal
    /// HTML login page whose form POSTs back to `/authorize` with `mock_decision=approve`
    /// (or `deny` → `error=access_denied`).
    pub auto_approve: bool,
    /// `false` (default): UserInfo answers JSON; `true`: `application/jwt` signed with
    /// `id_token_alg`.
    pub userinfo_signed: bool,
    /// Lifetime of access and ID tokens in seconds. Default 3600.
    pub token_ttl_secs: u64,
    /// Issue refresh tokens (rotated on every use). Default true.
    pub refresh_tokens: bool,
    /// Refresh token reuse detection, as some providers do it: presenting a refresh token
    /// that was already used (rotated) revokes every refresh token of its chain, so the
    /// client that still holds the newest one can no longer refresh either. Default false
    /// (a used token is only refused).
    pub refresh_reuse_revokes_chain: bool,
    /// Advertise and send the RFC 9207 `iss` authorization-response parameter. Default true.
    pub advertise_iss_parameter: bool,
    /// Device flow (RFC 8628) polling interval in seconds. Default 5.
    pub device_interval_secs: u64,
    /// Lifetime of device codes in seconds. Default 600.
    pub device_code_ttl_secs: u64,
    /// The user's password for the password grant (username: `preferred_username` or `sub`).
    /// Default `"password"`.
    pub user_password: String,
    /// The provider session id put in every ID token as `sid` (for back-channel logout
    /// tests); `None` sends no `sid`. Default `None`.
    pub session_id: Option<String>,
    /// Refuse authorization requests that were not pushed (RFC 9126 §5) and advertise
    /// `require_pushed_authorization_requests`. Default false.
    pub require_par: bool,
    /// Require a DPoP server nonce (RFC 9449 §8, §9) in proofs at `/token` and `/userinfo`.
    /// Default false.
    pub dpop_nonce: bool,
    /// Sign, then encrypt ID tokens (`cty: JWT`) to this key. Default none (signed only).
    pub id_token_encryption: Option<MockEncryption>,
    /// Encrypt UserInfo responses to this key (`application/jwt`): the signed JWT when
    /// `userinfo_signed` (`cty: JWT`), else the JSON claims. Default none.
    pub userinfo_encryption: Option<MockEncryption>,
    /// Sign, then encrypt JARM response JWTs (`cty: JWT`) to this key. Default none.
    pub jarm_encryption: Option<MockEncryption>,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            clients: vec![
                MockClient::confidential("test-client", "test-secret"),
                MockClient::public("public-client"),
            ],
            user: MockUser::default(),
            id_token_alg: SigningAlg::RS256,
            auto_approve: true,
            userinfo_signed: false,
            token_ttl_secs: 3600,
            refresh_tokens: true,
            refresh_reuse_revokes_chain: false,
            advertise_iss_parameter: true,
            device_interval_secs: 5,
            device_code_ttl_secs: 600,
            user_password: "password".to_owned(),
            session_id: None,
            require_par: false,
            dpop_nonce: false,
            id_token_encryption: None,
            userinfo_encryption: None,
            jarm_encryption: None,
        }
    }
}

/// A running mock OpenID Provider. Dropping it (or calling [`MockProvider::stop`]) shuts
/// the server down and joins its thread.
#[derive(Debug)]
pub struct MockProvider {
    shared: Arc<Shared>,
    port: u16,
    shutdown: tokio::sync::watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl MockProvider {
    /// Start on `127.0.0.1` on a random port, on its own thread with its own tokio runtime,
    /// so it works from sync code, from `#[tokio::test]` and from inside another runtime.
    /// Returns once the socket is listening.
    pub fn start(config: MockConfig) -> std::io::Result<MockProvider> {
        Self::start_on(config, 0)
    }

    /// Like [`MockProvider::start`] but on the given port (0 = random).
    pub fn start_on(config: MockConfig, port: u16) -> std::io::Result<MockProvider> {
        let listener = std::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))?;
        listener.set_nonblocking(true)?;
        let port = listener.local_addr()?.port();
        let issuer = format!("http://127.0.0.1:{port}");

        let (tx, rx) = tokio::sync::watch::channel(false);
        let shared =
            Arc::new(Shared::new(issuer, config, rx.clone()).map_err(std::io::Error::other)?);

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("oidckit-mock")
            .enable_all()
            .build()?;
        let app_state = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name(format!("oidckit-mock-{port}"))
            .spawn(move || {
                runtime.block_on(server::serve(listener, app_state, rx));
                // Hanging or still-streaming connections must not keep us alive.
                runtime.shutdown_timeout(Duration::from_millis(200));
            })?;

        Ok(MockProvider {
            shared,
            port,
            shutdown: tx,
            thread: Some(thread),
        })
    }

    /// The issuer identifier, `http://127.0.0.1:PORT` (no trailing slash).
    pub fn issuer(&self) -> String {
        self.shared.issuer.clone()
    }

    /// The TCP port the provider listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The discovery document URL: issuer + `/.well-known/openid-configuration`.
    pub fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.shared.issuer)
    }

    /// Turn a misbehavior switch on (switches accumulate).
    pub fn set_misbehavior(&self, m: Misbehavior) {
        let mut inner = self.shared.lock();
        if !inner.misbehaviors.contains(&m) {
            inner.misbehaviors.push(m);
        }
    }

    /// Turn every misbehavior switch off.
    pub fn clear_misbehaviors(&self) {
        self.shared.lock().misbehaviors.clear();
    }

    /// The currently active misbehavior switches.
    pub fn misbehaviors(&self) -> Vec<Misbehavior> {
        self.shared.lock().misbehaviors.clone()
    }

    /// Replace every signing key with a freshly generated one of the same algorithm (one
    /// per algorithm, new kids). The old keys disappear from the JWKS and tokens are signed
    /// with the new keys from now on.
    pub fn rotate_keys(&self) {
        self.shared.rotate_keys();
    }

    /// Add another key for `alg` to the JWKS without changing the active signer (e.g. a
    /// second RSA key). No-op for the HMAC algorithms, which use the client secret.
    pub fn add_key(&self, alg: SigningAlg) {
        self.shared.add_key(alg);
    }

    /// The current public JWKS, `{"keys":[…]}`.
    pub fn jwks(&self) -> Value {
        self.shared.jwks()
    }

    /// The kid of the key that signs ID tokens (empty for HMAC `id_token_alg`s, which have
    /// no kid).
    pub fn active_kid(&self) -> String {
        self.shared.active_kid()
    }

    /// The SubjectPublicKeyInfo PEM text of the RSA key used by
    /// [`Misbehavior::IdTokenHs256WithRsaPublicKey`] (the active RSA key; one is generated
    /// if the provider has none) — the exact bytes that key the forged HS256 tokens.
    pub fn rsa_public_key_pem(&self) -> String {
        match self.shared.confusion_rsa_key() {
            Ok(k) => k.spki_pem.unwrap_or_default(),
            // See `sign_jwt_with_header`: only an aws-lc internal failure gets here.
            Err(e) => panic!("oidckit-mock: RSA key generation failed: {e}"),
        }
    }

    /// Sign arbitrary claims as a compact JWS with header `{alg, kid, typ:"JWT"}`: the
    /// active key for `alg` (generated and added to the JWKS on first use), or for HS* the
    /// secret of the client named by a string `aud` claim (else the first confidential
    /// client).
    pub fn sign_jwt(&self, claims: &Value, alg: SigningAlg) -> String {
        self.sign_jwt_with_header(claims, alg, &Value::Null)
    }

    /// Like [`MockProvider::sign_jwt`], with the members of `header_extras` (a JSON object,
    /// or null) merged into the header (they may override `typ`/`kid`, even `alg`).
    pub fn sign_jwt_with_header(
        &self,
        claims: &Value,
        alg: SigningAlg,
        header_extras: &Value,
    ) -> String {
        match self.shared.sign_custom(claims, alg, header_extras) {
            Ok(t) => t,
            // Keys are generated by aws-lc-rs at runtime and signing with them cannot fail
            // short of an aws-lc internal error; there is no sensible token to return then.
            Err(e) => panic!("oidckit-mock: signing failed: {e}"),
        }
    }

    /// A valid back-channel logout token (OpenID Connect Back-Channel Logout 1.0 §2.4) for
    /// `client_id`, signed like the ID tokens: `iss`, `aud`, `iat`, `exp` (+2 min), a fresh `jti`,
    /// the `events` member, and `sub` and/or `sid` as given. Tests POST it as `logout_token`.
    pub fn logout_token(&self, client_id: &str, sub: Option<&str>, sid: Option<&str>) -> String {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let jti = {
            let mut b = [0u8; 16];
            aws_lc_rs::rand::fill(&mut b).unwrap_or(());
            b.iter().map(|x| format!("{x:02x}")).collect::<String>()
        };
        let mut claims = serde_json::json!({
            "iss": self.issuer(),
            "aud": client_id,
            "iat": now,
            "exp": now + 120,
            "jti": jti,
            "events": { "http://schemas.openid.net/event/backchannel-logout": {} },
        });
        if let Some(map) = claims.as_object_mut() {
            if let Some(sub) = sub {
                map.insert("sub".into(), sub.into());
            }
            if let Some(sid) = sid {
                map.insert("sid".into(), sid.into());
            }
        }
        self.sign_jwt_with_header(
            &claims,
            self.shared.config.id_token_alg,
            &serde_json::json!({"typ": "logout+jwt"}),
        )
    }

    /// Registers a public key (SPKI PEM or a public JWK) for `client_id`: client assertions
    /// (`private_key_jwt`) from that client, and JWT bearer grant assertions whose `iss` is
    /// `client_id` (e.g. a service account's e-mail), must verify with one of its keys. A
    /// registered client can no longer authenticate without an assertion. Err for an
    /// unusable key.
    pub fn register_client_key(&self, client_id: &str, public_key: &str) -> Result<(), String> {
        let key = server::ClientKey::parse(public_key)?;
        self.shared.lock().extra.add_key(client_id, key);
        Ok(())
    }

    /// Approves the device authorization with this user code (as the user would on the
    /// verification page). False when there is no such pending code.
    pub fn approve_device(&self, user_code: &str) -> bool {
        self.shared
            .lock()
            .extra
            .set_device(user_code, server::DeviceStatus::Approved)
    }

    /// Denies the device authorization with this user code: polls get `access_denied`.
    pub fn deny_device(&self, user_code: &str) -> bool {
        self.shared
            .lock()
            .extra
            .set_device(user_code, server::DeviceStatus::Denied)
    }

    /// Expires the device code with this user code now: polls get `expired_token`.
    pub fn expire_device(&self, user_code: &str) -> bool {
        self.shared.lock().extra.expire_device(user_code)
    }

    /// When each token poll for this user code arrived, oldest first.
    pub fn device_poll_times(&self, user_code: &str) -> Vec<std::time::Instant> {
        self.shared.lock().extra.poll_times(user_code)
    }

    /// Every request the provider has received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    /// Forget the recorded requests.
    pub fn clear_requests(&self) {
        self.shared.lock().requests.clear();
    }

    /// Shut the server down and join its thread (also done on drop).
    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for MockProvider {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
