//! Every flow walked with the largest inputs the contract allows: the
//! longest names, addresses and texts (in three-byte characters where text
//! is free), the most passkeys (with the longest credential ids WebAuthn
//! allows), materials, open appeals and recovery codes an account can
//! hold, and the transactions they make (a sign-in cancelling every open
//! appeal, an appeal's effect removing every passkey, an erasure). The
//! stores refuse what DynamoDB refuses (`store::limits`), so a limit of
//! DynamoDB's that some flow outgrows fails here on the dev server, not
//! first on the stack. On every shape.

use accounts_tests::authenticator::Authenticator;
use accounts_tests::{TestApp, appeal_hold_lock, spawn_app, spawn_app_with, stack, token_in};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// `n` characters of three bytes each.
fn wide(n: usize) -> String {
    "账".repeat(n)
}

async fn expect(response: reqwest::Response, status: StatusCode, what: &str) -> Value {
    let got = response.status();
    let body = response.text().await.unwrap_or_default();
    assert_eq!(got, status, "{what}: {body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

/// The origin browsers show the pages at: the public URL's.
fn origin(app: &TestApp) -> String {
    reqwest::Url::parse(app.public_url()).unwrap().origin().ascii_serialization()
}

#[tokio::test]
async fn every_flow_takes_the_largest_inputs_the_contract_allows() {
    let app = if stack().is_some() {
        spawn_app().await
    } else {
        spawn_app_with(&[("ACCOUNTS_FORGOT_MIN_MILLIS", "0")]).await
    };
    let _hold = appeal_hold_lock().await;
    // Sign-up: a 20-character username, a 64-character local part, a
    // 100-character organisation, a referrer.
    let username = app.user(&"w".repeat(if stack().is_some() { 16 } else { 20 })).to_owned();
    let email = app.email(&"m".repeat(64));
    let phone = app.fresh_phone();
    let code = app.sign_up_code(&phone).await;
    let body = json!({"username": username, "email": email, "phone": phone, "sms_code": code,
        "organization": wide(100), "referrer_phone": app.fresh_phone(), "accept_terms": true});
    expect(app.post("/v1/accounts", &body).await, StatusCode::CREATED, "sign-up").await;
    let link = app.last_link_token(&email).await;
    let password = "Aa1#".to_owned() + &"x".repeat(14);
    let set = json!({"token": link, "password": password, "phone": phone});
    expect(app.post("/v1/password/set", &set).await, StatusCode::NO_CONTENT, "activation").await;

    // A session from a client with a user agent far over what is kept.
    let signed_in = app
        .client
        .post(format!("{}/v1/sessions", app.base))
        .header("user-agent", "U".repeat(4000))
        .json(&json!({"login": email, "password": password}))
        .send()
        .await
        .unwrap();
    let token = expect(signed_in, StatusCode::CREATED, "sign-in").await["token"].as_str().unwrap().to_owned();

    // Ten passkeys (the most an account has), each with a 1,023-byte
    // credential id and a 64-character name.
    let mut authenticators = Vec::new();
    for n in 0..10 {
        let mut authenticator = Authenticator::new(&origin(&app));
        let mut id = vec![0u8; 1023];
        getrandom::fill(&mut id).unwrap();
        authenticator.credential_id = id;
        let options =
            app.json_with_token(Method::POST, "/v1/me/passkeys/options", &token, &json!({"password": password})).await;
        let options = expect(options, StatusCode::OK, "passkey options").await;
        let credential = authenticator.register(&options["options"]);
        let body = json!({"registration_id": options["registration_id"], "credential": credential,
            "name": format!("{n}{}", wide(63))});
        expect(
            app.json_with_token(Method::POST, "/v1/me/passkeys", &token, &body).await,
            StatusCode::CREATED,
            "passkey",
        )
        .await;
        authenticators.push(authenticator);
    }

    // Two-factor sign-in, with its ten recovery codes.
    let mfa_body = json!({"password": password});
    let enrolment = app.json_with_token(Method::POST, "/v1/me/mfa/totp", &token, &mfa_body).await;
    let secret = expect(enrolment, StatusCode::CREATED, "enrolment").await["secret"].as_str().unwrap().to_owned();
    let confirm = json!({"code": app.totp_code(&secret, 0)});
    let confirmed = app.json_with_token(Method::POST, "/v1/me/mfa/totp/confirm", &token, &confirm).await;
    let recovery: Vec<String> = expect(confirmed, StatusCode::OK, "confirm").await["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();

    // Real-name verification: ten materials with 255-character names, an
    // enterprise with the longest names.
    let mut materials = Vec::new();
    for _ in 0..10 {
        let announce =
            json!({"file_name": format!("{}.pdf", wide(251)), "content_type": "application/pdf", "size": 64});
        let announced = app.json_with_token(Method::POST, "/v1/me/verification/materials", &token, &announce).await;
        let material = expect(announced, StatusCode::CREATED, "material").await;
        let upload = app
            .client
            .put(app.reachable(material["upload_url"].as_str().unwrap()))
            .header("content-type", "application/pdf")
            .body([&b"%PDF-1.7\n"[..], &[b' '; 55]].concat())
            .send()
            .await
            .unwrap();
        assert!(upload.status().is_success(), "upload: {}", upload.status());
        materials.push(material["material_id"].clone());
    }
    let submission = json!({"type": "enterprise", "company_name": wide(100), "credit_code": "91350100M000100Y43",
        "legal_representative": wide(50), "material_ids": materials, "password": password,
        "code": app.totp_code(&secret, 1)});
    let submitted = app.json_with_token(Method::POST, "/v1/me/verification", &token, &submission).await;
    expect(submitted, StatusCode::ACCEPTED, "verification").await;
    let account_id = app.account_id(&token).await;
    let review = app.ops(Method::GET, &format!("/ops/v1/verifications/{account_id}"), None).await;
    expect(review, StatusCode::OK, "review").await;
    let approve = json!({"decision": "approve", "reason": wide(500)});
    let decided = app.ops(Method::POST, &format!("/ops/v1/verifications/{account_id}/decision"), Some(&approve)).await;
    expect(decided, StatusCode::OK, "verification decision").await;

    // A sub-account with the longest address there is (254 characters).
    let long_email = format!("{}@{}.{}.{}.example.com", "s".repeat(64), "d".repeat(63), "e".repeat(63), "f".repeat(49));
    assert_eq!(long_email.len(), 254);
    let sub = json!({"username": app.user(&"s".repeat(16)), "email": long_email, "code": recovery[0]});
    expect(app.json_with_token(Method::POST, "/v1/me/sub-accounts", &token, &sub).await, StatusCode::CREATED, "sub")
        .await;

    // As many open appeals as an account holds, with the longest texts,
    // and one more; then a sign-in with a recovery code cancels them all.
    for n in 0..4 {
        appeal(&app, &username, n).await;
    }
    let first = app.post("/v1/sessions", &json!({"login": username, "password": password})).await;
    let mfa_token = expect(first, StatusCode::OK, "first step").await["mfa_token"].as_str().unwrap().to_owned();
    let second = app.post("/v1/sessions/mfa", &json!({"mfa_token": mfa_token, "code": recovery[1]})).await;
    expect(second, StatusCode::CREATED, "a sign-in cancelling three appeals").await;

    // An appeal takes effect: MFA off, ten passkeys removed, the email moved.
    let appellant = appeal(&app, &username, 10).await;
    let decision = json!({"decision": "approve", "note": wide(500)});
    let approved = app.ops(Method::POST, &format!("/ops/v1/appeals/{appellant}/decision"), Some(&decision)).await;
    expect(approved, StatusCode::OK, "appeal decision").await;
    app.pass_appeal_hold().await;
    let done = app.ops(Method::GET, &format!("/ops/v1/appeals/{appellant}"), None).await;
    assert_eq!(expect(done, StatusCode::OK, "the appeal").await["status"], "done", "the appeal took effect");
    let contact = contact(&app, 10);
    let reset = app.last_link_token(&contact).await;
    let body = json!({"token": reset, "password": password});
    expect(app.post("/v1/password/set", &body).await, StatusCode::NO_CONTENT, "reset after the appeal").await;
    let token = app
        .token_for(&accounts_tests::Customer {
            username: username.clone(),
            email: contact,
            phone,
            password: password.clone(),
        })
        .await;
    let keys = app.with_token(Method::GET, "/v1/me/passkeys", &token).await;
    assert_eq!(expect(keys, StatusCode::OK, "passkeys").await["items"], json!([]));

    // Deletion with the longest reason, approved: everything is erased.
    let request = json!({"password": password, "reason": wide(500)});
    let requested = app.json_with_token(Method::POST, "/v1/me/deletion-request", &token, &request).await;
    let request_id = expect(requested, StatusCode::ACCEPTED, "deletion request").await["request_id"].clone();
    let approve = json!({"decision": "approve", "note": wide(500)});
    let path = format!("/ops/v1/deletion-requests/{}/decision", request_id.as_str().unwrap());
    expect(app.ops(Method::POST, &path, Some(&approve)).await, StatusCode::OK, "erasure").await;
    assert_eq!(app.sign_in(&username, &password).await.status(), StatusCode::UNAUTHORIZED);
}

/// Files and confirms an appeal for `login` with the longest texts; its id.
async fn appeal(app: &TestApp, login: &str, n: usize) -> String {
    let contact = contact(app, n);
    let body = json!({"login": login, "contact_email": contact, "description": wide(2000),
        "real_name": wide(100), "id_number": "1".repeat(100), "company_name": wide(100), "credit_code": "9".repeat(100)});
    expect(app.post("/v1/appeals", &body).await, StatusCode::ACCEPTED, "appeal").await;
    let link = token_in(app.last_email(&contact).await["text"].as_str().unwrap());
    let confirmed = app.post("/v1/appeals/confirm", &json!({"token": link})).await;
    expect(confirmed, StatusCode::ACCEPTED, "confirm appeal").await["appeal_id"].as_str().unwrap().to_owned()
}

/// The `n`-th appellant's address: a 64-character local part.
fn contact(app: &TestApp, n: usize) -> String {
    let tag = n.to_string();
    app.email(&format!("{tag}{}", "c".repeat(64 - tag.len())))
}
