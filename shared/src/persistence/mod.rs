//! The persistence layer: the records of the single table, read and written
//! by family. Only this layer knows keys ([`keys`]) and item shapes; flows
//! speak in records ([`Stored`] when they mean to write one back) and in
//! named outcomes ([`Conflict`]). Below it, the [`Store`] port stays the
//! narrow, DynamoDB-shaped seam with its conformance suite.
//!
//! Reads are methods of [`Records`] (`app.records()`); writes are gathered
//! in a [`Changes`] and committed in one transaction by
//! [`Records::commit`], each operation carrying the [`Conflict`] its
//! condition means when it fails. Counters and markers (rate limits,
//! lockouts, budgets) are the one thing written at once: [`Counters`]
//! (`app.counters()`).

mod accounts;
mod appeals;
mod audit_trail;
mod counters;
mod deletions;
mod erasure;
pub mod keys;
mod pages;
mod passkeys;
mod queues;
mod sessions;
mod sms_codes;
mod sub_accounts;
mod verifications;

pub use accounts::UniqueField;
pub use counters::{Counters, Limit, Tally, tallied};
pub use erasure::AccountItems;
pub use pages::{Cursor, List, Page};
pub use queues::Queued;

pub use crate::store::Order;
use crate::store::{Cond, Item, Key, Store, StoreError, WriteOp};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The table's records, read by family (see the `impl Records` block of
/// each module); [`Records::commit`] writes a [`Changes`].
#[derive(Clone, Copy)]
pub struct Records<'a> {
    store: &'a dyn Store,
}

impl<'a> Records<'a> {
    /// The records of `store`.
    pub fn new(store: &'a dyn Store) -> Self {
        Self { store }
    }

    /// Reads an item that never exists, for the connection it opens: a
    /// function's init calls it so that its first request finds the TLS
    /// session to DynamoDB ready (a GetItem every function's role has).
    pub async fn warm_up(&self) -> Result<(), StoreError> {
        self.store.get(&keys::warm_up()).await.map(|_| ())
    }

    /// Commits `changes` atomically: all or nothing.
    pub async fn commit(&self, changes: Changes) -> Result<(), NotCommitted> {
        if let Some(e) = changes.unwritable {
            return Err(NotCommitted::Store(e));
        }
        if changes.ops.is_empty() {
            return Ok(());
        }
        match self.store.transact(changes.ops).await {
            Ok(()) => Ok(()),
            Err(StoreError::ConditionFailed(failed)) => Err(NotCommitted::Conflict(
                failed.iter().filter_map(|&i| changes.conflicts.get(i).copied().flatten()).collect(),
            )),
            Err(e) => Err(NotCommitted::Store(e)),
        }
    }

    /// Commits `changes` in transactions of at most `per_transaction`
    /// operations (for erasing many items: each batch is idempotent).
    pub async fn commit_in_batches(&self, changes: Changes, per_transaction: usize) -> Result<(), StoreError> {
        if let Some(e) = changes.unwritable {
            return Err(e);
        }
        for chunk in changes.ops.chunks(per_transaction) {
            self.store.transact(chunk.to_vec()).await?;
        }
        Ok(())
    }

    async fn read<T: DeserializeOwned>(&self, key: Key) -> Result<Option<Stored<T>>, StoreError> {
        self.store.get(&key).await?.map(Stored::from_item).transpose()
    }

    async fn read_all<T: DeserializeOwned>(&self, pk: &str, sk_prefix: &str) -> Result<Vec<T>, StoreError> {
        self.store.query(pk, sk_prefix).await?.iter().map(Item::decode).collect()
    }

    /// As [`Self::read_all`], each record with its version and key, for a
    /// change conditioned on it.
    async fn read_all_stored<T: DeserializeOwned>(
        &self,
        pk: &str,
        sk_prefix: &str,
    ) -> Result<Vec<Stored<T>>, StoreError> {
        self.store.query(pk, sk_prefix).await?.into_iter().map(Stored::from_item).collect()
    }

    async fn read_page<T: DeserializeOwned>(
        &self,
        pk: &str,
        limit: usize,
        after: Option<&Cursor>,
        order: Order,
    ) -> Result<Page<T>, StoreError> {
        let (items, next) = self.store.query_page(pk, "", limit, after.map(Cursor::sort_key), order).await?;
        let items = items.iter().map(Item::decode).collect::<Result<_, _>>()?;
        Ok(Page { items, next: next.map(Cursor::from_sort_key) })
    }
}

/// The version-1 item holding `record` at `key`, expiring at `expires_at`.
fn item<T: Serialize>(key: Key, record: &T, expires_at: Option<i64>) -> Result<Item, StoreError> {
    Ok(Item { expires_at, ..Item::of(key, record)? })
}

/// A record as read, remembering where it is and which version was read, so
/// that writing it back can require that nothing changed meanwhile.
#[derive(Debug, Clone)]
pub struct Stored<T> {
    /// The record.
    pub record: T,
    version: u64,
    expires_at: Option<i64>,
    key: Key,
}

impl<T: DeserializeOwned> Stored<T> {
    /// The record `item` holds, keeping the item's own key (moved, not copied).
    fn from_item(item: Item) -> Result<Self, StoreError> {
        let record = item.decode()?;
        let key = Key { pk: item.pk, sk: item.sk };
        Ok(Stored { record, version: item.version, expires_at: item.expires_at, key })
    }
}

impl<T> Stored<T> {
    /// Whether `other` was read from the same item.
    pub fn is_same_item<U>(&self, other: &Stored<U>) -> bool {
        self.key == other.key
    }
}

/// When a record written back expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expiry {
    /// As the record read did.
    Keep,
    /// Never.
    Never,
    /// At these Unix seconds.
    At(i64),
}

/// What a failed condition meant, named by the operation that carried it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// The account changed since it was read (a lost race).
    AccountChanged,
    /// A new account's id is in use (a random-id collision).
    AccountIdTaken,
    /// A username, email or phone is held by another account.
    Taken(UniqueField),
    /// An activating account no longer holds its username, email or phone.
    GuardLost,
    /// A sub-account's primary account no longer lists it.
    SubAccountUnlisted,
    /// The SMS code was used or replaced since it was read.
    SmsCodeChanged,
    /// The session ended or changed since it was read.
    SessionChanged,
    /// A new session's id is in use (a random-id collision).
    SessionIdTaken,
    /// A second-factor challenge was used, voided or counted meanwhile.
    ChallengeChanged,
    /// An appeal was confirmed or decided meanwhile.
    AppealChanged,
    /// A queue entry was moved by someone else first.
    QueueEntryGone,
    /// A new record's id is in use (a random-id collision).
    IdTaken,
    /// Another account registered the same passkey credential.
    PasskeyTaken,
    /// A passkey changed or was removed since it was read.
    PasskeyChanged,
}

/// Why [`Records::commit`] wrote nothing.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NotCommitted {
    /// These conditions failed.
    #[error("conflict: {0:?}")]
    Conflict(Vec<Conflict>),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl NotCommitted {
    /// Whether `conflict` is among the failures.
    pub fn is(&self, conflict: Conflict) -> bool {
        matches!(self, Self::Conflict(c) if c.contains(&conflict))
    }
}

/// Writes gathered for one atomic commit (see the `impl Changes` block of
/// each module for what can be written).
#[derive(Debug, Default)]
#[must_use = "changes do nothing until committed"]
pub struct Changes {
    ops: Vec<WriteOp>,
    /// What each operation's condition means when it fails (none for an
    /// unconditional one), by position.
    conflicts: Vec<Option<Conflict>>,
    /// The first record that did not serialise, if any.
    unwritable: Option<StoreError>,
}

impl Changes {
    /// No changes yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether nothing was gathered.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    fn put(&mut self, item: Result<Item, StoreError>, cond: Cond, conflict: Conflict) -> &mut Self {
        self.put_if(item, cond, Some(conflict))
    }

    fn put_if(&mut self, item: Result<Item, StoreError>, cond: Cond, conflict: Option<Conflict>) -> &mut Self {
        match item {
            Ok(item) => {
                self.ops.push(WriteOp::Put { item, cond });
                self.conflicts.push(conflict);
            }
            // Reported by the commit, which then writes nothing.
            Err(e) => self.unwritable = self.unwritable.take().or(Some(e)),
        }
        self
    }

    /// A put that cannot fail on a condition.
    fn overwrite(&mut self, item: Result<Item, StoreError>) -> &mut Self {
        self.put_if(item, Cond::None, None)
    }

    fn delete(&mut self, key: Key, cond: Cond, conflict: Conflict) -> &mut Self {
        self.ops.push(WriteOp::Delete { key, cond });
        self.conflicts.push(Some(conflict));
        self
    }

    /// A delete that cannot fail on a condition.
    fn remove(&mut self, key: Key) -> &mut Self {
        self.ops.push(WriteOp::Delete { key, cond: Cond::None });
        self.conflicts.push(None);
        self
    }

    /// `stored` replaced by `record`, if it is still the version read.
    fn replace<T: Serialize>(
        &mut self,
        stored: &Stored<T>,
        record: &T,
        expiry: Expiry,
        conflict: Conflict,
    ) -> &mut Self {
        let expires_at = match expiry {
            Expiry::Keep => stored.expires_at,
            Expiry::Never => None,
            Expiry::At(at) => Some(at),
        };
        let next = item(stored.key.clone(), record, expires_at).map(|i| Item { version: stored.version + 1, ..i });
        self.put(next, Cond::Version(stored.version), conflict)
    }
}
