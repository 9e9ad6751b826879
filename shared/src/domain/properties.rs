//! Property tests of the validators: generated inputs, each property checked
//! against an independent statement of the rule (check digits are computed
//! here from their standards, not by the code under test).

use proptest::prelude::*;

use super::AccountId;
use super::identity::{check_credit_code, check_passport, check_resident_id, mask};
use super::password_policy::PasswordPolicy;
use super::secret_token;
use super::{Email, LoginName, Phone, Username};
use crate::domain::Code;
use crate::random::OsRandom;
use secrecy::ExposeSecret;

/// GB 11643: weights 2^(17-i) mod 11, check table "10X98765432".
fn resident_id_check(first17: &str) -> char {
    let sum: u32 = first17.bytes().enumerate().map(|(i, b)| u32::from(b - b'0') * ((1u32 << (17 - i)) % 11)).sum();
    b"10X98765432"[(sum % 11) as usize] as char
}

/// GB 32100: weights 3^i mod 31 over the 31-character alphabet.
const CREDIT_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
fn credit_code_check(first17: &str) -> char {
    let sum: usize =
        first17.chars().enumerate().map(|(i, c)| CREDIT_ALPHABET.find(c).unwrap() * (3usize.pow(i as u32) % 31)).sum();
    CREDIT_ALPHABET.as_bytes()[(31 - sum % 31) % 31] as char
}

fn resident_id_body() -> impl Strategy<Value = String> {
    // Region, a real birthday (day ≤ 28 exists in every month), sequence.
    ("[1-6][0-9]{5}", 1900u32..2025, 1u32..=12, 1u32..=28, "[0-9]{3}")
        .prop_map(|(region, y, m, d, seq)| format!("{region}{y:04}{m:02}{d:02}{seq}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn usernames_are_accepted_exactly_by_their_rule(raw in "[a-zA-Z0-9_.@-]{0,24}") {
        let by_rule = (4..=20).contains(&raw.len())
            && raw.starts_with(|c: char| c.is_ascii_lowercase())
            && raw.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        prop_assert_eq!(Username::parse(&raw).is_ok(), by_rule);
    }

    #[test]
    fn chinese_mobile_numbers_are_accepted_in_e164(rest in "[0-9]{8}", prefix in "13[0-9]|15[0-35-9]|18[0-9]") {
        let raw = format!("+86{}{}", prefix, rest);
        let phone = Phone::parse(&raw).expect("a CN mobile number");
        prop_assert_eq!(phone.as_str(), raw.as_str());
        // Written any other way, it is not E.164.
        let (no_plus, spaced) = (format!("86{}{}", prefix, rest), format!("+86 {}{}", prefix, rest));
        prop_assert!(Phone::parse(&no_plus).is_err());
        prop_assert!(Phone::parse(&spaced).is_err());
    }

    #[test]
    fn accepted_emails_canonicalise_to_lowercase(local in "[a-zA-Z0-9._%+-]{1,20}", domain in "[a-zA-Z0-9-]{1,20}") {
        if let Ok(email) = Email::parse(&format!("{local}@{domain}.com")) {
            prop_assert_eq!(email.canonical(), email.as_str().to_lowercase());
            prop_assert_eq!(LoginName::parse(email.as_str()), LoginName::Email(email.canonical()));
        }
    }

    #[test]
    fn login_names_are_canonical(raw in "\\PC{0,30}") {
        let login = LoginName::parse(&raw);
        let again = LoginName::parse(login.canonical());
        prop_assert_eq!(again.canonical(), login.canonical());
    }

    #[test]
    fn resident_ids_need_the_standard_check_character(body in resident_id_body(), wrong in "[0-9X]") {
        let check = resident_id_check(&body);
        prop_assert_eq!(check_resident_id(&format!("{body}{check}")), Ok(()));
        if !wrong.starts_with(check) {
            prop_assert_eq!(check_resident_id(&format!("{body}{wrong}")), Err(Code::IdNumberChecksum));
        }
    }

    #[test]
    fn credit_codes_need_the_standard_check_character(body in "[0-9ABCDEFGHJKLMNPQRTUWXY]{17}", wrong in "[0-9A-HJ-NP-RTUWXY]") {
        let check = credit_code_check(&body);
        prop_assert_eq!(check_credit_code(&format!("{body}{check}")), Ok(()));
        if !wrong.starts_with(check) {
            prop_assert_eq!(check_credit_code(&format!("{body}{wrong}")), Err(Code::CreditCodeChecksum));
        }
    }

    #[test]
    fn passports_are_5_to_20_letters_and_digits(raw in "[A-Za-z0-9 -]{0,24}") {
        let by_rule = (5..=20).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_alphanumeric());
        prop_assert_eq!(check_passport(&raw).is_ok(), by_rule);
    }

    #[test]
    fn masks_keep_the_length_and_hide_the_middle(raw in "\\PC{0,40}") {
        let masked = mask(&raw, 3, 4);
        let (chars, masked_chars): (Vec<char>, Vec<char>) = (raw.chars().collect(), masked.chars().collect());
        prop_assert_eq!(masked_chars.len(), chars.len());
        if chars.len() > 7 {
            prop_assert!(masked_chars[3..chars.len() - 4].iter().all(|&c| c == '*'));
            prop_assert_eq!(&masked_chars[..3], &chars[..3]);
        } else {
            prop_assert!(masked_chars.iter().all(|&c| c == '*'));
        }
    }

    #[test]
    fn every_policy_names_a_rule_for_each_refusal(password in "\\PC{0,80}", username in "[a-z][a-z0-9]{3,19}") {
        for policy in [PasswordPolicy::Alaya, PasswordPolicy::Alibaba, PasswordPolicy::Nist] {
            match policy.check(&password.clone().into(), &username) {
                Ok(normalised) => {
                    let (min, max) = policy.length_bounds();
                    prop_assert!((min..=max).contains(&normalised.expose().chars().count()));
                }
                Err(failures) => prop_assert!(!failures.is_empty()),
            }
        }
    }

    #[test]
    fn minted_tokens_parse_back_to_their_account_and_hash(account in "[a-f0-9]{32}") {
        let account = AccountId::parse(&account).expect("an id");
        let minted = secret_token::mint(&account, &OsRandom);
        let presented = secret_token::parse::<AccountId>(minted.token.expose_secret()).expect("our own token parses");
        prop_assert_eq!(presented.id, account);
        prop_assert!(secret_token::hashes_match(&presented.hash, &minted.hash));
    }

    #[test]
    fn tampered_tokens_do_not_match(account in "[a-f0-9]{32}", at in 33usize..76) {
        let account = AccountId::parse(&account).expect("an id");
        let minted = secret_token::mint(&account, &OsRandom);
        let mut bytes = minted.token.expose_secret().as_bytes().to_vec();
        let at = at.min(bytes.len() - 1);
        bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        if let Some(presented) = secret_token::parse::<AccountId>(&tampered) {
            prop_assert!(presented.id != account || !secret_token::hashes_match(&presented.hash, &minted.hash));
        }
    }
}
