//! Session authentication of signed-in routes, with the CSRF rule for
//! cookie-authenticated changes.

use super::problem::ApiError;
use super::request::{ApiRequest, Credentials};
use super::routes::RouteId;
use crate::app::App;
use crate::domain::Code;
use crate::flows::FlowError;
use crate::flows::authentication::{self, Authenticated};

/// The header a browser's own scripts add; a cross-site form cannot.
const CSRF_HEADER: &str = "x-requested-with";

/// Resolves the request's session. Cookie-authenticated requests that change
/// state must carry `X-Requested-With: XMLHttpRequest`; bearer requests need
/// not, since a browser never attaches a bearer token on its own.
pub async fn require_session(app: &App, req: &ApiRequest) -> Result<Authenticated, ApiError> {
    let token = match req.credentials() {
        None => return Err(FlowError::Unauthenticated.into()),
        Some(Credentials::Bearer(token)) => token,
        Some(Credentials::Cookie(token)) => {
            let safe_method = matches!(req.method(), "GET" | "HEAD");
            if !safe_method && req.header(CSRF_HEADER) != Some("XMLHttpRequest") {
                return Err(ApiError::Forbidden(Code::CsrfHeaderMissing));
            }
            token
        }
    };
    let authenticated = authentication::authenticate(app, &token, &req.client_ip).await?;
    tracing::Span::current().record("account_id", authenticated.account.account_id.as_str());
    if authenticated.enrolment_only() && !ENROLMENT_ROUTES.contains(&req.route.id) {
        return Err(FlowError::Denied(Code::MfaEnrolmentRequired).into());
    }
    Ok(authenticated)
}

/// What a session that may only set TOTP up (its policy requires two-factor
/// sign-in) can do: see the account, set TOTP up, sign out.
const ENROLMENT_ROUTES: &[RouteId] =
    &[RouteId::GetMe, RouteId::EnrolTotp, RouteId::ConfirmTotp, RouteId::DeleteCurrentSession];
