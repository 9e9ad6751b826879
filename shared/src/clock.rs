//! The clock port. All expiry (links, codes, sessions, rate limits, TTLs)
//! reads this clock, so the dev server can move time forward.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Current time in unix seconds.
pub trait Clock: Send + Sync {
    /// Now, in unix seconds.
    fn now(&self) -> i64;

    /// The nanoseconds within the current second: orders events inside one
    /// second (the audit trail's sort keys).
    fn subsec_nanos(&self) -> u32 {
        SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos())
    }
}

/// The system clock plus an offset that only ever grows (`/_dev/clock`).
#[derive(Debug, Default)]
pub struct SystemClock {
    offset_secs: AtomicI64,
}

impl SystemClock {
    /// Moves this clock forward by `secs` and returns the new now.
    pub fn advance(&self, secs: i64) -> i64 {
        self.offset_secs.fetch_add(secs, Ordering::SeqCst);
        self.now()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        let real = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or_default();
        real + self.offset_secs.load(Ordering::SeqCst)
    }
}

/// Formats unix seconds as an RFC 3339 UTC string.
pub fn rfc3339(unix_secs: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix_secs).ok().and_then(|t| t.format(&Rfc3339).ok()).unwrap_or_default()
}

/// The Unix seconds of an RFC 3339 date-time (`2026-12-07T08:00:00Z`, any
/// offset), if it is one.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    OffsetDateTime::parse(text, &Rfc3339).ok().map(OffsetDateTime::unix_timestamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_now_forward() {
        let clock = SystemClock::default();
        let before = clock.now();
        let after = clock.advance(3600);
        assert!(after >= before + 3600);
    }

    #[test]
    fn formats_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
    }
}
