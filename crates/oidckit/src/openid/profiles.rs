//! `get_authorization_url` and `get_authorization` of [`OpenId`] per client profile: Web,
//! Application, Mobile and Browser (the loopback [`SignIn`]), and the dispatch to refresh and
//! the grants.

use super::events::{LaunchBrowserEvent, ReturnUrlEvent, fire};
use super::{ClientProfile, OpenId};
use crate::authorize::{CallbackParams, CodeOrCallback};
use crate::browser::{self, BrowserOptions, HookDecision, Launch};
use crate::loopback::{CustomPage, SignIn};
use crate::{Error, Result};

impl OpenId {
    /// Builds the URL to send the user to (no request is made, except the pushed authorization
    /// request with `UsePAR`, `SecurityProfile=FAPI2` or a provider that requires it) and keeps
    /// the transaction for `get_authorization`.
    ///
    /// Device profile: requests a device code (at the provider's device authorization
    /// endpoint, or `server_auth_url` when set by hand), fills `DeviceUserCode` and returns the
    /// verification URL the user must visit to enter it (`get_param("verification_uri_complete")`
    /// has the URL with the code when the provider sends one).
    pub fn get_authorization_url(&mut self) -> Result<String> {
        if self.p.client_profile == ClientProfile::Device {
            return self.device_start();
        }
        let client = self.client()?;
        let (cl, req) = (client.clone(), self.request());
        // Pushed first (RFC 9126) with UsePAR, SecurityProfile=FAPI2, or when the provider
        // requires it; otherwise no request is made.
        let (url, tx) = self.run(&client, async move { cl.start_authorization(&req).await })?;
        self.p.transaction = Some(tx);
        Ok(url)
    }

    /// Runs the authorization for the current `client_profile` and returns the authorization
    /// string (`Bearer <access token>`; empty when the flow returns no access token):
    ///
    /// - a `refresh_token` is set (and, in the Web profile, no code is pending): refresh;
    /// - Web: exchange `authorization_code` (a code, or the whole callback URL, whose state and
    ///   `iss` are then checked) with the transaction of `get_authorization_url`;
    /// - Application: start the loopback server, fire `on_launch_browser`, open the browser,
    ///   wait up to `BrowserResponseTimeout`, fire `on_return_url`, complete the sign-in;
    /// - Mobile, Browser: the same, but the application opens the URL (from `on_launch_browser`);
    /// - `PasswordGrantUsername` is set (any profile but JWT): the password grant with
    ///   [`set_password_grant_password`](Self::set_password_grant_password);
    /// - Device: poll the token endpoint every `PollingInterval` seconds until the user has
    ///   entered `DeviceUserCode` (from `get_authorization_url`; started here when it was not
    ///   called, the code and URL then go to `on_log`);
    /// - JWT: `JWTServiceProvider` 0 (Google): a signed assertion (`JWTJSONKey` or
    ///   `JWTCertStore*`, `JWTIssuer`, `JWTSubject`, `JWTAudience`, `JWTValidityTime`,
    ///   `authorization_scope` as its `scope`) exchanged with the JWT bearer grant; 1
    ///   (Microsoft): the client credentials grant authenticated with a certificate assertion
    ///   (`private_key_jwt`, key from `JWTCertStore*`).
    ///
    /// Fills `user_details_*` from the ID token, `access_token`, `refresh_token`, `RawJSON`
    /// (the ID token payload) and `IDToken`.
    pub fn get_authorization(&mut self) -> Result<String> {
        let profile = self.p.client_profile;
        let code_pending = !self.p.authorization_code.is_empty() && self.p.transaction.is_some();
        let web_code_pending = profile == ClientProfile::Web && code_pending;
        if !self.p.refresh_token.is_empty() && !web_code_pending {
            let client = self.client()?;
            let cl = client.clone();
            let (rt, prev) = (self.p.refresh_token.clone(), self.p.id_token.clone());
            let tokens = self.run(&client, async move { cl.refresh(&rt, prev.as_ref()).await })?;
            return Ok(self.apply_tokens(tokens));
        }
        let username = self.p.set.password_grant_username.clone();
        if !username.is_empty() && profile != ClientProfile::Jwt {
            return self.password_grant(username);
        }
        match profile {
            ClientProfile::Web => self.complete_web(),
            ClientProfile::Application | ClientProfile::Mobile | ClientProfile::Browser => {
                self.interactive(profile == ClientProfile::Application)
            }
            ClientProfile::Device => self.device_profile(),
            ClientProfile::Jwt => self.jwt_profile(),
        }
    }

    fn complete_web(&mut self) -> Result<String> {
        let tx = self.p.transaction.clone().ok_or(Error::Missing {
            what: "authorization transaction",
            hint: "call get_authorization_url first (or restore it with set_transaction)",
        })?;
        if self.p.authorization_code.trim().is_empty() {
            return Err(Error::Missing {
                what: "authorization_code",
                hint: "set authorization_code to the code (or the whole callback URL) the browser brought back",
            });
        }
        let client = self.client()?;
        let tokens = match CallbackParams::from_code_or_url(&self.p.authorization_code) {
            CodeOrCallback::Callback(params) => {
                self.record_callback(&params);
                let cl = client.clone();
                self.run(
                    &client,
                    async move { cl.handle_callback(&tx, &params).await },
                )?
            }
            CodeOrCallback::Code(code) => {
                self.p.response_params.clear();
                let cl = client.clone();
                self.run(&client, async move { cl.exchange_code(&code, &tx).await })?
            }
        };
        self.p.transaction = None;
        Ok(self.apply_tokens(tokens))
    }
    pub(super) fn interactive(&mut self, open_browser: bool) -> Result<String> {
        self.start_web_server()?;
        let server = self.server.clone().ok_or(Error::Missing {
            what: "web server",
            hint: "start_web_server failed",
        })?;
        let client = self.client()?;
        let req = self.request();
        let events = self.events.clone();
        let path = url::Url::parse(&self.p.return_url)
            .map(|u| u.path().to_string())
            .unwrap_or_else(|_| "/".into());
        let log_level = self.log_level();
        let result = self.call(async move {
            let hook_events = events.clone();
            let hook = move |launch: &mut Launch| {
                let command = launch
                    .command
                    .as_ref()
                    .map(|c| join_command(c))
                    .unwrap_or_default();
                let ev = fire(
                    &hook_events.launch_browser,
                    LaunchBrowserEvent {
                        url: launch.url.clone(),
                        command,
                    },
                );
                launch.url = ev.url;
                launch.command = browser::split_command(&ev.command).ok();
                if open_browser && launch.command.is_some() {
                    HookDecision::Open
                } else {
                    HookDecision::Cancel
                }
            };
            let log_events = events.clone();
            let done = SignIn::new(&client, &server)
                .browser(BrowserOptions::default().with_hook(hook))
                .request(req)
                .on_opened(move |opened| {
                    log_events.log(log_level, 2, "Browser", format!("browser: {opened:?}"));
                })
                .on_callback(move |params, tx| {
                    let query = form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(params.pairs())
                        .finish();
                    let page = fire(
                        &events.return_url,
                        ReturnUrlEvent {
                            url_path: path,
                            query_string: query,
                            state: tx.state.clone(),
                            ..ReturnUrlEvent::default()
                        },
                    );
                    (!page.response_body.is_empty() || !page.response_headers.is_empty())
                        .then(|| CustomPage::new(page.response_headers, page.response_body))
                })
                .run()
                .await?;
            Ok((done.tokens, done.params))
        });
        if !self.p.set.reuse_web_server {
            self.drop_server();
        }
        let (tokens, params) = result?;
        self.record_callback(&params);
        Ok(self.apply_tokens(tokens))
    }

    /// Keeps the authorization response's parameters (for `get_param`) and its code.
    fn record_callback(&mut self, params: &CallbackParams) {
        self.p.response_params = params.pairs().to_vec();
        if let Some(code) = params.get("code") {
            self.p.authorization_code = code.to_string();
        }
    }
}

/// Joins a command for display in `on_launch_browser`, quoting words with spaces.
fn join_command(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            if w.is_empty() || w.contains([' ', '\t', '"', '\'', '\\']) {
                format!("'{}'", w.replace('\'', r"'\''"))
            } else {
                w.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
