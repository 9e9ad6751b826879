//! The sample API Gateway events in `events/` go through `lambda_http`'s own
//! event parsing into the functions' handler, as in a deployed Lambda. The
//! walk substitutes the secrets that only exist at run time (the SMS code,
//! the link token, the session token) into the events' bodies and headers.

use std::path::PathBuf;

use accounts_tests::token_in;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use serde_json::Value;
use shared::api::routes::{self, Function, Route};
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

/// The file of `route`'s sample event: its id in kebab case.
fn event_file(route: &Route) -> String {
    let id = format!("{:?}", route.id);
    let mut name = String::new();
    for (i, c) in id.char_indices() {
        if c.is_ascii_uppercase() && i > 0 {
            name.push('-');
        }
        name.push(c.to_ascii_lowercase());
    }
    format!("{name}.json")
}

/// `route`'s operation in `openapi.yaml`.
fn operation<'a>(spec: &'a Value, route: &Route) -> &'a Value {
    &spec["paths"][route.path][route.method.to_ascii_lowercase()]
}

/// The sample event API Gateway (HTTP API, payload 2.0) sends for `route`,
/// built from the route table and `openapi.yaml`'s examples (the body, the
/// path and query parameters): so `events/` copies nothing by hand.
fn sample_event(route: &Route, spec: &Value) -> Value {
    let operation = operation(spec, route);
    let parameters = operation["parameters"].as_array().cloned().unwrap_or_default();
    let example = |place: &str| -> serde_json::Map<String, Value> {
        parameters
            .iter()
            .filter(|p| p["in"] == place && !p["example"].is_null())
            .map(|p| (p["name"].as_str().unwrap().to_owned(), Value::from(p["example"].to_string().trim_matches('"'))))
            .collect()
    };
    let (path_parameters, query) = (example("path"), example("query"));
    let raw_path = path_parameters.iter().fold(route.path.to_owned(), |path, (name, value)| {
        path.replace(&format!("{{{name}}}"), value.as_str().unwrap())
    });
    let raw_query: Vec<String> =
        query.iter().map(|(name, value)| format!("{name}={}", value.as_str().unwrap())).collect();
    let body = &operation["requestBody"]["content"]["application/json"]["example"];
    let mut headers = serde_json::json!({
        "accept": "application/json",
        "accept-encoding": "gzip, deflate, br",
        "host": "api.accounts.example.com",
        "user-agent": USER_AGENT,
        "x-amzn-trace-id": "Root=1-67891233-abcdef012345678912345678",
        "x-forwarded-for": "203.0.113.7",
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
    });
    if route.access == routes::Access::Public {
        // As the pages send them: Chinese, and the header a cookie's
        // session needs on a change (`api::auth`).
        headers["accept-language"] = Value::from("zh-CN,zh;q=0.9,en;q=0.8");
        headers["x-requested-with"] = Value::from("XMLHttpRequest");
    }
    // A signed-in route carries a (sample) session, as `openapi.yaml` says.
    let signed_in = operation["security"].as_array().into_iter().flatten().any(|scheme| !scheme["bearer"].is_null());
    if signed_in {
        headers["authorization"] = Value::from(SAMPLE_SESSION);
    }
    let body = (!body.is_null()).then(|| body.to_string());
    if let Some(body) = &body {
        headers["content-type"] = Value::from("application/json");
        headers["content-length"] = Value::from(body.len().to_string());
    }
    let key = route.key();
    let mut context = serde_json::json!({
        "accountId": "123456789012",
        "apiId": "a1b2c3d4e5",
        "domainName": "api.accounts.example.com",
        "domainPrefix": "api",
        "http": {
            "method": route.method,
            "path": raw_path,
            "protocol": "HTTP/1.1",
            "sourceIp": "203.0.113.7",
            "userAgent": USER_AGENT,
        },
        "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        "routeKey": key,
        "stage": "$default",
        "time": "22/Nov/2026:19:03:58 +0000",
        "timeEpoch": 1795374238000u64,
    });
    if route.access == routes::Access::Operator {
        context["authorizer"] = serde_json::json!({"iam": {
            "accessKey": "ASIAEXAMPLE",
            "accountId": "123456789012",
            "callerId": "AROAEXAMPLE:ops-console",
            "principalOrgId": null,
            "userArn": "arn:aws:sts::123456789012:assumed-role/ops-console/alice",
            "userId": "AROAEXAMPLE:alice",
        }});
    }
    let mut event = serde_json::json!({
        "version": "2.0",
        "routeKey": key,
        "rawPath": raw_path,
        "rawQueryString": raw_query.join("&"),
        "headers": headers,
        "requestContext": context,
        "isBase64Encoded": false,
    });
    if !path_parameters.is_empty() {
        event["pathParameters"] = Value::Object(path_parameters);
    }
    if !query.is_empty() {
        event["queryStringParameters"] = Value::Object(query);
    }
    if let Some(body) = body {
        event["body"] = Value::from(body);
    }
    event
}

const SAMPLE_SESSION: &str = "Bearer 0123456789abcdef0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const USER_AGENT: &str =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

/// `events/` holds exactly the generated event of every route (and the
/// scheduled and `$default` ones in their folders). After a route or an
/// example changes, `ACCOUNTS_WRITE_EVENTS=1 cargo test -p accounts-tests
/// --test events` writes them anew.
#[test]
fn every_route_has_its_generated_sample_event_and_no_other() {
    let spec: Value = serde_yaml_ng::from_str(&std::fs::read_to_string(events_dir().join("../openapi.yaml")).unwrap())
        .expect("openapi.yaml");
    let write = std::env::var_os("ACCOUNTS_WRITE_EVENTS").is_some();
    let mut expected = Vec::new();
    for route in routes::ROUTES {
        let name = event_file(route);
        let text = serde_json::to_string_pretty(&sample_event(route, &spec)).unwrap() + "\n";
        let path = events_dir().join(&name);
        if write {
            std::fs::write(&path, &text).unwrap();
        }
        let kept = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            kept == text,
            "events/{name} is not the generated event of {}; write them anew (see above)",
            route.key()
        );
        expected.push(name);
    }
    for entry in std::fs::read_dir(events_dir()).unwrap().map(Result::unwrap).filter(|e| e.path().is_file()) {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(expected.contains(&name), "events/{name} belongs to no route");
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
    event["headers"].as_object_mut().unwrap().remove("authorization");
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
