//! `POST /v1/sms-codes` and the contract's SMS rules.

use accounts_tests::{assert_problem, field_errors, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn errors(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(f, c)| (f.to_string(), c.to_string())).collect()
}

#[tokio::test]
async fn sends_a_six_digit_code_by_sms() {
    let app = spawn_app().await;
    let phone = app.fresh_phone();
    let code = app.sign_up_code(&phone).await;
    assert_eq!(code.len(), 6);
    let outbox = app.outbox().await;
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0]["channel"], "sms");
    assert_eq!(outbox[0]["to"], phone.as_str());
}

#[tokio::test]
async fn lists_every_bad_field_and_sends_nothing() {
    let app = spawn_app().await;
    let problem = assert_problem(
        app.post("/v1/sms-codes", &json!({"phone": "13800138000", "purpose": "login"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&problem), errors(&[("phone", "phone_format"), ("purpose", "purpose_invalid")]));
    let problem = assert_problem(
        app.post("/v1/sms-codes", &json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&problem), errors(&[("phone", "required"), ("purpose", "required")]));
    assert!(app.outbox().await.is_empty());
}

#[tokio::test]
async fn refuses_landlines_and_reset_codes() {
    let app = spawn_app().await;
    let problem = assert_problem(
        app.post("/v1/sms-codes", &json!({"phone": "+861012345678", "purpose": "sign_up"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&problem), errors(&[("phone", "phone_not_mobile")]));
    // Reset codes are only sent through /v1/password/forgot.
    let problem = assert_problem(
        app.post("/v1/sms-codes", &json!({"phone": app.fresh_phone(), "purpose": "reset_password"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&problem), errors(&[("purpose", "purpose_invalid")]));
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn one_code_per_phone_per_minute() {
    let app = spawn_app().await;
    let phone = app.fresh_phone();
    app.sign_up_code(&phone).await;
    let response = app.post("/v1/sms-codes", &json!({"phone": phone, "purpose": "sign_up"})).await;
    let retry_after: i64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_problem(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    app.advance_clock(60).await;
    app.sign_up_code(&phone).await;
    assert_eq!(app.outbox().await.len(), 2);
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn at_most_ten_codes_a_day_per_phone() {
    let app = spawn_app().await;
    let phone = app.fresh_phone();
    for _ in 0..10 {
        app.sign_up_code(&phone).await;
        app.advance_clock(61).await;
    }
    let response = app.post("/v1/sms-codes", &json!({"phone": phone, "purpose": "sign_up"})).await;
    assert!(response.headers().contains_key("retry-after"));
    assert_problem(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    app.advance_clock(86_400).await;
    app.sign_up_code(&phone).await;
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn at_most_twenty_codes_an_hour_per_client_ip() {
    let app = spawn_app().await;
    for _ in 0..20 {
        app.sign_up_code(&app.fresh_phone()).await;
    }
    let response = app.post("/v1/sms-codes", &json!({"phone": app.fresh_phone(), "purpose": "sign_up"})).await;
    assert_problem(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert_eq!(app.outbox().await.len(), 20);
    app.advance_clock(3600).await;
    app.sign_up_code(&app.fresh_phone()).await;
}

async fn sign_up_with_code(app: &accounts_tests::TestApp, phone: &str, code: &str) -> reqwest::Response {
    let body = json!({"username": app.user("codeuser"), "email": app.email("code"), "phone": phone, "sms_code": code, "accept_terms": true});
    app.post("/v1/accounts", &body).await
}

fn wrong(code: &str) -> String {
    format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000)
}

async fn sms_code_error(response: reqwest::Response) -> String {
    let problem: Value = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let errors = field_errors(&problem);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].0, "sms_code");
    errors[0].1.clone()
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn a_code_expires_after_five_minutes() {
    let app = spawn_app().await;
    let phone = app.fresh_phone();
    let code = app.sign_up_code(&phone).await;
    app.advance_clock(300).await;
    assert_eq!(sms_code_error(sign_up_with_code(&app, &phone, &code).await).await, "sms_code_expired");
}

#[tokio::test]
async fn five_wrong_tries_void_the_code() {
    let app = spawn_app().await;
    let phone = app.fresh_phone();
    let code = app.sign_up_code(&phone).await;
    for _ in 0..5 {
        assert_eq!(sms_code_error(sign_up_with_code(&app, &phone, &wrong(&code)).await).await, "sms_code_invalid");
    }
    assert_eq!(sms_code_error(sign_up_with_code(&app, &phone, &code).await).await, "sms_code_exhausted");
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn a_resent_code_keeps_the_count_of_wrong_tries() {
    let app = spawn_app().await;
    let phone = app.fresh_phone();
    let first = app.sign_up_code(&phone).await;
    for _ in 0..3 {
        assert_eq!(sms_code_error(sign_up_with_code(&app, &phone, &wrong(&first)).await).await, "sms_code_invalid");
    }
    app.advance_clock(60).await;
    let second = app.sign_up_code(&phone).await;
    for _ in 0..2 {
        assert_eq!(sms_code_error(sign_up_with_code(&app, &phone, &wrong(&second)).await).await, "sms_code_invalid");
    }
    assert_eq!(sms_code_error(sign_up_with_code(&app, &phone, &second).await).await, "sms_code_exhausted");
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn only_the_newest_code_works_and_only_once() {
    let app = spawn_app().await;
    let phone = app.fresh_phone();
    let first = app.sign_up_code(&phone).await;
    app.advance_clock(60).await;
    let second = app.sign_up_code(&phone).await;
    if first != second {
        assert_eq!(sms_code_error(sign_up_with_code(&app, &phone, &first).await).await, "sms_code_invalid");
    }
    assert_eq!(sign_up_with_code(&app, &phone, &second).await.status(), StatusCode::CREATED);
    let again = json!({"username": app.user("codeuser2"), "email": app.email("code2"), "phone": app.fresh_phone(), "sms_code": second, "accept_terms": true});
    // The code belonged to the first phone; for any phone it is now spent.
    assert_eq!(sms_code_error(app.post("/v1/accounts", &again).await).await, "sms_code_expired");
}

#[tokio::test]
async fn a_malformed_code_is_not_counted_as_a_try() {
    let app = spawn_app().await;
    let phone = app.fresh_phone();
    let code = app.sign_up_code(&phone).await;
    for _ in 0..6 {
        assert_eq!(sms_code_error(sign_up_with_code(&app, &phone, "12ab").await).await, "sms_code_format");
    }
    assert_eq!(sign_up_with_code(&app, &phone, &code).await.status(), StatusCode::CREATED);
}

/// `GET /v1/sms-regions`: what the pages' region picker offers.
async fn sms_regions(app: &accounts_tests::TestApp) -> (reqwest::header::HeaderMap, Value) {
    let response = app.client.get(format!("{}/v1/sms-regions", app.base)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    (headers, response.json().await.unwrap())
}

#[tokio::test]
async fn the_sms_regions_are_listed_with_their_calling_codes_for_anyone_to_cache() {
    let app = spawn_app().await;
    let (headers, body) = sms_regions(&app).await;
    assert_eq!(body, json!({"regions": [{"region": "CN", "calling_code": 86, "national_prefix": "0"}]}));
    assert_eq!(headers["cache-control"], "public, max-age=3600");
    assert!(app.outbox().await.is_empty());
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs a configuration of its own; the stack has one")]
async fn the_sms_regions_follow_the_configured_list_in_its_order() {
    let app = accounts_tests::spawn_app_with(&[("ACCOUNTS_SMS_REGIONS", "HK,CN,GB")]).await;
    let (_, body) = sms_regions(&app).await;
    assert_eq!(
        body["regions"],
        json!([
            {"region": "HK", "calling_code": 852, "national_prefix": null},
            {"region": "CN", "calling_code": 86, "national_prefix": "0"},
            {"region": "GB", "calling_code": 44, "national_prefix": "0"},
        ])
    );
}
