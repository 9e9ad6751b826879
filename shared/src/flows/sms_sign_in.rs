//! Signing in with a code texted to the account's phone (验证码登录): the
//! code goes only to an activated account's phone, but every phone is
//! answered alike, counted alike and no sooner than forgot-password; a
//! wrong code counts as a wrong password does (the phone's lockout as a
//! login name, the failure streak) and the code's own five tries. It is a
//! first factor like the password: TOTP, the new-device check and a
//! remembered device apply as [`second_step`](super::second_step) decides.

use secrecy::{ExposeSecret, SecretString};

use super::accounts::{at_least, find_equalised};
use super::lockout::Lockout;
use super::second_step::{FirstFactor, SignIn, after_first_factor};
use super::signed_in::admit;
use super::sms_codes::{self, CodeSent, RESEND_AFTER_SECS};
use super::{Dependency, FlowError};
use crate::app::App;
use crate::domain::network::Client;
use crate::domain::records::{Detail, SignInMethod};
use crate::domain::sms_code::{CODE_TTL_SECS, SmsPurpose};
use crate::domain::{AccountStatus, LoginName, Phone};
use crate::i18n::Lang;
use crate::persistence::{Changes, Limit};

/// Texts a sign-in code to `phone` if an activated account has it, and
/// answers alike either way: the client's limits, the phone's own and the
/// budget's check count for every phone; only a real send spends the
/// budget, and a provider's failure is answered as a send.
pub async fn send_code(app: &App, phone: &Phone, client_ip: &str, lang: Lang) -> Result<CodeSent, FlowError> {
    at_least(app.config.forgot_min_duration, send(app, phone, client_ip, lang)).await
}

async fn send(app: &App, phone: &Phone, client_ip: &str, lang: Lang) -> Result<CodeSent, FlowError> {
    sms_codes::admit_client(app, client_ip).await?;
    let login = LoginName::Phone(phone.as_str().to_owned());
    let found = find_equalised(app, &login).await?.filter(|s| s.record.status == AccountStatus::Active);
    let Some(stored) = found else {
        sms_codes::count_phone(app, phone, SmsPurpose::SignIn).await?;
        return Ok(sent());
    };
    let about = Some(&stored.record.account_id);
    match sms_codes::send_within_phone_limits(
        app,
        phone,
        SmsPurpose::SignIn,
        None,
        about,
        stored.record.language_for(lang),
    )
    .await
    {
        Ok(_) | Err(FlowError::Dependency(Dependency::Send(_))) => Ok(sent()),
        Err(e) => Err(e),
    }
}

fn sent() -> CodeSent {
    CodeSent { expires_in: CODE_TTL_SECS, retry_after: RESEND_AFTER_SECS }
}

/// Signs in with `code` for `phone` (none: a number that cannot be an
/// account's, answered as a wrong code); `device` is a remembered
/// device's token. An unknown phone, a pending account and a wrong, used
/// or expired code are all `InvalidCredentials`, no sooner than
/// forgot-password answers.
pub async fn sign_in(
    app: &App,
    phone: Option<&Phone>,
    code: &SecretString,
    client: &Client,
    device: Option<&SecretString>,
) -> Result<SignIn, FlowError> {
    at_least(app.config.forgot_min_duration, sign_in_with_code(app, phone, code, client, device)).await
}

async fn sign_in_with_code(
    app: &App,
    phone: Option<&Phone>,
    code: &SecretString,
    client: &Client,
    device: Option<&SecretString>,
) -> Result<SignIn, FlowError> {
    let Some(phone) = phone else { return Err(FlowError::InvalidCredentials) };
    let login = LoginName::Phone(phone.as_str().to_owned());
    let lockout = Lockout::begin(app, login.canonical()).await?;
    let found = find_equalised(app, &login).await?;
    let active = found.as_ref().filter(|s| s.record.status == AccountStatus::Active);
    let matched = match active {
        Some(_) => match sms_codes::check_code(app, phone.as_str(), SmsPurpose::SignIn, code.expose_secret()).await {
            Ok(matched) => Some(matched),
            Err(FlowError::Validation(_)) => None,
            Err(e) => return Err(e),
        },
        None => None,
    };
    let (Some(stored), Some(matched)) = (active, matched) else {
        let account = found.as_ref().map(|stored| &stored.record);
        return Err(lockout.refuse_sign_in(app, account, Detail::SmsCode).await?);
    };
    // The phone is proven: from here on, a refusal is no failure. Unlike a
    // password, the code still signs in after 100 failures in a row (as a
    // passkey does): the streak suspends password sign-in only.
    if let Err(refused) = admit(&stored.record, client) {
        lockout.not_failed(app).await?;
        return Err(refused);
    }
    let streak = app.counters().counted(Limit::LoginStreak(&stored.record.account_id)).await?;
    let mut changes = Changes::new();
    changes.consume_sms_code(&matched);
    let account = stored.record.clone();
    let first = FirstFactor { stored, account, lockout, streak, changes, method: SignInMethod::SmsCode };
    after_first_factor(app, first, client, device).await
}
