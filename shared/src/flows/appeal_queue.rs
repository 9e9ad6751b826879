//! The appeals' queues, and what a completed sign-in does to an account's
//! open appeals (the owner is evidently not locked out: they end).

use super::FlowError;
use super::audit::{self, Actor, AuditEvent};
use crate::app::App;
use crate::domain::account::VerificationStatus;
use crate::domain::records::{Appeal, AppealQueueEntry, AppealStatus, Detail, IdentityMatch, Subject};
use crate::domain::{Account, AccountId};
use crate::persistence::{Changes, Stored};

/// Open appeals (pending review or approved) an account may have at once.
/// Also how many a sign-in cancels within its own transaction: each takes
/// five writes, and DynamoDB allows a transaction 100.
pub const OPEN_APPEALS_LIMIT: usize = 3;

/// The queue row of `appeal` for `account`, with how its identity compares.
pub async fn queue_entry(app: &App, appeal: &Appeal, account: &Account) -> Result<AppealQueueEntry, FlowError> {
    Ok(AppealQueueEntry {
        appeal_id: appeal.appeal_id.clone(),
        account_id: account.account_id.clone(),
        username: account.username.clone(),
        submitted_at: appeal.submitted_at,
        identity_match: identity_match(app, account, appeal.identity.as_ref()).await?,
        contact_email: appeal.contact_email.masked(),
        effective_at: appeal.effective_at,
    })
}

/// How `identity` compares with `account`'s approved verification, if it
/// was submitted with the re-check of the person.
pub async fn identity_match(
    app: &App,
    account: &Account,
    identity: Option<&Subject>,
) -> Result<IdentityMatch, FlowError> {
    if account.verification_status != VerificationStatus::Approved {
        return Ok(IdentityMatch::NoVerification);
    }
    // A submission made with a session alone may be a stolen session's:
    // it proves nothing about who is appealing (0043).
    let Some(verified) = app.records().verification(&account.account_id).await?.filter(|v| v.rechecked) else {
        return Ok(IdentityMatch::NoVerification);
    };
    let same = |a: &str, b: &str| a.trim().eq_ignore_ascii_case(b.trim());
    let matches = match (&verified.subject, identity) {
        (
            Subject::Individual { real_name, id_number, .. },
            Some(Subject::Individual { real_name: given_name, id_number: given_number, .. }),
        ) => same(real_name, given_name) && same(id_number, given_number),
        (
            Subject::Enterprise { company_name, credit_code, .. },
            Some(Subject::Enterprise { company_name: given_name, credit_code: given_code, .. }),
        ) => same(company_name, given_name) && same(credit_code, given_code),
        _ => false,
    };
    Ok(if matches { IdentityMatch::Match } else { IdentityMatch::Mismatch })
}

/// `appeal` written and moved from the queue of the status it was read in
/// (`stored`'s) to the queue of its own.
pub fn move_appeal(changes: &mut Changes, stored: &Stored<Appeal>, appeal: &Appeal, entry: &AppealQueueEntry) {
    changes.update_appeal(stored, appeal).requeue(stored.record.status, appeal.status, entry);
}

/// Cancels open appeals of `account` (a completed sign-in shows the owner
/// is not locked out) in `changes`: at most [`OPEN_APPEALS_LIMIT`], so that
/// the sign-in's transaction stays within DynamoDB's; they leave its list.
/// An account that holds more (from before the limit) has the rest
/// cancelled by [`cancel_remaining_appeals`] once the sign-in committed.
pub async fn cancel_open_appeals(
    app: &App,
    account: &mut Account,
    changes: &mut Changes,
    detail: &Detail,
) -> Result<(), FlowError> {
    let now_cancelled = account.open_appeals.len().min(OPEN_APPEALS_LIMIT);
    for appeal_id in account.open_appeals.drain(..now_cancelled).collect::<Vec<_>>() {
        let Some(stored) = app.records().appeal(&appeal_id).await? else { continue };
        if !stored.record.status.is_open() {
            continue;
        }
        let appeal = Appeal { status: AppealStatus::Cancelled, ..stored.record.clone() };
        move_appeal(changes, &stored, &appeal, &queue_entry(app, &appeal, account).await?);
        let detail = Some(detail.clone());
        audit::add(app, changes, &account.account_id, AuditEvent::AppealCancelled, Actor::Customer, detail);
    }
    Ok(())
}

/// Cancels what [`cancel_open_appeals`] left of an account's open appeals,
/// a few to a transaction. What the sign-in answered stands: a failure here
/// is logged, and the next sign-in goes on where this one stopped.
pub async fn cancel_remaining_appeals(app: &App, account_id: &AccountId, detail: &Detail) {
    loop {
        let stored = match app.records().account(account_id).await {
            Ok(Some(stored)) if !stored.record.open_appeals.is_empty() => stored,
            Ok(_) => return,
            Err(e) => return tracing::warn!(error = %e, "open appeals left uncancelled"),
        };
        let mut account = stored.record.clone();
        let mut changes = Changes::new();
        if let Err(e) = cancel_open_appeals(app, &mut account, &mut changes, detail).await {
            return tracing::warn!(error = %e, "open appeals left uncancelled");
        }
        changes.update_account(&stored, &account);
        if let Err(e) = app.records().commit(changes).await {
            return tracing::warn!(error = %e, "open appeals left uncancelled");
        }
    }
}
