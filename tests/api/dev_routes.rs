//! The dev server's own routes (`/_dev/...`), which no Lambda serves.

use accounts_tests::spawn_app;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "calls a dev-only route")]
#[cfg_attr(feature = "aws", ignore = "on the aws backend messages go to SES and SNS: the outbox is empty")]
async fn the_outbox_lists_one_recipients_messages_when_asked() {
    let app = spawn_app().await;
    let (first, second) = (app.fresh_phone(), app.fresh_phone());
    for phone in [&first, &second] {
        let response = app.post("/v1/sms-codes", &json!({"phone": phone, "purpose": "sign_up"})).await;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
    }
    let outbox = |query: String| {
        let url = format!("{}/_dev/outbox{query}", app.base);
        async { app.client.get(url).send().await.unwrap().json::<Vec<Value>>().await.unwrap() }
    };

    let all = outbox(String::new()).await;
    assert_eq!(all.len(), 2);
    // `+` must be escaped in a query, or it reads as a space.
    let only_first = outbox(format!("?to={}", first.replace('+', "%2B"))).await;
    assert_eq!(only_first.len(), 1);
    assert_eq!(only_first[0]["to"], first.as_str());
    assert!(outbox("?to=nobody%40example.com".into()).await.is_empty());
}
