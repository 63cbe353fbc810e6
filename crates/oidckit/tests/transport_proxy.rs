//! Proxies and firewalls, through real servers on 127.0.0.1: `tinyproxy` with Basic auth
//! (forwarding for http, `CONNECT` for https) and `microsocks` (SOCKS5 with user/password).
//! Needs `apt-get install -y tinyproxy microsocks` (or `OIDCKIT_SKIP_SYSTEM_SERVERS=1`).

mod support;
mod transport_support;

use oidckit::http::{Firewall, FirewallType, ProxyAuthScheme, ProxySettings};
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

#[cfg(feature = "socks")]
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
    tls_cfg.http.tls = oidckit::http::TlsSettings::default();
    tls_cfg.http.tls.extra_root_certificates = vec![pki.ca_pem.clone()];
    let client = Client::new(tls_cfg, https_metadata(&p, front.port)).expect("client");
    sign_in(&client)
        .await
        .expect("https sign-in through SOCKS5");
}

#[cfg(feature = "socks")]
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

#[tokio::test]
async fn proxy_exceptions_bypass_the_proxy() {
    let Some(proxy) = tinyproxy("alice", "s3cret") else {
        return;
    };
    for (exceptions, bypassed) in [
        (vec!["example.com;10.0.0.0/8".to_string()], false),
        (vec!["example.com;127.0.0.1".to_string()], true),
    ] {
        let p = provider();
        let mut cfg = client_config_for(&p);
        cfg.http.proxy =
            Some(ProxySettings::new("127.0.0.1", proxy.port).with_credentials("alice", "s3cret"));
        cfg.http.proxy_exceptions = exceptions.clone();
        let client = Client::discover(cfg).await.expect("discovery");
        sign_in(&client).await.expect("sign-in");
        let via = via_header(&p, "/token");
        assert_eq!(via.is_none(), bypassed, "{exceptions:?}: {via:?}");
    }
}

#[tokio::test]
async fn a_raw_proxy_authorization_value_is_sent_to_the_proxy() {
    use base64::Engine as _;
    let Some(proxy) = tinyproxy("alice", "s3cret") else {
        return;
    };
    for (password, ok) in [("s3cret", true), ("wrong", false)] {
        let p = provider();
        let mut cfg = client_config_for(&p);
        // No user or password on the proxy: only the raw header authenticates.
        cfg.http.proxy = Some(ProxySettings::new("127.0.0.1", proxy.port));
        let raw = base64::engine::general_purpose::STANDARD.encode(format!("alice:{password}"));
        cfg.http.proxy_authorization = Some(format!("Basic {raw}"));
        match Client::discover(cfg).await {
            Ok(_) => assert!(ok, "accepted with the wrong password"),
            Err(e) => {
                assert!(!ok, "{e:?}");
                assert_eq!(e.code(), 118, "{e:?}");
            }
        }
        if ok {
            let via = via_header(&p, "/.well-known/openid-configuration");
            assert!(via.is_some_and(|v| v.contains("tinyproxy")));
        }
    }
}

#[cfg(feature = "socks")]
#[tokio::test]
async fn signs_in_through_dante_with_socks4_and_socks4a() {
    let Some(socks) = danted() else {
        return;
    };
    let p = provider();
    for kind in [FirewallType::Socks4, FirewallType::Socks4A] {
        let mut cfg = client_config_for(&p);
        cfg.http.firewall = Some(Firewall::new(kind, "127.0.0.1").with_port(socks.port));
        let client = Client::discover(cfg)
            .await
            .unwrap_or_else(|e| panic!("discovery through {kind:?}: {e:?}"));
        sign_in(&client)
            .await
            .unwrap_or_else(|e| panic!("sign-in through {kind:?}: {e:?}"));
    }
    // The same settings without the server: the firewall was really in the path.
    let port = socks.port;
    drop(socks);
    let mut cfg = client_config_for(&p);
    cfg.http.firewall = Some(Firewall::new(FirewallType::Socks4, "127.0.0.1").with_port(port));
    let err = Client::discover(cfg).await.expect_err("no firewall");
    assert_eq!(err.code(), 118, "{err:?}");
}

#[tokio::test]
async fn proxy_ssl_always_speaks_tls_to_the_proxy() {
    let Some(proxy) = tinyproxy("alice", "s3cret") else {
        return;
    };
    let pki = Pki::new();
    // TLS terminates in front of tinyproxy: the proxy itself is reached over https.
    let front = TlsFront::start(&pki, proxy.port, false);
    let p = provider();
    let mut cfg = client_config_for(&p);
    let mut settings =
        ProxySettings::new("127.0.0.1", front.port).with_credentials("alice", "s3cret");
    settings.ssl = oidckit::http::ProxySsl::Always;
    cfg.http.proxy = Some(settings);
    cfg.http.tls.extra_root_certificates = vec![pki.ca_pem.clone()];
    let client = Client::discover(cfg.clone())
        .await
        .expect("discovery through a TLS proxy");
    sign_in(&client).await.expect("sign-in through a TLS proxy");
    let via = via_header(&p, "/token").expect("forwarded by tinyproxy");
    assert!(via.contains("tinyproxy"), "{via}");

    // Plain HTTP to the TLS port fails: the setting really changed the proxy protocol.
    let mut plain = cfg;
    if let Some(s) = plain.http.proxy.as_mut() {
        s.ssl = oidckit::http::ProxySsl::Automatic;
    }
    let err = Client::discover(plain)
        .await
        .expect_err("plain to a TLS port");
    // The TLS front answers plain HTTP with TLS bytes: not a parsable HTTP response.
    assert!([118, 1120].contains(&err.code()), "{err:?}");
}

/// Set by [`proxy_auto_detect_uses_the_environment`] when it runs this test binary again.
const CHILD_ISSUER: &str = "OIDCKIT_TEST_AUTO_DETECT_ISSUER";

/// The child half of [`proxy_auto_detect_uses_the_environment`]: a no-op unless started by it.
#[tokio::test]
async fn auto_detect_child() {
    let Ok(issuer) = std::env::var(CHILD_ISSUER) else {
        return;
    };
    let mut cfg = oidckit::ClientConfig::new(issuer, "c");
    cfg.http.proxy_auto_detect = true;
    Client::discover(cfg)
        .await
        .expect("discovery with the environment's proxy");
}

#[test]
fn proxy_auto_detect_uses_the_environment() {
    // The environment cannot be changed safely in a threaded test process (set_var is unsafe
    // in edition 2024), so this test binary runs again as a child with HTTP_PROXY set.
    let Some(proxy) = tinyproxy("alice", "s3cret") else {
        return;
    };
    let exe = std::env::current_exe().expect("test binary");
    for no_proxy in [None, Some("localhost,127.0.0.1")] {
        let p = provider();
        let mut cmd = std::process::Command::new(&exe);
        cmd.args(["auto_detect_child", "--exact", "--test-threads=1"])
            .env(CHILD_ISSUER, p.issuer())
            .env(
                "HTTP_PROXY",
                format!("http://alice:s3cret@127.0.0.1:{}", proxy.port),
            );
        for name in [
            "http_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "ALL_PROXY",
            "all_proxy",
            "NO_PROXY",
            "no_proxy",
        ] {
            cmd.env_remove(name);
        }
        if let Some(list) = no_proxy {
            cmd.env("NO_PROXY", list);
        }
        let out = cmd.output().expect("run the child");
        assert!(
            out.status.success(),
            "child failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let via = via_header(&p, "/.well-known/openid-configuration");
        match no_proxy {
            None => assert!(
                via.is_some_and(|v| v.contains("tinyproxy")),
                "through HTTP_PROXY"
            ),
            Some(_) => assert_eq!(via, None, "NO_PROXY bypasses it"),
        }
    }
}

#[cfg(not(feature = "socks"))]
#[tokio::test]
async fn without_the_socks_feature_a_socks_firewall_is_a_setting_error() {
    for kind in [
        FirewallType::Socks4,
        FirewallType::Socks4A,
        FirewallType::Socks5,
    ] {
        let mut cfg = oidckit::ClientConfig::new("https://op.example.com", "c");
        cfg.http.firewall = Some(Firewall::new(kind, "127.0.0.1").with_port(1080));
        let err = Client::discover(cfg).await.expect_err("no socks");
        assert_eq!(err.code(), 921, "{kind:?}: {err:?}");
    }
}
