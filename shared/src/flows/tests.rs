//! Flow tests over the ports, without HTTP: the embedded store in a temp
//! directory, the outbox, and test doubles only where a fault is injected.

use std::sync::Arc;

use async_trait::async_trait;

use super::sign_up::{SignUp, sign_up};
use super::sms_codes::send_code;
use super::{Dependency, FlowError};
use crate::app::EmbeddedApp;
use crate::config::Config;
use crate::domain::sms_code::SmsPurpose;
use crate::domain::{Email, Phone, Username};
use crate::i18n::Lang;
use crate::notify::{EmailMessage, Mailer, SendError, SmsMessage, SmsSender};

fn embedded() -> (tempfile::TempDir, EmbeddedApp) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_string_lossy().into_owned();
    let config = Config::from_lookup(|name| (name == "ACCOUNTS_DATA_DIR").then(|| path.clone())).unwrap();
    (dir, EmbeddedApp::open(config).unwrap())
}

struct DownProvider;

#[async_trait]
impl Mailer for DownProvider {
    async fn send_email(&self, _: EmailMessage) -> Result<(), SendError> {
        Err(SendError::Unavailable("throttled".into()))
    }
}

#[async_trait]
impl SmsSender for DownProvider {
    async fn send_sms(&self, _: SmsMessage) -> Result<(), SendError> {
        Err(SendError::Unavailable("throttled".into()))
    }
}

async fn code_in_outbox(app: &EmbeddedApp) -> String {
    let sms = app.outbox.entries().await.unwrap().pop().unwrap();
    sms.text.split(|c: char| !c.is_ascii_digit()).find(|run| run.len() == 6).unwrap().to_owned()
}

fn request(code: String) -> SignUp {
    SignUp {
        username: Username::parse("flowuser").unwrap(),
        email: Email::parse("flow@example.com").unwrap(),
        phone: Phone::parse("+8613800138000").unwrap(),
        sms_code: code.into(),
        organization: None,
        referrer_phone: None,
        lang: Lang::En,
    }
}

#[tokio::test]
async fn a_lost_invitation_still_leaves_the_account_saved() {
    let (_dir, mut embedded) = embedded();
    let phone = Phone::parse("+8613800138000").unwrap();
    send_code(&embedded.app, &phone, SmsPurpose::SignUp, None, "192.0.2.1", Lang::En).await.unwrap();
    let code = code_in_outbox(&embedded).await;
    embedded.app.mailer = Arc::new(DownProvider);

    let account = sign_up(&embedded.app, request(code)).await.expect("the sign-up is kept");
    let records = embedded.app.records();
    assert!(records.account(&account.account_id).await.unwrap().is_some());
    let username = crate::domain::Username::parse("flowuser").unwrap();
    assert!(records.account_by_username(&username).await.unwrap().is_some());
}

#[tokio::test]
async fn an_sms_provider_outage_is_unavailable_and_frees_the_cooldown() {
    let (_dir, mut embedded) = embedded();
    let working_sms = embedded.app.sms.clone();
    embedded.app.sms = Arc::new(DownProvider);
    let phone = Phone::parse("+8613800138000").unwrap();
    let result = send_code(&embedded.app, &phone, SmsPurpose::SignUp, None, "192.0.2.1", Lang::En).await;
    let unavailable = FlowError::Dependency(Dependency::Send(SendError::Unavailable("throttled".into())));
    assert!(matches!(&result, Err(e) if *e == unavailable), "{result:?}");
    embedded.app.sms = working_sms;
    send_code(&embedded.app, &phone, SmsPurpose::SignUp, None, "192.0.2.1", Lang::En)
        .await
        .expect("no cooldown after a failed send");
}

#[tokio::test]
async fn a_lost_invitation_is_recovered_through_forgot_password() {
    use super::forgot_password::{Method, forgot_password};
    use super::set_password::set_password;

    let (_dir, mut embedded) = embedded();
    let phone = Phone::parse("+8613800138000").unwrap();
    send_code(&embedded.app, &phone, SmsPurpose::SignUp, None, "192.0.2.1", Lang::En).await.unwrap();
    let code = code_in_outbox(&embedded).await;
    let working_mailer = embedded.app.mailer.clone();
    embedded.app.mailer = Arc::new(DownProvider);
    sign_up(&embedded.app, request(code)).await.unwrap();
    assert!(embedded.outbox.entries().await.unwrap().iter().all(|m| m.channel == "sms"), "no invitation left");

    embedded.app.mailer = working_mailer;
    forgot_password(&embedded.app, "flow@example.com", Method::Email, "192.0.2.1", Lang::En).await.unwrap();
    let invitation = embedded.outbox.entries().await.unwrap().pop().unwrap();
    assert_eq!(invitation.channel, "email");
    let token = invitation.text.split("token=").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    set_password(
        &embedded.app,
        &token.into(),
        &"Gpu#Cl0ud-Strong9".to_owned().into(),
        Some("+8613800138000"),
        Lang::En,
    )
    .await
    .expect("the fresh link activates");
}

#[tokio::test]
async fn a_sign_up_counts_its_sms_its_account_and_its_email() {
    use crate::metrics::{Metric, Metrics};
    let (_dir, mut embedded) = embedded();
    let recorded = Arc::new(std::sync::Mutex::new(Vec::new()));
    embedded.app.metrics = Metrics::Recorded(recorded.clone());
    let phone = Phone::parse("+8613800138000").unwrap();
    send_code(&embedded.app, &phone, SmsPurpose::SignUp, None, "192.0.2.1", Lang::En).await.unwrap();
    let code = code_in_outbox(&embedded).await;
    sign_up(&embedded.app, request(code)).await.unwrap();
    let counted = recorded.lock().unwrap().clone();
    assert_eq!(
        counted,
        vec![Metric::SmsSent { purpose: "sign_up", region: "CN".into() }, Metric::SignUp, Metric::EmailSent]
    );
}
