//! The audit trail: security events and operator actions per account, kept
//! after the account is gone. Records (`domain::records::AuditRecord`) hold
//! the account id, the event, who acted and when — never secrets or other
//! personal data. An event is added to the same `Changes` as the change it
//! describes, or recorded on its own.

use super::FlowError;
use crate::app::App;
use crate::domain::AccountId;
use crate::domain::ids::new_id;
pub use crate::domain::records::{Actor, AuditEvent, AuditRecord, Detail, Factor, Guarded, SignInMethod};
use crate::persistence::{Changes, Cursor, Order, Page};

/// Adds `event` to `changes`, to be committed with the change it describes.
pub fn add(
    app: &App,
    changes: &mut Changes,
    account_id: &AccountId,
    event: AuditEvent,
    actor: Actor,
    detail: Option<Detail>,
) {
    let detail = detail.map(|d| d.to_string());
    let record =
        AuditRecord { account_id: account_id.to_owned(), event, actor, at: app.clock.now(), detail, method: None };
    push(app, changes, &record);
}

/// Adds a customer's `signed_in` by `method` to `changes`.
pub fn add_sign_in(
    app: &App,
    changes: &mut Changes,
    account_id: &AccountId,
    method: SignInMethod,
    detail: Option<Detail>,
) {
    let detail = detail.map(|d| d.to_string());
    let (event, actor, at) = (AuditEvent::SignedIn, Actor::Customer, app.clock.now());
    let record = AuditRecord { account_id: account_id.to_owned(), event, actor, at, detail, method: Some(method) };
    push(app, changes, &record);
}

fn push(app: &App, changes: &mut Changes, record: &AuditRecord) {
    // Within one second, records order by the clock's nanoseconds, then by
    // randomness for ties.
    let tie_breaker = &new_id(app.random.as_ref())[..6];
    changes.add_audit_record(record, app.clock.subsec_nanos(), tie_breaker);
}

/// Records an event of the customer's on its own.
pub async fn record(
    app: &App,
    account_id: &AccountId,
    event: AuditEvent,
    detail: Option<Detail>,
) -> Result<(), FlowError> {
    let mut changes = Changes::new();
    add(app, &mut changes, account_id, event, Actor::Customer, detail);
    Ok(app.records().commit(changes).await?)
}

/// Records an operator's `event` on its own.
pub async fn record_operator(
    app: &App,
    account_id: &AccountId,
    event: AuditEvent,
    operator: &str,
) -> Result<(), FlowError> {
    let mut changes = Changes::new();
    add(app, &mut changes, account_id, event, Actor::Operator(operator.to_owned()), None);
    Ok(app.records().commit(changes).await?)
}

/// The trail of an account, oldest first.
pub async fn list(app: &App, account_id: &AccountId) -> Result<Vec<AuditRecord>, FlowError> {
    Ok(app.records().audit_trail(account_id).await?)
}

/// What an operator asks of a trail: a page of at most `limit` records,
/// after the cursor `after`, in `order`, of one `event` only if named, and
/// none before `since` (Unix seconds).
#[derive(Debug, Clone)]
pub struct TrailQuery {
    /// Records per page.
    pub limit: usize,
    /// The previous page's cursor.
    pub after: Option<Cursor>,
    /// `Ascending`: oldest first.
    pub order: Order,
    /// Only this event.
    pub event: Option<AuditEvent>,
    /// Nothing earlier.
    pub since: Option<i64>,
}

/// Store reads one page of a filtered trail may take: a rare event in a
/// long trail gives a short page with a `next`, never an unbounded read.
const READS_PER_PAGE: usize = 10;

/// A page of `account_id`'s trail as `query` asks, and the cursor of the
/// next. Each store read asks for as many records as the page still lacks,
/// so the store's cursor is exactly where the page stops.
pub async fn page(app: &App, account_id: &AccountId, query: TrailQuery) -> Result<Page<AuditRecord>, FlowError> {
    let records = app.records();
    let mut after = match (&query.after, query.order, query.since) {
        (None, Order::Ascending, Some(since)) => Some(Cursor::audit_since(since)),
        _ => query.after.clone(),
    };
    let mut items = Vec::new();
    for _ in 0..READS_PER_PAGE {
        let wanted = query.limit - items.len();
        let read = records.audit_page(account_id, wanted, after.as_ref(), query.order).await?;
        let before_since = |r: &AuditRecord| query.since.is_some_and(|since| r.at < since);
        if query.order == Order::Descending && read.items.iter().any(before_since) {
            // Newest first, the rest is older still.
            items.extend(read.items.into_iter().take_while(|r| !before_since(r)).filter(|r| query.wants(r)));
            return Ok(Page { items, next: None });
        }
        items.extend(read.items.into_iter().filter(|r| query.wants(r)));
        after = read.next;
        if after.is_none() || items.len() == query.limit {
            break;
        }
    }
    Ok(Page { items, next: after })
}

impl TrailQuery {
    fn wants(&self, record: &AuditRecord) -> bool {
        self.event.is_none_or(|event| record.event == event) && self.since.is_none_or(|since| record.at >= since)
    }
}

/// Writes a message `event` (`email_sent`, `sms_failed`, …) with its
/// [`Detail::Message`] to the account's trail, as the service's own doing.
/// The message went (or did not) either way: a failure to write is logged.
pub async fn note_message(app: &App, account_id: &AccountId, event: AuditEvent, message: Detail) {
    let mut changes = Changes::new();
    add(app, &mut changes, account_id, event, Actor::System, Some(message));
    if let Err(e) = app.records().commit(changes).await {
        tracing::warn!(%account_id, error = %e, ?event, "message event not written to the trail");
    }
}
