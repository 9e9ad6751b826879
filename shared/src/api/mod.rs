//! The HTTP edge shared by every Lambda function and the dev server: a
//! `lambda_http` request in, a response out.

pub mod auth;
pub mod handlers;
pub mod problem;
pub mod request;
pub mod response;
pub mod routes;
pub mod validate;
pub mod views;

use lambda_http::{Body, Request, Response};
use tracing::Instrument;

use self::problem::ApiError;
use self::request::ApiRequest;
use self::response::ApiResponse;
use self::routes::{Function, RouteId};
use crate::app::App;

/// Serves one request. `function` is the Lambda serving it (`None` in the
/// dev server, which serves them all): a route of another function is 404.
pub async fn handle(app: &App, function: Option<Function>, req: Request) -> Response<Body> {
    let lang = request::language(&req);
    let span = tracing::info_span!(
        "request",
        route = tracing::field::Empty,
        account_id = tracing::field::Empty,
        status = tracing::field::Empty
    );
    async move {
        let response = match serve(app, function, req).await {
            Ok(response) => response,
            Err(error) => error.into_response(lang, &app.config.public_url),
        };
        tracing::Span::current().record("status", response.status.as_u16());
        tracing::info!("handled");
        response.into_http()
    }
    .instrument(span)
    .await
}

async fn serve(app: &App, function: Option<Function>, req: Request) -> Result<ApiResponse, ApiError> {
    let req = ApiRequest::from_lambda(req)?;
    tracing::Span::current().record("route", req.route.key());
    if function.is_some_and(|f| f != req.route.function) {
        return Err(ApiError::NotFound);
    }
    if req.route.access == routes::Access::Operator && req.operator.is_none() {
        // API Gateway's IAM auth admits operators; never trust its absence.
        return Err(ApiError::Forbidden("operator_principal_missing"));
    }
    dispatch(app, &req).await
}

async fn dispatch(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    use handlers::*;
    match req.route.id {
        RouteId::CreateSmsCode => sms_codes::create(app, req).await,
        RouteId::CreateAccount => accounts::create(app, req).await,
        RouteId::SetPassword => password::set(app, req).await,
        RouteId::InspectLink => password::inspect_link(app, req).await,
        RouteId::DeclineLink => password::decline_link(app, req).await,
        RouteId::CreateSession => sessions::create(app, req).await,
        RouteId::DeleteCurrentSession => sessions::delete_current(app, req).await,
        RouteId::GetMe => sessions::me(app, req).await,
        RouteId::ForgotPassword => password::forgot(app, req).await,
        RouteId::ResetPassword => password::reset(app, req).await,
        RouteId::ChangePassword => password::change(app, req).await,
        RouteId::CreateMaterial => verification::create_material(app, req).await,
        RouteId::SubmitVerification => verification::submit(app, req).await,
        RouteId::GetVerification => verification::get(app, req).await,
        RouteId::OpsGetAccount => operator::account(app, req).await,
        RouteId::OpsListVerifications => operator::list_verifications(app, req).await,
        RouteId::OpsGetVerification => operator::get_verification(app, req).await,
        RouteId::OpsDecideVerification => operator::decide(app, req).await,
        RouteId::OpsAudit => operator::audit_trail(app, req).await,
        RouteId::RequestDeletion => deletion::request(app, req).await,
        RouteId::GetDeletion => deletion::get(app, req).await,
        RouteId::CancelDeletion => deletion::cancel(app, req).await,
        RouteId::CreateSubAccount => sub_accounts::create(app, req).await,
        RouteId::ListSubAccounts => sub_accounts::list(app, req).await,
        RouteId::ResetSubAccount => sub_accounts::reset(app, req).await,
        RouteId::OpsListDeletions => operator::list_deletions(app, req).await,
        RouteId::OpsDecideDeletion => operator::decide_deletion(app, req).await,
    }
}
