//! The queue watch: what waits for operators, counted every 15 minutes by a
//! scheduled function and written as gauges (EMF), which the dashboard shows
//! and two alarms read: a verification waiting more than a day, an erase
//! that did not finish.

use super::FlowError;
use crate::app::App;
use crate::domain::account::VerificationStatus;
use crate::domain::records::{AppealQueueEntry, AppealStatus, QueueEntry};
use crate::metrics::Metric;

/// Entries of a queue counted at most (the gauge then reads "this many or
/// more"; the oldest entry comes first, so its age is exact).
pub const COUNTED_AT_MOST: usize = 1000;
/// An erase still under way this long after its approval is unfinished (the
/// decision erases at once; only a failure leaves it).
pub const ERASE_GRACE_SECS: i64 = 900;

/// What the watch saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueReport {
    /// Verifications waiting for review.
    pub verifications_waiting: u64,
    /// Seconds the oldest waiting verification has waited (0 if none).
    pub oldest_verification_wait: i64,
    /// Appeals waiting for review.
    pub appeals_waiting: u64,
    /// Seconds the oldest waiting appeal has waited (0 if none).
    pub oldest_appeal_wait: i64,
    /// Erasures unfinished past the grace period.
    pub erasures_unfinished: u64,
}

/// Counts what waits and writes the gauges.
pub async fn watch(app: &App) -> Result<QueueReport, FlowError> {
    let now = app.clock.now();
    let records = app.records();
    let verifications =
        records.queue::<QueueEntry>(VerificationStatus::PendingReview, COUNTED_AT_MOST, None).await?.items;
    let appeals = records.queue::<AppealQueueEntry>(AppealStatus::PendingReview, COUNTED_AT_MOST, None).await?.items;
    let erasures = records.erasures_under_way().await?;
    let report = QueueReport {
        verifications_waiting: verifications.len() as u64,
        oldest_verification_wait: verifications.first().map_or(0, |e| now - e.submitted_at),
        appeals_waiting: appeals.len() as u64,
        oldest_appeal_wait: appeals.first().map_or(0, |e| now - e.submitted_at),
        erasures_unfinished: erasures.iter().filter(|e| now - e.since > ERASE_GRACE_SECS).count() as u64,
    };
    for gauge in [
        Metric::VerificationsWaiting(report.verifications_waiting),
        Metric::OldestVerificationWait(report.oldest_verification_wait),
        Metric::AppealsWaiting(report.appeals_waiting),
        Metric::OldestAppealWait(report.oldest_appeal_wait),
        Metric::ErasuresUnfinished(report.erasures_unfinished),
    ] {
        app.count(gauge);
    }
    tracing::info!(?report, "queues watched");
    Ok(report)
}
