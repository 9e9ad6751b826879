//! Sub-accounts of a primary account.

use accounts_tests::{PASSWORD, TestApp, assert_problem, field_errors, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn create(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.client.post(format!("{}/v1/me/sub-accounts", app.base)).bearer_auth(token).json(body).send().await.unwrap()
}

async fn activate(app: &TestApp, email: &str) {
    let token = app.last_link_token(email).await;
    assert_eq!(
        app.post("/v1/password/set", &json!({"token": token, "password": PASSWORD})).await.status(),
        StatusCode::NO_CONTENT
    );
}

async fn reset(app: &TestApp, token: &str, username: &str) -> reqwest::Response {
    app.client
        .post(format!("{}/v1/me/sub-accounts/{username}/password-reset", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_primary_account_creates_sub_accounts_that_sign_in_as_sub() {
    let app = spawn_app().await;
    let parent = app.activated_customer("teamlead").await;
    let token = app.token_for(&parent).await;
    let email = app.email(app.user("teammate"));
    let response = create(&app, &token, &json!({"username": app.user("teammate"), "email": email})).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    assert_eq!(
        (created["username"].as_str(), created["status"].as_str()),
        (Some(app.user("teammate")), Some("pending_activation"))
    );
    activate(&app, &email).await;

    let list: Value = app.with_token(Method::GET, "/v1/me/sub-accounts", &token).await.json().await.unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(
        (items[0]["username"].as_str(), items[0]["status"].as_str()),
        (Some(app.user("teammate")), Some("active"))
    );

    let session: Value = app.sign_in(app.user("teammate"), PASSWORD).await.json().await.unwrap();
    assert_eq!(session["account"]["kind"], "sub");
    let sub_token = session["token"].as_str().unwrap();
    assert_problem(
        create(&app, sub_token, &json!({"username": app.user("grandkid"), "email": app.email(app.user("grandkid"))}))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let verification = app
        .client
        .post(format!("{}/v1/me/verification", app.base))
        .bearer_auth(sub_token)
        .json(&json!({"type": "individual", "real_name": "X", "id_type": "passport", "id_number": "E12345678", "material_ids": ["a"]}))
        .send()
        .await
        .unwrap();
    assert_problem(verification, StatusCode::FORBIDDEN, "forbidden").await;
    let deletion = app
        .client
        .post(format!("{}/v1/me/deletion-request", app.base))
        .bearer_auth(sub_token)
        .json(&json!({"password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_problem(deletion, StatusCode::FORBIDDEN, "forbidden").await;
    assert_problem(
        app.with_token(Method::GET, "/v1/me/sub-accounts", sub_token).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn the_primary_account_resets_its_own_sub_accounts_and_no_other() {
    let app = spawn_app().await;
    let parent = app.activated_customer("parentone").await;
    let token = app.token_for(&parent).await;
    let other = app.activated_customer("parenttwo").await;
    let other_token = app.token_for(&other).await;
    let email = app.email(app.user("childone"));
    assert_eq!(
        create(&app, &token, &json!({"username": app.user("childone"), "email": email})).await.status(),
        StatusCode::CREATED
    );
    activate(&app, &email).await;

    assert_problem(
        reset(&app, &other_token, app.user("childone")).await,
        StatusCode::NOT_FOUND,
        "sub_account_not_found",
    )
    .await;
    assert_problem(reset(&app, &token, app.user("parenttwo")).await, StatusCode::NOT_FOUND, "sub_account_not_found")
        .await;
    let response = reset(&app, &token, app.user("childone")).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_eq!(response.json::<Value>().await.unwrap(), json!({}));
    let mail = app.last_email(&email).await;
    assert!(mail["subject"].as_str().unwrap().contains("Reset"));
    let link = accounts_tests::token_in(mail["text"].as_str().unwrap());
    let set = app.post("/v1/password/set", &json!({"token": link, "password": "Child#Gpu-Pass2"})).await;
    assert_eq!(set.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.sign_in(app.user("childone"), "Child#Gpu-Pass2").await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn forgot_password_sends_a_sub_account_nothing() {
    let app = spawn_app().await;
    let parent = app.activated_customer("quietparent").await;
    let token = app.token_for(&parent).await;
    let email = app.email(app.user("quietchild"));
    create(&app, &token, &json!({"username": app.user("quietchild"), "email": email})).await;
    activate(&app, &email).await;
    let before = app.outbox().await.len();
    for login in [app.user("quietchild"), email.as_str()] {
        assert_eq!(app.post("/v1/password/forgot", &json!({"login": login})).await.status(), StatusCode::ACCEPTED);
    }
    assert_eq!(app.outbox().await.len(), before);
}

#[tokio::test]
async fn taken_values_and_bad_fields_are_reported() {
    let app = spawn_app().await;
    let parent = app.activated_customer("dupparent").await;
    let token = app.token_for(&parent).await;
    let problem = assert_problem(
        create(&app, &token, &json!({"username": app.user("dupparent"), "email": parent.email})).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert_eq!(
        field_errors(&problem),
        [("username".to_owned(), "username_taken".to_owned()), ("email".to_owned(), "email_taken".to_owned())]
    );
    let problem = assert_problem(
        create(&app, &token, &json!({"username": "X", "email": "no", "phone": "123"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let fields: Vec<String> = field_errors(&problem).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["username", "email", "phone", "sms_code"]);
}

async fn sub_account_code(app: &TestApp, token: Option<&str>, phone: &str) -> reqwest::Response {
    let body = json!({"phone": phone, "purpose": "sub_account"});
    let request = app.client.post(format!("{}/v1/sms-codes", app.base)).json(&body);
    let request = match token {
        Some(token) => request.bearer_auth(token),
        None => request,
    };
    request.send().await.unwrap()
}

#[tokio::test]
async fn a_sub_accounts_phone_is_proven_by_a_code_bound_to_the_primary_account_that_asked() {
    let app = spawn_app().await;
    let parent = app.activated_customer("phoneparent").await;
    let token = app.token_for(&parent).await;
    let squatter = app.activated_customer("squatparent").await;
    let squatter_token = app.token_for(&squatter).await;
    let (phone, own_phone) = (app.fresh_phone(), app.fresh_phone());
    let child = |phone: &str, sms_code: Option<&str>| {
        let mut body = json!({"username": app.user("phonechild"), "email": app.email("phonechild"), "phone": phone});
        if let Some(code) = sms_code {
            body["sms_code"] = Value::from(code);
        }
        body
    };
    // No phone without its code.
    let missing = assert_problem(
        create(&app, &token, &child(&phone, None)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&missing), [("sms_code".to_owned(), "required".to_owned())]);
    // Only a signed-in primary account asks for one.
    assert_problem(sub_account_code(&app, None, &phone).await, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    // A code another primary account asked for is no code for this one.
    assert_eq!(sub_account_code(&app, Some(&squatter_token), &phone).await.status(), StatusCode::ACCEPTED);
    let theirs = app.last_sms_code(&phone).await;
    let problem = assert_problem(
        create(&app, &token, &child(&phone, Some(&theirs))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&problem)[0].0, "sms_code");

    let sent = sub_account_code(&app, Some(&token), &own_phone).await;
    assert_eq!(sent.status(), StatusCode::ACCEPTED);
    assert_eq!(sent.json::<Value>().await.unwrap(), json!({"expires_in": 300, "retry_after": 60}));
    let code = app.last_sms_code(&own_phone).await;
    let created = create(&app, &token, &child(&own_phone, Some(&code))).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    // Used up: the same code proves nothing twice.
    let mut again = child(&own_phone, Some(&code));
    again["username"] = Value::from(app.user("phonechildtwo"));
    again["email"] = Value::from(app.email("phonechildtwo"));
    let problem =
        assert_problem(create(&app, &token, &again).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&problem)[0].0, "sms_code");

    // A sub-account's session cannot ask for one; activation asks for the
    // proven phone, as a sign-up's does.
    let link = app.last_link_token(&app.email("phonechild")).await;
    let set = json!({"token": link, "password": PASSWORD, "phone": own_phone});
    assert_eq!(app.post("/v1/password/set", &set).await.status(), StatusCode::NO_CONTENT);
    let session: Value = app.sign_in(app.user("phonechild"), PASSWORD).await.json().await.unwrap();
    let sub_token = session["token"].as_str().unwrap();
    let other = app.fresh_phone();
    assert_problem(sub_account_code(&app, Some(sub_token), &other).await, StatusCode::FORBIDDEN, "forbidden").await;
}
