use secrecy::SecretString;
use serde::Deserialize;

use crate::api::auth::require_session;
use crate::api::problem::ApiError;
use crate::api::request::ApiRequest;
use crate::api::response::Reply;
use crate::api::validate::{Fields, bounded_text, optional_secret};
use crate::api::views::{DeletionCreated, DeletionView, NoContent};
use crate::app::App;
use crate::domain::Code;
use crate::domain::account::DeletionStatus;
use crate::flows::{FlowError, deletion};

#[derive(Deserialize)]
struct RequestDeletion {
    password: Option<SecretString>,
    code: Option<SecretString>,
    reason: Option<String>,
}

/// `POST /v1/me/deletion-request`.
pub async fn request(app: &App, req: &ApiRequest) -> Result<Reply<DeletionCreated>, ApiError> {
    let current = require_session(app, req).await?;
    let body: RequestDeletion = req.json()?;
    let mut fields = Fields::default();
    let password = fields.secret("password", body.password);
    let reason = fields.optional("reason", body.reason.as_deref(), bounded_text(500));
    let password = fields.finish_with(|| password)?;
    let code = optional_secret(body.code);
    let request = deletion::request(app, &current, &password, code.as_ref(), reason, req.lang).await?;
    Ok(Reply::new(DeletionCreated { request_id: request.request_id, status: request.status.as_str() }))
}

/// `GET /v1/me/deletion-request`.
pub async fn get(app: &App, req: &ApiRequest) -> Result<Reply<DeletionView>, ApiError> {
    let current = require_session(app, req).await?;
    let request = deletion::current(app, &current.account.account_id)
        .await?
        .filter(|r| r.status != DeletionStatus::None)
        .ok_or(FlowError::NotFound(Code::NoDeletionRequest))?;
    Ok(Reply::new(DeletionView::from(&request)))
}

/// `DELETE /v1/me/deletion-request`.
pub async fn cancel(app: &App, req: &ApiRequest) -> Result<Reply<NoContent>, ApiError> {
    let current = require_session(app, req).await?;
    deletion::cancel(app, &current.account).await?;
    Ok(Reply::new(NoContent))
}
