//! Passkeys: registration and management from the security centre, and the
//! usernameless sign-in (`POST /v1/sessions/passkey`).

use serde::Deserialize;
use serde_json::Value;

use super::sessions::session_created;
use crate::api::auth::require_session;
use crate::api::problem::ApiError;
use crate::api::request::ApiRequest;
use crate::api::response::Reply;
use crate::api::validate::{Fields, password_and_code};
use crate::api::views::{
    Items, NoContent, PasskeyChallenge, PasskeyCreated, PasskeyItem, PasskeyRegistration, SessionCreated,
};
use crate::app::App;
use crate::domain::{ChallengeId, Code, RegistrationId};
use crate::flows::{FlowError, passkeys};

/// `POST /v1/me/passkeys/options`: creation options, after the re-check.
pub async fn registration_options(app: &App, req: &ApiRequest) -> Result<Reply<PasskeyRegistration>, ApiError> {
    let current = require_session(app, req).await?;
    let (password, code) = password_and_code(req)?;
    let started = passkeys::begin_registration(app, &current, &password, code.as_ref()).await?;
    Ok(Reply::new(PasskeyRegistration { registration_id: started.id, options: started.options }))
}

#[derive(Deserialize)]
struct Finish {
    registration_id: Option<String>,
    credential: Option<Value>,
    name: Option<String>,
}

/// `POST /v1/me/passkeys`: the browser's credential for a registration.
pub async fn add(app: &App, req: &ApiRequest) -> Result<Reply<PasskeyCreated>, ApiError> {
    let current = require_session(app, req).await?;
    let body: Finish = req.json()?;
    let mut fields = Fields::default();
    // A malformed id names no registration: the same answer as an unknown one.
    let registration_id = fields.parse("registration_id", body.registration_id.as_deref(), |raw| {
        RegistrationId::parse(raw).ok_or(Code::InvalidRegistration)
    });
    let credential = body.credential.filter(Value::is_object);
    if credential.is_none() {
        fields.fail("credential", Code::Required);
    }
    let name = fields.optional("name", body.name.as_deref(), passkeys::parse_name);
    let (registration_id, credential) = fields.finish_with(|| Some((registration_id?, credential?)))?;
    let passkey = passkeys::finish_registration(app, &current, &registration_id, &credential, name).await?;
    Ok(Reply::new(PasskeyCreated::from(&passkey)))
}

/// `GET /v1/me/passkeys`.
pub async fn list(app: &App, req: &ApiRequest) -> Result<Reply<Items<PasskeyItem>>, ApiError> {
    let current = require_session(app, req).await?;
    let items = passkeys::list(app, &current).await?.iter().map(PasskeyItem::from).collect();
    Ok(Reply::new(Items { items }))
}

#[derive(Deserialize)]
struct Rename {
    name: Option<String>,
}

/// `PATCH /v1/me/passkeys/{passkey_id}`: a new name.
pub async fn rename(app: &App, req: &ApiRequest) -> Result<Reply<PasskeyItem>, ApiError> {
    let current = require_session(app, req).await?;
    let body: Rename = req.json()?;
    let mut fields = Fields::default();
    let name = fields.parse("name", body.name.as_deref(), passkeys::parse_name);
    let name = fields.finish_with(|| name)?;
    let passkey_id = req.path_id("passkey_id", Code::PasskeyNotFound)?;
    let passkey = passkeys::rename(app, &current, &passkey_id, name).await?;
    Ok(Reply::new(PasskeyItem::from(&passkey)))
}

/// `DELETE /v1/me/passkeys/{passkey_id}`: removes one, after the re-check.
pub async fn remove(app: &App, req: &ApiRequest) -> Result<Reply<NoContent>, ApiError> {
    let current = require_session(app, req).await?;
    let (password, code) = password_and_code(req)?;
    let passkey_id = req.path_id("passkey_id", Code::PasskeyNotFound)?;
    passkeys::remove(app, &current, &passkey_id, &password, code.as_ref()).await?;
    Ok(Reply::new(NoContent))
}

/// `POST /v1/sessions/passkey/options`: request options for a sign-in.
pub async fn sign_in_options(app: &App, req: &ApiRequest) -> Result<Reply<PasskeyChallenge>, ApiError> {
    let _: Value = req.json()?;
    let started = passkeys::begin_sign_in(app).await?;
    Ok(Reply::new(PasskeyChallenge { challenge_id: started.id, options: started.options }))
}

#[derive(Deserialize)]
struct SignIn {
    challenge_id: Option<String>,
    credential: Option<Value>,
}

/// `POST /v1/sessions/passkey`: signs in with a passkey; the token is
/// returned and set as the cookie, as for a password.
pub async fn sign_in(app: &App, req: &ApiRequest) -> Result<Reply<SessionCreated>, ApiError> {
    let body: SignIn = req.json()?;
    let mut fields = Fields::default();
    let challenge_id = fields.required("challenge_id", body.challenge_id.as_deref());
    let credential = body.credential.filter(Value::is_object);
    if credential.is_none() {
        fields.fail("credential", Code::Required);
    }
    let (challenge_id, credential) = fields.finish_with(|| Some((challenge_id?, credential?)))?;
    // A malformed id names no challenge: refused like an unknown one.
    let challenge_id = ChallengeId::parse(challenge_id).ok_or(FlowError::InvalidCredentials)?;
    let session = passkeys::sign_in(app, &challenge_id, &credential, &req.client()).await?;
    Ok(session_created(app, &session, None))
}
