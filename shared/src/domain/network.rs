//! Client networks: the unit that abuse limits and sign-in notices count
//! by, because one client rarely keeps one address (NAT pools, IPv6 privacy
//! addresses) while a network changes far less often.

use std::net::IpAddr;

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
    fn ipv4_counts_by_slash_24_and_ipv6_by_slash_64() {
        assert_eq!(client_network("203.0.113.77"), "203.0.113.0/24");
        assert_eq!(client_network("203.0.113.1"), client_network("203.0.113.254"));
        assert_ne!(client_network("203.0.113.1"), client_network("203.0.114.1"));
        assert_eq!(client_network("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(client_network("2001:db8:1:2::1"), client_network("2001:db8:1:2:ffff::9"));
        assert_eq!(client_network("::ffff:198.51.100.9"), "198.51.100.0/24");
        assert_eq!(client_network("not-an-ip"), "not-an-ip");
    }
}
