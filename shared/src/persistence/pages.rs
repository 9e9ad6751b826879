//! Pages of the lists operators read (queues, audit trails): at most a
//! limit of items and an opaque [`Cursor`] to the next page. The cursor is
//! the last item's sort key, checked against the shape of the list's sort
//! keys when it comes back, so a client can neither forge a key of another
//! shape nor learn the layout from the API.

/// The lists that page, each with the shape of its sort keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    /// A review, deletion or appeal queue: `<12 digits>#<32 hex>`.
    Queue,
    /// An account's audit trail: `<12 digits>.<9 digits>#<6 hex>`.
    AuditTrail,
}

/// Where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    sort_key: String,
}

/// A page of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// Its items, in the list's order.
    pub items: Vec<T>,
    /// The cursor of the next page, when there is one.
    pub next: Option<Cursor>,
}

impl Cursor {
    /// The cursor a client sent back as `after` for `list`, if it is one.
    pub fn parse(text: &str, list: List) -> Option<Self> {
        // `#` would start a URL's fragment: it travels as `_`, which no
        // sort key of a paged list holds.
        let sort_key = text.replace('_', "#");
        let fits = match list {
            List::Queue => is_queue_key(&sort_key),
            List::AuditTrail => is_audit_key(&sort_key),
        };
        fits.then_some(Self { sort_key })
    }

    /// The text handed to the client as `next` (URL-safe as it is).
    pub fn as_param(&self) -> String {
        self.sort_key.replace('#', "_")
    }

    pub(super) fn from_sort_key(sort_key: String) -> Self {
        Self { sort_key }
    }

    pub(super) fn sort_key(&self) -> &str {
        &self.sort_key
    }
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

fn hex(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A queue entry's sort key: `<time, 12 digits>#<id, 32 hex>`.
fn is_queue_key(key: &str) -> bool {
    key.split_once('#').is_some_and(|(time, id)| digits(time, 12) && hex(id, 32))
}

/// An audit record's sort key: `<secs, 12 digits>.<nanos, 9 digits>#<6 hex>`.
fn is_audit_key(key: &str) -> bool {
    key.split_once('#').is_some_and(|(time, tie)| {
        time.split_once('.').is_some_and(|(secs, nanos)| digits(secs, 12) && digits(nanos, 9)) && hex(tie, 6)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_comes_back_only_in_its_lists_shape() {
        let queue = format!("000000000042_{}", "a".repeat(32));
        let cursor = Cursor::parse(&queue, List::Queue).expect("a queue cursor");
        assert_eq!(cursor.as_param(), queue);
        assert_eq!(cursor.sort_key(), format!("000000000042#{}", "a".repeat(32)));
        assert!(Cursor::parse(&queue, List::AuditTrail).is_none());
        assert!(Cursor::parse("000000000042.000000001_abcdef", List::AuditTrail).is_some());
        for bad in ["nonsense", "x", "", "000000000042_", &"9".repeat(2100)] {
            assert!(Cursor::parse(bad, List::Queue).is_none() && Cursor::parse(bad, List::AuditTrail).is_none());
        }
    }
}
