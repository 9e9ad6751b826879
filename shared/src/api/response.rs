//! A response before it becomes a Lambda or hyper response.

use lambda_http::Body;
use lambda_http::http::StatusCode;
use serde::Serialize;
use serde_json::Value;

/// Status, headers and an optional JSON body.
#[derive(Debug, Clone)]
pub struct ApiResponse {
    /// HTTP status.
    pub status: StatusCode,
    /// Extra headers (`set-cookie` may repeat).
    pub headers: Vec<(&'static str, String)>,
    /// JSON body, if any.
    pub body: Option<Value>,
    content_type: &'static str,
}

impl ApiResponse {
    /// A JSON body with `status`.
    pub fn json(status: StatusCode, body: &impl Serialize) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Some(serde_json::to_value(body).expect("responses serialise")),
            content_type: "application/json",
        }
    }

    /// `204 No Content`.
    pub fn no_content() -> Self {
        Self { status: StatusCode::NO_CONTENT, headers: Vec::new(), body: None, content_type: "application/json" }
    }

    /// A problem-JSON body.
    pub fn problem(status: StatusCode, body: Value) -> Self {
        Self { content_type: "application/problem+json", ..Self::json(status, &body) }
    }

    /// Adds a header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The `http` response that both the Lambda runtime and the dev server
    /// send. Every response forbids caching: they carry personal data.
    pub fn into_http(self) -> lambda_http::http::Response<Body> {
        let mut builder =
            lambda_http::http::Response::builder().status(self.status).header("cache-control", "no-store");
        if self.body.is_some() {
            builder = builder.header("content-type", self.content_type);
        }
        for (name, value) in &self.headers {
            builder = builder.header(*name, value.as_str());
        }
        let body = match &self.body {
            Some(json) => Body::Text(json.to_string()),
            None => Body::Empty,
        };
        builder.body(body).expect("static header names and string values form a valid response")
    }
}
