//! Resident ID, passport and credit-code checks, and masking: never a panic;
//! a mask keeps the length and hides the middle.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::domain::identity::{check_credit_code, check_passport, check_resident_id, mask, mask_name};

fuzz_target!(|raw: &str| {
    let _ = check_resident_id(raw);
    let _ = check_passport(raw);
    let _ = check_credit_code(raw);
    let masked = mask(raw, 3, 4);
    assert_eq!(masked.chars().count(), raw.chars().count());
    let _ = mask_name(raw);
});
