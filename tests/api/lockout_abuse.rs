//! Lockout notices, the ceiling of consecutive failures, stale sessions,
//! sub-account caps and verification documents.

use accounts_tests::{PASSWORD, assert_problem, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn the_first_lock_in_a_day_emails_the_owner() {
    let app = spawn_app().await;
    let customer = app.activated_customer("lockee").await;
    let locked_mails = || async {
        app.outbox()
            .await
            .iter()
            .filter(|m| m["to"] == customer.email.as_str() && m["subject"].as_str().unwrap_or("").contains("locked"))
            .count()
    };
    for _ in 0..5 {
        app.sign_in(&customer.username, "Wrong#Pass1").await;
    }
    assert_eq!(locked_mails().await, 1);
    app.advance_clock(901).await;
    for _ in 0..5 {
        app.sign_in(&customer.email, "Wrong#Pass1").await;
    }
    assert_eq!(app.sign_in(&customer.email, PASSWORD).await.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(locked_mails().await, 1, "one notice in 24 hours");
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn a_hundred_failures_in_a_row_suspend_password_sign_in_until_a_reset() {
    let app = spawn_app().await;
    let customer = app.activated_customer("streaky").await;
    let names = [customer.username.clone(), customer.email.clone(), customer.phone.clone()];
    for i in 0..100 {
        // Four tries a name, then a fresh window: no name ever locks.
        if i % 4 == 0 {
            app.advance_clock(901).await;
        }
        let response = app.sign_in(&names[i % 3], "Wrong#Pass1").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "failure {i}");
    }
    app.advance_clock(901).await;
    let refused = app.sign_in(&customer.username, PASSWORD).await;
    assert!(refused.headers().contains_key("retry-after"));
    assert_problem(refused, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    assert!(app.last_email(&customer.email).await["subject"].as_str().unwrap().contains("suspended"));
    // A reset ends the suspension.
    app.post("/v1/password/forgot", &json!({"login": customer.username})).await;
    let token = app.last_link_token(&customer.email).await;
    let reset = app.post("/v1/password/set", &json!({"token": token, "password": "New#Gpu-Pass42"})).await;
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.sign_in(&customer.phone, "New#Gpu-Pass42").await.status(), StatusCode::CREATED);
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn a_success_ends_the_streak() {
    let app = spawn_app().await;
    let customer = app.activated_customer("resetstreak").await;
    for i in 0..99 {
        if i % 4 == 0 {
            app.advance_clock(901).await;
        }
        app.sign_in(&customer.username, "Wrong#Pass1").await;
    }
    app.advance_clock(901).await;
    assert_eq!(app.sign_in(&customer.username, PASSWORD).await.status(), StatusCode::CREATED);
    assert_eq!(app.sign_in(&customer.username, "Wrong#Pass1").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.sign_in(&customer.username, PASSWORD).await.status(), StatusCode::CREATED);
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn a_primary_account_creates_at_most_twenty_sub_accounts_an_hour_and_a_hundred_in_all() {
    let app = spawn_app().await;
    let customer = app.activated_customer("bigteam").await;
    let create = |token: String, i: usize| {
        let body = json!({"username": format!("member{i}"), "email": app.email(&format!("member{i}"))});
        app.client.post(format!("{}/v1/me/sub-accounts", app.base)).bearer_auth(token).json(&body).send()
    };
    for hour in 0..5 {
        // A session idles out within the hour the clock jumps.
        let token = app.token_for(&customer).await;
        for i in 0..20 {
            assert_eq!(create(token.clone(), hour * 20 + i).await.unwrap().status(), StatusCode::CREATED);
        }
        if hour == 0 {
            let refused = create(token, 999).await.unwrap();
            assert_problem(refused, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
        }
        app.advance_clock(3601).await;
    }
    let token = app.token_for(&customer).await;
    assert_problem(create(token, 100).await.unwrap(), StatusCode::CONFLICT, "sub_account_limit").await;
    // Pending sub-accounts expire with their claims, which frees the slots.
    app.advance_clock(7 * 86_400).await;
    let token = app.token_for(&customer).await;
    let body = json!({"username": app.user("member0"), "email": app.email(app.user("member0"))});
    let response = app.client.post(format!("{}/v1/me/sub-accounts", app.base)).bearer_auth(&token).json(&body).send();
    assert_eq!(response.await.unwrap().status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_password_change_ends_other_sessions_by_epoch() {
    let app = spawn_app().await;
    let customer = app.activated_customer("epochal").await;
    let old = app.token_for(&customer).await;
    let current = app.token_for(&customer).await;
    let body = json!({"current_password": PASSWORD, "new_password": "New#Gpu-Pass42"});
    let changed =
        app.client.put(format!("{}/v1/me/password", app.base)).bearer_auth(&current).json(&body).send().await.unwrap();
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.with_token(Method::GET, "/v1/me", &current).await.status(), StatusCode::OK);
    assert_eq!(app.with_token(Method::GET, "/v1/me", &old).await.status(), StatusCode::UNAUTHORIZED);
}

/// A passkey signs in while password sign-in is suspended (it is a sign-in
/// of its own), but it does not lift the suspension: only a reset does.
#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn a_passkey_sign_in_does_not_lift_the_password_suspension() {
    use accounts_tests::authenticator::Tamper;
    let app = spawn_app().await;
    let customer = app.activated_customer("keepsuspended").await;
    let token = app.token_for(&customer).await;
    let (mut authenticator, _) = crate::passkeys::add_passkey(&app, &token, None).await;
    for i in 0..100 {
        if i % 4 == 0 {
            app.advance_clock(901).await;
        }
        app.sign_in(&customer.username, "Wrong#Pass1").await;
    }
    app.advance_clock(901).await;
    let passkey = crate::passkeys::sign_in_with(&app, &mut authenticator, &Tamper::default()).await;
    assert_eq!(passkey.status(), StatusCode::CREATED, "a passkey still signs in");
    let refused = app.sign_in(&customer.username, PASSWORD).await;
    assert_problem(refused, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
}

/// The right password of an account with two-factor sign-in on is not a
/// completed sign-in: the failures before it stay counted, so whoever holds
/// the password guesses codes within the same five and the lock notice
/// tells the owner.
#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn wrong_codes_after_the_right_password_add_to_the_failures_before_it() {
    let app = spawn_app().await;
    let customer = app.activated_customer("addsup").await;
    let token = app.token_for(&customer).await;
    app.enable_mfa(&token).await;
    app.advance_clock(901).await;
    for _ in 0..4 {
        assert_eq!(app.sign_in(&customer.username, "Wrong#Pass1").await.status(), StatusCode::UNAUTHORIZED);
    }
    let first_step = app.sign_in(&customer.username, PASSWORD).await;
    assert_eq!(first_step.status(), StatusCode::OK);
    let mfa_token = first_step.json::<serde_json::Value>().await.unwrap()["mfa_token"].as_str().unwrap().to_owned();
    // The fifth failure: answered as a failure, and it locks the name.
    let wrong = app.post("/v1/sessions/mfa", &json!({"mfa_token": mfa_token, "code": "000000"})).await;
    assert_problem(wrong, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let locked = app.sign_in(&customer.username, PASSWORD).await;
    assert_problem(locked, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
}
