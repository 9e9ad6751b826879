//! Changing the email or phone bound to an account. A new email is proven
//! by a link sent to it (60 minutes, single use, the newest only); a new
//! phone by a `change_phone` SMS code. Both are unique: checked when asked
//! and again, atomically, when switched (`409`). Asking is limited per
//! account and day, counted before the address or number is looked up, so
//! that a session cannot list which ones have accounts. The account's email
//! is told of every change (the old and the new address of an email change).

use super::accounts::{LinkPage, load, page_link, send_email, send_email_to};
use super::audit::{self, Actor, AuditEvent};
use super::authentication::Authenticated;
use super::lockout::{Proof, reauthenticate};
use super::{Committed, FlowError, Race, sms_codes};
use crate::app::App;
use crate::domain::account::EmailChange;
use crate::domain::phone::mask_phone;
use crate::domain::records::Guarded;
use crate::domain::sms_code::SmsPurpose;
use crate::domain::{AccountId, Code, Email, Input, Phone, Refusal, secret_token};
use crate::i18n::Lang;
use crate::notify::templates::{Template, Var};
use crate::persistence::{Changes, Conflict, Limit, UniqueField};
use secrecy::{ExposeSecret, SecretString};

/// How long an email confirmation link is valid.
pub const EMAIL_LINK_SECS: i64 = 3600;
/// Email-change requests, and phone-change codes, an account may ask for
/// in a UTC day.
pub const CHANGES_PER_DAY: u64 = 5;
const DAY_SECS: i64 = 86_400;

fn taken(input: Input, code: Code) -> FlowError {
    FlowError::Conflict(vec![Refusal::new(input, code)])
}

/// Counts one request of `limit` in the current UTC day; `429` past
/// [`CHANGES_PER_DAY`].
async fn count_daily(app: &App, limit: Limit<'_>) -> Result<(), FlowError> {
    let now = app.clock.now();
    let day_end = (now.div_euclid(DAY_SECS) + 1) * DAY_SECS;
    let counted = app.counters().count(limit, day_end).await?;
    if counted.count > CHANGES_PER_DAY {
        return Err(FlowError::RateLimited { code: Code::RateLimited, retry_after: (counted.expires_at - now).max(1) });
    }
    Ok(())
}

/// Asks to change the signed-in account's email to `new_email`: the
/// person is re-checked, the day's quota counted, the address must be
/// free; a confirmation link goes to it and a notice to the current address.
pub async fn request_email_change(
    app: &App,
    current: &Authenticated,
    password: &SecretString,
    code: Option<&SecretString>,
    new_email: Email,
    lang: Lang,
) -> Result<(), FlowError> {
    let checked =
        reauthenticate(app, current, Proof { password: Some(password), code, action: Guarded::ChangeEmail }).await?;
    count_daily(app, Limit::EmailChangesPerDay(&current.account.account_id)).await?;
    if app.records().is_taken(UniqueField::Email, &new_email.canonical()).await? {
        return Err(taken(Input::NewEmail, Code::EmailTaken));
    }
    let mut account = checked.account();
    let minted = secret_token::mint(&account.account_id, app.random.as_ref());
    let expires_at = app.clock.now() + EMAIL_LINK_SECS;
    account.email_change = Some(EmailChange { new_email: new_email.clone(), hash: minted.hash, expires_at });
    let mut changes = Changes::new();
    checked.write(&mut changes, &account);
    audit::add(app, &mut changes, &account.account_id, AuditEvent::EmailChangeRequested, Actor::Customer, None);
    app.records().commit(changes).await?;
    let link = page_link(app, LinkPage::ConfirmEmail, &minted.token);
    send_email_to(app, &new_email, &account, Template::EmailChangeConfirm, lang, &[(Var::Link, &link)]).await;
    let vars = [(Var::NewEmail, new_email.as_str())];
    send_email(app, &account, Template::EmailChangeRequested, lang, None, &vars).await;
    Ok(())
}

/// Switches the signed-in account's email to the one the link `token`
/// confirms; an address taken meanwhile is `409`. Both addresses are told.
pub async fn confirm_email_change(app: &App, current: &Authenticated, token: &SecretString) -> Result<(), FlowError> {
    let presented = secret_token::parse::<AccountId>(token.expose_secret()).ok_or(FlowError::InvalidLink)?;
    if presented.id != current.account.account_id {
        return Err(FlowError::InvalidLink);
    }
    let stored = load(app, &presented.id).await?.ok_or(FlowError::InvalidLink)?;
    let mut account = stored.record.clone();
    let change = account
        .email_change
        .clone()
        .filter(|c| secret_token::hashes_match(&c.hash, &presented.hash))
        .ok_or(FlowError::InvalidLink)?;
    if change.expires_at <= app.clock.now() {
        return Err(FlowError::LinkExpired);
    }
    let old = account.email.clone();
    account.email = change.new_email.clone();
    account.email_change = None;
    let mut changes = Changes::new();
    changes.update_account(&stored, &account).move_unique(
        &account,
        UniqueField::Email,
        Some(&old.canonical()),
        &change.new_email.canonical(),
    );
    audit::add(app, &mut changes, &account.account_id, AuditEvent::EmailChanged, Actor::Customer, None);
    app.records().commit(changes).await.answering([
        (Race::On(Conflict::Taken(UniqueField::Email)), taken(Input::NewEmail, Code::EmailTaken)),
        // Used at the same moment.
        (Race::On(Conflict::AccountChanged), FlowError::InvalidLink),
    ])?;
    let vars = [(Var::OldEmail, old.as_str()), (Var::NewEmail, account.email.as_str())];
    for to in [&account.email, &old] {
        send_email_to(app, to, &account, Template::EmailChanged, account.language, &vars).await;
    }
    Ok(())
}

/// Sends a `change_phone` code to `phone` for the signed-in account: the
/// day's quota first, then the client's SMS limits (IP, network, budget);
/// only a request they let through learns whether the number is taken.
pub async fn send_phone_code(
    app: &App,
    current: &Authenticated,
    phone: &Phone,
    client_ip: &str,
    lang: Lang,
) -> Result<sms_codes::CodeSent, FlowError> {
    count_daily(app, Limit::PhoneCodesPerDay(&current.account.account_id)).await?;
    sms_codes::admit_client(app, client_ip).await?;
    if app.records().is_taken(UniqueField::Phone, phone.as_str()).await? {
        return Err(taken(Input::Phone, Code::PhoneTaken));
    }
    let about = Some(&current.account.account_id);
    sms_codes::send_within_phone_limits(app, phone, SmsPurpose::ChangePhone, None, about, lang).await
}

/// What a phone change sends.
#[derive(Debug)]
pub struct PhoneChange {
    /// The current password.
    pub password: SecretString,
    /// A second-factor code, while two-factor sign-in is on.
    pub code: Option<SecretString>,
    /// The new number.
    pub phone: Phone,
    /// The `change_phone` code sent to it.
    pub sms_code: SecretString,
}

/// Switches the signed-in account's phone to the one its SMS code proves,
/// after the re-check of the person; the email is told.
pub async fn change_phone(app: &App, current: &Authenticated, change: PhoneChange) -> Result<(), FlowError> {
    let PhoneChange { password, code, phone, sms_code } = change;
    let proof = Proof { password: Some(&password), code: code.as_ref(), action: Guarded::ChangePhone };
    let checked = reauthenticate(app, current, proof).await?;
    let code = sms_codes::check_code(app, phone.as_str(), SmsPurpose::ChangePhone, sms_code.expose_secret()).await?;
    let mut account = checked.account();
    let old = account.phone.replace(phone.clone());
    let mut changes = Changes::new();
    checked.write(&mut changes, &account);
    changes.consume_sms_code(&code).move_unique(
        &account,
        UniqueField::Phone,
        old.as_ref().map(Phone::as_str),
        phone.as_str(),
    );
    audit::add(app, &mut changes, &account.account_id, AuditEvent::PhoneChanged, Actor::Customer, None);
    app.records().commit(changes).await.answering([
        (Race::On(Conflict::Taken(UniqueField::Phone)), taken(Input::Phone, Code::PhoneTaken)),
        (Race::On(Conflict::SmsCodeChanged), FlowError::refused(Input::SmsCode, Code::SmsCodeExpired)),
    ])?;
    let masked = mask_phone(phone.as_str());
    send_email(app, &account, Template::PhoneChanged, account.language, None, &[(Var::Phone, &masked)]).await;
    Ok(())
}
