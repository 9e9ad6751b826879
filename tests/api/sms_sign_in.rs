//! Sign-in by SMS code (the contract's "Sign-in beyond the password"): a
//! code texted only to an activated account's phone, every phone answered
//! alike; a first factor like the password, never a way around TOTP.

use accounts_tests::faults::Faults;
use accounts_tests::{Customer, TestApp, assert_problem, spawn_app, spawn_app_with, spawn_app_with_faults};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

/// Asks for a sign-in code for `phone`.
pub(crate) async fn ask_code(app: &TestApp, phone: &str) -> Response {
    app.post("/v1/sms-codes", &json!({"phone": phone, "purpose": "sign_in"})).await
}

/// Signs in with `code` for `phone`.
pub(crate) async fn sign_in_by_sms(app: &TestApp, phone: &str, code: &str) -> Response {
    app.post("/v1/sessions/sms", &json!({"phone": phone, "sms_code": code})).await
}

/// A code for `customer`'s phone, asked for and read from the outbox.
pub(crate) async fn code_for(app: &TestApp, customer: &Customer) -> String {
    assert_eq!(ask_code(app, &customer.phone).await.status(), StatusCode::ACCEPTED);
    app.last_sms_code(&customer.phone).await
}

async fn sms_count(app: &TestApp, phone: &str) -> usize {
    app.outbox().await.iter().filter(|m| m["channel"] == "sms" && m["to"] == phone).count()
}

/// The status and the body's JSON of an answer.
async fn answered(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_code_signs_in_and_an_unknown_phone_is_answered_alike() {
    let app = spawn_app().await;
    let customer = app.activated_customer("smsin").await;
    let stranger = app.fresh_phone();
    let known = answered(ask_code(&app, &customer.phone).await).await;
    let unknown = answered(ask_code(&app, &stranger).await).await;
    assert_eq!(known, (StatusCode::ACCEPTED, json!({"expires_in": 300, "retry_after": 60})));
    assert_eq!(unknown, known, "an unknown phone is answered alike");
    assert_eq!(sms_count(&app, &stranger).await, 0, "no stranger is texted");
    let code = app.last_sms_code(&customer.phone).await;

    let wrong =
        answered(sign_in_by_sms(&app, &customer.phone, if code == "000000" { "111111" } else { "000000" }).await).await;
    let nobody = answered(sign_in_by_sms(&app, &stranger, &code).await).await;
    assert_eq!(wrong.0, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.1["code"], "invalid_credentials");
    assert_eq!(nobody, wrong, "an unknown phone and a wrong code are the same answer");

    let response = sign_in_by_sms(&app, &customer.phone, &code).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let cookie = response.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert!(cookie.starts_with("session="), "{cookie}");
    let session: Value = response.json().await.unwrap();
    let token = session["token"].as_str().unwrap();
    let me = app.with_token(Method::GET, "/v1/me", token).await;
    assert_eq!(me.status(), StatusCode::OK);
    // A code works once.
    assert_problem(sign_in_by_sms(&app, &customer.phone, &code).await, StatusCode::UNAUTHORIZED, "invalid_credentials")
        .await;
    let account_id = app.account_id(token).await;
    let trail = app.ops(Method::GET, &format!("/ops/v1/audit?account_id={account_id}&limit=200"), None).await;
    let trail: Value = trail.json().await.unwrap();
    let signed_in = trail["items"].as_array().unwrap().iter().find(|r| r["event"] == "signed_in").cloned();
    let signed_in = signed_in.unwrap();
    assert_eq!((&signed_in["detail"], &signed_in["method"]), (&json!("sms_code"), &json!("sms_code")));
}

#[tokio::test]
async fn wrong_codes_lock_the_phone_as_a_login_name() {
    let app = spawn_app().await;
    let customer = app.activated_customer("smslock").await;
    let code = code_for(&app, &customer).await;
    let wrong = if code == "999999" { "888888" } else { "999999" };
    for _ in 0..5 {
        assert_problem(
            sign_in_by_sms(&app, &customer.phone, wrong).await,
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        )
        .await;
    }
    // Locked: even the right code waits, and so does the password by phone.
    let locked = sign_in_by_sms(&app, &customer.phone, &code).await;
    assert!(locked.headers().contains_key("retry-after"));
    assert_problem(locked, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    let by_password = app.sign_in(&customer.phone, &customer.password).await;
    assert_problem(by_password, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    // The username is another login name: it still signs in.
    assert_eq!(app.sign_in(&customer.username, &customer.password).await.status(), StatusCode::CREATED);
    let token = app.token_for(&customer).await;
    let events = app.audit_events(app.account_id(&token).await.as_str()).await;
    assert!(events.iter().filter(|e| *e == "sign_in_failed").count() >= 5, "{events:?}");
    assert!(events.contains(&"locked_out".to_owned()), "{events:?}");
}

#[tokio::test]
async fn a_code_never_skips_the_second_factor() {
    let app = spawn_app().await;
    let customer = app.activated_customer("smsmfa").await;
    let token = app.token_for(&customer).await;
    let (secret, _) = app.enable_mfa(&token).await;
    let code = code_for(&app, &customer).await;
    let response = sign_in_by_sms(&app, &customer.phone, &code).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get("set-cookie").is_none(), "no session before the second step");
    let step: Value = response.json().await.unwrap();
    assert_eq!(step["mfa_required"], true);
    assert!(step.get("method").is_none(), "a TOTP code: {step}");
    // The SMS code was used up by the first step.
    assert_problem(sign_in_by_sms(&app, &customer.phone, &code).await, StatusCode::UNAUTHORIZED, "invalid_credentials")
        .await;
    let body = json!({"mfa_token": step["mfa_token"], "code": app.totp_code(&secret, 1)});
    assert_eq!(app.post("/v1/sessions/mfa", &body).await.status(), StatusCode::CREATED);
    // The trail keeps the first factor through the second step.
    let account_id = app.account_id(&token).await;
    let query = format!("/ops/v1/audit?account_id={account_id}&order=newest&event=signed_in&limit=1");
    let latest: Value = app.ops(Method::GET, &query, None).await.json().await.unwrap();
    assert_eq!((&latest["items"][0]["method"], &latest["items"][0]["detail"]), (&json!("sms_code"), &json!("totp")));
}

#[tokio::test]
async fn pending_and_suspended_accounts_do_not_sign_in_by_code() {
    let app = spawn_app().await;
    let (created, pending) = app.sign_up("smspend").await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let before = sms_count(&app, &pending.phone).await;
    assert_eq!(ask_code(&app, &pending.phone).await.status(), StatusCode::ACCEPTED);
    assert_eq!(sms_count(&app, &pending.phone).await, before, "a pending account is not texted");
    assert_problem(
        sign_in_by_sms(&app, &pending.phone, "123456").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;

    let customer = app.activated_customer("smssusp").await;
    let path = format!("/ops/v1/accounts/{}/suspension", customer.username);
    assert_eq!(app.ops(Method::POST, &path, Some(&json!({"reason": "test"}))).await.status(), StatusCode::OK);
    // A suspended account's phone gets its code; the sign-in says why.
    let code = code_for(&app, &customer).await;
    assert_problem(sign_in_by_sms(&app, &customer.phone, &code).await, StatusCode::FORBIDDEN, "account_suspended")
        .await;
}

#[tokio::test]
async fn a_sub_account_signs_in_by_code_under_its_primarys_policy() {
    let app = spawn_app().await;
    let lead = app.activated_customer("smslead").await;
    let lead_token = app.token_for(&lead).await;
    let phone = app.fresh_phone();
    let bound = app
        .json_with_token(Method::POST, "/v1/sms-codes", &lead_token, &json!({"phone": phone, "purpose": "sub_account"}))
        .await;
    assert_eq!(bound.status(), StatusCode::ACCEPTED);
    let sub = app.user("smsmate");
    let body = json!({"username": sub, "email": app.email(sub), "phone": phone,
        "sms_code": app.last_sms_code(&phone).await});
    let created = app.json_with_token(Method::POST, "/v1/me/sub-accounts", &lead_token, &body).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let token = app.last_link_token(&app.email(sub)).await;
    let set = app
        .post("/v1/password/set", &json!({"token": token, "password": accounts_tests::PASSWORD, "phone": phone}))
        .await;
    assert_eq!(set.status(), StatusCode::NO_CONTENT);
    let mate =
        Customer { username: sub.to_owned(), email: app.email(sub), phone, password: accounts_tests::PASSWORD.into() };

    // Outside the allowed networks: refused, as a password sign-in is.
    let policy = json!({"mfa_required": false, "session_hours": 12, "allowed_networks": ["203.0.113.0/24"],
        "password": accounts_tests::PASSWORD});
    let set = app.json_with_token(Method::PUT, "/v1/me/sub-account-policy", &lead_token, &policy).await;
    assert_eq!(set.status(), StatusCode::OK);
    let code = code_for(&app, &mate).await;
    assert_problem(sign_in_by_sms(&app, &mate.phone, &code).await, StatusCode::FORBIDDEN, "network_not_allowed").await;

    // Disabled: refused, saying so (a refusal uses no code up).
    let open = json!({"mfa_required": false, "session_hours": 12, "allowed_networks": [],
        "password": accounts_tests::PASSWORD});
    let set = app.json_with_token(Method::PUT, "/v1/me/sub-account-policy", &lead_token, &open).await;
    assert_eq!(set.status(), StatusCode::OK);
    let disabled = app.with_token(Method::POST, &format!("/v1/me/sub-accounts/{sub}/disable"), &lead_token).await;
    assert_eq!(disabled.status(), StatusCode::NO_CONTENT);
    assert_problem(sign_in_by_sms(&app, &mate.phone, &code).await, StatusCode::FORBIDDEN, "account_disabled").await;
    let enable = json!({"password": accounts_tests::PASSWORD});
    let enabled =
        app.json_with_token(Method::POST, &format!("/v1/me/sub-accounts/{sub}/enable"), &lead_token, &enable).await;
    assert_eq!(enabled.status(), StatusCode::NO_CONTENT);

    // Two-factor required: the session may only set TOTP up.
    let policy = json!({"mfa_required": true, "session_hours": 12, "allowed_networks": [],
        "password": accounts_tests::PASSWORD});
    let set = app.json_with_token(Method::PUT, "/v1/me/sub-account-policy", &lead_token, &policy).await;
    assert_eq!(set.status(), StatusCode::OK);
    let response = sign_in_by_sms(&app, &mate.phone, &code).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let session: Value = response.json().await.unwrap();
    assert_eq!(session["mfa_enrolment_required"], true);
}

#[tokio::test]
async fn sign_in_codes_count_against_the_phones_limits_alike() {
    let app = spawn_app().await;
    let customer = app.activated_customer("smslimit").await;
    let stranger = app.fresh_phone();
    for phone in [&customer.phone, &stranger] {
        assert_eq!(ask_code(&app, phone).await.status(), StatusCode::ACCEPTED);
    }
    let known = ask_code(&app, &customer.phone).await;
    let unknown = ask_code(&app, &stranger).await;
    assert_eq!(known.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(unknown.status(), StatusCode::TOO_MANY_REQUESTS, "the cooldown counts for every phone");
    let retry = |r: &Response| r.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
    assert!(retry(&known).is_some() && retry(&unknown).is_some());
    // Sign-in codes count on their own: a sign-up code still goes.
    assert_eq!(
        app.post("/v1/sms-codes", &json!({"phone": stranger, "purpose": "sign_up"})).await.status(),
        StatusCode::ACCEPTED
    );
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs a daily SMS budget of its own, which the deployed shape has not")]
async fn a_spent_budget_refuses_every_phone_alike() {
    let app = spawn_app_with(&[("ACCOUNTS_SMS_DAILY_BUDGET", "1")]).await;
    let customer = app.activated_customer("smsbudget").await;
    let stranger = app.fresh_phone();
    // The sign-up's code spent the day's one SMS.
    let known = answered(ask_code(&app, &customer.phone).await).await;
    let unknown = answered(ask_code(&app, &stranger).await).await;
    assert_eq!(known.0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(known.1["code"], "rate_limited");
    assert_eq!(unknown, known);
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "injects faults into the dev server's ports")]
async fn a_provider_failure_is_answered_as_a_send_and_noted() {
    let faults = Faults::new();
    let app = spawn_app_with_faults(&[], &faults).await;
    let customer = app.activated_customer("smsfail").await;
    let token = app.token_for(&customer).await;
    let account_id = app.account_id(&token).await;
    faults.take_down("sms");
    let known = answered(ask_code(&app, &customer.phone).await).await;
    faults.disarm();
    assert_eq!(known, (StatusCode::ACCEPTED, json!({"expires_in": 300, "retry_after": 60})));
    let events = app.audit_events(account_id.as_str()).await;
    assert!(events.contains(&"sms_failed".to_owned()), "{events:?}");
    // Nothing was counted for it: asking again at once sends.
    assert_eq!(ask_code(&app, &customer.phone).await.status(), StatusCode::ACCEPTED);
    let code = app.last_sms_code(&customer.phone).await;
    assert_eq!(sign_in_by_sms(&app, &customer.phone, &code).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn hostile_bodies_are_refused_cleanly() {
    let app = spawn_app().await;
    for body in [json!({}), json!({"phone": "+8613800138000"}), json!({"sms_code": "123456"})] {
        assert_problem(
            app.post("/v1/sessions/sms", &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    }
    for phone in ["not a phone", "+1", &"9".repeat(3000), "+86 138 0013 8000", "008613800138000"] {
        let response = sign_in_by_sms(&app, phone, "123456").await;
        assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    }
    let wrong_type = app.post("/v1/sessions/sms", &json!({"phone": 5, "sms_code": 123456})).await;
    assert_problem(wrong_type, StatusCode::BAD_REQUEST, "malformed_request").await;
}
