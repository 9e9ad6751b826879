//! The audit trail: security events and operator actions per account, kept
//! after the account is gone. Records hold the account id, the event, who
//! acted and when — never secrets or other personal data.

use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::domain::secret_token::new_id;
use crate::flows::FlowError;
use crate::persistence::Changes;

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
    /// Two-factor sign-in was turned on.
    MfaEnabled,
    /// Two-factor sign-in was turned off.
    MfaDisabled,
    /// The recovery codes were replaced.
    RecoveryCodesReplaced,
    /// A re-check of the signed-in person failed: a wrong password, or a
    /// wrong code while two-factor sign-in is on.
    ReauthFailed,
    /// A change of email address was asked for (the link went out).
    EmailChangeRequested,
    /// The email address changed.
    EmailChanged,
    /// The phone changed.
    PhoneChanged,
    /// A forgotten username was sent to the account's email or phone.
    UsernameSent,
    /// An operator looked the account up (personal data read).
    AccountViewed,
    /// An operator opened the account's verification in full.
    VerificationViewed,
    /// An operator suspended the account.
    Suspended,
    /// An operator lifted the suspension.
    SuspensionLifted,
    /// A recovery appeal naming the account was confirmed by its contact.
    AppealConfirmed,
    /// An operator approved an appeal: it takes effect after its hold.
    AppealApproved,
    /// An operator rejected an appeal.
    AppealRejected,
    /// An operator opened an appeal in full (personal data read).
    AppealViewed,
    /// The owner cancelled an appeal (by its link, or by signing in).
    AppealCancelled,
    /// An appeal took effect: the email changed, two-factor sign-in is off.
    AppealDone,
    /// An appeal could not take effect (its contact email was taken).
    AppealFailed,
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

/// Adds `event` to `changes`, to be committed with the change it describes.
pub fn add(
    app: &App,
    changes: &mut Changes,
    account_id: &str,
    event: AuditEvent,
    actor: Actor,
    detail: Option<String>,
) {
    let record = AuditRecord { account_id: account_id.to_owned(), event, actor, at: app.clock.now(), detail };
    // Within one second, records order by the clock's nanoseconds, then by
    // randomness for ties.
    let tie_breaker = &new_id(app.random.as_ref())[..6];
    changes.add_audit_record(&record, app.clock.subsec_nanos(), tie_breaker);
}

/// Records an event of the customer's on its own.
pub async fn record(app: &App, account_id: &str, event: AuditEvent, detail: Option<String>) -> Result<(), FlowError> {
    let mut changes = Changes::new();
    add(app, &mut changes, account_id, event, Actor::Customer, detail);
    Ok(app.records().commit(changes).await?)
}

/// Records an operator's `event` on its own.
pub async fn record_operator(app: &App, account_id: &str, event: AuditEvent, operator: &str) -> Result<(), FlowError> {
    let mut changes = Changes::new();
    add(app, &mut changes, account_id, event, Actor::Operator(operator.to_owned()), None);
    Ok(app.records().commit(changes).await?)
}

/// The trail of an account, oldest first.
pub async fn list(app: &App, account_id: &str) -> Result<Vec<AuditRecord>, FlowError> {
    Ok(app.records().audit_trail(account_id).await?)
}

/// At most `limit` records of an account's trail after the cursor `after`,
/// oldest first, and the cursor of the next page.
pub async fn page(
    app: &App,
    account_id: &str,
    limit: usize,
    after: Option<&str>,
) -> Result<(Vec<AuditRecord>, Option<String>), FlowError> {
    Ok(app.records().audit_page(account_id, limit, after).await?)
}
