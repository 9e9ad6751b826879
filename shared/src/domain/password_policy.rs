//! The password policy presets of the contract. Every failing rule is
//! reported with its own code, so a form can show them all at once.

use std::collections::HashSet;
use std::str::FromStr;
use std::sync::LazyLock;

use secrecy::{ExposeSecret, SecretString};
use unicode_normalization::UnicodeNormalization;

use crate::domain::Code;

/// A password that passed the policy, normalised, still a secret: the only
/// thing [`PasswordHasher::hash`](super::password_hash::PasswordHasher::hash)
/// takes, so no password is stored without the check.
pub struct NewPassword(SecretString);

impl NewPassword {
    /// The password, for the hasher (and the policy's own checks).
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

/// Django's list of 20,000 common passwords (lowercased), see `data/README.md`.
static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/common-passwords.txt").lines().map(str::trim).filter(|l| !l.is_empty()).collect()
});

/// A password policy preset, chosen by `ACCOUNTS_PASSWORD_POLICY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PasswordPolicy {
    /// 8–18 printable ASCII, all four classes, no username, not common.
    #[default]
    Alaya,
    /// 8–128 ASCII letters, digits and punctuation, at least 2 of 4 classes.
    Alibaba,
    /// NIST SP 800-63B: 15–128 code points of any Unicode after NFC, no
    /// composition rules, no username, not common.
    Nist,
}

impl FromStr for PasswordPolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "alaya" => Ok(Self::Alaya),
            "alibaba" => Ok(Self::Alibaba),
            "nist" => Ok(Self::Nist),
            other => Err(format!("unknown password policy {other:?} (alaya, alibaba or nist)")),
        }
    }
}

/// A character class the composition rules count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharacterClass {
    /// `A`–`Z`.
    Uppercase,
    /// `a`–`z`.
    Lowercase,
    /// `0`–`9`.
    Digit,
    /// ASCII punctuation.
    Symbol,
}

impl CharacterClass {
    /// The four classes, in the order pages list them.
    pub const ALL: [Self; 4] = [Self::Uppercase, Self::Lowercase, Self::Digit, Self::Symbol];

    /// Its name in `GET /v1/password-policy`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Uppercase => "uppercase",
            Self::Lowercase => "lowercase",
            Self::Digit => "digit",
            Self::Symbol => "symbol",
        }
    }
}

/// A preset's rules as data: what [`PasswordPolicy::check`] enforces,
/// for pages to render rather than repeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    /// Allowed length, inclusive, in characters (code points after NFC for
    /// `nist`).
    pub length: (usize, usize),
    /// Only printable ASCII (which also refuses spaces).
    pub ascii_only: bool,
    /// Whether a space may appear.
    pub spaces_allowed: bool,
    /// The classes that count towards `min_classes`.
    pub classes: &'static [CharacterClass],
    /// How many of `classes` a password needs (all of them for `alaya`).
    pub min_classes: usize,
    /// Whether a password containing the username is refused.
    pub refuses_username: bool,
    /// Whether a known-common password is refused.
    pub refuses_common: bool,
}

/// Character classes used by the composition rules.
struct Classes {
    upper: bool,
    lower: bool,
    digit: bool,
    symbol: bool,
}

impl Classes {
    fn of(password: &str) -> Self {
        Self {
            upper: password.chars().any(|c| c.is_ascii_uppercase()),
            lower: password.chars().any(|c| c.is_ascii_lowercase()),
            digit: password.chars().any(|c| c.is_ascii_digit()),
            symbol: password.chars().any(|c| c.is_ascii_punctuation()),
        }
    }

    fn count(&self) -> usize {
        [self.upper, self.lower, self.digit, self.symbol].into_iter().filter(|&b| b).count()
    }
}

impl PasswordPolicy {
    /// Returns the normalised password to hash if it passes, else every
    /// failing rule's code. `username` is the account's username.
    pub fn check(self, password: &SecretString, username: &str) -> Result<NewPassword, Vec<Code>> {
        let password = password.expose_secret();
        let mut failures = Vec::new();
        let normalised = match self {
            Self::Nist => password.nfc().collect::<String>(),
            Self::Alaya | Self::Alibaba => password.to_owned(),
        };
        let (min, max) = self.length_bounds();
        let length = normalised.chars().count();
        if length < min {
            failures.push(Code::PasswordTooShort);
        }
        if length > max {
            failures.push(Code::PasswordTooLong);
        }
        match self {
            Self::Alaya => {
                if !normalised.chars().all(|c| c.is_ascii_graphic()) {
                    failures.push(Code::PasswordInvalidCharacter);
                }
                let classes = Classes::of(&normalised);
                for (present, code) in [
                    (classes.upper, Code::PasswordMissingUppercase),
                    (classes.lower, Code::PasswordMissingLowercase),
                    (classes.digit, Code::PasswordMissingDigit),
                    (classes.symbol, Code::PasswordMissingSymbol),
                ] {
                    if !present {
                        failures.push(code);
                    }
                }
            }
            Self::Alibaba => {
                if !normalised.chars().all(|c| c.is_ascii_graphic()) {
                    failures.push(Code::PasswordInvalidCharacter);
                }
                if Classes::of(&normalised).count() < 2 {
                    failures.push(Code::PasswordTooFewClasses);
                }
            }
            Self::Nist => {}
        }
        if self != Self::Alibaba {
            if contains_username(&normalised, username) {
                failures.push(Code::PasswordContainsUsername);
            }
            if is_common(&normalised) {
                failures.push(Code::PasswordTooCommon);
            }
        }
        if failures.is_empty() { Ok(NewPassword(normalised.into())) } else { Err(failures) }
    }

    /// Allowed length in characters (code points), inclusive.
    pub fn length_bounds(self) -> (usize, usize) {
        match self {
            Self::Alaya => (8, 18),
            Self::Alibaba => (8, 128),
            Self::Nist => (15, 128),
        }
    }

    /// The preset's rules as data (`GET /v1/password-policy`); a unit test
    /// holds them to [`Self::check`].
    pub fn rules(self) -> Rules {
        match self {
            Self::Alaya => Rules {
                length: self.length_bounds(),
                ascii_only: true,
                spaces_allowed: false,
                classes: &CharacterClass::ALL,
                min_classes: 4,
                refuses_username: true,
                refuses_common: true,
            },
            Self::Alibaba => Rules {
                length: self.length_bounds(),
                ascii_only: true,
                spaces_allowed: false,
                classes: &CharacterClass::ALL,
                min_classes: 2,
                refuses_username: false,
                refuses_common: false,
            },
            Self::Nist => Rules {
                length: self.length_bounds(),
                ascii_only: false,
                spaces_allowed: true,
                classes: &[],
                min_classes: 0,
                refuses_username: true,
                refuses_common: true,
            },
        }
    }

    /// The preset's name as configured.
    pub fn name(self) -> &'static str {
        match self {
            Self::Alaya => "alaya",
            Self::Alibaba => "alibaba",
            Self::Nist => "nist",
        }
    }
}

fn contains_username(password: &str, username: &str) -> bool {
    !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase())
}

/// Whether the password, or the password with the decoration people add to
/// meet composition rules stripped ("Password1!" → "password1"), is common.
fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    let stripped = lower.trim_end_matches(|c: char| c.is_ascii_punctuation());
    COMMON_PASSWORDS.contains(lower.as_str()) || COMMON_PASSWORDS.contains(stripped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use PasswordPolicy::*;

    fn failures(policy: PasswordPolicy, pw: &str) -> Vec<Code> {
        policy.check(&pw.into(), "alice").err().unwrap_or_default()
    }

    #[test]
    fn the_common_list_is_shipped_in_full() {
        assert!(COMMON_PASSWORDS.len() >= 10_000);
        assert!(COMMON_PASSWORDS.contains("password"));
    }

    #[test]
    fn alaya_accepts_a_strong_password_at_both_length_bounds() {
        assert_eq!(failures(Alaya, "Gpu#Cl0ud"), Vec::<Code>::new());
        assert_eq!(failures(Alaya, "Aa1!xyzq"), Vec::<Code>::new());
        assert_eq!(failures(Alaya, "Aa1!xyzqwertyuiopz"), Vec::<Code>::new());
    }

    #[test]
    fn alaya_reports_every_failing_rule() {
        assert_eq!(
            failures(Alaya, "xq"),
            vec![
                Code::PasswordTooShort,
                Code::PasswordMissingUppercase,
                Code::PasswordMissingDigit,
                Code::PasswordMissingSymbol
            ]
        );
        assert_eq!(failures(Alaya, "Aa1!xyzqwertyuiopzz"), vec![Code::PasswordTooLong]);
        assert_eq!(failures(Alaya, "Aa1! xyzq"), vec![Code::PasswordInvalidCharacter]);
        assert_eq!(failures(Alaya, "Aa1!xyzé"), vec![Code::PasswordInvalidCharacter]);
        assert_eq!(failures(Alaya, "xAlice1!x"), vec![Code::PasswordContainsUsername]);
        assert_eq!(failures(Alaya, "Password1!"), vec![Code::PasswordTooCommon]);
    }

    #[test]
    fn alibaba_needs_two_classes_and_allows_long_passwords() {
        assert_eq!(failures(Alibaba, "abcdefgh"), vec![Code::PasswordTooFewClasses]);
        assert_eq!(failures(Alibaba, "abcdefg1"), Vec::<Code>::new());
        assert_eq!(failures(Alibaba, &"a1".repeat(64)), Vec::<Code>::new());
        assert_eq!(failures(Alibaba, &"a1".repeat(65)).first(), Some(&Code::PasswordTooLong));
        assert_eq!(failures(Alibaba, "abcd efg1"), vec![Code::PasswordInvalidCharacter]);
    }

    /// The rules the pages render say what `check` does: a password built
    /// to break exactly one stated rule fails, one keeping them all passes.
    #[test]
    fn the_rules_as_data_are_the_rules_checked() {
        for policy in [Alaya, Alibaba, Nist] {
            let rules = policy.rules();
            let (min, max) = rules.length;
            let good = format!("{}{}", "Zq7!", "k".repeat(min.saturating_sub(4).max(4)));
            assert_eq!(failures(policy, &good), Vec::<Code>::new(), "{policy:?} {good}");
            assert!(!failures(policy, &"Zq7!k".repeat(max)).is_empty(), "{policy:?}: longer than {max}");
            assert!(!failures(policy, &good[..min - 1]).is_empty(), "{policy:?}: shorter than {min}");
            assert_eq!(failures(policy, &format!("{good} x")).is_empty(), rules.spaces_allowed, "{policy:?}");
            assert_eq!(failures(policy, &format!("{good}é")).is_empty(), !rules.ascii_only, "{policy:?}");
            assert_eq!(failures(policy, &format!("{good}alice")).is_empty(), !rules.refuses_username, "{policy:?}");
            let common = if min > 10 { "polniypizdec0211" } else { "Password1!" };
            assert_eq!(failures(policy, common).contains(&Code::PasswordTooCommon), rules.refuses_common, "{policy:?}");
            let one_class = "k".repeat(min.max(8));
            assert_eq!(failures(policy, &one_class).is_empty(), rules.min_classes <= 1, "{policy:?}");
        }
    }

    #[test]
    fn nist_counts_code_points_after_nfc() {
        // "e" + combining acute is one code point after NFC.
        let decomposed = "correct horse e\u{301}xx";
        assert_eq!(Nist.check(&decomposed.into(), "alice").unwrap().expose().chars().count(), 17);
        assert_eq!(failures(Nist, "短密码但是十四个字符组成的句子"), Vec::<Code>::new());
        assert_eq!(failures(Nist, "fourteen chars"), vec![Code::PasswordTooShort]);
        assert_eq!(failures(Nist, "my name is alice, hi"), vec![Code::PasswordContainsUsername]);
    }
}
