//! Sending and checking one-time SMS codes, with the contract's limits:
//! only to the allowed regions (checked when the phone is parsed), within the
//! service's daily budget, per client IP and per client network an hour, and
//! per phone and purpose one per 60 s and 10 a day.

use super::FlowError;
use crate::app::App;
use crate::domain::Phone;
use crate::domain::network::client_network;
use crate::domain::records::SmsCodeRecord;
use crate::domain::secret_token::new_id;
use crate::domain::sms_code::{self, CODE_TTL_SECS, MAX_WRONG_TRIES, SmsPurpose};
use crate::i18n::{self, Lang};
use crate::notify::SmsMessage;
use crate::store::{Cond, Item, Key, StoreError, StoreExt, keys};

/// Seconds between two codes to one phone for one purpose.
pub const RESEND_AFTER_SECS: i64 = 60;
const PHONE_DAILY_LIMIT: u64 = 10;
const DAY_SECS: i64 = 86_400;

/// What the client is told after a send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeSent {
    /// Seconds the code stays valid.
    pub expires_in: i64,
    /// Seconds until another code may be requested.
    pub retry_after: i64,
}

/// Sends a fresh code for `purpose` to `phone`, within the service's budget,
/// the client's limits (its IP, then its network) and the phone's own.
pub async fn send_code(
    app: &App,
    phone: &Phone,
    purpose: SmsPurpose,
    client_ip: &str,
    lang: Lang,
) -> Result<CodeSent, FlowError> {
    ensure_budget_left(app).await?;
    let now = app.clock.now();
    let limits = app.config.limits;
    let network = client_network(client_ip);
    for (kind, subject, limit) in
        [("sms-ip", client_ip, limits.sms_per_ip_hour), ("sms-net", network.as_str(), limits.sms_per_network_hour)]
    {
        let counter = app.store.increment(&keys::rate(kind, subject), now + 3600).await?;
        if counter.count > limit {
            return Err(rate_limited(counter.expires_at - now));
        }
    }
    send_within_phone_limits(app, phone, purpose, lang).await
}

/// The counter of SMS sent in the current UTC day, and when that day ends.
fn budget_key(now: i64) -> (Key, i64) {
    let day = now.div_euclid(DAY_SECS);
    (keys::rate("sms-budget", &day.to_string()), (day + 1) * DAY_SECS)
}

/// `RateLimited` until the next UTC day once the service's daily SMS budget
/// is spent. A read, so that requests which end up sending nothing (an
/// unknown login at forgot-password) answer alike without spending any.
pub async fn ensure_budget_left(app: &App) -> Result<(), FlowError> {
    let now = app.clock.now();
    let (key, day_end) = budget_key(now);
    let sent = app.store.get(&key).await?.map_or(0, |counter| counter.count());
    if sent >= app.config.sms_daily_budget {
        return Err(rate_limited(day_end - now));
    }
    Ok(())
}

/// Counts one SMS against the daily budget; `RateLimited` if it is spent
/// (a race past [`ensure_budget_left`]), and then nothing may be sent.
async fn spend_budget(app: &App) -> Result<(), FlowError> {
    let now = app.clock.now();
    let (key, day_end) = budget_key(now);
    let spent = app.store.increment(&key, day_end).await?;
    if spent.count > app.config.sms_daily_budget {
        tracing::warn!("SMS daily budget spent");
        return Err(rate_limited(day_end - now));
    }
    Ok(())
}

/// Sends a code if the phone's own limits for `purpose` allow (one per 60 s,
/// 10 a day: each purpose counts on its own, so sign-up requests cannot hold
/// back a reset) and the budget has room; `RateLimited` otherwise. Callers
/// that must not reveal whether a phone is registered (forgot-password) drop
/// that error silently.
pub async fn send_within_phone_limits(
    app: &App,
    phone: &Phone,
    purpose: SmsPurpose,
    lang: Lang,
) -> Result<CodeSent, FlowError> {
    let now = app.clock.now();
    let subject = format!("{}:{}", purpose.as_str(), phone.as_str());
    let cooldown_key = keys::rate("sms-cooldown", &subject);
    // The random nonce keeps two requests' cooldown items from being equal.
    let cooldown = Item::new(cooldown_key.clone(), &serde_json::json!({"nonce": new_id(app.random.as_ref())}))
        .expiring_at(now + RESEND_AFTER_SECS);
    match app.store.put(cooldown, Cond::Absent).await {
        Err(StoreError::ConditionFailed(_)) => {
            let until =
                app.store.get(&cooldown_key).await?.and_then(|i| i.expires_at).unwrap_or(now + RESEND_AFTER_SECS);
            return Err(rate_limited(until - now));
        }
        other => other?,
    }
    let per_day = app.store.increment(&keys::rate("sms-day", &subject), now + DAY_SECS).await?;
    if per_day.count > PHONE_DAILY_LIMIT {
        return Err(rate_limited(per_day.expires_at - now));
    }
    if let Err(e) = spend_budget(app).await {
        let _ = app.store.delete(cooldown_key, Cond::None).await;
        return Err(e);
    }
    let code = store_new_code(app, phone, purpose).await?;
    let message = SmsMessage { to: phone.as_str().to_owned(), text: i18n::sms_code_text(&code, lang) };
    if let Err(e) = app.sms.send_sms(message).await {
        // Let the customer ask again at once rather than wait out a cooldown
        // for a code that never left.
        let _ = app.store.delete(cooldown_key, Cond::None).await;
        return Err(e.into());
    }
    tracing::info!(purpose = purpose.as_str(), "SMS code sent");
    Ok(CodeSent { expires_in: CODE_TTL_SECS, retry_after: RESEND_AFTER_SECS })
}

/// Draws a code and stores its hash; returns the code to send.
async fn store_new_code(app: &App, phone: &Phone, purpose: SmsPurpose) -> Result<String, FlowError> {
    let code = sms_code::generate(app.random.as_ref());
    let key = keys::sms_code(phone.as_str(), purpose);
    // A resent code inherits the wrong tries of the one it replaces.
    let wrong_tries = match app.store.get(&key).await? {
        Some(item) => item.decode::<SmsCodeRecord>()?.wrong_tries,
        None => 0,
    };
    let salt = new_id(app.random.as_ref());
    let record = SmsCodeRecord { hash: sms_code::hash(&code, &salt), salt, wrong_tries };
    let expires_at = app.clock.now() + CODE_TTL_SECS;
    app.store.put(Item::new(key, &record).expiring_at(expires_at), Cond::None).await?;
    Ok(code)
}

fn rate_limited(retry_after: i64) -> FlowError {
    FlowError::RateLimited { code: "rate_limited", retry_after: retry_after.max(1) }
}

/// A code that matched, and the version of its item: the caller consumes it
/// with a `Cond::Version` delete in the same transaction as its own writes,
/// so a code is used at most once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedCode {
    /// The code item's version.
    pub version: u64,
}

/// Checks `code` for `phone` and `purpose`, counting a wrong try. Errors are
/// field errors on `field`.
pub async fn check_code(
    app: &App,
    phone: &str,
    purpose: SmsPurpose,
    code: &str,
    field: &str,
) -> Result<MatchedCode, FlowError> {
    if !sms_code::is_well_formed(code) {
        return Err(FlowError::field(field, "sms_code_format"));
    }
    let key = keys::sms_code(phone, purpose);
    // Retry on a lost race with another try so that every wrong try counts.
    for _ in 0..8 {
        let Some(item) = app.store.get(&key).await? else {
            return Err(FlowError::field(field, "sms_code_expired"));
        };
        let record: SmsCodeRecord = item.decode()?;
        if record.wrong_tries >= MAX_WRONG_TRIES {
            return Err(FlowError::field(field, "sms_code_exhausted"));
        }
        if crate::domain::secret_token::hashes_match(&sms_code::hash(code, &record.salt), &record.hash) {
            return Ok(MatchedCode { version: item.version });
        }
        if count_try(app, &item, record).await? {
            return Err(FlowError::field(field, "sms_code_invalid"));
        }
    }
    Err(FlowError::Unavailable("sms code contention".into()))
}

/// Counts a try against the code item as it was read; `false` when the item
/// changed meanwhile (read it again).
async fn count_try(app: &App, item: &Item, record: SmsCodeRecord) -> Result<bool, FlowError> {
    let counted = SmsCodeRecord { wrong_tries: record.wrong_tries + 1, ..record };
    match app.store.put(item.successor(&counted), Cond::Version(item.version)).await {
        Ok(()) => Ok(true),
        Err(StoreError::ConditionFailed(_)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Uses up one try of a code that matched but whose request failed for
/// another reason (a sign-up `409`), so that one code cannot probe which
/// usernames and emails are taken more than its five tries.
pub async fn spend_try(app: &App, phone: &str, purpose: SmsPurpose) -> Result<(), FlowError> {
    let key = keys::sms_code(phone, purpose);
    for _ in 0..8 {
        let Some(item) = app.store.get(&key).await? else { return Ok(()) };
        if count_try(app, &item, item.decode()?).await? {
            return Ok(());
        }
    }
    Err(FlowError::Unavailable("sms code contention".into()))
}
