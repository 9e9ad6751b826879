//! The front door: the pages and the API on the template's CloudFront
//! distribution (on the stack, `pages_url`), the viewer's address believed
//! only from the distribution, and operator calls signed for the API's host.

use std::net::IpAddr;

use accounts_tests::{Customer, TestApp, spawn_app, stack};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Signs `customer` in from `local` (a loopback address of its own) at
/// `base`, with `headers`; the IP the new session was recorded with.
async fn session_ip(app: &TestApp, base: &str, local: IpAddr, customer: &Customer, headers: &[(&str, &str)]) -> String {
    let client = reqwest::Client::builder().local_address(local).build().unwrap();
    let mut request = client
        .post(format!("{base}/v1/sessions"))
        .json(&json!({"login": customer.username, "password": customer.password}));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let token = response.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    let sessions: Value = app.with_token(Method::GET, "/v1/me/sessions", &token).await.json().await.unwrap();
    let items = sessions["items"].as_array().unwrap();
    let current = items.iter().find(|s| s["current"] == true).expect("the current session");
    current["ip"].as_str().unwrap().to_owned()
}

const FORGED: &[(&str, &str)] = &[
    ("cloudfront-viewer-address", "203.0.113.9:443"),
    ("x-forwarded-for", "198.51.100.7"),
    ("x-real-ip", "198.51.100.8"),
    ("x-origin-verify", "a guess at the distribution's secret"),
];

/// A client's own forwarding headers (and a guessed origin secret) never
/// choose the address its limits and sign-in history count by.
#[tokio::test]
async fn forged_forwarding_headers_are_ignored() {
    let app = spawn_app().await;
    let customer = app.activated_customer("forger").await;
    let local: IpAddr = "127.0.0.1".parse().unwrap();
    assert_eq!(session_ip(&app, &app.base, local, &customer, FORGED).await, "127.0.0.1");
}

/// Through the distribution, the viewer's own address counts (CloudFront's
/// `CloudFront-Viewer-Address`, trusted with the origin secret it adds),
/// whatever the viewer claims; sent to the API directly, the same claims
/// are ignored.
#[tokio::test]
#[cfg_attr(not(feature = "stack"), ignore = "the distribution is the stack's (scripts/stack)")]
async fn through_the_distribution_the_viewers_own_address_counts() {
    let stack = stack().expect("the stack");
    let app = spawn_app().await;
    let customer = app.activated_customer("viewer").await;
    let viewer: IpAddr = "127.0.0.7".parse().unwrap();
    assert_eq!(session_ip(&app, &stack.pages_url, viewer, &customer, &[]).await, "127.0.0.7");
    assert_eq!(session_ip(&app, &stack.pages_url, viewer, &customer, FORGED).await, "127.0.0.7");
    // API Gateway's own sourceIp (the emulator's is always 127.0.0.1).
    assert_eq!(session_ip(&app, &stack.api_url, viewer, &customer, FORGED).await, "127.0.0.1");
}

/// The distribution serves the published pages with the dev server's
/// security headers and HSTS, pages never cached, scripts by content hash
/// for a year, and front.json telling the operators' page to sign.
#[tokio::test]
#[cfg_attr(not(feature = "stack"), ignore = "the distribution is the stack's (scripts/stack)")]
async fn the_distribution_serves_the_published_pages_with_the_security_headers() {
    let stack = stack().expect("the stack");
    let client = reqwest::Client::new();
    let mut scripts = Vec::new();
    for page in ["/", "/sign-up", "/account", "/ops", "/set-password?token=x.y"] {
        let response = client.get(format!("{}{page}", stack.pages_url)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{page}");
        let headers = response.headers().clone();
        assert_eq!(headers["content-type"], "text/html; charset=utf-8", "{page}");
        assert_eq!(headers["cache-control"], "no-store", "{page}");
        assert_eq!(headers["content-security-policy"], accounts_dev::web::CSP);
        assert!(headers["strict-transport-security"].to_str().unwrap().starts_with("max-age=63072000"));
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["referrer-policy"], "no-referrer");
        let body = response.text().await.unwrap();
        let hashed = regex_lite::Regex::new(r#"src="(/[a-z0-9/-]+\.[0-9a-f]{10}\.js)""#).unwrap();
        scripts.extend(hashed.captures_iter(&body).map(|c| c[1].to_owned()));
        assert!(!body.contains(r#"src="/app.js""#), "{page} refers to its scripts by content hash");
    }
    assert!(scripts.iter().any(|s| s.starts_with("/vendor/aws4fetch.")), "{scripts:?}");
    for script in scripts {
        let response = client.get(format!("{}{script}", stack.pages_url)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{script}");
        assert_eq!(response.headers()["content-type"], "text/javascript; charset=utf-8");
        assert_eq!(response.headers()["cache-control"], "public, max-age=31536000, immutable");
    }
    let front: Value =
        client.get(format!("{}/front.json", stack.pages_url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(front, json!({"operator_auth": "sigv4", "api_host": stack.api_host, "region": stack.region}));
    // The site's configuration and its images are published with them.
    let site = client.get(format!("{}/site.json", stack.pages_url)).send().await.unwrap();
    assert_eq!(site.headers()["cache-control"], "no-store");
    assert!(site.json::<Value>().await.unwrap()["product_name"].is_object());
    let logo = client.get(format!("{}/brand/logo.svg", stack.pages_url)).send().await.unwrap();
    assert_eq!(logo.status(), StatusCode::OK);
    assert_eq!(logo.headers()["content-type"], "image/svg+xml");
    assert_eq!(logo.headers()["cache-control"], "public, max-age=3600");
    // A path that names no page: the not-found page with 404 (the pages'
    // router, its publish marker gone), not S3's XML; the API's own unknown
    // paths stay problem JSON.
    for path in ["/no-such-page", "/account/extra", "/404"] {
        let not_found = client.get(format!("{}{path}", stack.pages_url)).send().await.unwrap();
        assert_eq!(not_found.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(not_found.headers()["content-type"], "text/html; charset=utf-8", "{path}");
        assert!(not_found.headers().get("x-amz-meta-not-found").is_none(), "{path}");
        assert!(not_found.text().await.unwrap().contains(r#"data-t="notFound""#), "{path}");
    }
    let api = client.get(format!("{}/v1/no-such-route", stack.pages_url)).send().await.unwrap();
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
    assert_eq!(api.json::<Value>().await.unwrap()["code"], "not_found");
}

/// An operator's call through the distribution is signed for the API's own
/// host, the Host CloudFront forwards it with; signed for any other, IAM
/// refuses it. Unsigned, it never reaches a function.
#[tokio::test]
#[cfg_attr(not(feature = "stack"), ignore = "the distribution is the stack's (scripts/stack)")]
async fn operator_calls_through_the_distribution_are_signed_for_the_apis_host() {
    let stack = stack().expect("the stack");
    let app = spawn_app().await;
    let path = "/ops/v1/verifications?status=pending_review";
    let response = app.ops_through_front(&stack.api_host, Method::GET, path).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.json::<Value>().await.unwrap()["items"].is_array());
    let pages_host = reqwest::Url::parse(&stack.pages_url).unwrap().authority().to_owned();
    let response = app.ops_through_front(&pages_host, Method::GET, path).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = app.client.get(format!("{}{path}", stack.pages_url)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

/// The stack deploys the WAF option: the template's web ACL exists and
/// guards the distribution (what its rules say, `tests/surface.rs` holds;
/// the emulator's CloudFront does not apply them).
#[tokio::test]
#[cfg_attr(not(feature = "stack"), ignore = "the distribution is the stack's (scripts/stack)")]
async fn with_waf_enabled_the_web_acl_guards_the_distribution() {
    let stack = stack().expect("the stack");
    let app = spawn_app().await;
    let path = format!("/2020-05-31/distribution/{}/config", stack.distribution_id);
    let config = app.emulator_get("cloudfront", &path).await.text().await.unwrap();
    let acl = regex_lite::Regex::new(r"<WebACLId>([^<]+)</WebACLId>").unwrap();
    let arn = acl.captures(&config).expect("a web ACL on the distribution")[1].to_owned();
    assert!(arn.contains(":global/webacl/accounts-front/"), "{arn}");
}

/// One IPv6 host holds a whole /64: every per-IP limit counts an IPv6
/// client by its /64 (and an IPv4-mapped address as its IPv4 address), so
/// a fresh address per request does not reset them. The distribution is
/// IPv6-enabled: the viewer address it reports is what counts.
#[tokio::test]
#[cfg_attr(
    feature = "stack",
    ignore = "needs a configuration of its own (the origin secret), which the deployed shape has not"
)]
async fn an_ipv6_client_is_counted_by_its_slash_64_for_every_per_ip_limit() {
    let secret = "the distribution's origin secret";
    let app = accounts_tests::spawn_app_with(&[
        ("ACCOUNTS_ORIGIN_SECRET", secret),
        ("ACCOUNTS_FORGOT_MIN_MILLIS", "0"),
        ("ACCOUNTS_LIMIT_FORGOT_PER_IP_HOUR", "3"),
        ("ACCOUNTS_LIMIT_APPEALS_PER_IP_HOUR", "3"),
    ])
    .await;
    let from = |viewer: String, path: &'static str, body: Value| {
        let request = app.client.post(format!("{}{path}", app.base)).json(&body);
        request.header("x-origin-verify", secret).header("cloudfront-viewer-address", viewer).send()
    };
    for (path, body) in [
        ("/v1/password/forgot", json!({"login": "nobody"})),
        ("/v1/username/forgot", json!({"email": "nobody@example.com"})),
        (
            "/v1/appeals",
            json!({"login": "nobody", "contact_email": app.email("v6"), "description": "Lost everything."}),
        ),
    ] {
        let prefix = if path == "/v1/appeals" { "2001:db8:aa:bb" } else { "2001:db8:cc:dd" };
        // Forgot-password and forgot-username share one count.
        let allowed = if path == "/v1/username/forgot" { 0 } else { 3 };
        for n in 1..=allowed {
            let answered = from(format!("{prefix}:{n:x}::{n:x}:443"), path, body.clone()).await.unwrap();
            assert_eq!(answered.status(), StatusCode::ACCEPTED, "{path} from address {n}");
        }
        let next = from(format!("{prefix}:ffff:ffff:ffff:fffe:443"), path, body.clone()).await.unwrap();
        accounts_tests::assert_problem(next, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
        // Another /64 is another client.
        let other = from(format!("2001:db8:ee:{}::1:443", path.len()), path, body.clone()).await.unwrap();
        assert_eq!(other.status(), StatusCode::ACCEPTED, "{path} from another /64");
    }
    // An IPv4-mapped address is its IPv4 address: one client, twice.
    let mapped = |viewer: &'static str| from(viewer.to_owned(), "/v1/password/forgot", json!({"login": "mapped"}));
    for _ in 0..3 {
        assert_eq!(mapped("198.51.100.20:443").await.unwrap().status(), StatusCode::ACCEPTED);
    }
    let same_client = mapped("::ffff:198.51.100.20:443").await.unwrap();
    accounts_tests::assert_problem(same_client, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}
