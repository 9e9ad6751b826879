//! One conformance suite for the store port, run against the embedded store,
//! the in-memory store of the benchmarks, and DynamoDB on the local emulator: both must behave the same,
//! including expiry on read and the atomicity the flows rely on.

use std::sync::Arc;

use accounts_tests::{emulator_endpoint, unique_tag};
use serde_json::json;
use shared::clock::{Clock, SystemClock};
use shared::store::dynamodb::DynamoStore;
use shared::store::embedded::{EmbeddedStore, open_database};
use shared::store::memory::MemoryStore;
use shared::store::{Cond, Item, Key, Order, Store, StoreError, StoreExt, WriteOp};

struct Subject {
    store: Arc<dyn Store>,
    clock: Arc<SystemClock>,
    _dir: Option<tempfile::TempDir>,
}

fn embedded() -> Subject {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SystemClock::default());
    let store = EmbeddedStore::new(open_database(dir.path()).unwrap(), clock.clone());
    Subject { store: Arc::new(store), clock, _dir: Some(dir) }
}

fn in_memory() -> Subject {
    let clock = Arc::new(SystemClock::default());
    Subject { store: Arc::new(MemoryStore::new(clock.clone())), clock, _dir: None }
}

async fn dynamodb() -> Subject {
    emulator_endpoint();
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(shared::aws_http::https_client())
        .load()
        .await;
    let client = aws_sdk_dynamodb::Client::new(&sdk);
    let table = format!("conformance-{}", unique_tag());
    shared::provision::ensure_table(&client, &table).await.expect("table created");
    let clock = Arc::new(SystemClock::default());
    Subject { store: Arc::new(DynamoStore::new(client, table, clock.clone())), clock, _dir: None }
}

fn key(pk: &str, sk: &str) -> Key {
    Key { pk: pk.into(), sk: sk.into() }
}

fn item(pk: &str, sk: &str, value: serde_json::Value) -> Item {
    Item::new(key(pk, sk), value)
}

/// Runs `case` against every store (DynamoDB on the emulator).
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod embedded_store {
            $(#[tokio::test] async fn $name() { super::$name(super::embedded()).await; })*
        }
        mod memory_store {
            $(#[tokio::test] async fn $name() { super::$name(super::in_memory()).await; })*
        }
        mod dynamodb_store {
            $(#[tokio::test]
            #[cfg_attr(not(feature = "emulator"), ignore = "needs the AWS emulator (scripts/test: the emulator feature)")]
            async fn $name() { super::$name(super::dynamodb().await).await; })*
        }
    };
}

conformance!(
    a_put_item_reads_back_unchanged,
    a_missing_item_is_none,
    absent_refuses_a_live_item_but_not_an_expired_one,
    expired_items_read_as_absent,
    version_conditions_give_optimistic_concurrency,
    present_condition_on_delete,
    a_transaction_is_all_or_nothing_and_names_every_failure,
    query_returns_live_items_of_a_prefix_in_order,
    increment_counts_within_a_window_and_restarts_after,
    concurrent_increments_never_lose_a_count,
    decrement_gives_back_within_the_window_but_never_below_zero_or_after_it,
    a_counter_reads_back_as_its_count,
    held_by_names_the_guards_holder,
    concurrent_absent_puts_let_exactly_one_win,
    pages_cover_every_live_item_once,
    pages_run_either_way_and_start_anywhere,
    the_init_read_succeeds_on_an_empty_table,
    keys_over_dynamodbs_limits_are_refused_by_every_call,
    an_item_over_400_kb_is_refused_and_nothing_is_written,
    a_transaction_over_100_actions_is_refused_and_nothing_is_written,
    a_transaction_over_4_mb_is_refused_and_nothing_is_written,
    a_transaction_acting_twice_on_one_item_is_refused,
);

/// DynamoDB's refusal: our fault (a `500` if a request reaches it), the
/// same on every adapter.
fn is_refused(result: Result<impl std::fmt::Debug, StoreError>, limit: &str) -> bool {
    matches!(&result, Err(StoreError::Internal(m)) if m.contains("refused as DynamoDB refuses it") && m.contains(limit))
}

async fn keys_over_dynamodbs_limits_are_refused_by_every_call(s: Subject) {
    let long_pk = "P#".to_owned() + &"p".repeat(2047);
    let long_sk = "s".repeat(1025);
    let (too_long_pk, too_long_sk) = (key(&long_pk, "S"), key("P#20", &long_sk));
    for bad in [&too_long_pk, &too_long_sk] {
        let limit = if bad.pk.len() > 2048 { "partition key of 2049 bytes" } else { "sort key of 1025 bytes" };
        assert!(is_refused(s.store.get(bad).await, limit), "get {limit}");
        assert!(is_refused(s.store.put(Item::new(bad.clone(), json!({})), Cond::None).await, limit), "put {limit}");
        assert!(is_refused(s.store.delete(bad.clone(), Cond::None).await, limit), "delete {limit}");
        assert!(is_refused(s.store.increment(bad, s.clock.now() + 60).await, limit), "increment {limit}");
        assert!(is_refused(s.store.decrement(bad).await, limit), "decrement {limit}");
    }
    assert!(is_refused(s.store.query(&long_pk, "").await, "partition key"));
    assert!(is_refused(s.store.query("P#20", &long_sk).await, "sort key"));
    assert!(is_refused(s.store.query_page("P#20", "", 10, Some(&long_sk), Order::Ascending).await, "sort key"));
    // At the limits, everything works.
    let widest = key(&"P".repeat(2048), &"S".repeat(1024));
    s.store.put(Item::new(widest.clone(), json!({"at": "the limits"})), Cond::Absent).await.unwrap();
    assert!(s.store.get(&widest).await.unwrap().is_some());
    assert_eq!(s.store.query(&widest.pk, &widest.sk).await.unwrap().len(), 1);
}

async fn an_item_over_400_kb_is_refused_and_nothing_is_written(s: Subject) {
    // Well within the limit (moto counts a little more than DynamoDB's
    // documented rules do, so not to the byte).
    let fits = item("P#21", "FITS", json!({"blob": "x".repeat(395 * 1024)}));
    s.store.put(fits, Cond::None).await.unwrap();
    let over = item("P#21", "OVER", json!({"blob": "x".repeat(400 * 1024)}));
    assert!(is_refused(s.store.put(over, Cond::None).await, "at most 409600"));
    assert!(s.store.get(&key("P#21", "OVER")).await.unwrap().is_none());
}

async fn a_transaction_over_100_actions_is_refused_and_nothing_is_written(s: Subject) {
    let puts = |n: usize| -> Vec<WriteOp> {
        (0..n).map(|i| WriteOp::Put { item: item("P#22", &format!("S{i:03}"), json!({})), cond: Cond::None }).collect()
    };
    assert!(is_refused(s.store.transact(puts(101)).await, "101 actions"));
    assert!(s.store.query("P#22", "").await.unwrap().is_empty());
    s.store.transact(puts(100)).await.unwrap();
    assert_eq!(s.store.query("P#22", "").await.unwrap().len(), 100);
}

async fn a_transaction_over_4_mb_is_refused_and_nothing_is_written(s: Subject) {
    let heavy: Vec<WriteOp> = (0..11)
        .map(|i| WriteOp::Put { item: item("P#23", &format!("S{i}"), json!("x".repeat(390 * 1024))), cond: Cond::None })
        .collect();
    assert!(is_refused(s.store.transact(heavy).await, "at most 4194304"));
    assert!(s.store.query("P#23", "").await.unwrap().is_empty());
}

async fn a_transaction_acting_twice_on_one_item_is_refused(s: Subject) {
    let twice = vec![
        WriteOp::Put { item: item("P#24", "S", json!({"a": 1})), cond: Cond::None },
        WriteOp::Put { item: item("P#24", "S", json!({"a": 2})), cond: Cond::None },
    ];
    assert!(is_refused(s.store.transact(twice).await, "two actions on one item"));
    assert!(s.store.get(&key("P#24", "S")).await.unwrap().is_none());
}

async fn a_put_item_reads_back_unchanged(s: Subject) {
    let data = json!({"text": "héllo 你好", "n": 42, "neg": -7, "f": 1.5, "none": null, "yes": true,
        "list": [1, "two", {"three": 3}], "nested": {"empty": {}, "s": ""}});
    let written = item("P#1", "S", data).expiring_at(s.clock.now() + 100);
    s.store.put(written.clone(), Cond::None).await.unwrap();
    assert_eq!(s.store.get(&key("P#1", "S")).await.unwrap(), Some(written));
}

async fn a_missing_item_is_none(s: Subject) {
    assert_eq!(s.store.get(&key("P#none", "S")).await.unwrap(), None);
    assert!(s.store.query("P#none", "").await.unwrap().is_empty());
}

async fn absent_refuses_a_live_item_but_not_an_expired_one(s: Subject) {
    let now = s.clock.now();
    s.store.put(item("P#2", "S", json!({"a": 1})).expiring_at(now + 60), Cond::Absent).await.unwrap();
    let again = s.store.put(item("P#2", "S", json!({"a": 2})), Cond::Absent).await;
    assert_eq!(again, Err(StoreError::ConditionFailed(vec![0])));
    s.clock.advance(60);
    s.store.put(item("P#2", "S", json!({"a": 3})), Cond::Absent).await.unwrap();
    assert_eq!(s.store.get(&key("P#2", "S")).await.unwrap().unwrap().data, json!({"a": 3}));
}

async fn expired_items_read_as_absent(s: Subject) {
    let now = s.clock.now();
    s.store.put(item("P#3", "S", json!({})).expiring_at(now + 10), Cond::None).await.unwrap();
    assert!(s.store.get(&key("P#3", "S")).await.unwrap().is_some());
    s.clock.advance(10);
    assert!(s.store.get(&key("P#3", "S")).await.unwrap().is_none());
    assert!(s.store.query("P#3", "").await.unwrap().is_empty());
    let stale = s.store.put(item("P#3", "S", json!({})), Cond::Present).await;
    assert_eq!(stale, Err(StoreError::ConditionFailed(vec![0])));
}

async fn version_conditions_give_optimistic_concurrency(s: Subject) {
    let first = item("P#4", "S", json!({"v": 1}));
    s.store.put(first.clone(), Cond::Absent).await.unwrap();
    let second = first.successor(json!({"v": 2}));
    assert_eq!(second.version, 2);
    s.store.put(second.clone(), Cond::Version(1)).await.unwrap();
    let lost = s.store.put(first.successor(json!({"v": 3})), Cond::Version(1)).await;
    assert_eq!(lost, Err(StoreError::ConditionFailed(vec![0])));
    assert_eq!(s.store.get(&key("P#4", "S")).await.unwrap(), Some(second));
}

async fn present_condition_on_delete(s: Subject) {
    let missing = s.store.delete(key("P#5", "S"), Cond::Present).await;
    assert_eq!(missing, Err(StoreError::ConditionFailed(vec![0])));
    s.store.put(item("P#5", "S", json!({})), Cond::None).await.unwrap();
    s.store.delete(key("P#5", "S"), Cond::Present).await.unwrap();
    assert!(s.store.get(&key("P#5", "S")).await.unwrap().is_none());
}

async fn a_transaction_is_all_or_nothing_and_names_every_failure(s: Subject) {
    s.store.put(item("P#6b", "S", json!({})), Cond::None).await.unwrap();
    s.store.put(item("P#6d", "S", json!({})), Cond::None).await.unwrap();
    let ops = vec![
        WriteOp::Put { item: item("P#6a", "S", json!({})), cond: Cond::Absent },
        WriteOp::Put { item: item("P#6b", "S", json!({})), cond: Cond::Absent },
        WriteOp::Put { item: item("P#6c", "S", json!({})), cond: Cond::Absent },
        WriteOp::Delete { key: key("P#6d", "S"), cond: Cond::Version(9) },
    ];
    assert_eq!(s.store.transact(ops).await, Err(StoreError::ConditionFailed(vec![1, 3])));
    assert!(s.store.get(&key("P#6a", "S")).await.unwrap().is_none());
    assert!(s.store.get(&key("P#6c", "S")).await.unwrap().is_none());
    assert!(s.store.get(&key("P#6d", "S")).await.unwrap().is_some());
    let ops = vec![
        WriteOp::Put { item: item("P#6a", "S", json!({})), cond: Cond::Absent },
        WriteOp::Delete { key: key("P#6d", "S"), cond: Cond::Version(1) },
    ];
    s.store.transact(ops).await.unwrap();
    assert!(s.store.get(&key("P#6a", "S")).await.unwrap().is_some());
    assert!(s.store.get(&key("P#6d", "S")).await.unwrap().is_none());
}

async fn query_returns_live_items_of_a_prefix_in_order(s: Subject) {
    let now = s.clock.now();
    for sk in ["SESSION#b", "SESSION#a", "PROFILE", "SESSIONX", "SESSION#c"] {
        s.store.put(item("P#7", sk, json!({"sk": sk})).expiring_at(now + 100), Cond::None).await.unwrap();
    }
    s.store.put(item("P#7", "SESSION#old", json!({})).expiring_at(now + 1), Cond::None).await.unwrap();
    s.store.put(item("P#77", "SESSION#z", json!({})), Cond::None).await.unwrap();
    s.clock.advance(1);
    let found: Vec<String> = s.store.query("P#7", "SESSION#").await.unwrap().into_iter().map(|i| i.sk).collect();
    assert_eq!(found, ["SESSION#a", "SESSION#b", "SESSION#c"]);
}

async fn increment_counts_within_a_window_and_restarts_after(s: Subject) {
    let now = s.clock.now();
    let k = key("RATE#x", "RATE");
    for expected in 1..=3 {
        let counter = s.store.increment(&k, now + 60).await.unwrap();
        assert_eq!((counter.count, counter.expires_at), (expected, now + 60));
    }
    // A later increment keeps the window it started with.
    assert_eq!(s.store.increment(&k, now + 999).await.unwrap().expires_at, now + 60);
    s.clock.advance(60);
    let restarted = s.store.increment(&k, now + 120).await.unwrap();
    assert_eq!((restarted.count, restarted.expires_at), (1, now + 120));
    s.store.delete(k.clone(), Cond::None).await.unwrap();
    assert_eq!(s.store.increment(&k, now + 500).await.unwrap().count, 1);
}

async fn decrement_gives_back_within_the_window_but_never_below_zero_or_after_it(s: Subject) {
    let now = s.clock.now();
    let k = key("RATE#d", "RATE");
    // Nothing to take back from: no window is started.
    s.store.decrement(&k).await.unwrap();
    assert_eq!(s.store.get(&k).await.unwrap(), None);
    s.store.increment(&k, now + 60).await.unwrap();
    s.store.increment(&k, now + 60).await.unwrap();
    s.store.decrement(&k).await.unwrap();
    assert_eq!(s.store.get(&k).await.unwrap().map(|i| (i.count(), i.expires_at)), Some((1, Some(now + 60))));
    s.store.decrement(&k).await.unwrap();
    s.store.decrement(&k).await.unwrap();
    assert_eq!(s.store.get(&k).await.unwrap().map(|i| i.count()), Some(0), "never below zero");
    assert_eq!(
        s.store.increment(&k, now + 999).await.unwrap(),
        shared::store::Counter { count: 1, expires_at: now + 60 }
    );
    s.clock.advance(60);
    s.store.decrement(&k).await.unwrap();
    assert_eq!(s.store.get(&k).await.unwrap(), None, "an expired window is left alone");
    assert_eq!(s.store.increment(&k, now + 120).await.unwrap().count, 1);
}

async fn concurrent_increments_never_lose_a_count(s: Subject) {
    let now = s.clock.now();
    let k = key("RATE#y", "RATE");
    let counts = futures::future::join_all((0..40).map(|_| s.store.increment(&k, now + 60))).await;
    let mut counts: Vec<u64> = counts.into_iter().map(|c| c.unwrap().count).collect();
    counts.sort_unstable();
    assert_eq!(counts, (1..=40).collect::<Vec<u64>>());
}

async fn a_counter_reads_back_as_its_count(s: Subject) {
    let now = s.clock.now();
    let k = key("RATE#z", "RATE");
    for _ in 0..3 {
        s.store.increment(&k, now + 60).await.unwrap();
    }
    let counter = s.store.get(&k).await.unwrap().expect("a live counter");
    assert_eq!((counter.count(), counter.expires_at), (3, Some(now + 60)));
}

async fn held_by_names_the_guards_holder(s: Subject) {
    let guard = |holder: &str| item("USERNAME#held", "GUARD", json!({"account_id": holder}));
    s.store.put(guard("a").expiring_at(s.clock.now() + 60), Cond::Absent).await.unwrap();
    let k = key("USERNAME#held", "GUARD");
    assert_eq!(
        s.store.delete(k.clone(), Cond::HeldBy("b".into())).await,
        Err(StoreError::ConditionFailed(vec![0])),
        "another holder's guard is not ours"
    );
    s.store.put(guard("a"), Cond::HeldBy("a".into())).await.expect("the holder keeps it");
    s.store.delete(k.clone(), Cond::HeldBy("a".into())).await.expect("the holder releases it");
    s.store.put(guard("c").expiring_at(s.clock.now() + 60), Cond::Absent).await.unwrap();
    s.clock.advance(60);
    assert!(s.store.put(guard("c"), Cond::HeldBy("c".into())).await.is_err(), "an expired guard is held by no one");
}

async fn concurrent_absent_puts_let_exactly_one_win(s: Subject) {
    let results =
        futures::future::join_all((0..20).map(|i| s.store.put(item("P#8", "GUARD", json!({"i": i})), Cond::Absent)))
            .await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    assert!(results.iter().all(|r| r.is_ok() || *r == Err(StoreError::ConditionFailed(vec![0]))));
}

async fn pages_cover_every_live_item_once(s: Subject) {
    let now = s.clock.now();
    for i in 0..7 {
        let expires = if i == 3 { now + 1 } else { now + 100 };
        s.store.put(item("Q#1", &format!("{i:03}"), json!({"i": i})).expiring_at(expires), Cond::None).await.unwrap();
    }
    // Neighbours either side of the partition stay out of its pages.
    s.store.put(item("Q#0", "999", json!({})), Cond::None).await.unwrap();
    s.store.put(item("Q#2", "000", json!({})), Cond::None).await.unwrap();
    s.clock.advance(1);
    assert_eq!(all_pages(&s, Order::Ascending, None).await, ["000", "001", "002", "004", "005", "006"]);
    assert_eq!(all_pages(&s, Order::Descending, None).await, ["006", "005", "004", "002", "001", "000"]);
}

/// Every sort key of `Q#1` read two at a time in `order` after `start`.
async fn all_pages(s: &Subject, order: Order, start: Option<&str>) -> Vec<String> {
    let mut seen = Vec::new();
    let mut after = start.map(str::to_owned);
    loop {
        let (items, next) = s.store.query_page("Q#1", "", 2, after.as_deref(), order).await.unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.into_iter().map(|i| i.sk));
        match next {
            Some(cursor) => after = Some(cursor),
            None => break,
        }
    }
    seen
}

/// A page may start after a sort key no item has (the audit trail's
/// `since`): DynamoDB takes any key as `ExclusiveStartKey`.
async fn pages_run_either_way_and_start_anywhere(s: Subject) {
    for sk in ["010.5", "020.5", "030.5"] {
        s.store.put(item("Q#1", sk, json!({})), Cond::None).await.unwrap();
    }
    assert_eq!(all_pages(&s, Order::Ascending, Some("020")).await, ["020.5", "030.5"]);
    assert_eq!(all_pages(&s, Order::Descending, Some("030")).await, ["020.5", "010.5"]);
}

/// What a function reads during init to open its connection (`lambda::run`)
/// must succeed on any table, and write nothing.
async fn the_init_read_succeeds_on_an_empty_table(s: Subject) {
    let records = shared::persistence::Records::new(s.store.as_ref());
    records.warm_up().await.expect("a read of a key no item has");
    records.warm_up().await.expect("and again");
}
