//! Username, email, phone and login-name parsing: never a panic, and what is
//! accepted is canonical (parsing it again gives the same value).
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::domain::{Email, LoginName, Phone, Username};

fuzz_target!(|raw: &str| {
    if let Ok(username) = Username::parse(raw) {
        assert_eq!(Username::parse(username.as_str()).map(|u| u.as_str().to_owned()), Ok(username.as_str().to_owned()));
    }
    if let Ok(email) = Email::parse(raw) {
        let again = Email::parse(email.as_str()).expect("an accepted email parses again");
        assert_eq!(again.canonical(), email.canonical());
        assert_eq!(email.canonical(), email.canonical().to_lowercase());
    }
    if let Ok(phone) = Phone::parse(raw) {
        assert!(phone.as_str().starts_with('+'));
        assert_eq!(Phone::parse(phone.as_str()).expect("E.164 parses again").as_str(), phone.as_str());
    }
    let login = LoginName::parse(raw);
    assert_eq!(LoginName::parse(login.canonical()).canonical(), login.canonical());
});
