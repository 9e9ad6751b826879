//! The first whole path a customer walks.

use accounts_tests::{PASSWORD, assert_problem, spawn_app, token_in};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn a_customer_signs_up_activates_signs_in_and_out() {
    let app = spawn_app().await;
    let phone = app.fresh_phone();
    let email = app.email("GPU.User");

    let response = app.post("/v1/sms-codes", &json!({"phone": phone, "purpose": "sign_up"})).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_eq!(response.json::<Value>().await.unwrap(), json!({"expires_in": 300, "retry_after": 60}));
    let code = app.last_sms_code(&phone).await;

    let body = json!({
        "username": app.user("gpuuser1"), "email": email.as_str(), "phone": phone, "sms_code": code,
        "organization": "Example Lab", "accept_terms": true,
    });
    let response = app.post("/v1/accounts", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["username"], app.user("gpuuser1"));
    assert_eq!(created["status"], "pending_activation");
    let account_id = created["account_id"].as_str().unwrap().to_owned();

    // Pending accounts cannot sign in yet, and look like a wrong password.
    let pending = assert_problem(
        app.sign_in(app.user("gpuuser1"), PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    assert!(pending.get("errors").is_none());

    let invitation = app.last_email(email.as_str()).await;
    assert!(invitation["subject"].as_str().unwrap().contains("password"));
    let link = format!("href=\"{}/set-password?token=", app.public_url());
    assert!(invitation["html"].as_str().unwrap().contains(&link));
    let token = token_in(invitation["text"].as_str().unwrap());
    let response = app.post("/v1/password/set", &json!({"token": token, "password": PASSWORD, "phone": phone})).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    let response = app.sign_in(&email.to_uppercase(), PASSWORD).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let cookie = response.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    let session: Value = response.json().await.unwrap();
    let session_token = session["token"].as_str().unwrap();
    assert!(cookie.starts_with(&format!("session={session_token};")));
    for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert_eq!(session["account"]["account_id"], account_id.as_str());
    assert!(session["expires_at"].as_str().unwrap().ends_with('Z'));

    let me: Value = app.with_token(Method::GET, "/v1/me", session_token).await.json().await.unwrap();
    assert_eq!(me["account_id"], account_id.as_str());
    assert_eq!(me["username"], app.user("gpuuser1"));
    assert_eq!(me["email"], email.as_str());
    assert_eq!(me["phone"], phone.as_str());
    assert_eq!(me["organization"], "Example Lab");
    assert_eq!(me["kind"], "primary");
    assert_eq!(me["status"], "active");
    assert_eq!(me["verification"]["status"], "unverified");
    assert!(me["created_at"].as_str().unwrap().ends_with('Z'));

    let response = app.with_token(Method::DELETE, "/v1/sessions/current", session_token).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(response.headers().get("set-cookie").unwrap().to_str().unwrap().contains("Max-Age=0"));
    assert_problem(
        app.with_token(Method::GET, "/v1/me", session_token).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "restarts the dev server")]
async fn accounts_and_sessions_survive_a_restart() {
    let app = spawn_app().await;
    let customer = app.activated_customer("restarter").await;
    let token = app.token_for(&customer).await;
    let app = app.restart().await;
    let response = app.with_token(Method::GET, "/v1/me", &token).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(app.sign_in(app.user("restarter"), &customer.password).await.status(), StatusCode::CREATED);
}
