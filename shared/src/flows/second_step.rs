//! What follows a passed first factor (a password, an SMS code): the
//! second step when TOTP is on, a new device's emailed code when the
//! new-device check is on, or, when a remembered device stands in for
//! them, the session. Password and SMS-code sign-in share it, so neither
//! can skip what the other asks (better-auth's email-code sign-in skipped
//! 2FA; here there is one way past the first factor).

use secrecy::{ExposeSecret, SecretString};

use super::accounts::send_email;
use super::audit::SignInMethod;
use super::lockout::Lockout;
use super::signed_in::{NewSession, Proven, complete, is_familiar};
use super::{Committed, FlowError, Race};
use crate::app::App;
use crate::domain::network::Client;
use crate::domain::records::{Detail, EmailedCode, MfaChallenge};
use crate::domain::{Account, DeviceId, ids::new_id, secret_token, sms_code};
use crate::notify::templates::{Template, Var};
use crate::persistence::{Changes, Stored};

/// How long an `mfa_token` is valid.
pub const MFA_TOKEN_SECS: i64 = 300;

/// How the second step is proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondStep {
    /// A TOTP or recovery code.
    Totp,
    /// A code emailed to the account (a new device).
    EmailCode,
}

/// What a passed first factor gets.
#[derive(Debug)]
pub enum SignIn {
    /// A session.
    Session(Box<NewSession>),
    /// A second step is owed: the `mfa_token` to send with its code.
    SecondFactor {
        /// The token, valid [`MFA_TOKEN_SECS`].
        mfa_token: SecretString,
        /// What the code is.
        method: SecondStep,
    },
}

/// A first factor that passed for `stored`, with what its sign-in writes
/// if it completes now (`changes`: the lockout's end, a used SMS code).
pub struct FirstFactor<'a> {
    /// The account as read.
    pub stored: &'a Stored<Account>,
    /// The account as the sign-in leaves it (a breach check's day noted).
    pub account: Account,
    /// The login name's lockout.
    pub lockout: Lockout,
    /// The account's failure streak, as counted.
    pub streak: u64,
    /// Writes that go with whichever comes next.
    pub changes: Changes,
    /// How the first factor proved the person.
    pub method: SignInMethod,
}

/// The next step after `first`, for `client`, which may carry a device
/// token (`device`).
pub async fn after_first_factor(
    app: &App,
    first: FirstFactor<'_>,
    client: &Client,
    device: Option<&SecretString>,
) -> Result<SignIn, FlowError> {
    let FirstFactor { stored, mut account, lockout, streak, mut changes, method: first_factor } = first;
    let now = app.clock.now();
    let remembered = device.and_then(|token| account.remembered_device(token.expose_secret(), now));
    let remembered: Option<DeviceId> = remembered.map(|device| device.device_id.clone());
    let second_step = if remembered.is_some() {
        None
    } else if account.mfa.is_some() {
        Some(SecondStep::Totp)
    } else if app.config.new_device_check && !is_familiar(app, &account, client).await? {
        Some(SecondStep::EmailCode)
    } else {
        None
    };
    if let Some(method) = second_step {
        // The first factor is no failure; the failures before it stay
        // counted, so the second step's wrong codes add to them.
        let login = lockout.name().to_owned();
        lockout.not_failed(app).await?;
        let challenge = Challenge { login, method, first_factor };
        let mfa_token = issue_challenge(app, stored, &account, challenge, client, changes).await?;
        return Ok(SignIn::SecondFactor { mfa_token, method });
    }
    lockout.succeeded_with(&mut changes);
    let mut proven = Proven::by(first_factor);
    if let Some(device_id) = &remembered {
        account.use_device(device_id, now);
        proven.detail = proven.detail.or(Some(Detail::RememberedDevice));
    }
    let session = complete(app, stored, account, streak, client, changes, proven).await?;
    Ok(SignIn::Session(Box::new(session)))
}

/// A challenge to issue: the login name whose lockout its wrong codes
/// count in, and what proves it.
struct Challenge {
    login: String,
    method: SecondStep,
    first_factor: SignInMethod,
}

/// Stores a challenge for the second step (with `changes`, and `account`
/// if the first step changed it) and returns its token; for a new device,
/// emails its code. The challenge remembers the password epoch: a reset
/// or change of the password voids it.
async fn issue_challenge(
    app: &App,
    stored: &Stored<Account>,
    account: &Account,
    Challenge { login, method, first_factor }: Challenge,
    client: &Client,
    mut changes: Changes,
) -> Result<SecretString, FlowError> {
    let minted = secret_token::mint(&account.account_id, app.random.as_ref());
    let code = (method == SecondStep::EmailCode).then(|| sms_code::generate(app.random.as_ref()));
    let email_code = code.as_ref().map(|code| {
        let salt = new_id(app.random.as_ref());
        EmailedCode { hash: sms_code::hash(code, &salt), salt }
    });
    let epoch = account.password_epoch;
    let challenge = MfaChallenge { login, wrong_codes: 0, password_epoch: epoch, email_code, method: first_factor };
    if *account != stored.record {
        changes.update_account(stored, account);
    }
    changes.create_mfa_challenge(&account.account_id, &minted.hash, &challenge, app.clock.now() + MFA_TOKEN_SECS);
    // A used SMS code or the account moved on meanwhile: sign in again.
    app.records().commit(changes).await.answering([(Race::Any, FlowError::InvalidCredentials)])?;
    if let Some(code) = code {
        let network = client.network();
        let user_agent = if client.user_agent.is_empty() { "—" } else { client.user_agent.as_str() };
        let vars = [(Var::Code, code.as_str()), (Var::Network, network.as_str()), (Var::UserAgent, user_agent)];
        send_email(app, account, Template::NewDeviceCode, account.language, None, &vars).await;
    }
    Ok(minted.token)
}
