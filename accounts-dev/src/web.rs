//! The browser pages of `web/`, compiled in and served at their routes. The
//! same files deploy as static files (any path-to-file mapping that serves
//! these names works).

use hyper::body::Bytes;
use hyper::{Response, StatusCode};

use crate::HttpResponse;

/// `(path, file contents, content type)`.
const PAGES: &[(&str, &str, &str)] = &[
    ("/", include_str!("../../web/index.html"), "text/html; charset=utf-8"),
    ("/sign-up", include_str!("../../web/sign-up.html"), "text/html; charset=utf-8"),
    ("/set-password", include_str!("../../web/set-password.html"), "text/html; charset=utf-8"),
    ("/forgot-password", include_str!("../../web/forgot-password.html"), "text/html; charset=utf-8"),
    ("/forgot-username", include_str!("../../web/forgot-username.html"), "text/html; charset=utf-8"),
    ("/confirm-email", include_str!("../../web/confirm-email.html"), "text/html; charset=utf-8"),
    ("/appeal", include_str!("../../web/appeal.html"), "text/html; charset=utf-8"),
    ("/confirm-appeal", include_str!("../../web/confirm-appeal.html"), "text/html; charset=utf-8"),
    ("/cancel-appeal", include_str!("../../web/cancel-appeal.html"), "text/html; charset=utf-8"),
    ("/account", include_str!("../../web/account.html"), "text/html; charset=utf-8"),
    ("/ops", include_str!("../../web/ops.html"), "text/html; charset=utf-8"),
    ("/app.js", include_str!("../../web/app.js"), "text/javascript; charset=utf-8"),
    ("/index.js", include_str!("../../web/index.js"), "text/javascript; charset=utf-8"),
    ("/sign-up.js", include_str!("../../web/sign-up.js"), "text/javascript; charset=utf-8"),
    ("/set-password.js", include_str!("../../web/set-password.js"), "text/javascript; charset=utf-8"),
    ("/forgot-password.js", include_str!("../../web/forgot-password.js"), "text/javascript; charset=utf-8"),
    ("/forgot-username.js", include_str!("../../web/forgot-username.js"), "text/javascript; charset=utf-8"),
    ("/confirm-email.js", include_str!("../../web/confirm-email.js"), "text/javascript; charset=utf-8"),
    ("/appeal.js", include_str!("../../web/appeal.js"), "text/javascript; charset=utf-8"),
    ("/confirm-appeal.js", include_str!("../../web/confirm-appeal.js"), "text/javascript; charset=utf-8"),
    ("/cancel-appeal.js", include_str!("../../web/cancel-appeal.js"), "text/javascript; charset=utf-8"),
    ("/account.js", include_str!("../../web/account.js"), "text/javascript; charset=utf-8"),
    ("/ops.js", include_str!("../../web/ops.js"), "text/javascript; charset=utf-8"),
    ("/style.css", include_str!("../../web/style.css"), "text/css; charset=utf-8"),
    ("/vendor/aws4fetch.js", include_str!("../../web/vendor/aws4fetch.js"), "text/javascript; charset=utf-8"),
];

/// Only our own origin (and HTTPS uploads to S3); no third-party requests.
/// Deployed, the distribution's response headers policy sends the same
/// (infra/template.yaml; tests/surface.rs holds the two equal).
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self' https:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The page at `path`, if there is one.
pub fn page(path: &str) -> Option<HttpResponse> {
    let (_, body, content_type) = PAGES.iter().find(|(p, _, _)| *p == path)?;
    Some(
        Response::builder()
            .status(StatusCode::OK)
            .header("content-type", *content_type)
            .header("content-security-policy", CSP)
            .header("x-content-type-options", "nosniff")
            .header("referrer-policy", "no-referrer")
            .body(http_body_util::Full::new(Bytes::from_static(body.as_bytes())))
            .expect("static response"),
    )
}
