//! What every completed sign-in does, however the person was proven
//! (password, second factor, passkey): a new session, the end of the
//! failure streak, the sign-in notice for a client not seen in 30 days, and
//! the cancelling of the account's open recovery appeals (the owner is
//! evidently not locked out).

use secrecy::SecretString;

use super::accounts::send_email;
use super::appeal_queue::{cancel_open_appeals, cancel_remaining_appeals};
use super::audit::{self, SignInMethod};
use super::authentication::{SessionRecord, session_expiry};
use super::{Committed, FlowError, Race};
use crate::app::App;
use crate::domain::account::CONSECUTIVE_FAILURES_LIMIT;
use crate::domain::network::Client;
use crate::domain::records::{Detail, SeenClient, SignInHistory};
use crate::domain::{Account, Code, secret_token};
use crate::metrics::Metric;
use crate::notify::templates::{Template, Var};
use crate::persistence::{Changes, Limit, Stored};

/// A sign-in from a client not seen for this long is told to the owner.
pub const NOTICE_AFTER_SECS: i64 = 30 * 86_400;

/// Clients remembered per account for sign-in notices.
const REMEMBERED_CLIENTS: usize = 20;

/// A new session handed to the client.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The bearer token (also the cookie value).
    pub token: SecretString,
    /// Unix seconds of the absolute expiry.
    pub expires_at: i64,
    /// The signed-in account.
    pub account: Account,
    /// The session may only set TOTP up (the account's policy requires
    /// two-factor sign-in and TOTP is not on).
    pub enrolment_only: bool,
}

/// How a sign-in proved the person, for the trail.
#[derive(Debug, Clone)]
pub struct Proven {
    /// The first factor.
    pub method: SignInMethod,
    /// What else proved it (a second factor, a remembered device), or the
    /// first factor's own word.
    pub detail: Option<Detail>,
}

impl Proven {
    /// By `method` alone.
    pub fn by(method: SignInMethod) -> Self {
        let detail = match method {
            SignInMethod::Password => None,
            SignInMethod::Passkey => Some(Detail::Passkey),
            SignInMethod::SmsCode => Some(Detail::SmsCode),
        };
        Self { method, detail }
    }
}

/// Completes a sign-in of `stored` as `account` (its second factor spent, if
/// one was used) with `changes` in the same transaction: a new session, the
/// end of the failure `streak` (unless it has suspended password sign-in,
/// which only a reset lifts: a passkey signs in, the password stays
/// refused), the account's open appeals cancelled; then the notice of a
/// sign-in from a client not seen in 30 days. `proven` is how the person
/// was proven, for the trail (nothing for a password alone).
pub async fn complete(
    app: &App,
    stored: &Stored<Account>,
    mut account: Account,
    streak: u64,
    client: &Client,
    mut changes: Changes,
    proven: Proven,
) -> Result<NewSession, FlowError> {
    let now = app.clock.now();
    let minted = secret_token::mint(&account.account_id, app.random.as_ref());
    let own_end = now + app.config.session_absolute_secs;
    let record = SessionRecord {
        created_at: now,
        last_seen_at: now,
        absolute_expires_at: account.held_to().map_or(own_end, |policy| policy.session_end(now).min(own_end)),
        password_epoch: account.password_epoch,
        ip: client.ip.clone(),
        user_agent: client.user_agent.clone(),
        by_passkey: proven.method == SignInMethod::Passkey,
    };
    let history = app.records().sign_in_history(&account.account_id).await?;
    let (history, unfamiliar) = remember_client(history, client, now);
    changes.create_session(&account.account_id, &minted.hash, &record, session_expiry(app, &record));
    changes.put_sign_in_history(&account.account_id, &history);
    cancel_open_appeals(app, &mut account, &mut changes, &Detail::BySignIn).await?;
    if account != stored.record {
        changes.update_account(stored, &account);
    }
    audit::add_sign_in(app, &mut changes, &account.account_id, proven.method, proven.detail);
    if (1..CONSECUTIVE_FAILURES_LIMIT).contains(&streak) {
        changes.clear_count(Limit::LoginStreak(&account.account_id));
    }
    // The second factor's challenge or the account moved on meanwhile.
    app.records().commit(changes).await.answering([(Race::Any, FlowError::InvalidCredentials)])?;
    tracing::info!(account_id = %account.account_id, "signed in");
    app.count(Metric::SignIn);
    if !account.open_appeals.is_empty() {
        cancel_remaining_appeals(app, &account.account_id, &Detail::BySignIn).await;
    }
    if unfamiliar {
        send_sign_in_notice(app, &account, client, now).await;
    }
    let enrolment_only = account.owes_mfa() && !record.by_passkey;
    Ok(NewSession { token: minted.token, expires_at: record.absolute_expires_at, account, enrolment_only })
}

/// Whether `account`, its credentials right, may sign in from `client`: not
/// while an operator suspends it, its primary account disables it, or its
/// primary's policy does not list the client's network.
pub fn admit(account: &Account, client: &Client) -> Result<(), FlowError> {
    if account.suspension.is_some() {
        return Err(FlowError::AccountSuspended);
    }
    if account.disabled.is_some() {
        return Err(FlowError::Denied(Code::AccountDisabled));
    }
    if account.held_to().is_some_and(|policy| !policy.admits(&client.ip)) {
        return Err(FlowError::Denied(Code::NetworkNotAllowed));
    }
    Ok(())
}

/// Whether `client` is one the account signed in from in the last 30 days
/// (the sign-in notice's rule), or this is its first sign-in: the
/// new-device check lets both through.
pub async fn is_familiar(app: &App, account: &Account, client: &Client) -> Result<bool, FlowError> {
    let history = app.records().sign_in_history(&account.account_id).await?;
    Ok(history.is_none_or(|history| seen_lately(&history, client, app.clock.now())))
}

fn seen_lately(history: &SignInHistory, client: &Client, now: i64) -> bool {
    let fingerprint = client.fingerprint();
    history.clients.iter().any(|seen| seen.fingerprint == fingerprint && now - seen.at < NOTICE_AFTER_SECS)
}

/// `history` with `client` seen at `now` (and clients not seen for 30 days
/// forgotten), and whether the sign-in is one to tell the owner of: from a
/// client not seen in 30 days, never the account's first.
fn remember_client(history: Option<SignInHistory>, client: &Client, now: i64) -> (SignInHistory, bool) {
    let first_sign_in = history.is_none();
    let mut history = history.unwrap_or_default();
    let seen_lately = seen_lately(&history, client, now);
    let fingerprint = client.fingerprint();
    history.clients.retain(|seen| now - seen.at < NOTICE_AFTER_SECS);
    history.clients.retain(|seen| seen.fingerprint != fingerprint);
    history.clients.push(SeenClient { fingerprint, at: now });
    let excess = history.clients.len().saturating_sub(REMEMBERED_CLIENTS);
    history.clients.drain(..excess);
    (history, !first_sign_in && !seen_lately)
}

async fn send_sign_in_notice(app: &App, account: &Account, client: &Client, now: i64) {
    let time = crate::clock::rfc3339(now);
    let network = client.network();
    let user_agent = if client.user_agent.is_empty() { "—" } else { client.user_agent.as_str() };
    let vars = [(Var::Time, time.as_str()), (Var::Network, network.as_str()), (Var::UserAgent, user_agent)];
    send_email(app, account, Template::SignInNotice, account.language, None, &vars).await;
}
