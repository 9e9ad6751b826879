//! Changing the password while signed in: the person is re-checked (the
//! current password, and a code while two-factor sign-in is on), every
//! other session ends, and a notice goes out.

use secrecy::SecretString;

use super::FlowError;
use super::accounts::{accept_password, refuse_breached, send_email};
use super::audit::{self, Actor, AuditEvent};
use super::authentication::{Authenticated, carry_over, end_sessions};
use super::lockout::{Proof, reauthenticate};
use crate::app::App;
use crate::domain::Input;
use crate::domain::records::Guarded;
use crate::i18n::Lang;
use crate::notify::templates::Template;
use crate::persistence::{Changes, Limit};

/// What a password change sends.
#[derive(Debug)]
pub struct PasswordChange {
    /// The current password.
    pub current_password: SecretString,
    /// The new one (checked against the policy here).
    pub new_password: SecretString,
    /// A second-factor code, while two-factor sign-in is on.
    pub code: Option<SecretString>,
}

/// Changes the signed-in account's password.
pub async fn change_password(
    app: &App,
    current: &Authenticated,
    change: PasswordChange,
    lang: Lang,
) -> Result<(), FlowError> {
    let proof =
        Proof { password: Some(&change.current_password), code: change.code.as_ref(), action: Guarded::ChangePassword };
    let checked = reauthenticate(app, current, proof).await?;
    let mut account = checked.account();
    let account_id = account.account_id.clone();
    let new_password = accept_password(app, &change.new_password, account.username.as_str(), Input::NewPassword)?;
    refuse_breached(app, &change.new_password, Input::NewPassword).await?;
    account.password_hash = Some(app.hasher.hash(new_password, app.random.as_ref()).await);
    account.link = None;
    account.password_epoch += 1;
    account.forget_devices();
    // The new epoch ends every other session even if deleting their items
    // below fails; this session moves to it in the same transaction.
    let mut changes = Changes::new();
    checked.write(&mut changes, &account);
    changes.clear_count(Limit::LoginStreak(&account_id));
    carry_over(app, &mut changes, current, account.password_epoch);
    audit::add(app, &mut changes, &account_id, AuditEvent::PasswordChanged, Actor::Customer, None);
    app.records().commit(changes).await?;
    end_sessions(app, &account_id, Some(&current.session), Actor::Customer).await?;
    send_email(app, &account, Template::PasswordChanged, lang, None, &[]).await;
    Ok(())
}
