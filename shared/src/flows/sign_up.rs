//! Sign-up: proves the phone with an SMS code, claims username, email and
//! phone atomically, and emails the initial-password link.

use super::accounts::{NotInserted, insert_account, mint_link, send_invitation};
use super::audit::{self, Actor, AuditEvent};
use super::{FlowError, sms_codes};
use crate::app::App;
use crate::domain::account::LinkPurpose;
use crate::domain::sms_code::SmsPurpose;
use crate::domain::{Account, AccountId, Code, Email, Input, Phone, Username};
use crate::i18n::Lang;
use crate::metrics::Metric;
use crate::persistence::{Changes, Conflict, NotCommitted};
use secrecy::ExposeSecret;

/// A validated sign-up request.
#[derive(Debug, Clone)]
pub struct SignUp {
    /// Wanted username.
    pub username: Username,
    /// Contact email; receives the invitation.
    pub email: Email,
    /// Mobile phone, proven by `sms_code`.
    pub phone: Phone,
    /// The code sent to `phone` for `sign_up`.
    pub sms_code: secrecy::SecretString,
    /// Organisation, if given.
    pub organization: Option<String>,
    /// Referrer's phone, if given.
    pub referrer_phone: Option<Phone>,
    /// Language of the emails.
    pub lang: Lang,
}

/// Creates a pending account. The SMS code is checked first (so that
/// probing which values are taken needs the phone), and consumed in the same
/// transaction that claims the unique values. A `409` leaves it usable for a
/// corrected request but uses up one of its five tries.
pub async fn sign_up(app: &App, request: SignUp) -> Result<Account, FlowError> {
    let code = sms_codes::check_code(app, request.phone.as_str(), SmsPurpose::SignUp, request.sms_code.expose_secret())
        .await?;
    let id = AccountId::new(app.random.as_ref());
    let mut account = Account {
        organization: request.organization,
        referrer_phone: request.referrer_phone,
        ..Account::pending(
            id,
            request.username,
            request.email,
            Some(request.phone.clone()),
            request.lang,
            app.clock.now(),
        )
    };
    let token = mint_link(app, &mut account, LinkPurpose::InitialPassword);

    let mut extra = Changes::new();
    extra.consume_sms_code(&code);
    audit::add(app, &mut extra, &account.account_id, AuditEvent::SignedUp, Actor::Customer, None);
    match insert_account(app, &account, extra).await {
        Ok(()) => {}
        Err(NotInserted::Taken(taken)) => {
            sms_codes::spend_try(app, request.phone.as_str(), SmsPurpose::SignUp).await?;
            return Err(FlowError::Conflict(taken));
        }
        // Another sign-up consumed the code first.
        Err(NotInserted::Other(conflicts)) if conflicts.contains(&Conflict::SmsCodeChanged) => {
            return Err(FlowError::refused(Input::SmsCode, Code::SmsCodeExpired));
        }
        Err(NotInserted::Other(conflicts)) => return Err(NotCommitted::Conflict(conflicts).into()),
        Err(NotInserted::Store(e)) => return Err(e),
    }
    tracing::info!(account_id = %account.account_id, "account signed up");
    app.count(Metric::SignUp);
    send_invitation(app, &account, &token).await;
    Ok(account)
}
