//! Name resolution restricted to an address family (the seed's `UseIPv6`), and the HTTP
//! version offered (the seed's `HTTPVersion`).

use std::net::SocketAddr;

/// Which address families a host name may resolve to (the seed's `UseIPv6`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum IpFamily {
    /// Both families, as the system resolver returns them (happy eyeballs). The default.
    #[default]
    Any,
    /// IPv4 addresses only (seed value 0).
    V4Only,
    /// IPv6 addresses only (seed value 1).
    V6Only,
    /// IPv6 addresses first, then IPv4 ones (seed value 2).
    V6ThenV4,
}

/// The HTTP version offered to servers (the seed's `HTTPVersion`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum HttpVersion {
    /// HTTP/1.1 only (seed value "1.1"). The default.
    #[default]
    Http11,
    /// HTTP/2 offered by ALPN on https, with HTTP/1.1 as fallback; plain http stays
    /// HTTP/1.1 (seed value "2.0").
    Http2,
}

/// The system resolver with the answers filtered (and ordered) by family.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FamilyResolver(pub IpFamily);

impl reqwest::dns::Resolve for FamilyResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let family = self.0;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let (v6, v4): (Vec<SocketAddr>, Vec<SocketAddr>) =
                found.into_iter().partition(SocketAddr::is_ipv6);
            let chosen = match family {
                IpFamily::Any => v6.into_iter().chain(v4).collect::<Vec<_>>(),
                IpFamily::V4Only => v4,
                IpFamily::V6Only => v6,
                IpFamily::V6ThenV4 => v6.into_iter().chain(v4).collect(),
            };
            if chosen.is_empty() {
                let wanted = match family {
                    IpFamily::V6Only => "IPv6",
                    _ => "IPv4",
                };
                return Err(
                    format!("failed to lookup address: {host} has no {wanted} address").into(),
                );
            }
            let addrs: reqwest::dns::Addrs = Box::new(chosen.into_iter());
            Ok(addrs)
        })
    }
}
