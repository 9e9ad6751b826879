use secrecy::SecretString;
use serde::Deserialize;

use crate::api::auth::require_session;
use crate::api::problem::ApiError;
use crate::api::request::ApiRequest;
use crate::api::response::Reply;
use crate::api::validate::{Fields, optional_secret, password_and_code};
use crate::api::views::{AccountCreated, Empty, Items, NoContent, PolicyView, SubAccountItem};
use crate::app::App;
use crate::domain::Code;
use crate::domain::sub_account_policy::{MAX_NETWORKS, SubAccountPolicy, parse_network, parse_session_hours};
use crate::domain::{Email, Phone, Username};
use crate::flows::sub_accounts::{self, NewSubAccount};
use ipnet::IpNet;

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
    let items = accounts.iter().map(|listed| SubAccountItem::listed(&listed.account, listed.last_sign_in_at)).collect();
    Ok(Reply::new(Items { items }))
}

/// `POST /v1/me/sub-accounts/{username}/password-reset`.
pub async fn reset(app: &App, req: &ApiRequest) -> Result<Reply<Empty>, ApiError> {
    let current = require_session(app, req).await?;
    sub_accounts::send_reset(app, &current.account, req.path_param("username"), req.lang).await?;
    Ok(Reply::new(Empty {}))
}

/// `POST /v1/me/sub-accounts/{username}/disable`.
pub async fn disable(app: &App, req: &ApiRequest) -> Result<Reply<NoContent>, ApiError> {
    let current = require_session(app, req).await?;
    sub_accounts::disable(app, &current, req.path_param("username")).await?;
    Ok(Reply::new(NoContent))
}

/// `POST /v1/me/sub-accounts/{username}/enable`.
pub async fn enable(app: &App, req: &ApiRequest) -> Result<Reply<NoContent>, ApiError> {
    let current = require_session(app, req).await?;
    let (password, code) = password_and_code(req)?;
    sub_accounts::enable(app, &current, req.path_param("username"), &password, code.as_ref()).await?;
    Ok(Reply::new(NoContent))
}

/// `DELETE /v1/me/sub-accounts/{username}/sessions`.
pub async fn end_sessions(app: &App, req: &ApiRequest) -> Result<Reply<NoContent>, ApiError> {
    let current = require_session(app, req).await?;
    sub_accounts::end_sub_sessions(app, &current, req.path_param("username")).await?;
    Ok(Reply::new(NoContent))
}

/// `DELETE /v1/me/sub-accounts/{username}`.
pub async fn remove(app: &App, req: &ApiRequest) -> Result<Reply<NoContent>, ApiError> {
    let current = require_session(app, req).await?;
    let (password, code) = password_and_code(req)?;
    sub_accounts::remove(app, &current, req.path_param("username"), &password, code.as_ref(), req.lang).await?;
    Ok(Reply::new(NoContent))
}

/// `GET /v1/me/sub-account-policy`.
pub async fn policy(app: &App, req: &ApiRequest) -> Result<Reply<PolicyView>, ApiError> {
    let current = require_session(app, req).await?;
    let policy = PolicyView::from(&sub_accounts::policy(&current)?);
    // The page shows it beside the networks, so that a primary does not
    // shut its team out by mistake (the answer's body is the policy alone).
    Ok(Reply::new(policy).header("x-client-address", req.client_ip.as_str()))
}

#[derive(Deserialize)]
struct PolicyBody {
    mfa_required: Option<serde_json::Value>,
    session_hours: Option<serde_json::Value>,
    allowed_networks: Option<serde_json::Value>,
    password: Option<SecretString>,
    code: Option<SecretString>,
}

/// `PUT /v1/me/sub-account-policy`: every field is required; each refused
/// one is named (a network by its position, `allowed_networks[2]`).
pub async fn set_policy(app: &App, req: &ApiRequest) -> Result<Reply<PolicyView>, ApiError> {
    let current = require_session(app, req).await?;
    let body: PolicyBody = req.json()?;
    let mut fields = Fields::default();
    let mfa_required = match body.mfa_required {
        None | Some(serde_json::Value::Null) => {
            fields.fail("mfa_required", Code::Required);
            None
        }
        Some(value) => fields.check("mfa_required", value.as_bool().ok_or(Code::MustBeBoolean)),
    };
    let session_hours = match body.session_hours {
        None | Some(serde_json::Value::Null) => {
            fields.fail("session_hours", Code::Required);
            None
        }
        Some(value) => fields.check("session_hours", parse_session_hours(&value)),
    };
    let allowed_networks = networks(&mut fields, body.allowed_networks);
    let password = fields.secret("password", body.password);
    let (mfa_required, session_hours, allowed_networks, password) =
        fields.finish_with(|| Some((mfa_required?, session_hours?, allowed_networks?, password?)))?;
    let policy = SubAccountPolicy { mfa_required, session_hours, allowed_networks };
    let code = optional_secret(body.code);
    let set = sub_accounts::set_policy(app, &current, policy, &password, code.as_ref()).await?;
    Ok(Reply::new(PolicyView::from(&set)))
}

/// The `allowed_networks` list: an array of at most 40 CIDR strings.
fn networks(fields: &mut Fields, value: Option<serde_json::Value>) -> Option<Vec<IpNet>> {
    let items = match value {
        None | Some(serde_json::Value::Null) => {
            fields.fail("allowed_networks", Code::Required);
            return None;
        }
        Some(serde_json::Value::Array(items)) => items,
        Some(_) => {
            fields.fail("allowed_networks", Code::WrongType);
            return None;
        }
    };
    if items.len() > MAX_NETWORKS {
        {
            fields.fail("allowed_networks", Code::NetworksCount);
            return None;
        };
    }
    let mut parsed = Vec::with_capacity(items.len());
    let mut valid = true;
    for (i, item) in items.iter().enumerate() {
        let network = item.as_str().ok_or(Code::NetworkFormat).and_then(parse_network);
        match fields.check(&format!("allowed_networks[{i}]"), network) {
            Some(network) => parsed.push(network),
            None => valid = false,
        }
    }
    valid.then_some(parsed)
}
