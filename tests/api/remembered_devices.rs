//! Remembered devices and the new-device check (the contract's "Sign-in
//! beyond the password"): a device token skips the second step for its own
//! account only, and dies with every credential change.

use accounts_tests::{Customer, PASSWORD, TestApp, assert_problem, spawn_app, spawn_app_with};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::sms_sign_in::code_for;

/// A customer with TOTP on: its session token and TOTP secret.
struct Guarded {
    customer: Customer,
    token: String,
    secret: String,
    /// The last TOTP step whose code was used (each is accepted once).
    last_step: std::cell::Cell<i64>,
}

async fn guarded(app: &TestApp, name: &str) -> Guarded {
    let customer = app.activated_customer(name).await;
    let token = app.token_for(&customer).await;
    let (secret, _) = app.enable_mfa(&token).await;
    // Turning TOTP on ended the other sessions, not this one; it used the
    // current step's code.
    let last_step = std::cell::Cell::new(app.server_now().div_euclid(30));
    Guarded { customer, token, secret, last_step }
}

impl Guarded {
    /// A TOTP code no earlier use took: the step after the last used, which
    /// the service accepts up to one step ahead of its clock; further ahead,
    /// time moves on first (the dev clock, or on the stack a wait of at most
    /// 30 seconds).
    async fn fresh_code(&self, app: &TestApp) -> String {
        let wanted = self.last_step.get() + 1;
        while wanted > app.server_now().div_euclid(30) + 1 {
            if accounts_tests::stack().is_some() {
                let into_step = app.server_now().rem_euclid(30);
                tokio::time::sleep(std::time::Duration::from_secs((30 - into_step) as u64 + 1)).await;
            } else {
                app.advance_clock(30).await;
            }
        }
        self.last_step.set(wanted);
        accounts_tests::totp_code_at_step(&self.secret, wanted)
    }
}

async fn sign_in_with_device(app: &TestApp, customer: &Customer, device: Option<&str>) -> Response {
    let mut body = json!({"login": customer.username, "password": customer.password});
    if let Some(device) = device {
        body["device_token"] = Value::from(device);
    }
    app.post("/v1/sessions", &body).await
}

/// The second step with `code`, asking to remember the device or not.
async fn second_step(app: &TestApp, first: Response, code: &str, remember: bool) -> Response {
    assert_eq!(first.status(), StatusCode::OK, "a second step is owed");
    let first: Value = first.json().await.unwrap();
    let body = json!({"mfa_token": first["mfa_token"], "code": code, "remember_device": remember});
    app.post("/v1/sessions/mfa", &body).await
}

/// Signs in through the second step with "remember this device"; the
/// device token, checked against its cookie.
async fn remember(app: &TestApp, guarded: &Guarded) -> String {
    let first = sign_in_with_device(app, &guarded.customer, None).await;
    let response = second_step(app, first, &guarded.fresh_code(app).await, true).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let cookie: Vec<String> =
        response.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    let device_cookie = cookie.iter().find(|c| c.starts_with("device=")).expect("a device cookie");
    for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/v1/sessions", "Max-Age=2592000"] {
        assert!(device_cookie.contains(attribute), "{device_cookie}");
    }
    let session: Value = response.json().await.unwrap();
    let token = session["device_token"].as_str().expect("a device token").to_owned();
    assert!(device_cookie.starts_with(&format!("device={token};")));
    token
}

async fn devices(app: &TestApp, token: &str) -> Vec<Value> {
    let listed: Value = app.with_token(Method::GET, "/v1/me/devices", token).await.json().await.unwrap();
    listed["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_remembered_device_skips_the_second_step_of_its_own_account_only() {
    let app = spawn_app().await;
    let owner = guarded(&app, "devown").await;
    let other = guarded(&app, "devother").await;
    let device = remember(&app, &owner).await;

    // By body and by cookie.
    let by_body = sign_in_with_device(&app, &owner.customer, Some(&device)).await;
    assert_eq!(by_body.status(), StatusCode::CREATED);
    let body = json!({"login": owner.customer.username, "password": owner.customer.password});
    let by_cookie = app
        .client
        .post(format!("{}/v1/sessions", app.base))
        .header("cookie", format!("device={device}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(by_cookie.status(), StatusCode::CREATED);
    // By SMS code too.
    let code = code_for(&app, &owner.customer).await;
    let by_sms = app
        .post("/v1/sessions/sms", &json!({"phone": owner.customer.phone, "sms_code": code, "device_token": device}))
        .await;
    assert_eq!(by_sms.status(), StatusCode::CREATED);

    // Another account's token, or one mangled, is ignored: the second step.
    assert_eq!(sign_in_with_device(&app, &other.customer, Some(&device)).await.status(), StatusCode::OK);
    let code = code_for(&app, &other.customer).await;
    let elsewhere = app
        .post("/v1/sessions/sms", &json!({"phone": other.customer.phone, "sms_code": code, "device_token": device}))
        .await;
    assert_eq!(elsewhere.status(), StatusCode::OK, "another phone's SMS sign-in ignores it");
    for mangled in [&device[..device.len() - 1], &format!("{device}A"), &format!(" {device}"), "x", &"A".repeat(5000)] {
        let response = sign_in_with_device(&app, &owner.customer, Some(mangled)).await;
        assert_eq!(response.status(), StatusCode::OK, "{mangled:.20}");
    }
    // A wrong password is wrong with a device too.
    let wrong = json!({"login": owner.customer.username, "password": "Wrong#Pass1x", "device_token": device});
    assert_problem(app.post("/v1/sessions", &wrong).await, StatusCode::UNAUTHORIZED, "invalid_credentials").await;

    let listed = devices(&app, &owner.token).await;
    assert_eq!(listed.len(), 1);
    for field in ["device_id", "created_at", "last_used_at", "user_agent"] {
        assert!(listed[0][field].is_string(), "{field}: {listed:?}");
    }
    assert!(devices(&app, &other.token).await.is_empty());
}

#[tokio::test]
async fn a_device_token_is_no_operation_protection_code() {
    let app = spawn_app().await;
    let owner = guarded(&app, "devreauth").await;
    let device = remember(&app, &owner).await;
    let body = json!({"password": PASSWORD, "code": device});
    let response = app.json_with_token(Method::POST, "/v1/me/mfa/recovery-codes", &owner.token, &body).await;
    assert!(response.status().is_client_error(), "{}", response.status());
    assert_eq!(devices(&app, &owner.token).await.len(), 1, "nothing changed");
}

#[tokio::test]
async fn owners_forget_one_device_or_all() {
    let app = spawn_app().await;
    let owner = guarded(&app, "devforget").await;
    let first = remember(&app, &owner).await;
    let second = remember(&app, &owner).await;
    let listed = devices(&app, &owner.token).await;
    assert_eq!(listed.len(), 2);
    let newest = listed[0]["device_id"].as_str().unwrap().to_owned();
    let forget = app.with_token(Method::DELETE, &format!("/v1/me/devices/{newest}"), &owner.token).await;
    assert_eq!(forget.status(), StatusCode::NO_CONTENT);
    assert_eq!(devices(&app, &owner.token).await.len(), 1);
    assert_eq!(sign_in_with_device(&app, &owner.customer, Some(&second)).await.status(), StatusCode::OK);
    assert_eq!(sign_in_with_device(&app, &owner.customer, Some(&first)).await.status(), StatusCode::CREATED);
    // Unknown and malformed ids are the same 404.
    for id in [newest.as_str(), "00000000000000000000000000000000", "x", &"f".repeat(3000)] {
        let response = app.with_token(Method::DELETE, &format!("/v1/me/devices/{id}"), &owner.token).await;
        assert_problem(response, StatusCode::NOT_FOUND, "device_not_found").await;
    }
    let all = app.with_token(Method::DELETE, "/v1/me/devices", &owner.token).await;
    assert_eq!(all.status(), StatusCode::NO_CONTENT);
    assert!(devices(&app, &owner.token).await.is_empty());
    assert_eq!(sign_in_with_device(&app, &owner.customer, Some(&first)).await.status(), StatusCode::OK);
    let account_id = app.account_id(&owner.token).await;
    let events = app.audit_events(account_id.as_str()).await;
    assert_eq!(events.iter().filter(|e| *e == "devices_forgotten").count(), 2, "{events:?}");
    // Without a session: 401.
    let anonymous = app.client.get(format!("{}/v1/me/devices", app.base)).send().await.unwrap();
    assert_problem(anonymous, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

/// Each credential change, and what a remembered device is after it.
#[tokio::test]
async fn every_credential_change_forgets_the_devices() {
    let app = spawn_app().await;
    let owner = guarded(&app, "devchange").await;

    // Replacing the recovery codes.
    let device = remember(&app, &owner).await;
    let body = json!({"password": PASSWORD, "code": owner.fresh_code(&app).await});
    let replaced = app.json_with_token(Method::POST, "/v1/me/mfa/recovery-codes", &owner.token, &body).await;
    assert_eq!(replaced.status(), StatusCode::OK);
    let recovery: Value = replaced.json().await.unwrap();
    let recovery: Vec<String> =
        recovery["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    assert!(devices(&app, &owner.token).await.is_empty(), "recovery codes replaced");
    assert_eq!(sign_in_with_device(&app, &owner.customer, Some(&device)).await.status(), StatusCode::OK);

    // Using a recovery code: the one remembered in that request is the only one.
    let old = remember(&app, &owner).await;
    let first = sign_in_with_device(&app, &owner.customer, None).await;
    let used = second_step(&app, first, &recovery[0], true).await;
    assert_eq!(used.status(), StatusCode::CREATED);
    let new: Value = used.json().await.unwrap();
    let new = new["device_token"].as_str().unwrap().to_owned();
    assert_eq!(sign_in_with_device(&app, &owner.customer, Some(&old)).await.status(), StatusCode::OK);
    assert_eq!(sign_in_with_device(&app, &owner.customer, Some(&new)).await.status(), StatusCode::CREATED);

    // Changing the password.
    let code = owner.fresh_code(&app).await;
    let change = json!({"current_password": PASSWORD, "new_password": "Gpu#Cl0ud-Other7", "code": code});
    let changed = app.json_with_token(Method::PUT, "/v1/me/password", &owner.token, &change).await;
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    let moved = Customer { password: "Gpu#Cl0ud-Other7".into(), ..clone(&owner.customer) };
    assert_eq!(sign_in_with_device(&app, &moved, Some(&new)).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn suspension_and_turning_totp_off_forget_the_devices() {
    let app = spawn_app().await;
    let owner = guarded(&app, "devsusp").await;
    let device = remember(&app, &owner).await;
    let path = format!("/ops/v1/accounts/{}/suspension", owner.customer.username);
    assert_eq!(app.ops(Method::POST, &path, Some(&json!({"reason": "test"}))).await.status(), StatusCode::OK);
    assert_eq!(app.ops(Method::DELETE, &path, None).await.status(), StatusCode::OK);
    assert_eq!(sign_in_with_device(&app, &owner.customer, Some(&device)).await.status(), StatusCode::OK);

    let token = {
        let first = sign_in_with_device(&app, &owner.customer, None).await;
        let answer = second_step(&app, first, &owner.fresh_code(&app).await, false).await;
        let session: Value = answer.json().await.unwrap();
        session["token"].as_str().unwrap().to_owned()
    };
    let _device = remember(&app, &owner).await;
    assert_eq!(devices(&app, &token).await.len(), 1);
    let off = json!({"password": PASSWORD, "code": owner.fresh_code(&app).await});
    let turned_off = app.json_with_token(Method::DELETE, "/v1/me/mfa", &token, &off).await;
    assert_eq!(turned_off.status(), StatusCode::NO_CONTENT);
    assert!(devices(&app, &token).await.is_empty(), "TOTP turned off");
}

fn clone(customer: &Customer) -> Customer {
    Customer {
        username: customer.username.clone(),
        email: customer.email.clone(),
        phone: customer.phone.clone(),
        password: customer.password.clone(),
    }
}

async fn sign_in_as(app: &TestApp, customer: &Customer, user_agent: &str, device: Option<&str>) -> Response {
    let mut body = json!({"login": customer.username, "password": customer.password});
    if let Some(device) = device {
        body["device_token"] = Value::from(device);
    }
    app.client
        .post(format!("{}/v1/sessions", app.base))
        .header("user-agent", user_agent)
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs ACCOUNTS_NEW_DEVICE_CHECK=on, which the deployed shape has off")]
async fn a_new_device_proves_itself_by_an_emailed_code() {
    let app = spawn_app_with(&[("ACCOUNTS_NEW_DEVICE_CHECK", "on")]).await;
    let customer = app.activated_customer("newdev").await;
    // The first sign-in after activation, and the same device again, pass.
    assert_eq!(sign_in_as(&app, &customer, "Laptop/1.0", None).await.status(), StatusCode::CREATED);
    assert_eq!(sign_in_as(&app, &customer, "Laptop/1.0", None).await.status(), StatusCode::CREATED);

    let first = sign_in_as(&app, &customer, "Phone/2.0", None).await;
    assert_eq!(first.status(), StatusCode::OK);
    let step: Value = first.json().await.unwrap();
    assert_eq!(step["method"], "email_code");
    assert_eq!(step["mfa_required"], true);
    let email = app.last_email(&customer.email).await;
    let text = email["text"].as_str().unwrap();
    assert!(text.contains("Phone/2.0"), "the email names the device: {text}");
    let code = regex_lite::Regex::new(r"\b(\d{6})\b").unwrap().captures(text).unwrap()[1].to_owned();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let body = |code: &str| json!({"mfa_token": step["mfa_token"], "code": code, "remember_device": true});
    // The browser that signs in sends the second step too.
    let from_phone = |code: &str| {
        app.client
            .post(format!("{}/v1/sessions/mfa", app.base))
            .header("user-agent", "Phone/2.0")
            .json(&body(code))
            .send()
    };
    assert_problem(from_phone(wrong).await.unwrap(), StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let passed = from_phone(&code).await.unwrap();
    assert_eq!(passed.status(), StatusCode::CREATED);
    let session: Value = passed.json().await.unwrap();
    let device = session["device_token"].as_str().unwrap().to_owned();
    // Seen now; and a remembered device counts as known anywhere.
    assert_eq!(sign_in_as(&app, &customer, "Phone/2.0", None).await.status(), StatusCode::CREATED);
    assert_eq!(sign_in_as(&app, &customer, "Tablet/3.0", Some(&device)).await.status(), StatusCode::CREATED);
    assert_eq!(sign_in_as(&app, &customer, "Tablet/3.0", None).await.status(), StatusCode::CREATED, "seen now");
    // An SMS-code sign-in from a new device proves itself too.
    let code = code_for(&app, &customer).await;
    let by_sms = app
        .client
        .post(format!("{}/v1/sessions/sms", app.base))
        .header("user-agent", "Kiosk/4.0")
        .json(&json!({"phone": customer.phone, "sms_code": code}))
        .send()
        .await
        .unwrap();
    assert_eq!(by_sms.status(), StatusCode::OK);
    let laptop: Value = sign_in_as(&app, &customer, "Laptop/1.0", None).await.json().await.unwrap();
    let token = laptop["token"].as_str().unwrap().to_owned();
    let events = app.audit_events(app.account_id(&token).await.as_str()).await;
    assert!(events.contains(&"sign_in_failed".to_owned()), "the wrong code is on the trail: {events:?}");
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs ACCOUNTS_NEW_DEVICE_CHECK=on, which the deployed shape has off")]
async fn five_wrong_emailed_codes_void_the_token() {
    let app = spawn_app_with(&[("ACCOUNTS_NEW_DEVICE_CHECK", "on")]).await;
    let customer = app.activated_customer("newdevfive").await;
    assert_eq!(sign_in_as(&app, &customer, "Laptop/1.0", None).await.status(), StatusCode::CREATED);
    let first = sign_in_as(&app, &customer, "Other/9", None).await;
    let step: Value = first.json().await.unwrap();
    let email = app.last_email(&customer.email).await;
    let code = regex_lite::Regex::new(r"\b(\d{6})\b").unwrap().captures(email["text"].as_str().unwrap()).unwrap()[1]
        .to_owned();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..4 {
        let body = json!({"mfa_token": step["mfa_token"], "code": wrong});
        assert_eq!(app.post("/v1/sessions/mfa", &body).await.status(), StatusCode::UNAUTHORIZED);
    }
    let body = json!({"mfa_token": step["mfa_token"], "code": wrong});
    let fifth = app.post("/v1/sessions/mfa", &body).await;
    assert!(fifth.status() == StatusCode::UNAUTHORIZED || fifth.status() == StatusCode::TOO_MANY_REQUESTS);
    let body = json!({"mfa_token": step["mfa_token"], "code": code});
    assert!(app.post("/v1/sessions/mfa", &body).await.status().is_client_error(), "the token is void");
}
