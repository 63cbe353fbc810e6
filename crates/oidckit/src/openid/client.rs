//! The core [`Client`] the properties and settings of [`OpenId`] describe, and the discovery
//! document that fills them.
//!
//! The facade keeps one core client (with its JWKS cache and HTTP connection pool) and builds a
//! new one only when what shapes it changed: [`Shape`] holds every input the client is built
//! from, and is compared by value at each call.

use std::sync::PoisonError;
use std::time::Duration;

use super::settings::{decryption_keys, private_key};
use super::{ClientProfile, Cookie, Doc, OpenId, opt};
use crate::authorize::AuthorizationRequest;
use crate::config::{AuthMethod, ClientConfig, PkceMethod};
use crate::discovery::ProviderMetadata;
use crate::jose::VerifyingKey;
use crate::{Client, Error, Result};

impl OpenId {
    /// Fetches the discovery document at `url` (the issuer or its
    /// `/.well-known/openid-configuration`), fills the `discovery_doc_details_*` properties, the
    /// endpoints (`server_auth_url`, `server_token_url`, `server_user_info_url`,
    /// `signer_cert_url`) and `RawJSON`. Error 900 when the document is invalid or names another
    /// issuer.
    pub fn get_discovery_doc(&mut self, url: &str) -> Result<()> {
        let mut config = ClientConfig::new(url, "oidckit-discovery");
        config.http = self.http_config()?;
        config.http.timeout = Duration::from_secs(self.p.timeout.max(1));
        let result = self.call(Client::discover(config));
        self.absorb_received();
        let client = result?;
        self.p.last_response = client.last_response();
        let meta = client.metadata().clone();
        self.log_info(format!("discovery document of {} received", meta.issuer));
        let p = &mut self.p;
        p.issuer = meta.issuer.clone();
        p.server_auth_url = meta.authorization_endpoint.clone().unwrap_or_default();
        p.server_token_url = meta.token_endpoint.clone().unwrap_or_default();
        p.server_user_info_url = meta.userinfo_endpoint.clone().unwrap_or_default();
        p.signer_cert_url = meta.jwks_uri.clone().unwrap_or_default();
        p.raw_json = Some(Doc::from_value(&meta.raw));
        p.discovery = Some(meta);
        Ok(())
    }
    /// The core configuration and metadata the properties describe.
    pub(super) fn core_parts(&self) -> Result<(ClientConfig, ProviderMetadata)> {
        let p = &self.p;
        if p.timeout == 0 {
            return Err(Error::InvalidSetting {
                name: "timeout".into(),
                reason: "0 (non-blocking mode) is not supported; use a number of seconds".into(),
            });
        }
        let jwt_origin = || {
            (p.client_profile == ClientProfile::Jwt)
                .then(|| url::Url::parse(&self.jwt_token_url().ok()?).ok())
                .flatten()
                .map(|u| u.origin().ascii_serialization())
        };
        let issuer = if p.issuer.is_empty() {
            p.discovery
                .as_ref()
                .map(|d| d.issuer.clone())
                .or_else(jwt_origin)
                .ok_or(Error::Missing {
                    what: "issuer",
                    hint: "call get_discovery_doc, or set_issuer() along with the endpoints set by hand",
                })?
        } else {
            p.issuer.clone()
        };
        let mut meta = match &p.discovery {
            Some(d) if d.issuer == issuer => d.clone(),
            _ => ProviderMetadata::new(issuer.clone()),
        };
        meta.authorization_endpoint = opt(&p.server_auth_url);
        meta.token_endpoint = opt(&p.server_token_url);
        meta.userinfo_endpoint = opt(&p.server_user_info_url);
        meta.jwks_uri = opt(&p.signer_cert_url);
        if p.client_profile == ClientProfile::Device {
            // The seed's server_auth_url is the device authorization endpoint in this profile,
            // unless it is still the discovered authorization endpoint.
            let discovered = p
                .discovery
                .as_ref()
                .and_then(|d| d.authorization_endpoint.as_deref());
            if !p.server_auth_url.is_empty() && discovered != Some(p.server_auth_url.as_str()) {
                meta.device_authorization_endpoint = Some(p.server_auth_url.clone());
            }
        }

        let mut c = self.with_extensions(ClientConfig::new(issuer, p.client_id.clone()))?;
        c.client_secret = opt(&p.client_secret);
        c.redirect_uri = opt(&p.return_url);
        c.scope = p.authorization_scope.clone();
        c.grant_type = p.grant_type;
        c.response_type = p.set.response_type;
        c.use_pkce = p.use_pkce;
        c.pkce_method = if self.p.set.pkce_challenge_encoding == 1 {
            PkceMethod::Plain
        } else {
            PkceMethod::S256
        };
        c.auth_method = match &p.set.auth_method {
            Some(m) => Some(m.clone()),
            None if p.set.include_client_creds_in_body => Some(AuthMethod::ClientSecretPost),
            None => None,
        };
        let cert = p.signer_cert_encoded.trim();
        if !cert.is_empty() {
            c.signer_key = Some(if cert.starts_with('{') {
                VerifyingKey::from_jwk(cert)?
            } else {
                VerifyingKey::from_pem(cert)?
            });
        }
        c.http = self.http_config()?;
        c.token_form_params = self.form_vars();
        Ok((c, meta))
    }

    /// The settings beyond the seed: FAPI 2.0 first (so that a PKCE setting it forbids is
    /// refused by the profile rather than overridden), then PAR, request objects, JARM and DPoP.
    fn with_extensions(&self, mut c: ClientConfig) -> Result<ClientConfig> {
        let set = &self.p.set;
        if set.security_profile == super::settings::name::FAPI2 {
            c = c.fapi2();
        }
        c.pushed_authorization |= set.use_par;
        c.request_object |= set.request_object;
        c.response_mode = opt(&set.response_mode);
        c.dpop |= set.use_dpop;
        c.dpop_key = private_key(&set.dpop_key)?;
        c.client_key = private_key(&set.client_key)?;
        c.resource = set
            .resource
            .split_whitespace()
            .map(str::to_string)
            .collect();
        c.decryption_keys = decryption_keys(&set.decryption_key)?;
        Ok(c)
    }

    /// The core client of the front-channel flows, refresh and UserInfo.
    pub(super) fn client(&self) -> Result<Client> {
        self.cached(Channel::Front, || {
            let (config, meta) = self.core_parts()?;
            Client::new(config, meta)
        })
    }

    /// The kept core client when it was built for `channel` from the current [`Shape`];
    /// otherwise the one `build` makes, which is kept in its place.
    pub(super) fn cached(
        &self,
        channel: Channel,
        build: impl FnOnce() -> Result<Client>,
    ) -> Result<Client> {
        let shape = self.shape();
        let mut core = self.core.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(c) = core.as_ref()
            && c.channel == channel
            && c.shape == shape
        {
            return Ok(c.client.clone());
        }
        let client = build()?;
        *core = Some(Core {
            channel,
            shape,
            client: client.clone(),
        });
        Ok(client)
    }

    /// Everything [`core_parts`](Self::core_parts), [`http_config`](Self::http_config) and the
    /// grants read to build a client.
    fn shape(&self) -> Shape {
        let p = &self.p;
        Shape {
            strings: [
                &p.client_id,
                &p.client_secret,
                &p.issuer,
                &p.return_url,
                &p.authorization_scope,
                &p.server_auth_url,
                &p.server_token_url,
                &p.server_user_info_url,
                &p.signer_cert_url,
                &p.signer_cert_encoded,
                &p.ssl_accept_server_cert_encoded,
                &p.ssl_cert_encoded,
                &p.ssl_cert_store_password,
            ]
            .map(String::clone),
            discovery: p.discovery.as_ref().map(|d| d.raw.clone()),
            client_profile: p.client_profile,
            grant_type: p.grant_type,
            use_pkce: p.use_pkce,
            timeout: p.timeout,
            proxy_ssl: p.proxy_ssl,
            proxy_auto_detect: p.proxy_auto_detect,
            cookies: p.cookies.clone(),
            settings: p.set.clone(),
            events_epoch: self.events_epoch,
        }
    }

    /// The seed's `FormVarName[i]` / `FormVarValue[i]` for `i < FormVarCount` (empty names
    /// skipped).
    pub(super) fn form_vars(&self) -> Vec<(String, String)> {
        let set = &self.p.set;
        let n = usize::try_from(set.form_var_count).unwrap_or(0);
        (0..n)
            .filter_map(|i| {
                let name = set.form_var_name.get(i).filter(|n| !n.is_empty())?;
                let value = set.form_var_value.get(i).cloned().unwrap_or_default();
                Some((name.clone(), value))
            })
            .collect()
    }

    /// The client of the grants without a front channel: [`client`](Self::client) with
    /// [`add_redirect_uri`](Self::add_redirect_uri).
    pub(super) fn back_channel_client(&self) -> Result<Client> {
        self.cached(Channel::Back, || {
            let (mut c, meta) = self.core_parts()?;
            self.add_redirect_uri(&mut c);
            Client::new(c, meta)
        })
    }

    /// `redirect_uri` for the grants without a front channel, per `IncludeEmptyRedirectURI`.
    pub(super) fn add_redirect_uri(&self, c: &mut ClientConfig) {
        if self.p.set.include_empty_redirect_uri || !self.p.return_url.is_empty() {
            c.token_form_params
                .push(("redirect_uri".into(), self.p.return_url.clone()));
        }
    }
    /// The authorization request the properties and settings describe.
    pub(super) fn request(&self) -> AuthorizationRequest {
        let mut r = AuthorizationRequest {
            state: opt(&self.p.state),
            ..AuthorizationRequest::default()
        };
        for (k, v) in &self.p.params {
            if k == "state" {
                r.state = Some(v.clone());
            } else if !k.is_empty() {
                r.extra.push((k.clone(), v.clone()));
            }
        }
        r.prompt = opt(&self.p.set.prompt.clone());
        r.display = opt(&self.p.set.display.clone());
        r.login_hint = opt(&self.p.set.login_hint.clone());
        r.id_token_hint = opt(&self.p.set.id_token_hint.clone());
        r
    }
}

/// Which variant of the core client a call needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Channel {
    /// [`OpenId::client`](super::OpenId): front-channel flows, refresh, UserInfo.
    Front,
    /// The grants without a front channel (`redirect_uri` per `IncludeEmptyRedirectURI`).
    Back,
    /// The JWT profile (its token endpoint and signing key).
    Jwt,
    /// A token info service without provider metadata (`TokenInfoURL`).
    TokenInfo,
}

/// The kept core client and what it was built from.
#[derive(Debug)]
pub(super) struct Core {
    channel: Channel,
    shape: Shape,
    client: Client,
}

/// The inputs a core client is built from, compared by value.
#[derive(PartialEq)]
struct Shape {
    strings: [String; 13],
    discovery: Option<serde_json::Value>,
    client_profile: ClientProfile,
    grant_type: crate::config::GrantType,
    use_pkce: bool,
    timeout: u64,
    proxy_ssl: i32,
    proxy_auto_detect: bool,
    cookies: Vec<Cookie>,
    settings: super::settings::Values,
    events_epoch: u64,
}

impl std::fmt::Debug for Shape {
    // Holds secrets: only say what it is.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shape").finish_non_exhaustive()
    }
}
