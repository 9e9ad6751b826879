use crate::domain::Code;
use email_address::{EmailAddress, Options};
use serde::{Deserialize, Serialize};

/// An email address with valid RFC 5321/5322 syntax, as `email_address`
/// checks it; no display names or domain literals, and a dotted domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// RFC 5321's limit on a forward path.
    pub const MAX_LEN: usize = 254;

    /// Parses an address; the error is the field-error code.
    pub fn parse(raw: &str) -> Result<Self, Code> {
        if raw.len() > Self::MAX_LEN {
            return Err(Code::EmailTooLong);
        }
        let options = Options::default().with_required_tld().without_display_text().without_domain_literal();
        EmailAddress::parse_with_options(raw, options).map(|_| Self(raw.to_owned())).map_err(|_| Code::EmailFormat)
    }

    /// The address as the user typed it (used to send mail).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address masked for display to someone who may not own it: the
    /// first character of the local part and the domain (`a***@example.com`).
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.rsplit_once('@').unwrap_or((self.0.as_str(), ""));
        let first: String = local.chars().take(1).collect();
        format!("{first}***@{domain}")
    }

    /// The form used for uniqueness and look-up: addresses are compared
    /// case-insensitively.
    pub fn canonical(&self) -> String {
        self.0.to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses() {
        for ok in ["a@example.com", "Li.Lei+gpu@mail.example.cn", "x_y@sub.example.org"] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_bad_syntax() {
        for bad in [
            "",
            "plain",
            "a@",
            "@example.com",
            "a@localhost",
            "a b@example.com",
            "Alice <a@example.com>",
            "a@[127.0.0.1]",
            "a@@example.com",
        ] {
            assert_eq!(Email::parse(bad), Err(Code::EmailFormat), "{bad}");
        }
    }

    #[test]
    fn rejects_overlong_addresses() {
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(Code::EmailTooLong));
    }

    #[test]
    fn compares_case_insensitively() {
        let a = Email::parse("Alice@Example.COM").unwrap();
        assert_eq!(a.canonical(), "alice@example.com");
        assert_eq!(a.as_str(), "Alice@Example.COM");
    }
}
