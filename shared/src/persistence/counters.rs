//! Rate limits, lockouts and budgets: fixed-window counters and markers
//! that expire. Each subject (an IP, a phone, a login name a client typed)
//! is hashed into the key, so that no client text shapes a key.
//!
//! Unlike records, counters are written at once, each call one atomic store
//! operation ([`Counters`]): a limit must hold across concurrent requests,
//! before any of them commits anything. Only clearing a count can also wait
//! for a commit ([`Changes::clear_count`]).
//!
//! Because they are written at once, a request that fails later would
//! leave them counted: the caller retrying after a `503` would find its
//! SMS cooldown running, a try or a quota spent, for a request that did
//! nothing for it. So every count and marker is also written down in the
//! request's [`Tally`] ([`tallied`]), and the edge gives back what a request
//! answered with a `5xx` counted ([`Tally::give_back`]).

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use super::{Changes, keys};
use crate::domain::AccountId;
use crate::domain::network::rate_limited_client;
use crate::domain::sms_code::SmsPurpose;
use crate::store::{Cond, Counter, Item, Key, Store, StoreError, StoreExt};

/// What is counted (or marked), and for whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit<'a> {
    /// Failed password checks of a login name (canonical) in a window.
    LoginFailures(&'a str),
    /// The lock of a login name (a marker).
    LoginLock(&'a str),
    /// Lock notices sent to an account in a day.
    LockNotice(&'a AccountId),
    /// An account's consecutive failed sign-ins (no window).
    LoginStreak(&'a AccountId),
    /// Forgot-password requests from a client IP in an hour. Every per-IP
    /// limit counts an IPv6 client by its /64 ([`rate_limited_client`]).
    ForgotPerIp(&'a str),
    /// Forgot-password requests for a login name (canonical) in an hour.
    ForgotPerName(&'a str),
    /// Reset messages sent to an account in an hour.
    ForgotPerAccount(&'a AccountId),
    /// SMS requests from a client IP in an hour.
    SmsPerIp(&'a str),
    /// SMS requests from a client network in an hour.
    SmsPerNetwork(&'a str),
    /// SMS sent by the service in a UTC day (the day's number).
    SmsBudget(i64),
    /// The cooldown between two codes to one phone for one purpose (a marker).
    SmsCooldown(SmsPurpose, &'a str),
    /// Codes sent to one phone for one purpose in a day.
    SmsPerPhoneDay(SmsPurpose, &'a str),
    /// Sub-accounts a primary account created in an hour.
    SubAccountsPerHour(&'a AccountId),
    /// Material slots an account opened in a day.
    MaterialsPerDay(&'a AccountId),
    /// Recovery appeals filed from a client IP in an hour.
    AppealsPerIp(&'a str),
    /// Email changes an account asked for in a UTC day.
    EmailChangesPerDay(&'a AccountId),
    /// Phone-change codes an account asked for in a UTC day.
    PhoneCodesPerDay(&'a AccountId),
}

impl Limit<'_> {
    fn key(self) -> Key {
        let phone_purpose = |purpose: SmsPurpose, phone: &str| format!("{}:{phone}", purpose.as_str());
        match self {
            Self::LoginFailures(name) => keys::rate("login-failures", name),
            Self::LoginLock(name) => keys::rate("login-lock", name),
            Self::LockNotice(account_id) => keys::rate("lock-notice", account_id),
            Self::LoginStreak(account_id) => keys::login_streak(account_id),
            Self::ForgotPerIp(ip) => keys::rate("forgot-ip", &rate_limited_client(ip)),
            Self::ForgotPerName(name) => keys::rate("forgot-name", name),
            Self::ForgotPerAccount(account_id) => keys::rate("forgot-account", account_id),
            Self::SmsPerIp(ip) => keys::rate("sms-ip", &rate_limited_client(ip)),
            Self::SmsPerNetwork(network) => keys::rate("sms-net", network),
            Self::SmsBudget(day) => keys::rate("sms-budget", &day.to_string()),
            Self::SmsCooldown(purpose, phone) => keys::rate("sms-cooldown", &phone_purpose(purpose, phone)),
            Self::SmsPerPhoneDay(purpose, phone) => keys::rate("sms-day", &phone_purpose(purpose, phone)),
            Self::SubAccountsPerHour(account_id) => keys::rate("sub-accounts", account_id),
            Self::MaterialsPerDay(account_id) => keys::rate("materials-day", account_id),
            Self::AppealsPerIp(ip) => keys::rate("appeals-ip", &rate_limited_client(ip)),
            Self::EmailChangesPerDay(account_id) => keys::rate("email-changes", account_id),
            Self::PhoneCodesPerDay(account_id) => keys::rate("phone-codes", account_id),
        }
    }
}

/// The counters and markers of the table, written at once (`app.counters()`).
#[derive(Clone, Copy)]
pub struct Counters<'a> {
    store: &'a dyn Store,
}

impl<'a> Counters<'a> {
    /// The counters of `store`.
    pub fn new(store: &'a dyn Store) -> Self {
        Self { store }
    }

    /// Counts one event of `limit` in the window ending at `window_end` (a
    /// new window starts when none is live).
    pub async fn count(&self, limit: Limit<'_>, window_end: i64) -> Result<Counter, StoreError> {
        let key = limit.key();
        let counter = self.store.increment(&key, window_end).await?;
        write_down(|ledger| ledger.counted.push(key));
        Ok(counter)
    }

    /// Takes back one event counted in `limit`'s live window (never below
    /// zero; an expired window is left alone).
    pub async fn take_back(&self, limit: Limit<'_>) -> Result<(), StoreError> {
        let key = limit.key();
        self.store.decrement(&key).await?;
        write_down(|ledger| {
            if let Some(at) = ledger.counted.iter().rposition(|counted| *counted == key) {
                ledger.counted.remove(at);
            }
        });
        Ok(())
    }

    /// The events counted in `limit`'s live window (0 when none is live).
    pub async fn counted(&self, limit: Limit<'_>) -> Result<u64, StoreError> {
        Ok(self.store.get(&limit.key()).await?.map_or(0, |counter| counter.count()))
    }

    /// Clears `limit`'s count, now.
    pub async fn clear(&self, limit: Limit<'_>) -> Result<(), StoreError> {
        self.store.delete(limit.key(), Cond::None).await
    }

    /// Sets the marker `limit` until `until`; `false` if one is live already.
    /// `nonce` keeps two setters' items from being equal.
    pub async fn mark(&self, limit: Limit<'_>, until: i64, nonce: &str) -> Result<bool, StoreError> {
        let item = Item::new(limit.key(), serde_json::json!({"nonce": nonce})).expiring_at(until);
        match self.store.put(item, Cond::Absent).await {
            Ok(()) => {
                write_down(|ledger| ledger.marked.push(limit.key()));
                Ok(true)
            }
            Err(StoreError::ConditionFailed(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Sets the marker `limit` until `until`, live one or not.
    pub async fn set_mark(&self, limit: Limit<'_>, until: i64) -> Result<(), StoreError> {
        self.store.put(Item::new(limit.key(), serde_json::json!({})).expiring_at(until), Cond::None).await?;
        write_down(|ledger| ledger.marked.push(limit.key()));
        Ok(())
    }

    /// Until when the marker `limit` is live, if it is.
    pub async fn marked_until(&self, limit: Limit<'_>) -> Result<Option<i64>, StoreError> {
        Ok(self.store.get(&limit.key()).await?.and_then(|item| item.expires_at))
    }
}

/// What a piece of work counted and marked, in order.
#[derive(Debug, Default)]
struct Ledger {
    counted: Vec<Key>,
    marked: Vec<Key>,
}

tokio::task_local! {
    /// The ledger of the work [`tallied`] is running on this task.
    static LEDGER: Arc<Mutex<Ledger>>;
}

fn write_down(entry: impl FnOnce(&mut Ledger)) {
    // Outside any tallied work (scheduled jobs, tests) nothing is kept.
    let _ = LEDGER.try_with(|ledger| entry(&mut ledger.lock().unwrap_or_else(PoisonError::into_inner)));
}

/// Runs `work`, writing down every count and marker it makes through
/// [`Counters`], and returns its output with that [`Tally`].
pub async fn tallied<T>(work: impl Future<Output = T>) -> (T, Tally) {
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let output = LEDGER.scope(ledger.clone(), work).await;
    (output, Tally(ledger))
}

/// What a piece of work counted. Given back ([`Tally::give_back`]) when
/// the work failed such that its counts would only hold its caller back;
/// otherwise, when dropped, it joins the tally of the work around it, so a
/// later failure there gives it back too.
#[must_use = "a tally is given back, or dropped into the enclosing one"]
pub struct Tally(Arc<Mutex<Ledger>>);

impl Tally {
    fn take(&self) -> Ledger {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Gives back what the work counted: one event from each live window
    /// it counted in, and every marker it set removed. A failure to give
    /// back is logged: the store that failed the work may fail this too.
    pub async fn give_back(self, counters: Counters<'_>) {
        let ledger = self.take();
        for key in &ledger.counted {
            if let Err(e) = counters.store.decrement(key).await {
                tracing::warn!(error = %e, "a count was not given back");
            }
        }
        for key in ledger.marked {
            if let Err(e) = counters.store.delete(key, Cond::None).await {
                tracing::warn!(error = %e, "a marker was not given back");
            }
        }
    }
}

impl Drop for Tally {
    fn drop(&mut self) {
        let ledger = self.take();
        if !ledger.counted.is_empty() || !ledger.marked.is_empty() {
            write_down(|outer| {
                outer.counted.extend(ledger.counted);
                outer.marked.extend(ledger.marked);
            });
        }
    }
}

impl Changes {
    /// `limit`'s count cleared when these changes commit.
    pub fn clear_count(&mut self, limit: Limit<'_>) -> &mut Self {
        self.remove(limit.key())
    }
}
