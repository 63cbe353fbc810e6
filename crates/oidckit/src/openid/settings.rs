//! The `config("Name=Value")` / `config("Name")` string layer of [`OpenId`].
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
//!
//! The rows at the end of the table ([`Status::BeyondSeed`]) are not the seed's: they switch on
//! the security extensions of the core client (PAR, signed request objects, JARM, DPoP, JWE
//! decryption keys, the FAPI 2.0 profile, RFC 8707 resource indicators).

mod facade;
mod values;

pub(crate) use values::{Values, decryption_keys, private_key};

use super::OpenId;
use crate::{Error, Result};
use values::FieldValue;

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
    /// Not a seed setting: added here for a feature the seed lacks (PAR, JAR, JARM, DPoP,
    /// FAPI 2.0); listed under "Beyond the seed" in `docs/seed-coverage.md`.
    BeyondSeed,
}

/// One setting of the table.
#[derive(Debug, Clone, Copy)]
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
    /// How the facade writes and reads it.
    pub(crate) bind: Bind,
}

/// Settings are equal when their names are (names are unique in [`TABLE`]).
impl PartialEq for Setting {
    fn eq(&self, other: &Setting) -> bool {
        self.name == other.name
    }
}

impl Eq for Setting {}

/// How a row of [`TABLE`] writes a value and reads it back: the only code that connects a
/// setting's name to what it does.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Bind {
    /// A typed field of [`Values`]: `set` parses the value [`normalize`] accepted into it, `get`
    /// reads it back. `seeded`: [`Values::from_table`] writes the default (otherwise the field
    /// stays "not set").
    Field {
        set: fn(&mut Values, Key, &str) -> Result<()>,
        get: fn(&Values, Key) -> String,
        seeded: bool,
    },
    /// Acts on the facade when written (`apply`, `None` when read-only) and reads what the
    /// facade holds. `answers`: writing returns the value read back (the seed's
    /// `ValidateToken`).
    Facade {
        apply: Option<Apply>,
        read: Read,
        answers: bool,
    },
    /// Not implemented here: accepts only its default, reads back the default.
    DefaultOnly,
}

/// A facade row's write.
pub(crate) type Apply = fn(&mut OpenId, Key, &str) -> Result<()>;

/// A facade row's read.
pub(crate) type Read = fn(&OpenId, Key) -> Result<String>;

const DEFAULT_ONLY: Bind = Bind::DefaultOnly;

/// A field of [`Values`] of a [`FieldValue`] type.
macro_rules! field {
    ($f:ident) => {
        Bind::Field {
            set: |v, k, x| {
                v.$f = FieldValue::parse(k, x)?;
                Ok(())
            },
            get: |v, _| FieldValue::show(&v.$f),
            seeded: true,
        }
    };
}

/// A `Vec<String>` field of [`Values`] for an indexed setting (grows when written past its end).
macro_rules! indexed_field {
    ($f:ident) => {
        Bind::Field {
            set: |v, k, x| {
                *super::slot(&mut v.$f, k.index.unwrap_or(0)) = x.to_string();
                Ok(())
            },
            get: |v, k| v.$f.get(k.index.unwrap_or(0)).cloned().unwrap_or_default(),
            seeded: true,
        }
    };
}

/// An `Option<String>` field of [`Values`]: `None` until written, read back as the default.
macro_rules! optional_field {
    ($f:ident) => {
        Bind::Field {
            set: |v, _, x| {
                v.$f = Some(x.to_string());
                Ok(())
            },
            get: |v, k| {
                v.$f.clone()
                    .unwrap_or_else(|| k.setting.default.to_string())
            },
            seeded: false,
        }
    };
}

/// A `String` field of [`Values`] holding a private key (a file path, or PEM or JWK text): the
/// key is read and parsed when the setting is written, so a bad key is an error at once.
macro_rules! key_field {
    ($f:ident) => {
        Bind::Field {
            set: |v, k, x| {
                values::check_key(k, x)?;
                v.$f = x.to_string();
                Ok(())
            },
            get: |v, _| v.$f.clone(),
            seeded: true,
        }
    };
}

/// Read from what the facade holds ([`facade`]); writing is refused (read-only).
macro_rules! read_only {
    ($read:path) => {
        Bind::Facade {
            apply: None,
            read: $read,
            answers: false,
        }
    };
}

/// Written by acting on the facade, read from it ([`facade`]).
macro_rules! acts {
    ($apply:path, $read:path) => {
        Bind::Facade {
            apply: Some($apply),
            read: $read,
            answers: false,
        }
    };
    ($apply:path, $read:path, answers) => {
        Bind::Facade {
            apply: Some($apply),
            read: $read,
            answers: true,
        }
    };
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
use facade::*;

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
    bind: Bind,
) -> Setting {
    Setting {
        name,
        indexed: false,
        kind,
        default,
        access,
        status,
        doc,
        bind,
    }
}

const fn ix(
    name: &'static str,
    kind: Kind,
    default: &'static str,
    access: Access,
    status: Status,
    doc: &'static str,
    bind: Bind,
) -> Setting {
    Setting {
        name,
        indexed: true,
        kind,
        default,
        access,
        status,
        doc,
        bind,
    }
}

const BEYOND: Status = Status::BeyondSeed;
const NO_LOOP: Status =
    NA("there is no message loop: events are called directly from the call that fires them");
const MS_OFFICE: Status =
    NA("Microsoft retired the Office 365 Discovery Service; use the Microsoft Graph endpoints");
const PAGE_BRANDING: Status = NA(
    "the loopback result page is plain text with no remote images or links (it must load no third-party content); use ResponseSuccessMessage/ResponseFailureMessage",
);

/// The names of the rows whose name the facade puts in error messages; declared here so that
/// they are spelled once, beside their row.
pub(crate) mod name {
    /// `RawJSON`.
    pub(crate) const RAW_JSON: &str = "RawJSON";
    /// `JWTAudience`.
    pub(crate) const JWT_AUDIENCE: &str = "JWTAudience";
    /// `JWTCertStore`.
    pub(crate) const JWT_CERT_STORE: &str = "JWTCertStore";
    /// `JWTCertStoreType`.
    pub(crate) const JWT_CERT_STORE_TYPE: &str = "JWTCertStoreType";
    /// `JWTIssuer`.
    pub(crate) const JWT_ISSUER: &str = "JWTIssuer";
    /// `JWTSignatureAlgorithm`.
    pub(crate) const JWT_SIGNATURE_ALGORITHM: &str = "JWTSignatureAlgorithm";
    /// `JWTSubject`.
    pub(crate) const JWT_SUBJECT: &str = "JWTSubject";
    /// `OtherHeaders`.
    pub(crate) const OTHER_HEADERS: &str = "OtherHeaders";
    /// `ProxyAuthScheme`.
    pub(crate) const PROXY_AUTH_SCHEME: &str = "ProxyAuthScheme";
    /// `FirewallType`.
    pub(crate) const FIREWALL_TYPE: &str = "FirewallType";
    /// `LocalHost`.
    pub(crate) const LOCAL_HOST: &str = "LocalHost";
    /// `FollowRedirects`.
    pub(crate) const FOLLOW_REDIRECTS: &str = "FollowRedirects";
    /// The `SecurityProfile` value for the FAPI 2.0 Security Profile.
    pub(crate) const FAPI2: &str = "FAPI2";
}

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
        field!(display),
    ),
    s(
        "IDToken",
        Text,
        "",
        RO,
        IMPL,
        "The raw ID token of the last get_authorization.",
        read_only!(id_token),
    ),
    s(
        "IDTokenHint",
        Text,
        "",
        RW,
        IMPL,
        "`id_token_hint` request parameter.",
        field!(id_token_hint),
    ),
    s(
        "LoginHint",
        Text,
        "",
        RW,
        IMPL,
        "`login_hint` request parameter.",
        field!(login_hint),
    ),
    s(
        "LogoutURL",
        Text,
        "",
        RO,
        IMPL,
        "The provider's end_session_endpoint from the discovery document.",
        read_only!(logout_url),
    ),
    s(
        "Prompt",
        Text,
        "",
        RW,
        IMPL,
        "`prompt` request parameter: none, login, consent, select_account (space-separated).",
        field!(prompt),
    ),
    s(
        name::RAW_JSON,
        Text,
        "",
        RO,
        IMPL,
        "The last JSON document: discovery document, ID token payload, or UserInfo response.",
        read_only!(raw_json),
    ),
    s(
        "ResponseType",
        Text,
        "",
        RW,
        IMPL,
        "`response_type`; empty means the grant_type's (code, `id_token token`, `code id_token`). A bad value is error 902.",
        acts!(set_response_type, response_type),
    ),
    s(
        "XChildCount",
        int(0, i64::MAX),
        "0",
        RO,
        IMPL,
        "Number of children of the XPath element.",
        read_only!(x_child_count::<false>),
    ),
    ix(
        "XChildName",
        Text,
        "",
        RO,
        IMPL,
        "Name of the XPath element's i-th child (0-based).",
        read_only!(x_child_name::<false>),
    ),
    ix(
        "XChildXText",
        Text,
        "",
        RO,
        IMPL,
        "Text of the XPath element's i-th child (0-based).",
        read_only!(x_child_text::<false>),
    ),
    s(
        "XElement",
        Text,
        "",
        RO,
        IMPL,
        "Name of the XPath element (`json` at the root).",
        read_only!(x_element::<false>),
    ),
    s(
        "XParent",
        Text,
        "",
        RO,
        IMPL,
        "Name of the XPath element's parent.",
        read_only!(x_parent::<false>),
    ),
    s(
        "XPath",
        Text,
        "/json",
        RW,
        IMPL,
        "Points at an element of RawJSON: /json/a/b, [i] (1-based), [last()], .., relative paths.",
        acts!(select_xpath::<false>, xpath::<false>),
    ),
    s(
        "XSubTree",
        Text,
        "",
        RO,
        IMPL,
        "The XPath element as compact JSON.",
        read_only!(x_sub_tree::<false>),
    ),
    s(
        "XText",
        Text,
        "",
        RO,
        IMPL,
        "Text of the XPath element (empty for objects and arrays).",
        read_only!(x_text::<false>),
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
        field!(auth_method),
    ),
    s(
        "AuthorizationTokenType",
        Text,
        "",
        RO,
        IMPL,
        "The token_type of the last token response (normally Bearer).",
        read_only!(authorization_token_type),
    ),
    s(
        "BrowserResponseTimeout",
        int(1, 86_400),
        "300",
        RW,
        IMPL,
        "Seconds to wait for the browser to come back to the loopback server.",
        field!(browser_response_timeout),
    ),
    s(
        "DeviceGrantType",
        Text,
        "urn:ietf:params:oauth:grant-type:device_code",
        RW,
        IMPL,
        "grant_type sent when polling in the Device profile (RFC 8628).",
        field!(device_grant_type),
    ),
    s(
        "DeviceUserCode",
        Text,
        "",
        RO,
        IMPL,
        "The user code of the Device profile, filled by get_authorization_url (show it with the URL it returns).",
        read_only!(device_user_code),
    ),
    s(
        "FormVarCount",
        int(0, 1000),
        "0",
        RW,
        IMPL,
        "Number of extra form variables posted to the token endpoint.",
        field!(form_var_count),
    ),
    ix(
        "FormVarName",
        Text,
        "",
        RW,
        IMPL,
        "Name of the i-th extra token endpoint form variable (URL-encoded when sent).",
        indexed_field!(form_var_name),
    ),
    ix(
        "FormVarValue",
        Text,
        "",
        RW,
        IMPL,
        "Value of the i-th extra token endpoint form variable (URL-encoded when sent).",
        indexed_field!(form_var_value),
    ),
    s(
        "IncludeClientCredsInBody",
        Bool,
        "false",
        RW,
        IMPL,
        "Send client_id/client_secret in the token request body (client_secret_post) instead of HTTP Basic.",
        field!(include_client_creds_in_body),
    ),
    s(
        "IncludeEmptyRedirectURI",
        Bool,
        "true",
        RW,
        IMPL,
        "Send redirect_uri (return_url, even empty) with the password, client credentials, JWT and device grants; false sends it only when return_url is set.",
        field!(include_empty_redirect_uri),
    ),
    s(
        name::JWT_AUDIENCE,
        Text,
        "",
        RW,
        IMPL,
        "`aud` of the JWT profile assertion; default: the JSON key's token_uri, else server_token_url.",
        field!(jwt_audience),
    ),
    s(
        name::JWT_CERT_STORE,
        Text,
        "",
        RW,
        IMPL,
        "The JWT signing key: a file path (JWTCertStoreType 2 or 6), base64 PKCS#12 (3) or PEM text (7).",
        field!(jwt_cert_store),
    ),
    s(
        "JWTCertStorePassword",
        Text,
        "",
        RW,
        IMPL,
        "Password of the PKCS#12 store (JWTCertStoreType 2 or 3).",
        field!(jwt_cert_store_password),
    ),
    s(
        name::JWT_CERT_STORE_TYPE,
        int(0, 99),
        "0",
        RW,
        IMPL,
        "2 PFXFile, 3 PFXBlob (base64), 6 PEMKeyFile, 7 PEMKeyBlob; 0/1 (Windows) and 4/5 (Java) stores are error 921 when used.",
        field!(jwt_cert_store_type),
    ),
    s(
        "JWTCertSubject",
        Text,
        "",
        RW,
        IMPL,
        "Subject of the signing certificate; a PEM or PKCS#12 store holds one key, which is used (`*` or any subject).",
        field!(jwt_cert_subject),
    ),
    s(
        name::JWT_ISSUER,
        Text,
        "",
        RW,
        IMPL,
        "`iss` of the JWT profile assertion; default: the JSON key's client_email (Google), client_id (Microsoft).",
        field!(jwt_issuer),
    ),
    s(
        "JWTJSONKey",
        Text,
        "",
        RW,
        IMPL,
        "Google service-account JSON key (text or file path); gives the key, issuer and token URL.",
        field!(jwt_json_key),
    ),
    s(
        "JWTPayload",
        Text,
        "",
        RO,
        IMPL,
        "Decoded payload of the access token when it is a JWT (informational, not verified).",
        read_only!(jwt_payload),
    ),
    s(
        "JWTServiceProvider",
        int(0, 1),
        "0",
        RW,
        IMPL,
        "0 Google (JWT bearer grant, RFC 7523 §2.1), 1 Microsoft (client credentials with a certificate assertion).",
        field!(jwt_service_provider),
    ),
    s(
        name::JWT_SIGNATURE_ALGORITHM,
        Text,
        "RSA-SHA256",
        RW,
        IMPL,
        "Signature algorithm of the assertion: RSA-SHA256 (RS256), RSA-SHA384, RSA-SHA512, or a JWS name (RS256, PS256, ES256, EdDSA, …).",
        optional_field!(jwt_signature_algorithm),
    ),
    s(
        name::JWT_SUBJECT,
        Text,
        "",
        RW,
        IMPL,
        "`sub` of the assertion (Google: the user to impersonate; Microsoft: must be client_id).",
        field!(jwt_subject),
    ),
    s(
        "JWTValidityTime",
        int(1, 86_400),
        "3600",
        RW,
        IMPL,
        "Lifetime of the Google assertion in seconds (exp - iat).",
        field!(jwt_validity_time),
    ),
    s(
        "JWTXChildCount",
        int(0, i64::MAX),
        "0",
        RO,
        IMPL,
        "Number of children of the JWTXPath element.",
        read_only!(x_child_count::<true>),
    ),
    ix(
        "JWTXChildName",
        Text,
        "",
        RO,
        IMPL,
        "Name of the JWTXPath element's i-th child (0-based).",
        read_only!(x_child_name::<true>),
    ),
    ix(
        "JWTXChildXText",
        Text,
        "",
        RO,
        IMPL,
        "Text of the JWTXPath element's i-th child (0-based).",
        read_only!(x_child_text::<true>),
    ),
    s(
        "JWTXElement",
        Text,
        "",
        RO,
        IMPL,
        "Name of the JWTXPath element.",
        read_only!(x_element::<true>),
    ),
    s(
        "JWTXParent",
        Text,
        "",
        RO,
        IMPL,
        "Name of the JWTXPath element's parent.",
        read_only!(x_parent::<true>),
    ),
    s(
        "JWTXPath",
        Text,
        "/json",
        RW,
        IMPL,
        "Points at an element of JWTPayload (same syntax as XPath).",
        acts!(select_xpath::<true>, xpath::<true>),
    ),
    s(
        "JWTXSubTree",
        Text,
        "",
        RO,
        IMPL,
        "The JWTXPath element as compact JSON.",
        read_only!(x_sub_tree::<true>),
    ),
    s(
        "JWTXText",
        Text,
        "",
        RO,
        IMPL,
        "Text of the JWTXPath element.",
        read_only!(x_text::<true>),
    ),
    s(
        "Microsoft365AdminConsentError",
        Text,
        "",
        RO,
        IMPL,
        "`error` of the last authorization response (admin consent denied).",
        read_only!(admin_consent_error),
    ),
    s(
        "Microsoft365AdminConsentErrorDesc",
        Text,
        "",
        RO,
        IMPL,
        "`error_description` of the last authorization response.",
        read_only!(admin_consent_error_desc),
    ),
    s(
        "Microsoft365AdminConsentTenant",
        Text,
        "",
        RO,
        IMPL,
        "`tenant` of the last authorization response (admin consent granted).",
        read_only!(admin_consent_tenant),
    ),
    s(
        "Office365ServiceAPIVersion",
        Text,
        "",
        RW,
        MS_OFFICE,
        "API version of the Office 365 service to discover.",
        DEFAULT_ONLY,
    ),
    s(
        "Office365ServiceCapability",
        Text,
        "",
        RW,
        MS_OFFICE,
        "Capability of the Office 365 service to discover.",
        DEFAULT_ONLY,
    ),
    s(
        "Office365ServiceEndpoint",
        Text,
        "",
        RO,
        MS_OFFICE,
        "Endpoint of the discovered Office 365 service.",
        DEFAULT_ONLY,
    ),
    s(
        "PasswordGrantUsername",
        Text,
        "",
        RW,
        IMPL,
        "When set, get_authorization runs the password grant (RFC 6749 §4.3) with this user name and OpenId::set_password_grant_password.",
        field!(password_grant_username),
    ),
    s(
        "PKCEChallengeEncoding",
        int(1, 2),
        "2",
        RW,
        IMPL,
        "PKCE method: 1 plain, 2 S256.",
        field!(pkce_challenge_encoding),
    ),
    s(
        "PKCEVerifier",
        Text,
        "",
        RW,
        IMPL,
        "The PKCE verifier of the pending authorization (Web profile); settable to restore it.",
        acts!(set_pkce_verifier, pkce_verifier),
    ),
    s(
        "PollingInterval",
        int(1, 3600),
        "5",
        RW,
        IMPL,
        "Seconds between token polls of the Device profile (at least the provider's interval).",
        field!(polling_interval),
    ),
    s(
        "ResponseCompanyImage",
        Text,
        "",
        RW,
        PAGE_BRANDING,
        "Company logo on the result page.",
        DEFAULT_ONLY,
    ),
    s(
        "ResponseCompanyURL",
        Text,
        "",
        RW,
        PAGE_BRANDING,
        "Company link on the result page.",
        DEFAULT_ONLY,
    ),
    s(
        "ResponseFailureHeading",
        Text,
        "",
        RW,
        PAGE_BRANDING,
        "Heading of the failure page.",
        DEFAULT_ONLY,
    ),
    s(
        "ResponseFailureMessage",
        Text,
        "Sign-in failed.",
        RW,
        IMPL,
        "Text of the loopback page after a failed sign-in.",
        field!(response_failure_message),
    ),
    s(
        "ResponseHelpURL",
        Text,
        "",
        RW,
        PAGE_BRANDING,
        "Help link on the result page.",
        DEFAULT_ONLY,
    ),
    s(
        "ResponseLicenseURL",
        Text,
        "",
        RW,
        PAGE_BRANDING,
        "License link on the result page.",
        DEFAULT_ONLY,
    ),
    s(
        "ResponseProductImage",
        Text,
        "",
        RW,
        PAGE_BRANDING,
        "Product image on the result page.",
        DEFAULT_ONLY,
    ),
    s(
        "ResponseProductURL",
        Text,
        "",
        RW,
        PAGE_BRANDING,
        "Product link on the result page.",
        DEFAULT_ONLY,
    ),
    s(
        "ResponseSuccessHeading",
        Text,
        "",
        RW,
        PAGE_BRANDING,
        "Heading of the success page.",
        DEFAULT_ONLY,
    ),
    s(
        "ResponseSuccessMessage",
        Text,
        "Signed in. You can close this window and return to the application.",
        RW,
        IMPL,
        "Text of the loopback page after a successful sign-in.",
        field!(response_success_message),
    ),
    s(
        "ReUseWebServer",
        Bool,
        "false",
        RW,
        IMPL,
        "Keep the loopback server running between get_authorization calls.",
        field!(reuse_web_server),
    ),
    s(
        "TokenInfoFieldCount",
        int(0, i64::MAX),
        "0",
        RO,
        IMPL,
        "Number of fields of the last ValidateToken response.",
        read_only!(token_info_field_count),
    ),
    ix(
        "TokenInfoFieldName",
        Text,
        "",
        RO,
        IMPL,
        "Name of the i-th field of the last ValidateToken response.",
        read_only!(token_info_field_name),
    ),
    ix(
        "TokenInfoFieldValue",
        Text,
        "",
        RO,
        IMPL,
        "Value of the i-th field of the last ValidateToken response.",
        read_only!(token_info_field_value),
    ),
    s(
        "TokenInfoURL",
        Text,
        "",
        RW,
        IMPL,
        "URL of the token info service (GET ?access_token=…); empty: the provider's RFC 7662 introspection endpoint.",
        field!(token_info_url),
    ),
    s(
        "ValidateToken",
        Text,
        "",
        RW,
        IMPL,
        "`ValidateToken=<token>` (empty: access_token) asks the token info service and returns true/false; reads back the last answer.",
        acts!(validate_token, validate_token_verdict, answers),
    ),
    s(
        "WebServerFailedResponse",
        Text,
        "",
        RW,
        IMPL,
        "Text shown after a failed sign-in; overrides ResponseFailureMessage when set.",
        field!(web_server_failed_response),
    ),
    s(
        "WebServerHost",
        Kind::Choice(&["127.0.0.1", "localhost"]),
        "127.0.0.1",
        RW,
        IMPL,
        "Host of the loopback redirect URI (RFC 8252 §8.3 recommends 127.0.0.1 over the seed's localhost).",
        field!(web_server_host),
    ),
    s(
        "WebServerResponse",
        Text,
        "",
        RW,
        IMPL,
        "Text shown after a successful sign-in; overrides ResponseSuccessMessage when set.",
        field!(web_server_response),
    ),
    // HTTP settings.
    s(
        "AcceptEncoding",
        Text,
        "gzip, deflate",
        RW,
        IMPL,
        "Accept-Encoding sent when AllowHTTPCompression is on: gzip, deflate, identity (others are error 921).",
        field!(accept_encoding),
    ),
    s(
        "AllowHTTPCompression",
        Bool,
        "true",
        RW,
        IMPL,
        "Ask for gzip/deflate responses and decompress them; TransferredDataLimit applies to the decompressed bytes.",
        field!(allow_http_compression),
    ),
    s(
        "AllowHTTPFallback",
        Bool,
        "true",
        RW,
        NA("HTTP/2 is negotiated by ALPN and always falls back to HTTP/1.1"),
        "Allow HTTP/2 to fall back to HTTP/1.1.",
        DEFAULT_ONLY,
    ),
    s(
        "Append",
        Bool,
        "false",
        RW,
        NA("the facade downloads nothing to a LocalFile"),
        "Append to LocalFile.",
        DEFAULT_ONLY,
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
        DEFAULT_ONLY,
    ),
    s(
        "BytesTransferred",
        int(0, i64::MAX),
        "0",
        RO,
        IMPL,
        "Bytes of the last response body.",
        read_only!(bytes_transferred),
    ),
    s(
        "ChunkSize",
        int(0, i64::MAX),
        "0",
        RW,
        NA("requests are small forms sent with Content-Length"),
        "Chunk size of chunked uploads.",
        DEFAULT_ONLY,
    ),
    s(
        "CompressHTTPRequest",
        Bool,
        "false",
        RW,
        NA("requests are small forms; they are never compressed"),
        "Compress request bodies.",
        DEFAULT_ONLY,
    ),
    s(
        "EncodeURL",
        Bool,
        "false",
        RW,
        NA("URLs are always encoded by the url crate"),
        "Encode the URL.",
        DEFAULT_ONLY,
    ),
    s(
        name::FOLLOW_REDIRECTS,
        int(0, 2),
        "0",
        RW,
        IMPL,
        "0 never, 1 always, 2 same scheme (GET only); same as follow_redirects.",
        field!(follow_redirects),
    ),
    s(
        "GetOn302Redirect",
        Bool,
        "false",
        RW,
        IMPL,
        "On a followed 302, GET the new location (no body); when false a 302 keeps the method.",
        field!(get_on_302_redirect),
    ),
    s(
        "HTTP2HeadersWithoutIndexing",
        Text,
        "",
        RW,
        NA("HPACK indexing is managed by the HTTP/2 implementation"),
        "HTTP/2 headers not indexed.",
        DEFAULT_ONLY,
    ),
    s(
        "HTTPVersion",
        Kind::Choice(&["1.1", "2.0"]),
        "1.1",
        RW,
        IMPL,
        "1.1 only, or 2.0 offered by ALPN on https with fallback to 1.1 (1.0 and 3.0 are not supported).",
        field!(http_version),
    ),
    s(
        "IfModifiedSince",
        Text,
        "",
        RW,
        NA("the facade makes no conditional requests"),
        "If-Modified-Since header.",
        DEFAULT_ONLY,
    ),
    s(
        "KeepAlive",
        Bool,
        "false",
        RW,
        IMPL,
        "Reuse connections; on_connected then fires only for new connections.",
        field!(keep_alive),
    ),
    s(
        "KerberosSPN",
        Text,
        "",
        RW,
        NA("Negotiate/Kerberos authentication is not supported"),
        "Kerberos service principal name.",
        DEFAULT_ONLY,
    ),
    s(
        "LogLevel",
        int(0, 3),
        "1",
        RW,
        IMPL,
        "on_log level: 0 none, 1 info, 2 verbose, 3 debug.",
        field!(log_level),
    ),
    s(
        "MaxRedirectAttempts",
        int(0, 100),
        "20",
        RW,
        IMPL,
        "Most redirects followed for one request.",
        field!(max_redirect_attempts),
    ),
    s(
        "NegotiatedHTTPVersion",
        Text,
        "",
        RO,
        IMPL,
        "HTTP version of the last response (e.g. 1.1).",
        read_only!(negotiated_http_version),
    ),
    s(
        name::OTHER_HEADERS,
        Text,
        "",
        RW,
        IMPL,
        "Extra request headers, `Name: value` lines; same as other_headers.",
        field!(other_headers),
    ),
    s(
        "ProxyAuthorization",
        Text,
        "",
        RW,
        IMPL,
        "Raw Proxy-Authorization value sent to the proxy instead of one built from ProxyUser/ProxyPassword.",
        field!(proxy_authorization),
    ),
    s(
        name::PROXY_AUTH_SCHEME,
        int(0, 6),
        "0",
        RW,
        IMPL,
        "0 Basic, 3 none; 1 Digest, 2 proprietary, 4 NTLM, 5 Negotiate, 6 are error 921 at the next call.",
        field!(proxy_auth_scheme),
    ),
    s(
        "ProxyPassword",
        Text,
        "",
        RW,
        IMPL,
        "Proxy password; same as proxy_password.",
        field!(proxy_password),
    ),
    s(
        "ProxyPort",
        int(0, 65_535),
        "80",
        RW,
        IMPL,
        "Proxy port; same as proxy_port.",
        field!(proxy_port),
    ),
    s(
        "ProxyServer",
        Text,
        "",
        RW,
        IMPL,
        "Proxy host (empty: no proxy); same as proxy_server.",
        field!(proxy_server),
    ),
    s(
        "ProxyUser",
        Text,
        "",
        RW,
        IMPL,
        "Proxy user; same as proxy_user.",
        field!(proxy_user),
    ),
    s(
        "SentHeaders",
        Text,
        "",
        RO,
        IMPL,
        "Request line and headers of the last request (masked per MaskSensitive).",
        read_only!(sent_headers),
    ),
    s(
        "StatusCode",
        int(0, 999),
        "0",
        RO,
        IMPL,
        "Status code of the last response.",
        read_only!(status_code),
    ),
    s(
        "StatusLine",
        Text,
        "",
        RO,
        IMPL,
        "Status line of the last response.",
        read_only!(status_line),
    ),
    s(
        "TransferredData",
        Text,
        "",
        RO,
        IMPL,
        "Body of the last response (may hold tokens).",
        read_only!(transferred_data),
    ),
    s(
        "TransferredDataLimit",
        int(1, i64::MAX),
        "1048576",
        RW,
        IMPL,
        "Largest response body read, in bytes (error 909 beyond).",
        field!(transferred_data_limit),
    ),
    s(
        "TransferredHeaders",
        Text,
        "",
        RO,
        IMPL,
        "Headers of the last response, `Name: value` lines.",
        read_only!(transferred_headers),
    ),
    s(
        "TransferredRequest",
        Text,
        "",
        RW,
        IMPL,
        "The last request as sent, headers and body (masked per MaskSensitive); writing (e.g. on) is accepted: it is always recorded.",
        acts!(accept, transferred_request),
    ),
    s(
        "UseChunkedEncoding",
        Bool,
        "false",
        RW,
        NA("requests are small forms sent with Content-Length"),
        "Chunked uploads.",
        DEFAULT_ONLY,
    ),
    s(
        "UseIDNs",
        Bool,
        "false",
        RW,
        NA("host names are always IDNA-encoded by the url crate"),
        "Encode internationalized domain names.",
        DEFAULT_ONLY,
    ),
    s(
        "UsePlatformHTTPClient",
        Bool,
        "false",
        RW,
        NA("there is one transport (rustls-based reqwest)"),
        "Use the platform HTTP client.",
        DEFAULT_ONLY,
    ),
    s(
        "UseProxyAutoConfigURL",
        Bool,
        "false",
        RW,
        NA("PAC files (JavaScript) are not evaluated; set the proxy explicitly"),
        "Use a proxy auto-config file.",
        DEFAULT_ONLY,
    ),
    s(
        "UserAgent",
        Text,
        USER_AGENT,
        RW,
        IMPL,
        "User-Agent header.",
        field!(user_agent),
    ),
    // TCP settings.
    s(
        "ConnectionTimeout",
        int(0, 86_400),
        "0",
        RW,
        IMPL,
        "Separate connect timeout in seconds, within Timeout (0: the timeout).",
        field!(connection_timeout),
    ),
    s(
        "FirewallAutoDetect",
        Bool,
        "false",
        RW,
        IMPL,
        "Use the proxy environment variables (HTTPS_PROXY, ALL_PROXY, NO_PROXY) when no proxy or firewall is set.",
        field!(firewall_auto_detect),
    ),
    s(
        "FirewallHost",
        Text,
        "",
        RW,
        IMPL,
        "Firewall host (empty: none); same as firewall_host.",
        field!(firewall_host),
    ),
    s(
        "FirewallPassword",
        Text,
        "",
        RW,
        IMPL,
        "Firewall password; same as firewall_password.",
        field!(firewall_password),
    ),
    s(
        "FirewallPort",
        int(0, 65_535),
        "0",
        RW,
        IMPL,
        "Firewall port (0: the type's default); same as firewall_port.",
        field!(firewall_port),
    ),
    s(
        name::FIREWALL_TYPE,
        int(0, 10),
        "0",
        RW,
        IMPL,
        "0 none, 1 tunnel, 2 SOCKS4, 3 SOCKS5, 10 SOCKS4A; same as firewall_type.",
        field!(firewall_type),
    ),
    s(
        "FirewallUser",
        Text,
        "",
        RW,
        IMPL,
        "Firewall user; same as firewall_user.",
        field!(firewall_user),
    ),
    s(
        "KeepAliveInterval",
        int(0, i64::MAX),
        "0",
        RW,
        IMPL,
        "TCP keep-alive retry interval in milliseconds (0: 15 s), with TCPKeepAlive.",
        field!(keep_alive_interval),
    ),
    s(
        "KeepAliveTime",
        int(0, i64::MAX),
        "0",
        RW,
        IMPL,
        "TCP keep-alive idle time in milliseconds (0: 15 s), with TCPKeepAlive.",
        field!(keep_alive_time),
    ),
    s(
        "Linger",
        Bool,
        "true",
        RW,
        NA("reqwest/hyper do not expose SO_LINGER; sockets always close gracefully"),
        "Graceful close.",
        DEFAULT_ONLY,
    ),
    s(
        "LingerTime",
        int(0, i64::MAX),
        "0",
        RW,
        NA("reqwest/hyper do not expose SO_LINGER"),
        "Linger time.",
        DEFAULT_ONLY,
    ),
    s(
        name::LOCAL_HOST,
        Text,
        "",
        RW,
        IMPL,
        "Local IP address to connect from (an address, not a name); same as local_host.",
        field!(local_host),
    ),
    s(
        "LocalPort",
        int(0, 65_535),
        "0",
        RW,
        NA("reqwest binds only a local address (LocalHost), never a port; the system picks it"),
        "Local port to bind.",
        DEFAULT_ONLY,
    ),
    s(
        "MaxLineLength",
        int(0, i64::MAX),
        "2048",
        RW,
        NA("the HTTP implementation bounds header lines itself"),
        "Longest line accumulated.",
        DEFAULT_ONLY,
    ),
    s(
        "MaxTransferRate",
        int(0, i64::MAX),
        "0",
        RW,
        NA("reqwest/hyper have no rate limiter; responses are small JSON documents"),
        "Transfer rate limit.",
        DEFAULT_ONLY,
    ),
    s(
        "ProxyExceptionsList",
        Text,
        "",
        RW,
        IMPL,
        "Hosts and IPs that bypass the proxy or firewall, `;`-separated (a name matches its subdomains).",
        field!(proxy_exceptions_list),
    ),
    s(
        "TCPKeepAlive",
        Bool,
        "false",
        RW,
        IMPL,
        "SO_KEEPALIVE on each connection (KeepAliveTime, KeepAliveInterval).",
        field!(tcp_keep_alive),
    ),
    s(
        "TcpNoDelay",
        Bool,
        "false",
        RW,
        IMPL,
        "Set TCP_NODELAY (disable Nagle's algorithm).",
        field!(tcp_no_delay),
    ),
    s(
        "UseIPv6",
        int(0, 2),
        "0",
        RW,
        IMPL,
        "Address family of resolved names: 0 IPv4 only, 1 IPv6 only, 2 IPv6 then IPv4.",
        field!(use_ipv6),
    ),
    // Socket settings.
    s(
        "AbsoluteTimeout",
        Bool,
        "true",
        RW,
        NA("the timeout is always an absolute deadline for the whole call"),
        "Absolute or inactivity timeouts.",
        DEFAULT_ONLY,
    ),
    s(
        "FirewallData",
        Text,
        "",
        RW,
        NA("no firewall protocol here takes extra data"),
        "Extra data for the firewall.",
        DEFAULT_ONLY,
    ),
    s(
        "InBufferSize",
        int(0, i64::MAX),
        "0",
        RW,
        NA("reqwest does not expose SO_RCVBUF; the system sizes socket buffers"),
        "Receive buffer size.",
        DEFAULT_ONLY,
    ),
    s(
        "OutBufferSize",
        int(0, i64::MAX),
        "0",
        RW,
        NA("reqwest does not expose SO_SNDBUF; the system sizes socket buffers"),
        "Send buffer size.",
        DEFAULT_ONLY,
    ),
    // Base settings.
    s(
        "BuildInfo",
        Text,
        "",
        RO,
        IMPL,
        "Crate name and version.",
        read_only!(build_info),
    ),
    s(
        "CodePage",
        int(0, i64::MAX),
        "0",
        RW,
        NA("strings are UTF-8 throughout; there are no code pages"),
        "Code page for string conversion.",
        DEFAULT_ONLY,
    ),
    s(
        "LicenseInfo",
        Text,
        "",
        RO,
        NA("no license keys: the crate is MIT OR Apache-2.0"),
        "License information.",
        DEFAULT_ONLY,
    ),
    s(
        "MaskSensitive",
        Bool,
        "true",
        RW,
        IMPL,
        "Mask secrets, codes, tokens and passwords in log messages.",
        field!(mask_sensitive),
    ),
    s(
        "ProcessIdleEvents",
        Bool,
        "false",
        RW,
        NO_LOOP,
        "Process events when idle.",
        DEFAULT_ONLY,
    ),
    s(
        "SelectWaitMillis",
        int(0, i64::MAX),
        "20",
        RW,
        NO_LOOP,
        "Wait of do_events.",
        DEFAULT_ONLY,
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
        DEFAULT_ONLY,
    ),
    s(
        "UseInternalSecurityAPI",
        Bool,
        "false",
        RW,
        NA("TLS and crypto are always rustls and aws-lc-rs"),
        "Use the internal security implementation.",
        DEFAULT_ONLY,
    ),
    // Beyond the seed: the security extensions of the core client.
    s(
        "UsePAR",
        Bool,
        "false",
        RW,
        BEYOND,
        "Push the authorization request first (RFC 9126 PAR); the URL then carries only client_id and request_uri. Automatic when the provider requires it.",
        field!(use_par),
    ),
    s(
        "RequestObject",
        Bool,
        "false",
        RW,
        BEYOND,
        "Send the authorization parameters in a signed request object (RFC 9101 JAR), signed with ClientKey (its algorithm) or HS256 with client_secret; by reference with UsePAR.",
        field!(request_object),
    ),
    s(
        "ResponseMode",
        Kind::Choice(&[
            "query",
            "fragment",
            "form_post",
            "query.jwt",
            "fragment.jwt",
            "form_post.jwt",
            "jwt",
        ]),
        "",
        RW,
        BEYOND,
        "`response_mode`; the .jwt modes and jwt ask for a signed JARM response, verified before any parameter is used (952). Empty: the provider's default.",
        field!(response_mode),
    ),
    s(
        "UseDPoP",
        Bool,
        "false",
        RW,
        BEYOND,
        "Bind tokens with DPoP (RFC 9449): a proof with every token, PAR and UserInfo request, from DPoPKey or a fresh ES256 key.",
        field!(use_dpop),
    ),
    s(
        "DPoPKey",
        Text,
        "",
        RW,
        BEYOND,
        "The DPoP private key: a file path, or PEM or private JWK text; setting it turns DPoP on. Empty: a fresh ES256 key per client.",
        key_field!(dpop_key),
    ),
    s(
        "ClientKey",
        Text,
        "",
        RW,
        BEYOND,
        "The client's private key: private_key_jwt client authentication when client_secret is empty, and the signature of request objects. A file path, or PEM or private JWK text.",
        key_field!(client_key),
    ),
    s(
        "DecryptionKey",
        Text,
        "",
        RW,
        BEYOND,
        "The client's JWE decryption keys (RSA or EC) for encrypted ID tokens, UserInfo and JARM responses: a file path, or PEM, private JWK or private JWKS text. An encrypted response without a fitting key is refused.",
        Bind::Field {
            set: |v, k, x| {
                values::check_decryption_keys(k, x)?;
                v.decryption_key = x.to_string();
                Ok(())
            },
            get: |v, _| v.decryption_key.clone(),
            seeded: true,
        },
    ),
    s(
        "Resource",
        Text,
        "",
        RW,
        BEYOND,
        "Resource indicators (RFC 8707): the absolute URIs, separated by spaces, of the resources the tokens are for; sent as `resource` with the authorization request, the code exchange and refreshes. Empty: none.",
        field!(resource),
    ),
    s(
        "SecurityProfile",
        Kind::Choice(&[name::FAPI2]),
        "",
        RW,
        BEYOND,
        "FAPI2: the FAPI 2.0 Security Profile (PAR, PKCE S256, DPoP, private_key_jwt, RFC 9207 iss, ES256/PS256 only); a configuration it forbids is error 953 naming the rule.",
        field!(security_profile),
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
        Status::Implemented | Status::BeyondSeed => Ok(canonical),
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
            Status::BeyondSeed => "beyond the seed".to_string(),
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

/// Error 921 for an XPath setting read or written before any JSON document was received.
pub(crate) fn no_document(name: &str) -> Error {
    Error::InvalidSetting {
        name: name.into(),
        reason: "there is no JSON document yet (call a method that receives one)".into(),
    }
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
    fn every_implemented_row_has_an_effect_and_every_other_row_none() {
        for s in TABLE {
            let default_only = matches!(s.bind, Bind::DefaultOnly);
            assert_eq!(
                default_only,
                !matches!(s.status, Status::Implemented | Status::BeyondSeed),
                "{}: only rows without meaning here may lack an effect",
                s.name
            );
            if let Bind::Field { set, get, .. } = s.bind {
                let key = Key {
                    setting: s,
                    index: s.indexed.then_some(0),
                };
                let mut v = Values::from_table();
                set(&mut v, key, s.default).expect(s.name);
                assert_eq!(get(&v, key), s.default, "{}", s.name);
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
