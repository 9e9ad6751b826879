//! Recovery appeals: the appeal, its cancel links, queue row and index.

use serde::{Deserialize, Serialize};

use super::Subject;
use crate::domain::{AccountId, AppealId, Email, Username};

/// Where a recovery appeal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppealStatus {
    /// Filed; the contact email has not confirmed it yet.
    Unconfirmed,
    /// Confirmed and waiting for an operator (only for an existing primary
    /// account; any other confirmed appeal stays here, never queued).
    PendingReview,
    /// An operator approved it; it takes effect once its hold has passed.
    Approved,
    /// It took effect: the account's email is the contact email.
    Done,
    /// An operator rejected it.
    Rejected,
    /// The owner cancelled it, by the notice's link or by signing in.
    Cancelled,
    /// It could not take effect (the contact email was taken by then).
    Failed,
}

impl AppealStatus {
    /// The statuses a confirmed appeal of an account can have, each with
    /// its operator queue.
    pub const QUEUED: &[AppealStatus] =
        &[Self::PendingReview, Self::Approved, Self::Done, Self::Rejected, Self::Cancelled, Self::Failed];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unconfirmed => "unconfirmed",
            Self::PendingReview => "pending_review",
            Self::Approved => "approved",
            Self::Done => "done",
            Self::Rejected => "rejected",
            Self::Cancelled => "cancelled",
            Self::Failed => "failed",
        }
    }

    /// Whether the appeal may still take effect (its owner can cancel it).
    pub fn is_open(self) -> bool {
        matches!(self, Self::PendingReview | Self::Approved)
    }
}

/// How an appeal's identity details compare with the account's approved
/// real-name verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityMatch {
    /// The same person or company.
    Match,
    /// Different details.
    Mismatch,
    /// The account has no approved verification to compare with.
    NoVerification,
}

/// A link the account's owner can cancel an appeal with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelLink {
    /// SHA-256 of the link's secret.
    pub hash: String,
    /// Unix seconds after which the link answers `410`.
    pub expires_at: i64,
}

/// A recovery appeal of someone who lost both phone and email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appeal {
    /// Opaque id.
    pub appeal_id: AppealId,
    /// The account the login named, if any (never shown to the appellant).
    pub account_id: Option<AccountId>,
    /// Where the appellant can be reached, and the email the account gets
    /// when the appeal takes effect.
    pub contact_email: Email,
    /// The appellant's account of what happened.
    pub description: String,
    /// The identity given, to compare with the account's verification.
    pub identity: Option<Subject>,
    /// Where it stands.
    pub status: AppealStatus,
    /// SHA-256 of the confirmation link's secret.
    pub link_hash: String,
    /// Unix seconds.
    pub submitted_at: i64,
    /// Unix seconds of the decision.
    pub decided_at: Option<i64>,
    /// The operator who decided.
    pub decided_by: Option<String>,
    /// The operator's note on the decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Unix seconds when an approved appeal takes effect (its hold ends).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_at: Option<i64>,
    /// The cancel links sent to the account's owner (one per notice; each
    /// works until the appeal ends or the link expires).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cancel_links: Vec<CancelLink>,
}

/// A row of an appeal queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppealQueueEntry {
    /// The appeal.
    pub appeal_id: AppealId,
    /// The account.
    pub account_id: AccountId,
    /// Its username.
    pub username: Username,
    /// Unix seconds.
    pub submitted_at: i64,
    /// The appeal's identity against the account's verification.
    pub identity_match: IdentityMatch,
    /// The contact email, masked (the whole appeal shows it in full).
    #[serde(default)]
    pub contact_email: String,
    /// Unix seconds when an approved appeal takes effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_at: Option<i64>,
}

/// An appeal in the index of the account it names, so that the account's
/// erasure finds it and operators see how many came before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppealLink {
    /// The appeal.
    pub appeal_id: AppealId,
    /// Unix seconds.
    pub submitted_at: i64,
}
