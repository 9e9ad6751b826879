//! `change-password`: the signed-in customer's new password.

use secrecy::SecretString;
use serde::Deserialize;

use crate::api::auth::require_session;
use crate::api::problem::ApiError;
use crate::api::request::ApiRequest;
use crate::api::response::Reply;
use crate::api::validate::{Fields, optional_secret};
use crate::api::views::NoContent;
use crate::app::App;
use crate::flows::change_password::{self, PasswordChange};

#[derive(Deserialize)]
struct Change {
    current_password: Option<SecretString>,
    new_password: Option<SecretString>,
    code: Option<SecretString>,
}

/// `PUT /v1/me/password`.
pub async fn change(app: &App, req: &ApiRequest) -> Result<Reply<NoContent>, ApiError> {
    let current = require_session(app, req).await?;
    let body: Change = req.json()?;
    let mut fields = Fields::default();
    let current_password = fields.secret("current_password", body.current_password);
    let new_password = fields.secret("new_password", body.new_password);
    let (current_password, new_password) = fields.finish_with(|| Some((current_password?, new_password?)))?;
    let change = PasswordChange { current_password, new_password, code: optional_secret(body.code) };
    change_password::change_password(app, &current, change, req.lang).await?;
    Ok(Reply::new(NoContent))
}
