//! Signing in: the password (with the lockout), the second step when
//! two-factor sign-in is on, and what every completed sign-in does — a new
//! session, the end of the failure streak, the sign-in notice for a client
//! not seen in 30 days, and the cancelling of the account's open recovery
//! appeals (the owner is evidently not locked out).

use secrecy::{ExposeSecret, SecretString};

use super::accounts::{load, send_email};
use super::audit::{self, AuditEvent};
use super::lockout::{CONSECUTIVE_FAILURES_LIMIT, Failure, LOCKOUT_SECS, Lockout, record_failure, too_many_attempts};
use super::sessions::{SessionRecord, session_expiry};
use super::{FlowError, appeals, second_factor};
use crate::app::App;
use crate::domain::network::Client;
use crate::domain::records::{MfaChallenge, SeenClient, SignInHistory};
use crate::domain::{Account, AccountId, AccountStatus, LoginName, secret_token};
use crate::metrics::Metric;
use crate::notify::templates::Template;
use crate::persistence::{Changes, Conflict, Limit, NotCommitted, Stored};

/// How long an `mfa_token` is valid.
pub const MFA_TOKEN_SECS: i64 = 300;
/// Wrong second-factor codes that void an `mfa_token`.
pub const MFA_WRONG_CODES_LIMIT: u32 = 5;
/// A sign-in from a client not seen for this long is told to the owner.
pub const NOTICE_AFTER_SECS: i64 = 30 * 86_400;
/// Clients remembered per account for sign-in notices.
const REMEMBERED_CLIENTS: usize = 20;

/// What a correct password gets.
#[derive(Debug)]
pub enum SignIn {
    /// A session.
    Session(Box<NewSession>),
    /// The account has a second factor: the `mfa_token` to send with a code.
    SecondFactor {
        /// The token, valid [`MFA_TOKEN_SECS`].
        mfa_token: SecretString,
    },
}

/// A new session handed to the client.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The bearer token (also the cookie value).
    pub token: SecretString,
    /// Unix seconds of the absolute expiry.
    pub expires_at: i64,
    /// The signed-in account.
    pub account: Account,
}

/// How a sign-in proved the person, for the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The password alone.
    Password,
    /// The password and a second factor (`totp` or `recovery code`).
    SecondFactor(&'static str),
    /// A passkey with user verification (both factors at once).
    Passkey,
}

impl Method {
    fn detail(self) -> Option<String> {
        match self {
            Self::Password => None,
            Self::SecondFactor(factor) => Some(factor.to_owned()),
            Self::Passkey => Some("passkey".to_owned()),
        }
    }
}

/// Signs in. Unknown login, wrong password and a pending account all give
/// `InvalidCredentials` after the same work (one argon2 verification).
pub async fn sign_in(app: &App, login: &str, password: &SecretString, client: &Client) -> Result<SignIn, FlowError> {
    let login = LoginName::parse(login);
    let lockout = Lockout::begin(app, login.canonical()).await?;
    let found = app.records().account_by_login(&login).await?;
    let phc = found
        .as_ref()
        .map(|stored| &stored.record)
        .filter(|a| a.status == AccountStatus::Active)
        .and_then(|a| a.password_hash.clone());
    if !app.hasher.verify(password.clone(), phc).await {
        let locked = lockout.failed(app).await?;
        let failure = Failure { event: AuditEvent::SignInFailed, detail: "password" };
        if let Some(stored) = &found
            && record_failure(app, &stored.record, locked, failure).await?
        {
            return Err(too_many_attempts(LOCKOUT_SECS));
        }
        return Err(FlowError::InvalidCredentials);
    }
    // A password verifies only against an account's hash.
    let Some(stored) = found else { return Err(FlowError::InvalidCredentials) };
    let account = &stored.record;
    let streak = app.counters().counted(Limit::LoginStreak(&account.account_id)).await?;
    if streak >= CONSECUTIVE_FAILURES_LIMIT {
        return Err(too_many_attempts(LOCKOUT_SECS));
    }
    // The password passed, but the sign-in is not complete: this attempt is
    // no failure, and the failures before it stay counted, so that the
    // second factor's wrong codes add to them (a holder of the password
    // guesses codes within the same five, and is noticed like any other).
    if account.suspension.is_some() {
        lockout.not_failed(app).await?;
        return Err(FlowError::AccountSuspended);
    }
    if account.mfa.is_some() {
        lockout.not_failed(app).await?;
        let mfa_token = issue_mfa_challenge(app, account, login.canonical()).await?;
        return Ok(SignIn::SecondFactor { mfa_token });
    }
    let mut changes = Changes::new();
    lockout.succeeded_with(&mut changes);
    let session = complete(app, &stored, account.clone(), streak, client, changes, Method::Password).await?;
    Ok(SignIn::Session(Box::new(session)))
}

/// Stores a challenge for the second factor and returns its token. The
/// challenge remembers the password epoch: a reset or change of the
/// password voids it.
async fn issue_mfa_challenge(app: &App, account: &Account, login: &str) -> Result<SecretString, FlowError> {
    let minted = secret_token::mint(&account.account_id, app.random.as_ref());
    let challenge = MfaChallenge { login: login.to_owned(), wrong_codes: 0, password_epoch: account.password_epoch };
    let mut changes = Changes::new();
    changes.create_mfa_challenge(&account.account_id, &minted.hash, &challenge, app.clock.now() + MFA_TOKEN_SECS);
    app.records().commit(changes).await?;
    Ok(minted.token)
}

/// The second step of a sign-in with MFA on: a TOTP code or a recovery code
/// for the challenge `mfa_token` names. A wrong code counts towards the
/// lockout of the login name the first step used; the fifth voids the token.
/// A token issued before the password changed, or of an account suspended
/// since, is refused like an unknown one.
pub async fn sign_in_second_factor(
    app: &App,
    mfa_token: &SecretString,
    code: &SecretString,
    client: &Client,
) -> Result<NewSession, FlowError> {
    let presented = secret_token::parse::<AccountId>(mfa_token.expose_secret()).ok_or(FlowError::InvalidCredentials)?;
    let records = app.records();
    let challenge =
        records.mfa_challenge(&presented.id, &presented.hash).await?.ok_or(FlowError::InvalidCredentials)?;
    let lockout = Lockout::begin(app, &challenge.record.login).await?;
    let stored = load(app, &presented.id).await?.ok_or(FlowError::InvalidCredentials)?;
    let account = &stored.record;
    let usable = account.status == AccountStatus::Active
        && account.suspension.is_none()
        && account.password_epoch == challenge.record.password_epoch;
    let Some(mfa) = account.mfa.as_ref().filter(|_| usable) else {
        lockout.not_failed(app).await?;
        return Err(FlowError::InvalidCredentials);
    };
    let Some(passed) = second_factor::check(app, account, mfa, code.expose_secret()).await? else {
        miss_second_factor(app, &challenge).await?;
        let locked = lockout.failed(app).await?;
        let failure = Failure { event: AuditEvent::SignInFailed, detail: "second factor" };
        if record_failure(app, account, locked, failure).await? {
            return Err(too_many_attempts(LOCKOUT_SECS));
        }
        return Err(FlowError::InvalidCredentials);
    };
    lockout.succeeded(app).await?;
    let updated = Account { mfa: Some(passed.mfa), ..account.clone() };
    let mut changes = Changes::new();
    changes.consume_mfa_challenge(&challenge);
    let streak = app.counters().counted(Limit::LoginStreak(&updated.account_id)).await?;
    complete(app, &stored, updated, streak, client, changes, Method::SecondFactor(passed.method)).await
}

/// Counts a wrong code on the challenge; the fifth voids it.
async fn miss_second_factor(app: &App, challenge: &Stored<MfaChallenge>) -> Result<(), FlowError> {
    let counted = MfaChallenge { wrong_codes: challenge.record.wrong_codes + 1, ..challenge.record.clone() };
    let mut changes = Changes::new();
    if counted.wrong_codes >= MFA_WRONG_CODES_LIMIT {
        changes.consume_mfa_challenge(challenge);
    } else {
        changes.count_mfa_miss(challenge, &counted);
    }
    match app.records().commit(changes).await {
        // Another attempt counted or used it meanwhile; the lockout still counts this one.
        Err(e) if e.is(Conflict::ChallengeChanged) => Ok(()),
        other => Ok(other?),
    }
}

/// Completes a sign-in of `stored` as `account` (its second factor spent, if
/// one was used) with `changes` in the same transaction: a new session, the
/// end of the failure `streak` (unless it has suspended password sign-in,
/// which only a reset lifts: a passkey signs in, the password stays
/// refused), the account's open appeals cancelled; then the notice of a
/// sign-in from a client not seen in 30 days.
pub(super) async fn complete(
    app: &App,
    stored: &Stored<Account>,
    mut account: Account,
    streak: u64,
    client: &Client,
    mut changes: Changes,
    method: Method,
) -> Result<NewSession, FlowError> {
    let now = app.clock.now();
    let minted = secret_token::mint(&account.account_id, app.random.as_ref());
    let record = SessionRecord {
        created_at: now,
        last_seen_at: now,
        absolute_expires_at: now + app.config.session_absolute_secs,
        password_epoch: account.password_epoch,
        ip: client.ip.clone(),
        user_agent: client.user_agent.clone(),
    };
    let history = app.records().sign_in_history(&account.account_id).await?;
    let (history, unfamiliar) = remember_client(history, client, now);
    changes.create_session(&account.account_id, &minted.hash, &record, session_expiry(app, &record));
    changes.put_sign_in_history(&account.account_id, &history);
    appeals::cancel_open_appeals(app, &mut account, &mut changes, "by sign-in").await?;
    if account != stored.record {
        changes.update_account(stored, &account);
    }
    audit::add(app, &mut changes, &account.account_id, AuditEvent::SignedIn, audit::Actor::Customer, method.detail());
    if (1..CONSECUTIVE_FAILURES_LIMIT).contains(&streak) {
        changes.clear_count(Limit::LoginStreak(&account.account_id));
    }
    app.records().commit(changes).await.map_err(|e| match e {
        // The second factor's challenge or the account moved on meanwhile.
        NotCommitted::Conflict(_) => FlowError::InvalidCredentials,
        e => e.into(),
    })?;
    tracing::info!(account_id = %account.account_id, "signed in");
    app.count(Metric::SignIn);
    if !account.open_appeals.is_empty() {
        appeals::cancel_remaining_appeals(app, &account.account_id, "by sign-in").await;
    }
    if unfamiliar {
        send_sign_in_notice(app, &account, client, now).await;
    }
    Ok(NewSession { token: minted.token, expires_at: record.absolute_expires_at, account })
}

/// `history` with `client` seen at `now` (and clients not seen for 30 days
/// forgotten), and whether the sign-in is one to tell the owner of: from a
/// client not seen in 30 days, never the account's first.
fn remember_client(history: Option<SignInHistory>, client: &Client, now: i64) -> (SignInHistory, bool) {
    let first_sign_in = history.is_none();
    let mut history = history.unwrap_or_default();
    let fingerprint = client.fingerprint();
    history.clients.retain(|seen| now - seen.at < NOTICE_AFTER_SECS);
    let seen_lately = history.clients.iter().any(|seen| seen.fingerprint == fingerprint);
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
    let vars = [("time", time.as_str()), ("network", network.as_str()), ("user_agent", user_agent)];
    send_email(app, account, Template::SignInNotice, account.language, None, &vars).await;
}
