//! Sending and checking one-time SMS codes, with the contract's limits:
//! only to the allowed regions (checked when the phone is parsed), within the
//! service's daily budget, per client IP and per client network an hour, and
//! per phone and purpose one per 60 s and 10 a day.

use super::audit::{AuditEvent, Detail, note_message};
use super::{Committed, Dependency, FlowError, Race};
use crate::app::App;
use crate::domain::ids::new_id;
use crate::domain::network::client_network;
use crate::domain::records::SmsCodeRecord;
use crate::domain::sms_code::{self, CODE_TTL_SECS, MAX_WRONG_TRIES, SmsPurpose};
use crate::domain::{AccountId, Code, Input, Phone};
use crate::i18n::{self, Lang};
use crate::metrics::Metric;
use crate::notify::SmsMessage;
use crate::persistence::{Changes, Conflict, Limit, Stored, tallied};

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
/// the client's limits (its IP, then its network) and the phone's own. A
/// code `bound_to` an account is accepted only for that account.
pub async fn send_code(
    app: &App,
    phone: &Phone,
    purpose: SmsPurpose,
    bound_to: Option<&AccountId>,
    client_ip: &str,
    lang: Lang,
) -> Result<CodeSent, FlowError> {
    admit_client(app, client_ip).await?;
    send_within_phone_limits(app, phone, purpose, bound_to, bound_to, lang).await
}

/// The limits on the client asking for an SMS, before anything about the
/// phone is looked at: the service's budget, then the client's IP and its
/// network in the hour.
pub async fn admit_client(app: &App, client_ip: &str) -> Result<(), FlowError> {
    ensure_budget_left(app).await?;
    let now = app.clock.now();
    let limits = app.config.limits;
    let network = client_network(client_ip);
    for (limit, allowed) in [
        (Limit::SmsPerIp(client_ip), limits.sms_per_ip_hour),
        (Limit::SmsPerNetwork(&network), limits.sms_per_network_hour),
    ] {
        let counter = app.counters().count(limit, now + 3600).await?;
        if counter.count > allowed {
            return Err(rate_limited(counter.expires_at - now));
        }
    }
    Ok(())
}

/// The counter of SMS sent in the current UTC day, and when that day ends.
fn budget(now: i64) -> (Limit<'static>, i64) {
    let day = now.div_euclid(DAY_SECS);
    (Limit::SmsBudget(day), (day + 1) * DAY_SECS)
}

/// `RateLimited` until the next UTC day once the service's daily SMS budget
/// is spent. A read, so that requests which end up sending nothing (an
/// unknown login at forgot-password) answer alike without spending any.
pub async fn ensure_budget_left(app: &App) -> Result<(), FlowError> {
    let now = app.clock.now();
    let (budget, day_end) = budget(now);
    if app.counters().counted(budget).await? >= app.config.sms_daily_budget {
        return Err(rate_limited(day_end - now));
    }
    Ok(())
}

/// Counts one SMS against the daily budget; `RateLimited` if it is spent
/// (a race past [`ensure_budget_left`]), and then nothing may be sent.
async fn spend_budget(app: &App) -> Result<(), FlowError> {
    let now = app.clock.now();
    let (budget, day_end) = budget(now);
    let spent = app.counters().count(budget, day_end).await?;
    if spent.count > app.config.sms_daily_budget {
        tracing::warn!("SMS daily budget spent");
        return Err(rate_limited(day_end - now));
    }
    Ok(())
}

/// What goes out in an SMS.
#[derive(Debug, Clone)]
pub enum SmsContent {
    /// A fresh code for the purpose (stored as its hash first), bound to
    /// the account that asked for it, if any.
    Code {
        /// The only account that may use the code.
        bound_to: Option<AccountId>,
    },
    /// A forgotten username.
    Username(String),
    /// A recovery appeal naming the account: confirmed, or approved and on
    /// hold; the owner's `cancel_link`.
    AppealNotice {
        /// Whether an operator approved it (it takes effect after the hold).
        approved: bool,
        /// Where the owner cancels it.
        cancel_link: String,
    },
    /// The account's email changed after a recovery appeal.
    AppealDone,
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
    bound_to: Option<&AccountId>,
    about: Option<&AccountId>,
    lang: Lang,
) -> Result<CodeSent, FlowError> {
    let content = SmsContent::Code { bound_to: bound_to.cloned() };
    send_within_limits(app, phone, purpose, content, about, lang).await
}

/// Sends `content` to `phone` within the phone's limits for `purpose` and
/// the service's budget (see [`send_within_phone_limits`]). A message that
/// did not leave (the provider or the store failed) counts nothing: the
/// cooldown, the day's count and the budget are given back, so asking again
/// at once works. A message `about` an account goes on its trail
/// (`sms_sent`, or `sms_failed` when the provider refused or failed it).
pub async fn send_within_limits(
    app: &App,
    phone: &Phone,
    purpose: SmsPurpose,
    content: SmsContent,
    about: Option<&AccountId>,
    lang: Lang,
) -> Result<CodeSent, FlowError> {
    let (sent, tally) = tallied(send_counted(app, phone, purpose, content, lang)).await;
    if let Err(FlowError::Dependency(_) | FlowError::Unavailable(_)) = &sent {
        tally.give_back(app.counters()).await;
    }
    let event = match &sent {
        Ok(_) => Some(AuditEvent::SmsSent),
        Err(FlowError::Dependency(Dependency::Send(_))) => {
            app.count(Metric::SmsFailed);
            Some(AuditEvent::SmsFailed)
        }
        Err(_) => None,
    };
    if let (Some(event), Some(account_id)) = (event, about) {
        let message = Detail::Message { purpose: purpose.as_str().to_owned(), outcome: None };
        note_message(app, account_id, event, message).await;
    }
    sent
}

async fn send_counted(
    app: &App,
    phone: &Phone,
    purpose: SmsPurpose,
    content: SmsContent,
    lang: Lang,
) -> Result<CodeSent, FlowError> {
    count_phone(app, phone, purpose).await?;
    if let Err(e) = spend_budget(app).await {
        let _ = app.counters().clear(Limit::SmsCooldown(purpose, phone.as_str())).await;
        return Err(e);
    }
    let text = match content {
        SmsContent::Code { bound_to } => {
            i18n::sms_code_text(&store_new_code(app, phone, purpose, bound_to).await?, lang)
        }
        SmsContent::Username(username) => i18n::sms_username_text(&username, lang),
        SmsContent::AppealNotice { approved, cancel_link } => {
            i18n::sms_appeal_notice_text(approved, &cancel_link, lang)
        }
        SmsContent::AppealDone => i18n::sms_appeal_text(lang),
    };
    // Mainland carriers deliver only texts that open with the sender's
    // registered signature (【…】); elsewhere it is the brand.
    let text = format!("{}{text}", app.config.sms_signature);
    let message = SmsMessage { to: phone.as_str().to_owned(), text };
    app.sms.send_sms(message).await?;
    tracing::info!(purpose = purpose.as_str(), "SMS sent");
    app.count(Metric::SmsSent { purpose: purpose.as_str(), region: phone.region() });
    Ok(CodeSent { expires_in: CODE_TTL_SECS, retry_after: RESEND_AFTER_SECS })
}

/// Counts a message to `phone` for `purpose` against the phone's own
/// limits (one per 60 s, 10 a day); `RateLimited` past them. Routes that
/// answer alike for unknown phones count them here too, sending nothing.
pub async fn count_phone(app: &App, phone: &Phone, purpose: SmsPurpose) -> Result<(), FlowError> {
    let now = app.clock.now();
    let counters = app.counters();
    let cooldown = Limit::SmsCooldown(purpose, phone.as_str());
    if !counters.mark(cooldown, now + RESEND_AFTER_SECS, &new_id(app.random.as_ref())).await? {
        let until = counters.marked_until(cooldown).await?.unwrap_or(now + RESEND_AFTER_SECS);
        return Err(rate_limited(until - now));
    }
    let per_day = counters.count(Limit::SmsPerPhoneDay(purpose, phone.as_str()), now + DAY_SECS).await?;
    if per_day.count > PHONE_DAILY_LIMIT {
        return Err(rate_limited(per_day.expires_at - now));
    }
    Ok(())
}

/// Draws a code and stores its hash; returns the code to send.
async fn store_new_code(
    app: &App,
    phone: &Phone,
    purpose: SmsPurpose,
    bound_to: Option<AccountId>,
) -> Result<String, FlowError> {
    let code = sms_code::generate(app.random.as_ref());
    let records = app.records();
    // A resent code inherits the wrong tries of the one it replaces.
    let wrong_tries = records.sms_code(phone.as_str(), purpose).await?.map_or(0, |old| old.record.wrong_tries);
    let salt = new_id(app.random.as_ref());
    let record = SmsCodeRecord { hash: sms_code::hash(&code, &salt), salt, wrong_tries, bound_to };
    let mut changes = Changes::new();
    changes.replace_sms_code(phone.as_str(), purpose, &record, app.clock.now() + CODE_TTL_SECS);
    records.commit(changes).await?;
    Ok(code)
}

fn rate_limited(retry_after: i64) -> FlowError {
    FlowError::RateLimited { code: Code::RateLimited, retry_after: retry_after.max(1) }
}

/// A code that matched, as read: the caller consumes it
/// ([`Changes::consume_sms_code`]) in the same transaction as its own
/// writes, so a code is used at most once.
pub type MatchedCode = Stored<SmsCodeRecord>;

/// Checks `code` for `phone` and `purpose`, counting a wrong try. Errors are
/// refusals of the SMS code.
pub async fn check_code(app: &App, phone: &str, purpose: SmsPurpose, code: &str) -> Result<MatchedCode, FlowError> {
    check_code_for(app, phone, purpose, code, None).await
}

/// Checks `code` as [`check_code`] does, for the account `asker`: a code
/// bound to another account (or to none, when `asker` is given) is a wrong
/// code.
pub async fn check_code_for(
    app: &App,
    phone: &str,
    purpose: SmsPurpose,
    code: &str,
    asker: Option<&AccountId>,
) -> Result<MatchedCode, FlowError> {
    if !sms_code::is_well_formed(code) {
        return Err(FlowError::refused(Input::SmsCode, Code::SmsCodeFormat));
    }
    // Retry on a lost race with another try so that every wrong try counts.
    for _ in 0..8 {
        let Some(stored) = app.records().sms_code(phone, purpose).await? else {
            return Err(FlowError::refused(Input::SmsCode, Code::SmsCodeExpired));
        };
        let record = &stored.record;
        if record.wrong_tries >= MAX_WRONG_TRIES {
            return Err(FlowError::refused(Input::SmsCode, Code::SmsCodeExhausted));
        }
        let matches = crate::domain::secret_token::hashes_match(&sms_code::hash(code, &record.salt), &record.hash);
        if matches && record.bound_to.as_ref() == asker {
            return Ok(stored);
        }
        if count_try(app, &stored).await? {
            return Err(FlowError::refused(Input::SmsCode, Code::SmsCodeInvalid));
        }
    }
    Err(FlowError::Unavailable("sms code contention".into()))
}

/// Counts a try against the code as it was read; `false` when it changed
/// meanwhile (read it again).
async fn count_try(app: &App, stored: &Stored<SmsCodeRecord>) -> Result<bool, FlowError> {
    let counted = SmsCodeRecord { wrong_tries: stored.record.wrong_tries + 1, ..stored.record.clone() };
    let mut changes = Changes::new();
    changes.count_sms_try(stored, &counted);
    app.records().commit(changes).await.unless_lost(Race::On(Conflict::SmsCodeChanged))
}

/// Uses up one try of a code that matched but whose request failed for
/// another reason (a sign-up `409`), so that one code cannot probe which
/// usernames and emails are taken more than its five tries.
pub async fn spend_try(app: &App, phone: &str, purpose: SmsPurpose) -> Result<(), FlowError> {
    for _ in 0..8 {
        let Some(stored) = app.records().sms_code(phone, purpose).await? else { return Ok(()) };
        if count_try(app, &stored).await? {
            return Ok(());
        }
    }
    Err(FlowError::Unavailable("sms code contention".into()))
}
