//! The browser pages of `web/`, compiled in and served at their routes. The
//! same files deploy as static files (any path-to-file mapping that serves
//! these names works).

use std::path::Path;

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
    ("/texts/en.js", include_str!("../../web/texts/en.js"), "text/javascript; charset=utf-8"),
    ("/texts/zh-CN.js", include_str!("../../web/texts/zh-CN.js"), "text/javascript; charset=utf-8"),
    ("/site.json", include_str!("../../web/site.json"), "application/json"),
    ("/brand/logo.svg", include_str!("../../web/brand/logo.svg"), "image/svg+xml"),
    ("/brand/favicon.svg", include_str!("../../web/brand/favicon.svg"), "image/svg+xml"),
];

/// The page of a path that names none (the distribution serves the same).
const NOT_FOUND: &str = include_str!("../../web/404.html");

/// Content types of what a site directory may hold (`ACCOUNTS_SITE_DIR`,
/// as `scripts/publish-pages --site` publishes deployed).
const SITE_TYPES: &[(&str, &str)] = &[
    ("json", "application/json"),
    ("svg", "image/svg+xml"),
    ("png", "image/png"),
    ("webp", "image/webp"),
    ("ico", "image/x-icon"),
];

/// Only our own origin (and HTTPS uploads to S3); no third-party requests.
/// Deployed, the distribution's response headers policy sends the same
/// (infra/template.yaml; tests/surface.rs holds the two equal).
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self' https:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The page at `path`: a file of `site_dir` (`/site.json`, `/brand/…`)
/// before web/'s own, or the not-found page with `404`.
pub fn page(path: &str, site_dir: Option<&Path>) -> HttpResponse {
    if let Some((body, content_type)) = site_dir.and_then(|dir| site_file(dir, path)) {
        return respond(StatusCode::OK, Bytes::from(body), content_type);
    }
    match PAGES.iter().find(|(p, _, _)| *p == path) {
        Some((_, body, content_type)) => respond(StatusCode::OK, Bytes::from_static(body.as_bytes()), content_type),
        None => respond(StatusCode::NOT_FOUND, Bytes::from_static(NOT_FOUND.as_bytes()), "text/html; charset=utf-8"),
    }
}

/// `path`'s file in the site directory: `/site.json` or `/brand/<name>` of
/// a listed type, nothing else (no other name, no `..`).
fn site_file(dir: &Path, path: &str) -> Option<(Vec<u8>, &'static str)> {
    let relative = path.strip_prefix('/')?;
    let name_ok = |name: &str| !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    let allowed = relative == "site.json"
        || relative.strip_prefix("brand/").is_some_and(|name| name_ok(name) && !name.starts_with('.'));
    let extension = relative.rsplit_once('.')?.1;
    let (_, content_type) = SITE_TYPES.iter().find(|(ext, _)| *ext == extension)?;
    allowed.then(|| std::fs::read(dir.join(relative)).ok()).flatten().map(|body| (body, *content_type))
}

fn respond(status: StatusCode, body: Bytes, content_type: &str) -> HttpResponse {
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .header("content-security-policy", CSP)
        .header("x-content-type-options", "nosniff")
        .header("referrer-policy", "no-referrer")
        .body(http_body_util::Full::new(body))
        .expect("static response")
}
