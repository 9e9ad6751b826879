//! Breached passwords (the contract's "Breached passwords"): refused
//! wherever a password is set, caught at sign-in at most once a day, and a
//! range API that misbehaves blocks no one. The range API is the tests'
//! fake (support/range_api.rs): in this process, or the stack's own.

use std::time::Duration;

use accounts_tests::range_api::{Answer, RangeApi};
use accounts_tests::{Customer, TestApp, assert_problem, field_errors, range_api, spawn_app_screening, spawn_app_with};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::sms_sign_in::{code_for, sign_in_by_sms};

/// A password of this test alone (the stack's fake is shared), valid
/// under every preset: 16 printable ASCII characters of all four classes.
fn password_of(app: &TestApp, n: u8) -> String {
    format!("Br#{}{n}x", &app.tag[..10])
}

/// Signs up `name` and sets the initial `password`; the link's answer.
async fn activate_with(app: &TestApp, name: &str, password: &str) -> (reqwest::Response, Customer, String) {
    let (created, customer) = app.sign_up(name).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let token = app.last_link_token(&customer.email).await;
    let body = json!({"token": token, "password": password, "phone": customer.phone});
    let customer = Customer { password: password.to_owned(), ..customer };
    (app.post("/v1/password/set", &body).await, customer, token)
}

async fn assert_breached_on(response: reqwest::Response, field: &str) {
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&problem), [(field.to_owned(), "password_breached".to_owned())], "{problem}");
}

#[tokio::test]
async fn a_breached_password_is_refused_wherever_one_is_set_and_nothing_is_used_up() {
    let range = range_api().await;
    let app = spawn_app_screening(&range).await;
    let breached = password_of(&app, 1);
    let good = password_of(&app, 2);
    range.answer(&breached, Answer::Listed).await;

    // Activation: refused, and the link still works.
    let (refused, customer, token) = activate_with(&app, "brset", &breached).await;
    assert_breached_on(refused, "password").await;
    let body = json!({"token": token, "password": good, "phone": customer.phone});
    assert_eq!(app.post("/v1/password/set", &body).await.status(), StatusCode::NO_CONTENT);
    let customer = Customer { password: good.clone(), ..customer };
    let session = app.token_for(&customer).await;

    // A change: refused on new_password.
    let change = json!({"current_password": good, "new_password": breached});
    assert_breached_on(app.json_with_token(Method::PUT, "/v1/me/password", &session, &change).await, "new_password")
        .await;

    // An SMS reset: refused, and the code still works.
    let forgot = app.post("/v1/password/forgot", &json!({"login": customer.username, "method": "sms"})).await;
    assert_eq!(forgot.status(), StatusCode::ACCEPTED);
    let code = app.last_sms_code(&customer.phone).await;
    let reset = |password: &str| json!({"login": customer.username, "sms_code": code, "password": password});
    assert_breached_on(app.post("/v1/password/reset", &reset(&breached)).await, "password").await;
    let third = password_of(&app, 3);
    assert_eq!(app.post("/v1/password/reset", &reset(&third)).await.status(), StatusCode::NO_CONTENT);

    // Only the prefix left, with padding asked for.
    let seen = range.seen_for(&breached).await;
    assert!(!seen.is_empty());
    let (prefix, suffix) = shared::breach::split_hash(&breached.clone().into());
    for request in &seen {
        assert_eq!(request.path, format!("/range/{prefix}"));
        assert!(request.padding, "Add-Padding: true");
        let everything = format!("{request:?}");
        for secret in [breached.as_str(), suffix.as_str(), customer.username.as_str(), customer.email.as_str()] {
            assert!(!everything.contains(secret), "{secret} left the service: {everything}");
        }
    }
}

#[tokio::test]
async fn a_sign_in_with_a_breached_password_asks_for_a_reset() {
    let range = range_api().await;
    let app = spawn_app_screening(&range).await;
    let password = password_of(&app, 4);
    let (set, customer, _) = activate_with(&app, "brsign", &password).await;
    assert_eq!(set.status(), StatusCode::NO_CONTENT);
    // The password appears in a breach after it was set.
    range.answer(&password, Answer::Listed).await;
    let emails_before = app.outbox().await.len();

    let refused = app.sign_in(&customer.username, &password).await;
    assert_problem(refused, StatusCode::FORBIDDEN, "password_reset_required").await;
    let email = app.last_email(&customer.email).await;
    assert!(email["text"].as_str().unwrap().contains("/set-password?token="), "a reset link: {email}");
    // A wrong password is still just wrong; the right one stays refused,
    // and the day's link is not sent again.
    assert_problem(
        app.sign_in(&customer.username, "Wrong#Pass9x").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    assert_problem(app.sign_in(&customer.phone, &password).await, StatusCode::FORBIDDEN, "password_reset_required")
        .await;
    assert_eq!(app.outbox().await.len(), emails_before + 1, "one link a day");

    // SMS-code sign-in still works.
    let code = code_for(&app, &customer).await;
    let by_sms = sign_in_by_sms(&app, &customer.phone, &code).await;
    assert_eq!(by_sms.status(), StatusCode::CREATED);
    let session: Value = by_sms.json().await.unwrap();
    let account_id = app.account_id(session["token"].as_str().unwrap()).await;
    let events = app.audit_events(account_id.as_str()).await;
    assert_eq!(events.iter().filter(|e| *e == "password_breached").count(), 1, "{events:?}");

    // The emailed link sets a new password, which signs in.
    let token = app.last_link_token(&customer.email).await;
    let new = password_of(&app, 5);
    let reset = app.post("/v1/password/set", &json!({"token": token, "password": new})).await;
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.sign_in(&customer.username, &new).await.status(), StatusCode::CREATED);
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn a_sign_in_checks_the_password_at_most_once_a_day() {
    let range = range_api().await;
    let app = spawn_app_screening(&range).await;
    let password = password_of(&app, 6);
    let (set, customer, _) = activate_with(&app, "brdaily", &password).await;
    assert_eq!(set.status(), StatusCode::NO_CONTENT);
    let asked = || async { range.seen_for(&password).await.len() };
    let after_set = asked().await;
    for _ in 0..3 {
        assert_eq!(app.sign_in(&customer.username, &password).await.status(), StatusCode::CREATED);
    }
    assert_eq!(asked().await, after_set + 1, "one call for the day's sign-ins");
    app.advance_clock(86_400).await;
    assert_eq!(app.sign_in(&customer.username, &password).await.status(), StatusCode::CREATED);
    assert_eq!(asked().await, after_set + 2, "the next day's first sign-in asks again");
}

#[tokio::test]
async fn a_range_api_that_misbehaves_blocks_no_one() {
    let range = range_api().await;
    let app = spawn_app_screening(&range).await;
    // A client that gives up long after the service's own 1-second limit:
    // a request the service let hang would fail here.
    let patient = reqwest::Client::builder().timeout(Duration::from_secs(15)).build().unwrap();
    for (n, answer) in
        [Answer::Slow, Answer::Garbage, Answer::Huge, Answer::Redirect, Answer::Error].into_iter().enumerate()
    {
        let password = password_of(&app, 10 + n as u8);
        range.answer(&password, answer).await;
        let (created, customer) = app.sign_up(&format!("brodd{n}")).await;
        assert_eq!(created.status(), StatusCode::CREATED);
        let token = app.last_link_token(&customer.email).await;
        let body = json!({"token": token, "password": password, "phone": customer.phone});
        let set = patient.post(format!("{}/v1/password/set", app.base)).json(&body).send().await;
        let set = set.unwrap_or_else(|e| panic!("{answer:?}: the request hung: {e}"));
        assert_eq!(set.status(), StatusCode::NO_CONTENT, "{answer:?} fails open");
        let signed_in = patient
            .post(format!("{}/v1/sessions", app.base))
            .json(&json!({"login": customer.username, "password": password}))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{answer:?}: the sign-in hung: {e}"));
        assert_eq!(signed_in.status(), StatusCode::CREATED, "{answer:?} fails open at sign-in");
    }
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs a range API address of its own, which the deployed shape has not")]
async fn an_unreachable_range_api_blocks_no_one() {
    let app = spawn_app_with(&[("ACCOUNTS_BREACHED_PASSWORDS", "http://127.0.0.1:1/range/")]).await;
    let customer = app.activated_customer("brdown").await;
    assert_eq!(app.sign_in(&customer.username, &customer.password).await.status(), StatusCode::CREATED);
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "starts servers of its own configuration")]
async fn a_range_api_off_or_of_another_scheme_is_a_setting_error_or_nothing() {
    for bad in ["ftp://example.com/range/", "http://example.com/range/", "yes"] {
        let config =
            shared::Config::from_lookup(|name| (name == "ACCOUNTS_BREACHED_PASSWORDS").then(|| bad.to_owned()));
        assert!(config.is_err(), "{bad} is refused at start");
    }
    // Off (the dev server's default): nothing is looked up.
    let quiet = RangeApi::start().await;
    let app = accounts_tests::spawn_app().await;
    let password = password_of(&app, 20);
    quiet.answer(&password, Answer::Listed).await;
    let (set, _, _) = activate_with(&app, "broff", &password).await;
    assert_eq!(set.status(), StatusCode::NO_CONTENT);
    assert!(quiet.seen_for(&password).await.is_empty());
}
