//! Account pieces several flows share: loading, uniqueness guards and the
//! password link.

use super::FlowError;
use crate::app::App;
use crate::domain::FieldError;
use crate::domain::account::{LinkPurpose, PasswordLink};
use crate::domain::phone::mask_phone;
pub use crate::domain::records::Guard;
use crate::domain::secret_token;
use crate::domain::{Account, LoginName};
use crate::i18n::Lang;
use crate::notify::templates::{self, Template};
use crate::store::{Cond, Item, Key, StoreError, StoreExt, WriteOp, keys};
use secrecy::{ExposeSecret, SecretString};

/// How long a password link is valid, in seconds.
pub const LINK_TTL_SECS: i64 = 3600;

/// Loads an account item by id.
pub async fn load(app: &App, account_id: &str) -> Result<Option<(Item, Account)>, FlowError> {
    match app.store.get(&keys::account(account_id)).await? {
        Some(item) => {
            let account = item.decode()?;
            Ok(Some((item, account)))
        }
        None => Ok(None),
    }
}

/// Finds the account a login name refers to.
pub async fn find_by_login(app: &App, login: &LoginName) -> Result<Option<(Item, Account)>, FlowError> {
    let Some(guard) = app.store.get(&keys::login_guard(login)).await? else {
        return Ok(None);
    };
    load(app, &guard.decode::<Guard>()?.account_id).await
}

/// The guard keys of an account's username, email and phone, each with the
/// field it guards.
fn guard_keys(account: &Account) -> Vec<(&'static str, Key)> {
    let mut keys = vec![
        ("username", keys::username_guard(&account.username)),
        ("email", keys::email_guard(&account.email.to_lowercase())),
    ];
    if let Some(phone) = &account.phone {
        keys.push(("phone", keys::phone_guard(phone)));
    }
    keys
}

/// The writes that claim a new account's username, email and phone, in that
/// order; each fails if the value is taken. Like the pending account, the
/// claims expire after 7 days unless activation keeps them.
pub fn claim_guards(account: &Account) -> Vec<(&'static str, WriteOp)> {
    let guard = Guard { account_id: account.account_id.clone() };
    guard_keys(account)
        .into_iter()
        .map(|(field, key)| {
            let item = Item::new(key, &guard).expiring_at(account.pending_until());
            (field, WriteOp::Put { item, cond: Cond::Absent })
        })
        .collect()
}

/// The writes that make an activated account's claims permanent; each fails
/// unless the account still holds the guard.
pub fn keep_guards(account: &Account) -> Vec<WriteOp> {
    let guard = Guard { account_id: account.account_id.clone() };
    guard_keys(account)
        .into_iter()
        .map(|(_, key)| WriteOp::Put { item: Item::new(key, &guard), cond: Cond::HeldBy(account.account_id.clone()) })
        .collect()
}

/// Deletes the guards the account still holds; a value someone else holds
/// by now is left alone. Safe to run again.
pub async fn release_guards(app: &App, account: &Account) -> Result<(), FlowError> {
    for (_, key) in guard_keys(account) {
        match app.store.delete(key, Cond::HeldBy(account.account_id.clone())).await {
            Ok(()) | Err(StoreError::ConditionFailed(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Why a new account was not written.
#[derive(Debug)]
pub enum NotInserted {
    /// Some of its username, email and phone are taken: a `409` naming each.
    Taken(Vec<FieldError>),
    /// A condition of the caller's own writes failed (e.g. the SMS code was
    /// consumed meanwhile).
    ExtraConditionFailed,
    /// The store failed.
    Store(FlowError),
}

/// Writes a new, pending account with its uniqueness guards and `extra`
/// writes in one transaction, and names what failed. The operations'
/// positions are known here only.
pub async fn insert_account(app: &App, account: &Account, extra: Vec<WriteOp>) -> Result<(), NotInserted> {
    let claims = claim_guards(account);
    let profile = Item::new(keys::account(&account.account_id), account).expiring_at(account.pending_until());
    let mut ops = vec![WriteOp::Put { item: profile, cond: Cond::Absent }];
    ops.extend(claims.iter().map(|(_, op)| op.clone()));
    let first_extra = ops.len();
    ops.extend(extra);
    let failed = match app.store.transact(ops).await {
        Ok(()) => return Ok(()),
        Err(StoreError::ConditionFailed(failed)) => failed,
        Err(e) => return Err(NotInserted::Store(e.into())),
    };
    let taken: Vec<FieldError> = failed
        .iter()
        .filter_map(|&i| i.checked_sub(1).and_then(|g| claims.get(g)))
        .map(|(field, _)| FieldError::new(*field, taken_code(field)))
        .collect();
    if !taken.is_empty() {
        return Err(NotInserted::Taken(taken));
    }
    if failed.iter().any(|&i| i >= first_extra) {
        return Err(NotInserted::ExtraConditionFailed);
    }
    Err(NotInserted::Store(FlowError::Unavailable("account id collision".into())))
}

fn taken_code(field: &str) -> &'static str {
    match field {
        "username" => "username_taken",
        "email" => "email_taken",
        _ => "phone_taken",
    }
}

/// Mints a new password link on `account` (replacing any older one) and
/// returns the token to put in the email.
pub fn mint_link(app: &App, account: &mut Account, purpose: LinkPurpose) -> SecretString {
    let minted = secret_token::mint(&account.account_id, app.random.as_ref());
    account.link = Some(PasswordLink {
        hash: minted.hash,
        purpose,
        expires_at: app.clock.now() + LINK_TTL_SECS,
        phone_mismatches: 0,
    });
    minted.token
}

/// The page a password link opens.
pub fn link_url(app: &App, token: &SecretString) -> String {
    format!("{}/set-password?token={}", app.config.public_url, token.expose_secret())
}

/// Emails `template` to the account in `lang`, with `link` if any. A
/// failure is logged, not returned: the state is already saved, and every
/// email here can be asked for again (see ARCHITECTURE.md, lost invitations).
pub async fn send_email(
    app: &App,
    account: &Account,
    template: Template,
    lang: Lang,
    link: Option<&SecretString>,
    extra: &[(&str, &str)],
) {
    let url = link.map(|token| link_url(app, token)).unwrap_or_default();
    let mut vars = vec![("username", account.username.as_str()), ("link", url.as_str())];
    vars.extend_from_slice(extra);
    let message = templates::render(template, lang, &account.email, &vars);
    if let Err(e) = app.mailer.send_email(message).await {
        tracing::warn!(account_id = %account.account_id, error = %e, ?template, "email not sent");
    }
}

/// Emails the initial-password invitation in the account's language, with
/// the masked phone the activation will ask for.
pub async fn send_invitation(app: &App, account: &Account, token: &SecretString) {
    let lang = Lang::from_tag(&account.language);
    let phone = account.phone.as_deref().map_or_else(|| "—".to_owned(), mask_phone);
    send_email(app, account, Template::Invitation, lang, Some(token), &[("phone", &phone)]).await;
}
