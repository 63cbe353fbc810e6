//! `oidckit demo`: a complete code + PKCE sign-in, offline, against an in-process mock
//! provider, through the real loopback server, with a stand-in browser.

use std::time::Duration;

use clap::Args;
use serde_json::json;

use oidckit::browser::{BrowserOptions, HookDecision};
use oidckit::loopback::{LoopbackConfig, LoopbackServer};
use oidckit::{AuthorizationRequest, Client, ClientConfig};
use oidckit_mock::{MockConfig, MockProvider};

use crate::login::fetch_userinfo;
use crate::{output, standin};

/// Flags of `oidckit demo`.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Seconds to wait for the stand-in browser.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub browser_timeout: u64,

    /// Make the mock provider require pushed authorization requests (RFC 9126): the sign-in
    /// pushes the request first and the browser gets only a `request_uri`.
    #[arg(long)]
    pub par: bool,
}

/// Runs the demo, printing each step (on stderr with `--json`, which prints the result only).
pub async fn run(args: DemoArgs, json: bool) -> anyhow::Result<()> {
    let step = |n: u32, text: &str| {
        if json {
            eprintln!("[{n}] {text}");
        } else {
            println!("[{n}] {text}");
        }
    };
    let provider = MockProvider::start(MockConfig {
        require_par: args.par,
        ..MockConfig::default()
    })?;
    step(
        1,
        &format!(
            "Started the mock OpenID Provider at {} (client test-client)",
            provider.issuer()
        ),
    );

    let mut config = ClientConfig::new(provider.issuer(), "test-client").with_secret("test-secret");
    config.scope = "openid profile email".into();
    let client = Client::discover(config).await?;
    step(
        2,
        &format!(
            "Discovered it: authorization endpoint {}",
            client
                .metadata()
                .authorization_endpoint
                .as_deref()
                .unwrap_or("?")
        ),
    );

    let mut server_config = LoopbackConfig::default();
    server_config.timeout = Duration::from_secs(args.browser_timeout);
    let server = LoopbackServer::bind(server_config).await?;
    step(
        3,
        &format!(
            "Loopback server listening; redirect URI {}",
            server.redirect_uri()
        ),
    );

    let mut request = AuthorizationRequest::default();
    request.redirect_uri = Some(server.redirect_uri());
    // Pushed first when the provider requires it (RFC 9126); a plain URL otherwise.
    let (url, tx) = client.start_authorization(&request).await?;
    let how = if client.metadata().require_pushed_authorization_requests {
        "pushed (PAR), code flow, PKCE S256, state and nonce"
    } else {
        "code flow, PKCE S256, state and nonce"
    };
    step(4, &format!("Authorization URL ({how}):\n    {url}"));

    // The stand-in browser: the hook takes the URL and cancels the system browser.
    let browser = BrowserOptions::default().with_hook(|launch| {
        let url = launch.url.clone();
        std::thread::spawn(move || {
            if let Err(e) = standin::browse(&url) {
                output::note(&format!("stand-in browser failed: {e:#}"));
            }
        });
        HookDecision::Cancel
    });
    oidckit::browser::open(&url, &browser);
    step(
        5,
        "Stand-in browser sent the request; the mock approved it and redirected to the loopback server",
    );

    let callback = server.wait_for_state(&tx.state).await?;
    step(
        6,
        &format!(
            "Loopback server received the authorization response ({} parameters)",
            callback.params().pairs().len()
        ),
    );

    let result = client.handle_callback(&tx, callback.params()).await;
    callback
        .respond(result.as_ref().map(|_| ()).map_err(|e| e.to_string()))
        .await;
    let tokens = result?;
    step(
        7,
        "Exchanged the code (with the PKCE verifier) and verified the ID token",
    );

    let userinfo = fetch_userinfo(&client, &tokens).await?;
    step(8, "Fetched UserInfo (its sub matches the ID token's)");
    if json {
        output::print_json(&output::tokens_json(&tokens, userinfo.as_ref()))?;
    } else {
        let claims = tokens
            .id_token
            .as_ref()
            .map(|t| json!(t.claims().as_map()))
            .unwrap_or_default();
        output::print_line(&format!(
            "\nVerified ID token claims:\n{}",
            output::json_text(&claims)
        ))?;
        if let Some(u) = &userinfo {
            output::print_line(&format!(
                "\nUserInfo:\n{}",
                output::json_text(&serde_json::Value::Object(u.clone()))
            ))?;
        }
        output::print_line("\nDone: signed in offline through the real loopback redirect.")?;
    }
    provider.stop();
    Ok(())
}
