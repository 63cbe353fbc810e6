//! The desktop sign-in composed of its steps: build the URL with the server's redirect URI,
//! open the browser, wait, run the hooks, complete the sign-in and answer the browser.

use std::fmt;

use super::config::LoopbackConfig;
use super::server::LoopbackServer;
use crate::browser::{self, BrowserOptions, Opened};
use crate::{AuthTransaction, AuthorizationRequest, CallbackParams, Client, Result, TokenSet};

/// Everything [`sign_in`] needs besides the client.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct SignInOptions {
    /// The loopback server settings. Default: see [`LoopbackConfig`].
    pub server: LoopbackConfig,
    /// How to open the browser. Default: the system browser.
    pub browser: BrowserOptions,
    /// Parameters of the authorization request; its `redirect_uri` is replaced by the
    /// server's. Default: none.
    pub request: AuthorizationRequest,
}

/// Signs the user in with the system browser: starts a loopback server, opens the browser at
/// the authorization URL (redirect URI `http://127.0.0.1:PORT/PATH`, or `https://` with
/// [`LoopbackConfig::tls`]), waits for the response and completes the sign-in. The `client`
/// may have been discovered with any redirect URI; the server's is used for this request.
///
/// Errors: 201 when the browser does not come back within `options.server.timeout`; every
/// error of [`Client::handle_callback`]; 1120 when the server cannot listen; 912/921 when its
/// certificate cannot be loaded.
pub async fn sign_in(client: &Client, options: &SignInOptions) -> Result<TokenSet> {
    let server = LoopbackServer::bind(options.server.clone()).await?;
    sign_in_with(client, &server, &options.browser, &options.request).await
}

/// [`sign_in`] with a server that is already running (so it can be reused).
pub async fn sign_in_with(
    client: &Client,
    server: &LoopbackServer,
    browser_options: &BrowserOptions,
    request: &AuthorizationRequest,
) -> Result<TokenSet> {
    SignIn::new(client, server)
        .browser(browser_options.clone())
        .request(request.clone())
        .run()
        .await
        .map(|done| done.tokens)
}

/// Signs in to a protected resource (an MCP server, an API) in one call: starts the loopback
/// server, builds the client with [`Client::for_resource`] (registering it with the server's
/// redirect URI unless `options.config` has a client id), and signs in with PKCE and the RFC
/// 8707 `resource`, so the access token is for `resource_url`. Errors: those of
/// [`Client::for_resource`] and of [`sign_in`].
pub async fn sign_in_to_resource(
    resource_url: &str,
    mut options: crate::ResourceOptions,
    sign_in: &SignInOptions,
) -> Result<(crate::ResourceClient, TokenSet)> {
    let server = LoopbackServer::bind(sign_in.server.clone()).await?;
    if options.config.redirect_uri.is_none() {
        options.config.redirect_uri = Some(server.redirect_uri());
    }
    let found = Client::for_resource(resource_url, options).await?;
    let tokens = sign_in_with(&found.client, &server, &sign_in.browser, &sign_in.request).await?;
    Ok((found, tokens))
}

/// A page of the application's own, shown to the browser instead of the configured success
/// or failure page (see [`Callback::respond_with`](super::Callback::respond_with)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CustomPage {
    /// Extra `Name: value` header lines (`Content-Type` replaces the default).
    pub headers: String,
    /// The body, sent as is.
    pub body: String,
}

impl CustomPage {
    /// A page with these header lines and body.
    pub fn new(headers: impl Into<String>, body: impl Into<String>) -> CustomPage {
        CustomPage {
            headers: headers.into(),
            body: body.into(),
        }
    }
}

type OpenedHook<'a> = Box<dyn FnOnce(&Opened) + Send + 'a>;
type CallbackHook<'a> =
    Box<dyn FnOnce(&CallbackParams, &AuthTransaction) -> Option<CustomPage> + Send + 'a>;

/// One sign-in through a running [`LoopbackServer`]: build the authorization URL with the
/// server's redirect URI, open the browser, wait for the response, run the callback hook,
/// complete the sign-in with [`Client::handle_callback`], and answer the browser.
pub struct SignIn<'a> {
    client: &'a Client,
    server: &'a LoopbackServer,
    browser: BrowserOptions,
    request: AuthorizationRequest,
    on_opened: Option<OpenedHook<'a>>,
    on_callback: Option<CallbackHook<'a>>,
}

impl fmt::Debug for SignIn<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignIn")
            .field("server", &self.server)
            .field("browser", &self.browser)
            .field("request", &self.request)
            .finish_non_exhaustive()
    }
}

/// The outcome of a [`SignIn`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SignedIn {
    /// The tokens.
    pub tokens: TokenSet,
    /// The authorization response the browser brought back.
    pub params: CallbackParams,
}

impl<'a> SignIn<'a> {
    /// A sign-in of `client` through `server`, with the system browser and no extra request
    /// parameters.
    pub fn new(client: &'a Client, server: &'a LoopbackServer) -> SignIn<'a> {
        SignIn {
            client,
            server,
            browser: BrowserOptions::default(),
            request: AuthorizationRequest::default(),
            on_opened: None,
            on_callback: None,
        }
    }

    /// How to open the browser.
    pub fn browser(mut self, browser: BrowserOptions) -> SignIn<'a> {
        self.browser = browser;
        self
    }

    /// Parameters of the authorization request; its `redirect_uri` is replaced by the
    /// server's.
    pub fn request(mut self, request: AuthorizationRequest) -> SignIn<'a> {
        self.request = request;
        self
    }

    /// Called with what [`browser::open`] did, before the wait.
    pub fn on_opened(mut self, hook: impl FnOnce(&Opened) + Send + 'a) -> SignIn<'a> {
        self.on_opened = Some(Box::new(hook));
        self
    }

    /// Called when the authorization response has arrived, before it is checked; returning a
    /// [`CustomPage`] shows that page (status `200 OK` when the sign-in succeeds, else
    /// `400 Bad Request`) instead of the configured one.
    pub fn on_callback(
        mut self,
        hook: impl FnOnce(&CallbackParams, &AuthTransaction) -> Option<CustomPage> + Send + 'a,
    ) -> SignIn<'a> {
        self.on_callback = Some(Box::new(hook));
        self
    }

    /// Runs the sign-in. Errors: see [`sign_in`].
    pub async fn run(self) -> Result<SignedIn> {
        let mut request = self.request;
        request.redirect_uri = Some(self.server.redirect_uri());
        let (url, tx) = self.client.start_authorization(&request).await?;
        let opened = browser::open(&url, &self.browser);
        if let Some(hook) = self.on_opened {
            hook(&opened);
        }
        // A response for another state (a forged redirect) is refused and the wait goes on.
        let callback = self.server.wait_for_state(&tx.state).await?;
        let params = callback.params().clone();
        let page = self.on_callback.and_then(|hook| hook(&params, &tx));
        let result = self.client.handle_callback(&tx, &params).await;
        match page {
            None => {
                callback
                    .respond(result.as_ref().map(|_| ()).map_err(|e| e.to_string()))
                    .await
            }
            Some(page) => {
                let status = if result.is_ok() {
                    "200 OK"
                } else {
                    "400 Bad Request"
                };
                callback
                    .respond_with(status, &page.headers, &page.body)
                    .await;
            }
        }
        result.map(|tokens| SignedIn { tokens, params })
    }
}
