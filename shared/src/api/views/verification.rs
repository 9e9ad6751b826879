//! Answers of real-name verification, the customer's and the reviewer's.

use serde::Serialize;

use crate::clock::rfc3339;
use crate::domain::records::{Subject, Verification};
use crate::domain::{AccountId, MaterialId, account::VerificationStatus};
use crate::flows::verification::{MaterialDownload, QueueEntry};

#[cfg(feature = "schema")]
use schemars::JsonSchema;

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
