//! What the pages read to say the right thing: the password policy as data
//! (`GET /v1/password-policy`) and the account's language
//! (`PUT /v1/me/language`), which its emails and SMS follow.

use accounts_tests::{
    TestApp, assert_problem, field_errors, range_api, spawn_app, spawn_app_screening, spawn_app_with, stack,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn policy_of(app: &TestApp) -> Value {
    let response = app.client.get(format!("{}/v1/password-policy", app.base)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let cache = response.headers().get("cache-control").map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(cache.as_deref(), Some("public, max-age=3600"));
    response.json().await.unwrap()
}

/// The default preset as data, and a password breaking each rule it states
/// is refused with that rule's code: the data is what the service checks.
#[tokio::test]
async fn the_password_policy_states_the_rules_the_service_enforces() {
    let app = spawn_app().await;
    let policy = policy_of(&app).await;
    assert_eq!(policy["preset"], "alaya");
    assert_eq!((policy["min_length"].as_u64(), policy["max_length"].as_u64()), (Some(8), Some(18)));
    assert_eq!(policy["character_classes"], json!(["uppercase", "lowercase", "digit", "symbol"]));
    assert_eq!(policy["min_classes"], 4);
    assert_eq!((policy["ascii_only"].as_bool(), policy["spaces_allowed"].as_bool()), (Some(true), Some(false)));
    assert_eq!((policy["refuses_username"].as_bool(), policy["refuses_common"].as_bool()), (Some(true), Some(true)));
    // The stack screens passwords against its range API; the dev server does not.
    assert_eq!(policy["refuses_breached"], stack().is_some());

    let (_, customer) = app.sign_up("polread").await;
    let token = app.last_link_token(&customer.email).await;
    let refused = |password: String| {
        let body = json!({"token": token, "phone": customer.phone, "password": password});
        let app = &app;
        async move { field_errors(&app.post("/v1/password/set", &body).await.json().await.unwrap()) }
    };
    let code = |errors: Vec<(String, String)>| errors.into_iter().map(|(_, code)| code).collect::<Vec<_>>();
    assert_eq!(code(refused("Aa1!aaa".into()).await), ["password_too_short"]);
    assert_eq!(code(refused(format!("Aa1!{}", "k".repeat(15))).await), ["password_too_long"]);
    assert_eq!(code(refused("aa1!aaaa".into()).await), ["password_missing_uppercase"]);
    assert_eq!(code(refused("Aa1! aaaa".into()).await), ["password_invalid_character"]);
    assert_eq!(code(refused(format!("Aa1!{}", customer.username)).await), ["password_contains_username"]);
    assert_eq!(code(refused("Password1!".into()).await), ["password_too_common"]);
}

/// Each preset publishes its own rules, and a breached-password list
/// configured says so.
#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs configurations of its own; the stack has one")]
async fn each_preset_publishes_its_own_rules() {
    let alibaba = policy_of(&spawn_app_with(&[("ACCOUNTS_PASSWORD_POLICY", "alibaba")]).await).await;
    assert_eq!((alibaba["preset"].as_str(), alibaba["max_length"].as_u64()), (Some("alibaba"), Some(128)));
    assert_eq!((alibaba["min_classes"].as_u64(), alibaba["refuses_username"].as_bool()), (Some(2), Some(false)));
    let nist = policy_of(&spawn_app_with(&[("ACCOUNTS_PASSWORD_POLICY", "nist")]).await).await;
    assert_eq!((nist["min_length"].as_u64(), nist["character_classes"].clone()), (Some(15), json!([])));
    assert_eq!((nist["ascii_only"].as_bool(), nist["spaces_allowed"].as_bool()), (Some(false), Some(true)));
    let range = range_api().await;
    assert_eq!(policy_of(&spawn_app_screening(&range).await).await["refuses_breached"], true);
}

async fn language_of(app: &TestApp, token: &str) -> Value {
    app.with_token(Method::GET, "/v1/me", token).await.json::<Value>().await.unwrap()["language"].clone()
}

async fn forgot_in(app: &TestApp, login: &str, accept_language: &str) {
    forgot_by(app, login, accept_language, "email").await;
}

async fn forgot_by(app: &TestApp, login: &str, accept_language: &str, method: &str) {
    let response = app
        .client
        .post(format!("{}/v1/password/forgot", app.base))
        .header("accept-language", accept_language)
        .json(&json!({"login": login, "method": method}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
}

/// Sign-up takes the language from the request; once the owner chooses one,
/// messages follow it whatever language a later request is in.
#[tokio::test]
async fn the_chosen_language_decides_the_accounts_messages() {
    let app = spawn_app().await;
    let customer = app.activated_customer("lingua").await;
    let token = app.token_for(&customer).await;
    assert_eq!(language_of(&app, &token).await, "en");

    let set = async |language: &str| {
        let body = json!({"language": language});
        app.json_with_token(Method::PUT, "/v1/me/language", &token, &body).await.status()
    };
    assert_eq!(set("zh-CN").await, StatusCode::NO_CONTENT);
    assert_eq!(language_of(&app, &token).await, "zh-CN");
    forgot_in(&app, &customer.username, "en-GB").await;
    assert_eq!(app.last_email(&customer.email).await["subject"], "重置您的密码");

    assert_eq!(set("en").await, StatusCode::NO_CONTENT);
    forgot_in(&app, &customer.username, "zh-CN").await;
    assert_eq!(app.last_email(&customer.email).await["subject"], "Reset your password");
    assert_eq!(language_of(&app, &token).await, "en");
}

#[tokio::test]
async fn a_language_other_than_the_two_changes_nothing() {
    let app = spawn_app().await;
    let customer = app.activated_customer("badlingua").await;
    let token = app.token_for(&customer).await;
    for language in [json!("zh"), json!("ZH-cn"), json!("fr"), json!(""), json!(null), json!(7), json!("en ")] {
        let response =
            app.json_with_token(Method::PUT, "/v1/me/language", &token, &json!({"language": language})).await;
        if language.is_number() {
            assert_problem(response, StatusCode::BAD_REQUEST, "malformed_request").await;
            continue;
        }
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        let expected = if language.as_str().is_some_and(|l| !l.is_empty()) { "language_invalid" } else { "required" };
        assert_eq!(field_errors(&problem), [("language".to_owned(), expected.to_owned())], "{language}");
    }
    let huge = json!({"language": "z".repeat(3_000)});
    let response = app.json_with_token(Method::PUT, "/v1/me/language", &token, &huge).await;
    assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(language_of(&app, &token).await, "en");
    let stranger = app.client.put(format!("{}/v1/me/language", app.base)).json(&json!({"language": "en"}));
    assert_eq!(stranger.send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
}

/// The SMS follow the chosen language too: a reset code asked for in
/// English comes in Chinese.
#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock to pass the phone's 60-second cooldown")]
async fn the_chosen_language_decides_the_accounts_sms() {
    let app = spawn_app().await;
    let customer = app.activated_customer("smslingua").await;
    let token = app.token_for(&customer).await;
    let body = json!({"language": "zh-CN"});
    assert_eq!(
        app.json_with_token(Method::PUT, "/v1/me/language", &token, &body).await.status(),
        StatusCode::NO_CONTENT
    );
    // The sign-up's code went to this phone under a minute ago.
    app.advance_clock(61).await;
    forgot_by(&app, &customer.username, "en-GB", "sms").await;
    let sms =
        app.outbox().await.into_iter().rev().find(|m| m["channel"] == "sms" && m["to"] == customer.phone.as_str());
    let text = sms.expect("an SMS to the phone")["text"].as_str().unwrap().to_owned();
    assert!(text.contains("您的验证码为"), "{text}");
}
