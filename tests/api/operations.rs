//! Operators' tools: the paged audit trail (`GET /ops/v1/audit`), audited
//! reads of personal data, and suspension
//! (`POST/DELETE /ops/v1/accounts/{username}/suspension`).

use accounts_tests::{PASSWORD, TestApp, assert_problem, field_errors, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn audit(app: &TestApp, query: &str) -> reqwest::Response {
    app.ops(Method::GET, &format!("/ops/v1/audit?{query}"), None).await
}

#[tokio::test]
async fn the_audit_trail_pages_without_gap_or_duplicate() {
    let app = spawn_app().await;
    let customer = app.activated_customer("longtrail").await;
    let token = app.token_for(&customer).await;
    let account_id = app.account_id(&token).await;
    // Sign-ins and failures: a trail of a dozen records.
    for _ in 0..4 {
        app.sign_in(&customer.email, "Wrong#Pass1").await;
        app.token_for(&customer).await;
    }
    let all: Value = audit(&app, &format!("account_id={account_id}&limit=200")).await.json().await.unwrap();
    let all = all["items"].as_array().unwrap().clone();
    assert!(all.len() >= 10, "{all:?}");

    let mut paged = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let cursor = after.as_deref().map(|a| format!("&after={a}")).unwrap_or_default();
        let page: Value = audit(&app, &format!("account_id={account_id}&limit=3{cursor}")).await.json().await.unwrap();
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 3);
        paged.extend(items.iter().cloned());
        match page["next"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => break,
        }
    }
    // The pages add up to the trail, in order (the reads above are audited
    // only through account look-ups, which this test does not make).
    assert_eq!(paged, all);
    let default: Value = audit(&app, &format!("account_id={account_id}")).await.json().await.unwrap();
    assert_eq!(default["items"].as_array().unwrap().len(), all.len().min(50));
}

#[tokio::test]
async fn a_page_is_one_to_two_hundred_records_with_a_well_formed_cursor() {
    let app = spawn_app().await;
    let id = "0".repeat(32);
    for query in
        [format!("account_id={id}&limit=0"), format!("account_id={id}&limit=201"), format!("account_id={id}&limit=x")]
    {
        let problem =
            assert_problem(audit(&app, &query).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(field_errors(&problem), vec![("limit".to_owned(), "limit_out_of_range".to_owned())], "{query}");
    }
    let bad_cursor = audit(&app, &format!("account_id={id}&after=nonsense")).await;
    let problem = assert_problem(bad_cursor, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_errors(&problem), vec![("after".to_owned(), "cursor_invalid".to_owned())]);
    let queue = app.ops(Method::GET, "/ops/v1/verifications?limit=500", None).await;
    assert_problem(queue, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    for list in ["verifications", "deletion-requests", "appeals"] {
        let unknown = app.ops(Method::GET, &format!("/ops/v1/{list}?status=unverified"), None).await;
        let problem = assert_problem(unknown, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(field_errors(&problem), vec![("status".to_owned(), "status_invalid".to_owned())], "{list}");
        let approved = app.ops(Method::GET, &format!("/ops/v1/{list}?status=approved"), None).await;
        assert_eq!(approved.status(), StatusCode::OK, "{list}");
    }
}

#[tokio::test]
async fn looking_at_personal_data_is_audited_with_the_operator() {
    let app = spawn_app().await;
    let customer = app.activated_customer("watched").await;
    let token = app.token_for(&customer).await;
    let account_id = app.account_id(&token).await;
    let looked = app.ops(Method::GET, &format!("/ops/v1/accounts/{}", customer.username), None).await;
    assert_eq!(looked.status(), StatusCode::OK);
    let trail: Value = audit(&app, &format!("account_id={account_id}")).await.json().await.unwrap();
    let viewed = trail["items"].as_array().unwrap().iter().find(|r| r["event"] == "account_viewed").cloned();
    let viewed = viewed.unwrap_or_else(|| panic!("no account_viewed: {trail}"));
    assert_eq!(viewed["actor"]["kind"], "operator");
    assert!(viewed["actor"]["id"].as_str().is_some_and(|id| !id.is_empty()));
    // An unknown account leaves nothing to audit and is 404.
    let unknown = app.ops(Method::GET, "/ops/v1/accounts/nosuchuser", None).await;
    assert_problem(unknown, StatusCode::NOT_FOUND, "account_not_found").await;
}

#[tokio::test]
async fn a_suspended_account_cannot_sign_in_until_the_suspension_is_lifted() {
    let app = spawn_app().await;
    let customer = app.activated_customer("frozen").await;
    let token = app.token_for(&customer).await;
    let account_id = app.account_id(&token).await;
    let path = format!("/ops/v1/accounts/{}/suspension", customer.username);

    let no_reason = app.ops(Method::POST, &path, Some(&json!({}))).await;
    assert_problem(no_reason, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let suspended = app.ops(Method::POST, &path, Some(&json!({"reason": "chargeback, ticket 4711"}))).await;
    assert_eq!(suspended.status(), StatusCode::OK);
    let view: Value = suspended.json().await.unwrap();
    assert_eq!(view["suspension"]["reason"], "chargeback, ticket 4711");

    // Its sessions ended; the right password is 403, a wrong one the usual 401.
    assert_eq!(app.with_token(Method::GET, "/v1/me", &token).await.status(), StatusCode::UNAUTHORIZED);
    assert_problem(app.sign_in(&customer.username, PASSWORD).await, StatusCode::FORBIDDEN, "account_suspended").await;
    assert_problem(
        app.sign_in(&customer.username, "Wrong#Pass1").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    let mail = app.last_email(&customer.email).await;
    assert!(mail["subject"].as_str().unwrap().contains("suspended"), "{mail}");
    assert!(!mail["text"].as_str().unwrap().contains("4711"), "the operator's reason stays with operators");
    // Suspending again changes nothing.
    assert_eq!(app.ops(Method::POST, &path, Some(&json!({"reason": "again"}))).await.status(), StatusCode::OK);

    let lifted = app.ops(Method::DELETE, &path, None).await;
    assert_eq!(lifted.status(), StatusCode::OK);
    assert_eq!(lifted.json::<Value>().await.unwrap()["suspension"], Value::Null);
    assert_eq!(app.sign_in(&customer.username, PASSWORD).await.status(), StatusCode::CREATED);

    let trail: Value = audit(&app, &format!("account_id={account_id}")).await.json().await.unwrap();
    let events: Vec<&str> = trail["items"].as_array().unwrap().iter().map(|r| r["event"].as_str().unwrap()).collect();
    assert_eq!(events.iter().filter(|e| **e == "suspended").count(), 1, "{events:?}");
    assert!(events.contains(&"suspension_lifted"));
    assert!(!trail.to_string().contains("4711"), "the trail holds no free text");

    let unknown = app.ops(Method::POST, "/ops/v1/accounts/nosuchuser/suspension", Some(&json!({"reason": "x"}))).await;
    assert_problem(unknown, StatusCode::NOT_FOUND, "account_not_found").await;
}

#[tokio::test]
#[cfg_attr(
    feature = "stack",
    ignore = "runs the scheduled watch in the dev server's process, which the deployed shape has not"
)]
async fn the_queue_watch_counts_what_waits_and_erasures_left_unfinished() {
    use shared::domain::records::ErasureUnderWay;
    use shared::flows::queue_watch::{ERASE_GRACE_SECS, watch};
    use shared::persistence::Changes;
    let app = spawn_app().await;
    let dev = app.dev().app();
    let before = watch(dev).await.unwrap();
    assert_eq!((before.verifications_waiting, before.appeals_waiting, before.erasures_unfinished), (0, 0, 0));

    let customer = app.activated_customer("waiting").await;
    let token = app.token_for(&customer).await;
    let jpeg = [&[0xFF, 0xD8, 0xFF, 0xE0][..], &[0u8; 2048]].concat();
    let material = app.upload_material(&token, "image/jpeg", &jpeg).await;
    let submitted = crate::verification::submit(&app, &token, &crate::verification::individual(&[material])).await;
    assert_eq!(submitted.status(), StatusCode::ACCEPTED);
    // An erase that stopped half-way leaves its mark.
    let mut changes = Changes::new();
    changes.note_erasure(&ErasureUnderWay {
        account_id: shared::domain::AccountId::parse(&"f".repeat(32)).unwrap(),
        since: app.server_now(),
    });
    dev.records().commit(changes).await.unwrap();

    let now = watch(dev).await.unwrap();
    assert_eq!(now.verifications_waiting, 1);
    assert_eq!(now.erasures_unfinished, 0, "not yet past the grace period");
    app.advance_clock(ERASE_GRACE_SECS + 86_400).await;
    let later = watch(dev).await.unwrap();
    assert!(later.oldest_verification_wait > 86_400, "{later:?}");
    assert_eq!(later.erasures_unfinished, 1);
}

#[tokio::test]
async fn suspending_a_primary_account_suspends_its_sub_accounts_and_lifting_it_lifts_only_those_it_brought() {
    let app = spawn_app().await;
    let parent = app.activated_customer("frozenparent").await;
    let parent_token = app.token_for(&parent).await;
    let mut children = Vec::new();
    for name in ["frozenkida", "frozenkidb"] {
        let email = app.email(name);
        let body = json!({"username": app.user(name), "email": email});
        let created = app.json_with_token(Method::POST, "/v1/me/sub-accounts", &parent_token, &body).await;
        assert_eq!(created.status(), StatusCode::CREATED);
        let link = app.last_link_token(&email).await;
        let set = app.post("/v1/password/set", &json!({"token": link, "password": PASSWORD})).await;
        assert_eq!(set.status(), StatusCode::NO_CONTENT);
        let session: Value = app.sign_in(app.user(name), PASSWORD).await.json().await.unwrap();
        children.push((app.user(name), session["token"].as_str().unwrap().to_owned()));
    }
    let (own, inherited) = (&children[0], &children[1]);
    // One sub-account is suspended on its own first.
    let own_path = format!("/ops/v1/accounts/{}/suspension", own.0);
    assert_eq!(app.ops(Method::POST, &own_path, Some(&json!({"reason": "its own"}))).await.status(), StatusCode::OK);

    let path = format!("/ops/v1/accounts/{}/suspension", parent.username);
    assert_eq!(app.ops(Method::POST, &path, Some(&json!({"reason": "fraud"}))).await.status(), StatusCode::OK);
    // Every sub-account's sessions end and its sign-in is 403.
    assert_eq!(app.with_token(Method::GET, "/v1/me", &inherited.1).await.status(), StatusCode::UNAUTHORIZED);
    for (username, _) in &children {
        assert_problem(app.sign_in(username, PASSWORD).await, StatusCode::FORBIDDEN, "account_suspended").await;
    }

    assert_eq!(app.ops(Method::DELETE, &path, None).await.status(), StatusCode::OK);
    assert_eq!(app.sign_in(&parent.username, PASSWORD).await.status(), StatusCode::CREATED);
    assert_eq!(app.sign_in(inherited.0, PASSWORD).await.status(), StatusCode::CREATED, "lifted with its primary");
    assert_problem(app.sign_in(own.0, PASSWORD).await, StatusCode::FORBIDDEN, "account_suspended").await;
}

/// A suspension reaches a primary account's sub-accounts one write at a
/// time. Wherever it stops (any call of any dependency failing), asking
/// again finishes it: every sub-account ends up suspended, and lifting,
/// stopped anywhere and asked again, lifts them all.
#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "injects faults into the dev server's ports, which the deployed shape has not")]
async fn a_suspension_cascade_stopped_anywhere_is_finished_by_asking_again() {
    use accounts_tests::faults::Faults;
    let faults = Faults::new();
    // Every run's primary account signs up from this test's one address.
    let vars = [("ACCOUNTS_LIMIT_SMS_PER_IP_HOUR", "100000"), ("ACCOUNTS_LIMIT_SMS_PER_NETWORK_HOUR", "100000")];
    let app = accounts_tests::spawn_app_with_faults(&vars, &faults).await;
    let mut runs = 0;
    for (method, body) in [(Method::POST, Some(json!({"reason": "fraud ring"}))), (Method::DELETE, None)] {
        let mut calls = usize::MAX;
        let mut fail_at = 1;
        while fail_at <= calls {
            runs += 1;
            faults.disarm();
            let primary = app.activated_customer(&format!("cascade{runs}x")).await;
            let token = app.token_for(&primary).await;
            let mut subs = Vec::new();
            for n in 0..3 {
                let sub = format!("member{runs}x{n}");
                let body = json!({"username": sub, "email": app.email(&sub)});
                let created = app.json_with_token(Method::POST, "/v1/me/sub-accounts", &token, &body).await;
                assert_eq!(created.status(), StatusCode::CREATED);
                subs.push(sub);
            }
            let path = format!("/ops/v1/accounts/{}/suspension", primary.username);
            if method == Method::DELETE {
                let suspended = app.ops(Method::POST, &path, Some(&json!({"reason": "to lift"}))).await;
                assert_eq!(suspended.status(), StatusCode::OK);
            }
            if calls == usize::MAX {
                // The fault-free count of calls, from a run of its own.
                faults.arm(0);
                assert_eq!(app.ops(method.clone(), &path, body.as_ref()).await.status(), StatusCode::OK);
                calls = faults.calls();
                continue;
            }
            faults.arm(fail_at);
            let stopped = app.ops(method.clone(), &path, body.as_ref()).await.status();
            assert!(faults.injected().is_some(), "call {fail_at} of {calls} failed");
            assert!(stopped == StatusCode::OK || stopped == StatusCode::SERVICE_UNAVAILABLE, "{stopped}");
            faults.disarm();
            assert_eq!(app.ops(method.clone(), &path, body.as_ref()).await.status(), StatusCode::OK);
            let suspended = method == Method::POST;
            for sub in subs.iter().chain(std::iter::once(&primary.username)) {
                let view: Value =
                    app.ops(Method::GET, &format!("/ops/v1/accounts/{sub}"), None).await.json().await.unwrap();
                assert_eq!(
                    !view["suspension"].is_null(),
                    suspended,
                    "{sub}, call {fail_at} of {calls} failing: {view}"
                );
            }
            fail_at += 1;
        }
    }
}
