//! What operators see of an account, and its audit trail.

use serde::Serialize;

use super::{AccountView, DeletionState, MfaState, SubmissionView, VerificationState};
use crate::clock::rfc3339;
use crate::domain::records::{Actor, AuditEvent, AuditRecord, Verification};
use crate::domain::{Account, AccountId, AccountKind, AccountStatus, account::VerificationStatus};

#[cfg(feature = "schema")]
use schemars::JsonSchema;

/// A suspension, in an operator's account view.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct SuspensionView {
    /// The operator's reason.
    pub reason: String,
    /// When.
    pub at: String,
    /// The operator's principal.
    pub by: String,
    /// Whether the primary account's suspension brought it.
    pub inherited: bool,
}

/// An account as operators see it: its view, its deletion and suspension
/// state, and its verification (masked).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct OperatorAccountView {
    /// Its id.
    pub account_id: AccountId,
    /// Its username.
    pub username: String,
    /// Its email.
    pub email: String,
    /// Its phone.
    pub phone: Option<String>,
    /// The organisation given at sign-up.
    pub organization: Option<String>,
    /// `primary` or `sub`.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub kind: AccountKind,
    /// `pending_activation`, `active` or `deleting`.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub status: AccountStatus,
    /// Two-factor sign-in.
    pub mfa: MfaState,
    /// When it signed up.
    pub created_at: String,
    /// Its deletion request's state.
    pub deletion: DeletionState,
    /// Its suspension, if any.
    pub suspension: Option<SuspensionView>,
    /// When its primary account disabled it (a sub-account), if it is.
    pub disabled_at: Option<String>,
    /// Its submission, masked; just the status when there is none.
    pub verification: OperatorVerification,
}

/// The verification part of an operator's account view.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(untagged)]
pub enum OperatorVerification {
    /// The latest submission, masked.
    Submitted(Box<SubmissionView>),
    /// Nothing submitted.
    Unverified(VerificationState),
}

impl OperatorAccountView {
    /// `account` and its latest submission for an operator.
    pub fn of(account: &Account, verification: Option<&Verification>) -> Self {
        let view = AccountView::from(account);
        Self {
            account_id: view.account_id,
            username: view.username,
            email: view.email,
            phone: view.phone,
            organization: view.organization,
            kind: view.kind,
            status: view.status,
            mfa: view.mfa,
            created_at: view.created_at,
            deletion: DeletionState { status: account.deletion_status.as_str() },
            suspension: account.suspension.as_ref().map(|s| SuspensionView {
                reason: s.reason.clone(),
                at: rfc3339(s.at),
                by: s.by.clone(),
                inherited: s.inherited,
            }),
            disabled_at: account.disabled.as_ref().map(|d| rfc3339(d.at)),
            verification: match verification {
                Some(v) => OperatorVerification::Submitted(Box::new(SubmissionView::of(v, true))),
                None => OperatorVerification::Unverified(VerificationState { status: VerificationStatus::Unverified }),
            },
        }
    }
}

/// Who caused an audited event.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct ActorView {
    /// `customer` or `operator`.
    pub kind: &'static str,
    /// The operator's principal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// One record of an audit trail.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct AuditItem {
    /// The account concerned.
    pub account_id: AccountId,
    /// What happened.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub event: AuditEvent,
    /// Who did it.
    pub actor: ActorView,
    /// When.
    pub at: String,
    /// A short non-personal detail.
    pub detail: Option<String>,
}

impl From<&AuditRecord> for AuditItem {
    fn from(record: &AuditRecord) -> Self {
        let actor = match &record.actor {
            Actor::Customer => ActorView { kind: "customer", id: None },
            Actor::Operator(id) => ActorView { kind: "operator", id: Some(id.clone()) },
            Actor::System => ActorView { kind: "system", id: None },
            Actor::Primary(id) => ActorView { kind: "primary", id: Some(id.to_string()) },
        };
        Self {
            account_id: record.account_id.clone(),
            event: record.event,
            actor,
            at: rfc3339(record.at),
            detail: record.detail.clone(),
        }
    }
}
