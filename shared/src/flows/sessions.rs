//! Sessions: signing in with a password (with the lockout), the second step
//! when two-factor sign-in is on, and signing out. What every completed
//! sign-in does is [`signed_in`](super::signed_in)'s.

use secrecy::{ExposeSecret, SecretString};

use super::accounts::load;
use super::audit::{self, AuditEvent, Detail};
use super::authentication::Authenticated;
use super::lockout::{Failure, LOCKOUT_SECS, Lockout, record_failure, too_many_attempts};
use super::signed_in::{NewSession, admit, complete};
use super::{Committed, FlowError, Race, second_factor};
use crate::app::App;
use crate::domain::account::CONSECUTIVE_FAILURES_LIMIT;
use crate::domain::network::Client;
use crate::domain::records::MfaChallenge;
use crate::domain::{Account, AccountId, AccountStatus, LoginName, secret_token};
use crate::persistence::{Changes, Conflict, Limit, Stored};

/// How long an `mfa_token` is valid.
pub const MFA_TOKEN_SECS: i64 = 300;
/// Wrong second-factor codes that void an `mfa_token`.
pub const MFA_WRONG_CODES_LIMIT: u32 = 5;

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
        let failure = Failure { event: AuditEvent::SignInFailed, detail: Detail::Password };
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
    if let Err(refused) = admit(account, client) {
        lockout.not_failed(app).await?;
        return Err(refused);
    }
    if account.mfa.is_some() {
        lockout.not_failed(app).await?;
        let mfa_token = issue_mfa_challenge(app, account, login.canonical()).await?;
        return Ok(SignIn::SecondFactor { mfa_token });
    }
    let mut changes = Changes::new();
    lockout.succeeded_with(&mut changes);
    let session = complete(app, &stored, account.clone(), streak, client, changes, None).await?;
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
    // A disable or suspension since the first step kills the token.
    let usable = account.status == AccountStatus::Active
        && account.suspension.is_none()
        && account.disabled.is_none()
        && account.password_epoch == challenge.record.password_epoch;
    let Some(mfa) = account.mfa.as_ref().filter(|_| usable) else {
        lockout.not_failed(app).await?;
        return Err(FlowError::InvalidCredentials);
    };
    let Some(passed) = second_factor::check(app, account, mfa, code.expose_secret()).await? else {
        miss_second_factor(app, &challenge).await?;
        let locked = lockout.failed(app).await?;
        let failure = Failure { event: AuditEvent::SignInFailed, detail: Detail::SecondFactor };
        if record_failure(app, account, locked, failure).await? {
            return Err(too_many_attempts(LOCKOUT_SECS));
        }
        return Err(FlowError::InvalidCredentials);
    };
    lockout.succeeded(app).await?;
    admit(account, client)?;
    let updated = Account { mfa: Some(passed.mfa), ..account.clone() };
    let mut changes = Changes::new();
    changes.consume_mfa_challenge(&challenge);
    let streak = app.counters().counted(Limit::LoginStreak(&updated.account_id)).await?;
    complete(app, &stored, updated, streak, client, changes, Some(Detail::Factor(passed.factor))).await
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
    // Another attempt counted or used it meanwhile; the lockout still counts this one.
    app.records().commit(changes).await.unless_lost(Race::On(Conflict::ChallengeChanged))?;
    Ok(())
}

/// Ends one session.
pub async fn sign_out(app: &App, current: &Authenticated) -> Result<(), FlowError> {
    let mut changes = Changes::new();
    changes.end_session(&current.session);
    audit::add(app, &mut changes, &current.account.account_id, AuditEvent::SignedOut, audit::Actor::Customer, None);
    Ok(app.records().commit(changes).await?)
}
