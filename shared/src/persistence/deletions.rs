//! Deletion requests: the request under the account's partition, a lookup
//! from request id to account, and one queue per status (oldest first).

use super::{Changes, Conflict, Records, item, keys};
use crate::domain::account::DeletionStatus;
use crate::domain::records::{DeletionQueueEntry, DeletionRequest, RequestLookup};
use crate::domain::{AccountId, RequestId};
use crate::store::{Cond, StoreError};

impl Records<'_> {
    /// The deletion request of `account_id`, if any.
    pub async fn deletion_request(&self, account_id: &AccountId) -> Result<Option<DeletionRequest>, StoreError> {
        Ok(self.read(keys::deletion_request(account_id)).await?.map(|stored| stored.record))
    }

    /// The account a deletion request id belongs to.
    pub async fn deletion_request_account(&self, request_id: &RequestId) -> Result<Option<AccountId>, StoreError> {
        let lookup = self.read::<RequestLookup>(keys::deletion_lookup(request_id)).await?;
        Ok(lookup.map(|stored| stored.record.account_id))
    }
}

impl Changes {
    /// A new request, findable by its id and queued as `entry` under its
    /// status ([`Conflict::IdTaken`] on a collision of random ids).
    pub fn open_deletion_request(&mut self, request: &DeletionRequest, entry: &DeletionQueueEntry) -> &mut Self {
        let lookup = RequestLookup { account_id: request.account_id.clone() };
        self.put_deletion_request(request);
        self.put(item(keys::deletion_lookup(&request.request_id), &lookup, None), Cond::Absent, Conflict::IdTaken);
        self.enqueue(request.status, entry)
    }

    /// The request of its account, replacing what is there.
    pub fn put_deletion_request(&mut self, request: &DeletionRequest) -> &mut Self {
        self.overwrite(item(keys::deletion_request(&request.account_id), request, None))
    }

    /// A pending `request` withdrawn: the request, its lookup and its entry
    /// gone.
    pub fn withdraw_deletion_request(&mut self, request: &DeletionRequest, entry: &DeletionQueueEntry) -> &mut Self {
        self.remove(keys::deletion_request(&request.account_id));
        self.remove(keys::deletion_lookup(&request.request_id));
        self.dequeue(DeletionStatus::PendingReview, entry)
    }

    /// The request of `account_id` gone (its lookup and queue entry stay
    /// for the operators' record).
    pub fn delete_deletion_request(&mut self, account_id: &AccountId) -> &mut Self {
        self.remove(keys::deletion_request(account_id))
    }
}
