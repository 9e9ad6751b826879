//! What erasing an account deletes from the table.

use super::{Changes, Records, keys};
use crate::domain::AccountId;
use crate::domain::records::{Material, Passkey, Verification};
use crate::store::StoreError;

/// What an account owns in the table, found before erasing it.
#[derive(Debug, Default)]
pub struct AccountItems {
    /// Its materials (whose bytes are in document storage).
    pub materials: Vec<Material>,
    /// The deletions of every item it owns except its profile and its
    /// deletion request (which go last), its verification's queue entry
    /// and the appeals naming it (with their queue entries) included.
    pub deletions: Changes,
}

impl Records<'_> {
    /// Everything `account_id` owns, ready to delete.
    pub async fn account_items(&self, account_id: &AccountId) -> Result<AccountItems, StoreError> {
        let mut found = AccountItems::default();
        for item in self.store.query(&keys::account_partition(account_id), "").await? {
            if item.sk.starts_with(keys::MATERIAL_PREFIX) {
                found.materials.push(item.decode()?);
            }
            if item.sk.starts_with(keys::PASSKEY_PREFIX) {
                let passkey: Passkey = item.decode()?;
                found.deletions.unindex_passkey(&passkey.credential_id_bytes());
            }
            if item.sk.starts_with(keys::APPEAL_PREFIX) {
                found.deletions.delete_appeal(&item.decode()?);
            }
            if item.sk == keys::VERIFICATION {
                let verification: Verification = item.decode()?;
                found.deletions.unqueue_verification(&verification);
            }
            if item.sk != keys::PROFILE && item.sk != keys::DELETION {
                found.deletions.remove(item.key());
            }
        }
        Ok(found)
    }
}

impl Changes {
    /// The changes of `other` after these.
    pub fn extend(&mut self, other: Changes) -> &mut Self {
        self.ops.extend(other.ops);
        self.conflicts.extend(other.conflicts);
        self
    }
}
