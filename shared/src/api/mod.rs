//! The HTTP edge shared by every Lambda function and the dev server: a
//! `lambda_http` request in, a response out.

pub mod auth;
pub mod functions;
pub mod handlers;
pub mod problem;
pub mod request;
pub mod response;
pub mod router;
pub mod routes;
pub mod validate;
pub mod views;

use lambda_http::{Body, Request, Response};
use tracing::Instrument;

use self::functions::Entry;
use self::problem::ApiError;
use self::request::ApiRequest;
use self::response::ApiResponse;
use self::routes::Function;
use crate::app::App;
use crate::domain::Code;
use crate::persistence::tallied;

/// Serves one request. `function` is the Lambda serving it (`None` in the
/// dev server, which serves them all): a route of another function is 404.
/// This links every function's handlers; a Lambda function calls
/// [`handle_entry`] with its own entry instead.
pub async fn handle(app: &App, function: Option<Function>, req: Request) -> Response<Body> {
    match function {
        Some(function) => handle_entry(app, functions::entry(function), req).await,
        None => respond(app, None, functions::entry, req).await,
    }
}

/// Serves one request as the Lambda function `entry`: a route of another
/// function is 404.
pub async fn handle_entry(app: &App, entry: &'static Entry, req: Request) -> Response<Body> {
    // Resolving to `entry` alone (never through `functions::entry`) is what
    // keeps the other functions' handlers out of this binary.
    respond(app, Some(entry), move |_| entry, req).await
}

/// What API Gateway's `$default` route (the `unmatched` function) answers
/// a request no route matched: problem JSON `404`, or `405` with `Allow`
/// when the path serves other methods, as the dev server answers them.
pub fn answer_unmatched(router: &router::Router, public_url: &str, req: &Request) -> Response<Body> {
    let error = router.refusal(req.method().as_str(), req.uri().path());
    let response = error.into_response(request::language(req), public_url);
    // The method and status only: a path can hold a username.
    tracing::info!(method = %req.method(), status = response.status.as_u16(), "unmatched");
    response.into_http()
}

async fn respond(
    app: &App,
    only: Option<&'static Entry>,
    resolve: impl Fn(Function) -> &'static Entry,
    req: Request,
) -> Response<Body> {
    let lang = request::language(&req);
    let span = tracing::info_span!(
        "request",
        route = tracing::field::Empty,
        account_id = tracing::field::Empty,
        status = tracing::field::Empty
    );
    async move {
        let (served, tally) = tallied(serve(app, only, resolve, req)).await;
        let response = match served {
            Ok(response) => response,
            Err(error) => {
                let response = error.into_response(lang, &app.config.public_url);
                // A 5xx is no answer: nothing it counted may hold back the
                // caller's retry (an SMS cooldown, a quota, a code's tries).
                if response.status.is_server_error() {
                    tally.give_back(app.counters()).await;
                }
                response
            }
        };
        tracing::Span::current().record("status", response.status.as_u16());
        tracing::info!("handled");
        response.into_http()
    }
    .instrument(span)
    .await
}

async fn serve(
    app: &App,
    only: Option<&'static Entry>,
    resolve: impl Fn(Function) -> &'static Entry,
    req: Request,
) -> Result<ApiResponse, ApiError> {
    let req = ApiRequest::from_lambda(req, app.config.origin_secret.as_ref())?;
    tracing::Span::current().record("route", req.route.key());
    if only.is_some_and(|entry| entry.function != req.route.function) {
        return Err(ApiError::NotFound);
    }
    if req.route.access == routes::Access::Operator && req.operator.is_none() {
        // API Gateway's IAM auth admits operators; never trust its absence.
        return Err(ApiError::Forbidden(Code::OperatorPrincipalMissing));
    }
    (resolve(req.route.function).serve)(app, &req).await
}
