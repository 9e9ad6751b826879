//! Test support: spawn `accounts-dev` on a random port over a fresh data
//! directory and talk to it over real HTTP (zero2prod's `spawn_app`).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use accounts_dev::DevServer;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use shared::Config;
use tempfile::TempDir;

/// A running dev server and a client for it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// A plain client (no cookie store).
    pub client: reqwest::Client,
    /// The server; dropped with the app.
    pub server: DevServer,
    /// The data directory; removed when the app is dropped.
    pub data_dir: TempDir,
    /// Makes this app's email addresses unique (`…@<tag>.example.com`).
    pub tag: String,
    /// Phones this app handed out, to find its SMS in a shared emulator.
    phones: Mutex<Vec<String>>,
}

/// Which backend the tests run against: `ACCOUNTS_TEST_BACKEND=aws` runs
/// them against DynamoDB, SES v2 and SNS on the emulator at
/// `AWS_ENDPOINT_URL` (`scripts/test` starts one).
pub fn aws_backend() -> bool {
    std::env::var("ACCOUNTS_TEST_BACKEND").is_ok_and(|b| b == "aws")
}

/// The emulator's endpoint, when the test script started one. With
/// `ACCOUNTS_TEST_REQUIRE_AWS=1` (as `scripts/test` sets) a missing emulator
/// fails the test instead of skipping it.
pub fn emulator_endpoint() -> Option<String> {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").ok().filter(|e| !e.is_empty());
    if endpoint.is_none() && std::env::var("ACCOUNTS_TEST_REQUIRE_AWS").is_ok_and(|v| v == "1") {
        panic!("ACCOUNTS_TEST_REQUIRE_AWS=1 but AWS_ENDPOINT_URL is not set");
    }
    endpoint
}

/// A random lowercase tag for names that must not collide between tests.
pub fn unique_tag() -> String {
    shared::domain::secret_token::new_id(&shared::random::OsRandom)[..12].to_owned()
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
    start(data_dir, unique_tag(), vars).await
}

async fn start(data_dir: TempDir, tag: String, vars: &[(&str, &str)]) -> TestApp {
    let dir = data_dir.path().to_string_lossy().into_owned();
    let table = format!("accounts-test-{tag}");
    let aws = aws_backend();
    if aws {
        emulator_endpoint().expect("the aws backend needs AWS_ENDPOINT_URL");
    }
    let config = Config::from_lookup(|name| {
        vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string()).or_else(|| match name {
            "ACCOUNTS_ADDR" => Some("127.0.0.1:0".into()),
            "ACCOUNTS_DATA_DIR" => Some(dir.clone()),
            "ACCOUNTS_PUBLIC_URL" => Some("http://accounts.test".into()),
            "ACCOUNTS_BACKEND" if aws => Some("aws".into()),
            "ACCOUNTS_TABLE" if aws => Some(table.clone()),
            "ACCOUNTS_BUCKET" if aws => Some("accounts-test-materials".into()),
            "ACCOUNTS_CREATE_TABLE" if aws => Some("1".into()),
            _ => None,
        })
    })
    .expect("valid test config");
    let server = DevServer::start(config).await.expect("server starts");
    TestApp {
        base: format!("http://{}", server.addr()),
        client: reqwest::Client::new(),
        server,
        data_dir,
        tag,
        phones: Mutex::new(Vec::new()),
    }
}

static NEXT_PHONE: AtomicU32 = AtomicU32::new(0);

/// A fresh valid Chinese mobile number, unique within the test process.
pub fn fresh_phone() -> String {
    format!("+86139{:08}", NEXT_PHONE.fetch_add(1, Ordering::Relaxed))
}

impl TestApp {
    /// Stops the server and starts a new one over the same data (the same
    /// directory, or the same table on the aws backend).
    pub async fn restart(self) -> TestApp {
        let TestApp { data_dir, server, tag, .. } = self;
        server.stop().await;
        start(data_dir, tag, &[]).await
    }

    /// A fresh phone, remembered as this app's.
    pub fn fresh_phone(&self) -> String {
        let phone = fresh_phone();
        self.phones.lock().unwrap().push(phone.clone());
        phone
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
        if aws_backend() {
            return self.emulator_outbox().await;
        }
        let response = self.client.get(format!("{}/_dev/outbox", self.base)).send().await.expect("outbox");
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("outbox JSON")
    }

    async fn emulator_outbox(&self) -> Vec<Value> {
        let endpoint = emulator_endpoint().expect("emulator endpoint");
        let data: Value = self
            .client
            .get(format!("{endpoint}/moto-api/data.json"))
            .send()
            .await
            .expect("emulator data")
            .json()
            .await
            .expect("emulator data JSON");
        let domain = format!("@{}.example.com", self.tag);
        let phones = self.phones.lock().unwrap().clone();
        let mut messages = Vec::new();
        for email in data["ses"]["Message"].as_array().into_iter().flatten() {
            for to in email["destinations"]["ToAddresses"].as_array().into_iter().flatten() {
                let to = to.as_str().unwrap_or_default();
                if to.to_lowercase().ends_with(&domain) {
                    // The emulator keeps one body (the HTML part).
                    messages.push(json!({"channel": "email", "to": to, "subject": email["subject"],
                        "text": email["body"], "html": email["body"]}));
                }
            }
        }
        for sms in data["sns"]["SMS"].as_array().into_iter().flatten() {
            if phones.iter().any(|p| sms["phone_number"] == p.as_str()) {
                messages.push(json!({"channel": "sms", "to": sms["phone_number"], "text": sms["message"]}));
            }
        }
        messages
    }

    /// Sends `method path` as the operator (the dev server's operator token).
    pub async fn ops(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> Response {
        let mut request =
            self.client.request(method, format!("{}{path}", self.base)).bearer_auth(self.server.ops_token());
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("request sent")
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

    /// Moves the server's clock forward.
    pub async fn advance_clock(&self, seconds: i64) {
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
            username: username.to_owned(),
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

    /// Signs in and returns the response.
    pub async fn sign_in(&self, login: &str, password: &str) -> Response {
        self.post("/v1/sessions", &json!({"login": login, "password": password})).await
    }

    /// Signs in and returns the bearer token.
    pub async fn token_for(&self, customer: &Customer) -> String {
        let response = self.sign_in(&customer.username, &customer.password).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }
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
