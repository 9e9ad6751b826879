//! Sessions, under their account's partition by the hash of their secret.

use super::{Changes, Conflict, Expiry, Records, Stored, item, keys};
use crate::domain::records::SessionRecord;
use crate::store::{Cond, StoreError};

impl Records<'_> {
    /// The live session of `account_id` whose secret hashes to `secret_hash`.
    pub async fn session(
        &self,
        account_id: &str,
        secret_hash: &str,
    ) -> Result<Option<Stored<SessionRecord>>, StoreError> {
        self.read(keys::session(account_id, secret_hash)).await
    }

    /// Every live session of `account_id`.
    pub async fn sessions(&self, account_id: &str) -> Result<Vec<Stored<SessionRecord>>, StoreError> {
        let items = self.store.query(&keys::account_partition(account_id), keys::SESSION_PREFIX).await?;
        items
            .into_iter()
            .map(|item| {
                Ok(Stored {
                    record: item.decode()?,
                    version: item.version,
                    expires_at: item.expires_at,
                    key: item.key(),
                })
            })
            .collect()
    }
}

impl Changes {
    /// A new session, valid until `expires_at` ([`Conflict::SessionIdTaken`]
    /// on a collision of random secrets).
    pub fn create_session(
        &mut self,
        account_id: &str,
        secret_hash: &str,
        session: &SessionRecord,
        expires_at: i64,
    ) -> &mut Self {
        let item = item(keys::session(account_id, secret_hash), session, Some(expires_at));
        self.put(item, Cond::Absent, Conflict::SessionIdTaken)
    }

    /// `stored` refreshed to `session`, valid until `expires_at`, unless it
    /// changed or ended meanwhile ([`Conflict::SessionChanged`]).
    pub fn touch_session(
        &mut self,
        stored: &Stored<SessionRecord>,
        session: &SessionRecord,
        expires_at: i64,
    ) -> &mut Self {
        self.replace(stored, session, Expiry::At(expires_at), Conflict::SessionChanged)
    }

    /// `stored` rewritten as `session` whatever its version, as long as it
    /// has not ended ([`Conflict::SessionChanged`]).
    pub fn rewrite_session(
        &mut self,
        stored: &Stored<SessionRecord>,
        session: &SessionRecord,
        expires_at: i64,
    ) -> &mut Self {
        let item = item(stored.key.clone(), session, Some(expires_at));
        self.put(item, Cond::Present, Conflict::SessionChanged)
    }

    /// The session `stored` ended.
    pub fn end_session(&mut self, stored: &Stored<SessionRecord>) -> &mut Self {
        self.remove(stored.key.clone())
    }
}
