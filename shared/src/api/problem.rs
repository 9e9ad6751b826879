//! The one mapping from errors to RFC 9457 problem JSON.

use lambda_http::http::StatusCode;
use serde_json::json;

use super::response::ApiResponse;
use crate::domain::{Code, Input, Refusal};
use crate::flows::FlowError;
use crate::i18n::Lang;

/// Seconds a client is asked to wait when a dependency is down.
const UNAVAILABLE_RETRY_AFTER: i64 = 5;

/// One failing field of a request: the field's name in the JSON body and
/// its code, whose message in each language comes with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The request field, as named in the JSON body.
    pub field: String,
    /// Why it fails, e.g. `username_format`.
    pub code: Code,
}

impl FieldError {
    /// A failing `field` with `code`.
    pub fn new(field: impl Into<String>, code: Code) -> Self {
        Self { field: field.into(), code }
    }

    /// The field a flow's `refusal` names: every route calls an input by
    /// the same name (`openapi.yaml`).
    pub fn of(refusal: &Refusal) -> Self {
        let field = match refusal.input {
            Input::Username => "username".to_owned(),
            Input::Email => "email".to_owned(),
            Input::NewEmail => "new_email".to_owned(),
            Input::Phone => "phone".to_owned(),
            Input::SmsCode => "sms_code".to_owned(),
            Input::Password => "password".to_owned(),
            Input::NewPassword => "new_password".to_owned(),
            Input::SecondFactorCode => "code".to_owned(),
            Input::Materials => "material_ids".to_owned(),
            Input::Material(index) => format!("material_ids[{index}]"),
            Input::Registration => "registration_id".to_owned(),
            Input::Credential => "credential".to_owned(),
        };
        Self { field, code: refusal.code }
    }
}

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A flow refused.
    #[error(transparent)]
    Flow(#[from] FlowError),
    /// Fields of the body failed their rules before any flow ran (422).
    #[error("invalid fields: {0:?}")]
    Invalid(Vec<FieldError>),
    /// The body is not JSON of the expected shape (400).
    #[error("malformed request: {detail}")]
    Malformed {
        /// What was wrong, in English, with no echo of the body.
        detail: String,
        /// Fields of the wrong type, when known.
        errors: Vec<FieldError>,
    },
    /// The body is not `application/json` (415).
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// The body is over 64 KiB (413).
    #[error("payload too large")]
    PayloadTooLarge,
    /// No such route (404).
    #[error("not found")]
    NotFound,
    /// The path exists, the method does not (405).
    #[error("method not allowed")]
    MethodNotAllowed(Vec<&'static str>),
    /// Not allowed (403), with a detail code.
    #[error("forbidden: {0}")]
    Forbidden(Code),
}

/// `error` and its sources, outermost first: "dependency failed: store:
/// store unavailable: ThrottlingException: …". Adapters describe AWS
/// failures by code and message only, so no request data is in the chain.
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl ApiError {
    fn parts(&self) -> (StatusCode, Code, Option<i64>) {
        use FlowError as F;
        match self {
            Self::Flow(F::Validation(_)) | Self::Invalid(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, Code::ValidationFailed, None)
            }
            Self::Flow(F::Conflict(_)) => (StatusCode::CONFLICT, Code::Conflict, None),
            Self::Flow(F::InvalidLink) => (StatusCode::NOT_FOUND, Code::InvalidLink, None),
            Self::Flow(F::LinkExpired) => (StatusCode::GONE, Code::LinkExpired, None),
            Self::Flow(F::InvalidCredentials) => (StatusCode::UNAUTHORIZED, Code::InvalidCredentials, None),
            Self::Flow(F::WrongPassword) => (StatusCode::FORBIDDEN, Code::InvalidCredentials, None),
            Self::Flow(F::Forbidden(_)) => (StatusCode::FORBIDDEN, Code::Forbidden, None),
            Self::Flow(F::Denied(code)) => (StatusCode::FORBIDDEN, *code, None),
            Self::Flow(F::NotFound(code)) => (StatusCode::NOT_FOUND, *code, None),
            Self::Flow(F::Conflicting(code)) => (StatusCode::CONFLICT, *code, None),
            Self::Flow(F::Unauthenticated) => (StatusCode::UNAUTHORIZED, Code::Unauthenticated, None),
            Self::Flow(F::AccountSuspended) => (StatusCode::FORBIDDEN, Code::AccountSuspended, None),
            Self::Flow(F::RateLimited { code, retry_after }) => {
                (StatusCode::TOO_MANY_REQUESTS, *code, Some(*retry_after))
            }
            Self::Flow(F::Unavailable(_)) => {
                (StatusCode::SERVICE_UNAVAILABLE, Code::Unavailable, Some(UNAVAILABLE_RETRY_AFTER))
            }
            Self::Flow(F::Dependency(d)) if d.is_transient() => {
                (StatusCode::SERVICE_UNAVAILABLE, Code::Unavailable, Some(UNAVAILABLE_RETRY_AFTER))
            }
            Self::Flow(F::Internal(_) | F::Dependency(_)) => (StatusCode::INTERNAL_SERVER_ERROR, Code::Internal, None),
            Self::Malformed { .. } => (StatusCode::BAD_REQUEST, Code::MalformedRequest, None),
            Self::UnsupportedMediaType => (StatusCode::UNSUPPORTED_MEDIA_TYPE, Code::UnsupportedMediaType, None),
            Self::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, Code::PayloadTooLarge, None),
            Self::NotFound => (StatusCode::NOT_FOUND, Code::NotFound, None),
            Self::MethodNotAllowed(_) => (StatusCode::METHOD_NOT_ALLOWED, Code::MethodNotAllowed, None),
            Self::Forbidden(_) => (StatusCode::FORBIDDEN, Code::Forbidden, None),
        }
    }

    fn field_errors(&self) -> Vec<FieldError> {
        match self {
            Self::Flow(FlowError::Validation(refused) | FlowError::Conflict(refused)) => {
                refused.iter().map(FieldError::of).collect()
            }
            Self::Invalid(errors) | Self::Malformed { errors, .. } => errors.clone(),
            _ => Vec::new(),
        }
    }

    /// Renders the problem in `lang`; `problem_base` prefixes the type URI.
    pub fn into_response(self, lang: Lang, problem_base: &str) -> ApiResponse {
        let (status, code, retry_after) = self.parts();
        match (&self, status) {
            (
                Self::Flow(e @ (FlowError::Internal(_) | FlowError::Dependency(_))),
                StatusCode::INTERNAL_SERVER_ERROR,
            ) => {
                tracing::error!(error = %chain(e), "internal error")
            }
            (Self::Flow(e @ (FlowError::Unavailable(_) | FlowError::Dependency(_))), _) => {
                tracing::warn!(error = %chain(e), "dependency unavailable")
            }
            _ => {}
        }
        let detail = match &self {
            Self::Malformed { detail, .. } => detail.clone(),
            Self::Forbidden(reason) | Self::Flow(FlowError::Forbidden(reason)) => reason.text(lang).to_owned(),
            _ => code.text(lang).to_owned(),
        };
        let mut body = json!({
            "type": format!("{problem_base}/problems/{code}"),
            "title": code.text(lang),
            "status": status.as_u16(),
            "code": code.as_str(),
            "detail": detail,
        });
        let errors = self.field_errors();
        if !errors.is_empty() {
            body["errors"] = errors
                .iter()
                .map(|e| json!({"field": e.field, "code": e.code.as_str(), "message": e.code.text(lang)}))
                .collect();
        }
        let mut response = ApiResponse::problem(status, body);
        if let Some(secs) = retry_after {
            response = response.header("retry-after", secs.to_string());
        }
        if let Self::MethodNotAllowed(allowed) = &self {
            response = response.header("allow", allowed.join(", "));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::Dependency;
    use crate::persistence::{Conflict, NotCommitted};
    use crate::store::StoreError;

    fn status_of(dependency: Dependency) -> StatusCode {
        ApiError::Flow(FlowError::Dependency(dependency)).parts().0
    }

    #[test]
    fn a_dependency_is_503_when_a_retry_may_succeed_and_500_when_it_is_our_fault() {
        let unavailable = StoreError::Unavailable("ThrottlingException: slow down".into());
        assert_eq!(status_of(Dependency::Store(unavailable)), StatusCode::SERVICE_UNAVAILABLE);
        let race = NotCommitted::Conflict(vec![Conflict::AccountChanged]);
        assert_eq!(status_of(Dependency::Commit(race)), StatusCode::SERVICE_UNAVAILABLE);
        let corrupt = StoreError::Internal("undecodable PROFILE item".into());
        assert_eq!(status_of(Dependency::Commit(NotCommitted::Store(corrupt))), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn the_logged_error_keeps_every_source() {
        let error = FlowError::Dependency(Dependency::Store(StoreError::Internal("undecodable PROFILE item".into())));
        assert_eq!(chain(&error), "dependency failed: store: store failure: undecodable PROFILE item");
    }
}
