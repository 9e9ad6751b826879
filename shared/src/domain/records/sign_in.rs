//! What signing in keeps: sessions, the second factor's challenge, passkeys
//! and their ceremonies, the clients an account signed in from, SMS codes.

use serde::{Deserialize, Serialize};

use super::SignInMethod;
use crate::domain::{AccountId, PasskeyId};

/// The stored session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionRecord {
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds of the last authenticated request (to within a minute).
    pub last_seen_at: i64,
    /// Unix seconds when the session ends whatever its use.
    pub absolute_expires_at: i64,
    /// The account's password epoch when the session was created; a session
    /// of an older epoch is refused.
    #[serde(default)]
    pub password_epoch: u64,
    /// The client IP at sign-in.
    #[serde(default)]
    pub ip: String,
    /// The client's user agent at sign-in (at most 256 characters).
    #[serde(default)]
    pub user_agent: String,
    /// Begun with a passkey (two factors in one), which a policy requiring
    /// two-factor sign-in accepts.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub by_passkey: bool,
}

/// The first factor passed, waiting for the second (an `mfa_token`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MfaChallenge {
    /// The login name typed (canonical), whose lockout the codes count in.
    pub login: String,
    /// Wrong codes so far; the fifth voids the challenge.
    pub wrong_codes: u32,
    /// The account's password epoch when the first step passed: a reset or
    /// change since voids the challenge.
    #[serde(default)]
    pub password_epoch: u64,
    /// A new device's proof: the code emailed to the account (its salted
    /// hash), which this challenge takes instead of a TOTP code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_code: Option<EmailedCode>,
    /// How the first step proved the person.
    #[serde(default)]
    pub method: SignInMethod,
}

/// A one-time code emailed to prove a new device, as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EmailedCode {
    /// SHA-256 of the salt and the code.
    pub hash: String,
    /// The salt.
    pub salt: String,
}

/// A passkey of an account (under its partition).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passkey {
    /// Its public id.
    pub passkey_id: PasskeyId,
    /// What the owner calls it (1–64 characters).
    pub name: String,
    /// Unix seconds of its registration.
    pub created_at: i64,
    /// Unix seconds of its last sign-in.
    #[serde(default)]
    pub last_used_at: Option<i64>,
    /// Whether it is backed up (synced between the owner's devices).
    pub backed_up: bool,
    /// Its credential id (base64url), which signs in find it by.
    pub credential_id: String,
    /// The verified credential as the WebAuthn adapter keeps it: public key,
    /// signature counter, flags. Opaque here.
    pub credential: String,
}

impl Passkey {
    /// The credential id's bytes.
    pub fn credential_id_bytes(&self) -> Vec<u8> {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&self.credential_id).unwrap_or_default()
    }
}

/// Which account and passkey a credential id belongs to (its own item, so
/// that a usernameless sign-in finds it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyOwner {
    /// The account.
    pub account_id: AccountId,
    /// The passkey.
    pub passkey_id: PasskeyId,
}

/// A WebAuthn ceremony waiting for the browser's answer: a registration
/// (under the account's partition) or a sign-in (its own item); 5 minutes,
/// used once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyCeremony {
    /// The adapter's state of the ceremony (its challenge among it).
    pub state: String,
}

/// The clients an account signed in from lately, for sign-in notices.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SignInHistory {
    /// One entry per client (user agent and network), newest last.
    pub clients: Vec<SeenClient>,
}

/// A client an account signed in from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeenClient {
    /// SHA-256 of user agent and network, shortened: no personal data kept.
    pub fingerprint: String,
    /// Unix seconds of the latest sign-in from it.
    pub at: i64,
}

/// The stored code: a salted hash and the count of wrong tries.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SmsCodeRecord {
    /// Random salt of the hash.
    pub salt: String,
    /// SHA-256 of salt and code.
    pub hash: String,
    /// Wrong tries so far (carried over to a resent code).
    pub wrong_tries: u32,
    /// The account that asked for it, for a code only that account may use
    /// (a sub-account's phone, proven for its primary account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound_to: Option<AccountId>,
}
