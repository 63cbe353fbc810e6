//! TLS trust and client certificates against the mock provider behind a TLS front
//! (tokio-rustls) with certificates made by the test (rcgen).

mod support;
mod transport_support;

use std::sync::Arc;

use oidckit::http::ClientCertificate;
use oidckit::{AuthMethod, Client, ClientConfig};
use support::{provider, provider_with, sign_in};
use transport_support::*;

#[tokio::test]
async fn signs_in_over_https_trusting_an_extra_ca() {
    let p = provider();
    let pki = Pki::new();
    let front = TlsFront::start(&pki, p.port(), false);
    let mut cfg = client_config_for(&p);
    cfg.http.tls.extra_root_certificates = vec![pki.ca_pem.clone()];
    let client = Client::new(cfg, https_metadata(&p, front.port)).expect("client");
    sign_in(&client).await.expect("sign-in over https");
}

#[tokio::test]
async fn signs_in_over_https_accepting_exactly_the_servers_certificate() {
    let p = provider();
    let pki = Pki::new();
    let front = TlsFront::start(&pki, p.port(), false);
    let mut cfg = client_config_for(&p);
    cfg.http.tls.accept_server_certificate = Some(pki.server_cert_pem.clone());
    let client = Client::new(cfg, https_metadata(&p, front.port)).expect("client");
    sign_in(&client)
        .await
        .expect("sign-in with the accepted certificate");

    // Another certificate (a new PKI) is not accepted.
    let other = Pki::new();
    let mut cfg = client_config_for(&p);
    cfg.http.tls.accept_server_certificate = Some(other.server_cert_pem);
    let client = Client::new(cfg, https_metadata(&p, front.port)).expect("client");
    let err = sign_in(&client)
        .await
        .expect_err("not the accepted certificate");
    assert_eq!(err.code(), 1120, "{err:?}");
}

#[tokio::test]
async fn an_untrusted_server_certificate_is_refused() {
    let p = provider();
    let pki = Pki::new();
    let front = TlsFront::start(&pki, p.port(), false);
    let client =
        Client::new(client_config_for(&p), https_metadata(&p, front.port)).expect("client");
    let err = sign_in(&client).await.expect_err("untrusted");
    assert_eq!(err.code(), 1120, "{err:?}");
    assert_eq!(
        p.requests().iter().filter(|r| r.path == "/token").count(),
        0
    );
}

#[tokio::test]
async fn the_application_can_reject_a_trusted_certificate() {
    let p = provider();
    let pki = Pki::new();
    let front = TlsFront::start(&pki, p.port(), false);
    let recorder = Arc::new(Recorder {
        ssl_decision: Some(false),
        ..Recorder::default()
    });
    let mut cfg = client_config_for(&p);
    cfg.http.tls.extra_root_certificates = vec![pki.ca_pem.clone()];
    cfg.http.events = Some(recorder.clone());
    let client = Client::new(cfg, https_metadata(&p, front.port)).expect("client");
    let err = sign_in(&client).await.expect_err("rejected by the hook");
    assert_eq!(err.code(), 1120, "{err:?}");
    // The hook saw a chain the configured trust accepted.
    assert!(
        recorder
            .lines()
            .iter()
            .any(|l| l.starts_with("ssl_server_authentication OK")),
        "{:?}",
        recorder.lines()
    );
}

#[tokio::test]
async fn the_application_can_accept_an_untrusted_certificate() {
    let p = provider();
    let pki = Pki::new();
    let front = TlsFront::start(&pki, p.port(), false);
    let recorder = Arc::new(Recorder {
        ssl_decision: Some(true),
        ..Recorder::default()
    });
    let mut cfg = client_config_for(&p);
    cfg.http.events = Some(recorder.clone());
    let client = Client::new(cfg, https_metadata(&p, front.port)).expect("client");
    sign_in(&client).await.expect("accepted by the hook");
}

fn mtls_config(p: &oidckit_mock::MockProvider, pki: &Pki, with_cert: bool) -> ClientConfig {
    let mut cfg =
        ClientConfig::new(p.issuer(), "public-client").with_redirect_uri("http://127.0.0.1:9/cb");
    cfg.auth_method = Some(AuthMethod::TlsClientAuth);
    cfg.http.tls.extra_root_certificates = vec![pki.ca_pem.clone()];
    if with_cert {
        cfg.http.tls.client_certificate = Some(ClientCertificate::Pem {
            certificate_chain: pki.client_cert_pem.clone(),
            private_key: pki.client_key_pem.clone(),
        });
    }
    cfg
}

#[tokio::test]
async fn mutual_tls_signs_in_with_the_client_certificate_as_tls_client_auth() {
    let p = provider_with(|_| {});
    let pki = Pki::new();
    let front = TlsFront::start(&pki, p.port(), true);
    let client =
        Client::new(mtls_config(&p, &pki, true), https_metadata(&p, front.port)).expect("client");
    sign_in(&client).await.expect("mutual TLS sign-in");
    let token = p
        .requests()
        .into_iter()
        .find(|r| r.path == "/token")
        .expect("token request");
    assert_eq!(token.param("client_id"), Some("public-client"));
    assert_eq!(token.param("client_secret"), None);
    assert!(!token.headers.iter().any(|(n, _)| n == "authorization"));
}

#[tokio::test]
async fn mutual_tls_without_a_client_certificate_is_refused() {
    let p = provider();
    let pki = Pki::new();
    let front = TlsFront::start(&pki, p.port(), true);
    let client =
        Client::new(mtls_config(&p, &pki, false), https_metadata(&p, front.port)).expect("client");
    let err = sign_in(&client).await.expect_err("no client certificate");
    assert_eq!(err.code(), 1120, "{err:?}");
}

#[tokio::test]
async fn a_garbage_client_certificate_is_a_setting_error() {
    let p = provider();
    let mut cfg = client_config_for(&p);
    cfg.http.tls.client_certificate = Some(ClientCertificate::Pem {
        certificate_chain: "not pem".into(),
        private_key: "not pem".into(),
    });
    let err = Client::discover(cfg).await.expect_err("bad cert");
    assert_eq!(err.code(), 921, "{err:?}");
}

#[cfg(feature = "pkcs12")]
#[tokio::test]
async fn mutual_tls_signs_in_with_a_pkcs12_client_certificate() {
    let p = provider();
    let pki = Pki::new();
    let front = TlsFront::start(&pki, p.port(), true);
    let mut cfg = mtls_config(&p, &pki, false);
    cfg.http.tls.client_certificate = Some(ClientCertificate::Pkcs12 {
        der: client_pkcs12(&pki, "p12-pass"),
        password: "p12-pass".into(),
    });
    let client = Client::new(cfg.clone(), https_metadata(&p, front.port)).expect("client");
    sign_in(&client)
        .await
        .expect("mutual TLS sign-in with PKCS#12");

    // The wrong password is a setting error, before any connection.
    cfg.http.tls.client_certificate = Some(ClientCertificate::Pkcs12 {
        der: client_pkcs12(&pki, "p12-pass"),
        password: "wrong".into(),
    });
    let err = Client::new(cfg, https_metadata(&p, front.port)).expect_err("bad password");
    assert_eq!(err.code(), 921, "{err:?}");
}
