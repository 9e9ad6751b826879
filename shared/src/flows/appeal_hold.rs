//! The end of an approved appeal's hold: the scheduled work carries it out
//! (the contact email becomes the account's, two-factor sign-in is off,
//! every session ends, the old password and passkeys stop working, a reset
//! link goes to the new email and the old email and phone are told).

use super::accounts::{load, mint_link, send_email, send_email_to};
use super::appeal_notices::{reviewable_account, text_phone};
use super::appeal_queue::{move_appeal, queue_entry};
use super::audit::{self, Actor, AuditEvent};
use super::authentication::end_sessions;
use super::sms_codes;
use super::{Committed, FlowError, Race};
use crate::app::App;
use crate::domain::AppealId;
use crate::domain::account::LinkPurpose;
use crate::domain::records::{Appeal, AppealQueueEntry, AppealStatus};
use crate::notify::templates::{Template, Var};
use crate::persistence::{Changes, Conflict, Stored, UniqueField};

/// Approved appeals carried out per page of the approved queue.
const DUE_PAGE: usize = 50;

/// Carries out every approved appeal whose hold has passed (the scheduled
/// work: every 15 minutes deployed, on the dev server's clock locally).
/// Returns how many it carried out or found failed.
pub async fn carry_out_due(app: &App) -> Result<usize, FlowError> {
    let now = app.clock.now();
    let mut after = None;
    let mut handled = 0;
    loop {
        let page = app.records().queue::<AppealQueueEntry>(AppealStatus::Approved, DUE_PAGE, after.as_ref()).await?;
        for entry in page.items.iter().filter(|e| e.effective_at.is_some_and(|at| at <= now)) {
            if carry_out(app, &entry.appeal_id).await? {
                handled += 1;
            }
        }
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(handled),
        }
    }
}

/// Carries out one approved appeal whose hold has passed: the contact email
/// becomes the account's (or the appeal fails if another account holds it
/// by then), two-factor sign-in is off and its recovery codes void, the
/// old password and every passkey stop working, every session ends, a reset
/// link goes to the new email, the old email and phone are told. Whether it
/// was still due.
async fn carry_out(app: &App, appeal_id: &AppealId) -> Result<bool, FlowError> {
    let Some(stored) = app.records().appeal(appeal_id).await? else { return Ok(false) };
    let due = stored.record.status == AppealStatus::Approved
        && stored.record.effective_at.is_some_and(|at| at <= app.clock.now());
    if !due {
        return Ok(false);
    }
    // An account being erased takes its appeals with it.
    let Some(account_stored) = reviewable_account(app, &stored.record).await? else { return Ok(false) };
    let old = account_stored.record.clone();
    let mut account = old.clone();
    account.open_appeals.retain(|id| id != appeal_id);
    account.email = stored.record.contact_email.clone();
    account.email_change = None;
    account.mfa = None;
    account.pending_totp = None;
    // Nothing of the old ways in survives: whoever held the password (the
    // reason MFA mattered) or a passkey must not follow the appellant in.
    // Every session ends at once, and only the reset link sets a password.
    account.password_hash = None;
    account.password_epoch += 1;
    account.forget_devices();
    let token = mint_link(app, &mut account, LinkPurpose::ResetPassword);
    let appeal = Appeal { status: AppealStatus::Done, ..stored.record.clone() };
    let entry = queue_entry(app, &appeal, &account).await?;
    let mut changes = Changes::new();
    move_appeal(&mut changes, &stored, &appeal, &entry);
    for passkey in app.records().passkeys(&account.account_id).await? {
        changes.remove_passkey(&passkey, &passkey.record.credential_id_bytes());
    }
    changes.update_account(&account_stored, &account);
    audit::add(app, &mut changes, &account.account_id, AuditEvent::AppealDone, Actor::Customer, None);
    // The same address (in another case) keeps its guard.
    if old.email.canonical() != account.email.canonical() {
        changes.move_unique(&account, UniqueField::Email, Some(&old.email.canonical()), &account.email.canonical());
    }
    let committed = app.records().commit(changes).await;
    if committed.as_ref().is_err_and(|e| e.is(Conflict::Taken(UniqueField::Email))) {
        return end_failed(app, &stored, &entry).await;
    }
    // Cancelled or changed meanwhile: the next run sees it as it is now.
    if !committed.unless_lost(Race::Any)? {
        return Ok(false);
    }
    tracing::info!(account_id = %account.account_id, "appeal carried out");
    end_sessions(app, &account.account_id, None, Actor::System).await?;
    send_email(app, &account, Template::ResetPassword, account.language, Some(&token), &[]).await;
    let vars = [(Var::NewEmail, account.email.as_str())];
    send_email_to(app, &old.email, &account, Template::AppealApproved, account.language, &vars).await;
    text_phone(app, &account, sms_codes::SmsContent::AppealDone).await;
    Ok(true)
}

/// Ends an approved appeal as `failed`: its contact email was taken by
/// another account meanwhile. Nothing else changes.
async fn end_failed(app: &App, stored: &Stored<Appeal>, entry: &AppealQueueEntry) -> Result<bool, FlowError> {
    let appeal = Appeal { status: AppealStatus::Failed, ..stored.record.clone() };
    let mut changes = Changes::new();
    move_appeal(&mut changes, stored, &appeal, entry);
    if let Some(account_stored) = load(app, &entry.account_id).await? {
        let mut account = account_stored.record.clone();
        account.open_appeals.retain(|id| *id != appeal.appeal_id);
        changes.update_account(&account_stored, &account);
    }
    audit::add(app, &mut changes, &entry.account_id, AuditEvent::AppealFailed, Actor::Customer, None);
    app.records().commit(changes).await.unless_lost(Race::Any)
}
