//! Two-factor sign-in: enrolling an authenticator app (TOTP), confirming
//! it with a first code (which hands out the recovery codes), turning it
//! off, and judging a second factor. The TOTP secret is sealed to the
//! account (KMS in AWS) and only opened to check a code.

use secrecy::ExposeSecret;

use super::FlowError;
use super::accounts::{load, send_email};
use super::sessions::{Authenticated, Lockout, record_failure};
use crate::app::App;
use crate::audit::{self, Actor, AuditEvent};
use crate::domain::Account;
use crate::domain::account::{Mfa, PendingTotp};
use crate::domain::totp;
use crate::notify::templates::Template;
use crate::persistence::Changes;

/// How long an enrolment waits for its first code.
pub const ENROLMENT_SECS: i64 = 600;

/// What enrolment shows: the secret to type or scan.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// The secret in base32.
    pub secret: secrecy::SecretString,
    /// The `otpauth://` URI.
    pub otpauth_uri: secrecy::SecretString,
    /// A QR code of the URI, as SVG.
    pub qr_svg: String,
}

/// A second factor that passed: the account's MFA state after it (the
/// step or recovery code used up) and which it was.
#[derive(Debug, Clone)]
pub struct Passed {
    /// The MFA state to store.
    pub mfa: Mfa,
    /// `totp` or `recovery code`, for the audit trail.
    pub method: &'static str,
}

fn wrong_code() -> FlowError {
    FlowError::field("code", "invalid_code")
}

/// Checks the signed-in account's password for a security change: a wrong
/// one is `WrongPassword` and counts towards the username's lockout.
pub async fn check_password(app: &App, current: &Authenticated, password: &str) -> Result<Account, FlowError> {
    let lockout = Lockout::begin(app, current.account.username.as_str()).await?;
    let account = load(app, &current.account.account_id).await?.ok_or(FlowError::Unauthenticated)?.record;
    if !app.hasher.verify(password.to_owned(), account.password_hash.clone()).await {
        let locked = lockout.failed(app).await?;
        record_failure(app, &account, locked, Some("security change")).await?;
        return Err(FlowError::WrongPassword);
    }
    lockout.succeeded(app).await?;
    Ok(account)
}

/// Starts TOTP enrolment: a new secret, sealed and kept pending on the
/// account until a code of it confirms it.
pub async fn enrol(app: &App, current: &Authenticated, password: &str) -> Result<Enrolment, FlowError> {
    if current.account.mfa.is_some() {
        return Err(FlowError::Conflicting("mfa_enabled"));
    }
    check_password(app, current, password).await?;
    let stored = load(app, &current.account.account_id).await?.ok_or(FlowError::Unauthenticated)?;
    let mut account = stored.record.clone();
    if account.mfa.is_some() {
        return Err(FlowError::Conflicting("mfa_enabled"));
    }
    let secret = totp::new_secret(app.random.as_ref());
    let (base32, uri) = totp::enrolment(&secret, account.username.as_str())
        .ok_or_else(|| FlowError::Internal("TOTP enrolment".into()))?;
    let qr_svg = totp::qr_svg(&uri).ok_or_else(|| FlowError::Internal("QR code".into()))?;
    let sealed = app.sealer.seal(secret.expose_secret(), &account.account_id).await?;
    account.pending_totp = Some(PendingTotp { secret: sealed, expires_at: app.clock.now() + ENROLMENT_SECS });
    let mut changes = Changes::new();
    changes.update_account(&stored, &account);
    app.records().commit(changes).await?;
    Ok(Enrolment { secret: base32.into(), otpauth_uri: uri.into(), qr_svg })
}

/// Confirms enrolment with a code of the pending secret: MFA is on, and
/// the ten recovery codes are returned (their hashes are kept).
pub async fn confirm(app: &App, current: &Authenticated, code: &str) -> Result<Vec<String>, FlowError> {
    let stored = load(app, &current.account.account_id).await?.ok_or(FlowError::Unauthenticated)?;
    let mut account = stored.record.clone();
    if account.mfa.is_some() {
        return Err(FlowError::Conflicting("mfa_enabled"));
    }
    let now = app.clock.now();
    let pending = account
        .pending_totp
        .clone()
        .filter(|p| p.expires_at > now)
        .ok_or(FlowError::Conflicting("no_mfa_enrolment"))?;
    let secret = app.sealer.open(&pending.secret, &account.account_id).await?;
    let step = totp::matching_step(&secret, code.trim(), now, i64::MIN).ok_or_else(wrong_code)?;
    let codes = totp::new_recovery_codes(app.random.as_ref());
    let hashes = codes.iter().map(|c| totp::recovery_code_hash(&account.account_id, c)).collect();
    account.mfa = Some(Mfa { totp_secret: pending.secret, recovery_codes: hashes, last_step: step });
    account.pending_totp = None;
    let mut changes = Changes::new();
    changes.update_account(&stored, &account);
    audit::add(app, &mut changes, &account.account_id, AuditEvent::MfaEnabled, Actor::Customer, None);
    app.records().commit(changes).await?;
    send_email(app, &account, Template::MfaEnabled, account.language, None, &[]).await;
    Ok(codes)
}

/// Turns MFA off, given the password and a current TOTP code or an unused
/// recovery code.
pub async fn disable(app: &App, current: &Authenticated, password: &str, code: &str) -> Result<(), FlowError> {
    if current.account.mfa.is_none() {
        return Err(FlowError::Conflicting("mfa_not_enabled"));
    }
    check_password(app, current, password).await?;
    let stored = load(app, &current.account.account_id).await?.ok_or(FlowError::Unauthenticated)?;
    let mut account = stored.record.clone();
    let mfa = account.mfa.clone().ok_or(FlowError::Conflicting("mfa_not_enabled"))?;
    check_second_factor(app, &account, &mfa, code).await?.ok_or_else(wrong_code)?;
    account.mfa = None;
    let mut changes = Changes::new();
    changes.update_account(&stored, &account);
    audit::add(app, &mut changes, &account.account_id, AuditEvent::MfaDisabled, Actor::Customer, None);
    app.records().commit(changes).await?;
    send_email(app, &account, Template::MfaDisabled, account.language, None, &[]).await;
    Ok(())
}

/// Judges `code` as `account`'s second factor: six digits are a TOTP code
/// (within one step, later than the last accepted), anything else a
/// recovery code. `None` when it does not pass.
pub async fn check_second_factor(
    app: &App,
    account: &Account,
    mfa: &Mfa,
    code: &str,
) -> Result<Option<Passed>, FlowError> {
    let code = code.trim();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        let secret = app.sealer.open(&mfa.totp_secret, &account.account_id).await?;
        let step = totp::matching_step(&secret, code, app.clock.now(), mfa.last_step);
        return Ok(step.map(|last_step| Passed { mfa: Mfa { last_step, ..mfa.clone() }, method: "totp" }));
    }
    let Some(index) = totp::find_recovery_code(&mfa.recovery_codes, &account.account_id, code) else {
        return Ok(None);
    };
    let mut recovery_codes = mfa.recovery_codes.clone();
    recovery_codes.remove(index);
    Ok(Some(Passed { mfa: Mfa { recovery_codes, ..mfa.clone() }, method: "recovery code" }))
}
