//! One-time SMS codes: 6 digits from the CSPRNG, valid 5 minutes, single use,
//! void after 5 wrong tries. Only a salted SHA-256 of the code is stored.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::random::Random;

/// How long a code is valid, in seconds.
pub const CODE_TTL_SECS: i64 = 300;
/// Wrong tries after which the code is void.
pub const MAX_WRONG_TRIES: u32 = 5;

/// What a code may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsPurpose {
    /// Proving the phone at sign-up.
    SignUp,
    /// Resetting a forgotten password.
    ResetPassword,
    /// Proving a new phone before it replaces the account's.
    ChangePhone,
    /// Proving a sub-account's phone (the code is bound to the primary
    /// account that asked for it).
    SubAccount,
    /// Texting a forgotten username (no code; the limits are the same).
    Username,
    /// Telling the account's phone of a change made by operators.
    Notice,
    /// Signing in with a code instead of the password.
    SignIn,
}

impl SmsPurpose {
    /// Every purpose.
    pub const ALL: &[SmsPurpose] = &[
        Self::SignUp,
        Self::ResetPassword,
        Self::ChangePhone,
        Self::SubAccount,
        Self::Username,
        Self::Notice,
        Self::SignIn,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignUp => "sign_up",
            Self::ResetPassword => "reset_password",
            Self::ChangePhone => "change_phone",
            Self::SubAccount => "sub_account",
            Self::Username => "username",
            Self::Notice => "notice",
            Self::SignIn => "sign_in",
        }
    }
}

/// Draws a uniformly random 6-digit code (rejection sampling, no modulo bias).
pub fn generate(random: &dyn Random) -> String {
    loop {
        let mut bytes = [0u8; 4];
        random.fill(&mut bytes);
        let n = u32::from_le_bytes(bytes);
        // Largest multiple of 1_000_000 below 2^32.
        if n < 4_294_000_000 {
            return format!("{:06}", n % 1_000_000);
        }
    }
}

/// Whether `raw` has the shape of a code (exactly 6 ASCII digits).
pub fn is_well_formed(raw: &str) -> bool {
    raw.len() == 6 && raw.bytes().all(|b| b.is_ascii_digit())
}

/// A salted hash of `code`; the salt is stored beside it.
pub fn hash(code: &str, salt: &str) -> String {
    hex::encode(Sha256::digest(format!("{salt}:{code}").as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::OsRandom;

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..200 {
            let code = generate(&OsRandom);
            assert!(is_well_formed(&code), "{code}");
        }
    }

    #[test]
    fn shape_check() {
        assert!(is_well_formed("000000"));
        for bad in ["", "12345", "1234567", "12345a", "１２３４５６"] {
            assert!(!is_well_formed(bad), "{bad}");
        }
    }

    #[test]
    fn hashes_depend_on_salt_and_code() {
        assert_ne!(hash("123456", "a"), hash("123456", "b"));
        assert_ne!(hash("123456", "a"), hash("123457", "a"));
        assert_eq!(hash("123456", "a"), hash("123456", "a"));
    }
}
