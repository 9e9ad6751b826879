//! What every function's `main` calls: wire the app once (cold start), then
//! serve events from the Lambda runtime.

use std::convert::Infallible;

use lambda_http::{Request, service_fn};

use crate::api::{self, routes::Function};
use crate::config::Config;

/// Wires the app from the environment and runs `function` until the
/// runtime stops.
pub async fn run(function: Function) -> Result<(), lambda_http::Error> {
    crate::telemetry::init(true);
    let app = crate::app::wire(Config::from_env()?).await?.app;
    lambda_http::run(service_fn(move |req: Request| {
        let app = app.clone();
        async move { Ok::<_, Infallible>(api::handle(&app, Some(function), req).await) }
    }))
    .await
}
