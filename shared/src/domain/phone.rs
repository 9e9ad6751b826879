use std::str::FromStr;

use phonenumber::metadata::Database;
use phonenumber::{PhoneNumber, Type, country};

use super::phone_book;
use crate::domain::Code;
use serde::{Deserialize, Serialize};

/// The regions whose mobile numbers may receive our SMS
/// (`ACCOUNTS_SMS_REGIONS`): the first defence against SMS pumping, which
/// profits from premium-rate numbers abroad.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsRegions(Vec<country::Id>);

impl SmsRegions {
    /// Whether `region` is on the list.
    pub fn allows(&self, region: Option<country::Id>) -> bool {
        region.is_some_and(|r| self.0.contains(&r))
    }

    /// The regions in the order configured: ISO 3166 alpha-2 code, calling
    /// code and national trunk prefix (`""` if none).
    pub fn dialling(&self) -> impl Iterator<Item = (&str, u16, &'static str)> {
        self.0.iter().filter_map(|id| {
            let id: &str = id.as_ref();
            phone_book::region(id).map(|(code, prefix)| (id, code, prefix))
        })
    }
}

impl Default for SmsRegions {
    /// Mainland China only, as the contract's default.
    fn default() -> Self {
        Self(vec![country::Id::CN])
    }
}

impl FromStr for SmsRegions {
    type Err = String;

    /// ISO 3166 alpha-2 codes, comma-separated (`CN,HK`).
    fn from_str(list: &str) -> Result<Self, String> {
        let regions = list
            .split(',')
            .map(str::trim)
            .filter(|code| !code.is_empty())
            .map(|code| {
                country::Id::from_str(&code.to_ascii_uppercase()).map_err(|_| format!("unknown region {code:?}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if regions.is_empty() {
            return Err("at least one region is needed".into());
        }
        Ok(Self(regions))
    }
}

/// A mobile phone number in E.164 form, valid for its region according to
/// libphonenumber's metadata.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    /// Parses a number given in E.164 (`+` and digits only). Regions where a
    /// mobile number cannot be told from a fixed line (the US, Canada) are
    /// accepted as `FixedLineOrMobile`, because SMS reaches them.
    pub fn parse(raw: &str) -> Result<Self, Code> {
        Self::parse_checked(raw, None)
    }

    /// Parses a number that will receive SMS: as [`Phone::parse`], and its
    /// region must be on `regions` (checked before the number's type, so a
    /// US or UK number is `phone_region_not_supported`).
    pub fn parse_for_sms(raw: &str, regions: &SmsRegions) -> Result<Self, Code> {
        Self::parse_checked(raw, Some(regions))
    }

    fn parse_checked(raw: &str, regions: Option<&SmsRegions>) -> Result<Self, Code> {
        let e164_shape = raw.len() <= 16
            && raw
                .strip_prefix('+')
                .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()));
        if !e164_shape {
            return Err(Code::PhoneFormat);
        }
        let (number, metadata) = parsed(raw).ok_or(Code::PhoneFormat)?;
        if regions.is_some_and(|allowed| !allowed.allows(region_of(&number, metadata))) {
            return Err(Code::PhoneRegionNotSupported);
        }
        if !number.is_valid_with(metadata) {
            return Err(Code::PhoneInvalid);
        }
        match number.number_type(metadata) {
            Type::Mobile | Type::FixedLineOrMobile => {}
            _ => return Err(Code::PhoneNotMobile),
        }
        // E.164 is the code and the national number, as `phonenumber`'s
        // formatter writes it; its formatter would first pick a national
        // format, compiling every format pattern of the region (50 ms).
        let canonical = format!("+{}{}", number.code().value(), number.national());
        if canonical != raw {
            // e.g. a national trunk prefix written after the country code.
            return Err(Code::PhoneFormat);
        }
        Ok(Self(canonical))
    }

    /// The E.164 text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number's region (ISO 3166 alpha-2), `ZZ` if the metadata knows none.
    pub fn region(&self) -> String {
        let id = parsed(&self.0).and_then(|(number, metadata)| region_of(&number, metadata));
        id.map_or_else(|| "ZZ".to_owned(), |id| id.as_ref().to_owned())
    }
}

/// `+` and digits parsed with the metadata of their calling code (only that
/// code's territories are built: see [`phone_book`]).
fn parsed(e164: &str) -> Option<(PhoneNumber, &'static Database)> {
    let metadata = phone_book::database_for(e164.strip_prefix('+')?)?;
    let number = phonenumber::parse_with(metadata, None, e164).ok()?;
    Some((number, metadata))
}

/// The territory a number belongs to, among those sharing its code.
fn region_of(number: &PhoneNumber, metadata: &Database) -> Option<country::Id> {
    number.metadata(metadata).and_then(|m| m.id().parse().ok())
}

/// An E.164 number masked for display to someone who may not own it:
/// `+86 138****8000` (country code, first three and last four digits).
pub fn mask_phone(e164: &str) -> String {
    let code = e164.strip_prefix('+').and_then(phone_book::calling_code).map(|c| c.to_string()).unwrap_or_default();
    let national = e164.strip_prefix('+').and_then(|d| d.strip_prefix(code.as_str())).unwrap_or("");
    if code.is_empty() || national.len() < 8 || !national.is_ascii() {
        return "****".to_owned();
    }
    format!("+{code} {}****{}", &national[..3], &national[national.len() - 4..])
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
            assert_eq!(Phone::parse(bad), Err(Code::PhoneFormat), "{bad}");
        }
    }

    #[test]
    fn rejects_invalid_numbers() {
        assert_eq!(Phone::parse("+86138001380"), Err(Code::PhoneInvalid));
        assert_eq!(Phone::parse("+8601234567890"), Err(Code::PhoneInvalid));
    }

    #[test]
    fn sms_numbers_must_come_from_an_allowed_region() {
        let cn = SmsRegions::default();
        assert_eq!(Phone::parse_for_sms("+8613800138000", &cn).map(|p| p.0), Ok("+8613800138000".to_owned()));
        // Valid mobiles elsewhere: refused for their region, before their type.
        for abroad in ["+447911123456", "+12015550123", "+4915123456789", "+442079460000"] {
            assert_eq!(Phone::parse_for_sms(abroad, &cn), Err(Code::PhoneRegionNotSupported), "{abroad}");
        }
        assert_eq!(Phone::parse_for_sms("+861012345678", &cn), Err(Code::PhoneNotMobile));
        let cn_gb: SmsRegions = "cn, GB".parse().unwrap();
        assert!(Phone::parse_for_sms("+447400123456", &cn_gb).is_ok());
        assert!("".parse::<SmsRegions>().is_err());
        assert!("CN,XX".parse::<SmsRegions>().is_err());
    }

    #[test]
    fn masks_all_but_the_country_code_and_the_ends() {
        assert_eq!(mask_phone("+8613800138000"), "+86 138****8000");
        assert_eq!(mask_phone("+447911123456"), "+44 791****3456");
        assert_eq!(mask_phone("+1234"), "****");
    }

    /// What `Phone::parse_checked` answered over `phonenumber`'s default
    /// database (all territories at once), kept as the oracle of the
    /// per-code metadata.
    fn with_the_crates_database(raw: &str, regions: Option<&SmsRegions>) -> Result<String, Code> {
        use phonenumber::{Mode, metadata::DATABASE};
        let number = phonenumber::parse(None, raw).map_err(|_| Code::PhoneFormat)?;
        if regions.is_some_and(|allowed| !allowed.allows(number.country().id())) {
            return Err(Code::PhoneRegionNotSupported);
        }
        if !number.is_valid() {
            return Err(Code::PhoneInvalid);
        }
        match number.number_type(&DATABASE) {
            Type::Mobile | Type::FixedLineOrMobile => {}
            _ => return Err(Code::PhoneNotMobile),
        }
        let canonical = number.format().mode(Mode::E164).to_string();
        if canonical != raw { Err(Code::PhoneFormat) } else { Ok(canonical) }
    }

    /// Every territory's example numbers of every type, and each with a
    /// digit dropped and one added, as E.164.
    fn example_numbers() -> Vec<String> {
        let mut numbers = Vec::new();
        for territory in phonenumber::metadata::DATABASE.iter() {
            let d = territory.descriptors();
            let examples = [
                Some(d.general()),
                d.fixed_line(),
                d.mobile(),
                d.toll_free(),
                d.premium_rate(),
                d.shared_cost(),
                d.personal_number(),
                d.voip(),
                d.pager(),
                d.uan(),
                d.voicemail(),
            ];
            for example in examples.into_iter().flatten().filter_map(|d| d.example()) {
                let e164 = format!("+{}{example}", territory.country_code());
                numbers.push(format!("{e164}7"));
                numbers.push(e164[..e164.len() - 1].to_owned());
                numbers.push(e164);
            }
        }
        numbers
    }

    #[test]
    fn answers_as_the_crates_database_for_every_territory() {
        let everywhere: SmsRegions = phonenumber::metadata::DATABASE
            .iter()
            .map(|t| t.id())
            .filter(|id| id.len() == 2)
            .collect::<Vec<_>>()
            .join(",")
            .parse()
            .unwrap();
        let numbers = example_numbers();
        assert!(numbers.len() > 2_000, "{}", numbers.len());
        // Longer ones fail E.164's shape first, before any metadata.
        for raw in numbers.iter().filter(|raw| raw.len() <= 16) {
            let ours = |regions: Option<&SmsRegions>| Phone::parse_checked(raw, regions).map(|p| p.0);
            assert_eq!(ours(None), with_the_crates_database(raw, None), "{raw}");
            for regions in [&SmsRegions::default(), &everywhere] {
                assert_eq!(ours(Some(regions)), with_the_crates_database(raw, Some(regions)), "{raw}");
            }
            if let Ok(phone) = Phone::parse(raw) {
                let region = phonenumber::parse(None, raw).unwrap().country().id().map(|id| id.as_ref().to_owned());
                assert_eq!(phone.region(), region.unwrap_or_else(|| "ZZ".into()), "{raw}");
            }
        }
    }

    #[test]
    fn rejects_fixed_lines() {
        // Beijing landline and a UK landline.
        assert_eq!(Phone::parse("+861012345678"), Err(Code::PhoneNotMobile));
        assert_eq!(Phone::parse("+442079460000"), Err(Code::PhoneNotMobile));
    }
}
