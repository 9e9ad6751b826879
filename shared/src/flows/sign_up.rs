//! Sign-up: proves the phone with an SMS code, claims username, email and
//! phone atomically, and emails the initial-password link.

use super::accounts::{NotInserted, insert_account, mint_link, send_invitation};
use super::{FlowError, sms_codes};
use crate::app::App;
use crate::audit::{self, Actor, AuditEvent};
use crate::domain::account::LinkPurpose;
use crate::domain::secret_token::new_id;
use crate::domain::sms_code::SmsPurpose;
use crate::domain::{Account, AccountKind, AccountStatus, Email, Phone, Username};
use crate::i18n::Lang;
use crate::store::{Cond, WriteOp, keys};
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
    let code = sms_codes::check_code(
        app,
        request.phone.as_str(),
        SmsPurpose::SignUp,
        request.sms_code.expose_secret(),
        "sms_code",
    )
    .await?;
    let mut account = Account {
        account_id: new_id(app.random.as_ref()),
        username: request.username.as_str().to_owned(),
        email: request.email.as_str().to_owned(),
        phone: Some(request.phone.as_str().to_owned()),
        organization: request.organization,
        referrer_phone: request.referrer_phone.map(|p| p.as_str().to_owned()),
        kind: AccountKind::Primary,
        parent_id: None,
        status: AccountStatus::PendingActivation,
        password_hash: None,
        link: None,
        language: request.lang.tag().to_owned(),
        created_at: app.clock.now(),
        verification_status: Default::default(),
        deletion_status: Default::default(),
        password_epoch: 0,
    };
    let token = mint_link(app, &mut account, LinkPurpose::InitialPassword);

    let consume_code = WriteOp::Delete {
        key: keys::sms_code(request.phone.as_str(), SmsPurpose::SignUp),
        cond: Cond::Version(code.version),
    };
    let audit = audit::entry(app, &account.account_id, AuditEvent::SignedUp, Actor::Customer, None);
    match insert_account(app, &account, vec![consume_code, audit]).await {
        Ok(()) => {}
        Err(NotInserted::Taken(taken)) => {
            sms_codes::spend_try(app, request.phone.as_str(), SmsPurpose::SignUp).await?;
            return Err(FlowError::Conflict(taken));
        }
        // Another sign-up consumed the code first.
        Err(NotInserted::ExtraConditionFailed) => return Err(FlowError::field("sms_code", "sms_code_expired")),
        Err(NotInserted::Store(e)) => return Err(e),
    }
    tracing::info!(account_id = %account.account_id, "account signed up");
    send_invitation(app, &account, &token).await;
    Ok(account)
}
