//! The audit trail: security events and operator actions per account, kept
//! after the account is gone. Records (`domain::records::AuditRecord`) hold
//! the account id, the event, who acted and when — never secrets or other
//! personal data. An event is added to the same `Changes` as the change it
//! describes, or recorded on its own.

use super::FlowError;
use crate::app::App;
use crate::domain::AccountId;
use crate::domain::ids::new_id;
pub use crate::domain::records::{Actor, AuditEvent, AuditRecord, Detail, Factor, Guarded};
use crate::persistence::{Changes, Cursor, Page};

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
    let record = AuditRecord { account_id: account_id.to_owned(), event, actor, at: app.clock.now(), detail };
    // Within one second, records order by the clock's nanoseconds, then by
    // randomness for ties.
    let tie_breaker = &new_id(app.random.as_ref())[..6];
    changes.add_audit_record(&record, app.clock.subsec_nanos(), tie_breaker);
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

/// At most `limit` records of an account's trail after the cursor `after`,
/// oldest first, and the cursor of the next page.
pub async fn page(
    app: &App,
    account_id: &AccountId,
    limit: usize,
    after: Option<&Cursor>,
) -> Result<Page<AuditRecord>, FlowError> {
    Ok(app.records().audit_page(account_id, limit, after).await?)
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
