//! One re-check of the person on every route that takes the current
//! password, and operation protection while two-factor sign-in is on: a
//! session and the password are not enough to weaken an account.

use accounts_tests::{Customer, PASSWORD, TestApp, assert_problem, field_errors, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const WRONG: &str = "Wr0ng#Password";

/// A request of a sensitive route: method, path and body, given the
/// password and (while MFA is on) the code to send.
struct Sensitive {
    method: Method,
    path: &'static str,
    body: fn(&TestApp, &str, Option<&str>) -> Value,
}

fn with_code(mut body: Value, code: Option<&str>) -> Value {
    if let Some(code) = code {
        body["code"] = Value::from(code);
    }
    body
}

/// Every route that takes the current password, with a body that is
/// otherwise valid.
fn password_routes() -> Vec<Sensitive> {
    vec![
        Sensitive {
            method: Method::PUT,
            path: "/v1/me/password",
            body: |_, password, code| {
                with_code(json!({"current_password": password, "new_password": "N3w#Gpu-Cloud-Pass"}), code)
            },
        },
        Sensitive {
            method: Method::POST,
            path: "/v1/me/email",
            body: |app, password, code| {
                with_code(json!({"password": password, "new_email": app.email("elsewhere")}), code)
            },
        },
        Sensitive {
            method: Method::PUT,
            path: "/v1/me/phone",
            body: |_, password, code| {
                with_code(json!({"password": password, "phone": "+8613912345678", "sms_code": "123456"}), code)
            },
        },
        Sensitive {
            method: Method::POST,
            path: "/v1/me/deletion-request",
            body: |_, password, code| with_code(json!({"password": password}), code),
        },
    ]
}

/// The routes that change the second factor itself (MFA must be on).
fn second_factor_routes() -> Vec<Sensitive> {
    vec![
        Sensitive {
            method: Method::DELETE,
            path: "/v1/me/mfa",
            body: |_, password, code| with_code(json!({"password": password}), code),
        },
        Sensitive {
            method: Method::POST,
            path: "/v1/me/mfa/recovery-codes",
            body: |_, password, code| with_code(json!({"password": password}), code),
        },
    ]
}

async fn send(app: &TestApp, token: &str, route: &Sensitive, password: &str, code: Option<&str>) -> reqwest::Response {
    app.json_with_token(route.method.clone(), route.path, token, &(route.body)(app, password, code)).await
}

async fn signed_in(app: &TestApp, base: &str) -> (Customer, String) {
    let customer = app.activated_customer(base).await;
    let token = app.token_for(&customer).await;
    (customer, token)
}

fn count(events: &[String], event: &str) -> usize {
    events.iter().filter(|e| *e == event).count()
}

#[tokio::test]
async fn a_wrong_password_on_any_route_is_403_counts_towards_the_lockout_and_is_audited() {
    let app = spawn_app().await;
    let (customer, token) = signed_in(&app, "recheck").await;
    let mut routes = password_routes();
    routes.push(Sensitive {
        method: Method::POST,
        path: "/v1/me/mfa/totp",
        body: |_, password, _| json!({"password": password}),
    });
    for route in &routes {
        let wrong = send(&app, &token, route, WRONG, None).await;
        assert_problem(wrong, StatusCode::FORBIDDEN, "invalid_credentials").await;
    }
    // Five failures lock the username: every route, and sign-in, answer 429
    // whatever the password.
    for route in &routes {
        let locked = send(&app, &token, route, PASSWORD, None).await;
        let problem = assert_problem(locked, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
        assert!(problem["detail"].is_string());
    }
    let signing_in = app.sign_in(&customer.username, PASSWORD).await;
    assert_problem(signing_in, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    let events = app.audit_events(&app.account_id(&token).await).await;
    assert_eq!(count(&events, "reauth_failed"), routes.len(), "{events:?}");
    assert_eq!(count(&events, "locked_out"), 1, "{events:?}");
    assert!(app.last_email(&customer.email).await["subject"].as_str().unwrap().contains("locked"));
}

#[tokio::test]
async fn a_right_password_in_a_re_check_never_resets_the_count() {
    let app = spawn_app().await;
    let (customer, token) = signed_in(&app, "nocountreset").await;
    for _ in 0..4 {
        assert_eq!(app.sign_in(&customer.username, WRONG).await.status(), StatusCode::UNAUTHORIZED);
    }
    // Right passwords in re-checks, more of them than the lockout allows.
    for _ in 0..6 {
        let right = json!({"password": PASSWORD});
        let response = app.json_with_token(Method::POST, "/v1/me/mfa/totp", &token, &right).await;
        assert_eq!(response.status(), StatusCode::CREATED, "a passing re-check is no failure");
    }
    // The fifth failure still locks.
    assert_eq!(app.sign_in(&customer.username, WRONG).await.status(), StatusCode::UNAUTHORIZED);
    let right = app.sign_in(&customer.username, PASSWORD).await;
    assert_problem(right, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
}

#[tokio::test]
async fn with_two_factor_on_every_sensitive_route_needs_a_code_and_a_missing_one_counts_nothing() {
    let app = spawn_app().await;
    let (customer, token) = signed_in(&app, "protected").await;
    app.enable_mfa(&token).await;
    let mut routes = password_routes();
    routes.extend(second_factor_routes());
    // More missing codes than the lockout allows: none counts.
    for route in routes.iter().chain(&routes) {
        let missing = send(&app, &token, route, PASSWORD, None).await;
        let problem = assert_problem(missing, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(field_errors(&problem), [("code".to_owned(), "invalid_code".to_owned())], "{}", route.path);
    }
    // The password is checked first.
    let wrong_password = send(&app, &token, &routes[0], WRONG, Some("000000")).await;
    assert_problem(wrong_password, StatusCode::FORBIDDEN, "invalid_credentials").await;
    // POST /v1/me/mfa/totp is 409 while MFA is on.
    let enrol = app.json_with_token(Method::POST, "/v1/me/mfa/totp", &token, &json!({"password": PASSWORD})).await;
    assert_problem(enrol, StatusCode::CONFLICT, "mfa_enabled").await;
    assert_eq!(app.sign_in(&customer.username, PASSWORD).await.status(), StatusCode::OK, "nothing locked");
}

#[tokio::test]
async fn guessing_codes_on_any_route_locks_the_name_after_five_so_mfa_cannot_be_turned_off_by_brute_force() {
    let app = spawn_app().await;
    let (customer, token) = signed_in(&app, "bruteforce").await;
    let (secret, _) = app.enable_mfa(&token).await;
    let disable = &second_factor_routes()[0];
    // One wrong password already counts; four wrong codes make five.
    assert_problem(
        send(&app, &token, disable, WRONG, Some("000000")).await,
        StatusCode::FORBIDDEN,
        "invalid_credentials",
    )
    .await;
    for guess in ["000001", "000002", "000003", "not-a-recovery-code"] {
        let wrong = send(&app, &token, disable, PASSWORD, Some(guess)).await;
        let problem = assert_problem(wrong, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(field_errors(&problem), [("code".to_owned(), "invalid_code".to_owned())]);
    }
    // Locked: the right password and the right code get 429, on every
    // route and however many sessions ask; so does signing in as the name.
    let signing_in = app.sign_in(&customer.username, PASSWORD).await;
    assert_problem(signing_in, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    let right = app.totp_code(&secret, 1);
    for route in second_factor_routes().iter().chain(&password_routes()) {
        let locked = send(&app, &token, route, PASSWORD, Some(&right)).await;
        assert_problem(locked, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    }
    let me: Value = app.with_token(Method::GET, "/v1/me", &token).await.json().await.unwrap();
    assert_eq!(me["mfa"]["totp"], true, "MFA is still on");
    let events = app.audit_events(me["account_id"].as_str().unwrap()).await;
    assert_eq!(count(&events, "reauth_failed"), 5, "{events:?}");
    assert_eq!(count(&events, "mfa_disabled"), 0);
}

#[tokio::test]
async fn a_code_is_spent_only_by_a_request_that_succeeds() {
    let app = spawn_app().await;
    let (customer, token) = signed_in(&app, "spendonce").await;
    let (secret, recovery) = app.enable_mfa(&token).await;
    // Refused on another field (a wrong SMS code): the recovery code stays.
    let phone = json!({"password": PASSWORD, "code": recovery[0], "phone": app.fresh_phone(), "sms_code": "123456"});
    let refused = app.json_with_token(Method::PUT, "/v1/me/phone", &token, &phone).await;
    let problem = assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&problem)[0].0, "sms_code");
    let me: Value = app.with_token(Method::GET, "/v1/me", &token).await.json().await.unwrap();
    assert_eq!(me["mfa"]["recovery_codes_left"], 10);
    // A request that succeeds spends it.
    let email = json!({"password": PASSWORD, "code": recovery[0], "new_email": app.email("spent")});
    assert_eq!(app.json_with_token(Method::POST, "/v1/me/email", &token, &email).await.status(), StatusCode::ACCEPTED);
    let me: Value = app.with_token(Method::GET, "/v1/me", &token).await.json().await.unwrap();
    assert_eq!(me["mfa"]["recovery_codes_left"], 9);
    let again = json!({"password": PASSWORD, "code": recovery[0], "new_email": app.email("again")});
    let reused = app.json_with_token(Method::POST, "/v1/me/email", &token, &again).await;
    assert_problem(reused, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    // A TOTP code does the job too; the deletion request is made.
    let deletion = json!({"password": PASSWORD, "code": app.totp_code(&secret, 1)});
    let requested = app.json_with_token(Method::POST, "/v1/me/deletion-request", &token, &deletion).await;
    assert_eq!(requested.status(), StatusCode::ACCEPTED);
    assert_eq!(app.sign_in(&customer.username, PASSWORD).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_totp_code_is_accepted_once_across_routes() {
    let app = spawn_app().await;
    let (_, token) = signed_in(&app, "totponce").await;
    let (secret, _) = app.enable_mfa(&token).await;
    // The confirming code was this step's; the next step's is fresh.
    let code = app.totp_code(&secret, 1);
    let email = json!({"password": PASSWORD, "code": code, "new_email": app.email("first")});
    assert_eq!(app.json_with_token(Method::POST, "/v1/me/email", &token, &email).await.status(), StatusCode::ACCEPTED);
    let replay = json!({"password": PASSWORD, "code": code});
    let replayed = app.json_with_token(Method::POST, "/v1/me/mfa/recovery-codes", &token, &replay).await;
    assert_problem(replayed, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

#[tokio::test]
async fn recovery_codes_are_replaced_with_the_password_and_a_code_and_the_old_ones_stop_working() {
    let app = spawn_app().await;
    let (customer, token) = signed_in(&app, "newcodes").await;
    let password_only = json!({"password": PASSWORD});
    let off = app.json_with_token(Method::POST, "/v1/me/mfa/recovery-codes", &token, &password_only).await;
    assert_problem(off, StatusCode::CONFLICT, "mfa_not_enabled").await;
    let (_, old) = app.enable_mfa(&token).await;
    let body = json!({"password": PASSWORD, "code": old[0]});
    let response = app.json_with_token(Method::POST, "/v1/me/mfa/recovery-codes", &token, &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let new: Vec<String> = response.json::<Value>().await.unwrap()["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(new.len(), 10);
    assert!(new.iter().all(|c| !old.contains(c)));
    assert!(app.last_email(&customer.email).await["subject"].as_str().unwrap().contains("recovery codes"));
    let old_code = second_step(&app, &mfa_token(&app, &customer, PASSWORD).await, &old[1]).await;
    assert_problem(old_code, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let new_code = second_step(&app, &mfa_token(&app, &customer, PASSWORD).await, &new[0]).await;
    assert_eq!(new_code.status(), StatusCode::CREATED);
    let events = app.audit_events(&app.account_id(&token).await).await;
    assert_eq!(count(&events, "recovery_codes_replaced"), 1);
}

#[tokio::test]
async fn turning_two_factor_on_ends_every_other_session() {
    let app = spawn_app().await;
    let (customer, token) = signed_in(&app, "endothers").await;
    let earlier = app.token_for(&customer).await;
    app.enable_mfa(&token).await;
    assert_eq!(app.with_token(Method::GET, "/v1/me", &earlier).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.with_token(Method::GET, "/v1/me", &token).await.status(), StatusCode::OK);
    assert!(app.last_email(&customer.email).await["subject"].as_str().unwrap().contains("wo-factor"));
}

async fn second_step(app: &TestApp, mfa_token: &str, code: &str) -> reqwest::Response {
    app.post("/v1/sessions/mfa", &json!({"mfa_token": mfa_token, "code": code})).await
}

/// The first step of a sign-in with MFA on: its `mfa_token`.
async fn mfa_token(app: &TestApp, customer: &Customer, password: &str) -> String {
    let first: Value = app.sign_in(&customer.username, password).await.json().await.unwrap();
    first["mfa_token"].as_str().expect("an mfa_token").to_owned()
}

#[tokio::test]
async fn an_mfa_token_dies_with_a_password_change_reset_or_suspension() {
    let app = spawn_app().await;
    let (customer, token) = signed_in(&app, "tokendies").await;
    let (secret, recovery) = app.enable_mfa(&token).await;

    // A change from the session (by the owner, or whoever holds it).
    let issued = mfa_token(&app, &customer, PASSWORD).await;
    let new_password = "Chang3d#Gpu-Pass";
    let change = json!({"current_password": PASSWORD, "new_password": new_password, "code": app.totp_code(&secret, 1)});
    assert_eq!(
        app.json_with_token(Method::PUT, "/v1/me/password", &token, &change).await.status(),
        StatusCode::NO_CONTENT
    );
    let dead = second_step(&app, &issued, &recovery[1]).await;
    assert_problem(dead, StatusCode::UNAUTHORIZED, "invalid_credentials").await;

    // A reset by the emailed link.
    let issued = mfa_token(&app, &customer, new_password).await;
    assert_eq!(
        app.post("/v1/password/forgot", &json!({"login": customer.username})).await.status(),
        StatusCode::ACCEPTED
    );
    let link = app.last_link_token(&customer.email).await;
    let set = app.post("/v1/password/set", &json!({"token": link, "password": PASSWORD})).await;
    assert_eq!(set.status(), StatusCode::NO_CONTENT);
    let dead = second_step(&app, &issued, &recovery[2]).await;
    assert_problem(dead, StatusCode::UNAUTHORIZED, "invalid_credentials").await;

    // A suspension.
    let issued = mfa_token(&app, &customer, PASSWORD).await;
    let suspend = json!({"reason": "under investigation"});
    let path = format!("/ops/v1/accounts/{}/suspension", customer.username);
    assert_eq!(app.ops(Method::POST, &path, Some(&suspend)).await.status(), StatusCode::OK);
    let dead = second_step(&app, &issued, &recovery[3]).await;
    assert_problem(dead, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
}

#[tokio::test]
async fn creating_a_sub_account_needs_a_code_while_two_factor_is_on() {
    let app = spawn_app().await;
    let (_, token) = signed_in(&app, "mfaparent").await;
    let (_, recovery) = app.enable_mfa(&token).await;
    let body =
        |code: Option<&str>| with_code(json!({"username": app.user("mfachild"), "email": app.email("mfachild")}), code);
    let missing = app.json_with_token(Method::POST, "/v1/me/sub-accounts", &token, &body(None)).await;
    let problem = assert_problem(missing, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&problem), [("code".to_owned(), "invalid_code".to_owned())]);
    let wrong = app.json_with_token(Method::POST, "/v1/me/sub-accounts", &token, &body(Some("999999"))).await;
    assert_problem(wrong, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let right = app.json_with_token(Method::POST, "/v1/me/sub-accounts", &token, &body(Some(&recovery[0]))).await;
    assert_eq!(right.status(), StatusCode::CREATED);
    let events = app.audit_events(&app.account_id(&token).await).await;
    assert_eq!(count(&events, "reauth_failed"), 1, "the wrong code counted, the missing one did not: {events:?}");
}
