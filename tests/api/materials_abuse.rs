//! Verification documents: daily slots, bytes frozen at submission, stale
//! uploads deleted.

use accounts_tests::{assert_problem, aws_backend, spawn_app};

use super::verification::{individual, submit};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn png() -> Vec<u8> {
    [&b"\x89PNG\r\n\x1a\n"[..], &[0u8; 64]].concat()
}

async fn announce(app: &accounts_tests::TestApp, token: &str) -> reqwest::Response {
    let body = json!({"file_name": "id.png", "content_type": "image/png", "size": png().len()});
    app.client
        .post(format!("{}/v1/me/verification/materials", app.base))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn at_most_twenty_material_slots_a_day() {
    let app = spawn_app().await;
    let customer = app.activated_customer("hoarder").await;
    let token = app.token_for(&customer).await;
    for _ in 0..20 {
        assert_eq!(announce(&app, &token).await.status(), StatusCode::CREATED);
    }
    assert_problem(announce(&app, &token).await, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn submitted_bytes_cannot_be_replaced_and_stale_uploads_are_deleted() {
    let app = spawn_app().await;
    let customer = app.activated_customer("swapper").await;
    let token = app.token_for(&customer).await;
    let announced: Value = announce(&app, &token).await.json().await.unwrap();
    let url = app.reachable(announced["upload_url"].as_str().unwrap());
    let put = |bytes: Vec<u8>| app.client.put(&url).header("content-type", "image/png").body(bytes).send();
    assert!(put(png()).await.unwrap().status().is_success());
    let id = announced["material_id"].as_str().unwrap().to_owned();
    assert_eq!(submit(&app, &token, &individual(&[id])).await.status(), StatusCode::ACCEPTED);
    // A swap after submission does not reach what operators review.
    let mut swapped = png();
    swapped[20] = 0xAA;
    let late = put(swapped).await.unwrap();
    if !aws_backend() {
        assert_eq!(late.status(), StatusCode::FORBIDDEN, "the dev server refuses the upload URL");
    }
    let me: Value = app.with_token(Method::GET, "/v1/me", &token).await.json().await.unwrap();
    let account_id = me["account_id"].as_str().unwrap();
    let review: Value =
        app.ops(Method::GET, &format!("/ops/v1/verifications/{account_id}"), None).await.json().await.unwrap();
    let download = review["materials"][0]["download_url"].as_str().expect("a download URL");
    let bytes = app.client.get(app.reachable(download)).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(bytes.to_vec(), png(), "operators see the submitted bytes");

    // An upload never submitted is gone, bytes included, after a day.
    let stale: Value = announce(&app, &token).await.json().await.unwrap();
    let stale_url = app.reachable(stale["upload_url"].as_str().unwrap());
    app.client.put(&stale_url).header("content-type", "image/png").body(png()).send().await.unwrap();
    app.advance_clock(86_401).await;
    if !aws_backend() {
        let file =
            app.data_dir.path().join("objects/uploads").join(account_id).join(stale["material_id"].as_str().unwrap());
        assert!(!file.exists(), "{file:?} outlived its day");
    }
}

#[tokio::test]
async fn erasure_removes_every_object_of_the_account() {
    let app = spawn_app().await;
    let customer = app.activated_customer("erasable").await;
    let token = app.token_for(&customer).await;
    let submitted = app.upload_material(&token, "image/png", &png()).await;
    assert_eq!(submit(&app, &token, &individual(&[submitted])).await.status(), StatusCode::ACCEPTED);
    app.upload_material(&token, "image/png", &png()).await;
    let me: Value = app.with_token(Method::GET, "/v1/me", &token).await.json().await.unwrap();
    let account_id = me["account_id"].as_str().unwrap().to_owned();
    let (submitted, uploads) = (format!("submitted/{account_id}/"), format!("uploads/{account_id}/"));
    assert_eq!(app.stored_objects(&submitted).await.len(), 1, "the submitted copy");
    assert_eq!(app.stored_objects(&uploads).await.len(), 2, "both uploads");
    let request = app
        .client
        .post(format!("{}/v1/me/deletion-request", app.base))
        .bearer_auth(&token)
        .json(&json!({"password": customer.password}))
        .send()
        .await
        .unwrap();
    let request_id = request.json::<Value>().await.unwrap()["request_id"].as_str().unwrap().to_owned();
    let decided = app
        .ops(
            Method::POST,
            &format!("/ops/v1/deletion-requests/{request_id}/decision"),
            Some(&json!({"decision": "approve"})),
        )
        .await;
    assert_eq!(decided.status(), StatusCode::OK);
    for prefix in [submitted, uploads] {
        assert_eq!(app.stored_objects(&prefix).await, Vec::<String>::new(), "{prefix} outlived the account");
    }
}
