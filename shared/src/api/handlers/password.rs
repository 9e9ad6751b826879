use lambda_http::http::StatusCode;
use secrecy::SecretString;
use serde::Deserialize;

use crate::api::auth::require_session;
use crate::api::problem::ApiError;
use crate::api::request::ApiRequest;
use crate::api::response::ApiResponse;
use crate::api::validate::{Fields, link_token, optional_secret};
use crate::api::views::{Empty, LinkInfo};
use crate::app::App;
use crate::clock::rfc3339;
use crate::domain::Code;
use crate::domain::account::LinkPurpose;
use crate::domain::{Email, Phone};
use crate::flows::change_password::{self, PasswordChange};
use crate::flows::password_recovery::{self, Contact, Method};
use crate::flows::set_password;

#[derive(Deserialize)]
struct SetPassword {
    token: Option<SecretString>,
    password: Option<SecretString>,
    phone: Option<String>,
}

/// `POST /v1/password/set`: the one route for initial-password and reset
/// links.
pub async fn set(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let body: SetPassword = req.json()?;
    let mut fields = Fields::default();
    let token = fields.secret("token", body.token);
    let password = fields.secret("password", body.password);
    let (token, password) = fields.finish_with(|| Some((token?, password?)))?;
    set_password::set_password(app, &token, &password, body.phone.as_deref(), req.lang).await?;
    Ok(ApiResponse::no_content())
}

/// `POST /v1/password/link`: whose link it is, without using it.
pub async fn inspect_link(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let token = link_token(req)?;
    let view = set_password::inspect_link(app, &token).await?;
    let purpose = match view.purpose {
        LinkPurpose::InitialPassword => "activate",
        LinkPurpose::ResetPassword => "reset",
    };
    Ok(ApiResponse::json(
        StatusCode::OK,
        &LinkInfo { purpose, username: view.username, phone: view.masked_phone, expires_at: rfc3339(view.expires_at) },
    ))
}

/// `POST /v1/password/link/decline`: "this is not my sign-up" (or "I did
/// not ask for this reset").
pub async fn decline_link(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let token = link_token(req)?;
    set_password::decline_link(app, &token).await?;
    Ok(ApiResponse::no_content())
}

#[derive(Deserialize)]
struct Forgot {
    login: Option<String>,
    method: Option<String>,
}

/// `POST /v1/password/forgot`: `202 {}` whether or not the login exists.
pub async fn forgot(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let body: Forgot = req.json()?;
    let mut fields = Fields::default();
    let login = fields.required("login", body.login.as_deref());
    let method = match body.method.as_deref() {
        None | Some("email") => Some(Method::Email),
        Some("sms") => Some(Method::Sms),
        Some(_) => {
            fields.fail("method", Code::MethodInvalid);
            None
        }
    };
    let (login, method) = fields.finish_with(|| Some((login?, method?)))?;
    password_recovery::forgot_password(app, login, method, &req.client_ip, req.lang).await?;
    Ok(ApiResponse::json(StatusCode::ACCEPTED, &Empty {}))
}

#[derive(Deserialize)]
struct ForgotUsername {
    email: Option<String>,
    phone: Option<String>,
}

/// `POST /v1/username/forgot`: `202 {}` whether or not an account matches.
pub async fn forgot_username(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let body: ForgotUsername = req.json()?;
    let mut fields = Fields::default();
    let contact =
        match (body.email.as_deref().filter(|e| !e.is_empty()), body.phone.as_deref().filter(|p| !p.is_empty())) {
            (Some(email), None) => fields.check("email", Email::parse(email)).map(Contact::Email),
            (None, Some(phone)) => {
                fields.check("phone", Phone::parse_for_sms(phone, &app.config.sms_regions)).map(Contact::Phone)
            }
            (Some(_), Some(_)) => {
                fields.fail("phone", Code::EmailOrPhone);
                None
            }
            (None, None) => {
                fields.fail("email", Code::Required);
                None
            }
        };
    let contact = fields.finish_with(|| contact)?;
    password_recovery::forgot_username(app, contact, &req.client_ip, req.lang).await?;
    Ok(ApiResponse::json(StatusCode::ACCEPTED, &Empty {}))
}

#[derive(Deserialize)]
struct Reset {
    login: Option<String>,
    sms_code: Option<SecretString>,
    password: Option<SecretString>,
}

/// `POST /v1/password/reset`: reset with an SMS code.
pub async fn reset(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let body: Reset = req.json()?;
    let mut fields = Fields::default();
    let login = fields.required("login", body.login.as_deref());
    let code = fields.secret("sms_code", body.sms_code);
    let password = fields.secret("password", body.password);
    let (login, code, password) = fields.finish_with(|| Some((login?, code?, password?)))?;
    password_recovery::reset_with_code(app, login, &code, &password, req.lang).await?;
    Ok(ApiResponse::no_content())
}

#[derive(Deserialize)]
struct Change {
    current_password: Option<SecretString>,
    new_password: Option<SecretString>,
    code: Option<SecretString>,
}

/// `PUT /v1/me/password`.
pub async fn change(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let current = require_session(app, req).await?;
    let body: Change = req.json()?;
    let mut fields = Fields::default();
    let current_password = fields.secret("current_password", body.current_password);
    let new_password = fields.secret("new_password", body.new_password);
    let (current_password, new_password) = fields.finish_with(|| Some((current_password?, new_password?)))?;
    let change = PasswordChange { current_password, new_password, code: optional_secret(body.code) };
    change_password::change_password(app, &current, change, req.lang).await?;
    Ok(ApiResponse::no_content())
}
