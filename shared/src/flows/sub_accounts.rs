//! Sub-accounts: created by a primary account, each with its own
//! initial-password email; the primary account (and only it) sends its
//! sub-accounts reset emails.

use super::FlowError;
use super::accounts::{NotInserted, insert_account, load, mint_link, send_email, send_invitation};
use crate::app::App;
use crate::audit::{self, Actor, AuditEvent};
use crate::domain::account::LinkPurpose;
pub use crate::domain::records::SubAccountLink;
use crate::domain::secret_token::new_id;
use crate::domain::{Account, AccountKind, AccountStatus, Email, Phone, Username};
use crate::i18n::Lang;
use crate::notify::templates::Template;
use crate::store::{Cond, Item, StoreError, WriteOp, keys};

/// Sub-accounts a primary account may have (pending ones included).
pub const MAX_SUB_ACCOUNTS: usize = 100;
/// Sub-accounts a primary account may create an hour.
const CREATED_PER_HOUR: u64 = 20;

fn primary_only(account: &Account) -> Result<(), FlowError> {
    if account.kind == AccountKind::Primary { Ok(()) } else { Err(FlowError::Forbidden("primary_account_only")) }
}

/// Creates a pending sub-account of `parent` and emails its invitation.
pub async fn create(
    app: &App,
    parent: &Account,
    username: Username,
    email: Email,
    phone: Option<Phone>,
    lang: Lang,
) -> Result<Account, FlowError> {
    primary_only(parent)?;
    let partition = keys::account_partition(&parent.account_id);
    if app.store.query(&partition, keys::SUB_PREFIX).await?.len() >= MAX_SUB_ACCOUNTS {
        return Err(FlowError::Conflicting("sub_account_limit"));
    }
    let now = app.clock.now();
    let created = app.store.increment(&keys::rate("sub-accounts", &parent.account_id), now + 3600).await?;
    if created.count > CREATED_PER_HOUR {
        return Err(FlowError::RateLimited { code: "rate_limited", retry_after: (created.expires_at - now).max(1) });
    }
    let mut account = Account {
        account_id: new_id(app.random.as_ref()),
        username: username.as_str().to_owned(),
        email: email.as_str().to_owned(),
        phone: phone.map(|p| p.as_str().to_owned()),
        organization: parent.organization.clone(),
        referrer_phone: None,
        kind: AccountKind::Sub,
        parent_id: Some(parent.account_id.clone()),
        status: AccountStatus::PendingActivation,
        password_hash: None,
        link: None,
        language: lang.tag().to_owned(),
        created_at: app.clock.now(),
        deletion_status: Default::default(),
        verification_status: Default::default(),
        password_epoch: 0,
    };
    let token = mint_link(app, &mut account, LinkPurpose::InitialPassword);
    let index = SubAccountLink { account_id: account.account_id.clone(), username: account.username.clone() };
    // The index entry expires with the pending sub-account; activation keeps it.
    let index_item = Item::new(keys::sub_account_link(&parent.account_id, &account.account_id), &index)
        .expiring_at(account.pending_until());
    let extra = vec![
        WriteOp::Put { item: index_item, cond: Cond::None },
        audit::entry(app, &account.account_id, AuditEvent::SignedUp, Actor::Customer, Some("sub-account".into())),
    ];
    match insert_account(app, &account, extra).await {
        Ok(()) => {}
        Err(NotInserted::Taken(taken)) => return Err(FlowError::Conflict(taken)),
        // The index entry is written unconditionally.
        Err(NotInserted::ExtraConditionFailed) => return Err(FlowError::Internal("sub-account index".into())),
        Err(NotInserted::Store(e)) => return Err(e),
    }
    send_invitation(app, &account, &token).await;
    Ok(account)
}

/// The sub-accounts of `parent`.
pub async fn list(app: &App, parent: &Account) -> Result<Vec<Account>, FlowError> {
    primary_only(parent)?;
    let mut accounts = Vec::new();
    for item in app.store.query(&keys::account_partition(&parent.account_id), keys::SUB_PREFIX).await? {
        let link: SubAccountLink = item.decode()?;
        if let Some((_, account)) = load(app, &link.account_id).await? {
            accounts.push(account);
        }
    }
    Ok(accounts)
}

/// Sends the sub-account `username` of `parent` a reset email (a fresh
/// invitation while it is pending). Any other username is not found.
pub async fn send_reset(app: &App, parent: &Account, username: &str, lang: Lang) -> Result<(), FlowError> {
    primary_only(parent)?;
    let not_found = || FlowError::NotFound("sub_account_not_found");
    let links = app.store.query(&keys::account_partition(&parent.account_id), keys::SUB_PREFIX).await?;
    let link = links
        .iter()
        .map(|item| item.decode::<SubAccountLink>())
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .find(|l| l.username == username)
        .ok_or_else(not_found)?;
    let (item, mut account) = load(app, &link.account_id).await?.ok_or_else(not_found)?;
    let purpose = match account.status {
        AccountStatus::PendingActivation => LinkPurpose::InitialPassword,
        AccountStatus::Active => LinkPurpose::ResetPassword,
        AccountStatus::Deleting => return Err(not_found()),
    };
    let token = mint_link(app, &mut account, purpose);
    let ops = vec![
        WriteOp::Put { item: item.successor(&account), cond: Cond::Version(item.version) },
        audit::entry(
            app,
            &account.account_id,
            AuditEvent::ResetRequested,
            Actor::Customer,
            Some("by primary account".into()),
        ),
    ];
    match app.store.transact(ops).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed(_)) => {
            return Err(FlowError::Unavailable("sub-account changed concurrently".into()));
        }
        Err(e) => return Err(e.into()),
    }
    match purpose {
        LinkPurpose::InitialPassword => send_invitation(app, &account, &token).await,
        LinkPurpose::ResetPassword => send_email(app, &account, Template::ResetPassword, lang, Some(&token), &[]).await,
    }
    Ok(())
}
