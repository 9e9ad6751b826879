use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::api::auth::require_session;
use crate::api::problem::ApiError;
use crate::api::request::{ApiRequest, DEVICE_COOKIE, SESSION_COOKIE};
use crate::api::response::{Either, Reply};
use crate::api::validate::Fields;
use crate::api::views::{AccountView, MfaRequired, NoContent, SessionCreated};
use crate::app::App;
use crate::clock::rfc3339;
use crate::domain::Phone;
use crate::domain::devices::DEVICE_SECS;
use crate::flows::second_step::{MFA_TOKEN_SECS, SecondStep, SignIn};
use crate::flows::signed_in::NewSession;
use crate::flows::{sessions, sms_sign_in};

#[derive(Deserialize)]
struct CreateSession {
    login: Option<String>,
    password: Option<SecretString>,
    device_token: Option<SecretString>,
}

fn session_cookie(value: &str, max_age: i64) -> String {
    format!("{SESSION_COOKIE}={value}; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age={max_age}")
}

/// The remembered device's cookie: sent back only to the sign-in routes.
fn device_cookie(value: &str) -> String {
    format!("{DEVICE_COOKIE}={value}; HttpOnly; Secure; SameSite=Lax; Path=/v1/sessions; Max-Age={DEVICE_SECS}")
}

/// `POST /v1/sessions`: sign in; the token is returned and set as cookie.
pub async fn create(app: &App, req: &ApiRequest) -> Result<Reply<Either<SessionCreated, MfaRequired>>, ApiError> {
    let body: CreateSession = req.json()?;
    let mut fields = Fields::default();
    let login = fields.required("login", body.login.as_deref());
    let password = fields.secret("password", body.password);
    let (login, password) = fields.finish_with(|| Some((login?, password?)))?;
    let device = body.device_token.or_else(|| req.device_cookie());
    let signed_in = sessions::sign_in(app, login, &password, &req.client(), device.as_ref()).await?;
    Ok(signed_in_or_second_step(app, signed_in))
}

#[derive(Deserialize)]
struct CreateSmsSession {
    phone: Option<String>,
    sms_code: Option<SecretString>,
    device_token: Option<SecretString>,
}

/// `POST /v1/sessions/sms`: sign in with a code texted to the phone. A
/// phone that cannot be an account's is answered as a wrong code.
pub async fn create_with_sms_code(
    app: &App,
    req: &ApiRequest,
) -> Result<Reply<Either<SessionCreated, MfaRequired>>, ApiError> {
    let body: CreateSmsSession = req.json()?;
    let mut fields = Fields::default();
    let phone = fields.required("phone", body.phone.as_deref());
    let code = fields.secret("sms_code", body.sms_code);
    let (phone, code) = fields.finish_with(|| Some((phone?, code?)))?;
    let phone = Phone::parse_for_sms(phone, &app.config.sms_regions).ok();
    let device = body.device_token.or_else(|| req.device_cookie());
    let signed_in = sms_sign_in::sign_in(app, phone.as_ref(), &code, &req.client(), device.as_ref()).await?;
    Ok(signed_in_or_second_step(app, signed_in))
}

fn signed_in_or_second_step(app: &App, signed_in: SignIn) -> Reply<Either<SessionCreated, MfaRequired>> {
    match signed_in {
        SignIn::Session(session) => session_created(app, &session, None).map(Either::First),
        SignIn::SecondFactor { mfa_token, method } => Reply::new(Either::Second(MfaRequired {
            mfa_required: true,
            mfa_token: mfa_token.expose_secret().to_owned(),
            expires_in: MFA_TOKEN_SECS,
            method: (method == SecondStep::EmailCode).then(|| "email_code".to_owned()),
        })),
    }
}

/// `201` with the session's token, also set as the cookie (and a
/// remembered device's token, also set as its cookie).
pub(crate) fn session_created(
    app: &App,
    session: &NewSession,
    device_token: Option<&SecretString>,
) -> Reply<SessionCreated> {
    let max_age = session.expires_at - app.clock.now();
    let reply = Reply::new(SessionCreated {
        token: session.token.expose_secret().to_owned(),
        expires_at: rfc3339(session.expires_at),
        account: AccountView::from(&session.account),
        mfa_enrolment_required: session.enrolment_only.then_some(true),
        device_token: device_token.map(|token| token.expose_secret().to_owned()),
    })
    .header("set-cookie", session_cookie(session.token.expose_secret(), max_age));
    match device_token {
        Some(token) => reply.header("set-cookie", device_cookie(token.expose_secret())),
        None => reply,
    }
}

#[derive(Deserialize)]
struct SecondFactor {
    mfa_token: Option<SecretString>,
    code: Option<SecretString>,
    remember_device: Option<bool>,
}

/// `POST /v1/sessions/mfa`: the second step of a sign-in.
pub async fn create_with_second_factor(app: &App, req: &ApiRequest) -> Result<Reply<SessionCreated>, ApiError> {
    let body: SecondFactor = req.json()?;
    let mut fields = Fields::default();
    let mfa_token = fields.secret("mfa_token", body.mfa_token);
    let code = fields.secret("code", body.code);
    let (mfa_token, code) = fields.finish_with(|| Some((mfa_token?, code?)))?;
    let remember = body.remember_device.unwrap_or(false);
    let passed = sessions::sign_in_second_factor(app, &mfa_token, &code, &req.client(), remember).await?;
    Ok(session_created(app, &passed.session, passed.device_token.as_ref()))
}

/// `DELETE /v1/sessions/current`: sign out.
pub async fn delete_current(app: &App, req: &ApiRequest) -> Result<Reply<NoContent>, ApiError> {
    let current = require_session(app, req).await?;
    sessions::sign_out(app, &current).await?;
    Ok(Reply::new(NoContent).header("set-cookie", session_cookie("", 0)))
}

/// `GET /v1/me`.
pub async fn me(app: &App, req: &ApiRequest) -> Result<Reply<AccountView>, ApiError> {
    let current = require_session(app, req).await?;
    let view = AccountView {
        mfa_enrolment_required: current.enrolment_only().then_some(true),
        ..AccountView::from(&current.account)
    };
    Ok(Reply::new(view))
}
