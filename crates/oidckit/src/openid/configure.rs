//! [`OpenId::config`], the seed's string layer over the properties and settings (see
//! [`settings`](super::settings)): each name is resolved to its row of the table, and the row
//! writes or reads the value.

use std::time::Duration;

use super::OpenId;
use super::settings::{self, Bind, Key};
use super::xpath::JsonDoc;
use crate::Result;

impl OpenId {
    /// The seed's `config`: `"Name=Value"` sets a setting and returns "", `"Name"` reads it.
    /// Names are case-insensitive; indexed ones are written `Name[i]`. Unknown names and bad
    /// values are error 921 (902 for a bad `ResponseType`). See [`settings::TABLE`].
    pub fn config(&mut self, configuration: &str) -> Result<String> {
        match configuration.split_once('=') {
            Some((name, value)) => {
                let key = settings::resolve(name)?;
                self.set_setting(key, value)?;
                if let Bind::Facade { answers: true, .. } = key.setting.bind {
                    // The seed returns the verdict of the validation.
                    return self.get_setting(key);
                }
                Ok(String::new())
            }
            None => {
                let key = settings::resolve(configuration)?;
                self.get_setting(key)
            }
        }
    }

    pub(super) fn log_level(&self) -> i32 {
        i32::try_from(self.p.set.log_level).unwrap_or(1)
    }

    /// Logs an `Info` message at level 1 (see `on_log`).
    pub(super) fn log_info(&self, message: String) {
        self.events.log(self.log_level(), 1, "Info", message);
    }

    /// Writes a setting through its row: a typed field gets the parsed value, a facade row
    /// acts, and a row without effect here only checks the value.
    pub(super) fn set_setting(&mut self, key: Key, value: &str) -> Result<()> {
        match key.setting.bind {
            Bind::Field { set, .. } => {
                let canonical = settings::normalize(key.setting, value)?;
                set(&mut self.p.set, key, &canonical)
            }
            Bind::Facade {
                apply: Some(apply), ..
            } => apply(self, key, value),
            Bind::Facade { apply: None, .. } | Bind::DefaultOnly => {
                settings::normalize(key.setting, value).map(drop)
            }
        }
    }

    /// Reads a setting through its row.
    pub(super) fn get_setting(&self, key: Key) -> Result<String> {
        match key.setting.bind {
            Bind::Field { get, .. } => Ok(get(&self.p.set, key)),
            Bind::Facade { read, .. } => read(self, key),
            Bind::DefaultOnly => Ok(key.setting.default.to_string()),
        }
    }

    pub(super) fn doc(&self, jwt: bool, name: &str) -> Result<&JsonDoc> {
        let doc = if jwt {
            self.p.jwt_payload.as_ref()
        } else {
            self.p.raw_json.as_ref()
        };
        doc.map(|d| &d.doc)
            .ok_or_else(|| settings::no_document(name))
    }
}

/// A number-of-seconds setting; `default` when it is negative.
pub(super) fn secs(n: i64, default: u64) -> Duration {
    Duration::from_secs(u64::try_from(n).unwrap_or(default))
}
