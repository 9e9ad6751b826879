//! The account record and the states of its life. Its newtypes were checked
//! when the account was written; reading them back trusts the table (no
//! phone metadata is loaded to read an account).

use serde::{Deserialize, Serialize};

use crate::domain::devices::RememberedDevice;
use crate::domain::sub_account_policy::SubAccountPolicy;
use crate::domain::{AccountId, AppealId, Email, Phone, Username};
use crate::i18n::Lang;

/// A primary account (a customer) or a sub-account created by one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// Signed up on its own.
    Primary,
    /// Created by a primary account.
    Sub,
}

/// Where an account is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// Signed up; no password set yet.
    PendingActivation,
    /// Has a password and may sign in.
    Active,
    /// Deletion approved and under way: nothing works for it any more.
    Deleting,
}

/// What a password link was sent for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkPurpose {
    /// The invitation to set the first password.
    InitialPassword,
    /// A reset after a forgotten password.
    ResetPassword,
}

/// The one live password link of an account. Keeping a single slot on the
/// account is what makes "only the newest link works" hold: minting a new
/// link overwrites the old one's hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordLink {
    /// SHA-256 of the link's secret.
    pub hash: String,
    /// Why it was sent.
    pub purpose: LinkPurpose,
    /// Unix seconds after which the link answers `410`.
    pub expires_at: i64,
    /// Activation attempts with a phone number that was not the account's;
    /// the fifth voids the link.
    #[serde(default)]
    pub phone_mismatches: u32,
}

/// The account item as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Opaque id.
    pub account_id: AccountId,
    /// Unique username.
    pub username: Username,
    /// Email as given; uniqueness uses its canonical form.
    pub email: Email,
    /// Mobile phone; optional only for sub-accounts.
    pub phone: Option<Phone>,
    /// Organisation name given at sign-up.
    pub organization: Option<String>,
    /// Phone of whoever referred the customer, if given.
    pub referrer_phone: Option<Phone>,
    /// Primary or sub.
    pub kind: AccountKind,
    /// The primary account of a sub-account.
    pub parent_id: Option<AccountId>,
    /// Pending or active.
    pub status: AccountStatus,
    /// argon2id PHC string, once a password is set.
    pub password_hash: Option<String>,
    /// The live password link, if any.
    pub link: Option<PasswordLink>,
    /// Language of its emails and SMS, from the sign-up request (stored as
    /// `en` or `zh-CN`) until the owner chooses one.
    pub language: Lang,
    /// Whether the owner chose `language` (`PUT /v1/me/language`): then it
    /// also outranks the language of a request that sends a message.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub language_chosen: bool,
    /// Unix seconds.
    pub created_at: i64,
    /// Where a deletion request stands.
    #[serde(default)]
    pub deletion_status: DeletionStatus,
    /// Where real-name verification stands (kept here so `GET /v1/me`
    /// needs no second item).
    #[serde(default)]
    pub verification_status: VerificationStatus,
    /// Bumped by every password change or reset. A session remembers the
    /// epoch it was created in and is refused once the account's moves on,
    /// whatever became of its item.
    #[serde(default)]
    pub password_epoch: u64,
    /// Two-factor sign-in, once turned on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa: Option<Mfa>,
    /// A TOTP enrolment started and not yet confirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_totp: Option<PendingTotp>,
    /// An email change waiting for its confirmation link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_change: Option<EmailChange>,
    /// An operator's suspension: no sign-in while it lasts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspension: Option<Suspension>,
    /// Recovery appeals naming the account that may still take effect:
    /// the account's next completed sign-in cancels them (kept here so
    /// that a sign-in finds them in the read it makes anyway).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub open_appeals: Vec<AppealId>,
    /// A sub-account cut off by its primary account: no sign-in and no
    /// session while it lasts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<Disabled>,
    /// A primary account's policy for its sub-accounts, once set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_account_policy: Option<SubAccountPolicy>,
    /// A sub-account's copy of its primary account's policy (none: the
    /// defaults), judged on every request without reading the primary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<SubAccountPolicy>,
    /// Devices that skip the second step (`domain::devices`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<RememberedDevice>,
    /// The day (Unix seconds / 86,400) a password sign-in last checked the
    /// password against the breached-password list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breach_checked_on: Option<i64>,
    /// A password sign-in found the password breached: every later one is
    /// refused until the password is reset; the day the reset link went.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breached: Option<Breached>,
}

/// A password found on the breached-password list at sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breached {
    /// The day (Unix seconds / 86,400) the last reset link went out.
    pub link_sent_on: i64,
    /// The password it was found for: a new password ends it.
    pub password_epoch: u64,
}

/// When a primary account disabled its sub-account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disabled {
    /// Unix seconds.
    pub at: i64,
}

/// Why and by whom an account is suspended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspension {
    /// The operator's reason (for operators; never sent to the customer).
    pub reason: String,
    /// Unix seconds.
    pub at: i64,
    /// The operator's principal.
    pub by: String,
    /// Brought by the suspension of the primary account (a sub-account's):
    /// lifting that one lifts this one too.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub inherited: bool,
}

/// An account's second factor: TOTP with recovery codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mfa {
    /// The TOTP secret, sealed (`sealing::Sealer`) to the account.
    pub totp_secret: String,
    /// Hashes of the recovery codes not used yet.
    pub recovery_codes: Vec<String>,
    /// The last step whose code was accepted: no code of it or an earlier
    /// one is accepted again.
    pub last_step: i64,
}

/// A TOTP secret handed out and waiting for its first code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingTotp {
    /// The secret, sealed.
    pub secret: String,
    /// Unix seconds after which the enrolment must start again.
    pub expires_at: i64,
    /// Wrong codes sent to confirm it; the fifth voids the enrolment.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub wrong_codes: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A new email address waiting to be confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailChange {
    /// The address asked for.
    pub new_email: Email,
    /// SHA-256 of the confirmation link's secret.
    pub hash: String,
    /// Unix seconds after which the link answers `410`.
    pub expires_at: i64,
}

/// How long an account may stay pending before it is erased, in seconds.
pub const PENDING_ACCOUNT_SECS: i64 = 7 * 86_400;

/// Consecutive failed sign-ins, over all of an account's login names, that
/// suspend password sign-in until the password is reset.
pub const CONSECUTIVE_FAILURES_LIMIT: u64 = 100;

impl Account {
    /// A new primary account, pending activation, with nothing set but what
    /// is given.
    pub fn pending(
        account_id: AccountId,
        username: Username,
        email: Email,
        phone: Option<Phone>,
        language: Lang,
        created_at: i64,
    ) -> Self {
        Self {
            account_id,
            username,
            email,
            phone,
            organization: None,
            referrer_phone: None,
            kind: AccountKind::Primary,
            parent_id: None,
            status: AccountStatus::PendingActivation,
            password_hash: None,
            link: None,
            language,
            language_chosen: false,
            created_at,
            deletion_status: DeletionStatus::None,
            verification_status: VerificationStatus::Unverified,
            password_epoch: 0,
            mfa: None,
            pending_totp: None,
            email_change: None,
            suspension: None,
            open_appeals: Vec::new(),
            disabled: None,
            sub_account_policy: None,
            policy: None,
            devices: Vec::new(),
            breach_checked_on: None,
            breached: None,
        }
    }

    /// The language of a message a request in `requested` makes the service
    /// send: the owner's choice if made, else the request's (the reader is
    /// looking at a page in it).
    pub fn language_for(&self, requested: Lang) -> Lang {
        if self.language_chosen { self.language } else { requested }
    }

    /// The policy this account signs in under: a sub-account's copy of its
    /// primary's; nothing for a primary account, which no policy holds.
    pub fn held_to(&self) -> Option<&SubAccountPolicy> {
        if self.kind == AccountKind::Sub { self.policy.as_ref() } else { None }
    }

    /// Whether the policy it is held to wants TOTP it has not set up.
    pub fn owes_mfa(&self) -> bool {
        self.held_to().is_some_and(|p| p.mfa_required) && self.mfa.is_none()
    }

    /// The breach found for the current password, if one was.
    pub fn known_breached(&self) -> Option<&Breached> {
        self.breached.as_ref().filter(|b| b.password_epoch == self.password_epoch)
    }

    /// When a pending account (and the guards of its username, email and
    /// phone) stops existing: its items carry this as their expiry, so every
    /// read treats them as gone from then on, before TTL removes them.
    pub fn pending_until(&self) -> i64 {
        self.created_at + PENDING_ACCOUNT_SECS
    }
}

/// The state of an account's deletion request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeletionStatus {
    /// No request (or cancelled).
    #[default]
    None,
    /// Waiting for an operator.
    PendingReview,
    /// Approved: the account is being (or has been) deleted.
    Approved,
    /// Rejected by an operator.
    Rejected,
}

impl DeletionStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::PendingReview => "pending_review",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }
}

/// The state of real-name verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationStatus {
    /// Nothing submitted (or withdrawn).
    #[default]
    Unverified,
    /// Waiting for an operator.
    PendingReview,
    /// Approved by an operator.
    Approved,
    /// Rejected by an operator, with a reason.
    Rejected,
}

impl VerificationStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unverified => "unverified",
            Self::PendingReview => "pending_review",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }
}
