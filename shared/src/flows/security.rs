//! The security centre: the account's sessions (listed, ended one by one
//! or all but this one) and two-factor sign-in — enrolling an authenticator
//! app (TOTP), confirming it with a first code (which hands out the
//! recovery codes and ends every other session), replacing the recovery
//! codes, and turning it off. The TOTP secret is sealed to the account (KMS
//! in AWS) and only opened to check a code (`second_factor`).

use secrecy::{ExposeSecret, SecretString};

use super::accounts::{load, send_email};
use super::audit::{self, Actor, AuditEvent, Detail, Guarded};
pub use super::authentication::SessionView;
use super::authentication::{Authenticated, end_sessions, sessions_of};
use super::lockout::{Proof, Reauthenticated, reauthenticate};
use super::second_factor::wrong_code;
use super::{Committed, FlowError, Race};
use crate::app::App;
use crate::domain::account::{Mfa, PendingTotp};
use crate::domain::secret_token;
use crate::domain::{Account, AccountId, Code, SessionId, totp};
use crate::i18n::Lang;
use crate::notify::templates::Template;
use crate::persistence::{Changes, Conflict};

/// How long an enrolment waits for its first code.
pub const ENROLMENT_SECS: i64 = 600;
/// Wrong codes that void a pending enrolment.
pub const ENROLMENT_WRONG_CODES_LIMIT: u32 = 5;

/// What enrolment shows: the secret to type or scan.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// The secret in base32.
    pub secret: SecretString,
    /// The `otpauth://` URI.
    pub otpauth_uri: SecretString,
    /// A QR code of the URI, as SVG.
    pub qr_svg: String,
}

fn mfa_enabled() -> FlowError {
    FlowError::Conflicting(Code::MfaEnabled)
}

fn mfa_not_enabled() -> FlowError {
    FlowError::Conflicting(Code::MfaNotEnabled)
}

/// Starts TOTP enrolment: a new secret, sealed and kept pending on the
/// account until a code of it confirms it.
pub async fn enrol(app: &App, current: &Authenticated, password: &SecretString) -> Result<Enrolment, FlowError> {
    if current.account.mfa.is_some() {
        return Err(mfa_enabled());
    }
    let proof = Proof { password: Some(password), code: None, action: Guarded::EnrolTwoFactor };
    let checked = reauthenticate(app, current, proof).await?;
    let mut account = checked.account();
    if account.mfa.is_some() {
        return Err(mfa_enabled());
    }
    let secret = totp::new_secret(app.random.as_ref());
    let (base32, uri) = totp::enrolment(&secret, account.username.as_str())
        .ok_or_else(|| FlowError::Internal("TOTP enrolment".into()))?;
    let qr_svg = totp::qr_svg(&uri).ok_or_else(|| FlowError::Internal("QR code".into()))?;
    let sealed = app.sealer.seal(secret.expose_secret(), &account.account_id).await?;
    let expires_at = app.clock.now() + ENROLMENT_SECS;
    account.pending_totp = Some(PendingTotp { secret: sealed, expires_at, wrong_codes: 0 });
    let mut changes = Changes::new();
    checked.write(&mut changes, &account);
    app.records().commit(changes).await?;
    Ok(Enrolment { secret: base32.into(), otpauth_uri: uri.into(), qr_svg })
}

/// Confirms enrolment with a code of the pending secret: MFA is on, every
/// other session ends (one opened before, perhaps by someone holding the
/// password, does not outlive the second factor), and the ten recovery
/// codes are returned (their hashes are kept).
pub async fn confirm(app: &App, current: &Authenticated, code: &SecretString) -> Result<Vec<SecretString>, FlowError> {
    let stored = load(app, &current.account.account_id).await?.ok_or(FlowError::Unauthenticated)?;
    let mut account = stored.record.clone();
    if account.mfa.is_some() {
        return Err(mfa_enabled());
    }
    let now = app.clock.now();
    let pending = account
        .pending_totp
        .clone()
        .filter(|p| p.expires_at > now)
        .ok_or(FlowError::Conflicting(Code::NoMfaEnrolment))?;
    let secret = app.sealer.open(&pending.secret, &account.account_id).await?;
    let Some(step) = totp::matching_step(&secret, code.expose_secret().trim(), now, i64::MIN) else {
        miss_enrolment_code(app, &account.account_id).await?;
        return Err(wrong_code());
    };
    let (codes, hashes) = new_recovery_codes(app, &account);
    account.mfa = Some(Mfa { totp_secret: pending.secret, recovery_codes: hashes, last_step: step });
    account.pending_totp = None;
    account.forget_devices();
    let mut changes = Changes::new();
    changes.update_account(&stored, &account);
    audit::add(app, &mut changes, &account.account_id, AuditEvent::MfaEnabled, Actor::Customer, None);
    app.records().commit(changes).await?;
    end_sessions(app, &account.account_id, Some(&current.session), Actor::Customer).await?;
    send_email(app, &account, Template::MfaEnabled, account.language, None, &[]).await;
    Ok(codes)
}

/// Counts a wrong code against the pending enrolment; the fifth voids it
/// (a new one needs the password again), so that a stolen session cannot
/// guess its way to turning MFA on with the owner's pending secret. A lost
/// race is counted again on a fresh read: concurrent guesses all count.
async fn miss_enrolment_code(app: &App, account_id: &AccountId) -> Result<(), FlowError> {
    for _ in 0..8 {
        let Some(stored) = load(app, account_id).await? else { return Ok(()) };
        let Some(pending) = stored.record.pending_totp.clone() else { return Ok(()) };
        let wrong_codes = pending.wrong_codes + 1;
        let mut account = stored.record.clone();
        account.pending_totp =
            (wrong_codes < ENROLMENT_WRONG_CODES_LIMIT).then_some(PendingTotp { wrong_codes, ..pending });
        let mut changes = Changes::new();
        changes.update_account(&stored, &account);
        if app.records().commit(changes).await.unless_lost(Race::On(Conflict::AccountChanged))? {
            return Ok(());
        }
    }
    Err(FlowError::Unavailable("enrolment contention".into()))
}

/// Ten fresh recovery codes for `account`, and their hashes to keep.
fn new_recovery_codes(app: &App, account: &Account) -> (Vec<SecretString>, Vec<String>) {
    let codes = totp::new_recovery_codes(app.random.as_ref());
    let hashes = codes.iter().map(|c| totp::recovery_code_hash(&account.account_id, c.expose_secret())).collect();
    (codes, hashes)
}

/// Re-checks the person for a change of the second factor itself: MFA must
/// be on (`409` otherwise), then the password and a code.
async fn reauthenticate_with_mfa(
    app: &App,
    current: &Authenticated,
    password: &SecretString,
    code: Option<&SecretString>,
    action: Guarded,
) -> Result<(Reauthenticated, Account), FlowError> {
    if current.account.mfa.is_none() {
        return Err(mfa_not_enabled());
    }
    let checked = reauthenticate(app, current, Proof { password: Some(password), code, action }).await?;
    let account = checked.account();
    if account.mfa.is_none() {
        return Err(mfa_not_enabled());
    }
    Ok((checked, account))
}

/// Turns MFA off, given the password and a current TOTP code or an unused
/// recovery code.
pub async fn disable(
    app: &App,
    current: &Authenticated,
    password: &SecretString,
    code: Option<&SecretString>,
) -> Result<(), FlowError> {
    // Before the re-check: the policy refuses whatever is sent.
    if current.account.held_to().is_some_and(|policy| policy.mfa_required) {
        return Err(FlowError::Denied(Code::MfaRequiredByPolicy));
    }
    let (checked, mut account) =
        reauthenticate_with_mfa(app, current, password, code, Guarded::TurnTwoFactorOff).await?;
    account.mfa = None;
    account.forget_devices();
    let mut changes = Changes::new();
    checked.write(&mut changes, &account);
    audit::add(app, &mut changes, &account.account_id, AuditEvent::MfaDisabled, Actor::Customer, None);
    app.records().commit(changes).await?;
    send_email(app, &account, Template::MfaDisabled, account.language, None, &[]).await;
    Ok(())
}

/// Replaces the recovery codes (the old ones stop working at once), given
/// the password and a code; returns the new ones.
pub async fn replace_recovery_codes(
    app: &App,
    current: &Authenticated,
    password: &SecretString,
    code: Option<&SecretString>,
) -> Result<Vec<SecretString>, FlowError> {
    let (checked, mut account) =
        reauthenticate_with_mfa(app, current, password, code, Guarded::NewRecoveryCodes).await?;
    let (codes, hashes) = new_recovery_codes(app, &account);
    if let Some(mfa) = &mut account.mfa {
        mfa.recovery_codes = hashes;
    }
    account.forget_devices();
    let mut changes = Changes::new();
    checked.write(&mut changes, &account);
    audit::add(app, &mut changes, &account.account_id, AuditEvent::RecoveryCodesReplaced, Actor::Customer, None);
    app.records().commit(changes).await?;
    send_email(app, &account, Template::RecoveryCodesReplaced, account.language, None, &[]).await;
    Ok(codes)
}

/// Sets the language of the account's emails and SMS (and of its pages,
/// which read it from `GET /v1/me`). A preference, not a security change:
/// no re-check and no audit record.
pub async fn set_language(app: &App, current: &Authenticated, language: Lang) -> Result<(), FlowError> {
    for _ in 0..3 {
        let checked = Reauthenticated::session_only(app, current).await?;
        let mut account = checked.account();
        if account.language == language && account.language_chosen {
            return Ok(());
        }
        account.language = language;
        account.language_chosen = true;
        let mut changes = Changes::new();
        checked.write(&mut changes, &account);
        // A sign-in or another change wrote the account meanwhile: read again.
        if app.records().commit(changes).await.unless_lost(Race::On(Conflict::AccountChanged))? {
            return Ok(());
        }
    }
    Err(FlowError::Unavailable("account contention".into()))
}

/// The live sessions of the signed-in account, newest first.
pub async fn list_sessions(app: &App, current: &Authenticated) -> Result<Vec<SessionView>, FlowError> {
    Ok(sessions_of(app, &current.account.account_id, Some(&current.session)).await?)
}

/// Ends the signed-in account's session `session_id` (the current one
/// too, if named); another account's id, or none, is `404`.
pub async fn end_session(app: &App, current: &Authenticated, session_id: &SessionId) -> Result<(), FlowError> {
    let account_id = &current.account.account_id;
    let sessions = app.records().sessions(account_id).await?;
    let session = sessions
        .iter()
        .find(|s| secret_token::hashes_match(&s.session_id(), session_id))
        .ok_or(FlowError::NotFound(Code::SessionNotFound))?;
    let mut changes = Changes::new();
    changes.end_session(session);
    let detail = Some(Detail::FromAccountCentre);
    audit::add(app, &mut changes, account_id, AuditEvent::SignedOut, audit::Actor::Customer, detail);
    Ok(app.records().commit(changes).await?)
}

/// Ends every session of the signed-in account but the current one.
pub async fn end_other_sessions(app: &App, current: &Authenticated) -> Result<usize, FlowError> {
    end_sessions(app, &current.account.account_id, Some(&current.session), Actor::Customer).await
}
