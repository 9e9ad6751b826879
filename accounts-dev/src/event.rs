//! Builds the API Gateway HTTP API (payload format 2.0) event that API
//! Gateway would send the function for a request.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hyper::Request;
use hyper::body::Bytes;
use serde_json::{Map, Value, json};
use shared::api::routes::Route;

/// The event for `req`, matched to `route`, from `peer`.
pub fn api_gateway_v2(
    req: &Request<Bytes>,
    route: &Route,
    params: &BTreeMap<String, String>,
    peer: SocketAddr,
    operator: Option<&str>,
) -> Value {
    // API Gateway joins repeated headers with commas and moves cookies out
    // of the headers into their own list.
    let mut headers = Map::new();
    let mut cookies = Vec::new();
    for (name, value) in req.headers() {
        let Ok(value) = value.to_str() else { continue };
        if name == "cookie" {
            cookies.extend(value.split(';').map(|c| Value::from(c.trim())));
            continue;
        }
        match headers.get_mut(name.as_str()) {
            Some(Value::String(existing)) => {
                existing.push(',');
                existing.push_str(value);
            }
            _ => {
                headers.insert(name.as_str().to_owned(), Value::from(value));
            }
        }
    }
    let content_type = req.headers().get("content-type").and_then(|v| v.to_str().ok());
    let (body, is_base64) = event_body(content_type, req.body());
    let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default();
    let mut event = json!({
        "version": "2.0",
        "routeKey": route.key(),
        "rawPath": req.uri().path(),
        "rawQueryString": req.uri().query().unwrap_or(""),
        "headers": headers,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "accounts-dev",
            "domainName": "localhost",
            "domainPrefix": "localhost",
            "http": {
                "method": req.method().as_str(),
                "path": req.uri().path(),
                "protocol": "HTTP/1.1",
                "sourceIp": peer.ip().to_string(),
                "userAgent": req.headers().get("user-agent").and_then(|v| v.to_str().ok()).unwrap_or(""),
            },
            "requestId": request_id(),
            "routeKey": route.key(),
            "stage": "$default",
            "timeEpoch": now_ms,
        },
        "isBase64Encoded": is_base64,
    });
    if let Some(arn) = operator {
        event["requestContext"]["authorizer"] = json!({"iam": {
            "accessKey": "ASIADEVOPERATOR", "accountId": "000000000000", "callerId": "AIDADEVOPERATOR",
            "userArn": arn, "userId": "AIDADEVOPERATOR",
        }});
    }
    if !cookies.is_empty() {
        event["cookies"] = Value::from(cookies);
    }
    if !params.is_empty() {
        event["pathParameters"] = json!(params);
    }
    if !body.is_empty() {
        event["body"] = Value::from(body);
    }
    event
}

/// The body as an HTTP API hands it to the function: as text for the text
/// content types (`text/*`, JSON, XML, JavaScript), with any invalid UTF-8
/// replaced by U+FFFD, and base64-encoded for every other type (or none).
/// So a JSON body of invalid UTF-8 reaches the function as the same valid
/// JSON it gets deployed, and both shapes answer it alike.
fn event_body(content_type: Option<&str>, body: &[u8]) -> (String, bool) {
    let media_type = content_type.unwrap_or_default().split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let text = media_type.starts_with("text/")
        || matches!(media_type.as_str(), "application/json" | "application/xml" | "application/javascript");
    if text { (String::from_utf8_lossy(body).into_owned(), false) } else { (STANDARD.encode(body), true) }
}

fn request_id() -> String {
    shared::domain::ids::new_id(&shared::random::OsRandom)
}

#[cfg(test)]
mod tests {
    use super::event_body;

    #[test]
    fn text_bodies_pass_as_text_with_invalid_utf8_replaced_and_others_as_base64() {
        let invalid = b"{\"login\": \"\xff(\"}";
        assert_eq!(event_body(Some("application/json"), invalid), ("{\"login\": \"\u{fffd}(\"}".to_owned(), false));
        assert_eq!(event_body(Some("Application/JSON; charset=utf-8"), b"{}"), ("{}".to_owned(), false));
        assert_eq!(event_body(Some("text/plain"), b"hi"), ("hi".to_owned(), false));
        assert_eq!(event_body(Some("application/octet-stream"), b"hi"), ("aGk=".to_owned(), true));
        assert_eq!(event_body(None, b"hi"), ("aGk=".to_owned(), true));
        assert_eq!(event_body(Some("application/x-www-form-urlencoded"), b"a=b"), ("YT1i".to_owned(), true));
    }
}
