//! The audit trail: security events and operator actions per account, kept
//! after the account is gone. Records hold the account id, the event, who
//! acted and when — never secrets or other personal data.

use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::domain::secret_token::new_id;
use crate::flows::FlowError;
use crate::store::{Cond, Item, WriteOp, keys};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditEvent {
    /// The account was created (pending activation).
    SignedUp,
    /// The initial password was set.
    Activated,
    /// A session was created.
    SignedIn,
    /// A sign-in with this account's login failed.
    SignInFailed,
    /// A login name of this account was locked after repeated failures.
    LockedOut,
    /// A session was ended by signing out.
    SignedOut,
    /// A password reset (link or SMS code) was requested.
    ResetRequested,
    /// The password was reset through a link or an SMS code.
    PasswordReset,
    /// The password was changed by the signed-in customer.
    PasswordChanged,
    /// Sessions were ended because the password changed.
    SessionsEnded,
    /// Real-name verification was submitted.
    VerificationSubmitted,
    /// An operator approved the verification.
    VerificationApproved,
    /// An operator rejected the verification.
    VerificationRejected,
    /// The customer asked for the account's deletion.
    DeletionRequested,
    /// The customer cancelled the request.
    DeletionCancelled,
    /// An operator approved the deletion.
    DeletionApproved,
    /// An operator rejected the deletion.
    DeletionRejected,
    /// The account and its personal data were erased.
    AccountDeleted,
    /// A pending account was erased through "this is not my sign-up".
    SignUpDeclined,
    /// A reset link was voided through "I did not ask for this".
    ResetDeclined,
    /// 100 consecutive failed sign-ins suspended password sign-in.
    SignInSuspended,
}

/// Who caused an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Actor {
    /// The account's own holder (or someone acting as them).
    Customer,
    /// An operator, by IAM principal or dev token.
    Operator(String),
}

/// One entry of the trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// The account concerned.
    pub account_id: String,
    /// What happened.
    pub event: AuditEvent,
    /// Who did it.
    pub actor: Actor,
    /// Unix seconds.
    pub at: i64,
    /// A short non-personal detail (e.g. a count), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The write that records `event`, to put in the same transaction as the
/// change it describes.
pub fn entry(app: &App, account_id: &str, event: AuditEvent, actor: Actor, detail: Option<String>) -> WriteOp {
    let at = app.clock.now();
    // Sort keys order by time: the clock's seconds, then its nanoseconds for
    // events within one second, then randomness for ties.
    let nanos = app.clock.subsec_nanos();
    let suffix = &new_id(app.random.as_ref())[..6];
    let key = keys::audit_record(account_id, at, nanos, suffix);
    let record = AuditRecord { account_id: account_id.to_owned(), event, actor, at, detail };
    WriteOp::Put { item: Item::new(key, &record), cond: Cond::None }
}

/// Records an event on its own.
pub async fn record(app: &App, account_id: &str, event: AuditEvent, detail: Option<String>) -> Result<(), FlowError> {
    Ok(app.store.transact(vec![entry(app, account_id, event, Actor::Customer, detail)]).await?)
}

/// The trail of an account, oldest first.
pub async fn list(app: &App, account_id: &str) -> Result<Vec<AuditRecord>, FlowError> {
    let items = app.store.query(&keys::audit_partition(account_id), "").await?;
    items.iter().map(|item| Ok(item.decode()?)).collect()
}
