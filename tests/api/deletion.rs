//! Account deletion: the request, its cancellation and the operator's
//! decision, which erases the account for real.

use accounts_tests::{Customer, PASSWORD, TestApp, assert_problem, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shared::persistence::keys;

async fn request_deletion(app: &TestApp, token: &str, password: &str) -> reqwest::Response {
    app.client
        .post(format!("{}/v1/me/deletion-request", app.base))
        .bearer_auth(token)
        .json(&json!({"password": password, "reason": "leaving"}))
        .send()
        .await
        .unwrap()
}

async fn decide(app: &TestApp, request_id: &str, decision: &str) -> reqwest::Response {
    app.ops(
        Method::POST,
        &format!("/ops/v1/deletion-requests/{request_id}/decision"),
        Some(&json!({"decision": decision})),
    )
    .await
}

#[tokio::test]
async fn a_request_can_be_read_and_cancelled_and_only_one_is_pending() {
    let app = spawn_app().await;
    let customer = app.activated_customer("leaver").await;
    let token = app.token_for(&customer).await;
    assert_problem(
        app.with_token(Method::GET, "/v1/me/deletion-request", &token).await,
        StatusCode::NOT_FOUND,
        "no_deletion_request",
    )
    .await;
    let response = request_deletion(&app, &token, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["status"], "pending_review");
    let current: Value = app.with_token(Method::GET, "/v1/me/deletion-request", &token).await.json().await.unwrap();
    assert_eq!(current["request_id"], created["request_id"]);
    assert_eq!(current["status"], "pending_review");
    assert!(current["requested_at"].as_str().unwrap().ends_with('Z'));
    assert_problem(request_deletion(&app, &token, PASSWORD).await, StatusCode::CONFLICT, "deletion_pending").await;
    assert!(app.last_email(&customer.email).await["subject"].as_str().unwrap().contains("deletion"));

    let queue: Value = app.ops(Method::GET, "/ops/v1/deletion-requests", None).await.json().await.unwrap();
    assert!(queue["items"].as_array().unwrap().iter().any(|i| i["request_id"] == created["request_id"]));

    assert_eq!(
        app.with_token(Method::DELETE, "/v1/me/deletion-request", &token).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_problem(
        app.with_token(Method::GET, "/v1/me/deletion-request", &token).await,
        StatusCode::NOT_FOUND,
        "no_deletion_request",
    )
    .await;
    assert_problem(
        app.with_token(Method::DELETE, "/v1/me/deletion-request", &token).await,
        StatusCode::NOT_FOUND,
        "no_deletion_request",
    )
    .await;
    let queue: Value = app.ops(Method::GET, "/ops/v1/deletion-requests", None).await.json().await.unwrap();
    assert!(!queue["items"].as_array().unwrap().iter().any(|i| i["request_id"] == created["request_id"]));
    assert_eq!(request_deletion(&app, &token, PASSWORD).await.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn the_password_is_required() {
    let app = spawn_app().await;
    let customer = app.activated_customer("wrongpass").await;
    let token = app.token_for(&customer).await;
    assert_problem(request_deletion(&app, &token, "Wrong#Pass1").await, StatusCode::FORBIDDEN, "invalid_credentials")
        .await;
    assert_problem(
        app.with_token(Method::GET, "/v1/me/deletion-request", &token).await,
        StatusCode::NOT_FOUND,
        "no_deletion_request",
    )
    .await;
}

#[tokio::test]
async fn a_rejection_keeps_everything() {
    let app = spawn_app().await;
    let customer = app.activated_customer("keeper").await;
    let token = app.token_for(&customer).await;
    let created: Value = request_deletion(&app, &token, PASSWORD).await.json().await.unwrap();
    let request_id = created["request_id"].as_str().unwrap();
    assert_eq!(decide(&app, request_id, "reject").await.status(), StatusCode::OK);
    assert_problem(decide(&app, request_id, "approve").await, StatusCode::CONFLICT, "deletion_not_pending").await;
    assert_eq!(app.with_token(Method::GET, "/v1/me", &token).await.status(), StatusCode::OK);
    let current: Value = app.with_token(Method::GET, "/v1/me/deletion-request", &token).await.json().await.unwrap();
    assert_eq!(current["status"], "rejected");
    assert!(app.last_email(&customer.email).await["subject"].as_str().unwrap().contains("not approved"));
    let overview: Value =
        app.ops(Method::GET, &format!("/ops/v1/accounts/{}", app.user("keeper")), None).await.json().await.unwrap();
    assert_eq!(overview["deletion"]["status"], "rejected");
}

async fn sub_account(app: &TestApp, parent_token: &str, username: &str) -> Customer {
    let email = app.email(username);
    let response = app
        .client
        .post(format!("{}/v1/me/sub-accounts", app.base))
        .bearer_auth(parent_token)
        .json(&json!({"username": username, "email": email}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let token = app.last_link_token(&email).await;
    assert_eq!(
        app.post("/v1/password/set", &json!({"token": token, "password": PASSWORD})).await.status(),
        StatusCode::NO_CONTENT
    );
    Customer { username: username.to_owned(), email, phone: String::new(), password: PASSWORD.to_owned() }
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn approval_erases_the_account_its_sub_accounts_and_frees_its_values() {
    let app = spawn_app().await;
    let customer = app.activated_customer("goner").await;
    let token = app.token_for(&customer).await;
    let child = sub_account(&app, &token, "gonerchild").await;
    let child_token = app.token_for(&child).await;
    let material = app.upload_material(&token, "application/pdf", b"%PDF-1.4 test document").await;
    let body = json!({"type": "individual", "real_name": "李雷", "id_type": "passport", "id_number": "E12345678", "material_ids": [material]});
    let submitted = app
        .client
        .post(format!("{}/v1/me/verification", app.base))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(submitted.status(), StatusCode::ACCEPTED);
    let id = app.account_id(&token).await;
    let store = app.dev().app().store.clone();
    let material_item = store
        .get(&shared::store::Key { pk: keys::account_partition(&id), sk: format!("MATERIAL#{material}") })
        .await
        .unwrap()
        .unwrap();
    let object_key = material_item.data["object_key"].as_str().unwrap().to_owned();
    assert!(app.dev().app().documents.inspect(&object_key).await.unwrap().is_some());

    let created: Value = request_deletion(&app, &token, PASSWORD).await.json().await.unwrap();
    let response = decide(&app, created["request_id"].as_str().unwrap(), "approve").await;
    assert_eq!(response.status(), StatusCode::OK);

    // Sessions end at once and nobody can sign in, the sub-account neither.
    for session in [&token, &child_token] {
        assert_problem(
            app.with_token(Method::GET, "/v1/me", session).await,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
        )
        .await;
    }
    assert_eq!(app.sign_in(&customer.username, PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.sign_in(&child.username, PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    assert_problem(
        app.ops(Method::GET, &format!("/ops/v1/accounts/{}", app.user("goner")), None).await,
        StatusCode::NOT_FOUND,
        "account_not_found",
    )
    .await;
    assert!(app.last_email(&customer.email).await["subject"].as_str().unwrap().contains("deleted"));

    // Personal data is gone from the table and the bucket.
    assert!(store.query(&keys::account_partition(&id), "").await.unwrap().is_empty());
    for guard in [
        keys::username_guard(app.user("goner")),
        keys::email_guard(&customer.email.to_lowercase()),
        keys::phone_guard(&customer.phone),
    ] {
        assert!(store.get(&guard).await.unwrap().is_none());
    }
    assert!(app.dev().app().documents.inspect(&object_key).await.unwrap().is_none());
    // The erase finished: nothing is left for the queue watch to alarm on.
    assert!(app.dev().app().records().erasures_under_way().await.unwrap().is_empty());
    let pending: Value = app.ops(Method::GET, "/ops/v1/verifications", None).await.json().await.unwrap();
    assert!(!pending.to_string().contains(app.user("goner")));
    let approved: Value =
        app.ops(Method::GET, "/ops/v1/deletion-requests?status=approved", None).await.json().await.unwrap();
    assert!(!approved.to_string().contains(app.user("goner")));

    // What remains is an audit trail without personal data.
    let audit: Value =
        app.ops(Method::GET, &format!("/ops/v1/audit?account_id={id}"), None).await.json().await.unwrap();
    let events: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|i| i["event"].as_str().unwrap()).collect();
    assert!(events.contains(&"deletion_approved") && events.contains(&"account_deleted"), "{events:?}");
    let text = audit.to_string();
    for personal in [customer.email.as_str(), customer.phone.as_str(), app.user("goner"), "E12345678", "李雷"] {
        assert!(!text.contains(personal), "the trail holds {personal}");
    }

    // The username, email and phone can be registered again.
    app.advance_clock(60).await;
    let code = app.sign_up_code(&customer.phone).await;
    let again = json!({"username": app.user("goner"), "email": customer.email, "phone": customer.phone, "sms_code": code, "accept_terms": true});
    assert_eq!(app.post("/v1/accounts", &again).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn appeals_naming_an_account_are_erased_with_it() {
    let app = spawn_app().await;
    let customer = app.activated_customer("appealgone").await;
    let contact = app.email("appealgonecontact");
    let body = json!({"login": customer.username, "contact_email": contact, "description": "Lost both; my ID is E12345678.",
        "real_name": "李雷", "id_number": "E12345678"});
    assert_eq!(app.post("/v1/appeals", &body).await.status(), StatusCode::ACCEPTED);
    let confirm = json!({"token": app.last_link_token(&contact).await});
    let confirmed: Value = app.post("/v1/appeals/confirm", &confirm).await.json().await.unwrap();
    let appeal_id = confirmed["appeal_id"].as_str().and_then(shared::domain::AppealId::parse).unwrap();
    // Filed but never confirmed: it names the account too.
    let unconfirmed = json!({"login": customer.email, "contact_email": app.email("unconfirmed"), "description": "x"});
    assert_eq!(app.post("/v1/appeals", &unconfirmed).await.status(), StatusCode::ACCEPTED);

    let token = app.token_for(&customer).await;
    // The sign-in cancelled the appeal; it stays on file until erasure.
    let path = format!("/ops/v1/appeals/{appeal_id}");
    assert_eq!(app.ops(Method::GET, &path, None).await.status(), StatusCode::OK);
    let id = app.account_id(&token).await;
    let created: Value = request_deletion(&app, &token, PASSWORD).await.json().await.unwrap();
    assert_eq!(decide(&app, created["request_id"].as_str().unwrap(), "approve").await.status(), StatusCode::OK);

    assert_problem(app.ops(Method::GET, &path, None).await, StatusCode::NOT_FOUND, "appeal_not_found").await;
    for status in ["pending_review", "approved", "done", "rejected", "cancelled", "failed"] {
        let queue: Value =
            app.ops(Method::GET, &format!("/ops/v1/appeals?status={status}"), None).await.json().await.unwrap();
        assert!(!queue.to_string().contains(appeal_id.as_str()), "{status}: {queue}");
    }
    if accounts_tests::stack().is_none() {
        let store = app.dev().app().store.clone();
        assert!(store.get(&keys::appeal(&appeal_id)).await.unwrap().is_none());
        assert!(store.query(&keys::account_partition(&id), "").await.unwrap().is_empty());
    }
}
