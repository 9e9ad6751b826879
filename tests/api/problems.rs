//! Bad requests of every kind get a clear problem and change nothing.

use accounts_tests::{assert_problem, field_errors, spawn_app};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_body_that_is_not_json_is_unsupported() {
    let app = spawn_app().await;
    let phone = app.fresh_phone();
    let response = app
        .client
        .post(format!("{}/v1/sms-codes", app.base))
        .header("content-type", "text/plain")
        .body(json!({"phone": phone, "purpose": "sign_up"}).to_string())
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type").await;
    let response = app.client.post(format!("{}/v1/sessions", app.base)).body("{}").send().await.unwrap();
    assert_problem(response, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type").await;
    assert!(app.outbox().await.is_empty());
}

#[tokio::test]
async fn a_charset_parameter_is_fine() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(format!("{}/v1/sessions", app.base))
        .header("content-type", "application/json; charset=utf-8")
        .body(r#"{"login": "nobody", "password": "x"}"#)
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
}

#[tokio::test]
async fn bodies_over_64_kib_are_too_large() {
    let app = spawn_app().await;
    let body = json!({"login": "x".repeat(64 * 1024), "password": "x"});
    assert_problem(app.post("/v1/sessions", &body).await, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
}

#[tokio::test]
async fn malformed_json_and_wrong_types_are_bad_requests() {
    let app = spawn_app().await;
    for raw in ["{", "[]", "\"text\"", "null", "{\"login\": }"] {
        let response = app
            .client
            .post(format!("{}/v1/sessions", app.base))
            .header("content-type", "application/json")
            .body(raw)
            .send()
            .await
            .unwrap();
        assert_problem(response, StatusCode::BAD_REQUEST, "malformed_request").await;
    }
    let problem = assert_problem(
        app.post("/v1/accounts", &json!({"username": app.user("typed"), "accept_terms": "yes"})).await,
        StatusCode::BAD_REQUEST,
        "malformed_request",
    )
    .await;
    assert_eq!(field_errors(&problem), vec![("accept_terms".to_owned(), "wrong_type".to_owned())]);
    let problem = assert_problem(
        app.post("/v1/sms-codes", &json!({"phone": 8613800138000u64})).await,
        StatusCode::BAD_REQUEST,
        "malformed_request",
    )
    .await;
    assert_eq!(field_errors(&problem), vec![("phone".to_owned(), "wrong_type".to_owned())]);
}

/// Deployed, API Gateway's `$default` route sends these to the `unmatched`
/// function, which answers as the dev server does.
#[tokio::test]
async fn unknown_routes_and_methods_are_problems_in_the_callers_language() {
    let app = spawn_app().await;
    let response = app.client.get(format!("{}/v1/nothing", app.base)).send().await.unwrap();
    assert_problem(response, StatusCode::NOT_FOUND, "not_found").await;
    let response = app.client.put(format!("{}/v1/sessions", app.base)).send().await.unwrap();
    assert_eq!(response.headers()["allow"], "POST");
    assert_problem(response, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
    let chinese = |request: reqwest::RequestBuilder| request.header("accept-language", "zh-CN,zh;q=0.9").send();
    let response = chinese(app.client.delete(format!("{}/ops/v1/nothing/here", app.base))).await.unwrap();
    let problem = assert_problem(response, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(problem["title"], "未找到资源。");
    let response = chinese(app.client.get(format!("{}/v1/password/set", app.base))).await.unwrap();
    let problem = assert_problem(response, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
    assert_eq!(problem["title"], "不支持此请求方法。");
}

#[tokio::test]
async fn odd_inputs_never_cause_a_server_error() {
    let app = spawn_app().await;
    let odd_values = [
        json!(null),
        json!(""),
        json!(" "),
        json!("\u{0}"),
        json!("é".repeat(300)),
        json!(-1),
        json!(1.5),
        json!([]),
        json!({}),
        json!(true),
    ];
    let routes = ["/v1/sms-codes", "/v1/accounts", "/v1/password/set", "/v1/sessions"];
    let fields = [
        "phone",
        "purpose",
        "username",
        "email",
        "sms_code",
        "organization",
        "referrer_phone",
        "accept_terms",
        "token",
        "password",
        "login",
    ];
    for route in routes {
        for value in &odd_values {
            let body: serde_json::Map<String, serde_json::Value> =
                fields.iter().map(|f| (f.to_string(), value.clone())).collect();
            let response = app.post(route, &serde_json::Value::Object(body)).await;
            let status = response.status();
            assert!(status.is_client_error(), "{route} with {value}: {status}");
            assert_eq!(response.headers()["content-type"], "application/problem+json");
        }
    }
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "deployed, the distribution serves the pages (front_door.rs)")]
async fn the_pages_are_served_with_a_policy_that_allows_no_third_party() {
    let app = spawn_app().await;
    for path in
        ["/", "/sign-up", "/set-password?token=x.y", "/forgot-password", "/account", "/ops", "/app.js", "/style.css"]
    {
        let response = app.client.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let csp = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert!(csp.starts_with("default-src 'self'") && csp.contains("script-src 'self';"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "scripts come from files only: {csp}");
        assert_eq!(response.headers()["referrer-policy"], "no-referrer", "links carry tokens");
        let body = response.text().await.unwrap();
        assert!(!body.contains("http://") && !body.contains("https://cdn"), "{path} loads nothing from elsewhere");
        assert!(!body.contains("<script>"), "{path} has an inline script, which the policy would block");
    }
    // A path that names no page is the not-found page, under the same policy;
    // the API's own unknown paths stay problems.
    let page = app.client.get(format!("{}/nothing-here", app.base)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    assert!(page.headers()["content-security-policy"].to_str().unwrap().starts_with("default-src 'self'"));
    assert!(page.text().await.unwrap().contains(r#"data-t="notFound""#));
    for path in ["/v1/nothing-here", "/ops/v1/nothing-here"] {
        let api = app.client.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_problem(api, StatusCode::NOT_FOUND, "not_found").await;
    }
}

#[tokio::test]
async fn a_login_longer_than_any_account_can_have_is_an_unknown_login_not_a_fault() {
    let app = spawn_app().await;
    // Longer than DynamoDB's 2,048-byte partition key once in a key.
    for login in ["a".repeat(3000), format!("{}@example.com", "é".repeat(1500)), format!("+86{}", "1".repeat(3000))] {
        let signing_in = app.sign_in(&login, "Some#Password1").await;
        assert_problem(signing_in, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
        for method in ["email", "sms"] {
            let forgot = app.post("/v1/password/forgot", &json!({"login": login, "method": method})).await;
            assert_eq!(forgot.status(), StatusCode::ACCEPTED);
        }
        let reset =
            app.post("/v1/password/reset", &json!({"login": login, "sms_code": "123456", "password": "x"})).await;
        assert_problem(reset, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    }
}
