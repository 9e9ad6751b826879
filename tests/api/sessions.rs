//! `POST /v1/sessions`, `DELETE /v1/sessions/current`, `GET /v1/me`.

use accounts_tests::{PASSWORD, assert_problem, spawn_app, spawn_app_with};
use reqwest::{Method, StatusCode};
use serde_json::Value;

#[tokio::test]
async fn signs_in_by_username_email_or_phone() {
    let app = spawn_app().await;
    let customer = app.activated_customer("threeways").await;
    for login in [
        customer.username.clone(),
        customer.email.to_uppercase(),
        customer.phone.clone(),
        app.user("threeways").to_uppercase(),
    ] {
        assert_eq!(app.sign_in(&login, PASSWORD).await.status(), StatusCode::CREATED, "{login}");
    }
}

#[tokio::test]
async fn unknown_login_wrong_password_and_pending_account_look_alike() {
    let app = spawn_app().await;
    app.activated_customer("realuser").await;
    let (_, pending) = app.sign_up("pendinguser").await;
    let mut bodies = Vec::new();
    for (login, password) in
        [(app.user("realuser"), "Wrong#Pass1"), ("nobodyhere", PASSWORD), (pending.username.as_str(), PASSWORD)]
    {
        let response = app.sign_in(login, password).await;
        let headers: Vec<String> = response.headers().keys().map(|k| k.to_string()).filter(|k| k != "date").collect();
        let body = assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
        bodies.push((headers, body));
    }
    assert_eq!(bodies[0], bodies[1]);
    assert_eq!(bodies[1], bodies[2]);
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn five_failures_lock_the_login_name_for_fifteen_minutes() {
    let app = spawn_app().await;
    let customer = app.activated_customer("lockme").await;
    for _ in 0..5 {
        assert_problem(app.sign_in("LockMe", "Wrong#Pass1").await, StatusCode::UNAUTHORIZED, "invalid_credentials")
            .await;
    }
    let response = app.sign_in(app.user("lockme"), &customer.password).await;
    let retry_after: i64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    assert_problem(response, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    // The lock is on the name typed, not the account: the email still works.
    assert_eq!(app.sign_in(&customer.email, &customer.password).await.status(), StatusCode::CREATED);
    app.advance_clock(900).await;
    assert_eq!(app.sign_in(app.user("lockme"), &customer.password).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn unknown_login_names_lock_too() {
    let app = spawn_app().await;
    for _ in 0..5 {
        assert_problem(
            app.sign_in(app.user("ghost"), "Wrong#Pass1").await,
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        )
        .await;
    }
    assert_problem(
        app.sign_in(app.user("ghost"), "Wrong#Pass1").await,
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
    )
    .await;
}

#[tokio::test]
async fn a_success_resets_the_failure_count() {
    let app = spawn_app().await;
    let customer = app.activated_customer("resetter").await;
    for _ in 0..4 {
        app.sign_in(app.user("resetter"), "Wrong#Pass1").await;
    }
    assert_eq!(app.sign_in(app.user("resetter"), &customer.password).await.status(), StatusCode::CREATED);
    for _ in 0..4 {
        assert_eq!(app.sign_in(app.user("resetter"), "Wrong#Pass1").await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(app.sign_in(app.user("resetter"), &customer.password).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn parallel_wrong_logins_evaluate_at_most_the_limit() {
    let app = spawn_app().await;
    app.activated_customer("parallel").await;
    let responses = futures::future::join_all((0..50).map(|_| app.sign_in(app.user("parallel"), "Wrong#Pass1"))).await;
    let unauthorized = responses.iter().filter(|r| r.status() == StatusCode::UNAUTHORIZED).count();
    let limited = responses.iter().filter(|r| r.status() == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((unauthorized, limited), (5, 45));
}

#[tokio::test]
async fn the_session_cookie_works_with_the_csrf_header_for_changes() {
    let app = spawn_app().await;
    let customer = app.activated_customer("cookieuser").await;
    let token = app.token_for(&customer).await;
    let cookie = format!("session={token}; theme=dark");
    let me = app.client.get(format!("{}/v1/me", app.base)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let response =
        app.client.delete(format!("{}/v1/sessions/current", app.base)).header("cookie", &cookie).send().await.unwrap();
    assert_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    let response = app
        .client
        .delete(format!("{}/v1/sessions/current", app.base))
        .header("cookie", &cookie)
        .header("x-requested-with", "XMLHttpRequest")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let me = app.client.get(format!("{}/v1/me", app.base)).header("cookie", &cookie).send().await.unwrap();
    assert_problem(me, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn sessions_end_after_an_idle_hour() {
    let app = spawn_app().await;
    let customer = app.activated_customer("idler").await;
    let token = app.token_for(&customer).await;
    app.advance_clock(3000).await;
    assert_eq!(app.with_token(Method::GET, "/v1/me", &token).await.status(), StatusCode::OK);
    app.advance_clock(3000).await;
    assert_eq!(app.with_token(Method::GET, "/v1/me", &token).await.status(), StatusCode::OK);
    app.advance_clock(3600).await;
    assert_problem(app.with_token(Method::GET, "/v1/me", &token).await, StatusCode::UNAUTHORIZED, "unauthenticated")
        .await;
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn sessions_end_after_their_absolute_lifetime_however_busy() {
    let app = spawn_app_with(&[("ACCOUNTS_SESSION_TTL_SECS", "7200")]).await;
    let customer = app.activated_customer("busybee").await;
    let response = app.sign_in(app.user("busybee"), &customer.password).await;
    let body: Value = response.json().await.unwrap();
    let token = body["token"].as_str().unwrap().to_owned();
    for _ in 0..3 {
        app.advance_clock(2000).await;
        assert_eq!(app.with_token(Method::GET, "/v1/me", &token).await.status(), StatusCode::OK);
    }
    app.advance_clock(1200).await;
    assert_problem(app.with_token(Method::GET, "/v1/me", &token).await, StatusCode::UNAUTHORIZED, "unauthenticated")
        .await;
}

#[tokio::test]
async fn bad_credentials_are_unauthenticated() {
    let app = spawn_app().await;
    for token in ["", "garbage", "0123456789abcdef0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"] {
        assert_problem(app.with_token(Method::GET, "/v1/me", token).await, StatusCode::UNAUTHORIZED, "unauthenticated")
            .await;
    }
    let response =
        app.client.get(format!("{}/v1/me", app.base)).header("authorization", "Basic YTpi").send().await.unwrap();
    assert_problem(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    let response = app.client.get(format!("{}/v1/me", app.base)).send().await.unwrap();
    assert_problem(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}
