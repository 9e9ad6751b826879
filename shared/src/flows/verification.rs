//! Real-name verification: materials uploaded straight to document storage,
//! a submission checked (ID numbers and credit codes by their check
//! characters, every material uploaded, owned and of its declared type),
//! a review queue per status, and the operator's decision.

use std::collections::HashSet;
use std::time::Duration;

use serde::Serialize;

use super::accounts::{load, send_email};
use super::audit::{self, Actor, AuditEvent};
use super::authentication::Authenticated;
use super::lockout::{Proof, Reauthenticated, reauthenticate};
use super::{Committed, FlowError, Race};
use crate::app::App;
use crate::documents::{self, MAX_SIZE};
use crate::domain::account::VerificationStatus;
use crate::domain::records::Detail;
pub use crate::domain::records::{Material, QueueEntry, Subject, Verification};
use crate::domain::{Account, AccountId, AccountKind, Code, Input, MaterialId, Refusal};
use crate::metrics::Metric;
use crate::notify::templates::{Template, Var};
use crate::persistence::{Changes, Conflict, Limit};

/// How long an upload URL is valid.
pub const UPLOAD_URL_SECS: u64 = 900;
/// How long an operator's download URL is valid.
pub const DOWNLOAD_URL_SECS: u64 = 300;
/// A material not attached to a submission within this time is forgotten,
/// its bytes included.
pub const UNATTACHED_MATERIAL_SECS: i64 = 86_400;
/// Material slots an account may open a day.
const MATERIALS_PER_DAY: u64 = 20;

fn primary_only(account: &Account) -> Result<(), FlowError> {
    if account.kind == AccountKind::Primary { Ok(()) } else { Err(FlowError::Forbidden(Code::PrimaryAccountOnly)) }
}

/// Announces an upload: records the material and returns it with a URL that
/// accepts exactly its bytes.
pub async fn create_material(
    app: &App,
    account: &Account,
    file_name: String,
    content_type: String,
    size: u64,
) -> Result<(Material, String), FlowError> {
    primary_only(account)?;
    let now = app.clock.now();
    let slots = app.counters().count(Limit::MaterialsPerDay(&account.account_id), now + 86_400).await?;
    if slots.count > MATERIALS_PER_DAY {
        return Err(FlowError::RateLimited { code: Code::RateLimited, retry_after: (slots.expires_at - now).max(1) });
    }
    if let Err(e) = app.documents.forget_stale_uploads(UNATTACHED_MATERIAL_SECS).await {
        tracing::warn!(error = %e, "stale uploads not swept");
    }
    let material_id = MaterialId::new(app.random.as_ref());
    let object_key = documents::upload_key(&account.account_id, &material_id);
    let material = Material { material_id, file_name, content_type, size, object_key, created_at: now };
    let url = app
        .documents
        .upload_url(&material.object_key, &material.content_type, size, Duration::from_secs(UPLOAD_URL_SECS))
        .await?;
    let mut changes = Changes::new();
    changes.create_material(&account.account_id, &material, now + UNATTACHED_MATERIAL_SECS);
    app.records().commit(changes).await?;
    Ok((material, url))
}

/// Checks every material of a submission and freezes its bytes: each upload
/// is copied out of reach of its upload URL and the copy is what is checked
/// and kept. Returns the changes that keep the materials, pointing at their
/// copies, and their ids, or every failure as a field error on
/// `material_ids[i]`.
async fn check_materials(
    app: &App,
    account_id: &AccountId,
    ids: &[String],
) -> Result<(Changes, Vec<MaterialId>), FlowError> {
    let distinct: HashSet<&String> = ids.iter().collect();
    if ids.is_empty() || ids.len() > 10 || distinct.len() != ids.len() {
        return Err(FlowError::refused(Input::Materials, Code::MaterialsCount));
    }
    let mut keep = Changes::new();
    let mut kept = Vec::new();
    let mut errors = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let field = Input::Material(i);
        // Only the caller's own partition is looked in: another account's
        // material is simply not found.
        let id = MaterialId::parse(id);
        let found = match &id {
            Some(id) => app.records().material(account_id, id).await?,
            None => None,
        };
        let (Some(id), Some(stored)) = (id, found) else {
            errors.push(Refusal::new(field, Code::MaterialNotFound));
            continue;
        };
        let mut material = stored.record.clone();
        let frozen = documents::submitted_key(account_id, &id);
        if material.object_key != frozen {
            if !app.documents.copy(&material.object_key, &frozen).await? {
                errors.push(Refusal::new(field, Code::MaterialNotUploaded));
                continue;
            }
            material.object_key = frozen;
        }
        match app.documents.inspect(&material.object_key).await? {
            Some(object) if object.size == material.size && object.size <= MAX_SIZE => {
                if documents::looks_like(&material.content_type, &object.head) {
                    keep.keep_material(&stored, &material);
                    kept.push(id);
                } else {
                    errors.push(Refusal::new(field, Code::MaterialTypeMismatch));
                }
            }
            _ => errors.push(Refusal::new(field, Code::MaterialNotUploaded)),
        }
    }
    if errors.is_empty() { Ok((keep, kept)) } else { Err(FlowError::Validation(errors)) }
}

/// Submits (or, after a rejection, resubmits) a verification, re-checking
/// the person first when `proof` is given (the pages always give it):
/// only a re-checked submission counts for recovery appeals.
pub async fn submit(
    app: &App,
    signed_in: &Authenticated,
    subject: Subject,
    material_ids: Vec<String>,
    proof: Option<Proof<'_>>,
) -> Result<VerificationStatus, FlowError> {
    primary_only(&signed_in.account)?;
    let rechecked = proof.is_some();
    let checked = match proof {
        Some(proof) => reauthenticate(app, signed_in, proof).await?,
        None => Reauthenticated::session_only(app, signed_in).await?,
    };
    let mut account = checked.account();
    match account.verification_status {
        VerificationStatus::PendingReview => return Err(FlowError::Conflicting(Code::VerificationPending)),
        VerificationStatus::Approved => return Err(FlowError::Conflicting(Code::VerificationApproved)),
        VerificationStatus::Unverified | VerificationStatus::Rejected => {}
    }
    let previous = current(app, &account.account_id).await?;
    let (materials, material_ids) = check_materials(app, &account.account_id, &material_ids).await?;
    let now = app.clock.now();
    let verification = Verification {
        account_id: account.account_id.clone(),
        status: VerificationStatus::PendingReview,
        subject,
        material_ids,
        submitted_at: now,
        decided_at: None,
        reason: None,
        decided_by: None,
        rechecked,
    };
    let entry = QueueEntry {
        account_id: account.account_id.clone(),
        username: account.username.clone(),
        kind: verification.subject.kind().to_owned(),
        submitted_at: now,
    };
    account.verification_status = VerificationStatus::PendingReview;
    let mut changes = Changes::new();
    checked.write(&mut changes, &account);
    // A rejected submission's queue entry goes: one entry per account.
    if let Some(previous) = previous {
        changes.unqueue_verification(&previous);
    }
    changes.put_verification(&verification).enqueue(VerificationStatus::PendingReview, &entry);
    let detail = Some(Detail::Kind(verification.subject.kind()));
    audit::add(app, &mut changes, &account.account_id, AuditEvent::VerificationSubmitted, Actor::Customer, detail);
    // Attached materials are kept (pointing at their frozen copies) for as
    // long as the submission.
    changes.extend(materials);
    // A concurrent submission got there first.
    let first = FlowError::Conflicting(Code::VerificationPending);
    app.records().commit(changes).await.answering([(Race::On(Conflict::AccountChanged), first)])?;
    app.count(Metric::VerificationSubmitted);
    Ok(VerificationStatus::PendingReview)
}

/// The account's latest submission, if any.
pub async fn current(app: &App, account_id: &AccountId) -> Result<Option<Verification>, FlowError> {
    Ok(app.records().verification(account_id).await?)
}

/// A submission's material with a short-lived download URL.
#[derive(Debug, Clone, Serialize)]
pub struct MaterialDownload {
    /// The material.
    #[serde(flatten)]
    pub material: Material,
    /// Where an operator can fetch it.
    pub download_url: String,
    /// Seconds the URL stays valid.
    pub expires_in: u64,
}

/// The submission of `account_id` in full, with download URLs, for
/// `operator`: a read of personal data, audited before anything is shown.
pub async fn for_review(
    app: &App,
    account_id: &AccountId,
    operator: &str,
) -> Result<(Verification, Vec<MaterialDownload>), FlowError> {
    let verification = current(app, account_id).await?.ok_or(FlowError::NotFound(Code::NoVerification))?;
    audit::record_operator(app, account_id, AuditEvent::VerificationViewed, operator).await?;
    let mut downloads = Vec::new();
    for id in &verification.material_ids {
        let Some(material) = app.records().material(account_id, id).await?.map(|stored| stored.record) else {
            continue;
        };
        let download_url =
            app.documents.download_url(&material.object_key, Duration::from_secs(DOWNLOAD_URL_SECS)).await?;
        downloads.push(MaterialDownload { material, download_url, expires_in: DOWNLOAD_URL_SECS });
    }
    Ok((verification, downloads))
}

/// An operator's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Verified.
    Approve,
    /// Not verified; a reason is required.
    Reject,
}

/// Decides a pending verification and emails the customer.
pub async fn decide(
    app: &App,
    account_id: &AccountId,
    decision: Decision,
    reason: Option<String>,
    operator: &str,
) -> Result<Verification, FlowError> {
    let stored = load(app, account_id).await?.ok_or(FlowError::NotFound(Code::AccountNotFound))?;
    let mut account = stored.record.clone();
    let mut verification = current(app, account_id).await?.ok_or(FlowError::NotFound(Code::NoVerification))?;
    if verification.status != VerificationStatus::PendingReview {
        return Err(FlowError::Conflicting(Code::VerificationNotPending));
    }
    let now = app.clock.now();
    let (status, event) = match decision {
        Decision::Approve => (VerificationStatus::Approved, AuditEvent::VerificationApproved),
        Decision::Reject => (VerificationStatus::Rejected, AuditEvent::VerificationRejected),
    };
    let pending = verification.clone();
    verification.status = status;
    verification.decided_at = Some(now);
    verification.reason = reason;
    verification.decided_by = Some(operator.to_owned());
    account.verification_status = status;
    let entry = QueueEntry {
        account_id: account_id.clone(),
        username: account.username.clone(),
        kind: verification.subject.kind().to_owned(),
        submitted_at: verification.submitted_at,
    };
    let mut changes = Changes::new();
    changes.update_account(&stored, &account).put_verification(&verification).requeue(pending.status, status, &entry);
    audit::add(app, &mut changes, account_id, event, Actor::Operator(operator.to_owned()), None);
    // Another operator decided first.
    let decided_first = FlowError::Conflicting(Code::VerificationNotPending);
    app.records().commit(changes).await.answering([(Race::Any, decided_first)])?;
    app.count(Metric::VerificationDecided);
    let template = match decision {
        Decision::Approve => Template::VerificationApproved,
        Decision::Reject => Template::VerificationRejected,
    };
    let reason = verification.reason.clone().unwrap_or_default();
    // In the customer's language, not the operator's.
    send_email(app, &account, template, account.language, None, &[(Var::Reason, &reason)]).await;
    Ok(verification)
}
