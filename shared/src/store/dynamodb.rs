//! The DynamoDB adapter of the store port. Every item is `pk`, `sk`,
//! `version`, optional `expires_at` (the TTL attribute) and `data` (a map);
//! conditions are condition expressions that also treat an expired item as
//! absent, because TTL deletes up to days late.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, ReturnValue, TransactWriteItem};

use super::{Cond, Counter, Item, Key, Order, Store, StoreError, WriteOp, limits, page};
use crate::aws_errors::{describe, is_transient};
use crate::clock::Clock;

/// Attempts of a transaction that lost a race with another transaction.
const CONFLICT_ATTEMPTS: usize = 4;

type Attributes = HashMap<String, AttributeValue>;

/// The [`Store`] over one DynamoDB table.
#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
    clock: Arc<dyn Clock>,
}

fn sdk_error<E: ProvideErrorMetadata>(error: &SdkError<E, HttpResponse>) -> StoreError {
    if is_transient(error) { StoreError::Unavailable(describe(error)) } else { StoreError::Internal(describe(error)) }
}

fn internal(e: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(e.to_string())
}

fn key_attributes(key: &Key) -> Attributes {
    HashMap::from([
        ("pk".to_owned(), AttributeValue::S(key.pk.clone())),
        ("sk".to_owned(), AttributeValue::S(key.sk.clone())),
    ])
}

fn to_attributes(item: &Item) -> Result<Attributes, StoreError> {
    serde_dynamo::to_item(item).map_err(internal)
}

fn from_attributes(mut attributes: Attributes) -> Result<Item, StoreError> {
    // A counter keeps `count` as a top-level attribute (UpdateItem adds to
    // it atomically); it reads as `{count}` in `data`, as on every adapter.
    let count = attributes.remove("count");
    let mut item: Item = serde_dynamo::from_item(attributes).map_err(internal)?;
    if let Some(AttributeValue::N(n)) = count {
        item.data = serde_json::json!({ "count": n.parse::<u64>().map_err(internal)? });
    }
    Ok(item)
}

fn number(n: impl ToString) -> AttributeValue {
    AttributeValue::N(n.to_string())
}

/// A condition expression with exactly the names and values it uses
/// (DynamoDB refuses unused ones).
#[derive(Default)]
struct Condition {
    expression: Option<String>,
    names: HashMap<String, String>,
    values: Attributes,
}

impl Condition {
    fn of(cond: &Cond, now: i64) -> Self {
        const LIVE: &str = "(attribute_not_exists(#exp) OR #exp > :now)";
        let mut names = HashMap::from([("#exp".to_owned(), "expires_at".to_owned())]);
        let mut values = HashMap::from([(":now".to_owned(), number(now))]);
        let expression = match cond {
            Cond::None => return Self::default(),
            Cond::Absent => {
                names.insert("#pk".into(), "pk".into());
                "attribute_not_exists(#pk) OR #exp <= :now".to_owned()
            }
            Cond::Present => {
                names.insert("#pk".into(), "pk".into());
                format!("attribute_exists(#pk) AND {LIVE}")
            }
            Cond::Version(version) => {
                names.insert("#ver".into(), "version".into());
                values.insert(":ver".into(), number(version));
                format!("#ver = :ver AND {LIVE}")
            }
            Cond::HeldBy(account_id) => {
                names.insert("#data".into(), "data".into());
                names.insert("#holder".into(), "account_id".into());
                values.insert(":holder".into(), AttributeValue::S(account_id.clone()));
                format!("#data.#holder = :holder AND {LIVE}")
            }
        };
        Self { expression: Some(expression), names, values }
    }

    fn names(&self) -> Option<HashMap<String, String>> {
        self.expression.as_ref().map(|_| self.names.clone())
    }

    fn values(&self) -> Option<Attributes> {
        self.expression.as_ref().map(|_| self.values.clone())
    }
}

impl DynamoStore {
    /// A store over `table`, judging expiry by `clock`.
    pub fn new(client: Client, table: impl Into<String>, clock: Arc<dyn Clock>) -> Self {
        Self { client, table: table.into(), clock }
    }

    fn live(&self, item: Item) -> Option<Item> {
        item.is_live(self.clock.now()).then_some(item)
    }

    async fn put_unconditionally(&self, item: &Item) -> Result<(), StoreError> {
        let request = self.client.put_item().table_name(&self.table).set_item(Some(to_attributes(item)?));
        request.send().await.map(|_| ()).map_err(|e| sdk_error(&e))
    }

    async fn delete_unconditionally(&self, key: &Key) -> Result<(), StoreError> {
        let request = self.client.delete_item().table_name(&self.table).set_key(Some(key_attributes(key)));
        request.send().await.map(|_| ()).map_err(|e| sdk_error(&e))
    }

    fn transact_item(&self, op: &WriteOp, now: i64) -> Result<TransactWriteItem, StoreError> {
        let item = match op {
            WriteOp::Put { item, cond } => {
                let condition = Condition::of(cond, now);
                let put = Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(to_attributes(item)?))
                    .set_condition_expression(condition.expression.clone())
                    .set_expression_attribute_names(condition.names())
                    .set_expression_attribute_values(condition.values())
                    .build()
                    .map_err(internal)?;
                TransactWriteItem::builder().put(put).build()
            }
            WriteOp::Delete { key, cond } => {
                let condition = Condition::of(cond, now);
                let delete = Delete::builder()
                    .table_name(&self.table)
                    .set_key(Some(key_attributes(key)))
                    .set_condition_expression(condition.expression.clone())
                    .set_expression_attribute_names(condition.names())
                    .set_expression_attribute_values(condition.values())
                    .build()
                    .map_err(internal)?;
                TransactWriteItem::builder().delete(delete).build()
            }
        };
        Ok(item)
    }

    async fn transact_many(&self, ops: &[WriteOp]) -> Result<(), StoreError> {
        for attempt in 1..=CONFLICT_ATTEMPTS {
            let now = self.clock.now();
            let items = ops.iter().map(|op| self.transact_item(op, now)).collect::<Result<Vec<_>, _>>()?;
            let error = match self.client.transact_write_items().set_transact_items(Some(items)).send().await {
                Ok(_) => return Ok(()),
                Err(error) => error,
            };
            let Some(canceled) = error.as_service_error().and_then(|s| match s {
                aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(c) => Some(c),
                _ => None,
            }) else {
                return Err(sdk_error(&error));
            };
            let codes: Vec<&str> = canceled.cancellation_reasons().iter().map(|r| r.code().unwrap_or("None")).collect();
            let failed: Vec<usize> =
                codes.iter().enumerate().filter(|(_, c)| **c == "ConditionalCheckFailed").map(|(i, _)| i).collect();
            if !failed.is_empty() {
                return Err(StoreError::ConditionFailed(failed));
            }
            if attempt == CONFLICT_ATTEMPTS
                || !codes.iter().any(|c| *c == "TransactionConflict" || *c == "ThrottlingError")
            {
                return Err(StoreError::Unavailable(format!("transaction canceled: {codes:?}")));
            }
            tokio::time::sleep(std::time::Duration::from_millis(20 * attempt as u64)).await;
        }
        unreachable!("the loop returns on its last attempt")
    }

    /// Live items of a partition (with a sort-key prefix) in order, from
    /// `start_key` on, following pages until `enough` items or the end.
    async fn live_items(
        &self,
        pk: &str,
        sk_prefix: &str,
        mut start_key: Option<Attributes>,
        enough: Option<usize>,
        order: Order,
    ) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        loop {
            let mut request = self
                .client
                .query()
                .table_name(&self.table)
                .consistent_read(true)
                .scan_index_forward(order == Order::Ascending)
                .set_limit(enough.map(|n| n.min(1000) as i32))
                .expression_attribute_names("#pk", "pk")
                .expression_attribute_values(":pk", AttributeValue::S(pk.to_owned()))
                .set_exclusive_start_key(start_key);
            // DynamoDB refuses `begins_with` on an empty string.
            request = if sk_prefix.is_empty() {
                request.key_condition_expression("#pk = :pk")
            } else {
                request
                    .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                    .expression_attribute_names("#sk", "sk")
                    .expression_attribute_values(":prefix", AttributeValue::S(sk_prefix.to_owned()))
            };
            let output = request.send().await.map_err(|e| sdk_error(&e))?;
            for attributes in output.items.unwrap_or_default() {
                items.extend(self.live(from_attributes(attributes)?));
            }
            start_key = output.last_evaluated_key;
            if start_key.is_none() || enough.is_some_and(|n| items.len() >= n) {
                if let Some(n) = enough {
                    items.truncate(n);
                }
                return Ok(items);
            }
        }
    }

    /// Restarts an expired counter window; `false` if someone else did first.
    async fn restart_window(&self, key: &Key, window_end: i64) -> Result<bool, StoreError> {
        let mut item = key_attributes(key);
        item.insert("count".into(), number(1));
        item.insert("expires_at".into(), number(window_end));
        item.insert("version".into(), number(1));
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("#exp <= :now")
            .expression_attribute_names("#exp", "expires_at")
            .expression_attribute_values(":now", number(self.clock.now()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => Ok(false),
            Err(e) => Err(sdk_error(&e)),
        }
    }
}

#[async_trait]
impl Store for DynamoStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        limits::check_key(key)?;
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key_attributes(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| sdk_error(&e))?;
        match output.item {
            Some(attributes) => Ok(self.live(from_attributes(attributes)?)),
            None => Ok(None),
        }
    }

    async fn query(&self, pk: &str, sk_prefix: &str) -> Result<Vec<Item>, StoreError> {
        limits::check_query(pk, sk_prefix, None)?;
        self.live_items(pk, sk_prefix, None, None, Order::Ascending).await
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
        let start_key = after.map(|sk| key_attributes(&Key { pk: pk.to_owned(), sk: sk.to_owned() }));
        // One more than a page tells whether there is a next one.
        let items = self.live_items(pk, sk_prefix, start_key, Some(limit + 1), order).await?;
        Ok(page(items, limit))
    }

    async fn transact(&self, ops: Vec<WriteOp>) -> Result<(), StoreError> {
        // An unconditional single write needs no transaction (half the
        // write cost) and is idempotent as it is. A conditional one goes as a
        // transaction: its client request token, which the SDK fills in once
        // and keeps across its retries, makes DynamoDB answer a retry after
        // a lost response with the first attempt's success, where a plain
        // conditional PutItem would see its own write and report a false
        // "condition failed" (a link minted, yet no email sent).
        limits::check_transaction(&ops)?;
        match ops.as_slice() {
            [] => Ok(()),
            [WriteOp::Put { item, cond: Cond::None }] => self.put_unconditionally(item).await,
            [WriteOp::Delete { key, cond: Cond::None }] => self.delete_unconditionally(key).await,
            many => self.transact_many(many).await,
        }
    }

    async fn increment(&self, key: &Key, window_end: i64) -> Result<Counter, StoreError> {
        limits::check_key(key)?;
        for _ in 0..CONFLICT_ATTEMPTS {
            let result = self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key_attributes(key)))
                .update_expression(
                    "SET #count = if_not_exists(#count, :zero) + :one, #exp = if_not_exists(#exp, :end), #ver = :one",
                )
                .condition_expression("attribute_not_exists(#pk) OR #exp > :now")
                .expression_attribute_names("#count", "count")
                .expression_attribute_names("#exp", "expires_at")
                .expression_attribute_names("#ver", "version")
                .expression_attribute_names("#pk", "pk")
                .expression_attribute_values(":zero", number(0))
                .expression_attribute_values(":one", number(1))
                .expression_attribute_values(":end", number(window_end))
                .expression_attribute_values(":now", number(self.clock.now()))
                .return_values(ReturnValue::AllNew)
                .send()
                .await;
            match result {
                Ok(output) => {
                    let attributes = output.attributes.unwrap_or_default();
                    let read = |name: &str| match attributes.get(name) {
                        Some(AttributeValue::N(n)) => n.parse::<i64>().map_err(internal),
                        _ => Err(internal(format!("counter without {name}"))),
                    };
                    return Ok(Counter { count: read("count")? as u64, expires_at: read("expires_at")? });
                }
                Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => {
                    // The window expired but TTL has not removed it yet.
                    if self.restart_window(key, window_end).await? {
                        return Ok(Counter { count: 1, expires_at: window_end });
                    }
                }
                Err(e) => return Err(sdk_error(&e)),
            }
        }
        Err(StoreError::Unavailable("counter contention".into()))
    }

    async fn decrement(&self, key: &Key) -> Result<(), StoreError> {
        limits::check_key(key)?;
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_attributes(key)))
            .update_expression("SET #count = #count - :one")
            .condition_expression("attribute_exists(#pk) AND #exp > :now AND #count > :zero")
            .expression_attribute_names("#count", "count")
            .expression_attribute_names("#exp", "expires_at")
            .expression_attribute_names("#pk", "pk")
            .expression_attribute_values(":zero", number(0))
            .expression_attribute_values(":one", number(1))
            .expression_attribute_values(":now", number(self.clock.now()))
            .send()
            .await;
        match result {
            // Nothing live to take back from: nothing to do.
            Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => Ok(()),
            other => other.map(|_| ()).map_err(|e| sdk_error(&e)),
        }
    }
}
