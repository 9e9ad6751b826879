//! The account centre's contact details: changing the email and the phone.

use secrecy::SecretString;
use serde::Deserialize;

use crate::api::auth::require_session;
use crate::api::problem::ApiError;
use crate::api::request::ApiRequest;
use crate::api::response::Reply;
use crate::api::validate::{Fields, link_token, optional_secret};
use crate::api::views::{CodeSent, Empty, NoContent};
use crate::app::App;
use crate::domain::{Email, Phone};
use crate::flows::contact_details::{self, PhoneChange};

#[derive(Deserialize)]
struct NewEmail {
    password: Option<SecretString>,
    code: Option<SecretString>,
    new_email: Option<String>,
}

/// `POST /v1/me/email`: sends a confirmation link to the new address.
pub async fn request_email_change(app: &App, req: &ApiRequest) -> Result<Reply<Empty>, ApiError> {
    let current = require_session(app, req).await?;
    let body: NewEmail = req.json()?;
    let mut fields = Fields::default();
    let password = fields.secret("password", body.password);
    let new_email = fields.parse("new_email", body.new_email.as_deref(), Email::parse);
    let (password, new_email) = fields.finish_with(|| Some((password?, new_email?)))?;
    let code = optional_secret(body.code);
    contact_details::request_email_change(app, &current, &password, code.as_ref(), new_email, req.lang).await?;
    Ok(Reply::new(Empty {}))
}

/// `POST /v1/me/email/confirm`: switches to the confirmed address.
pub async fn confirm_email_change(app: &App, req: &ApiRequest) -> Result<Reply<NoContent>, ApiError> {
    let current = require_session(app, req).await?;
    let token = link_token(req)?;
    contact_details::confirm_email_change(app, &current, &token).await?;
    Ok(Reply::new(NoContent))
}

#[derive(Deserialize)]
struct NewPhone {
    phone: Option<String>,
    password: Option<SecretString>,
    code: Option<SecretString>,
    sms_code: Option<SecretString>,
}

/// `POST /v1/me/phone/sms-code`: a `change_phone` code to the new number.
pub async fn send_phone_code(app: &App, req: &ApiRequest) -> Result<Reply<CodeSent>, ApiError> {
    let current = require_session(app, req).await?;
    let body: NewPhone = req.json()?;
    let mut fields = Fields::default();
    let phone = fields.parse("phone", body.phone.as_deref(), |raw| Phone::parse_for_sms(raw, &app.config.sms_regions));
    let phone = fields.finish_with(|| phone)?;
    let sent = contact_details::send_phone_code(app, &current, &phone, &req.client_ip, req.lang).await?;
    Ok(Reply::new(CodeSent { expires_in: sent.expires_in, retry_after: sent.retry_after }))
}

/// `PUT /v1/me/phone`: switches to the proven number.
pub async fn change_phone(app: &App, req: &ApiRequest) -> Result<Reply<NoContent>, ApiError> {
    let current = require_session(app, req).await?;
    let body: NewPhone = req.json()?;
    let mut fields = Fields::default();
    let password = fields.secret("password", body.password);
    let phone = fields.parse("phone", body.phone.as_deref(), |raw| Phone::parse_for_sms(raw, &app.config.sms_regions));
    let sms_code = fields.secret("sms_code", body.sms_code);
    let (password, phone, sms_code) = fields.finish_with(|| Some((password?, phone?, sms_code?)))?;
    let change = PhoneChange { password, code: optional_secret(body.code), phone, sms_code };
    contact_details::change_phone(app, &current, change).await?;
    Ok(Reply::new(NoContent))
}
