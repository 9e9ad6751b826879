//! A response before it becomes a Lambda or hyper response, and the typed
//! [`Reply`] a handler gives: the answer its route declares.

use lambda_http::Body;
use lambda_http::http::StatusCode;
use serde::Serialize;
use serde_json::Value;

use super::views::NoContent;

/// A handler's success: a value of the answer type its route declares
/// (`api::routes`), and any headers. The status is the declaration's, so a
/// handler cannot answer a type or a status its route does not declare:
/// the dispatch (`api::functions`) names the type and does not compile
/// otherwise.
#[derive(Debug)]
pub struct Reply<T> {
    body: T,
    headers: Vec<(&'static str, String)>,
}

impl<T> Reply<T> {
    /// `body`, with no headers of its own.
    pub fn new(body: T) -> Self {
        Self { body, headers: Vec::new() }
    }

    /// Adds a header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The same reply carrying `f(body)` (one of a route's two answers).
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Reply<U> {
        Reply { body: f(self.body), headers: self.headers }
    }
}

impl<T: Answer> Reply<T> {
    /// The response, with the status the route declares for the answer
    /// (`statuses`, in the declaration's order).
    pub fn into_response(self, statuses: &[u16]) -> ApiResponse {
        let mut response = self.body.into_response(statuses);
        response.headers.extend(self.headers);
        response
    }
}

/// What a route answers with: a JSON body, no content, or one of two.
pub trait Answer {
    /// The response of this answer, with its status from `statuses`.
    fn into_response(self, statuses: &[u16]) -> ApiResponse;
}

fn status(statuses: &[u16], index: usize) -> StatusCode {
    statuses.get(index).and_then(|s| StatusCode::from_u16(*s).ok()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

impl<T: Serialize> Answer for T {
    fn into_response(self, statuses: &[u16]) -> ApiResponse {
        ApiResponse::json(status(statuses, 0), &self)
    }
}

impl Answer for NoContent {
    fn into_response(self, _: &[u16]) -> ApiResponse {
        ApiResponse::no_content()
    }
}

/// One of a route's two answers, in the order it declares them.
#[derive(Debug)]
pub enum Either<A, B> {
    /// The first declared.
    First(A),
    /// The second declared.
    Second(B),
}

impl<A: Serialize, B: Serialize> Answer for Either<A, B> {
    fn into_response(self, statuses: &[u16]) -> ApiResponse {
        match self {
            Self::First(a) => ApiResponse::json(status(statuses, 0), &a),
            Self::Second(b) => ApiResponse::json(status(statuses, 1), &b),
        }
    }
}

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
        match serde_json::to_value(body) {
            Ok(body) => Self { status, headers: Vec::new(), body: Some(body), content_type: "application/json" },
            // Our own types always serialise; if one ever did not, a 500 beats
            // an abort of the process.
            Err(e) => {
                tracing::error!(error = %e, "a response did not serialise");
                Self {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    headers: Vec::new(),
                    body: None,
                    content_type: "application/json",
                }
            }
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
    /// send. Every response forbids caching (they carry personal data)
    /// unless its route set a `cache-control` of its own.
    pub fn into_http(self) -> lambda_http::http::Response<Body> {
        let mut builder = lambda_http::http::Response::builder().status(self.status);
        if !self.headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("cache-control")) {
            builder = builder.header("cache-control", "no-store");
        }
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
        builder.body(body).unwrap_or_else(|e| {
            // Header values are ours (numbers, cookies of base64url tokens);
            // an invalid one would be a bug: answer 500 rather than abort.
            tracing::error!(error = %e, "a response could not be built");
            let mut fallback = lambda_http::http::Response::new(Body::Empty);
            *fallback.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            fallback
        })
    }
}
