//! Sub-accounts managed by their primary account (the contract's "Sub-accounts,
//! managed by their primary account"): disable, enable, sign out, remove,
//! and the policy they sign in under — on every shape (every caller of the
//! stack is 127.0.0.1, so "inside" is loopback and "outside" another block).

use accounts_tests::authenticator::Tamper;
use accounts_tests::{PASSWORD, TestApp, assert_problem, field_errors, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::passkeys::{add_passkey, sign_in_with};

/// Networks that hold every caller of the tests.
const LOOPBACK: [&str; 2] = ["127.0.0.0/8", "::1/128"];
/// A network that holds none of them.
const ELSEWHERE: &str = "203.0.113.0/24";

pub(crate) struct Team {
    pub(crate) primary_token: String,
    pub(crate) primary_email: String,
    pub(crate) sub: &'static str,
    pub(crate) sub_email: String,
}

/// A primary account with one activated sub-account.
pub(crate) async fn team(app: &TestApp, name: &str) -> Team {
    let primary = app.activated_customer(&format!("{name}lead")).await;
    let primary_token = app.token_for(&primary).await;
    let sub = app.user(&format!("{name}mate"));
    let sub_email = app.email(sub);
    let created = app
        .json_with_token(
            Method::POST,
            "/v1/me/sub-accounts",
            &primary_token,
            &json!({"username": sub, "email": sub_email}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let token = app.last_link_token(&sub_email).await;
    let set = app.post("/v1/password/set", &json!({"token": token, "password": PASSWORD})).await;
    assert_eq!(set.status(), StatusCode::NO_CONTENT);
    Team { primary_token, primary_email: primary.email, sub, sub_email }
}

async fn sub_token(app: &TestApp, team: &Team) -> String {
    let response = app.sign_in(team.sub, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
}

async fn on_sub(app: &TestApp, team: &Team, method: Method, action: &str, body: &Value) -> reqwest::Response {
    let path = format!("/v1/me/sub-accounts/{}{action}", team.sub);
    app.json_with_token(method, &path, &team.primary_token, body).await
}

async fn disable(app: &TestApp, team: &Team) -> reqwest::Response {
    on_sub(app, team, Method::POST, "/disable", &json!({})).await
}

async fn listed(app: &TestApp, team: &Team) -> Value {
    let list: Value =
        app.with_token(Method::GET, "/v1/me/sub-accounts", &team.primary_token).await.json().await.unwrap();
    list["items"].as_array().unwrap().iter().find(|item| item["username"] == team.sub).cloned().unwrap_or(Value::Null)
}

async fn recovery_codes_left(app: &TestApp, team: &Team) -> u64 {
    let me: Value = app.with_token(Method::GET, "/v1/me", &team.primary_token).await.json().await.unwrap();
    me["mfa"]["recovery_codes_left"].as_u64().unwrap()
}

async fn read_policy(app: &TestApp, team: &Team) -> Value {
    let response = app.with_token(Method::GET, "/v1/me/sub-account-policy", &team.primary_token).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn set_policy(app: &TestApp, team: &Team, policy: Value) -> reqwest::Response {
    let mut body = policy;
    body["password"] = Value::from(PASSWORD);
    app.json_with_token(Method::PUT, "/v1/me/sub-account-policy", &team.primary_token, &body).await
}

/// The trail of `account_id` as `(event, actor kind)` pairs.
async fn trail(app: &TestApp, account_id: &str) -> Vec<(String, String)> {
    let path = format!("/ops/v1/audit?account_id={account_id}&limit=200");
    let trail: Value = app.ops(Method::GET, &path, None).await.json().await.unwrap();
    let items = trail["items"].as_array().unwrap();
    items
        .iter()
        .map(|r| (r["event"].as_str().unwrap().to_owned(), r["actor"]["kind"].as_str().unwrap().to_owned()))
        .collect()
}

#[tokio::test]
async fn disabling_cuts_a_sub_account_off_at_once_and_enabling_brings_it_back() {
    let app = spawn_app().await;
    let team = team(&app, "cutoff").await;
    let session = sub_token(&app, &team).await;
    let sub_id = app.account_id(&session).await.to_string();
    let item = listed(&app, &team).await;
    assert_eq!((item["status"].as_str(), item["mfa"].as_bool()), (Some("active"), Some(false)));
    assert!(item["last_sign_in_at"].is_string(), "{item}");

    assert_eq!(disable(&app, &team).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.with_token(Method::GET, "/v1/me", &session).await.status(), StatusCode::UNAUTHORIZED);
    assert_problem(app.sign_in(team.sub, PASSWORD).await, StatusCode::FORBIDDEN, "account_disabled").await;
    assert_problem(app.sign_in(team.sub, "Wrong#Pass-1234").await, StatusCode::UNAUTHORIZED, "invalid_credentials")
        .await;
    assert!(app.last_email(&team.sub_email).await["subject"].as_str().unwrap().contains("disabled"));
    assert_eq!(listed(&app, &team).await["status"], "disabled");
    assert_eq!(disable(&app, &team).await.status(), StatusCode::NO_CONTENT, "disabling a disabled one");

    // Bringing it back takes the primary's password.
    assert_problem(
        on_sub(&app, &team, Method::POST, "/enable", &json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let wrong = on_sub(&app, &team, Method::POST, "/enable", &json!({"password": "Wrong#Pass-1234"})).await;
    assert_problem(wrong, StatusCode::FORBIDDEN, "invalid_credentials").await;
    assert_eq!(listed(&app, &team).await["status"], "disabled", "a refused enable changes nothing");
    let enabled = on_sub(&app, &team, Method::POST, "/enable", &json!({"password": PASSWORD})).await;
    assert_eq!(enabled.status(), StatusCode::NO_CONTENT);
    assert!(app.last_email(&team.sub_email).await["subject"].as_str().unwrap().contains("enabled"));
    let again = on_sub(&app, &team, Method::POST, "/enable", &json!({"password": PASSWORD})).await;
    assert_eq!(again.status(), StatusCode::NO_CONTENT, "enabling an enabled one");
    assert_eq!(app.sign_in(team.sub, PASSWORD).await.status(), StatusCode::CREATED);
    assert_eq!(listed(&app, &team).await["status"], "active");

    let trail = trail(&app, &sub_id).await;
    for event in ["sub_account_disabled", "sub_account_enabled"] {
        let found: Vec<_> = trail.iter().filter(|(e, _)| e == event).collect();
        assert_eq!(found.len(), 1, "{event} once: {trail:?}");
        assert_eq!(found[0].1, "primary");
    }
}

#[tokio::test]
async fn a_disabled_sub_accounts_links_second_step_tokens_and_passkeys_are_dead() {
    let app = spawn_app().await;
    let team = team(&app, "deadends").await;
    let session = sub_token(&app, &team).await;
    let (mut authenticator, _) = add_passkey(&app, &session, Some("Laptop")).await;
    app.enable_mfa(&session).await;
    let first_step: Value = app.sign_in(team.sub, PASSWORD).await.json().await.unwrap();
    let mfa_token = first_step["mfa_token"].as_str().unwrap().to_owned();
    let reset = on_sub(&app, &team, Method::POST, "/password-reset", &json!({})).await;
    assert_eq!(reset.status(), StatusCode::ACCEPTED);
    let link = app.last_link_token(&team.sub_email).await;

    assert_eq!(disable(&app, &team).await.status(), StatusCode::NO_CONTENT);
    let set = app.post("/v1/password/set", &json!({"token": link, "password": "Fresh#Gpu-Pass9"})).await;
    assert_problem(set, StatusCode::NOT_FOUND, "invalid_link").await;
    // Even a link sent after the disable opens nothing.
    assert_eq!(on_sub(&app, &team, Method::POST, "/password-reset", &json!({})).await.status(), StatusCode::ACCEPTED);
    let later = app.last_link_token(&team.sub_email).await;
    let set = app.post("/v1/password/set", &json!({"token": later, "password": "Fresh#Gpu-Pass9"})).await;
    assert_problem(set, StatusCode::NOT_FOUND, "invalid_link").await;
    let second = app.post("/v1/sessions/mfa", &json!({"mfa_token": mfa_token, "code": "123456"})).await;
    assert_problem(second, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let passkey = sign_in_with(&app, &mut authenticator, &Tamper::default()).await;
    assert_problem(passkey, StatusCode::FORBIDDEN, "account_disabled").await;
}

#[tokio::test]
async fn only_a_primary_account_manages_and_only_its_own_sub_accounts() {
    let app = spawn_app().await;
    let team = team(&app, "owners").await;
    let stranger = app.activated_customer("strangerlead").await;
    let stranger_token = app.token_for(&stranger).await;
    let session = sub_token(&app, &team).await;
    let password = json!({"password": PASSWORD});
    let routes = [
        (Method::POST, "/disable", json!({})),
        (Method::POST, "/enable", password.clone()),
        (Method::DELETE, "/sessions", json!({})),
        (Method::DELETE, "", password.clone()),
    ];
    for (method, action, body) in &routes {
        for (name, token) in [(team.sub, &stranger_token), ("nosuchuser", &team.primary_token)] {
            let path = format!("/v1/me/sub-accounts/{name}{action}");
            let response = app.json_with_token(method.clone(), &path, token, body).await;
            assert_problem(response, StatusCode::NOT_FOUND, "sub_account_not_found").await;
        }
        let path = format!("/v1/me/sub-accounts/{}{action}", team.sub);
        assert_problem(
            app.json_with_token(method.clone(), &path, &session, body).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }
    assert_problem(
        app.with_token(Method::GET, "/v1/me/sub-account-policy", &session).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let policy = json!({"mfa_required": false, "session_hours": 12, "allowed_networks": [], "password": PASSWORD});
    let put = app.json_with_token(Method::PUT, "/v1/me/sub-account-policy", &session, &policy).await;
    assert_problem(put, StatusCode::FORBIDDEN, "forbidden").await;
    // Nothing of that touched the sub-account.
    assert_eq!(app.with_token(Method::GET, "/v1/me", &session).await.status(), StatusCode::OK);
    assert_eq!(listed(&app, &team).await["status"], "active");
}

#[tokio::test]
async fn the_primary_ends_its_sub_accounts_sessions_and_it_can_sign_in_again() {
    let app = spawn_app().await;
    let team = team(&app, "signout").await;
    let (one, two) = (sub_token(&app, &team).await, sub_token(&app, &team).await);
    let sub_id = app.account_id(&one).await.to_string();
    assert_eq!(on_sub(&app, &team, Method::DELETE, "/sessions", &json!({})).await.status(), StatusCode::NO_CONTENT);
    for token in [&one, &two] {
        assert_eq!(app.with_token(Method::GET, "/v1/me", token).await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(app.sign_in(team.sub, PASSWORD).await.status(), StatusCode::CREATED);
    assert!(trail(&app, &sub_id).await.contains(&("sessions_ended".to_owned(), "primary".to_owned())));
}

#[tokio::test]
async fn removing_a_sub_account_erases_it_and_frees_its_names() {
    let app = spawn_app().await;
    let team = team(&app, "leaver").await;
    let session = sub_token(&app, &team).await;
    let sub_id = app.account_id(&session).await.to_string();
    assert_problem(
        on_sub(&app, &team, Method::DELETE, "", &json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(listed(&app, &team).await["status"], "active", "a refused removal changes nothing");

    let removed = on_sub(&app, &team, Method::DELETE, "", &json!({"password": PASSWORD})).await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.with_token(Method::GET, "/v1/me", &session).await.status(), StatusCode::UNAUTHORIZED);
    assert_problem(app.sign_in(team.sub, PASSWORD).await, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    assert_eq!(listed(&app, &team).await, Value::Null);
    assert!(app.last_email(&team.primary_email).await["subject"].as_str().unwrap().contains("removed"));
    let again = on_sub(&app, &team, Method::DELETE, "", &json!({"password": PASSWORD})).await;
    assert_problem(again, StatusCode::NOT_FOUND, "sub_account_not_found").await;
    // What remains is a trail without personal data, the removal the primary's.
    let trail = trail(&app, &sub_id).await;
    assert_eq!(trail.last().unwrap(), &("sub_account_removed".to_owned(), "primary".to_owned()));
    // Its username and email can be taken again.
    let body = json!({"username": team.sub, "email": team.sub_email});
    let recreated = app.json_with_token(Method::POST, "/v1/me/sub-accounts", &team.primary_token, &body).await;
    assert_eq!(recreated.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn the_policy_refuses_each_bad_field_by_name_and_changes_nothing() {
    let app = spawn_app().await;
    let team = team(&app, "policyform").await;
    let defaults = json!({"mfa_required": false, "session_hours": 12, "allowed_networks": []});
    assert_eq!(read_policy(&app, &team).await, defaults);
    let too_many: Vec<String> = (0..41).map(|i| format!("10.{i}.0.0/16")).collect();
    let cases = [
        (
            json!({"mfa_required": false, "session_hours": 12, "allowed_networks": ["10.0.0.1/8"]}),
            "allowed_networks[0]",
            "network_host_bits",
        ),
        (
            json!({"mfa_required": false, "session_hours": 12, "allowed_networks": ["10.0.0.0/8", "10.1.2.3"]}),
            "allowed_networks[1]",
            "network_format",
        ),
        (
            json!({"mfa_required": false, "session_hours": 12, "allowed_networks": ["2001:db8::1/32"]}),
            "allowed_networks[0]",
            "network_host_bits",
        ),
        (
            json!({"mfa_required": false, "session_hours": 12, "allowed_networks": ["300.0.0.0/8"]}),
            "allowed_networks[0]",
            "network_format",
        ),
        (
            json!({"mfa_required": false, "session_hours": 12, "allowed_networks": [7]}),
            "allowed_networks[0]",
            "network_format",
        ),
        (
            json!({"mfa_required": false, "session_hours": 12, "allowed_networks": too_many}),
            "allowed_networks",
            "networks_count",
        ),
        (
            json!({"mfa_required": false, "session_hours": 12, "allowed_networks": "10.0.0.0/8"}),
            "allowed_networks",
            "wrong_type",
        ),
        (
            json!({"mfa_required": false, "session_hours": 0, "allowed_networks": []}),
            "session_hours",
            "session_hours_range",
        ),
        (
            json!({"mfa_required": false, "session_hours": 25, "allowed_networks": []}),
            "session_hours",
            "session_hours_range",
        ),
        (
            json!({"mfa_required": false, "session_hours": 1.5, "allowed_networks": []}),
            "session_hours",
            "session_hours_range",
        ),
        (
            json!({"mfa_required": false, "session_hours": "12", "allowed_networks": []}),
            "session_hours",
            "session_hours_range",
        ),
        (
            json!({"mfa_required": "yes", "session_hours": 12, "allowed_networks": []}),
            "mfa_required",
            "must_be_boolean",
        ),
        (json!({"session_hours": 12, "allowed_networks": []}), "mfa_required", "required"),
    ];
    for (body, field, code) in cases {
        let problem = assert_problem(
            set_policy(&app, &team, body.clone()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(field_errors(&problem), [(field.to_owned(), code.to_owned())], "{body}");
    }
    assert_eq!(read_policy(&app, &team).await, defaults, "nothing was changed");

    let policy = json!({"mfa_required": false, "session_hours": 8, "allowed_networks": [LOOPBACK[0], LOOPBACK[1], "2001:db8::/32"]});
    let set = set_policy(&app, &team, policy.clone()).await;
    assert_eq!(set.status(), StatusCode::OK);
    assert_eq!(set.json::<Value>().await.unwrap(), policy);
    assert_eq!(read_policy(&app, &team).await, policy);
    assert!(app.last_email(&team.primary_email).await["subject"].as_str().unwrap().contains("policy"));
    let primary_id = app.account_id(&team.primary_token).await.to_string();
    assert!(trail(&app, &primary_id).await.iter().any(|(e, _)| e == "sub_account_policy_changed"));
}

#[tokio::test]
async fn a_sub_account_outside_the_allowed_networks_is_held_and_the_primary_never() {
    let app = spawn_app().await;
    let team = team(&app, "networks").await;
    let session = sub_token(&app, &team).await;
    let outside = json!({"mfa_required": false, "session_hours": 12, "allowed_networks": [ELSEWHERE]});
    assert_eq!(set_policy(&app, &team, outside).await.status(), StatusCode::OK);

    assert_problem(app.with_token(Method::GET, "/v1/me", &session).await, StatusCode::FORBIDDEN, "network_not_allowed")
        .await;
    assert_problem(app.sign_in(team.sub, PASSWORD).await, StatusCode::FORBIDDEN, "network_not_allowed").await;
    assert_problem(app.sign_in(team.sub, "Wrong#Pass-1234").await, StatusCode::UNAUTHORIZED, "invalid_credentials")
        .await;
    // The primary account is never held: it mends the list.
    assert_eq!(app.with_token(Method::GET, "/v1/me", &team.primary_token).await.status(), StatusCode::OK);
    let inside =
        json!({"mfa_required": false, "session_hours": 12, "allowed_networks": [ELSEWHERE, LOOPBACK[0], LOOPBACK[1]]});
    assert_eq!(set_policy(&app, &team, inside).await.status(), StatusCode::OK);
    // The session was kept for when it is back inside.
    assert_eq!(app.with_token(Method::GET, "/v1/me", &session).await.status(), StatusCode::OK);
    assert_eq!(app.sign_in(team.sub, PASSWORD).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_sub_account_created_later_is_held_to_the_policy_too() {
    let app = spawn_app().await;
    let lead = app.activated_customer("laterlead").await;
    let token = app.token_for(&lead).await;
    let body =
        json!({"mfa_required": false, "session_hours": 12, "allowed_networks": [ELSEWHERE], "password": PASSWORD});
    let set = app.json_with_token(Method::PUT, "/v1/me/sub-account-policy", &token, &body).await;
    assert_eq!(set.status(), StatusCode::OK);
    let (sub, email) = (app.user("latermate"), app.email(app.user("latermate")));
    let created = app
        .json_with_token(Method::POST, "/v1/me/sub-accounts", &token, &json!({"username": sub, "email": email}))
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let link = app.last_link_token(&email).await;
    assert_eq!(
        app.post("/v1/password/set", &json!({"token": link, "password": PASSWORD})).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_problem(app.sign_in(sub, PASSWORD).await, StatusCode::FORBIDDEN, "network_not_allowed").await;
}

#[tokio::test]
async fn mfa_required_leaves_a_sub_account_only_totp_set_up_until_it_is_on() {
    let app = spawn_app().await;
    let team = team(&app, "mfapolicy").await;
    let before = sub_token(&app, &team).await;
    let policy = json!({"mfa_required": true, "session_hours": 12, "allowed_networks": []});
    assert_eq!(set_policy(&app, &team, policy).await.status(), StatusCode::OK);

    // A session from before the policy is enrolment-only from its next request.
    assert_problem(
        app.with_token(Method::GET, "/v1/me/sessions", &before).await,
        StatusCode::FORBIDDEN,
        "mfa_enrolment_required",
    )
    .await;
    let signed_in: Value = app.sign_in(team.sub, PASSWORD).await.json().await.unwrap();
    assert_eq!(signed_in["mfa_enrolment_required"], true);
    let session = signed_in["token"].as_str().unwrap().to_owned();
    let me: Value = app.with_token(Method::GET, "/v1/me", &session).await.json().await.unwrap();
    assert_eq!(me["mfa_enrolment_required"], true);
    for (method, path) in
        [(Method::GET, "/v1/me/sessions"), (Method::GET, "/v1/me/passkeys"), (Method::GET, "/v1/me/verification")]
    {
        let response = app.with_token(method, path, &session).await;
        assert_problem(response, StatusCode::FORBIDDEN, "mfa_enrolment_required").await;
    }
    let (_, codes) = app.enable_mfa(&session).await;
    // That same session is a full one now.
    assert_eq!(app.with_token(Method::GET, "/v1/me/sessions", &session).await.status(), StatusCode::OK);
    let me: Value = app.with_token(Method::GET, "/v1/me", &session).await.json().await.unwrap();
    assert!(me.get("mfa_enrolment_required").is_none(), "{me}");
    let off = app
        .json_with_token(Method::DELETE, "/v1/me/mfa", &session, &json!({"password": PASSWORD, "code": codes[0]}))
        .await;
    assert_problem(off, StatusCode::FORBIDDEN, "mfa_required_by_policy").await;
    assert_eq!(listed(&app, &team).await["mfa"], true);
}

#[tokio::test]
async fn a_passkey_sign_in_satisfies_a_policy_requiring_two_factors() {
    let app = spawn_app().await;
    let team = team(&app, "pkeypolicy").await;
    let session = sub_token(&app, &team).await;
    let (mut authenticator, _) = add_passkey(&app, &session, None).await;
    let policy = json!({"mfa_required": true, "session_hours": 12, "allowed_networks": []});
    assert_eq!(set_policy(&app, &team, policy).await.status(), StatusCode::OK);
    let response = sign_in_with(&app, &mut authenticator, &Tamper::default()).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let signed_in: Value = response.json().await.unwrap();
    assert!(signed_in.get("mfa_enrolment_required").is_none(), "{signed_in}");
    let token = signed_in["token"].as_str().unwrap();
    assert_eq!(app.with_token(Method::GET, "/v1/me/sessions", token).await.status(), StatusCode::OK);
}

#[tokio::test]
#[cfg_attr(feature = "stack", ignore = "needs /_dev/clock, which the deployed shape has not")]
async fn session_hours_end_sub_account_sessions_begun_before_the_change_too() {
    let app = spawn_app().await;
    let team = team(&app, "hours").await;
    let session = sub_token(&app, &team).await;
    let policy = json!({"mfa_required": false, "session_hours": 1, "allowed_networks": []});
    assert_eq!(set_policy(&app, &team, policy).await.status(), StatusCode::OK);
    app.advance_clock(40 * 60).await;
    for token in [&session, &team.primary_token] {
        assert_eq!(app.with_token(Method::GET, "/v1/me", token).await.status(), StatusCode::OK);
    }
    app.advance_clock(25 * 60).await;
    // Used within the idle timeout, yet past the policy's hour.
    assert_eq!(app.with_token(Method::GET, "/v1/me", &session).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.with_token(Method::GET, "/v1/me", &team.primary_token).await.status(),
        StatusCode::OK,
        "the primary account is never held"
    );
    let signed_in: Value = app.sign_in(team.sub, PASSWORD).await.json().await.unwrap();
    let expires_at = signed_in["expires_at"].as_str().unwrap();
    // Both are RFC 3339 in UTC, to the second: they order as text.
    let within_the_hour = shared::clock::rfc3339(app.server_now() + 3600);
    assert!(expires_at <= within_the_hour.as_str(), "{expires_at} after {within_the_hour}");
}

#[tokio::test]
async fn a_disable_racing_a_sign_in_never_leaves_a_session_that_outlives_it() {
    let app = spawn_app().await;
    let team = team(&app, "racer").await;
    for _ in 0..4 {
        let (signed_in, disabled) = tokio::join!(app.sign_in(team.sub, PASSWORD), disable(&app, &team));
        assert_eq!(disabled.status(), StatusCode::NO_CONTENT);
        if signed_in.status() == StatusCode::CREATED {
            let token = signed_in.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
            assert_eq!(app.with_token(Method::GET, "/v1/me", &token).await.status(), StatusCode::UNAUTHORIZED);
        } else {
            assert!(
                matches!(signed_in.status(), StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED),
                "{}",
                signed_in.status()
            );
        }
        let enabled = on_sub(&app, &team, Method::POST, "/enable", &json!({"password": PASSWORD})).await;
        assert_eq!(enabled.status(), StatusCode::NO_CONTENT);
    }
}

#[tokio::test]
async fn with_two_factor_on_the_primarys_code_is_asked_and_spent_only_by_a_change_that_succeeds() {
    let app = spawn_app().await;
    let team = team(&app, "codes").await;
    let (_, recovery) = app.enable_mfa(&team.primary_token).await;
    let policy = json!({"mfa_required": false, "session_hours": 12, "allowed_networks": []});
    for (method, action) in [(Method::POST, "/enable"), (Method::DELETE, "")] {
        let missing = on_sub(&app, &team, method, action, &json!({"password": PASSWORD})).await;
        let problem = assert_problem(missing, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(field_errors(&problem), [("code".to_owned(), "invalid_code".to_owned())]);
    }
    let problem =
        assert_problem(set_policy(&app, &team, policy).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
            .await;
    assert_eq!(field_errors(&problem), [("code".to_owned(), "invalid_code".to_owned())]);
    // Refused after the re-check (no such sub-account): the code stays.
    let body = json!({"password": PASSWORD, "code": recovery[0]});
    let unknown =
        app.json_with_token(Method::DELETE, "/v1/me/sub-accounts/nosuchuser", &team.primary_token, &body).await;
    assert_problem(unknown, StatusCode::NOT_FOUND, "sub_account_not_found").await;
    assert_eq!(recovery_codes_left(&app, &team).await, 10);
    // The removal spends it.
    assert_eq!(on_sub(&app, &team, Method::DELETE, "", &body).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(recovery_codes_left(&app, &team).await, 9);
}
