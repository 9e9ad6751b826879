//! Which session a request carries: resolving a bearer token to its live
//! session (the idle timeout refreshed), a session carried over a password
//! change, and ending an account's sessions. Sessions are opaque 256-bit
//! tokens stored as hashes under the account's partition, with an absolute
//! lifetime and an idle timeout. (Creating one is `signed_in`'s.)

use super::audit::{self, Actor, AuditEvent};
use super::{Committed, FlowError, Race};
use crate::app::App;
pub use crate::domain::network::Client;
use crate::domain::records::Detail;
pub use crate::domain::records::SessionRecord;
use crate::domain::secret_token::{self, PresentedToken};
use crate::domain::{Account, AccountId, AccountStatus, Code, SessionId};
use crate::persistence::{Changes, Conflict, Stored};
use crate::store::StoreError;

/// A session's last-seen time is written at most this often.
const TOUCH_EVERY_SECS: i64 = 60;
/// Session deletions per transaction when ending many.
const DELETES_PER_TRANSACTION: usize = 25;

/// An authenticated request's account and session.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// The account.
    pub account: Account,
    /// The session as read.
    pub session: Stored<SessionRecord>,
}

/// When a session item stops being valid: the earlier of its absolute end
/// and its idle timeout.
pub(super) fn session_expiry(app: &App, record: &SessionRecord) -> i64 {
    record.absolute_expires_at.min(record.last_seen_at + app.config.session_idle_secs)
}

/// Resolves a bearer token to its live session and account, refreshing the
/// idle timeout. A session from before the account's latest password change
/// is refused, whether or not its item was deleted; so is every session of
/// a disabled sub-account (a sign-in racing the disable included) and one
/// past the hours its primary's policy gives. A sub-account outside the
/// policy's networks keeps its session for when it is back inside.
pub async fn authenticate(app: &App, token: &str, client_ip: &str) -> Result<Authenticated, FlowError> {
    let PresentedToken { id: account_id, hash } =
        secret_token::parse::<AccountId>(token).ok_or(FlowError::Unauthenticated)?;
    let mut session = app.records().session(&account_id, &hash).await?.ok_or(FlowError::Unauthenticated)?;
    let account = app.records().account(&account_id).await?.ok_or(FlowError::Unauthenticated)?.record;
    let ended = account.status == AccountStatus::Deleting || account.suspension.is_some() || account.disabled.is_some();
    if ended || session.record.password_epoch != account.password_epoch {
        return Err(FlowError::Unauthenticated);
    }
    if let Some(policy) = account.held_to() {
        if app.clock.now() >= policy.session_end(session.record.created_at) {
            return Err(FlowError::Unauthenticated);
        }
        if !policy.admits(client_ip) {
            return Err(FlowError::Denied(Code::NetworkNotAllowed));
        }
    }
    session.record = touch(app, &session).await?;
    Ok(Authenticated { account, session })
}

impl Authenticated {
    /// Whether the session may only set TOTP up: its account's policy
    /// requires two-factor sign-in, TOTP is not on, and the session did not
    /// begin with a passkey.
    pub fn enrolment_only(&self) -> bool {
        self.account.owes_mfa() && !self.session.record.by_passkey
    }
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
    // Someone else touched or ended it meanwhile: theirs stands.
    app.records().commit(changes).await.unless_lost(Race::On(Conflict::SessionChanged))?;
    Ok(record)
}

/// Ends every session of an account except `keep`, returning how many
/// ended; the count is written to the audit trail as `actor`'s doing.
pub async fn end_sessions(
    app: &App,
    account_id: &AccountId,
    keep: Option<&Stored<SessionRecord>>,
    actor: Actor,
) -> Result<usize, FlowError> {
    end_sessions_for(app, account_id, keep, actor, None).await
}

/// [`end_sessions`], with an operator's `reason` on the trail.
pub async fn end_sessions_for(
    app: &App,
    account_id: &AccountId,
    keep: Option<&Stored<SessionRecord>>,
    actor: Actor,
    reason: Option<String>,
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
    let mut trail = Changes::new();
    let detail = match reason {
        Some(reason) => Detail::SessionsEndedFor { count: ended, reason },
        None => Detail::SessionsEnded(ended),
    };
    audit::add(app, &mut trail, account_id, AuditEvent::SessionsEnded, actor, Some(detail));
    records.commit(trail).await?;
    Ok(ended)
}

/// A session as its owner sees it in the account centre (and an operator
/// in an account's sessions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionView {
    /// The public id ([`Stored::session_id`]): not the token.
    pub session_id: SessionId,
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

/// The live sessions of `account_id`, newest first; `current` is the one
/// asking, if one of them is.
pub async fn sessions_of(
    app: &App,
    account_id: &AccountId,
    current: Option<&Stored<SessionRecord>>,
) -> Result<Vec<SessionView>, StoreError> {
    let mut views: Vec<SessionView> = app
        .records()
        .sessions(account_id)
        .await?
        .into_iter()
        .map(|session| SessionView {
            session_id: session.session_id(),
            current: current.is_some_and(|c| session.is_same_item(c)),
            created_at: session.record.created_at,
            last_seen_at: session.record.last_seen_at,
            ip: session.record.ip,
            user_agent: session.record.user_agent,
        })
        .collect();
    views.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| a.session_id.cmp(&b.session_id)));
    Ok(views)
}
