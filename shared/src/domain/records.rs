//! The records the table holds, as the flows read and write them. Their
//! keys and item shapes are the persistence layer's (`persistence`); the
//! account itself is in `domain::account`.

use serde::{Deserialize, Serialize};

use crate::domain::account::{DeletionStatus, VerificationStatus};
use crate::domain::{Account, AccountId, AppealId, Email, MaterialId, PasskeyId, RequestId, Username, identity};

/// A uniqueness guard item: which account holds a username, email or phone.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Guard {
    /// The holder.
    pub account_id: AccountId,
}

/// A deletion request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletionRequest {
    /// Opaque id.
    pub request_id: RequestId,
    /// The account to delete.
    pub account_id: AccountId,
    /// Where it stands.
    pub status: DeletionStatus,
    /// Unix seconds.
    pub requested_at: i64,
    /// The customer's reason, if given.
    pub reason: Option<String>,
    /// Unix seconds of the decision.
    pub decided_at: Option<i64>,
    /// The operator's note.
    pub note: Option<String>,
    /// The operator who decided.
    pub decided_by: Option<String>,
}

/// A row of a deletion queue; an approved one keeps no username.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletionQueueEntry {
    /// The request.
    pub request_id: RequestId,
    /// The account.
    pub account_id: AccountId,
    /// Its username while the account exists.
    pub username: Option<Username>,
    /// Unix seconds.
    pub requested_at: i64,
}

/// Finds a request's account by request id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RequestLookup {
    /// The account.
    pub account_id: AccountId,
}

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

/// The index entry under the primary account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubAccountLink {
    /// The sub-account.
    pub account_id: AccountId,
    /// Its username.
    pub username: Username,
}

impl SubAccountLink {
    /// The entry of `sub_account`.
    pub fn of(sub_account: &Account) -> Self {
        Self { account_id: sub_account.account_id.clone(), username: sub_account.username.clone() }
    }
}

/// An uploaded (or announced) document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Material {
    /// Opaque id.
    pub material_id: MaterialId,
    /// The name the customer's file had (display only; never a path).
    pub file_name: String,
    /// Declared content type.
    pub content_type: String,
    /// Declared size in bytes.
    pub size: u64,
    /// Where the bytes are, chosen by the server: the upload key until the
    /// material is submitted, then the submitted copy's.
    pub object_key: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// What a customer verifies as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Subject {
    /// A person.
    Individual {
        /// Legal name.
        real_name: String,
        /// `cn_resident_id` or `passport`.
        id_type: String,
        /// The document's number.
        id_number: String,
    },
    /// A company.
    Enterprise {
        /// Registered name.
        company_name: String,
        /// Unified social credit code.
        credit_code: String,
        /// Legal representative's name.
        legal_representative: String,
    },
}

impl Subject {
    /// `individual` or `enterprise`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Individual { .. } => "individual",
            Self::Enterprise { .. } => "enterprise",
        }
    }

    /// The subject with its identifying numbers and names masked, for lists.
    pub fn masked(&self) -> Self {
        match self {
            Self::Individual { real_name, id_type, id_number } => Self::Individual {
                real_name: identity::mask_name(real_name),
                id_type: id_type.clone(),
                id_number: identity::mask(id_number, 3, 4),
            },
            Self::Enterprise { company_name, credit_code, legal_representative } => Self::Enterprise {
                company_name: company_name.clone(),
                credit_code: identity::mask(credit_code, 2, 4),
                legal_representative: identity::mask_name(legal_representative),
            },
        }
    }
}

/// The stored submission of an account (the latest one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// The account.
    pub account_id: AccountId,
    /// Pending, approved or rejected.
    pub status: VerificationStatus,
    /// Who is verified.
    pub subject: Subject,
    /// Attached materials.
    pub material_ids: Vec<MaterialId>,
    /// Unix seconds.
    pub submitted_at: i64,
    /// Unix seconds of the decision.
    pub decided_at: Option<i64>,
    /// Why it was rejected (or an approval's note).
    pub reason: Option<String>,
    /// The operator who decided.
    pub decided_by: Option<String>,
    /// Whether the person re-entered the password (and, while MFA was on, a
    /// code) to submit it. Recovery appeals trust only such a submission:
    /// one made with a session alone may be a stolen session's (0043).
    #[serde(default)]
    pub rechecked: bool,
}

/// A row of a review queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueEntry {
    /// The account.
    pub account_id: AccountId,
    /// Its username.
    pub username: Username,
    /// `individual` or `enterprise`.
    pub kind: String,
    /// Unix seconds.
    pub submitted_at: i64,
}

/// An approved deletion whose erase has not finished yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureUnderWay {
    /// The account being erased.
    pub account_id: AccountId,
    /// Unix seconds of the approval.
    pub since: i64,
}

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
