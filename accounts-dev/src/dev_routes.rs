//! Dev-only routes: the outbox and the clock. Never part of a Lambda.

use hyper::Request;
use hyper::body::Bytes;
use lambda_http::http::StatusCode;
use serde::Deserialize;
use serde_json::json;
use shared::api::problem::ApiError;
use shared::api::problem::FieldError;
use shared::api::response::ApiResponse;
use shared::clock::rfc3339;
use shared::documents::DocumentStore;
use shared::documents::local::SignedRequest;
use shared::domain::{AccountId, MaterialId};
use shared::flows::FlowError;
use shared::i18n::Lang;

use crate::{DevState, HttpResponse, json_response};
use shared::domain::Code;

pub async fn serve(state: &DevState, req: Request<Bytes>, lang: Lang) -> HttpResponse {
    if let Some(key) = req.uri().path().strip_prefix("/_dev/objects/") {
        return objects(state, &req, key).await;
    }
    let result = match (req.method().as_str(), req.uri().path()) {
        ("GET", "/_dev/outbox") => outbox(state, req.uri().query()).await,
        ("POST", "/_dev/clock") => {
            let advanced = clock(state, req.body());
            sweep_uploads(state).await;
            crate::run_scheduled_work(&state.scheduled).await;
            advanced
        }
        (_, "/_dev/outbox") => Err(ApiError::MethodNotAllowed(vec!["GET"])),
        (_, "/_dev/clock") => Err(ApiError::MethodNotAllowed(vec!["POST"])),
        _ => Err(ApiError::NotFound),
    };
    json_response(result.unwrap_or_else(|e| e.into_response(lang, &state.app.config.public_url)))
}

/// `GET /_dev/outbox`, optionally `?to=<email or phone>` for one recipient's
/// messages (load generators read their own codes without the whole list).
async fn outbox(state: &DevState, query: Option<&str>) -> Result<ApiResponse, ApiError> {
    let to = form_urlencoded::parse(query.unwrap_or("").as_bytes()).find(|(name, _)| name == "to").map(|(_, v)| v);
    let entries = match (&state.outbox, to) {
        (Some(outbox), Some(to)) => outbox.entries_to(&to).await.map_err(FlowError::from)?,
        (Some(outbox), None) => outbox.entries().await.map_err(FlowError::from)?,
        // With the aws backend messages go to SES and SNS.
        (None, _) => Vec::new(),
    };
    Ok(ApiResponse::json(StatusCode::OK, &entries))
}

#[derive(Deserialize)]
struct Advance {
    advance_seconds: Option<i64>,
}

fn clock(state: &DevState, body: &Bytes) -> Result<ApiResponse, ApiError> {
    let malformed = |detail: &str| ApiError::Malformed { detail: detail.into(), errors: Vec::new() };
    let advance: Advance = serde_json::from_slice(body).map_err(|_| malformed("Expected {\"advance_seconds\": N}."))?;
    let seconds = match advance.advance_seconds {
        Some(s) if s >= 0 => s,
        Some(_) => {
            return Err(ApiError::Invalid(vec![FieldError::new("advance_seconds", Code::MustNotBeNegative)]));
        }
        None => {
            return Err(ApiError::Invalid(vec![FieldError::new("advance_seconds", Code::Required)]));
        }
    };
    let now = state.clock.advance(seconds);
    Ok(ApiResponse::json(StatusCode::OK, &json!({"now": rfc3339(now)})))
}

/// Uploads expire by the server's clock: moving it sweeps them as a day
/// passing would (S3's lifecycle rule does it deployed).
async fn sweep_uploads(state: &DevState) {
    if let Some(documents) = &state.documents
        && let Err(e) = documents.forget_stale_uploads(shared::flows::verification::UNATTACHED_MATERIAL_SECS).await
    {
        tracing::warn!(error = %e, "stale uploads not swept");
    }
}

/// Whether the upload at `key` (`uploads/<account>/<material>`) has been
/// submitted, i.e. frozen as its `submitted/` copy.
fn is_submitted(documents: &shared::documents::local::LocalDocuments, key: &str) -> bool {
    key.strip_prefix(shared::documents::UPLOADS)
        .and_then(|rest| rest.strip_prefix('/'))
        .and_then(|rest| rest.split_once('/'))
        .and_then(|(account, material)| Some((AccountId::parse(account)?, MaterialId::parse(material)?)))
        .is_some_and(|(account, material)| documents.exists(&shared::documents::submitted_key(&account, &material)))
}

/// Signed uploads and downloads of materials, as S3 presigned URLs work.
async fn objects(state: &DevState, req: &Request<Bytes>, key: &str) -> HttpResponse {
    let plain = |status: StatusCode, text: &str| {
        hyper::Response::builder()
            .status(status)
            .header("content-type", "text/plain")
            .body(http_body_util::Full::new(Bytes::from(text.to_owned())))
            .expect("static response")
    };
    let Some(documents) = &state.documents else {
        return plain(StatusCode::NOT_FOUND, "no local documents with this backend");
    };
    let query: std::collections::HashMap<&str, &str> =
        req.uri().query().unwrap_or("").split('&').filter_map(|pair| pair.split_once('=')).collect();
    let signed = SignedRequest {
        op: query.get("op").copied().unwrap_or("").to_owned(),
        key: key.to_owned(),
        content_type: query.get("ct").copied().unwrap_or("").replace("%2F", "/"),
        size: query.get("size").and_then(|s| s.parse().ok()).unwrap_or(0),
        expires: query.get("expires").and_then(|s| s.parse().ok()).unwrap_or(0),
        signature: query.get("sig").copied().unwrap_or("").to_owned(),
    };
    if !documents.verify(&signed) {
        return plain(StatusCode::FORBIDDEN, "invalid or expired signature");
    }
    match (req.method().as_str(), signed.op.as_str()) {
        ("PUT", "put") => {
            let content_type = req.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
            if content_type != signed.content_type || req.body().len() as u64 != signed.size {
                return plain(StatusCode::FORBIDDEN, "content type or length differs from the signed ones");
            }
            if is_submitted(documents, key) {
                return plain(StatusCode::FORBIDDEN, "the material was submitted: its bytes are final");
            }
            match documents.write(key, req.body().to_vec()).await {
                Ok(()) => plain(StatusCode::OK, ""),
                Err(e) => {
                    tracing::error!(error = %e, "upload not stored");
                    plain(StatusCode::SERVICE_UNAVAILABLE, "not stored")
                }
            }
        }
        ("GET", "get") => match documents.read(key).await {
            Ok(Some(bytes)) => hyper::Response::builder()
                .status(StatusCode::OK)
                .header("content-type", "application/octet-stream")
                .body(http_body_util::Full::new(Bytes::from(bytes)))
                .expect("static response"),
            Ok(None) => plain(StatusCode::NOT_FOUND, "no such object"),
            Err(_) => plain(StatusCode::SERVICE_UNAVAILABLE, "unreadable"),
        },
        _ => plain(StatusCode::METHOD_NOT_ALLOWED, "method does not match the signed operation"),
    }
}
