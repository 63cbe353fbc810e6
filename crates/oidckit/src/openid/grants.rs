//! The grants of [`OpenId`] without a front channel: JWT (RFC 7523), device (RFC 8628) and
//! password.

use super::client::Channel;
use super::configure::secs;
use super::settings::name;
use super::{OpenId, base64_blob, opt, text};
use crate::config::AuthMethod;
use crate::jose::PrivateKey;
use crate::jwt_bearer::{RequestedClaims, ServiceAccountKey};
use crate::{Client, Error, Result};

impl OpenId {
    /// The token endpoint of the JWT profile: `server_token_url`, else the JSON key's.
    pub(super) fn jwt_token_url(&self) -> Result<String> {
        if !self.p.server_token_url.is_empty() {
            return Ok(self.p.server_token_url.clone());
        }
        let json = self.p.set.jwt_json_key.clone();
        if !json.trim().is_empty() {
            return Ok(ServiceAccountKey::load(json.trim())?.token_uri);
        }
        Err(Error::Missing {
            what: "server_token_url",
            hint: "set server_token_url (or JWTJSONKey, whose token_uri is used)",
        })
    }

    /// The signing key of the JWT profile from `JWTCertStore*`.
    pub(super) fn jwt_store_key(&self) -> Result<PrivateKey> {
        let store = self.p.set.jwt_cert_store.clone();
        let password = self.p.set.jwt_cert_store_password.clone();
        let kind = self.p.set.jwt_cert_store_type;
        if store.trim().is_empty() {
            return Err(Error::Missing {
                what: "JWT signing key",
                hint: "set JWTJSONKey, or JWTCertStoreType and JWTCertStore",
            });
        }
        let read = |path: &str| {
            std::fs::read(path).map_err(|e| Error::InvalidSetting {
                name: name::JWT_CERT_STORE.into(),
                reason: format!("cannot read {path}: {e}"),
            })
        };
        match kind {
            2 => PrivateKey::from_pkcs12(&read(store.trim())?, &password),
            3 => {
                let der = base64_blob(&store).map_err(|e| Error::InvalidSetting {
                    name: name::JWT_CERT_STORE.into(),
                    reason: format!("PFXBlob is not base64: {e}"),
                })?;
                PrivateKey::from_pkcs12(&der, &password)
            }
            6 => PrivateKey::from_pem(&String::from_utf8_lossy(&read(store.trim())?)),
            7 => PrivateKey::from_pem(&store),
            n => Err(Error::InvalidSetting {
                name: name::JWT_CERT_STORE_TYPE.into(),
                reason: format!(
                    "{n}: Windows and Java certificate stores do not exist here; use 2 (PFXFile), 3 (PFXBlob), 6 (PEMKeyFile) or 7 (PEMKeyBlob)"
                ),
            }),
        }
    }

    /// The JWT profile: a Google-style JWT bearer grant or a Microsoft-style client
    /// credentials grant with a certificate assertion.
    pub(super) fn jwt_profile(&mut self) -> Result<String> {
        let json = self.p.set.jwt_json_key.clone();
        let sa = if json.trim().is_empty() {
            None
        } else {
            Some(ServiceAccountKey::load(json.trim())?)
        };
        let mut key = match &sa {
            Some(k) => k.key.clone(),
            None => self.jwt_store_key()?,
        };
        if let Some(alg) = &self.p.set.jwt_signature_algorithm {
            key = key.with_alg(jwt_alg(alg)?)?;
        }
        let token_url = self.jwt_token_url()?;
        let (mut c, mut meta) = self.core_parts()?;
        meta.token_endpoint = Some(token_url.clone());
        self.add_redirect_uri(&mut c);
        let asked = RequestedClaims {
            issuer: opt(&self.p.set.jwt_issuer.clone()),
            subject: opt(&self.p.set.jwt_subject.clone()),
            audience: opt(&self.p.set.jwt_audience.clone()),
        };
        let scope = opt(&self.p.authorization_scope);
        let client;
        let tokens = if self.p.set.jwt_service_provider == 1 {
            c.client_id = asked
                .client_assertion_id(&c.client_id, &token_url)
                .map_err(|e| Error::InvalidSetting {
                    name: jwt_setting_name(e.claim).into(),
                    reason: format!(
                        "{:?}: with JWTServiceProvider=1 the assertion's value is {:?} (a client assertion, RFC 7523 §2.2)",
                        e.requested, e.required
                    ),
                })?;
            c.client_key = Some(key);
            c.auth_method = Some(AuthMethod::PrivateKeyJwt);
            client = self.cached(Channel::Jwt, || Client::new(c, meta))?;
            let cl = client.clone();
            self.run(&client, async move {
                cl.client_credentials(scope.as_deref()).await
            })?
        } else {
            let mut a = asked
                .grant_assertion(key, sa.as_ref(), &c.client_id, &token_url)
                .ok_or(Error::Missing {
                    what: name::JWT_ISSUER,
                    hint: "set JWTIssuer (the service account's e-mail) or JWTJSONKey",
                })?;
            if c.client_id.is_empty() {
                c.client_id = a.issuer.clone();
            }
            a.scope = scope;
            a.validity = secs(self.p.set.jwt_validity_time, 3600);
            client = self.cached(Channel::Jwt, || Client::new(c, meta))?;
            let cl = client.clone();
            self.run(&client, async move { cl.jwt_bearer(&a).await })?
        };
        Ok(self.apply_tokens(tokens))
    }

    /// Requests a device code (Device profile), fills `DeviceUserCode` and returns the
    /// verification URL.
    pub(super) fn device_start(&mut self) -> Result<String> {
        let client = self.client()?;
        let cl = client.clone();
        let mut da = self.run(&client, async move { cl.device_authorization(None).await })?;
        da.grant_type = self.p.set.device_grant_type.clone();
        da.poll_no_faster_than(secs(self.p.set.polling_interval, 5));
        self.p.device_user_code = da.user_code.clone();
        self.p.response_params = da
            .raw
            .iter()
            .filter(|(k, _)| k.as_str() != "device_code")
            .map(|(k, v)| (k.clone(), text(v)))
            .collect();
        let url = da.verification_uri.clone();
        self.p.device = Some(da);
        Ok(url)
    }

    /// The Device profile: polls for the tokens of the pending device authorization (starting
    /// one first when `get_authorization_url` was not called).
    pub(super) fn device_profile(&mut self) -> Result<String> {
        if self.p.device.is_none() {
            let url = self.device_start()?;
            let code = self.p.device_user_code.clone();
            self.log_info(format!(
                "device sign-in: visit {url} and enter the code {code}"
            ));
        }
        let da = self.p.device.take().ok_or(Error::Missing {
            what: "device authorization",
            hint: "call get_authorization_url first",
        })?;
        let client = self.back_channel_client()?;
        let cl = client.clone();
        let tokens = self.run(
            &client,
            async move { cl.poll_device_token(&da, None).await },
        )?;
        Ok(self.apply_tokens(tokens))
    }

    /// The password grant (`PasswordGrantUsername`).
    pub(super) fn password_grant(&mut self, username: String) -> Result<String> {
        let client = self.back_channel_client()?;
        let cl = client.clone();
        let password = self.p.password_grant_password.clone();
        let tokens = self.run(&client, async move {
            cl.password(&username, &password, None).await
        })?;
        Ok(self.apply_tokens(tokens))
    }
}

/// The seed's setting for an assertion claim.
fn jwt_setting_name(claim: &str) -> &'static str {
    match claim {
        "iss" => name::JWT_ISSUER,
        "sub" => name::JWT_SUBJECT,
        _ => name::JWT_AUDIENCE,
    }
}

/// The seed's `JWTSignatureAlgorithm` names (and JWS names) as an [`Alg`](crate::Alg).
fn jwt_alg(name: &str) -> Result<crate::Alg> {
    let alg = match name.trim().to_ascii_uppercase().as_str() {
        "RSA-SHA256" | "RS256" => crate::Alg::RS256,
        "RSA-SHA384" | "RS384" => crate::Alg::RS384,
        "RSA-SHA512" | "RS512" => crate::Alg::RS512,
        "PS256" => crate::Alg::PS256,
        "PS384" => crate::Alg::PS384,
        "PS512" => crate::Alg::PS512,
        "ECDSA-SHA256" | "ES256" => crate::Alg::ES256,
        "ECDSA-SHA384" | "ES384" => crate::Alg::ES384,
        "EDDSA" => crate::Alg::EdDSA,
        other => {
            return Err(Error::InvalidSetting {
                name: name::JWT_SIGNATURE_ALGORITHM.into(),
                reason: format!(
                    "{other:?} is not RSA-SHA256, RSA-SHA384, RSA-SHA512 or a JWS name"
                ),
            });
        }
    };
    Ok(alg)
}
