//! `POST /v1/accounts`: sign-up.

use accounts_tests::{assert_problem, field_errors, spawn_app};
use reqwest::StatusCode;
use serde_json::json;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(f, c)| (f.to_string(), c.to_string())).collect()
}

#[tokio::test]
async fn every_failing_field_is_listed_at_once() {
    let app = spawn_app().await;
    let body = json!({
        "username": "9lives", "email": "not-an-email", "phone": "+8612", "sms_code": "",
        "organization": "x".repeat(101), "referrer_phone": "+442079460000", "accept_terms": false,
    });
    let problem =
        assert_problem(app.post("/v1/accounts", &body).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
            .await;
    assert_eq!(
        field_errors(&problem),
        pairs(&[
            ("username", "username_format"),
            ("email", "email_format"),
            ("phone", "phone_invalid"),
            ("sms_code", "required"),
            ("organization", "too_long"),
            ("referrer_phone", "phone_not_mobile"),
            ("accept_terms", "terms_not_accepted"),
        ])
    );
    for error in problem["errors"].as_array().unwrap() {
        assert!(!error["message"].as_str().unwrap().is_empty());
    }
}

#[tokio::test]
async fn messages_follow_accept_language_but_codes_do_not() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(format!("{}/v1/accounts", app.base))
        .header("accept-language", "zh-CN,zh;q=0.9")
        .json(&json!({"username": "ab", "accept_terms": true}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["title"], "部分字段无效。");
    assert_eq!(problem["errors"][0]["code"], "username_length");
    assert_eq!(problem["errors"][0]["message"], "用户名长度为 4–20 个字符。");
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn taken_values_are_each_named_and_the_code_stays_usable() {
    let app = spawn_app().await;
    let (response, first) = app.sign_up("takenname").await;
    assert_eq!(response.status(), StatusCode::CREATED);

    // Same username, email (in other case) and phone.
    let code = {
        app.advance_clock(60).await;
        app.sign_up_code(&first.phone).await
    };
    let body = json!({"username": app.user("takenname"), "email": first.email.to_uppercase(), "phone": first.phone, "sms_code": code, "accept_terms": true});
    let problem = assert_problem(app.post("/v1/accounts", &body).await, StatusCode::CONFLICT, "conflict").await;
    assert_eq!(
        field_errors(&problem),
        pairs(&[("username", "username_taken"), ("email", "email_taken"), ("phone", "phone_taken")])
    );

    // Only the email is taken: the code from before still works for a new phone.
    let phone = app.fresh_phone();
    let code = app.sign_up_code(&phone).await;
    let body = json!({"username": app.user("othername"), "email": first.email, "phone": phone, "sms_code": code, "accept_terms": true});
    let problem = assert_problem(app.post("/v1/accounts", &body).await, StatusCode::CONFLICT, "conflict").await;
    assert_eq!(field_errors(&problem), pairs(&[("email", "email_taken")]));
    let body = json!({"username": app.user("othername"), "email": app.email("other"), "phone": phone, "sms_code": code, "accept_terms": true});
    assert_eq!(app.post("/v1/accounts", &body).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn concurrent_sign_ups_for_one_username_create_exactly_one_account() {
    let app = spawn_app().await;
    let mut bodies = Vec::new();
    for i in 0..8 {
        let phone = app.fresh_phone();
        let code = app.sign_up_code(&phone).await;
        bodies.push(json!({"username": app.user("racer"), "email": app.email(&format!("racer{i}")), "phone": phone, "sms_code": code, "accept_terms": true}));
    }
    let responses = futures::future::join_all(bodies.iter().map(|b| app.post("/v1/accounts", b))).await;
    let statuses: Vec<StatusCode> = responses.iter().map(|r| r.status()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count(), 7, "{statuses:?}");
    let invitations = app.outbox().await.into_iter().filter(|m| m["channel"] == "email").count();
    assert_eq!(invitations, 1);
}

#[tokio::test]
async fn a_failed_sign_up_changes_nothing() {
    let app = spawn_app().await;
    let phone = app.fresh_phone();
    let code = app.sign_up_code(&phone).await;
    let bad = json!({"username": app.user("keepfree"), "email": app.email("keep"), "phone": phone, "sms_code": code, "accept_terms": false});
    assert_problem(app.post("/v1/accounts", &bad).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let good = json!({"username": app.user("keepfree"), "email": app.email("keep"), "phone": phone, "sms_code": code, "accept_terms": true});
    assert_eq!(app.post("/v1/accounts", &good).await.status(), StatusCode::CREATED);
}
