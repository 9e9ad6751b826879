//! What operators read about an account (each read of personal data is
//! audited with the operator's principal), and suspending it. (Decisions
//! on verifications and deletions live with their flows.)

use super::FlowError;
use super::accounts::{load, send_email};
use super::audit::{self, Actor, AuditEvent};
use super::authentication::end_sessions;
use crate::app::App;
use crate::domain::Code;
use crate::domain::account::Suspension;
use crate::domain::records::{Detail, Verification};
use crate::domain::{Account, AccountKind, Username};
use crate::metrics::Metric;
use crate::notify::templates::Template;
use crate::persistence::{Changes, Cursor, Page, Queued, Stored};

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

/// An account as an operator sees it.
pub struct AccountOverview {
    /// The account.
    pub account: Account,
    /// Its latest verification submission.
    pub verification: Option<Verification>,
}

/// Looks an account up by username for `operator`: a read of personal data,
/// so it is audited (before anything is shown).
pub async fn account_by_username(app: &App, username: &str, operator: &str) -> Result<AccountOverview, FlowError> {
    let account = find(app, username).await?.record;
    audit::record_operator(app, &account.account_id, AuditEvent::AccountViewed, operator).await?;
    let verification = app.records().verification(&account.account_id).await?;
    Ok(AccountOverview { account, verification })
}

async fn find(app: &App, username: &str) -> Result<Stored<Account>, FlowError> {
    let not_found = || FlowError::NotFound(Code::AccountNotFound);
    let username = Username::parse(username).map_err(|_| not_found())?;
    app.records().account_by_username(&username).await?.ok_or_else(not_found)
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
