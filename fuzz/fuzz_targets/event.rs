//! Request parsing: any bytes as an API Gateway event, through what every
//! function does with it (`shared::lambda::request_from_event`: our repair,
//! then `lambda_http`'s conversion) and then our own reading (route, body
//! checks, JSON, credentials, language).
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::api::request::{ApiRequest, language};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(event) = serde_json::from_str(text) else { return };
    let req = shared::lambda::request_from_event(event);
    let _ = language(&req);
    if let Ok(request) = ApiRequest::from_lambda(req) {
        let _ = request.credentials();
        let _ = request.json::<serde_json::Value>();
    }
});
