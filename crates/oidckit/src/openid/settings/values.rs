//! The typed values of the settings: one field per implemented setting, written once by its
//! row of [`TABLE`](super::TABLE) when it is set and read by the code it shapes.

use super::{Bind, Key, TABLE, parse_bool};
use crate::config::{AuthMethod, ResponseType};
use crate::jose::{DecryptionKey, PrivateKey};
use crate::{Error, Result};

/// Every implemented setting that is written (the read-only ones report results the facade
/// holds), parsed. Build with [`Values::from_table`] (the table's defaults).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Values {
    /// `Display`.
    pub(crate) display: String,
    /// `IDTokenHint`.
    pub(crate) id_token_hint: String,
    /// `LoginHint`.
    pub(crate) login_hint: String,
    /// `Prompt`.
    pub(crate) prompt: String,
    /// `AuthMethod`.
    pub(crate) auth_method: Option<AuthMethod>,
    /// `BrowserResponseTimeout`.
    pub(crate) browser_response_timeout: i64,
    /// `DeviceGrantType`.
    pub(crate) device_grant_type: String,
    /// `FormVarCount`.
    pub(crate) form_var_count: i64,
    /// `FormVarName`.
    pub(crate) form_var_name: Vec<String>,
    /// `FormVarValue`.
    pub(crate) form_var_value: Vec<String>,
    /// `IncludeClientCredsInBody`.
    pub(crate) include_client_creds_in_body: bool,
    /// `IncludeEmptyRedirectURI`.
    pub(crate) include_empty_redirect_uri: bool,
    /// `JWTAudience`.
    pub(crate) jwt_audience: String,
    /// `JWTCertStore`.
    pub(crate) jwt_cert_store: String,
    /// `JWTCertStorePassword`.
    pub(crate) jwt_cert_store_password: String,
    /// `JWTCertStoreType`.
    pub(crate) jwt_cert_store_type: i64,
    /// `JWTCertSubject`.
    pub(crate) jwt_cert_subject: String,
    /// `JWTIssuer`.
    pub(crate) jwt_issuer: String,
    /// `JWTJSONKey`.
    pub(crate) jwt_json_key: String,
    /// `JWTServiceProvider`.
    pub(crate) jwt_service_provider: i64,
    /// `JWTSignatureAlgorithm`, when it was set (the key's own algorithm otherwise).
    pub(crate) jwt_signature_algorithm: Option<String>,
    /// `JWTSubject`.
    pub(crate) jwt_subject: String,
    /// `JWTValidityTime`.
    pub(crate) jwt_validity_time: i64,
    /// `PasswordGrantUsername`.
    pub(crate) password_grant_username: String,
    /// `PKCEChallengeEncoding`.
    pub(crate) pkce_challenge_encoding: i64,
    /// `PollingInterval`.
    pub(crate) polling_interval: i64,
    /// `ResponseFailureMessage`.
    pub(crate) response_failure_message: String,
    /// `ResponseSuccessMessage`.
    pub(crate) response_success_message: String,
    /// `ReUseWebServer`.
    pub(crate) reuse_web_server: bool,
    /// `TokenInfoURL`.
    pub(crate) token_info_url: String,
    /// `WebServerFailedResponse`.
    pub(crate) web_server_failed_response: String,
    /// `WebServerHost`.
    pub(crate) web_server_host: String,
    /// `WebServerResponse`.
    pub(crate) web_server_response: String,
    /// `AcceptEncoding`.
    pub(crate) accept_encoding: String,
    /// `AllowHTTPCompression`.
    pub(crate) allow_http_compression: bool,
    /// `FollowRedirects`.
    pub(crate) follow_redirects: i64,
    /// `GetOn302Redirect`.
    pub(crate) get_on_302_redirect: bool,
    /// `HTTPVersion`.
    pub(crate) http_version: String,
    /// `KeepAlive`.
    pub(crate) keep_alive: bool,
    /// `LogLevel`.
    pub(crate) log_level: i64,
    /// `MaxRedirectAttempts`.
    pub(crate) max_redirect_attempts: i64,
    /// `OtherHeaders`.
    pub(crate) other_headers: String,
    /// `ProxyAuthorization`.
    pub(crate) proxy_authorization: String,
    /// `ProxyAuthScheme`.
    pub(crate) proxy_auth_scheme: i64,
    /// `ProxyPassword`.
    pub(crate) proxy_password: String,
    /// `ProxyPort`.
    pub(crate) proxy_port: i64,
    /// `ProxyServer`.
    pub(crate) proxy_server: String,
    /// `ProxyUser`.
    pub(crate) proxy_user: String,
    /// `TransferredDataLimit`.
    pub(crate) transferred_data_limit: i64,
    /// `UserAgent`.
    pub(crate) user_agent: String,
    /// `ConnectionTimeout`.
    pub(crate) connection_timeout: i64,
    /// `FirewallAutoDetect`.
    pub(crate) firewall_auto_detect: bool,
    /// `FirewallHost`.
    pub(crate) firewall_host: String,
    /// `FirewallPassword`.
    pub(crate) firewall_password: String,
    /// `FirewallPort`.
    pub(crate) firewall_port: i64,
    /// `FirewallType`.
    pub(crate) firewall_type: i64,
    /// `FirewallUser`.
    pub(crate) firewall_user: String,
    /// `KeepAliveInterval`.
    pub(crate) keep_alive_interval: i64,
    /// `KeepAliveTime`.
    pub(crate) keep_alive_time: i64,
    /// `LocalHost`.
    pub(crate) local_host: String,
    /// `ProxyExceptionsList`.
    pub(crate) proxy_exceptions_list: String,
    /// `TCPKeepAlive`.
    pub(crate) tcp_keep_alive: bool,
    /// `TcpNoDelay`.
    pub(crate) tcp_no_delay: bool,
    /// `UseIPv6`.
    pub(crate) use_ipv6: i64,
    /// `MaskSensitive`.
    pub(crate) mask_sensitive: bool,
    /// `ResponseType`; `None` uses the grant type's default.
    pub(crate) response_type: Option<ResponseType>,
    /// `UsePAR` (beyond the seed).
    pub(crate) use_par: bool,
    /// `RequestObject` (beyond the seed).
    pub(crate) request_object: bool,
    /// `ResponseMode` (beyond the seed); empty: none sent.
    pub(crate) response_mode: String,
    /// `UseDPoP` (beyond the seed).
    pub(crate) use_dpop: bool,
    /// `DPoPKey` (beyond the seed): a path, PEM or JWK, checked when written.
    pub(crate) dpop_key: String,
    /// `ClientKey` (beyond the seed): a path, PEM or JWK, checked when written.
    pub(crate) client_key: String,
    /// `Resource` (beyond the seed): resource indicators separated by spaces.
    pub(crate) resource: String,
    /// `DecryptionKey` (beyond the seed): a path, PEM, JWK or JWKS, checked when written.
    pub(crate) decryption_key: String,
    /// `SecurityProfile` (beyond the seed): empty or `FAPI2`.
    pub(crate) security_profile: String,
}

impl Values {
    /// Every field at its row's default.
    pub(crate) fn from_table() -> Values {
        let mut v = Values::default();
        for s in TABLE.iter().filter(|s| !s.indexed) {
            if let Bind::Field {
                set, seeded: true, ..
            } = s.bind
            {
                let key = Key {
                    setting: s,
                    index: None,
                };
                // The table test checks that every default parses.
                let _ = set(&mut v, key, s.default);
            }
        }
        v
    }
}

/// The private key a `DPoPKey` / `ClientKey` value names: empty is none; text starting
/// with `-----BEGIN` (PEM) or `{` (JWK) is the key itself; anything else is a file path.
pub(crate) fn private_key(value: &str) -> Result<Option<PrivateKey>> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if value.starts_with("-----BEGIN") || value.starts_with('{') {
        return PrivateKey::from_text(value).map(Some);
    }
    let text = read_key_file(value)?;
    PrivateKey::from_text(&text).map(Some)
}

/// The JWE decryption keys a `DecryptionKey` value names: empty is none; text starting with
/// `-----BEGIN` (PEM) or `{` (a private JWK, or a JWKS `{"keys":[…]}` of private keys) is the
/// key material itself; anything else is a file path holding one of those.
pub(crate) fn decryption_keys(value: &str) -> Result<Vec<DecryptionKey>> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(Vec::new());
    }
    if value.starts_with("-----BEGIN") || value.starts_with('{') {
        return DecryptionKey::all_from_text(value);
    }
    DecryptionKey::all_from_text(&read_key_file(value)?)
}

/// Checks that `value` names usable decryption keys (see [`decryption_keys`]); error 921
/// naming the setting otherwise.
pub(crate) fn check_decryption_keys(key: Key, value: &str) -> Result<()> {
    decryption_keys(value)
        .map(|_| ())
        .map_err(|e| Error::InvalidSetting {
            name: key.setting.name.into(),
            reason: match e {
                Error::InvalidSetting { reason, .. } => reason,
                other => format!("not a usable decryption key: {other}"),
            },
        })
}

/// Checks that `value` names a usable private key (see [`private_key`]); error 921 naming
/// the setting otherwise.
pub(crate) fn check_key(key: Key, value: &str) -> Result<()> {
    private_key(value)
        .map(|_| ())
        .map_err(|e| Error::InvalidSetting {
            name: key.setting.name.into(),
            reason: match e {
                Error::InvalidSetting { reason, .. } => reason,
                other => format!("not a usable private key: {other}"),
            },
        })
}

/// A key file, at most 64 KiB.
fn read_key_file(path: &str) -> Result<String> {
    use std::io::Read;
    const LIMIT: u64 = 64 * 1024;
    let unreadable = |reason: String| Error::InvalidSetting {
        name: "key file".into(),
        reason: format!("{path}: {reason}"),
    };
    let file = std::fs::File::open(path)
        .map_err(|e| unreadable(format!("cannot open the key file: {e}")))?;
    let mut text = String::new();
    file.take(LIMIT + 1)
        .read_to_string(&mut text)
        .map_err(|e| unreadable(format!("cannot read the key file: {e}")))?;
    if text.len() as u64 > LIMIT {
        return Err(unreadable(format!(
            "the key file is larger than {LIMIT} bytes"
        )));
    }
    Ok(text)
}

/// A field type of [`Values`]: parsed from the checked text of its row and shown back.
pub(crate) trait FieldValue: Sized {
    /// Parses the value [`normalize`](super::normalize) accepted.
    fn parse(key: Key, text: &str) -> Result<Self>;
    /// The value as `config("Name")` reads it back.
    fn show(&self) -> String;
}

fn bad(key: Key, text: &str) -> Error {
    Error::InvalidSetting {
        name: key.setting.name.into(),
        reason: format!("{text:?} is not a valid value"),
    }
}

impl FieldValue for bool {
    fn parse(key: Key, text: &str) -> Result<bool> {
        parse_bool(text).ok_or_else(|| bad(key, text))
    }
    fn show(&self) -> String {
        self.to_string()
    }
}

impl FieldValue for i64 {
    fn parse(key: Key, text: &str) -> Result<i64> {
        text.trim().parse().map_err(|_| bad(key, text))
    }
    fn show(&self) -> String {
        self.to_string()
    }
}

impl FieldValue for String {
    fn parse(_: Key, text: &str) -> Result<String> {
        Ok(text.to_string())
    }
    fn show(&self) -> String {
        self.clone()
    }
}

impl FieldValue for Option<AuthMethod> {
    fn parse(_: Key, text: &str) -> Result<Option<AuthMethod>> {
        if text.trim().is_empty() {
            Ok(None)
        } else {
            AuthMethod::parse(text.trim()).map(Some)
        }
    }
    fn show(&self) -> String {
        self.as_ref()
            .map(|m| m.as_str().to_string())
            .unwrap_or_default()
    }
}
