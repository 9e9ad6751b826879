//! The embedded store: one redb file in the data directory. redb gives ACID
//! write transactions with a single writer, so every `transact` is atomic
//! and serialised, which is what keeps uniqueness under concurrent sign-ups.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};

use super::{Counter, Item, Key, Order, Store, StoreError, WriteOp, limits, page};
use crate::clock::Clock;

/// Items keyed by `pk \x1f sk`; values are JSON-encoded [`Item`]s.
const ITEMS: TableDefinition<&str, &[u8]> = TableDefinition::new("items");

/// Unit separator: never part of a key we build.
const SEPARATOR: char = '\u{1f}';

fn storage_key(pk: &str, sk: &str) -> String {
    format!("{pk}{SEPARATOR}{sk}")
}

/// The smallest key after every key that starts with `prefix` (its last
/// character moved up by one).
fn just_past(prefix: &str) -> String {
    let mut chars: Vec<char> = prefix.chars().collect();
    if let Some(last) = chars.pop() {
        chars.push(char::from_u32(last as u32 + 1).unwrap_or(char::MAX));
    }
    chars.into_iter().collect()
}

/// A page's walk through the table, either way.
type Entries<'a> = Box<
    dyn Iterator<
            Item = Result<
                (redb::AccessGuard<'a, &'static str>, redb::AccessGuard<'a, &'static [u8]>),
                redb::StorageError,
            >,
        > + 'a,
>;

fn internal(e: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(e.to_string())
}

/// redb's page cache: its default is 1 GiB, far more than a dev server's
/// working set (2,000 customers' walk leaves `accounts-dev` at 80 MiB
/// resident, BENCHMARKS.md).
const CACHE_BYTES: usize = 64 << 20;

/// Opens (or creates) the database file `accounts.redb` in `dir`.
pub fn open_database(dir: &Path) -> Result<Arc<Database>, StoreError> {
    std::fs::create_dir_all(dir).map_err(internal)?;
    let db = redb::Builder::new().set_cache_size(CACHE_BYTES).create(dir.join("accounts.redb")).map_err(internal)?;
    Ok(Arc::new(db))
}

/// The [`Store`] over a redb database.
#[derive(Clone)]
pub struct EmbeddedStore {
    db: Arc<Database>,
    clock: Arc<dyn Clock>,
}

impl EmbeddedStore {
    /// A store over `db`, judging expiry by `clock`.
    pub fn new(db: Arc<Database>, clock: Arc<dyn Clock>) -> Self {
        Self { db, clock }
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Database, i64) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let db = self.db.clone();
        let now = self.clock.now();
        tokio::task::spawn_blocking(move || work(&db, now)).await.map_err(internal)?
    }
}

fn decode(bytes: &[u8]) -> Result<Item, StoreError> {
    serde_json::from_slice(bytes).map_err(internal)
}

fn encode(item: &Item) -> Vec<u8> {
    serde_json::to_vec(item).expect("items serialise to JSON")
}

fn live_item(
    table: &impl ReadableTable<&'static str, &'static [u8]>,
    key: &Key,
    now: i64,
) -> Result<Option<Item>, StoreError> {
    let Some(bytes) = table.get(storage_key(&key.pk, &key.sk).as_str()).map_err(internal)? else {
        return Ok(None);
    };
    let item = decode(bytes.value())?;
    Ok(item.is_live(now).then_some(item))
}

#[async_trait]
impl Store for EmbeddedStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        limits::check_key(key)?;
        let key = key.clone();
        self.blocking(move |db, now| {
            let txn = db.begin_read().map_err(internal)?;
            let table = match txn.open_table(ITEMS) {
                Ok(table) => table,
                Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
                Err(e) => return Err(internal(e)),
            };
            live_item(&table, &key, now)
        })
        .await
    }

    async fn query(&self, pk: &str, sk_prefix: &str) -> Result<Vec<Item>, StoreError> {
        limits::check_query(pk, sk_prefix, None)?;
        let start = storage_key(pk, sk_prefix);
        self.blocking(move |db, now| {
            let txn = db.begin_read().map_err(internal)?;
            let table = match txn.open_table(ITEMS) {
                Ok(table) => table,
                Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
                Err(e) => return Err(internal(e)),
            };
            let mut items = Vec::new();
            for entry in table.range(start.as_str()..).map_err(internal)? {
                let (key, value) = entry.map_err(internal)?;
                if !key.value().starts_with(start.as_str()) {
                    break;
                }
                let item = decode(value.value())?;
                if item.is_live(now) {
                    items.push(item);
                }
            }
            Ok(items)
        })
        .await
    }

    async fn query_page(
        &self,
        pk: &str,
        sk_prefix: &str,
        limit: usize,
        after: Option<&str>,
        order: Order,
    ) -> Result<(Vec<Item>, Option<String>), StoreError> {
        limits::check_query(pk, sk_prefix, after)?;
        let prefix = storage_key(pk, sk_prefix);
        let (start, end) = match order {
            // The smallest key after `after`: the same key with a NUL appended.
            Order::Ascending => (after.map_or_else(|| prefix.clone(), |sk| format!("{}\0", storage_key(pk, sk))), None),
            Order::Descending => {
                (prefix.clone(), Some(after.map_or_else(|| just_past(&prefix), |sk| storage_key(pk, sk))))
            }
        };
        self.blocking(move |db, now| {
            let txn = db.begin_read().map_err(internal)?;
            let table = match txn.open_table(ITEMS) {
                Ok(table) => table,
                Err(redb::TableError::TableDoesNotExist(_)) => return Ok((Vec::new(), None)),
                Err(e) => return Err(internal(e)),
            };
            let mut items = Vec::new();
            let entries = match &end {
                None => Box::new(table.range(start.as_str()..).map_err(internal)?) as Entries<'_>,
                Some(end) => Box::new(table.range(start.as_str()..end.as_str()).map_err(internal)?.rev()),
            };
            for entry in entries {
                let (key, value) = entry.map_err(internal)?;
                if !key.value().starts_with(prefix.as_str()) {
                    break;
                }
                let item = decode(value.value())?;
                if item.is_live(now) {
                    items.push(item);
                    if items.len() > limit {
                        break;
                    }
                }
            }
            Ok(page(items, limit))
        })
        .await
    }

    async fn transact(&self, ops: Vec<WriteOp>) -> Result<(), StoreError> {
        limits::check_transaction(&ops)?;
        self.blocking(move |db, now| {
            let txn = db.begin_write().map_err(internal)?;
            {
                let mut table = txn.open_table(ITEMS).map_err(internal)?;
                let mut failed = Vec::new();
                for (index, op) in ops.iter().enumerate() {
                    let (key, cond) = op.target();
                    if !cond.holds(live_item(&table, &key, now)?.as_ref()) {
                        failed.push(index);
                    }
                }
                if !failed.is_empty() {
                    return Err(StoreError::ConditionFailed(failed));
                }
                for op in &ops {
                    match op {
                        WriteOp::Put { item, .. } => {
                            table
                                .insert(storage_key(&item.pk, &item.sk).as_str(), encode(item).as_slice())
                                .map_err(internal)?;
                        }
                        WriteOp::Delete { key, .. } => {
                            table.remove(storage_key(&key.pk, &key.sk).as_str()).map_err(internal)?;
                        }
                    }
                }
            }
            txn.commit().map_err(internal)
        })
        .await
    }

    async fn increment(&self, key: &Key, window_end: i64) -> Result<Counter, StoreError> {
        limits::check_key(key)?;
        let key = key.clone();
        self.blocking(move |db, now| {
            let txn = db.begin_write().map_err(internal)?;
            let counter = {
                let mut table = txn.open_table(ITEMS).map_err(internal)?;
                let counter = match live_item(&table, &key, now)? {
                    Some(item) => Counter {
                        count: item.data["count"].as_u64().unwrap_or(0) + 1,
                        expires_at: item.expires_at.unwrap_or(window_end),
                    },
                    None => Counter { count: 1, expires_at: window_end },
                };
                let item = Item::new(key.clone(), serde_json::json!({ "count": counter.count }))
                    .expiring_at(counter.expires_at);
                table.insert(storage_key(&key.pk, &key.sk).as_str(), encode(&item).as_slice()).map_err(internal)?;
                counter
            };
            txn.commit().map_err(internal)?;
            Ok(counter)
        })
        .await
    }

    async fn decrement(&self, key: &Key) -> Result<(), StoreError> {
        limits::check_key(key)?;
        let key = key.clone();
        self.blocking(move |db, now| {
            let txn = db.begin_write().map_err(internal)?;
            {
                let mut table = txn.open_table(ITEMS).map_err(internal)?;
                if let Some(item) = live_item(&table, &key, now)?.filter(|item| item.count() > 0) {
                    let taken_back = item.successor(serde_json::json!({ "count": item.count() - 1 }));
                    table
                        .insert(storage_key(&key.pk, &key.sk).as_str(), encode(&taken_back).as_slice())
                        .map_err(internal)?;
                }
            }
            txn.commit().map_err(internal)
        })
        .await
    }
}
