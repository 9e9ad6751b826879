//! Answers of recovery appeals, the appellant's and the reviewer's.

use serde::Serialize;

use super::SubjectView;
use crate::clock::rfc3339;
use crate::domain::phone::mask_phone;
use crate::domain::records::{AppealQueueEntry, IdentityMatch};
use crate::domain::{AccountId, AppealId};
use crate::flows::appeal_review::AppealView;

#[cfg(feature = "schema")]
use schemars::JsonSchema;

/// `202` of a confirmed appeal.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct AppealConfirmed {
    /// Its id.
    pub appeal_id: AppealId,
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
    pub phone: Option<String>,
    /// When it signed up.
    pub created_at: String,
    /// Its latest sign-in in the last 30 days.
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
    pub decided_at: String,
    /// The operator who decided.
    pub decided_by: String,
}
