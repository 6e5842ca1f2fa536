//! Where a webhook may be sent. A URL whose host is (or resolves to) a loopback, private,
//! link-local or otherwise non-public address is refused unless an administrator allowed it for
//! that subscription: otherwise anyone able to add a webhook could make the server call its own
//! network (a cloud's metadata service, a database's HTTP port). Delivery connects to the very
//! address checked here, so a DNS answer that changes between check and send cannot get round it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Whether an address is reachable on the public internet (and so safe to call).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        // Carrier-grade NAT (100.64.0.0/10), benchmarking (198.18.0.0/15), reserved (240/4).
        || (a == 100 && (64..128).contains(&b))
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // Unique local (fc00::/7), link-local (fe80::/10), documentation (2001:db8::/32).
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first == 0x2001 && ip.segments()[1] == 0x0db8))
}

/// Why a URL cannot be used, in words for the administrator.
#[derive(Debug, Clone, PartialEq)]
pub enum Refused {
    NotWeb,
    /// The host, and what the resolver said.
    Unresolved(String, String),
    Private(IpAddr),
}

impl Refused {
    pub fn message(&self) -> String {
        match self {
            Refused::NotWeb => {
                "Give a full http:// or https:// address, such as https://hooks.example.com/lyceum."
                    .into()
            }
            Refused::Unresolved(host, cause) => {
                format!("“{host}” could not be found (DNS: {cause}). Check the address.")
            }
            Refused::Private(ip) => format!(
                "This address leads to {ip}, a private or loopback address. Tick “Allow private and loopback addresses” if the receiver really is on this network."
            ),
        }
    }
}

/// The host to connect to and the addresses to try, each checked.
#[derive(Debug, Clone)]
pub struct Target {
    pub host: String,
    pub addrs: Vec<SocketAddr>,
}

/// Reads a URL and resolves its host; every address it resolves to must be public unless
/// `allow_private` (one private answer among public ones is refused too: a resolver could hand
/// out either).
pub async fn check(url: &str, allow_private: bool) -> Result<Target, Refused> {
    let parsed = url::Url::parse(url.trim()).map_err(|_| Refused::NotWeb)?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Refused::NotWeb);
    }
    let host = parsed.host_str().ok_or(Refused::NotWeb)?.to_string();
    let port = parsed.port_or_known_default().ok_or(Refused::NotWeb)?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = match bare.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((bare, port))
            .await
            .map_err(|e| Refused::Unresolved(host.clone(), e.to_string()))?
            .collect(),
    };
    if addrs.is_empty() {
        return Err(Refused::Unresolved(host, "no address".into()));
    }
    if !allow_private && let Some(bad) = addrs.iter().find(|a| !is_public(a.ip())) {
        return Err(Refused::Private(bad.ip()));
    }
    Ok(Target {
        host: bare.to_string(),
        addrs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(s: &str) -> bool {
        is_public(s.parse().unwrap())
    }

    #[test]
    fn private_loopback_and_metadata_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!public(ip), "{ip} counted as public");
        }
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"] {
            assert!(public(ip), "{ip} counted as private");
        }
    }

    #[tokio::test]
    async fn urls_are_checked_before_any_request() {
        assert_eq!(
            check("ftp://example.com/", false).await.unwrap_err(),
            Refused::NotWeb
        );
        assert!(matches!(
            check("http://127.0.0.1:9/hook", false).await,
            Err(Refused::Private(_))
        ));
        assert!(matches!(
            check("http://[::1]/hook", false).await,
            Err(Refused::Private(_))
        ));
        assert!(matches!(
            check("http://localhost/hook", false).await,
            Err(Refused::Private(_))
        ));
        assert!(check("http://127.0.0.1:9/hook", true).await.is_ok());
        let target = check("https://93.184.216.34/x", false).await.unwrap();
        assert_eq!(target.addrs[0].port(), 443);
    }
}
