//! [`OpenId::config`], the seed's string layer over the properties and settings (see
//! [`settings`](super::settings)), and the typed reads of stored settings.

use std::time::Duration;

use super::settings::{self, Access, Setting, Status};
use super::xpath::JsonDoc;
use super::{OpenId, opt};
use crate::config::ResponseType;
use crate::{Error, Result};

impl OpenId {
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
    pub(super) fn setting_str(&self, name: &str) -> String {
        match self.p.values.get(name) {
            Some(v) => v.clone(),
            None => settings::find(name)
                .map(|s| s.default.to_string())
                .unwrap_or_default(),
        }
    }

    pub(super) fn setting_int(&self, name: &str) -> i64 {
        self.setting_str(name).parse().unwrap_or(0)
    }

    pub(super) fn setting_bool(&self, name: &str) -> bool {
        settings::parse_bool(&self.setting_str(name)).unwrap_or(false)
    }

    pub(super) fn log_level(&self) -> i32 {
        i32::try_from(self.setting_int("LogLevel")).unwrap_or(1)
    }

    /// Logs an `Info` message at level 1 (see `on_log`).
    pub(super) fn log_info(&self, message: String) {
        self.events.log(self.log_level(), 1, "Info", message);
    }

    /// A number-of-seconds setting; `default` when it is negative.
    pub(super) fn setting_secs(&self, name: &str, default: u64) -> Duration {
        Duration::from_secs(u64::try_from(self.setting_int(name)).unwrap_or(default))
    }
    pub(super) fn storage_key(s: &Setting, index: Option<usize>) -> String {
        match index {
            Some(i) => format!("{}[{i}]", s.name),
            None => s.name.to_string(),
        }
    }

    pub(super) fn set_setting(
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
                let doc = doc.ok_or_else(|| no_document(s.name))?;
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

    pub(super) fn doc(&self, jwt: bool, name: &str) -> Result<&JsonDoc> {
        let doc = if jwt {
            self.p.jwt_payload.as_ref()
        } else {
            self.p.raw_json.as_ref()
        };
        doc.map(|d| &d.doc).ok_or_else(|| no_document(name))
    }

    pub(super) fn get_setting(&self, s: &'static Setting, index: Option<usize>) -> Result<String> {
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

/// Error 921 for an XPath setting read or written before any JSON document was received.
fn no_document(name: &str) -> Error {
    Error::InvalidSetting {
        name: name.into(),
        reason: "there is no JSON document yet (call a method that receives one)".into(),
    }
}
