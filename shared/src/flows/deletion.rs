//! Account deletion: the customer asks (re-entering the password), an
//! operator decides. Approval erases the account for real — sessions,
//! profile, guards (so username, email and phone are free again), codes,
//! materials in the table and the bucket, queue entries, and its
//! sub-accounts — leaving only the audit trail, which holds no personal
//! data. Every erase step is idempotent and the profile goes last, so an
//! interrupted deletion is finished by deciding it again.

use super::accounts::{load, send_email};
use super::audit::{self, Actor, AuditEvent};
use super::authentication::Authenticated;
use super::lockout::{Proof, reauthenticate};
use super::{Committed, FlowError, Race, erasure};
use crate::app::App;
use crate::domain::account::DeletionStatus;
pub use crate::domain::records::{DeletionQueueEntry, DeletionRequest};
use crate::domain::records::{ErasureUnderWay, Guarded};
use crate::domain::{Account, AccountId, AccountKind, AccountStatus, Code, RequestId};
use crate::i18n::Lang;
use crate::metrics::Metric;
use crate::notify::templates::Template;
use crate::persistence::{Changes, Conflict};
use secrecy::SecretString;

/// Asks for the deletion of the signed-in primary account, after the
/// re-check of the person (the password, and a code while two-factor
/// sign-in is on).
pub async fn request(
    app: &App,
    current: &Authenticated,
    password: &SecretString,
    code: Option<&SecretString>,
    reason: Option<String>,
    lang: Lang,
) -> Result<DeletionRequest, FlowError> {
    if current.account.kind != AccountKind::Primary {
        return Err(FlowError::Forbidden(Code::PrimaryAccountOnly));
    }
    let proof = Proof { password: Some(password), code, action: Guarded::RequestDeletion };
    let checked = reauthenticate(app, current, proof).await?;
    let mut account = checked.account();
    if account.deletion_status == DeletionStatus::PendingReview {
        return Err(FlowError::Conflicting(Code::DeletionPending));
    }
    let now = app.clock.now();
    let request = DeletionRequest {
        request_id: RequestId::new(app.random.as_ref()),
        account_id: account.account_id.clone(),
        status: DeletionStatus::PendingReview,
        requested_at: now,
        reason,
        decided_at: None,
        note: None,
        decided_by: None,
    };
    let entry = queue_entry(&request, Some(&account));
    account.deletion_status = DeletionStatus::PendingReview;
    let mut changes = Changes::new();
    checked.write(&mut changes, &account);
    changes.open_deletion_request(&request, &entry);
    audit::add(app, &mut changes, &account.account_id, AuditEvent::DeletionRequested, Actor::Customer, None);
    // A concurrent request got there first.
    let first = FlowError::Conflicting(Code::DeletionPending);
    app.records().commit(changes).await.answering([(Race::On(Conflict::AccountChanged), first)])?;
    app.count(Metric::DeletionRequested);
    send_email(app, &account, Template::DeletionRequested, lang, None, &[]).await;
    Ok(request)
}

/// The queue row of `request`, naming `account` if given.
fn queue_entry(request: &DeletionRequest, account: Option<&Account>) -> DeletionQueueEntry {
    DeletionQueueEntry {
        request_id: request.request_id.clone(),
        account_id: request.account_id.clone(),
        username: account.map(|a| a.username.clone()),
        requested_at: request.requested_at,
    }
}

/// The account's request, unless there is none (or it was cancelled).
pub async fn current(app: &App, account_id: &AccountId) -> Result<Option<DeletionRequest>, FlowError> {
    Ok(app.records().deletion_request(account_id).await?)
}

/// Cancels the account's pending request.
pub async fn cancel(app: &App, current_account: &Account) -> Result<(), FlowError> {
    let not_found = || FlowError::NotFound(Code::NoDeletionRequest);
    let stored = load(app, &current_account.account_id).await?.ok_or(FlowError::Unauthenticated)?;
    let mut account = stored.record.clone();
    let request = current(app, &account.account_id)
        .await?
        .filter(|r| r.status == DeletionStatus::PendingReview)
        .ok_or_else(not_found)?;
    account.deletion_status = DeletionStatus::None;
    let mut changes = Changes::new();
    changes.update_account(&stored, &account).withdraw_deletion_request(&request, &queue_entry(&request, None));
    audit::add(app, &mut changes, &account.account_id, AuditEvent::DeletionCancelled, Actor::Customer, None);
    // Decided or cancelled meanwhile.
    app.records().commit(changes).await.answering([(Race::Any, not_found())])
}

/// Decides a request. Approving erases the account; deciding an approved
/// request again finishes an interrupted erase.
pub async fn decide(
    app: &App,
    request_id: &RequestId,
    approve: bool,
    note: Option<String>,
    operator: &str,
) -> Result<DeletionRequest, FlowError> {
    let not_found = || FlowError::NotFound(Code::DeletionRequestNotFound);
    let account_id = app.records().deletion_request_account(request_id).await?.ok_or_else(not_found)?;
    let Some(stored) = load(app, &account_id).await? else {
        return Err(FlowError::Conflicting(Code::DeletionNotPending));
    };
    let mut account = stored.record.clone();
    let mut request =
        current(app, &account.account_id).await?.filter(|r| &r.request_id == request_id).ok_or_else(not_found)?;
    match (request.status, approve) {
        (DeletionStatus::PendingReview, _) => {}
        (DeletionStatus::Approved, true) => {
            erasure::erase(app, &account).await?;
            return Ok(request);
        }
        _ => return Err(FlowError::Conflicting(Code::DeletionNotPending)),
    }
    let status = if approve { DeletionStatus::Approved } else { DeletionStatus::Rejected };
    let now = app.clock.now();
    request.status = status;
    request.decided_at = Some(now);
    request.note = note;
    request.decided_by = Some(operator.to_owned());
    account.deletion_status = status;
    if approve {
        // From here on nothing works for the account, whatever remains.
        account.status = AccountStatus::Deleting;
    }
    // An approved request's row names no one: the account is being erased.
    let entry = queue_entry(&request, (!approve).then_some(&account));
    let event = if approve { AuditEvent::DeletionApproved } else { AuditEvent::DeletionRejected };
    let mut changes = Changes::new();
    if approve {
        // Removed by the erase's last step: while it is there, the erase is
        // unfinished, and the queue watch alarms if that lasts.
        changes.note_erasure(&ErasureUnderWay { account_id: account.account_id.clone(), since: now });
    }
    changes.update_account(&stored, &account).put_deletion_request(&request).requeue(
        DeletionStatus::PendingReview,
        request.status,
        &entry,
    );
    audit::add(app, &mut changes, &account.account_id, event, Actor::Operator(operator.to_owned()), None);
    // Another operator decided first.
    let decided_first = FlowError::Conflicting(Code::DeletionNotPending);
    app.records().commit(changes).await.answering([(Race::Any, decided_first)])?;
    let lang = account.language;
    if approve {
        erasure::erase(app, &account).await?;
        send_email(app, &account, Template::AccountDeleted, lang, None, &[]).await;
    } else {
        send_email(app, &account, Template::DeletionRejected, lang, None, &[]).await;
    }
    Ok(request)
}
