//! The transport part of [`OpenId`]: its proxy, firewall, TLS, redirect, header and TCP
//! properties and settings mapped onto one [`HttpConfig`].

use std::sync::Arc;
use std::time::Duration;

use super::settings::name;
use super::{OpenId, base64_blob, events, opt};
use crate::config::HttpConfig;
use crate::http::LastResponse;
use crate::http::{
    ClientCertificate, Firewall, FirewallType, FollowRedirects, ProxyAuthScheme, ProxySettings,
    ProxySsl,
};
use crate::{Error, Result};

impl OpenId {
    setting_text! {
        /// Host name or address of the HTTP proxy; empty: no proxy. Same as `ProxyServer`.
        /// Default: "".
        proxy_server / set_proxy_server => proxy_server;
        /// User for proxy authentication. Same as `ProxyUser`. Default: "".
        proxy_user / set_proxy_user => proxy_user;
        /// Password for proxy authentication. Same as `ProxyPassword`. Default: "".
        proxy_password / set_proxy_password => proxy_password;
        /// Host of the firewall (SOCKS or tunnel); empty: none. Same as `FirewallHost`.
        /// Default: "".
        firewall_host / set_firewall_host => firewall_host;
        /// User for the firewall. Same as `FirewallUser`. Default: "".
        firewall_user / set_firewall_user => firewall_user;
        /// Password for the firewall. Same as `FirewallPassword`. Default: "".
        firewall_password / set_firewall_password => firewall_password;
        /// Extra headers sent with every request, `Name: value` lines (a line without a colon
        /// is error 921 at the next call). Same as `OtherHeaders`. Default: "".
        other_headers / set_other_headers => other_headers;
        /// The local IP address to connect from (an address, not a host name; error 921 at the
        /// next call otherwise). Same as `LocalHost`. Default: "" (the system's choice).
        local_host / set_local_host => local_host;
    }

    /// The proxy's TCP port. Same as `ProxyPort`. Default: 80.
    pub fn proxy_port(&self) -> u16 {
        u16::try_from(self.p.set.proxy_port).unwrap_or(80)
    }

    /// Sets [`proxy_port`](Self::proxy_port).
    pub fn set_proxy_port(&mut self, port: u16) {
        self.p.set.proxy_port = i64::from(port);
    }

    /// The firewall's TCP port; 0 uses the type's default (80 tunnel, 1080 SOCKS). Same as
    /// `FirewallPort`. Default: 0.
    pub fn firewall_port(&self) -> u16 {
        u16::try_from(self.p.set.firewall_port).unwrap_or(0)
    }

    /// Sets [`firewall_port`](Self::firewall_port).
    pub fn set_firewall_port(&mut self, port: u16) {
        self.p.set.firewall_port = i64::from(port);
    }

    /// The firewall type: 0 none, 1 tunnel, 2 SOCKS4, 3 SOCKS5, 10 SOCKS4A. Same as
    /// `FirewallType`. Default: 0.
    pub fn firewall_type(&self) -> i32 {
        i32::try_from(self.p.set.firewall_type).unwrap_or(0)
    }

    /// Sets [`firewall_type`](Self::firewall_type); error 921 out of range.
    pub fn set_firewall_type(&mut self, value: i32) -> Result<()> {
        self.p.set.firewall_type = in_range(name::FIREWALL_TYPE, value, 10)?;
        Ok(())
    }

    /// Whether the proxy environment variables are used when no proxy or firewall is set.
    /// Same as `FirewallAutoDetect`. Default: false.
    pub fn firewall_auto_detect(&self) -> bool {
        self.p.set.firewall_auto_detect
    }

    /// Sets [`firewall_auto_detect`](Self::firewall_auto_detect).
    pub fn set_firewall_auto_detect(&mut self, value: bool) {
        self.p.set.firewall_auto_detect = value;
    }

    /// Use `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` and `NO_PROXY` when no proxy or firewall is
    /// set. Default: false.
    pub fn proxy_auto_detect(&self) -> bool {
        self.p.proxy_auto_detect
    }

    /// Sets [`proxy_auto_detect`](Self::proxy_auto_detect).
    pub fn set_proxy_auto_detect(&mut self, value: bool) {
        self.p.proxy_auto_detect = value;
    }

    /// Proxy authentication: 0 Basic, 3 none (1 Digest, 2 proprietary, 4 NTLM, 5 Negotiate
    /// are error 921 at the next call). Same as `ProxyAuthScheme`. Default: 0.
    pub fn proxy_auth_scheme(&self) -> i32 {
        i32::try_from(self.p.set.proxy_auth_scheme).unwrap_or(0)
    }

    /// Sets [`proxy_auth_scheme`](Self::proxy_auth_scheme); error 921 out of range.
    pub fn set_proxy_auth_scheme(&mut self, value: i32) -> Result<()> {
        self.p.set.proxy_auth_scheme = in_range(name::PROXY_AUTH_SCHEME, value, 6)?;
        Ok(())
    }

    /// TLS to the proxy: 0 automatic, 1 always, 2 never, 3 tunnel. Default: 0.
    pub fn proxy_ssl(&self) -> i32 {
        self.p.proxy_ssl
    }

    /// Sets [`proxy_ssl`](Self::proxy_ssl); error 921 outside 0..=3.
    pub fn set_proxy_ssl(&mut self, value: i32) -> Result<()> {
        if !(0..=3).contains(&value) {
            return Err(Error::InvalidSetting {
                name: "proxy_ssl".into(),
                reason: format!("{value} is not 0..=3"),
            });
        }
        self.p.proxy_ssl = value;
        Ok(())
    }

    /// Redirects: 0 never, 1 always, 2 same scheme (GET only). Same as `FollowRedirects`.
    /// Default: 0.
    pub fn follow_redirects(&self) -> i32 {
        i32::try_from(self.p.set.follow_redirects).unwrap_or(0)
    }

    /// Sets [`follow_redirects`](Self::follow_redirects); error 921 outside 0..=2.
    pub fn set_follow_redirects(&mut self, value: i32) -> Result<()> {
        self.p.set.follow_redirects = in_range(name::FOLLOW_REDIRECTS, value, 2)?;
        Ok(())
    }

    string_props! {
        /// Accept exactly this server certificate (PEM, or base64 DER) whatever its issuer,
        /// e.g. a self-signed development provider. Default: "".
        ssl_accept_server_cert_encoded / set_ssl_accept_server_cert_encoded;
        /// The client certificate for mutual TLS: PEM holding the certificate chain and its
        /// private key, or a base64 PKCS#12 store (password: `ssl_cert_store_password`).
        /// Default: "".
        ssl_cert_encoded / set_ssl_cert_encoded;
        /// The password of the PKCS#12 store in `ssl_cert_encoded`. Default: "".
        ssl_cert_store_password / set_ssl_cert_store_password;
    }

    /// The certificate the server presented on the last TLS connection, base64 DER. Default: "".
    pub fn ssl_server_cert_encoded(&self) -> String {
        use base64::Engine as _;
        self.p
            .server_cert
            .as_ref()
            .map(|d| base64::engine::general_purpose::STANDARD.encode(d))
            .unwrap_or_default()
    }

    /// The body of the last HTTP response (may hold tokens: treat it as secret). Same as
    /// `TransferredData`. Default: "".
    pub fn transferred_data(&self) -> String {
        self.last(|r| String::from_utf8_lossy(&r.body).into_owned(), "")
    }

    /// The headers of the last HTTP response, `Name: value` lines. Same as
    /// `TransferredHeaders`. Default: "".
    pub fn transferred_headers(&self) -> String {
        self.last(|r| r.headers.clone(), "")
    }

    pub(super) fn last(&self, f: impl FnOnce(&LastResponse) -> String, default: &str) -> String {
        self.p
            .last_response
            .as_ref()
            .map_or_else(|| default.to_string(), f)
    }

    /// Not in the seed: the transport settings the next call will use, built from the
    /// properties and settings (error 921 when one is invalid).
    pub fn http_settings(&self) -> Result<HttpConfig> {
        self.http_config()
    }

    /// The transport settings the properties and settings describe.
    pub(super) fn http_config(&self) -> Result<HttpConfig> {
        let p = &self.p;
        let bad = |name: &str, reason: String| Error::InvalidSetting {
            name: name.into(),
            reason,
        };
        let mut h = HttpConfig {
            timeout: Duration::from_secs(p.timeout),
            max_response_size: u64::try_from(self.p.set.transferred_data_limit)
                .unwrap_or(1024 * 1024),
            user_agent: self.p.set.user_agent.clone(),
            log_level: crate::http::LogLevel::from_u8(u8::try_from(self.log_level()).unwrap_or(1)),
            ..HttpConfig::default()
        };
        h.cookies = p
            .cookies
            .iter()
            .filter(|k| !k.name.is_empty())
            .map(|k| (k.name.clone(), k.value.clone()))
            .collect();
        h.events = Some(Arc::new(events::Forward(
            self.events.clone(),
            self.received.clone(),
        )));
        let server = self.p.set.proxy_server.clone();
        if !server.trim().is_empty() {
            let mut px = ProxySettings::new(server.trim(), self.proxy_port());
            px.user = opt(&self.p.set.proxy_user.clone());
            px.password = opt(&self.p.set.proxy_password.clone());
            px.auth_scheme = match self.p.set.proxy_auth_scheme {
                0 => ProxyAuthScheme::Basic,
                1 => ProxyAuthScheme::Digest,
                2 => ProxyAuthScheme::Proprietary,
                3 => ProxyAuthScheme::None,
                4 => ProxyAuthScheme::Ntlm,
                5 => ProxyAuthScheme::Negotiate,
                n => {
                    return Err(bad(
                        name::PROXY_AUTH_SCHEME,
                        format!("{n} is not supported (0 Basic or 3 none)"),
                    ));
                }
            };
            px.ssl = match p.proxy_ssl {
                1 => ProxySsl::Always,
                2 => ProxySsl::Never,
                3 => ProxySsl::Tunnel,
                _ => ProxySsl::Automatic,
            };
            h.proxy = Some(px);
        }
        h.proxy_auto_detect = p.proxy_auto_detect || self.p.set.firewall_auto_detect;
        let fw_host = self.p.set.firewall_host.clone();
        let fw_type = self.p.set.firewall_type;
        if !fw_host.trim().is_empty() && fw_type != 0 {
            let kind = match fw_type {
                1 => FirewallType::Tunnel,
                2 => FirewallType::Socks4,
                3 => FirewallType::Socks5,
                10 => FirewallType::Socks4A,
                n => {
                    return Err(bad(
                        name::FIREWALL_TYPE,
                        format!("{n} is not 1 (tunnel), 2 (SOCKS4), 3 (SOCKS5) or 10 (SOCKS4A)"),
                    ));
                }
            };
            let mut fw = Firewall::new(kind, fw_host.trim());
            if let Ok(port) = u16::try_from(self.p.set.firewall_port)
                && port > 0
            {
                fw.port = port;
            }
            fw.user = opt(&self.p.set.firewall_user.clone());
            fw.password = opt(&self.p.set.firewall_password.clone());
            h.firewall = Some(fw);
        }
        h.tls.accept_server_certificate = opt(p.ssl_accept_server_cert_encoded.trim());
        let cert = p.ssl_cert_encoded.trim();
        if !cert.is_empty() {
            h.tls.client_certificate = Some(if cert.contains("-----BEGIN") {
                ClientCertificate::Pem {
                    certificate_chain: cert.to_string(),
                    private_key: cert.to_string(),
                }
            } else {
                let der = base64_blob(cert).map_err(|e| {
                    bad(
                        "ssl_cert_encoded",
                        format!("neither PEM nor base64 PKCS#12: {e}"),
                    )
                })?;
                ClientCertificate::Pkcs12 {
                    der,
                    password: p.ssl_cert_store_password.clone(),
                }
            });
        }
        h.follow_redirects = match self.p.set.follow_redirects {
            1 => FollowRedirects::Always,
            2 => FollowRedirects::SameScheme,
            _ => FollowRedirects::Never,
        };
        h.max_redirects = u32::try_from(self.p.set.max_redirect_attempts).unwrap_or(20);
        for line in self.p.set.other_headers.clone().lines() {
            if line.trim().is_empty() {
                continue;
            }
            let (name, value) = line.split_once(':').ok_or_else(|| {
                bad(
                    name::OTHER_HEADERS,
                    format!("{line:?} is not a `Name: value` line"),
                )
            })?;
            h.other_headers
                .push((name.trim().to_string(), value.trim().to_string()));
        }
        let local = self.p.set.local_host.clone();
        if !local.trim().is_empty() {
            h.local_host = Some(local.trim().parse().map_err(|e| {
                bad(
                    name::LOCAL_HOST,
                    format!("{local:?} is not an IP address: {e}"),
                )
            })?);
        }
        h.mask_sensitive = self.p.set.mask_sensitive;
        self.tcp_settings(&mut h);
        Ok(h)
    }

    /// The seed's HTTP and TCP tuning settings (`ConnectionTimeout`, `KeepAlive`, `UseIPv6` …).
    fn tcp_settings(&self, h: &mut HttpConfig) {
        let secs = u64::try_from(self.p.set.connection_timeout).unwrap_or(0);
        h.connect_timeout = (secs > 0).then(|| Duration::from_secs(secs));
        let exceptions = self.p.set.proxy_exceptions_list.clone();
        h.proxy_exceptions = opt(exceptions.trim()).into_iter().collect();
        h.proxy_authorization = opt(self.p.set.proxy_authorization.clone().trim());
        h.get_on_302_redirect = self.p.set.get_on_302_redirect;
        h.keep_alive = self.p.set.keep_alive;
        let millis = |n: i64| match u64::try_from(n).unwrap_or(0) {
            0 => Duration::from_secs(15),
            ms => Duration::from_millis(ms),
        };
        let tcp_keepalive = self.p.set.tcp_keep_alive;
        h.tcp_keepalive = tcp_keepalive.then(|| millis(self.p.set.keep_alive_time));
        h.tcp_keepalive_interval = tcp_keepalive.then(|| millis(self.p.set.keep_alive_interval));
        h.tcp_nodelay = self.p.set.tcp_no_delay;
        h.http_version = if self.p.set.http_version.clone() == "2.0" {
            crate::http::HttpVersion::Http2
        } else {
            crate::http::HttpVersion::Http11
        };
        h.accept_encoding = self
            .p
            .set
            .allow_http_compression
            .then(|| opt(self.p.set.accept_encoding.clone().trim()))
            .flatten();
        h.ip_family = match self.p.set.use_ipv6 {
            1 => crate::http::IpFamily::V6Only,
            2 => crate::http::IpFamily::V6ThenV4,
            _ => crate::http::IpFamily::V4Only,
        };
    }
}

/// An integer setting's value in `0..=max` (error 921 otherwise).
fn in_range(setting: &str, value: i32, max: i32) -> Result<i64> {
    if (0..=max).contains(&value) {
        Ok(i64::from(value))
    } else {
        Err(Error::InvalidSetting {
            name: setting.into(),
            reason: format!("{value} is out of range 0..={max}"),
        })
    }
}
