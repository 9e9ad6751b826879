//! The store port: a single table of items addressed by partition and sort
//! key, with conditional multi-item writes and expiry checked on every read.
//! It is shaped after DynamoDB so that the embedded store and the DynamoDB
//! adapter implement the same contract (see `ARCHITECTURE.md`).

pub mod dynamodb;
#[cfg(feature = "dev")]
pub mod embedded;
pub mod limits;
pub mod memory;
pub mod traced;

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The address of an item.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    /// Partition key.
    pub pk: String,
    /// Sort key.
    pub sk: String,
}

/// One stored item: its key, an optimistic-concurrency version, an optional
/// expiry (the TTL attribute) and the record itself.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Item {
    /// Partition key.
    pub pk: String,
    /// Sort key.
    pub sk: String,
    /// Bumped by the writer on every change; `Cond::Version` checks it.
    #[serde(default)]
    pub version: u64,
    /// Unix seconds after which the item reads as absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    /// The record, as JSON.
    #[serde(default)]
    pub data: Value,
}

impl Item {
    /// A version-1 item holding `data` at `key`.
    pub fn new(key: Key, data: Value) -> Self {
        Self { pk: key.pk, sk: key.sk, version: 1, expires_at: None, data }
    }

    /// A version-1 item holding `record` at `key`; an `Internal` error if
    /// the record does not serialise (none of ours can fail, but a request
    /// must never panic if one day one does).
    pub fn of<T: Serialize>(key: Key, record: &T) -> Result<Self, StoreError> {
        let data = serde_json::to_value(record)
            .map_err(|e| StoreError::Internal(format!("record does not serialise: {e}")))?;
        Ok(Self::new(key, data))
    }

    /// The same item, expiring at `unix_secs`.
    pub fn expiring_at(mut self, unix_secs: i64) -> Self {
        self.expires_at = Some(unix_secs);
        self
    }

    /// The next version of this item holding `data`, same key and expiry.
    pub fn successor(&self, data: Value) -> Self {
        Self { version: self.version + 1, data, ..self.clone() }
    }

    /// The item's key.
    pub fn key(&self) -> Key {
        Key { pk: self.pk.clone(), sk: self.sk.clone() }
    }

    /// Decodes the record. The error names the item's kind (the sort key
    /// up to its first `#`), never the key itself: keys such as
    /// `EMAIL#<address>` are personal data and errors end up in logs. Read
    /// in place: `from_value` would take (so clone) the whole tree.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, StoreError> {
        T::deserialize(&self.data).map_err(|e| {
            let kind = self.sk.split('#').next().unwrap_or_default();
            StoreError::Internal(format!("undecodable {kind} item: {e}"))
        })
    }

    /// The count of a counter item (one [`Store::increment`] writes).
    pub fn count(&self) -> u64 {
        self.data["count"].as_u64().unwrap_or(0)
    }

    /// Whether the item is still live at `now` (TTL deletes late, so every
    /// read checks this).
    pub fn is_live(&self, now: i64) -> bool {
        self.expires_at.is_none_or(|at| at > now)
    }
}

/// A condition on the live item at an operation's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cond {
    /// No condition.
    None,
    /// No live item at the key (an expired one counts as absent).
    Absent,
    /// A live item exists at the key.
    Present,
    /// A live item with exactly this version exists.
    Version(u64),
    /// A live item whose record's `account_id` is this one exists: a guard
    /// still held by the account (a version would not do, since a guard
    /// released and claimed again starts at the same version).
    HeldBy(String),
}

impl Cond {
    /// Whether the condition holds for `current`, the live item at the key.
    pub fn holds(&self, current: Option<&Item>) -> bool {
        match self {
            Self::None => true,
            Self::Absent => current.is_none(),
            Self::Present => current.is_some(),
            Self::Version(v) => current.is_some_and(|item| item.version == *v),
            Self::HeldBy(account_id) => {
                current.is_some_and(|item| item.data["account_id"].as_str() == Some(account_id.as_str()))
            }
        }
    }
}

/// One write of a transaction.
#[derive(Debug, Clone)]
pub enum WriteOp {
    /// Write `item`, replacing what is there.
    Put {
        /// The new item.
        item: Item,
        /// What must hold first.
        cond: Cond,
    },
    /// Remove the item at `key`.
    Delete {
        /// Which item.
        key: Key,
        /// What must hold first.
        cond: Cond,
    },
}

impl WriteOp {
    /// The key written and the condition on it.
    pub fn target(&self) -> (Key, &Cond) {
        match self {
            Self::Put { item, cond } => (item.key(), cond),
            Self::Delete { key, cond } => (key.clone(), cond),
        }
    }
}

/// A fixed-window counter after an increment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counter {
    /// Events counted in the current window, including this one.
    pub count: u64,
    /// Unix seconds when the window ends.
    pub expires_at: i64,
}

/// Why a store operation failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StoreError {
    /// Some conditions did not hold; nothing was written. Holds the indexes
    /// of the failing operations.
    #[error("conditions failed on operations {0:?}")]
    ConditionFailed(Vec<usize>),
    /// The backing service is throttling or down: retry later.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// A fault on our side (corrupt data, bug).
    #[error("store failure: {0}")]
    Internal(String),
}

/// Which way a page runs through a partition's sort keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// Smallest sort key first.
    #[default]
    Ascending,
    /// Largest sort key first (DynamoDB's `ScanIndexForward: false`).
    Descending,
}

/// The single table every flow reads and writes.
#[async_trait]
pub trait Store: Send + Sync {
    /// The live item at `key`, if any.
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError>;

    /// Every live item of partition `pk` whose sort key starts with
    /// `sk_prefix`, in sort-key order.
    async fn query(&self, pk: &str, sk_prefix: &str) -> Result<Vec<Item>, StoreError>;

    /// At most `limit` live items of partition `pk` whose sort key starts
    /// with `sk_prefix` and comes after `after` in `order`, in that order,
    /// and the sort key to continue after when there are more.
    async fn query_page(
        &self,
        pk: &str,
        sk_prefix: &str,
        limit: usize,
        after: Option<&str>,
        order: Order,
    ) -> Result<(Vec<Item>, Option<String>), StoreError>;

    /// Applies all `ops` atomically if every condition holds, else none.
    async fn transact(&self, ops: Vec<WriteOp>) -> Result<(), StoreError>;

    /// Atomically counts one event in the fixed window at `key`: starts a
    /// window ending at `window_end` when none is live, else adds one. The
    /// counter reads back through [`Store::get`] as an item whose data is
    /// `{"count": n}` ([`Item::count`]).
    async fn increment(&self, key: &Key, window_end: i64) -> Result<Counter, StoreError>;

    /// Atomically takes back one event from the live window at `key`: never
    /// below zero, and never starting a window (an expired or missing
    /// counter is left alone). What an attempt counted up front gives back
    /// once it turns out to be no failure.
    async fn decrement(&self, key: &Key) -> Result<(), StoreError>;
}

/// Cuts `items` (at most `limit + 1` of them) to a page and its cursor.
pub fn page(mut items: Vec<Item>, limit: usize) -> (Vec<Item>, Option<String>) {
    if items.len() > limit {
        items.truncate(limit);
        let next = items.last().map(|i| i.sk.clone());
        (items, next)
    } else {
        (items, None)
    }
}

/// Convenience writes over [`Store::transact`].
#[async_trait]
pub trait StoreExt: Store {
    /// Writes one item under `cond`.
    async fn put(&self, item: Item, cond: Cond) -> Result<(), StoreError> {
        self.transact(vec![WriteOp::Put { item, cond }]).await
    }

    /// Deletes one item under `cond`.
    async fn delete(&self, key: Key, cond: Cond) -> Result<(), StoreError> {
        self.transact(vec![WriteOp::Delete { key, cond }]).await
    }
}

impl<S: Store + ?Sized> StoreExt for S {}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Guard {
        account_id: String,
    }

    fn item(data: Value) -> Item {
        Item::new(Key { pk: "EMAIL#ada@example.com".into(), sk: "EMAIL#ada@example.com".into() }, data)
    }

    #[test]
    fn decodes_the_record_it_holds() {
        let decoded: Guard = item(serde_json::json!({"account_id": "a1"})).decode().expect("decodes");
        assert_eq!(decoded, Guard { account_id: "a1".into() });
    }

    /// Errors reach the logs: they name the item's kind, never its key.
    #[test]
    fn an_undecodable_item_is_named_by_kind_not_key() {
        let error = item(serde_json::json!({"account": 7})).decode::<Guard>().expect_err("no account_id");
        let message = error.to_string();
        assert!(message.contains("undecodable EMAIL item"), "{message}");
        assert!(!message.contains("ada@example.com"), "{message}");
    }
}
