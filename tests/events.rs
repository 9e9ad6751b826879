//! The sample API Gateway events in `events/` go through `lambda_http`'s own
//! event parsing into the functions' handler, as in a deployed Lambda. The
//! walk substitutes the secrets that only exist at run time (the SMS code,
//! the link token, the session token) into the events' bodies and headers.

use std::path::PathBuf;

use accounts_tests::token_in;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use serde_json::Value;
use shared::api::routes::{self, Function};
use shared::app::EmbeddedApp;
use shared::notify::outbox::OutboxEntry;

fn events_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../events")
}

fn load(name: &str) -> Value {
    let text = std::fs::read_to_string(events_dir().join(name)).expect("event file");
    serde_json::from_str(&text).expect("event JSON")
}

fn function_of(event: &Value) -> Function {
    routes::by_key(event["routeKey"].as_str().unwrap()).expect("a known route").function
}

async fn invoke(app: &EmbeddedApp, event: &Value) -> (StatusCode, Value, Response<Body>) {
    let request = lambda_http::request::from_str(&event.to_string()).expect("lambda_http parses the event");
    let response = shared::api::handle(&app.app, Some(function_of(event)), request).await;
    let body = match response.body() {
        Body::Text(text) => serde_json::from_str(text).unwrap_or(Value::Null),
        _ => Value::Null,
    };
    (response.status(), body, response)
}

fn with_body_field(mut event: Value, field: &str, value: &str) -> Value {
    let mut body: Value = serde_json::from_str(event["body"].as_str().unwrap()).unwrap();
    body[field] = Value::from(value);
    event["body"] = Value::from(body.to_string());
    event
}

fn test_app() -> (tempfile::TempDir, EmbeddedApp) {
    test_app_with(&[])
}

fn test_app_with(vars: &[(&str, &str)]) -> (tempfile::TempDir, EmbeddedApp) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_string_lossy().into_owned();
    let config = shared::Config::from_lookup(|name| match name {
        "ACCOUNTS_DATA_DIR" => Some(path.clone()),
        _ => vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string()),
    })
    .unwrap();
    (dir, EmbeddedApp::open(config).unwrap())
}

async fn last_message(app: &EmbeddedApp) -> OutboxEntry {
    app.outbox.entries().await.unwrap().pop().expect("a message")
}

#[test]
fn every_scheduled_function_has_a_sample_eventbridge_event() {
    for function in shared::lambda::SCHEDULED.iter().map(|f| f.name) {
        let event = load(&format!("scheduled/{function}.json"));
        assert_eq!(event["detail-type"], "Scheduled Event", "{function}");
        assert_eq!(event["source"], "aws.events", "{function}");
    }
}

#[test]
fn every_route_has_a_sample_event_and_every_event_a_route() {
    let mut covered = Vec::new();
    // events/scheduled/ holds the scheduled functions' EventBridge events,
    // events/unmatched/ what the `$default` route gets.
    for entry in std::fs::read_dir(events_dir()).unwrap().map(Result::unwrap).filter(|e| e.path().is_file()) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let event = load(&name);
        assert_eq!(event["version"], "2.0", "{name}");
        let key = event["routeKey"].as_str().unwrap();
        assert_eq!(event["requestContext"]["routeKey"], key, "{name}");
        assert!(routes::by_key(key).is_some(), "{name}: {key}");
        covered.push(key.to_owned());
    }
    for route in routes::ROUTES {
        assert!(covered.contains(&route.key()), "no sample event for {}", route.key());
    }
}

#[tokio::test]
async fn the_sample_events_walk_the_sign_up_path() {
    let (_dir, app) = test_app();

    let (status, body, _) = invoke(&app, &load("create-sms-code.json")).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let sms = last_message(&app).await;
    let code = regex_lite::Regex::new(r"\d{6}").unwrap().find(&sms.text).unwrap().as_str().to_owned();

    let event = with_body_field(load("create-account.json"), "sms_code", &code);
    let (status, body, _) = invoke(&app, &event).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // The event asks for Chinese, so the invitation is in Chinese.
    let invitation = last_message(&app).await;
    assert!(invitation.subject.unwrap().contains("密码"));

    let event = with_body_field(load("set-password.json"), "token", &token_in(&invitation.text));
    let (status, body, _) = invoke(&app, &event).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    let (status, body, response) = invoke(&app, &load("create-session.json")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(response.headers().contains_key("set-cookie"));
    let token = body["token"].as_str().unwrap().to_owned();

    let mut event = load("get-me.json");
    event["headers"]["authorization"] = Value::from(format!("Bearer {token}"));
    let (status, body, _) = invoke(&app, &event).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["username"], "alice");
    assert_eq!(body["organization"], "Example GPU Lab");

    // API Gateway passes cookies in their own list; lambda_http joins them.
    let mut event = load("delete-current-session.json");
    event["cookies"] = serde_json::json!([format!("session={token}"), "theme=dark"]);
    let (status, _, _) = invoke(&app, &event).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let mut event = load("get-me.json");
    event["headers"]["authorization"] = Value::from(format!("Bearer {token}"));
    assert_eq!(invoke(&app, &event).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_client_ip_is_api_gateways_source_ip_not_a_header() {
    let (_dir, app) = test_app();
    // Twenty codes from 203.0.113.7, each claiming another X-Forwarded-For.
    for i in 0..21 {
        let mut event = with_body_field(load("create-sms-code.json"), "phone", &format!("+86138{:08}", i));
        event["headers"]["x-forwarded-for"] = Value::from(format!("198.51.100.{i}"));
        let (status, _, _) = invoke(&app, &event).await;
        let expected = if i < 20 { StatusCode::ACCEPTED } else { StatusCode::TOO_MANY_REQUESTS };
        assert_eq!(status, expected, "request {i}");
    }
    let mut event = with_body_field(load("create-sms-code.json"), "phone", "+8613900000999");
    event["requestContext"]["http"]["sourceIp"] = Value::from("198.51.100.1");
    assert_eq!(invoke(&app, &event).await.0, StatusCode::ACCEPTED);
}

/// Behind the distribution, sourceIp is CloudFront's; the viewer's address
/// counts, but only from a request carrying the distribution's secret.
#[tokio::test]
async fn behind_the_distribution_the_viewer_counts_only_with_the_origin_secret() {
    const SECRET: &str = "the-distribution-s-generated-secret";
    let (_dir, app) = test_app_with(&[("ACCOUNTS_ORIGIN_SECRET", SECRET)]);
    let from_cloudfront = |i: u32, secret: &str| {
        let mut event = with_body_field(load("create-sms-code.json"), "phone", &format!("+86137{i:08}"));
        event["requestContext"]["http"]["sourceIp"] = Value::from("130.176.0.1");
        event["headers"]["cloudfront-viewer-address"] = Value::from(format!("203.0.113.{i}:46532"));
        event["headers"]["x-origin-verify"] = Value::from(secret);
        event
    };
    // Twenty-one viewers, each within its own limit of twenty.
    for i in 0..21 {
        assert_eq!(invoke(&app, &from_cloudfront(i, SECRET)).await.0, StatusCode::ACCEPTED, "viewer {i}");
    }
    // With a wrong secret, every claimed viewer is CloudFront's one address.
    for i in 21..42 {
        let expected = if i < 41 { StatusCode::ACCEPTED } else { StatusCode::TOO_MANY_REQUESTS };
        assert_eq!(invoke(&app, &from_cloudfront(i, "a guess")).await.0, expected, "request {i}");
    }
}

/// API Gateway's `$default` route (the `unmatched` function) answers what
/// no route matches as the dev server does, in the caller's language.
#[test]
fn the_default_route_answers_problem_json() {
    let event = load("unmatched/wrong-method.json");
    let request = lambda_http::request::from_str(&event.to_string()).expect("lambda_http parses the event");
    let router = shared::api::router::Router::default();
    let response = shared::api::answer_unmatched(&router, "https://accounts.example.com", &request);
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()["allow"], "POST");
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let Body::Text(text) = response.body() else { panic!("a text body") };
    let problem: Value = serde_json::from_str(text).unwrap();
    assert_eq!(
        (problem["code"].as_str(), problem["title"].as_str()),
        (Some("method_not_allowed"), Some("不支持此请求方法。"))
    );
}

#[tokio::test]
async fn a_function_serves_only_its_own_routes() {
    let (_dir, app) = test_app();
    let event = load("create-session.json");
    let request = lambda_http::request::from_str(&event.to_string()).unwrap();
    let response = shared::api::handle(&app.app, Some(Function::SignUp), request).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn operator_functions_refuse_a_request_without_an_iam_principal() {
    let (_dir, app) = test_app();
    let event = load("ops-list-verifications.json");
    let (status, body, _) = invoke(&app, &event).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["items"], serde_json::json!([]));

    let mut unsigned = event.clone();
    unsigned["requestContext"].as_object_mut().unwrap().remove("authorizer");
    let (status, body, _) = invoke(&app, &unsigned).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "forbidden");

    // A customer's bearer token is no IAM principal either.
    let mut with_session = unsigned;
    with_session["headers"]["authorization"] =
        Value::from("Bearer 0123456789abcdef0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assert_eq!(invoke(&app, &with_session).await.0, StatusCode::FORBIDDEN);
}
