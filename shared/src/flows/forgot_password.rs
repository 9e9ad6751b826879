//! Forgot password: a reset link by email or a 6-digit code by SMS, for
//! primary accounts only, with the same answer, the same work and the same
//! time whether or not the login exists (OWASP Forgot Password cheat sheet).

use super::accounts::{
    accept_password, at_least, count_login_messages, find_equalised, mint_link, refuse_breached, send_email,
    send_invitation,
};
use super::audit::{self, Actor, AuditEvent, Detail};
use super::authentication::end_sessions;
use super::{Committed, Dependency, FlowError, Race, sms_codes};
use crate::app::App;
use crate::domain::account::LinkPurpose;
use crate::domain::sms_code::SmsPurpose;
use crate::domain::{Account, AccountKind, AccountStatus, Code, Email, Input, LoginName, Phone};
use crate::i18n::Lang;
use crate::notify::templates::Template;
use crate::persistence::{Changes, Conflict, Limit, Stored};
use secrecy::{ExposeSecret, SecretString};

/// Reset messages one account receives per hour at most; beyond it requests
/// are answered alike and nothing is sent, so no one learns of the limit.
const ACCOUNT_HOURLY_SENDS: u64 = 5;

/// How the customer wants to reset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// A reset link by email.
    Email,
    /// A reset code by SMS to the account's phone.
    Sms,
}

/// Handles a forgot-password request. Only the per-IP and per-login-name
/// limits answer differently (`429`), and those apply to every name alike.
/// The whole call takes at least `config.forgot_min_duration`, so that
/// sending mail for a real account does not make it slower than the answer
/// for an unknown one.
pub async fn forgot_password(
    app: &App,
    login: &str,
    method: Method,
    client_ip: &str,
    lang: Lang,
) -> Result<(), FlowError> {
    at_least(app.config.forgot_min_duration, forgot(app, login, method, client_ip, lang)).await
}

async fn forgot(app: &App, login: &str, method: Method, client_ip: &str, lang: Lang) -> Result<(), FlowError> {
    let now = app.clock.now();
    let login = LoginName::parse(login);
    count_login_messages(app, &login, client_ip).await?;
    if method == Method::Sms {
        // Decided before the login is looked up: alike for every login.
        sms_codes::ensure_budget_left(app).await?;
    }
    let Some(stored) = find_equalised(app, &login).await? else {
        return Ok(());
    };
    let account = stored.record.clone();
    if account.kind != AccountKind::Primary {
        // A sub-account's primary account resets it.
        return Ok(());
    }
    let sends = app.counters().count(Limit::ForgotPerAccount(&account.account_id), now + 3600).await?;
    if sends.count > ACCOUNT_HOURLY_SENDS {
        tracing::info!(account_id = %account.account_id, "reset request dropped: hourly sends used up");
        return Ok(());
    }
    audit::record(
        app,
        &account.account_id,
        AuditEvent::ResetRequested,
        Some(match method {
            Method::Email => Detail::Email,
            Method::Sms => Detail::Sms,
        }),
    )
    .await?;
    match (account.status, method) {
        (AccountStatus::PendingActivation, _) => resend_link(app, stored, LinkPurpose::InitialPassword, lang).await,
        (AccountStatus::Active, Method::Email) => resend_link(app, stored, LinkPurpose::ResetPassword, lang).await,
        (AccountStatus::Active, Method::Sms) => send_reset_code(app, &account, lang).await,
        (AccountStatus::Deleting, _) => Ok(()),
    }
}

/// Where a forgotten username should go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contact {
    /// The account's email.
    Email(Email),
    /// The account's phone (within the SMS regions).
    Phone(Phone),
}

/// Sends the username of the account that `contact` belongs to, to that
/// contact, answering alike (and no sooner than forgot-password) whether or
/// not one does; forgot-password's limits apply, and a phone's SMS limits
/// drop silently.
pub async fn forgot_username(app: &App, contact: Contact, client_ip: &str, lang: Lang) -> Result<(), FlowError> {
    at_least(app.config.forgot_min_duration, send_username(app, contact, client_ip, lang)).await
}

async fn send_username(app: &App, contact: Contact, client_ip: &str, lang: Lang) -> Result<(), FlowError> {
    let login = match &contact {
        Contact::Email(email) => LoginName::Email(email.canonical()),
        Contact::Phone(phone) => LoginName::Phone(phone.as_str().to_owned()),
    };
    count_login_messages(app, &login, client_ip).await?;
    if let Contact::Phone(_) = contact {
        sms_codes::ensure_budget_left(app).await?;
    }
    let Some(account) = find_equalised(app, &login).await?.map(|stored| stored.record) else {
        return Ok(());
    };
    let sends = app.counters().count(Limit::ForgotPerAccount(&account.account_id), app.clock.now() + 3600).await?;
    if sends.count > ACCOUNT_HOURLY_SENDS || account.status == AccountStatus::Deleting {
        return Ok(());
    }
    let detail = Some(match contact {
        Contact::Email(_) => Detail::Email,
        Contact::Phone(_) => Detail::Sms,
    });
    audit::record(app, &account.account_id, AuditEvent::UsernameSent, detail).await?;
    match contact {
        Contact::Email(_) => {
            send_email(app, &account, Template::UsernameReminder, account.language_for(lang), None, &[]).await
        }
        Contact::Phone(phone) => {
            let username = sms_codes::SmsContent::Username(account.username.as_str().to_owned());
            let about = Some(&account.account_id);
            let sent = sms_codes::send_within_limits(
                app,
                &phone,
                SmsPurpose::Username,
                username,
                about,
                account.language_for(lang),
            )
            .await;
            return answered_alike(&account, sent);
        }
    }
    Ok(())
}

/// The answer of a route that answers alike for unknown accounts, after an
/// SMS to a known one: the phone's own limits are not for the requester to
/// learn, and neither is a refusal or failure of the provider (a `503` that
/// only existing accounts get would tell them apart). Such a message
/// counted nothing and is on the account's trail as `sms_failed`
/// ([`sms_codes::send_within_limits`]).
fn answered_alike(account: &Account, sent: Result<sms_codes::CodeSent, FlowError>) -> Result<(), FlowError> {
    match sent {
        Ok(_) | Err(FlowError::RateLimited { .. }) => Ok(()),
        Err(FlowError::Dependency(Dependency::Send(e))) => {
            tracing::warn!(account_id = %account.account_id, error = %e, "SMS not sent; answered alike");
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// Mints a new link (superseding any older one) and emails it: a fresh
/// invitation for a pending account, a reset link for an active one.
async fn resend_link(app: &App, stored: Stored<Account>, purpose: LinkPurpose, lang: Lang) -> Result<(), FlowError> {
    let mut account = stored.record.clone();
    let token = mint_link(app, &mut account, purpose);
    let mut changes = Changes::new();
    changes.update_account(&stored, &account);
    // A concurrent request minted a newer link; that one's email stands.
    if !app.records().commit(changes).await.unless_lost(Race::On(Conflict::AccountChanged))? {
        return Ok(());
    }
    match purpose {
        LinkPurpose::InitialPassword => send_invitation(app, &account, &token).await,
        LinkPurpose::ResetPassword => {
            send_email(app, &account, Template::ResetPassword, account.language_for(lang), Some(&token), &[]).await
        }
    }
    Ok(())
}

async fn send_reset_code(app: &App, account: &Account, lang: Lang) -> Result<(), FlowError> {
    let Some(phone) =
        account.phone.as_ref().and_then(|p| Phone::parse_for_sms(p.as_str(), &app.config.sms_regions).ok())
    else {
        return Ok(());
    };
    let about = Some(&account.account_id);
    let sent = sms_codes::send_within_phone_limits(
        app,
        &phone,
        SmsPurpose::ResetPassword,
        None,
        about,
        account.language_for(lang),
    )
    .await;
    answered_alike(account, sent)
}

/// Resets a password with an SMS code. A wrong, expired or used code, an
/// unknown login and an account without a reset code all get the same
/// field error; the password is judged only after the code matched.
pub async fn reset_with_code(
    app: &App,
    login: &str,
    code: &SecretString,
    password: &SecretString,
    lang: Lang,
) -> Result<(), FlowError> {
    let invalid = || FlowError::refused(Input::SmsCode, Code::SmsCodeInvalid);
    let login = LoginName::parse(login);
    let found = find_equalised(app, &login).await?;
    let Some(stored) =
        found.filter(|s| s.record.kind == AccountKind::Primary && s.record.status == AccountStatus::Active)
    else {
        return Err(invalid());
    };
    let mut account = stored.record.clone();
    let Some(phone) = account.phone.clone() else { return Err(invalid()) };
    let purpose = SmsPurpose::ResetPassword;
    let matched = match sms_codes::check_code(app, phone.as_str(), purpose, code.expose_secret()).await {
        Ok(matched) => matched,
        Err(FlowError::Validation(_)) => return Err(invalid()),
        Err(e) => return Err(e),
    };
    let new_password = accept_password(app, password, account.username.as_str(), Input::Password)?;
    refuse_breached(app, password, Input::Password).await?;
    let password = new_password;
    account.password_hash = Some(app.hasher.hash(password, app.random.as_ref()).await);
    account.status = AccountStatus::Active;
    account.password_epoch += 1;
    account.forget_devices();
    // Outstanding reset links die with the old password.
    account.link = None;
    let mut changes = Changes::new();
    changes
        .update_account(&stored, &account)
        .clear_count(Limit::LoginStreak(&account.account_id))
        .consume_sms_code(&matched);
    let detail = Some(Detail::Sms);
    audit::add(app, &mut changes, &account.account_id, AuditEvent::PasswordReset, Actor::Customer, detail);
    app.records().commit(changes).await.answering([(Race::Any, invalid())])?;
    end_sessions(app, &account.account_id, None, Actor::Customer).await?;
    send_email(app, &account, Template::PasswordChanged, account.language_for(lang), None, &[]).await;
    Ok(())
}
