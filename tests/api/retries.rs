//! A `503` costs the caller nothing (the contract's conventions): over every
//! flow that counts something before it calls out, any one call of any
//! dependency (the store, email, SMS, document storage, sealing) fails,
//! the request is answered, and the same request is sent again. The retry
//! gets what the request gets without a fault (or, where the first attempt
//! already made its effect, what a repeat of it gets), and every counter
//! and marker ends where one fault-free request (or a request and its
//! repeat) leaves it: nothing the failed attempt counted holds the caller
//! back. Through the dev server's real request path, on both backends.

use std::collections::BTreeMap;
use std::sync::Arc;

use accounts_tests::faults::Faults;
use accounts_tests::{Customer, PASSWORD, TestApp, spawn_app_with_faults};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const ORIGIN_SECRET: &str = "retries: the distribution's secret";

/// A request as a client sends it, from its own address.
struct Request {
    method: Method,
    path: &'static str,
    body: Value,
    token: Option<String>,
    viewer: String,
}

impl Request {
    fn public(path: &'static str, body: Value) -> Self {
        Self { method: Method::POST, path, body, token: None, viewer: String::new() }
    }

    fn signed_in(method: Method, path: &'static str, token: String, body: Value) -> Self {
        Self { method, path, body, token: Some(token), viewer: String::new() }
    }

    async fn send(&self, app: &TestApp) -> StatusCode {
        let mut request = app
            .client
            .request(self.method.clone(), format!("{}{}", app.base, self.path))
            .header("x-origin-verify", ORIGIN_SECRET)
            .header("cloudfront-viewer-address", format!("{}:443", self.viewer))
            .json(&self.body);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request sent").status()
    }
}

/// The flows that count before they call out, each prepared afresh (a new
/// customer, a new phone) for every run.
#[derive(Debug, Clone, Copy)]
enum Flow {
    SignUpCode,
    ForgotPasswordByEmail,
    ForgotPasswordBySms,
    ForgotUsernameBySms,
    Appeal,
    SignIn,
    SecondStep,
    ChangePassword,
    PhoneChangeCode,
    EmailChange,
    SubAccount,
    MaterialSlot,
}

const FLOWS: [Flow; 12] = [
    Flow::SignUpCode,
    Flow::ForgotPasswordByEmail,
    Flow::ForgotPasswordBySms,
    Flow::ForgotUsernameBySms,
    Flow::Appeal,
    Flow::SignIn,
    Flow::SecondStep,
    Flow::ChangePassword,
    Flow::PhoneChangeCode,
    Flow::EmailChange,
    Flow::SubAccount,
    Flow::MaterialSlot,
];

async fn prepare(app: &TestApp, flow: Flow, run: usize) -> Request {
    let name = |base: &str| format!("{base}{run}");
    let customer = || async {
        let customer = app.activated_customer(&format!("retry{run}x")).await;
        let token = app.token_for(&customer).await;
        (customer, token)
    };
    let mut request = match flow {
        Flow::SignUpCode => Request::public("/v1/sms-codes", json!({"phone": app.fresh_phone(), "purpose": "sign_up"})),
        Flow::ForgotPasswordByEmail => {
            let (customer, _) = customer().await;
            Request::public("/v1/password/forgot", json!({"login": customer.username}))
        }
        Flow::ForgotPasswordBySms => {
            let (customer, _) = customer().await;
            Request::public("/v1/password/forgot", json!({"login": customer.username, "method": "sms"}))
        }
        Flow::ForgotUsernameBySms => {
            let (customer, _) = customer().await;
            Request::public("/v1/username/forgot", json!({"phone": customer.phone}))
        }
        Flow::Appeal => {
            let (customer, _) = customer().await;
            let body = json!({"login": customer.username, "contact_email": app.email(&name("appellant")),
                "description": "Lost my phone and my mailbox."});
            Request::public("/v1/appeals", body)
        }
        Flow::SignIn => {
            let (customer, _) = customer().await;
            Request::public("/v1/sessions", json!({"login": customer.username, "password": PASSWORD}))
        }
        Flow::SecondStep => {
            let (customer, token) = customer().await;
            let (secret, _) = app.enable_mfa(&token).await;
            let mfa_token = mfa_token(app, &customer).await;
            Request::public("/v1/sessions/mfa", json!({"mfa_token": mfa_token, "code": app.totp_code(&secret, 1)}))
        }
        Flow::ChangePassword => {
            let (_, token) = customer().await;
            let body = json!({"current_password": PASSWORD, "new_password": "Changed#Pass42"});
            Request::signed_in(Method::PUT, "/v1/me/password", token, body)
        }
        Flow::PhoneChangeCode => {
            let (_, token) = customer().await;
            let body = json!({"phone": app.fresh_phone()});
            Request::signed_in(Method::POST, "/v1/me/phone/sms-code", token, body)
        }
        Flow::EmailChange => {
            let (_, token) = customer().await;
            let body = json!({"password": PASSWORD, "new_email": app.email(&name("moved"))});
            Request::signed_in(Method::POST, "/v1/me/email", token, body)
        }
        Flow::SubAccount => {
            let (_, token) = customer().await;
            let body = json!({"username": format!("member{run}x"), "email": app.email(&name("member"))});
            Request::signed_in(Method::POST, "/v1/me/sub-accounts", token, body)
        }
        Flow::MaterialSlot => {
            let (_, token) = customer().await;
            let body = json!({"file_name": "id.pdf", "content_type": "application/pdf", "size": 2048});
            Request::signed_in(Method::POST, "/v1/me/verification/materials", token, body)
        }
    };
    // Each run is its own client: an IPv6 /64 of its own.
    request.viewer = format!("2001:db8:{run:x}::1");
    request
}

async fn mfa_token(app: &TestApp, customer: &Customer) -> String {
    let response = app.sign_in(&customer.username, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK, "the second step is asked for");
    response.json::<Value>().await.unwrap()["mfa_token"].as_str().unwrap().to_owned()
}

/// What the counters and markers written since the plan was armed moved,
/// by kind (`sms-cooldown`, `login-failures`, …): each key's change, sorted.
/// Kinds, not keys: each run counts for its own customer and address.
async fn moved(app: &TestApp, faults: &Faults, before: &BTreeMap<String, i64>) -> BTreeMap<String, Vec<i64>> {
    let mut by_kind: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for key in faults.counter_keys() {
        let now = value(app, &key).await;
        let kind = key.pk.split('#').nth(1).unwrap_or_default().to_owned();
        let delta = now - before.get(&key.pk).copied().unwrap_or(0);
        if delta != 0 {
            by_kind.entry(kind).or_default().push(delta);
        }
    }
    by_kind.values_mut().for_each(|deltas| deltas.sort());
    by_kind
}

/// A counter's count, a marker's presence (1), or 0.
async fn value(app: &TestApp, key: &shared::store::Key) -> i64 {
    match app.dev().app().store.get(key).await.expect("the store answers once disarmed") {
        Some(item) => item.data.get("count").and_then(Value::as_i64).unwrap_or(1),
        None => 0,
    }
}

/// What the counters every run shares (the day's SMS budget) hold before a
/// run, so that only the run's own change is compared.
async fn shared_counters(app: &TestApp, keys: &[shared::store::Key]) -> BTreeMap<String, i64> {
    let mut values = BTreeMap::new();
    for key in keys {
        values.insert(key.pk.clone(), value(app, key).await);
    }
    values
}

/// One flow's sweep: a fault-free run (and its repeat) as the measure,
/// then one run per call that run made, failing that call.
async fn sweep(app: &TestApp, faults: &Arc<Faults>, flow: Flow, runs: &mut usize) {
    *runs += 1;
    faults.disarm();
    let request = prepare(app, flow, *runs).await;
    let global = global_keys(app).await;
    let before = shared_counters(app, &global).await;
    faults.arm(0);
    let clean = request.send(app).await;
    assert!(clean.is_success(), "{flow:?} answers {clean} without a fault");
    let calls = faults.calls();
    let once = moved(app, faults, &before).await;
    let repeated = request.send(app).await;
    let twice = moved(app, faults, &before).await;
    assert!(calls > 0, "{flow:?} calls out");

    let mut failed = 0;
    for fail_at in 1..=calls {
        *runs += 1;
        faults.disarm();
        let request = prepare(app, flow, *runs).await;
        let before = shared_counters(app, &global).await;
        faults.arm(fail_at);
        let first = request.send(app).await;
        let port = faults.injected();
        faults.disarm();
        assert!(port.is_some(), "{flow:?}: call {fail_at} of {calls} was made and failed");
        let what = format!("{flow:?} with call {fail_at} of {calls} ({}) failing", port.unwrap_or_default());
        assert_ne!(first, StatusCode::INTERNAL_SERVER_ERROR, "{what}");
        if first.is_success() {
            // The failure was no failure of the request's (a notice that
            // did not go, a message answered alike): nothing to retry.
            assert_eq!(first, clean, "{what}");
            continue;
        }
        assert_eq!(first, StatusCode::SERVICE_UNAVAILABLE, "{what}");
        failed += 1;
        let retry = request.send(app).await;
        let counted = moved(app, faults, &before).await;
        if retry == clean {
            assert_eq!(counted, once, "{what}: after the 503 and a retry, the counters stand as after one request");
        } else {
            assert_eq!(retry, repeated, "{what}: the retry answers {retry}");
            assert_eq!(counted, twice, "{what}: after the 503 and a retry, the counters stand as after a repeat");
        }
    }
    assert!(failed > 0, "{flow:?}: some fault was answered 503");
}

/// The keys every run shares: the SMS budget of the day.
async fn global_keys(app: &TestApp) -> Vec<shared::store::Key> {
    let day = app.server_now().div_euclid(86_400);
    vec![shared::persistence::keys::rate("sms-budget", &day.to_string())]
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "injects faults into the dev server's ports, which the deployed shape has not")]
async fn after_a_503_of_any_dependency_at_any_step_the_retry_is_not_held_back() {
    let faults = Faults::new();
    // The runs' own limits are what is measured; the set-up's sign-ups all
    // come from this test's one address.
    let vars = [
        ("ACCOUNTS_ORIGIN_SECRET", ORIGIN_SECRET),
        ("ACCOUNTS_FORGOT_MIN_MILLIS", "0"),
        ("ACCOUNTS_LIMIT_SMS_PER_IP_HOUR", "100000"),
        ("ACCOUNTS_LIMIT_SMS_PER_NETWORK_HOUR", "100000"),
    ];
    let app = spawn_app_with_faults(&vars, &faults).await;
    let mut runs = 0;
    for flow in FLOWS {
        sweep(&app, &faults, flow, &mut runs).await;
    }
}
