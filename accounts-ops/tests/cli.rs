//! `accounts-ops`, the built binary, against a real service: accounts-dev
//! with its operator token, or with the `stack` feature the deployed shape
//! (scripts/stack) with the operators' IAM keys through the standard AWS
//! credential chain (here its environment variables), signed with SigV4.
//! The runtimes have two workers: the dev server answers on one while a
//! test waits for the binary on the other.

use std::process::{Command, Output};

use accounts_tests::{Customer, TestApp, spawn_app, stack};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Runs `accounts-ops args` as an operator of `app`.
fn ops(app: &TestApp, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_accounts-ops"));
    // Nothing of this machine's own AWS setup.
    for name in ["AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "ACCOUNTS_OPS_TOKEN", "ACCOUNTS_API_URL"] {
        command.env_remove(name);
    }
    command.env("AWS_CONFIG_FILE", "/nonexistent").env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent");
    match stack() {
        Some(stack) => command
            .env("AWS_ACCESS_KEY_ID", &stack.ops_access_key_id)
            .env("AWS_SECRET_ACCESS_KEY", &stack.ops_secret_access_key)
            .env("AWS_REGION", &stack.region)
            .args(["--api-url", &stack.api_url]),
        None => {
            command.env_remove("AWS_ACCESS_KEY_ID").args(["--api-url", &app.base, "--token", app.dev().ops_token()])
        }
    };
    command.args(args).output().expect("accounts-ops runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs `args` expecting success; its `--json` answer.
fn ops_json(app: &TestApp, args: &[&str]) -> Value {
    let output = ops(app, &[args, &["--json"]].concat());
    assert_eq!(output.status.code(), Some(0), "{args:?}: {}", stderr(&output));
    serde_json::from_slice(&output.stdout).expect("--json prints JSON")
}

/// A customer whose individual verification waits for review.
async fn pending_verification(app: &TestApp, name: &str) -> (Customer, String) {
    let customer = app.activated_customer(name).await;
    let token = app.token_for(&customer).await;
    let png = [&[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a][..], &[0u8; 256]].concat();
    let material = app.upload_material(&token, "image/png", &png).await;
    let submission = json!({"type": "individual", "real_name": "李雷", "id_type": "cn_resident_id",
        "id_number": "11010519491231002X", "material_ids": [material]});
    let response = app.json_with_token(reqwest::Method::POST, "/v1/me/verification", &token, &submission).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    (customer, token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_reviews_and_approves_a_verification() {
    let app = spawn_app().await;
    let (customer, token) = pending_verification(&app, "clireview").await;
    let username = app.user("clireview").to_owned();
    assert_eq!(customer.username, username);
    let queue = ops_json(&app, &["verifications", "--all"]);
    let item = queue["items"].as_array().unwrap().iter().find(|i| i["username"] == username.as_str()).cloned();
    let account_id = item.expect("the submission is queued")["account_id"].as_str().unwrap().to_owned();

    // For people: a table, the full submission by field.
    let shown = ops(&app, &["verification", &account_id]);
    assert_eq!(shown.status.code(), Some(0), "{}", stderr(&shown));
    let table = stdout(&shown);
    assert!(table.contains("id_number") && table.contains("11010519491231002X"), "{table}");
    let listed = stdout(&ops(&app, &["verifications"]));
    assert!(listed.contains("username") && listed.contains(&username), "{listed}");

    let decided = ops(&app, &["verification", "decide", &account_id, "approve"]);
    assert_eq!(decided.status.code(), Some(0), "{}", stderr(&decided));
    let mine: Value = app.with_token(reqwest::Method::GET, "/v1/me/verification", &token).await.json().await.unwrap();
    assert_eq!(mine["status"], "approved");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_trail_is_followed_to_its_end_with_all() {
    let app = spawn_app().await;
    let customer = app.activated_customer("cliaudit").await;
    let account = ops_json(&app, &["account", &customer.username, "--username"]);
    let account_id = account["account_id"].as_str().expect("the account's id").to_owned();
    let expected = app.audit_events(&account_id).await;
    assert!(expected.len() >= 3, "{expected:?}");
    let all = ops_json(&app, &["audit", &account_id, "--all", "--limit", "2"]);
    let events: Vec<&str> = all["items"].as_array().unwrap().iter().map(|r| r["event"].as_str().unwrap()).collect();
    // Reading the account was audited too, after `expected` was read.
    assert_eq!(events[..expected.len()], expected.iter().map(String::as_str).collect::<Vec<_>>()[..]);
    let one_page = ops_json(&app, &["audit", &account_id, "--limit", "2"]);
    assert_eq!(one_page["items"].as_array().unwrap().len(), 2);
    assert!(one_page["next"].is_string(), "one page says how to go on");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_is_suspended_and_unsuspended() {
    let app = spawn_app().await;
    let customer = app.activated_customer("clisuspend").await;
    let unconfirmed = ops(&app, &["suspend", &customer.username, "--reason", "card fraud, ticket 4411"]);
    assert_eq!(unconfirmed.status.code(), Some(2), "no terminal, no --yes: {}", stderr(&unconfirmed));
    assert!(stderr(&unconfirmed).contains("--yes"));
    assert_eq!(app.sign_in(&customer.username, &customer.password).await.status(), StatusCode::CREATED);
    let suspended = ops(&app, &["suspend", &customer.username, "--reason", "card fraud, ticket 4411", "--yes"]);
    assert_eq!(suspended.status.code(), Some(0), "{}", stderr(&suspended));
    assert_eq!(app.sign_in(&customer.username, &customer.password).await.status(), StatusCode::FORBIDDEN);
    let shown = stdout(&ops(&app, &["account", &customer.username]));
    assert!(shown.contains("suspension.reason") && shown.contains("card fraud, ticket 4411"), "{shown}");
    let lifted = ops(&app, &["unsuspend", &customer.username]);
    assert_eq!(lifted.status.code(), Some(0), "{}", stderr(&lifted));
    assert_eq!(app.sign_in(&customer.username, &customer.password).await.status(), StatusCode::CREATED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_other_queues_answer() {
    let app = spawn_app().await;
    for args in
        [&["deletions"][..], &["deletions", "--status", "rejected"], &["appeals"], &["appeals", "--status", "done"]]
    {
        let output = ops(&app, args);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {}", stderr(&output));
        assert!(!stdout(&output).is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_exit_1_with_the_problem_and_bad_usage_exits_2() {
    let app = spawn_app().await;
    let missing = ops(&app, &["account", app.user("nobody-here"), "--username"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("No such account. (404)"), "{}", stderr(&missing));
    assert!(stdout(&missing).is_empty());
    let reason = "x".repeat(2000);
    let invalid = ops(&app, &["suspend", app.user("nobody-here"), "--reason", &reason, "--yes"]);
    assert_eq!(invalid.status.code(), Some(1), "{}", stderr(&invalid));
    for args in [&["verification", "decide", "A1", "maybe"][..], &["suspend", "alice"], &["nonsense"]] {
        let output = ops(&app, args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).starts_with("error:"), "{args:?}");
    }
    let help = ops(&app, &["appeal", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout(&help).contains("accounts-ops appeal decide"), "an example per command");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_is_answered_from_the_phone_it_names() {
    let app = spawn_app().await;
    let customer = app.activated_customer("cliticket").await;
    app.token_for(&customer).await;
    app.token_for(&customer).await;
    let national = customer.phone.strip_prefix("+86").unwrap();
    let shown = stdout(&ops(&app, &["account", national]));
    assert!(shown.contains(&customer.username) && shown.contains("sign_in_locked_until"), "{shown}");
    let found = ops_json(&app, &["account", &customer.email.to_uppercase()]);
    let account_id = found["items"][0]["account_id"].as_str().expect("found by email").to_owned();
    assert_eq!(found["items"][0]["sessions"], 2);
    assert_eq!(stdout(&ops(&app, &["account", "nobody@example.com"])), "No account is named that.\n");

    let sessions = ops_json(&app, &["sessions", &customer.username]);
    assert_eq!(sessions["items"].as_array().unwrap().len(), 2);
    let refused = ops(&app, &["sign-out", &customer.username, "--reason", "ticket 4711"]);
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(ops_json(&app, &["sessions", &customer.username])["items"].as_array().unwrap().len(), 2);
    let ended = ops_json(&app, &["sign-out", &customer.username, "--reason", "ticket 4711", "--yes"]);
    assert_eq!(ended["sessions_ended"], 2);

    let newest = ops_json(&app, &["audit", &account_id, "--newest", "--event", "sessions_ended"]);
    assert_eq!(newest["items"][0]["detail"], "2 sessions: ticket 4711");
    let since = ops_json(&app, &["audit", &account_id, "--since", "2999-01-01T00:00:00Z"]);
    assert_eq!(since["items"], json!([]));
    let malformed = ops(&app, &["audit", &account_id, "--since", "yesterday"]);
    assert_eq!(malformed.status.code(), Some(1));
    assert!(stderr(&malformed).contains("since"), "{}", stderr(&malformed));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_invitation_is_resent_once_the_account_is_pending() {
    let app = spawn_app().await;
    let (response, customer) = app.sign_up("cliinvite").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let lost = app.last_link_token(&customer.email).await;
    let resent = ops(&app, &["resend-invitation", &customer.username]);
    assert_eq!(resent.status.code(), Some(0), "{}", stderr(&resent));
    assert_ne!(app.last_link_token(&customer.email).await, lost);
}

/// Deployed, a caller without the operators' policy is refused by IAM, and
/// one without credentials is told so before anything is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(feature = "stack"), ignore = "IAM is the stack's (scripts/stack)")]
async fn without_the_operators_credentials_the_stack_refuses() {
    let stack = stack().expect("the stack");
    let run = |envs: &[(&str, &str)]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_accounts-ops"));
        for name in
            ["AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]
        {
            command.env_remove(name);
        }
        command.env("AWS_CONFIG_FILE", "/nonexistent").env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent");
        command.env("AWS_EC2_METADATA_DISABLED", "true").envs(envs.iter().copied());
        command.args(["--api-url", &stack.api_url, "--region", &stack.region, "verifications"]).output().unwrap()
    };
    let unknown = run(&[("AWS_ACCESS_KEY_ID", "AKIAUNKNOWNUNKNOWN00"), ("AWS_SECRET_ACCESS_KEY", "wrong")]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("(403)"), "{}", stderr(&unknown));
    let none = run(&[]);
    assert_eq!(none.status.code(), Some(1));
    assert!(stderr(&none).contains("no AWS credentials"), "{}", stderr(&none));
}
