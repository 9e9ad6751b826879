//! What the email provider reports after a message left: delivered,
//! bounced, complained about, rejected (`notify::ses_events` reads SES's
//! notifications into [`Report`]s; the `email-events` function hands them
//! here). Each is counted, and written to the trail of the account the
//! message was about. Hard bounces and complaints also keep SES from
//! sending to that address again (the configuration set's suppression
//! list), and the template's alarms watch the rates SES reviews an account
//! by.

use super::FlowError;
use super::accounts::load;
use super::audit::{Detail, note_message};
use crate::app::App;
use crate::domain::AccountId;
use crate::domain::records::AuditEvent;
use crate::metrics::Metric;
use crate::notify::{Outcome, Report};

/// What an outcome is on the trail and in the metrics.
fn meaning(outcome: Outcome) -> (AuditEvent, Metric) {
    match outcome {
        Outcome::Delivered => (AuditEvent::EmailDelivered, Metric::EmailDelivered),
        Outcome::Bounced(kind) => (AuditEvent::EmailBounced, Metric::EmailBounced { kind }),
        Outcome::Complained => (AuditEvent::EmailComplained, Metric::EmailComplained),
        Outcome::Rejected => (AuditEvent::EmailFailed, Metric::EmailFailed),
    }
}

/// The trail's detail of an outcome of a message sent for `purpose`.
fn detail(outcome: Outcome, purpose: &str) -> Detail {
    let outcome = match outcome {
        Outcome::Bounced(kind) => Some(kind.to_owned()),
        Outcome::Rejected => Some("rejected".to_owned()),
        Outcome::Delivered | Outcome::Complained => None,
    };
    Detail::Message { purpose: purpose.to_owned(), outcome }
}

/// Records one report: a metric always, and the account's trail when the
/// message was about an account that still exists (an erased one has no
/// trail to add to; an appeal's contact address names none). Whether it
/// reached a trail.
pub async fn record(app: &App, report: &Report) -> Result<bool, FlowError> {
    let (event, metric) = meaning(report.outcome);
    app.count(metric);
    // The tag comes back from outside: an id of another shape names nobody.
    let Some(account_id) = report.account_id.as_deref().and_then(AccountId::parse) else { return Ok(false) };
    if load(app, &account_id).await?.is_none() {
        return Ok(false);
    }
    let detail = detail(report.outcome, report.purpose.as_deref().unwrap_or("email"));
    note_message(app, &account_id, event, detail).await;
    Ok(true)
}
