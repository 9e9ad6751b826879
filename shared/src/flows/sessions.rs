//! Sessions: signing in with a password (with the lockout and the
//! breached-password check), the second step (a TOTP or recovery code, or
//! a new device's emailed code), and signing out. What follows the first
//! factor is [`second_step`](super::second_step)'s; what every completed
//! sign-in does is [`signed_in`](super::signed_in)'s.

use secrecy::{ExposeSecret, SecretString};

use super::accounts::{load, mint_link, send_email};
use super::audit::{self, AuditEvent, Detail, SignInMethod};
use super::authentication::Authenticated;
use super::lockout::{LOCKOUT_SECS, Lockout, too_many_attempts};
use super::second_step::{FirstFactor, SignIn, after_first_factor};
use super::signed_in::{NewSession, Proven, admit, complete};
use super::{Committed, FlowError, Race, second_factor};
use crate::app::App;
use crate::breach::Verdict;
use crate::domain::account::{Breached, CONSECUTIVE_FAILURES_LIMIT, LinkPurpose};
use crate::domain::network::Client;
use crate::domain::records::MfaChallenge;
use crate::domain::{Account, AccountId, AccountStatus, Code, LoginName, secret_token, sms_code};
use crate::metrics::Metric;
use crate::notify::templates::Template;
use crate::persistence::{Changes, Conflict, Limit, Stored};

/// Wrong second-factor codes that void an `mfa_token`.
pub const MFA_WRONG_CODES_LIMIT: u32 = 5;
const DAY_SECS: i64 = 86_400;

/// Signs in with a password; `device` is a remembered device's token, if
/// the client sent one. Unknown login, wrong password and a pending
/// account all give `InvalidCredentials` after the same work (one argon2
/// verification).
pub async fn sign_in(
    app: &App,
    login: &str,
    password: &SecretString,
    client: &Client,
    device: Option<&SecretString>,
) -> Result<SignIn, FlowError> {
    let login = LoginName::parse(login);
    let lockout = Lockout::begin(app, login.canonical()).await?;
    let found = app.records().account_by_login(&login).await?;
    let phc = found
        .as_ref()
        .map(|stored| &stored.record)
        .filter(|a| a.status == AccountStatus::Active)
        .and_then(|a| a.password_hash.clone());
    if !app.hasher.verify(password.clone(), phc).await {
        let account = found.as_ref().map(|stored| &stored.record);
        return Err(lockout.refuse_sign_in(app, account, Detail::Password).await?);
    }
    // A password verifies only against an account's hash.
    let Some(stored) = found else { return Err(FlowError::InvalidCredentials) };
    let streak = app.counters().counted(Limit::LoginStreak(&stored.record.account_id)).await?;
    if streak >= CONSECUTIVE_FAILURES_LIMIT {
        return Err(too_many_attempts(LOCKOUT_SECS));
    }
    // The password passed: from here on, a refusal is no failure.
    let mut account = stored.record.clone();
    let screened = match admit(&account, client) {
        Ok(()) => screen_breached(app, &stored, &mut account, password).await,
        Err(refused) => Err(refused),
    };
    if let Err(refused) = screened {
        lockout.not_failed(app).await?;
        return Err(refused);
    }
    let first = FirstFactor {
        stored: &stored,
        account,
        lockout,
        streak,
        changes: Changes::new(),
        method: SignInMethod::Password,
    };
    after_first_factor(app, first, client, device).await
}

/// The breached-password check of a password that just verified, at most
/// once a day per account: a password the list knows is refused (`403
/// password_reset_required`) until it is reset, and a reset link goes out
/// at most once a day. The list unreachable or slow refuses no one. The
/// day of a check that answered is noted on `account` (written with the
/// sign-in).
async fn screen_breached(
    app: &App,
    stored: &Stored<Account>,
    account: &mut Account,
    password: &SecretString,
) -> Result<(), FlowError> {
    let today = app.clock.now().div_euclid(DAY_SECS);
    let known = account.known_breached().cloned();
    if known.is_none() {
        if !app.breach.enabled() || account.breach_checked_on == Some(today) {
            return Ok(());
        }
        match app.breach.verdict(password).await {
            Verdict::Unknown => {
                app.count(Metric::BreachCheckSkipped);
                return Ok(());
            }
            Verdict::NotFound => {
                account.breach_checked_on = Some(today);
                return Ok(());
            }
            Verdict::Breached => {}
        }
    }
    let send_link = known.as_ref().is_none_or(|breach| breach.link_sent_on != today);
    if send_link {
        mark_breached(app, stored, account, today, known.is_none()).await?;
    }
    Err(FlowError::Denied(Code::PasswordResetRequired))
}

/// Marks `account`'s password breached on `today` (audited when `first`)
/// and emails it a reset link.
async fn mark_breached(
    app: &App,
    stored: &Stored<Account>,
    account: &Account,
    today: i64,
    first: bool,
) -> Result<(), FlowError> {
    let mut marked = account.clone();
    marked.breach_checked_on = Some(today);
    marked.breached = Some(Breached { link_sent_on: today, password_epoch: marked.password_epoch });
    let token = mint_link(app, &mut marked, LinkPurpose::ResetPassword);
    let mut changes = Changes::new();
    changes.update_account(stored, &marked);
    if first {
        let id = &marked.account_id;
        audit::add(app, &mut changes, id, AuditEvent::PasswordBreached, audit::Actor::System, None);
    }
    // A sign-in racing this one marked it (and sent the link) first.
    if app.records().commit(changes).await.unless_lost(Race::On(Conflict::AccountChanged))? {
        tracing::info!(account_id = %marked.account_id, "breached password refused; reset link sent");
        send_email(app, &marked, Template::PasswordBreached, marked.language, Some(&token), &[]).await;
    }
    Ok(())
}

/// A completed second step: the session, and the remembered device's
/// token when the client asked to be remembered.
#[derive(Debug)]
pub struct SecondStepPassed {
    /// The session.
    pub session: NewSession,
    /// The new device token, if one was asked for.
    pub device_token: Option<SecretString>,
}

/// The second step of a sign-in: a TOTP or recovery code, or the code
/// emailed to prove a new device, for the challenge `mfa_token` names. A
/// wrong code counts towards the lockout of the login name the first step
/// used; the fifth voids the token. A token issued before the password
/// changed, or of an account suspended or disabled since, is refused like
/// an unknown one. `remember` remembers the client's device for 30 days.
pub async fn sign_in_second_factor(
    app: &App,
    mfa_token: &SecretString,
    code: &SecretString,
    client: &Client,
    remember: bool,
) -> Result<SecondStepPassed, FlowError> {
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
    let passed = if usable { judge_code(app, account, &challenge.record, code).await? } else { None };
    let Some((updated, proof)) = passed else {
        if !usable {
            lockout.not_failed(app).await?;
            return Err(FlowError::InvalidCredentials);
        }
        miss_second_factor(app, &challenge).await?;
        return Err(lockout.refuse_sign_in(app, Some(account), Detail::SecondFactor).await?);
    };
    lockout.succeeded(app).await?;
    admit(account, client)?;
    let mut updated = updated;
    let device_token =
        remember.then(|| updated.remember_device(&client.user_agent, app.clock.now(), app.random.as_ref()));
    let mut changes = Changes::new();
    changes.consume_mfa_challenge(&challenge);
    let streak = app.counters().counted(Limit::LoginStreak(&updated.account_id)).await?;
    let proven = Proven { method: challenge.record.method, detail: Some(proof) };
    let session = complete(app, &stored, updated, streak, client, changes, proven).await?;
    Ok(SecondStepPassed { session, device_token: device_token.map(|minted| minted.token) })
}

/// The account after `code` passed `challenge` (the factor spent) and how
/// it passed; `None` when it did not.
async fn judge_code(
    app: &App,
    account: &Account,
    challenge: &MfaChallenge,
    code: &SecretString,
) -> Result<Option<(Account, Detail)>, FlowError> {
    if let Some(emailed) = &challenge.email_code {
        let code = code.expose_secret().trim();
        let matches = sms_code::is_well_formed(code)
            && secret_token::hashes_match(&sms_code::hash(code, &emailed.salt), &emailed.hash);
        return Ok(matches.then(|| (account.clone(), Detail::EmailCode)));
    }
    let Some(mfa) = &account.mfa else { return Ok(None) };
    let Some(passed) = second_factor::check(app, account, mfa, code.expose_secret()).await? else {
        return Ok(None);
    };
    let mut updated = account.clone();
    passed.spend(&mut updated);
    Ok(Some((updated, Detail::Factor(passed.factor))))
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
