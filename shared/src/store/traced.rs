//! A decorator over any [`Store`] that logs each call at debug level inside
//! the current request's span (which carries the route and account id): the
//! calls a flow makes show in the logs with `RUST_LOG=debug`, by operation,
//! item kind and duration. Kinds are key prefixes (`ACCOUNT`, `EMAIL`, …),
//! never a key's value, which may be personal data.

use std::time::Instant;

use async_trait::async_trait;

use super::{Counter, Item, Key, Order, Store, StoreError, WriteOp};

/// Logs every call of the store it wraps.
pub struct Traced<S>(pub S);

/// The kind of an item: its partition key up to the first `#`.
fn kind(pk: &str) -> &str {
    pk.split('#').next().unwrap_or_default()
}

fn logged<T>(op: &str, kind: &str, started: Instant, result: &Result<T, StoreError>) {
    let micros = started.elapsed().as_micros() as u64;
    match result {
        Ok(_) => tracing::debug!(op, kind, micros, "store call"),
        Err(e) => tracing::debug!(op, kind, micros, error = %e, "store call failed"),
    }
}

#[async_trait]
impl<S: Store> Store for Traced<S> {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let started = Instant::now();
        let result = self.0.get(key).await;
        logged("get", kind(&key.pk), started, &result);
        result
    }

    async fn query(&self, pk: &str, sk_prefix: &str) -> Result<Vec<Item>, StoreError> {
        let started = Instant::now();
        let result = self.0.query(pk, sk_prefix).await;
        logged("query", kind(pk), started, &result);
        result
    }

    async fn query_page(
        &self,
        pk: &str,
        sk_prefix: &str,
        limit: usize,
        after: Option<&str>,
        order: Order,
    ) -> Result<(Vec<Item>, Option<String>), StoreError> {
        let started = Instant::now();
        let result = self.0.query_page(pk, sk_prefix, limit, after, order).await;
        logged("query_page", kind(pk), started, &result);
        result
    }

    async fn transact(&self, ops: Vec<WriteOp>) -> Result<(), StoreError> {
        let kinds: Vec<String> = ops.iter().map(|op| kind(&op.target().0.pk).to_owned()).collect();
        let started = Instant::now();
        let result = self.0.transact(ops).await;
        logged("transact", &kinds.join(","), started, &result);
        result
    }

    async fn increment(&self, key: &Key, window_end: i64) -> Result<Counter, StoreError> {
        let started = Instant::now();
        let result = self.0.increment(key, window_end).await;
        logged("increment", kind(&key.pk), started, &result);
        result
    }

    async fn decrement(&self, key: &Key) -> Result<(), StoreError> {
        let started = Instant::now();
        let result = self.0.decrement(key).await;
        logged("decrement", kind(&key.pk), started, &result);
        result
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::{Traced, kind};
    use crate::clock::SystemClock;
    use crate::store::memory::MemoryStore;
    use crate::store::{Key, Store};

    /// Collects what the subscriber writes.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn each_call_is_logged_inside_the_request_span_without_its_key() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .json()
            .with_writer(move || writer.clone())
            .finish();
        let store = Traced(MemoryStore::new(Arc::new(SystemClock::default())));
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("request", route = "POST /v1/sessions", account_id = "acc1");
            let _entered = span.enter();
            let key = Key { pk: "EMAIL#someone@example.com".into(), sk: "GUARD".into() };
            runtime.block_on(store.get(&key)).unwrap();
        });
        let logged = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(logged.contains("\"op\":\"get\"") && logged.contains("\"kind\":\"EMAIL\""), "{logged}");
        assert!(logged.contains("POST /v1/sessions") && logged.contains("acc1"), "{logged}");
        assert!(!logged.contains("someone@example.com"), "{logged}");
    }

    #[test]
    fn a_kind_is_the_key_prefix_never_its_value() {
        assert_eq!(kind("EMAIL#someone@example.com"), "EMAIL");
        assert_eq!(kind("RATE#sms-ip#ab12"), "RATE");
        assert_eq!(kind("PLAIN"), "PLAIN");
    }
}
