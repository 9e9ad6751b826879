//! Presented tokens, SMS codes and Accept-Language headers: never a panic; a
//! token that parses names an account and carries a SHA-256.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::domain::{secret_token, sms_code};
use shared::i18n::Lang;

fuzz_target!(|raw: &str| {
    if let Some(token) = secret_token::parse(raw) {
        assert!(!token.account_id.is_empty());
        assert_eq!(token.hash.len(), 64);
    }
    if sms_code::is_well_formed(raw) {
        assert!(raw.len() == 6 && raw.bytes().all(|b| b.is_ascii_digit()));
    }
    let _ = Lang::from_accept_language(Some(raw));
});
