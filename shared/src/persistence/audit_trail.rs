//! The audit trail: one partition per account, outliving it, ordered by
//! time.

use super::{Changes, Cursor, Order, Page, Records, item, keys};
use crate::domain::AccountId;
use crate::domain::records::AuditRecord;
use crate::store::StoreError;

impl Records<'_> {
    /// The trail of `account_id`, oldest first.
    pub async fn audit_trail(&self, account_id: &AccountId) -> Result<Vec<AuditRecord>, StoreError> {
        self.read_all(&keys::audit_partition(account_id), "").await
    }
}

impl Records<'_> {
    /// A page of `account_id`'s trail in `order` (`Ascending`: oldest
    /// first), and the cursor of the next.
    pub async fn audit_page(
        &self,
        account_id: &AccountId,
        limit: usize,
        after: Option<&Cursor>,
        order: Order,
    ) -> Result<Page<AuditRecord>, StoreError> {
        self.read_page(&keys::audit_partition(account_id), limit, after, order).await
    }
}

impl Cursor {
    /// Where a trail read oldest first starts to give the records of
    /// `since` (Unix seconds) and later: just before the first sort key of
    /// that second.
    pub fn audit_since(since: i64) -> Self {
        Self::from_sort_key(keys::audit_second(since))
    }
}

impl Changes {
    /// `record` added to its account's trail. Records order by the clock's
    /// seconds, then `nanos` within a second, then `tie_breaker`.
    pub fn add_audit_record(&mut self, record: &AuditRecord, nanos: u32, tie_breaker: &str) -> &mut Self {
        self.overwrite(item(keys::audit_record(&record.account_id, record.at, nanos, tie_breaker), record, None))
    }
}
