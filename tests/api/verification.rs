//! Real-name verification and the operator API.

use accounts_tests::{TestApp, assert_problem, aws_backend, field_errors, spawn_app, stack};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The leading bytes of each accepted type, padded to a plausible file.
fn jpeg() -> Vec<u8> {
    [&[0xFF, 0xD8, 0xFF, 0xE0][..], &[0u8; 2048]].concat()
}
fn png() -> Vec<u8> {
    [&b"\x89PNG\r\n\x1a\n"[..], &[0u8; 512]].concat()
}
fn pdf() -> Vec<u8> {
    [&b"%PDF-1.7\n"[..], &[b' '; 300]].concat()
}

const RESIDENT_ID: &str = "11010519491231002X";

/// `POST /v1/me/verification` with `body`.
pub(crate) async fn submit(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.client.post(format!("{}/v1/me/verification", app.base)).bearer_auth(token).json(body).send().await.unwrap()
}

/// An individual's submission with a valid resident ID.
pub(crate) fn individual(material_ids: &[String]) -> Value {
    json!({"type": "individual", "real_name": "李雷", "id_type": "cn_resident_id", "id_number": RESIDENT_ID, "material_ids": material_ids})
}

async fn my_verification(app: &TestApp, token: &str) -> Value {
    app.with_token(Method::GET, "/v1/me/verification", token).await.json().await.unwrap()
}

#[tokio::test]
async fn a_customer_is_verified_by_an_operator() {
    let app = spawn_app().await;
    let customer = app.activated_customer("verifyme").await;
    let token = app.token_for(&customer).await;
    assert_eq!(my_verification(&app, &token).await, json!({"status": "unverified"}));
    let front = app.upload_material(&token, "image/jpeg", &jpeg()).await;
    let back = app.upload_material(&token, "application/pdf", &pdf()).await;
    let response = submit(&app, &token, &individual(&[front.clone(), back])).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_eq!(response.json::<Value>().await.unwrap(), json!({"status": "pending_review"}));
    let mine = my_verification(&app, &token).await;
    assert_eq!((mine["status"].as_str(), mine["type"].as_str()), (Some("pending_review"), Some("individual")));
    let me: Value = app.with_token(Method::GET, "/v1/me", &token).await.json().await.unwrap();
    assert_eq!(me["verification"]["status"], "pending_review");

    let queue: Value =
        app.ops(Method::GET, "/ops/v1/verifications?status=pending_review", None).await.json().await.unwrap();
    let entry = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["username"] == app.user("verifyme"))
        .expect("queued")
        .clone();
    assert!(!queue.to_string().contains(RESIDENT_ID), "lists never show the ID number");
    let account_id = entry["account_id"].as_str().unwrap();

    let overview: Value =
        app.ops(Method::GET, &format!("/ops/v1/accounts/{}", app.user("verifyme")), None).await.json().await.unwrap();
    assert_eq!(overview["verification"]["status"], "pending_review");
    assert_eq!(overview["verification"]["id_number"], "110***********002X");

    let review: Value =
        app.ops(Method::GET, &format!("/ops/v1/verifications/{account_id}"), None).await.json().await.unwrap();
    assert_eq!(review["id_number"], RESIDENT_ID);
    assert_eq!(review["real_name"], "李雷");
    let materials = review["materials"].as_array().unwrap();
    assert_eq!(materials.len(), 2);
    let first = materials.iter().find(|m| m["material_id"] == front.as_str()).unwrap();
    let downloaded = app.client.get(app.reachable(first["download_url"].as_str().unwrap())).send().await.unwrap();
    assert_eq!(downloaded.status(), StatusCode::OK);
    assert_eq!(downloaded.bytes().await.unwrap().to_vec(), jpeg());
    // Opening the full submission is a read of personal data: audited.
    let trail: Value =
        app.ops(Method::GET, &format!("/ops/v1/audit?account_id={account_id}"), None).await.json().await.unwrap();
    let viewed = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["event"] == "verification_viewed" && r["actor"]["kind"] == "operator");
    assert!(viewed, "{trail}");

    let decided = app
        .ops(
            Method::POST,
            &format!("/ops/v1/verifications/{account_id}/decision"),
            Some(&json!({"decision": "approve"})),
        )
        .await;
    assert_eq!(decided.status(), StatusCode::OK);
    let mine = my_verification(&app, &token).await;
    assert_eq!(mine["status"], "approved");
    assert!(mine["decided_at"].as_str().unwrap().ends_with('Z'));
    assert!(app.last_email(&customer.email).await["subject"].as_str().unwrap().contains("approved"));

    let audit: Value =
        app.ops(Method::GET, &format!("/ops/v1/audit?account_id={account_id}"), None).await.json().await.unwrap();
    let approval =
        audit["items"].as_array().unwrap().iter().find(|i| i["event"] == "verification_approved").expect("audited");
    assert_eq!(approval["actor"]["kind"], "operator");
    assert!(approval["actor"]["id"].as_str().unwrap().starts_with("arn:aws:iam::"));

    // Approved: no second submission, and the queue moved it.
    let again = app.upload_material(&token, "image/png", &png()).await;
    assert_problem(submit(&app, &token, &individual(&[again])).await, StatusCode::CONFLICT, "verification_approved")
        .await;
    let approved: Value =
        app.ops(Method::GET, "/ops/v1/verifications?status=approved", None).await.json().await.unwrap();
    assert!(approved["items"].as_array().unwrap().iter().any(|e| e["account_id"] == account_id));
}

#[tokio::test]
async fn a_rejection_needs_a_reason_reaches_the_customer_and_allows_a_new_submission() {
    let app = spawn_app().await;
    let customer = app.activated_customer("rejectme").await;
    let token = app.token_for(&customer).await;
    let material = app.upload_material(&token, "image/png", &png()).await;
    let body = json!({"type": "enterprise", "company_name": "Example GPU Ltd", "credit_code": "91350100M000100Y43",
        "legal_representative": "韩梅梅", "material_ids": [material]});
    assert_eq!(submit(&app, &token, &body).await.status(), StatusCode::ACCEPTED);
    assert_problem(submit(&app, &token, &body).await, StatusCode::CONFLICT, "verification_pending").await;

    let me: Value = app.sign_in(&customer.username, &customer.password).await.json().await.unwrap();
    let account_id = me["account"]["account_id"].as_str().unwrap().to_owned();
    let path = format!("/ops/v1/verifications/{account_id}/decision");
    let problem = assert_problem(
        app.ops(Method::POST, &path, Some(&json!({"decision": "reject"}))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&problem), [("reason".to_owned(), "reason_required".to_owned())]);
    let reason = "The licence photo is blurred.";
    assert_eq!(
        app.ops(Method::POST, &path, Some(&json!({"decision": "reject", "reason": reason}))).await.status(),
        StatusCode::OK
    );
    assert_problem(
        app.ops(Method::POST, &path, Some(&json!({"decision": "approve"}))).await,
        StatusCode::CONFLICT,
        "verification_not_pending",
    )
    .await;

    let mine = my_verification(&app, &token).await;
    assert_eq!((mine["status"].as_str(), mine["reason"].as_str()), (Some("rejected"), Some(reason)));
    let email = app.last_email(&customer.email).await;
    assert!(email["text"].as_str().unwrap().contains(reason));
    assert_eq!(submit(&app, &token, &body).await.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn submissions_list_every_bad_field() {
    let app = spawn_app().await;
    let customer = app.activated_customer("badfields").await;
    let token = app.token_for(&customer).await;
    let body = json!({"type": "individual", "real_name": "", "id_type": "cn_resident_id", "id_number": "110105194912310021", "material_ids": []});
    let problem =
        assert_problem(submit(&app, &token, &body).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(
        field_errors(&problem),
        [("real_name".to_owned(), "required".to_owned()), ("id_number".to_owned(), "id_number_checksum".to_owned())]
    );
    let body = json!({"type": "enterprise", "company_name": "X", "credit_code": "911100001000059683", "legal_representative": "Y", "material_ids": ["x"]});
    let problem =
        assert_problem(submit(&app, &token, &body).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&problem), [("credit_code".to_owned(), "credit_code_checksum".to_owned())]);
    let problem = assert_problem(
        submit(&app, &token, &json!({"type": "robot"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(
        field_errors(&problem),
        [("type".to_owned(), "type_invalid".to_owned()), ("material_ids".to_owned(), "required".to_owned())]
    );
    let problem = assert_problem(
        submit(&app, &token, &individual(&[])).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&problem), [("material_ids".to_owned(), "materials_count".to_owned())]);
    assert_eq!(my_verification(&app, &token).await["status"], "unverified", "nothing changed");
}

#[tokio::test]
async fn every_material_must_be_uploaded_owned_and_what_it_claims() {
    let app = spawn_app().await;
    let customer = app.activated_customer("materials").await;
    let token = app.token_for(&customer).await;
    let other = app.activated_customer("someoneelse").await;
    let other_token = app.token_for(&other).await;
    let theirs = app.upload_material(&other_token, "image/jpeg", &jpeg()).await;
    let good = app.upload_material(&token, "image/jpeg", &jpeg()).await;
    let renamed_executable =
        app.upload_material(&token, "image/png", &[&b"MZ\x90\x00"[..], &[0u8; 100]].concat()).await;
    let announced: Value = app
        .client
        .post(format!("{}/v1/me/verification/materials", app.base))
        .bearer_auth(&token)
        .json(&json!({"file_name": "never.pdf", "content_type": "application/pdf", "size": 1000}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let never_uploaded = announced["material_id"].as_str().unwrap().to_owned();
    let ids = [good, theirs, renamed_executable, never_uploaded, "nonsense".to_owned()];
    let problem = assert_problem(
        submit(&app, &token, &individual(&ids)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(
        field_errors(&problem),
        [
            ("material_ids[1]".to_owned(), "material_not_found".to_owned()),
            ("material_ids[2]".to_owned(), "material_type_mismatch".to_owned()),
            ("material_ids[3]".to_owned(), "material_not_uploaded".to_owned()),
            ("material_ids[4]".to_owned(), "material_not_found".to_owned()),
        ]
    );
}

#[tokio::test]
async fn announcements_are_limited_to_documents_of_at_most_ten_mib() {
    let app = spawn_app().await;
    let customer = app.activated_customer("announcer").await;
    let token = app.token_for(&customer).await;
    let announce = |body: Value| {
        app.client.post(format!("{}/v1/me/verification/materials", app.base)).bearer_auth(&token).json(&body).send()
    };
    let problem = assert_problem(
        announce(json!({"file_name": "a.gif", "content_type": "image/gif", "size": 10 * 1024 * 1024 + 1}))
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(
        field_errors(&problem),
        [
            ("content_type".to_owned(), "content_type_invalid".to_owned()),
            ("size".to_owned(), "size_invalid".to_owned())
        ]
    );
    let response = announce(json!({"file_name": "a.pdf", "content_type": "application/pdf", "size": 10 * 1024 * 1024}))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let material: Value = response.json().await.unwrap();
    assert!(material["expires_in"].as_u64().unwrap() > 0);
    if !aws_backend() {
        // The dev server's URL accepts only the announced type and size.
        let url = app.reachable(material["upload_url"].as_str().unwrap());
        let wrong_type =
            app.client.put(&url).header("content-type", "image/png").body(vec![0u8; 10]).send().await.unwrap();
        assert_eq!(wrong_type.status(), StatusCode::FORBIDDEN);
        let tampered = url.replace("size=10485760", "size=10485761");
        let bigger = app
            .client
            .put(tampered)
            .header("content-type", "application/pdf")
            .body(vec![0u8; 10])
            .send()
            .await
            .unwrap();
        assert_eq!(bigger.status(), StatusCode::FORBIDDEN);
    } else {
        // S3 holds a presigned PUT to the headers it signs: the URL must
        // sign the announced type and length (the emulator does not check
        // signatures, so this is what can be checked of it).
        let url = reqwest::Url::parse(material["upload_url"].as_str().unwrap()).unwrap();
        let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        let signed: Vec<&str> = query["X-Amz-SignedHeaders"].split(';').collect();
        assert!(signed.contains(&"content-type") && signed.contains(&"content-length"), "{signed:?}");
        assert_eq!(query["X-Amz-Expires"], "900");
        assert_eq!(url.path().rsplit('/').next(), material["material_id"].as_str());
    }
}

#[tokio::test]
async fn operator_routes_need_the_operator_and_never_a_customer_session() {
    let app = spawn_app().await;
    let customer = app.activated_customer("notanop").await;
    let token = app.token_for(&customer).await;
    for auth in [None, Some(token.as_str()), Some("wrong-token")] {
        let mut request = app.client.get(format!("{}/ops/v1/verifications", app.base));
        if let Some(auth) = auth {
            request = request.bearer_auth(auth);
        }
        let response = request.send().await.unwrap();
        if stack().is_some() {
            // Deployed, API Gateway's IAM authorizer refuses it first.
            assert_eq!(response.status(), StatusCode::FORBIDDEN);
        } else {
            assert_problem(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
        }
    }
    assert_eq!(app.ops(Method::GET, "/ops/v1/verifications", None).await.status(), StatusCode::OK);
    assert_problem(
        app.ops(Method::GET, "/ops/v1/accounts/nobodyhere", None).await,
        StatusCode::NOT_FOUND,
        "account_not_found",
    )
    .await;
    assert_problem(
        app.ops(Method::GET, "/ops/v1/verifications?status=lost", None).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_problem(
        app.ops(Method::GET, "/ops/v1/verifications?after=x", None).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let problem = assert_problem(
        app.ops(Method::GET, "/ops/v1/audit", None).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&problem), [("account_id".to_owned(), "required".to_owned())]);
}

/// The pages submit a verification with the re-check of the person: a
/// wrong password is refused and counted as on every re-check, and while
/// two-factor sign-in is on, a code is needed too. (A submission with the
/// session alone is accepted, as the contract's body has it, but counts
/// for no recovery appeal: tests/api/appeals.rs.)
#[tokio::test]
async fn a_submission_with_the_password_is_re_checked_like_every_sensitive_change() {
    let app = spawn_app().await;
    let customer = app.activated_customer("rechecked").await;
    let token = app.token_for(&customer).await;
    let (secret, _) = app.enable_mfa(&token).await;
    let material = app.upload_material(&token, "image/jpeg", &jpeg()).await;
    let mut body = individual(&[material]);
    body["password"] = json!("Wrong#Pass1");
    assert_problem(submit(&app, &token, &body).await, StatusCode::FORBIDDEN, "invalid_credentials").await;
    body["password"] = json!(accounts_tests::PASSWORD);
    let no_code =
        assert_problem(submit(&app, &token, &body).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&no_code), vec![("code".to_owned(), "invalid_code".to_owned())]);
    body["code"] = json!(app.totp_code(&secret, 1));
    assert_eq!(submit(&app, &token, &body).await.status(), StatusCode::ACCEPTED);
    let events = app.audit_events(&app.account_id(&token).await).await;
    assert!(events.contains(&"reauth_failed".to_owned()), "{events:?}");
    let account_id = app.account_id(&token).await;
    let view: Value =
        app.ops(Method::GET, &format!("/ops/v1/verifications/{account_id}"), None).await.json().await.unwrap();
    assert_eq!(view["rechecked"], true, "operators see it was re-checked: {view}");
}

/// A submission's re-check counts like any other: five wrong passwords lock
/// the username (sign-in answers 429 even to the right password) and the
/// owner is told, as a lock by sign-in would tell them.
#[tokio::test]
async fn wrong_passwords_on_a_submission_lock_the_name_and_tell_the_owner() {
    let app = spawn_app().await;
    let customer = app.activated_customer("lockedbysubmit").await;
    let token = app.token_for(&customer).await;
    let material = app.upload_material(&token, "image/jpeg", &jpeg()).await;
    let mut body = individual(&[material]);
    body["password"] = json!("Wrong#Pass1");
    for _ in 0..5 {
        assert_problem(submit(&app, &token, &body).await, StatusCode::FORBIDDEN, "invalid_credentials").await;
    }
    assert_problem(submit(&app, &token, &body).await, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    let signed_in = app.sign_in(&customer.username, accounts_tests::PASSWORD).await;
    assert_problem(signed_in, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    let told = app.last_email(&customer.email).await;
    assert!(told["subject"].as_str().unwrap().contains("locked"), "{told}");
}
