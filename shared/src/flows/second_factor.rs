//! Judging a second-factor code: a current TOTP code (each step accepted
//! once) or an unused recovery code. Sign-in's second step and the re-check
//! of the person both judge codes here; spending one is the caller's write.

use super::FlowError;
use crate::app::App;
use crate::domain::Code;
use crate::domain::account::Mfa;
use crate::domain::records::Factor;
use crate::domain::totp;
use crate::domain::{Account, Input};

/// A second factor that passed: the account's MFA state after it (the
/// step or recovery code used up) and which it was.
#[derive(Debug, Clone)]
pub struct Passed {
    /// The MFA state to store.
    pub mfa: Mfa,
    /// Which it was, for the audit trail.
    pub factor: Factor,
}

/// `422` on `code` (`invalid_code`).
pub fn wrong_code() -> FlowError {
    FlowError::refused(Input::SecondFactorCode, Code::InvalidCode)
}

/// Judges `code` as `account`'s second factor: six digits are a TOTP code
/// (within one step, later than the last accepted), anything else a
/// recovery code. `None` when it does not pass.
pub async fn check(app: &App, account: &Account, mfa: &Mfa, code: &str) -> Result<Option<Passed>, FlowError> {
    let code = code.trim();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        let secret = app.sealer.open(&mfa.totp_secret, &account.account_id).await?;
        let step = totp::matching_step(&secret, code, app.clock.now(), mfa.last_step);
        return Ok(step.map(|last_step| Passed { mfa: Mfa { last_step, ..mfa.clone() }, factor: Factor::Totp }));
    }
    let Some(index) = totp::find_recovery_code(&mfa.recovery_codes, &account.account_id, code) else {
        return Ok(None);
    };
    let mut recovery_codes = mfa.recovery_codes.clone();
    recovery_codes.remove(index);
    Ok(Some(Passed { mfa: Mfa { recovery_codes, ..mfa.clone() }, factor: Factor::RecoveryCode }))
}

impl Passed {
    /// Spends the factor on `account`: its MFA state after the code, and
    /// a used recovery code forgets every remembered device (whoever held
    /// one had not needed the codes; whoever needs them may have lost it).
    pub fn spend(&self, account: &mut Account) {
        account.mfa = Some(self.mfa.clone());
        if self.factor == Factor::RecoveryCode {
            account.forget_devices();
        }
    }
}
