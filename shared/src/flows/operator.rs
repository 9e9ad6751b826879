//! What operators read about an account (each read of personal data is
//! audited with the operator's principal), and suspending it. (Decisions
//! on verifications and deletions live with their flows.)

use super::FlowError;
use super::accounts::send_email;
use super::sessions::end_sessions;
use super::verification::{self, Verification};
use crate::app::App;
use crate::audit::{self, Actor, AuditEvent};
use crate::domain::account::Suspension;
use crate::domain::{Account, Username};
use crate::metrics::Metric;
use crate::notify::templates::Template;
use crate::persistence::{Changes, Stored};

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
    let verification = verification::current(app, &account.account_id).await?;
    Ok(AccountOverview { account, verification })
}

async fn find(app: &App, username: &str) -> Result<Stored<Account>, FlowError> {
    let not_found = || FlowError::NotFound("account_not_found");
    let username = Username::parse(username).map_err(|_| not_found())?;
    app.records().account_by_username(&username).await?.ok_or_else(not_found)
}

/// Suspends the account `username`: every session ends, sign-in is refused
/// (`403 account_suspended` for the right password), the owner is emailed.
/// Suspending a suspended account changes nothing.
pub async fn suspend(app: &App, username: &str, reason: String, operator: &str) -> Result<Account, FlowError> {
    let stored = find(app, username).await?;
    if stored.record.suspension.is_some() {
        return Ok(stored.record);
    }
    let mut account = stored.record.clone();
    account.suspension = Some(Suspension { reason, at: app.clock.now(), by: operator.to_owned() });
    let mut changes = Changes::new();
    changes.update_account(&stored, &account);
    let actor = Actor::Operator(operator.to_owned());
    audit::add(app, &mut changes, &account.account_id, AuditEvent::Suspended, actor, None);
    app.records().commit(changes).await?;
    end_sessions(app, &account.account_id, None).await?;
    app.count(Metric::AccountSuspended);
    send_email(app, &account, Template::AccountSuspended, account.language, None, &[]).await;
    Ok(account)
}

/// Lifts the suspension of `username` (nothing to lift changes nothing).
pub async fn lift_suspension(app: &App, username: &str, operator: &str) -> Result<Account, FlowError> {
    let stored = find(app, username).await?;
    if stored.record.suspension.is_none() {
        return Ok(stored.record);
    }
    let account = Account { suspension: None, ..stored.record.clone() };
    let mut changes = Changes::new();
    changes.update_account(&stored, &account);
    let actor = Actor::Operator(operator.to_owned());
    audit::add(app, &mut changes, &account.account_id, AuditEvent::SuspensionLifted, actor, None);
    app.records().commit(changes).await?;
    Ok(account)
}
