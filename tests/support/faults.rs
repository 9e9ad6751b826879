//! Fault injection at the ports, for the dev server's real request path
//! (HTTP, the API Gateway event, `lambda_http`, the edge): every call of
//! the store, the mailer, the SMS sender, document storage and sealing is
//! numbered, and an armed plan fails exactly one of them with what a
//! throttled or unavailable service answers. The plan also notes every
//! counter and marker the store wrote, so that a test can read them back.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use secrecy::SecretBox;
use shared::App;
use shared::documents::{DocumentError, DocumentStore, StoredObject};
use shared::notify::{EmailMessage, Mailer, SendError, SmsMessage, SmsSender};
use shared::sealing::{SealError, Sealer};
use shared::store::{Counter, Item, Key, Order, Store, StoreError, WriteOp};

/// Which call fails, and what the store's counters were.
#[derive(Default)]
pub struct Faults {
    calls: AtomicUsize,
    /// The call (counting from 1 since [`Faults::arm`]) to fail; 0: none.
    fail_at: AtomicUsize,
    injected: Mutex<Option<&'static str>>,
    /// A port every call of which fails, whatever the count.
    down: Mutex<Option<&'static str>>,
    counters: Mutex<HashSet<Key>>,
}

impl Faults {
    /// A plan that fails nothing yet.
    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    /// Starts counting calls anew, failing the `n`-th (none for 0), and
    /// forgets the counters noted so far.
    pub fn arm(&self, n: usize) {
        self.calls.store(0, Ordering::SeqCst);
        self.fail_at.store(n, Ordering::SeqCst);
        *self.injected.lock().unwrap() = None;
        self.counters.lock().unwrap().clear();
    }

    /// Fails nothing more (calls are still counted).
    pub fn disarm(&self) {
        self.fail_at.store(0, Ordering::SeqCst);
        *self.down.lock().unwrap() = None;
    }

    /// Fails every call of `port` (`store`, `mailer`, `sms`, `documents`,
    /// `sealer`) until disarmed: a provider that is down, or refuses.
    pub fn take_down(&self, port: &'static str) {
        *self.down.lock().unwrap() = Some(port);
    }

    /// Calls made since [`Faults::arm`].
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// The port whose call failed since [`Faults::arm`], if one did.
    pub fn injected(&self) -> Option<&'static str> {
        *self.injected.lock().unwrap()
    }

    /// The counter and marker keys written since [`Faults::arm`].
    pub fn counter_keys(&self) -> Vec<Key> {
        self.counters.lock().unwrap().iter().cloned().collect()
    }

    /// Whether this call of `port` is the one to fail.
    fn fails(&self, port: &'static str) -> bool {
        let call = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        let failing = call == self.fail_at.load(Ordering::SeqCst) || *self.down.lock().unwrap() == Some(port);
        if failing {
            *self.injected.lock().unwrap() = Some(port);
        }
        failing
    }

    fn note_counter(&self, key: &Key) {
        if key.pk.starts_with("RATE#") {
            self.counters.lock().unwrap().insert(key.clone());
        }
    }

    /// `app` with each of its ports behind this plan.
    pub fn adapt(self: &Arc<Self>, app: App) -> App {
        App {
            store: Arc::new(FaultyStore(app.store.clone(), self.clone())),
            mailer: Arc::new(FaultyMailer(app.mailer.clone(), self.clone())),
            sms: Arc::new(FaultySms(app.sms.clone(), self.clone())),
            documents: Arc::new(FaultyDocuments(app.documents.clone(), self.clone())),
            sealer: Arc::new(FaultySealer(app.sealer.clone(), self.clone())),
            ..app
        }
    }
}

const THROTTLED: &str = "injected: throttled";

struct FaultyStore(Arc<dyn Store>, Arc<Faults>);

impl FaultyStore {
    fn check(&self) -> Result<(), StoreError> {
        if self.1.fails("store") { Err(StoreError::Unavailable(THROTTLED.into())) } else { Ok(()) }
    }
}

#[async_trait]
impl Store for FaultyStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.check()?;
        self.0.get(key).await
    }
    async fn query(&self, pk: &str, sk_prefix: &str) -> Result<Vec<Item>, StoreError> {
        self.check()?;
        self.0.query(pk, sk_prefix).await
    }
    async fn query_page(
        &self,
        pk: &str,
        sk_prefix: &str,
        limit: usize,
        after: Option<&str>,
        order: Order,
    ) -> Result<(Vec<Item>, Option<String>), StoreError> {
        self.check()?;
        self.0.query_page(pk, sk_prefix, limit, after, order).await
    }
    async fn transact(&self, ops: Vec<WriteOp>) -> Result<(), StoreError> {
        self.check()?;
        for op in &ops {
            self.1.note_counter(&op.target().0);
        }
        self.0.transact(ops).await
    }
    async fn increment(&self, key: &Key, window_end: i64) -> Result<Counter, StoreError> {
        self.check()?;
        self.1.note_counter(key);
        self.0.increment(key, window_end).await
    }
    async fn decrement(&self, key: &Key) -> Result<(), StoreError> {
        self.check()?;
        self.1.note_counter(key);
        self.0.decrement(key).await
    }
}

struct FaultyMailer(Arc<dyn Mailer>, Arc<Faults>);

#[async_trait]
impl Mailer for FaultyMailer {
    async fn send_email(&self, message: EmailMessage) -> Result<(), SendError> {
        if self.1.fails("mailer") {
            return Err(SendError::Unavailable(THROTTLED.into()));
        }
        self.0.send_email(message).await
    }
}

struct FaultySms(Arc<dyn SmsSender>, Arc<Faults>);

#[async_trait]
impl SmsSender for FaultySms {
    async fn send_sms(&self, message: SmsMessage) -> Result<(), SendError> {
        if self.1.fails("sms") {
            return Err(SendError::Unavailable(THROTTLED.into()));
        }
        self.0.send_sms(message).await
    }
}

struct FaultyDocuments(Arc<dyn DocumentStore>, Arc<Faults>);

impl FaultyDocuments {
    fn check(&self) -> Result<(), DocumentError> {
        if self.1.fails("documents") { Err(DocumentError::Unavailable(THROTTLED.into())) } else { Ok(()) }
    }
}

#[async_trait]
impl DocumentStore for FaultyDocuments {
    async fn upload_url(
        &self,
        key: &str,
        content_type: &str,
        size: u64,
        expires_in: Duration,
    ) -> Result<String, DocumentError> {
        self.check()?;
        self.0.upload_url(key, content_type, size, expires_in).await
    }
    async fn download_url(&self, key: &str, expires_in: Duration) -> Result<String, DocumentError> {
        self.check()?;
        self.0.download_url(key, expires_in).await
    }
    async fn inspect(&self, key: &str) -> Result<Option<StoredObject>, DocumentError> {
        self.check()?;
        self.0.inspect(key).await
    }
    async fn delete(&self, key: &str) -> Result<(), DocumentError> {
        self.check()?;
        self.0.delete(key).await
    }
    async fn copy(&self, from: &str, to: &str) -> Result<bool, DocumentError> {
        self.check()?;
        self.0.copy(from, to).await
    }
    async fn delete_prefix(&self, prefix: &str) -> Result<(), DocumentError> {
        self.check()?;
        self.0.delete_prefix(prefix).await
    }
    async fn forget_stale_uploads(&self, max_age_secs: i64) -> Result<(), DocumentError> {
        self.check()?;
        self.0.forget_stale_uploads(max_age_secs).await
    }
}

struct FaultySealer(Arc<dyn Sealer>, Arc<Faults>);

#[async_trait]
impl Sealer for FaultySealer {
    async fn seal(&self, plaintext: &[u8], context: &str) -> Result<String, SealError> {
        if self.1.fails("sealer") {
            return Err(SealError::Unavailable(THROTTLED.into()));
        }
        self.0.seal(plaintext, context).await
    }
    async fn open(&self, sealed: &str, context: &str) -> Result<SecretBox<Vec<u8>>, SealError> {
        if self.1.fails("sealer") {
            return Err(SealError::Unavailable(THROTTLED.into()));
        }
        self.0.open(sealed, context).await
    }
}
