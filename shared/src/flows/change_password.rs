//! Changing the password while signed in: the current password is required
//! (wrong ones count towards the lockout of the username), every other
//! session ends, and a notice goes out.

use super::FlowError;
use super::accounts::{load, send_email};
use super::sessions::{Authenticated, Lockout, carry_over, end_sessions, record_failure};
use super::set_password::check_policy;
use crate::app::App;
use crate::audit::{self, Actor, AuditEvent};
use crate::i18n::Lang;
use crate::notify::templates::Template;
use crate::store::{Cond, StoreError, WriteOp, keys};

/// Changes the signed-in account's password.
pub async fn change_password(
    app: &App,
    current: &Authenticated,
    current_password: &str,
    new_password: &str,
    lang: Lang,
) -> Result<(), FlowError> {
    let account_id = &current.account.account_id;
    let lockout = Lockout::begin(app, &current.account.username).await?;
    let (item, mut account) = load(app, account_id).await?.ok_or(FlowError::Unauthenticated)?;
    if !app.hasher.verify(current_password.to_owned(), account.password_hash.clone()).await {
        let locked = lockout.failed(app).await?;
        record_failure(app, &account, locked, Some("change password")).await?;
        return Err(FlowError::WrongPassword);
    }
    lockout.succeeded(app).await?;
    let new_password = check_policy(app, new_password, &account.username, "new_password")?;
    account.password_hash = Some(app.hasher.hash(new_password, app.random.as_ref()).await);
    account.link = None;
    account.password_epoch += 1;
    // The new epoch ends every other session even if deleting their items
    // below fails; this session moves to it in the same transaction.
    let ops = vec![
        WriteOp::Put { item: item.successor(&account), cond: Cond::Version(item.version) },
        carry_over(app, current, account.password_epoch),
        WriteOp::Delete { key: keys::login_streak(account_id), cond: Cond::None },
        audit::entry(app, account_id, AuditEvent::PasswordChanged, Actor::Customer, None),
    ];
    match app.store.transact(ops).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed(_)) => {
            return Err(FlowError::Unavailable("account changed concurrently".into()));
        }
        Err(e) => return Err(e.into()),
    }
    end_sessions(app, account_id, Some(&current.session_key)).await?;
    send_email(app, &account, Template::PasswordChanged, lang, None, &[]).await;
    Ok(())
}
