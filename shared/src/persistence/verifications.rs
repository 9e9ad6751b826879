//! Real-name verification: materials and the submission under the account's
//! partition, and one review queue per status (oldest first).

use super::{Changes, Conflict, Records, Stored, item, keys};
use crate::domain::records::{Material, Verification};
use crate::domain::{AccountId, MaterialId};
use crate::store::{Cond, Item, StoreError};

impl Records<'_> {
    /// A material of `account_id`.
    pub async fn material(
        &self,
        account_id: &AccountId,
        material_id: &MaterialId,
    ) -> Result<Option<Stored<Material>>, StoreError> {
        self.read(keys::material(account_id, material_id)).await
    }

    /// The latest verification submission of `account_id`.
    pub async fn verification(&self, account_id: &AccountId) -> Result<Option<Verification>, StoreError> {
        Ok(self.read(keys::verification(account_id)).await?.map(|stored| stored.record))
    }
}

impl Changes {
    /// A new material of `account_id`, forgotten at `expires_at` unless a
    /// submission keeps it.
    pub fn create_material(&mut self, account_id: &AccountId, material: &Material, expires_at: i64) -> &mut Self {
        let item = item(keys::material(account_id, &material.material_id), material, Some(expires_at));
        self.put(item, Cond::Absent, Conflict::IdTaken)
    }

    /// `stored` as `material`, kept for as long as its submission.
    pub fn keep_material(&mut self, stored: &Stored<Material>, material: &Material) -> &mut Self {
        let next = item(stored.key.clone(), material, None).map(|i| Item { version: stored.version + 1, ..i });
        self.overwrite(next)
    }

    /// The submission of its account, replacing the previous one.
    pub fn put_verification(&mut self, verification: &Verification) -> &mut Self {
        self.overwrite(item(keys::verification(&verification.account_id), verification, None))
    }

    /// The entry of `verification` gone from the queue of its status, if it
    /// is there (a resubmission, an erasure).
    pub fn unqueue_verification(&mut self, verification: &Verification) -> &mut Self {
        self.remove(keys::verification_queue_entry(
            verification.status,
            verification.submitted_at,
            &verification.account_id,
        ))
    }
}
