//! Sign-in, session look-up and sign-out. Sessions are opaque 256-bit tokens
//! stored as hashes under the account's partition, with an absolute lifetime
//! and an idle timeout.

use super::accounts::{load, send_email};
use super::{FlowError, mfa};
use crate::app::App;
use crate::audit::{self, AuditEvent};
pub use crate::domain::network::Client;
pub use crate::domain::records::SessionRecord;
use crate::domain::records::{MfaChallenge, SeenClient, SignInHistory};
use crate::domain::secret_token::{self, PresentedToken};
use crate::domain::{Account, AccountStatus, LoginName};
use crate::metrics::Metric;
use crate::notify::templates::Template;
use crate::persistence::{Changes, Conflict, Limit, NotCommitted, Stored};

/// Failed password checks for one login name within the window that lock it.
pub const LOCKOUT_THRESHOLD: u64 = 5;
/// The failure window and the lock's length, in seconds.
pub const LOCKOUT_SECS: i64 = 900;
/// A session's last-seen time is written at most this often.
const TOUCH_EVERY_SECS: i64 = 60;
/// Session deletions per transaction when ending many.
const DELETES_PER_TRANSACTION: usize = 25;
/// Consecutive failed sign-ins, over all of an account's login names, that
/// suspend password sign-in until the password is reset (NIST 800-63B
/// 5.2.2's ceiling on failed attempts).
pub const CONSECUTIVE_FAILURES_LIMIT: u64 = 100;
/// Lock notices go out at most once in this many seconds.
const LOCK_NOTICE_EVERY_SECS: i64 = 86_400;
/// The streak of failures has no window: it ends with a success or a reset.
const STREAK_WINDOW_SECS: i64 = 10 * 365 * 86_400;

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
        mfa_token: secrecy::SecretString,
    },
}

/// A new session handed to the client.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The bearer token (also the cookie value).
    pub token: secrecy::SecretString,
    /// Unix seconds of the absolute expiry.
    pub expires_at: i64,
    /// The signed-in account.
    pub account: Account,
}

/// An authenticated request's account and session.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// The account.
    pub account: Account,
    /// The session as read.
    pub session: Stored<SessionRecord>,
}

/// The lockout of one login name: every password check is counted before it
/// is judged, which bounds how many concurrent guesses are ever evaluated.
pub struct Lockout {
    name: String,
    attempt: u64,
}

impl Lockout {
    /// Counts an attempt for `name`; `RateLimited` while it is locked.
    pub async fn begin(app: &App, name: &str) -> Result<Self, FlowError> {
        let now = app.clock.now();
        let records = app.records();
        if let Some(until) = records.marked_until(Limit::LoginLock(name)).await? {
            return Err(too_many_attempts(until - now));
        }
        let attempts = records.count(Limit::LoginFailures(name), now + LOCKOUT_SECS).await?;
        if attempts.count > LOCKOUT_THRESHOLD {
            return Err(too_many_attempts(attempts.expires_at - now));
        }
        Ok(Self { name: name.to_owned(), attempt: attempts.count })
    }

    /// The attempt failed; the last allowed failure locks the name. Returns
    /// whether it did.
    pub async fn failed(self, app: &App) -> Result<bool, FlowError> {
        if self.attempt < LOCKOUT_THRESHOLD {
            return Ok(false);
        }
        app.records().set_mark(Limit::LoginLock(&self.name), app.clock.now() + LOCKOUT_SECS).await?;
        tracing::warn!("login name locked after repeated failures");
        Ok(true)
    }

    /// The attempt succeeded: the count starts again.
    pub async fn succeeded(self, app: &App) -> Result<(), FlowError> {
        Ok(app.records().clear(Limit::LoginFailures(&self.name)).await?)
    }

    /// The attempt succeeded: the count starts again with `changes` (one
    /// write fewer than [`Lockout::succeeded`] when they commit anyway).
    pub fn succeeded_with(self, changes: &mut Changes) {
        changes.clear(Limit::LoginFailures(&self.name));
    }
}

fn too_many_attempts(retry_after: i64) -> FlowError {
    FlowError::RateLimited { code: "too_many_attempts", retry_after: retry_after.max(1) }
}

/// Records a wrong password for a known account: the audit trail, the lock
/// notice (first lock in 24 hours) and the streak of consecutive failures.
/// Returns whether password sign-in is suspended now.
pub async fn record_failure(
    app: &App,
    account: &Account,
    locked: bool,
    detail: Option<&str>,
) -> Result<bool, FlowError> {
    let account_id = &account.account_id;
    let now = app.clock.now();
    audit::record(app, account_id, AuditEvent::SignInFailed, detail.map(str::to_owned)).await?;
    app.count(Metric::SignInFailure);
    if locked {
        app.count(Metric::Lockout);
        audit::record(app, account_id, AuditEvent::LockedOut, None).await?;
        let notices = app.records().count(Limit::LockNotice(account_id), now + LOCK_NOTICE_EVERY_SECS).await?;
        if notices.count == 1 {
            send_email(app, account, Template::LoginLocked, account.language, None, &[]).await;
        }
    }
    let streak = app.records().count(Limit::LoginStreak(account_id), now + STREAK_WINDOW_SECS).await?;
    if streak.count == CONSECUTIVE_FAILURES_LIMIT {
        tracing::warn!(account_id = %account_id, "password sign-in suspended after consecutive failures");
        audit::record(app, account_id, AuditEvent::SignInSuspended, None).await?;
        send_email(app, account, Template::SignInSuspended, account.language, None, &[]).await;
    }
    Ok(streak.count > CONSECUTIVE_FAILURES_LIMIT)
}

/// Signs in. Unknown login, wrong password and a pending account all give
/// `InvalidCredentials` after the same work (one argon2 verification).
/// Five failures for a login name within 15 minutes lock it for 15 minutes;
/// 100 in a row over all of an account's names suspend password sign-in
/// until a reset.
pub async fn sign_in(app: &App, login: &str, password: &str, client: &Client) -> Result<SignIn, FlowError> {
    let login = LoginName::parse(login);
    let lockout = Lockout::begin(app, login.canonical()).await?;
    let found = app.records().account_by_login(&login).await?.map(|stored| stored.record);
    let phc = found.as_ref().filter(|a| a.status == AccountStatus::Active).and_then(|a| a.password_hash.clone());
    if !app.hasher.verify(password.to_owned(), phc).await {
        let locked = lockout.failed(app).await?;
        if let Some(account) = &found
            && record_failure(app, account, locked, None).await?
        {
            return Err(too_many_attempts(LOCKOUT_SECS));
        }
        return Err(FlowError::InvalidCredentials);
    }
    // A password verifies only against an account's hash.
    let Some(account) = found else { return Err(FlowError::InvalidCredentials) };
    let streak = app.records().counted(Limit::LoginStreak(&account.account_id)).await?;
    if streak >= CONSECUTIVE_FAILURES_LIMIT {
        return Err(too_many_attempts(LOCKOUT_SECS));
    }
    // The password passed: the count starts again, and the second factor's
    // codes count in it (five wrong ones lock the name and void the token).
    if account.suspension.is_some() {
        lockout.succeeded(app).await?;
        return Err(FlowError::AccountSuspended);
    }
    if account.mfa.is_some() {
        lockout.succeeded(app).await?;
        let mfa_token = issue_mfa_challenge(app, &account, login.canonical()).await?;
        return Ok(SignIn::SecondFactor { mfa_token });
    }
    let mut changes = Changes::new();
    lockout.succeeded_with(&mut changes);
    let session = create_session(app, account, streak > 0, client, changes, None).await?;
    Ok(SignIn::Session(Box::new(session)))
}

/// Stores a challenge for the second factor and returns its token.
async fn issue_mfa_challenge(app: &App, account: &Account, login: &str) -> Result<secrecy::SecretString, FlowError> {
    let minted = secret_token::mint(&account.account_id, app.random.as_ref());
    let challenge = MfaChallenge { login: login.to_owned(), wrong_codes: 0 };
    let mut changes = Changes::new();
    changes.create_mfa_challenge(&account.account_id, &minted.hash, &challenge, app.clock.now() + MFA_TOKEN_SECS);
    app.records().commit(changes).await?;
    Ok(minted.token)
}

/// The second step of a sign-in with MFA on: a TOTP code or a recovery code
/// for the challenge `mfa_token` names. A wrong code counts towards the
/// lockout of the login name the first step used; the fifth voids the token.
pub async fn sign_in_second_factor(
    app: &App,
    mfa_token: &str,
    code: &str,
    client: &Client,
) -> Result<NewSession, FlowError> {
    let presented = secret_token::parse(mfa_token).ok_or(FlowError::InvalidCredentials)?;
    let records = app.records();
    let challenge =
        records.mfa_challenge(&presented.account_id, &presented.hash).await?.ok_or(FlowError::InvalidCredentials)?;
    let lockout = Lockout::begin(app, &challenge.record.login).await?;
    let stored = load(app, &presented.account_id).await?.ok_or(FlowError::InvalidCredentials)?;
    let account = stored.record.clone();
    let usable = account.status == AccountStatus::Active && account.suspension.is_none();
    let Some(mfa) = account.mfa.clone().filter(|_| usable) else {
        return Err(FlowError::InvalidCredentials);
    };
    let Some(passed) = mfa::check_second_factor(app, &account, &mfa, code).await? else {
        miss_second_factor(app, &challenge).await?;
        let locked = lockout.failed(app).await?;
        if record_failure(app, &account, locked, Some("second factor")).await? {
            return Err(too_many_attempts(LOCKOUT_SECS));
        }
        return Err(FlowError::InvalidCredentials);
    };
    lockout.succeeded(app).await?;
    let updated = Account { mfa: Some(passed.mfa), ..account };
    let mut changes = Changes::new();
    changes.update_account(&stored, &updated).consume_mfa_challenge(&challenge);
    let had_failures = records.counted(Limit::LoginStreak(&updated.account_id)).await? > 0;
    create_session(app, updated, had_failures, client, changes, Some(passed.method)).await
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

/// Creates a session for `account` from `client` with `changes` in the same
/// transaction, ending its streak of failures if it `had_failures`, and
/// tells the owner of a sign-in from a client not seen in 30 days.
/// `second_factor` names the second factor used, if any.
async fn create_session(
    app: &App,
    account: Account,
    had_failures: bool,
    client: &Client,
    mut changes: Changes,
    second_factor: Option<&'static str>,
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
    let detail = second_factor.map(str::to_owned);
    audit::add(app, &mut changes, &account.account_id, AuditEvent::SignedIn, audit::Actor::Customer, detail);
    if had_failures {
        changes.clear(Limit::LoginStreak(&account.account_id));
    }
    app.records().commit(changes).await.map_err(|e| match e {
        // The second factor's challenge or account moved on meanwhile.
        NotCommitted::Conflict(_) => FlowError::InvalidCredentials,
        e => e.into(),
    })?;
    tracing::info!(account_id = %account.account_id, "signed in");
    app.count(Metric::SignIn);
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

/// When a session item stops being valid: the earlier of its absolute end
/// and its idle timeout.
fn session_expiry(app: &App, record: &SessionRecord) -> i64 {
    record.absolute_expires_at.min(record.last_seen_at + app.config.session_idle_secs)
}

/// Resolves a bearer token to its live session and account, refreshing the
/// idle timeout. A session from before the account's latest password change
/// is refused, whether or not its item was deleted.
pub async fn authenticate(app: &App, token: &str) -> Result<Authenticated, FlowError> {
    let PresentedToken { account_id, hash } = secret_token::parse(token).ok_or(FlowError::Unauthenticated)?;
    let mut session = app.records().session(&account_id, &hash).await?.ok_or(FlowError::Unauthenticated)?;
    let account = load(app, &account_id).await?.ok_or(FlowError::Unauthenticated)?.record;
    let ended = account.status == AccountStatus::Deleting || account.suspension.is_some();
    if ended || session.record.password_epoch != account.password_epoch {
        return Err(FlowError::Unauthenticated);
    }
    session.record = touch(app, &session).await?;
    Ok(Authenticated { account, session })
}

/// The session item of `current` moved to the account's new password epoch,
/// to be written in the same transaction as the password: the session that
/// changed the password stays valid, every other one is refused.
pub fn carry_over(app: &App, changes: &mut Changes, current: &Authenticated, password_epoch: u64) {
    let record = SessionRecord { password_epoch, ..current.session.record.clone() };
    changes.rewrite_session(&current.session, &record, session_expiry(app, &record));
}

/// Refreshes the session's last use, at most once a minute; returns the
/// session as refreshed.
async fn touch(app: &App, session: &Stored<SessionRecord>) -> Result<SessionRecord, FlowError> {
    let now = app.clock.now();
    if now - session.record.last_seen_at < TOUCH_EVERY_SECS {
        return Ok(session.record.clone());
    }
    let record = SessionRecord { last_seen_at: now, ..session.record.clone() };
    let mut changes = Changes::new();
    changes.touch_session(session, &record, session_expiry(app, &record));
    match app.records().commit(changes).await {
        // Someone else touched or ended it meanwhile: theirs stands.
        Err(e) if e.is(Conflict::SessionChanged) => Ok(record),
        other => other.map(|()| record).map_err(Into::into),
    }
}

/// Ends one session.
pub async fn sign_out(app: &App, current: &Authenticated) -> Result<(), FlowError> {
    let mut changes = Changes::new();
    changes.end_session(&current.session);
    audit::add(app, &mut changes, &current.account.account_id, AuditEvent::SignedOut, audit::Actor::Customer, None);
    Ok(app.records().commit(changes).await?)
}

/// Ends every session of an account except `keep`, returning how many
/// ended; the count is written to the audit trail.
pub async fn end_sessions(
    app: &App,
    account_id: &str,
    keep: Option<&Stored<SessionRecord>>,
) -> Result<usize, FlowError> {
    let records = app.records();
    let mut doomed = Changes::new();
    let mut ended = 0;
    for session in records.sessions(account_id).await? {
        if keep.is_none_or(|kept| !kept.is_same_item(&session)) {
            doomed.end_session(&session);
            ended += 1;
        }
    }
    records.commit_in_batches(doomed, DELETES_PER_TRANSACTION).await?;
    audit::record(app, account_id, AuditEvent::SessionsEnded, Some(format!("{ended} sessions"))).await?;
    Ok(ended)
}

/// A session as its owner sees it in the account centre.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionView {
    /// The public id ([`Stored::session_id`]): not the token.
    pub session_id: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds (to within a minute).
    pub last_seen_at: i64,
    /// The client IP at sign-in.
    pub ip: String,
    /// The user agent at sign-in.
    pub user_agent: String,
    /// Whether it is the session asking.
    pub current: bool,
}

/// The live sessions of the signed-in account, newest first.
pub async fn list_sessions(app: &App, current: &Authenticated) -> Result<Vec<SessionView>, FlowError> {
    let mut views: Vec<SessionView> = app
        .records()
        .sessions(&current.account.account_id)
        .await?
        .into_iter()
        .map(|session| SessionView {
            session_id: session.session_id(),
            current: session.is_same_item(&current.session),
            created_at: session.record.created_at,
            last_seen_at: session.record.last_seen_at,
            ip: session.record.ip,
            user_agent: session.record.user_agent,
        })
        .collect();
    views.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| a.session_id.cmp(&b.session_id)));
    Ok(views)
}

/// Ends the signed-in account's session `session_id` (the current one
/// too, if named); another account's id, or none, is `404`.
pub async fn end_session(app: &App, current: &Authenticated, session_id: &str) -> Result<(), FlowError> {
    let account_id = &current.account.account_id;
    let sessions = app.records().sessions(account_id).await?;
    let session = sessions
        .iter()
        .find(|s| secret_token::hashes_match(&s.session_id(), session_id))
        .ok_or(FlowError::NotFound("session_not_found"))?;
    let mut changes = Changes::new();
    changes.end_session(session);
    let detail = Some("from the account centre".to_owned());
    audit::add(app, &mut changes, account_id, AuditEvent::SignedOut, audit::Actor::Customer, detail);
    Ok(app.records().commit(changes).await?)
}

/// Ends every session of the signed-in account but the current one.
pub async fn end_other_sessions(app: &App, current: &Authenticated) -> Result<usize, FlowError> {
    end_sessions(app, &current.account.account_id, Some(&current.session)).await
}
