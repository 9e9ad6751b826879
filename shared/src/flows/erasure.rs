//! Erasing an account for real: what an approved deletion and a declined
//! sign-up both do. Sessions, materials (table and bucket), submission and
//! queue entries, codes, sub-account links, guards (so username, email and
//! phone are free again), and last the profile; only the audit trail stays,
//! which holds no personal data. Every step is idempotent and the profile
//! goes last, so an interrupted erase is finished by running it again.

use super::FlowError;
use super::accounts::{load, release_guards};
use super::sub_accounts::SubAccountLink;
use super::verification::{Material, Verification};
use crate::app::App;
use crate::audit::{self, Actor, AuditEvent};
use crate::documents::account_prefixes;
use crate::domain::sms_code::SmsPurpose;
use crate::domain::{Account, AccountStatus};
use crate::store::{Cond, WriteOp, keys};

/// Erases `account` and its sub-accounts, recording `AccountDeleted`.
pub async fn erase(app: &App, account: &Account) -> Result<(), FlowError> {
    let partition = keys::account_partition(&account.account_id);
    for item in app.store.query(&partition, keys::SUB_PREFIX).await? {
        let link: SubAccountLink = item.decode()?;
        if let Some((_, child)) = load(app, &link.account_id).await? {
            erase_one(app, &child, AuditEvent::AccountDeleted).await?;
        }
    }
    erase_one(app, account, AuditEvent::AccountDeleted).await
}

/// Erases one account (not its sub-accounts), recording `event`.
pub async fn erase_one(app: &App, account: &Account, event: AuditEvent) -> Result<(), FlowError> {
    let partition = keys::account_partition(&account.account_id);
    let owned = app.store.query(&partition, "").await?;
    let mut deletes = Vec::new();
    // Materials need a session, so an account never activated has none (and
    // the function that erases declined sign-ups needs no bucket access).
    let may_hold_documents = account.status != AccountStatus::PendingActivation;
    for item in &owned {
        if may_hold_documents && item.sk.starts_with(keys::MATERIAL_PREFIX) {
            // Keys of materials from before the per-account prefixes.
            app.documents.delete(&item.decode::<Material>()?.object_key).await?;
        }
        if item.sk == keys::VERIFICATION {
            let v: Verification = item.decode()?;
            let entry = keys::verification_queue_entry(v.status, v.submitted_at, &v.account_id);
            deletes.push(WriteOp::Delete { key: entry, cond: Cond::None });
        }
        // The profile and the request go last, together.
        if item.sk != keys::PROFILE && item.sk != keys::DELETION {
            deletes.push(WriteOp::Delete { key: item.key(), cond: Cond::None });
        }
    }
    if may_hold_documents {
        for prefix in account_prefixes(&account.account_id) {
            app.documents.delete_prefix(&prefix).await?;
        }
    }
    if let Some(phone) = &account.phone {
        for purpose in SmsPurpose::ALL {
            deletes.push(WriteOp::Delete { key: keys::sms_code(phone, *purpose), cond: Cond::None });
        }
    }
    if let Some(parent_id) = &account.parent_id {
        deletes.push(WriteOp::Delete { key: keys::sub_account_link(parent_id, &account.account_id), cond: Cond::None });
    }
    for chunk in deletes.chunks(25) {
        app.store.transact(chunk.to_vec()).await?;
    }
    release_guards(app, account).await?;
    // The profile goes last: while it exists, the erase is unfinished (and
    // an approved request is still there to decide again).
    let ops = vec![
        WriteOp::Delete { key: keys::account(&account.account_id), cond: Cond::None },
        WriteOp::Delete { key: keys::deletion_request(&account.account_id), cond: Cond::None },
        audit::entry(app, &account.account_id, event, Actor::Customer, None),
    ];
    app.store.transact(ops).await?;
    tracing::info!(account_id = %account.account_id, ?event, "account erased");
    Ok(())
}
