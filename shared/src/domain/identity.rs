//! Identity documents of real-name verification: the Chinese resident ID
//! number (GB 11643, ISO 7064 MOD 11-2 check digit), passports, and the
//! unified social credit code of enterprises (GB 32100, MOD 31 check
//! character); and how they are masked wherever they are listed.

use crate::domain::Code;
use time::{Date, Month};

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// Validates an 18-character resident ID: 17 digits, a check character, and
/// a real date of birth.
pub fn check_resident_id(raw: &str) -> Result<(), Code> {
    let bytes = raw.as_bytes();
    let shaped = bytes.len() == 18
        && bytes[..17].iter().all(u8::is_ascii_digit)
        && (bytes[17].is_ascii_digit() || bytes[17] == b'X');
    if !shaped {
        return Err(Code::IdNumberFormat);
    }
    let digit = |i: usize| u32::from(bytes[i] - b'0');
    let year = (6..10).fold(0, |n, i| n * 10 + digit(i)) as i32;
    let month = (10..12).fold(0, |n, i| n * 10 + digit(i)) as u8;
    let day = (12..14).fold(0, |n, i| n * 10 + digit(i)) as u8;
    let born = Month::try_from(month).ok().and_then(|m| Date::from_calendar_date(year, m, day).ok());
    if born.is_none() {
        return Err(Code::IdNumberFormat);
    }
    let sum: u32 = ID_WEIGHTS.iter().enumerate().map(|(i, w)| digit(i) * w).sum();
    if ID_CHECK[(sum % 11) as usize] != bytes[17] {
        return Err(Code::IdNumberChecksum);
    }
    Ok(())
}

/// Validates a passport number: 5–20 ASCII letters and digits.
pub fn check_passport(raw: &str) -> Result<(), Code> {
    let ok = (5..=20).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_alphanumeric());
    if ok { Ok(()) } else { Err(Code::IdNumberFormat) }
}

const CREDIT_CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [usize; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// Validates an 18-character unified social credit code.
pub fn check_credit_code(raw: &str) -> Result<(), Code> {
    let values: Option<Vec<usize>> = raw.chars().map(|c| CREDIT_CHARSET.find(c)).collect();
    let Some(values) = values.filter(|v| v.len() == 18) else {
        return Err(Code::CreditCodeFormat);
    };
    let sum: usize = values[..17].iter().zip(CREDIT_WEIGHTS).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    if values[17] != check {
        return Err(Code::CreditCodeChecksum);
    }
    Ok(())
}

/// Masks all but the first `keep_start` and last `keep_end` characters.
pub fn mask(value: &str, keep_start: usize, keep_end: usize) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= keep_start + keep_end {
        return "*".repeat(chars.len());
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < keep_start || i >= chars.len() - keep_end { *c } else { '*' })
        .collect()
}

/// Masks a personal name: its first character stays.
pub fn mask_name(name: &str) -> String {
    let count = name.chars().count();
    name.chars().take(1).chain(std::iter::repeat_n('*', count.saturating_sub(1).max(1))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resident_ids_need_their_check_character_and_a_real_birthday() {
        for ok in ["11010519491231002X", "440524188001010014", "110101199003074477"] {
            assert_eq!(check_resident_id(ok), Ok(()), "{ok}");
        }
        assert_eq!(check_resident_id("110105194912310021"), Err(Code::IdNumberChecksum));
        assert_eq!(check_resident_id("110101199013074477"), Err(Code::IdNumberFormat), "month 13");
        assert_eq!(check_resident_id("11010519491231002x"), Err(Code::IdNumberFormat), "lowercase x");
        assert_eq!(check_resident_id("1101051949123100"), Err(Code::IdNumberFormat));
    }

    #[test]
    fn credit_codes_need_their_check_character() {
        for ok in ["91350100M000100Y43", "91110000802100433B", "91440300708461136T"] {
            assert_eq!(check_credit_code(ok), Ok(()), "{ok}");
        }
        assert_eq!(check_credit_code("911100001000059683"), Err(Code::CreditCodeChecksum));
        assert_eq!(check_credit_code("91350100M000100Y4"), Err(Code::CreditCodeFormat));
        assert_eq!(check_credit_code("91350100I000100Y43"), Err(Code::CreditCodeFormat), "I is not in the charset");
    }

    #[test]
    fn passports_are_short_alphanumerics() {
        assert_eq!(check_passport("E12345678"), Ok(()));
        assert_eq!(check_passport("E12"), Err(Code::IdNumberFormat));
        assert_eq!(check_passport("E1234 5678"), Err(Code::IdNumberFormat));
    }

    #[test]
    fn masking_keeps_only_the_ends() {
        assert_eq!(mask("11010519491231002X", 3, 4), "110***********002X");
        assert_eq!(mask("abc", 3, 4), "***");
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("Li"), "L*");
        assert_eq!(mask_name("A"), "A*");
    }
}
