//! DynamoDB's limits, enforced by every adapter before it writes or reads.
//! DynamoDB refuses a key over 2,048 (partition) or 1,024 (sort) bytes, an
//! item over 400 KB, and a transaction of over 100 actions, over 4 MB, or
//! with two actions on one item — with a `ValidationException`, our fault.
//! The embedded and in-memory stores would accept all of them, so every
//! such limit used to be found late, on the stack or by reading. Here each
//! adapter answers alike, before any I/O, and the dev server shows the
//! fault the deployment would have.

use std::collections::HashSet;

use serde_json::Value;

use super::{Item, Key, StoreError, WriteOp};

/// Longest partition key, in UTF-8 bytes.
pub const MAX_PARTITION_KEY_BYTES: usize = 2048;
/// Longest sort key, in UTF-8 bytes.
pub const MAX_SORT_KEY_BYTES: usize = 1024;
/// Largest item, attribute names and values counted as DynamoDB counts them.
pub const MAX_ITEM_BYTES: usize = 400 * 1024;
/// Most actions in one transaction.
pub const MAX_TRANSACTION_ACTIONS: usize = 100;
/// Largest transaction, all of its items together.
pub const MAX_TRANSACTION_BYTES: usize = 4 * 1024 * 1024;

/// The refusal: an `Internal` error (a request that reaches it is a bug of
/// ours to fix, as on DynamoDB), naming the limit, never the key.
fn refused(what: String) -> StoreError {
    StoreError::Internal(format!("refused as DynamoDB refuses it: {what}"))
}

/// A partition key DynamoDB takes: 1 to 2,048 bytes.
pub fn check_partition(pk: &str) -> Result<(), StoreError> {
    match pk.len() {
        0 => Err(refused("an empty partition key".into())),
        n if n > MAX_PARTITION_KEY_BYTES => {
            Err(refused(format!("a partition key of {n} bytes (at most {MAX_PARTITION_KEY_BYTES})")))
        }
        _ => Ok(()),
    }
}

/// A sort key (or a sort-key bound of a query) DynamoDB takes: at most
/// 1,024 bytes. An empty one is refused where a whole key is given.
fn check_sort(sk: &str) -> Result<(), StoreError> {
    match sk.len() {
        n if n > MAX_SORT_KEY_BYTES => Err(refused(format!("a sort key of {n} bytes (at most {MAX_SORT_KEY_BYTES})"))),
        _ => Ok(()),
    }
}

/// A whole key DynamoDB takes.
pub fn check_key(key: &Key) -> Result<(), StoreError> {
    check_partition(&key.pk)?;
    if key.sk.is_empty() {
        return Err(refused("an empty sort key".into()));
    }
    check_sort(&key.sk)
}

/// A query DynamoDB takes: its partition, its sort-key prefix and where it
/// starts.
pub fn check_query(pk: &str, sk_prefix: &str, after: Option<&str>) -> Result<(), StoreError> {
    check_partition(pk)?;
    check_sort(sk_prefix)?;
    after.map_or(Ok(()), check_sort)
}

/// A transaction DynamoDB takes: every key, every item's size, at most 100
/// actions, at most 4 MB, and no item twice.
pub fn check_transaction(ops: &[WriteOp]) -> Result<(), StoreError> {
    if ops.len() > MAX_TRANSACTION_ACTIONS {
        return Err(refused(format!("a transaction of {} actions (at most {MAX_TRANSACTION_ACTIONS})", ops.len())));
    }
    let mut total = 0;
    let mut seen = HashSet::with_capacity(ops.len());
    for op in ops {
        let (key, _) = op.target();
        check_key(&key)?;
        total += match op {
            WriteOp::Put { item, .. } => check_item(item)?,
            WriteOp::Delete { key, .. } => key.pk.len() + key.sk.len() + "pk".len() + "sk".len(),
        };
        if !seen.insert(key) {
            return Err(refused("a transaction with two actions on one item".into()));
        }
    }
    if total > MAX_TRANSACTION_BYTES {
        return Err(refused(format!("a transaction of {total} bytes (at most {MAX_TRANSACTION_BYTES})")));
    }
    Ok(())
}

/// An item DynamoDB takes; its size as DynamoDB counts it.
pub fn check_item(item: &Item) -> Result<usize, StoreError> {
    check_key(&item.key())?;
    let size = item_size(item);
    if size > MAX_ITEM_BYTES {
        return Err(refused(format!("an item of {size} bytes (at most {MAX_ITEM_BYTES})")));
    }
    Ok(size)
}

/// An item's size as DynamoDB counts it ("Item sizes and formats" in its
/// developer guide): each attribute's name and value, as the DynamoDB
/// adapter writes them (`pk`, `sk`, `version`, `expires_at`, `data`).
pub fn item_size(item: &Item) -> usize {
    let mut size = attribute("pk", item.pk.len()) + attribute("sk", item.sk.len());
    size += attribute("version", number_size(&item.version.to_string()));
    if let Some(at) = item.expires_at {
        size += attribute("expires_at", number_size(&at.to_string()));
    }
    size + attribute("data", value_size(&item.data))
}

fn attribute(name: &str, value: usize) -> usize {
    name.len() + value
}

/// A value's size: strings their UTF-8 bytes, numbers about one byte per
/// two significant digits plus one, null and booleans one byte, lists and
/// maps three bytes plus one per element (and a map's names).
fn value_size(value: &Value) -> usize {
    match value {
        Value::Null | Value::Bool(_) => 1,
        Value::Number(n) => number_size(&n.to_string()),
        Value::String(s) => s.len(),
        Value::Array(values) => 3 + values.iter().map(|v| 1 + value_size(v)).sum::<usize>(),
        Value::Object(map) => 3 + map.iter().map(|(k, v)| 1 + k.len() + value_size(v)).sum::<usize>(),
    }
}

fn number_size(text: &str) -> usize {
    let digits = text.trim_start_matches('-').chars().filter(char::is_ascii_digit).count();
    digits.div_ceil(2) + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Cond;

    fn key(pk: usize, sk: usize) -> Key {
        Key { pk: "p".repeat(pk), sk: "s".repeat(sk) }
    }

    fn put(key: Key, data: Value) -> WriteOp {
        WriteOp::Put { item: Item::new(key, data), cond: Cond::None }
    }

    #[test]
    fn keys_at_the_limits_pass_and_a_byte_more_is_refused() {
        assert!(check_key(&key(MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES)).is_ok());
        assert!(check_key(&key(MAX_PARTITION_KEY_BYTES + 1, 1)).is_err());
        assert!(check_key(&key(1, MAX_SORT_KEY_BYTES + 1)).is_err());
        assert!(check_key(&key(0, 1)).is_err());
        assert!(check_key(&key(1, 0)).is_err());
        // Bytes, not characters: 683 three-byte characters are 2,049 bytes.
        assert!(check_partition(&"名".repeat(683)).is_err());
        assert!(check_partition(&"名".repeat(682)).is_ok());
    }

    #[test]
    fn the_refusal_names_the_limit_never_the_key() {
        let error = check_key(&Key { pk: format!("EMAIL#{}", "x".repeat(3000)), sk: "s".into() }).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("partition key of 3006 bytes"), "{text}");
        assert!(!text.contains("EMAIL"), "{text}");
    }

    #[test]
    fn item_size_counts_names_and_values_as_dynamodb_does() {
        let item = Item::new(Key { pk: "ab".into(), sk: "c".into() }, serde_json::json!({"n": 12345, "s": "xyz"}));
        // pk 2+2, sk 2+1, version 7+2, data 4 + (3 + (1+1+4) + (1+1+3)).
        assert_eq!(item_size(&item), 4 + 3 + 9 + 4 + 14);
        let big = Item::new(key(10, 10), serde_json::json!({"blob": "x".repeat(MAX_ITEM_BYTES)}));
        assert!(check_item(&big).is_err());
    }

    #[test]
    fn transactions_are_held_to_a_hundred_actions_four_megabytes_and_one_action_an_item() {
        let ops: Vec<WriteOp> =
            (0..100).map(|i| put(Key { pk: format!("p{i}"), sk: "s".into() }, Value::Null)).collect();
        assert!(check_transaction(&ops).is_ok());
        let mut over = ops.clone();
        over.push(put(key(3, 3), Value::Null));
        assert!(check_transaction(&over).unwrap_err().to_string().contains("101 actions"));
        let twice = vec![put(key(1, 1), Value::Null), WriteOp::Delete { key: key(1, 1), cond: Cond::None }];
        assert!(check_transaction(&twice).unwrap_err().to_string().contains("two actions on one item"));
        let heavy: Vec<WriteOp> = (0..11)
            .map(|i| put(Key { pk: format!("p{i}"), sk: "s".into() }, serde_json::json!("x".repeat(390 * 1024))))
            .collect();
        assert!(check_transaction(&heavy).unwrap_err().to_string().contains("bytes (at most 4194304)"));
    }
}
