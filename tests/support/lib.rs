//! Test support: spawn `accounts-dev` on a random port over a fresh data
//! directory and talk to it over real HTTP (zero2prod's `spawn_app`).

pub mod authenticator;
pub mod faults;
pub mod range_api;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use accounts_dev::DevServer;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use shared::{App, Config};
use tempfile::TempDir;

/// A running dev server and a client for it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// A plain client (no cookie store).
    pub client: reqwest::Client,
    /// The dev server (none on the deployed stack); dropped with the app.
    server: Option<DevServer>,
    /// The data directory; removed when the app is dropped.
    pub data_dir: TempDir,
    /// Makes this app's email addresses unique (`…@<tag>.example.com`).
    pub tag: String,
    /// Phones this app handed out, to find its SMS in a shared emulator.
    phones: Mutex<Vec<String>>,
}

/// The deployed shape the suite runs against instead of `accounts-dev`, as
/// `scripts/stack` describes it in `.stack/endpoints.json` (the file named
/// by `ACCOUNTS_TEST_STACK`). Only with the `stack` feature, which also
/// ignores the tests that need what the deployed shape has not: the dev
/// clock, a configuration of their own, or the dev server's internals.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Stack {
    /// Base URL of the HTTP API.
    pub api_url: String,
    /// The emulator, where sent email and SMS are read back.
    pub emulator_url: String,
    /// The region of everything.
    pub region: String,
    /// Keys of the IAM user holding the operators' policy.
    pub ops_access_key_id: String,
    /// Its secret.
    pub ops_secret_access_key: String,
    /// Keys of the IAM user holding the readers' policy only.
    pub ops_reader_access_key_id: String,
    /// Its secret.
    pub ops_reader_secret_access_key: String,
    /// The `PublicUrl` the stack was deployed with.
    pub public_url: String,
    /// The deployed table's name.
    pub table: String,
    /// The deployed materials bucket.
    pub bucket: String,
    /// The topic SES's configuration set publishes its events to.
    pub email_events_topic: String,
    /// `AppealHoldHours` as deployed (a test waits it out with
    /// [`TestApp::pass_appeal_hold`]).
    pub appeal_hold_hours: i64,
    /// The scheduled functions' deployed names, by binary.
    pub scheduled_functions: std::collections::HashMap<String, String>,
    /// Where the template's distribution answers on this machine: the pages
    /// and, forwarded, the API (the front door).
    pub pages_url: String,
    /// The API's own host, which an operator signs for when calling through
    /// the distribution (CloudFront forwards the call with it).
    pub api_host: String,
    /// The distribution's id.
    pub distribution_id: String,
    /// The breached-password range API fake the stack's functions ask.
    pub range_api_url: String,
}

/// The stack under test, if the suite runs against one.
pub fn stack() -> Option<&'static Stack> {
    static STACK: OnceLock<Option<Stack>> = OnceLock::new();
    STACK
        .get_or_init(|| {
            if !cfg!(feature = "stack") {
                return None;
            }
            let path = std::env::var("ACCOUNTS_TEST_STACK").unwrap_or_else(|_| "../.stack/endpoints.json".into());
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("the stack feature needs {path} (scripts/stack writes it): {e}"));
            Some(serde_json::from_str(&text).expect("endpoints.json as scripts/stack writes it"))
        })
        .as_ref()
}

/// Which backend the tests run against: the `aws` feature runs
/// them against DynamoDB, SES v2 and SNS on the emulator at
/// `AWS_ENDPOINT_URL` (`scripts/test` starts one).
pub fn aws_backend() -> bool {
    cfg!(feature = "aws") || stack().is_some()
}

/// The AWS emulator's endpoint (`AWS_ENDPOINT_URL`, which `scripts/test`
/// sets after starting one). Tests that need it are ignored unless the
/// `emulator` feature is on, and then a missing endpoint fails them: a
/// green run never counts a test that did not run.
pub fn emulator_endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL")
        .ok()
        .filter(|e| !e.is_empty())
        .expect("this test needs the AWS emulator: AWS_ENDPOINT_URL (scripts/test starts one)")
}

/// The breached-password range API fake the app under test will ask: the
/// stack's (scripts/stack starts it), or a new one in this process.
pub async fn range_api() -> range_api::RangeApi {
    match stack() {
        Some(stack) => range_api::RangeApi::at(&stack.range_api_url),
        None => range_api::RangeApi::start().await,
    }
}

/// Starts an app that screens passwords against `range` (on the stack, the
/// stack itself, deployed to ask it).
pub async fn spawn_app_screening(range: &range_api::RangeApi) -> TestApp {
    if stack().is_some() {
        return spawn_app().await;
    }
    spawn_app_with(&[("ACCOUNTS_BREACHED_PASSWORDS", &range.range_url())]).await
}

/// Held by every test that approves a recovery appeal or carries out the
/// due ones: on the stack, one test's run of the scheduled function carries
/// out every due appeal, another test's included.
pub async fn appeal_hold_lock() -> tokio::sync::MutexGuard<'static, ()> {
    static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    LOCK.lock().await
}

/// A random lowercase tag for names that must not collide between tests.
pub fn unique_tag() -> String {
    shared::domain::ids::new_id(&shared::random::OsRandom)[..12].to_owned()
}

/// A signed-up and activated account.
pub struct Customer {
    /// Its username.
    pub username: String,
    /// Its email.
    pub email: String,
    /// Its phone.
    pub phone: String,
    /// Its password.
    pub password: String,
}

/// A strong password under every preset's rules.
pub const PASSWORD: &str = "Gpu#Cl0ud-Strong9";

/// Starts a server on a fresh data directory with `vars` as its environment.
pub async fn spawn_app_with(vars: &[(&str, &str)]) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    spawn_app_in(data_dir, vars).await
}

/// Starts a server with default settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Starts a server over an existing data directory (restart tests). On the
/// aws backend, each app gets its own table in the emulator.
pub async fn spawn_app_in(data_dir: TempDir, vars: &[(&str, &str)]) -> TestApp {
    start(data_dir, unique_tag(), vars, |app| app).await
}

/// Starts a server whose ports `faults` stands in front of (the dev server
/// only: the deployed shape's ports are its own).
pub async fn spawn_app_with_faults(vars: &[(&str, &str)], faults: &Arc<faults::Faults>) -> TestApp {
    assert!(stack().is_none(), "faults are injected into the dev server's ports");
    let faults = faults.clone();
    start(tempfile::tempdir().expect("temp dir"), unique_tag(), vars, move |app| faults.adapt(app)).await
}

async fn start(data_dir: TempDir, tag: String, vars: &[(&str, &str)], adapt: impl FnOnce(App) -> App) -> TestApp {
    if let Some(stack) = stack() {
        assert!(vars.is_empty(), "the stack has one configuration; this test needs its own");
        return TestApp {
            base: stack.api_url.clone(),
            client: reqwest::Client::new(),
            server: None,
            data_dir,
            tag,
            phones: Mutex::new(Vec::new()),
        };
    }
    let dir = data_dir.path().to_string_lossy().into_owned();
    let table = format!("accounts-test-{tag}");
    let aws = aws_backend();
    if aws {
        emulator_endpoint();
    }
    let config = Config::from_lookup(|name| {
        vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string()).or_else(|| match name {
            "ACCOUNTS_ADDR" => Some("127.0.0.1:0".into()),
            "ACCOUNTS_DATA_DIR" => Some(dir.clone()),
            "ACCOUNTS_PUBLIC_URL" => Some("http://accounts.test".into()),
            // Every message carries a sender name and an SMS signature, as
            // a deployment's do (a non-ASCII name: SES's encoded word).
            "ACCOUNTS_EMAIL_FROM_NAME" => Some("GPU云 Accounts".into()),
            "ACCOUNTS_SMS_SIGNATURE" => Some("【GPU云】".into()),
            "ACCOUNTS_BACKEND" if aws => Some("aws".into()),
            "ACCOUNTS_TABLE" if aws => Some(table.clone()),
            "ACCOUNTS_BUCKET" if aws => Some("accounts-test-materials".into()),
            "ACCOUNTS_CREATE_TABLE" if aws => Some("1".into()),
            _ => None,
        })
    })
    .expect("valid test config");
    let server = DevServer::start_adapted(config, adapt).await.expect("server starts");
    TestApp {
        base: format!("http://{}", server.addr()),
        client: reqwest::Client::new(),
        server: Some(server),
        data_dir,
        tag,
        phones: Mutex::new(Vec::new()),
    }
}

static NEXT_PHONE: AtomicU32 = AtomicU32::new(0);

/// A fresh valid Chinese mobile number, unique within the test process (and,
/// from a random start, most likely among runs against one stack).
pub fn fresh_phone() -> String {
    static START: OnceLock<u32> = OnceLock::new();
    let start = *START.get_or_init(|| if stack().is_some() { rand_below(90_000_000) } else { 0 });
    format!("+86139{:08}", (start + NEXT_PHONE.fetch_add(1, Ordering::Relaxed)) % 100_000_000)
}

fn rand_below(n: u32) -> u32 {
    let mut bytes = [0u8; 4];
    shared::random::Random::fill(&shared::random::OsRandom, &mut bytes);
    u32::from_le_bytes(bytes) % n
}

impl TestApp {
    /// Stops the server and starts a new one over the same data (the same
    /// directory, or the same table on the aws backend).
    pub async fn restart(self) -> TestApp {
        let TestApp { data_dir, server, tag, .. } = self;
        server.expect("the deployed shape cannot be restarted by a test").stop().await;
        start(data_dir, tag, &[], |app| app).await
    }

    /// The dev server in this process (not on the stack).
    pub fn dev(&self) -> &DevServer {
        self::dev(&self.server)
    }

    /// A username unique to this app (on a shared stack, tests must not
    /// claim each other's names): `base` locally, `base` and four characters
    /// of the app's tag on the stack.
    /// (Leaked, so that it reads as a plain `&str` wherever a literal did.)
    pub fn user(&self, base: &str) -> &'static str {
        // Letters only, so that a name stays what the test made of it.
        let suffix: String = self.tag.bytes().take(4).map(|b| char::from(b'g' + b % 20)).collect();
        let name = if stack().is_some() { format!("{base}{suffix}") } else { base.to_owned() };
        Box::leak(name.into_boxed_str())
    }

    /// A fresh phone, remembered as this app's.
    pub fn fresh_phone(&self) -> String {
        let phone = fresh_phone();
        self.phones.lock().unwrap().push(phone.clone());
        phone
    }

    /// Reads the SMS to `phone` (a number this app did not hand out) into
    /// [`TestApp::outbox`] too: on the aws backend and the stack the
    /// emulator is shared, and the outbox shows only the app's own numbers,
    /// so a check that nothing was sent to another number could not fail.
    pub fn watch_phone(&self, phone: &str) {
        self.phones.lock().unwrap().push(phone.to_owned());
    }

    /// An email address unique to this app.
    pub fn email(&self, local: &str) -> String {
        format!("{local}@{}.example.com", self.tag)
    }

    /// POSTs `body` as JSON to `path`.
    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.client.post(format!("{}{path}", self.base)).json(body).send().await.expect("request sent")
    }

    /// Sends `method path` with a bearer token.
    pub async fn with_token(&self, method: reqwest::Method, path: &str, token: &str) -> Response {
        self.client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .expect("request sent")
    }

    /// Everything this app sent, oldest first: the dev outbox, or on the aws
    /// backend what the emulator's SES and SNS received for this app's
    /// recipients.
    pub async fn outbox(&self) -> Vec<Value> {
        if let Some(stack) = stack() {
            return self.stack_outbox(stack).await;
        }
        if aws_backend() {
            return self.emulator_outbox().await;
        }
        let response = self.client.get(format!("{}/_dev/outbox", self.base)).send().await.expect("outbox");
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("outbox JSON")
    }

    async fn stack_outbox(&self, stack: &Stack) -> Vec<Value> {
        let get = |path: &str| {
            let url = format!("{}{path}", stack.emulator_url);
            async move { self.client.get(url).send().await.expect("emulator").json::<Value>().await.expect("JSON") }
        };
        let domain = format!("@{}.example.com", self.tag);
        let mut messages = Vec::new();
        let emails = get("/_ministack/ses/messages").await;
        for email in emails["messages"]
            .as_object()
            .into_iter()
            .flat_map(|accounts| accounts.values())
            .flat_map(|m| m.as_array().cloned().unwrap_or_default())
        {
            for to in email["To"].as_array().into_iter().flatten() {
                let to = to.as_str().unwrap_or_default();
                if to.to_lowercase().ends_with(&domain) {
                    messages.push(json!({"channel": "email", "to": to, "subject": email["Subject"],
                        "text": email["BodyText"], "html": email["BodyHtml"]}));
                }
            }
        }
        let sms = get("/_ministack/sns/sms-messages").await;
        for phone in self.phones.lock().unwrap().iter() {
            for message in sms["sms_messages"][phone.as_str()].as_array().into_iter().flatten() {
                messages.push(json!({"channel": "sms", "to": phone, "text": message["Message"]}));
            }
        }
        messages
    }

    async fn emulator_outbox(&self) -> Vec<Value> {
        // scripts/emulator.py answers with just this app's messages (the
        // emulator keeps one body, the HTML part, as text and html).
        let mut query = vec![("to_suffix".to_owned(), format!("@{}.example.com", self.tag))];
        query.extend(self.phones.lock().unwrap().iter().map(|p| ("phone".to_owned(), p.clone())));
        let url = reqwest::Url::parse_with_params(&format!("{}/_test/outbox", emulator_endpoint()), &query).unwrap();
        let response = self.client.get(url).send().await.expect("the emulator's outbox");
        response.json().await.expect("outbox JSON")
    }

    /// Sends `method path` as the operator (the dev server's operator token).
    pub async fn ops(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> Response {
        self.ops_bytes(method, path, body.map(|b| b.to_string().into_bytes())).await
    }

    /// Sends `method path` as the operator with `body` as it is (JSON or
    /// not): the dev server's operator token, or SigV4 on the stack.
    pub async fn ops_bytes(&self, method: reqwest::Method, path: &str, body: Option<Vec<u8>>) -> Response {
        if let Some(stack) = stack() {
            return self.signed(stack, method, path, body.unwrap_or_default()).await;
        }
        let mut request =
            self.client.request(method, format!("{}{path}", self.base)).bearer_auth(self.dev().ops_token());
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body);
        }
        request.send().await.expect("request sent")
    }

    /// Sends `method path` SigV4-signed (service `execute-api`) with the
    /// stack's operator keys, as an operators' console would.
    async fn signed(&self, stack: &Stack, method: reqwest::Method, path: &str, body: Vec<u8>) -> Response {
        self.signed_with(&self.base, None, &operator_credentials(stack), "execute-api", method, path, body).await
    }

    /// Sends `method path` SigV4-signed with the stack's support reader's
    /// keys (the readers' policy).
    pub async fn ops_as_reader(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> Response {
        let stack = stack().expect("IAM's policies are the stack's");
        let credentials = aws_credential_types::Credentials::new(
            &stack.ops_reader_access_key_id,
            &stack.ops_reader_secret_access_key,
            None,
            None,
            "stack-reader",
        );
        let body = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        self.signed_with(&self.base, None, &credentials, "execute-api", method, path, body).await
    }

    /// Sends `method path` through the stack's distribution, signed for
    /// `host` with the stack's operator keys: the operators' page's call
    /// (which signs for the API's own host, `Stack::api_host`).
    pub async fn ops_through_front(&self, host: &str, method: reqwest::Method, path: &str) -> Response {
        let stack = stack().expect("the front door is the stack's");
        let credentials = operator_credentials(stack);
        self.signed_with(&stack.pages_url, Some(host), &credentials, "execute-api", method, path, Vec::new()).await
    }

    /// Sends `method base+path` SigV4-signed for `service` with `credentials`,
    /// for the URL's own host unless `host` names another.
    #[allow(clippy::too_many_arguments)]
    async fn signed_with(
        &self,
        base: &str,
        host: Option<&str>,
        credentials: &aws_credential_types::Credentials,
        service: &str,
        method: reqwest::Method,
        path: &str,
        body: Vec<u8>,
    ) -> Response {
        use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
        let region = &stack().expect("signed requests go to the stack").region;
        let url = format!("{base}{path}");
        let authority = reqwest::Url::parse(&url).unwrap().authority().to_owned();
        let mut headers = vec![("host".to_owned(), host.map_or(authority, str::to_owned))];
        if !body.is_empty() {
            headers.push(("content-type".to_owned(), "application/json".to_owned()));
        }
        let identity = credentials.clone().into();
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(region)
            .name(service)
            .time(std::time::SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .expect("signing parameters")
            .into();
        let signable = SignableRequest::new(
            method.as_str(),
            &url,
            headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            SignableBody::Bytes(&body),
        )
        .expect("a signable request");
        let (instructions, _) = sign(signable, &params).expect("signed").into_parts();
        let mut request = self.client.request(method, &url).body(body);
        for (name, value) in headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).chain(instructions.headers()) {
            if name != "host" {
                request = request.header(name, value);
            }
        }
        request.send().await.expect("request sent")
    }

    /// The base of links in emails (`ACCOUNTS_PUBLIC_URL`, `PublicUrl`).
    pub fn public_url(&self) -> &str {
        stack().map_or("http://accounts.test", |stack| stack.public_url.as_str())
    }

    /// `url` made reachable: links of the dev server use the test's public
    /// URL (`http://accounts.test`), which stands for this server.
    pub fn reachable(&self, url: &str) -> String {
        url.replace("http://accounts.test", &self.base)
    }

    /// Announces a material and uploads `bytes` to its URL; returns its id.
    pub async fn upload_material(&self, token: &str, content_type: &str, bytes: &[u8]) -> String {
        let response = self
            .client
            .post(format!("{}/v1/me/verification/materials", self.base))
            .bearer_auth(token)
            .json(&json!({"file_name": "document", "content_type": content_type, "size": bytes.len()}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let material: Value = response.json().await.unwrap();
        assert_eq!(material["upload_method"], "PUT");
        let upload = self
            .client
            .put(self.reachable(material["upload_url"].as_str().unwrap()))
            .header("content-type", content_type)
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap();
        assert!(upload.status().is_success(), "upload answered {}", upload.status());
        material["material_id"].as_str().unwrap().to_owned()
    }

    /// The code of the newest SMS to `phone`.
    pub async fn last_sms_code(&self, phone: &str) -> String {
        let outbox = self.outbox().await;
        let sms = outbox.iter().rev().find(|m| m["channel"] == "sms" && m["to"] == phone).expect("an SMS to the phone");
        let text = sms["text"].as_str().unwrap();
        regex_lite::Regex::new(r"\b(\d{6})\b").unwrap().captures(text).expect("a 6-digit code")[1].to_owned()
    }

    /// The newest email to `to`.
    pub async fn last_email(&self, to: &str) -> Value {
        let outbox = self.outbox().await;
        outbox.into_iter().rev().find(|m| m["channel"] == "email" && m["to"] == to).expect("an email to the address")
    }

    /// The link token of the newest email to `to`.
    pub async fn last_link_token(&self, to: &str) -> String {
        let email = self.last_email(to).await;
        token_in(email["text"].as_str().unwrap())
    }

    /// How long an approved appeal waits before it takes effect, in seconds.
    pub fn appeal_hold_secs(&self) -> i64 {
        stack().map_or(72 * 3600, |stack| stack.appeal_hold_hours * 3600)
    }

    /// Waits out an approved appeal's hold and runs the scheduled work: the
    /// dev clock moves past the hold (which runs it); on the stack, which
    /// has no clock to move, every approved appeal's `effective_at` is moved
    /// into the past in the emulator's table (its record and its queue
    /// entry), and the `appeal-hold` function is invoked as its schedule
    /// would.
    pub async fn pass_appeal_hold(&self) {
        let Some(stack) = stack() else {
            return self.advance_clock(self.appeal_hold_secs()).await;
        };
        self.end_holds_in_the_table(stack).await;
        let function = &stack.scheduled_functions["appeal-hold"];
        let path = format!("/2015-03-31/functions/{function}/invocations");
        let credentials = aws_credential_types::Credentials::new("test", "test", None, None, "stack-root");
        let response = self
            .signed_with(
                &stack.emulator_url,
                None,
                &credentials,
                "lambda",
                reqwest::Method::POST,
                &path,
                b"{}".to_vec(),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers().get("x-amz-function-error").is_none(), "{:?}", response.text().await);
    }

    /// Every approved appeal of the stack made due now, in the table.
    async fn end_holds_in_the_table(&self, stack: &Stack) {
        use shared::domain::records::AppealStatus;
        use shared::persistence::keys;
        use shared::store::{Cond, Store, StoreExt};
        let store = self.stack_table(stack).await;
        let due = self.server_now() - 1;
        let queue = keys::appeal_queue(AppealStatus::Approved);
        for mut entry in store.query(&queue, "").await.expect("the approved queue") {
            let appeal_id =
                entry.data["appeal_id"].as_str().and_then(shared::domain::AppealId::parse).expect("an appeal id");
            entry.data["effective_at"] = json!(due);
            store.put(entry, Cond::None).await.expect("queue entry rewritten");
            let key = keys::appeal(&appeal_id);
            if let Some(mut appeal) = store.get(&key).await.expect("the appeal") {
                appeal.data["effective_at"] = json!(due);
                store.put(appeal, Cond::None).await.expect("appeal rewritten");
            }
        }
    }

    /// An SNS client of the stack's emulator, as its administrator.
    pub async fn stack_sns(&self, stack: &Stack) -> aws_sdk_sns::Client {
        aws_sdk_sns::Client::new(&stack_sdk(stack).await)
    }

    /// The stack's table, read and written as its administrator through
    /// the project's own DynamoDB adapter.
    pub async fn stack_table(&self, stack: &Stack) -> shared::store::dynamodb::DynamoStore {
        let sdk = stack_sdk(stack).await;
        let clock = std::sync::Arc::new(shared::clock::SystemClock::default());
        shared::store::dynamodb::DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), stack.table.clone(), clock)
    }

    /// Starts a test of a quota counted per UTC day at the start of one, so
    /// that it cannot cross midnight half way: the dev clock moves to just
    /// after the next midnight; on the stack, whose clock is the wall's, a
    /// day with under two minutes left is waited out.
    pub async fn begin_a_utc_day(&self) {
        let now = self.server_now();
        let next_midnight = (now.div_euclid(86_400) + 1) * 86_400;
        if stack().is_none() {
            return self.advance_clock(next_midnight - now + 1).await;
        }
        if next_midnight - now < 120 {
            tokio::time::sleep(std::time::Duration::from_secs((next_midnight - now + 1) as u64)).await;
        }
    }

    /// Moves the server's clock forward.
    pub async fn advance_clock(&self, seconds: i64) {
        assert!(stack().is_none(), "the deployed shape has no /_dev/clock: this test is for accounts-dev");
        let response = self.post("/_dev/clock", &json!({"advance_seconds": seconds})).await;
        assert_eq!(response.status(), StatusCode::OK);
    }

    /// Requests a sign-up code for `phone` and returns it.
    pub async fn sign_up_code(&self, phone: &str) -> String {
        let response = self.post("/v1/sms-codes", &json!({"phone": phone, "purpose": "sign_up"})).await;
        assert_eq!(response.status(), StatusCode::ACCEPTED, "{:?}", response.text().await);
        self.last_sms_code(phone).await
    }

    /// The sign-up body for `username` with a fresh email and phone.
    pub async fn sign_up(&self, username: &str) -> (Response, Customer) {
        let customer = Customer {
            username: self.user(username).to_owned(),
            email: self.email(username),
            phone: self.fresh_phone(),
            password: PASSWORD.to_owned(),
        };
        let code = self.sign_up_code(&customer.phone).await;
        let body = json!({
            "username": customer.username, "email": customer.email, "phone": customer.phone,
            "sms_code": code, "accept_terms": true,
        });
        (self.post("/v1/accounts", &body).await, customer)
    }

    /// Signs up and sets the initial password.
    pub async fn activated_customer(&self, username: &str) -> Customer {
        let (response, customer) = self.sign_up(username).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let token = self.last_link_token(&customer.email).await;
        let body = json!({"token": token, "password": customer.password, "phone": customer.phone});
        let response = self.post("/v1/password/set", &body).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        customer
    }

    /// `GET path` of the emulator's `service` API, as its administrator
    /// (what a test reads of the deployed resources themselves).
    pub async fn emulator_get(&self, service: &str, path: &str) -> Response {
        let stack = stack().expect("the emulator is the stack's");
        let credentials = aws_credential_types::Credentials::new("test", "test", None, None, "stack-root");
        self.signed_with(&stack.emulator_url, None, &credentials, service, reqwest::Method::GET, path, Vec::new()).await
    }

    /// The keys of the stored documents under `prefix` (`submitted/<account
    /// id>`, `uploads/<account id>`): the dev server's directory, the
    /// emulator's bucket on the aws backend, the deployed bucket on the
    /// stack.
    pub async fn stored_objects(&self, prefix: &str) -> Vec<String> {
        if !aws_backend() {
            let dir = self.data_dir.path().join("objects").join(prefix);
            let mut found = Vec::new();
            for entry in walk(&dir) {
                let relative = entry.strip_prefix(self.data_dir.path().join("objects")).unwrap();
                found.push(relative.to_string_lossy().into_owned());
            }
            return found;
        }
        let path = |bucket: &str| format!("/{bucket}?list-type=2&prefix={prefix}");
        let listing = match stack() {
            Some(stack) => self.emulator_get("s3", &path(&stack.bucket)).await,
            None => self
                .client
                .get(format!("{}{}", emulator_endpoint(), path("accounts-test-materials")))
                .send()
                .await
                .unwrap(),
        };
        assert!(listing.status().is_success(), "the bucket lists: {}", listing.status());
        let xml = listing.text().await.unwrap();
        regex_lite::Regex::new(r"<Key>([^<]+)</Key>").unwrap().captures_iter(&xml).map(|c| c[1].to_owned()).collect()
    }

    /// The server's time, in Unix seconds: the dev server's clock (which
    /// `/_dev/clock` moves), or the real one on the deployed shape.
    pub fn server_now(&self) -> i64 {
        if stack().is_some() {
            let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
            return since_epoch.as_secs() as i64;
        }
        self.dev().app().clock.now()
    }

    /// The TOTP code of the base32 `secret` at the server's time, `steps`
    /// 30-second steps ahead (each code is accepted once: a test that needs
    /// another code right away takes the next step's, as the server accepts
    /// one step either way).
    pub fn totp_code(&self, secret: &str, steps: i64) -> String {
        totp_code_at_step(secret, self.server_now().div_euclid(30) + steps)
    }

    /// Sends `method path` with a bearer token and a JSON body.
    pub async fn json_with_token(&self, method: reqwest::Method, path: &str, token: &str, body: &Value) -> Response {
        self.client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    /// Signs in and returns the response.
    pub async fn sign_in(&self, login: &str, password: &str) -> Response {
        self.post("/v1/sessions", &json!({"login": login, "password": password})).await
    }

    /// The account id of the session `token`'s account.
    pub async fn account_id(&self, token: &str) -> shared::domain::AccountId {
        let me: Value = self.with_token(reqwest::Method::GET, "/v1/me", token).await.json().await.expect("JSON");
        me["account_id"].as_str().and_then(shared::domain::AccountId::parse).expect("an account id")
    }

    /// The events of an account's audit trail, oldest first (the first 200).
    pub async fn audit_events(&self, account_id: &str) -> Vec<String> {
        let path = format!("/ops/v1/audit?account_id={account_id}&limit=200");
        let trail: Value = self.ops(reqwest::Method::GET, &path, None).await.json().await.expect("JSON");
        let items = trail["items"].as_array().expect("items");
        items.iter().map(|r| r["event"].as_str().unwrap_or_default().to_owned()).collect()
    }

    /// Turns two-factor sign-in on for the session `token` (password
    /// [`PASSWORD`]), confirming with the current step's code; returns the
    /// base32 secret and the recovery codes.
    pub async fn enable_mfa(&self, token: &str) -> (String, Vec<String>) {
        let body = json!({"password": PASSWORD});
        let response = self.json_with_token(reqwest::Method::POST, "/v1/me/mfa/totp", token, &body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let enrolment: Value = response.json().await.expect("JSON");
        let secret = enrolment["secret"].as_str().expect("a secret").to_owned();
        let code = json!({"code": self.totp_code(&secret, 0)});
        let response = self.json_with_token(reqwest::Method::POST, "/v1/me/mfa/totp/confirm", token, &code).await;
        assert_eq!(response.status(), StatusCode::OK);
        let confirmed: Value = response.json().await.expect("JSON");
        let codes = confirmed["recovery_codes"].as_array().expect("recovery codes");
        (secret, codes.iter().map(|c| c.as_str().unwrap_or_default().to_owned()).collect())
    }

    /// Signs in and returns the bearer token.
    pub async fn token_for(&self, customer: &Customer) -> String {
        let response = self.sign_in(&customer.username, &customer.password).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }
}

/// The TOTP code of the base32 `secret` for the 30-second `step` (Unix
/// seconds / 30).
pub fn totp_code_at_step(secret: &str, step: i64) -> String {
    let bytes = totp_rs::Secret::Encoded(secret.to_owned()).to_bytes().expect("a base32 secret");
    let totp = totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes, None, String::new());
    totp.generate((step * 30) as u64)
}

/// The SDK configuration of the stack's emulator, as its administrator.
async fn stack_sdk(stack: &Stack) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(shared::aws_http::https_client())
        .endpoint_url(&stack.emulator_url)
        .region(aws_config::Region::new(stack.region.clone()))
        .credentials_provider(aws_credential_types::Credentials::new("test", "test", None, None, "stack-root"))
        .load()
        .await
}

/// Every file under `dir` (none if it does not exist).
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .flatten()
        .flat_map(|entry| {
            let path = entry.path();
            if path.is_dir() { walk(&path) } else { vec![path] }
        })
        .collect()
}

fn operator_credentials(stack: &Stack) -> aws_credential_types::Credentials {
    aws_credential_types::Credentials::new(&stack.ops_access_key_id, &stack.ops_secret_access_key, None, None, "stack")
}

fn dev(server: &Option<DevServer>) -> &DevServer {
    server.as_ref().expect("the deployed shape has no dev server: this test is for accounts-dev")
}

/// The `token=` value of a link in `text`.
pub fn token_in(text: &str) -> String {
    regex_lite::Regex::new(r"token=([A-Za-z0-9._-]+)").unwrap().captures(text).expect("a link with a token")[1]
        .to_owned()
}

/// Asserts `response` is problem JSON with `status` and `code`; returns it.
pub async fn assert_problem(response: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(response.status(), status);
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.expect("problem JSON");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status.as_u16());
    for key in ["type", "title", "detail"] {
        assert!(body[key].is_string(), "{key} missing in {body}");
    }
    body
}

/// The `(field, code)` pairs of a problem's `errors`.
pub fn field_errors(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| (e["field"].as_str().unwrap_or("").to_owned(), e["code"].as_str().unwrap_or("").to_owned()))
                .collect()
        })
        .unwrap_or_default()
}
