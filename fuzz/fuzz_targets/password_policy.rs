//! Every password policy preset on any password and username: never a panic,
//! and a refusal always names at least one rule.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use shared::domain::password_policy::PasswordPolicy;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    password: &'a str,
    username: &'a str,
}

fuzz_target!(|input: Input| {
    for policy in [PasswordPolicy::Alaya, PasswordPolicy::Alibaba, PasswordPolicy::Nist] {
        match policy.check(&input.password.into(), input.username) {
            Ok(normalised) => assert!(!normalised.expose().is_empty()),
            Err(failures) => assert!(!failures.is_empty()),
        }
    }
});
