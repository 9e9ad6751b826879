//! Sending and checking one-time SMS codes, with the contract's limits: per
//! phone one per 60 s and 10 a day, per client IP 20 an hour.

use serde::{Deserialize, Serialize};

use super::FlowError;
use crate::app::App;
use crate::domain::Phone;
use crate::domain::secret_token::new_id;
use crate::domain::sms_code::{self, CODE_TTL_SECS, MAX_WRONG_TRIES, SmsPurpose};
use crate::i18n::{self, Lang};
use crate::notify::SmsMessage;
use crate::store::{Cond, Item, StoreError, StoreExt, keys};

/// Seconds between two codes to one phone.
pub const RESEND_AFTER_SECS: i64 = 60;
const PHONE_DAILY_LIMIT: u64 = 10;
const IP_HOURLY_LIMIT: u64 = 20;

/// The stored code: a salted hash and the count of wrong tries.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SmsCodeRecord {
    salt: String,
    hash: String,
    wrong_tries: u32,
}

/// What the client is told after a send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeSent {
    /// Seconds the code stays valid.
    pub expires_in: i64,
    /// Seconds until another code may be requested.
    pub retry_after: i64,
}

/// Sends a fresh code for `purpose` to `phone`, within the rate limits
/// (per client IP, then per phone).
pub async fn send_code(
    app: &App,
    phone: &Phone,
    purpose: SmsPurpose,
    client_ip: &str,
    lang: Lang,
) -> Result<CodeSent, FlowError> {
    let now = app.clock.now();
    let per_ip = app.store.increment(&keys::rate("sms-ip", client_ip), now + 3600).await?;
    if per_ip.count > IP_HOURLY_LIMIT {
        return Err(rate_limited(per_ip.expires_at - now));
    }
    send_within_phone_limits(app, phone, purpose, lang).await
}

/// Sends a code if the phone's own limits allow (one per 60 s, 10 a day);
/// `RateLimited` otherwise. Callers that must not reveal whether a phone is
/// registered (forgot-password) drop that error silently.
pub async fn send_within_phone_limits(
    app: &App,
    phone: &Phone,
    purpose: SmsPurpose,
    lang: Lang,
) -> Result<CodeSent, FlowError> {
    let now = app.clock.now();
    let cooldown_key = keys::rate("sms-cooldown", phone.as_str());
    let cooldown = Item::new(cooldown_key.clone(), &serde_json::json!({})).expiring_at(now + RESEND_AFTER_SECS);
    match app.store.put(cooldown, Cond::Absent).await {
        Err(StoreError::ConditionFailed(_)) => {
            let until =
                app.store.get(&cooldown_key).await?.and_then(|i| i.expires_at).unwrap_or(now + RESEND_AFTER_SECS);
            return Err(rate_limited(until - now));
        }
        other => other?,
    }
    let per_day = app.store.increment(&keys::rate("sms-day", phone.as_str()), now + 86_400).await?;
    if per_day.count > PHONE_DAILY_LIMIT {
        return Err(rate_limited(per_day.expires_at - now));
    }
    let code = store_new_code(app, phone, purpose).await?;
    let message = SmsMessage { to: phone.as_str().to_owned(), text: i18n::sms_code_text(&code, lang) };
    if let Err(e) = app.sms.send_sms(message).await {
        // Let the customer ask again at once rather than wait out a cooldown
        // for a code that never left.
        let _ = app.store.delete(cooldown_key, Cond::None).await;
        return Err(e.into());
    }
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
        let counted = SmsCodeRecord { wrong_tries: record.wrong_tries + 1, ..record };
        match app.store.put(item.successor(&counted), Cond::Version(item.version)).await {
            Ok(()) => return Err(FlowError::field(field, "sms_code_invalid")),
            Err(StoreError::ConditionFailed(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(FlowError::Unavailable("sms code contention".into()))
}
