//! The one error type of the library, with the seed's stable numeric codes.
//!
//! Every failure the library reports is an [`Error`]. [`Error::code`] gives the number the
//! seed's OpenID class uses for it (900–903 for OpenID Connect failures, 151 for HTTP errors,
//! 201 for timeouts, …). Codes the seed does not define live in the 904–949 range and are
//! documented on each variant. A code is API: it is never reused or renumbered.

use std::fmt;

/// Result type used throughout the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Boxed source error kept opaque so that dependency types never leak into our API.
type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Which ID token check failed. Carried by [`Error::IdTokenClaim`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClaimCheck {
    /// A required claim is absent.
    Missing,
    /// The claim has the wrong JSON type.
    WrongType,
    /// The claim's value is not the expected one.
    Mismatch,
    /// The token has expired (`exp` is in the past, beyond the leeway).
    Expired,
    /// The token is not valid yet (`nbf` or `iat` in the future, beyond the leeway).
    NotYetValid,
    /// `auth_time` is older than `max_age` allows.
    TooOld,
}

/// What is wrong with a URL. Carried by [`Error::InvalidUrl`]; decides its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UrlProblem {
    /// Not an absolute URL, or no server in it (code 152).
    NoServer,
    /// A scheme that is not allowed here, e.g. `http` for a non-loopback host (code 153).
    Scheme,
}

/// The error type of every fallible operation in this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Code 900. The discovery document could not be fetched as JSON or lacks a required field.
    #[error("invalid discovery document from {url}: {reason}")]
    InvalidDiscoveryDocument {
        /// Where the document was fetched from.
        url: String,
        /// What is wrong with it.
        reason: String,
    },

    /// Code 900. The `issuer` in the discovery document is not the issuer it was fetched for
    /// (OpenID Connect Discovery §4.3). This is how a man-in-the-middle or a misconfigured
    /// proxy shows up; check the issuer URL you configured, including its trailing slash.
    #[error(
        "discovery document issuer mismatch: expected {expected:?}, document says {found:?}; check the configured issuer URL (trailing slash and path included)"
    )]
    IssuerMismatch {
        /// The issuer the client was configured with.
        expected: String,
        /// The issuer the document claims.
        found: String,
    },

    /// Code 901. The ID token (or another JWT) is not a well-formed compact JWS.
    #[error("ID token could not be parsed: {reason}")]
    MalformedIdToken {
        /// What is wrong with it.
        reason: String,
    },

    /// Code 902. The response type (or grant type) is not one this library knows.
    #[error(
        "invalid response type {response_type:?}: use one of code, id_token, \"id_token token\", \"code id_token\", \"code token\", \"code id_token token\""
    )]
    InvalidResponseType {
        /// The value that was given.
        response_type: String,
    },

    /// Code 903. The token's `alg` is not in the allow-list (`none` never is; HMAC algorithms
    /// only when a client secret is configured).
    #[error("ID token verification failed: algorithm {alg:?} is not allowed (allowed: {allowed})")]
    AlgorithmNotAllowed {
        /// The algorithm named in the token header.
        alg: String,
        /// The allowed algorithms, comma separated.
        allowed: String,
    },

    /// Code 903. No key in the provider's JWKS (or the configured signer key) fits the token.
    #[error(
        "ID token verification failed: no signing key found for kid {} and alg {alg} ({candidates} keys fit; a kid-less token needs exactly one)", quoted(kid.as_deref())
    )]
    NoMatchingKey {
        /// The `kid` of the token header, if any.
        kid: Option<String>,
        /// The token's algorithm.
        alg: String,
        /// How many keys fit the algorithm (relevant for kid-less tokens).
        candidates: usize,
    },

    /// Code 903. The signature does not verify with the selected key.
    #[error("ID token verification failed: signature did not verify (alg {alg}, kid {})", quoted(kid.as_deref()))]
    BadSignature {
        /// The token's algorithm.
        alg: String,
        /// The key id used.
        kid: Option<String>,
    },

    /// Code 903. The header lists a critical extension this library does not understand (RFC 7515 §4.1.11).
    #[error("ID token verification failed: unsupported critical header parameter {name:?}")]
    UnsupportedCriticalHeader {
        /// The name listed in `crit`.
        name: String,
    },

    /// Code 903. A claim check of OpenID Connect Core §3.1.3.7 failed.
    #[error("ID token verification failed: claim `{claim}` {}", describe_claim(*check, expected.as_deref(), found.as_deref()))]
    IdTokenClaim {
        /// The claim name (`iss`, `aud`, `azp`, `exp`, `iat`, `nonce`, `at_hash`, …).
        claim: &'static str,
        /// What kind of check failed.
        check: ClaimCheck,
        /// What was expected, when meaningful.
        expected: Option<String>,
        /// What the token had, when meaningful.
        found: Option<String>,
    },

    /// Code 903. The JSON Web Key Set (or a configured key) could not be used.
    #[error("invalid signing keys: {reason}")]
    InvalidKey {
        /// What is wrong.
        reason: String,
    },

    /// Code 151. The server answered with an HTTP error status.
    #[error("HTTP {status} from {url}: {}", snippet(body))]
    HttpStatus {
        /// The URL without its query.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// The (possibly truncated) response body.
        body: String,
    },

    /// Code 151. An OAuth 2.0 endpoint (token, userinfo, …) answered with an RFC 6749 §5.2 error.
    #[error("{endpoint} endpoint returned error {error:?}{}", description(error_description.as_deref()))]
    OAuth {
        /// Which endpoint (`token`, `userinfo`, …).
        endpoint: &'static str,
        /// The HTTP status code.
        status: u16,
        /// The `error` code, e.g. `invalid_grant`.
        error: String,
        /// The provider's `error_description`.
        error_description: Option<String>,
        /// The provider's `error_uri`.
        error_uri: Option<String>,
    },

    /// Code 152 or 153, by [`UrlProblem`]. A URL is unusable: not absolute or no host (152),
    /// or a scheme that is not allowed (153).
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        reason: String,
        /// Which kind of problem; it decides the code.
        problem: UrlProblem,
    },

    /// Code 201. The operation did not finish within the configured timeout.
    #[error(
        "timed out after {seconds} s waiting for {what}; raise the timeout or check that the server is reachable"
    )]
    Timeout {
        /// What was being waited for (a URL without query, or "browser response").
        what: String,
        /// The timeout that elapsed.
        seconds: u64,
    },

    /// Code 10061. The server refused the connection.
    #[error("connection refused by {url}; is the server running?")]
    ConnectionRefused {
        /// The URL without its query.
        url: String,
    },

    /// Code 11001. The host name could not be resolved.
    #[error("host not found: {url}")]
    HostNotFound {
        /// The URL without its query.
        url: String,
    },

    /// Code 118. The proxy or firewall failed: it refused the credentials (HTTP 407, a
    /// SOCKS authentication failure), denied the tunnel, or could not be reached.
    #[error(
        "proxy {proxy} failed: {answer}; check the proxy/firewall host, port, user and password"
    )]
    Proxy {
        /// The proxy or firewall, `host:port (kind)`.
        proxy: String,
        /// What the proxy answered (status line and body, or the SOCKS/tunnel error).
        answer: String,
        /// The underlying error.
        #[source]
        source: Option<Source>,
    },

    /// Code 1120. Any other transport failure (reset connection, TLS failure, …).
    #[error("connection to {url} failed: {reason}")]
    Connection {
        /// The URL without its query.
        url: String,
        /// What went wrong.
        reason: String,
        /// The underlying error.
        #[source]
        source: Option<Source>,
    },

    /// Code 904. The authorization response carries an OAuth error (e.g. `access_denied`).
    #[error("authorization failed: {error}{}", description(error_description.as_deref()))]
    AuthorizationDenied {
        /// The `error` code from the provider.
        error: String,
        /// The provider's `error_description`.
        error_description: Option<String>,
        /// The provider's `error_uri`.
        error_uri: Option<String>,
    },

    /// Code 905. The `state` in the authorization response is missing or not the one sent:
    /// the response belongs to another request, or it is a CSRF attempt.
    // The message never shows the expected state: it may reach the page of whoever forged
    // the response.
    #[error(
        "state mismatch in authorization response: its state is {}, not the one sent; the response does not belong to this request", quoted(found.as_deref())
    )]
    StateMismatch {
        /// The state that was sent.
        expected: String,
        /// The state that came back.
        found: Option<String>,
    },

    /// Code 906. The authorization response's `iss` parameter (RFC 9207) is missing or wrong,
    /// which is how a mix-up attack shows.
    #[error("authorization response issuer mismatch: expected {expected:?}, found {}", quoted(found.as_deref()))]
    ResponseIssuerMismatch {
        /// The provider's issuer.
        expected: String,
        /// The `iss` parameter received.
        found: Option<String>,
    },

    /// Code 906. The authorization response lacks a value the response type requires.
    #[error("invalid authorization response: {reason}")]
    InvalidAuthorizationResponse {
        /// What is missing or wrong.
        reason: String,
    },

    /// Code 907. The UserInfo response is unusable or its `sub` is not the ID token's.
    #[error("invalid userinfo response: {reason}")]
    InvalidUserInfo {
        /// What is wrong.
        reason: String,
    },

    /// Code 908. A token endpoint response is not valid JSON or lacks required fields.
    #[error("invalid token response: {reason}")]
    InvalidTokenResponse {
        /// What is wrong.
        reason: String,
    },

    /// Code 909. A response body exceeded the configured size limit and was not read further.
    #[error(
        "response from {url} exceeds the {limit}-byte limit; raise the limit (HttpConfig::max_response_size) if this is expected"
    )]
    ResponseTooLarge {
        /// The URL without its query.
        url: String,
        /// The limit in bytes.
        limit: u64,
    },

    /// Code 910. The device authorization response (RFC 8628 §3.2) is not JSON or lacks
    /// `device_code`, `user_code` or `verification_uri`.
    #[error("invalid device authorization response: {reason}")]
    InvalidDeviceAuthorization {
        /// What is wrong.
        reason: String,
    },

    /// Code 911. A private key for signing (client assertion, JWT bearer grant) cannot be
    /// read or used: unknown PEM label, encrypted PEM, unsupported key type or algorithm.
    #[error("unusable private key: {reason}")]
    InvalidPrivateKey {
        /// What is wrong.
        reason: String,
    },

    /// Code 912. A PKCS#12 (.p12/.pfx) file cannot be opened: not PKCS#12, wrong password
    /// (the integrity check fails), or no private key inside.
    #[error("cannot read PKCS#12 file: {reason}; check the file and its password")]
    InvalidPkcs12 {
        /// What is wrong.
        reason: String,
    },

    /// Code 913. A Google-style service account key (JSON) is not JSON or lacks a field.
    #[error("invalid service account key: {reason}")]
    InvalidServiceAccountKey {
        /// The missing or malformed field, when one is to blame.
        field: Option<&'static str>,
        /// What is wrong.
        reason: String,
    },

    /// Code 914. A token introspection (RFC 7662) or token info response is not a JSON
    /// object or lacks `active`.
    #[error("invalid token introspection response: {reason}")]
    InvalidIntrospection {
        /// What is wrong.
        reason: String,
    },

    /// Code 915. The token response's `token_type` is not one this client can use: only
    /// `Bearer` (compared case-insensitively, RFC 6749 §7.1, RFC 6750) is accepted. The tokens
    /// of that response are not used.
    #[error(
        "the token response's token_type is {token_type:?}, but only Bearer tokens are supported (RFC 6749 §7.1); the tokens were not used"
    )]
    UnsupportedTokenType {
        /// The `token_type` as sent (empty when it was missing).
        token_type: String,
    },

    /// Code 916. A JSON document from the provider (discovery, JWKS, token, device
    /// authorization, introspection or UserInfo response) repeats a member name in one
    /// object, so different parsers could read different values.
    #[error(
        "the {document} response repeats the member {member:?} in one JSON object; refusing an ambiguous document"
    )]
    RepeatedJsonMember {
        /// Which document (`discovery`, `JWKS`, `token`, `userinfo`, …).
        document: &'static str,
        /// The repeated member name.
        member: String,
    },

    /// Code 917. A URL the provider sent breaks the https rule (https, or http on a loopback
    /// host only, unless `dangerous().allow_http`): an endpoint of the discovery document or
    /// the device flow's `verification_uri` / `verification_uri_complete`. Nothing was
    /// requested, printed or opened with it.
    #[error("the provider's {field} {url:?} is not https; refusing to use it")]
    InsecureProviderUrl {
        /// The member that holds the URL.
        field: String,
        /// The URL as sent.
        url: String,
    },

    /// Code 920. A required setting is missing, or a method was called out of order.
    #[error("{what} is required: {hint}")]
    Missing {
        /// The setting or state that is missing.
        what: &'static str,
        /// What to do about it.
        hint: &'static str,
    },

    /// Code 921. A setting has a value that cannot be used.
    #[error("invalid value for {name}: {reason}")]
    InvalidSetting {
        /// The setting's name.
        name: String,
        /// Why the value is unusable.
        reason: String,
    },

    /// Code 930. The pushed authorization request endpoint (RFC 9126 §2.2) answered with
    /// something other than a JSON object with a `request_uri` string and a positive
    /// `expires_in`.
    #[error("invalid pushed authorization response: {reason}")]
    InvalidPushedAuthorizationResponse {
        /// What is wrong.
        reason: String,
    },

    /// Code 931. The provider requires pushed authorization requests (RFC 9126 §5) and a
    /// plain authorization URL was asked for, or PAR is wanted and the provider has no
    /// `pushed_authorization_request_endpoint`.
    #[error("pushed authorization requests (RFC 9126): {reason}")]
    PushedAuthorizationRequired {
        /// What is wrong and what to do.
        reason: &'static str,
    },

    /// Code 950. The token response's `token_type` does not fit DPoP (RFC 9449 §5): `DPoP`
    /// although this client sent no proof, or another type although it did.
    #[error("token_type {found:?} in the token response, expected {expected:?} (DPoP {state})")]
    DpopTokenType {
        /// The type this client expected.
        expected: &'static str,
        /// The type the provider sent.
        found: String,
        /// Whether DPoP was used: "was used" or "is off".
        state: &'static str,
    },

    /// Code 951. A server asked for a DPoP nonce (`use_dpop_nonce`, RFC 9449 §8/§9) without
    /// giving a usable one, or asked again after the retry with its nonce.
    #[error("DPoP nonce: {reason}")]
    DpopNonce {
        /// What went wrong.
        reason: &'static str,
    },

    /// Code 952. A JARM authorization response (`response` JWT) is missing, does not verify,
    /// or has a wrong `iss`, `aud` or `exp`; none of its parameters were used.
    #[error("invalid JWT-secured authorization response: {reason}")]
    InvalidJarmResponse {
        /// What is wrong.
        reason: String,
    },

    /// Code 953. The FAPI 2.0 profile ([`ClientConfig::fapi2`](crate::ClientConfig::fapi2))
    /// forbids this configuration or call; `rule` names the profile's rule.
    #[error("FAPI 2.0 rule \"{rule}\": {reason}")]
    Fapi2 {
        /// The rule, e.g. "PAR only", "PKCE S256", "client authentication".
        rule: &'static str,
        /// What is wrong and what to do.
        reason: String,
    },

    /// Code 960. A dynamic client registration response (RFC 7591 §3.2.1, RFC 7592 §3) is
    /// unusable: no `client_id`, a member of the wrong type, or not a JSON object.
    #[error("invalid client registration response from {url}: {reason}")]
    InvalidRegistrationResponse {
        /// The registration endpoint or client configuration URL (without query).
        url: String,
        /// What is wrong.
        reason: String,
    },

    /// Code 961. Protected resource metadata (RFC 9728) could not be found or is unusable: the
    /// resource answered without a `resource_metadata` challenge and has no well-known
    /// document, or the document is not JSON, lacks `resource`, or names no authorization server.
    #[error("invalid protected resource metadata from {url}: {reason}")]
    InvalidResourceMetadata {
        /// Where the document was (or would have been) fetched from.
        url: String,
        /// What is wrong.
        reason: String,
    },

    /// Code 962. The protected resource metadata names another resource than the one asked
    /// for (RFC 9728 §3.3): it must not be used, since it may come from an impostor.
    #[error(
        "protected resource metadata is for resource {found:?}, not {expected:?} (RFC 9728 §3.3); check the resource URL"
    )]
    ResourceMismatch {
        /// The resource URL asked for.
        expected: String,
        /// The `resource` the document names.
        found: String,
    },

    /// Code 963. None of the authorization servers the protected resource metadata names is
    /// on the caller's allow-list (`ResourceOptions::trusted_authorization_servers`).
    #[error(
        "the resource {resource:?} names only authorization servers that are not trusted ({}); add the one you trust to the allow-list", servers.join(", ")
    )]
    UntrustedAuthorizationServer {
        /// The resource URL.
        resource: String,
        /// The authorization servers the metadata names.
        servers: Vec<String>,
    },

    /// Code 954. A JWE's header asks for something refused by policy or not supported: `alg`
    /// `dir` or `RSA1_5`, an unknown `alg` or `enc`, compression (`zip`) or a `crit`
    /// extension. `reason` says why and what to register with the provider instead.
    #[error("encrypted token refused: {member} {value:?}: {reason}")]
    JweAlgorithmRefused {
        /// The header member: `alg`, `enc`, `zip`, `crit` or `epk`.
        member: &'static str,
        /// Its value (at most 64 characters).
        value: String,
        /// Why it is refused.
        reason: &'static str,
    },

    /// Code 955. A JWE is not a well-formed compact serialization (RFC 7516 §7.1): not five
    /// parts, a part that is not base64url, a header that is not a JSON object with `alg` and
    /// `enc`, an IV or tag of the wrong size, or more than the size limit.
    #[error("malformed encrypted token (JWE): {reason}")]
    MalformedJwe {
        /// What is wrong with it.
        reason: String,
    },

    /// Code 956. No configured decryption key fits the JWE: none has its `kid`, or none is of
    /// the key type (or curve) its `alg` needs. The provider encrypted to another key; check
    /// the `jwks` registered with it against `ClientConfig::decryption_keys`.
    #[error(
        "no decryption key fits this {alg} token (kid {kid}; {configured} key(s) configured); the provider encrypted it to another key",
        kid = quoted(kid.as_deref())
    )]
    NoDecryptionKey {
        /// The token's `kid`, if any.
        kid: Option<String>,
        /// The token's `alg`.
        alg: &'static str,
        /// How many decryption keys are configured.
        configured: usize,
    },

    /// Code 957. A JWE did not decrypt: its authentication tag did not verify under any fitting
    /// key. It was altered in transit, or encrypted to another key of the same type.
    #[error(
        "the encrypted token ({alg}, {enc}, kid {kid}) did not decrypt: altered, or encrypted to another key",
        kid = quoted(kid.as_deref())
    )]
    JweDecryptionFailed {
        /// The token's `alg`.
        alg: &'static str,
        /// The token's `enc`.
        enc: &'static str,
        /// The token's `kid`, if any.
        kid: Option<String>,
    },

    /// Code 958. The provider sent an encrypted token (ID token, UserInfo or JARM response) but
    /// no decryption key is configured; set `ClientConfig::decryption_keys`.
    #[error(
        "the provider sent an encrypted token but no decryption key is configured; set decryption_keys to the client's private encryption keys"
    )]
    DecryptionKeysMissing,

    /// Code 959. A decryption key is unusable: not an RSA or EC (P-256/P-384/P-521) private key,
    /// malformed, or marked for another use.
    #[error("invalid decryption key: {reason}")]
    InvalidDecryptionKey {
        /// What is wrong with it.
        reason: String,
    },

    /// Code 932. Encrypting a request object failed: no usable provider encryption key (none
    /// with `use: enc` in its JWKS and none configured), or an `alg` that does not fit the key.
    #[error("cannot encrypt the request object: {reason}")]
    JweEncryption {
        /// What is wrong.
        reason: String,
    },

    /// Code 933. A decrypted token does not hold the signed JWT it must: an encrypted ID token
    /// or JARM response is signed, then encrypted (OpenID Connect Core §2, JARM §2.2).
    #[error("the decrypted {what} is not a signed JWT; it must be signed, then encrypted")]
    NestedJwtRequired {
        /// `ID token` or `JARM response`.
        what: &'static str,
    },

    /// Code 934. A token arrived unencrypted although encryption was registered for it
    /// (`ClientConfig::id_token_encrypted_response_alg` / `userinfo_encrypted_response_alg`).
    #[error("the {what} is not encrypted, but {alg} encryption was registered for it")]
    EncryptionRequired {
        /// `ID token` or `UserInfo response`.
        what: &'static str,
        /// The registered `alg`.
        alg: &'static str,
    },

    /// Code 301. The operation was interrupted by the application.
    #[error("interrupted")]
    Interrupted,

    /// Code 940. A back-channel logout token (OpenID Connect Back-Channel Logout 1.0 §2.6)
    /// failed validation: bad signature, wrong `iss`/`aud`, too old, a `nonce`, no logout
    /// `events` member, or neither `sub` nor `sid`.
    #[error("invalid logout token: {reason}")]
    InvalidLogoutToken {
        /// What is wrong with it.
        reason: String,
    },

    /// Code 941. A sign-in callback names no login this browser started on any instance: no
    /// `state`, another browser's login, expired, or already completed (a replayed callback).
    /// Start the sign-in again.
    #[error("no such login: {reason}; start the sign-in again")]
    LoginTransactionNotFound {
        /// Which of the cases above.
        reason: &'static str,
    },

    /// Code 942. A login's `return_to` is not a path on the application's own origin (an open
    /// redirect attempt such as `https://evil.example/` or `//evil.example/`).
    #[error(
        "refused return_to {value:?}: only paths on this site (starting with one `/`) are allowed"
    )]
    ReturnToRefused {
        /// The value given (at most 200 characters).
        value: String,
    },

    /// Code 943. The session store (memory or Redis) failed; Redis may be down or unreachable.
    #[error("session store failed to {operation}: {source}")]
    SessionStore {
        /// What the store was asked to do.
        operation: &'static str,
        /// The underlying error.
        #[source]
        source: Source,
    },

    /// Code 944. The request has no valid session: nobody is signed in, or the session ended.
    #[error("not signed in; sign in first")]
    NotSignedIn,

    /// Code 945. A logout token's `jti` was already used (on this or another instance): a
    /// replayed back-channel logout.
    #[error("logout token {jti:?} was already used")]
    LogoutTokenReplayed {
        /// The token's `jti`.
        jti: String,
    },

    /// Code 946. Another instance is refreshing this session's tokens and did not finish within
    /// the wait; retry the request.
    #[error("another instance is still refreshing this session after {waited:?}; retry")]
    RefreshInProgress {
        /// How long this request waited.
        waited: std::time::Duration,
    },
}

impl Error {
    /// The stable numeric code of this error (the seed's code where it defines one).
    pub fn code(&self) -> u16 {
        match self {
            Error::InvalidDiscoveryDocument { .. } | Error::IssuerMismatch { .. } => 900,
            Error::MalformedIdToken { .. } => 901,
            Error::InvalidResponseType { .. } => 902,
            Error::AlgorithmNotAllowed { .. }
            | Error::NoMatchingKey { .. }
            | Error::BadSignature { .. }
            | Error::UnsupportedCriticalHeader { .. }
            | Error::IdTokenClaim { .. }
            | Error::InvalidKey { .. } => 903,
            Error::HttpStatus { .. } | Error::OAuth { .. } => 151,
            Error::InvalidUrl {
                problem: UrlProblem::NoServer,
                ..
            } => 152,
            Error::InvalidUrl {
                problem: UrlProblem::Scheme,
                ..
            } => 153,
            Error::Timeout { .. } => 201,
            Error::ConnectionRefused { .. } => 10061,
            Error::HostNotFound { .. } => 11001,
            Error::Connection { .. } => 1120,
            Error::Proxy { .. } => 118,
            Error::AuthorizationDenied { .. } => 904,
            Error::StateMismatch { .. } => 905,
            Error::ResponseIssuerMismatch { .. } | Error::InvalidAuthorizationResponse { .. } => {
                906
            }
            Error::InvalidUserInfo { .. } => 907,
            Error::InvalidTokenResponse { .. } => 908,
            Error::ResponseTooLarge { .. } => 909,
            Error::InvalidDeviceAuthorization { .. } => 910,
            Error::InvalidPrivateKey { .. } => 911,
            Error::InvalidPkcs12 { .. } => 912,
            Error::InvalidServiceAccountKey { .. } => 913,
            Error::InvalidIntrospection { .. } => 914,
            Error::UnsupportedTokenType { .. } => 915,
            Error::RepeatedJsonMember { .. } => 916,
            Error::InsecureProviderUrl { .. } => 917,
            Error::Missing { .. } => 920,
            Error::InvalidSetting { .. } => 921,
            Error::InvalidPushedAuthorizationResponse { .. } => 930,
            Error::PushedAuthorizationRequired { .. } => 931,
            Error::DpopTokenType { .. } => 950,
            Error::DpopNonce { .. } => 951,
            Error::InvalidJarmResponse { .. } => 952,
            Error::Fapi2 { .. } => 953,
            Error::JweAlgorithmRefused { .. } => 954,
            Error::MalformedJwe { .. } => 955,
            Error::NoDecryptionKey { .. } => 956,
            Error::JweDecryptionFailed { .. } => 957,
            Error::DecryptionKeysMissing => 958,
            Error::InvalidDecryptionKey { .. } => 959,
            Error::JweEncryption { .. } => 932,
            Error::NestedJwtRequired { .. } => 933,
            Error::EncryptionRequired { .. } => 934,
            Error::InvalidRegistrationResponse { .. } => 960,
            Error::InvalidResourceMetadata { .. } => 961,
            Error::ResourceMismatch { .. } => 962,
            Error::UntrustedAuthorizationServer { .. } => 963,
            Error::Interrupted => 301,
            Error::InvalidLogoutToken { .. } => 940,
            Error::LoginTransactionNotFound { .. } => 941,
            Error::ReturnToRefused { .. } => 942,
            Error::SessionStore { .. } => 943,
            Error::NotSignedIn => 944,
            Error::LogoutTokenReplayed { .. } => 945,
            Error::RefreshInProgress { .. } => 946,
        }
    }

    /// The OAuth `error` code from the provider, for [`Error::OAuth`] and
    /// [`Error::AuthorizationDenied`].
    pub fn oauth_error(&self) -> Option<&str> {
        match self {
            Error::OAuth { error, .. } | Error::AuthorizationDenied { error, .. } => Some(error),
            _ => None,
        }
    }

    pub(crate) fn claim(
        claim: &'static str,
        check: ClaimCheck,
        expected: Option<String>,
        found: Option<String>,
    ) -> Error {
        Error::IdTokenClaim {
            claim,
            check,
            expected,
            found,
        }
    }

    pub(crate) fn claim_pub(claim: &'static str, reason: &str) -> Error {
        Error::IdTokenClaim {
            claim,
            check: ClaimCheck::Mismatch,
            expected: None,
            found: Some(reason.to_string()),
        }
    }

    pub(crate) fn malformed(reason: impl Into<String>) -> Error {
        Error::MalformedIdToken {
            reason: reason.into(),
        }
    }

    pub(crate) fn invalid_key(reason: impl Into<String>) -> Error {
        Error::InvalidKey {
            reason: reason.into(),
        }
    }
}

fn describe_claim(check: ClaimCheck, expected: Option<&str>, found: Option<&str>) -> String {
    let base = match check {
        ClaimCheck::Missing => "is missing".to_string(),
        ClaimCheck::WrongType => "has the wrong type".to_string(),
        ClaimCheck::Mismatch => "does not match".to_string(),
        ClaimCheck::Expired => "says the token has expired".to_string(),
        ClaimCheck::NotYetValid => "says the token is not valid yet".to_string(),
        ClaimCheck::TooOld => "is older than max_age allows; sign in again".to_string(),
    };
    let mut s = base;
    if let Some(e) = expected {
        s.push_str(&format!(" (expected {e}"));
        s.push_str(&match found {
            Some(f) => format!(", found {f})"),
            None => ")".to_string(),
        });
    } else if let Some(f) = found {
        s.push_str(&format!(" (found {f})"));
    }
    s
}

/// A value in quotes (escaped as Rust does), or `none` when absent: never `Some(..)`.
fn quoted(v: Option<&str>) -> String {
    v.map_or_else(|| "none".to_string(), |v| format!("{v:?}"))
}

fn description(d: Option<&str>) -> String {
    d.map(|d| format!(": {d}")).unwrap_or_default()
}

fn snippet(body: &str) -> String {
    const MAX: usize = 300;
    if body.is_empty() {
        return "(empty body)".into();
    }
    let mut end = body.len().min(MAX);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    let ellipsis = if end < body.len() { "…" } else { "" };
    format!("{}{ellipsis}", &body[..end])
}

/// A wrapper that prints `[redacted]` in `Debug`, for secrets kept in structs.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Redacted<T>(pub T);

impl<T> fmt::Debug for Redacted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pins the code of every variant. `pins!` builds one sample per line and an exhaustive
    /// `match` over the same variants, so a variant without a line here does not compile.
    /// To add a variant: append one line `NewVariant { field: value, … } => code,`.
    macro_rules! pins {
        ($($variant:ident { $($field:ident: $value:expr),* $(,)? } => $code:literal,)*) => {{
            #[allow(unreachable_patterns)]
            fn every_variant_is_pinned(e: &Error) {
                match e {
                    $(Error::$variant { .. } => {})*
                }
            }
            let table = vec![$((Error::$variant { $($field: $value),* }, $code)),*];
            for (e, _) in &table {
                every_variant_is_pinned(e);
            }
            table
        }};
    }

    #[test]
    fn codes_are_stable() {
        let s = String::new;
        let table: Vec<(Error, u16)> = pins! {
            InvalidDiscoveryDocument { url: s(), reason: s() } => 900,
            IssuerMismatch { expected: s(), found: s() } => 900,
            MalformedIdToken { reason: s() } => 901,
            InvalidResponseType { response_type: s() } => 902,
            AlgorithmNotAllowed { alg: s(), allowed: s() } => 903,
            NoMatchingKey { kid: None, alg: s(), candidates: 0 } => 903,
            BadSignature { alg: s(), kid: None } => 903,
            UnsupportedCriticalHeader { name: s() } => 903,
            IdTokenClaim { claim: "iss", check: ClaimCheck::Mismatch, expected: None, found: None } => 903,
            InvalidKey { reason: s() } => 903,
            HttpStatus { url: s(), status: 500, body: s() } => 151,
            OAuth { endpoint: "token", status: 400, error: s(), error_description: None, error_uri: None } => 151,
            InvalidUrl { url: s(), reason: s(), problem: UrlProblem::NoServer } => 152,
            InvalidUrl { url: s(), reason: s(), problem: UrlProblem::Scheme } => 153,
            Timeout { what: s(), seconds: 1 } => 201,
            ConnectionRefused { url: s() } => 10061,
            HostNotFound { url: s() } => 11001,
            Proxy { proxy: s(), answer: s(), source: None } => 118,
            Connection { url: s(), reason: s(), source: None } => 1120,
            AuthorizationDenied { error: s(), error_description: None, error_uri: None } => 904,
            StateMismatch { expected: s(), found: None } => 905,
            ResponseIssuerMismatch { expected: s(), found: None } => 906,
            InvalidAuthorizationResponse { reason: s() } => 906,
            InvalidUserInfo { reason: s() } => 907,
            InvalidTokenResponse { reason: s() } => 908,
            ResponseTooLarge { url: s(), limit: 1 } => 909,
            InvalidDeviceAuthorization { reason: s() } => 910,
            InvalidPrivateKey { reason: s() } => 911,
            InvalidPkcs12 { reason: s() } => 912,
            InvalidServiceAccountKey { field: None, reason: s() } => 913,
            InvalidIntrospection { reason: s() } => 914,
            UnsupportedTokenType { token_type: s() } => 915,
            RepeatedJsonMember { document: "token", member: s() } => 916,
            InsecureProviderUrl { field: s(), url: s() } => 917,
            Missing { what: "x", hint: "y" } => 920,
            InvalidSetting { name: s(), reason: s() } => 921,
            InvalidPushedAuthorizationResponse { reason: s() } => 930,
            PushedAuthorizationRequired { reason: "" } => 931,
            InvalidLogoutToken { reason: s() } => 940,
            LoginTransactionNotFound { reason: "" } => 941,
            ReturnToRefused { value: s() } => 942,
            SessionStore { operation: "", source: "x".into() } => 943,
            NotSignedIn {} => 944,
            LogoutTokenReplayed { jti: s() } => 945,
            RefreshInProgress { waited: std::time::Duration::ZERO } => 946,
            DpopTokenType { expected: "DPoP", found: s(), state: "was used" } => 950,
            DpopNonce { reason: "" } => 951,
            InvalidJarmResponse { reason: s() } => 952,
            Fapi2 { rule: "PAR only", reason: s() } => 953,
            JweAlgorithmRefused { member: "alg", value: s(), reason: "" } => 954,
            MalformedJwe { reason: s() } => 955,
            NoDecryptionKey { kid: None, alg: "RSA-OAEP", configured: 0 } => 956,
            JweDecryptionFailed { alg: "RSA-OAEP", enc: "A128GCM", kid: None } => 957,
            DecryptionKeysMissing {} => 958,
            InvalidDecryptionKey { reason: s() } => 959,
            JweEncryption { reason: s() } => 932,
            NestedJwtRequired { what: "ID token" } => 933,
            EncryptionRequired { what: "ID token", alg: "RSA-OAEP" } => 934,
            InvalidRegistrationResponse { url: s(), reason: s() } => 960,
            InvalidResourceMetadata { url: s(), reason: s() } => 961,
            ResourceMismatch { expected: s(), found: s() } => 962,
            UntrustedAuthorizationServer { resource: s(), servers: Vec::new() } => 963,
            Interrupted {} => 301,
        };
        for (e, code) in table {
            assert_eq!(e.code(), code, "{e:?}");
        }
    }

    #[test]
    fn claim_message_says_what_was_expected() {
        let e = Error::claim(
            "aud",
            ClaimCheck::Mismatch,
            Some("\"a\"".into()),
            Some("\"b\"".into()),
        );
        let msg = e.to_string();
        assert!(msg.contains("aud") && msg.contains("\"a\"") && msg.contains("\"b\""));
    }
}
