//! Start here: a complete authorization code + PKCE sign-in against the embedded mock provider,
//! with no setup and no network. A scripted browser stands in for the user.
//!
//! ```sh
//! cargo run -p oidckit --example code_flow_mock
//! ```

use oidckit::{AuthorizationRequest, CallbackParams, Client, ClientConfig};
use oidckit_mock::{MockConfig, MockProvider};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let provider = MockProvider::start(MockConfig::default())?;
    println!("1. mock provider running at {}", provider.issuer());

    let mut config = ClientConfig::new(provider.issuer(), "test-client")
        .with_secret("test-secret")
        .with_redirect_uri("http://127.0.0.1:8080/callback");
    config.scope = "openid profile email".into();
    let client = Client::discover(config).await?;
    println!(
        "2. discovered: token endpoint {:?}",
        client.metadata().token_endpoint
    );

    let (url, tx) = client.authorization_url(&AuthorizationRequest::default())?;
    println!("3. authorization URL: {url}");

    let callback = oidckit_mock::follow_authorization(&url)?;
    println!("4. provider redirected the browser back (code and state in the URL)");

    let tokens = client
        .handle_callback(&tx, &CallbackParams::from_url(&callback))
        .await?;
    let id_token = tokens.id_token.as_ref().ok_or("no ID token")?;
    println!(
        "5. code exchanged; ID token verified (alg {}):",
        id_token.header().alg
    );
    println!("{}", serde_json::to_string_pretty(id_token.claims())?);

    let me = client.userinfo(&tokens).await?;
    println!(
        "6. userinfo: {} <{}>",
        me.name.unwrap_or_default(),
        me.email.unwrap_or_default()
    );
    Ok(())
}
