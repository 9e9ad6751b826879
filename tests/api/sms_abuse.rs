//! SMS pumping defences: regions, the daily budget, per-network limits and
//! per-purpose phone counters.

use std::net::IpAddr;

use accounts_tests::{TestApp, assert_problem, field_errors, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::json;

async fn ask_code(app: &TestApp, phone: &str) -> reqwest::Response {
    app.post("/v1/sms-codes", &json!({"phone": phone, "purpose": "sign_up"})).await
}

fn retry_after(response: &reqwest::Response) -> i64 {
    response.headers()["retry-after"].to_str().unwrap().parse().unwrap()
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs a configuration of its own; the stack has one")]
async fn numbers_outside_the_sms_regions_are_refused_before_anything_is_sent() {
    let app = spawn_app().await;
    for abroad in ["+12015550123", "+447400123456"] {
        app.watch_phone(abroad);
        let problem =
            assert_problem(ask_code(&app, abroad).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(field_errors(&problem), [("phone".to_owned(), "phone_region_not_supported".to_owned())]);
        let body = json!({"username": app.user("abroad"), "email": app.email(app.user("abroad")), "phone": abroad,
            "sms_code": "123456", "accept_terms": true});
        let problem = assert_problem(
            app.post("/v1/accounts", &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert!(field_errors(&problem).contains(&("phone".to_owned(), "phone_region_not_supported".to_owned())));
    }
    assert!(app.outbox().await.is_empty());
    // The list is configurable.
    let uk = spawn_app_with(&[("ACCOUNTS_SMS_REGIONS", "CN,GB")]).await;
    assert_eq!(ask_code(&uk, "+447400123456").await.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn past_the_daily_budget_nothing_is_sent_until_the_next_utc_day() {
    let app = spawn_app_with(&[("ACCOUNTS_SMS_DAILY_BUDGET", "2")]).await;
    app.begin_a_utc_day().await;
    let customer = app.activated_customer("budgeted").await;
    app.sign_up_code(&app.fresh_phone()).await;
    let sent = app.outbox().await.iter().filter(|m| m["channel"] == "sms").count();
    assert_eq!(sent, 2);
    let refused = ask_code(&app, &app.fresh_phone()).await;
    let wait = retry_after(&refused);
    assert!((1..=86_400).contains(&wait), "{wait}");
    assert_problem(refused, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // Forgot-password by SMS answers alike for a real and an unknown login.
    for login in [customer.username.as_str(), "nosuchuser"] {
        let body = json!({"login": login, "method": "sms"});
        assert_problem(app.post("/v1/password/forgot", &body).await, StatusCode::TOO_MANY_REQUESTS, "rate_limited")
            .await;
    }
    assert_eq!(app.outbox().await.iter().filter(|m| m["channel"] == "sms").count(), 2);
    app.advance_clock(wait).await;
    assert_eq!(ask_code(&app, &app.fresh_phone()).await.status(), StatusCode::ACCEPTED);
}

fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder().local_address(ip.parse::<IpAddr>().unwrap()).build().unwrap()
}

async fn ask_code_from(app: &TestApp, client: &reqwest::Client, phone: &str) -> StatusCode {
    let body = json!({"phone": phone, "purpose": "sign_up"});
    client.post(format!("{}/v1/sms-codes", app.base)).json(&body).send().await.unwrap().status()
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn one_client_network_gets_at_most_sixty_sms_an_hour() {
    let app = spawn_app().await;
    // Three addresses of 127.0.0.0/24, twenty each (their own limit).
    for ip in ["127.0.0.2", "127.0.0.3", "127.0.0.4"] {
        let client = client_from(ip);
        for _ in 0..20 {
            assert_eq!(ask_code_from(&app, &client, &app.fresh_phone()).await, StatusCode::ACCEPTED, "{ip}");
        }
    }
    // A fourth address of the same network is refused; another network is not.
    assert_eq!(ask_code_from(&app, &client_from("127.0.0.5"), &app.fresh_phone()).await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(ask_code_from(&app, &client_from("127.0.1.2"), &app.fresh_phone()).await, StatusCode::ACCEPTED);
    app.advance_clock(3600).await;
    assert_eq!(ask_code_from(&app, &client_from("127.0.0.5"), &app.fresh_phone()).await, StatusCode::ACCEPTED);
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn sign_up_codes_never_hold_back_a_reset_code() {
    let app = spawn_app().await;
    let customer = app.activated_customer("victim").await;
    // Someone uses up the phone's sign-up codes for the day (its own
    // sign-up took the first).
    for _ in 0..9 {
        app.advance_clock(61).await;
        assert_eq!(ask_code(&app, &customer.phone).await.status(), StatusCode::ACCEPTED);
    }
    app.advance_clock(61).await;
    assert_eq!(ask_code(&app, &customer.phone).await.status(), StatusCode::TOO_MANY_REQUESTS);
    let before = app.outbox().await.len();
    let body = json!({"login": customer.username, "method": "sms"});
    assert_eq!(app.post("/v1/password/forgot", &body).await.status(), StatusCode::ACCEPTED);
    let outbox = app.outbox().await;
    assert_eq!(outbox.len(), before + 1);
    assert_eq!(outbox.last().unwrap()["to"], customer.phone.as_str());
}
