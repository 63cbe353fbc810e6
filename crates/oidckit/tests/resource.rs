//! Protected resources against the mock provider: RFC 9728 metadata (from the 401 challenge
//! or the well-known URL), `Client::for_resource` (dynamic registration, RFC 7591; resource
//! indicators, RFC 8707), the RFC 8414 discovery fallback, and the answers a client must refuse.

mod support;

use oidckit::registration::{ClientMetadata, Registrar};
use oidckit::{Client, ClientConfig, Error, ResourceOptions};
use oidckit_mock::{Misbehavior, MockProvider};
use support::*;

fn resource_url(p: &MockProvider) -> String {
    format!("{}/resource", p.issuer())
}

fn options() -> ResourceOptions {
    let mut options = ResourceOptions::default();
    options.config.redirect_uri = Some(REDIRECT.into());
    options
}

fn params<'a>(req: &'a oidckit_mock::RecordedRequest, name: &str) -> Vec<&'a str> {
    req.params
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

#[tokio::test]
async fn for_resource_follows_the_challenge_registers_and_gets_a_token_for_the_resource() {
    let p = provider();
    let url = resource_url(&p);
    let mut opts = options();
    opts.trusted_authorization_servers = vec![p.issuer()];
    let found = Client::for_resource(&url, opts)
        .await
        .expect("resource client");
    assert_eq!(found.resource.resource, url);
    assert_eq!(found.resource.authorization_servers, [p.issuer()]);
    assert!(
        found
            .resource
            .metadata_url
            .ends_with("/.well-known/oauth-protected-resource/resource")
    );
    let registration = found.registration.as_ref().expect("registered");
    assert!(registration.client_id.starts_with("dyn-"));
    assert_eq!(found.client.config().client_id, registration.client_id);
    assert!(registration.client_secret.is_none(), "a public client");

    let tokens = sign_in(&found.client).await.expect("sign-in");
    let access = tokens.access_token.as_deref().expect("access token");
    let (status, body) = found
        .client
        .get_resource(&url, access)
        .await
        .expect("resource answers");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).contains(&registration.client_id));

    let reqs = p.requests();
    let register = reqs
        .iter()
        .find(|r| r.path == "/register")
        .expect("registration");
    assert_eq!(register.method, "POST");
    let authorize = reqs
        .iter()
        .find(|r| r.path == "/authorize")
        .expect("authorize");
    assert_eq!(params(authorize, "resource"), [url.as_str()]);
    assert_eq!(params(authorize, "code_challenge_method"), ["S256"]);
    let token = reqs.iter().find(|r| r.path == "/token").expect("token");
    assert_eq!(params(token, "resource"), [url.as_str()]);
    assert!(token.header("authorization").is_none(), "public client");

    // A refresh asks for the same resource.
    let refresh = tokens.refresh_token.as_deref().expect("refresh token");
    p.clear_requests();
    found.client.refresh(refresh, None).await.expect("refresh");
    let reqs = p.requests();
    let token = reqs.iter().find(|r| r.path == "/token").expect("token");
    assert_eq!(params(token, "grant_type"), ["refresh_token"]);
    assert_eq!(params(token, "resource"), [url.as_str()]);
}

#[tokio::test]
async fn for_resource_with_a_client_id_does_not_register() {
    let p = provider();
    let mut opts = options();
    opts.config.client_id = "public-client".into();
    let found = Client::for_resource(&resource_url(&p), opts)
        .await
        .expect("resource client");
    assert!(found.registration.is_none());
    assert_eq!(count_requests(&p, "/register"), 0);
    sign_in(&found.client).await.expect("sign-in");
}

#[tokio::test]
async fn the_well_known_url_is_used_when_the_resource_sends_no_challenge() {
    let p = provider();
    p.set_misbehavior(Misbehavior::ResourceNoChallenge);
    let found = Client::for_resource(&resource_url(&p), options())
        .await
        .expect("resource client");
    assert_eq!(
        found.resource.metadata_url,
        format!(
            "{}/.well-known/oauth-protected-resource/resource",
            p.issuer()
        )
    );
}

#[tokio::test]
async fn a_registration_response_without_client_id_is_refused() {
    let p = provider();
    p.set_misbehavior(Misbehavior::RegistrationOmitsClientId);
    let err = Client::for_resource(&resource_url(&p), options())
        .await
        .expect_err("no client_id");
    assert_eq!(err.code(), 960);
    assert!(matches!(err, Error::InvalidRegistrationResponse { .. }));
    assert_eq!(count_requests(&p, "/authorize"), 0);
}

#[tokio::test]
async fn resource_metadata_naming_an_untrusted_authorization_server_is_refused() {
    let p = provider();
    p.set_misbehavior(Misbehavior::ResourceMetadataAuthorizationServer(
        "https://evil.example".into(),
    ));
    let mut opts = options();
    opts.trusted_authorization_servers = vec![p.issuer()];
    let err = Client::for_resource(&resource_url(&p), opts)
        .await
        .expect_err("untrusted");
    assert_eq!(err.code(), 963);
    match err {
        Error::UntrustedAuthorizationServer { servers, .. } => {
            assert_eq!(servers, ["https://evil.example"])
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(count_requests(&p, "/register"), 0);
}

#[tokio::test]
async fn resource_metadata_for_another_resource_is_refused() {
    let p = provider();
    p.set_misbehavior(Misbehavior::ResourceMetadataWrongResource);
    let err = Client::for_resource(&resource_url(&p), options())
        .await
        .expect_err("mismatch");
    assert_eq!(err.code(), 962);
    match err {
        Error::ResourceMismatch { expected, found } => {
            assert_eq!(expected, resource_url(&p));
            assert_eq!(found, format!("{}/other-resource", p.issuer()));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn a_resource_without_metadata_is_961() {
    let p = provider();
    let err = Client::for_resource(&format!("{}/nothing-here", p.issuer()), options())
        .await
        .expect_err("no metadata");
    assert_eq!(err.code(), 961);
}

#[tokio::test]
async fn discovery_falls_back_to_rfc8414_with_the_well_known_inserted_before_the_path() {
    let p = provider();
    p.set_misbehavior(Misbehavior::AuthorizationServerMetadataOnly(
        "/tenant".into(),
    ));
    let issuer = format!("{}/tenant", p.issuer());
    let meta = oidckit::discovery::fetch(&ClientConfig::new(issuer.clone(), ""))
        .await
        .expect("RFC 8414 metadata");
    assert_eq!(meta.issuer, issuer);
    assert!(meta.token_endpoint.is_some());
    let paths: Vec<String> = p.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/tenant/.well-known/openid-configuration",
            "/.well-known/oauth-authorization-server/tenant"
        ]
    );
    // The same through Client::discover.
    let client = Client::discover(ClientConfig::new(issuer.clone(), "test-client"))
        .await
        .expect("client");
    assert_eq!(client.metadata().issuer, issuer);
}

#[tokio::test]
async fn an_rfc8414_document_naming_another_issuer_is_refused() {
    let p = provider();
    p.set_misbehavior(Misbehavior::AuthorizationServerMetadataOnly(String::new()));
    p.set_misbehavior(Misbehavior::DiscoveryIssuerMismatch);
    let err = Client::discover(ClientConfig::new(p.issuer(), "test-client"))
        .await
        .expect_err("issuer mismatch");
    assert_eq!(err.code(), 900);
    match err {
        Error::IssuerMismatch { expected, found } => {
            assert_eq!(expected, p.issuer());
            assert_eq!(found, format!("{}/other-issuer", p.issuer()));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        count_requests(&p, "/.well-known/oauth-authorization-server"),
        1
    );
}

#[tokio::test]
async fn registrar_registers_a_confidential_client_that_signs_in() {
    let p = provider();
    let config = ClientConfig::new(p.issuer(), "");
    let meta = oidckit::discovery::fetch(&config).await.expect("metadata");
    let endpoint = meta.registration_endpoint.as_deref().expect("endpoint");
    let mut wanted = ClientMetadata::default();
    wanted.redirect_uris = vec![REDIRECT.into()];
    wanted.client_name = Some("test".into());
    let registered = Registrar::new(&config)
        .expect("registrar")
        .register(endpoint, &wanted, Some("initial-token"))
        .await
        .expect("registered");
    let secret = registered.client_secret.clone().expect("a secret");
    assert_eq!(registered.client_secret_expires_at, Some(0));
    assert!(registered.registration_access_token.is_some());
    let debug = format!("{registered:?}");
    assert!(!debug.contains(&secret), "secret redacted in Debug");
    let reqs = p.requests();
    let register = reqs
        .iter()
        .find(|r| r.path == "/register")
        .expect("request");
    assert_eq!(
        register.header("authorization"),
        Some("Bearer initial-token")
    );
    assert_eq!(register.header("content-type"), Some("application/json"));

    let client = Client::discover(
        registered
            .client_config(p.issuer())
            .with_redirect_uri(REDIRECT),
    )
    .await
    .expect("client");
    sign_in(&client)
        .await
        .expect("sign-in with the registered client");
}

#[tokio::test]
async fn a_resource_indicator_with_a_fragment_is_refused() {
    let p = provider();
    let mut config = config(&p);
    config.resource = vec!["https://api.example/#x".into()];
    let err = Client::discover(config).await.expect_err("fragment");
    assert_eq!(err.code(), 921);
}

#[tokio::test]
async fn a_plain_oauth_server_found_through_rfc8414_needs_no_openid_scope_or_id_token() {
    let p = provider();
    p.set_misbehavior(Misbehavior::AuthorizationServerMetadataOnly(String::new()));
    p.set_misbehavior(Misbehavior::DiscoveryMember(
        "scopes_supported".into(),
        "[\"profile\", \"api\"]".into(),
    ));
    p.set_misbehavior(Misbehavior::TokenOmitsIdToken);
    let mut cfg = config(&p);
    cfg.scope = "profile".into();
    let client = Client::discover(cfg.clone()).await.expect("client");
    assert!(client.metadata().is_oauth_only());
    let (url, _) = client
        .authorization_url(&oidckit::AuthorizationRequest::default())
        .expect("URL");
    let scope: Vec<String> = url::Url::parse(&url)
        .expect("URL")
        .query_pairs()
        .filter(|(k, _)| k == "scope")
        .map(|(_, v)| v.into_owned())
        .collect();
    assert_eq!(scope, ["profile"], "no openid added");

    // The mock itself wants `openid`; the token response has no ID token and is accepted.
    cfg.scope = "openid profile".into();
    let client = Client::discover(cfg).await.expect("client");
    let tokens = sign_in(&client).await.expect("sign-in without an ID token");
    assert!(tokens.id_token.is_none());
    assert!(tokens.access_token.is_some());
}

#[tokio::test]
async fn an_openid_provider_must_still_return_an_id_token() {
    let p = provider();
    p.set_misbehavior(Misbehavior::TokenOmitsIdToken);
    let client = client(&p).await;
    assert!(!client.metadata().is_oauth_only());
    let err = sign_in(&client).await.expect_err("no ID token");
    assert_eq!(err.code(), 908);
}
