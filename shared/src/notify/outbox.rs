//! The dev outbox: email and SMS are appended to a table of the embedded
//! database instead of leaving the machine, and `/_dev/outbox` reads them.
//! Benchmarks and fuzzing keep it in memory instead.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};

use super::{EmailMessage, Mailer, SendError, SmsMessage, SmsSender};
use crate::clock::{Clock, rfc3339};

const OUTBOX: TableDefinition<u64, &[u8]> = TableDefinition::new("outbox");

/// One delivered message, as `/_dev/outbox` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// `email` or `sms`.
    pub channel: String,
    /// Recipient.
    pub to: String,
    /// Email subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Text body.
    pub text: String,
    /// Email HTML body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    /// RFC 3339 time of sending.
    pub sent_at: String,
}

/// Mailer and SMS sender that write to the outbox.
#[derive(Clone)]
pub struct Outbox {
    messages: Messages,
    clock: Arc<dyn Clock>,
}

#[derive(Clone)]
enum Messages {
    /// A table of the embedded database: survives restarts.
    Table(Arc<Database>),
    /// A list in memory.
    Memory(Arc<Mutex<Vec<OutboxEntry>>>),
}

fn unavailable(e: impl std::fmt::Display) -> SendError {
    SendError::Unavailable(e.to_string())
}

impl Outbox {
    /// An outbox in `db`.
    pub fn new(db: Arc<Database>, clock: Arc<dyn Clock>) -> Self {
        Self { messages: Messages::Table(db), clock }
    }

    /// An outbox in memory, gone with the process.
    pub fn in_memory(clock: Arc<dyn Clock>) -> Self {
        Self { messages: Messages::Memory(Arc::default()), clock }
    }

    async fn append(&self, entry: OutboxEntry) -> Result<(), SendError> {
        let db = match &self.messages {
            Messages::Table(db) => db.clone(),
            Messages::Memory(list) => {
                list.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(entry);
                return Ok(());
            }
        };
        tokio::task::spawn_blocking(move || {
            let txn = db.begin_write().map_err(unavailable)?;
            {
                let mut table = txn.open_table(OUTBOX).map_err(unavailable)?;
                let next = table.last().map_err(unavailable)?.map_or(0, |(k, _)| k.value() + 1);
                let bytes = serde_json::to_vec(&entry).expect("entries serialise");
                table.insert(next, bytes.as_slice()).map_err(unavailable)?;
            }
            txn.commit().map_err(unavailable)
        })
        .await
        .map_err(unavailable)?
    }

    /// Every message, oldest first.
    pub async fn entries(&self) -> Result<Vec<OutboxEntry>, SendError> {
        self.entries_where(|_| true).await
    }

    /// Every message to `to` (an email address or E.164 phone), oldest first.
    pub async fn entries_to(&self, to: &str) -> Result<Vec<OutboxEntry>, SendError> {
        let to = to.to_owned();
        self.entries_where(move |entry| entry.to == to).await
    }

    /// The newest message to `to`.
    pub async fn latest_to(&self, to: &str) -> Result<Option<OutboxEntry>, SendError> {
        if let Messages::Memory(list) = &self.messages {
            // From the end: a load generator's lookups stay cheap as the list grows.
            let list = list.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            return Ok(list.iter().rev().find(|entry| entry.to == to).cloned());
        }
        Ok(self.entries_to(to).await?.pop())
    }

    async fn entries_where(
        &self,
        keep: impl Fn(&OutboxEntry) -> bool + Send + 'static,
    ) -> Result<Vec<OutboxEntry>, SendError> {
        let db = match &self.messages {
            Messages::Table(db) => db.clone(),
            Messages::Memory(list) => {
                let list = list.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                return Ok(list.iter().filter(|entry| keep(entry)).cloned().collect());
            }
        };
        tokio::task::spawn_blocking(move || {
            let txn = db.begin_read().map_err(unavailable)?;
            let table = match txn.open_table(OUTBOX) {
                Ok(table) => table,
                Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
                Err(e) => return Err(unavailable(e)),
            };
            let mut entries = Vec::new();
            for row in table.iter().map_err(unavailable)? {
                let (_, value) = row.map_err(unavailable)?;
                let entry = serde_json::from_slice(value.value()).map_err(unavailable)?;
                if keep(&entry) {
                    entries.push(entry);
                }
            }
            Ok(entries)
        })
        .await
        .map_err(unavailable)?
    }
}

#[async_trait]
impl Mailer for Outbox {
    async fn send_email(&self, message: EmailMessage) -> Result<(), SendError> {
        self.append(OutboxEntry {
            channel: "email".into(),
            to: message.to,
            subject: Some(message.subject),
            text: message.text,
            html: Some(message.html),
            sent_at: rfc3339(self.clock.now()),
        })
        .await
    }
}

#[async_trait]
impl SmsSender for Outbox {
    async fn send_sms(&self, message: SmsMessage) -> Result<(), SendError> {
        self.append(OutboxEntry {
            channel: "sms".into(),
            to: message.to,
            subject: None,
            text: message.text,
            html: None,
            sent_at: rfc3339(self.clock.now()),
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;

    fn sms(to: &str, text: &str) -> SmsMessage {
        SmsMessage { to: to.into(), text: text.into() }
    }

    async fn finds_by_recipient(outbox: Outbox) {
        for (to, text) in [("+8613800000001", "one"), ("+8613800000002", "two"), ("+8613800000001", "three")] {
            outbox.send_sms(sms(to, text)).await.unwrap();
        }
        assert_eq!(outbox.entries().await.unwrap().len(), 3);
        let texts: Vec<String> =
            outbox.entries_to("+8613800000001").await.unwrap().into_iter().map(|e| e.text).collect();
        assert_eq!(texts, ["one", "three"]);
        assert_eq!(outbox.latest_to("+8613800000001").await.unwrap().unwrap().text, "three");
        assert_eq!(outbox.latest_to("+8613800000009").await.unwrap(), None);
    }

    #[tokio::test]
    async fn the_table_finds_messages_by_recipient() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::store::embedded::open_database(dir.path()).unwrap();
        finds_by_recipient(Outbox::new(db, Arc::new(SystemClock::default()))).await;
    }

    #[tokio::test]
    async fn the_memory_list_finds_messages_by_recipient() {
        finds_by_recipient(Outbox::in_memory(Arc::new(SystemClock::default()))).await;
    }
}
