//! Client networks: the unit that abuse limits and sign-in notices count
//! by, because one client rarely keeps one address (NAT pools, IPv6 privacy
//! addresses) while a network changes far less often.

use std::net::IpAddr;

use sha2::{Digest, Sha256};

/// Who is calling: the client IP (API Gateway's `sourceIp`, never a
/// header) and the user agent it sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Client {
    /// The client IP.
    pub ip: String,
    /// The `User-Agent` header, cut to [`Client::USER_AGENT_MAX`] characters.
    pub user_agent: String,
}

impl Client {
    /// Longest user agent kept.
    pub const USER_AGENT_MAX: usize = 256;

    /// The client at `ip` sending `user_agent`.
    pub fn new(ip: &str, user_agent: Option<&str>) -> Self {
        let user_agent = user_agent.unwrap_or_default().chars().take(Self::USER_AGENT_MAX).collect();
        Self { ip: ip.to_owned(), user_agent }
    }

    /// The client's network ([`client_network`]).
    pub fn network(&self) -> String {
        client_network(&self.ip)
    }

    /// What sign-in notices compare: user agent and network, hashed, so
    /// that the history holds neither.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(format!("{}\n{}", self.user_agent, self.network()).as_bytes());
        hex::encode(&digest[..16])
    }
}

/// The address of CloudFront's `CloudFront-Viewer-Address` header: the
/// viewer's IP and source port joined by a colon (`198.51.100.10:46532`,
/// `2001:db8::1:46532`, IPv6 unbracketed), or `None` if it is not that.
pub fn viewer_ip(header: &str) -> Option<IpAddr> {
    let (ip, port) = header.trim().rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    ip.parse().ok()
}

/// Who a per-client-IP limit counts: an IPv4 address itself (an
/// IPv4-mapped IPv6 address as its IPv4 address), an IPv6 address by its
/// /64, since one host holds a whole /64 and could otherwise take a fresh
/// address for every request. Anything that is not an IP address stands for
/// itself.
pub fn rate_limited_client(ip: &str) -> String {
    match ip.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => client_network(ip),
        },
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => ip.to_owned(),
    }
}

/// The network of a client address: its IPv4 /24 or IPv6 /64, as CIDR text.
/// Anything that is not an IP address (it never should be) stands for
/// itself.
pub fn client_network(ip: &str) -> String {
    match ip.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => client_network(&v4.to_string()),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Err(_) => ip.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_viewer_address_is_an_ip_and_a_port() {
        assert_eq!(viewer_ip("198.51.100.10:46532"), Some("198.51.100.10".parse().unwrap()));
        assert_eq!(viewer_ip("2001:db8::1:46532"), Some("2001:db8::1".parse().unwrap()));
        for not_one in ["198.51.100.10", "198.51.100.10:http", "host:443", "", ":443", "[2001:db8::1]:443"] {
            assert_eq!(viewer_ip(not_one), None, "{not_one}");
        }
    }

    #[test]
    fn ipv4_counts_by_slash_24_and_ipv6_by_slash_64() {
        assert_eq!(client_network("203.0.113.77"), "203.0.113.0/24");
        assert_eq!(client_network("203.0.113.1"), client_network("203.0.113.254"));
        assert_ne!(client_network("203.0.113.1"), client_network("203.0.114.1"));
        assert_eq!(client_network("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(client_network("2001:db8:1:2::1"), client_network("2001:db8:1:2:ffff::9"));
        assert_eq!(client_network("::ffff:198.51.100.9"), "198.51.100.0/24");
        assert_eq!(client_network("not-an-ip"), "not-an-ip");
    }

    #[test]
    fn a_per_ip_limit_counts_an_ipv4_address_alone_and_an_ipv6_one_by_its_slash_64() {
        assert_eq!(rate_limited_client("203.0.113.7"), "203.0.113.7");
        assert_ne!(rate_limited_client("203.0.113.7"), rate_limited_client("203.0.113.8"));
        assert_eq!(rate_limited_client("2001:db8:1:2::1"), rate_limited_client("2001:db8:1:2:ffff:ffff:ffff:fffe"));
        assert_ne!(rate_limited_client("2001:db8:1:2::1"), rate_limited_client("2001:db8:1:3::1"));
        assert_eq!(rate_limited_client("::ffff:198.51.100.9"), "198.51.100.9");
        assert_eq!(rate_limited_client("not-an-ip"), "not-an-ip");
    }

    #[test]
    fn a_client_is_told_apart_by_user_agent_and_network_only() {
        let at = |ip, ua| Client::new(ip, Some(ua)).fingerprint();
        assert_eq!(at("203.0.113.7", "Firefox"), at("203.0.113.99", "Firefox"));
        assert_ne!(at("203.0.113.7", "Firefox"), at("198.51.100.7", "Firefox"));
        assert_ne!(at("203.0.113.7", "Firefox"), at("203.0.113.7", "Chrome"));
        assert_eq!(Client::new("::1", Some(&"x".repeat(1000))).user_agent.len(), Client::USER_AGENT_MAX);
    }
}
