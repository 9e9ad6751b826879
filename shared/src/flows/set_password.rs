//! Setting a password through an emailed link: the initial password (which
//! activates the account) or a reset (which ends every session and sends a
//! notice; no automatic sign-in).

use super::FlowError;
use super::accounts::{load, send_email};
use super::sessions::end_sessions;
use crate::app::App;
use crate::audit::{self, Actor, AuditEvent};
use crate::domain::account::LinkPurpose;
use crate::domain::secret_token::{self, hashes_match};
use crate::domain::{AccountStatus, FieldError};
use crate::i18n::Lang;
use crate::notify::templates::Template;
use crate::store::{Cond, StoreError, WriteOp};

/// Checks `password` against the configured policy for `username`; the
/// failures are field errors on `field`.
pub fn check_policy(app: &App, password: &str, username: &str, field: &str) -> Result<String, FlowError> {
    app.config
        .password_policy
        .check(password, username)
        .map_err(|codes| FlowError::Validation(codes.into_iter().map(|c| FieldError::new(field, c)).collect()))
}

/// Sets the password of the account a link `token` belongs to. Unknown, used
/// and superseded links are `InvalidLink`; an expired one is `LinkExpired`;
/// both are decided before the password is judged.
pub async fn set_password(app: &App, token: &str, password: &str, lang: Lang) -> Result<(), FlowError> {
    let presented = secret_token::parse(token).ok_or(FlowError::InvalidLink)?;
    let (item, mut account) = load(app, &presented.account_id).await?.ok_or(FlowError::InvalidLink)?;
    let link = account
        .link
        .clone()
        .filter(|l| hashes_match(&l.hash, &presented.hash) && account.status != AccountStatus::Deleting)
        .ok_or(FlowError::InvalidLink)?;
    if link.expires_at <= app.clock.now() {
        return Err(FlowError::LinkExpired);
    }
    let password = check_policy(app, password, &account.username, "password")?;

    account.password_hash = Some(app.hasher.hash(password, app.random.as_ref()).await);
    account.link = None;
    account.status = AccountStatus::Active;
    let event = match link.purpose {
        LinkPurpose::InitialPassword => AuditEvent::Activated,
        LinkPurpose::ResetPassword => AuditEvent::PasswordReset,
    };
    // The version condition consumes the link exactly once even when the
    // same link is submitted twice at the same moment.
    let ops = vec![
        WriteOp::Put { item: item.successor(&account), cond: Cond::Version(item.version) },
        audit::entry(app, &account.account_id, event, Actor::Customer, None),
    ];
    match app.store.transact(ops).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed(_)) => return Err(FlowError::InvalidLink),
        Err(e) => return Err(e.into()),
    }
    tracing::info!(account_id = %account.account_id, ?event, "password set through link");
    if link.purpose == LinkPurpose::ResetPassword {
        end_sessions(app, &account.account_id, None).await?;
        send_email(app, &account, Template::PasswordChanged, lang, None, &[]).await;
    }
    Ok(())
}
