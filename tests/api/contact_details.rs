//! Changing the email (`POST /v1/me/email`, `/v1/me/email/confirm`) and the
//! phone (`POST /v1/me/phone/sms-code`, `PUT /v1/me/phone`), and a
//! forgotten username (`POST /v1/username/forgot`).

use accounts_tests::{PASSWORD, TestApp, assert_problem, field_errors, spawn_app, token_in};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn ask_email_change(app: &TestApp, token: &str, new_email: &str) -> reqwest::Response {
    let body = json!({"password": PASSWORD, "new_email": new_email});
    app.json_with_token(Method::POST, "/v1/me/email", token, &body).await
}

async fn confirm_email(app: &TestApp, token: &str, link_token: &str) -> reqwest::Response {
    app.json_with_token(Method::POST, "/v1/me/email/confirm", token, &json!({"token": link_token})).await
}

async fn me(app: &TestApp, token: &str) -> Value {
    app.with_token(Method::GET, "/v1/me", token).await.json().await.unwrap()
}

#[tokio::test]
async fn an_email_changes_through_a_link_to_the_new_address_and_both_are_told() {
    let app = spawn_app().await;
    let customer = app.activated_customer("movingmail").await;
    let token = app.token_for(&customer).await;
    let new_email = app.email("movedmail");

    let response = ask_email_change(&app, &token, &new_email).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let notice = app.last_email(&customer.email).await;
    assert!(notice["text"].as_str().unwrap().contains(&new_email), "the current address is told: {notice}");
    let link = app.last_link_token(&new_email).await;
    assert_eq!(me(&app, &token).await["email"], customer.email.as_str(), "nothing changes before the link");

    // Someone else's session cannot use the link.
    let other = app.activated_customer("mailthief").await;
    let other_token = app.token_for(&other).await;
    assert_problem(confirm_email(&app, &other_token, &link).await, StatusCode::NOT_FOUND, "invalid_link").await;

    assert_eq!(confirm_email(&app, &token, &link).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(me(&app, &token).await["email"], new_email.as_str());
    for address in [&customer.email, &new_email] {
        let told = app.last_email(address).await;
        assert!(told["subject"].as_str().unwrap().contains("changed"), "{address}: {told}");
    }
    assert_problem(confirm_email(&app, &token, &link).await, StatusCode::NOT_FOUND, "invalid_link").await;
    // The new address signs in; the old one is free for someone else.
    assert_eq!(app.sign_in(&new_email, PASSWORD).await.status(), StatusCode::CREATED);
    assert_eq!(app.sign_in(&customer.email, PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    let reuse = ask_email_change(&app, &other_token, &customer.email.to_uppercase()).await;
    assert_eq!(reuse.status(), StatusCode::ACCEPTED, "the old address is free again");
    let events = audit_events(&app, &token).await;
    assert!(events.contains(&"email_change_requested".to_owned()) && events.contains(&"email_changed".to_owned()));
}

/// The events of the signed-in account's audit trail, oldest first.
async fn audit_events(app: &TestApp, token: &str) -> Vec<String> {
    let account_id = me(app, token).await["account_id"].as_str().unwrap().to_owned();
    let trail: Value =
        app.ops(Method::GET, &format!("/ops/v1/audit?account_id={account_id}"), None).await.json().await.unwrap();
    let events = trail["items"].as_array().unwrap().iter().map(|r| r["event"].as_str().unwrap().to_owned()).collect();
    let text = trail.to_string();
    assert!(!text.contains('@') && !text.contains("+86"), "no personal data in the trail: {text}");
    events
}

#[tokio::test]
async fn a_taken_address_is_409_when_asked_and_when_confirmed() {
    let app = spawn_app().await;
    let first = app.activated_customer("firstmail").await;
    let second = app.activated_customer("secondmail").await;
    let first_token = app.token_for(&first).await;
    let second_token = app.token_for(&second).await;

    let taken = ask_email_change(&app, &first_token, &second.email.to_uppercase()).await;
    let problem = assert_problem(taken, StatusCode::CONFLICT, "conflict").await;
    assert_eq!(field_errors(&problem), vec![("new_email".to_owned(), "email_taken".to_owned())]);

    // Both ask for the same free address; the second to confirm gets 409.
    let contested = app.email("contested");
    assert_eq!(ask_email_change(&app, &first_token, &contested).await.status(), StatusCode::ACCEPTED);
    let first_link = app.last_link_token(&contested).await;
    assert_eq!(ask_email_change(&app, &second_token, &contested).await.status(), StatusCode::ACCEPTED);
    let second_link = app.last_link_token(&contested).await;
    assert_eq!(confirm_email(&app, &first_token, &first_link).await.status(), StatusCode::NO_CONTENT);
    let late = confirm_email(&app, &second_token, &second_link).await;
    let problem = assert_problem(late, StatusCode::CONFLICT, "conflict").await;
    assert_eq!(field_errors(&problem), vec![("new_email".to_owned(), "email_taken".to_owned())]);
    assert_eq!(me(&app, &second_token).await["email"], second.email.as_str());

    let wrong = app
        .json_with_token(
            Method::POST,
            "/v1/me/email",
            &first_token,
            &json!({"password": "Wrong#Pass1", "new_email": app.email("x")}),
        )
        .await;
    assert_problem(wrong, StatusCode::FORBIDDEN, "invalid_credentials").await;
    let invalid = app.json_with_token(Method::POST, "/v1/me/email", &first_token, &json!({"new_email": "nope"})).await;
    let problem = assert_problem(invalid, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let mut fields = field_errors(&problem);
    fields.sort();
    assert_eq!(
        fields,
        vec![("new_email".to_owned(), "email_format".to_owned()), ("password".to_owned(), "required".to_owned())]
    );
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn an_email_link_expires_after_sixty_minutes() {
    let app = spawn_app().await;
    let customer = app.activated_customer("slowmail").await;
    let token = app.token_for(&customer).await;
    let new_email = app.email("slowmailnew");
    ask_email_change(&app, &token, &new_email).await;
    let link = token_in(app.last_email(&new_email).await["text"].as_str().unwrap());
    app.advance_clock(3601).await;
    let token = app.token_for(&customer).await;
    assert_problem(confirm_email(&app, &token, &link).await, StatusCode::GONE, "link_expired").await;
}

#[tokio::test]
async fn a_phone_changes_with_a_change_phone_code_to_the_new_number() {
    let app = spawn_app().await;
    let customer = app.activated_customer("newphone").await;
    let token = app.token_for(&customer).await;
    let new_phone = app.fresh_phone();

    let taken =
        app.json_with_token(Method::POST, "/v1/me/phone/sms-code", &token, &json!({"phone": customer.phone})).await;
    let problem = assert_problem(taken, StatusCode::CONFLICT, "conflict").await;
    assert_eq!(field_errors(&problem), vec![("phone".to_owned(), "phone_taken".to_owned())]);
    let abroad =
        app.json_with_token(Method::POST, "/v1/me/phone/sms-code", &token, &json!({"phone": "+14155552671"})).await;
    let problem = assert_problem(abroad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&problem), vec![("phone".to_owned(), "phone_region_not_supported".to_owned())]);

    let sent = app.json_with_token(Method::POST, "/v1/me/phone/sms-code", &token, &json!({"phone": new_phone})).await;
    assert_eq!(sent.status(), StatusCode::ACCEPTED);
    assert_eq!(sent.json::<Value>().await.unwrap(), json!({"expires_in": 300, "retry_after": 60}));
    let code = app.last_sms_code(&new_phone).await;

    let change = |password: &str, code: &str| json!({"password": password, "phone": new_phone, "sms_code": code});
    let wrong_code = app.json_with_token(Method::PUT, "/v1/me/phone", &token, &change(PASSWORD, "000000")).await;
    let problem = assert_problem(wrong_code, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&problem), vec![("sms_code".to_owned(), "sms_code_invalid".to_owned())]);
    let wrong_password = app.json_with_token(Method::PUT, "/v1/me/phone", &token, &change("Wrong#Pass1", &code)).await;
    assert_problem(wrong_password, StatusCode::FORBIDDEN, "invalid_credentials").await;
    // A sign-up code for the number is not a change_phone code.
    let response = app.json_with_token(Method::PUT, "/v1/me/phone", &token, &change(PASSWORD, &code)).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(me(&app, &token).await["phone"], new_phone.as_str());
    let told = app.last_email(&customer.email).await;
    assert!(told["subject"].as_str().unwrap().contains("mobile number"), "{told}");
    let reused = app.json_with_token(Method::PUT, "/v1/me/phone", &token, &change(PASSWORD, &code)).await;
    assert_problem(reused, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(audit_events(&app, &token).await.contains(&"phone_changed".to_owned()));
    // The new number signs in; the old one is free for another account.
    assert_eq!(app.sign_in(&new_phone, PASSWORD).await.status(), StatusCode::CREATED);
    assert_eq!(app.sign_in(&customer.phone, PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    let other = app.activated_customer("phonetaker").await;
    let other_token = app.token_for(&other).await;
    let body = json!({"phone": customer.phone});
    let free = app.json_with_token(Method::POST, "/v1/me/phone/sms-code", &other_token, &body).await;
    assert_eq!(free.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn a_forgotten_username_goes_to_the_email_or_phone_and_unknown_ones_look_alike() {
    let app = spawn_app().await;
    let customer = app.activated_customer("forgetful").await;
    let unknown_email = app.email("nobodyatall");
    let mut answers = Vec::new();
    for body in [
        json!({"email": customer.email.to_uppercase()}),
        json!({"email": unknown_email}),
        json!({"phone": customer.phone}),
        json!({"phone": app.fresh_phone()}),
    ] {
        let response = app.post("/v1/username/forgot", &body).await;
        let status = response.status();
        answers.push((status, response.text().await.unwrap()));
    }
    assert!(answers.iter().all(|a| *a == (StatusCode::ACCEPTED, "{}".to_owned())), "{answers:?}");
    let mail = app.last_email(&customer.email).await;
    assert!(mail["text"].as_str().unwrap().contains(&customer.username), "{mail}");
    let outbox = app.outbox().await;
    let sms = outbox.iter().rev().find(|m| m["channel"] == "sms" && m["to"] == customer.phone.as_str()).unwrap();
    assert!(sms["text"].as_str().unwrap().contains(&customer.username), "{sms}");
    assert!(!outbox.iter().any(|m| m["to"] == unknown_email.as_str()));

    let both = app.post("/v1/username/forgot", &json!({"email": customer.email, "phone": customer.phone})).await;
    assert_problem(both, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let neither = app.post("/v1/username/forgot", &json!({})).await;
    assert_problem(neither, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

#[tokio::test]
async fn forgotten_usernames_share_forgot_passwords_limit_per_name() {
    let app = spawn_app().await;
    let email = app.email("limitedname");
    for _ in 0..3 {
        assert_eq!(app.post("/v1/password/forgot", &json!({"login": email})).await.status(), StatusCode::ACCEPTED);
    }
    for _ in 0..2 {
        assert_eq!(app.post("/v1/username/forgot", &json!({"email": email})).await.status(), StatusCode::ACCEPTED);
    }
    let sixth = app.post("/v1/username/forgot", &json!({"email": email})).await;
    assert_problem(sixth, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

#[tokio::test]
async fn five_email_changes_a_day_counted_once_the_password_passes_taken_addresses_included() {
    let app = spawn_app().await;
    app.begin_a_utc_day().await;
    let customer = app.activated_customer("manymoves").await;
    let token = app.token_for(&customer).await;
    let other = app.activated_customer("heldaddress").await;
    // A wrong password is refused before anything is counted.
    let wrong = json!({"password": "Wrong#Pass1", "new_email": app.email("free")});
    let refused = app.json_with_token(Method::POST, "/v1/me/email", &token, &wrong).await;
    assert_problem(refused, StatusCode::FORBIDDEN, "invalid_credentials").await;
    for n in 0..4 {
        assert_eq!(
            ask_email_change(&app, &token, &app.email(&format!("free{n}"))).await.status(),
            StatusCode::ACCEPTED
        );
    }
    // A taken address counts too: a session cannot list which ones exist.
    assert_eq!(ask_email_change(&app, &token, &other.email).await.status(), StatusCode::CONFLICT);
    let sixth = ask_email_change(&app, &token, &other.email).await;
    let problem = assert_problem(sixth, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert!(problem["detail"].is_string());
    let free = ask_email_change(&app, &token, &app.email("freeagain")).await;
    assert_problem(free, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn the_email_change_quota_is_per_utc_day() {
    let app = spawn_app().await;
    app.begin_a_utc_day().await;
    let customer = app.activated_customer("dailymoves").await;
    let token = app.token_for(&customer).await;
    for n in 0..5 {
        assert_eq!(ask_email_change(&app, &token, &app.email(&format!("day{n}"))).await.status(), StatusCode::ACCEPTED);
    }
    let over = ask_email_change(&app, &token, &app.email("dayover")).await;
    assert_eq!(over.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: i64 = over.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=86_400).contains(&retry_after));
    app.advance_clock(retry_after).await;
    let token = app.token_for(&customer).await;
    assert_eq!(ask_email_change(&app, &token, &app.email("nextday")).await.status(), StatusCode::ACCEPTED);
}

async fn phone_code(app: &TestApp, token: &str, phone: &str) -> reqwest::Response {
    app.json_with_token(Method::POST, "/v1/me/phone/sms-code", token, &json!({"phone": phone})).await
}

#[tokio::test]
async fn five_phone_change_codes_a_day_taken_numbers_included() {
    let app = spawn_app().await;
    app.begin_a_utc_day().await;
    let customer = app.activated_customer("manyphones").await;
    let token = app.token_for(&customer).await;
    let other = app.activated_customer("heldphone").await;
    for _ in 0..4 {
        assert_eq!(phone_code(&app, &token, &app.fresh_phone()).await.status(), StatusCode::ACCEPTED);
    }
    assert_eq!(phone_code(&app, &token, &other.phone).await.status(), StatusCode::CONFLICT);
    let sixth = phone_code(&app, &token, &other.phone).await;
    assert_problem(sixth, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs a per-IP SMS limit of its own")]
async fn a_taken_number_is_told_only_to_a_request_the_sms_limits_let_through() {
    let app = accounts_tests::spawn_app_with(&[("ACCOUNTS_LIMIT_SMS_PER_IP_HOUR", "2")]).await;
    let customer = app.activated_customer("probing").await;
    let token = app.token_for(&customer).await;
    let other = app.activated_customer("probed").await;
    // The sign-ups spent this client's hourly SMS; a taken number now
    // answers 429 like any other, not 409.
    let probe = phone_code(&app, &token, &other.phone).await;
    assert_problem(probe, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    let free = phone_code(&app, &token, &app.fresh_phone()).await;
    assert_problem(free, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}
