//! Recovery when phone and email are both lost: `POST /v1/appeals`,
//! `POST /v1/appeals/confirm`, `POST /v1/appeals/cancel`, the operators'
//! `GET /ops/v1/appeals`, `GET /ops/v1/appeals/{appeal_id}` and decision,
//! and the hold that the scheduled work ends. Slow and loud: the owner is
//! told at once and again, can cancel until it takes effect, and any
//! sign-in of the account cancels it.

use accounts_tests::authenticator::Tamper;
use accounts_tests::{
    Customer, PASSWORD, TestApp, appeal_hold_lock, assert_problem, field_errors, spawn_app, spawn_app_with, stack,
    token_in,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::passkeys::{add_passkey, passkeys_of, sign_in_with};
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

async fn queue(app: &TestApp, status: &str) -> Vec<Value> {
    let path = format!("/ops/v1/appeals?status={status}&limit=200");
    let queue: Value = app.ops(Method::GET, &path, None).await.json().await.unwrap();
    queue["items"].as_array().unwrap().clone()
}

async fn in_queue(app: &TestApp, status: &str, appeal_id: &str) -> bool {
    queue(app, status).await.iter().any(|e| e["appeal_id"] == appeal_id)
}

async fn decide(app: &TestApp, appeal_id: &str, decision: &str) -> reqwest::Response {
    let body = json!({"decision": decision, "note": "checked the ticket"});
    app.ops(Method::POST, &format!("/ops/v1/appeals/{appeal_id}/decision"), Some(&body)).await
}

async fn cancel(app: &TestApp, link_token: &str) -> reqwest::Response {
    app.post("/v1/appeals/cancel", &json!({"token": link_token})).await
}

/// The cancel link of the newest notice to the account's email.
async fn cancel_token(app: &TestApp, customer: &Customer) -> String {
    let notice = app.last_email(&customer.email).await;
    let text = notice["text"].as_str().unwrap();
    assert!(text.contains("/cancel-appeal?token="), "{text}");
    token_in(text)
}

/// An active customer whose real-name verification (李雷) an operator approved.
async fn verified_customer(app: &TestApp, base: &str) -> (Customer, String) {
    let customer = app.activated_customer(base).await;
    let token = app.token_for(&customer).await;
    let jpeg = [&[0xFF, 0xD8, 0xFF, 0xE0][..], &[0u8; 2048]].concat();
    let material = app.upload_material(&token, "image/jpeg", &jpeg).await;
    // Submitted with the re-check of the person: only such a submission
    // counts for an appeal.
    let mut submission = individual(&[material]);
    submission["password"] = json!(PASSWORD);
    assert_eq!(submit(app, &token, &submission).await.status(), StatusCode::ACCEPTED);
    let account_id = app.account_id(&token).await;
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
    let queued = queue(&app, "pending_review").await;
    let row = queued.iter().find(|e| e["username"] == customer.username.as_str()).expect("queued");
    assert!(!queued.iter().any(|e| e["username"] == "nosuchlogin"));
    // The list shows the contact email masked only.
    let masked = row["contact_email"].as_str().unwrap();
    assert!(masked.contains("***@") && !masked.contains("realcontact"), "{masked}");

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
async fn the_owner_is_told_at_once_by_email_and_sms_without_the_contact_email() {
    let app = spawn_app().await;
    let customer = app.activated_customer("toldatonce").await;
    let contact = app.email("intruder");
    filed_and_confirmed(&app, &customer.username, &contact, json!({})).await;
    let notice = app.last_email(&customer.email).await;
    let text = notice["text"].as_str().unwrap();
    assert!(text.contains("/cancel-appeal?token="), "{text}");
    assert!(!text.contains("intruder") && !notice["html"].as_str().unwrap().contains("intruder"));
    let outbox = app.outbox().await;
    let sms = outbox
        .iter()
        .rev()
        .find(|m| m["channel"] == "sms" && m["to"] == customer.phone.as_str())
        .expect("an SMS to the account's phone");
    let sms = sms["text"].as_str().unwrap();
    assert!(sms.contains("/cancel-appeal?token=") && !sms.contains("intruder"), "{sms}");
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
    let queue = queue(&app, "pending_review").await;
    let verdict = |id: &str| queue.iter().find(|e| e["appeal_id"] == id).unwrap()["identity_match"].clone();
    assert_eq!(verdict(&matching), "match");
    assert_eq!(verdict(&mismatching), "mismatch");
    assert_eq!(verdict(&unverifiable), "no_verification");
}

#[tokio::test]
async fn operators_open_the_whole_appeal_and_the_read_is_audited() {
    let app = spawn_app().await;
    let (customer, token) = verified_customer(&app, "wholeview").await;
    app.enable_mfa(&token).await;
    let contact = app.email("wholecontact");
    let first = filed_and_confirmed(&app, &customer.username, &contact, json!({})).await;
    let identity = json!({"real_name": "李雷", "id_number": RESIDENT_ID});
    let second = filed_and_confirmed(&app, &customer.username, &contact, identity).await;

    let response = app.ops(Method::GET, &format!("/ops/v1/appeals/{second}"), None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let view: Value = response.json().await.unwrap();
    assert_eq!(view["appeal_id"], second.as_str());
    assert_eq!(view["status"], "pending_review");
    assert_eq!(view["contact_email"], contact.as_str());
    assert_eq!(view["description"], "Lost my phone and my mailbox.");
    assert_eq!((view["real_name"].as_str(), view["id_number"].as_str()), (Some("李雷"), Some(RESIDENT_ID)));
    assert_eq!(view["identity_match"], "match");
    assert!(view["submitted_at"].as_str().unwrap().ends_with('Z'));
    let account = &view["account"];
    assert_eq!(account["username"], customer.username.as_str());
    assert_eq!(account["mfa"], true);
    assert_eq!(account["previous_appeals"], 1, "{first} came before");
    let email = account["email"].as_str().unwrap();
    assert!(email.contains("***@") && *email != customer.email, "{email}");
    let phone = account["phone"].as_str().unwrap();
    assert!(phone.contains("****") && !phone.contains(&customer.phone[6..]), "{phone}");
    assert!(account["last_sign_in_at"].as_str().is_some_and(|at| at.ends_with('Z')));
    assert!(account["created_at"].as_str().is_some());

    let events = app.audit_events(&app.account_id(&token).await).await;
    assert!(events.contains(&"appeal_viewed".to_owned()), "{events:?}");
    let unknown = app.ops(Method::GET, &format!("/ops/v1/appeals/{}", "e".repeat(32)), None).await;
    assert_problem(unknown, StatusCode::NOT_FOUND, "appeal_not_found").await;
    let malformed = app.ops(Method::GET, "/ops/v1/appeals/not-an-id", None).await;
    assert_problem(malformed, StatusCode::NOT_FOUND, "appeal_not_found").await;
}

#[tokio::test]
async fn approval_starts_a_hold_and_tells_the_owner_again_and_changes_nothing_yet() {
    let app = spawn_app().await;
    let _hold = appeal_hold_lock().await;
    let customer = app.activated_customer("onhold").await;
    let token = app.token_for(&customer).await;
    let appeal_id = filed_and_confirmed(&app, &customer.username, &app.email("holdcontact"), json!({})).await;
    let before = app.server_now();
    let decided = decide(&app, &appeal_id, "approve").await;
    assert_eq!(decided.status(), StatusCode::OK);
    let body: Value = decided.json().await.unwrap();
    assert_eq!(body["status"], "approved");
    let effective_at = body["effective_at"].as_str().unwrap();
    let hold = app.appeal_hold_secs();
    let window = (before + hold..=app.server_now() + hold).map(shared::clock::rfc3339).collect::<Vec<_>>();
    assert!(window.iter().any(|at| at == effective_at), "{effective_at} not in {window:?}");
    assert_problem(decide(&app, &appeal_id, "approve").await, StatusCode::CONFLICT, "appeal_not_pending").await;
    assert!(in_queue(&app, "approved", &appeal_id).await);
    // Nothing changed yet; the owner is told again, with a new cancel link.
    assert_eq!(app.with_token(Method::GET, "/v1/me", &token).await.status(), StatusCode::OK);
    let notice = app.last_email(&customer.email).await;
    assert!(notice["text"].as_str().unwrap().contains(effective_at), "{notice}");
    cancel_token(&app, &customer).await;
}

#[tokio::test]
async fn after_the_hold_the_appeal_takes_effect_turns_mfa_off_and_tells_the_old_contacts() {
    let app = spawn_app().await;
    let _hold = appeal_hold_lock().await;
    let customer = app.activated_customer("recovered").await;
    let token = app.token_for(&customer).await;
    let (_, recovery) = app.enable_mfa(&token).await;
    let contact = app.email("recoveredcontact");
    let appeal_id = filed_and_confirmed(&app, &customer.username, &contact, json!({})).await;
    assert_eq!(decide(&app, &appeal_id, "approve").await.status(), StatusCode::OK);

    assert_eq!(app.with_token(Method::GET, "/v1/me", &token).await.status(), StatusCode::OK, "nothing yet");
    if stack().is_none() {
        app.advance_clock(app.appeal_hold_secs() - 60).await;
        assert!(in_queue(&app, "approved", &appeal_id).await, "still on hold");
    }
    app.pass_appeal_hold().await;
    assert!(in_queue(&app, "done", &appeal_id).await);
    assert_eq!(app.with_token(Method::GET, "/v1/me", &token).await.status(), StatusCode::UNAUTHORIZED);
    // The old address is told; the phone too.
    assert!(app.last_email(&customer.email).await["text"].as_str().unwrap().contains(&contact));
    let outbox = app.outbox().await;
    assert!(outbox.iter().any(|m| m["channel"] == "sms"
        && m["to"] == customer.phone.as_str()
        && m["text"].as_str().unwrap().contains("appeal")));
    // A reset link went to the new address; it sets a new password, and
    // sign-in takes one step: two-factor sign-in is off, its codes void.
    let reset = app.last_link_token(&contact).await;
    let new_password = "Rec0vered#Pass";
    let set = app.post("/v1/password/set", &json!({"token": reset, "password": new_password})).await;
    assert_eq!(set.status(), StatusCode::NO_CONTENT);
    let signed_in = app.sign_in(&contact, new_password).await;
    assert_eq!(signed_in.status(), StatusCode::CREATED, "no second step");
    let me: Value = signed_in.json().await.unwrap();
    assert_eq!(me["account"]["mfa"], json!({"totp": false, "recovery_codes_left": 0}));
    assert_eq!(app.sign_in(&customer.email, new_password).await.status(), StatusCode::UNAUTHORIZED);
    assert!(!recovery.is_empty());
    let events = app.audit_events(me["account"]["account_id"].as_str().unwrap()).await;
    assert!(events.contains(&"appeal_done".to_owned()), "{events:?}");
}

#[tokio::test]
async fn the_owners_cancel_link_wins_until_the_appeal_ends() {
    let app = spawn_app().await;
    let _hold = appeal_hold_lock().await;
    let customer = app.activated_customer("cancelsit").await;
    let appeal_id = filed_and_confirmed(&app, &customer.username, &app.email("cancelled"), json!({})).await;
    let at_confirm = cancel_token(&app, &customer).await;
    assert_eq!(decide(&app, &appeal_id, "approve").await.status(), StatusCode::OK);
    let at_approval = cancel_token(&app, &customer).await;
    assert_ne!(at_confirm, at_approval);
    // The first notice's link still works, during the hold.
    assert_eq!(cancel(&app, &at_confirm).await.status(), StatusCode::NO_CONTENT);
    assert!(in_queue(&app, "cancelled", &appeal_id).await);
    assert!(!in_queue(&app, "approved", &appeal_id).await);
    assert_problem(cancel(&app, &at_approval).await, StatusCode::CONFLICT, "appeal_ended").await;
    let unknown = cancel(&app, "0123456789abcdef0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").await;
    assert_problem(unknown, StatusCode::NOT_FOUND, "invalid_link").await;
    let token = app.token_for(&customer).await;
    let events = app.audit_events(&app.account_id(&token).await).await;
    assert!(events.contains(&"appeal_cancelled".to_owned()), "{events:?}");
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn a_cancel_link_lasts_seven_days_and_none_cancels_an_appeal_that_took_effect() {
    let app = spawn_app().await;
    let customer = app.activated_customer("sevendays").await;
    let appeal_id = filed_and_confirmed(&app, &customer.username, &app.email("late"), json!({})).await;
    let at_confirm = cancel_token(&app, &customer).await;
    app.advance_clock(7 * 86_400).await;
    assert_problem(cancel(&app, &at_confirm).await, StatusCode::GONE, "link_expired").await;
    assert_eq!(decide(&app, &appeal_id, "approve").await.status(), StatusCode::OK);
    let at_approval = cancel_token(&app, &customer).await;
    app.pass_appeal_hold().await;
    assert!(in_queue(&app, "done", &appeal_id).await);
    assert_problem(cancel(&app, &at_approval).await, StatusCode::CONFLICT, "appeal_ended").await;
}

#[tokio::test]
async fn a_sign_in_of_the_account_cancels_its_open_appeals() {
    let app = spawn_app().await;
    let _hold = appeal_hold_lock().await;
    let customer = app.activated_customer("stillhere").await;
    let pending = filed_and_confirmed(&app, &customer.username, &app.email("pendingone"), json!({})).await;
    let approved = filed_and_confirmed(&app, &customer.username, &app.email("approvedone"), json!({})).await;
    assert_eq!(decide(&app, &approved, "approve").await.status(), StatusCode::OK);
    let signed_in = app.sign_in(&customer.username, PASSWORD).await;
    assert_eq!(signed_in.status(), StatusCode::CREATED, "the sign-in's answer is unchanged");
    let session: Value = signed_in.json().await.unwrap();
    for appeal_id in [&pending, &approved] {
        assert!(in_queue(&app, "cancelled", appeal_id).await, "{appeal_id}");
    }
    assert!(!in_queue(&app, "approved", &approved).await);
    let events = app.audit_events(session["account"]["account_id"].as_str().unwrap()).await;
    assert_eq!(events.iter().filter(|e| *e == "appeal_cancelled").count(), 2, "{events:?}");
    assert_problem(decide(&app, &pending, "approve").await, StatusCode::CONFLICT, "appeal_not_pending").await;
}

#[tokio::test]
async fn a_second_factor_sign_in_cancels_open_appeals_too() {
    let app = spawn_app().await;
    let customer = app.activated_customer("twostepper").await;
    let token = app.token_for(&customer).await;
    let (_, recovery) = app.enable_mfa(&token).await;
    let appeal_id = filed_and_confirmed(&app, &customer.username, &app.email("twostep"), json!({})).await;
    let first: Value = app.sign_in(&customer.username, PASSWORD).await.json().await.unwrap();
    assert!(in_queue(&app, "pending_review", &appeal_id).await, "the password alone cancels nothing");
    let second = app.post("/v1/sessions/mfa", &json!({"mfa_token": first["mfa_token"], "code": recovery[0]})).await;
    assert_eq!(second.status(), StatusCode::CREATED);
    assert!(in_queue(&app, "cancelled", &appeal_id).await);
}

#[tokio::test]
async fn a_rejection_tells_the_contact_and_ends_the_appeal() {
    let app = spawn_app().await;
    let customer = app.activated_customer("rejected").await;
    let contact = app.email("rejectedcontact");
    let appeal_id = filed_and_confirmed(&app, &customer.username, &contact, json!({})).await;
    let rejected = decide(&app, &appeal_id, "reject").await;
    assert_eq!(rejected.status(), StatusCode::OK);
    let body: Value = rejected.json().await.unwrap();
    assert_eq!(body["status"], "rejected");
    assert!(body.get("effective_at").is_none());
    let told = app.last_email(&contact).await;
    assert!(told["subject"].as_str().unwrap().contains("appeal"), "{told}");
    assert!(!told["text"].as_str().unwrap().contains(&customer.username), "the contact learns nothing of the account");
    assert!(in_queue(&app, "rejected", &appeal_id).await);
    let link = cancel_token(&app, &customer).await;
    assert_problem(cancel(&app, &link).await, StatusCode::CONFLICT, "appeal_ended").await;
    assert_problem(decide(&app, "f".repeat(32).as_str(), "approve").await, StatusCode::NOT_FOUND, "appeal_not_found")
        .await;
    let bad_status = app.ops(Method::GET, "/ops/v1/appeals?status=unconfirmed", None).await;
    assert_problem(bad_status, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

#[tokio::test]
async fn an_appeal_whose_contact_email_was_taken_during_the_hold_fails_and_changes_nothing() {
    let app = spawn_app().await;
    let _hold = appeal_hold_lock().await;
    let customer = app.activated_customer("contested").await;
    let contact = app.email("contestedcontact");
    let appeal_id = filed_and_confirmed(&app, &customer.username, &contact, json!({})).await;
    assert_eq!(decide(&app, &appeal_id, "approve").await.status(), StatusCode::OK);
    // Another account takes the contact address during the hold.
    let other = app.activated_customer("addressthief").await;
    let other_token = app.token_for(&other).await;
    let body = json!({"password": PASSWORD, "new_email": contact});
    let asked = app.json_with_token(Method::POST, "/v1/me/email", &other_token, &body).await;
    assert_eq!(asked.status(), StatusCode::ACCEPTED);
    let link = app.last_link_token(&contact).await;
    let confirm =
        app.json_with_token(Method::POST, "/v1/me/email/confirm", &other_token, &json!({"token": link})).await;
    assert_eq!(confirm.status(), StatusCode::NO_CONTENT);

    app.pass_appeal_hold().await;
    assert!(in_queue(&app, "failed", &appeal_id).await);
    assert_eq!(app.sign_in(&customer.email, PASSWORD).await.status(), StatusCode::CREATED, "nothing changed");
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

/// An app that takes appeals as fast as a test files them: on the dev
/// server, no per-IP limit and no equalising delay (the stack deploys its
/// per-IP limits raised).
async fn app_for_many_appeals() -> TestApp {
    if stack().is_some() {
        return spawn_app().await;
    }
    spawn_app_with(&[("ACCOUNTS_LIMIT_APPEALS_PER_IP_HOUR", "1000"), ("ACCOUNTS_FORGOT_MIN_MILLIS", "0")]).await
}

/// Twenty-one confirmed appeals used to join the account's open appeals,
/// and the sign-in that cancels them all then wrote over DynamoDB's 100
/// actions a transaction: every sign-in of the owner was a 500, on
/// DynamoDB only. Now at most three are open; the rest answer alike and
/// are kept nowhere.
#[tokio::test]
async fn an_appeal_flood_neither_fills_the_queue_nor_stops_the_owner_signing_in() {
    let app = app_for_many_appeals().await;
    let customer = app.activated_customer("flooded").await;
    let mut confirmed = Vec::new();
    for n in 0..21 {
        confirmed
            .push(filed_and_confirmed(&app, &customer.username, &app.email(&format!("flood{n}")), json!({})).await);
    }
    let pending = queue(&app, "pending_review").await;
    let queued: Vec<&String> = confirmed.iter().filter(|id| pending.iter().any(|e| e["appeal_id"] == **id)).collect();
    assert_eq!(queued.len(), 3, "three open appeals at most");
    assert_eq!(queued, confirmed.iter().take(3).collect::<Vec<_>>(), "the first three");
    // The others reached no operator and told no one.
    for extra in &confirmed[3..] {
        let view = app.ops(Method::GET, &format!("/ops/v1/appeals/{extra}"), None).await;
        assert_problem(view, StatusCode::NOT_FOUND, "appeal_not_found").await;
    }
    let notices = app.outbox().await;
    let told = notices
        .iter()
        .filter(|m| m["to"] == customer.email.as_str() && m["text"].as_str().unwrap().contains("/cancel-appeal?token="))
        .count();
    assert_eq!(told, 3, "one notice per open appeal");
    // A second click on a discarded one answers as on any other.
    let token = token_in(app.last_email(&app.email("flood20")).await["text"].as_str().unwrap());
    let again = app.post("/v1/appeals/confirm", &json!({"token": token})).await;
    assert_eq!(again.status(), StatusCode::ACCEPTED);
    assert_eq!(again.json::<Value>().await.unwrap()["appeal_id"], confirmed[20].as_str());

    let signed_in = app.sign_in(&customer.username, PASSWORD).await;
    assert_eq!(signed_in.status(), StatusCode::CREATED, "the owner signs in as always");
    let cancelled = queue(&app, "cancelled").await;
    for id in &confirmed[..3] {
        assert!(cancelled.iter().any(|e| e["appeal_id"] == *id), "{id} cancelled by the sign-in");
        assert!(!in_queue(&app, "pending_review", id).await);
    }
    // Room again: a new appeal is open, and the next sign-in cancels it.
    let next = filed_and_confirmed(&app, &customer.username, &app.email("afterflood"), json!({})).await;
    assert!(in_queue(&app, "pending_review", &next).await);
    assert_eq!(app.sign_in(&customer.username, PASSWORD).await.status(), StatusCode::CREATED);
    assert!(in_queue(&app, "cancelled", &next).await);
}

/// An appeal turned MFA off but kept the password and the passkeys: whoever
/// held the password signed in right after with one factor. Now nothing of
/// the old ways in survives the appeal's effect.
#[tokio::test]
async fn after_an_appeal_takes_effect_neither_the_old_password_nor_a_passkey_signs_in() {
    let app = spawn_app().await;
    let _hold = appeal_hold_lock().await;
    let customer = app.activated_customer("oldways").await;
    let token = app.token_for(&customer).await;
    let (mut authenticator, _) = add_passkey(&app, &token, Some("old laptop")).await;
    assert_eq!(sign_in_with(&app, &mut authenticator, &Tamper::default()).await.status(), StatusCode::CREATED);
    let contact = app.email("oldwayscontact");
    let appeal_id = filed_and_confirmed(&app, &customer.username, &contact, json!({})).await;
    assert_eq!(decide(&app, &appeal_id, "approve").await.status(), StatusCode::OK);
    app.pass_appeal_hold().await;
    assert!(in_queue(&app, "done", &appeal_id).await);

    // The old password is refused exactly like a wrong one.
    let old = app.sign_in(&customer.username, PASSWORD).await;
    assert_problem(old, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let passkey = sign_in_with(&app, &mut authenticator, &Tamper::default()).await;
    assert_problem(passkey, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    // Only the reset link sent to the new address sets a password.
    let reset = app.last_link_token(&contact).await;
    let set = app.post("/v1/password/set", &json!({"token": reset, "password": "Rec0vered#Pass"})).await;
    assert_eq!(set.status(), StatusCode::NO_CONTENT);
    let new_token = app.token_for(&Customer { password: "Rec0vered#Pass".into(), ..customer }).await;
    assert!(passkeys_of(&app, &new_token).await.is_empty(), "every passkey removed");
}

/// A verification submitted with a session alone proves nothing about who
/// appeals: a stolen session could have submitted its holder's identity.
#[tokio::test]
async fn a_verification_submitted_with_a_session_alone_does_not_match_an_appeal() {
    let app = spawn_app().await;
    let customer = app.activated_customer("sessiononly").await;
    let token = app.token_for(&customer).await;
    let jpeg = [&[0xFF, 0xD8, 0xFF, 0xE0][..], &[0u8; 2048]].concat();
    let material = app.upload_material(&token, "image/jpeg", &jpeg).await;
    assert_eq!(submit(&app, &token, &individual(&[material])).await.status(), StatusCode::ACCEPTED);
    let account_id = app.account_id(&token).await;
    let approve = json!({"decision": "approve"});
    let decided = app.ops(Method::POST, &format!("/ops/v1/verifications/{account_id}/decision"), Some(&approve)).await;
    assert_eq!(decided.status(), StatusCode::OK);
    let same = json!({"real_name": "李雷", "id_number": RESIDENT_ID});
    let appeal_id = filed_and_confirmed(&app, &customer.username, &app.email("sameperson"), same).await;
    let view: Value = app.ops(Method::GET, &format!("/ops/v1/appeals/{appeal_id}"), None).await.json().await.unwrap();
    assert_eq!(view["identity_match"], "no_verification");
}
