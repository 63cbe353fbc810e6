//! Proxies and firewalls, through real servers on 127.0.0.1: `tinyproxy` with Basic auth
//! (forwarding for http, `CONNECT` for https) and `microsocks` (SOCKS5 with user/password).
//! Needs `apt-get install -y tinyproxy microsocks` (or `OIDCKIT_SKIP_SYSTEM_SERVERS=1`).

mod support;
mod transport_support;

use oidckit::http::{Firewall, FirewallType, ProxyAuthScheme, ProxySettings, TlsSettings};
use oidckit::{Client, Error};
use support::{provider, sign_in};
use transport_support::*;

fn via_header(p: &oidckit_mock::MockProvider, path: &str) -> Option<String> {
    p.requests()
        .into_iter()
        .find(|r| r.path == path)
        .and_then(|r| {
            r.headers
                .into_iter()
                .find(|(n, _)| n == "via")
                .map(|(_, v)| v)
        })
}

#[tokio::test]
async fn signs_in_through_tinyproxy_with_basic_auth() {
    let Some(proxy) = tinyproxy("alice", "s3cret") else {
        return;
    };
    let p = provider();
    let mut cfg = client_config_for(&p);
    cfg.http.proxy =
        Some(ProxySettings::new("127.0.0.1", proxy.port).with_credentials("alice", "s3cret"));
    let client = Client::discover(cfg)
        .await
        .expect("discovery through the proxy");
    sign_in(&client).await.expect("sign-in through the proxy");
    let via = via_header(&p, "/token").expect("the token request went through the proxy");
    assert!(via.contains("tinyproxy"), "{via}");
}

#[tokio::test]
async fn a_wrong_proxy_password_is_error_118_with_the_proxys_answer() {
    let Some(proxy) = tinyproxy("alice", "s3cret") else {
        return;
    };
    let p = provider();
    let mut cfg = client_config_for(&p);
    cfg.http.proxy =
        Some(ProxySettings::new("127.0.0.1", proxy.port).with_credentials("alice", "wrong"));
    let err = Client::discover(cfg).await.expect_err("407");
    assert_eq!(err.code(), 118, "{err:?}");
    let Error::Proxy { answer, .. } = &err else {
        panic!("{err:?}")
    };
    // tinyproxy 1.11 answers 401 (not 407) to a forwarded request.
    assert!(
        answer.contains(" 401 ") || answer.contains(" 407 "),
        "{answer}"
    );
    assert!(p.requests().is_empty(), "nothing reached the provider");
}

#[tokio::test]
async fn https_goes_through_tinyproxy_with_connect() {
    let Some(proxy) = tinyproxy("alice", "s3cret") else {
        return;
    };
    let p = provider();
    let pki = Pki::new();
    let front = TlsFront::start(&pki, p.port(), false);
    let mut cfg = client_config_for(&p);
    cfg.http.tls.extra_root_certificates = vec![pki.ca_pem.clone()];
    cfg.http.proxy =
        Some(ProxySettings::new("127.0.0.1", proxy.port).with_credentials("alice", "s3cret"));
    let client = Client::new(cfg.clone(), https_metadata(&p, front.port)).expect("client");
    sign_in(&client)
        .await
        .expect("sign-in over https through CONNECT");
    // Tunnelled: the proxy cannot add Via inside TLS.
    assert_eq!(via_header(&p, "/token"), None);

    cfg.http.proxy =
        Some(ProxySettings::new("127.0.0.1", proxy.port).with_credentials("alice", "bad"));
    let client = Client::new(cfg, https_metadata(&p, front.port)).expect("client");
    let err = sign_in(&client).await.expect_err("CONNECT refused");
    assert_eq!(err.code(), 118, "{err:?}");
}

#[tokio::test]
async fn non_basic_proxy_auth_is_refused_as_not_supported() {
    let p = provider();
    let mut cfg = client_config_for(&p);
    let mut proxy = ProxySettings::new("127.0.0.1", 9).with_credentials("u", "p");
    proxy.auth_scheme = ProxyAuthScheme::Ntlm;
    cfg.http.proxy = Some(proxy);
    let err = Client::discover(cfg).await.expect_err("ntlm");
    assert_eq!(err.code(), 921, "{err:?}");
    assert!(matches!(&err, Error::InvalidSetting { name, .. } if name == "ProxyAuthScheme"));
}

#[tokio::test]
async fn a_proxy_that_is_not_running_is_error_118() {
    let p = provider();
    let mut cfg = client_config_for(&p);
    cfg.http.proxy = Some(ProxySettings::new("127.0.0.1", free_port()));
    let err = Client::discover(cfg).await.expect_err("no proxy");
    assert_eq!(err.code(), 118, "{err:?}");
}

#[tokio::test]
async fn signs_in_through_a_socks5_firewall_with_user_and_password() {
    let Some(socks) = microsocks("bob", "pa55") else {
        return;
    };
    let p = provider();
    let mut cfg = client_config_for(&p);
    cfg.http.firewall = Some(
        Firewall::new(FirewallType::Socks5, "127.0.0.1")
            .with_port(socks.port)
            .with_credentials("bob", "pa55"),
    );
    let client = Client::discover(cfg.clone())
        .await
        .expect("discovery through SOCKS5");
    sign_in(&client).await.expect("sign-in through SOCKS5");

    // https through the same firewall.
    let pki = Pki::new();
    let front = TlsFront::start(&pki, p.port(), false);
    let mut tls_cfg = cfg.clone();
    tls_cfg.http.tls = TlsSettings::default();
    tls_cfg.http.tls.extra_root_certificates = vec![pki.ca_pem.clone()];
    let client = Client::new(tls_cfg, https_metadata(&p, front.port)).expect("client");
    sign_in(&client)
        .await
        .expect("https sign-in through SOCKS5");
}

#[tokio::test]
async fn a_wrong_socks5_password_is_error_118() {
    let Some(socks) = microsocks("bob", "pa55") else {
        return;
    };
    let p = provider();
    let mut cfg = client_config_for(&p);
    cfg.http.firewall = Some(
        Firewall::new(FirewallType::Socks5, "127.0.0.1")
            .with_port(socks.port)
            .with_credentials("bob", "nope"),
    );
    let err = Client::discover(cfg).await.expect_err("socks auth");
    assert_eq!(err.code(), 118, "{err:?}");
}
