//! The key layout of the single table, in one place. See the item catalogue
//! in `ARCHITECTURE.md`.

use sha2::{Digest, Sha256};

use super::Key;
use crate::domain::sms_code::SmsPurpose;

fn key(pk: String, sk: &str) -> Key {
    Key { pk, sk: sk.to_owned() }
}

/// Partition of everything an account owns.
pub fn account_partition(account_id: &str) -> String {
    format!("ACCOUNT#{account_id}")
}

/// The account profile item.
pub fn account(account_id: &str) -> Key {
    key(account_partition(account_id), "PROFILE")
}

/// Sort-key prefix of an account's sessions.
pub const SESSION_PREFIX: &str = "SESSION#";

/// A session of an account, by the hash of its secret.
pub fn session(account_id: &str, secret_hash: &str) -> Key {
    key(account_partition(account_id), &format!("{SESSION_PREFIX}{secret_hash}"))
}

/// Uniqueness guard of a username.
pub fn username_guard(username: &str) -> Key {
    key(format!("USERNAME#{username}"), "GUARD")
}

/// Uniqueness guard of an email (its canonical, lowercase form).
pub fn email_guard(canonical_email: &str) -> Key {
    key(format!("EMAIL#{canonical_email}"), "GUARD")
}

/// Uniqueness guard of a phone.
pub fn phone_guard(phone: &str) -> Key {
    key(format!("PHONE#{phone}"), "GUARD")
}

/// The live SMS code for a phone and purpose.
pub fn sms_code(phone: &str, purpose: SmsPurpose) -> Key {
    key(format!("SMS#{phone}"), &format!("CODE#{}", purpose.as_str()))
}

/// A rate-limit or lockout item. The subject (an IP, a phone, a login name a
/// client typed) is hashed so that no client text shapes a key.
pub fn rate(kind: &str, subject: &str) -> Key {
    let digest = hex::encode(Sha256::digest(subject.as_bytes()));
    key(format!("RATE#{kind}#{digest}"), "RATE")
}
