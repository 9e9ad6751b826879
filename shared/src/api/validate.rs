//! Collects every failing field of a request before answering, so a client
//! sees all its mistakes at once.

use secrecy::{ExposeSecret, SecretString};

use super::problem::{ApiError, FieldError};
use super::request::ApiRequest;
use crate::domain::Code;
use crate::flows::FlowError;

/// Accumulates field errors while parsing a body into domain types.
#[derive(Debug, Default)]
pub struct Fields {
    errors: Vec<FieldError>,
}

impl Fields {
    /// Records a failure.
    pub fn fail(&mut self, field: &str, code: Code) {
        self.errors.push(FieldError::new(field, code));
    }

    /// A required text field: records `required` when missing or empty.
    pub fn required<'a>(&mut self, field: &str, value: Option<&'a str>) -> Option<&'a str> {
        match value {
            Some(v) if !v.is_empty() => Some(v),
            _ => {
                self.fail(field, Code::Required);
                None
            }
        }
    }

    /// A required secret (a password, code or token): `required` when
    /// missing or empty. Secrets stay typed as secrets from the body on.
    pub fn secret(&mut self, field: &str, value: Option<SecretString>) -> Option<SecretString> {
        let value = optional_secret(value);
        if value.is_none() {
            self.fail(field, Code::Required);
        }
        value
    }

    /// A required field parsed by `parse`, whose error is the field code.
    pub fn parse<T>(
        &mut self,
        field: &str,
        value: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, Code>,
    ) -> Option<T> {
        let raw = self.required(field, value)?;
        self.check(field, parse(raw))
    }

    /// An optional field parsed by `parse` when present and not empty.
    pub fn optional<T>(
        &mut self,
        field: &str,
        value: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, Code>,
    ) -> Option<T> {
        match value {
            Some(raw) if !raw.is_empty() => self.check(field, parse(raw)),
            _ => None,
        }
    }

    /// Records the error of `result`, if any.
    pub fn check<T>(&mut self, field: &str, result: Result<T, Code>) -> Option<T> {
        result.map_err(|code| self.fail(field, code)).ok()
    }

    /// `Ok` when nothing failed, else `422` listing every failure.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() { Ok(()) } else { Err(ApiError::Invalid(self.errors)) }
    }

    /// The typed values, built by `parsed` from the fields' `Option`s once
    /// nothing failed; else `422` listing every failure. A field that
    /// recorded no failure yet parsed to nothing is a bug of ours: `500`,
    /// never a panic in a request.
    pub fn finish_with<T>(self, parsed: impl FnOnce() -> Option<T>) -> Result<T, ApiError> {
        self.finish()?;
        parsed().ok_or_else(|| FlowError::Internal("a field passed but parsed to nothing".into()).into())
    }
}

/// The body of a route that re-checks the person: the password, and a code
/// while two-factor sign-in is on.
#[derive(serde::Deserialize)]
struct Reauthentication {
    password: Option<SecretString>,
    code: Option<SecretString>,
}

/// The password (required) and code (optional) of a re-check of the person
/// (`flows::lockout::reauthenticate` judges them, the code after the
/// password, so a missing code is not a field error here).
pub fn password_and_code(req: &ApiRequest) -> Result<(SecretString, Option<SecretString>), ApiError> {
    let body: Reauthentication = req.json()?;
    let mut fields = Fields::default();
    let password = fields.secret("password", body.password);
    let password = fields.finish_with(|| password)?;
    Ok((password, optional_secret(body.code)))
}

/// The body of a route that takes an emailed link's token.
#[derive(serde::Deserialize)]
struct LinkToken {
    token: Option<SecretString>,
}

/// The `token` of a link's body (required): every link route reads it so.
pub fn link_token(req: &ApiRequest) -> Result<SecretString, ApiError> {
    let body: LinkToken = req.json()?;
    let mut fields = Fields::default();
    let token = fields.secret("token", body.token);
    fields.finish_with(|| token)
}

/// An optional secret: none when missing or empty.
pub fn optional_secret(value: Option<SecretString>) -> Option<SecretString> {
    value.filter(|v| !v.expose_secret().is_empty())
}

/// A free-text field of at most `max` characters.
pub fn bounded_text(max: usize) -> impl Fn(&str) -> Result<String, Code> {
    move |raw| {
        let trimmed = raw.trim();
        if trimmed.chars().count() > max { Err(Code::TooLong) } else { Ok(trimmed.to_owned()) }
    }
}
