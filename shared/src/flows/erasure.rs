//! Erasing an account for real: what an approved deletion and a declined
//! sign-up both do. Sessions, materials (table and bucket), submission and
//! queue entries, codes, sub-account links, guards (so username, email and
//! phone are free again), and last the profile; only the audit trail stays,
//! which holds no personal data. Every step is idempotent and the profile
//! goes last, so an interrupted erase is finished by running it again.

use super::accounts::load;
use super::audit::{self, Actor, AuditEvent};
use super::{Committed, FlowError, Race};
use crate::app::App;
use crate::documents::account_prefixes;
use crate::domain::{Account, AccountKind, AccountStatus};
use crate::metrics::Metric;
use crate::persistence::{AccountItems, Changes, Conflict, UniqueField};

/// Deletions per transaction (DynamoDB allows 100; small batches keep each
/// retry cheap).
const DELETES_PER_TRANSACTION: usize = 25;

/// Erases `account` and its sub-accounts, recording `AccountDeleted`.
pub async fn erase(app: &App, account: &Account) -> Result<(), FlowError> {
    for link in app.records().sub_account_links(&account.account_id).await? {
        if let Some(child) = load(app, &link.account_id).await? {
            erase_one(app, &child.record, AuditEvent::AccountDeleted, Actor::Customer).await?;
        }
    }
    erase_one(app, account, AuditEvent::AccountDeleted, Actor::Customer).await
}

/// Deletes the guards `account` still holds, one by one; a value someone
/// else holds by now is left alone. Safe to run again.
async fn release_guards(app: &App, account: &Account) -> Result<(), FlowError> {
    for field in UniqueField::ALL {
        let mut release = Changes::new();
        release.release_guard(account, *field);
        // Released already, or held by another account now: not ours to free.
        app.records().commit(release).await.unless_lost(Race::On(Conflict::GuardLost))?;
    }
    Ok(())
}

/// Erases one account (not its sub-accounts), recording `event` as
/// `actor`'s doing.
pub async fn erase_one(app: &App, account: &Account, event: AuditEvent, actor: Actor) -> Result<(), FlowError> {
    let records = app.records();
    let AccountItems { materials, mut deletions } = records.account_items(&account.account_id).await?;
    // Materials need a primary account's session, so an account never
    // activated and a sub-account have none (and the functions that erase
    // declined sign-ups and removed sub-accounts need no bucket access).
    if account.status != AccountStatus::PendingActivation && account.kind == AccountKind::Primary {
        for material in &materials {
            // Keys of materials from before the per-account prefixes.
            app.documents.delete(&material.object_key).await?;
        }
        for prefix in account_prefixes(&account.account_id) {
            app.documents.delete_prefix(&prefix).await?;
        }
    }
    if let Some(phone) = &account.phone {
        deletions.delete_sms_codes(phone.as_str());
    }
    records.commit_in_batches(deletions, DELETES_PER_TRANSACTION).await?;
    release_guards(app, account).await?;
    // The profile goes last: while it exists, the erase is unfinished (and
    // an approved request is still there to decide again).
    // A sub-account stays listed until then, so its primary account can
    // finish an interrupted removal by asking again.
    let mut last = Changes::new();
    last.delete_account(&account.account_id)
        .delete_deletion_request(&account.account_id)
        .end_erasure(&account.account_id);
    if let Some(parent_id) = &account.parent_id {
        last.unlist_sub_account(parent_id, &account.account_id);
    }
    audit::add(app, &mut last, &account.account_id, event, actor, None);
    records.commit(last).await?;
    tracing::info!(account_id = %account.account_id, ?event, "account erased");
    app.count(Metric::AccountErased);
    Ok(())
}
