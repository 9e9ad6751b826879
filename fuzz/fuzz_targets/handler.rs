//! Whole requests through the handler every function runs: any route, any
//! body, content type, credentials and language, over the embedded store in
//! memory. No request a client can send may get a 5xx, and every error is
//! problem JSON.
#![no_main]

use std::net::SocketAddr;
use std::sync::OnceLock;

use accounts_dev::event::api_gateway_v2;
use arbitrary::Arbitrary;
use hyper::body::Bytes;
use lambda_http::Body;
use libfuzzer_sys::fuzz_target;
use shared::api::routes::{Access, ROUTES};
use shared::app::EmbeddedApp;
use shared::config::Config;
use shared::domain::password_hash::PasswordHasher;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    route: u8,
    path_param: &'a str,
    query: &'a str,
    content_type: Option<&'a str>,
    authorization: Option<&'a str>,
    cookie: Option<&'a str>,
    accept_language: Option<&'a str>,
    body: &'a [u8],
}

struct Target {
    rt: tokio::runtime::Runtime,
    app: shared::App,
}

fn target() -> &'static Target {
    static TARGET: OnceLock<Target> = OnceLock::new();
    TARGET.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("accounts-fuzz-{}", std::process::id()));
        let path = dir.to_string_lossy().into_owned();
        let config = Config::from_lookup(|name| match name {
            "ACCOUNTS_DATA_DIR" => Some(path.clone()),
            "ACCOUNTS_FORGOT_MIN_MILLIS" => Some("0".into()),
            _ => None,
        })
        .unwrap();
        let mut embedded = EmbeddedApp::open_in_memory(config).unwrap();
        embedded.app.hasher = PasswordHasher::minimal_cost(1);
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        Target { rt, app: embedded.app }
    })
}

fn request(input: &Input) -> Option<lambda_http::Request> {
    let route = &ROUTES[input.route as usize % ROUTES.len()];
    let param = input.path_param.to_owned();
    let path = route.path.split('/').map(|s| if s.starts_with('{') { param.as_str() } else { s }).collect::<Vec<_>>();
    let uri = format!("{}?{}", path.join("/"), input.query);
    let mut builder = hyper::Request::builder().method(route.method).uri(uri);
    for (name, value) in [
        ("content-type", input.content_type),
        ("authorization", input.authorization),
        ("cookie", input.cookie),
        ("accept-language", input.accept_language),
    ] {
        if let Some(value) = value {
            builder = builder.header(name, value);
        }
    }
    let req = builder.body(Bytes::copy_from_slice(input.body)).ok()?;
    let params = route
        .path
        .split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| (name.to_owned(), param.clone()))
        .collect();
    let operator = (route.access == Access::Operator).then_some("arn:aws:iam::000000000000:user/fuzz");
    let peer = SocketAddr::from(([192, 0, 2, input.route], 40_000));
    let event = api_gateway_v2(&req, route, &params, peer, operator);
    lambda_http::request::from_str(&event.to_string()).ok()
}

fuzz_target!(|input: Input| {
    let Some(req) = request(&input) else { return };
    let target = target();
    let response = target.rt.block_on(shared::api::handle(&target.app, None, req));
    let status = response.status().as_u16();
    assert!(status < 500, "{status} for {input:?}");
    if status >= 400 {
        let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
        assert_eq!(content_type, "application/problem+json", "{input:?}");
        let Body::Text(text) = response.body() else { panic!("problem without a body: {input:?}") };
        let problem: serde_json::Value = serde_json::from_str(text).expect("problem JSON");
        assert_eq!(problem["status"], status);
    }
});
