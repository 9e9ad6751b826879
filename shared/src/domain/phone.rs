use phonenumber::{Mode, PhoneNumber, Type, metadata::DATABASE};
use serde::{Deserialize, Serialize};

/// A mobile phone number in E.164 form, valid for its region according to
/// libphonenumber's metadata.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    /// Parses a number given in E.164 (`+` and digits only). Regions where a
    /// mobile number cannot be told from a fixed line (the US, Canada) are
    /// accepted as `FixedLineOrMobile`, because SMS reaches them.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let e164_shape = raw.len() <= 16
            && raw
                .strip_prefix('+')
                .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()));
        if !e164_shape {
            return Err("phone_format");
        }
        let number: PhoneNumber = phonenumber::parse(None, raw).map_err(|_| "phone_format")?;
        if !number.is_valid() {
            return Err("phone_invalid");
        }
        match number.number_type(&DATABASE) {
            Type::Mobile | Type::FixedLineOrMobile => {}
            _ => return Err("phone_not_mobile"),
        }
        let canonical = number.format().mode(Mode::E164).to_string();
        if canonical != raw {
            // e.g. a national trunk prefix written after the country code.
            return Err("phone_format");
        }
        Ok(Self(canonical))
    }

    /// The E.164 text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_mobile_numbers_in_e164() {
        for ok in ["+8613800138000", "+447911123456", "+12015550123", "+4915123456789"] {
            assert_eq!(Phone::parse(ok).map(|p| p.0), Ok(ok.to_owned()), "{ok}");
        }
    }

    #[test]
    fn rejects_numbers_not_in_e164() {
        for bad in ["", "13800138000", "+86 138 0013 8000", "+86-13800138000", "+", "+86138001380001234"] {
            assert_eq!(Phone::parse(bad), Err("phone_format"), "{bad}");
        }
    }

    #[test]
    fn rejects_invalid_numbers() {
        assert_eq!(Phone::parse("+86138001380"), Err("phone_invalid"));
        assert_eq!(Phone::parse("+8601234567890"), Err("phone_invalid"));
    }

    #[test]
    fn rejects_fixed_lines() {
        // Beijing landline and a UK landline.
        assert_eq!(Phone::parse("+861012345678"), Err("phone_not_mobile"));
        assert_eq!(Phone::parse("+442079460000"), Err("phone_not_mobile"));
    }
}
