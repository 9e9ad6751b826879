//! `sign-up`: a new account, pending until its initial password is set.

use secrecy::SecretString;
use serde::Deserialize;

use crate::api::problem::ApiError;
use crate::api::request::ApiRequest;
use crate::api::response::Reply;
use crate::api::validate::{Fields, bounded_text};
use crate::api::views::AccountCreated;
use crate::app::App;
use crate::domain::Code;
use crate::domain::{Email, Phone, Username};
use crate::flows::sign_up::{self, SignUp};

#[derive(Deserialize)]
struct CreateAccount {
    username: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    sms_code: Option<SecretString>,
    organization: Option<String>,
    referrer_phone: Option<String>,
    accept_terms: Option<bool>,
}

/// Longest organisation name kept.
const ORGANIZATION_MAX: usize = 100;

/// `POST /v1/accounts`: sign-up.
pub async fn create(app: &App, req: &ApiRequest) -> Result<Reply<AccountCreated>, ApiError> {
    let body: CreateAccount = req.json()?;
    let mut fields = Fields::default();
    let username = fields.parse("username", body.username.as_deref(), |u| Username::parse(u).map_err(|e| e.code()));
    let email = fields.parse("email", body.email.as_deref(), Email::parse);
    let phone = fields.parse("phone", body.phone.as_deref(), |raw| Phone::parse_for_sms(raw, &app.config.sms_regions));
    let sms_code = fields.secret("sms_code", body.sms_code);
    let organization = fields.optional("organization", body.organization.as_deref(), bounded_text(ORGANIZATION_MAX));
    let referrer_phone = fields.optional("referrer_phone", body.referrer_phone.as_deref(), Phone::parse);
    match body.accept_terms {
        Some(true) => {}
        Some(false) => fields.fail("accept_terms", Code::TermsNotAccepted),
        None => fields.fail("accept_terms", Code::Required),
    }
    let (username, email, phone, sms_code) = fields.finish_with(|| Some((username?, email?, phone?, sms_code?)))?;
    let request = SignUp { username, email, phone, sms_code, organization, referrer_phone, lang: req.lang };
    let account = sign_up::sign_up(app, request).await?;
    Ok(Reply::new(AccountCreated::from(&account)))
}
