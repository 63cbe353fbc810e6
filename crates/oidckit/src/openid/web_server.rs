//! The loopback server of [`OpenId`] (RFC 8252 §7.3): its configuration, certificate, start
//! and stop.

use std::sync::Arc;

use super::configure::secs;
use super::{OpenId, base64_blob};
use crate::loopback::{LoopbackCertificate, LoopbackConfig, LoopbackServer, LoopbackTls};
use crate::{Error, Result};

impl OpenId {
    /// Starts the loopback server (RFC 8252 §7.3, `127.0.0.1` only) on `web_server_port` (0:
    /// any free port) and sets `return_url` and `web_server_port`. Already running: no-op.
    pub fn start_web_server(&mut self) -> Result<()> {
        if self.server.is_some() {
            return Ok(());
        }
        let cfg = self.loopback_config()?;
        let server = self.call(LoopbackServer::bind(cfg))?;
        self.p.web_server_port = server.port();
        self.p.return_url = server.redirect_uri();
        self.log_info(format!("web server listening on {}", self.p.return_url));
        self.server = Some(Arc::new(server));
        Ok(())
    }

    /// Stops the loopback server. Not running: no-op.
    pub fn stop_web_server(&mut self) -> Result<()> {
        self.drop_server();
        Ok(())
    }

    pub(super) fn drop_server(&mut self) {
        if let Some(server) = self.server.take()
            && let Some(w) = &self.worker
        {
            // The listener belongs to the worker's runtime: close it there.
            let _ = w.run(async move {
                drop(server);
                Ok(())
            });
        }
    }
    pub(super) fn loopback_config(&self) -> Result<LoopbackConfig> {
        let pick = |a: String, b: String| if a.is_empty() { b } else { a };
        Ok(LoopbackConfig {
            port: self.p.web_server_port,
            timeout: secs(self.p.set.browser_response_timeout, 300),
            success_message: pick(
                self.p.set.web_server_response.clone(),
                self.p.set.response_success_message.clone(),
            ),
            failure_message: pick(
                self.p.set.web_server_failed_response.clone(),
                self.p.set.response_failure_message.clone(),
            ),
            localhost: self.p.set.web_server_host.clone() == "localhost",
            tls: self.web_server_tls()?,
            ..LoopbackConfig::default()
        })
    }

    /// The loopback server's certificate from the `web_server_ssl_*` properties.
    pub(super) fn web_server_tls(&self) -> Result<Option<LoopbackTls>> {
        let p = &self.p;
        if !p.web_server_ssl_enabled {
            return Ok(None);
        }
        let bad = |reason: String| Error::InvalidSetting {
            name: "web_server_ssl_cert_store".into(),
            reason,
        };
        let store = p.web_server_ssl_cert_store.trim();
        let password = p.web_server_ssl_cert_store_password.clone();
        let pkcs12_blob = |text: &str| {
            base64_blob(text).map_err(|e| bad(format!("not a base64 PKCS#12 store: {e}")))
        };
        let pem_text = |text: &str| LoopbackCertificate::Pem {
            certificate_chain: text.to_string(),
            private_key: text.to_string(),
        };
        let certificate = match p.web_server_ssl_cert_store_type {
            2 => LoopbackCertificate::Pkcs12File {
                path: store.into(),
                password,
            },
            3 => LoopbackCertificate::Pkcs12 {
                der: pkcs12_blob(store)?,
                password,
            },
            6 => LoopbackCertificate::PemFile(store.into()),
            7 => pem_text(store),
            0 | 99 if store.contains("-----BEGIN") => pem_text(store),
            0 | 99 if std::path::Path::new(store).is_file() => {
                let bytes =
                    std::fs::read(store).map_err(|e| bad(format!("cannot read {store}: {e}")))?;
                if bytes.windows(10).any(|w| w == b"-----BEGIN") {
                    LoopbackCertificate::PemFile(store.into())
                } else {
                    LoopbackCertificate::Pkcs12 {
                        der: bytes,
                        password,
                    }
                }
            }
            0 | 99 if store.eq_ignore_ascii_case("MY") || store.is_empty() => {
                return Err(bad(format!(
                    "{store:?} is no certificate: give a PEM or PKCS#12 file or blob \
                     (Windows certificate stores do not exist here)"
                )));
            }
            0 | 99 => LoopbackCertificate::Pkcs12 {
                der: pkcs12_blob(store)?,
                password,
            },
            other => {
                return Err(Error::InvalidSetting {
                    name: "web_server_ssl_cert_store_type".into(),
                    reason: format!("{other} is not supported here: use 2, 3, 6, 7 or 99"),
                });
            }
        };
        Ok(Some(
            LoopbackTls::new(certificate).with_subject(p.web_server_ssl_cert_subject.clone()),
        ))
    }
}
