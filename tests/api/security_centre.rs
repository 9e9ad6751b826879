//! The account centre's security section: `GET/DELETE /v1/me/sessions`,
//! `DELETE /v1/me/sessions/{session_id}`, TOTP enrolment and the two-step
//! sign-in (`/v1/me/mfa/*`, `POST /v1/sessions/mfa`), sign-in notices.

use accounts_tests::{Customer, PASSWORD, TestApp, assert_problem, field_errors, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("a JSON body")
}

async fn sessions_of(app: &TestApp, token: &str) -> Vec<Value> {
    let response = app.with_token(Method::GET, "/v1/me/sessions", token).await;
    assert_eq!(response.status(), StatusCode::OK);
    json_of(response).await["items"].as_array().cloned().unwrap_or_default()
}

/// Signs in with a user agent of its own; the session's token.
async fn sign_in_as(app: &TestApp, customer: &Customer, user_agent: &str) -> String {
    let body = json!({"login": customer.username, "password": customer.password});
    let response =
        app.client.post(format!("{}/v1/sessions", app.base)).header("user-agent", user_agent).json(&body).send().await;
    let response = response.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    json_of(response).await["token"].as_str().unwrap().to_owned()
}

/// Turns MFA on for `customer`; returns the base32 secret and the recovery
/// codes. The confirming code is the current step's.
async fn enable_mfa(app: &TestApp, token: &str) -> (String, Vec<String>) {
    let response = app.json_with_token(Method::POST, "/v1/me/mfa/totp", token, &json!({"password": PASSWORD})).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let enrolment = json_of(response).await;
    let secret = enrolment["secret"].as_str().unwrap().to_owned();
    let uri = enrolment["otpauth_uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/") && uri.contains(&format!("secret={secret}")), "{uri}");
    assert!(enrolment["qr_svg"].as_str().unwrap().contains("<svg"));
    let code = app.totp_code(&secret, 0);
    let response = app.json_with_token(Method::POST, "/v1/me/mfa/totp/confirm", token, &json!({"code": code})).await;
    assert_eq!(response.status(), StatusCode::OK);
    let codes: Vec<String> = json_of(response).await["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    (secret, codes)
}

/// The first step of a sign-in with MFA on: its `mfa_token`.
async fn first_step(app: &TestApp, customer: &Customer) -> String {
    let response = app.sign_in(&customer.username, &customer.password).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = json_of(response).await;
    assert_eq!(body["mfa_required"], true);
    assert_eq!(body["expires_in"], 300);
    assert!(body.get("token").is_none(), "no session before the second factor");
    body["mfa_token"].as_str().unwrap().to_owned()
}

async fn second_step(app: &TestApp, mfa_token: &str, code: &str) -> reqwest::Response {
    app.post("/v1/sessions/mfa", &json!({"mfa_token": mfa_token, "code": code})).await
}

#[tokio::test]
async fn sessions_are_listed_newest_first_and_ended_one_by_one_or_all_but_this_one() {
    let app = spawn_app().await;
    let customer = app.activated_customer("manydevices").await;
    let laptop = sign_in_as(&app, &customer, "Laptop Firefox").await;
    let phone = sign_in_as(&app, &customer, "Phone Safari").await;
    let tablet = sign_in_as(&app, &customer, "Tablet Chrome").await;

    let listed = sessions_of(&app, &laptop).await;
    assert_eq!(listed.len(), 3);
    let agents: Vec<&str> = listed.iter().map(|s| s["user_agent"].as_str().unwrap()).collect();
    assert!(agents.contains(&"Laptop Firefox") && agents.contains(&"Tablet Chrome"), "{agents:?}");
    assert_eq!(listed.iter().filter(|s| s["current"] == true).count(), 1);
    let current = listed.iter().find(|s| s["current"] == true).unwrap();
    assert_eq!(current["user_agent"], "Laptop Firefox");
    for session in &listed {
        let id = session["session_id"].as_str().unwrap();
        assert!(!laptop.contains(id) && !phone.contains(id) && !tablet.contains(id), "the id is not the token");
        assert!(session["ip"].as_str().is_some_and(|ip| !ip.is_empty()));
        assert!(session["created_at"].as_str().unwrap().ends_with('Z'));
    }
    // A session id is no credential.
    let id = listed[0]["session_id"].as_str().unwrap();
    assert_problem(app.with_token(Method::GET, "/v1/me", id).await, StatusCode::UNAUTHORIZED, "unauthenticated").await;

    // End the phone's session from the laptop.
    let phone_id = sessions_of(&app, &phone).await.into_iter().find(|s| s["current"] == true).unwrap()["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ended = app.with_token(Method::DELETE, &format!("/v1/me/sessions/{phone_id}"), &laptop).await;
    assert_eq!(ended.status(), StatusCode::NO_CONTENT);
    assert_problem(app.with_token(Method::GET, "/v1/me", &phone).await, StatusCode::UNAUTHORIZED, "unauthenticated")
        .await;
    let again = app.with_token(Method::DELETE, &format!("/v1/me/sessions/{phone_id}"), &laptop).await;
    assert_problem(again, StatusCode::NOT_FOUND, "session_not_found").await;

    // Another account's session id is not found either.
    let other = app.activated_customer("otherowner").await;
    let other_token = app.token_for(&other).await;
    let theirs = app.with_token(Method::DELETE, &format!("/v1/me/sessions/{id}"), &other_token).await;
    assert_problem(theirs, StatusCode::NOT_FOUND, "session_not_found").await;

    // All but this one.
    let response = app.with_token(Method::DELETE, "/v1/me/sessions", &laptop).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.with_token(Method::GET, "/v1/me", &laptop).await.status(), StatusCode::OK);
    assert_eq!(app.with_token(Method::GET, "/v1/me", &tablet).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(sessions_of(&app, &laptop).await.len(), 1);
}

#[tokio::test]
async fn totp_turns_on_with_a_code_and_sign_in_then_takes_two_steps() {
    let app = spawn_app().await;
    let customer = app.activated_customer("twofactor").await;
    let token = app.token_for(&customer).await;
    let me = json_of(app.with_token(Method::GET, "/v1/me", &token).await).await;
    assert_eq!(me["mfa"], json!({"totp": false, "recovery_codes_left": 0}));

    // Enrolment needs the password, and a code of the pending secret.
    let wrong = app.json_with_token(Method::POST, "/v1/me/mfa/totp", &token, &json!({"password": "Wrong#Pass1"})).await;
    assert_problem(wrong, StatusCode::FORBIDDEN, "invalid_credentials").await;
    let response = app.json_with_token(Method::POST, "/v1/me/mfa/totp", &token, &json!({"password": PASSWORD})).await;
    let secret = json_of(response).await["secret"].as_str().unwrap().to_owned();
    let bad = app.json_with_token(Method::POST, "/v1/me/mfa/totp/confirm", &token, &json!({"code": "000000"})).await;
    let problem = assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&problem), vec![("code".to_owned(), "invalid_code".to_owned())]);
    let code = app.totp_code(&secret, 0);
    let response = app.json_with_token(Method::POST, "/v1/me/mfa/totp/confirm", &token, &json!({"code": code})).await;
    assert_eq!(response.status(), StatusCode::OK);
    let codes = json_of(response).await["recovery_codes"].as_array().unwrap().len();
    assert_eq!(codes, 10);
    let me = json_of(app.with_token(Method::GET, "/v1/me", &token).await).await;
    assert_eq!(me["mfa"], json!({"totp": true, "recovery_codes_left": 10}));
    let mail = app.last_email(&customer.email).await;
    assert!(mail["subject"].as_str().unwrap().contains("Two-factor"), "{mail}");
    let again = app.json_with_token(Method::POST, "/v1/me/mfa/totp", &token, &json!({"password": PASSWORD})).await;
    assert_problem(again, StatusCode::CONFLICT, "mfa_enabled").await;

    // The password alone is no longer a session.
    let mfa_token = first_step(&app, &customer).await;
    // The confirming code was accepted once: it does not sign in.
    assert_problem(second_step(&app, &mfa_token, &code).await, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let next = app.totp_code(&secret, 1);
    let response = second_step(&app, &mfa_token, &next).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let session = json_of(response).await;
    let new_token = session["token"].as_str().unwrap();
    assert_eq!(app.with_token(Method::GET, "/v1/me", new_token).await.status(), StatusCode::OK);
    // The challenge is used up, and the same code is not accepted twice.
    assert_problem(second_step(&app, &mfa_token, &next).await, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let fresh = first_step(&app, &customer).await;
    assert_problem(second_step(&app, &fresh, &next).await, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
}

#[tokio::test]
async fn a_recovery_code_signs_in_once_and_turns_mfa_off_with_the_password() {
    let app = spawn_app().await;
    let customer = app.activated_customer("recovering").await;
    let token = app.token_for(&customer).await;
    let (secret, codes) = enable_mfa(&app, &token).await;

    let mfa_token = first_step(&app, &customer).await;
    let typed = codes[0].to_uppercase();
    let response = second_step(&app, &mfa_token, &typed).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let session = json_of(response).await["token"].as_str().unwrap().to_owned();
    let me = json_of(app.with_token(Method::GET, "/v1/me", &session).await).await;
    assert_eq!(me["mfa"]["recovery_codes_left"], 9);
    let used_again = second_step(&app, &first_step(&app, &customer).await, &codes[0]).await;
    assert_problem(used_again, StatusCode::UNAUTHORIZED, "invalid_credentials").await;

    // Turning it off needs the password and a code.
    let body = json!({"password": PASSWORD, "code": "abcde-fghij"});
    let wrong_code = app.json_with_token(Method::DELETE, "/v1/me/mfa", &session, &body).await;
    let problem = assert_problem(wrong_code, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&problem), vec![("code".to_owned(), "invalid_code".to_owned())]);
    let body = json!({"password": "Wrong#Pass1", "code": app.totp_code(&secret, 1)});
    let wrong_password = app.json_with_token(Method::DELETE, "/v1/me/mfa", &session, &body).await;
    assert_problem(wrong_password, StatusCode::FORBIDDEN, "invalid_credentials").await;
    let body = json!({"password": PASSWORD, "code": codes[1]});
    assert_eq!(
        app.json_with_token(Method::DELETE, "/v1/me/mfa", &session, &body).await.status(),
        StatusCode::NO_CONTENT
    );
    assert!(app.last_email(&customer.email).await["subject"].as_str().unwrap().contains("off"));
    let response = app.sign_in(&customer.username, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::CREATED, "password alone again");
    let off_again = app.json_with_token(Method::DELETE, "/v1/me/mfa", &session, &body).await;
    assert_problem(off_again, StatusCode::CONFLICT, "mfa_not_enabled").await;
    let account_id = app.account_id(&session).await;
    let trail = json_of(app.ops(Method::GET, &format!("/ops/v1/audit?account_id={account_id}"), None).await).await;
    let events: Vec<&str> = trail["items"].as_array().unwrap().iter().map(|r| r["event"].as_str().unwrap()).collect();
    let at = |event: &str| events.iter().position(|e| *e == event).unwrap_or_else(|| panic!("{event}: {events:?}"));
    assert!(at("mfa_enabled") < at("mfa_disabled"));
    let second_factor = trail["items"].as_array().unwrap().iter().find(|r| r["detail"] == "recovery code");
    assert!(second_factor.is_some_and(|r| r["event"] == "signed_in"), "the sign-in names its second factor: {trail}");
}

#[tokio::test]
async fn five_wrong_codes_void_the_mfa_token_and_lock_the_login_name() {
    let app = spawn_app().await;
    let customer = app.activated_customer("guessedtotp").await;
    let token = app.token_for(&customer).await;
    let (secret, _) = enable_mfa(&app, &token).await;

    let mfa_token = first_step(&app, &customer).await;
    for wrong in ["111111", "222222", "333333", "444444", "555555"] {
        assert_problem(second_step(&app, &mfa_token, wrong).await, StatusCode::UNAUTHORIZED, "invalid_credentials")
            .await;
    }
    // The token is void: even the right code is refused with it.
    let right = app.totp_code(&secret, 1);
    assert_problem(second_step(&app, &mfa_token, &right).await, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    // And the wrong codes counted towards the name's lockout.
    let locked = app.sign_in(&customer.username, &customer.password).await;
    assert_problem(locked, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    let trail = json_of(
        app.ops(Method::GET, &format!("/ops/v1/audit?account_id={}", app.account_id(&token).await), None).await,
    )
    .await;
    let failures = trail["items"].as_array().unwrap().iter().filter(|r| r["event"] == "sign_in_failed").count();
    assert_eq!(failures, 5, "each wrong code is a failed sign-in: {trail}");
    // Another name of the account is not locked; its new token works.
    let body = json!({"login": customer.email, "password": customer.password});
    let fresh = json_of(app.post("/v1/sessions", &body).await).await["mfa_token"].as_str().unwrap().to_owned();
    assert_eq!(second_step(&app, &fresh, &right).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_sign_in_from_a_new_browser_and_network_is_told_to_the_owner() {
    let app = spawn_app().await;
    let customer = app.activated_customer("noticeme").await;
    let notices = |outbox: Vec<Value>| {
        outbox
            .into_iter()
            .filter(|m| {
                m["to"] == customer.email.as_str() && m["subject"].as_str().unwrap_or("").contains("New sign-in")
            })
            .count()
    };
    sign_in_as(&app, &customer, "First Browser").await;
    assert_eq!(notices(app.outbox().await), 0, "never for the first sign-in after activation");
    sign_in_as(&app, &customer, "First Browser").await;
    assert_eq!(notices(app.outbox().await), 0, "a known browser and network");
    sign_in_as(&app, &customer, "Another Browser/2.0").await;
    assert_eq!(notices(app.outbox().await), 1);
    let notice = app.last_email(&customer.email).await;
    assert!(notice["text"].as_str().unwrap().contains("Another Browser/2.0"), "{notice}");
    // It links to the account centre's security section, where sessions end.
    let security = format!("{}/account#security", app.public_url().trim_end_matches('/'));
    assert!(notice["text"].as_str().unwrap().contains(&security), "{notice}");
    sign_in_as(&app, &customer, "Another Browser/2.0").await;
    assert_eq!(notices(app.outbox().await), 1, "seen lately now");
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn a_client_not_seen_for_thirty_days_is_new_again() {
    let app = spawn_app().await;
    let customer = app.activated_customer("oldbrowser").await;
    sign_in_as(&app, &customer, "Old Browser").await;
    app.advance_clock(31 * 86_400).await;
    sign_in_as(&app, &customer, "Old Browser").await;
    let notice = app.last_email(&customer.email).await;
    assert!(notice["subject"].as_str().unwrap().contains("New sign-in"), "{notice}");
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn an_mfa_token_lasts_five_minutes() {
    let app = spawn_app().await;
    let customer = app.activated_customer("slowsecond").await;
    let token = app.token_for(&customer).await;
    let (secret, _) = enable_mfa(&app, &token).await;
    let mfa_token = first_step(&app, &customer).await;
    app.advance_clock(301).await;
    let late = second_step(&app, &mfa_token, &app.totp_code(&secret, 0)).await;
    assert_problem(late, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "reads the table through the dev server, which the deployed shape has not")]
async fn the_totp_secret_is_sealed_at_rest() {
    let app = spawn_app().await;
    let customer = app.activated_customer("sealedsecret").await;
    let token = app.token_for(&customer).await;
    let (secret, codes) = enable_mfa(&app, &token).await;
    let account_id = app.account_id(&token).await;
    let stored = app.dev().app().records().account(&account_id).await.unwrap().unwrap().record;
    let mfa = stored.mfa.expect("MFA is on");
    let raw = totp_rs::Secret::Encoded(secret.clone()).to_bytes().unwrap();
    let stored_text = serde_json::to_string(&mfa).unwrap();
    assert!(!stored_text.contains(&secret), "the base32 secret is not stored");
    assert!(!stored_text.contains(&String::from_utf8_lossy(&raw).to_string()));
    assert!(mfa.totp_secret.starts_with("local1:") || mfa.totp_secret.starts_with("kms1:"), "{}", mfa.totp_secret);
    assert!(codes.iter().all(|code| !stored_text.contains(code.as_str())), "recovery codes are stored as hashes");
}

async fn confirm(app: &TestApp, token: &str, code: &str) -> reqwest::Response {
    app.json_with_token(Method::POST, "/v1/me/mfa/totp/confirm", token, &json!({ "code": code })).await
}

/// A stolen session used to be able to guess the owner's pending TOTP code
/// without end (and so turn MFA on with the owner's secret, see the
/// recovery codes and end the owner's other sessions): the fifth wrong
/// code voids the enrolment, and a new one needs the password.
#[tokio::test]
async fn five_wrong_codes_void_a_pending_enrolment() {
    let app = spawn_app().await;
    let customer = app.activated_customer("guessenrol").await;
    let token = app.token_for(&customer).await;
    let response = app.json_with_token(Method::POST, "/v1/me/mfa/totp", &token, &json!({"password": PASSWORD})).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let secret = json_of(response).await["secret"].as_str().unwrap().to_owned();
    let right = app.totp_code(&secret, 0);
    let wrong: Vec<String> =
        (1..=5).map(|n| format!("{:06}", (right.parse::<u32>().unwrap() + n * 97_531) % 1_000_000)).collect();
    for code in wrong {
        let refused =
            assert_problem(confirm(&app, &token, &code).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
                .await;
        assert_eq!(field_errors(&refused), vec![("code".to_owned(), "invalid_code".to_owned())]);
    }
    assert_problem(confirm(&app, &token, &right).await, StatusCode::CONFLICT, "no_mfa_enrolment").await;
    let me = json_of(app.with_token(Method::GET, "/v1/me", &token).await).await;
    assert_eq!(me["mfa"]["totp"], false);
    // A new enrolment, with the password again, works.
    enable_mfa(&app, &token).await;
}
