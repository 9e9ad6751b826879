//! The audit trail's record: what happened, who did it, when.

use serde::{Deserialize, Serialize};

use crate::domain::AccountId;

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
    /// A passkey was registered (`detail`: its id).
    PasskeyAdded,
    /// A passkey was removed (`detail`: its id).
    PasskeyRemoved,
    /// A passkey sign-in was refused because the authenticator's signature
    /// counter went backwards (`detail`: the passkey's id).
    PasskeyCounterWentBackwards,
    /// An email to the account was handed to the provider (`detail`: its
    /// purpose, the template's name; never its text or link).
    EmailSent,
    /// The email provider refused or failed a message (`detail`: its purpose).
    EmailFailed,
    /// An SMS to the account's phone was handed to the provider (`detail`:
    /// its purpose; never its text or code).
    SmsSent,
    /// The SMS provider refused or failed a message to the account's phone
    /// (`detail`: its purpose); the request was answered as if it went.
    SmsFailed,
    /// SES delivered an email to the recipient's mail server (`detail`: its
    /// purpose).
    EmailDelivered,
    /// An email bounced (`detail`: its purpose and SES's bounce type).
    EmailBounced,
    /// The recipient marked an email as spam (`detail`: its purpose).
    EmailComplained,
}

/// Who caused an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Actor {
    /// The account's own holder (or someone acting as them).
    Customer,
    /// An operator, by IAM principal or dev token.
    Operator(String),
    /// The service itself: scheduled work, and what the providers report.
    System,
}

/// One entry of the trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// The account concerned.
    pub account_id: AccountId,
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
