//! The `config("Name=Value")` / `config("Name")` string layer of [`OpenId`](super::OpenId).
//!
//! [`TABLE`] declares every setting of the seed once: name, type, default, whether it can be
//! written, its status here and its documentation. The table drives parsing and validation,
//! read-back, the generated docs and the coverage test. Names are case-insensitive; indexed
//! settings are written `FormVarName[0]` (0-based). An unknown name is error 921 with a
//! suggestion ("unknown setting `Timout`; did you mean `Timeout`?"), and so is a value the type
//! refuses.
//!
//! Settings that are not applicable on this platform, or planned in another issue, accept only
//! their default value; any other value is error 921 saying why, so ported code never silently
//! loses a behaviour it asked for.

use crate::{Error, Result};

/// The type of a setting's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `True`/`False`/`1`/`0`/`Yes`/`No`, any case. Read back as `true`/`false`.
    Bool,
    /// An integer within `min..=max`.
    Int {
        /// Smallest accepted value.
        min: i64,
        /// Largest accepted value.
        max: i64,
    },
    /// Free text.
    Text,
    /// One of these values (case-insensitive), read back as listed. The empty string is
    /// accepted when it is the default.
    Choice(&'static [&'static str]),
}

/// Whether a setting can be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read and write.
    ReadWrite,
    /// Read only: the value comes from the last call (e.g. `RawJSON`).
    ReadOnly,
}

/// What this library does with a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Has the seed's meaning.
    Implemented,
    /// Has no meaning on this platform; the reason says why.
    NotApplicable(&'static str),
    /// Will get its meaning with the named issue.
    Planned(u32),
}

/// One setting of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// The seed's name, without the index suffix.
    pub name: &'static str,
    /// Whether the name takes an index, `Name[i]`.
    pub indexed: bool,
    /// The value type.
    pub kind: Kind,
    /// The default, as read back.
    pub default: &'static str,
    /// Whether it can be written.
    pub access: Access,
    /// What this library does with it.
    pub status: Status,
    /// One-line documentation.
    pub doc: &'static str,
}

impl Setting {
    /// The name as the seed lists it (`FormVarName[i]` for indexed ones).
    pub fn display_name(&self) -> String {
        if self.indexed {
            format!("{}[i]", self.name)
        } else {
            self.name.to_string()
        }
    }
}

use Access::{ReadOnly as RO, ReadWrite as RW};
use Kind::{Bool, Text};
use Status::{Implemented as IMPL, NotApplicable as NA};

const fn int(min: i64, max: i64) -> Kind {
    Kind::Int { min, max }
}

const fn s(
    name: &'static str,
    kind: Kind,
    default: &'static str,
    access: Access,
    status: Status,
    doc: &'static str,
) -> Setting {
    Setting {
        name,
        indexed: false,
        kind,
        default,
        access,
        status,
        doc,
    }
}

const fn ix(
    name: &'static str,
    kind: Kind,
    default: &'static str,
    access: Access,
    status: Status,
    doc: &'static str,
) -> Setting {
    Setting {
        name,
        indexed: true,
        kind,
        default,
        access,
        status,
        doc,
    }
}

const NO_LOOP: Status =
    NA("there is no message loop: events are called directly from the call that fires them");
const MS_OFFICE: Status =
    NA("Microsoft retired the Office 365 Discovery Service; use the Microsoft Graph endpoints");
const PAGE_BRANDING: Status = NA(
    "the loopback result page is plain text with no remote images or links (it must load no third-party content); use ResponseSuccessMessage/ResponseFailureMessage",
);

/// The user agent sent by default.
pub const USER_AGENT: &str = concat!("oidckit/", env!("CARGO_PKG_VERSION"));

/// Every config setting of the seed, once.
pub const TABLE: &[Setting] = &[
    // OpenID settings.
    s(
        "Display",
        Kind::Choice(&["page", "popup", "touch", "wap"]),
        "",
        RW,
        IMPL,
        "`display` request parameter: page, popup, touch or wap.",
    ),
    s(
        "IDToken",
        Text,
        "",
        RO,
        IMPL,
        "The raw ID token of the last get_authorization.",
    ),
    s(
        "IDTokenHint",
        Text,
        "",
        RW,
        IMPL,
        "`id_token_hint` request parameter.",
    ),
    s(
        "LoginHint",
        Text,
        "",
        RW,
        IMPL,
        "`login_hint` request parameter.",
    ),
    s(
        "LogoutURL",
        Text,
        "",
        RO,
        IMPL,
        "The provider's end_session_endpoint from the discovery document.",
    ),
    s(
        "Prompt",
        Text,
        "",
        RW,
        IMPL,
        "`prompt` request parameter: none, login, consent, select_account (space-separated).",
    ),
    s(
        "RawJSON",
        Text,
        "",
        RO,
        IMPL,
        "The last JSON document: discovery document, ID token payload, or UserInfo response.",
    ),
    s(
        "ResponseType",
        Text,
        "",
        RW,
        IMPL,
        "`response_type`; empty means the grant_type's (code, `id_token token`, `code id_token`). A bad value is error 902.",
    ),
    s(
        "XChildCount",
        int(0, i64::MAX),
        "0",
        RO,
        IMPL,
        "Number of children of the XPath element.",
    ),
    ix(
        "XChildName",
        Text,
        "",
        RO,
        IMPL,
        "Name of the XPath element's i-th child (0-based).",
    ),
    ix(
        "XChildXText",
        Text,
        "",
        RO,
        IMPL,
        "Text of the XPath element's i-th child (0-based).",
    ),
    s(
        "XElement",
        Text,
        "",
        RO,
        IMPL,
        "Name of the XPath element (`json` at the root).",
    ),
    s(
        "XParent",
        Text,
        "",
        RO,
        IMPL,
        "Name of the XPath element's parent.",
    ),
    s(
        "XPath",
        Text,
        "/json",
        RW,
        IMPL,
        "Points at an element of RawJSON: /json/a/b, [i] (1-based), [last()], .., relative paths.",
    ),
    s(
        "XSubTree",
        Text,
        "",
        RO,
        IMPL,
        "The XPath element as compact JSON.",
    ),
    s(
        "XText",
        Text,
        "",
        RO,
        IMPL,
        "Text of the XPath element (empty for objects and arrays).",
    ),
    // OAuth settings.
    s(
        "AuthMethod",
        Kind::Choice(&[
            "client_secret_basic",
            "client_secret_post",
            "client_secret_jwt",
            "none",
        ]),
        "",
        RW,
        IMPL,
        "Token endpoint client authentication; empty chooses automatically.",
    ),
    s(
        "AuthorizationTokenType",
        Text,
        "",
        RO,
        IMPL,
        "The token_type of the last token response (normally Bearer).",
    ),
    s(
        "BrowserResponseTimeout",
        int(1, 86_400),
        "300",
        RW,
        IMPL,
        "Seconds to wait for the browser to come back to the loopback server.",
    ),
    s(
        "DeviceGrantType",
        Text,
        "urn:ietf:params:oauth:grant-type:device_code",
        RW,
        IMPL,
        "grant_type sent when polling in the Device profile (RFC 8628).",
    ),
    s(
        "DeviceUserCode",
        Text,
        "",
        RO,
        IMPL,
        "The user code of the Device profile, filled by get_authorization_url (show it with the URL it returns).",
    ),
    s(
        "FormVarCount",
        int(0, 1000),
        "0",
        RW,
        IMPL,
        "Number of extra form variables posted to the token endpoint.",
    ),
    ix(
        "FormVarName",
        Text,
        "",
        RW,
        IMPL,
        "Name of the i-th extra token endpoint form variable (URL-encoded when sent).",
    ),
    ix(
        "FormVarValue",
        Text,
        "",
        RW,
        IMPL,
        "Value of the i-th extra token endpoint form variable (URL-encoded when sent).",
    ),
    s(
        "IncludeClientCredsInBody",
        Bool,
        "false",
        RW,
        IMPL,
        "Send client_id/client_secret in the token request body (client_secret_post) instead of HTTP Basic.",
    ),
    s(
        "IncludeEmptyRedirectURI",
        Bool,
        "true",
        RW,
        IMPL,
        "Send redirect_uri (return_url, even empty) with the password, client credentials, JWT and device grants; false sends it only when return_url is set.",
    ),
    s(
        "JWTAudience",
        Text,
        "",
        RW,
        IMPL,
        "`aud` of the JWT profile assertion; default: the JSON key's token_uri, else server_token_url.",
    ),
    s(
        "JWTCertStore",
        Text,
        "",
        RW,
        IMPL,
        "The JWT signing key: a file path (JWTCertStoreType 2 or 6), base64 PKCS#12 (3) or PEM text (7).",
    ),
    s(
        "JWTCertStorePassword",
        Text,
        "",
        RW,
        IMPL,
        "Password of the PKCS#12 store (JWTCertStoreType 2 or 3).",
    ),
    s(
        "JWTCertStoreType",
        int(0, 99),
        "0",
        RW,
        IMPL,
        "2 PFXFile, 3 PFXBlob (base64), 6 PEMKeyFile, 7 PEMKeyBlob; 0/1 (Windows) and 4/5 (Java) stores are error 921 when used.",
    ),
    s(
        "JWTCertSubject",
        Text,
        "",
        RW,
        IMPL,
        "Subject of the signing certificate; a PEM or PKCS#12 store holds one key, which is used (`*` or any subject).",
    ),
    s(
        "JWTIssuer",
        Text,
        "",
        RW,
        IMPL,
        "`iss` of the JWT profile assertion; default: the JSON key's client_email (Google), client_id (Microsoft).",
    ),
    s(
        "JWTJSONKey",
        Text,
        "",
        RW,
        IMPL,
        "Google service-account JSON key (text or file path); gives the key, issuer and token URL.",
    ),
    s(
        "JWTPayload",
        Text,
        "",
        RO,
        IMPL,
        "Decoded payload of the access token when it is a JWT (informational, not verified).",
    ),
    s(
        "JWTServiceProvider",
        int(0, 1),
        "0",
        RW,
        IMPL,
        "0 Google (JWT bearer grant, RFC 7523 §2.1), 1 Microsoft (client credentials with a certificate assertion).",
    ),
    s(
        "JWTSignatureAlgorithm",
        Text,
        "RSA-SHA256",
        RW,
        IMPL,
        "Signature algorithm of the assertion: RSA-SHA256 (RS256), RSA-SHA384, RSA-SHA512, or a JWS name (RS256, PS256, ES256, EdDSA, …).",
    ),
    s(
        "JWTSubject",
        Text,
        "",
        RW,
        IMPL,
        "`sub` of the assertion (Google: the user to impersonate; Microsoft: must be client_id).",
    ),
    s(
        "JWTValidityTime",
        int(1, 86_400),
        "3600",
        RW,
        IMPL,
        "Lifetime of the Google assertion in seconds (exp - iat).",
    ),
    s(
        "JWTXChildCount",
        int(0, i64::MAX),
        "0",
        RO,
        IMPL,
        "Number of children of the JWTXPath element.",
    ),
    ix(
        "JWTXChildName",
        Text,
        "",
        RO,
        IMPL,
        "Name of the JWTXPath element's i-th child (0-based).",
    ),
    ix(
        "JWTXChildXText",
        Text,
        "",
        RO,
        IMPL,
        "Text of the JWTXPath element's i-th child (0-based).",
    ),
    s(
        "JWTXElement",
        Text,
        "",
        RO,
        IMPL,
        "Name of the JWTXPath element.",
    ),
    s(
        "JWTXParent",
        Text,
        "",
        RO,
        IMPL,
        "Name of the JWTXPath element's parent.",
    ),
    s(
        "JWTXPath",
        Text,
        "/json",
        RW,
        IMPL,
        "Points at an element of JWTPayload (same syntax as XPath).",
    ),
    s(
        "JWTXSubTree",
        Text,
        "",
        RO,
        IMPL,
        "The JWTXPath element as compact JSON.",
    ),
    s(
        "JWTXText",
        Text,
        "",
        RO,
        IMPL,
        "Text of the JWTXPath element.",
    ),
    s(
        "Microsoft365AdminConsentError",
        Text,
        "",
        RO,
        IMPL,
        "`error` of the last authorization response (admin consent denied).",
    ),
    s(
        "Microsoft365AdminConsentErrorDesc",
        Text,
        "",
        RO,
        IMPL,
        "`error_description` of the last authorization response.",
    ),
    s(
        "Microsoft365AdminConsentTenant",
        Text,
        "",
        RO,
        IMPL,
        "`tenant` of the last authorization response (admin consent granted).",
    ),
    s(
        "Office365ServiceAPIVersion",
        Text,
        "",
        RW,
        MS_OFFICE,
        "API version of the Office 365 service to discover.",
    ),
    s(
        "Office365ServiceCapability",
        Text,
        "",
        RW,
        MS_OFFICE,
        "Capability of the Office 365 service to discover.",
    ),
    s(
        "Office365ServiceEndpoint",
        Text,
        "",
        RO,
        MS_OFFICE,
        "Endpoint of the discovered Office 365 service.",
    ),
    s(
        "PasswordGrantUsername",
        Text,
        "",
        RW,
        IMPL,
        "When set, get_authorization runs the password grant (RFC 6749 §4.3) with this user name and OpenId::set_password_grant_password.",
    ),
    s(
        "PKCEChallengeEncoding",
        int(1, 2),
        "2",
        RW,
        IMPL,
        "PKCE method: 1 plain, 2 S256.",
    ),
    s(
        "PKCEVerifier",
        Text,
        "",
        RW,
        IMPL,
        "The PKCE verifier of the pending authorization (Web profile); settable to restore it.",
    ),
    s(
        "PollingInterval",
        int(1, 3600),
        "5",
        RW,
        IMPL,
        "Seconds between token polls of the Device profile (at least the provider's interval).",
    ),
    s(
        "ResponseCompanyImage",
        Text,
        "",
        RW,
        PAGE_BRANDING,
        "Company logo on the result page.",
    ),
    s(
        "ResponseCompanyURL",
        Text,
        "",
        RW,
        PAGE_BRANDING,
        "Company link on the result page.",
    ),
    s(
        "ResponseFailureHeading",
        Text,
        "",
        RW,
        PAGE_BRANDING,
        "Heading of the failure page.",
    ),
    s(
        "ResponseFailureMessage",
        Text,
        "Sign-in failed.",
        RW,
        IMPL,
        "Text of the loopback page after a failed sign-in.",
    ),
    s(
        "ResponseHelpURL",
        Text,
        "",
        RW,
        PAGE_BRANDING,
        "Help link on the result page.",
    ),
    s(
        "ResponseLicenseURL",
        Text,
        "",
        RW,
        PAGE_BRANDING,
        "License link on the result page.",
    ),
    s(
        "ResponseProductImage",
        Text,
        "",
        RW,
        PAGE_BRANDING,
        "Product image on the result page.",
    ),
    s(
        "ResponseProductURL",
        Text,
        "",
        RW,
        PAGE_BRANDING,
        "Product link on the result page.",
    ),
    s(
        "ResponseSuccessHeading",
        Text,
        "",
        RW,
        PAGE_BRANDING,
        "Heading of the success page.",
    ),
    s(
        "ResponseSuccessMessage",
        Text,
        "Signed in. You can close this window and return to the application.",
        RW,
        IMPL,
        "Text of the loopback page after a successful sign-in.",
    ),
    s(
        "ReUseWebServer",
        Bool,
        "false",
        RW,
        IMPL,
        "Keep the loopback server running between get_authorization calls.",
    ),
    s(
        "TokenInfoFieldCount",
        int(0, i64::MAX),
        "0",
        RO,
        IMPL,
        "Number of fields of the last ValidateToken response.",
    ),
    ix(
        "TokenInfoFieldName",
        Text,
        "",
        RO,
        IMPL,
        "Name of the i-th field of the last ValidateToken response.",
    ),
    ix(
        "TokenInfoFieldValue",
        Text,
        "",
        RO,
        IMPL,
        "Value of the i-th field of the last ValidateToken response.",
    ),
    s(
        "TokenInfoURL",
        Text,
        "",
        RW,
        IMPL,
        "URL of the token info service (GET ?access_token=…); empty: the provider's RFC 7662 introspection endpoint.",
    ),
    s(
        "ValidateToken",
        Text,
        "",
        RW,
        IMPL,
        "`ValidateToken=<token>` (empty: access_token) asks the token info service and returns true/false; reads back the last answer.",
    ),
    s(
        "WebServerFailedResponse",
        Text,
        "",
        RW,
        IMPL,
        "Text shown after a failed sign-in; overrides ResponseFailureMessage when set.",
    ),
    s(
        "WebServerHost",
        Kind::Choice(&["127.0.0.1", "localhost"]),
        "127.0.0.1",
        RW,
        IMPL,
        "Host of the loopback redirect URI (RFC 8252 §8.3 recommends 127.0.0.1 over the seed's localhost).",
    ),
    s(
        "WebServerResponse",
        Text,
        "",
        RW,
        IMPL,
        "Text shown after a successful sign-in; overrides ResponseSuccessMessage when set.",
    ),
    // HTTP settings.
    s(
        "AcceptEncoding",
        Text,
        "gzip, deflate",
        RW,
        IMPL,
        "Accept-Encoding sent when AllowHTTPCompression is on: gzip, deflate, identity (others are error 921).",
    ),
    s(
        "AllowHTTPCompression",
        Bool,
        "true",
        RW,
        IMPL,
        "Ask for gzip/deflate responses and decompress them; TransferredDataLimit applies to the decompressed bytes.",
    ),
    s(
        "AllowHTTPFallback",
        Bool,
        "true",
        RW,
        NA("HTTP/2 is negotiated by ALPN and always falls back to HTTP/1.1"),
        "Allow HTTP/2 to fall back to HTTP/1.1.",
    ),
    s(
        "Append",
        Bool,
        "false",
        RW,
        NA("the facade downloads nothing to a LocalFile"),
        "Append to LocalFile.",
    ),
    s(
        "Authorization",
        Text,
        "",
        RW,
        NA(
            "the facade authenticates its own requests; send the string get_authorization returns from your HTTP client",
        ),
        "Authorization header to send.",
    ),
    s(
        "BytesTransferred",
        int(0, i64::MAX),
        "0",
        RO,
        IMPL,
        "Bytes of the last response body.",
    ),
    s(
        "ChunkSize",
        int(0, i64::MAX),
        "0",
        RW,
        NA("requests are small forms sent with Content-Length"),
        "Chunk size of chunked uploads.",
    ),
    s(
        "CompressHTTPRequest",
        Bool,
        "false",
        RW,
        NA("requests are small forms; they are never compressed"),
        "Compress request bodies.",
    ),
    s(
        "EncodeURL",
        Bool,
        "false",
        RW,
        NA("URLs are always encoded by the url crate"),
        "Encode the URL.",
    ),
    s(
        "FollowRedirects",
        int(0, 2),
        "0",
        RW,
        IMPL,
        "0 never, 1 always, 2 same scheme (GET only); same as follow_redirects.",
    ),
    s(
        "GetOn302Redirect",
        Bool,
        "false",
        RW,
        IMPL,
        "On a followed 302, GET the new location (no body); when false a 302 keeps the method.",
    ),
    s(
        "HTTP2HeadersWithoutIndexing",
        Text,
        "",
        RW,
        NA("HPACK indexing is managed by the HTTP/2 implementation"),
        "HTTP/2 headers not indexed.",
    ),
    s(
        "HTTPVersion",
        Kind::Choice(&["1.1", "2.0"]),
        "1.1",
        RW,
        IMPL,
        "1.1 only, or 2.0 offered by ALPN on https with fallback to 1.1 (1.0 and 3.0 are not supported).",
    ),
    s(
        "IfModifiedSince",
        Text,
        "",
        RW,
        NA("the facade makes no conditional requests"),
        "If-Modified-Since header.",
    ),
    s(
        "KeepAlive",
        Bool,
        "false",
        RW,
        IMPL,
        "Reuse connections; on_connected then fires only for new connections.",
    ),
    s(
        "KerberosSPN",
        Text,
        "",
        RW,
        NA("Negotiate/Kerberos authentication is not supported"),
        "Kerberos service principal name.",
    ),
    s(
        "LogLevel",
        int(0, 3),
        "1",
        RW,
        IMPL,
        "on_log level: 0 none, 1 info, 2 verbose, 3 debug.",
    ),
    s(
        "MaxRedirectAttempts",
        int(0, 100),
        "20",
        RW,
        IMPL,
        "Most redirects followed for one request.",
    ),
    s(
        "NegotiatedHTTPVersion",
        Text,
        "",
        RO,
        IMPL,
        "HTTP version of the last response (e.g. 1.1).",
    ),
    s(
        "OtherHeaders",
        Text,
        "",
        RW,
        IMPL,
        "Extra request headers, `Name: value` lines; same as other_headers.",
    ),
    s(
        "ProxyAuthorization",
        Text,
        "",
        RW,
        IMPL,
        "Raw Proxy-Authorization value sent to the proxy instead of one built from ProxyUser/ProxyPassword.",
    ),
    s(
        "ProxyAuthScheme",
        int(0, 6),
        "0",
        RW,
        IMPL,
        "0 Basic, 3 none; 1 Digest, 2 proprietary, 4 NTLM, 5 Negotiate, 6 are error 921 at the next call.",
    ),
    s(
        "ProxyPassword",
        Text,
        "",
        RW,
        IMPL,
        "Proxy password; same as proxy_password.",
    ),
    s(
        "ProxyPort",
        int(0, 65_535),
        "80",
        RW,
        IMPL,
        "Proxy port; same as proxy_port.",
    ),
    s(
        "ProxyServer",
        Text,
        "",
        RW,
        IMPL,
        "Proxy host (empty: no proxy); same as proxy_server.",
    ),
    s(
        "ProxyUser",
        Text,
        "",
        RW,
        IMPL,
        "Proxy user; same as proxy_user.",
    ),
    s(
        "SentHeaders",
        Text,
        "",
        RO,
        IMPL,
        "Request line and headers of the last request (masked per MaskSensitive).",
    ),
    s(
        "StatusCode",
        int(0, 999),
        "0",
        RO,
        IMPL,
        "Status code of the last response.",
    ),
    s(
        "StatusLine",
        Text,
        "",
        RO,
        IMPL,
        "Status line of the last response.",
    ),
    s(
        "TransferredData",
        Text,
        "",
        RO,
        IMPL,
        "Body of the last response (may hold tokens).",
    ),
    s(
        "TransferredDataLimit",
        int(1, i64::MAX),
        "1048576",
        RW,
        IMPL,
        "Largest response body read, in bytes (error 909 beyond).",
    ),
    s(
        "TransferredHeaders",
        Text,
        "",
        RO,
        IMPL,
        "Headers of the last response, `Name: value` lines.",
    ),
    s(
        "TransferredRequest",
        Text,
        "",
        RW,
        IMPL,
        "The last request as sent, headers and body (masked per MaskSensitive); writing (e.g. on) is accepted: it is always recorded.",
    ),
    s(
        "UseChunkedEncoding",
        Bool,
        "false",
        RW,
        NA("requests are small forms sent with Content-Length"),
        "Chunked uploads.",
    ),
    s(
        "UseIDNs",
        Bool,
        "false",
        RW,
        NA("host names are always IDNA-encoded by the url crate"),
        "Encode internationalized domain names.",
    ),
    s(
        "UsePlatformHTTPClient",
        Bool,
        "false",
        RW,
        NA("there is one transport (rustls-based reqwest)"),
        "Use the platform HTTP client.",
    ),
    s(
        "UseProxyAutoConfigURL",
        Bool,
        "false",
        RW,
        NA("PAC files (JavaScript) are not evaluated; set the proxy explicitly"),
        "Use a proxy auto-config file.",
    ),
    s(
        "UserAgent",
        Text,
        USER_AGENT,
        RW,
        IMPL,
        "User-Agent header.",
    ),
    // TCP settings.
    s(
        "ConnectionTimeout",
        int(0, 86_400),
        "0",
        RW,
        IMPL,
        "Separate connect timeout in seconds, within Timeout (0: the timeout).",
    ),
    s(
        "FirewallAutoDetect",
        Bool,
        "false",
        RW,
        IMPL,
        "Use the proxy environment variables (HTTPS_PROXY, ALL_PROXY, NO_PROXY) when no proxy or firewall is set.",
    ),
    s(
        "FirewallHost",
        Text,
        "",
        RW,
        IMPL,
        "Firewall host (empty: none); same as firewall_host.",
    ),
    s(
        "FirewallPassword",
        Text,
        "",
        RW,
        IMPL,
        "Firewall password; same as firewall_password.",
    ),
    s(
        "FirewallPort",
        int(0, 65_535),
        "0",
        RW,
        IMPL,
        "Firewall port (0: the type's default); same as firewall_port.",
    ),
    s(
        "FirewallType",
        int(0, 10),
        "0",
        RW,
        IMPL,
        "0 none, 1 tunnel, 2 SOCKS4, 3 SOCKS5, 10 SOCKS4A; same as firewall_type.",
    ),
    s(
        "FirewallUser",
        Text,
        "",
        RW,
        IMPL,
        "Firewall user; same as firewall_user.",
    ),
    s(
        "KeepAliveInterval",
        int(0, i64::MAX),
        "0",
        RW,
        IMPL,
        "TCP keep-alive retry interval in milliseconds (0: 15 s), with TCPKeepAlive.",
    ),
    s(
        "KeepAliveTime",
        int(0, i64::MAX),
        "0",
        RW,
        IMPL,
        "TCP keep-alive idle time in milliseconds (0: 15 s), with TCPKeepAlive.",
    ),
    s(
        "Linger",
        Bool,
        "true",
        RW,
        NA("reqwest/hyper do not expose SO_LINGER; sockets always close gracefully"),
        "Graceful close.",
    ),
    s(
        "LingerTime",
        int(0, i64::MAX),
        "0",
        RW,
        NA("reqwest/hyper do not expose SO_LINGER"),
        "Linger time.",
    ),
    s(
        "LocalHost",
        Text,
        "",
        RW,
        IMPL,
        "Local IP address to connect from (an address, not a name); same as local_host.",
    ),
    s(
        "LocalPort",
        int(0, 65_535),
        "0",
        RW,
        NA("reqwest binds only a local address (LocalHost), never a port; the system picks it"),
        "Local port to bind.",
    ),
    s(
        "MaxLineLength",
        int(0, i64::MAX),
        "2048",
        RW,
        NA("the HTTP implementation bounds header lines itself"),
        "Longest line accumulated.",
    ),
    s(
        "MaxTransferRate",
        int(0, i64::MAX),
        "0",
        RW,
        NA("reqwest/hyper have no rate limiter; responses are small JSON documents"),
        "Transfer rate limit.",
    ),
    s(
        "ProxyExceptionsList",
        Text,
        "",
        RW,
        IMPL,
        "Hosts and IPs that bypass the proxy or firewall, `;`-separated (a name matches its subdomains).",
    ),
    s(
        "TCPKeepAlive",
        Bool,
        "false",
        RW,
        IMPL,
        "SO_KEEPALIVE on each connection (KeepAliveTime, KeepAliveInterval).",
    ),
    s(
        "TcpNoDelay",
        Bool,
        "false",
        RW,
        IMPL,
        "Set TCP_NODELAY (disable Nagle's algorithm).",
    ),
    s(
        "UseIPv6",
        int(0, 2),
        "0",
        RW,
        IMPL,
        "Address family of resolved names: 0 IPv4 only, 1 IPv6 only, 2 IPv6 then IPv4.",
    ),
    // Socket settings.
    s(
        "AbsoluteTimeout",
        Bool,
        "true",
        RW,
        NA("the timeout is always an absolute deadline for the whole call"),
        "Absolute or inactivity timeouts.",
    ),
    s(
        "FirewallData",
        Text,
        "",
        RW,
        NA("no firewall protocol here takes extra data"),
        "Extra data for the firewall.",
    ),
    s(
        "InBufferSize",
        int(0, i64::MAX),
        "0",
        RW,
        NA("reqwest does not expose SO_RCVBUF; the system sizes socket buffers"),
        "Receive buffer size.",
    ),
    s(
        "OutBufferSize",
        int(0, i64::MAX),
        "0",
        RW,
        NA("reqwest does not expose SO_SNDBUF; the system sizes socket buffers"),
        "Send buffer size.",
    ),
    // Base settings.
    s("BuildInfo", Text, "", RO, IMPL, "Crate name and version."),
    s(
        "CodePage",
        int(0, i64::MAX),
        "0",
        RW,
        NA("strings are UTF-8 throughout; there are no code pages"),
        "Code page for string conversion.",
    ),
    s(
        "LicenseInfo",
        Text,
        "",
        RO,
        NA("no license keys: the crate is MIT OR Apache-2.0"),
        "License information.",
    ),
    s(
        "MaskSensitive",
        Bool,
        "true",
        RW,
        IMPL,
        "Mask secrets, codes, tokens and passwords in log messages.",
    ),
    s(
        "ProcessIdleEvents",
        Bool,
        "false",
        RW,
        NO_LOOP,
        "Process events when idle.",
    ),
    s(
        "SelectWaitMillis",
        int(0, i64::MAX),
        "20",
        RW,
        NO_LOOP,
        "Wait of do_events.",
    ),
    s(
        "UseFIPSCompliantAPI",
        Bool,
        "false",
        RW,
        NA(
            "FIPS mode is a Windows system setting in the seed; here it is a build-time choice of aws-lc-rs",
        ),
        "Use FIPS-certified APIs.",
    ),
    s(
        "UseInternalSecurityAPI",
        Bool,
        "false",
        RW,
        NA("TLS and crypto are always rustls and aws-lc-rs"),
        "Use the internal security implementation.",
    ),
];

/// Finds a setting by name, case-insensitively.
pub fn find(name: &str) -> Option<&'static Setting> {
    TABLE.iter().find(|s| s.name.eq_ignore_ascii_case(name))
}

/// A parsed setting reference: `Name` or `Name[i]`.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    /// The table entry.
    pub setting: &'static Setting,
    /// The index, for indexed settings.
    pub index: Option<usize>,
}

/// Resolves `Name` or `Name[i]`: error 921 for an unknown name (with a suggestion), a missing
/// or superfluous index, or a bad index.
pub fn resolve(raw: &str) -> Result<Key> {
    let raw = raw.trim();
    let (name, index) = match raw.strip_suffix(']').and_then(|r| r.split_once('[')) {
        Some((name, ix)) => {
            let i = ix
                .trim()
                .parse::<usize>()
                .map_err(|_| Error::InvalidSetting {
                    name: name.to_string(),
                    reason: format!("index `{ix}` is not a number (indices start at 0)"),
                })?;
            (name.trim(), Some(i))
        }
        None => (raw, None),
    };
    let setting = find(name).ok_or_else(|| unknown(name))?;
    match (setting.indexed, index) {
        (true, None) => Err(Error::InvalidSetting {
            name: setting.name.into(),
            reason: format!("needs an index: {}[0]", setting.name),
        }),
        (false, Some(_)) => Err(Error::InvalidSetting {
            name: setting.name.into(),
            reason: "takes no index".into(),
        }),
        _ => Ok(Key { setting, index }),
    }
}

fn unknown(name: &str) -> Error {
    let lower = name.to_ascii_lowercase();
    let best = TABLE
        .iter()
        .map(|s| (edit_distance(&lower, &s.name.to_ascii_lowercase()), s.name))
        .min_by_key(|(d, _)| *d);
    let hint = match best {
        Some((d, n)) if d <= 3.max(name.len() / 3) => format!("; did you mean `{n}`?"),
        _ => String::new(),
    };
    Error::InvalidSetting {
        name: name.to_string(),
        reason: format!("unknown setting `{name}`{hint}"),
    }
}

/// Levenshtein distance over chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Parses a seed boolean: True/False, 1/0, Yes/No, On/Off, any case.
pub fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Validates `value` for `setting` and returns its canonical form (error 921 otherwise).
/// Settings that are not implemented accept only their default.
pub fn normalize(setting: &Setting, value: &str) -> Result<String> {
    let bad = |reason: String| Error::InvalidSetting {
        name: setting.name.to_string(),
        reason,
    };
    if setting.access == Access::ReadOnly {
        return Err(bad("is read-only".into()));
    }
    let canonical = match setting.kind {
        Kind::Bool => parse_bool(value).map(|b| b.to_string()).ok_or_else(|| {
            bad(format!(
                "{value:?} is not a boolean (True/False, 1/0, Yes/No)"
            ))
        })?,
        Kind::Int { min, max } => {
            let n = value
                .trim()
                .parse::<i64>()
                .map_err(|_| bad(format!("{value:?} is not an integer")))?;
            if n < min || n > max {
                return Err(bad(format!("{n} is out of range {min}..={max}")));
            }
            n.to_string()
        }
        Kind::Text => value.to_string(),
        Kind::Choice(options) => {
            let v = value.trim();
            if v.is_empty() && setting.default.is_empty() {
                String::new()
            } else {
                options
                    .iter()
                    .find(|o| o.eq_ignore_ascii_case(v))
                    .map(|o| o.to_string())
                    .ok_or_else(|| bad(format!("{v:?} is not one of {}", options.join(", "))))?
            }
        }
    };
    match setting.status {
        Status::Implemented => Ok(canonical),
        _ if canonical == setting.default => Ok(canonical),
        Status::NotApplicable(reason) => Err(bad(format!(
            "not applicable here ({reason}); only the default {:?} is accepted",
            setting.default
        ))),
        Status::Planned(issue) => Err(bad(format!(
            "not supported yet (planned in issue {issue}); only the default {:?} is accepted",
            setting.default
        ))),
    }
}

/// The table as Markdown (name, type, default, access, status, doc), for the docs.
pub fn markdown() -> String {
    let mut out = String::from(
        "| Setting | Type | Default | Access | Status | Doc |\n|---|---|---|---|---|---|\n",
    );
    for s in TABLE {
        let kind = match s.kind {
            Kind::Bool => "bool".to_string(),
            Kind::Int { .. } => "int".to_string(),
            Kind::Text => "text".to_string(),
            Kind::Choice(o) => o.join(" / "),
        };
        let status = match s.status {
            Status::Implemented => "implemented".to_string(),
            Status::NotApplicable(r) => format!("not applicable: {r}"),
            Status::Planned(i) => format!("planned (issue {i})"),
        };
        out.push_str(&format!(
            "| `{}` | {kind} | `{}` | {} | {status} | {} |\n",
            s.display_name(),
            s.default,
            if s.access == Access::ReadOnly {
                "read"
            } else {
                "read/write"
            },
            s.doc
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_defaults_valid() {
        for (i, s) in TABLE.iter().enumerate() {
            assert!(
                TABLE[..i]
                    .iter()
                    .all(|o| !o.name.eq_ignore_ascii_case(s.name)),
                "{} twice",
                s.name
            );
            if s.access == Access::ReadWrite {
                let n = normalize(s, s.default).expect(s.name);
                assert_eq!(n, s.default, "{}", s.name);
            }
        }
    }

    #[test]
    fn suggests_the_nearest_name() {
        let e = resolve("LogLevl").expect_err("unknown");
        assert_eq!(e.code(), 921);
        assert!(e.to_string().contains("did you mean `LogLevel`"), "{e}");
    }
}
