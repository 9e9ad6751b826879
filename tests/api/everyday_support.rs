//! Operators' everyday support (the contract's "Everyday support"): the
//! look-up by any identifier, the fuller account view, an account's
//! sessions listed and ended, a pending account's invitation resent, and
//! the trail newest first, by event and since a time — on every shape.

use accounts_tests::{Customer, PASSWORD, TestApp, assert_problem, field_errors, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::sub_accounts_managed::team;

async fn find(app: &TestApp, login: &str) -> Value {
    let query: String = url_encoded(login);
    let response = app.ops(Method::GET, &format!("/ops/v1/accounts?login={query}"), None).await;
    assert_eq!(response.status(), StatusCode::OK, "{login}");
    response.json().await.unwrap()
}

fn url_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The usernames a look-up found.
async fn found(app: &TestApp, login: &str) -> Vec<String> {
    let items = find(app, login).await["items"].as_array().unwrap().clone();
    items.iter().map(|a| a["username"].as_str().unwrap().to_owned()).collect()
}

async fn view(app: &TestApp, username: &str) -> Value {
    let response = app.ops(Method::GET, &format!("/ops/v1/accounts/{username}"), None).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn trail(app: &TestApp, query: &str) -> reqwest::Response {
    app.ops(Method::GET, &format!("/ops/v1/audit?{query}"), None).await
}

async fn trail_items(app: &TestApp, query: &str) -> Vec<Value> {
    let response = trail(app, query).await;
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    response.json::<Value>().await.unwrap()["items"].as_array().unwrap().clone()
}

fn events(items: &[Value]) -> Vec<&str> {
    items.iter().map(|r| r["event"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn a_ticket_finds_the_account_by_any_identifier_it_names() {
    let app = spawn_app().await;
    let customer = app.activated_customer("ticketed").await;
    let token = app.token_for(&customer).await;
    let account_id = app.account_id(&token).await.to_string();
    let national = customer.phone.strip_prefix("+86").unwrap();
    let spaced = format!("{} {} {}", &national[..3], &national[3..7], &national[7..]);
    let odd_case_email = customer.email.to_uppercase();
    for login in [
        customer.username.to_uppercase(),
        odd_case_email,
        customer.phone.clone(),
        national.to_owned(),
        spaced,
        format!("0{national}"),
        format!(" {} ", customer.phone),
        account_id.to_uppercase(),
    ] {
        assert_eq!(found(&app, &login).await, std::slice::from_ref(&customer.username), "{login}");
    }
    // Nothing named, or nothing that could be an account: no items.
    for login in ["nobody1234", "nobody@example.com", "+8613000000000", "13000000000", &account_id[..31], "+1"] {
        assert!(found(&app, login).await.is_empty(), "{login}");
    }
    // Each account found was read: the trail says so, as the operator's.
    let viewed = trail_items(&app, &format!("account_id={account_id}&event=account_viewed")).await;
    assert_eq!(viewed.len(), 8);
    assert!(viewed.iter().all(|r| r["actor"]["kind"] == "operator" && r["actor"]["id"].is_string()));
}

#[tokio::test]
async fn a_look_up_without_a_login_or_longer_than_any_is_refused_on_login() {
    let app = spawn_app().await;
    for query in ["", "?login=", "?login=%20%20", &format!("?login={}", "a".repeat(3000))] {
        let response = app.ops(Method::GET, &format!("/ops/v1/accounts{query}"), None).await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(field_errors(&problem).first().map(|e| e.0.as_str()), Some("login"), "{query}");
    }
    // The longest email any account can have is looked up, and found absent.
    let longest = format!("{}@{}.com", "a".repeat(64), "b".repeat(185));
    assert!(found(&app, &longest).await.is_empty());
}

#[tokio::test]
async fn the_view_says_why_an_account_cannot_sign_in() {
    let app = spawn_app().await;
    let customer = app.activated_customer("lockedout").await;
    let fresh = view(&app, &customer.username).await;
    assert_eq!(fresh["status"], "active");
    assert_eq!(fresh["kind"], "primary");
    assert_eq!(fresh["primary"], Value::Null);
    assert_eq!((fresh["sessions"].as_u64(), fresh["passkeys"].as_u64()), (Some(0), Some(0)));
    assert_eq!((fresh["sub_accounts"].as_u64(), fresh["last_sign_in_at"].clone()), (Some(0), Value::Null));
    assert_eq!(fresh["sign_in_locked_until"], Value::Null);
    assert_eq!(fresh["password_sign_in_suspended"], false);
    assert_eq!(fresh["email"], customer.email.to_lowercase());
    assert_eq!(fresh["phone"], customer.phone);

    app.token_for(&customer).await;
    app.token_for(&customer).await;
    // Five wrong passwords by email lock that login name.
    for _ in 0..5 {
        app.sign_in(&customer.email, "Wrong#Pass1").await;
    }
    let now = app.server_now();
    let locked = view(&app, &customer.username).await;
    assert_eq!(locked["sessions"], 2);
    assert!(locked["last_sign_in_at"].is_string());
    let until = locked["sign_in_locked_until"].as_str().expect("a lock's end");
    let until = shared::clock::parse_rfc3339(until).unwrap();
    assert!((now + 800..=now + 901).contains(&until), "{until} vs {now}");
    assert_eq!(locked["password_sign_in_suspended"], false);
    assert_eq!(locked["status"], "active", "a lock is not a status");
}

#[tokio::test]
async fn the_view_names_a_sub_accounts_primary_and_its_state() {
    let app = spawn_app().await;
    let team = team(&app, "viewed").await;
    let sub = view(&app, team.sub).await;
    assert_eq!(sub["kind"], "sub");
    let primary = sub["primary"].as_str().expect("its primary");
    assert_eq!(view(&app, primary).await["sub_accounts"], 1);
    let path = format!("/v1/me/sub-accounts/{}/disable", team.sub);
    let disabled = app.json_with_token(Method::POST, &path, &team.primary_token, &json!({})).await;
    assert_eq!(disabled.status(), StatusCode::NO_CONTENT);
    assert_eq!(view(&app, team.sub).await["status"], "disabled");
    let suspend = json!({"reason": "ticket 9"});
    let suspended = app.ops(Method::POST, &format!("/ops/v1/accounts/{primary}/suspension"), Some(&suspend)).await;
    assert_eq!(suspended.status(), StatusCode::OK);
    assert_eq!(suspended.json::<Value>().await.unwrap()["status"], "suspended");
    assert_eq!(view(&app, team.sub).await["status"], "suspended", "a suspension outranks a disable");
}

#[tokio::test]
async fn an_operator_lists_an_accounts_sessions_and_ends_them_with_a_reason() {
    let app = spawn_app().await;
    let customer = app.activated_customer("signedout").await;
    let first = app.token_for(&customer).await;
    let second = app.token_for(&customer).await;
    let account_id = app.account_id(&first).await.to_string();
    let path = format!("/ops/v1/accounts/{}/sessions", customer.username);

    let listed = app.ops(Method::GET, &path, None).await;
    assert_eq!(listed.status(), StatusCode::OK);
    let listed: Value = listed.json().await.unwrap();
    let sessions = listed["items"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    for session in sessions {
        for field in ["session_id", "created_at", "last_seen_at", "ip", "user_agent"] {
            assert!(session[field].is_string(), "{field} in {session}");
        }
    }

    let no_reason = app.ops(Method::DELETE, &path, Some(&json!({}))).await;
    let problem = assert_problem(no_reason, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&problem), [("reason".to_owned(), "required".to_owned())]);
    let too_long = app.ops(Method::DELETE, &path, Some(&json!({"reason": "x".repeat(501)}))).await;
    assert_problem(too_long, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    for token in [&first, &second] {
        assert_eq!(app.with_token(Method::GET, "/v1/me", token).await.status(), StatusCode::OK, "nothing ended yet");
    }

    let ended = app.ops(Method::DELETE, &path, Some(&json!({"reason": "ticket 4711: unknown place"}))).await;
    assert_eq!(ended.status(), StatusCode::OK);
    assert_eq!(ended.json::<Value>().await.unwrap()["sessions_ended"], 2);
    for token in [&first, &second] {
        assert_eq!(app.with_token(Method::GET, "/v1/me", token).await.status(), StatusCode::UNAUTHORIZED);
    }
    // The account stays usable.
    app.token_for(&customer).await;

    let records = trail_items(&app, &format!("account_id={account_id}&order=newest&event=sessions_ended")).await;
    let by_operator = &records[0];
    assert_eq!(by_operator["actor"]["kind"], "operator");
    assert_eq!(by_operator["detail"], "2 sessions: ticket 4711: unknown place");
    let viewed = trail_items(&app, &format!("account_id={account_id}&event=sessions_viewed")).await;
    assert_eq!(viewed.len(), 1, "the listing read addresses: audited");

    for path in ["/ops/v1/accounts/nosuchuser/sessions", "/ops/v1/accounts/NO%20SUCH/sessions"] {
        let missing = app.ops(Method::GET, path, None).await;
        assert_problem(missing, StatusCode::NOT_FOUND, "account_not_found").await;
        let missing = app.ops(Method::DELETE, path, Some(&json!({"reason": "r"}))).await;
        assert_problem(missing, StatusCode::NOT_FOUND, "account_not_found").await;
    }
}

#[tokio::test]
async fn a_suspensions_sessions_end_as_the_operators_doing() {
    let app = spawn_app().await;
    let customer = app.activated_customer("suspendee").await;
    let token = app.token_for(&customer).await;
    let account_id = app.account_id(&token).await.to_string();
    let suspend = json!({"reason": "ticket 12"});
    let path = format!("/ops/v1/accounts/{}/suspension", customer.username);
    assert_eq!(app.ops(Method::POST, &path, Some(&suspend)).await.status(), StatusCode::OK);
    let ended = trail_items(&app, &format!("account_id={account_id}&event=sessions_ended")).await;
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0]["actor"]["kind"], "operator");
}

#[tokio::test]
async fn a_sign_out_racing_a_sign_in_leaves_every_listed_session_usable() {
    let app = spawn_app().await;
    let customer = app.activated_customer("racedout").await;
    let path = format!("/ops/v1/accounts/{}/sessions", customer.username);
    for _ in 0..3 {
        let body = json!({"reason": "race"});
        let (signed_in, ended) =
            tokio::join!(app.sign_in(&customer.username, PASSWORD), app.ops(Method::DELETE, &path, Some(&body)));
        assert_eq!(signed_in.status(), StatusCode::CREATED);
        assert_eq!(ended.status(), StatusCode::OK);
        let token = signed_in.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
        let usable = app.with_token(Method::GET, "/v1/me", &token).await.status() == StatusCode::OK;
        let listed: Value = app.ops(Method::GET, &path, None).await.json().await.unwrap();
        // Either the sign-out came first and the session stands, listed, or
        // it ended the session: never a listed session that does not work.
        assert_eq!(listed["items"].as_array().unwrap().len(), usize::from(usable));
        assert_eq!(view(&app, &customer.username).await["sessions"], usize::from(usable));
        app.ops(Method::DELETE, &path, Some(&body)).await;
    }
}

#[tokio::test]
async fn a_pending_account_gets_a_fresh_invitation_and_an_active_one_none() {
    let app = spawn_app().await;
    let (response, customer) = app.sign_up("reinvited").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let lost = app.last_link_token(&customer.email).await;
    assert_eq!(view(&app, &customer.username).await["status"], "pending_activation");
    let path = format!("/ops/v1/accounts/{}/invitation", customer.username);
    let resent = app.ops(Method::POST, &path, None).await;
    assert_eq!(resent.status(), StatusCode::ACCEPTED);
    assert_eq!(resent.json::<Value>().await.unwrap(), json!({}));
    let fresh = app.last_link_token(&customer.email).await;
    assert_ne!(fresh, lost);
    let old = json!({"token": lost, "password": PASSWORD, "phone": customer.phone});
    assert_problem(app.post("/v1/password/set", &old).await, StatusCode::NOT_FOUND, "invalid_link").await;
    activate(&app, &customer, &fresh).await;
    let again = app.ops(Method::POST, &path, None).await;
    assert_problem(again, StatusCode::CONFLICT, "account_active").await;
    let unknown = app.ops(Method::POST, "/ops/v1/accounts/nosuchuser/invitation", None).await;
    assert_problem(unknown, StatusCode::NOT_FOUND, "account_not_found").await;

    let token = app.token_for(&customer).await;
    let account_id = app.account_id(&token).await.to_string();
    let resends = trail_items(&app, &format!("account_id={account_id}&event=invitation_resent")).await;
    assert_eq!(resends.len(), 1);
    assert_eq!(resends[0]["actor"]["kind"], "operator");
    let sent = trail_items(&app, &format!("account_id={account_id}&event=email_sent")).await;
    let details: Vec<&str> = sent.iter().filter_map(|r| r["detail"].as_str()).collect();
    assert_eq!(details.iter().filter(|d| d.starts_with("invitation")).count(), 2, "{details:?}");
}

async fn activate(app: &TestApp, customer: &Customer, token: &str) {
    let body = json!({"token": token, "password": customer.password, "phone": customer.phone});
    assert_eq!(app.post("/v1/password/set", &body).await.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn the_trail_reads_newest_first_by_event_and_since_a_time() {
    let app = spawn_app().await;
    let customer = app.activated_customer("trailread").await;
    let token = app.token_for(&customer).await;
    let account_id = app.account_id(&token).await.to_string();
    for _ in 0..3 {
        app.sign_in(&customer.username, "Wrong#Pass1").await;
        app.token_for(&customer).await;
    }
    let oldest = trail_items(&app, &format!("account_id={account_id}&limit=200")).await;
    let mut newest = trail_items(&app, &format!("account_id={account_id}&limit=200&order=newest")).await;
    newest.reverse();
    assert_eq!(newest, oldest);

    // Filtered, paged two at a time: every sign-in, newest first, once.
    let mut paged = Vec::new();
    let mut after = String::new();
    loop {
        let query = format!("account_id={account_id}&order=newest&event=signed_in&limit=2{after}");
        let page: Value = trail(&app, &query).await.json().await.unwrap();
        paged.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next"].as_str() {
            Some(next) => after = format!("&after={next}"),
            None => break,
        }
    }
    let mut signed_in: Vec<Value> = oldest.iter().filter(|r| r["event"] == "signed_in").cloned().collect();
    signed_in.reverse();
    assert_eq!(paged, signed_in);
    assert_eq!(signed_in.len(), 4);
    assert!(signed_in.iter().all(|r| r["method"] == "password"), "{signed_in:?}");
    assert!(oldest.iter().filter(|r| r["event"] != "signed_in").all(|r| r.get("method").is_none()));

    // Since a time: nothing earlier; a time to come: nothing at all.
    let third_at = oldest[2]["at"].as_str().unwrap();
    let since = trail_items(&app, &format!("account_id={account_id}&limit=200&since={third_at}")).await;
    assert!(since.len() >= oldest.len() - 2 && since.len() < oldest.len() + 1);
    assert!(since.iter().all(|r| r["at"].as_str().unwrap() >= third_at));
    let since_newest =
        trail_items(&app, &format!("account_id={account_id}&limit=200&order=newest&since={third_at}")).await;
    assert_eq!(since_newest.len(), since.len());
    let later = trail_items(&app, &format!("account_id={account_id}&since=2999-01-01T00:00:00Z")).await;
    assert!(later.is_empty());
    let offset =
        trail_items(&app, &format!("account_id={account_id}&limit=200&since=2000-01-01T08:00:00%2B08:00")).await;
    assert_eq!(offset.len(), oldest.len(), "any offset");

    // An event the service never writes: nothing. Malformed: 422 on its field.
    assert!(trail_items(&app, &format!("account_id={account_id}&event=tea_brewed")).await.is_empty());
    assert_eq!(
        events(&trail_items(&app, &format!("account_id={account_id}&event=")).await).len(),
        oldest.len().min(50)
    );
    for (query, field, code) in [
        ("since=yesterday", "since", "since_invalid"),
        ("since=2026-13-01T00:00:00Z", "since", "since_invalid"),
        ("since=2026-12-07", "since", "since_invalid"),
        ("order=sideways", "order", "order_invalid"),
    ] {
        let response = trail(&app, &format!("account_id={account_id}&{query}")).await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(field_errors(&problem), [(field.to_owned(), code.to_owned())], "{query}");
    }
}

#[tokio::test]
async fn a_sub_account_acted_on_by_its_primary_names_the_primary_on_the_trail() {
    let app = spawn_app().await;
    let team = team(&app, "actorial").await;
    let path = format!("/v1/me/sub-accounts/{}/disable", team.sub);
    app.json_with_token(Method::POST, &path, &team.primary_token, &json!({})).await;
    let sub = view(&app, team.sub).await;
    let primary = find(&app, &team.primary_email).await["items"][0].clone();
    let account_id = sub["account_id"].as_str().unwrap();
    let disabled = trail_items(&app, &format!("account_id={account_id}&event=sub_account_disabled")).await;
    assert_eq!(disabled[0]["actor"]["kind"], "primary");
    assert_eq!(disabled[0]["actor"]["id"], primary["account_id"]);
}
