//! The audit trail's record: what happened, who did it, when.

use serde::{Deserialize, Serialize};

use crate::domain::{AccountId, PasskeyId};

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
    /// Its primary account disabled the sub-account.
    SubAccountDisabled,
    /// Its primary account enabled the sub-account again.
    SubAccountEnabled,
    /// Its primary account removed the sub-account (erased, as an approved
    /// deletion is).
    SubAccountRemoved,
    /// The primary account changed its sub-accounts' policy (`detail`: the
    /// policy before and after).
    SubAccountPolicyChanged,
    /// A password sign-in found the password on the breached-password
    /// list: refused until it is reset, and a reset link went out.
    PasswordBreached,
    /// The owner forgot a remembered device (`detail`: how many).
    DevicesForgotten,
    /// An operator listed the account's sessions (addresses and user
    /// agents read).
    SessionsViewed,
    /// An operator sent a pending account a fresh invitation.
    InvitationResent,
}

impl AuditEvent {
    /// The event an operator names (`signed_in`), if the service writes one
    /// of that name.
    pub fn named(name: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
    }

    /// Its name on the trail.
    pub fn name(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
    }
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
    /// A primary account acting on its sub-account, by its account id.
    Primary(AccountId),
}

/// How a sign-in proved the person first (whatever second step followed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignInMethod {
    /// The password.
    #[default]
    Password,
    /// A passkey.
    Passkey,
    /// An SMS code to the account's phone.
    SmsCode,
}

impl SignInMethod {
    /// Its name on the trail.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::Passkey => "passkey",
            Self::SmsCode => "sms_code",
        }
    }

    /// The method of a `signed_in` record written before records kept it,
    /// from its detail.
    pub fn of_detail(detail: Option<&str>) -> Self {
        match detail {
            Some("passkey") => Self::Passkey,
            Some("sms_code") => Self::SmsCode,
            _ => Self::Password,
        }
    }
}

/// The second factor that passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    /// A TOTP code.
    Totp,
    /// A recovery code.
    RecoveryCode,
}

/// What a re-check of the person guarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guarded {
    /// `PUT /v1/me/password`.
    ChangePassword,
    /// `POST /v1/me/email`.
    ChangeEmail,
    /// `PUT /v1/me/phone`.
    ChangePhone,
    /// `POST /v1/me/deletion-request`.
    RequestDeletion,
    /// `POST /v1/me/passkeys/options`.
    AddPasskey,
    /// `DELETE /v1/me/passkeys/{id}`.
    RemovePasskey,
    /// `POST /v1/me/mfa/totp`.
    EnrolTwoFactor,
    /// `DELETE /v1/me/mfa`.
    TurnTwoFactorOff,
    /// `POST /v1/me/mfa/recovery-codes`.
    NewRecoveryCodes,
    /// `POST /v1/me/sub-accounts`.
    CreateSubAccount,
    /// `POST /v1/me/verification`.
    SubmitVerification,
    /// `POST /v1/me/sub-accounts/{username}/enable`.
    EnableSubAccount,
    /// `DELETE /v1/me/sub-accounts/{username}`.
    RemoveSubAccount,
    /// `PUT /v1/me/sub-account-policy`.
    ChangeSubAccountPolicy,
}

/// What a record adds to its event, in the service's words: never personal
/// data, always one of these. Kept and shown as its text (`detail`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    /// The password (what a failed sign-in failed at).
    Password,
    /// The second step (what a failed sign-in or re-check failed at).
    SecondFactor,
    /// The second factor a sign-in passed with.
    Factor(Factor),
    /// A sign-in with a passkey.
    Passkey,
    /// A sign-in with an SMS code.
    SmsCode,
    /// A new device proven by an emailed code.
    EmailCode,
    /// A remembered device stood in for the second step.
    RememberedDevice,
    /// How many remembered devices.
    Devices(usize),
    /// The passkey added, removed or refused.
    PasskeyId(PasskeyId),
    /// What a failed re-check guarded.
    Guarding(Guarded),
    /// By email.
    Email,
    /// By SMS.
    Sms,
    /// By the owner's link.
    ByLink,
    /// By a completed sign-in.
    BySignIn,
    /// By the account's primary account.
    ByPrimaryAccount,
    /// From the account centre.
    FromAccountCentre,
    /// A sub-account's sign-up.
    SubAccount,
    /// Along with its primary account.
    WithPrimaryAccount,
    /// A verification's kind (`individual`, `enterprise`).
    Kind(&'static str),
    /// How many sessions ended.
    SessionsEnded(usize),
    /// How many sessions an operator ended, and the operator's reason.
    SessionsEndedFor {
        /// How many.
        count: usize,
        /// The operator's words.
        reason: String,
    },
    /// A sub-account policy's change: before and after, in its JSON.
    PolicyChange {
        /// The policy before.
        before: String,
        /// The policy after.
        after: String,
    },
    /// A message's purpose (its template or SMS purpose) and, when it did
    /// not simply go, what became of it (`rejected`, a bounce's type).
    Message {
        /// What the message was for.
        purpose: String,
        /// What the provider reported, if it was not a delivery.
        outcome: Option<String>,
    },
}

impl std::fmt::Display for Detail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = match self {
            Self::Password => "password",
            Self::SecondFactor => "second factor",
            Self::Factor(Factor::Totp) => "totp",
            Self::Factor(Factor::RecoveryCode) => "recovery code",
            Self::Passkey => "passkey",
            Self::SmsCode => "sms_code",
            Self::EmailCode => "email_code",
            Self::RememberedDevice => "remembered device",
            Self::Devices(count) => return write!(f, "{count} devices"),
            Self::PasskeyId(id) => return f.write_str(id),
            Self::Guarding(guarded) => guarded.text(),
            Self::Email => "email",
            Self::Sms => "sms",
            Self::ByLink => "by link",
            Self::BySignIn => "by sign-in",
            Self::ByPrimaryAccount => "by primary account",
            Self::FromAccountCentre => "from the account centre",
            Self::SubAccount => "sub-account",
            Self::WithPrimaryAccount => "with its primary account",
            Self::Kind(kind) => kind,
            Self::SessionsEnded(count) => return write!(f, "{count} sessions"),
            Self::SessionsEndedFor { count, reason } => return write!(f, "{count} sessions: {reason}"),
            Self::PolicyChange { before, after } => return write!(f, "{before} -> {after}"),
            Self::Message { purpose, outcome: None } => purpose,
            Self::Message { purpose, outcome: Some(outcome) } => return write!(f, "{purpose} ({outcome})"),
        };
        f.write_str(text)
    }
}

impl Guarded {
    fn text(self) -> &'static str {
        match self {
            Self::ChangePassword => "change password",
            Self::ChangeEmail => "change email",
            Self::ChangePhone => "change phone",
            Self::RequestDeletion => "request deletion",
            Self::AddPasskey => "add a passkey",
            Self::RemovePasskey => "remove a passkey",
            Self::EnrolTwoFactor => "enrol two-factor",
            Self::TurnTwoFactorOff => "turn two-factor off",
            Self::NewRecoveryCodes => "new recovery codes",
            Self::CreateSubAccount => "create sub-account",
            Self::SubmitVerification => "submit verification",
            Self::EnableSubAccount => "enable a sub-account",
            Self::RemoveSubAccount => "remove a sub-account",
            Self::ChangeSubAccountPolicy => "change the sub-account policy",
        }
    }
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
    /// Its [`Detail`]'s text, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// How a `signed_in` proved the person first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<SignInMethod>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The texts are kept and shown to operators: they must not drift.
    #[test]
    fn a_detail_reads_as_the_trail_has_always_shown_it() {
        let id = PasskeyId::parse(&"a".repeat(32)).unwrap();
        let message =
            |outcome: Option<&str>| Detail::Message { purpose: "invitation".into(), outcome: outcome.map(Into::into) };
        for (detail, text) in [
            (Detail::Factor(Factor::RecoveryCode), "recovery code"),
            (Detail::Guarding(Guarded::TurnTwoFactorOff), "turn two-factor off"),
            (Detail::SessionsEnded(3), "3 sessions"),
            (Detail::PasskeyId(id), "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
            (Detail::BySignIn, "by sign-in"),
            (message(None), "invitation"),
            (message(Some("Permanent")), "invitation (Permanent)"),
        ] {
            assert_eq!(detail.to_string(), text);
        }
    }
}
