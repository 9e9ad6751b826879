use lambda_http::http::StatusCode;
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::json;

use crate::api::auth::require_session;
use crate::api::problem::ApiError;
use crate::api::request::{ApiRequest, SESSION_COOKIE};
use crate::api::response::ApiResponse;
use crate::api::validate::Fields;
use crate::api::views;
use crate::app::App;
use crate::clock::rfc3339;
use crate::flows::sessions;

#[derive(Deserialize)]
struct CreateSession {
    login: Option<String>,
    password: Option<String>,
}

fn session_cookie(value: &str, max_age: i64) -> String {
    format!("{SESSION_COOKIE}={value}; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age={max_age}")
}

/// `POST /v1/sessions`: sign in; the token is returned and set as cookie.
pub async fn create(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let body: CreateSession = req.json()?;
    let mut fields = Fields::default();
    let login = fields.required("login", body.login.as_deref());
    let password = fields.required("password", body.password.as_deref());
    let (login, password) = fields.finish_with(|| Some((login?, password?)))?;
    let session = sessions::sign_in(app, login, password).await?;
    let max_age = session.expires_at - app.clock.now();
    Ok(ApiResponse::json(
        StatusCode::CREATED,
        &json!({
            "token": session.token.expose_secret(),
            "expires_at": rfc3339(session.expires_at),
            "account": views::account(&session.account),
        }),
    )
    .header("set-cookie", session_cookie(session.token.expose_secret(), max_age)))
}

/// `DELETE /v1/sessions/current`: sign out.
pub async fn delete_current(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let current = require_session(app, req).await?;
    sessions::sign_out(app, &current).await?;
    Ok(ApiResponse::no_content().header("set-cookie", session_cookie("", 0)))
}

/// `GET /v1/me`.
pub async fn me(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let current = require_session(app, req).await?;
    Ok(ApiResponse::json(StatusCode::OK, &views::account(&current.account)))
}
