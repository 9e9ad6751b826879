//! The policy a primary account's sub-accounts sign in under (what Alibaba
//! Cloud RAM's security preferences are): the networks they may come from,
//! how long their sessions last, and whether they need TOTP. The primary
//! account keeps the policy it set; each sub-account record carries a copy,
//! so that judging a request needs no read beyond the account it reads
//! anyway.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use super::Code;

/// Network blocks a policy may list.
pub const MAX_NETWORKS: usize = 40;
/// The session lifetimes a policy may set, in hours.
pub const SESSION_HOURS: std::ops::RangeInclusive<u64> = 1..=24;
/// A session's lifetime when no policy shortens it, in hours.
pub const DEFAULT_SESSION_HOURS: u8 = 12;

/// A primary account's policy for its sub-accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubAccountPolicy {
    /// A sub-account needs TOTP (or a passkey sign-in) to do anything but
    /// set TOTP up.
    pub mfa_required: bool,
    /// A sub-account's session ends this many hours after it began.
    pub session_hours: u8,
    /// The client networks a sub-account may sign in and act from; empty:
    /// anywhere.
    pub allowed_networks: Vec<IpNet>,
}

impl Default for SubAccountPolicy {
    fn default() -> Self {
        Self { mfa_required: false, session_hours: DEFAULT_SESSION_HOURS, allowed_networks: Vec::new() }
    }
}

impl SubAccountPolicy {
    /// Whether a client at `ip` may act: anywhere when no network is listed;
    /// else only an address inside one (an IPv4-mapped IPv6 address as its
    /// IPv4 address). What is not an address is never inside.
    pub fn admits(&self, ip: &str) -> bool {
        if self.allowed_networks.is_empty() {
            return true;
        }
        let Ok(ip) = ip.parse::<IpAddr>() else { return false };
        let ip = ip.to_canonical();
        self.allowed_networks.iter().any(|network| network.contains(&ip))
    }

    /// When a session that began at `created_at` ends under this policy.
    pub fn session_end(&self, created_at: i64) -> i64 {
        created_at + i64::from(self.session_hours) * 3600
    }

    /// Whether it asks nothing of anyone: no copy needs to be kept.
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// A session lifetime in hours, 1 to 24.
pub fn parse_session_hours(value: &serde_json::Value) -> Result<u8, Code> {
    let hours = value.as_u64().ok_or(Code::SessionHoursRange)?;
    if SESSION_HOURS.contains(&hours) {
        u8::try_from(hours).map_err(|_| Code::SessionHoursRange)
    } else {
        Err(Code::SessionHoursRange)
    }
}

/// One network block in CIDR notation (`203.0.113.0/24`, `2001:db8::/32`).
/// A block with host bits set (`10.0.0.1/8`) is refused rather than
/// silently widened or narrowed: the person meant one of two things, and
/// only they know which. A bare address is not a block.
pub fn parse_network(text: &str) -> Result<IpNet, Code> {
    let network: IpNet = text.trim().parse().map_err(|_| Code::NetworkFormat)?;
    if network.trunc() != network {
        return Err(Code::NetworkHostBits);
    }
    Ok(network)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(networks: &[&str]) -> SubAccountPolicy {
        let allowed_networks = networks.iter().map(|n| parse_network(n).unwrap()).collect();
        SubAccountPolicy { allowed_networks, ..SubAccountPolicy::default() }
    }

    #[test]
    fn an_empty_list_admits_anyone_and_a_list_only_its_members() {
        assert!(policy(&[]).admits("198.51.100.7"));
        let office = policy(&["203.0.113.0/24", "2001:db8:1::/48"]);
        assert!(office.admits("203.0.113.200"));
        assert!(office.admits("::ffff:203.0.113.9"), "an IPv4-mapped address is its IPv4 address");
        assert!(office.admits("2001:db8:1:ffff::1"));
        assert!(!office.admits("203.0.114.1"));
        assert!(!office.admits("2001:db8:2::1"));
        assert!(!office.admits("not an address"));
    }

    #[test]
    fn blocks_with_host_bits_or_without_a_prefix_are_refused() {
        assert_eq!(parse_network("10.0.0.1/8"), Err(Code::NetworkHostBits));
        assert_eq!(parse_network("2001:db8::1/32"), Err(Code::NetworkHostBits));
        assert_eq!(parse_network("10.0.0.1"), Err(Code::NetworkFormat));
        assert_eq!(parse_network("10.0.0.0/33"), Err(Code::NetworkFormat));
        assert_eq!(parse_network("ten/8"), Err(Code::NetworkFormat));
        assert_eq!(parse_network(" 10.0.0.0/8 ").unwrap().to_string(), "10.0.0.0/8");
        assert_eq!(parse_network("0.0.0.0/0").unwrap().to_string(), "0.0.0.0/0");
    }

    #[test]
    fn session_hours_are_whole_hours_from_1_to_24() {
        for ok in [1, 12, 24] {
            assert_eq!(parse_session_hours(&serde_json::json!(ok)), Ok(ok as u8));
        }
        for bad in [
            serde_json::json!(0),
            serde_json::json!(25),
            serde_json::json!(1.5),
            serde_json::json!("12"),
            serde_json::json!(-1),
            serde_json::json!(null),
        ] {
            assert_eq!(parse_session_hours(&bad), Err(Code::SessionHoursRange), "{bad}");
        }
    }

    #[test]
    fn a_session_ends_its_hours_after_it_began() {
        let p = SubAccountPolicy { session_hours: 2, ..SubAccountPolicy::default() };
        assert_eq!(p.session_end(1000), 1000 + 7200);
    }
}
