//! What waits: the first page of each review queue, and the erasures under
//! way (for the queue watch's gauges and alarms).

use super::{Changes, Records, item, keys};
use crate::domain::AccountId;
use crate::domain::records::ErasureUnderWay;
use crate::store::StoreError;

impl Records<'_> {
    /// Every erasure under way.
    pub async fn erasures_under_way(&self) -> Result<Vec<ErasureUnderWay>, StoreError> {
        self.read_all(keys::ERASING, "").await
    }
}

impl Changes {
    /// `erasure` noted as under way.
    pub fn note_erasure(&mut self, erasure: &ErasureUnderWay) -> &mut Self {
        self.overwrite(item(keys::erasing(&erasure.account_id), erasure, None))
    }

    /// The erasure of `account_id` finished.
    pub fn end_erasure(&mut self, account_id: &AccountId) -> &mut Self {
        self.remove(keys::erasing(account_id))
    }
}
