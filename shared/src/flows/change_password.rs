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
use crate::persistence::{Changes, Limit};

/// Changes the signed-in account's password.
pub async fn change_password(
    app: &App,
    current: &Authenticated,
    current_password: &str,
    new_password: &str,
    lang: Lang,
) -> Result<(), FlowError> {
    let account_id = &current.account.account_id;
    let lockout = Lockout::begin(app, current.account.username.as_str()).await?;
    let stored = load(app, account_id).await?.ok_or(FlowError::Unauthenticated)?;
    let mut account = stored.record.clone();
    if !app.hasher.verify(current_password.to_owned(), account.password_hash.clone()).await {
        let locked = lockout.failed(app).await?;
        record_failure(app, &account, locked, Some("change password")).await?;
        return Err(FlowError::WrongPassword);
    }
    lockout.succeeded(app).await?;
    let new_password = check_policy(app, new_password, account.username.as_str(), "new_password")?;
    account.password_hash = Some(app.hasher.hash(new_password, app.random.as_ref()).await);
    account.link = None;
    account.password_epoch += 1;
    // The new epoch ends every other session even if deleting their items
    // below fails; this session moves to it in the same transaction.
    let mut changes = Changes::new();
    changes.update_account(&stored, &account).clear(Limit::LoginStreak(account_id));
    carry_over(app, &mut changes, current, account.password_epoch);
    audit::add(app, &mut changes, account_id, AuditEvent::PasswordChanged, Actor::Customer, None);
    app.records().commit(changes).await?;
    end_sessions(app, account_id, Some(&current.session)).await?;
    send_email(app, &account, Template::PasswordChanged, lang, None, &[]).await;
    Ok(())
}
