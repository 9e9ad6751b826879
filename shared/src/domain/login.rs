use crate::domain::{Email, Phone};

/// What a person typed as their login: a username, an email or a phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginName {
    /// Looked up by username (lowercased).
    Username(String),
    /// Looked up by email, compared case-insensitively.
    Email(String),
    /// Looked up by E.164 phone.
    Phone(String),
    /// Longer than any username, email or phone can be: no account has it,
    /// and it is never looked up (a key built from it could outgrow
    /// DynamoDB's 2,048-byte partition key). Its lockout counts under a
    /// digest of it, as every name's does.
    Unmatchable(String),
}

impl LoginName {
    /// The longest login any account can have, in bytes: an email's limit
    /// (RFC 5321), longer than any username or phone.
    pub const MAX_LEN: usize = Email::MAX_LEN;

    /// Classifies and canonicalises a login. Anything not an email or a phone
    /// is treated as a username, so that no input is refused here (an unknown
    /// login must look exactly like a wrong password).
    pub fn parse(raw: &str) -> Self {
        let raw = raw.trim();
        if raw.len() > Self::MAX_LEN {
            return Self::Unmatchable(raw.to_owned());
        }
        if raw.contains('@') {
            let canonical = Email::parse(raw).map(|e| e.canonical()).unwrap_or_else(|_| raw.to_lowercase());
            return Self::Email(canonical);
        }
        if raw.starts_with('+') {
            let compact: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
            if let Ok(phone) = Phone::parse(&compact) {
                return Self::Phone(phone.as_str().to_owned());
            }
        }
        Self::Username(raw.to_lowercase())
    }

    /// The canonical text, used as the key of lockout counters so that
    /// `Alice` and `alice` share one count.
    pub fn canonical(&self) -> &str {
        match self {
            Self::Username(s) | Self::Email(s) | Self::Phone(s) | Self::Unmatchable(s) => s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_and_canonicalises() {
        assert_eq!(LoginName::parse(" Alice "), LoginName::Username("alice".into()));
        assert_eq!(LoginName::parse("A@Example.com"), LoginName::Email("a@example.com".into()));
        assert_eq!(LoginName::parse("+86 138-0013-8000"), LoginName::Phone("+8613800138000".into()));
        assert_eq!(LoginName::parse("+1"), LoginName::Username("+1".into()));
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(matches!(LoginName::parse(&long), LoginName::Unmatchable(_)));
        assert!(matches!(LoginName::parse(&"a".repeat(3000)), LoginName::Unmatchable(_)));
        assert_eq!(LoginName::parse(&"a".repeat(254)), LoginName::Username("a".repeat(254)));
    }
}
