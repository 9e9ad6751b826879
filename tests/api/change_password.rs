//! `PUT /v1/me/password`.

use accounts_tests::{PASSWORD, TestApp, assert_problem, field_errors, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::json;

const NEW_PASSWORD: &str = "Changed#Gpu-Pass7";

async fn change(app: &TestApp, token: &str, current: &str, new: &str) -> reqwest::Response {
    app.client
        .put(format!("{}/v1/me/password", app.base))
        .bearer_auth(token)
        .json(&json!({"current_password": current, "new_password": new}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn changes_the_password_ends_other_sessions_and_sends_a_notice() {
    let app = spawn_app().await;
    let customer = app.activated_customer("changer").await;
    let here = app.token_for(&customer).await;
    let elsewhere = app.token_for(&customer).await;
    assert_eq!(change(&app, &here, PASSWORD, NEW_PASSWORD).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.with_token(Method::GET, "/v1/me", &here).await.status(), StatusCode::OK);
    assert_problem(
        app.with_token(Method::GET, "/v1/me", &elsewhere).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
    assert_eq!(app.sign_in(&customer.username, PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.sign_in(&customer.username, NEW_PASSWORD).await.status(), StatusCode::CREATED);
    assert!(app.last_email(&customer.email).await["subject"].as_str().unwrap().contains("changed"));
}

#[tokio::test]
async fn a_wrong_current_password_is_forbidden_and_counts_towards_the_lockout() {
    let app = spawn_app().await;
    let customer = app.activated_customer("guesser").await;
    let token = app.token_for(&customer).await;
    for _ in 0..5 {
        assert_problem(
            change(&app, &token, "Wrong#Pass1", NEW_PASSWORD).await,
            StatusCode::FORBIDDEN,
            "invalid_credentials",
        )
        .await;
    }
    assert_problem(
        change(&app, &token, PASSWORD, NEW_PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
    )
    .await;
    assert_eq!(app.sign_in(&customer.username, PASSWORD).await.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn the_new_password_follows_the_policy() {
    let app = spawn_app().await;
    let customer = app.activated_customer("policyuser").await;
    let token = app.token_for(&customer).await;
    let problem = assert_problem(
        change(&app, &token, PASSWORD, &format!("x{}X1!", app.user("policyuser"))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&problem), [("new_password".to_owned(), "password_contains_username".to_owned())]);
    let problem = assert_problem(
        app.client
            .put(format!("{}/v1/me/password", app.base))
            .bearer_auth(&token)
            .json(&json!({}))
            .send()
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let fields: Vec<String> = field_errors(&problem).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["current_password", "new_password"]);
}

#[tokio::test]
async fn needs_a_session_and_the_csrf_header_with_a_cookie() {
    let app = spawn_app().await;
    let customer = app.activated_customer("csrfuser").await;
    let token = app.token_for(&customer).await;
    let body = json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD});
    let response = app.client.put(format!("{}/v1/me/password", app.base)).json(&body).send().await.unwrap();
    assert_problem(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    let cookie = format!("session={token}");
    let response = app
        .client
        .put(format!("{}/v1/me/password", app.base))
        .header("cookie", &cookie)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    let response = app
        .client
        .put(format!("{}/v1/me/password", app.base))
        .header("cookie", &cookie)
        .header("x-requested-with", "XMLHttpRequest")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}
