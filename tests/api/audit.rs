//! The audit trail records security events without personal data.

use accounts_tests::{PASSWORD, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::json;
use shared::flows::audit::AuditEvent;

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "reads the dev server's own state")]
async fn security_events_are_recorded_without_personal_data() {
    let app = spawn_app().await;
    let customer = app.activated_customer("audited").await;
    app.sign_in(&customer.username, "Wrong#Pass1").await;
    let token = app.token_for(&customer).await;
    let response = app
        .client
        .put(format!("{}/v1/me/password", app.base))
        .bearer_auth(&token)
        .json(&json!({"current_password": PASSWORD, "new_password": "Audit#Gpu-Pass9"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.with_token(Method::DELETE, "/v1/sessions/current", &token).await.status(), StatusCode::NO_CONTENT);

    let me = app.sign_in(&customer.username, "Audit#Gpu-Pass9").await.json::<serde_json::Value>().await.unwrap();
    let account_id = me["account"]["account_id"].as_str().and_then(shared::domain::AccountId::parse).unwrap();
    let trail = shared::flows::audit::list(app.dev().app(), &account_id).await.unwrap();
    let events: Vec<AuditEvent> = trail.iter().map(|r| r.event).collect();
    use AuditEvent::*;
    for expected in [SignedUp, Activated, SignInFailed, SignedIn, PasswordChanged, SessionsEnded, SignedOut] {
        assert!(events.contains(&expected), "{expected:?} missing from {events:?}");
    }
    assert_eq!(events.first(), Some(&SignedUp));
    let text = serde_json::to_string(&trail).unwrap();
    for personal in
        [customer.email.as_str(), customer.phone.as_str(), customer.username.as_str(), PASSWORD, token.as_str()]
    {
        assert!(!text.contains(personal), "the trail holds {personal}");
    }
}
