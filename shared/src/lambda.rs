//! What every function's `main` calls: wire the app once (cold start), then
//! serve events from the Lambda runtime.

use std::convert::Infallible;

use lambda_http::http::uri::Authority;
use lambda_http::lambda_runtime::{self, LambdaEvent};
use lambda_http::request::LambdaRequest;
use lambda_http::{Adapter, Request, Service, service_fn};

use crate::api::{self, functions::Entry};
use crate::config::Config;
use crate::flows::FlowError;

/// Wires the app from the environment and serves `function` until the
/// runtime stops.
pub async fn run(function: &'static Entry) -> Result<(), lambda_http::Error> {
    crate::telemetry::init_json();
    let app = crate::app::wire(Config::from_env()?).await?.app;
    open_store_connection(&app).await;
    let adapter = Adapter::from(service_fn(move |req: Request| {
        let app = app.clone();
        async move { Ok::<_, Infallible>(api::handle_entry(&app, function, req).await) }
    }));
    lambda_runtime::run(service_fn(move |mut event: LambdaEvent<LambdaRequest>| {
        repair(&mut event.payload);
        adapter.clone().call(event)
    }))
    .await
}

/// The crate and binary name of the function [`run_unmatched`] serves.
pub const UNMATCHED: &str = "unmatched";

/// Serves API Gateway's `$default` route: every request no route matched
/// gets the problem JSON `404`/`405` the dev server answers
/// ([`api::answer_unmatched`]). It wires no store and no sender.
pub async fn run_unmatched() -> Result<(), lambda_http::Error> {
    crate::telemetry::init_json();
    let public_url: &'static str = Config::from_env()?.public_url.leak();
    let router: &'static api::router::Router = Box::leak(Box::default());
    let adapter = Adapter::from(service_fn(move |req: Request| {
        let response = api::answer_unmatched(router, public_url, &req);
        async move { Ok::<_, Infallible>(response) }
    }));
    lambda_runtime::run(service_fn(move |mut event: LambdaEvent<LambdaRequest>| {
        repair(&mut event.payload);
        adapter.clone().call(event)
    }))
    .await
}

/// Reads the table once during init, over TLS only, so that the first
/// request does not pay the handshake (Lambda runs init before the first
/// event, ahead of time when it initialises proactively). Best effort: a
/// failure here is the first request's to report.
async fn open_store_connection(app: &crate::App) {
    if app.config.warm_up_store
        && let Err(e) = app.records().warm_up().await
    {
        tracing::warn!(error = %api::problem::chain(&e), "could not open the store's connection during init");
    }
}

/// The work of a scheduled function, over the app it wired.
pub type Job<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), FlowError>> + Send + 'a>>;

/// A function that serves no route but runs on a schedule (the template's
/// `Schedule` events): its name and its work. Its `main` names its own const,
/// so its binary links only its own job.
pub struct Scheduled {
    /// The crate and binary name under `functions/`.
    pub name: &'static str,
    /// What it does on each run.
    pub job: for<'a> fn(&'a crate::App) -> Job<'a>,
}

fn watch_queues(app: &crate::App) -> Job<'_> {
    Box::pin(async move { crate::flows::queue_watch::watch(app).await.map(|_| ()) })
}

fn carry_out_appeals(app: &crate::App) -> Job<'_> {
    Box::pin(async move { crate::flows::appeal_hold::carry_out_due(app).await.map(|_| ()) })
}

/// `functions/queue-watch`: counts what waits for operators (gauges).
pub const QUEUE_WATCH: Scheduled = Scheduled { name: "queue-watch", job: watch_queues };
/// `functions/appeal-hold`: carries out appeals whose hold has passed.
pub const APPEAL_HOLD: Scheduled = Scheduled { name: "appeal-hold", job: carry_out_appeals };
/// Every scheduled function (this links every job: for the dev server and
/// tests, never for a Lambda function).
pub const SCHEDULED: &[&Scheduled] = &[&QUEUE_WATCH, &APPEAL_HOLD];

/// Wires the app from the environment and runs `function`'s job on every
/// invocation (EventBridge's event itself carries nothing used).
pub async fn run_scheduled(function: &'static Scheduled) -> Result<(), lambda_http::Error> {
    crate::telemetry::init_json();
    let app = crate::app::wire(Config::from_env()?).await?.app;
    lambda_runtime::run(service_fn(move |_: LambdaEvent<serde_json::Value>| {
        let app = app.clone();
        async move {
            // The whole chain, as a request's 5xx is logged: the cause is
            // in the sources (`Dependency` keeps the adapter's error).
            (function.job)(&app).await.map_err(|e| lambda_http::Error::from(api::problem::chain(&e)))?;
            Ok::<_, lambda_http::Error>(serde_json::Value::Null)
        }
    }))
    .await
}

/// The name of the function that records SES's notifications.
pub const EMAIL_EVENTS: &str = "email-events";

/// An SNS notification as Lambda hands it over (`Records[].Sns.Message`).
#[derive(serde::Deserialize)]
struct SnsEvent {
    #[serde(rename = "Records", default)]
    records: Vec<SnsRecord>,
}

#[derive(serde::Deserialize)]
struct SnsRecord {
    #[serde(rename = "Sns")]
    sns: SnsMessage,
}

#[derive(serde::Deserialize)]
struct SnsMessage {
    #[serde(rename = "Message")]
    message: String,
}

/// Records the SES notifications of one SNS event (the configuration
/// set's events: `notify::ses_events`) on the trails they belong to; how
/// many reached a trail. What is not an SES record is logged and skipped; a
/// store failure fails the invocation, and Lambda retries it (an event
/// recorded twice says the same twice).
pub async fn handle_email_events(app: &crate::App, event: serde_json::Value) -> Result<usize, FlowError> {
    let event: SnsEvent = serde_json::from_value(event).unwrap_or(SnsEvent { records: Vec::new() });
    let mut recorded = 0;
    for record in event.records {
        match crate::notify::ses_events::report(&record.sns.message) {
            Some(report) => recorded += usize::from(crate::flows::message_events::record(app, &report).await?),
            None => tracing::info!("an SNS message that is no SES event anyone reads: skipped"),
        }
    }
    Ok(recorded)
}

/// Runs the `email-events` function: SES's notifications, delivered by SNS.
pub async fn run_email_events() -> Result<(), lambda_http::Error> {
    crate::telemetry::init_json();
    let app = crate::app::wire(Config::from_env()?).await?.app;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<serde_json::Value>| {
        let app = app.clone();
        async move {
            let recorded = handle_email_events(&app, event.payload)
                .await
                .map_err(|e| lambda_http::Error::from(api::problem::chain(&e)))?;
            Ok::<_, lambda_http::Error>(serde_json::json!({ "recorded": recorded }))
        }
    }))
    .await
}

/// The request `lambda_http` makes of `event`, after [`repair`].
pub fn request_from_event(mut event: LambdaRequest) -> Request {
    repair(&mut event);
    event.into()
}

/// Makes an API Gateway event safe for `lambda_http`'s conversion, which
/// builds the request URI with `expect`: a raw query holding a character no
/// URI may hold (a space, `"`, `<`, `>`, as a client can send them), or a
/// Host or X-Forwarded-Proto header that is no valid URL part, would panic,
/// and with `panic = "abort"` kill the function's process (a 502, and a cold
/// start for the next caller). Found by `fuzz/fuzz_targets/event.rs`. Such
/// query bytes are percent-encoded; such headers are dropped (API Gateway's
/// domain name and `https` stand in), and so is a domain name that is none.
pub fn repair(event: &mut LambdaRequest) {
    let LambdaRequest::ApiGatewayV2(event) = event else { return };
    if let Some(query) = event.raw_query_string.as_mut() {
        *query = encode_query(query);
    }
    if event.headers.get("host").is_some_and(|host| !host.to_str().is_ok_and(is_host)) {
        event.headers.remove("host");
    }
    let proto = event.headers.get("x-forwarded-proto");
    if proto.is_some_and(|p| *p != "https" && *p != "http") {
        event.headers.remove("x-forwarded-proto");
    }
    let context = &mut event.request_context;
    if context.domain_name.as_deref().is_some_and(|name| !is_host(name)) {
        context.domain_name = None;
    }
    if let Some(path) = event.raw_path.as_mut().filter(|path| !path.starts_with('/')) {
        path.insert(0, '/');
    }
}

/// Whether `host` is a Host header's value (no user info: RFC 9110) that
/// both `http` and `url` accept.
fn is_host(host: &str) -> bool {
    !host.is_empty()
        && !host.contains('@')
        && host.parse::<Authority>().is_ok()
        && url::Url::parse(&format!("https://{host}/")).is_ok_and(|url| url.path() == "/")
}

/// `query` with every byte a URI's query may not hold raw percent-encoded;
/// existing escapes and every other byte stay as they are.
fn encode_query(query: &str) -> String {
    let mut encoded = String::with_capacity(query.len());
    for byte in query.bytes() {
        if byte.is_ascii_graphic() && !matches!(byte, b'"' | b'<' | b'>' | b'#') {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::RequestExt;
    use serde_json::json;

    fn event(query: &str, host: &str, proto: &str) -> LambdaRequest {
        serde_json::from_value(json!({
            "version": "2.0",
            "routeKey": "GET /v1/me",
            "rawPath": "/v1/me",
            "rawQueryString": query,
            "headers": {"host": host, "x-forwarded-proto": proto},
            "requestContext": {
                "accountId": "123456789012", "apiId": "a1b2c3d4e5",
                "domainName": "api.accounts.example.com", "domainPrefix": "api",
                "http": {"method": "GET", "path": "/v1/me", "protocol": "HTTP/1.1",
                         "sourceIp": "203.0.113.7", "userAgent": "test"},
                "requestId": "id", "routeKey": "GET /v1/me", "stage": "$default",
                "time": "22/Nov/2026:19:03:58 +0000", "timeEpoch": 1795374238000u64
            },
            "isBase64Encoded": false
        }))
        .unwrap()
    }

    #[test]
    fn a_query_with_characters_no_uri_may_hold_is_encoded_not_fatal() {
        let request = request_from_event(event("q=a b\"<c>#d&name=李", "api.accounts.example.com", "https"));
        assert_eq!(request.uri().query(), Some("q=a%20b%22%3Cc%3E%23d&name=%E6%9D%8E"));
        let params = request.query_string_parameters();
        assert_eq!(params.first("q"), Some("a b\"<c>#d"));
        assert_eq!(params.first("name"), Some("李"));
    }

    #[test]
    fn an_ordinary_query_is_left_as_it_is() {
        assert_eq!(encode_query("a=1&b=%20x+y~z"), "a=1&b=%20x+y~z");
    }

    #[test]
    fn hosts_and_schemes_that_are_no_url_parts_are_dropped() {
        for host in ["a b", "api.example.com/evil", "[::1", "x:port", "a@b", ""] {
            let request = request_from_event(event("", host, "https"));
            assert_eq!(request.uri().host(), Some("api.accounts.example.com"), "{host}");
            assert_eq!(request.uri().path(), "/v1/me", "{host}");
        }
        let request = request_from_event(event("", "api.accounts.example.com", "ht tp"));
        assert_eq!(request.uri().scheme_str(), Some("https"));
    }
}
