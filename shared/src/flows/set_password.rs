//! Password links: inspecting one, declining one, and setting a password
//! through one — the initial password (which activates the account, and
//! needs the sign-up's phone typed in full) or a reset (which ends every
//! session and sends a notice; no automatic sign-in).

use super::accounts::{accept_password, load, refuse_breached, send_email};
use super::audit::{self, Actor, AuditEvent};
use super::authentication::end_sessions;
use super::erasure::erase_one;
use super::{Committed, FlowError, Race};
use crate::app::App;
use crate::domain::account::{LinkPurpose, PasswordLink};
use crate::domain::phone::mask_phone;
use crate::domain::records::SubAccountLink;
use crate::domain::secret_token::{self, hashes_match};
use crate::domain::{Account, AccountId, AccountKind, AccountStatus, Code, Input, Refusal};
use crate::i18n::Lang;
use crate::metrics::Metric;
use crate::notify::templates::Template;
use crate::persistence::{Changes, Conflict, Limit, Stored};
use secrecy::{ExposeSecret, SecretString};

/// Activation attempts with a wrong phone after which the link is void.
pub const MAX_PHONE_MISMATCHES: u32 = 5;

/// What the set-password page shows before the link is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkView {
    /// Activation or reset.
    pub purpose: LinkPurpose,
    /// Whose link it is.
    pub username: String,
    /// The account's phone, masked (`+86 138****8000`), if it has one.
    pub masked_phone: Option<String>,
    /// Unix seconds.
    pub expires_at: i64,
}

/// The live link a token names, with its account item. Unknown, used and
/// superseded links, and every link of a disabled sub-account (even one its
/// primary sent after the disable), are `InvalidLink`; an expired one is
/// `LinkExpired`.
async fn open_link(app: &App, token: &SecretString) -> Result<(Stored<Account>, PasswordLink), FlowError> {
    let presented = secret_token::parse::<AccountId>(token.expose_secret()).ok_or(FlowError::InvalidLink)?;
    let stored = load(app, &presented.id).await?.ok_or(FlowError::InvalidLink)?;
    let account = &stored.record;
    let link = account
        .link
        .clone()
        .filter(|l| hashes_match(&l.hash, &presented.hash))
        .filter(|_| account.status != AccountStatus::Deleting && account.disabled.is_none())
        .ok_or(FlowError::InvalidLink)?;
    if link.expires_at <= app.clock.now() {
        return Err(FlowError::LinkExpired);
    }
    Ok((stored, link))
}

/// Shows whose link `token` is, without using it.
pub async fn inspect_link(app: &App, token: &SecretString) -> Result<LinkView, FlowError> {
    let (stored, link) = open_link(app, token).await?;
    let account = stored.record;
    Ok(LinkView {
        purpose: link.purpose,
        username: account.username.as_str().to_owned(),
        masked_phone: account.phone.as_ref().map(|p| mask_phone(p.as_str())),
        expires_at: link.expires_at,
    })
}

/// Whether the phone typed at activation is the account's (spaces and
/// dashes allowed, as people type numbers).
fn same_phone(typed: Option<&str>, expected: &str) -> bool {
    typed.is_some_and(|t| t.chars().filter(|c| !c.is_whitespace() && *c != '-').eq(expected.chars()))
}

/// Sets the password of the account a link `token` belongs to. The link is
/// judged first (`InvalidLink`, `LinkExpired`); an activation of an account
/// with a phone then needs that phone (`phone_mismatch`, counted, the fifth
/// voids the link); then the password's policy.
pub async fn set_password(
    app: &App,
    token: &SecretString,
    password: &SecretString,
    phone: Option<&str>,
    lang: Lang,
) -> Result<(), FlowError> {
    let (stored, link) = open_link(app, token).await?;
    let mut account = stored.record.clone();
    let activation = link.purpose == LinkPurpose::InitialPassword;
    let secret = password;
    let policy = accept_password(app, password, account.username.as_str(), Input::Password);
    if activation
        && let Some(expected) = &account.phone
        && !same_phone(phone, expected.as_str())
    {
        count_phone_mismatch(app, token).await?;
        let mut errors = vec![Refusal::new(Input::Phone, Code::PhoneMismatch)];
        if let Err(FlowError::Validation(weak)) = policy {
            errors.extend(weak);
        }
        return Err(FlowError::Validation(errors));
    }
    let password = policy?;
    refuse_breached(app, secret, Input::Password).await?;

    account.password_hash = Some(app.hasher.hash(password, app.random.as_ref()).await);
    account.link = None;
    account.status = AccountStatus::Active;
    account.password_epoch += 1;
    account.forget_devices();
    let event = if activation { AuditEvent::Activated } else { AuditEvent::PasswordReset };
    // The version condition consumes the link exactly once even when the
    // same link is submitted twice at the same moment. An activated account
    // no longer expires, nor do its claims on its username, email and phone.
    let mut changes = Changes::new();
    if activation {
        changes.activate_account(&stored, &account);
        if let (AccountKind::Sub, Some(parent_id)) = (account.kind, &account.parent_id) {
            changes.keep_sub_account_listed(parent_id, &SubAccountLink::of(&account));
        }
    } else {
        changes.update_account(&stored, &account);
    }
    changes.clear_count(Limit::LoginStreak(&account.account_id));
    audit::add(app, &mut changes, &account.account_id, event, Actor::Customer, None);
    // Used at the same moment, or the pending account's time ran out.
    app.records().commit(changes).await.answering([(Race::Any, FlowError::InvalidLink)])?;
    tracing::info!(account_id = %account.account_id, ?event, "password set through link");
    if activation {
        app.count(Metric::Activation);
    }
    if !activation {
        end_sessions(app, &account.account_id, None, Actor::Customer).await?;
        send_email(app, &account, Template::PasswordChanged, lang, None, &[]).await;
    }
    Ok(())
}

/// Counts an activation attempt with the wrong phone on the link it used;
/// the fifth voids the link.
async fn count_phone_mismatch(app: &App, token: &SecretString) -> Result<(), FlowError> {
    // Re-read on a lost race, so that concurrent attempts all count.
    for _ in 0..4 {
        let (stored, mut link) = open_link(app, token).await?;
        let mut account = stored.record.clone();
        link.phone_mismatches += 1;
        let voided = link.phone_mismatches >= MAX_PHONE_MISMATCHES;
        account.link = (!voided).then_some(link);
        let mut changes = Changes::new();
        changes.update_account(&stored, &account);
        if app.records().commit(changes).await.unless_lost(Race::On(Conflict::AccountChanged))? {
            if voided {
                tracing::warn!(account_id = %account.account_id, "activation link voided: phone mismatches");
            }
            return Ok(());
        }
    }
    Err(FlowError::Unavailable("link changed concurrently".into()))
}

/// Declines a link: an activation link of a pending account erases that
/// account at once (its username, email and phone are free again); a reset
/// link stops working. The account's email is told either way.
pub async fn decline_link(app: &App, token: &SecretString) -> Result<(), FlowError> {
    let (stored, link) = open_link(app, token).await?;
    let mut account = stored.record.clone();
    // Use the link up first, so that an activation racing this decline
    // either wins before it (and the decline finds no link) or fails.
    account.link = None;
    let mut changes = Changes::new();
    changes.update_account(&stored, &account);
    app.records().commit(changes).await.answering([(Race::On(Conflict::AccountChanged), FlowError::InvalidLink)])?;
    let lang = account.language;
    if link.purpose == LinkPurpose::InitialPassword && account.status == AccountStatus::PendingActivation {
        erase_one(app, &account, AuditEvent::SignUpDeclined, Actor::Customer).await?;
        send_email(app, &account, Template::SignUpDeclined, lang, None, &[]).await;
    } else {
        audit::record(app, &account.account_id, AuditEvent::ResetDeclined, None).await?;
        send_email(app, &account, Template::ResetDeclined, lang, None, &[]).await;
    }
    Ok(())
}
