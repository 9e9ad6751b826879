//! The deployed shape's IAM, seen from outside: the operators' policy
//! opens the operator routes and nothing else.

use accounts_tests::{spawn_app, stack};
use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use reqwest::{Method, StatusCode};

async fn operator_sdk() -> aws_config::SdkConfig {
    let stack = stack().expect("the stack");
    let credentials = aws_sdk_dynamodb::config::Credentials::new(
        &stack.ops_access_key_id,
        &stack.ops_secret_access_key,
        None,
        None,
        "stack-operator",
    );
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(shared::aws_http::https_client())
        .endpoint_url(&stack.emulator_url)
        .region(aws_config::Region::new(stack.region.clone()))
        .credentials_provider(credentials)
        .load()
        .await
}

fn access_denied(code: Option<&str>) -> bool {
    code.is_some_and(|c| c.contains("AccessDenied") || c == "AuthorizationError")
}

#[tokio::test]
#[cfg_attr(not(feature = "stack"), ignore = "needs the deployed shape (scripts/stack and the stack feature)")]
async fn the_operators_policy_opens_the_operator_routes_and_nothing_else() {
    let app = spawn_app().await;
    assert_eq!(
        app.ops(Method::GET, "/ops/v1/verifications?status=pending_review", None).await.status(),
        StatusCode::OK
    );
    let sdk = operator_sdk().await;
    let table = &stack().unwrap().table;
    let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
    let read = dynamodb
        .get_item()
        .table_name(table)
        .key("pk", aws_sdk_dynamodb::types::AttributeValue::S("ACCOUNT#x".into()))
        .key("sk", aws_sdk_dynamodb::types::AttributeValue::S("PROFILE".into()))
        .send()
        .await;
    assert!(access_denied(read.as_ref().err().and_then(|e| e.code())), "the table is not the operators': {read:?}");
    let listed = dynamodb.list_tables().send().await;
    assert!(access_denied(listed.as_ref().err().and_then(|e| e.code())), "{listed:?}");
    let sms = aws_sdk_sns::Client::new(&sdk).publish().phone_number("+8613800138000").message("hi").send().await;
    assert!(access_denied(sms.as_ref().err().and_then(|e| e.code())), "{sms:?}");
}

/// A support reader (the readers' policy) looks an account up and reads
/// its sessions and trail; a decision is refused by API Gateway itself.
#[tokio::test]
#[cfg_attr(not(feature = "stack"), ignore = "needs the deployed shape (scripts/stack and the stack feature)")]
async fn a_reader_looks_up_but_is_refused_every_decision() {
    let app = spawn_app().await;
    let customer = app.activated_customer("readonly").await;
    let login = customer.phone.strip_prefix("+86").unwrap();
    let found = app.ops_as_reader(Method::GET, &format!("/ops/v1/accounts?login={login}"), None).await;
    assert_eq!(found.status(), StatusCode::OK);
    let found: serde_json::Value = found.json().await.unwrap();
    assert_eq!(found["items"][0]["username"], customer.username);
    let account_id = found["items"][0]["account_id"].as_str().unwrap().to_owned();
    for path in [
        format!("/ops/v1/accounts/{}", customer.username),
        format!("/ops/v1/accounts/{}/sessions", customer.username),
        format!("/ops/v1/audit?account_id={account_id}&order=newest"),
        "/ops/v1/verifications".to_owned(),
    ] {
        assert_eq!(app.ops_as_reader(Method::GET, &path, None).await.status(), StatusCode::OK, "{path}");
    }
    let reason = serde_json::json!({"reason": "a reader tries"});
    let decisions = [
        (Method::POST, format!("/ops/v1/accounts/{}/suspension", customer.username), Some(&reason)),
        (Method::DELETE, format!("/ops/v1/accounts/{}/sessions", customer.username), Some(&reason)),
        (Method::POST, format!("/ops/v1/accounts/{}/invitation", customer.username), None),
        (Method::POST, format!("/ops/v1/verifications/{account_id}/decision"), None),
    ];
    for (method, path, body) in decisions {
        let refused = app.ops_as_reader(method.clone(), &path, body).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{method} {path}");
    }
    // Nothing a reader asked was done: the account still signs in.
    assert_eq!(app.sign_in(&customer.username, &customer.password).await.status(), StatusCode::CREATED);
}

/// The stack deploys with the template's defaults where a new AWS account
/// would need them: nothing reserved for the hashing functions (a new
/// account's quota could not hold 8 × 50 + 100), so the functions share
/// the account's pool.
#[tokio::test]
#[cfg_attr(not(feature = "stack"), ignore = "needs the deployed shape (scripts/stack and the stack feature)")]
async fn with_the_templates_defaults_no_function_reserves_concurrency() {
    let app = spawn_app().await;
    for function in ["sessions", "set-password", "forgot-password", "passkeys"] {
        let path = format!("/2019-09-30/functions/accounts-{function}/concurrency");
        let answer = app.emulator_get("lambda", &path).await;
        assert_eq!(answer.status(), StatusCode::OK, "{function}");
        let body: serde_json::Value = answer.json().await.unwrap();
        assert!(body.get("ReservedConcurrentExecutions").is_none_or(serde_json::Value::is_null), "{function}: {body}");
    }
}
