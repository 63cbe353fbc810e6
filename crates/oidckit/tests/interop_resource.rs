//! Dynamic registration (RFC 7591/7592), resource indicators (RFC 8707) and
//! `Client::for_resource` (RFC 9728) against panva's `oidc-provider` with registration enabled
//! (`INTEROP_REGISTRATION=1`, see `interop/provider.mjs`) and its resource indicators (on in
//! the stock configuration: any resource gets a JWT access token with the resource as `aud`).
//! The protected resource is a small axum server in the test, on 127.0.0.1:0, that checks the
//! token's signature (with `jsonwebtoken`, against the provider's JWKS), `iss` and `aud`.
//!
//! Needs Node.js and `(cd interop && npm ci)`; see `interop.rs`.

#[macro_use]
mod interop_support;

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use oidckit::registration::{ClientMetadata, Registrar};
use oidckit::{AuthorizationRequest, Client, ClientConfig, ResourceOptions, TokenSet};
use serde_json::{Value, json};

use interop_support::{Browser, REDIRECT, USER};

const INITIAL_TOKEN: &str = "interop-initial-access-token";

fn registration_env() -> [(&'static str, &'static str); 2] {
    [
        ("INTEROP_REGISTRATION", "1"),
        ("INTEROP_REGISTRATION_TOKEN", INITIAL_TOKEN),
    ]
}

/// Signs in with `client` through the scripted browser (code flow, PKCE).
async fn sign_in(client: &Client) -> TokenSet {
    let (url, tx) = client
        .start_authorization(&AuthorizationRequest::default())
        .await
        .expect("authorization URL");
    let params = Browser::new().authorize(&url).await.params();
    client
        .handle_callback(&tx, &params)
        .await
        .expect("sign-in succeeds")
}

/// The provider's JWKS, fetched once.
async fn provider_jwks(issuer: &str) -> jsonwebtoken::jwk::JwkSet {
    let body = reqwest::get(format!("{issuer}/jwks"))
        .await
        .expect("JWKS")
        .bytes()
        .await
        .expect("JWKS body");
    serde_json::from_slice(&body).expect("JWKS JSON")
}

/// Verifies a JWT access token independently of oidckit: signature with the provider's key,
/// `iss` = the issuer, `aud` = `audience`. Returns the claims.
fn verify_access_token(
    jwks: &jsonwebtoken::jwk::JwkSet,
    token: &str,
    issuer: &str,
    audience: &str,
) -> Result<Value, String> {
    let header = jsonwebtoken::decode_header(token).map_err(|e| e.to_string())?;
    let kid = header.kid.as_deref().ok_or("no kid")?;
    let jwk = jwks.find(kid).ok_or("unknown kid")?;
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?;
    let mut validation = jsonwebtoken::Validation::new(header.alg);
    validation.set_audience(&[audience]);
    validation.set_issuer(&[issuer]);
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .map(|d| d.claims)
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn registered_client_signs_in_and_is_read_updated_and_deleted() {
    let op = provider_or_skip!(&registration_env());
    let config = ClientConfig::new(op.issuer(), "");
    let meta = oidckit::discovery::fetch(&config).await.expect("discovery");
    let endpoint = meta
        .registration_endpoint
        .clone()
        .expect("registration_endpoint advertised");
    let registrar = Registrar::new(&config).expect("registrar");
    let mut wanted = ClientMetadata::public_native(REDIRECT);
    wanted.client_name = Some("oidckit interop".into());

    // Without the initial access token the provider refuses.
    let err = registrar
        .register(&endpoint, &wanted, None)
        .await
        .expect_err("initial access token required");
    assert_eq!(err.code(), 151);

    let registered = registrar
        .register(&endpoint, &wanted, Some(INITIAL_TOKEN))
        .await
        .expect("registration");
    assert!(!registered.client_id.is_empty());
    assert!(registered.client_secret.is_none(), "a public client");
    assert!(registered.registration_access_token.is_some());
    let uri = registered
        .registration_client_uri
        .clone()
        .expect("registration_client_uri");
    assert!(uri.starts_with(op.issuer()), "{uri}");
    assert_eq!(registered.metadata["redirect_uris"], json!([REDIRECT]));

    // Sign in with it: code flow with PKCE, as a public client.
    let mut client_config = registered.client_config(op.issuer());
    client_config.redirect_uri = Some(REDIRECT.into());
    let client = Client::discover(client_config).await.expect("client");
    let tokens = sign_in(&client).await;
    let id = tokens.id_token.as_ref().expect("id token");
    assert_eq!(id.claims().subject(), Some(USER));
    assert_eq!(id.claims().audience(), [registered.client_id.as_str()]);

    // RFC 7592: read, update (the token rotates), read the update back, delete.
    let read = registrar.read(&registered).await.expect("read");
    assert_eq!(read.client_id, registered.client_id);
    assert_eq!(read.metadata["client_name"], "oidckit interop");
    let mut changed = read.client_metadata();
    changed
        .extra
        .insert("client_name".into(), "oidckit interop, renamed".into());
    let updated = registrar.update(&read, &changed).await.expect("update");
    assert_eq!(updated.metadata["client_name"], "oidckit interop, renamed");
    assert_ne!(
        updated.registration_access_token, read.registration_access_token,
        "oidc-provider rotates the registration access token on update"
    );
    let again = registrar.read(&updated).await.expect("read after update");
    assert_eq!(again.metadata["client_name"], "oidckit interop, renamed");
    // The old token no longer works.
    let err = registrar.read(&read).await.expect_err("rotated away");
    assert_eq!(err.code(), 151);

    registrar.delete(&again).await.expect("delete");
    let err = registrar.read(&again).await.expect_err("deleted");
    assert_eq!(err.code(), 151);
}

#[tokio::test]
async fn a_token_asked_for_a_resource_has_the_resource_as_audience() {
    let op = provider_or_skip!();
    let resource = "https://api.example/";
    let mut config = op.config("interop-public");
    config.scope = "openid".into();
    config.resource = vec![resource.into()];
    let client = Client::discover(config).await.expect("client");
    let tokens = sign_in(&client).await;
    let jwks = provider_jwks(op.issuer()).await;
    let access = tokens.access_token.as_deref().expect("access token");
    let claims =
        verify_access_token(&jwks, access, op.issuer(), resource).expect("JWT for the resource");
    assert_eq!(claims["aud"], resource);
    assert_eq!(claims["client_id"], "interop-public");

    // The refresh asks for the same resource.
    let refreshed = client
        .refresh(
            tokens.refresh_token.as_deref().expect("refresh token"),
            tokens.id_token.as_ref(),
        )
        .await
        .expect("refresh");
    let access = refreshed.access_token.as_deref().expect("access token");
    verify_access_token(&jwks, access, op.issuer(), resource).expect("refreshed JWT");
}

/// The protected resource of the test: `/mcp` needs a JWT access token from the provider for
/// itself; its RFC 9728 metadata names the provider.
struct ResourceServer {
    url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ResourceServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Rs {
    url: String,
    base: String,
    issuer: String,
    jwks: jsonwebtoken::jwk::JwkSet,
}

async fn protected(State(rs): State<Arc<Rs>>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match token.map(|t| verify_access_token(&rs.jwks, t, &rs.issuer, &rs.url)) {
        Some(Ok(claims)) => axum::Json(json!({"hello": claims["sub"]})).into_response(),
        _ => (
            StatusCode::UNAUTHORIZED,
            [(
                header::WWW_AUTHENTICATE,
                format!(
                    "Bearer error=\"invalid_token\", resource_metadata=\"{}/.well-known/oauth-protected-resource/mcp\"",
                    rs.base
                ),
            )],
        )
            .into_response(),
    }
}

async fn resource_metadata(State(rs): State<Arc<Rs>>) -> Response {
    axum::Json(json!({
        "resource": rs.url,
        "authorization_servers": [rs.issuer],
        "scopes_supported": ["api:read"],
        "bearer_methods_supported": ["header"],
    }))
    .into_response()
}

async fn start_resource_server(issuer: &str) -> ResourceServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let url = format!("{base}/mcp");
    let rs = Arc::new(Rs {
        url: url.clone(),
        base,
        issuer: issuer.to_string(),
        jwks: provider_jwks(issuer).await,
    });
    let app = axum::Router::new()
        .route("/mcp", get(protected))
        .route(
            "/.well-known/oauth-protected-resource/mcp",
            get(resource_metadata),
        )
        .with_state(rs);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    ResourceServer { url, task }
}

#[tokio::test]
async fn for_resource_goes_from_a_401_to_a_token_the_resource_accepts() {
    let op = provider_or_skip!(&[("INTEROP_REGISTRATION", "1")]);
    let rs = start_resource_server(op.issuer()).await;
    let mut options = ResourceOptions::default();
    options.config.redirect_uri = Some(REDIRECT.into());
    options.config.scope = "openid api:read".into();
    options.trusted_authorization_servers = vec![op.issuer().to_string()];
    let found = Client::for_resource(&rs.url, options)
        .await
        .expect("resource client");
    assert_eq!(found.client.metadata().issuer, op.issuer());
    let registration = found.registration.as_ref().expect("registered");
    assert_eq!(found.client.config().client_id, registration.client_id);

    let tokens = sign_in(&found.client).await;
    assert_eq!(
        tokens.id_token.as_ref().and_then(|t| t.claims().subject()),
        Some(USER)
    );
    let access = tokens.access_token.as_deref().expect("access token");
    let (status, body) = found
        .client
        .get_resource(&rs.url, access)
        .await
        .expect("resource answers");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let body: Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(body["hello"], USER);

    // Another resource's token is refused by this one.
    let (status, _) = found
        .client
        .get_resource(&rs.url, "not-a-token")
        .await
        .expect("resource answers");
    assert_eq!(status, 401);
}
