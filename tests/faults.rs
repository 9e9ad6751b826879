//! Fault injection. Throttling and outages of DynamoDB, SES and SNS must
//! reach the client as `503 unavailable` with `Retry-After`, never as `500`,
//! and a failure to send after the state was written must not lose the
//! customer's sign-up. Two kinds of fault: a fault server speaking each
//! service's error protocol to the real SDK clients, and a store double at
//! the port for faults in the middle of a flow.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use accounts_tests::{emulator_endpoint, unique_tag};
use async_trait::async_trait;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use lambda_http::http::StatusCode;
use serde_json::Value;
use shared::ExposeSecret;
use shared::app::{App, EmbeddedApp};
use shared::clock::SystemClock;
use shared::domain::sms_code::SmsPurpose;
use shared::domain::{AccountId, Email, Phone, Username};
use shared::flows::sign_up::{SignUp, sign_up};
use shared::flows::sms_codes::send_code;
use shared::i18n::Lang;
use shared::notify::ses::SesMailer;
use shared::notify::sns::SnsSmsSender;
use shared::notify::{EmailMessage, Mailer, MessageTags, SendError, SmsMessage, SmsSender};
use shared::persistence::keys;
use shared::store::dynamodb::DynamoStore;
use shared::store::{Counter, Item, Key, Order, Store, StoreError, WriteOp};

/// An HTTP server answering every request with one canned error response.
async fn fault_server(status: u16, headers: &'static [(&'static str, &'static str)], body: &'static str) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let service = service_fn(move |_req| async move {
                    let mut response = hyper::Response::builder().status(status);
                    for (name, value) in headers {
                        response = response.header(*name, *value);
                    }
                    Ok::<_, std::convert::Infallible>(
                        response.body(Full::new(Bytes::from_static(body.as_bytes()))).unwrap(),
                    )
                });
                let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    });
    addr
}

/// SDK configuration pointing at `addr`, without retries so each fault is
/// seen once.
async fn sdk_at(addr: SocketAddr) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(shared::aws_http::https_client())
        .endpoint_url(format!("http://{addr}"))
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new("testing", "testing", None, None, "faults"))
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .load()
        .await
}

const JSON_1_0: &[(&str, &str)] = &[("content-type", "application/x-amz-json-1.0")];

#[tokio::test]
async fn dynamodb_throttling_is_unavailable() {
    let addr = fault_server(400, JSON_1_0, r#"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate of requests exceeds the allowed throughput."}"#).await;
    let store =
        DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk_at(addr).await), "t", Arc::new(SystemClock::default()));
    let error = store.get(&keys::account(&AccountId::parse(&"a".repeat(32)).unwrap())).await.unwrap_err();
    assert!(matches!(&error, StoreError::Unavailable(m) if m.contains("ThrottlingException")), "{error:?}");
    let error = store.increment(&keys::rate("k", "s"), 1).await.unwrap_err();
    assert!(matches!(error, StoreError::Unavailable(_)), "{error:?}");
}

#[tokio::test]
async fn dynamodb_capacity_errors_and_outages_are_unavailable() {
    let addr = fault_server(
        400,
        JSON_1_0,
        r#"{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"x"}"#,
    )
    .await;
    let store =
        DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk_at(addr).await), "t", Arc::new(SystemClock::default()));
    assert!(matches!(store.query("p", "s").await, Err(StoreError::Unavailable(_))));
    let addr = fault_server(503, JSON_1_0, "").await;
    let store =
        DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk_at(addr).await), "t", Arc::new(SystemClock::default()));
    assert!(matches!(
        store.get(&keys::account(&AccountId::parse(&"a".repeat(32)).unwrap())).await,
        Err(StoreError::Unavailable(_))
    ));
}

#[tokio::test]
async fn a_missing_table_is_our_fault_not_the_clients() {
    let addr = fault_server(400, JSON_1_0, r#"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}"#).await;
    let store =
        DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk_at(addr).await), "t", Arc::new(SystemClock::default()));
    assert!(matches!(
        store.get(&keys::account(&AccountId::parse(&"a".repeat(32)).unwrap())).await,
        Err(StoreError::Internal(_))
    ));
}

fn email() -> EmailMessage {
    EmailMessage {
        to: "a@example.com".into(),
        subject: "s".into(),
        text: "t".into(),
        html: "<p>h</p>".into(),
        tags: MessageTags { account_id: Some("0123456789abcdef0123456789abcdef".into()), purpose: "invitation".into() },
    }
}

/// An HTTP server answering every request with `status` and `body`, and
/// keeping each request's body: what the real SDK client sent.
async fn recording_server(status: u16, body: &'static str) -> (SocketAddr, Arc<std::sync::Mutex<Vec<Bytes>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen: Arc<std::sync::Mutex<Vec<Bytes>>> = Arc::default();
    let kept = seen.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let kept = kept.clone();
                    async move {
                        let bytes = http_body_util::BodyExt::collect(req.into_body()).await.unwrap().to_bytes();
                        kept.lock().unwrap().push(bytes);
                        let response =
                            hyper::Response::builder().status(status).header("content-type", "application/json");
                        Ok::<_, std::convert::Infallible>(
                            response.body(Full::new(Bytes::from_static(body.as_bytes()))).unwrap(),
                        )
                    }
                });
                let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    });
    (addr, seen)
}

/// What SES receives: the sender with its display name (an RFC 2047
/// encoded word when it is not ASCII), the configuration set, and the tags
/// its notifications bring back — and nothing about the account beyond its id.
#[tokio::test]
async fn an_email_goes_to_ses_with_the_senders_name_the_configuration_set_and_its_tags() {
    let (addr, seen) = recording_server(200, r#"{"MessageId":"m1"}"#).await;
    let from = shared::notify::sender("GPU云", "no-reply@gpu.example");
    let mailer = SesMailer::new(aws_sdk_sesv2::Client::new(&sdk_at(addr).await), from)
        .with_configuration_set(Some("accounts-set".into()));
    mailer.send_email(email()).await.expect("sent");
    let sent: Value = serde_json::from_slice(&seen.lock().unwrap()[0]).unwrap();
    assert_eq!(sent["FromEmailAddress"], "=?UTF-8?B?R1BV5LqR?= <no-reply@gpu.example>");
    assert_eq!(sent["ConfigurationSetName"], "accounts-set");
    assert_eq!(
        sent["EmailTags"],
        serde_json::json!([{"Name": "account_id", "Value": "0123456789abcdef0123456789abcdef"},
            {"Name": "purpose", "Value": "invitation"}])
    );
}

/// What SNS receives: the text as given (the signature is part of it), a
/// transactional message, and the sender id and origination number.
#[tokio::test]
async fn an_sms_goes_to_sns_with_its_sender_id_and_origination_number() {
    let body = r#"<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m1</MessageId></PublishResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></PublishResponse>"#;
    let (addr, seen) = recording_server(200, body).await;
    let sender = SnsSmsSender::new(aws_sdk_sns::Client::new(&sdk_at(addr).await))
        .from_origin(Some("GPUCloud".into()), Some("+18005550100".into()));
    sender.send_sms(SmsMessage { to: "+8613800138000".into(), text: "【GPU云】123456".into() }).await.expect("sent");
    let form = String::from_utf8(seen.lock().unwrap()[0].to_vec()).unwrap();
    let fields: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(form.as_bytes()).into_owned().collect();
    assert_eq!(fields["Message"], "【GPU云】123456");
    let attribute = |name: &str| {
        let entry = fields
            .iter()
            .find(|(k, v)| k.ends_with(".Name") && *v == name)
            .map(|(k, _)| k.trim_end_matches(".Name").to_owned());
        entry.map(|prefix| fields[&format!("{prefix}.Value.StringValue")].clone())
    };
    assert_eq!(attribute("AWS.SNS.SMS.SMSType").as_deref(), Some("Transactional"));
    assert_eq!(attribute("AWS.SNS.SMS.SenderID").as_deref(), Some("GPUCloud"));
    assert_eq!(attribute("AWS.MM.SMS.OriginationNumber").as_deref(), Some("+18005550100"));
}

#[tokio::test]
async fn ses_throttling_and_outage_are_unavailable_and_rejection_is_permanent() {
    let throttled = fault_server(
        429,
        &[("x-amzn-errortype", "TooManyRequestsException"), ("content-type", "application/json")],
        r#"{"message":"Maximum sending rate exceeded."}"#,
    )
    .await;
    let mailer = SesMailer::new(aws_sdk_sesv2::Client::new(&sdk_at(throttled).await), "no-reply@example.com");
    assert!(matches!(mailer.send_email(email()).await, Err(SendError::Unavailable(_))));
    let down = fault_server(503, &[("content-type", "application/json")], "{}").await;
    let mailer = SesMailer::new(aws_sdk_sesv2::Client::new(&sdk_at(down).await), "no-reply@example.com");
    assert!(matches!(mailer.send_email(email()).await, Err(SendError::Unavailable(_))));
    let rejected = fault_server(
        400,
        &[("x-amzn-errortype", "MessageRejected"), ("content-type", "application/json")],
        r#"{"message":"Email address is not verified."}"#,
    )
    .await;
    let mailer = SesMailer::new(aws_sdk_sesv2::Client::new(&sdk_at(rejected).await), "no-reply@example.com");
    assert!(matches!(mailer.send_email(email()).await, Err(SendError::Rejected(_))));
}

#[tokio::test]
async fn sns_throttling_is_unavailable() {
    let body = r#"<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>Throttled</Code><Message>Rate exceeded</Message></Error><RequestId>1</RequestId></ErrorResponse>"#;
    let addr = fault_server(400, &[("content-type", "text/xml")], body).await;
    let sender = SnsSmsSender::new(aws_sdk_sns::Client::new(&sdk_at(addr).await));
    let result = sender.send_sms(SmsMessage { to: "+8613800138000".into(), text: "123456".into() }).await;
    assert!(matches!(result, Err(SendError::Unavailable(_))), "{result:?}");
}

#[tokio::test]
async fn s3_throttling_and_outage_are_unavailable_and_a_refusal_is_our_fault() {
    use shared::documents::{DocumentError, DocumentStore, s3::S3Documents};
    let documents_at = |addr| async move {
        let client = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&sdk_at(addr).await).force_path_style(true).build(),
        );
        S3Documents::new(client, "materials")
    };
    let slow_down = fault_server(
        503,
        &[("content-type", "application/xml")],
        r#"<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>1</RequestId></Error>"#,
    )
    .await;
    let documents = documents_at(slow_down).await;
    assert!(matches!(documents.copy("uploads/a/m", "submitted/a/m").await, Err(DocumentError::Unavailable(_))));
    assert!(matches!(documents.inspect("uploads/a/m").await, Err(DocumentError::Unavailable(_))));
    assert!(matches!(documents.delete_prefix("uploads/a/").await, Err(DocumentError::Unavailable(_))));
    let denied = fault_server(
        403,
        &[("content-type", "application/xml")],
        r#"<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>1</RequestId></Error>"#,
    )
    .await;
    let documents = documents_at(denied).await;
    // Without ListBucket, S3 answers a missing source with 403: no upload.
    assert_eq!(documents.copy("uploads/a/m", "submitted/a/m").await, Ok(false));
    assert!(matches!(documents.delete("uploads/a/m").await, Err(DocumentError::Internal(_))));
}

#[tokio::test]
async fn kms_throttling_and_outage_are_unavailable_and_a_refusal_is_our_fault() {
    use shared::sealing::{SealError, Sealer, kms::KmsSealer};
    const JSON_1_1: &[(&str, &str)] = &[("content-type", "application/x-amz-json-1.1")];
    let sealer_at = |addr| async move {
        KmsSealer::new(aws_sdk_kms::Client::new(&sdk_at(addr).await), "alias/accounts-totp".to_owned())
    };
    let throttled = fault_server(400, JSON_1_1, r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#).await;
    let sealer = sealer_at(throttled).await;
    assert!(matches!(sealer.seal(b"secret", "account").await, Err(SealError::Unavailable(_))));
    let down = fault_server(500, JSON_1_1, r#"{"__type":"KMSInternalException","message":"x"}"#).await;
    let sealer = sealer_at(down).await;
    assert!(matches!(sealer.seal(b"secret", "account").await, Err(SealError::Unavailable(_))));
    let denied = fault_server(400, JSON_1_1, r#"{"__type":"AccessDeniedException","message":"not allowed"}"#).await;
    let sealer = sealer_at(denied).await;
    assert!(matches!(sealer.seal(b"secret", "account").await, Err(SealError::Internal(_))));
}

/// A store that fails its `n`-th call (counting from 1) and every later
/// one, or never when `n` is 0; and any transaction `refuse` picks.
struct FailingStore {
    inner: Arc<dyn Store>,
    calls: AtomicUsize,
    fail_from: usize,
    refuse: fn(&[WriteOp]) -> bool,
}

impl FailingStore {
    /// Fails from the `fail_from`-th call on.
    fn from_call(inner: Arc<dyn Store>, fail_from: usize) -> Self {
        Self { inner, calls: AtomicUsize::new(0), fail_from, refuse: |_| false }
    }

    fn check(&self) -> Result<(), StoreError> {
        let call = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if self.fail_from != 0 && call >= self.fail_from {
            return Err(StoreError::Unavailable("injected throttling".into()));
        }
        Ok(())
    }
}

#[async_trait]
impl Store for FailingStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.check()?;
        self.inner.get(key).await
    }
    async fn query(&self, pk: &str, sk_prefix: &str) -> Result<Vec<Item>, StoreError> {
        self.check()?;
        self.inner.query(pk, sk_prefix).await
    }
    async fn query_page(
        &self,
        pk: &str,
        sk_prefix: &str,
        limit: usize,
        after: Option<&str>,
        order: Order,
    ) -> Result<(Vec<Item>, Option<String>), StoreError> {
        self.check()?;
        self.inner.query_page(pk, sk_prefix, limit, after, order).await
    }
    async fn transact(&self, ops: Vec<WriteOp>) -> Result<(), StoreError> {
        self.check()?;
        if (self.refuse)(&ops) {
            return Err(StoreError::Unavailable("injected: transaction refused".into()));
        }
        self.inner.transact(ops).await
    }
    async fn increment(&self, key: &Key, window_end: i64) -> Result<Counter, StoreError> {
        self.check()?;
        self.inner.increment(key, window_end).await
    }
    async fn decrement(&self, key: &Key) -> Result<(), StoreError> {
        self.check()?;
        self.inner.decrement(key).await
    }
}

fn embedded_app() -> (tempfile::TempDir, EmbeddedApp) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_string_lossy().into_owned();
    let config = shared::Config::from_lookup(|name| (name == "ACCOUNTS_DATA_DIR").then(|| path.clone())).unwrap();
    (dir, EmbeddedApp::open(config).unwrap())
}

fn event(name: &str) -> Value {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../events").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

async fn invoke(app: &App, event: &Value) -> lambda_http::Response<lambda_http::Body> {
    let request = lambda_http::request::from_str(&event.to_string()).unwrap();
    shared::api::handle(app, None, request).await
}

/// Each of the flow's store calls, failing in turn (and every later one),
/// answers `503` with `Retry-After`: the sweep first counts the calls a
/// fault-free request makes, so that every run injects a fault.
#[tokio::test]
async fn a_store_fault_at_any_step_of_a_flow_is_a_503_with_retry_after() {
    for route in ["create-sms-code.json", "create-session.json", "get-me.json", "set-password.json"] {
        let calls = {
            let (_dir, embedded) = embedded_app();
            let counting = Arc::new(FailingStore::from_call(embedded.app.store.clone(), 0));
            let app = App { store: counting.clone(), ..embedded.app.clone() };
            invoke(&app, &event(route)).await;
            counting.calls.load(Ordering::SeqCst)
        };
        assert!(calls > 0, "{route} reaches the store");
        for fail_from in 1..=calls {
            let (_dir, embedded) = embedded_app();
            let failing = Arc::new(FailingStore::from_call(embedded.app.store.clone(), fail_from));
            let app = App { store: failing.clone(), ..embedded.app.clone() };
            let response = invoke(&app, &event(route)).await;
            assert!(failing.calls.load(Ordering::SeqCst) >= fail_from, "{route}: call {fail_from} was made");
            let status = response.status();
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{route} failing from call {fail_from} of {calls}");
            assert_eq!(response.headers()["retry-after"], "5");
            assert_eq!(response.headers()["content-type"], "application/problem+json");
            let lambda_http::Body::Text(body) = response.body() else { panic!("a problem body") };
            let problem: Value = serde_json::from_str(body).unwrap();
            assert_eq!(problem["code"], "unavailable");
            assert!(!body.contains("injected"), "the cause stays in the logs: {body}");
        }
    }
}

#[tokio::test]
#[cfg_attr(not(feature = "emulator"), ignore = "needs the AWS emulator (scripts/test: the emulator feature)")]
async fn an_ses_outage_after_sign_up_keeps_the_account() {
    emulator_endpoint();
    let emulator = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(shared::aws_http::https_client())
        .load()
        .await;
    let dynamodb = aws_sdk_dynamodb::Client::new(&emulator);
    let table = format!("faults-{}", unique_tag());
    shared::provision::ensure_table(&dynamodb, &table).await.unwrap();
    let ses_down = fault_server(503, &[("content-type", "application/json")], "{}").await;
    let clock = Arc::new(SystemClock::default());
    let (_dir, embedded) = embedded_app();
    let app = App {
        store: Arc::new(DynamoStore::new(dynamodb, table, clock.clone())),
        mailer: Arc::new(SesMailer::new(aws_sdk_sesv2::Client::new(&sdk_at(ses_down).await), "no-reply@example.com")),
        sms: Arc::new(SnsSmsSender::new(aws_sdk_sns::Client::new(&emulator))),
        clock,
        ..embedded.app.clone()
    };
    let suffix = u64::from_str_radix(&unique_tag(), 16).unwrap() % 100_000_000;
    let phone = Phone::parse(&format!("+86137{suffix:08}")).unwrap();
    send_code(&app, &phone, SmsPurpose::SignUp, None, "192.0.2.9", Lang::En).await.unwrap();
    let data: Value =
        reqwest::get(format!("{}/moto-api/data.json", emulator_endpoint())).await.unwrap().json().await.unwrap();
    let sms =
        data["sns"]["SMS"].as_array().unwrap().iter().rev().find(|m| m["phone_number"] == phone.as_str()).unwrap();
    let code: String =
        sms["message"].as_str().unwrap().split(|c: char| !c.is_ascii_digit()).find(|r| r.len() == 6).unwrap().into();

    let request = SignUp {
        username: Username::parse("sesdown").unwrap(),
        email: Email::parse("sesdown@example.com").unwrap(),
        phone,
        sms_code: code.into(),
        organization: None,
        referrer_phone: None,
        lang: Lang::En,
    };
    let account = sign_up(&app, request).await.expect("the sign-up is kept although the invitation failed");
    assert!(app.store.get(&keys::account(&account.account_id)).await.unwrap().is_some());
    assert!(app.store.get(&keys::email_guard("sesdown@example.com")).await.unwrap().is_some());
}

#[tokio::test]
async fn a_deletion_interrupted_at_any_step_finishes_when_decided_again() {
    use accounts_tests::{PASSWORD, spawn_app};
    use shared::flows::{FlowError, deletion};

    let mut interrupted = 0;
    for fail_from in 1..=14 {
        let app = spawn_app().await;
        let customer = app.activated_customer("halfgone").await;
        let token = app.token_for(&customer).await;
        let me: Value = app.with_token(reqwest::Method::GET, "/v1/me", &token).await.json().await.unwrap();
        let account_id = AccountId::parse(me["account_id"].as_str().unwrap()).unwrap();
        let created: Value = app
            .client
            .post(format!("{}/v1/me/deletion-request", app.base))
            .bearer_auth(&token)
            .json(&serde_json::json!({"password": PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let request_id = &shared::domain::RequestId::parse(created["request_id"].as_str().unwrap()).unwrap();
        let real = app.dev().app().clone();
        let mut faulty = real.clone();
        faulty.store = Arc::new(FailingStore::from_call(real.store.clone(), fail_from));

        if deletion::decide(&faulty, request_id, true, None, "operator").await.is_err() {
            interrupted += 1;
        }
        match deletion::decide(&real, request_id, true, None, "operator").await {
            // Finished now, or the interrupted run had already finished.
            Ok(_) | Err(FlowError::Conflicting(shared::domain::Code::DeletionNotPending)) => {}
            Err(e) => panic!("failing from call {fail_from}, the second decision failed: {e:?}"),
        }
        assert_eq!(app.sign_in(&customer.username, PASSWORD).await.status(), reqwest::StatusCode::UNAUTHORIZED);
        let partition = keys::account_partition(&account_id);
        assert!(
            real.store.query(&partition, "").await.unwrap().is_empty(),
            "failing from call {fail_from}: items remain"
        );
        for guard in [
            keys::username_guard("halfgone"),
            keys::email_guard(&customer.email.to_lowercase()),
            keys::phone_guard(&customer.phone),
        ] {
            assert!(real.store.get(&guard).await.unwrap().is_none(), "failing from call {fail_from}: a guard remains");
        }
    }
    assert!(interrupted >= 10, "the faults interrupted only {interrupted} runs");
}

#[tokio::test]
async fn sessions_from_before_a_password_change_are_refused_even_if_their_deletion_failed() {
    use shared::flows::{authentication, change_password, set_password};
    let (_dir, embedded) = embedded_app();
    let mut app = embedded.app.clone();
    let deletes_a_session = |ops: &[WriteOp]| {
        ops.iter().any(|op| matches!(op, WriteOp::Delete { key, .. } if key.sk.starts_with("SESSION#")))
    };
    app.store =
        Arc::new(FailingStore { refuse: deletes_a_session, ..FailingStore::from_call(embedded.app.store.clone(), 0) });
    let phone = Phone::parse("+8613700000042").unwrap();
    send_code(&app, &phone, SmsPurpose::SignUp, None, "192.0.2.9", Lang::En).await.unwrap();
    let sms = embedded.outbox.latest_to(phone.as_str()).await.unwrap().unwrap();
    let code: String = sms.text.split(|c: char| !c.is_ascii_digit()).find(|r| r.len() == 6).unwrap().into();
    let request = SignUp {
        username: Username::parse("epochs").unwrap(),
        email: Email::parse("epochs@example.com").unwrap(),
        phone: phone.clone(),
        sms_code: code.into(),
        organization: None,
        referrer_phone: None,
        lang: Lang::En,
    };
    sign_up(&app, request).await.unwrap();
    let invitation = embedded.outbox.latest_to("epochs@example.com").await.unwrap().unwrap();
    let token = accounts_tests::token_in(&invitation.text);
    let password = "Gpu#Cl0ud-Strong9";
    set_password::set_password(
        &app,
        &token.clone().into(),
        &password.to_owned().into(),
        Some(phone.as_str()),
        Lang::En,
    )
    .await
    .unwrap();
    let stale = session_token(&app, "epochs", password).await;
    let current = session_token(&app, "epochs", password).await;
    let signed_in = authentication::authenticate(&app, &current, "198.51.100.1").await.unwrap();
    // The password commits; ending the other sessions then fails.
    let change = change_password::PasswordChange {
        current_password: password.to_owned().into(),
        new_password: "New#Gpu-Pass42".to_owned().into(),
        code: None,
    };
    let changed = change_password::change_password(&app, &signed_in, change, Lang::En).await;
    assert!(changed.is_err(), "the injected fault surfaces");
    assert!(authentication::authenticate(&app, &current, "198.51.100.1").await.is_ok(), "the changing session stays");
    assert!(
        matches!(
            authentication::authenticate(&app, &stale, "198.51.100.1").await,
            Err(shared::flows::FlowError::Unauthenticated)
        ),
        "a session from before the change is refused although its item is still there"
    );
    let still_there = app.store.query(&keys::account_partition(&signed_in.account.account_id), "SESSION#").await;
    assert_eq!(still_there.unwrap().len(), 2);
}

/// A proxy in front of the emulator that loses the response of the first
/// `TransactWriteItems` after the emulator applied it, and answers a retry
/// carrying the same client request token with the first attempt's
/// response, as DynamoDB documents for such tokens (the emulator ignores
/// them). Records every token it saw.
async fn lossy_idempotent_proxy(upstream: String, tokens: Arc<std::sync::Mutex<Vec<String>>>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let answered: Arc<std::sync::Mutex<std::collections::HashMap<String, (u16, Bytes)>>> = Arc::default();
    tokio::spawn(async move {
        let http = reqwest::Client::new();
        while let Ok((stream, _)) = listener.accept().await {
            let (http, upstream, tokens, answered) = (http.clone(), upstream.clone(), tokens.clone(), answered.clone());
            tokio::spawn(async move {
                let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let (http, upstream, tokens, answered) =
                        (http.clone(), upstream.clone(), tokens.clone(), answered.clone());
                    async move {
                        let (parts, body) = req.into_parts();
                        let body = http_body_util::BodyExt::collect(body).await.unwrap().to_bytes();
                        let target = parts.headers.get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or("");
                        let token = serde_json::from_slice::<Value>(&body)
                            .ok()
                            .and_then(|v| v["ClientRequestToken"].as_str().map(str::to_owned));
                        let transaction = target.ends_with("TransactWriteItems");
                        if let (true, Some(token)) = (transaction, &token) {
                            tokens.lock().unwrap().push(token.clone());
                            if let Some((status, cached)) = answered.lock().unwrap().get(token).cloned() {
                                let response = hyper::Response::builder().status(status);
                                return Ok::<_, std::convert::Infallible>(
                                    response
                                        .header("content-type", "application/x-amz-json-1.0")
                                        .body(Full::new(cached))
                                        .unwrap(),
                                );
                            }
                        }
                        let mut forwarded = http.post(&upstream).body(body.clone());
                        for (name, value) in &parts.headers {
                            if name != "host" && name != "content-length" {
                                forwarded = forwarded.header(name, value);
                            }
                        }
                        let reply = forwarded.send().await.unwrap();
                        let status = reply.status().as_u16();
                        let reply_body = reply.bytes().await.unwrap();
                        if let (true, Some(token)) = (transaction, token) {
                            answered.lock().unwrap().insert(token, (status, reply_body));
                            // The emulator applied the write; its answer is lost.
                            let lost = hyper::Response::builder().status(500);
                            let body =
                                r#"{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"lost"}"#;
                            return Ok(lost
                                .header("content-type", "application/x-amz-json-1.0")
                                .body(Full::new(Bytes::from(body)))
                                .unwrap());
                        }
                        Ok(hyper::Response::builder()
                            .status(status)
                            .header("content-type", "application/x-amz-json-1.0")
                            .body(Full::new(reply_body))
                            .unwrap())
                    }
                });
                let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    });
    addr
}

#[tokio::test]
#[cfg_attr(not(feature = "emulator"), ignore = "needs the AWS emulator (scripts/test: the emulator feature)")]
async fn a_conditional_write_retried_after_a_lost_response_is_not_a_false_condition_failure() {
    let endpoint = emulator_endpoint();
    let emulator = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(shared::aws_http::https_client())
        .load()
        .await;
    let table = format!("faults-{}", unique_tag());
    shared::provision::ensure_table(&aws_sdk_dynamodb::Client::new(&emulator), &table).await.unwrap();
    let tokens = Arc::new(std::sync::Mutex::new(Vec::new()));
    let proxy = lossy_idempotent_proxy(endpoint, tokens.clone()).await;
    // The SDK's standard retries, as deployed.
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(shared::aws_http::https_client())
        .endpoint_url(format!("http://{proxy}"))
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new("testing", "testing", None, None, "faults"))
        .load()
        .await;
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table, Arc::new(SystemClock::default()));
    let key = Key { pk: "LINK#x".into(), sk: "GUARD".into() };
    let item = Item::new(key.clone(), serde_json::json!({"account_id": "a"}));
    store.transact(vec![WriteOp::Put { item, cond: shared::store::Cond::Absent }]).await.expect("one success");
    let seen = tokens.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "the write was retried once: {seen:?}");
    assert_eq!(seen[0], seen[1], "with the same client request token");
    assert!(store.get(&key).await.unwrap().is_some());
}

/// Signs in (no MFA on) and returns the session's token.
async fn session_token(app: &shared::App, login: &str, password: &str) -> String {
    use shared::flows::authentication::Client;
    use shared::flows::second_step::SignIn;
    use shared::flows::sessions::sign_in;
    match sign_in(app, login, &password.to_owned().into(), &Client::default(), None).await.unwrap() {
        SignIn::Session(session) => session.token.expose_secret().to_owned(),
        SignIn::SecondFactor { .. } => panic!("MFA is not on for this account"),
    }
}
