//! The account centre's security section: sessions and two-factor sign-in.

use lambda_http::http::StatusCode;
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::json;

use crate::api::auth::require_session;
use crate::api::problem::ApiError;
use crate::api::request::ApiRequest;
use crate::api::response::ApiResponse;
use crate::api::validate::Fields;
use crate::api::views;
use crate::app::App;
use crate::flows::{mfa, sessions};

/// `GET /v1/me/sessions`: the account's live sessions, newest first.
pub async fn list_sessions(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let current = require_session(app, req).await?;
    let items: Vec<_> = sessions::list_sessions(app, &current).await?.iter().map(views::session).collect();
    Ok(ApiResponse::json(StatusCode::OK, &json!({ "items": items })))
}

/// `DELETE /v1/me/sessions/{session_id}`: ends one session.
pub async fn end_session(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let current = require_session(app, req).await?;
    let session_id = req.path_params.first("session_id").unwrap_or_default();
    sessions::end_session(app, &current, session_id).await?;
    Ok(ApiResponse::no_content())
}

/// `DELETE /v1/me/sessions`: ends every session but this one.
pub async fn end_other_sessions(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let current = require_session(app, req).await?;
    sessions::end_other_sessions(app, &current).await?;
    Ok(ApiResponse::no_content())
}

#[derive(Deserialize)]
struct Password {
    password: Option<String>,
}

/// `POST /v1/me/mfa/totp`: starts enrolment.
pub async fn enrol_totp(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let current = require_session(app, req).await?;
    let body: Password = req.json()?;
    let mut fields = Fields::default();
    let password = fields.required("password", body.password.as_deref()).map(str::to_owned);
    let password = fields.finish_with(|| password)?;
    let enrolment = mfa::enrol(app, &current, &password).await?;
    Ok(ApiResponse::json(
        StatusCode::CREATED,
        &json!({
            "secret": enrolment.secret.expose_secret(),
            "otpauth_uri": enrolment.otpauth_uri.expose_secret(),
            "qr_svg": enrolment.qr_svg,
        }),
    ))
}

#[derive(Deserialize)]
struct Code {
    code: Option<String>,
    password: Option<String>,
}

/// `POST /v1/me/mfa/totp/confirm`: turns MFA on; the recovery codes once.
pub async fn confirm_totp(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let current = require_session(app, req).await?;
    let body: Code = req.json()?;
    let mut fields = Fields::default();
    let code = fields.required("code", body.code.as_deref()).map(str::to_owned);
    let code = fields.finish_with(|| code)?;
    let recovery_codes = mfa::confirm(app, &current, &code).await?;
    Ok(ApiResponse::json(StatusCode::OK, &json!({ "recovery_codes": recovery_codes })))
}

/// `DELETE /v1/me/mfa`: turns MFA off.
pub async fn disable(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let current = require_session(app, req).await?;
    let body: Code = req.json()?;
    let mut fields = Fields::default();
    let password = fields.required("password", body.password.as_deref());
    let code = fields.required("code", body.code.as_deref());
    let (password, code) = fields.finish_with(|| Some((password?, code?)))?;
    mfa::disable(app, &current, password, code).await?;
    Ok(ApiResponse::no_content())
}
