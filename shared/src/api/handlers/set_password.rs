//! `set-password`: the emailed link's page sets the password (activating
//! the account or resetting it), shows whose link it is, or declines it;
//! and the password policy every page that takes a new password renders.

use secrecy::SecretString;
use serde::Deserialize;

use crate::api::problem::ApiError;
use crate::api::request::ApiRequest;
use crate::api::response::Reply;
use crate::api::validate::{Fields, link_token};
use crate::api::views::{LinkInfo, NoContent, PasswordPolicyView};
use crate::app::App;
use crate::clock::rfc3339;
use crate::domain::account::LinkPurpose;
use crate::flows::set_password;

#[derive(Deserialize)]
struct SetPassword {
    token: Option<SecretString>,
    password: Option<SecretString>,
    phone: Option<String>,
}

/// `POST /v1/password/set`: the one route for initial-password and reset
/// links.
pub async fn set(app: &App, req: &ApiRequest) -> Result<Reply<NoContent>, ApiError> {
    let body: SetPassword = req.json()?;
    let mut fields = Fields::default();
    let token = fields.secret("token", body.token);
    let password = fields.secret("password", body.password);
    let (token, password) = fields.finish_with(|| Some((token?, password?)))?;
    set_password::set_password(app, &token, &password, body.phone.as_deref(), req.lang).await?;
    Ok(Reply::new(NoContent))
}

/// `POST /v1/password/link`: whose link it is, without using it.
pub async fn inspect_link(app: &App, req: &ApiRequest) -> Result<Reply<LinkInfo>, ApiError> {
    let token = link_token(req)?;
    let view = set_password::inspect_link(app, &token).await?;
    let purpose = match view.purpose {
        LinkPurpose::InitialPassword => "activate",
        LinkPurpose::ResetPassword => "reset",
    };
    Ok(Reply::new(LinkInfo {
        purpose,
        username: view.username,
        phone: view.masked_phone,
        expires_at: rfc3339(view.expires_at),
    }))
}

/// `POST /v1/password/link/decline`: "this is not my sign-up" (or "I did
/// not ask for this reset").
pub async fn decline_link(app: &App, req: &ApiRequest) -> Result<Reply<NoContent>, ApiError> {
    let token = link_token(req)?;
    set_password::decline_link(app, &token).await?;
    Ok(Reply::new(NoContent))
}

/// `GET /v1/password-policy`: the active preset's rules as data. The same
/// for everyone and changed only by a redeploy, so browsers and the
/// distribution may keep it for an hour.
pub async fn policy(app: &App, _req: &ApiRequest) -> Result<Reply<PasswordPolicyView>, ApiError> {
    let view = PasswordPolicyView::of(app.config.password_policy, app.config.breached_passwords.is_some());
    Ok(Reply::new(view).header("cache-control", "public, max-age=3600"))
}
