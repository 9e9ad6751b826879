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

use super::accounts::{LinkPage, at_least, find_equalised, page_link, send_email_about_nobody};
use super::appeal_notices::{is_recoverable, mint_cancel_link, reviewable_account, tell_owner};
use super::appeal_queue::{OPEN_APPEALS_LIMIT, move_appeal, queue_entry};
use super::audit::{self, Actor, AuditEvent};
use super::{Committed, FlowError, Race};
use crate::app::App;
use crate::domain::records::{Appeal, AppealStatus, Detail, Subject};
use crate::domain::secret_token::{self, hashes_match};
use crate::domain::{AppealId, Code, Email, LoginName};
use crate::i18n::Lang;
use crate::metrics::Metric;
use crate::notify::templates::{Template, Var};
use crate::persistence::{Changes, Limit};

/// How long the confirmation link is valid.
pub const CONFIRM_LINK_SECS: i64 = 3600;

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
    let link = page_link(app, LinkPage::ConfirmAppeal, &minted.token);
    send_email_about_nobody(app, &appeal.contact_email, Template::AppealConfirm, lang, &[(Var::Link, &link)]).await;
    Ok(())
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
            changes.enqueue(AppealStatus::PendingReview, &entry).update_account(&account_stored, &account);
            audit::add(app, &mut changes, &account.account_id, AuditEvent::AppealConfirmed, Actor::Customer, None);
            changes.update_appeal(&stored, &appeal);
            notice = Some((account, cancel));
        }
        // No such account, or one with its fill of open appeals.
        None => {
            changes.keep_appeal_unqueued(&stored, &appeal);
        }
    }
    // Confirmed at the same moment by a second click.
    if !app.records().commit(changes).await.unless_lost(Race::Any)? {
        return Ok(appeal.appeal_id);
    }
    if let Some((account, cancel)) = notice {
        app.count(Metric::AppealConfirmed);
        tell_owner(app, &account, Template::AppealNotice, &cancel, &[]).await;
    }
    Ok(appeal.appeal_id)
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
    let detail = Some(Detail::ByLink);
    audit::add(app, &mut changes, &account.account_id, AuditEvent::AppealCancelled, Actor::Customer, detail);
    // Decided, carried out or cancelled meanwhile.
    app.records().commit(changes).await.answering([(Race::Any, FlowError::Conflicting(Code::AppealEnded))])
}
