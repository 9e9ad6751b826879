//! Recovery when phone and email are both lost: `POST /v1/appeals`,
//! `POST /v1/appeals/confirm`, `GET /ops/v1/appeals` and
//! `POST /ops/v1/appeals/{appeal_id}/decision`.

use accounts_tests::{Customer, PASSWORD, TestApp, assert_problem, field_errors, spawn_app, token_in};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::verification::{individual, submit};

const RESIDENT_ID: &str = "11010519491231002X";

async fn file(app: &TestApp, login: &str, contact: &str, identity: Value) -> reqwest::Response {
    let mut body = json!({"login": login, "contact_email": contact, "description": "Lost my phone and my mailbox."});
    if let (Some(body), Some(identity)) = (body.as_object_mut(), identity.as_object()) {
        body.extend(identity.clone());
    }
    app.post("/v1/appeals", &body).await
}

/// Files and confirms an appeal; its id.
async fn filed_and_confirmed(app: &TestApp, login: &str, contact: &str, identity: Value) -> String {
    let response = file(app, login, contact, identity).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let token = token_in(app.last_email(contact).await["text"].as_str().unwrap());
    let confirmed = app.post("/v1/appeals/confirm", &json!({"token": token})).await;
    assert_eq!(confirmed.status(), StatusCode::ACCEPTED);
    confirmed.json::<Value>().await.unwrap()["appeal_id"].as_str().unwrap().to_owned()
}

async fn pending(app: &TestApp) -> Vec<Value> {
    let queue: Value =
        app.ops(Method::GET, "/ops/v1/appeals?status=pending_review&limit=200", None).await.json().await.unwrap();
    queue["items"].as_array().unwrap().clone()
}

async fn decide(app: &TestApp, appeal_id: &str, decision: &str) -> reqwest::Response {
    app.ops(Method::POST, &format!("/ops/v1/appeals/{appeal_id}/decision"), Some(&json!({"decision": decision}))).await
}

/// An active customer whose real-name verification (李雷) an operator approved.
async fn verified_customer(app: &TestApp, base: &str) -> (Customer, String) {
    let customer = app.activated_customer(base).await;
    let token = app.token_for(&customer).await;
    let jpeg = [&[0xFF, 0xD8, 0xFF, 0xE0][..], &[0u8; 2048]].concat();
    let material = app.upload_material(&token, "image/jpeg", &jpeg).await;
    assert_eq!(submit(app, &token, &individual(&[material])).await.status(), StatusCode::ACCEPTED);
    let me: Value = app.with_token(Method::GET, "/v1/me", &token).await.json().await.unwrap();
    let account_id = me["account_id"].as_str().unwrap().to_owned();
    let approve = json!({"decision": "approve"});
    let decided = app.ops(Method::POST, &format!("/ops/v1/verifications/{account_id}/decision"), Some(&approve)).await;
    assert_eq!(decided.status(), StatusCode::OK);
    (customer, token)
}

#[tokio::test]
async fn an_appeal_for_an_unknown_login_is_answered_alike_and_reaches_no_operator() {
    let app = spawn_app().await;
    let customer = app.activated_customer("appealer").await;
    let (real_contact, fake_contact) = (app.email("realcontact"), app.email("fakecontact"));
    let real = file(&app, &customer.username, &real_contact, json!({})).await;
    let fake = file(&app, "nosuchlogin", &fake_contact, json!({})).await;
    assert_eq!((real.status(), real.text().await.unwrap()), (StatusCode::ACCEPTED, "{}".to_owned()));
    assert_eq!((fake.status(), fake.text().await.unwrap()), (StatusCode::ACCEPTED, "{}".to_owned()));
    // Both contacts get a link, and both confirmations answer alike.
    let mut answers = Vec::new();
    for contact in [&real_contact, &fake_contact] {
        let token = token_in(app.last_email(contact).await["text"].as_str().unwrap());
        let response = app.post("/v1/appeals/confirm", &json!({"token": token})).await;
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert!(body["appeal_id"].as_str().is_some_and(|id| id.len() == 32), "{body}");
        answers.push((status, body.as_object().unwrap().keys().cloned().collect::<Vec<_>>()));
    }
    assert_eq!(answers[0], answers[1]);
    let queued = pending(&app).await;
    assert!(queued.iter().any(|e| e["username"] == customer.username.as_str()));
    assert!(!queued.iter().any(|e| e["username"] == "nosuchlogin"));
    // Nothing in the queue says who filed it or how to reach them.
    assert!(!serde_json::to_string(&queued).unwrap().contains('@'));

    let bad = app
        .post(
            "/v1/appeals/confirm",
            &json!({"token": "0123456789abcdef0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}),
        )
        .await;
    assert_problem(bad, StatusCode::NOT_FOUND, "invalid_link").await;
    let invalid = app.post("/v1/appeals", &json!({"login": "x", "contact_email": "nope"})).await;
    let problem = assert_problem(invalid, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let mut fields = field_errors(&problem);
    fields.sort();
    assert_eq!(
        fields,
        vec![("contact_email".into(), "email_format".into()), ("description".into(), "required".into())]
    );
}

#[tokio::test]
async fn the_queue_tells_whether_the_identity_matches_the_approved_verification() {
    let app = spawn_app().await;
    let (verified, _) = verified_customer(&app, "verifiedowner").await;
    let unverified = app.activated_customer("unverifiedowner").await;
    let same = json!({"real_name": "李雷", "id_number": RESIDENT_ID.to_lowercase()});
    let other = json!({"real_name": "韩梅梅", "id_number": "11010519491231002X"});
    let matching = filed_and_confirmed(&app, &verified.username, &app.email("match"), same.clone()).await;
    let mismatching = filed_and_confirmed(&app, &verified.username, &app.email("mismatch"), other).await;
    let unverifiable = filed_and_confirmed(&app, &unverified.username, &app.email("none"), same).await;
    let queue = pending(&app).await;
    let verdict = |id: &str| queue.iter().find(|e| e["appeal_id"] == id).unwrap()["identity_match"].clone();
    assert_eq!(verdict(&matching), "match");
    assert_eq!(verdict(&mismatching), "mismatch");
    assert_eq!(verdict(&unverifiable), "no_verification");
}

#[tokio::test]
async fn an_approved_appeal_moves_the_email_ends_sessions_and_tells_the_old_contacts() {
    let app = spawn_app().await;
    let customer = app.activated_customer("recovered").await;
    let token = app.token_for(&customer).await;
    let contact = app.email("recoveredcontact");
    let appeal_id = filed_and_confirmed(&app, &customer.username, &contact, json!({})).await;

    let decided = decide(&app, &appeal_id, "approve").await;
    assert_eq!(decided.status(), StatusCode::OK);
    assert_eq!(decided.json::<Value>().await.unwrap()["status"], "approved");
    assert_eq!(app.with_token(Method::GET, "/v1/me", &token).await.status(), StatusCode::UNAUTHORIZED);
    // The old address is told; the phone too.
    assert!(app.last_email(&customer.email).await["text"].as_str().unwrap().contains(&contact));
    let outbox = app.outbox().await;
    assert!(outbox.iter().any(|m| m["channel"] == "sms"
        && m["to"] == customer.phone.as_str()
        && m["text"].as_str().unwrap().contains("appeal")));
    // A reset link went to the new address; it sets a new password.
    let reset = app.last_link_token(&contact).await;
    let new_password = "Rec0vered#Pass";
    let set = app.post("/v1/password/set", &json!({"token": reset, "password": new_password})).await;
    assert_eq!(set.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.sign_in(&contact, new_password).await.status(), StatusCode::CREATED);
    assert_eq!(app.sign_in(&customer.email, new_password).await.status(), StatusCode::UNAUTHORIZED);
    // Decided once.
    assert_problem(decide(&app, &appeal_id, "approve").await, StatusCode::CONFLICT, "appeal_not_pending").await;
    assert!(!pending(&app).await.iter().any(|e| e["appeal_id"] == appeal_id.as_str()));
}

#[tokio::test]
async fn an_appeal_to_an_address_taken_meanwhile_changes_nothing_and_a_rejection_tells_the_contact() {
    let app = spawn_app().await;
    let customer = app.activated_customer("contested").await;
    let contact = app.email("contestedcontact");
    let appeal_id = filed_and_confirmed(&app, &customer.username, &contact, json!({})).await;
    // Another account takes the contact address before the decision.
    let other = app.activated_customer("addressthief").await;
    let other_token = app.token_for(&other).await;
    let body = json!({"password": PASSWORD, "new_email": contact});
    assert_eq!(
        app.json_with_token(Method::POST, "/v1/me/email", &other_token, &body).await.status(),
        StatusCode::ACCEPTED
    );
    let link = app.last_link_token(&contact).await;
    let confirm =
        app.json_with_token(Method::POST, "/v1/me/email/confirm", &other_token, &json!({"token": link})).await;
    assert_eq!(confirm.status(), StatusCode::NO_CONTENT);

    let taken = decide(&app, &appeal_id, "approve").await;
    let problem = assert_problem(taken, StatusCode::CONFLICT, "conflict").await;
    assert_eq!(field_errors(&problem), vec![("contact_email".to_owned(), "email_taken".to_owned())]);
    assert_eq!(app.sign_in(&customer.email, PASSWORD).await.status(), StatusCode::CREATED, "nothing changed");

    let rejected = decide(&app, &appeal_id, "reject").await;
    assert_eq!(rejected.status(), StatusCode::OK);
    let told = app.last_email(&contact).await;
    assert!(told["subject"].as_str().unwrap().contains("appeal"), "{told}");
    assert!(!told["text"].as_str().unwrap().contains(&customer.username), "the contact learns nothing of the account");
    assert_problem(decide(&app, "f".repeat(32).as_str(), "approve").await, StatusCode::NOT_FOUND, "appeal_not_found")
        .await;
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "the stack raises per-IP limits (every caller is 127.0.0.1)")]
async fn one_client_files_at_most_five_appeals_an_hour() {
    let app = spawn_app().await;
    for n in 0..5 {
        let response = file(&app, "someone", &app.email(&format!("flood{n}")), json!({})).await;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
    }
    let sixth = file(&app, "someone", &app.email("flood5"), json!({})).await;
    assert_problem(sixth, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}
