//! The incoming request, read from the API Gateway event that `lambda_http`
//! parsed: route, client IP, language, credentials and the JSON body.

use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt};
use secrecy::{ExposeSecret as _, SecretString};
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq as _;

use super::problem::{ApiError, FieldError};
use super::routes::{self, BodyKind, Route};
use crate::domain::Code;
use crate::domain::ids::RecordId;
use crate::domain::network::{Client, viewer_ip};
use crate::flows::FlowError;
use crate::i18n::Lang;

/// The largest accepted body.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The header the CloudFront distribution adds to every request it
/// forwards, holding the template-generated origin secret.
pub const ORIGIN_HEADER: &str = "x-origin-verify";

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "session";

/// The remembered device's cookie (sent to `/v1/sessions…` only).
pub const DEVICE_COOKIE: &str = "device";

/// How the client presented its session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// `Authorization: Bearer …`.
    Bearer(String),
    /// The `session` cookie.
    Cookie(String),
}

/// A request matched to its route.
#[derive(Debug)]
pub struct ApiRequest {
    /// The matched route.
    pub route: &'static Route,
    /// Language for texts.
    pub lang: Lang,
    /// The client's address: API Gateway's `sourceIp` (the connection's
    /// peer in the dev server), or behind CloudFront the viewer's
    /// ([`client_address`]).
    pub client_ip: String,
    /// Path parameters.
    pub path_params: lambda_http::aws_lambda_events::query_map::QueryMap,
    /// Query parameters.
    pub query: lambda_http::aws_lambda_events::query_map::QueryMap,
    /// The IAM principal API Gateway's IAM authorizer admitted, if any.
    pub operator: Option<String>,
    headers: lambda_http::http::HeaderMap,
    body: Vec<u8>,
}

/// The language a request asks for (also used before it is matched).
pub fn language(req: &Request) -> Lang {
    Lang::from_accept_language(req.headers().get("accept-language").and_then(|v| v.to_str().ok()))
}

/// The client's address. Behind the CloudFront distribution, API Gateway's
/// `sourceIp` is CloudFront's own, so the viewer's is taken from
/// `CloudFront-Viewer-Address`, but only when the request carries the
/// distribution's secret [`ORIGIN_HEADER`] (compared in constant time):
/// any other request's forwarding headers, `X-Forwarded-For` included, are
/// the client's own words and ignored.
pub fn client_address(
    headers: &lambda_http::http::HeaderMap,
    source_ip: String,
    origin_secret: Option<&SecretString>,
) -> String {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let from_distribution = origin_secret
        .zip(text(ORIGIN_HEADER))
        .is_some_and(|(secret, presented)| bool::from(presented.as_bytes().ct_eq(secret.expose_secret().as_bytes())));
    let viewer = from_distribution.then(|| text("cloudfront-viewer-address").and_then(viewer_ip)).flatten();
    viewer.map_or(source_ip, |ip| ip.to_string())
}

impl ApiRequest {
    /// Matches `req` by its API Gateway route key and checks its body.
    /// `origin_secret` is the distribution's ([`client_address`]).
    pub fn from_lambda(req: Request, origin_secret: Option<&SecretString>) -> Result<Self, ApiError> {
        let (route_key, source_ip) = match req.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(ctx)) => {
                (ctx.route_key.clone().unwrap_or_default(), ctx.http.source_ip.clone().unwrap_or_default())
            }
            _ => (String::new(), String::new()),
        };
        let client_ip = client_address(req.headers(), source_ip, origin_secret);
        let route = routes::by_key(&route_key).ok_or(ApiError::NotFound)?;
        let operator = match req.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(ctx)) => ctx
                .authorizer
                .as_ref()
                .and_then(|a| a.iam.as_ref())
                .and_then(|iam| iam.user_arn.clone().or_else(|| iam.caller_id.clone()))
                .filter(|principal| !principal.is_empty()),
            _ => None,
        };
        let lang = language(&req);
        let path_params = req.path_parameters();
        let query = req.query_string_parameters();
        let (parts, body) = req.into_parts();
        let body = match body {
            Body::Empty => Vec::new(),
            Body::Text(t) => t.into_bytes(),
            Body::Binary(b) => b,
            _ => Vec::new(),
        };
        let request = Self { route, lang, client_ip, path_params, query, operator, headers: parts.headers, body };
        if route.body == BodyKind::Json {
            request.check_json_body()?;
        }
        Ok(request)
    }

    fn check_json_body(&self) -> Result<(), ApiError> {
        if self.body.len() > MAX_BODY_BYTES {
            return Err(ApiError::PayloadTooLarge);
        }
        let media_type =
            self.header("content-type").and_then(|v| v.split(';').next()).map(|v| v.trim().to_ascii_lowercase());
        if media_type.as_deref() != Some("application/json") {
            return Err(ApiError::UnsupportedMediaType);
        }
        Ok(())
    }

    /// A header's value, if present and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The calling client: its IP and user agent.
    pub fn client(&self) -> Client {
        Client::new(&self.client_ip, self.header("user-agent"))
    }

    /// The path parameter `name` (API Gateway supplies every one its route
    /// names; empty only if called with another name).
    pub fn path_param(&self, name: &str) -> &str {
        self.path_params.first(name).unwrap_or_default()
    }

    /// The id in the path parameter `name`, or `404` with `not_found`: no id
    /// of another shape reaches the flows, and a malformed id is answered
    /// like one that names nothing.
    pub fn path_id<Id: RecordId>(&self, name: &str, not_found: Code) -> Result<Id, FlowError> {
        Id::parse(self.path_param(name)).ok_or(FlowError::NotFound(not_found))
    }

    /// The method, from the route.
    pub fn method(&self) -> &'static str {
        self.route.method
    }

    /// Decodes the JSON body into `T`, whose fields should all be `Option`s
    /// so that missing fields become field errors rather than a `400`. A
    /// field of the wrong type is named in the `400`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        let value: serde_json::Value = serde_json::from_slice(&self.body)
            .map_err(|_| ApiError::Malformed { detail: "The body is not valid JSON.".into(), errors: Vec::new() })?;
        if !value.is_object() {
            return Err(ApiError::Malformed { detail: "The body must be a JSON object.".into(), errors: Vec::new() });
        }
        serde_path_to_error::deserialize(value).map_err(|e| {
            let field = e.path().to_string();
            ApiError::Malformed {
                detail: format!("The field `{field}` has the wrong type."),
                errors: vec![FieldError::new(field, Code::WrongType)],
            }
        })
    }

    /// The remembered device's token in the `device` cookie, if any.
    pub fn device_cookie(&self) -> Option<SecretString> {
        self.cookie(DEVICE_COOKIE).map(SecretString::from)
    }

    fn cookie(&self, name: &str) -> Option<&str> {
        self.header("cookie")?
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(cookie, _)| *cookie == name)
            .map(|(_, value)| value)
    }

    /// The session the client presented, if any.
    pub fn credentials(&self) -> Option<Credentials> {
        if let Some(auth) = self.header("authorization") {
            let token = auth.strip_prefix("Bearer ").or_else(|| auth.strip_prefix("bearer ")).unwrap_or("");
            return Some(Credentials::Bearer(token.trim().to_owned()));
        }
        self.cookie(SESSION_COOKIE).map(|value| Credentials::Cookie(value.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use lambda_http::http::HeaderMap;

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| (lambda_http::http::HeaderName::from_static(name), value.parse().unwrap()))
            .collect()
    }

    const FORGED: &[(&str, &str)] =
        &[("cloudfront-viewer-address", "203.0.113.9:443"), ("x-forwarded-for", "198.51.100.7")];

    #[test]
    fn forwarding_headers_without_the_origin_secret_are_ignored() {
        let secret = SecretString::from("s3cret-of-the-distribution");
        let forged = headers(FORGED);
        assert_eq!(client_address(&forged, "192.0.2.1".into(), Some(&secret)), "192.0.2.1");
        assert_eq!(client_address(&forged, "192.0.2.1".into(), None), "192.0.2.1");
        let mut wrong = headers(FORGED);
        wrong.insert(ORIGIN_HEADER, "s3cret-of-the-distributioN".parse().unwrap());
        assert_eq!(client_address(&wrong, "192.0.2.1".into(), Some(&secret)), "192.0.2.1");
        // With no secret configured, even an empty header proves nothing.
        let mut empty = headers(FORGED);
        empty.insert(ORIGIN_HEADER, "".parse().unwrap());
        assert_eq!(client_address(&empty, "192.0.2.1".into(), None), "192.0.2.1");
    }

    #[test]
    fn the_distribution_is_believed_about_its_viewer() {
        let secret = SecretString::from("s3cret-of-the-distribution");
        let mut from_cloudfront = headers(FORGED);
        from_cloudfront.insert(ORIGIN_HEADER, "s3cret-of-the-distribution".parse().unwrap());
        assert_eq!(client_address(&from_cloudfront, "192.0.2.1".into(), Some(&secret)), "203.0.113.9");
        // X-Forwarded-For never counts, and a malformed viewer address leaves sourceIp.
        from_cloudfront.insert("cloudfront-viewer-address", "not an address".parse().unwrap());
        assert_eq!(client_address(&from_cloudfront, "192.0.2.1".into(), Some(&secret)), "192.0.2.1");
    }
}
