//! `POST /v1/password/set` with initial-password links.

use accounts_tests::{PASSWORD, assert_problem, field_errors, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_link_works_once() {
    let app = spawn_app().await;
    let (_, customer) = app.sign_up("onceonly").await;
    let token = app.last_link_token(&customer.email).await;
    assert_eq!(
        app.post("/v1/password/set", &json!({"token": token, "phone": customer.phone, "password": PASSWORD}))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_problem(
        app.post("/v1/password/set", &json!({"token": token, "phone": customer.phone, "password": PASSWORD})).await,
        StatusCode::NOT_FOUND,
        "invalid_link",
    )
    .await;
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn a_link_expires_after_sixty_minutes() {
    let app = spawn_app().await;
    let (_, customer) = app.sign_up("latecomer").await;
    let token = app.last_link_token(&customer.email).await;
    app.advance_clock(3599).await;
    let (_, other) = app.sign_up("punctual").await;
    let other_token = app.last_link_token(&other.email).await;
    app.advance_clock(1).await;
    assert_problem(
        app.post("/v1/password/set", &json!({"token": token, "phone": customer.phone, "password": PASSWORD})).await,
        StatusCode::GONE,
        "link_expired",
    )
    .await;
    assert_eq!(
        app.post("/v1/password/set", &json!({"token": other_token, "phone": other.phone, "password": PASSWORD}))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn unknown_and_tampered_tokens_are_invalid_links() {
    let app = spawn_app().await;
    let (_, customer) = app.sign_up("tamperer").await;
    let token = app.last_link_token(&customer.email).await;
    let mut tampered = token.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    for bad in
        [tampered.as_str(), "nonsense", "0123456789abcdef0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"]
    {
        assert_problem(
            app.post("/v1/password/set", &json!({"token": bad, "password": PASSWORD})).await,
            StatusCode::NOT_FOUND,
            "invalid_link",
        )
        .await;
    }
    assert_eq!(
        app.post("/v1/password/set", &json!({"token": token, "phone": customer.phone, "password": PASSWORD}))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn a_weak_password_lists_every_rule_and_keeps_the_link() {
    let app = spawn_app().await;
    let (_, customer) = app.sign_up("weakling").await;
    let token = app.last_link_token(&customer.email).await;
    let problem = assert_problem(
        app.post(
            "/v1/password/set",
            &json!({"token": token, "phone": customer.phone, "password": app.user("weakling")}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let codes: Vec<String> = field_errors(&problem)
        .into_iter()
        .map(|(field, code)| {
            assert_eq!(field, "password");
            code
        })
        .collect();
    assert_eq!(
        codes,
        [
            "password_missing_uppercase",
            "password_missing_digit",
            "password_missing_symbol",
            "password_contains_username"
        ]
    );
    assert_problem(
        app.post("/v1/password/set", &json!({"token": token, "phone": customer.phone, "password": "Password1!"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(
        app.post("/v1/password/set", &json!({"token": token, "phone": customer.phone, "password": PASSWORD}))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs a configuration of its own; the stack has one")]
async fn the_configured_preset_decides() {
    let app = spawn_app_with(&[("ACCOUNTS_PASSWORD_POLICY", "alibaba")]).await;
    let (_, customer) = app.sign_up("alibabauser").await;
    let token = app.last_link_token(&customer.email).await;
    // Fine for alibaba (two classes), refused by the default alaya preset.
    assert_eq!(
        app.post("/v1/password/set", &json!({"token": token, "phone": customer.phone, "password": "lowercase123"}))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn concurrent_uses_of_one_link_give_exactly_one_success() {
    let app = spawn_app().await;
    let (_, customer) = app.sign_up("doubleclick").await;
    let token = app.last_link_token(&customer.email).await;
    let body = json!({"token": token, "phone": customer.phone, "password": PASSWORD});
    let responses = futures::future::join_all((0..6).map(|_| app.post("/v1/password/set", &body))).await;
    let statuses: Vec<StatusCode> = responses.iter().map(|r| r.status()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::NO_CONTENT).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == StatusCode::NO_CONTENT || *s == StatusCode::NOT_FOUND), "{statuses:?}");
}

#[tokio::test]
async fn missing_fields_are_listed() {
    let app = spawn_app().await;
    let problem = assert_problem(
        app.post("/v1/password/set", &json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let fields: Vec<String> = field_errors(&problem).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["token", "password"]);
}
