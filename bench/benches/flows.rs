//! Per-request cost of each flow, as a Lambda function pays it: parsing the
//! API Gateway event with `lambda_http` and running `shared::api::handle`,
//! over the in-memory store (`store/memory.rs`, which passes the same
//! conformance suite as redb and DynamoDB) and the in-memory outbox. Argon2
//! runs at its minimum cost here so that the hash is excluded; `argon2.rs`
//! measures it on its own.
//!
//! Each flow runs on a fresh store: Criterion reports its mean, then 2,000
//! single requests are timed for p50/p99/max, printed together at the end
//! (the figures of BENCHMARKS.md). Every timed request must get its flow's
//! success status, so a rate limit or a broken setup cannot pass for a fast
//! answer.

use std::cell::{Cell, RefCell};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use accounts_dev::event::api_gateway_v2;
use accounts_tests::authenticator::Authenticator;
use criterion::{BatchSize, Criterion};
use hyper::body::Bytes;
use lambda_http::Body;
use lambda_http::http::StatusCode;
use serde_json::{Value, json};
use shared::api::router::{Matched, Router};
use shared::app::EmbeddedApp;
use shared::config::Config;
use shared::domain::password_hash::PasswordHasher;
use tokio::runtime::Runtime;

const PASSWORD: &str = "Gpu#Cl0ud-bench9";
const OPERATOR: &str = "arn:aws:iam::000000000000:user/bench-operator";

/// One request, ready to be parsed and handled.
struct Call {
    event: String,
    expect: StatusCode,
}

/// An app on the in-memory store, and a way to drive it as API Gateway would.
struct Bench {
    rt: Runtime,
    embedded: EmbeddedApp,
    router: Router,
    next: Cell<u64>,
    /// Bumped whenever the clock jumps (sessions made before may have ended).
    epoch: Cell<u64>,
    _dir: tempfile::TempDir,
}

/// An active account and its latest session.
struct Customer {
    username: String,
    password: RefCell<String>,
    /// The session and the clock epoch it was made in.
    session: RefCell<(String, u64)>,
}

impl Bench {
    fn new() -> Self {
        Self::with(None)
    }

    /// A bench whose passwords are screened against the range API at
    /// `range_api` (none: the check is off, as by default).
    fn with(range_api: Option<&str>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_string_lossy().into_owned();
        let config = Config::from_lookup(|name| match name {
            "ACCOUNTS_DATA_DIR" => Some(path.clone()),
            // The uniform-timing floor of forgot-password is a sleep, not cost.
            "ACCOUNTS_FORGOT_MIN_MILLIS" => Some("0".into()),
            // Benchmarks send far more SMS than a day's budget.
            "ACCOUNTS_SMS_DAILY_BUDGET" => Some(u64::MAX.to_string()),
            // Peers differ per request, but thousands share a /24.
            "ACCOUNTS_LIMIT_SMS_PER_NETWORK_HOUR" => Some(u64::MAX.to_string()),
            "ACCOUNTS_BREACHED_PASSWORDS" => range_api.map(str::to_owned),
            _ => None,
        })
        .unwrap();
        let mut embedded = EmbeddedApp::open_in_memory(config).unwrap();
        embedded.app.hasher = PasswordHasher::minimal_cost(1);
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        Self { rt, embedded, router: Router::default(), next: Cell::new(1), epoch: Cell::new(0), _dir: dir }
    }

    fn unique(&self) -> u64 {
        let n = self.next.get();
        self.next.set(n + 1);
        n
    }

    /// A distinct client address per request keeps per-IP limits out of the way.
    fn peer(&self) -> SocketAddr {
        let n = self.unique() as u32;
        SocketAddr::from((Ipv4Addr::from(0x0a00_0000 | (n & 0x00ff_ffff)), 40_000))
    }

    fn event(&self, method: &str, path: &str, body: Option<Value>, bearer: Option<&str>) -> String {
        let (path_only, query) = path.split_once('?').unwrap_or((path, ""));
        let Matched::Route { route, params } = self.router.find(method, path_only) else {
            panic!("no route for {method} {path}");
        };
        let mut req = hyper::Request::builder().method(method).uri(if query.is_empty() {
            path_only.to_owned()
        } else {
            format!("{path_only}?{query}")
        });
        if body.is_some() {
            req = req.header("content-type", "application/json");
        }
        if let Some(token) = bearer {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        let req = req.body(body.map_or_else(Bytes::new, |b| Bytes::from(b.to_string()))).unwrap();
        let operator = (route.access == shared::api::routes::Access::Operator).then_some(OPERATOR);
        api_gateway_v2(&req, route, &params, self.peer(), operator).to_string()
    }

    /// What the Lambda function does per invocation: parse the event, handle it.
    fn handle(&self, event: &str) -> (StatusCode, Value) {
        let event = serde_json::from_str(event).expect("valid event");
        let req = shared::lambda::request_from_event(event);
        let response = self.rt.block_on(shared::api::handle(&self.embedded.app, None, req));
        let status = response.status();
        let body = match response.body() {
            Body::Text(text) => serde_json::from_str(text).unwrap_or(Value::Null),
            _ => Value::Null,
        };
        (status, body)
    }

    fn run(&self, call: Call) -> Value {
        let (status, body) = self.handle(&call.event);
        assert_eq!(status, call.expect, "{body}");
        body
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>, bearer: Option<&str>, expect: u16) -> Call {
        Call { event: self.event(method, path, body, bearer), expect: StatusCode::from_u16(expect).unwrap() }
    }

    fn latest_text_to(&self, to: &str) -> String {
        self.rt.block_on(self.embedded.outbox.latest_to(to)).unwrap().expect("a message was sent").text
    }

    fn phone(n: u64) -> String {
        format!("+86138{:08}", n % 100_000_000)
    }

    fn sign_up_code(&self, phone: &str) -> String {
        self.run(self.call("POST", "/v1/sms-codes", Some(json!({"phone": phone, "purpose": "sign_up"})), None, 202));
        let text = self.latest_text_to(phone);
        text.split(|c: char| !c.is_ascii_digit()).find(|run| run.len() == 6).unwrap().to_owned()
    }

    /// The sign-up request for a fresh identity, with a valid SMS code.
    fn sign_up_call(&self) -> (Call, String) {
        let n = self.unique();
        let (username, phone) = (format!("bench{n}"), Self::phone(n));
        let code = self.sign_up_code(&phone);
        let body = json!({"username": username, "email": format!("{username}@example.com"), "phone": phone,
            "sms_code": code, "accept_terms": true});
        (self.call("POST", "/v1/accounts", Some(body), None, 201), username)
    }

    /// The set-password request of a freshly signed-up account.
    fn activation_call(&self) -> (Call, String) {
        let (sign_up, username) = self.sign_up_call();
        self.run(sign_up);
        let email = self.latest_text_to(&format!("{username}@example.com"));
        let token = email.split("token=").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
        let phone = Self::phone(username.trim_start_matches("bench").parse().unwrap());
        let body = json!({"token": token, "password": PASSWORD, "phone": phone});
        (self.call("POST", "/v1/password/set", Some(body), None, 204), username)
    }

    fn sign_in_call(&self, login: &str, password: &str) -> Call {
        self.call("POST", "/v1/sessions", Some(json!({"login": login, "password": password})), None, 201)
    }

    fn customer(&self) -> Customer {
        let (activation, username) = self.activation_call();
        self.run(activation);
        let customer =
            Customer { username, password: RefCell::new(PASSWORD.into()), session: RefCell::new((String::new(), 0)) };
        self.sign_in(&customer);
        customer
    }

    fn sign_in(&self, customer: &Customer) -> String {
        let password = customer.password.borrow().clone();
        let token = self.run(self.sign_in_call(&customer.username, &password))["token"].as_str().unwrap().to_owned();
        *customer.session.borrow_mut() = (token.clone(), self.epoch.get());
        token
    }

    /// The customer's session, signed in again if the clock has jumped since.
    fn session(&self, customer: &Customer) -> String {
        let (token, epoch) = customer.session.borrow().clone();
        if epoch == self.epoch.get() { token } else { self.sign_in(customer) }
    }

    /// The TOTP code of the base32 `secret` at the bench's clock.
    fn totp(&self, secret: &str) -> String {
        let bytes = totp_rs::Secret::Encoded(secret.to_owned()).to_bytes().unwrap();
        let totp = totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes, None, String::new());
        totp.generate(self.embedded.app.clock.now() as u64)
    }

    /// Starts TOTP enrolment for `customer`; the base32 secret.
    fn enrol(&self, customer: &Customer) -> String {
        let body = json!({"password": PASSWORD});
        let enrolment = self.run(self.call("POST", "/v1/me/mfa/totp", Some(body), Some(&self.session(customer)), 201));
        enrolment["secret"].as_str().unwrap().to_owned()
    }

    /// A customer with two-factor sign-in on, and its secret.
    fn customer_with_mfa(&self) -> (Customer, String) {
        let customer = self.customer();
        let secret = self.enrol(&customer);
        let code = json!({"code": self.totp(&secret)});
        self.run(self.call("POST", "/v1/me/mfa/totp/confirm", Some(code), Some(&self.session(&customer)), 200));
        (customer, secret)
    }

    /// A passkey's authenticator for the origin of the default public URL.
    fn authenticator() -> Authenticator {
        Authenticator::new("http://localhost:3000")
    }

    /// Registration options for `customer` and the credential answering them.
    fn passkey_registration(&self, customer: &Customer, authenticator: &mut Authenticator) -> Call {
        let session = self.session(customer);
        let body = json!({"password": *customer.password.borrow()});
        let started = self.run(self.call("POST", "/v1/me/passkeys/options", Some(body), Some(&session), 200));
        let credential = authenticator.register(&started["options"]);
        let body = json!({"registration_id": started["registration_id"], "credential": credential});
        self.call("POST", "/v1/me/passkeys", Some(body), Some(&session), 201)
    }

    /// A customer with one passkey, and its authenticator.
    fn customer_with_passkey(&self) -> (Customer, RefCell<Authenticator>) {
        let customer = self.customer();
        let mut authenticator = Self::authenticator();
        self.run(self.passkey_registration(&customer, &mut authenticator));
        (customer, RefCell::new(authenticator))
    }

    /// A pending sub-account of `primary`; its username.
    fn pending_sub_account(&self, primary: &Customer) -> String {
        let name = format!("sub{}", self.unique());
        let body = json!({"username": name, "email": format!("{name}@example.com")});
        self.run(self.call("POST", "/v1/me/sub-accounts", Some(body), Some(&self.session(primary)), 201));
        name
    }

    /// An activated, signed-in sub-account of `primary`.
    fn sub_account(&self, primary: &Customer) -> Customer {
        let username = self.pending_sub_account(primary);
        let email = self.latest_text_to(&format!("{username}@example.com"));
        let token = email.split("token=").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
        let body = json!({"token": token, "password": PASSWORD});
        self.run(self.call("POST", "/v1/password/set", Some(body), None, 204));
        let customer =
            Customer { username, password: RefCell::new(PASSWORD.into()), session: RefCell::new((String::new(), 0)) };
        self.sign_in(&customer);
        customer
    }

    /// Sets `primary`'s sub-account policy: 40 networks, the bench's own
    /// peers (10.0.0.0/8) last, so that every request is matched against all.
    fn forty_network_policy(&self, primary: &Customer) {
        let mut networks: Vec<String> = (0..39).map(|i| format!("203.0.{i}.0/24")).collect();
        networks.push("10.0.0.0/8".into());
        let body =
            json!({"mfa_required": false, "session_hours": 24, "allowed_networks": networks, "password": PASSWORD});
        self.run(self.call("PUT", "/v1/me/sub-account-policy", Some(body), Some(&self.session(primary)), 200));
    }

    /// The code of the newest SMS to `phone`.
    fn latest_code_to(&self, phone: &str) -> String {
        let text = self.latest_text_to(phone);
        text.split(|c: char| !c.is_ascii_digit()).find(|run| run.len() == 6).unwrap().to_owned()
    }

    /// `customer`'s phone (the bench numbers them as their usernames).
    fn phone_of(customer: &Customer) -> String {
        Self::phone(customer.username.trim_start_matches("bench").parse().unwrap())
    }

    /// Signs `customer` (TOTP on, `secret`) in through the second step with
    /// "remember this device"; the device token.
    fn remembered_device(&self, customer: &Customer, secret: &str) -> String {
        // A step of its own: each code is accepted once.
        self.advance_clock(30);
        let body = json!({"login": customer.username, "password": PASSWORD});
        let first = self.run(self.call("POST", "/v1/sessions", Some(body), None, 200));
        let body = json!({"mfa_token": first["mfa_token"], "code": self.totp(secret), "remember_device": true});
        let session = self.run(self.call("POST", "/v1/sessions/mfa", Some(body), None, 201));
        *customer.session.borrow_mut() = (session["token"].as_str().unwrap().to_owned(), self.epoch.get());
        session["device_token"].as_str().unwrap().to_owned()
    }

    fn advance_clock(&self, seconds: i64) {
        self.embedded.clock.advance(seconds);
        self.epoch.set(self.epoch.get() + 1);
    }
}

/// A flow: how to make its next request (untimed) from the bench state.
type Setup<'a> = Box<dyn Fn() -> Call + 'a>;

/// A fresh store and the customers the flows act as.
struct Fixture {
    bench: Bench,
    alice: Customer,
    bob: Customer,
    carol: (Customer, String),
    dave: std::cell::OnceCell<(Customer, Cell<u64>)>,
    erin: (Customer, RefCell<Authenticator>),
    /// A primary account with a 40-network policy, and its sub-account.
    frank: (Customer, Customer),
    /// carol's remembered device, made on first use.
    carols_device: std::cell::OnceCell<String>,
}

impl Fixture {
    fn new() -> Self {
        Self::with(Bench::new())
    }

    fn with(bench: Bench) -> Self {
        let (alice, bob, carol) = (bench.customer(), bench.customer(), bench.customer_with_mfa());
        let erin = bench.customer_with_passkey();
        let lead = bench.customer();
        bench.forty_network_policy(&lead);
        let sub = bench.sub_account(&lead);
        let frank = (lead, sub);
        let carols_device = std::cell::OnceCell::new();
        Self { bench, alice, bob, carol, dave: std::cell::OnceCell::new(), erin, frank, carols_device }
    }
}

fn flows(fixture: &Fixture) -> Vec<(&'static str, Setup<'_>)> {
    let Fixture { bench, alice, bob, carol, dave, erin, frank, carols_device } = fixture;
    vec![
        (
            "POST /v1/sms-codes",
            Box::new(|| {
                let phone = Bench::phone(bench.unique());
                bench.call("POST", "/v1/sms-codes", Some(json!({"phone": phone, "purpose": "sign_up"})), None, 202)
            }),
        ),
        ("POST /v1/accounts", Box::new(|| bench.sign_up_call().0)),
        ("POST /v1/password/set", Box::new(|| bench.activation_call().0)),
        ("POST /v1/sessions", Box::new(|| bench.sign_in_call(&alice.username, PASSWORD))),
        (
            "POST /v1/me/passkeys/options",
            Box::new(|| {
                let body = json!({"password": PASSWORD});
                bench.call("POST", "/v1/me/passkeys/options", Some(body), Some(&bench.session(alice)), 200)
            }),
        ),
        (
            "POST /v1/me/passkeys",
            Box::new(|| {
                // A customer of its own: an account holds at most ten.
                bench.passkey_registration(&bench.customer(), &mut Bench::authenticator())
            }),
        ),
        (
            "POST /v1/sessions/passkey/options",
            Box::new(|| bench.call("POST", "/v1/sessions/passkey/options", Some(json!({})), None, 200)),
        ),
        (
            "POST /v1/sessions/passkey",
            Box::new(|| {
                let started = bench.run(bench.call("POST", "/v1/sessions/passkey/options", Some(json!({})), None, 200));
                let credential = erin.1.borrow_mut().assert(&started["options"]);
                let body = json!({"challenge_id": started["challenge_id"], "credential": credential});
                bench.call("POST", "/v1/sessions/passkey", Some(body), None, 201)
            }),
        ),
        ("GET /v1/me", Box::new(|| bench.call("GET", "/v1/me", None, Some(&bench.session(alice)), 200))),
        (
            "DELETE /v1/sessions/current",
            Box::new(|| {
                // A session of its own: alice's kept session must stay live.
                let session = bench.run(bench.sign_in_call(&alice.username, PASSWORD));
                bench.call("DELETE", "/v1/sessions/current", None, session["token"].as_str(), 204)
            }),
        ),
        (
            "POST /v1/password/forgot (account)",
            Box::new(|| {
                // A new hour: the per-name and per-account windows start again.
                bench.advance_clock(3_601);
                bench.call("POST", "/v1/password/forgot", Some(json!({"login": alice.username})), None, 202)
            }),
        ),
        (
            "POST /v1/password/forgot (no account)",
            Box::new(|| {
                let login = format!("nobody{}", bench.unique());
                bench.call("POST", "/v1/password/forgot", Some(json!({"login": login})), None, 202)
            }),
        ),
        (
            "PUT /v1/me/password",
            Box::new(|| {
                let session = bench.session(bob);
                let current = bob.password.borrow().clone();
                let next = format!("Gpu#Cl0ud-{}", bench.unique());
                *bob.password.borrow_mut() = next.clone();
                let body = json!({"current_password": current, "new_password": next});
                bench.call("PUT", "/v1/me/password", Some(body), Some(&session), 204)
            }),
        ),
        (
            "POST /v1/me/sub-accounts",
            Box::new(|| {
                let customer = bench.customer();
                let name = format!("sub{}", bench.unique());
                let body = json!({"username": name, "email": format!("{name}@example.com")});
                bench.call("POST", "/v1/me/sub-accounts", Some(body), Some(&bench.session(&customer)), 201)
            }),
        ),
        (
            "GET /v1/me (sub-account, 40-network policy)",
            Box::new(|| bench.call("GET", "/v1/me", None, Some(&bench.session(&frank.1)), 200)),
        ),
        (
            "POST /v1/me/sub-accounts/{username}/disable",
            Box::new(|| {
                let primary = bench.customer();
                let sub = bench.pending_sub_account(&primary);
                let path = format!("/v1/me/sub-accounts/{sub}/disable");
                bench.call("POST", &path, None, Some(&bench.session(&primary)), 204)
            }),
        ),
        (
            "DELETE /v1/me/sub-accounts/{username}",
            Box::new(|| {
                let primary = bench.customer();
                let sub = bench.pending_sub_account(&primary);
                let body = json!({"password": PASSWORD});
                bench.call(
                    "DELETE",
                    &format!("/v1/me/sub-accounts/{sub}"),
                    Some(body),
                    Some(&bench.session(&primary)),
                    204,
                )
            }),
        ),
        (
            "PUT /v1/me/sub-account-policy (1 sub-account)",
            Box::new(|| {
                let body = json!({"mfa_required": false, "session_hours": 8, "allowed_networks": ["10.0.0.0/8"],
                    "password": PASSWORD});
                bench.call("PUT", "/v1/me/sub-account-policy", Some(body), Some(&bench.session(&frank.0)), 200)
            }),
        ),
        (
            "POST /v1/me/verification/materials",
            Box::new(|| {
                let customer = bench.customer();
                let body = json!({"file_name": "id.pdf", "content_type": "application/pdf", "size": 200_000});
                bench.call("POST", "/v1/me/verification/materials", Some(body), Some(&bench.session(&customer)), 201)
            }),
        ),
        (
            "POST /v1/me/deletion-request",
            Box::new(|| {
                let customer = bench.customer();
                let body = json!({"password": PASSWORD, "reason": "bench"});
                bench.call("POST", "/v1/me/deletion-request", Some(body), Some(&bench.session(&customer)), 202)
            }),
        ),
        (
            "GET /ops/v1/accounts/{username}",
            Box::new(|| bench.call("GET", &format!("/ops/v1/accounts/{}", alice.username), None, None, 200)),
        ),
        (
            "GET /ops/v1/accounts (login: any identifier)",
            Box::new(|| {
                let login = alice.username.to_uppercase();
                bench.call("GET", &format!("/ops/v1/accounts?login={login}"), None, None, 200)
            }),
        ),
        (
            "GET /ops/v1/accounts/{username}/sessions",
            Box::new(|| bench.call("GET", &format!("/ops/v1/accounts/{}/sessions", alice.username), None, None, 200)),
        ),
        (
            "GET /v1/me/sessions (5 sessions)",
            Box::new(|| {
                // A customer of its own (alice gathers a session per sign-in
                // above), with five live sessions even after the clock jumps.
                let (dave, signed_in_at) = dave.get_or_init(|| (bench.customer(), Cell::new(u64::MAX)));
                if signed_in_at.get() != bench.epoch.get() {
                    (0..5).for_each(|_| drop(bench.sign_in(dave)));
                    signed_in_at.set(bench.epoch.get());
                }
                bench.call("GET", "/v1/me/sessions", None, Some(&bench.session(dave)), 200)
            }),
        ),
        (
            "POST /v1/me/mfa/totp",
            Box::new(|| {
                // bob's password changes in the flow above.
                let body = json!({"password": *bob.password.borrow()});
                bench.call("POST", "/v1/me/mfa/totp", Some(body), Some(&bench.session(bob)), 201)
            }),
        ),
        (
            "POST /v1/me/mfa/totp/confirm",
            Box::new(|| {
                let customer = bench.customer();
                let code = json!({"code": bench.totp(&bench.enrol(&customer))});
                bench.call("POST", "/v1/me/mfa/totp/confirm", Some(code), Some(&bench.session(&customer)), 200)
            }),
        ),
        (
            "POST /v1/sessions/mfa",
            Box::new(|| {
                let (customer, secret) = carol;
                // A step of its own: each code is accepted once.
                bench.advance_clock(30);
                let first = bench.run(bench.call(
                    "POST",
                    "/v1/sessions",
                    Some(json!({"login": customer.username, "password": PASSWORD})),
                    None,
                    200,
                ));
                let body = json!({"mfa_token": first["mfa_token"], "code": bench.totp(secret)});
                bench.call("POST", "/v1/sessions/mfa", Some(body), None, 201)
            }),
        ),
        (
            "POST /v1/me/email",
            Box::new(|| {
                // A new day: an account may ask for five email changes a day.
                bench.advance_clock(86_400);
                let body = json!({"password": PASSWORD, "new_email": format!("moved{}@example.com", bench.unique())});
                bench.call("POST", "/v1/me/email", Some(body), Some(&bench.session(alice)), 202)
            }),
        ),
        (
            "PUT /v1/me/phone",
            Box::new(|| {
                // A new day: an account may ask for five phone-change codes a day.
                bench.advance_clock(86_400);
                let phone = Bench::phone(bench.unique());
                let session = bench.session(alice);
                bench.run(bench.call(
                    "POST",
                    "/v1/me/phone/sms-code",
                    Some(json!({"phone": phone})),
                    Some(&session),
                    202,
                ));
                let text = bench.latest_text_to(&phone);
                let code = text.split(|c: char| !c.is_ascii_digit()).find(|run| run.len() == 6).unwrap().to_owned();
                let body = json!({"password": PASSWORD, "phone": phone, "sms_code": code});
                bench.call("PUT", "/v1/me/phone", Some(body), Some(&session), 204)
            }),
        ),
        (
            "POST /v1/sms-codes (sign_in, account)",
            Box::new(|| {
                // A customer of its own: a phone gets one sign-in code a minute.
                let phone = Bench::phone_of(&bench.customer());
                bench.call("POST", "/v1/sms-codes", Some(json!({"phone": phone, "purpose": "sign_in"})), None, 202)
            }),
        ),
        (
            "POST /v1/sms-codes (sign_in, no account)",
            Box::new(|| {
                let phone = Bench::phone(bench.unique());
                bench.call("POST", "/v1/sms-codes", Some(json!({"phone": phone, "purpose": "sign_in"})), None, 202)
            }),
        ),
        (
            "POST /v1/sessions/sms",
            Box::new(|| {
                let phone = Bench::phone_of(&bench.customer());
                bench.run(bench.call(
                    "POST",
                    "/v1/sms-codes",
                    Some(json!({"phone": phone, "purpose": "sign_in"})),
                    None,
                    202,
                ));
                let body = json!({"phone": phone, "sms_code": bench.latest_code_to(&phone)});
                bench.call("POST", "/v1/sessions/sms", Some(body), None, 201)
            }),
        ),
        (
            "POST /v1/sessions (remembered device, TOTP on)",
            Box::new(|| {
                let (customer, secret) = carol;
                let device = carols_device.get_or_init(|| bench.remembered_device(customer, secret));
                let body = json!({"login": customer.username, "password": PASSWORD, "device_token": device});
                bench.call("POST", "/v1/sessions", Some(body), None, 201)
            }),
        ),
        (
            "GET /v1/me/devices",
            Box::new(|| {
                let (customer, secret) = carol;
                carols_device.get_or_init(|| bench.remembered_device(customer, secret));
                bench.call("GET", "/v1/me/devices", None, Some(&bench.session(customer)), 200)
            }),
        ),
        (
            "DELETE /v1/me/devices/{device_id}",
            Box::new(|| {
                let (customer, secret) = carol;
                bench.remembered_device(customer, secret);
                let session = bench.session(customer);
                let listed = bench.run(bench.call("GET", "/v1/me/devices", None, Some(&session), 200));
                let path = format!("/v1/me/devices/{}", listed["items"][0]["device_id"].as_str().unwrap());
                bench.call("DELETE", &path, None, Some(&session), 204)
            }),
        ),
        (
            "POST /v1/username/forgot",
            Box::new(|| {
                // A new hour: the per-name and per-account windows start again.
                bench.advance_clock(3_601);
                bench.call(
                    "POST",
                    "/v1/username/forgot",
                    Some(json!({"email": format!("{}@example.com", alice.username)})),
                    None,
                    202,
                )
            }),
        ),
    ]
}

/// The flows that ask the breached-password range API (a local one, in a
/// thread of its own: the bench's runtime runs one request at a time).
fn screening_flows(fixture: &Fixture) -> Vec<(&'static str, Setup<'_>)> {
    let bench = &fixture.bench;
    vec![
        (
            "POST /v1/sessions (breach check, local range API)",
            Box::new(|| {
                // A customer of its own: the check runs once a day per account.
                let customer = bench.customer();
                bench.advance_clock(86_400);
                bench.sign_in_call(&customer.username, PASSWORD)
            }),
        ),
        (
            "POST /v1/sessions (breach checked today)",
            Box::new(|| bench.sign_in_call(&fixture.alice.username, PASSWORD)),
        ),
    ]
}

/// A range API on this machine, answering padding for every prefix.
fn local_range_api() -> String {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            sender.send(listener.local_addr().unwrap()).unwrap();
            accounts_tests::range_api::serve(listener).await;
        });
    });
    format!("http://{}/range/", receiver.recv().unwrap())
}

/// Times `samples` single requests of one flow; returns (p50, p99, max).
fn percentiles(bench: &Bench, setup: &Setup, samples: usize) -> (Duration, Duration, Duration) {
    let mut times: Vec<Duration> = (0..samples)
        .map(|_| {
            let call = setup();
            let started = Instant::now();
            let (status, _) = bench.handle(&call.event);
            let elapsed = started.elapsed();
            assert_eq!(status, call.expect);
            elapsed
        })
        .collect();
    times.sort();
    let at = |q: f64| times[((samples as f64 * q) as usize).min(samples - 1)];
    (at(0.50), at(0.99), times[samples - 1])
}

fn main() {
    let mut criterion = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    let samples = std::env::var("FLOW_SAMPLES").ok().and_then(|s| s.parse().ok()).unwrap_or(2_000);
    // Each flow is named by its route (and a case in brackets): held to the
    // route table, so a renamed or removed route fails here, not in a table.
    let fixture = Fixture::new();
    for (name, _) in flows(&fixture).into_iter().chain(screening_flows(&fixture)) {
        let route = name.split(" (").next().unwrap_or(name);
        assert!(shared::api::routes::by_key(route).is_some(), "the flow {name:?} names no route");
    }
    // FLOW_FILTER=a|b runs only the flows whose name holds one of them.
    let wanted =
        |name: &str| std::env::var("FLOW_FILTER").map_or(true, |filter| filter.split('|').any(|f| name.contains(f)));
    let mut rows = Vec::new();
    // Each flow runs on a store of its own: on one store shared by all, the
    // flows before grew it to millions of items (5 GB resident), and the
    // later flows' tails measured that growth, which DynamoDB does not have.
    for index in 0.. {
        let fixture = Fixture::new();
        let flows = flows(&fixture);
        let Some((name, setup)) = flows.get(index) else { break };
        if !wanted(name) {
            continue;
        }
        criterion.bench_function(name, |b| {
            b.iter_batched(setup, |call| fixture.bench.run(call), BatchSize::PerIteration);
        });
        rows.push((*name, percentiles(&fixture.bench, setup, samples)));
    }
    let range_api = local_range_api();
    for index in 0.. {
        let fixture = Fixture::with(Bench::with(Some(&range_api)));
        let flows = screening_flows(&fixture);
        let Some((name, setup)) = flows.get(index) else { break };
        if !wanted(name) {
            continue;
        }
        criterion.bench_function(name, |b| {
            b.iter_batched(setup, |call| fixture.bench.run(call), BatchSize::PerIteration);
        });
        rows.push((*name, percentiles(&fixture.bench, setup, samples)));
    }
    criterion.final_summary();

    println!("\n| flow | p50 µs | p99 µs | max µs |\n|---|---:|---:|---:|");
    for (name, (p50, p99, max)) in rows {
        println!("| `{name}` | {} | {} | {} |", p50.as_micros(), p99.as_micros(), max.as_micros());
    }
}
