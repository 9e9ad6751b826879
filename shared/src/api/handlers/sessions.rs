use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::api::auth::require_session;
use crate::api::problem::ApiError;
use crate::api::request::{ApiRequest, SESSION_COOKIE};
use crate::api::response::{Either, Reply};
use crate::api::validate::Fields;
use crate::api::views::{AccountView, MfaRequired, NoContent, SessionCreated};
use crate::app::App;
use crate::clock::rfc3339;
use crate::flows::sessions::{self, SignIn};
use crate::flows::signed_in::NewSession;

#[derive(Deserialize)]
struct CreateSession {
    login: Option<String>,
    password: Option<SecretString>,
}

fn session_cookie(value: &str, max_age: i64) -> String {
    format!("{SESSION_COOKIE}={value}; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age={max_age}")
}

/// `POST /v1/sessions`: sign in; the token is returned and set as cookie.
pub async fn create(app: &App, req: &ApiRequest) -> Result<Reply<Either<SessionCreated, MfaRequired>>, ApiError> {
    let body: CreateSession = req.json()?;
    let mut fields = Fields::default();
    let login = fields.required("login", body.login.as_deref());
    let password = fields.secret("password", body.password);
    let (login, password) = fields.finish_with(|| Some((login?, password?)))?;
    match sessions::sign_in(app, login, &password, &req.client()).await? {
        SignIn::Session(session) => Ok(session_created(app, &session).map(Either::First)),
        SignIn::SecondFactor { mfa_token } => Ok(Reply::new(Either::Second(MfaRequired {
            mfa_required: true,
            mfa_token: mfa_token.expose_secret().to_owned(),
            expires_in: sessions::MFA_TOKEN_SECS,
        }))),
    }
}

/// `201` with the session's token, also set as the cookie.
pub(crate) fn session_created(app: &App, session: &NewSession) -> Reply<SessionCreated> {
    let max_age = session.expires_at - app.clock.now();
    Reply::new(SessionCreated {
        token: session.token.expose_secret().to_owned(),
        expires_at: rfc3339(session.expires_at),
        account: AccountView::from(&session.account),
        mfa_enrolment_required: session.enrolment_only.then_some(true),
    })
    .header("set-cookie", session_cookie(session.token.expose_secret(), max_age))
}

#[derive(Deserialize)]
struct SecondFactor {
    mfa_token: Option<SecretString>,
    code: Option<SecretString>,
}

/// `POST /v1/sessions/mfa`: the second step of a sign-in with MFA on.
pub async fn create_with_second_factor(app: &App, req: &ApiRequest) -> Result<Reply<SessionCreated>, ApiError> {
    let body: SecondFactor = req.json()?;
    let mut fields = Fields::default();
    let mfa_token = fields.secret("mfa_token", body.mfa_token);
    let code = fields.secret("code", body.code);
    let (mfa_token, code) = fields.finish_with(|| Some((mfa_token?, code?)))?;
    let session = sessions::sign_in_second_factor(app, &mfa_token, &code, &req.client()).await?;
    Ok(session_created(app, &session))
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
