//! The seed's HTTP and TCP tuning settings through the `OpenId` facade: each maps onto
//! [`HttpConfig`](oidckit::HttpConfig) (the transport tests exercise them on real sockets), and
//! `SentHeaders` / `TransferredRequest` show the last request as sent, masked.

use std::time::Duration;

use oidckit::http::{HttpVersion, IpFamily};
use oidckit::openid::{ClientProfile, OpenId};
use oidckit_mock::{MockConfig, MockProvider};

#[test]
fn seed_defaults_map_onto_the_http_config() {
    let o = OpenId::new();
    let h = o.http_settings().expect("valid");
    assert_eq!(h.connect_timeout, None);
    assert!(h.proxy_exceptions.is_empty());
    assert_eq!(h.proxy_authorization, None);
    assert!(!h.get_on_302_redirect, "GetOn302Redirect defaults to false");
    assert!(!h.keep_alive, "KeepAlive defaults to false");
    assert_eq!(h.tcp_keepalive, None, "TCPKeepAlive defaults to false");
    assert_eq!(h.tcp_keepalive_interval, None);
    assert!(!h.tcp_nodelay, "TcpNoDelay defaults to false");
    assert_eq!(h.http_version, HttpVersion::Http11);
    assert_eq!(h.accept_encoding.as_deref(), Some("gzip, deflate"));
    assert_eq!(
        h.ip_family,
        IpFamily::V4Only,
        "UseIPv6 defaults to 0 (IPv4 only)"
    );
}

#[test]
fn tuning_settings_map_onto_the_http_config() {
    let mut o = OpenId::new();
    o.set_proxy_server("proxy.example");
    for s in [
        "ConnectionTimeout=7",
        "ProxyExceptionsList=www.example.com;10.0.0.0/8",
        "ProxyAuthorization=Bearer abc",
        "GetOn302Redirect=true",
        "KeepAlive=true",
        "TCPKeepAlive=true",
        "KeepAliveTime=3000",
        "KeepAliveInterval=500",
        "TcpNoDelay=true",
        "HTTPVersion=2.0",
        "AcceptEncoding=gzip",
        "UseIPv6=2",
        "TransferredRequest=on",
    ] {
        o.config(s).expect(s);
    }
    let h = o.http_settings().expect("valid");
    assert_eq!(h.connect_timeout, Some(Duration::from_secs(7)));
    assert_eq!(h.proxy_exceptions, vec!["www.example.com;10.0.0.0/8"]);
    assert_eq!(h.proxy_authorization.as_deref(), Some("Bearer abc"));
    assert!(h.get_on_302_redirect && h.keep_alive && h.tcp_nodelay);
    assert_eq!(h.tcp_keepalive, Some(Duration::from_millis(3000)));
    assert_eq!(h.tcp_keepalive_interval, Some(Duration::from_millis(500)));
    assert_eq!(h.http_version, HttpVersion::Http2);
    assert_eq!(h.accept_encoding.as_deref(), Some("gzip"));
    assert_eq!(h.ip_family, IpFamily::V6ThenV4);

    o.config("AllowHTTPCompression=false").expect("off");
    o.config("UseIPv6=1").expect("v6");
    let h = o.http_settings().expect("valid");
    assert_eq!(h.accept_encoding, None);
    assert_eq!(h.ip_family, IpFamily::V6Only);

    for bad in ["HTTPVersion=3.0", "UseIPv6=3", "ConnectionTimeout=-1"] {
        assert_eq!(o.config(bad).expect_err(bad).code(), 921, "{bad}");
    }
    for na in ["LocalPort=4000", "Linger=false", "InBufferSize=1"] {
        assert_eq!(o.config(na).expect_err(na).code(), 921, "{na}");
    }
}

#[test]
fn sent_headers_and_transferred_request_show_the_last_request_masked() {
    let p = MockProvider::start(MockConfig::default()).expect("mock provider starts");
    let mut o = OpenId::new();
    o.set_client_id("test-client");
    o.set_client_secret("test-secret");
    o.set_client_profile(ClientProfile::Web);
    o.set_return_url("http://127.0.0.1:9/cb");
    o.get_discovery_doc(&p.discovery_url()).expect("discovery");
    let sent = o.config("SentHeaders").expect("read");
    assert!(
        sent.starts_with("GET /.well-known/openid-configuration HTTP/1.1\r\n"),
        "{sent}"
    );
    assert!(
        sent.contains("\r\naccept-encoding: gzip, deflate\r\n"),
        "{sent}"
    );

    let url = o.get_authorization_url().expect("authorization URL");
    let outcome = oidckit_mock::browser::authorize(&url).expect("provider answers");
    o.set_authorization_code(outcome.callback_url());
    o.get_authorization().expect("tokens");
    o.get_user_info().expect("userinfo");
    let sent = o.config("SentHeaders").expect("read");
    assert!(sent.starts_with("GET /userinfo HTTP/1.1\r\n"), "{sent}");
    assert!(sent.contains("authorization: Bearer "), "{sent}");
    let token = o.access_token().to_string();
    assert!(!token.is_empty());
    assert!(!sent.contains(&token), "the token is masked: {sent}");
    let request = o.config("TransferredRequest").expect("read");
    assert!(request.starts_with(&sent), "{request}");

    o.config("MaskSensitive=false").expect("unmask");
    o.get_user_info().expect("userinfo");
    let sent = o.config("SentHeaders").expect("read");
    assert!(
        sent.contains(&token),
        "unmasked when MaskSensitive is off: {sent}"
    );
}
