//! Every message accounted for ("Everyday support", "Day one on a real AWS
//! account"): each email and SMS handed to the provider, or refused by it,
//! is on the account's trail with its purpose (never its text, link or
//! code); what SES reports afterwards (delivery, bounce, complaint,
//! reject) reaches the trail through the `email-events` function, read
//! from SES's own notification records (`events/ses/`). Messages carry the
//! sender's name and the SMS signature.

use accounts_tests::faults::Faults;
use accounts_tests::{TestApp, spawn_app, spawn_app_with_faults, stack};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The trail of `account_id`: `(event, actor kind, detail)`, oldest first.
async fn trail(app: &TestApp, account_id: &str) -> Vec<(String, String, String)> {
    let path = format!("/ops/v1/audit?account_id={account_id}&limit=200");
    let trail: Value = app.ops(Method::GET, &path, None).await.json().await.unwrap();
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (text(&r["event"]), text(&r["actor"]["kind"]), text(&r["detail"])))
        .collect()
}

fn has(trail: &[(String, String, String)], event: &str, detail: &str) -> bool {
    trail.iter().any(|(e, actor, d)| e == event && d == detail && actor == "system")
}

#[tokio::test]
async fn every_message_sent_is_on_the_trail_with_its_purpose_and_nothing_of_its_text() {
    let app = spawn_app().await;
    let customer = app.activated_customer("accounted").await;
    let token = app.token_for(&customer).await;
    let account_id = app.account_id(&token).await;
    let body = json!({"login": customer.username, "method": "sms"});
    assert_eq!(app.post("/v1/password/forgot", &body).await.status(), StatusCode::ACCEPTED);
    let events = trail(&app, &account_id).await;
    assert!(has(&events, "email_sent", "invitation"), "{events:?}");
    assert!(has(&events, "sms_sent", "reset_password"), "{events:?}");
    let code = app.last_sms_code(&customer.phone).await;
    let everything = format!("{events:?}");
    assert!(!everything.contains(&code) && !everything.contains("token="), "no code or link: {everything}");
    // The SMS opens with the signature; the email names its sender.
    let sms = app.outbox().await.into_iter().rev().find(|m| m["to"] == customer.phone.as_str()).unwrap();
    assert!(sms["text"].as_str().unwrap().starts_with("【GPU云】"), "{sms}");
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "takes the dev server's providers down, which the deployed shape has not")]
async fn a_message_the_provider_refuses_is_on_the_trail_as_failed() {
    let faults = Faults::new();
    let app = spawn_app_with_faults(&[], &faults).await;
    let customer = app.activated_customer("refused").await;
    let token = app.token_for(&customer).await;
    let account_id = app.account_id(&token).await;
    faults.take_down("mailer");
    let body = json!({"login": customer.username});
    assert_eq!(app.post("/v1/password/forgot", &body).await.status(), StatusCode::ACCEPTED);
    faults.disarm();
    faults.take_down("sms");
    let body = json!({"login": customer.username, "method": "sms"});
    assert_eq!(app.post("/v1/password/forgot", &body).await.status(), StatusCode::ACCEPTED, "answered alike");
    faults.disarm();
    let events = trail(&app, &account_id).await;
    assert!(has(&events, "email_failed", "reset_password"), "{events:?}");
    assert!(has(&events, "sms_failed", "reset_password"), "{events:?}");
}

/// SES's notification record `name` (`events/ses/`), about `account_id`.
fn notification(name: &str, account_id: &str) -> Value {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../events/ses").join(format!("{name}.json"));
    let mut event: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let message = event["Records"][0]["Sns"]["Message"].as_str().unwrap();
    let mut record: Value = serde_json::from_str(message).unwrap();
    record["mail"]["tags"]["account_id"] = json!([account_id]);
    event["Records"][0]["Sns"]["Message"] = Value::from(record.to_string());
    event
}

const REPORTED: [(&str, &str, &str); 4] = [
    ("delivery", "email_delivered", "invitation"),
    ("bounce", "email_bounced", "invitation (Permanent)"),
    ("complaint", "email_complained", "invitation"),
    ("reject", "email_failed", "invitation (rejected)"),
];

#[tokio::test]
#[cfg_attr(
    feature = "stack",
    ignore = "invokes the handler in the dev server's process; the stack test publishes to the topic"
)]
async fn what_ses_reports_reaches_the_trail_of_the_account_the_email_was_about() {
    let app = spawn_app().await;
    let customer = app.activated_customer("reported").await;
    let token = app.token_for(&customer).await;
    let account_id = app.account_id(&token).await;
    for (name, event, detail) in REPORTED {
        let recorded = shared::lambda::handle_email_events(app.dev().app(), notification(name, &account_id)).await;
        assert_eq!(recorded, Ok(1), "{name}");
        assert!(has(&trail(&app, &account_id).await, event, detail), "{name}: {event} {detail}");
    }
    // About no account (an erased one, or an appeal's contact address).
    let nobody = notification("bounce", "0123456789abcdef0123456789abcdef");
    assert_eq!(shared::lambda::handle_email_events(app.dev().app(), nobody).await, Ok(0));
    assert_eq!(shared::lambda::handle_email_events(app.dev().app(), json!({"Records": []})).await, Ok(0));
    let stranger = json!({"Records": [{"Sns": {"Message": "not an SES record"}}]});
    assert_eq!(shared::lambda::handle_email_events(app.dev().app(), stranger).await, Ok(0));
}

/// On the deployed shape, through the topic SES publishes to: the
/// subscription invokes the function, which writes the trail.
#[tokio::test]
#[cfg_attr(not(feature = "stack"), ignore = "the topic and its subscription are the stack's (scripts/stack)")]
async fn on_the_stack_ses_notifications_reach_the_trail_through_the_topic() {
    let stack = stack().expect("the stack");
    let app = spawn_app().await;
    let customer = app.activated_customer("throughsns").await;
    let token = app.token_for(&customer).await;
    let account_id = app.account_id(&token).await;
    let sns = app.stack_sns(stack).await;
    for (name, event, detail) in REPORTED {
        let envelope = notification(name, &account_id);
        let message = envelope["Records"][0]["Sns"]["Message"].as_str().unwrap().to_owned();
        sns.publish().topic_arn(&stack.email_events_topic).message(message).send().await.expect("published");
        let mut seen = false;
        for _ in 0..50 {
            if has(&trail(&app, &account_id).await, event, detail) {
                seen = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        assert!(seen, "{name} reached the trail through the topic");
    }
}
