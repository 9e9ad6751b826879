//! The account centre's security section: sessions, two-factor sign-in,
//! remembered devices, and the account's language.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::api::auth::require_session;
use crate::api::problem::ApiError;
use crate::api::request::ApiRequest;
use crate::api::response::Reply;
use crate::api::validate::{Fields, password_and_code};
use crate::api::views::{DeviceItem, Enrolment, Items, NoContent, RecoveryCodes, SessionItem};
use crate::app::App;
use crate::domain::Code;
use crate::flows::{devices, security};
use crate::i18n::Lang;

/// `GET /v1/me/sessions`: the account's live sessions, newest first.
pub async fn list_sessions(app: &App, req: &ApiRequest) -> Result<Reply<Items<SessionItem>>, ApiError> {
    let current = require_session(app, req).await?;
    let items = security::list_sessions(app, &current).await?.iter().map(SessionItem::from).collect();
    Ok(Reply::new(Items { items }))
}

/// `DELETE /v1/me/sessions/{session_id}`: ends one session.
pub async fn end_session(app: &App, req: &ApiRequest) -> Result<Reply<NoContent>, ApiError> {
    let current = require_session(app, req).await?;
    let session_id = req.path_id("session_id", Code::SessionNotFound)?;
    security::end_session(app, &current, &session_id).await?;
    Ok(Reply::new(NoContent))
}

/// `DELETE /v1/me/sessions`: ends every session but this one.
pub async fn end_other_sessions(app: &App, req: &ApiRequest) -> Result<Reply<NoContent>, ApiError> {
    let current = require_session(app, req).await?;
    security::end_other_sessions(app, &current).await?;
    Ok(Reply::new(NoContent))
}

/// `GET /v1/me/devices`: the remembered devices, most recently used first.
pub async fn list_devices(app: &App, req: &ApiRequest) -> Result<Reply<Items<DeviceItem>>, ApiError> {
    let current = require_session(app, req).await?;
    let items = devices::list(app, &current).iter().map(DeviceItem::from).collect();
    Ok(Reply::new(Items { items }))
}

/// `DELETE /v1/me/devices/{device_id}`: forgets one remembered device.
pub async fn forget_device(app: &App, req: &ApiRequest) -> Result<Reply<NoContent>, ApiError> {
    let current = require_session(app, req).await?;
    let device_id = req.path_id("device_id", Code::DeviceNotFound)?;
    devices::forget(app, &current, Some(&device_id)).await?;
    Ok(Reply::new(NoContent))
}

/// `DELETE /v1/me/devices`: forgets every remembered device.
pub async fn forget_devices(app: &App, req: &ApiRequest) -> Result<Reply<NoContent>, ApiError> {
    let current = require_session(app, req).await?;
    devices::forget(app, &current, None).await?;
    Ok(Reply::new(NoContent))
}

/// The first code from the app, which turns MFA on.
#[derive(Deserialize)]
struct FirstCode {
    code: Option<SecretString>,
}

/// `POST /v1/me/mfa/totp`: starts enrolment.
pub async fn enrol_totp(app: &App, req: &ApiRequest) -> Result<Reply<Enrolment>, ApiError> {
    let current = require_session(app, req).await?;
    // Enrolment asks for the password alone (with MFA on it is 409).
    let (password, _) = password_and_code(req)?;
    let enrolment = security::enrol(app, &current, &password).await?;
    Ok(Reply::new(Enrolment {
        secret: enrolment.secret.expose_secret().to_owned(),
        otpauth_uri: enrolment.otpauth_uri.expose_secret().to_owned(),
        qr_svg: enrolment.qr_svg,
    }))
}

/// `POST /v1/me/mfa/totp/confirm`: turns MFA on; the recovery codes once.
pub async fn confirm_totp(app: &App, req: &ApiRequest) -> Result<Reply<RecoveryCodes>, ApiError> {
    let current = require_session(app, req).await?;
    let body: FirstCode = req.json()?;
    let mut fields = Fields::default();
    let code = fields.secret("code", body.code);
    let code = fields.finish_with(|| code)?;
    let codes = security::confirm(app, &current, &code).await?;
    Ok(Reply::new(RecoveryCodes::shown(&codes)))
}

/// `DELETE /v1/me/mfa`: turns MFA off.
pub async fn disable(app: &App, req: &ApiRequest) -> Result<Reply<NoContent>, ApiError> {
    let current = require_session(app, req).await?;
    let (password, code) = password_and_code(req)?;
    security::disable(app, &current, &password, code.as_ref()).await?;
    Ok(Reply::new(NoContent))
}

/// `POST /v1/me/mfa/recovery-codes`: replaces the recovery codes.
pub async fn replace_recovery_codes(app: &App, req: &ApiRequest) -> Result<Reply<RecoveryCodes>, ApiError> {
    let current = require_session(app, req).await?;
    let (password, code) = password_and_code(req)?;
    let codes = security::replace_recovery_codes(app, &current, &password, code.as_ref()).await?;
    Ok(Reply::new(RecoveryCodes::shown(&codes)))
}

#[derive(Deserialize)]
struct Language {
    language: Option<String>,
}

/// `PUT /v1/me/language`: the account's language (`en` or `zh-CN`, exactly).
pub async fn set_language(app: &App, req: &ApiRequest) -> Result<Reply<NoContent>, ApiError> {
    let current = require_session(app, req).await?;
    let body: Language = req.json()?;
    let mut fields = Fields::default();
    let language = fields.parse("language", body.language.as_deref(), |tag| match tag {
        "en" => Ok(Lang::En),
        "zh-CN" => Ok(Lang::ZhCn),
        _ => Err(Code::LanguageInvalid),
    });
    let language = fields.finish_with(|| language)?;
    security::set_language(app, &current, language).await?;
    Ok(Reply::new(NoContent))
}
