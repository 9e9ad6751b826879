//! The dev server: every Lambda function's routes in one process, routed as
//! API Gateway routes them. Each request is turned into a real API Gateway
//! HTTP API (payload 2.0) event and parsed by `lambda_http`, so the handlers
//! see exactly what they see deployed. Dev-only routes live under `/_dev`.

mod dev_routes;
pub mod event;
pub mod web;

use std::net::SocketAddr;
use std::sync::Arc;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use shared::api::problem::ApiError;
use shared::api::request::MAX_BODY_BYTES;
use shared::api::response::ApiResponse;
use shared::api::routes::Access;
use shared::app::{Wired, wire};
use shared::clock::SystemClock;
use shared::documents::MAX_SIZE;
use shared::documents::local::LocalDocuments;
use shared::domain::ids::new_id;
use shared::flows::FlowError;
use shared::notify::outbox::Outbox;
use shared::random::OsRandom;
use shared::{App, Config};
use subtle::ConstantTimeEq;
use tokio::net::TcpListener;

use shared::api::router::{Matched, Router};

/// What the dev server's handlers share.
pub(crate) struct DevState {
    pub app: App,
    /// The app the scheduled work runs on: `app` before a test adapted its
    /// ports, so that faults injected into requests hit requests only.
    pub scheduled: App,
    /// The clock `/_dev/clock` advances (the app's clock).
    pub clock: Arc<SystemClock>,
    /// The outbox, on the embedded backend.
    pub outbox: Option<Outbox>,
    /// The upload directory, on the embedded backend.
    pub documents: Option<LocalDocuments>,
    pub ops_token: String,
    pub router: Router,
}

/// A running dev server.
pub struct DevServer {
    addr: SocketAddr,
    state: Arc<DevState>,
    task: tokio::task::JoinHandle<()>,
}

/// Why the server could not start.
pub type StartError = Box<dyn std::error::Error + Send + Sync>;

impl DevServer {
    /// Builds the app for `config.backend` and listens on `config.addr`
    /// (port 0 picks a free port).
    pub async fn start(config: Config) -> Result<Self, StartError> {
        Self::start_adapted(config, |app| app).await
    }

    /// As [`DevServer::start`], with `adapt` wrapping the app's ports before
    /// it serves: how tests inject faults into the real request path.
    pub async fn start_adapted(config: Config, adapt: impl FnOnce(App) -> App) -> Result<Self, StartError> {
        let listener = TcpListener::bind(config.addr).await?;
        let ops_token = config.ops_token.clone().unwrap_or_else(|| new_id(&OsRandom));
        let Wired { app: scheduled, clock, outbox, local_documents } = wire(config).await?;
        let app = adapt(scheduled.clone());
        let router = Router::default();
        let state = Arc::new(DevState { app, scheduled, clock, outbox, documents: local_documents, ops_token, router });
        let addr = listener.local_addr()?;
        let task = tokio::spawn(serve_and_schedule(listener, state.clone()));
        Ok(Self { addr, state, task })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The operator bearer token.
    pub fn ops_token(&self) -> &str {
        &self.state.ops_token
    }

    /// The app behind the server (for tests that inspect the store).
    pub fn app(&self) -> &App {
        &self.state.app
    }
}

impl DevServer {
    /// Stops accepting, ends open connections and waits until the app (and
    /// with it the embedded database file) is released.
    pub async fn stop(self) {
        self.task.abort();
        let state = self.state.clone();
        drop(self);
        for _ in 0..200 {
            if Arc::strong_count(&state) == 1 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        tracing::warn!("connections still hold the app after stop");
    }
}

impl Drop for DevServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What the deployed scheduled functions do every 15 minutes (carrying out
/// recovery appeals whose hold has passed, counting what waits), done here
/// on every move of the dev clock and once a minute. A failure is logged;
/// the next run retries.
pub(crate) async fn run_scheduled_work(app: &App) {
    for function in shared::lambda::SCHEDULED {
        if let Err(e) = (function.job)(app).await {
            tracing::warn!(function = function.name, error = %shared::api::problem::chain(&e), "scheduled work failed");
        }
    }
}

/// Serves connections and, beside them, runs the scheduled work once a
/// minute (one task, so that stopping the server stops both).
async fn serve_and_schedule(listener: TcpListener, state: Arc<DevState>) {
    let schedule = async {
        let mut every_minute = tokio::time::interval(std::time::Duration::from_secs(60));
        every_minute.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every_minute.tick().await;
            run_scheduled_work(&state.scheduled).await;
        }
    };
    tokio::join!(accept_loop(listener, state.clone()), schedule);
}

async fn accept_loop(listener: TcpListener, state: Arc<DevState>) {
    // Owning the connections here means aborting this task ends them too.
    let mut connections = tokio::task::JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        let (stream, peer) = match listener.accept().await {
            Ok(conn) => conn,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                continue;
            }
        };
        let state = state.clone();
        connections.spawn(async move {
            let service = service_fn(move |req| {
                let state = state.clone();
                async move { Ok::<_, std::convert::Infallible>(serve(&state, peer, req).await) }
            });
            if let Err(e) = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
}

type HttpResponse = Response<Full<Bytes>>;

async fn serve(state: &DevState, peer: SocketAddr, req: Request<Incoming>) -> HttpResponse {
    let lang =
        shared::i18n::Lang::from_accept_language(req.headers().get("accept-language").and_then(|v| v.to_str().ok()));
    let problem = |e: ApiError| to_hyper(e.into_response(lang, &state.app.config.public_url).into_http());
    let (parts, body) = req.into_parts();
    // Uploads of materials are the one place larger bodies arrive.
    let limit = if parts.uri.path().starts_with("/_dev/objects/") { MAX_SIZE as usize } else { MAX_BODY_BYTES };
    let body = match Limited::new(body, limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return problem(ApiError::PayloadTooLarge),
    };
    let req = Request::from_parts(parts, body);
    if req.uri().path().starts_with("/_dev/") {
        return dev_routes::serve(state, req, lang).await;
    }
    match state.router.find(req.method().as_str(), req.uri().path()) {
        Matched::Route { route, params } => {
            // Deployed, API Gateway's IAM authorizer admits operators; here
            // the operator token does, and the event carries the principal.
            let operator = match route.access {
                Access::Public => None,
                Access::Operator if bearer_matches(&req, &state.ops_token) => Some(DEV_OPERATOR_ARN),
                Access::Operator => return problem(ApiError::Flow(FlowError::Unauthenticated)),
            };
            let event = event::api_gateway_v2(&req, route, &params, peer, operator);
            let event = serde_json::from_value(event).expect("the dev server builds valid API Gateway events");
            let lambda_req = shared::lambda::request_from_event(event);
            to_hyper(shared::api::handle(&state.app, None, lambda_req).await)
        }
        Matched::WrongMethod(allowed) => problem(ApiError::MethodNotAllowed(allowed)),
        // A page, or the not-found page; the API's own paths answer as the API.
        Matched::None if req.method() == hyper::Method::GET && !is_api_path(req.uri().path()) => {
            web::page(req.uri().path(), state.app.config.site_dir.as_deref())
        }
        Matched::None => problem(ApiError::NotFound),
    }
}

/// The API's paths, where an unknown one is a problem, not a page.
fn is_api_path(path: &str) -> bool {
    ["/v1/", "/ops/"].iter().any(|prefix| path.starts_with(prefix))
}

/// The IAM principal the dev server reports for the operator token.
const DEV_OPERATOR_ARN: &str = "arn:aws:iam::000000000000:user/accounts-dev-operator";

fn bearer_matches(req: &Request<Bytes>, token: &str) -> bool {
    let presented =
        req.headers().get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    presented.is_some_and(|p| bool::from(p.as_bytes().ct_eq(token.as_bytes())))
}

pub(crate) fn to_hyper(response: lambda_http::Response<lambda_http::Body>) -> HttpResponse {
    let (parts, body) = response.into_parts();
    let bytes = match body {
        lambda_http::Body::Empty => Bytes::new(),
        lambda_http::Body::Text(t) => Bytes::from(t),
        lambda_http::Body::Binary(b) => Bytes::from(b),
        _ => Bytes::new(),
    };
    Response::from_parts(parts, Full::new(bytes))
}

pub(crate) fn json_response(response: ApiResponse) -> HttpResponse {
    to_hyper(response.into_http())
}
