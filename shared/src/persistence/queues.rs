//! The operators' review queues (verifications, deletion requests, appeals),
//! one per status, oldest first; and the erasures under way (for the queue
//! watch's gauges and alarms).

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Changes, Conflict, Cursor, Order, Page, Records, item, keys};
use crate::domain::AccountId;
use crate::domain::account::{DeletionStatus, VerificationStatus};
use crate::domain::records::{AppealQueueEntry, AppealStatus, DeletionQueueEntry, ErasureUnderWay, QueueEntry};
use crate::store::{Cond, Key, StoreError};

/// An entry of a review queue: one queue per status, each keyed by the
/// time it was queued and its id (`<12 digits>#<32 hex>`, what a queue's
/// cursor parses), so a page reads oldest first.
pub trait Queued: Serialize + DeserializeOwned {
    /// What it is queued by.
    type Status: Copy + PartialEq + 'static;
    /// The statuses that have a queue, as operators list them.
    const STATUSES: &'static [Self::Status];
    /// A status as the API names it.
    fn status_name(status: Self::Status) -> &'static str;
    /// The partition of the queue of `status`.
    fn queue(status: Self::Status) -> String;
    /// The entry's key in the queue of `status`.
    fn key(&self, status: Self::Status) -> Key;
}

impl Queued for QueueEntry {
    type Status = VerificationStatus;
    const STATUSES: &'static [VerificationStatus] =
        &[VerificationStatus::PendingReview, VerificationStatus::Approved, VerificationStatus::Rejected];

    fn status_name(status: VerificationStatus) -> &'static str {
        status.as_str()
    }

    fn queue(status: VerificationStatus) -> String {
        keys::verification_queue(status)
    }

    fn key(&self, status: VerificationStatus) -> Key {
        keys::verification_queue_entry(status, self.submitted_at, &self.account_id)
    }
}

impl Queued for DeletionQueueEntry {
    type Status = DeletionStatus;
    const STATUSES: &'static [DeletionStatus] =
        &[DeletionStatus::PendingReview, DeletionStatus::Approved, DeletionStatus::Rejected];

    fn status_name(status: DeletionStatus) -> &'static str {
        status.as_str()
    }

    fn queue(status: DeletionStatus) -> String {
        keys::deletion_queue(status)
    }

    fn key(&self, status: DeletionStatus) -> Key {
        keys::deletion_queue_entry(status, self.requested_at, &self.request_id)
    }
}

impl Queued for AppealQueueEntry {
    type Status = AppealStatus;
    const STATUSES: &'static [AppealStatus] = AppealStatus::QUEUED;

    fn status_name(status: AppealStatus) -> &'static str {
        status.as_str()
    }

    fn queue(status: AppealStatus) -> String {
        keys::appeal_queue(status)
    }

    fn key(&self, status: AppealStatus) -> Key {
        keys::appeal_queue_entry(status, self.submitted_at, &self.appeal_id)
    }
}

impl Records<'_> {
    /// A page of the queue of `status`, and the cursor of the next.
    pub async fn queue<E: Queued>(
        &self,
        status: E::Status,
        limit: usize,
        after: Option<&Cursor>,
    ) -> Result<Page<E>, StoreError> {
        self.read_page(&E::queue(status), limit, after, Order::Ascending).await
    }

    /// Every erasure under way.
    pub async fn erasures_under_way(&self) -> Result<Vec<ErasureUnderWay>, StoreError> {
        self.read_all(keys::ERASING, "").await
    }
}

impl Changes {
    /// `entry` in the queue of `status`.
    pub fn enqueue<E: Queued>(&mut self, status: E::Status, entry: &E) -> &mut Self {
        self.overwrite(item(entry.key(status), entry, None))
    }

    /// `entry` gone from the queue of `status`: someone else moving it
    /// first is [`Conflict::QueueEntryGone`].
    pub fn dequeue<E: Queued>(&mut self, status: E::Status, entry: &E) -> &mut Self {
        self.delete(entry.key(status), Cond::Present, Conflict::QueueEntryGone)
    }

    /// `entry` moved from the queue of `from` to the queue of `to`.
    pub fn requeue<E: Queued>(&mut self, from: E::Status, to: E::Status, entry: &E) -> &mut Self {
        self.dequeue(from, entry).enqueue(to, entry)
    }

    /// `erasure` noted as under way.
    pub fn note_erasure(&mut self, erasure: &ErasureUnderWay) -> &mut Self {
        self.overwrite(item(keys::erasing(&erasure.account_id), erasure, None))
    }

    /// The erasure of `account_id` finished.
    pub fn end_erasure(&mut self, account_id: &AccountId) -> &mut Self {
        self.remove(keys::erasing(account_id))
    }
}
