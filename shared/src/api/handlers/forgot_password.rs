//! `forgot-password`: a reset link by email or a code by SMS, a forgotten
//! username, and the reset with an SMS code.

use secrecy::SecretString;
use serde::Deserialize;

use crate::api::problem::ApiError;
use crate::api::request::ApiRequest;
use crate::api::response::Reply;
use crate::api::validate::Fields;
use crate::api::views::{Empty, NoContent};
use crate::app::App;
use crate::domain::Code;
use crate::domain::{Email, Phone};
use crate::flows::forgot_password::{self, Contact, Method};

#[derive(Deserialize)]
struct Forgot {
    login: Option<String>,
    method: Option<String>,
}

/// `POST /v1/password/forgot`: `202 {}` whether or not the login exists.
pub async fn forgot(app: &App, req: &ApiRequest) -> Result<Reply<Empty>, ApiError> {
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
    forgot_password::forgot_password(app, login, method, &req.client_ip, req.lang).await?;
    Ok(Reply::new(Empty {}))
}

#[derive(Deserialize)]
struct ForgotUsername {
    email: Option<String>,
    phone: Option<String>,
}

/// `POST /v1/username/forgot`: `202 {}` whether or not an account matches.
pub async fn forgot_username(app: &App, req: &ApiRequest) -> Result<Reply<Empty>, ApiError> {
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
    forgot_password::forgot_username(app, contact, &req.client_ip, req.lang).await?;
    Ok(Reply::new(Empty {}))
}

#[derive(Deserialize)]
struct Reset {
    login: Option<String>,
    sms_code: Option<SecretString>,
    password: Option<SecretString>,
}

/// `POST /v1/password/reset`: reset with an SMS code.
pub async fn reset(app: &App, req: &ApiRequest) -> Result<Reply<NoContent>, ApiError> {
    let body: Reset = req.json()?;
    let mut fields = Fields::default();
    let login = fields.required("login", body.login.as_deref());
    let code = fields.secret("sms_code", body.sms_code);
    let password = fields.secret("password", body.password);
    let (login, code, password) = fields.finish_with(|| Some((login?, code?, password?)))?;
    forgot_password::reset_with_code(app, login, &code, &password, req.lang).await?;
    Ok(Reply::new(NoContent))
}
