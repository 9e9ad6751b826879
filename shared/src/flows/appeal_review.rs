//! Operators' review of confirmed appeals: the queue, the whole appeal
//! (an audited read) and the decision, whose approval starts the hold.

use super::accounts::{load, send_email_about_nobody};
use super::appeal_notices::{mint_cancel_link, reviewable_account, tell_owner};
use super::appeal_queue::{identity_match, move_appeal, queue_entry};
use super::audit::{self, Actor, AuditEvent};
use super::{Committed, FlowError, Race};
use crate::app::App;
use crate::clock::rfc3339;
use crate::domain::records::{Appeal, AppealStatus, IdentityMatch};
use crate::domain::{Account, AppealId, Code};
use crate::metrics::Metric;
use crate::notify::templates::{Template, Var};
use crate::persistence::Changes;

/// The whole of an appeal, as an operator sees it before deciding.
#[derive(Debug, Clone)]
pub struct AppealView {
    /// The appeal itself (contact email, description, identity in full).
    pub appeal: Appeal,
    /// How its identity compares with the account's verification.
    pub identity_match: IdentityMatch,
    /// The account it names.
    pub account: Account,
    /// The account's latest sign-in, if any in the last 30 days.
    pub last_sign_in_at: Option<i64>,
    /// Appeals naming the account before this one.
    pub previous_appeals: usize,
}

/// Opens an appeal in full for `operator`: a read of personal data, so it
/// is audited (`appeal_viewed`) before anything is shown.
pub async fn view(app: &App, appeal_id: &AppealId, operator: &str) -> Result<AppealView, FlowError> {
    let not_found = || FlowError::NotFound(Code::AppealNotFound);
    let appeal = app.records().appeal(appeal_id).await?.ok_or_else(not_found)?.record;
    if appeal.status == AppealStatus::Unconfirmed {
        return Err(not_found());
    }
    let account_id = appeal.account_id.clone().ok_or_else(not_found)?;
    let account = load(app, &account_id).await?.ok_or_else(not_found)?.record;
    audit::record_operator(app, &account_id, AuditEvent::AppealViewed, operator).await?;
    let identity_match = identity_match(app, &account, appeal.identity.as_ref()).await?;
    let history = app.records().sign_in_history(&account_id).await?;
    let last_sign_in_at = history.and_then(|h| h.clients.iter().map(|seen| seen.at).max());
    let previous_appeals = app
        .records()
        .appeals_of(&account_id)
        .await?
        .iter()
        .filter(|other| other.appeal_id != appeal.appeal_id && other.submitted_at <= appeal.submitted_at)
        .count();
    Ok(AppealView { appeal, identity_match, account, last_sign_in_at, previous_appeals })
}

/// Decides a pending appeal. Approval starts the hold: the appeal takes
/// effect at `effective_at`, and the owner is told again (email and SMS,
/// with a cancel link). Rejection tells the contact email.
pub async fn decide(
    app: &App,
    appeal_id: &AppealId,
    approve: bool,
    note: Option<String>,
    operator: &str,
) -> Result<Appeal, FlowError> {
    let not_pending = || FlowError::Conflicting(Code::AppealNotPending);
    let stored = app.records().appeal(appeal_id).await?.ok_or(FlowError::NotFound(Code::AppealNotFound))?;
    if stored.record.status != AppealStatus::PendingReview {
        return Err(not_pending());
    }
    let Some(account_stored) = reviewable_account(app, &stored.record).await? else { return Err(not_pending()) };
    let mut account = account_stored.record.clone();
    let now = app.clock.now();
    let mut appeal = Appeal {
        status: if approve { AppealStatus::Approved } else { AppealStatus::Rejected },
        decided_at: Some(now),
        decided_by: Some(operator.to_owned()),
        note,
        effective_at: approve.then_some(now + app.config.appeal_hold_secs),
        ..stored.record.clone()
    };
    let cancel = approve.then(|| mint_cancel_link(app, &mut appeal));
    let entry = queue_entry(app, &appeal, &account).await?;
    let event = if approve { AuditEvent::AppealApproved } else { AuditEvent::AppealRejected };
    let mut changes = Changes::new();
    move_appeal(&mut changes, &stored, &appeal, &entry);
    audit::add(app, &mut changes, &account.account_id, event, Actor::Operator(operator.to_owned()), None);
    if !approve {
        account.open_appeals.retain(|id| id != appeal_id);
        changes.update_account(&account_stored, &account);
    }
    app.records().commit(changes).await.answering([(Race::Any, not_pending())])?;
    app.count(Metric::AppealDecided);
    match (cancel, appeal.effective_at) {
        (Some(cancel), Some(effective_at)) => {
            let effective_at = rfc3339(effective_at);
            tell_owner(app, &account, Template::AppealHold, &cancel, &[(Var::EffectiveAt, &effective_at)]).await;
        }
        _ => {
            let lang = account.language;
            send_email_about_nobody(app, &appeal.contact_email, Template::AppealRejected, lang, &[]).await;
        }
    }
    Ok(appeal)
}
