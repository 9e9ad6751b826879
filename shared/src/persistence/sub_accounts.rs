//! The index of a primary account's sub-accounts, under its partition.

use super::{Changes, Conflict, Records, item, keys};
use crate::domain::AccountId;
use crate::domain::records::SubAccountLink;
use crate::store::{Cond, StoreError};

impl Records<'_> {
    /// The sub-accounts listed under `parent_id`.
    pub async fn sub_account_links(&self, parent_id: &AccountId) -> Result<Vec<SubAccountLink>, StoreError> {
        self.read_all(&keys::account_partition(parent_id), keys::SUB_PREFIX).await
    }
}

impl Changes {
    /// `link` listed under `parent_id` until `expires_at` (a pending
    /// sub-account's end).
    pub fn list_sub_account(&mut self, parent_id: &AccountId, link: &SubAccountLink, expires_at: i64) -> &mut Self {
        let item = item(keys::sub_account_link(parent_id, &link.account_id), link, Some(expires_at));
        self.overwrite(item)
    }

    /// `link` listed under `parent_id` for good, if it is still listed
    /// ([`Conflict::SubAccountUnlisted`]).
    pub fn keep_sub_account_listed(&mut self, parent_id: &AccountId, link: &SubAccountLink) -> &mut Self {
        let item = item(keys::sub_account_link(parent_id, &link.account_id), link, None);
        self.put(item, Cond::Present, Conflict::SubAccountUnlisted)
    }

    /// `child_id` no longer listed under `parent_id`.
    pub fn unlist_sub_account(&mut self, parent_id: &AccountId, child_id: &AccountId) -> &mut Self {
        self.remove(keys::sub_account_link(parent_id, child_id))
    }
}
