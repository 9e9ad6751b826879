//! The store in memory: a sorted map behind a mutex, with the contract of the
//! embedded and DynamoDB adapters (the conformance suite in `tests/store.rs`
//! runs on all three). For benchmarks and fuzzing, where it leaves the
//! flows' own cost without any I/O. Nothing survives the process.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;

use super::{Counter, Item, Key, Order, Store, StoreError, WriteOp, limits, page};
use crate::clock::Clock;

type Items = BTreeMap<(String, String), Item>;

/// The [`Store`] over a map in memory.
pub struct MemoryStore {
    items: Mutex<Items>,
    clock: Arc<dyn Clock>,
}

impl MemoryStore {
    /// An empty store, judging expiry by `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self { items: Mutex::default(), clock }
    }

    fn lock(&self) -> MutexGuard<'_, Items> {
        // A panic elsewhere cannot leave a half-applied write: writes apply
        // only after every condition was checked.
        self.items.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn scan(&self, pk: &str, sk_prefix: &str, from: Bound<String>, limit: usize) -> Vec<Item> {
        let now = self.clock.now();
        let start = match from {
            Bound::Excluded(sk) => Bound::Excluded((pk.to_owned(), sk)),
            _ => Bound::Included((pk.to_owned(), sk_prefix.to_owned())),
        };
        self.lock()
            .range((start, Bound::Unbounded))
            .take_while(|((p, s), _)| p == pk && s.starts_with(sk_prefix))
            .map(|(_, item)| item)
            .filter(|item| item.is_live(now))
            .take(limit)
            .cloned()
            .collect()
    }
}

fn live(items: &Items, key: &Key, now: i64) -> Option<Item> {
    items.get(&(key.pk.clone(), key.sk.clone())).filter(|item| item.is_live(now)).cloned()
}

#[async_trait]
impl Store for MemoryStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        limits::check_key(key)?;
        Ok(live(&self.lock(), key, self.clock.now()))
    }

    async fn query(&self, pk: &str, sk_prefix: &str) -> Result<Vec<Item>, StoreError> {
        limits::check_query(pk, sk_prefix, None)?;
        Ok(self.scan(pk, sk_prefix, Bound::Unbounded, usize::MAX))
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
        let found = match order {
            Order::Ascending => {
                let from = after.map_or(Bound::Unbounded, |sk| Bound::Excluded(sk.to_owned()));
                self.scan(pk, sk_prefix, from, limit.saturating_add(1))
            }
            // The in-memory store serves benchmarks and fuzzing: the whole
            // partition, reversed, is plenty.
            Order::Descending => {
                let all = self.scan(pk, sk_prefix, Bound::Unbounded, usize::MAX).into_iter().rev();
                all.filter(|item| after.is_none_or(|sk| item.sk.as_str() < sk)).take(limit.saturating_add(1)).collect()
            }
        };
        Ok(page(found, limit))
    }

    async fn transact(&self, ops: Vec<WriteOp>) -> Result<(), StoreError> {
        limits::check_transaction(&ops)?;
        let now = self.clock.now();
        let mut items = self.lock();
        let failed: Vec<usize> = ops
            .iter()
            .enumerate()
            .filter(|(_, op)| {
                let (key, cond) = op.target();
                !cond.holds(live(&items, &key, now).as_ref())
            })
            .map(|(index, _)| index)
            .collect();
        if !failed.is_empty() {
            return Err(StoreError::ConditionFailed(failed));
        }
        for op in ops {
            match op {
                WriteOp::Put { item, .. } => {
                    items.insert((item.pk.clone(), item.sk.clone()), item);
                }
                WriteOp::Delete { key, .. } => {
                    items.remove(&(key.pk, key.sk));
                }
            }
        }
        Ok(())
    }

    async fn increment(&self, key: &Key, window_end: i64) -> Result<Counter, StoreError> {
        limits::check_key(key)?;
        let now = self.clock.now();
        let mut items = self.lock();
        let counter = match live(&items, key, now) {
            Some(item) => Counter {
                count: item.data["count"].as_u64().unwrap_or(0) + 1,
                expires_at: item.expires_at.unwrap_or(window_end),
            },
            None => Counter { count: 1, expires_at: window_end },
        };
        let item =
            Item::new(key.clone(), serde_json::json!({ "count": counter.count })).expiring_at(counter.expires_at);
        items.insert((key.pk.clone(), key.sk.clone()), item);
        Ok(counter)
    }

    async fn decrement(&self, key: &Key) -> Result<(), StoreError> {
        limits::check_key(key)?;
        let now = self.clock.now();
        let mut items = self.lock();
        if let Some(item) = live(&items, key, now).filter(|item| item.count() > 0) {
            let taken_back = item.successor(serde_json::json!({ "count": item.count() - 1 }));
            items.insert((key.pk.clone(), key.sk.clone()), taken_back);
        }
        Ok(())
    }
}
