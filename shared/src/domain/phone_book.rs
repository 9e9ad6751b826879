//! libphonenumber's metadata, built per country calling code on first use.
//!
//! `phonenumber`'s default database builds all 254 territories at the first
//! number parsed (checking the syntax of ~10,000 patterns: 100 ms, paid by
//! the first request of a cold start). `build.rs` splits the same metadata
//! (`data/PhoneNumberMetadata.xml`, the pinned crate's release) by calling
//! code, so a number costs only its own code's territories: `+86` builds
//! China's alone, `+1` the 25 territories of the North American plan. The
//! answers are the crate's own: the same loader, parser and validator, over
//! a database that holds every territory sharing the number's code (a test
//! compares both on every region's example numbers).

use std::sync::OnceLock;

use phonenumber::metadata::{Database, loader};

mod generated {
    include!(concat!(env!("OUT_DIR"), "/phone_book.rs"));
}
use generated::{CODES, REGIONS, TERRITORIES};

static BOOK: [OnceLock<Database>; CODES.len()] = [const { OnceLock::new() }; CODES.len()];

/// The metadata for the calling code that begins `digits` (an E.164 number
/// without its `+`), or `None` if no code does. Calling codes are prefix-free
/// (ITU-T E.164), so at most one of the first one to three digits is one.
pub fn database_for(digits: &str) -> Option<&'static Database> {
    let index = code_index(digits)?;
    Some(BOOK[index].get_or_init(|| build(TERRITORIES[index])))
}

/// The calling code that begins `digits`, known without building any
/// metadata (masking a number needs no more).
pub fn calling_code(digits: &str) -> Option<u16> {
    code_index(digits).map(|index| CODES[index])
}

/// A region's (ISO 3166 alpha-2) calling code and national trunk prefix
/// (`""` if none), known without building any metadata.
pub fn region(id: &str) -> Option<(u16, &'static str)> {
    let index = REGIONS.binary_search_by(|(region, _, _)| region.cmp(&id)).ok()?;
    let (_, code, prefix) = REGIONS[index];
    Some((code, prefix))
}

fn code_index(digits: &str) -> Option<usize> {
    if digits.starts_with('0') {
        return None;
    }
    (1..=3.min(digits.len()))
        .filter_map(|len| digits.get(..len)?.parse::<u16>().ok())
        .find_map(|code| CODES.binary_search(&code).ok())
}

fn build(bytes: &[u8]) -> Database {
    let territories: Vec<loader::Metadata> =
        postcard::from_bytes(bytes).expect("build.rs wrote this metadata with the same types");
    Database::from(territories).expect("libphonenumber's own metadata is valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_each_regions_code_and_trunk_prefix() {
        assert_eq!(region("CN"), Some((86, "0")));
        assert_eq!(region("HK"), Some((852, "")));
        assert_eq!(region("GB"), Some((44, "0")));
        assert_eq!(region("US"), Some((1, "1")));
        assert_eq!(region("XX"), None);
    }

    #[test]
    fn finds_each_code_by_its_number() {
        assert!(database_for("8613800138000").is_some_and(|db| db.by_id("CN").is_some()));
        let nanp = database_for("12015550123").unwrap();
        assert!(nanp.by_id("US").is_some() && nanp.by_id("CA").is_some() && nanp.by_id("CN").is_none());
        assert!(database_for("447911123456").is_some_and(|db| db.by_id("GB").is_some()));
        assert!(database_for("").is_none());
        // No calling code begins with 0, nor is 999 assigned.
        assert!(database_for("0123").is_none() && database_for("9991234").is_none());
        assert_eq!(calling_code("8613800138000"), Some(86));
        assert_eq!(calling_code("12015550123"), Some(1));
        assert_eq!(calling_code("3531234567"), Some(353));
    }

    #[test]
    fn holds_every_territory_of_the_crate() {
        use std::collections::BTreeSet;
        let ours: BTreeSet<(String, u16)> = CODES
            .iter()
            .flat_map(|code| database_for(&code.to_string()).unwrap().iter())
            .map(|t| (t.id().to_owned(), t.country_code()))
            .collect();
        // The crate's own database keeps one "001" (non-geographic) entity
        // by id; ours keeps each under its code (800, 808, 870, ...).
        let theirs: BTreeSet<(String, u16)> =
            phonenumber::metadata::DATABASE.iter().map(|t| (t.id().to_owned(), t.country_code())).collect();
        assert!(theirs.is_subset(&ours));
        assert!(ours.difference(&theirs).all(|(id, _)| id == "001"), "{:?}", ours.difference(&theirs));
    }
}
