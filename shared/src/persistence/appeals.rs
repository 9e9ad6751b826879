//! Recovery appeals: one item per appeal (expiring until confirmed), an
//! index entry under the account it names, and a queue per status for the
//! confirmed appeals of existing accounts.

use super::{Changes, Conflict, Expiry, Records, Stored, item, keys};
use crate::domain::records::{Appeal, AppealLink, AppealStatus};
use crate::domain::{AccountId, AppealId};
use crate::store::{Cond, StoreError};

impl Records<'_> {
    /// The appeal `appeal_id`, if it is live.
    pub async fn appeal(&self, appeal_id: &AppealId) -> Result<Option<Stored<Appeal>>, StoreError> {
        self.read(keys::appeal(appeal_id)).await
    }

    /// The appeals naming `account_id` (confirmed, or filed within the hour).
    pub async fn appeals_of(&self, account_id: &AccountId) -> Result<Vec<AppealLink>, StoreError> {
        self.read_all(&keys::account_partition(account_id), keys::APPEAL_PREFIX).await
    }
}

impl Changes {
    /// A new, unconfirmed appeal (and its entry in the index of the account
    /// it names), gone at `expires_at` unless confirmed.
    pub fn file_appeal(&mut self, appeal: &Appeal, expires_at: i64) -> &mut Self {
        self.index_appeal(appeal, Some(expires_at));
        self.put(item(keys::appeal(&appeal.appeal_id), appeal, Some(expires_at)), Cond::Absent, Conflict::IdTaken)
    }

    /// `stored` changed to `appeal`, kept for good (and so its index entry),
    /// unless it changed meanwhile ([`Conflict::AppealChanged`]).
    pub fn update_appeal(&mut self, stored: &Stored<Appeal>, appeal: &Appeal) -> &mut Self {
        self.index_appeal(appeal, None);
        self.replace(stored, appeal, Expiry::Never, Conflict::AppealChanged)
    }

    /// `stored` changed to `appeal` without reaching any queue (no account
    /// to review, or one with its fill of open appeals): not indexed under
    /// the account, and gone when its confirmation link would have lapsed,
    /// so it answers a second click alike meanwhile and is kept nowhere.
    pub fn keep_appeal_unqueued(&mut self, stored: &Stored<Appeal>, appeal: &Appeal) -> &mut Self {
        if let Some(account_id) = &appeal.account_id {
            self.remove(keys::appeal_link(account_id, &appeal.appeal_id));
        }
        let unlinked = Appeal { account_id: None, ..appeal.clone() };
        self.replace(stored, &unlinked, Expiry::Keep, Conflict::AppealChanged)
    }

    fn index_appeal(&mut self, appeal: &Appeal, expires_at: Option<i64>) -> &mut Self {
        let Some(account_id) = &appeal.account_id else { return self };
        let link = AppealLink { appeal_id: appeal.appeal_id.clone(), submitted_at: appeal.submitted_at };
        self.overwrite(item(keys::appeal_link(account_id, &appeal.appeal_id), &link, expires_at))
    }

    /// `link`'s appeal gone, with its entry in whichever queue holds it.
    pub fn delete_appeal(&mut self, link: &AppealLink) -> &mut Self {
        self.remove(keys::appeal(&link.appeal_id));
        for status in AppealStatus::QUEUED {
            self.remove(keys::appeal_queue_entry(*status, link.submitted_at, &link.appeal_id));
        }
        self
    }
}
