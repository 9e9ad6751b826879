//! Passkeys (the contract's "Passkeys (WebAuthn)"): registration from the
//! security centre, listing, renaming and removing, and the usernameless
//! sign-in with every refusal alike — through a software authenticator of
//! our own (`accounts_tests::authenticator`), on every shape.

use accounts_tests::authenticator::{Authenticator, Tamper};
use accounts_tests::{Customer, PASSWORD, TestApp, assert_problem, field_errors, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("a JSON body")
}

/// The origin browsers show the pages at: the public URL's.
fn origin(app: &TestApp) -> String {
    let url = reqwest::Url::parse(app.public_url()).unwrap();
    url.origin().ascii_serialization()
}

/// Creation options for `token`'s account (the password re-check passed).
async fn registration(app: &TestApp, token: &str) -> Value {
    let response =
        app.json_with_token(Method::POST, "/v1/me/passkeys/options", token, &json!({"password": PASSWORD})).await;
    assert_eq!(response.status(), StatusCode::OK);
    json_of(response).await
}

async fn finish(
    app: &TestApp,
    token: &str,
    registration_id: &str,
    credential: Value,
    name: Option<&str>,
) -> reqwest::Response {
    let mut body = json!({"registration_id": registration_id, "credential": credential});
    if let Some(name) = name {
        body["name"] = Value::from(name);
    }
    app.json_with_token(Method::POST, "/v1/me/passkeys", token, &body).await
}

/// Registers a new passkey on `token`'s account; the authenticator and the
/// service's answer.
pub(crate) async fn add_passkey(app: &TestApp, token: &str, name: Option<&str>) -> (Authenticator, Value) {
    let mut authenticator = Authenticator::new(&origin(app));
    let started = registration(app, token).await;
    let credential = authenticator.register(&started["options"]);
    let response = finish(app, token, started["registration_id"].as_str().unwrap(), credential, name).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    (authenticator, json_of(response).await)
}

pub(crate) async fn passkeys_of(app: &TestApp, token: &str) -> Vec<Value> {
    let response = app.with_token(Method::GET, "/v1/me/passkeys", token).await;
    assert_eq!(response.status(), StatusCode::OK);
    json_of(response).await["items"].as_array().cloned().unwrap_or_default()
}

/// A sign-in challenge: `(challenge_id, options)`.
async fn sign_in_challenge(app: &TestApp) -> (String, Value) {
    let response = app.post("/v1/sessions/passkey/options", &json!({})).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = json_of(response).await;
    (body["challenge_id"].as_str().unwrap().to_owned(), body["options"].clone())
}

async fn sign_in(app: &TestApp, challenge_id: &str, credential: &Value) -> reqwest::Response {
    app.post("/v1/sessions/passkey", &json!({"challenge_id": challenge_id, "credential": credential})).await
}

/// Signs in with `authenticator` departing as `tamper` says.
pub(crate) async fn sign_in_with(
    app: &TestApp,
    authenticator: &mut Authenticator,
    tamper: &Tamper,
) -> reqwest::Response {
    let (challenge_id, options) = sign_in_challenge(app).await;
    sign_in(app, &challenge_id, &authenticator.assert_with(&options, tamper)).await
}

async fn customer_with_token(app: &TestApp, name: &str) -> (Customer, String) {
    let customer = app.activated_customer(name).await;
    let token = app.token_for(&customer).await;
    (customer, token)
}

#[tokio::test]
async fn a_passkey_is_registered_from_the_security_centre_and_told_to_the_owner() {
    let app = spawn_app().await;
    let (customer, token) = customer_with_token(&app, "passkeyowner").await;
    let started = registration(&app, &token).await;
    let options = &started["options"];
    let rp_id = reqwest::Url::parse(app.public_url()).unwrap().host_str().unwrap().to_owned();
    assert_eq!(options["rp"]["id"], rp_id.as_str());
    assert_eq!(options["authenticatorSelection"]["residentKey"], "required");
    assert_eq!(options["authenticatorSelection"]["userVerification"], "required");
    let algorithms: Vec<i64> =
        options["pubKeyCredParams"].as_array().unwrap().iter().map(|p| p["alg"].as_i64().unwrap()).collect();
    assert_eq!(algorithms, [-7, -8, -257], "ES256, EdDSA, RS256");
    assert!(options["excludeCredentials"].as_array().is_none_or(Vec::is_empty));

    let mut authenticator = Authenticator::new(&origin(&app));
    let credential = authenticator.register(options);
    let response = finish(&app, &token, started["registration_id"].as_str().unwrap(), credential, Some("Laptop")).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created = json_of(response).await;
    assert_eq!(created["name"], "Laptop");
    assert!(created["passkey_id"].is_string() && created["created_at"].is_string());
    let listed = passkeys_of(&app, &token).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["passkey_id"], created["passkey_id"]);
    assert_eq!((listed[0]["last_used_at"].clone(), listed[0]["backed_up"].clone()), (Value::Null, Value::from(false)));
    assert!(app.last_email(&customer.email).await["subject"].as_str().unwrap().contains("passkey"));
    let account_id = app.account_id(&token).await;
    assert!(app.audit_events(&account_id).await.contains(&"passkey_added".to_owned()));

    // A second registration excludes the first.
    let again = registration(&app, &token).await;
    assert_eq!(again["options"]["excludeCredentials"][0]["id"], authenticator.credential_id_b64().as_str());
}

#[tokio::test]
async fn registering_needs_the_password_and_with_two_factor_on_a_code() {
    let app = spawn_app().await;
    let (_, token) = customer_with_token(&app, "passkeyreauth").await;
    let wrong =
        app.json_with_token(Method::POST, "/v1/me/passkeys/options", &token, &json!({"password": "Wrong#Pass1"})).await;
    assert_problem(wrong, StatusCode::FORBIDDEN, "invalid_credentials").await;
    let missing = app.json_with_token(Method::POST, "/v1/me/passkeys/options", &token, &json!({})).await;
    let problem = assert_problem(missing, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&problem), vec![("password".to_owned(), "required".to_owned())]);

    let (secret, _) = app.enable_mfa(&token).await;
    let without_code =
        app.json_with_token(Method::POST, "/v1/me/passkeys/options", &token, &json!({"password": PASSWORD})).await;
    let problem = assert_problem(without_code, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&problem), vec![("code".to_owned(), "invalid_code".to_owned())]);
    let code = app.totp_code(&secret, 1);
    let with_code = app
        .json_with_token(Method::POST, "/v1/me/passkeys/options", &token, &json!({"password": PASSWORD, "code": code}))
        .await;
    assert_eq!(with_code.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_registration_that_does_not_verify_is_422_on_credential_and_stores_nothing() {
    let app = spawn_app().await;
    let (_, token) = customer_with_token(&app, "passkeybadreg").await;
    let other_site = "https://evil.example".to_owned();
    let cases = [
        ("another origin", Tamper { origin: Some(other_site), ..Tamper::default() }),
        ("another relying party", Tamper { rp_id: Some("evil.example".into()), ..Tamper::default() }),
        ("no user verification", Tamper { no_user_verification: true, ..Tamper::default() }),
        (
            "another challenge",
            Tamper { challenge: Some("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into()), ..Tamper::default() },
        ),
    ];
    for (case, tamper) in cases {
        let started = registration(&app, &token).await;
        let credential = Authenticator::new(&origin(&app)).register_with(&started["options"], &tamper);
        let response = finish(&app, &token, started["registration_id"].as_str().unwrap(), credential, None).await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(field_errors(&problem), vec![("credential".to_owned(), "invalid_credential".to_owned())], "{case}");
    }
    assert!(passkeys_of(&app, &token).await.is_empty());
    // A registration is used once, and is only its own account's.
    let started = registration(&app, &token).await;
    let id = started["registration_id"].as_str().unwrap();
    let mut authenticator = Authenticator::new(&origin(&app));
    let (_, other_token) = customer_with_token(&app, "passkeyother").await;
    let credential = authenticator.register(&started["options"]);
    let stolen = finish(&app, &other_token, id, credential.clone(), None).await;
    let problem = assert_problem(stolen, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&problem), vec![("registration_id".to_owned(), "invalid_registration".to_owned())]);
    assert_eq!(finish(&app, &token, id, credential.clone(), None).await.status(), StatusCode::CREATED);
    let replay = finish(&app, &token, id, credential, None).await;
    assert_problem(replay, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

#[tokio::test]
async fn an_account_has_at_most_ten_passkeys() {
    let app = spawn_app().await;
    let (_, token) = customer_with_token(&app, "passkeyten").await;
    for _ in 0..10 {
        add_passkey(&app, &token, None).await;
    }
    let eleventh =
        app.json_with_token(Method::POST, "/v1/me/passkeys/options", &token, &json!({"password": PASSWORD})).await;
    assert_problem(eleventh, StatusCode::CONFLICT, "passkey_limit").await;
    assert_eq!(passkeys_of(&app, &token).await.len(), 10);
}

#[tokio::test]
async fn a_passkey_is_renamed_and_removed_by_its_owner_only() {
    let app = spawn_app().await;
    let (customer, token) = customer_with_token(&app, "passkeyrename").await;
    let (mut authenticator, created) = add_passkey(&app, &token, None).await;
    let id = created["passkey_id"].as_str().unwrap();
    let path = format!("/v1/me/passkeys/{id}");
    let renamed = app.json_with_token(Method::PATCH, &path, &token, &json!({"name": "  Phone  "})).await;
    assert_eq!(renamed.status(), StatusCode::OK);
    assert_eq!(json_of(renamed).await["name"], "Phone");
    for bad in ["", "   ", &"x".repeat(65)] {
        let response = app.json_with_token(Method::PATCH, &path, &token, &json!({"name": bad})).await;
        assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    }

    let (_, intruder) = customer_with_token(&app, "passkeyintruder").await;
    let theirs = app.json_with_token(Method::PATCH, &path, &intruder, &json!({"name": "Mine"})).await;
    assert_problem(theirs, StatusCode::NOT_FOUND, "passkey_not_found").await;
    let theirs = app.json_with_token(Method::DELETE, &path, &intruder, &json!({"password": PASSWORD})).await;
    assert_problem(theirs, StatusCode::NOT_FOUND, "passkey_not_found").await;

    let wrong = app.json_with_token(Method::DELETE, &path, &token, &json!({"password": "Wrong#Pass1"})).await;
    assert_problem(wrong, StatusCode::FORBIDDEN, "invalid_credentials").await;
    let removed = app.json_with_token(Method::DELETE, &path, &token, &json!({"password": PASSWORD})).await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert!(passkeys_of(&app, &token).await.is_empty());
    assert!(app.last_email(&customer.email).await["subject"].as_str().unwrap().contains("removed"));
    let account_id = app.account_id(&token).await;
    assert!(app.audit_events(&account_id).await.contains(&"passkey_removed".to_owned()));
    // A removed passkey signs in no more.
    let refused = sign_in_with(&app, &mut authenticator, &Tamper::default()).await;
    assert_problem(refused, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
}

#[tokio::test]
async fn a_passkey_signs_in_in_one_step_without_a_username() {
    let app = spawn_app().await;
    let (customer, token) = customer_with_token(&app, "passkeysignin").await;
    let (mut authenticator, created) = add_passkey(&app, &token, Some("Laptop")).await;
    app.enable_mfa(&token).await;

    let (challenge_id, options) = sign_in_challenge(&app).await;
    assert_eq!(options["userVerification"], "required");
    assert!(options["allowCredentials"].as_array().is_none_or(Vec::is_empty));
    let response = sign_in(&app, &challenge_id, &authenticator.assert(&options)).await;
    // No second factor asked, even with two-factor sign-in on.
    assert_eq!(response.status(), StatusCode::CREATED);
    assert!(response.headers()["set-cookie"].to_str().unwrap().starts_with("session="));
    let session = json_of(response).await;
    assert_eq!(session["account"]["username"], customer.username.as_str());
    let new_token = session["token"].as_str().unwrap();
    assert_eq!(app.with_token(Method::GET, "/v1/me", new_token).await.status(), StatusCode::OK);
    let listed = passkeys_of(&app, new_token).await;
    assert_eq!(listed[0]["passkey_id"], created["passkey_id"]);
    assert!(listed[0]["last_used_at"].is_string(), "the last use is recorded");
    let account_id = app.account_id(new_token).await;
    let trail = app.ops(Method::GET, &format!("/ops/v1/audit?account_id={account_id}&limit=200"), None).await;
    let items = json_of(trail).await["items"].as_array().cloned().unwrap();
    assert!(
        items.iter().any(|r| r["event"] == "signed_in" && r["detail"] == "passkey" && r["method"] == "passkey"),
        "{items:?}"
    );

    // Again with the same authenticator: its counter moves on.
    assert_eq!(sign_in_with(&app, &mut authenticator, &Tamper::default()).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn every_refused_passkey_sign_in_is_the_same_401() {
    let app = spawn_app().await;
    let (_, token) = customer_with_token(&app, "passkeyrefusals").await;
    let (mut authenticator, _) = add_passkey(&app, &token, None).await;
    let mut stranger = Authenticator::new(&origin(&app));
    stranger.register(&registration(&app, &token).await["options"]); // never finished: unknown to the service
    let expected = assert_problem(
        sign_in_with(&app, &mut stranger, &Tamper::default()).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    let cases = [
        ("another origin", Tamper { origin: Some("https://evil.example".into()), ..Tamper::default() }),
        ("another relying party", Tamper { rp_id: Some("evil.example".into()), ..Tamper::default() }),
        ("no user verification", Tamper { no_user_verification: true, ..Tamper::default() }),
        ("a bad signature", Tamper { bad_signature: true, ..Tamper::default() }),
        ("another user", Tamper { user_handle: Some(vec![7; 16]), ..Tamper::default() }),
    ];
    for (case, tamper) in cases {
        let response = sign_in_with(&app, &mut authenticator, &tamper).await;
        let problem = assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
        assert_eq!(problem, expected, "{case} is refused as an unknown credential is");
    }
    // A challenge is used once: the same answer again is refused.
    let (challenge_id, options) = sign_in_challenge(&app).await;
    let answer = authenticator.assert(&options);
    assert_eq!(sign_in(&app, &challenge_id, &answer).await.status(), StatusCode::CREATED);
    let replayed =
        assert_problem(sign_in(&app, &challenge_id, &answer).await, StatusCode::UNAUTHORIZED, "invalid_credentials")
            .await;
    assert_eq!(replayed, expected);
    let unknown = assert_problem(
        sign_in(&app, "no-such-challenge", &answer).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    assert_eq!(unknown, expected);
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn a_challenge_expires_after_five_minutes() {
    let app = spawn_app().await;
    let (_, token) = customer_with_token(&app, "passkeylate").await;
    let (mut authenticator, _) = add_passkey(&app, &token, None).await;
    let (challenge_id, options) = sign_in_challenge(&app).await;
    app.advance_clock(301).await;
    let late = sign_in(&app, &challenge_id, &authenticator.assert(&options)).await;
    assert_problem(late, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
}

#[tokio::test]
async fn a_counter_that_goes_backwards_refuses_and_tells_the_owner() {
    let app = spawn_app().await;
    let (customer, token) = customer_with_token(&app, "passkeyclone").await;
    let (mut authenticator, _) = add_passkey(&app, &token, Some("Security key")).await;
    for _ in 0..3 {
        assert_eq!(sign_in_with(&app, &mut authenticator, &Tamper::default()).await.status(), StatusCode::CREATED);
    }
    // A copy of the authenticator, behind the original.
    let cloned = sign_in_with(&app, &mut authenticator, &Tamper { counter: Some(2), ..Tamper::default() }).await;
    assert_problem(cloned, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let notice = app.last_email(&customer.email).await;
    assert!(notice["text"].as_str().unwrap().contains("Security key"), "{notice}");
    assert!(notice["subject"].as_str().unwrap().contains("refused"));
    let account_id = app.account_id(&token).await;
    assert!(app.audit_events(&account_id).await.contains(&"passkey_counter_went_backwards".to_owned()));
}

#[tokio::test]
async fn a_suspended_account_cannot_sign_in_with_a_passkey() {
    let app = spawn_app().await;
    let (customer, token) = customer_with_token(&app, "passkeysuspended").await;
    let (mut authenticator, _) = add_passkey(&app, &token, None).await;
    let path = format!("/ops/v1/accounts/{}/suspension", customer.username);
    assert_eq!(app.ops(Method::POST, &path, Some(&json!({"reason": "ticket 7"}))).await.status(), StatusCode::OK);
    let refused = sign_in_with(&app, &mut authenticator, &Tamper::default()).await;
    assert_problem(refused, StatusCode::FORBIDDEN, "account_suspended").await;
    assert_eq!(app.ops(Method::DELETE, &path, None).await.status(), StatusCode::OK);
    assert_eq!(sign_in_with(&app, &mut authenticator, &Tamper::default()).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn an_erased_account_takes_its_passkeys_with_it() {
    let app = spawn_app().await;
    let (_, token) = customer_with_token(&app, "passkeyerased").await;
    let (mut authenticator, _) = add_passkey(&app, &token, None).await;
    let requested =
        app.json_with_token(Method::POST, "/v1/me/deletion-request", &token, &json!({"password": PASSWORD})).await;
    assert_eq!(requested.status(), StatusCode::ACCEPTED);
    let request_id = json_of(requested).await["request_id"].as_str().unwrap().to_owned();
    let path = format!("/ops/v1/deletion-requests/{request_id}/decision");
    let decided = app.ops(Method::POST, &path, Some(&json!({"decision": "approve"}))).await;
    assert_eq!(decided.status(), StatusCode::OK);
    let refused = sign_in_with(&app, &mut authenticator, &Tamper::default()).await;
    assert_problem(refused, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
}
