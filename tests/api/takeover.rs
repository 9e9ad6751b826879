//! Pre-account hijacking defences: pending accounts expire, activation needs
//! the sign-up's phone, links can be inspected and declined, and a sign-up
//! conflict uses up a try of its code.

use accounts_tests::{PASSWORD, TestApp, assert_problem, field_errors, spawn_app, token_in};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn sign_up_as(app: &TestApp, username: &str, email: &str, phone: &str) -> reqwest::Response {
    let code = app.sign_up_code(phone).await;
    let body = json!({"username": username, "email": email, "phone": phone, "sms_code": code, "accept_terms": true});
    app.post("/v1/accounts", &body).await
}

async fn set(app: &TestApp, token: &str, phone: Option<&str>) -> reqwest::Response {
    let mut body = json!({"token": token, "password": PASSWORD});
    if let Some(phone) = phone {
        body["phone"] = Value::from(phone);
    }
    app.post("/v1/password/set", &body).await
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn a_pending_account_is_gone_after_seven_days_and_its_names_are_free() {
    let app = spawn_app().await;
    let (response, squatter) = app.sign_up("squatter").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    app.advance_clock(7 * 86_400 - 60).await;
    let phone = app.fresh_phone();
    let taken = sign_up_as(&app, app.user("squatter"), &squatter.email, &phone).await;
    assert_eq!(taken.status(), StatusCode::CONFLICT);
    app.advance_clock(60).await;
    // Forgot-password no longer re-invites it.
    let emails = app.outbox().await.len();
    let forgot = app.post("/v1/password/forgot", &json!({"login": squatter.email})).await;
    assert_eq!(forgot.status(), StatusCode::ACCEPTED);
    assert_eq!(app.outbox().await.len(), emails);
    // Username, email and phone are free at once.
    assert_eq!(
        sign_up_as(&app, app.user("squatter"), &squatter.email, &squatter.phone).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn activation_needs_the_phone_and_five_mismatches_void_the_link() {
    let app = spawn_app().await;
    let (_, customer) = app.sign_up("bindme").await;
    let token = app.last_link_token(&customer.email).await;
    for phone in [None, Some("+8613900000999")] {
        let problem =
            assert_problem(set(&app, &token, phone).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(field_errors(&problem), [("phone".to_owned(), "phone_mismatch".to_owned())]);
    }
    // Spaces are fine; the right number activates.
    let spaced = format!("{} {}", &customer.phone[..3], &customer.phone[3..]);
    let other = app.last_link_token(&customer.email).await;
    assert_eq!(set(&app, &other, Some(&spaced)).await.status(), StatusCode::NO_CONTENT);

    let (_, guessed) = app.sign_up("guessed").await;
    let token = app.last_link_token(&guessed.email).await;
    for _ in 0..5 {
        set(&app, &token, Some("+8613900000999")).await;
    }
    assert_problem(set(&app, &token, Some(&guessed.phone)).await, StatusCode::NOT_FOUND, "invalid_link").await;
}

#[tokio::test]
async fn a_victim_declines_a_squatted_sign_up_and_registers_for_real() {
    let app = spawn_app().await;
    let victim_email = app.email(app.user("victim"));
    let squatter_phone = app.fresh_phone();
    let squatted = sign_up_as(&app, app.user("victim"), &victim_email, &squatter_phone).await;
    assert_eq!(squatted.status(), StatusCode::CREATED);
    let squatted_id = squatted.json::<Value>().await.unwrap()["account_id"].as_str().unwrap().to_owned();
    let invitation = app.last_email(&victim_email).await;
    assert!(invitation["text"].as_str().unwrap().contains("This is not"), "{invitation}");
    let token = token_in(invitation["text"].as_str().unwrap());
    // The victim sees whose link it is, and only a masked phone.
    let view: Value = app.post("/v1/password/link", &json!({"token": token})).await.json().await.unwrap();
    assert_eq!(view["purpose"], "activate");
    assert_eq!(view["username"], app.user("victim"));
    let masked = view["phone"].as_str().unwrap();
    assert!(masked.starts_with("+86 139****") && masked.ends_with(&squatter_phone[squatter_phone.len() - 4..]));
    assert!(!masked.contains(&squatter_phone[3..]));
    assert!(view["expires_at"].as_str().unwrap().ends_with('Z'));
    // Without the squatter's phone the victim cannot activate; declining
    // erases the account at once and tells the address.
    assert_eq!(set(&app, &token, None).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let declined = app.post("/v1/password/link/decline", &json!({"token": token})).await;
    assert_eq!(declined.status(), StatusCode::NO_CONTENT);
    assert!(app.last_email(&victim_email).await["subject"].as_str().unwrap().contains("removed"));
    // What remains is an audit record without personal data.
    let trail: Value =
        app.ops(Method::GET, &format!("/ops/v1/audit?account_id={squatted_id}"), None).await.json().await.unwrap();
    let events: Vec<&str> = trail["items"].as_array().unwrap().iter().filter_map(|r| r["event"].as_str()).collect();
    assert!(events.contains(&"sign_up_declined"), "{events:?}");
    let text = trail.to_string();
    for personal in [victim_email.as_str(), squatter_phone.as_str(), app.user("victim")] {
        assert!(!text.contains(personal), "the trail holds {personal}");
    }
    assert_problem(
        app.post("/v1/password/link", &json!({"token": token})).await,
        StatusCode::NOT_FOUND,
        "invalid_link",
    )
    .await;
    let victim_phone = app.fresh_phone();
    assert_eq!(sign_up_as(&app, app.user("victim"), &victim_email, &victim_phone).await.status(), StatusCode::CREATED);
    let token = app.last_link_token(&victim_email).await;
    assert_eq!(set(&app, &token, Some(&victim_phone)).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.sign_in(&victim_email, PASSWORD).await.status(), StatusCode::CREATED);
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn a_declined_sign_up_frees_the_phone_too() {
    let app = spawn_app().await;
    let (_, squatter) = app.sign_up("squatter3").await;
    let token = app.last_link_token(&squatter.email).await;
    assert_eq!(app.post("/v1/password/link/decline", &json!({"token": token})).await.status(), StatusCode::NO_CONTENT);
    // A new code for the phone, once its cooldown is over.
    app.advance_clock(61).await;
    let again = sign_up_as(&app, app.user("squatter4"), &app.email("s4"), &squatter.phone).await;
    assert_eq!(again.status(), StatusCode::CREATED);
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn inspecting_a_link_does_not_use_it_and_answers_like_set() {
    let app = spawn_app().await;
    let customer = app.activated_customer("inspector").await;
    app.post("/v1/password/forgot", &json!({"login": customer.username})).await;
    let token = app.last_link_token(&customer.email).await;
    for _ in 0..2 {
        let view: Value = app.post("/v1/password/link", &json!({"token": token})).await.json().await.unwrap();
        assert_eq!((view["purpose"].as_str(), view["username"].as_str()), (Some("reset"), Some(app.user("inspector"))));
    }
    let bogus = json!({"token": "0123456789abcdef0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"});
    assert_problem(app.post("/v1/password/link", &bogus).await, StatusCode::NOT_FOUND, "invalid_link").await;
    assert_problem(
        app.post("/v1/password/link", &json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    app.advance_clock(3600).await;
    assert_problem(app.post("/v1/password/link", &json!({"token": token})).await, StatusCode::GONE, "link_expired")
        .await;
}

#[tokio::test]
async fn declining_a_reset_link_voids_it_and_keeps_the_password() {
    let app = spawn_app().await;
    let customer = app.activated_customer("notme").await;
    app.post("/v1/password/forgot", &json!({"login": customer.username})).await;
    let token = app.last_link_token(&customer.email).await;
    assert_eq!(app.post("/v1/password/link/decline", &json!({"token": token})).await.status(), StatusCode::NO_CONTENT);
    assert!(app.last_email(&customer.email).await["subject"].as_str().unwrap().contains("cancelled"));
    assert_problem(set(&app, &token, None).await, StatusCode::NOT_FOUND, "invalid_link").await;
    assert_eq!(app.sign_in(&customer.username, &customer.password).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn sign_up_conflicts_use_up_the_code() {
    let app = spawn_app().await;
    let taken = app.activated_customer("takenname").await;
    let phone = app.fresh_phone();
    let code = app.sign_up_code(&phone).await;
    for i in 0..5 {
        let body = json!({"username": app.user("takenname"), "email": app.email(&format!("probe{i}")), "phone": phone,
            "sms_code": code, "accept_terms": true});
        assert_eq!(app.post("/v1/accounts", &body).await.status(), StatusCode::CONFLICT);
    }
    let body = json!({"username": app.user("freename"), "email": app.email("free"), "phone": phone,
        "sms_code": code, "accept_terms": true});
    let problem =
        assert_problem(app.post("/v1/accounts", &body).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
            .await;
    assert_eq!(field_errors(&problem), [("sms_code".to_owned(), "sms_code_exhausted".to_owned())]);
    assert!(!taken.email.is_empty());
}
