//! Recovery appeals: one item per appeal (expiring until confirmed), and a
//! queue per status for the confirmed appeals of existing accounts.

use super::{Changes, Conflict, Expiry, Records, Stored, item, keys};
use crate::domain::records::{Appeal, AppealQueueEntry, AppealStatus};
use crate::store::{Cond, StoreError};

impl Records<'_> {
    /// The appeal `appeal_id`, if it is live.
    pub async fn appeal(&self, appeal_id: &str) -> Result<Option<Stored<Appeal>>, StoreError> {
        self.read(keys::appeal(appeal_id)).await
    }

    /// A page of the appeal queue of `status`, and the cursor of the next.
    pub async fn appeal_queue(
        &self,
        status: AppealStatus,
        limit: usize,
        after: Option<&str>,
    ) -> Result<(Vec<AppealQueueEntry>, Option<String>), StoreError> {
        self.read_page(&keys::appeal_queue(status), limit, after).await
    }
}

impl Changes {
    /// A new, unconfirmed appeal, gone at `expires_at` unless confirmed.
    pub fn file_appeal(&mut self, appeal: &Appeal, expires_at: i64) -> &mut Self {
        self.put(item(keys::appeal(&appeal.appeal_id), appeal, Some(expires_at)), Cond::Absent, Conflict::IdTaken)
    }

    /// `stored` changed to `appeal`, kept for good, unless it changed
    /// meanwhile ([`Conflict::AppealChanged`]).
    pub fn update_appeal(&mut self, stored: &Stored<Appeal>, appeal: &Appeal) -> &mut Self {
        self.replace(stored, appeal, Expiry::Never, Conflict::AppealChanged)
    }

    /// `entry` in the queue of `status`.
    pub fn enqueue_appeal(&mut self, status: AppealStatus, entry: &AppealQueueEntry) -> &mut Self {
        let key = keys::appeal_queue_entry(status, entry.submitted_at, &entry.appeal_id);
        self.overwrite(item(key, entry, None))
    }

    /// `entry` gone from the queue of `status` (someone else moving it first
    /// is [`Conflict::QueueEntryGone`]).
    pub fn dequeue_appeal(&mut self, status: AppealStatus, entry: &AppealQueueEntry) -> &mut Self {
        let key = keys::appeal_queue_entry(status, entry.submitted_at, &entry.appeal_id);
        self.delete(key, Cond::Present, Conflict::QueueEntryGone)
    }
}
