//! Sub-accounts: created by a primary account, each with its own
//! initial-password email and a phone proven like a sign-up's; the primary
//! account (and only it) sends its sub-accounts reset emails.

use secrecy::{ExposeSecret, SecretString};

use super::accounts::{NotInserted, insert_account, load, mint_link, send_email, send_invitation};
use super::audit::{self, Actor, AuditEvent};
use super::authentication::{Authenticated, end_sessions};
use super::erasure::erase_one;
use super::lockout::{Proof, reauthenticate};
use super::{Committed, FlowError, Race, sms_codes};
use crate::app::App;
use crate::domain::account::{Disabled, LinkPurpose};
pub use crate::domain::records::SubAccountLink;
use crate::domain::records::{Detail, ErasureUnderWay, Guarded};
use crate::domain::sms_code::SmsPurpose;
use crate::domain::sub_account_policy::SubAccountPolicy;
use crate::domain::{Account, AccountId, AccountKind, AccountStatus, Code, Email, Input, Phone, Username};
use crate::i18n::Lang;
use crate::notify::templates::{Template, Var};
use crate::persistence::{Changes, Conflict, Limit, NotCommitted, Stored};

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
        // Held to the policy from its first request; a policy changed
        // meanwhile fails the insert (the parent's record is its condition).
        policy: parent.sub_account_policy.clone().filter(|p| !p.is_default()),
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
    // The primary account's code is spent only by a request that succeeds;
    // its record is the condition that the policy copied is still its own.
    checked.write_always(&mut extra, &parent);
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

/// A sub-account as its primary account's list shows it.
#[derive(Debug)]
pub struct Listed {
    /// The sub-account.
    pub account: Account,
    /// Unix seconds of its last completed sign-in (from the sign-in
    /// history, which every sign-in writes anyway).
    pub last_sign_in_at: Option<i64>,
}

/// The sub-accounts of `parent`.
pub async fn list(app: &App, parent: &Account) -> Result<Vec<Listed>, FlowError> {
    primary_only(parent)?;
    let mut listed = Vec::new();
    for link in app.records().sub_account_links(&parent.account_id).await? {
        if let Some(stored) = load(app, &link.account_id).await? {
            let history = app.records().sign_in_history(&link.account_id).await?;
            let last_sign_in_at = history.and_then(|h| h.clients.iter().map(|seen| seen.at).max());
            listed.push(Listed { account: stored.record, last_sign_in_at });
        }
    }
    Ok(listed)
}

/// Sends the sub-account `username` of `parent` a reset email (a fresh
/// invitation while it is pending). Any other username is not found.
pub async fn send_reset(app: &App, parent: &Account, username: &str, lang: Lang) -> Result<(), FlowError> {
    let stored = find(app, parent, username).await?;
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

fn not_found() -> FlowError {
    FlowError::NotFound(Code::SubAccountNotFound)
}

/// The sub-account `username` of the primary account `parent`, as stored.
/// An unknown username and another primary's sub-account are alike `404`.
async fn find(app: &App, parent: &Account, username: &str) -> Result<Stored<Account>, FlowError> {
    primary_only(parent)?;
    let links = app.records().sub_account_links(&parent.account_id).await?;
    let link = links.into_iter().find(|l| l.username.as_str() == username).ok_or_else(not_found)?;
    load(app, &link.account_id).await?.ok_or_else(not_found)
}

/// Writes `change` of the sub-account `stored` with its trail `event` by
/// `parent` and whatever `also` adds (the primary's spent code), if it
/// changes anything; a write that raced it (a sign-in, say) is retried on a
/// fresh read. Returns the account as written, or `None` when there was
/// nothing to change.
async fn change_sub(
    app: &App,
    parent: &AccountId,
    mut stored: Stored<Account>,
    event: Option<AuditEvent>,
    change: impl Fn(&mut Account),
    also: impl Fn(&mut Changes),
) -> Result<Option<Account>, FlowError> {
    for _ in 0..RACE_RETRIES {
        let mut account = stored.record.clone();
        change(&mut account);
        if account == stored.record {
            return Ok(None);
        }
        let mut changes = Changes::new();
        changes.update_account(&stored, &account);
        also(&mut changes);
        if let Some(event) = event {
            audit::add(app, &mut changes, &account.account_id, event, Actor::Primary(parent.clone()), None);
        }
        if app.records().commit(changes).await.unless_lost(Race::On(Conflict::AccountChanged))? {
            return Ok(Some(account));
        }
        stored = load(app, &account.account_id).await?.ok_or_else(not_found)?;
    }
    Err(FlowError::Unavailable("a sub-account kept changing under its primary's change".into()))
}

/// Writes a sub-account's change may lose to a racing one before giving up.
const RACE_RETRIES: usize = 3;

/// Cuts the sub-account `username` off at once (protective: the session
/// alone): its live link is voided, its sessions end, and from the commit
/// on no sign-in of it completes (every sign-in writes the account on the
/// condition that it is as read) and no session of it is accepted. Asking
/// again finishes an interrupted disable.
pub async fn disable(app: &App, current: &Authenticated, username: &str) -> Result<(), FlowError> {
    let parent = &current.account;
    let stored = find(app, parent, username).await?;
    if stored.record.status == AccountStatus::Deleting {
        return Err(not_found());
    }
    let at = app.clock.now();
    let event = Some(AuditEvent::SubAccountDisabled);
    let cut_off = |account: &mut Account| {
        if account.disabled.is_none() {
            account.disabled = Some(Disabled { at });
        }
        account.link = None;
        account.forget_devices();
    };
    let changed = change_sub(app, &parent.account_id, stored.clone(), event, cut_off, |_| {}).await?;
    end_sessions(app, &stored.record.account_id, None, Actor::Primary(parent.account_id.clone())).await?;
    if let Some(account) = changed.filter(|a| stored.record.disabled.is_none() && a.disabled.is_some()) {
        send_email(app, &account, Template::SubAccountDisabled, account.language, None, &[]).await;
    }
    Ok(())
}

/// Lifts its primary's disable of the sub-account `username` (never an
/// operator's suspension), after the one re-check of the person.
pub async fn enable(
    app: &App,
    current: &Authenticated,
    username: &str,
    password: &SecretString,
    code: Option<&SecretString>,
) -> Result<(), FlowError> {
    primary_only(&current.account)?;
    let proof = Proof { password: Some(password), code, action: Guarded::EnableSubAccount };
    let checked = reauthenticate(app, current, proof).await?;
    let parent = checked.account();
    let stored = find(app, &parent, username).await?;
    if stored.record.status == AccountStatus::Deleting {
        return Err(not_found());
    }
    let event = Some(AuditEvent::SubAccountEnabled);
    // The primary's code is spent with the change it guards.
    let spend = |changes: &mut Changes| checked.write(changes, &parent);
    let changed = change_sub(app, &parent.account_id, stored, event, |account| account.disabled = None, spend).await?;
    if let Some(account) = changed {
        send_email(app, &account, Template::SubAccountEnabled, account.language, None, &[]).await;
    }
    Ok(())
}

/// Ends every session of the sub-account `username`.
pub async fn end_sub_sessions(app: &App, current: &Authenticated, username: &str) -> Result<(), FlowError> {
    let parent = &current.account;
    let stored = find(app, parent, username).await?;
    end_sessions(app, &stored.record.account_id, None, Actor::Primary(parent.account_id.clone())).await?;
    Ok(())
}

/// Removes the sub-account `username` for good, as an approved deletion
/// does: marked as being erased (nothing works for it from then on), then
/// erased; asking again finishes an interrupted removal. The primary's
/// email is told.
pub async fn remove(
    app: &App,
    current: &Authenticated,
    username: &str,
    password: &SecretString,
    code: Option<&SecretString>,
    lang: Lang,
) -> Result<(), FlowError> {
    primary_only(&current.account)?;
    let proof = Proof { password: Some(password), code, action: Guarded::RemoveSubAccount };
    let checked = reauthenticate(app, current, proof).await?;
    let parent = checked.account();
    let stored = find(app, &parent, username).await?;
    let mut account = stored.record.clone();
    if account.status != AccountStatus::Deleting {
        account.status = AccountStatus::Deleting;
        let mut changes = Changes::new();
        changes.update_account(&stored, &account);
        // The primary's code is spent with the change it guards.
        checked.write(&mut changes, &parent);
        // The queue watch alarms while an erase stays unfinished.
        changes.note_erasure(&ErasureUnderWay { account_id: account.account_id.clone(), since: app.clock.now() });
        // A sign-in or another change raced it: asking again removes it.
        app.records()
            .commit(changes)
            .await
            .answering([(Race::Any, FlowError::Unavailable("a removal raced a change of the sub-account".into()))])?;
    }
    let actor = Actor::Primary(parent.account_id.clone());
    erase_one(app, &account, AuditEvent::SubAccountRemoved, actor).await?;
    let vars = [(Var::SubAccount, account.username.as_str())];
    send_email(app, &parent, Template::SubAccountRemoved, lang, None, &vars).await;
    Ok(())
}

/// The policy the primary account's sub-accounts sign in under.
pub fn policy(current: &Authenticated) -> Result<SubAccountPolicy, FlowError> {
    primary_only(&current.account)?;
    Ok(current.account.sub_account_policy.clone().unwrap_or_default())
}

/// Sets the policy of the primary account's sub-accounts, after the one
/// re-check of the person: each sub-account's copy first, then the primary
/// account's own, so that until it answers the policy read back is the
/// old one and asking again finishes a change interrupted half way.
pub async fn set_policy(
    app: &App,
    current: &Authenticated,
    policy: SubAccountPolicy,
    password: &SecretString,
    code: Option<&SecretString>,
) -> Result<SubAccountPolicy, FlowError> {
    primary_only(&current.account)?;
    let proof = Proof { password: Some(password), code, action: Guarded::ChangeSubAccountPolicy };
    let checked = reauthenticate(app, current, proof).await?;
    let mut parent = checked.account();
    let before = parent.sub_account_policy.clone().unwrap_or_default();
    let copy = (!policy.is_default()).then(|| policy.clone());
    for link in app.records().sub_account_links(&parent.account_id).await? {
        if let Some(stored) = load(app, &link.account_id).await? {
            change_sub(app, &parent.account_id, stored, None, |account| account.policy = copy.clone(), |_| {}).await?;
        }
    }
    parent.sub_account_policy = Some(policy.clone());
    let mut changes = Changes::new();
    checked.write(&mut changes, &parent);
    let detail = Detail::PolicyChange { before: policy_text(&before), after: policy_text(&policy) };
    let event = AuditEvent::SubAccountPolicyChanged;
    audit::add(app, &mut changes, &parent.account_id, event, Actor::Customer, Some(detail));
    // Another change of the primary raced it: asking again settles it.
    let raced = FlowError::Unavailable("a policy change raced a change of the primary account".into());
    app.records().commit(changes).await.answering([(Race::Any, raced)])?;
    let time = crate::clock::rfc3339(app.clock.now());
    send_email(app, &parent, Template::SubAccountPolicyChanged, parent.language, None, &[(Var::Time, time.as_str())])
        .await;
    Ok(policy)
}

/// A policy as the trail shows it: no personal data, only its settings.
fn policy_text(policy: &SubAccountPolicy) -> String {
    let networks: Vec<String> = policy.allowed_networks.iter().map(ToString::to_string).collect();
    format!(
        "mfa_required={} session_hours={} allowed_networks=[{}]",
        policy.mfa_required,
        policy.session_hours,
        networks.join(",")
    )
}
