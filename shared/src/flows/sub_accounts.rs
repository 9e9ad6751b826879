//! Sub-accounts: created by a primary account, each with its own
//! initial-password email and a phone proven like a sign-up's; the primary
//! account (and only it) sends its sub-accounts reset emails.

use secrecy::{ExposeSecret, SecretString};

use super::accounts::{NotInserted, insert_account, load, mint_link, send_email, send_invitation};
use super::audit::{self, Actor, AuditEvent};
use super::authentication::Authenticated;
use super::lockout::{Proof, reauthenticate};
use super::{FlowError, sms_codes};
use crate::app::App;
use crate::domain::account::LinkPurpose;
pub use crate::domain::records::SubAccountLink;
use crate::domain::records::{Detail, Guarded};
use crate::domain::sms_code::SmsPurpose;
use crate::domain::{Account, AccountId, AccountKind, AccountStatus, Code, Email, Input, Phone, Username};
use crate::i18n::Lang;
use crate::notify::templates::Template;
use crate::persistence::{Changes, Conflict, Limit, NotCommitted};

/// Sub-accounts a primary account may have (pending ones included).
pub const MAX_SUB_ACCOUNTS: usize = 100;
/// Sub-accounts a primary account may create an hour.
const CREATED_PER_HOUR: u64 = 20;

fn primary_only(account: &Account) -> Result<(), FlowError> {
    if account.kind == AccountKind::Primary { Ok(()) } else { Err(FlowError::Forbidden(Code::PrimaryAccountOnly)) }
}

/// The account a `sub_account` SMS code is asked for by and bound to: a
/// primary account's (a sub-account's session is `403`).
pub fn requester(current: &Authenticated) -> Result<AccountId, FlowError> {
    primary_only(&current.account)?;
    Ok(current.account.account_id.clone())
}

/// What a primary account sends to create a sub-account.
#[derive(Debug)]
pub struct NewSubAccount {
    /// Its username.
    pub username: Username,
    /// Its email (the invitation goes there).
    pub email: Email,
    /// Its phone, proven by `sms_code`.
    pub phone: Option<Phone>,
    /// The `sub_account` code sent to `phone` at the primary account's
    /// request (required with `phone`).
    pub sms_code: Option<SecretString>,
    /// A second-factor code of the primary account, while its two-factor
    /// sign-in is on (operation protection).
    pub code: Option<SecretString>,
}

/// Creates a pending sub-account of the signed-in primary account and
/// emails its invitation. While the primary account's two-factor sign-in is
/// on, it needs a code; a phone needs its `sub_account` SMS code, which only
/// the primary account that asked for it may use.
pub async fn create(app: &App, current: &Authenticated, new: NewSubAccount, lang: Lang) -> Result<Account, FlowError> {
    primary_only(&current.account)?;
    let proof = Proof { password: None, code: new.code.as_ref(), action: Guarded::CreateSubAccount };
    let checked = reauthenticate(app, current, proof).await?;
    let parent = checked.account();
    if app.records().sub_account_links(&parent.account_id).await?.len() >= MAX_SUB_ACCOUNTS {
        return Err(FlowError::Conflicting(Code::SubAccountLimit));
    }
    let now = app.clock.now();
    let created = app.counters().count(Limit::SubAccountsPerHour(&parent.account_id), now + 3600).await?;
    if created.count > CREATED_PER_HOUR {
        return Err(FlowError::RateLimited { code: Code::RateLimited, retry_after: (created.expires_at - now).max(1) });
    }
    let proven = match (&new.phone, &new.sms_code) {
        (Some(phone), Some(code)) => Some(
            sms_codes::check_code_for(
                app,
                phone.as_str(),
                SmsPurpose::SubAccount,
                code.expose_secret(),
                Some(&parent.account_id),
            )
            .await?,
        ),
        (Some(_), None) => return Err(FlowError::refused(Input::SmsCode, Code::Required)),
        (None, _) => None,
    };
    let id = AccountId::new(app.random.as_ref());
    let mut account = Account {
        organization: parent.organization.clone(),
        kind: AccountKind::Sub,
        parent_id: Some(parent.account_id.clone()),
        ..Account::pending(id, new.username, new.email, new.phone, lang, now)
    };
    let token = mint_link(app, &mut account, LinkPurpose::InitialPassword);
    let link = SubAccountLink::of(&account);
    let mut extra = Changes::new();
    // The index entry expires with the pending sub-account; activation keeps it.
    extra.list_sub_account(&parent.account_id, &link, account.pending_until());
    if let Some(code) = &proven {
        extra.consume_sms_code(code);
    }
    // The primary account's code is spent only by a request that succeeds.
    checked.write(&mut extra, &parent);
    audit::add(app, &mut extra, &account.account_id, AuditEvent::SignedUp, Actor::Customer, Some(Detail::SubAccount));
    match insert_account(app, &account, extra).await {
        Ok(()) => {}
        Err(NotInserted::Taken(taken)) => {
            // A conflict uses up a try of the code, as at sign-up.
            if let Some(phone) = &account.phone {
                sms_codes::spend_try(app, phone.as_str(), SmsPurpose::SubAccount).await?;
            }
            return Err(FlowError::Conflict(taken));
        }
        Err(NotInserted::Other(conflicts)) if conflicts.contains(&Conflict::SmsCodeChanged) => {
            return Err(FlowError::refused(Input::SmsCode, Code::SmsCodeExpired));
        }
        Err(NotInserted::Other(conflicts)) => return Err(NotCommitted::Conflict(conflicts).into()),
        Err(NotInserted::Store(e)) => return Err(e),
    }
    send_invitation(app, &account, &token).await;
    Ok(account)
}

/// The sub-accounts of `parent`.
pub async fn list(app: &App, parent: &Account) -> Result<Vec<Account>, FlowError> {
    primary_only(parent)?;
    let mut accounts = Vec::new();
    for link in app.records().sub_account_links(&parent.account_id).await? {
        if let Some(stored) = load(app, &link.account_id).await? {
            accounts.push(stored.record);
        }
    }
    Ok(accounts)
}

/// Sends the sub-account `username` of `parent` a reset email (a fresh
/// invitation while it is pending). Any other username is not found.
pub async fn send_reset(app: &App, parent: &Account, username: &str, lang: Lang) -> Result<(), FlowError> {
    primary_only(parent)?;
    let not_found = || FlowError::NotFound(Code::SubAccountNotFound);
    let links = app.records().sub_account_links(&parent.account_id).await?;
    let link = links.into_iter().find(|l| l.username.as_str() == username).ok_or_else(not_found)?;
    let stored = load(app, &link.account_id).await?.ok_or_else(not_found)?;
    let mut account = stored.record.clone();
    let purpose = match account.status {
        AccountStatus::PendingActivation => LinkPurpose::InitialPassword,
        AccountStatus::Active => LinkPurpose::ResetPassword,
        AccountStatus::Deleting => return Err(not_found()),
    };
    let token = mint_link(app, &mut account, purpose);
    let mut changes = Changes::new();
    changes.update_account(&stored, &account);
    let detail = Some(Detail::ByPrimaryAccount);
    audit::add(app, &mut changes, &account.account_id, AuditEvent::ResetRequested, Actor::Customer, detail);
    app.records().commit(changes).await?;
    match purpose {
        LinkPurpose::InitialPassword => send_invitation(app, &account, &token).await,
        LinkPurpose::ResetPassword => send_email(app, &account, Template::ResetPassword, lang, Some(&token), &[]).await,
    }
    Ok(())
}
