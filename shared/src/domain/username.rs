use crate::domain::Code;
use serde::{Deserialize, Serialize};

/// A username: lowercase ASCII letters and digits, starting with a letter,
/// 4–20 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Username(String);

/// Why a string is not a username.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsernameError {
    /// Shorter than 4 or longer than 20 characters.
    Length,
    /// Not lowercase letters and digits starting with a letter.
    Format,
}

impl UsernameError {
    /// The stable field-error code.
    pub fn code(self) -> Code {
        match self {
            Self::Length => Code::UsernameLength,
            Self::Format => Code::UsernameFormat,
        }
    }
}

impl Username {
    /// Shortest allowed username.
    pub const MIN_LEN: usize = 4;
    /// Longest allowed username.
    pub const MAX_LEN: usize = 20;

    /// Parses a username exactly as given: no case folding, since an
    /// uppercase letter is a format error the user should see.
    pub fn parse(raw: &str) -> Result<Self, UsernameError> {
        let charset_ok = raw.starts_with(|c: char| c.is_ascii_lowercase())
            && raw.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if !charset_ok {
            return Err(UsernameError::Format);
        }
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&raw.len()) {
            return Err(UsernameError::Length);
        }
        Ok(Self(raw.to_owned()))
    }

    /// The username as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_boundaries_of_the_rule() {
        for ok in ["abcd", "a1b2", "z0000000000000000000", "alice2024"] {
            assert!(Username::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_wrong_length() {
        assert_eq!(Username::parse("abc"), Err(UsernameError::Length));
        assert_eq!(Username::parse("abcdefghijklmnopqrstu"), Err(UsernameError::Length));
    }

    #[test]
    fn rejects_wrong_characters_or_start() {
        for bad in ["", "1abc", "Alice", "ali_ce", "ali ce", "alicé", "alice!", "_abc"] {
            assert_eq!(Username::parse(bad), Err(UsernameError::Format), "{bad}");
        }
    }
}
