//! What operators see of an account, and its audit trail.

use serde::Serialize;

use super::{AccountView, DeletionState, MfaState, SubmissionView, VerificationState};
use crate::clock::rfc3339;
use crate::domain::records::{Actor, AuditEvent, AuditRecord, SignInMethod};
use crate::domain::{Account, AccountId, AccountKind, AccountStatus, SessionId, account::VerificationStatus};
use crate::flows::authentication::SessionView;
use crate::flows::operator::AccountOverview;

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

/// An account as operators see it: its view, its sign-in state (locks,
/// streak, sessions, passkeys), its place among accounts, its deletion
/// and suspension state, and its verification (masked).
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
    /// A sub-account's primary account's username.
    pub primary: Option<String>,
    /// How many sub-accounts it has.
    pub sub_accounts: usize,
    /// `pending_activation`, `active`, `disabled` (by its primary account),
    /// `suspended` (by an operator) or `deleting`.
    pub status: &'static str,
    /// Two-factor sign-in.
    pub mfa: MfaState,
    /// Registered passkeys.
    pub passkeys: usize,
    /// Live sessions.
    pub sessions: usize,
    /// When it signed up.
    pub created_at: String,
    /// Its latest sign-in.
    pub last_sign_in_at: Option<String>,
    /// While one of its login names is locked, the latest end of the locks.
    pub sign_in_locked_until: Option<String>,
    /// 100 failures in a row suspended password sign-in (until a reset).
    pub password_sign_in_suspended: bool,
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
    /// `overview` for an operator.
    pub fn of(overview: &AccountOverview) -> Self {
        let account = &overview.account;
        let view = AccountView::from(account);
        Self {
            account_id: view.account_id,
            username: view.username,
            email: view.email,
            phone: view.phone,
            organization: view.organization,
            kind: view.kind,
            primary: overview.primary.as_ref().map(|u| u.as_str().to_owned()),
            sub_accounts: overview.sub_accounts,
            status: status_of(account),
            mfa: view.mfa,
            passkeys: overview.passkeys,
            sessions: overview.sessions,
            created_at: view.created_at,
            last_sign_in_at: overview.last_sign_in_at.map(rfc3339),
            sign_in_locked_until: overview.sign_in_locked_until.map(rfc3339),
            password_sign_in_suspended: overview.password_sign_in_suspended,
            deletion: DeletionState { status: account.deletion_status.as_str() },
            suspension: account.suspension.as_ref().map(|s| SuspensionView {
                reason: s.reason.clone(),
                at: rfc3339(s.at),
                by: s.by.clone(),
                inherited: s.inherited,
            }),
            disabled_at: account.disabled.as_ref().map(|d| rfc3339(d.at)),
            verification: match &overview.verification {
                Some(v) => OperatorVerification::Submitted(Box::new(SubmissionView::of(v, true))),
                None => OperatorVerification::Unverified(VerificationState { status: VerificationStatus::Unverified }),
            },
        }
    }
}

/// The status an operator reads first: a suspension or a disable over the
/// account's own state.
fn status_of(account: &Account) -> &'static str {
    match (&account.suspension, &account.disabled, account.status) {
        (_, _, AccountStatus::Deleting) => "deleting",
        (Some(_), _, _) => "suspended",
        (None, Some(_), _) => "disabled",
        (None, None, AccountStatus::PendingActivation) => "pending_activation",
        (None, None, AccountStatus::Active) => "active",
    }
}

/// The sessions of an account, as an operator lists them.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct OperatorSessionItem {
    /// Its public id.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub session_id: SessionId,
    /// When it began.
    pub created_at: String,
    /// When it was last used (to within a minute).
    pub last_seen_at: String,
    /// The client's address at sign-in.
    pub ip: String,
    /// The client's user agent at sign-in.
    pub user_agent: String,
    /// Its browser and major version, if the agent says.
    pub browser: Option<String>,
    /// Its operating system, if the agent says.
    pub os: Option<String>,
}

impl From<&SessionView> for OperatorSessionItem {
    fn from(session: &SessionView) -> Self {
        let (browser, os) = super::sessions::device_of(&session.user_agent);
        Self {
            session_id: session.session_id.clone(),
            created_at: rfc3339(session.created_at),
            last_seen_at: rfc3339(session.last_seen_at),
            ip: session.ip.clone(),
            user_agent: session.user_agent.clone(),
            browser,
            os,
        }
    }
}

/// What an operator's sign-out did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct SignedOut {
    /// How many sessions ended.
    pub sessions_ended: usize,
}

/// Who caused an audited event.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct ActorView {
    /// `customer`, `operator`, `primary` or `system`.
    pub kind: &'static str,
    /// The operator's principal, or the primary account's id.
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
    /// How a `signed_in` proved the person first: `password`, `passkey` or
    /// `sms_code`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<&'static str>,
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
            method: (record.event == AuditEvent::SignedIn)
                .then(|| record.method.unwrap_or_else(|| SignInMethod::of_detail(record.detail.as_deref())).as_str()),
        }
    }
}
