//! [`Client::for_resource`]: from a protected resource's URL to a client of the authorization
//! server it trusts — what an MCP client does to reach an MCP server. RFC 9728 (resource
//! metadata), OpenID discovery then RFC 8414, RFC 7591 (registration), RFC 8707 (`resource`).

use super::Client;
use crate::config::ClientConfig;
use crate::discovery::{self, ProviderMetadata};
use crate::http::Http;
use crate::registration::{ClientMetadata, RegisteredClient, Registrar};
use crate::resource::{self, ResourceMetadata};
use crate::{Error, Result};

/// What [`Client::for_resource`] needs besides the resource URL.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ResourceOptions {
    /// The template of the client's configuration: transport, redirect URI, scope, DPoP, …
    /// Its `issuer` is replaced by the authorization server found and its `resource` by the
    /// resource URL. With a `client_id` that client is used; with an empty one a public
    /// client is registered (RFC 7591) with the `redirect_uri`, which is then required.
    /// Default: `ClientConfig::new("", "")`.
    pub config: ClientConfig,
    /// Issuer identifiers of the authorization servers you trust; the first one the resource
    /// names that is on this list is used (code 963 when none is). Empty: the first one the
    /// resource names. Default: empty.
    pub trusted_authorization_servers: Vec<String>,
    /// `client_name` to register. Default: `"oidckit"`.
    pub client_name: String,
    /// An initial access token for the registration endpoint (RFC 7591 §3). Default: none.
    pub initial_access_token: Option<String>,
}

impl Default for ResourceOptions {
    fn default() -> Self {
        ResourceOptions {
            config: ClientConfig::new("", ""),
            trusted_authorization_servers: Vec::new(),
            client_name: "oidckit".into(),
            initial_access_token: None,
        }
    }
}

/// A client for a protected resource: the [`Client`] of its authorization server, with the
/// resource's metadata and the registration made for it (if one was).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ResourceClient {
    /// The client, ready to sign in (PKCE on; `resource` sent with every request).
    pub client: Client,
    /// The resource's metadata (RFC 9728).
    pub resource: ResourceMetadata,
    /// The dynamic registration, when no client id was given (keep its
    /// `registration_access_token` to manage or delete it).
    pub registration: Option<RegisteredClient>,
}

impl Client {
    /// Finds the authorization server of the protected resource at `resource_url` and builds a
    /// client for it: reads the resource's metadata (a `401` with
    /// `WWW-Authenticate: Bearer resource_metadata=…`, else its well-known URL; its `resource`
    /// must be `resource_url`), picks the first trusted authorization server it names,
    /// discovers it (OpenID discovery, then RFC 8414), registers a public client unless
    /// `options.config.client_id` is set, and returns a client that sends `resource_url` as
    /// the RFC 8707 `resource` with PKCE. Sign in with it as usual (e.g.
    /// [`loopback::SignIn`](crate::loopback::SignIn)); the access token is then for the resource.
    ///
    /// Codes: 961 (no usable resource metadata), 962 (it is for another resource), 963 (no
    /// trusted authorization server), 900 (discovery), 917 (a URL is not https), 920 (no
    /// redirect URI to register, or no registration endpoint), 960 and 151 (registration).
    pub async fn for_resource(
        resource_url: &str,
        options: ResourceOptions,
    ) -> Result<ResourceClient> {
        let mut config = options.config;
        let http = Http::new(&config.http, config.dangerous_ref().allow_http)?;
        let meta = resource::discover(&http, resource_url).await?;
        let issuer = meta
            .choose_authorization_server(&options.trusted_authorization_servers)?
            .to_string();
        let provider = discovery::discover(&http, &issuer).await?;
        config.issuer = issuer;
        config.resource = vec![resource_url.to_string()];
        config.use_pkce = true;
        let registration = if config.client_id.is_empty() {
            let registered = register_public(
                &http,
                &provider,
                &config,
                &options.client_name,
                options.initial_access_token.as_deref(),
            )
            .await?;
            config.client_id = registered.client_id.clone();
            config.client_secret = registered.client_secret.clone();
            Some(registered)
        } else {
            None
        };
        let client = Client::build(config, provider, http)?;
        Ok(ResourceClient {
            client,
            resource: meta,
            registration,
        })
    }
}

/// Registers a public native client for the configured redirect URI and scope.
async fn register_public(
    http: &Http,
    provider: &ProviderMetadata,
    config: &ClientConfig,
    client_name: &str,
    initial_access_token: Option<&str>,
) -> Result<RegisteredClient> {
    let endpoint = provider
        .registration_endpoint
        .as_deref()
        .ok_or(Error::Missing {
            what: "registration_endpoint",
            hint: "the authorization server does not offer dynamic registration; register a client by hand and set its client id",
        })?;
    let redirect_uri = config.redirect_uri.clone().ok_or(Error::Missing {
        what: "redirect_uri",
        hint: "registering a client needs the redirect URI it will use (e.g. the loopback server's)",
    })?;
    let mut metadata = ClientMetadata::public_native(redirect_uri);
    metadata.client_name = Some(client_name.to_string());
    Registrar::with_http(http.clone())
        .register(endpoint, &metadata, initial_access_token)
        .await
}
