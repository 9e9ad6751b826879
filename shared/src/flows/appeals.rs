//! Recovery when phone and email are both lost (seed 002's appeal). It is
//! the one path that hands an account to someone who can prove neither its
//! email nor its phone, so it is slow and loud on purpose:
//!
//! - anyone may file an appeal naming a login and a contact email; the
//!   contact email confirms it by a link; filing and confirming answer
//!   alike for every login, and only a confirmed appeal of an existing
//!   primary account reaches the operators;
//! - the account's owner is told at once (email and SMS, with a cancel
//!   link), and any completed sign-in of the account cancels it;
//! - operators see the whole appeal before deciding; approval starts a hold
//!   (`ACCOUNTS_APPEAL_HOLD_HOURS`) and tells the owner again;
//! - only when the hold has passed does the scheduled work carry it out:
//!   the contact email becomes the account's, two-factor sign-in is turned
//!   off, every session ends, a reset link goes to the new email and the old
//!   email and phone are told; the old password, passkeys and (in time)
//!   remembered devices stop working, so whoever held one cannot follow the
//!   appellant in.
//!
//! An account has at most [`OPEN_APPEALS_LIMIT`] open appeals: a further
//! confirmation answers alike and is kept nowhere, so a flood of appeals
//! can neither fill the operators' queue nor outgrow the transaction of the
//! sign-in that cancels them.

use secrecy::{ExposeSecret, SecretString};

use super::accounts::{load, mint_link, send_email, send_email_about_nobody, send_email_to};
use super::audit::{self, Actor, AuditEvent};
use super::password_recovery::{at_least, find_equalised};
use super::sessions::end_sessions;
use super::{FlowError, sms_codes};
use crate::app::App;
use crate::clock::rfc3339;
use crate::domain::account::{LinkPurpose, VerificationStatus};
use crate::domain::records::{Appeal, AppealQueueEntry, AppealStatus, CancelLink, IdentityMatch, Subject};
use crate::domain::secret_token::{self, hashes_match};
use crate::domain::sms_code::SmsPurpose;
use crate::domain::{Account, AccountId, AccountKind, AccountStatus, AppealId, Code, Email, LoginName};
use crate::i18n::Lang;
use crate::metrics::Metric;
use crate::notify::templates::Template;
use crate::persistence::{Changes, Conflict, Cursor, Limit, NotCommitted, Page, Stored, UniqueField};

/// How long the confirmation link is valid.
pub const CONFIRM_LINK_SECS: i64 = 3600;
/// How long each of the owner's cancel links is valid.
pub const CANCEL_LINK_SECS: i64 = 7 * 86_400;
/// Approved appeals carried out per page of the approved queue.
const DUE_PAGE: usize = 50;
/// Open appeals (pending review or approved) an account may have at once.
/// Also how many a sign-in cancels within its own transaction: each takes
/// five writes, and DynamoDB allows a transaction 100.
pub const OPEN_APPEALS_LIMIT: usize = 3;

/// What an appellant files.
#[derive(Debug, Clone)]
pub struct AppealRequest {
    /// The login (username, email or phone) of the account to recover.
    pub login: String,
    /// Where to reach the appellant; the account's email if it succeeds.
    pub contact_email: Email,
    /// What happened.
    pub description: String,
    /// Identity details to compare with the account's verification.
    pub identity: Option<Subject>,
}

/// Files an appeal and emails its confirmation link to the contact email,
/// whether or not the login exists (alike in answer and, at least, time).
pub async fn file(app: &App, request: AppealRequest, client_ip: &str, lang: Lang) -> Result<(), FlowError> {
    at_least(app.config.forgot_min_duration, file_now(app, request, client_ip, lang)).await
}

async fn file_now(app: &App, request: AppealRequest, client_ip: &str, lang: Lang) -> Result<(), FlowError> {
    let now = app.clock.now();
    let filed = app.counters().count(Limit::AppealsPerIp(client_ip), now + 3600).await?;
    if filed.count > app.config.limits.appeals_per_ip_hour {
        return Err(FlowError::RateLimited { code: Code::RateLimited, retry_after: (filed.expires_at - now).max(1) });
    }
    let account = find_equalised(app, &LoginName::parse(&request.login)).await?.map(|stored| stored.record);
    let account_id = account.filter(is_recoverable).map(|a| a.account_id);
    let appeal_id = AppealId::new(app.random.as_ref());
    let minted = secret_token::mint(&appeal_id, app.random.as_ref());
    let appeal = Appeal {
        appeal_id,
        account_id,
        contact_email: request.contact_email,
        description: request.description,
        identity: request.identity,
        status: AppealStatus::Unconfirmed,
        link_hash: minted.hash,
        submitted_at: now,
        decided_at: None,
        decided_by: None,
        note: None,
        effective_at: None,
        cancel_links: Vec::new(),
    };
    let mut changes = Changes::new();
    changes.file_appeal(&appeal, now + CONFIRM_LINK_SECS);
    app.records().commit(changes).await?;
    let link = format!("{}/confirm-appeal?token={}", app.config.public_url, minted.token.expose_secret());
    send_email_about_nobody(app, &appeal.contact_email, Template::AppealConfirm, lang, &[("link", &link)]).await;
    Ok(())
}

/// Whether an appeal may recover `account`: an existing primary account.
fn is_recoverable(account: &Account) -> bool {
    account.kind == AccountKind::Primary && account.status != AccountStatus::Deleting
}

/// Confirms the appeal a link `token` belongs to; answers its id whatever
/// the login was. Confirming again answers the same. An appeal of an
/// existing primary account with room for it joins the operators' queue,
/// and the account's owner is told at once, with a cancel link; any other
/// is kept nowhere (it lapses with its link) and tells no one.
pub async fn confirm(app: &App, token: &SecretString) -> Result<AppealId, FlowError> {
    let presented = secret_token::parse::<AppealId>(token.expose_secret()).ok_or(FlowError::InvalidLink)?;
    let stored = app.records().appeal(&presented.id).await?.ok_or(FlowError::InvalidLink)?;
    if !hashes_match(&stored.record.link_hash, &presented.hash) {
        return Err(FlowError::InvalidLink);
    }
    if stored.record.status != AppealStatus::Unconfirmed {
        return Ok(stored.record.appeal_id.clone());
    }
    let mut appeal = Appeal { status: AppealStatus::PendingReview, ..stored.record.clone() };
    let reviewable = reviewable_account(app, &appeal).await?;
    let mut changes = Changes::new();
    let mut notice = None;
    match reviewable.filter(|account| account.record.open_appeals.len() < OPEN_APPEALS_LIMIT) {
        Some(account_stored) => {
            let mut account = account_stored.record.clone();
            let cancel = mint_cancel_link(app, &mut appeal);
            account.open_appeals.push(appeal.appeal_id.clone());
            let entry = queue_entry(app, &appeal, &account).await?;
            changes.enqueue_appeal(AppealStatus::PendingReview, &entry).update_account(&account_stored, &account);
            audit::add(app, &mut changes, &account.account_id, AuditEvent::AppealConfirmed, Actor::Customer, None);
            changes.update_appeal(&stored, &appeal);
            notice = Some((account, cancel));
        }
        // No such account, or one with its fill of open appeals.
        None => {
            changes.keep_appeal_unqueued(&stored, &appeal);
        }
    }
    match app.records().commit(changes).await {
        Ok(()) => {}
        // Confirmed at the same moment by a second click.
        Err(NotCommitted::Conflict(_)) => return Ok(appeal.appeal_id),
        Err(e) => return Err(e.into()),
    }
    if let Some((account, cancel)) = notice {
        app.count(Metric::AppealConfirmed);
        tell_owner(app, &account, Template::AppealNotice, &cancel, &[]).await;
    }
    Ok(appeal.appeal_id)
}

/// A new cancel link for the owner, kept (as its hash) on `appeal`.
fn mint_cancel_link(app: &App, appeal: &mut Appeal) -> String {
    let minted = secret_token::mint(&appeal.appeal_id, app.random.as_ref());
    appeal.cancel_links.push(CancelLink { hash: minted.hash, expires_at: app.clock.now() + CANCEL_LINK_SECS });
    format!("{}/cancel-appeal?token={}", app.config.public_url, minted.token.expose_secret())
}

/// Tells the account's owner of an appeal naming it, by email and SMS
/// (purpose `notice`, never refused: past a limit it is skipped), with
/// `cancel_link`; neither names the contact email.
async fn tell_owner(app: &App, account: &Account, template: Template, cancel_link: &str, vars: &[(&str, &str)]) {
    let mut all = vec![("link", cancel_link)];
    all.extend_from_slice(vars);
    send_email_to(app, &account.email, account, template, account.language, &all).await;
    let approved = template == Template::AppealHold;
    let sms = sms_codes::SmsContent::AppealNotice { approved, cancel_link: cancel_link.to_owned() };
    text_phone(app, account, sms).await;
}

/// Texts the account's phone, within the SMS limits; a refusal there is
/// logged, not returned (a notice never holds back what it tells of).
async fn text_phone(app: &App, account: &Account, content: sms_codes::SmsContent) {
    let Some(phone) = &account.phone else { return };
    let about = Some(&account.account_id);
    if let Err(e) =
        sms_codes::send_within_limits(app, phone, SmsPurpose::Notice, content, about, account.language).await
    {
        tracing::warn!(error = %e, "appeal notice SMS not sent");
    }
}

/// The existing primary account an appeal names, if any, as read.
async fn reviewable_account(app: &App, appeal: &Appeal) -> Result<Option<Stored<Account>>, FlowError> {
    let Some(account_id) = &appeal.account_id else { return Ok(None) };
    let stored = load(app, account_id).await?;
    Ok(stored.filter(|s| is_recoverable(&s.record)))
}

/// The queue row of `appeal` for `account`, with how its identity compares.
async fn queue_entry(app: &App, appeal: &Appeal, account: &Account) -> Result<AppealQueueEntry, FlowError> {
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
async fn identity_match(app: &App, account: &Account, identity: Option<&Subject>) -> Result<IdentityMatch, FlowError> {
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
fn move_appeal(changes: &mut Changes, stored: &Stored<Appeal>, appeal: &Appeal, entry: &AppealQueueEntry) {
    changes
        .update_appeal(stored, appeal)
        .dequeue_appeal(stored.record.status, entry)
        .enqueue_appeal(appeal.status, entry);
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
    detail: &str,
) -> Result<(), FlowError> {
    let now_cancelled = account.open_appeals.len().min(OPEN_APPEALS_LIMIT);
    for appeal_id in account.open_appeals.drain(..now_cancelled).collect::<Vec<_>>() {
        let Some(stored) = app.records().appeal(&appeal_id).await? else { continue };
        if !stored.record.status.is_open() {
            continue;
        }
        let appeal = Appeal { status: AppealStatus::Cancelled, ..stored.record.clone() };
        move_appeal(changes, &stored, &appeal, &queue_entry(app, &appeal, account).await?);
        let detail = Some(detail.to_owned());
        audit::add(app, changes, &account.account_id, AuditEvent::AppealCancelled, Actor::Customer, detail);
    }
    Ok(())
}

/// Cancels what [`cancel_open_appeals`] left of an account's open appeals,
/// a few to a transaction. What the sign-in answered stands: a failure here
/// is logged, and the next sign-in goes on where this one stopped.
pub async fn cancel_remaining_appeals(app: &App, account_id: &AccountId, detail: &str) {
    loop {
        let stored = match load(app, account_id).await {
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

/// Cancels the appeal whose owner's cancel link `token` is: `409` once the
/// appeal has ended; `404`/`410` for an unknown or expired link.
pub async fn cancel(app: &App, token: &SecretString) -> Result<(), FlowError> {
    let presented = secret_token::parse::<AppealId>(token.expose_secret()).ok_or(FlowError::InvalidLink)?;
    let stored = app.records().appeal(&presented.id).await?.ok_or(FlowError::InvalidLink)?;
    let link = stored
        .record
        .cancel_links
        .iter()
        .find(|link| hashes_match(&link.hash, &presented.hash))
        .ok_or(FlowError::InvalidLink)?;
    if !stored.record.status.is_open() {
        return Err(FlowError::Conflicting(Code::AppealEnded));
    }
    if link.expires_at <= app.clock.now() {
        return Err(FlowError::LinkExpired);
    }
    let Some(account_stored) = reviewable_account(app, &stored.record).await? else {
        return Err(FlowError::Conflicting(Code::AppealEnded));
    };
    let mut account = account_stored.record.clone();
    account.open_appeals.retain(|id| *id != stored.record.appeal_id);
    let appeal = Appeal { status: AppealStatus::Cancelled, ..stored.record.clone() };
    let mut changes = Changes::new();
    move_appeal(&mut changes, &stored, &appeal, &queue_entry(app, &appeal, &account).await?);
    changes.update_account(&account_stored, &account);
    let detail = Some("by link".to_owned());
    audit::add(app, &mut changes, &account.account_id, AuditEvent::AppealCancelled, Actor::Customer, detail);
    match app.records().commit(changes).await {
        Ok(()) => Ok(()),
        // Decided, carried out or cancelled meanwhile.
        Err(NotCommitted::Conflict(_)) => Err(FlowError::Conflicting(Code::AppealEnded)),
        Err(e) => Err(e.into()),
    }
}

/// A page of the appeal queue of `status`.
pub async fn queue(
    app: &App,
    status: AppealStatus,
    limit: usize,
    after: Option<&Cursor>,
) -> Result<Page<AppealQueueEntry>, FlowError> {
    Ok(app.records().appeal_queue(status, limit, after).await?)
}

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
    match app.records().commit(changes).await {
        Ok(()) => {}
        Err(NotCommitted::Conflict(_)) => return Err(not_pending()),
        Err(e) => return Err(e.into()),
    }
    app.count(Metric::AppealDecided);
    match (cancel, appeal.effective_at) {
        (Some(cancel), Some(effective_at)) => {
            let effective_at = rfc3339(effective_at);
            tell_owner(app, &account, Template::AppealHold, &cancel, &[("effective_at", &effective_at)]).await;
        }
        _ => {
            let lang = account.language;
            send_email_about_nobody(app, &appeal.contact_email, Template::AppealRejected, lang, &[]).await;
        }
    }
    Ok(appeal)
}

/// Carries out every approved appeal whose hold has passed (the scheduled
/// work: every 15 minutes deployed, on the dev server's clock locally).
/// Returns how many it carried out or found failed.
pub async fn carry_out_due(app: &App) -> Result<usize, FlowError> {
    let now = app.clock.now();
    let mut after = None;
    let mut handled = 0;
    loop {
        let page = queue(app, AppealStatus::Approved, DUE_PAGE, after.as_ref()).await?;
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
    match app.records().commit(changes).await {
        Ok(()) => {}
        Err(e) if e.is(Conflict::Taken(UniqueField::Email)) => return end_failed(app, &stored, &entry).await,
        // Cancelled or changed meanwhile: the next run sees it as it is now.
        Err(NotCommitted::Conflict(_)) => return Ok(false),
        Err(e) => return Err(e.into()),
    }
    tracing::info!(account_id = %account.account_id, "appeal carried out");
    end_sessions(app, &account.account_id, None).await?;
    send_email(app, &account, Template::ResetPassword, account.language, Some(&token), &[]).await;
    let vars = [("new_email", account.email.as_str())];
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
    match app.records().commit(changes).await {
        Ok(()) => Ok(true),
        Err(NotCommitted::Conflict(_)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}
