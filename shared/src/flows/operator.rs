//! What operators read about an account — found by any identifier, with
//! its sign-in state and sessions; each read of personal data audited with
//! the operator's principal — and what they do to it: suspend it, end its
//! sessions, resend its invitation. (Decisions on verifications, deletions
//! and appeals live with their flows.)

use super::accounts::{load, mint_link, send_email, send_invitation};
use super::audit::{self, Actor, AuditEvent};
use super::authentication::{SessionView, end_sessions, end_sessions_for, sessions_of};
use super::{Committed, FlowError, Race};
use crate::app::App;
use crate::domain::account::{CONSECUTIVE_FAILURES_LIMIT, LinkPurpose, Suspension};
use crate::domain::phone::SmsRegions;
use crate::domain::records::{Detail, Verification};
use crate::domain::{Account, AccountId, AccountKind, AccountStatus, Code, LoginName, Username};
use crate::metrics::Metric;
use crate::notify::templates::Template;
use crate::persistence::{Changes, Cursor, Limit, Page, Queued, Stored};
use crate::store::StoreError;

/// A page of the review queue of `status` (verifications, deletion
/// requests or appeals, by `E`), oldest first, and the cursor of the next.
pub async fn queue<E: Queued>(
    app: &App,
    status: E::Status,
    limit: usize,
    after: Option<&Cursor>,
) -> Result<Page<E>, FlowError> {
    Ok(app.records().queue(status, limit, after).await?)
}

/// An account as an operator sees it: the account and what its own
/// partition and its login names' counters say of it.
#[derive(Debug, Clone)]
pub struct AccountOverview {
    /// The account.
    pub account: Account,
    /// Its latest verification submission.
    pub verification: Option<Verification>,
    /// A sub-account's primary account's username.
    pub primary: Option<Username>,
    /// How many sub-accounts it has (a primary account).
    pub sub_accounts: usize,
    /// Live sessions.
    pub sessions: usize,
    /// Registered passkeys.
    pub passkeys: usize,
    /// Unix seconds of its latest sign-in, if any.
    pub last_sign_in_at: Option<i64>,
    /// While one of its login names is locked, the latest end of the locks.
    pub sign_in_locked_until: Option<i64>,
    /// The 100-failure streak suspended password sign-in.
    pub password_sign_in_suspended: bool,
}

/// Looks an account up by username for `operator`: a read of personal data,
/// so it is audited (before anything is shown).
pub async fn account_by_username(app: &App, username: &str, operator: &str) -> Result<AccountOverview, FlowError> {
    let account = find(app, username).await?.record;
    audit::record_operator(app, &account.account_id, AuditEvent::AccountViewed, operator).await?;
    overview(app, account).await
}

async fn find(app: &App, username: &str) -> Result<Stored<Account>, FlowError> {
    let not_found = || FlowError::NotFound(Code::AccountNotFound);
    let username = Username::parse(username).map_err(|_| not_found())?;
    app.records().account_by_username(&username).await?.ok_or_else(not_found)
}

/// What an operator typed to find an account, as the look-up it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// 32 hex digits: an account id (no username is that long).
    AccountId(AccountId),
    /// A username, email or E.164 phone (as sign-in reads a login).
    Login(LoginName),
}

impl Lookup {
    /// What `raw` names: an account id, an email, a phone in E.164 or as
    /// dialled inside the first SMS region (spaces, dashes and a trunk
    /// prefix dropped), else a username (case folded).
    pub fn parse(raw: &str, regions: &SmsRegions) -> Self {
        let raw = raw.trim();
        if let Some(account_id) = AccountId::parse(raw) {
            return Self::AccountId(account_id);
        }
        let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')')).collect();
        let national = !digits.is_empty() && digits.len() <= 20 && digits.bytes().all(|b| b.is_ascii_digit());
        match regions.dialling().next() {
            Some((_, calling_code, trunk)) if national => {
                let number = digits.strip_prefix(trunk).filter(|_| !trunk.is_empty()).unwrap_or(&digits);
                Self::Login(LoginName::parse(&format!("+{calling_code}{number}")))
            }
            _ => Self::Login(LoginName::parse(raw)),
        }
    }
}

/// The accounts (none or one) `login` names, each audited as viewed by
/// `operator`: one guard read and one account read (an id: the account
/// read alone).
pub async fn find_accounts(app: &App, login: &str, operator: &str) -> Result<Vec<AccountOverview>, FlowError> {
    let records = app.records();
    let found = match Lookup::parse(login, &app.config.sms_regions) {
        Lookup::AccountId(account_id) => records.account(&account_id).await?,
        Lookup::Login(login) => records.account_by_login(&login).await?,
    };
    let Some(stored) = found else { return Ok(Vec::new()) };
    audit::record_operator(app, &stored.record.account_id, AuditEvent::AccountViewed, operator).await?;
    Ok(vec![overview(app, stored.record).await?])
}

/// `account` with what its partition and counters say, read at once (each
/// a key or a query of the account's own partition, never a scan).
pub async fn overview(app: &App, account: Account) -> Result<AccountOverview, FlowError> {
    let records = app.records();
    let counters = app.counters();
    let id = &account.account_id;
    let (verification, primary, links, sessions, passkeys, history, locked, streak) = tokio::try_join!(
        records.verification(id),
        primary_of(app, &account),
        records.sub_account_links(id),
        records.sessions(id),
        records.passkeys(id),
        records.sign_in_history(id),
        locked_until(app, &account),
        counters.counted(Limit::LoginStreak(id)),
    )?;
    Ok(AccountOverview {
        verification,
        primary,
        sub_accounts: links.len(),
        sessions: sessions.len(),
        passkeys: passkeys.len(),
        last_sign_in_at: history.and_then(|h| h.clients.iter().map(|c| c.at).max()),
        sign_in_locked_until: locked,
        password_sign_in_suspended: streak >= CONSECUTIVE_FAILURES_LIMIT,
        account,
    })
}

/// A sub-account's primary account's username.
async fn primary_of(app: &App, account: &Account) -> Result<Option<Username>, StoreError> {
    let Some(parent_id) = &account.parent_id else { return Ok(None) };
    Ok(app.records().account(parent_id).await?.map(|parent| parent.record.username))
}

/// The latest end of the locks on `account`'s login names (username,
/// email, phone), while one is locked.
async fn locked_until(app: &App, account: &Account) -> Result<Option<i64>, StoreError> {
    let email = account.email.canonical();
    let phone = account.phone.as_ref().map(|p| p.as_str());
    let ends = tokio::try_join!(
        lock_of(app, Some(account.username.as_str())),
        lock_of(app, Some(&email)),
        lock_of(app, phone)
    )?;
    Ok([ends.0, ends.1, ends.2].into_iter().flatten().max())
}

/// When the lock on the login name `name` ends, while it is locked.
async fn lock_of(app: &App, name: Option<&str>) -> Result<Option<i64>, StoreError> {
    match name {
        Some(name) => app.counters().marked_until(Limit::LoginLock(name)).await,
        None => Ok(None),
    }
}

/// The live sessions of `username`, newest first: addresses and user
/// agents, so the read is audited (`sessions_viewed`).
pub async fn sessions(app: &App, username: &str, operator: &str) -> Result<Vec<SessionView>, FlowError> {
    let account = find(app, username).await?.record;
    audit::record_operator(app, &account.account_id, AuditEvent::SessionsViewed, operator).await?;
    Ok(sessions_of(app, &account.account_id, None).await?)
}

/// Ends every session of `username` (the account stays usable), with the
/// operator's `reason` on the trail; how many ended.
pub async fn sign_out(app: &App, username: &str, reason: String, operator: &str) -> Result<usize, FlowError> {
    let account = find(app, username).await?.record;
    let actor = Actor::Operator(operator.to_owned());
    end_sessions_for(app, &account.account_id, None, actor, Some(reason)).await
}

/// Emails a pending account a fresh invitation (the older link stops
/// working); an active account has none to resend (`409`).
pub async fn resend_invitation(app: &App, username: &str, operator: &str) -> Result<(), FlowError> {
    let stored = find(app, username).await?;
    match stored.record.status {
        AccountStatus::PendingActivation => {}
        AccountStatus::Active => return Err(FlowError::Conflicting(Code::AccountActive)),
        AccountStatus::Deleting => return Err(FlowError::NotFound(Code::AccountNotFound)),
    }
    let mut account = stored.record.clone();
    let token = mint_link(app, &mut account, LinkPurpose::InitialPassword);
    let mut changes = Changes::new();
    changes.update_account(&stored, &account);
    let actor = Actor::Operator(operator.to_owned());
    audit::add(app, &mut changes, &account.account_id, AuditEvent::InvitationResent, actor, None);
    // Activated or re-invited meanwhile: ask again to see which.
    app.records().commit(changes).await.answering([(Race::Any, FlowError::Conflicting(Code::AccountActive))])?;
    send_invitation(app, &account, &token).await;
    Ok(())
}

/// Suspends the account `username`: every session ends, sign-in is refused
/// (`403 account_suspended` for the right password), the owner is emailed.
/// A primary account's sub-accounts are suspended with it. Suspending a
/// suspended account changes nothing of it (but an inherited suspension
/// becomes the account's own) and finishes the cascade: a suspension that
/// failed half way through its sub-accounts is completed by asking again.
pub async fn suspend(app: &App, username: &str, reason: String, operator: &str) -> Result<Account, FlowError> {
    let stored = find(app, username).await?;
    let (account, own) = match stored.record.suspension.clone() {
        Some(own) if !own.inherited => (stored.record.clone(), own),
        _ => {
            let own = Suspension { reason, at: app.clock.now(), by: operator.to_owned(), inherited: false };
            (apply_suspension(app, &stored, own.clone(), operator).await?, own)
        }
    };
    if account.kind == AccountKind::Primary {
        let inherited = Suspension { inherited: true, ..own };
        for sub in sub_accounts(app, &account).await? {
            if sub.record.suspension.is_none() {
                apply_suspension(app, &sub, inherited.clone(), operator).await?;
            }
        }
    }
    Ok(account)
}

/// `stored` suspended as `suspension`: written and audited, its sessions
/// ended, its owner told.
async fn apply_suspension(
    app: &App,
    stored: &Stored<Account>,
    suspension: Suspension,
    operator: &str,
) -> Result<Account, FlowError> {
    let detail = suspension.inherited.then_some(Detail::WithPrimaryAccount);
    let mut account = Account { suspension: Some(suspension), ..stored.record.clone() };
    account.forget_devices();
    let mut changes = Changes::new();
    changes.update_account(stored, &account);
    let actor = Actor::Operator(operator.to_owned());
    audit::add(app, &mut changes, &account.account_id, AuditEvent::Suspended, actor, detail);
    app.records().commit(changes).await?;
    end_sessions(app, &account.account_id, None, Actor::Operator(operator.to_owned())).await?;
    app.count(Metric::AccountSuspended);
    send_email(app, &account, Template::AccountSuspended, account.language, None, &[]).await;
    Ok(account)
}

/// The sub-accounts of a primary account, as read.
async fn sub_accounts(app: &App, primary: &Account) -> Result<Vec<Stored<Account>>, FlowError> {
    let mut found = Vec::new();
    for link in app.records().sub_account_links(&primary.account_id).await? {
        if let Some(sub) = load(app, &link.account_id).await? {
            found.push(sub);
        }
    }
    Ok(found)
}

/// Lifts the suspension of `username` and the ones its suspension brought
/// to its sub-accounts (a sub-account suspended on its own stays so).
/// Lifting again finishes a lift that failed half way through the
/// sub-accounts; with nothing to lift, nothing changes.
pub async fn lift_suspension(app: &App, username: &str, operator: &str) -> Result<Account, FlowError> {
    let stored = find(app, username).await?;
    let account = match stored.record.suspension {
        Some(_) => lift(app, &stored, operator).await?,
        None => stored.record.clone(),
    };
    if account.kind == AccountKind::Primary {
        for sub in sub_accounts(app, &account).await? {
            if sub.record.suspension.as_ref().is_some_and(|s| s.inherited) {
                lift(app, &sub, operator).await?;
            }
        }
    }
    Ok(account)
}

async fn lift(app: &App, stored: &Stored<Account>, operator: &str) -> Result<Account, FlowError> {
    let account = Account { suspension: None, ..stored.record.clone() };
    let mut changes = Changes::new();
    changes.update_account(stored, &account);
    let actor = Actor::Operator(operator.to_owned());
    audit::add(app, &mut changes, &account.account_id, AuditEvent::SuspensionLifted, actor, None);
    app.records().commit(changes).await?;
    Ok(account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_login_means_one_look_up() {
        let cn = SmsRegions::default();
        let phone = || Lookup::Login(LoginName::Phone("+8613800138000".into()));
        for typed in
            ["13800138000", "138 0013 8000", "138-0013-8000", "013800138000", "+86 138 0013 8000", " +8613800138000 "]
        {
            assert_eq!(Lookup::parse(typed, &cn), phone(), "{typed}");
        }
        let id = "0123456789ABCDEF0123456789abcdef";
        assert_eq!(Lookup::parse(id, &cn), Lookup::AccountId(AccountId::parse(id).unwrap()));
        assert_eq!(Lookup::parse("Alice", &cn), Lookup::Login(LoginName::Username("alice".into())));
        assert_eq!(Lookup::parse("A@Example.COM", &cn), Lookup::Login(LoginName::Email("a@example.com".into())));
        // 31 hex digits are no id; digits that are no number stay a username
        // no account can have.
        assert!(matches!(Lookup::parse(&id[..31], &cn), Lookup::Login(LoginName::Username(_))));
        assert!(matches!(Lookup::parse("123", &cn), Lookup::Login(LoginName::Username(_))));
        assert!(matches!(Lookup::parse(&"1".repeat(3000), &cn), Lookup::Login(LoginName::Unmatchable(_))));
    }
}
