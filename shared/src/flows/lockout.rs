//! The lockout of login names and the one re-check of the person that every
//! route taking the current password (or, with two-factor sign-in on, a
//! code) goes through. Sign-in and the re-check count in the same counters:
//! five failures for a login name in 15 minutes lock it for 15 minutes, and
//! 100 in a row over all of an account's names suspend password sign-in
//! until a reset (NIST 800-63B 5.2.2).

use secrecy::{ExposeSecret, SecretString};

use super::FlowError;
use super::accounts::{load, send_email};
use super::audit::{self, AuditEvent};
use super::authentication::Authenticated;
use super::second_factor::{self, Passed, wrong_code};
use crate::app::App;
use crate::domain::Account;
use crate::domain::Code;
use crate::domain::account::CONSECUTIVE_FAILURES_LIMIT;
use crate::domain::records::{Detail, Guarded};
use crate::metrics::Metric;
use crate::notify::templates::Template;
use crate::persistence::{Changes, Limit, Stored};

/// Failed password checks for one login name within the window that lock it.
pub const LOCKOUT_THRESHOLD: u64 = 5;
/// The failure window and the lock's length, in seconds.
pub const LOCKOUT_SECS: i64 = 900;
/// Lock notices go out at most once in this many seconds.
const LOCK_NOTICE_EVERY_SECS: i64 = 86_400;
/// The streak of failures has no window: it ends with a success or a reset.
const STREAK_WINDOW_SECS: i64 = 10 * 365 * 86_400;

/// The lockout of one login name: every check is counted before it is
/// judged, which bounds how many concurrent guesses are ever evaluated.
pub struct Lockout {
    name: String,
    attempt: u64,
}

impl Lockout {
    /// Counts an attempt for `name`; `RateLimited` while it is locked.
    pub async fn begin(app: &App, name: &str) -> Result<Self, FlowError> {
        let now = app.clock.now();
        let counters = app.counters();
        if let Some(until) = counters.marked_until(Limit::LoginLock(name)).await? {
            return Err(too_many_attempts(until - now));
        }
        let attempts = counters.count(Limit::LoginFailures(name), now + LOCKOUT_SECS).await?;
        if attempts.count > LOCKOUT_THRESHOLD {
            return Err(too_many_attempts(attempts.expires_at - now));
        }
        Ok(Self { name: name.to_owned(), attempt: attempts.count })
    }

    /// The login name it counts for (canonical).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The attempt failed; the last allowed failure locks the name. Returns
    /// whether it did.
    pub async fn failed(self, app: &App) -> Result<bool, FlowError> {
        if self.attempt < LOCKOUT_THRESHOLD {
            return Ok(false);
        }
        app.counters().set_mark(Limit::LoginLock(&self.name), app.clock.now() + LOCKOUT_SECS).await?;
        tracing::warn!("login name locked after repeated failures");
        Ok(true)
    }

    /// A completed sign-in: the count starts again.
    pub async fn succeeded(self, app: &App) -> Result<(), FlowError> {
        Ok(app.counters().clear(Limit::LoginFailures(&self.name)).await?)
    }

    /// A completed sign-in: the count starts again with `changes` (one
    /// write fewer than [`Lockout::succeeded`] when they commit anyway).
    pub fn succeeded_with(self, changes: &mut Changes) {
        changes.clear_count(Limit::LoginFailures(&self.name));
    }

    /// A sign-in's factor failed for this login name, of `account` if the
    /// name is one's: the lockout counts it, and a known account's trail,
    /// lock notice and failure streak record it. The refusal to answer:
    /// `too_many_attempts` once the streak suspends password sign-in, else
    /// `invalid_credentials` (alike for a known and an unknown name).
    pub async fn refuse_sign_in(
        self,
        app: &App,
        account: Option<&Account>,
        detail: Detail,
    ) -> Result<FlowError, FlowError> {
        let locked = self.failed(app).await?;
        let failure = Failure { event: AuditEvent::SignInFailed, detail };
        if let Some(account) = account
            && record_failure(app, account, locked, failure).await?
        {
            return Ok(too_many_attempts(LOCKOUT_SECS));
        }
        Ok(FlowError::InvalidCredentials)
    }

    /// The attempt was no failure (a re-check that passed, or one refused
    /// before anything was judged): it is taken back, and the failures
    /// counted so far stay. Only a completed sign-in ends them.
    pub async fn not_failed(self, app: &App) -> Result<(), FlowError> {
        Ok(app.counters().take_back(Limit::LoginFailures(&self.name)).await?)
    }
}

/// `429 too_many_attempts`, retry after `retry_after` seconds.
pub fn too_many_attempts(retry_after: i64) -> FlowError {
    FlowError::RateLimited { code: Code::TooManyAttempts, retry_after: retry_after.max(1) }
}

/// A failed check of a known account: a wrong password or second-factor
/// code at sign-in, or in a re-check of the person.
#[derive(Debug, Clone)]
pub struct Failure {
    /// `SignInFailed` or `ReauthFailed`.
    pub event: AuditEvent,
    /// A short non-personal detail for the audit trail.
    pub detail: Detail,
}

/// Records a failure of `account`'s: the audit trail, the lock notice (the
/// first lock in 24 hours) and the streak of consecutive failures. Returns
/// whether password sign-in is suspended now.
pub async fn record_failure(app: &App, account: &Account, locked: bool, failure: Failure) -> Result<bool, FlowError> {
    let account_id = &account.account_id;
    let now = app.clock.now();
    audit::record(app, account_id, failure.event, Some(failure.detail)).await?;
    app.count(Metric::SignInFailure);
    if locked {
        app.count(Metric::Lockout);
        audit::record(app, account_id, AuditEvent::LockedOut, None).await?;
        let notices = app.counters().count(Limit::LockNotice(account_id), now + LOCK_NOTICE_EVERY_SECS).await?;
        if notices.count == 1 {
            send_email(app, account, Template::LoginLocked, account.language, None, &[]).await;
        }
    }
    let streak = app.counters().count(Limit::LoginStreak(account_id), now + STREAK_WINDOW_SECS).await?;
    if streak.count == CONSECUTIVE_FAILURES_LIMIT {
        tracing::warn!(account_id = %account_id, "password sign-in suspended after consecutive failures");
        audit::record(app, account_id, AuditEvent::SignInSuspended, None).await?;
        send_email(app, account, Template::SignInSuspended, account.language, None, &[]).await;
    }
    Ok(streak.count > CONSECUTIVE_FAILURES_LIMIT)
}

/// What a re-check asks of the person: the current password (where the
/// route takes one) and, while two-factor sign-in is on, a code.
#[derive(Debug, Clone, Copy)]
pub struct Proof<'a> {
    /// The current password, if the route takes one.
    pub password: Option<&'a SecretString>,
    /// A TOTP or recovery code, required while two-factor sign-in is on.
    pub code: Option<&'a SecretString>,
    /// What the re-check guards, for the audit trail (`change password`).
    pub action: Guarded,
}

/// The person passed the re-check: the account as read, and the second
/// factor's state once its code is spent. The code is spent by the change
/// it guards, in the same transaction ([`Reauthenticated::write`]): a
/// request refused later uses up no code.
#[derive(Debug, Clone)]
#[must_use = "the code is spent only by `Reauthenticated::write`"]
pub struct Reauthenticated {
    stored: Stored<Account>,
    second_factor: Option<Passed>,
}

impl Reauthenticated {
    /// The signed-in account, re-read, for a change the session alone may
    /// make (nothing is checked, no code is spent).
    pub async fn session_only(app: &App, current: &Authenticated) -> Result<Self, FlowError> {
        let stored = load(app, &current.account.account_id).await?.ok_or(FlowError::Unauthenticated)?;
        Ok(Self { stored, second_factor: None })
    }

    /// The account to change: as read, its code spent (the TOTP step or the
    /// recovery code used up).
    pub fn account(&self) -> Account {
        let mut account = self.stored.record.clone();
        if let Some(passed) = &self.second_factor {
            passed.spend(&mut account);
        }
        account
    }

    /// Writes `account` (what [`account`](Self::account) gave, changed or
    /// not) with `changes`, on the condition that it is still as read: the
    /// code is spent with the change it guards. Nothing is written when
    /// neither the change nor the code altered it.
    pub fn write(&self, changes: &mut Changes, account: &Account) {
        if *account != self.stored.record {
            changes.update_account(&self.stored, account);
        }
    }

    /// Writes `account` with `changes` on the condition that it is still as
    /// read, even unchanged: for a change that depends on more of it than
    /// the code (a sub-account copies its policy).
    pub fn write_always(&self, changes: &mut Changes, account: &Account) {
        changes.update_account(&self.stored, account);
    }
}

/// Re-checks the signed-in person before a sensitive change: the password
/// first (a wrong one is `403 invalid_credentials`), then, while two-factor
/// sign-in is on, `code` (missing or wrong: `422` on `code`). Every failure
/// counts towards the username's lockout and the streak and is audited
/// (`reauth_failed`); while the username is locked the answer is `429`
/// whatever was sent. A passing re-check ends no count: only a completed
/// sign-in does.
pub async fn reauthenticate(
    app: &App,
    current: &Authenticated,
    proof: Proof<'_>,
) -> Result<Reauthenticated, FlowError> {
    let stored = load(app, &current.account.account_id).await?.ok_or(FlowError::Unauthenticated)?;
    let account = &stored.record;
    if proof.password.is_none() && account.mfa.is_none() {
        // Nothing to check (`POST /v1/me/sub-accounts` without MFA).
        return Ok(Reauthenticated { stored, second_factor: None });
    }
    let lockout = Lockout::begin(app, account.username.as_str()).await?;
    let failure = |detail| Failure { event: AuditEvent::ReauthFailed, detail };
    if let Some(password) = proof.password
        && !app.hasher.verify(password.clone(), account.password_hash.clone()).await
    {
        let locked = lockout.failed(app).await?;
        record_failure(app, account, locked, failure(Detail::Guarding(proof.action))).await?;
        return Err(FlowError::WrongPassword);
    }
    let Some(mfa_state) = &account.mfa else {
        lockout.not_failed(app).await?;
        return Ok(Reauthenticated { stored, second_factor: None });
    };
    let Some(code) = proof.code.filter(|c| !c.expose_secret().trim().is_empty()) else {
        // Nothing to judge: no failure counts.
        lockout.not_failed(app).await?;
        return Err(wrong_code());
    };
    let Some(passed) = second_factor::check(app, account, mfa_state, code.expose_secret()).await? else {
        let locked = lockout.failed(app).await?;
        record_failure(app, account, locked, failure(Detail::SecondFactor)).await?;
        return Err(wrong_code());
    };
    lockout.not_failed(app).await?;
    Ok(Reauthenticated { stored, second_factor: Some(passed) })
}
