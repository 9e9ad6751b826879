//! The key layout of the single table, in one place: only the persistence
//! layer builds keys (tests read items by them). See the item catalogue in
//! `docs/table.md`.

use sha2::{Digest, Sha256};

use crate::domain::account::{DeletionStatus, VerificationStatus};
use crate::domain::records::AppealStatus;
use crate::domain::sms_code::SmsPurpose;
use crate::domain::{AccountId, AppealId, ChallengeId, LoginName, MaterialId, PasskeyId, RegistrationId, RequestId};
use crate::store::Key;

fn key(pk: String, sk: &str) -> Key {
    Key { pk, sk: sk.to_owned() }
}

/// Partition of everything an account owns.
pub fn account_partition(account_id: &AccountId) -> String {
    format!("ACCOUNT#{account_id}")
}

/// A key no item ever has: what a function reads during init to open its
/// connection to the table (`Records::warm_up`).
pub fn warm_up() -> Key {
    key("WARM-UP".to_owned(), "WARM-UP")
}

/// The account profile item.
pub fn account(account_id: &AccountId) -> Key {
    key(account_partition(account_id), PROFILE)
}

/// Sort-key prefix of an account's sessions.
pub const SESSION_PREFIX: &str = "SESSION#";

/// A session of an account, by the hash of its secret.
pub fn session(account_id: &AccountId, secret_hash: &str) -> Key {
    key(account_partition(account_id), &format!("{SESSION_PREFIX}{secret_hash}"))
}

/// A second-factor challenge of an account, by the hash of its token's
/// secret.
pub fn mfa_challenge(account_id: &AccountId, secret_hash: &str) -> Key {
    key(account_partition(account_id), &format!("MFA#{secret_hash}"))
}

/// The clients an account signed in from lately.
pub fn sign_in_history(account_id: &AccountId) -> Key {
    key(account_partition(account_id), "SIGNINS")
}

/// Sort-key prefix of an account's passkeys.
pub const PASSKEY_PREFIX: &str = "PASSKEY#";

/// A passkey of an account.
pub fn passkey(account_id: &AccountId, passkey_id: &PasskeyId) -> Key {
    key(account_partition(account_id), &format!("{PASSKEY_PREFIX}{passkey_id}"))
}

/// The owner of a credential id, by its SHA-256 (a credential id may be
/// 1,023 bytes; its hash keeps the key short).
pub fn passkey_owner(credential_id: &[u8]) -> Key {
    key(format!("PASSKEYCRED#{}", hex::encode(Sha256::digest(credential_id))), "OWNER")
}

/// A passkey registration waiting for the browser, under the account.
pub fn passkey_registration(account_id: &AccountId, registration_id: &RegistrationId) -> Key {
    key(account_partition(account_id), &format!("PASSKEYREG#{registration_id}"))
}

/// A passkey sign-in waiting for the browser.
pub fn passkey_sign_in(challenge_id: &ChallengeId) -> Key {
    key(format!("PASSKEYAUTH#{challenge_id}"), "CHALLENGE")
}

/// Sort key of an account's profile item.
pub const PROFILE: &str = "PROFILE";
/// Sort-key prefix of an account's materials.
pub const MATERIAL_PREFIX: &str = "MATERIAL#";
/// Sort key of an account's (latest) verification submission.
pub const VERIFICATION: &str = "VERIFICATION";
/// Sort key of an account's deletion request.
pub const DELETION: &str = "DELETION";
/// Sort-key prefix of the index of a primary account's sub-accounts.
pub const SUB_PREFIX: &str = "SUB#";

/// A material of an account.
pub fn material(account_id: &AccountId, material_id: &MaterialId) -> Key {
    key(account_partition(account_id), &format!("{MATERIAL_PREFIX}{material_id}"))
}

/// The verification submission of an account.
pub fn verification(account_id: &AccountId) -> Key {
    key(account_partition(account_id), VERIFICATION)
}

/// The partition listing verifications in `status`, oldest first.
pub fn verification_queue(status: VerificationStatus) -> String {
    format!("VERIFYQ#{}", status.as_str())
}

/// A verification's entry in the review queue of its status.
pub fn verification_queue_entry(status: VerificationStatus, submitted_at: i64, account_id: &AccountId) -> Key {
    key(verification_queue(status), &format!("{submitted_at:012}#{account_id}"))
}

/// The deletion request of an account.
pub fn deletion_request(account_id: &AccountId) -> Key {
    key(account_partition(account_id), DELETION)
}

/// Which account a deletion request id belongs to.
pub fn deletion_lookup(request_id: &RequestId) -> Key {
    key(format!("DELETION#{request_id}"), "REQUEST")
}

/// The partition of erasures under way (one item per account; the erase's
/// last transaction removes it).
pub const ERASING: &str = "ERASING";

/// An erasure under way.
pub fn erasing(account_id: &AccountId) -> Key {
    key(ERASING.to_owned(), account_id)
}

/// Sort-key prefix of the index of the appeals naming an account.
pub const APPEAL_PREFIX: &str = "APPEAL#";

/// An appeal in the index of the account it names.
pub fn appeal_link(account_id: &AccountId, appeal_id: &AppealId) -> Key {
    key(account_partition(account_id), &format!("{APPEAL_PREFIX}{appeal_id}"))
}

/// A recovery appeal.
pub fn appeal(appeal_id: &AppealId) -> Key {
    key(format!("APPEAL#{appeal_id}"), "APPEAL")
}

/// The partition listing appeals in `status`, oldest first.
pub fn appeal_queue(status: AppealStatus) -> String {
    format!("APPEALQ#{}", status.as_str())
}

/// An appeal's entry in the queue of its status.
pub fn appeal_queue_entry(status: AppealStatus, submitted_at: i64, appeal_id: &AppealId) -> Key {
    key(appeal_queue(status), &format!("{submitted_at:012}#{appeal_id}"))
}

/// The partition listing deletion requests in `status`, oldest first.
pub fn deletion_queue(status: DeletionStatus) -> String {
    format!("DELETEQ#{}", status.as_str())
}

/// A deletion request's entry in the queue of its status.
pub fn deletion_queue_entry(status: DeletionStatus, requested_at: i64, request_id: &RequestId) -> Key {
    key(deletion_queue(status), &format!("{requested_at:012}#{request_id}"))
}

/// The index entry of sub-account `child_id` under its primary account.
pub fn sub_account_link(parent_id: &AccountId, child_id: &AccountId) -> Key {
    key(account_partition(parent_id), &format!("{SUB_PREFIX}{child_id}"))
}

/// The partition of an account's audit trail (it outlives the account).
pub fn audit_partition(account_id: &AccountId) -> String {
    format!("AUDIT#{account_id}")
}

/// One audit record: ordered by the clock's seconds, then nanoseconds, then
/// a random suffix for ties.
pub fn audit_record(account_id: &AccountId, at: i64, nanos: u32, suffix: &str) -> Key {
    key(audit_partition(account_id), &format!("{at:012}.{nanos:09}#{suffix}"))
}

/// What every audit record's sort key of the second `at` starts with
/// (and sorts after).
pub fn audit_second(at: i64) -> String {
    format!("{at:012}")
}

/// The guard a login name (as typed, canonicalised) is looked up by; none
/// for a name no account can have.
pub fn login_guard(login: &LoginName) -> Option<Key> {
    match login {
        LoginName::Username(u) => Some(username_guard(u)),
        LoginName::Email(e) => Some(email_guard(e)),
        LoginName::Phone(p) => Some(phone_guard(p)),
        LoginName::Unmatchable(_) => None,
    }
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

/// An account's count of consecutive failed sign-ins.
pub fn login_streak(account_id: &AccountId) -> Key {
    rate("login-streak", account_id)
}

/// A rate-limit or lockout item. The subject (an IP, a phone, a login name a
/// client typed) is hashed so that no client text shapes a key.
pub fn rate(kind: &str, subject: &str) -> Key {
    let digest = hex::encode(Sha256::digest(subject.as_bytes()));
    key(format!("RATE#{kind}#{digest}"), "RATE")
}
