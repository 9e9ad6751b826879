use secrecy::SecretString;
use serde::Deserialize;

use crate::api::auth::require_session;
use crate::api::problem::ApiError;
use crate::api::request::ApiRequest;
use crate::api::response::Reply;
use crate::api::validate::{Fields, optional_secret};
use crate::api::views::{AccountCreated, Empty, Items, SubAccountItem};
use crate::app::App;
use crate::domain::Code;
use crate::domain::{Email, Phone, Username};
use crate::flows::sub_accounts::{self, NewSubAccount};

#[derive(Deserialize)]
struct CreateSubAccount {
    username: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    sms_code: Option<SecretString>,
    code: Option<SecretString>,
}

/// `POST /v1/me/sub-accounts`.
pub async fn create(app: &App, req: &ApiRequest) -> Result<Reply<AccountCreated>, ApiError> {
    let current = require_session(app, req).await?;
    let body: CreateSubAccount = req.json()?;
    let mut fields = Fields::default();
    let username = fields.parse("username", body.username.as_deref(), |u| Username::parse(u).map_err(|e| e.code()));
    let email = fields.parse("email", body.email.as_deref(), Email::parse);
    let phone =
        fields.optional("phone", body.phone.as_deref(), |raw| Phone::parse_for_sms(raw, &app.config.sms_regions));
    let sms_code = optional_secret(body.sms_code);
    if body.phone.as_deref().is_some_and(|p| !p.is_empty()) && sms_code.is_none() {
        fields.fail("sms_code", Code::Required);
    }
    let (username, email) = fields.finish_with(|| Some((username?, email?)))?;
    let new = NewSubAccount { username, email, phone, sms_code, code: optional_secret(body.code) };
    let account = sub_accounts::create(app, &current, new, req.lang).await?;
    Ok(Reply::new(AccountCreated::from(&account)))
}

/// `GET /v1/me/sub-accounts`.
pub async fn list(app: &App, req: &ApiRequest) -> Result<Reply<Items<SubAccountItem>>, ApiError> {
    let current = require_session(app, req).await?;
    let accounts = sub_accounts::list(app, &current.account).await?;
    Ok(Reply::new(Items { items: accounts.iter().map(SubAccountItem::from).collect() }))
}

/// `POST /v1/me/sub-accounts/{username}/password-reset`.
pub async fn reset(app: &App, req: &ApiRequest) -> Result<Reply<Empty>, ApiError> {
    let current = require_session(app, req).await?;
    let username = req.path_params.first("username").unwrap_or_default();
    sub_accounts::send_reset(app, &current.account, username, req.lang).await?;
    Ok(Reply::new(Empty {}))
}
