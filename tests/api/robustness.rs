//! Hostile input on every route, on every shape the suite runs against (the
//! dev server on either backend, and the deployed stack, where DynamoDB's
//! key and item limits apply): strings far longer than any field allows,
//! control characters and scripts, wrong types, bodies near the 64 KiB
//! limit, invalid UTF-8 and seeded random mutations of valid bodies. No
//! answer is a 5xx, and every error is problem JSON.

use accounts_tests::{PASSWORD, TestApp, spawn_app, stack};
use reqwest::{Method, StatusCode};
use serde_json::{Map, Value, json};
use shared::api::routes::{Access, BodyKind, ROUTES, Route};

/// Strings no field accepts, some long enough to outgrow a DynamoDB key.
fn hostile_strings() -> Vec<String> {
    vec![
        "a".repeat(3000),
        "名".repeat(1200),
        format!("{}@example.com", "x".repeat(2100)),
        format!("+86{}", "9".repeat(2500)),
        "\u{0000}\u{0007}\u{202e}\u{feff}\r\n\t".to_owned(),
        "<script>alert(1)</script>' OR '1'='1".to_owned(),
        "../../../../etc/passwd%00".to_owned(),
        "0123456789abcdef0123456789abcdef.".to_owned() + &"A".repeat(2000),
        String::new(),
    ]
}

/// Values of every JSON type but a string.
fn wrong_types() -> Vec<Value> {
    vec![json!(null), json!(-1), json!(1e308), json!(true), json!([]), json!({"nested": {"deep": [1, 2]}})]
}

/// The request-body properties `openapi.yaml` gives each operation, by
/// method and path.
fn body_properties() -> Vec<(String, String, Vec<String>)> {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openapi.yaml");
    let spec: Value = serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut found = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
            let properties = schema["properties"].as_object().map(|p| p.keys().cloned().collect()).unwrap_or_default();
            found.push((method.to_uppercase(), path.clone(), properties));
        }
    }
    found
}

/// What a request carries to get past the route's door: a customer's
/// session, or the operator's credentials.
struct Caller {
    session: String,
    /// Customers signed up so far (a fresh one when a session ended).
    customers: usize,
}

async fn send(app: &TestApp, caller: &Caller, route: &Route, path: &str, body: Option<Vec<u8>>) -> reqwest::Response {
    let method = Method::from_bytes(route.method.as_bytes()).unwrap();
    if route.access == Access::Operator {
        return app.ops_bytes(method, path, body).await;
    }
    let mut request = app.client.request(method, format!("{}{path}", app.base)).bearer_auth(&caller.session);
    if let Some(body) = body {
        request = request.header("content-type", "application/json").body(body);
    }
    request.send().await.expect("request sent")
}

/// Asserts the answer is no fault of ours, and problem JSON if an error;
/// whether the request got past authentication (anything but `401
/// unauthenticated`). On the stack, API Gateway's IAM authorizer answers an
/// operator request it cannot match to the policy itself (`403`, its own
/// JSON): the request never reached a function.
async fn assert_handled(response: reqwest::Response, what: &str) -> bool {
    let status = response.status();
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let text = response.text().await.unwrap_or_default();
    assert!(status.as_u16() < 500, "{what}: {status} {text}");
    let authorizer_refused =
        stack().is_some() && status == StatusCode::FORBIDDEN && text.contains("execute-api:Invoke");
    if status.is_client_error() && !authorizer_refused {
        assert_eq!(content_type, "application/problem+json", "{what}: {status} {text}");
        let problem: Value = serde_json::from_str(&text).expect("a problem body");
        assert!(problem["code"].is_string(), "{what}: {text}");
        return !(status == StatusCode::UNAUTHORIZED && problem["code"] == "unauthenticated");
    }
    true
}

/// Whether `route` needs a customer's session.
fn signed_in(route: &Route) -> bool {
    route.access == Access::Public && route.path.starts_with("/v1/me")
}

/// Keeps `caller` signed in: some hostile requests end the session (signing
/// out, ending sessions, a deletion request) or lock the account's names,
/// and every signed-in route after them would only ever answer `401`.
async fn stay_signed_in(app: &TestApp, caller: &mut Caller) {
    if app.with_token(Method::GET, "/v1/me", &caller.session).await.status() != StatusCode::UNAUTHORIZED {
        return;
    }
    caller.customers += 1;
    let customer = app.activated_customer(&format!("hostile{}x", caller.customers)).await;
    caller.session = app.token_for(&customer).await;
}

/// The route's path with `value` in each of its parameters.
fn concrete(route: &Route, value: &str) -> String {
    route
        .path
        .split('/')
        .map(|segment| if segment.starts_with('{') { value.to_owned() } else { segment.to_owned() })
        .collect::<Vec<_>>()
        .join("/")
}

/// A tiny deterministic generator, so a failure reruns the same bytes.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

fn mutate(body: &[u8], random: &mut Lcg) -> Vec<u8> {
    let mut bytes = body.to_vec();
    for _ in 0..1 + random.next() % 4 {
        let at = (random.next() as usize) % bytes.len().max(1);
        match random.next() % 3 {
            0 if !bytes.is_empty() => bytes[at] = (random.next() % 256) as u8,
            1 => bytes.insert(at.min(bytes.len()), (random.next() % 256) as u8),
            _ if !bytes.is_empty() => {
                bytes.remove(at);
            }
            _ => {}
        }
    }
    bytes
}

#[tokio::test]
async fn hostile_input_on_every_route_is_answered_without_a_fault() {
    let app = spawn_app().await;
    let customer = app.activated_customer("hostile").await;
    let mut caller = Caller { session: app.token_for(&customer).await, customers: 0 };
    let properties = body_properties();
    let mut random = Lcg(0x5eed);
    let mut past_the_door = std::collections::HashSet::new();
    for route in ROUTES {
        stay_signed_in(&app, &mut caller).await;
        let mut passed = false;
        let path = concrete(route, "0123456789abcdef0123456789abcdef");
        for value in hostile_strings().iter().filter(|v| !v.is_empty() && !v.contains('/')) {
            let hostile_path = concrete(route, &urlencoding(value));
            passed |=
                assert_handled(send(&app, &caller, route, &hostile_path, body_for(route)).await, &hostile_path).await;
        }
        if route.body != BodyKind::Json {
            let query = format!("{path}?status={0}&after={0}&limit={0}&account_id={0}", "9".repeat(2100));
            passed |= assert_handled(send(&app, &caller, route, &query, None).await, &query).await;
            if passed {
                past_the_door.insert(route.id);
            }
            continue;
        }
        let fields = properties
            .iter()
            .find(|(method, p, _)| method == route.method && p == route.path)
            .map(|(_, _, fields)| fields.clone())
            .unwrap_or_else(|| panic!("openapi.yaml describes {} {}", route.method, route.path));
        let mut bodies: Vec<Value> = Vec::new();
        for value in hostile_strings() {
            bodies.push(Value::Object(fields.iter().map(|f| (f.clone(), json!(value))).collect::<Map<_, _>>()));
        }
        for value in wrong_types() {
            bodies.push(Value::Object(fields.iter().map(|f| (f.clone(), value.clone())).collect::<Map<_, _>>()));
        }
        // Near the 64 KiB limit, in one field.
        let big = "b".repeat(64 * 1024 - 200);
        bodies.push(Value::Object(fields.iter().take(1).map(|f| (f.clone(), json!(big))).collect()));
        for body in &bodies {
            let what = format!("{} {path} {:.120}", route.method, body.to_string());
            let response = send(&app, &caller, route, &path, Some(body.to_string().into_bytes())).await;
            passed |= assert_handled(response, &what).await;
        }
        let seed = bodies[0].to_string().into_bytes();
        for _ in 0..6 {
            let mutated = mutate(&seed, &mut random);
            let what = format!("{} {path} mutated {:?}", route.method, String::from_utf8_lossy(&mutated));
            passed |= assert_handled(send(&app, &caller, route, &path, Some(mutated)).await, &what).await;
        }
        let invalid_utf8 = b"{\"login\": \"\xff\xfe\xc3\x28\"}".to_vec();
        passed |= assert_handled(send(&app, &caller, route, &path, Some(invalid_utf8)).await, "invalid UTF-8").await;
        if passed {
            past_the_door.insert(route.id);
        }
    }
    // Every signed-in route was fed hostile input with a live session.
    for route in ROUTES.iter().filter(|r| signed_in(r)) {
        assert!(past_the_door.contains(&route.id), "{} never got past authentication", route.key());
    }
    // The customer's account still works.
    assert_ne!(app.sign_in(&customer.username, PASSWORD).await.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

fn body_for(route: &Route) -> Option<Vec<u8>> {
    (route.body == BodyKind::Json).then(|| b"{}".to_vec())
}

/// `value` percent-encoded for a path segment.
fn urlencoding(value: &str) -> String {
    value
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// A JSON body that is not UTF-8: API Gateway hands the function its text
/// with the bad bytes replaced (U+FFFD), and the dev server builds the same
/// event, so every shape answers it alike: here a login no account has.
#[tokio::test]
async fn a_body_of_invalid_utf8_is_answered_alike_on_every_shape() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(format!("{}/v1/sessions", app.base))
        .header("content-type", "application/json")
        .body(b"{\"login\": \"\xff\xfe\xc3\x28\", \"password\": \"x\xffy\"}".to_vec())
        .send()
        .await
        .unwrap();
    accounts_tests::assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
}
