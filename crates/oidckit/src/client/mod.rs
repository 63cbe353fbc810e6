//! [`Client`]: one relying party of one provider, tying discovery, the authorization request,
//! the token endpoint, ID token validation and UserInfo together.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::authorize::{self, AuthTransaction, AuthorizationRequest, CallbackParams, UrlParts};
use crate::client_auth::ClientAuth;
use crate::config::{ClientConfig, ResponseType};
use crate::discovery::{self, ProviderMetadata};
use crate::http::Http;
use crate::id_token::{Checks, ClaimSink, IdToken, Validator};
use crate::jose::{Alg, CompactJws, Jwks};
use crate::jwks::KeyCache;
use crate::token::{self, TokenSet};
use crate::userinfo::{self, UserDetails};
use crate::{Error, Result};

mod encrypted;
mod grants;
mod resource;

pub use resource::{ResourceClient, ResourceOptions};

/// An OpenID Connect relying party for one provider. Cheap to clone (shared inside), and
/// `Send + Sync`: keep one in your application state.
///
/// ```no_run
/// # async fn run() -> oidckit::Result<()> {
/// use oidckit::{AuthorizationRequest, CallbackParams, Client, ClientConfig};
/// let config = ClientConfig::new("https://accounts.example.com", "my-client")
///     .with_secret("s3cret")
///     .with_redirect_uri("https://app.example/callback");
/// let client = Client::discover(config).await?;
/// let (url, tx) = client.authorization_url(&AuthorizationRequest::default())?;
/// // … send the user to `url`; they come back to the redirect URI …
/// # let callback_url = "";
/// let tokens = client.handle_callback(&tx, &CallbackParams::from_url(callback_url)).await?;
/// let me = client.userinfo(&tokens).await?;
/// println!("{:?} {:?}", me.sub, me.email);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: ClientConfig,
    metadata: ProviderMetadata,
    http: Http,
    validator: Validator,
    keys: KeyCache,
    auth: ClientAuth,
}

impl Client {
    /// Fetches the provider's discovery document for `config.issuer` (code 900 when it is invalid
    /// or names another issuer) and builds a client.
    pub async fn discover(config: ClientConfig) -> Result<Client> {
        let http = Http::new(&config.http, config.dangerous_ref().allow_http)?;
        let metadata = discovery::discover(&http, &config.issuer).await?;
        let mut config = config;
        config.request_object_encryption_key =
            encrypted::provider_encryption_key(&config, &metadata, &http).await?;
        Self::build(config, metadata, http)
    }

    /// Builds a client from metadata set by hand (no discovery request).
    pub fn new(config: ClientConfig, metadata: ProviderMetadata) -> Result<Client> {
        let http = Http::new(&config.http, config.dangerous_ref().allow_http)?;
        Self::build(config, metadata, http)
    }

    fn build(config: ClientConfig, metadata: ProviderMetadata, http: Http) -> Result<Client> {
        if config.client_id.is_empty() {
            return Err(Error::Missing {
                what: "client_id",
                hint: "set the client id registered with the provider",
            });
        }
        check_resource_indicators(&config.resource)?;
        let allowed = match &config.allowed_algs {
            Some(algs) => algs.clone(),
            None => {
                let advertised: Vec<Alg> = metadata
                    .id_token_signing_alg_values_supported
                    .iter()
                    .map(|a| Alg::from(a.as_str()))
                    .filter(Alg::is_supported)
                    .collect();
                if advertised.is_empty() {
                    vec![Alg::RS256]
                } else {
                    advertised
                }
            }
        };
        let mut validator = Validator::new(metadata.issuer.clone(), config.client_id.clone())
            .with_allowed_algs(allowed)
            .with_leeway(config.leeway);
        if let Some(secret) = &config.client_secret {
            validator = validator.with_client_secret(secret);
        }
        let fixed = config.signer_key.clone().map(|k| Jwks::from_keys(vec![k]));
        let keys = KeyCache::new(
            metadata.jwks_uri.clone(),
            fixed,
            config.jwks_refresh_cooldown,
        );
        let mut auth = ClientAuth::choose(
            &config.client_id,
            config.client_secret.as_deref(),
            config.auth_method.as_ref(),
            &metadata.token_endpoint_auth_methods_supported,
        );
        crate::client_auth::attach_key(&mut auth, &config);
        auth.extra_form = config.token_form_params.clone();
        if config.fapi2 {
            let algs = crate::flows::fapi2::check(&config, &metadata, &auth.method)?;
            validator = validator.with_allowed_algs(algs);
            auth.audience = Some(metadata.issuer.clone());
        }
        if config.dpop || config.dpop_key.is_some() {
            auth.dpop = Some(Arc::new(crate::flows::dpop::Dpop::new(
                config.dpop_key.clone(),
            )?));
        }
        Ok(Client {
            inner: Arc::new(Inner {
                config,
                metadata,
                http,
                validator,
                keys,
                auth,
            }),
        })
    }

    /// The provider's metadata.
    pub fn metadata(&self) -> &ProviderMetadata {
        &self.inner.metadata
    }

    /// The configuration this client was built with.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// The last HTTP response this client read (the seed's `transferred_data` and
    /// `transferred_headers`), or `None` before the first. The body may hold tokens.
    pub fn last_response(&self) -> Option<crate::http::LastResponse> {
        self.inner.http.last_response()
    }

    /// The ID token validator (issuer, client id, algorithm policy).
    pub fn validator(&self) -> &Validator {
        &self.inner.validator
    }

    fn endpoint<'a>(
        &'a self,
        value: &'a Option<String>,
        what: &'static str,
        hint: &'static str,
    ) -> Result<&'a str> {
        value.as_deref().ok_or(Error::Missing { what, hint })
    }

    /// Builds the URL to send the user to, and the transaction to keep until the response comes
    /// back. Makes no request; code 931 when the provider requires pushed authorization requests
    /// (use [`Client::start_authorization`]).
    pub fn authorization_url(
        &self,
        req: &AuthorizationRequest,
    ) -> Result<(String, AuthTransaction)> {
        if self.inner.config.fapi2 {
            return Err(crate::flows::fapi2::refuse(
                "PAR only",
                "call start_authorization, which pushes the request",
            ));
        }
        if self.inner.metadata.require_pushed_authorization_requests {
            return Err(Error::PushedAuthorizationRequired {
                reason: "the provider requires them; call start_authorization, which pushes the request",
            });
        }
        self.request_url(req)
    }

    /// Starts a sign-in: like [`Client::authorization_url`], but through a pushed authorization
    /// request (RFC 9126) when `ClientConfig::pushed_authorization` is set or the provider
    /// requires it (see [`Client::push_authorization_request`]).
    pub async fn start_authorization(
        &self,
        req: &AuthorizationRequest,
    ) -> Result<(String, AuthTransaction)> {
        if self.inner.config.pushed_authorization
            || self.inner.metadata.require_pushed_authorization_requests
        {
            self.push_authorization_request(req).await
        } else {
            self.request_url(req)
        }
    }

    /// Pushes the authorization request (RFC 9126) to the provider's
    /// `pushed_authorization_request_endpoint`, authenticated like the token endpoint, and
    /// returns the URL with only `client_id` and `request_uri` to send the user to. Code 931
    /// when the provider has no such endpoint, 930 when its answer is unusable, 151 when it
    /// refuses the request.
    pub async fn push_authorization_request(
        &self,
        req: &AuthorizationRequest,
    ) -> Result<(String, AuthTransaction)> {
        let meta = &self.inner.metadata;
        let par = meta.pushed_authorization_request_endpoint.as_deref().ok_or(
            Error::PushedAuthorizationRequired {
                reason: "the provider advertises no pushed_authorization_request_endpoint; set it by hand or turn pushed_authorization off",
            },
        )?;
        let (full, tx) = self.request_url(req)?;
        let endpoint = meta.authorization_endpoint.as_deref().unwrap_or_default();
        let url = crate::flows::par::push(
            &self.inner.http,
            par,
            &self.inner.auth,
            &meta.issuer,
            endpoint,
            &full,
        )
        .await?;
        Ok((url, tx))
    }

    /// The authorization URL, with the parameters in a signed request object when
    /// `ClientConfig::request_object` is set (RFC 9101).
    fn request_url(&self, req: &AuthorizationRequest) -> Result<(String, AuthTransaction)> {
        let (url, tx) = self.plain_authorization_url(req)?;
        let cfg = &self.inner.config;
        if !cfg.request_object {
            return Ok((url, tx));
        }
        let signer = match (&cfg.client_key, &cfg.client_secret) {
            (Some(key), _) => crate::flows::jar::Signer::Key(key),
            (None, Some(secret)) => crate::flows::jar::Signer::Secret(secret),
            (None, None) => {
                return Err(Error::Missing {
                    what: "client_key",
                    hint: "a request object is signed with the client key or the client secret; set one",
                });
            }
        };
        let meta = &self.inner.metadata;
        let endpoint = meta.authorization_endpoint.as_deref().unwrap_or_default();
        let encryption = self.request_encryption()?;
        let url = crate::flows::jar::sign_url(&url, endpoint, &meta.issuer, signer, encryption)?;
        Ok((url, tx))
    }

    fn plain_authorization_url(
        &self,
        req: &AuthorizationRequest,
    ) -> Result<(String, AuthTransaction)> {
        let cfg = &self.inner.config;
        let endpoint = self.endpoint(
            &self.inner.metadata.authorization_endpoint,
            "authorization_endpoint",
            "call discovery, or set the provider metadata's authorization_endpoint by hand",
        )?;
        self.inner.http.check_url(endpoint)?;
        let redirect_uri = req
            .redirect_uri
            .clone()
            .or_else(|| cfg.redirect_uri.clone())
            .ok_or(Error::Missing {
                what: "redirect_uri",
                hint: "set the redirect URI (return_url) registered with the provider",
            })?;
        let scope = match &req.scope {
            Some(s) if self.inner.metadata.is_oauth_only() => s.clone(),
            Some(s) => {
                let mut c = cfg.clone();
                c.scope = s.clone();
                c.effective_scope()
            }
            None if self.inner.metadata.is_oauth_only() => cfg.scope.clone(),
            None => cfg.effective_scope(),
        };
        let with_resources;
        let req = if cfg.resource.is_empty() {
            req
        } else {
            let mut r = req.clone();
            r.extra.extend(
                cfg.resource
                    .iter()
                    .map(|v| ("resource".to_string(), v.clone())),
            );
            with_resources = r;
            &with_resources
        };
        authorize::build(
            UrlParts {
                endpoint,
                client_id: &cfg.client_id,
                response_type: cfg.effective_response_type(),
                response_mode: cfg.response_mode.as_deref(),
                scope,
                redirect_uri,
                pkce: cfg.use_pkce.then_some(cfg.pkce_method),
                max_age: cfg.max_age,
            },
            req,
        )
    }

    /// Completes a sign-in from the authorization response: checks state, `iss` and errors,
    /// validates any front-channel ID token (nonce, c_hash, at_hash), exchanges the code when
    /// there is one, and validates the ID token from the token endpoint.
    pub async fn handle_callback(
        &self,
        tx: &AuthTransaction,
        params: &CallbackParams,
    ) -> Result<TokenSet> {
        let unpacked;
        let params = if crate::flows::jarm::is_jarm(self.inner.config.response_mode.as_deref()) {
            unpacked = self.unpack_jarm(params).await?;
            &unpacked
        } else {
            params
        };
        let meta = &self.inner.metadata;
        authorize::check_response(
            params,
            tx,
            &meta.issuer,
            meta.authorization_response_iss_parameter_supported,
        )?;
        let rt = tx.response_type()?;
        let missing = |name: &str| Error::InvalidAuthorizationResponse {
            reason: format!("response_type {rt} requires `{name}` but the response has none"),
        };
        let code = params.get("code");
        let front_id_token = params.get("id_token");
        let front_access_token = params.get("access_token");
        if rt.code && code.is_none() {
            return Err(missing("code"));
        }
        if rt.id_token && front_id_token.is_none() {
            return Err(missing("id_token"));
        }
        if rt.token && front_access_token.is_none() {
            return Err(missing("access_token"));
        }
        let max_age = tx.max_age.map(Duration::from_secs);
        let front = match front_id_token {
            Some(raw) => Some(
                self.validate_id_token(
                    raw,
                    &Checks {
                        nonce: Some(&tx.nonce),
                        max_age,
                        access_token: front_access_token,
                        require_at_hash: rt.token && rt.id_token,
                        code,
                        require_c_hash: rt.code && rt.id_token,
                        now: None,
                    },
                )
                .await?,
            ),
            None => None,
        };
        match code.filter(|_| rt.code) {
            Some(code) => {
                let tokens = self.exchange_code(code, tx).await?;
                if let (Some(f), Some(b)) = (&front, &tokens.id_token) {
                    // Core §3.3.3.6: both ID tokens are about the same user from the same issuer.
                    if f.claims().issuer() != b.claims().issuer()
                        || f.claims().subject() != b.claims().subject()
                    {
                        return Err(Error::claim_pub(
                            "sub",
                            "the token endpoint's ID token names another user or issuer than the authorization response's",
                        ));
                    }
                }
                Ok(tokens)
            }
            None => {
                let raw: Map<String, Value> = params
                    .pairs()
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect();
                let mut tokens = TokenSet::from_fields(raw)?;
                tokens.id_token = front;
                Ok(tokens)
            }
        }
    }

    /// Verifies a JARM response JWT (signature, iss, aud, exp) and returns its parameters.
    async fn unpack_jarm(&self, params: &CallbackParams) -> Result<CallbackParams> {
        use crate::flows::jarm;
        let inner = &self.inner;
        let text = jarm::response_jwt(params)?;
        let text = self.decrypt_if_jwe(text, "JARM response", true, None)?;
        let jws = CompactJws::parse(&text)
            .map_err(|e| jarm::invalid(&format!("the response JWT cannot be parsed: {e}")))?;
        self.with_key_retry(jws.header.alg.is_hmac(), |jwks| {
            inner.validator.verify_signature(&jws, jwks)
        })
        .await
        .map_err(|e| jarm::invalid(&format!("signature: {e}")))?;
        let payload = jws
            .payload()
            .map_err(|e| jarm::invalid(&format!("payload: {e}")))?;
        let claims = crate::id_token::Claims::from_payload(&payload)
            .map_err(|e| jarm::invalid(&format!("claims: {e}")))?;
        jarm::unpack(
            claims,
            &inner.metadata.issuer,
            &inner.config.client_id,
            inner.config.leeway,
        )
    }

    /// Exchanges an authorization code at the token endpoint (with the PKCE verifier and redirect
    /// URI of `tx`) and validates the ID token, which the response must contain.
    pub async fn exchange_code(&self, code: &str, tx: &AuthTransaction) -> Result<TokenSet> {
        let url = self.token_endpoint()?;
        let mut grant = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", tx.redirect_uri.as_str()),
        ];
        if let Some(v) = &tx.code_verifier {
            grant.push(("code_verifier", v));
        }
        grant.extend(self.resource_params());
        let raw = token::request(&self.inner.http, url, &self.inner.auth, &grant).await?;
        self.finish_token_response(raw, "token", Some(tx)).await
    }

    /// Uses a refresh token (RFC 6749 §6). A new ID token in the response is validated per Core
    /// §12.2: same `iss`, `sub` and audience as `previous` (when given); no nonce. When the
    /// provider does not rotate the refresh token, the one used is kept in the result.
    pub async fn refresh(
        &self,
        refresh_token: &str,
        previous: Option<&IdToken>,
    ) -> Result<TokenSet> {
        let url = self.token_endpoint()?;
        let mut grant = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ];
        grant.extend(self.resource_params());
        let raw = token::request(&self.inner.http, url, &self.inner.auth, &grant).await?;
        let mut tokens = self.finish_token_response(raw, "refresh", None).await?;
        if tokens.refresh_token.is_none() {
            tokens.refresh_token = Some(refresh_token.to_string());
        }
        if let (Some(prev), Some(id)) = (previous, &tokens.id_token)
            && prev.claims().subject() != id.claims().subject()
        {
            return Err(Error::claim_pub(
                "sub",
                "the refreshed ID token names another user",
            ));
        }
        Ok(tokens)
    }

    /// The RFC 8707 `resource` parameters of this client's configuration.
    fn resource_params(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.inner
            .config
            .resource
            .iter()
            .map(|r| ("resource", r.as_str()))
    }

    fn token_endpoint(&self) -> Result<&str> {
        self.endpoint(
            &self.inner.metadata.token_endpoint,
            "token_endpoint",
            "call discovery, or set the provider metadata's token_endpoint by hand",
        )
    }

    /// Validates an ID token with this client's issuer, audience and algorithm policy, fetching
    /// the provider's JWKS when needed and re-fetching it once when the token names an unknown
    /// key (key rotation).
    pub async fn validate_id_token(&self, token: &str, checks: &Checks<'_>) -> Result<IdToken> {
        let required = self.inner.config.id_token_encrypted_response_alg;
        let token = self.decrypt_if_jwe(token, "ID token", true, required)?;
        self.validate_signed(&self.inner.validator, &token, checks)
            .await
    }

    /// [`Client::validate_id_token`] without waiting, for callers that must not block (a
    /// binding holding an interpreter lock, an event loop): when the keys it needs are cached
    /// (always for HMAC tokens), validates `token` and builds `sink` from its claims in the one
    /// pass that reads them for the checks, returning the sink only when every check passed.
    ///
    /// `None` when validating would need the network: no key set fetched yet, or no cached key
    /// fits (which may be a rotation). Then call [`Client::validate_id_token`], which fetches.
    pub fn validate_id_token_now<S: for<'de> ClaimSink<'de>>(
        &self,
        token: &str,
        checks: &Checks<'_>,
        mut sink: S,
    ) -> Option<Result<S>> {
        let inner = &self.inner;
        let required = inner.config.id_token_encrypted_response_alg;
        // Ok(false): the keys must be fetched first.
        let run = |sink: &mut S| -> Result<bool> {
            // Nearly every token is a plain JWS: parsed as one first, it needs no separate
            // scan for the five parts of a JWE.
            let decrypted;
            let jws = match CompactJws::parse(token) {
                Ok(jws) if required.is_none() => jws,
                _ => {
                    decrypted = self.decrypt_if_jwe(token, "ID token", true, required)?;
                    CompactJws::parse(&decrypted)?
                }
            };
            let no_keys = needs_no_keys(&jws);
            let (cached, empty);
            let jwks = if no_keys {
                empty = Jwks::default();
                &empty
            } else {
                let Some(keys) = inner.keys.cached() else {
                    return Ok(false);
                };
                cached = keys;
                &*cached
            };
            inner
                .validator
                .validate_parsed_into(&jws, jwks, checks, sink)
                .map(|()| true)
        };
        match run(&mut sink) {
            Ok(true) => Some(Ok(sink)),
            Ok(false) | Err(Error::NoMatchingKey { .. }) => None,
            Err(e) => Some(Err(e)),
        }
    }

    /// Validates any JWT signed by this provider with `validator` (e.g. an RFC 9068 access
    /// token with [`Validator::with_profile`]), with the provider's JWKS fetched and
    /// re-fetched as for [`Client::validate_id_token`].
    pub async fn validate_with(
        &self,
        validator: &Validator,
        token: &str,
        checks: &Checks<'_>,
    ) -> Result<IdToken> {
        let token = self.decrypt_if_jwe(token, "ID token", true, None)?;
        self.validate_signed(validator, &token, checks).await
    }

    /// [`validate_with`](Self::validate_with) of a token already decrypted (a JWS).
    async fn validate_signed(
        &self,
        validator: &Validator,
        token: &str,
        checks: &Checks<'_>,
    ) -> Result<IdToken> {
        let jws = CompactJws::parse(token)?;
        let no_keys = needs_no_keys(&jws);
        let payload = self
            .with_key_retry(no_keys, |jwks| {
                validator.validate_parsed(&jws, jwks, checks)
            })
            .await?;
        Ok(IdToken::new(token, jws.header, payload))
    }

    /// Verifies a JWS signed by the provider with the ID token's keys and algorithm policy
    /// (JWKS re-fetched once for an unknown key), for other provider JWTs such as logout tokens.
    pub(crate) async fn verify_jws(&self, jws: &CompactJws<'_>) -> Result<()> {
        let no_keys = needs_no_keys(jws);
        self.with_key_retry(no_keys, |jwks| {
            self.inner.validator.verify_signature(jws, jwks)
        })
        .await
    }

    /// Fetches the UserInfo claims with the access token of `tokens` and checks that `sub` is
    /// the ID token's (code 907 otherwise). A signed (`application/jwt`) response is verified
    /// like an ID token (issuer and audience checked when present).
    pub async fn userinfo(&self, tokens: &TokenSet) -> Result<UserDetails> {
        let access = tokens.access_token.as_deref().ok_or(Error::Missing {
            what: "access_token",
            hint: "UserInfo needs an access token; response_type=id_token returns none",
        })?;
        let expected_sub = tokens.id_token.as_ref().and_then(|t| t.claims().subject());
        self.userinfo_with(access, expected_sub).await
    }

    /// UserInfo with an explicit access token and expected subject (`None` skips the `sub`
    /// comparison; use only when you have no ID token to compare with).
    pub async fn userinfo_with(
        &self,
        access_token: &str,
        expected_sub: Option<&str>,
    ) -> Result<UserDetails> {
        let url = self.endpoint(
            &self.inner.metadata.userinfo_endpoint,
            "userinfo_endpoint",
            "the provider has no UserInfo endpoint; set the provider metadata's userinfo_endpoint by hand if it has one",
        )?;
        let dpop = self.inner.auth.dpop.as_deref();
        let required = self.inner.config.userinfo_encrypted_response_alg;
        let response = userinfo::fetch(&self.inner.http, url, access_token, dpop).await?;
        let map = match (response, required) {
            (userinfo::Response::Claims(_), Some(alg)) => {
                return Err(Error::EncryptionRequired {
                    what: "UserInfo response",
                    alg: alg.as_str(),
                });
            }
            (userinfo::Response::Claims(map), None) => map,
            (userinfo::Response::Signed(text), _) => self.verify_userinfo_jwt(&text).await?,
        };
        userinfo::details(map, expected_sub)
    }

    async fn verify_userinfo_jwt(&self, text: &str) -> Result<Map<String, Value>> {
        let inner = &self.inner;
        let required = inner.config.userinfo_encrypted_response_alg;
        let text = self.decrypt_if_jwe(text, "UserInfo response", false, required)?;
        let claims = if encrypted::is_compact_jws(&text) {
            let jws = CompactJws::parse(&text)?;
            self.with_key_retry(jws.header.alg.is_hmac(), |jwks| {
                inner.validator.verify_signature(&jws, jwks)
            })
            .await?;
            crate::id_token::Claims::from_payload(&jws.payload()?)?
        } else {
            // Encrypted only (Core §5.3.2): the plaintext is the JSON claims.
            crate::id_token::Claims::from_payload(text.as_bytes())?
        };
        let issuer =
            (!inner.metadata.is_tenant_template()).then_some(inner.metadata.issuer.as_str());
        userinfo::check_signed(claims, issuer, &inner.config.client_id)
    }

    /// A DPoP proof (RFC 9449) for `method` on `url`, bound to `access_token` when given, with
    /// the nonce last seen from that origin: for calling resource servers yourself
    /// (`Authorization: DPoP <token>` plus `DPoP: <proof>`). Code 920 when DPoP is off.
    pub fn dpop_proof(
        &self,
        method: &str,
        url: &str,
        access_token: Option<&str>,
    ) -> Result<String> {
        self.dpop()?.proof(method, url, access_token)
    }

    /// Remembers a `DPoP-Nonce` a server at `url`'s origin sent (for [`Client::dpop_proof`]).
    pub fn set_dpop_nonce(&self, url: &str, nonce: &str) -> Result<()> {
        self.dpop()?.set_nonce(url, nonce)
    }

    /// GETs a protected resource with the access token: `Authorization: DPoP` and a proof
    /// (one retry with the server's nonce on `use_dpop_nonce`) when DPoP is on, else Bearer.
    /// Returns the status and body, whatever the status.
    pub async fn get_resource(&self, url: &str, access_token: &str) -> Result<(u16, Vec<u8>)> {
        let http = &self.inner.http;
        let resp = match self.inner.auth.dpop.as_deref() {
            Some(dpop) => dpop.get(http, url, access_token, "*/*").await?,
            None => http.get(url, Some(access_token), "*/*").await?,
        };
        Ok((resp.status, resp.body))
    }

    fn dpop(&self) -> Result<&crate::flows::dpop::Dpop> {
        self.inner.auth.dpop.as_deref().ok_or(Error::Missing {
            what: "dpop",
            hint: "turn DPoP on (ClientConfig::dpop) to make proofs",
        })
    }

    /// The response type this client requests.
    pub fn response_type(&self) -> ResponseType {
        self.inner.config.effective_response_type()
    }

    async fn grant(&self, grant: &[(&str, &str)]) -> Result<TokenSet> {
        let raw = token::request(
            &self.inner.http,
            self.token_endpoint()?,
            &self.inner.auth,
            grant,
        )
        .await?;
        self.finish_grant(raw).await
    }

    /// A token response without a front channel: needs `access_token`; an ID token, when
    /// present, is validated without a nonce (as in Core §12.2).
    async fn finish_grant(&self, raw: Map<String, Value>) -> Result<TokenSet> {
        self.finish_token_response(raw, "token", None).await
    }

    /// Finishes any token response (`response` names it in errors): it needs `access_token`.
    /// With the transaction of a code flow, the ID token is required and checked with its
    /// nonce and max_age; without, an ID token, when present, is validated without a nonce.
    async fn finish_token_response(
        &self,
        raw: Map<String, Value>,
        response: &str,
        tx: Option<&AuthTransaction>,
    ) -> Result<TokenSet> {
        // Any other type is 915; between Bearer and DPoP, whether DPoP was used decides (950).
        let mut tokens = TokenSet::from_fields_accepting(raw, &["Bearer", "DPoP"])?;
        token::check_dpop_token_type(tokens.token_type.as_deref(), self.inner.auth.dpop.is_some())?;
        if tokens.access_token.is_none() {
            return Err(Error::InvalidTokenResponse {
                reason: format!("the {response} response has no access_token"),
            });
        }
        let id_token = tokens
            .raw
            .get("id_token")
            .and_then(Value::as_str)
            .map(str::to_string);
        let id_token = match (id_token, tx) {
            (Some(id_token), _) => id_token,
            (None, Some(_)) if self.inner.metadata.is_oauth_only() => return Ok(tokens),
            (None, Some(_)) => {
                return Err(Error::InvalidTokenResponse {
                    reason: "the token response has no id_token; is `openid` in the scope?".into(),
                });
            }
            (None, None) => return Ok(tokens),
        };
        let checks = Checks {
            nonce: tx.map(|tx| tx.nonce.as_str()),
            max_age: tx.and_then(|tx| tx.max_age).map(Duration::from_secs),
            access_token: tokens.access_token.as_deref(),
            ..Checks::default()
        };
        tokens.id_token = Some(self.validate_id_token(&id_token, &checks).await?);
        Ok(tokens)
    }

    /// Runs `check` with the provider's keys (none when `no_keys`), and once more with a
    /// re-fetched JWKS when no key matched (key rotation; the re-fetch is rate-limited).
    async fn with_key_retry<T>(
        &self,
        no_keys: bool,
        check: impl Fn(&Jwks) -> Result<T>,
    ) -> Result<T> {
        let inner = &self.inner;
        if no_keys {
            // HMAC tokens are checked with the client secret (and unsupported algorithms are
            // refused) without the provider's keys: no fetch, no lock, no allocation.
            return check(&Jwks::default());
        }
        let jwks = inner.keys.get(&inner.http).await?;
        match check(&jwks) {
            Err(Error::NoMatchingKey { .. }) => match inner.keys.refresh(&inner.http, &jwks).await?
            {
                Some(fresh) => check(&fresh),
                None => check(&jwks),
            },
            other => other,
        }
    }
}

/// Whether checking `jws` needs none of the provider's keys: HMAC tokens are checked with the
/// client secret, and an unsupported algorithm is refused before any key is looked up.
fn needs_no_keys(jws: &CompactJws<'_>) -> bool {
    jws.header.alg.is_hmac() || !jws.header.alg.is_supported()
}

/// RFC 8707 §2: a resource indicator is an absolute URI without a fragment (code 921).
fn check_resource_indicators(resources: &[String]) -> Result<()> {
    for r in resources {
        let ok = url::Url::parse(r).is_ok_and(|u| u.fragment().is_none());
        if !ok {
            return Err(Error::InvalidSetting {
                name: "resource".into(),
                reason: format!("{r:?} is not an absolute URI without a fragment (RFC 8707 §2)"),
            });
        }
    }
    Ok(())
}
