//! The answers of the routes, as typed values: each is what its route's
//! success response carries, field for field, as the contract and
//! `openapi.yaml` describe it (a surface test holds each type to the
//! schema its route declares there, through `schemars` with the `schema`
//! feature). Times are RFC 3339 strings; enums travel as their wire names.

use serde::Serialize;

use crate::clock::rfc3339;
use crate::domain::phone::mask_phone;
use crate::domain::records::{
    Actor, AppealQueueEntry, AuditEvent, AuditRecord, DeletionQueueEntry, IdentityMatch, Passkey, Subject, Verification,
};
use crate::domain::{
    Account, AccountId, AccountKind, AccountStatus, AppealId, ChallengeId, MaterialId, PasskeyId, RegistrationId,
    RequestId, SessionId, account::VerificationStatus,
};
use crate::flows::appeal_review::AppealView;
use crate::flows::deletion::DeletionRequest;
use crate::flows::sessions::SessionView;
use crate::flows::verification::{MaterialDownload, QueueEntry};
use crate::persistence::Cursor;

#[cfg(feature = "schema")]
use schemars::JsonSchema;

/// `204 No Content`: no body at all.
#[derive(Debug, Clone, Copy, Default)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct NoContent;

/// `{}`: an answer that says only that the request was taken.
#[derive(Debug, Clone, Copy, Default, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Empty {}

/// `202` after an SMS code went out.
#[derive(Debug, Clone, Copy, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct CodeSent {
    /// Seconds the code stays valid.
    pub expires_in: i64,
    /// Seconds until another may be asked for.
    pub retry_after: i64,
}

/// `200`: the regions whose mobile numbers get SMS, for the pages' region
/// picker (the first is the default).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct SmsRegionList {
    /// In the order of `ACCOUNTS_SMS_REGIONS`.
    pub regions: Vec<SmsRegion>,
}

/// One region of [`SmsRegionList`].
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct SmsRegion {
    /// ISO 3166 alpha-2 code.
    pub region: String,
    /// The country calling code, without `+`.
    pub calling_code: u16,
    /// The national trunk prefix (`0` in China), dropped when a national
    /// number is written in E.164; `null` if the region has none.
    pub national_prefix: Option<String>,
}

/// `201` for a new (pending) account or sub-account.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct AccountCreated {
    /// Its id.
    pub account_id: AccountId,
    /// Its username.
    pub username: String,
    /// `pending_activation`.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub status: AccountStatus,
}

impl From<&Account> for AccountCreated {
    fn from(account: &Account) -> Self {
        Self {
            account_id: account.account_id.clone(),
            username: account.username.as_str().to_owned(),
            status: account.status,
        }
    }
}

/// Where real-name verification stands, in the account's view.
#[derive(Debug, Clone, Copy, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct VerificationState {
    /// `unverified`, `pending_review`, `approved` or `rejected`.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub status: VerificationStatus,
}

/// Two-factor sign-in, in the account's view.
#[derive(Debug, Clone, Copy, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct MfaState {
    /// Whether TOTP is on.
    pub totp: bool,
    /// Recovery codes not used yet.
    pub recovery_codes_left: usize,
}

/// The account as `GET /v1/me` and a new session show it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct AccountView {
    /// Its id.
    pub account_id: AccountId,
    /// Its username.
    pub username: String,
    /// Its email, as given.
    pub email: String,
    /// Its phone (E.164), if any.
    #[cfg_attr(feature = "schema", schemars(required))]
    pub phone: Option<String>,
    /// The organisation given at sign-up.
    #[cfg_attr(feature = "schema", schemars(required))]
    pub organization: Option<String>,
    /// `primary` or `sub`.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub kind: AccountKind,
    /// `pending_activation`, `active` or `deleting`.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub status: AccountStatus,
    /// Real-name verification.
    pub verification: VerificationState,
    /// Two-factor sign-in.
    pub mfa: MfaState,
    /// When it signed up.
    pub created_at: String,
}

impl From<&Account> for AccountView {
    fn from(account: &Account) -> Self {
        Self {
            account_id: account.account_id.clone(),
            username: account.username.as_str().to_owned(),
            email: account.email.as_str().to_owned(),
            phone: account.phone.as_ref().map(|p| p.as_str().to_owned()),
            organization: account.organization.clone(),
            kind: account.kind,
            status: account.status,
            verification: VerificationState { status: account.verification_status },
            mfa: MfaState {
                totp: account.mfa.is_some(),
                recovery_codes_left: account.mfa.as_ref().map_or(0, |mfa| mfa.recovery_codes.len()),
            },
            created_at: rfc3339(account.created_at),
        }
    }
}

/// `201` of a sign-in: the session's token (also set as the cookie).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct SessionCreated {
    /// The bearer token.
    pub token: String,
    /// When it ends whatever its use.
    pub expires_at: String,
    /// The signed-in account.
    pub account: AccountView,
}

/// `200` of a sign-in with two-factor sign-in on: no session yet.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct MfaRequired {
    /// Always `true`.
    pub mfa_required: bool,
    /// The token of the second step.
    pub mfa_token: String,
    /// Seconds it stays valid.
    pub expires_in: i64,
}

/// `POST /v1/password/link`: whose link it is, without using it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct LinkInfo {
    /// `activate` or `reset`.
    pub purpose: &'static str,
    /// Whose link it is.
    pub username: String,
    /// The account's phone, masked.
    #[cfg_attr(feature = "schema", schemars(required))]
    pub phone: Option<String>,
    /// When it stops working.
    pub expires_at: String,
}

/// A whole list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Items<T> {
    /// The items.
    pub items: Vec<T>,
}

/// A page of an operator's list, and the cursor of the next page.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct PageOf<T> {
    /// The items.
    pub items: Vec<T>,
    /// Pass as `after` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

impl<T> PageOf<T> {
    /// A page whose next starts at `next`.
    pub fn new(items: Vec<T>, next: Option<&Cursor>) -> Self {
        Self { items, next: next.map(Cursor::as_param) }
    }
}

/// A session in the account centre's list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct SessionItem {
    /// Its public id (not the token).
    pub session_id: SessionId,
    /// Sign-in time.
    pub created_at: String,
    /// Last use (to within a minute).
    pub last_seen_at: String,
    /// The client IP at sign-in.
    pub ip: String,
    /// The user agent at sign-in.
    pub user_agent: String,
    /// Whether it is the session asking.
    pub current: bool,
}

impl From<&SessionView> for SessionItem {
    fn from(session: &SessionView) -> Self {
        Self {
            session_id: session.session_id.clone(),
            created_at: rfc3339(session.created_at),
            last_seen_at: rfc3339(session.last_seen_at),
            ip: session.ip.clone(),
            user_agent: session.user_agent.clone(),
            current: session.current,
        }
    }
}

/// A passkey registration begun: the options for
/// `PublicKeyCredential.parseCreationOptionsFromJSON`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct PasskeyRegistration {
    /// What `POST /v1/me/passkeys` names.
    pub registration_id: RegistrationId,
    /// `PublicKeyCredentialCreationOptions` as JSON.
    pub options: serde_json::Value,
}

/// A passkey sign-in begun: the options for
/// `PublicKeyCredential.parseRequestOptionsFromJSON`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct PasskeyChallenge {
    /// What `POST /v1/sessions/passkey` names.
    pub challenge_id: ChallengeId,
    /// `PublicKeyCredentialRequestOptions` as JSON.
    pub options: serde_json::Value,
}

/// A passkey just added.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct PasskeyCreated {
    /// Its id.
    pub passkey_id: PasskeyId,
    /// Its name.
    pub name: String,
    /// When it was added.
    pub created_at: String,
}

impl From<&Passkey> for PasskeyCreated {
    fn from(passkey: &Passkey) -> Self {
        Self {
            passkey_id: passkey.passkey_id.clone(),
            name: passkey.name.clone(),
            created_at: rfc3339(passkey.created_at),
        }
    }
}

/// A passkey in the account centre's list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct PasskeyItem {
    /// Its id.
    pub passkey_id: PasskeyId,
    /// Its name.
    pub name: String,
    /// When it was added.
    pub created_at: String,
    /// When it last signed in, if ever.
    pub last_used_at: Option<String>,
    /// Whether it is backed up (synced between devices).
    pub backed_up: bool,
}

impl From<&Passkey> for PasskeyItem {
    fn from(passkey: &Passkey) -> Self {
        Self {
            passkey_id: passkey.passkey_id.clone(),
            name: passkey.name.clone(),
            created_at: rfc3339(passkey.created_at),
            last_used_at: passkey.last_used_at.map(rfc3339),
            backed_up: passkey.backed_up,
        }
    }
}

/// A sub-account in its primary account's list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct SubAccountItem {
    /// Its id.
    pub account_id: AccountId,
    /// Its username.
    pub username: String,
    /// Its email.
    pub email: String,
    /// Its phone, if any.
    pub phone: Option<String>,
    /// `pending_activation` or `active`.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub status: AccountStatus,
    /// When it was created.
    pub created_at: String,
}

impl From<&Account> for SubAccountItem {
    fn from(account: &Account) -> Self {
        Self {
            account_id: account.account_id.clone(),
            username: account.username.as_str().to_owned(),
            email: account.email.as_str().to_owned(),
            phone: account.phone.as_ref().map(|p| p.as_str().to_owned()),
            status: account.status,
            created_at: rfc3339(account.created_at),
        }
    }
}

/// `201` of TOTP enrolment: the secret to type or scan.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Enrolment {
    /// The secret, base32.
    pub secret: String,
    /// The `otpauth://` URI.
    pub otpauth_uri: String,
    /// A QR code of the URI, as SVG.
    pub qr_svg: String,
}

/// Recovery codes, shown once.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct RecoveryCodes {
    /// Ten codes, each working once.
    pub recovery_codes: Vec<String>,
}

/// `201` of a material slot: where to PUT the bytes.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct MaterialCreated {
    /// Its id, to name in the submission.
    pub material_id: MaterialId,
    /// Where to PUT the bytes.
    pub upload_url: String,
    /// `PUT`.
    pub upload_method: &'static str,
    /// The headers the upload must carry.
    pub upload_headers: UploadHeaders,
    /// Seconds the URL stays valid.
    pub expires_in: u64,
}

/// The headers of a material's upload.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct UploadHeaders {
    /// The declared content type.
    #[serde(rename = "content-type")]
    pub content_type: String,
}

/// `202` of a submission (or a deletion request): where it stands.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Status {
    /// `pending_review`.
    pub status: &'static str,
}

/// `GET /v1/me/verification`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct VerificationStatusView {
    /// Where it stands.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub status: VerificationStatus,
    /// `individual` or `enterprise`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    /// When it was submitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<String>,
    /// When it was decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
    /// Why it was rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl From<Option<&Verification>> for VerificationStatusView {
    fn from(submission: Option<&Verification>) -> Self {
        match submission {
            None => Self {
                status: VerificationStatus::Unverified,
                kind: None,
                submitted_at: None,
                decided_at: None,
                reason: None,
            },
            Some(v) => Self {
                status: v.status,
                kind: Some(v.subject.kind()),
                submitted_at: Some(rfc3339(v.submitted_at)),
                decided_at: v.decided_at.map(rfc3339),
                reason: v.reason.clone(),
            },
        }
    }
}

/// `202` of a deletion request.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct DeletionCreated {
    /// Its id.
    pub request_id: RequestId,
    /// `pending_review`.
    pub status: &'static str,
}

/// A deletion request, as its owner and operators see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct DeletionView {
    /// Its id.
    pub request_id: RequestId,
    /// The account.
    pub account_id: AccountId,
    /// Where it stands.
    pub status: &'static str,
    /// When it was made.
    pub requested_at: String,
    /// When it was decided.
    pub decided_at: Option<String>,
    /// The operator's note.
    pub note: Option<String>,
}

impl From<&DeletionRequest> for DeletionView {
    fn from(request: &DeletionRequest) -> Self {
        Self {
            request_id: request.request_id.clone(),
            account_id: request.account_id.clone(),
            status: request.status.as_str(),
            requested_at: rfc3339(request.requested_at),
            decided_at: request.decided_at.map(rfc3339),
            note: request.note.clone(),
        }
    }
}

/// `202` of a confirmed appeal.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct AppealConfirmed {
    /// Its id.
    pub appeal_id: AppealId,
}

/// The subject of a submission, its fields flat as the contract has them.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct SubjectView {
    /// `individual` or `enterprise`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// An individual's legal name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub real_name: Option<String>,
    /// `cn_resident_id` or `passport`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_type: Option<String>,
    /// The document's number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
    /// A company's registered name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    /// Its unified social credit code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit_code: Option<String>,
    /// Its legal representative.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legal_representative: Option<String>,
}

impl From<&Subject> for SubjectView {
    fn from(subject: &Subject) -> Self {
        let none = Self {
            kind: subject.kind(),
            real_name: None,
            id_type: None,
            id_number: None,
            company_name: None,
            credit_code: None,
            legal_representative: None,
        };
        match subject.clone() {
            Subject::Individual { real_name, id_type, id_number } => {
                Self { real_name: Some(real_name), id_type: Some(id_type), id_number: Some(id_number), ..none }
            }
            Subject::Enterprise { company_name, credit_code, legal_representative } => Self {
                company_name: Some(company_name),
                credit_code: Some(credit_code),
                legal_representative: Some(legal_representative),
                ..none
            },
        }
    }
}

/// A submission as operators see it: masked in an account's overview, in
/// full on the review page (with its materials).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct SubmissionView {
    /// Who is verified.
    #[serde(flatten)]
    pub subject: SubjectView,
    /// The account.
    pub account_id: AccountId,
    /// Where it stands.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub status: VerificationStatus,
    /// When it was submitted.
    pub submitted_at: String,
    /// When it was decided.
    pub decided_at: Option<String>,
    /// Why it was rejected (or an approval's note).
    pub reason: Option<String>,
    /// The operator who decided.
    pub decided_by: Option<String>,
    /// Its materials' ids.
    pub material_ids: Vec<MaterialId>,
    /// Whether the person re-entered the password to submit it (only such
    /// a submission counts for recovery appeals).
    pub rechecked: bool,
    /// Its materials with download URLs (the review page only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub materials: Option<Vec<MaterialView>>,
}

impl SubmissionView {
    /// `v` with its numbers and names masked (`masked`) or in full.
    pub fn of(v: &Verification, masked: bool) -> Self {
        let subject = if masked { v.subject.masked() } else { v.subject.clone() };
        Self {
            subject: SubjectView::from(&subject),
            account_id: v.account_id.clone(),
            status: v.status,
            submitted_at: rfc3339(v.submitted_at),
            decided_at: v.decided_at.map(rfc3339),
            reason: v.reason.clone(),
            decided_by: v.decided_by.clone(),
            material_ids: v.material_ids.clone(),
            rechecked: v.rechecked,
            materials: None,
        }
    }
}

/// A material of a submission under review, with a short-lived URL.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct MaterialView {
    /// Its id.
    pub material_id: MaterialId,
    /// The customer's file name (display only).
    pub file_name: String,
    /// Its declared content type.
    pub content_type: String,
    /// Its size in bytes.
    pub size: u64,
    /// Where an operator fetches it.
    pub download_url: String,
    /// Seconds the URL stays valid.
    pub expires_in: u64,
}

impl From<&MaterialDownload> for MaterialView {
    fn from(download: &MaterialDownload) -> Self {
        Self {
            material_id: download.material.material_id.clone(),
            file_name: download.material.file_name.clone(),
            content_type: download.material.content_type.clone(),
            size: download.material.size,
            download_url: download.download_url.clone(),
            expires_in: download.expires_in,
        }
    }
}

/// A deletion request's state, in an operator's account view.
#[derive(Debug, Clone, Copy, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct DeletionState {
    /// `none`, `pending_review`, `approved` or `rejected`.
    pub status: &'static str,
}

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
    #[cfg_attr(feature = "schema", schemars(required))]
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
            verification: match verification {
                Some(v) => OperatorVerification::Submitted(Box::new(SubmissionView::of(v, true))),
                None => OperatorVerification::Unverified(VerificationState { status: VerificationStatus::Unverified }),
            },
        }
    }
}

/// A row of a review queue.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct VerificationRow {
    /// The account.
    pub account_id: AccountId,
    /// Its username.
    pub username: String,
    /// `individual` or `enterprise`.
    #[serde(rename = "type")]
    pub kind: String,
    /// When it was submitted.
    pub submitted_at: String,
}

impl From<&QueueEntry> for VerificationRow {
    fn from(entry: &QueueEntry) -> Self {
        Self {
            account_id: entry.account_id.clone(),
            username: entry.username.as_str().to_owned(),
            kind: entry.kind.clone(),
            submitted_at: rfc3339(entry.submitted_at),
        }
    }
}

/// A row of a deletion queue (no username once approved).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct DeletionRow {
    /// The request.
    pub request_id: RequestId,
    /// The account.
    pub account_id: AccountId,
    /// Its username while the account exists.
    pub username: Option<String>,
    /// When it was made.
    pub requested_at: String,
}

impl From<&DeletionQueueEntry> for DeletionRow {
    fn from(entry: &DeletionQueueEntry) -> Self {
        Self {
            request_id: entry.request_id.clone(),
            account_id: entry.account_id.clone(),
            username: entry.username.as_ref().map(|u| u.as_str().to_owned()),
            requested_at: rfc3339(entry.requested_at),
        }
    }
}

/// A row of an appeal queue: the contact email masked.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct AppealRow {
    /// The appeal.
    pub appeal_id: AppealId,
    /// The account it names.
    pub account_id: AccountId,
    /// Its username.
    pub username: String,
    /// When it was filed.
    pub submitted_at: String,
    /// The contact email, masked.
    pub contact_email: String,
    /// The identity given against the account's verification.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub identity_match: IdentityMatch,
    /// When an approved appeal takes effect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_at: Option<String>,
}

impl From<&AppealQueueEntry> for AppealRow {
    fn from(entry: &AppealQueueEntry) -> Self {
        Self {
            appeal_id: entry.appeal_id.clone(),
            account_id: entry.account_id.clone(),
            username: entry.username.as_str().to_owned(),
            submitted_at: rfc3339(entry.submitted_at),
            contact_email: entry.contact_email.clone(),
            identity_match: entry.identity_match,
            effective_at: entry.effective_at.map(rfc3339),
        }
    }
}

/// The account's side of an appeal, as operators see it before deciding.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct AppealAccount {
    /// Its id.
    pub account_id: AccountId,
    /// Its username.
    pub username: String,
    /// Its email, masked.
    pub email: String,
    /// Its phone, masked.
    #[cfg_attr(feature = "schema", schemars(required))]
    pub phone: Option<String>,
    /// When it signed up.
    pub created_at: String,
    /// Its latest sign-in in the last 30 days.
    #[cfg_attr(feature = "schema", schemars(required))]
    pub last_sign_in_at: Option<String>,
    /// Whether two-factor sign-in is on.
    pub mfa: bool,
    /// Appeals naming it before this one.
    pub previous_appeals: usize,
}

/// `GET /ops/v1/appeals/{appeal_id}`: the whole appeal, its identity in
/// full, and the account's side.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct AppealDetail {
    /// Its id.
    pub appeal_id: AppealId,
    /// Where it stands.
    pub status: &'static str,
    /// When it was filed.
    pub submitted_at: String,
    /// When an approved appeal takes effect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_at: Option<String>,
    /// When it was decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
    /// The operator who decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    /// The operator's note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The appellant's contact email, in full.
    pub contact_email: String,
    /// The appellant's story.
    pub description: String,
    /// An individual's name, as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub real_name: Option<String>,
    /// An individual's ID number, in full.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
    /// A company's name, as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    /// A company's credit code, as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit_code: Option<String>,
    /// The identity given against the account's verification.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub identity_match: IdentityMatch,
    /// The account's side.
    pub account: AppealAccount,
}

impl From<&AppealView> for AppealDetail {
    fn from(view: &AppealView) -> Self {
        let appeal = &view.appeal;
        let account = &view.account;
        let given = appeal.identity.as_ref().map(SubjectView::from);
        let given = |field: fn(&SubjectView) -> Option<String>| given.as_ref().and_then(field);
        Self {
            appeal_id: appeal.appeal_id.clone(),
            status: appeal.status.as_str(),
            submitted_at: rfc3339(appeal.submitted_at),
            effective_at: appeal.effective_at.map(rfc3339),
            decided_at: appeal.decided_at.map(rfc3339),
            decided_by: appeal.decided_by.clone(),
            note: appeal.note.clone(),
            contact_email: appeal.contact_email.as_str().to_owned(),
            description: appeal.description.clone(),
            real_name: given(|s| s.real_name.clone()),
            id_number: given(|s| s.id_number.clone()),
            company_name: given(|s| s.company_name.clone()),
            credit_code: given(|s| s.credit_code.clone()),
            identity_match: view.identity_match,
            account: AppealAccount {
                account_id: account.account_id.clone(),
                username: account.username.as_str().to_owned(),
                email: account.email.masked(),
                phone: account.phone.as_ref().map(|p| mask_phone(p.as_str())),
                created_at: rfc3339(account.created_at),
                last_sign_in_at: view.last_sign_in_at.map(rfc3339),
                mfa: account.mfa.is_some(),
                previous_appeals: view.previous_appeals,
            },
        }
    }
}

/// `200` of an appeal's decision.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct AppealDecided {
    /// The appeal.
    pub appeal_id: AppealId,
    /// `approved` or `rejected`.
    pub status: &'static str,
    /// When an approved appeal takes effect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_at: Option<String>,
    /// When it was decided.
    pub decided_at: Option<String>,
    /// The operator who decided.
    pub decided_by: Option<String>,
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
