//! Where webhooks may go. Unless the server allows private targets, an endpoint may not point
//! at loopback, private, link-local (cloud metadata lives at 169.254.169.254), unique-local or
//! unspecified addresses: a webhook URL must not become a way into the server's own network.
//! Checked when an endpoint is saved and again on every connection (the resolver below), so a
//! name that later resolves somewhere private (DNS rebinding) is refused too.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;

use crate::error::AppError;

/// True for addresses a webhook may not reach without `--webhooks-allow-private`.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_private_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_private_v4(v4),
            None => is_private_v6(v6),
        },
    }
}

fn is_private_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || a == 0
        // Carrier-grade NAT, often a provider's internal network.
        || (a == 100 && (64..128).contains(&b))
}

fn is_private_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        // Unique local (fc00::/7), which holds fd00:ec2::254, a metadata address.
        || (first & 0xfe00) == 0xfc00
        // Link-local (fe80::/10).
        || (first & 0xffc0) == 0xfe80
}

/// Checks that `url`'s host resolves only to public addresses (when private ones are not
/// allowed); the error names `field`.
pub async fn check_url(url: &Url, allow_private: bool, field: &str) -> Result<(), AppError> {
    if allow_private {
        return Ok(());
    }
    let refused = || {
        AppError::bad_input(
            field,
            "the URL points at a private, loopback or link-local address",
        )
    };
    let Some(host) = url.host_str() else {
        return Err(AppError::bad_input(field, "the URL has no host"));
    };
    let port = url.port_or_known_default().unwrap_or(443);
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    let addresses: Vec<IpAddr> = match literal.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => tokio::net::lookup_host((host, port))
            .await
            .map_err(|_| AppError::bad_input(field, format!("cannot resolve the host {host:?}")))?
            .map(|a| a.ip())
            .collect(),
    };
    if addresses.is_empty() || addresses.into_iter().any(is_private) {
        return Err(refused());
    }
    Ok(())
}

/// The HTTP client's resolver: the system's, minus private addresses unless allowed.
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver {
    pub allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
                .await?
                .filter(|a| allow_private || !is_private(a.ip()))
                .collect();
            if found.is_empty() {
                return Err("the host resolves to no allowed address".into());
            }
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_metadata_addresses_are_refused() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00:ec2::254",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:4700::1111", "8.8.8.8"] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
    }
}
