//! `POST /v1/password/forgot`, `POST /v1/password/reset` and reset links.

use accounts_tests::{Customer, PASSWORD, TestApp, assert_problem, field_errors, spawn_app, token_in};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const NEW_PASSWORD: &str = "Fresh#Gpu-Pass42";

async fn forgot(app: &TestApp, login: &str, method: Option<&str>) -> reqwest::Response {
    let mut body = json!({"login": login});
    if let Some(method) = method {
        body["method"] = Value::from(method);
    }
    app.post("/v1/password/forgot", &body).await
}

async fn set_password(app: &TestApp, token: String, password: &str) -> reqwest::Response {
    app.post("/v1/password/set", &json!({"token": token, "password": password})).await
}

async fn emails_to(app: &TestApp, to: &str) -> Vec<Value> {
    app.outbox().await.into_iter().filter(|m| m["channel"] == "email" && m["to"] == to).collect()
}

/// Status, headers (but the date) and body of a response.
async fn observable(response: reqwest::Response) -> (StatusCode, Vec<(String, String)>, String) {
    let status = response.status();
    let mut headers: Vec<(String, String)> = response
        .headers()
        .iter()
        // API Gateway numbers every request.
        .filter(|(k, _)| *k != "date" && *k != "apigw-requestid")
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    headers.sort();
    (status, headers, response.text().await.unwrap())
}

#[tokio::test]
async fn a_reset_link_resets_ends_every_session_and_sends_a_notice() {
    let app = spawn_app().await;
    let customer = app.activated_customer("forgetful").await;
    let session = app.token_for(&customer).await;
    for login in [customer.username.as_str(), customer.email.as_str(), customer.phone.as_str()] {
        let response = forgot(&app, login, None).await;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        assert_eq!(response.json::<Value>().await.unwrap(), json!({}));
    }
    let reset = app.last_email(&customer.email).await;
    assert!(reset["subject"].as_str().unwrap().contains("Reset"), "{reset}");
    let token = token_in(reset["text"].as_str().unwrap());
    let response = app.post("/v1/password/set", &json!({"token": token, "password": NEW_PASSWORD})).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(response.headers().get("set-cookie").is_none(), "no automatic sign-in");

    assert_problem(app.with_token(Method::GET, "/v1/me", &session).await, StatusCode::UNAUTHORIZED, "unauthenticated")
        .await;
    assert_eq!(app.sign_in(&customer.username, PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.sign_in(&customer.username, NEW_PASSWORD).await.status(), StatusCode::CREATED);
    let notice = app.last_email(&customer.email).await;
    assert!(notice["subject"].as_str().unwrap().contains("changed"), "{notice}");
}

#[tokio::test]
async fn known_and_unknown_logins_get_the_same_answer() {
    let app = spawn_app().await;
    let customer = app.activated_customer("existing").await;
    let known = observable(forgot(&app, &customer.email, None).await).await;
    let unknown = observable(forgot(&app, &app.email("nobody"), None).await).await;
    let unknown_sms = observable(forgot(&app, "ghostuser", Some("sms")).await).await;
    assert_eq!(known.0, StatusCode::ACCEPTED);
    assert_eq!(known, unknown);
    assert_eq!(known, unknown_sms);
    assert_eq!(emails_to(&app, &app.email("nobody")).await.len(), 0);
}

#[tokio::test]
async fn only_the_newest_reset_link_works_and_only_once() {
    let app = spawn_app().await;
    let customer = app.activated_customer("twolinks").await;
    forgot(&app, &customer.username, None).await;
    let first = app.last_link_token(&customer.email).await;
    forgot(&app, &customer.username, None).await;
    let second = app.last_link_token(&customer.email).await;
    assert_ne!(first, second);
    let set = |token: String| set_password(&app, token, NEW_PASSWORD);
    assert_problem(set(first).await, StatusCode::NOT_FOUND, "invalid_link").await;
    assert_eq!(set(second.clone()).await.status(), StatusCode::NO_CONTENT);
    assert_problem(set(second).await, StatusCode::NOT_FOUND, "invalid_link").await;
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn a_reset_link_expires_after_sixty_minutes() {
    let app = spawn_app().await;
    let customer = app.activated_customer("slowreset").await;
    forgot(&app, &customer.username, None).await;
    let token = app.last_link_token(&customer.email).await;
    app.advance_clock(3600).await;
    let response = app.post("/v1/password/set", &json!({"token": token, "password": NEW_PASSWORD})).await;
    assert_problem(response, StatusCode::GONE, "link_expired").await;
    assert_eq!(app.sign_in(&customer.username, &customer.password).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn concurrent_uses_of_one_reset_link_give_exactly_one_success() {
    let app = spawn_app().await;
    let customer = app.activated_customer("racereset").await;
    forgot(&app, &customer.username, None).await;
    let body = json!({"token": app.last_link_token(&customer.email).await, "password": NEW_PASSWORD});
    let responses = futures::future::join_all((0..6).map(|_| app.post("/v1/password/set", &body))).await;
    let successes = responses.iter().filter(|r| r.status() == StatusCode::NO_CONTENT).count();
    assert_eq!(successes, 1);
}

#[tokio::test]
async fn a_pending_account_gets_a_fresh_invitation_instead() {
    let app = spawn_app().await;
    let (response, customer) = app.sign_up("lostmail").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let lost = app.last_link_token(&customer.email).await;
    assert_eq!(forgot(&app, &customer.phone, Some("sms")).await.status(), StatusCode::ACCEPTED);
    let invitation = app.last_email(&customer.email).await;
    assert!(invitation["subject"].as_str().unwrap().contains("activate"), "{invitation}");
    let fresh = token_in(invitation["text"].as_str().unwrap());
    assert_ne!(lost, fresh);
    let set = |token: String| json!({"token": token, "password": PASSWORD, "phone": customer.phone});
    assert_problem(app.post("/v1/password/set", &set(lost)).await, StatusCode::NOT_FOUND, "invalid_link").await;
    assert_eq!(app.post("/v1/password/set", &set(fresh)).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.sign_in(&customer.username, PASSWORD).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn forgot_password_works_while_sign_in_is_locked() {
    let app = spawn_app().await;
    let customer = app.activated_customer("lockedout").await;
    for _ in 0..6 {
        app.sign_in(&customer.username, "Wrong#Pass1").await;
    }
    assert_eq!(app.sign_in(&customer.username, &customer.password).await.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(forgot(&app, &customer.username, None).await.status(), StatusCode::ACCEPTED);
    let token = app.last_link_token(&customer.email).await;
    let response = app.post("/v1/password/set", &json!({"token": token, "password": NEW_PASSWORD})).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn requests_are_limited_per_login_name_and_per_ip_alike_for_any_name() {
    let app = spawn_app().await;
    for _ in 0..5 {
        assert_eq!(forgot(&app, "somebody", None).await.status(), StatusCode::ACCEPTED);
    }
    let response = forgot(&app, "somebody", None).await;
    assert!(response.headers().contains_key("retry-after"));
    assert_problem(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    for i in 0..14 {
        assert_eq!(forgot(&app, &format!("name{i}"), None).await.status(), StatusCode::ACCEPTED);
    }
    // 20 requests from this IP so far; the 21st is refused whatever the name.
    assert_problem(forgot(&app, "brandnew", None).await, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    app.advance_clock(3600).await;
    assert_eq!(forgot(&app, "somebody", None).await.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn an_account_receives_at_most_five_reset_emails_an_hour_silently() {
    let app = spawn_app().await;
    let customer = app.activated_customer("flooded").await;
    let before = emails_to(&app, &customer.email).await.len();
    for login in
        [&customer.username, &customer.username, &customer.username, &customer.email, &customer.email, &customer.email]
    {
        assert_eq!(forgot(&app, login, None).await.status(), StatusCode::ACCEPTED);
    }
    assert_eq!(emails_to(&app, &customer.email).await.len() - before, 5);
}

#[tokio::test]
async fn emails_follow_the_requests_language() {
    let app = spawn_app().await;
    let customer = app.activated_customer("chinese").await;
    let response = app
        .client
        .post(format!("{}/v1/password/forgot", app.base))
        .header("accept-language", "zh-CN")
        .json(&json!({"login": customer.username}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_eq!(app.last_email(&customer.email).await["subject"], "重置您的密码");
}

#[tokio::test]
async fn bad_requests_are_listed() {
    let app = spawn_app().await;
    let problem = assert_problem(
        app.post("/v1/password/forgot", &json!({"method": "pigeon"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let fields: Vec<(String, String)> = field_errors(&problem);
    assert_eq!(
        fields,
        [("login".to_owned(), "required".to_owned()), ("method".to_owned(), "method_invalid".to_owned())]
    );
}

async fn sms_reset_code(app: &TestApp, customer: &Customer) -> String {
    // Right after the sign-up code: cooldowns count each purpose apart.
    assert_eq!(forgot(app, &customer.email, Some("sms")).await.status(), StatusCode::ACCEPTED);
    app.last_sms_code(&customer.phone).await
}

async fn reset(app: &TestApp, login: &str, code: &str, password: &str) -> reqwest::Response {
    app.post("/v1/password/reset", &json!({"login": login, "sms_code": code, "password": password})).await
}

#[tokio::test]
async fn an_sms_code_resets_ends_every_session_and_sends_a_notice() {
    let app = spawn_app().await;
    let customer = app.activated_customer("smsreset").await;
    let session = app.token_for(&customer).await;
    let code = sms_reset_code(&app, &customer).await;
    let response = reset(&app, &customer.phone, &code, NEW_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_problem(app.with_token(Method::GET, "/v1/me", &session).await, StatusCode::UNAUTHORIZED, "unauthenticated")
        .await;
    assert_eq!(app.sign_in(&customer.username, NEW_PASSWORD).await.status(), StatusCode::CREATED);
    assert!(app.last_email(&customer.email).await["subject"].as_str().unwrap().contains("changed"));
    // Single use.
    assert_eq!(
        reset(&app, &customer.phone, &code, "Other#Gpu-Pass42").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn a_wrong_code_and_an_unknown_login_look_alike() {
    let app = spawn_app().await;
    let customer = app.activated_customer("codeprobe").await;
    let code = sms_reset_code(&app, &customer).await;
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    let wrong_code = observable(reset(&app, &customer.username, &wrong, NEW_PASSWORD).await).await;
    let unknown = observable(reset(&app, "nosuchuser", &wrong, NEW_PASSWORD).await).await;
    let no_code_sent =
        observable(reset(&app, &app.activated_customer("nocode").await.username, &wrong, NEW_PASSWORD).await).await;
    assert_eq!(wrong_code.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong_code, unknown);
    assert_eq!(wrong_code, no_code_sent);
    let problem: Value = serde_json::from_str(&wrong_code.2).unwrap();
    assert_eq!(field_errors(&problem), [("sms_code".to_owned(), "sms_code_invalid".to_owned())]);
}

#[tokio::test]
async fn a_weak_password_is_judged_only_after_the_code_and_keeps_it() {
    let app = spawn_app().await;
    let customer = app.activated_customer("weakreset").await;
    let code = sms_reset_code(&app, &customer).await;
    let problem = assert_problem(
        reset(&app, &customer.username, &code, "short").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(field_errors(&problem).iter().all(|(field, _)| field == "password"));
    assert_eq!(reset(&app, &customer.username, &code, NEW_PASSWORD).await.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn reset_codes_share_the_sms_rules() {
    let app = spawn_app().await;
    let customer = app.activated_customer("codetries").await;
    let code = sms_reset_code(&app, &customer).await;
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    for _ in 0..5 {
        assert_eq!(
            reset(&app, &customer.username, &wrong, NEW_PASSWORD).await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    assert_eq!(reset(&app, &customer.username, &code, NEW_PASSWORD).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A second request within the minute sends nothing, silently.
    let sent_before = app.outbox().await.iter().filter(|m| m["channel"] == "sms").count();
    assert_eq!(forgot(&app, &customer.username, Some("sms")).await.status(), StatusCode::ACCEPTED);
    assert_eq!(app.outbox().await.iter().filter(|m| m["channel"] == "sms").count(), sent_before);
}
