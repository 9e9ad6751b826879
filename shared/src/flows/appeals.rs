//! Recovery when phone and email are both lost (seed 002's appeal): anyone
//! may file an appeal naming a login and a contact email; the contact email
//! confirms it by a link; only a confirmed appeal of an existing primary
//! account reaches the operators, who compare its identity details with the
//! account's approved verification. Approval makes the contact email the
//! account's email, sends a reset link there, ends every session and tells
//! the old email and phone. Filing and confirming answer alike for every
//! login.

use secrecy::ExposeSecret;

use super::accounts::{load, mint_link, send_email, send_email_about_nobody};
use super::password_recovery::{at_least, find_equalised};
use super::sessions::end_sessions;
use super::{FlowError, sms_codes};
use crate::app::App;
use crate::audit::{self, Actor, AuditEvent};
use crate::domain::account::{LinkPurpose, VerificationStatus};
use crate::domain::records::{Appeal, AppealQueueEntry, AppealStatus, IdentityMatch, Subject};
use crate::domain::secret_token::{self, hashes_match, new_id};
use crate::domain::sms_code::SmsPurpose;
use crate::domain::{Account, AccountKind, AccountStatus, Email, FieldError, LoginName, Phone};
use crate::i18n::Lang;
use crate::metrics::Metric;
use crate::notify::templates::Template;
use crate::persistence::{Changes, Conflict, Limit, NotCommitted, Stored, UniqueField};

/// How long the confirmation link is valid.
pub const CONFIRM_LINK_SECS: i64 = 3600;

/// What an appellant files.
#[derive(Debug, Clone)]
pub struct AppealRequest {
    /// The login (username, email or phone) of the account to recover.
    pub login: String,
    /// Where to reach the appellant; the account's email if approved.
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
    let filed = app.records().count(Limit::AppealsPerIp(client_ip), now + 3600).await?;
    if filed.count > app.config.limits.appeals_per_ip_hour {
        return Err(FlowError::RateLimited { code: "rate_limited", retry_after: (filed.expires_at - now).max(1) });
    }
    let account = find_equalised(app, &LoginName::parse(&request.login)).await?.map(|stored| stored.record);
    let account_id =
        account.filter(|a| a.kind == AccountKind::Primary && a.status != AccountStatus::Deleting).map(|a| a.account_id);
    let appeal_id = new_id(app.random.as_ref());
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
    };
    let mut changes = Changes::new();
    changes.file_appeal(&appeal, now + CONFIRM_LINK_SECS);
    app.records().commit(changes).await?;
    let link = format!("{}/confirm-appeal?token={}", app.config.public_url, minted.token.expose_secret());
    send_email_about_nobody(app, &appeal.contact_email, Template::AppealConfirm, lang, &[("link", &link)]).await;
    Ok(())
}

/// Confirms the appeal a link `token` belongs to; answers its id whatever
/// the login was. Confirming again answers the same.
pub async fn confirm(app: &App, token: &str) -> Result<String, FlowError> {
    let presented = secret_token::parse(token).ok_or(FlowError::InvalidLink)?;
    let stored = app.records().appeal(&presented.account_id).await?.ok_or(FlowError::InvalidLink)?;
    if !hashes_match(&stored.record.link_hash, &presented.hash) {
        return Err(FlowError::InvalidLink);
    }
    if stored.record.status != AppealStatus::Unconfirmed {
        return Ok(stored.record.appeal_id.clone());
    }
    let appeal = Appeal { status: AppealStatus::PendingReview, ..stored.record.clone() };
    let mut changes = Changes::new();
    changes.update_appeal(&stored, &appeal);
    let reviewable = reviewable_account(app, &appeal).await?.map(|stored| stored.record);
    let queued = reviewable.is_some();
    if let Some(account) = reviewable {
        let entry = queue_entry(app, &appeal, &account).await?;
        changes.enqueue_appeal(AppealStatus::PendingReview, &entry);
        audit::add(app, &mut changes, &account.account_id, AuditEvent::AppealConfirmed, Actor::Customer, None);
    }
    match app.records().commit(changes).await {
        Ok(()) => {
            if queued {
                app.count(Metric::AppealConfirmed);
            }
            Ok(appeal.appeal_id)
        }
        // Confirmed at the same moment by a second click.
        Err(NotCommitted::Conflict(_)) => Ok(appeal.appeal_id),
        Err(e) => Err(e.into()),
    }
}

/// The existing primary account an appeal names, if any, as read.
async fn reviewable_account(app: &App, appeal: &Appeal) -> Result<Option<Stored<Account>>, FlowError> {
    let Some(account_id) = &appeal.account_id else { return Ok(None) };
    let stored = load(app, account_id).await?;
    Ok(stored.filter(|s| s.record.kind == AccountKind::Primary && s.record.status != AccountStatus::Deleting))
}

/// The queue row of `appeal` for `account`, with how its identity compares.
async fn queue_entry(app: &App, appeal: &Appeal, account: &Account) -> Result<AppealQueueEntry, FlowError> {
    Ok(AppealQueueEntry {
        appeal_id: appeal.appeal_id.clone(),
        account_id: account.account_id.clone(),
        username: account.username.clone(),
        submitted_at: appeal.submitted_at,
        identity_match: identity_match(app, account, appeal.identity.as_ref()).await?,
    })
}

/// How `identity` compares with `account`'s approved verification.
async fn identity_match(app: &App, account: &Account, identity: Option<&Subject>) -> Result<IdentityMatch, FlowError> {
    if account.verification_status != VerificationStatus::Approved {
        return Ok(IdentityMatch::NoVerification);
    }
    let Some(verified) = app.records().verification(&account.account_id).await? else {
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

/// A page of the appeal queue of `status`.
pub async fn queue(
    app: &App,
    status: AppealStatus,
    limit: usize,
    after: Option<&str>,
) -> Result<(Vec<AppealQueueEntry>, Option<String>), FlowError> {
    Ok(app.records().appeal_queue(status, limit, after).await?)
}

/// Decides a pending appeal. Approval: the contact email becomes the
/// account's email (`409` if another account holds it by then, and nothing
/// changes), a reset link goes there, every session ends, the old email
/// and phone are told. Rejection tells the contact email.
pub async fn decide(app: &App, appeal_id: &str, approve: bool, operator: &str) -> Result<Appeal, FlowError> {
    let not_pending = || FlowError::Conflicting("appeal_not_pending");
    let stored = app.records().appeal(appeal_id).await?.ok_or(FlowError::NotFound("appeal_not_found"))?;
    if stored.record.status != AppealStatus::PendingReview {
        return Err(not_pending());
    }
    let Some(account_stored) = reviewable_account(app, &stored.record).await? else { return Err(not_pending()) };
    let now = app.clock.now();
    let status = if approve { AppealStatus::Approved } else { AppealStatus::Rejected };
    let appeal =
        Appeal { status, decided_at: Some(now), decided_by: Some(operator.to_owned()), ..stored.record.clone() };
    let mut account = account_stored.record.clone();
    let entry = queue_entry(app, &appeal, &account).await?;
    let mut changes = Changes::new();
    changes
        .update_appeal(&stored, &appeal)
        .dequeue_appeal(AppealStatus::PendingReview, &entry)
        .enqueue_appeal(status, &entry);
    let old_email = account.email.clone();
    let mut token = None;
    if approve {
        account.email = appeal.contact_email.clone();
        account.email_change = None;
        // Every session ends at once; the password stays until the reset.
        account.password_epoch += 1;
        token = Some(mint_link(app, &mut account, LinkPurpose::ResetPassword));
        changes.update_account(&account_stored, &account);
        // The same address (in another case) keeps its guard.
        if old_email.canonical() != account.email.canonical() {
            changes.move_unique(&account, UniqueField::Email, Some(&old_email.canonical()), &account.email.canonical());
        }
    }
    let event = if approve { AuditEvent::AppealApproved } else { AuditEvent::AppealRejected };
    audit::add(app, &mut changes, &account.account_id, event, Actor::Operator(operator.to_owned()), None);
    match app.records().commit(changes).await {
        Ok(()) => {}
        Err(e) if e.is(Conflict::Taken(UniqueField::Email)) => {
            return Err(FlowError::Conflict(vec![FieldError::new("contact_email", "email_taken")]));
        }
        Err(NotCommitted::Conflict(_)) => return Err(not_pending()),
        Err(e) => return Err(e.into()),
    }
    app.count(Metric::AppealDecided);
    let lang = account.language;
    match token {
        Some(token) => {
            end_sessions(app, &account.account_id, None).await?;
            send_email(app, &account, Template::ResetPassword, lang, Some(&token), &[]).await;
            let vars = [("new_email", account.email.as_str())];
            super::accounts::send_email_to(app, &old_email, &account, Template::AppealApproved, lang, &vars).await;
            tell_phone(app, account.phone.as_ref(), lang).await;
        }
        None => {
            send_email_about_nobody(app, &appeal.contact_email, Template::AppealRejected, lang, &[]).await;
        }
    }
    Ok(appeal)
}

/// Texts the account's phone of the change, within the SMS limits; a
/// refusal there is logged, not returned (the change is made).
async fn tell_phone(app: &App, phone: Option<&Phone>, lang: Lang) {
    let Some(phone) = phone else { return };
    let notice = sms_codes::SmsContent::AppealApproved;
    if let Err(e) = sms_codes::send_within_limits(app, phone, SmsPurpose::Notice, notice, lang).await {
        tracing::warn!(error = %e, "appeal notice SMS not sent");
    }
}
