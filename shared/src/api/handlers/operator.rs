//! The operator routes. The operator's identity is the IAM principal (the
//! dev server's operator token stands in for it locally).

use lambda_http::http::StatusCode;
use serde::Deserialize;
use serde_json::json;

use crate::api::problem::ApiError;
use crate::api::request::ApiRequest;
use crate::api::response::ApiResponse;
use crate::api::validate::{Fields, bounded_text};
use crate::api::views;
use crate::app::App;
use crate::audit;
use crate::clock::rfc3339;
use crate::domain::account::DeletionStatus;
use crate::domain::account::VerificationStatus;
use crate::domain::records::AppealStatus;
use crate::flows::verification::{self, Decision};
use crate::flows::{appeals, deletion, operator};

/// Items per page of an operator list, unless `limit` says otherwise.
const PAGE_SIZE: usize = 50;
/// The largest `limit` (a page stays far below Lambda's 6 MB answer).
const MAX_PAGE_SIZE: usize = 200;

/// The operator's principal (the edge refuses operator routes without one,
/// so an empty one is never written).
fn operator_id(req: &ApiRequest) -> &str {
    req.operator.as_deref().unwrap_or_default()
}

fn path_param<'a>(req: &'a ApiRequest, name: &str) -> &'a str {
    req.path_params.first(name).unwrap_or_default()
}

fn is_account_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `GET /ops/v1/accounts/{username}`.
pub async fn account(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let overview = operator::account_by_username(app, path_param(req, "username"), operator_id(req)).await?;
    let mut view = views::account_for_operator(&overview.account);
    view["verification"] = match &overview.verification {
        Some(v) => views::verification_for_operator(v, true),
        None => json!({"status": "unverified"}),
    };
    Ok(ApiResponse::json(StatusCode::OK, &view))
}

#[derive(Deserialize)]
struct Suspend {
    reason: Option<String>,
}

/// `POST /ops/v1/accounts/{username}/suspension`.
pub async fn suspend(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let body: Suspend = req.json()?;
    let mut fields = Fields::default();
    let reason = fields.parse("reason", body.reason.as_deref(), bounded_text(500));
    let reason = fields.finish_with(|| reason)?;
    let account = operator::suspend(app, path_param(req, "username"), reason, operator_id(req)).await?;
    Ok(ApiResponse::json(StatusCode::OK, &views::account_for_operator(&account)))
}

/// `DELETE /ops/v1/accounts/{username}/suspension`.
pub async fn lift_suspension(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let account = operator::lift_suspension(app, path_param(req, "username"), operator_id(req)).await?;
    Ok(ApiResponse::json(StatusCode::OK, &views::account_for_operator(&account)))
}

/// The page size of an operator list: `limit` (default 50, at most 200).
fn page_limit(req: &ApiRequest, fields: &mut Fields) -> Option<usize> {
    match req.query.first("limit") {
        None => Some(PAGE_SIZE),
        Some(raw) => fields.check(
            "limit",
            raw.parse::<usize>().ok().filter(|n| (1..=MAX_PAGE_SIZE).contains(n)).ok_or("limit_out_of_range"),
        ),
    }
}

/// `GET /ops/v1/verifications?status=…&after=…`.
pub async fn list_verifications(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let statuses = [VerificationStatus::PendingReview, VerificationStatus::Approved, VerificationStatus::Rejected];
    let (status, after, limit) = queue_params(req, &statuses, VerificationStatus::as_str)?;
    let (entries, next) = verification::queue(app, status, limit, after.as_deref()).await?;
    Ok(page(entries.iter().map(views::queue_entry).collect(), next))
}

/// `GET /ops/v1/verifications/{account_id}`.
pub async fn get_verification(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let account_id = path_param(req, "account_id");
    if !is_account_id(account_id) {
        return Err(crate::flows::FlowError::NotFound("no_verification").into());
    }
    let (submission, materials) = verification::for_review(app, account_id, operator_id(req)).await?;
    let mut view = views::verification_for_operator(&submission, false);
    view["materials"] = json!(materials);
    Ok(ApiResponse::json(StatusCode::OK, &view))
}

#[derive(Deserialize)]
struct Decide {
    decision: Option<String>,
    reason: Option<String>,
}

/// `POST /ops/v1/verifications/{account_id}/decision`.
pub async fn decide(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let account_id = path_param(req, "account_id");
    let body: Decide = req.json()?;
    let mut fields = Fields::default();
    let decision = fields.parse("decision", body.decision.as_deref(), |d| match d {
        "approve" => Ok(Decision::Approve),
        "reject" => Ok(Decision::Reject),
        _ => Err("decision_invalid"),
    });
    let reason = fields.optional("reason", body.reason.as_deref(), bounded_text(500)).filter(|r| !r.is_empty());
    if decision == Some(Decision::Reject) && reason.is_none() {
        fields.fail("reason", "reason_required");
    }
    let decision = fields.finish_with(|| decision)?;
    if !is_account_id(account_id) {
        return Err(crate::flows::FlowError::NotFound("account_not_found").into());
    }
    let decided = verification::decide(app, account_id, decision, reason, operator_id(req)).await?;
    Ok(ApiResponse::json(StatusCode::OK, &views::verification_for_operator(&decided, true)))
}

/// `GET /ops/v1/audit?account_id=…&limit=…&after=…`: a page of the trail,
/// oldest first.
pub async fn audit_trail(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let mut fields = Fields::default();
    let account_id = fields.required("account_id", req.query.first("account_id"));
    let limit = page_limit(req, &mut fields);
    let after = req.query.first("after").map(cursor_in);
    if !after.as_deref().is_none_or(is_audit_cursor) {
        fields.fail("after", "cursor_invalid");
    }
    let (account_id, limit) = fields.finish_with(|| Some((account_id?, limit?)))?;
    let (records, next) = if is_account_id(account_id) {
        audit::page(app, account_id, limit, after.as_deref()).await?
    } else {
        (Vec::new(), None)
    };
    let items: Vec<_> = records
        .iter()
        .map(|r| json!({"account_id": r.account_id, "event": r.event, "actor": r.actor, "at": rfc3339(r.at), "detail": r.detail}))
        .collect();
    Ok(page(items, next))
}

/// `GET /ops/v1/deletion-requests?status=…&after=…`.
pub async fn list_deletions(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let statuses = [DeletionStatus::PendingReview, DeletionStatus::Approved, DeletionStatus::Rejected];
    let (status, after, limit) = queue_params(req, &statuses, DeletionStatus::as_str)?;
    let (entries, next) = deletion::queue(app, status, limit, after.as_deref()).await?;
    let items: Vec<_> = entries
        .iter()
        .map(|e| {
            json!({"request_id": e.request_id, "account_id": e.account_id, "username": e.username,
                "requested_at": rfc3339(e.requested_at)})
        })
        .collect();
    Ok(page(items, next))
}

/// A page of an operator list: its items, and `next` when there are more.
fn page(items: Vec<serde_json::Value>, next: Option<String>) -> ApiResponse {
    let mut body = json!({ "items": items });
    if let Some(next) = next {
        body["next"] = json!(cursor_out(&next));
    }
    ApiResponse::json(StatusCode::OK, &body)
}

/// A page's `next` as handed out: the last sort key, with `#` (which a URL
/// would take for a fragment) written `_`, so it goes into a query as is.
fn cursor_out(sort_key: &str) -> String {
    sort_key.replace('#', "_")
}

/// The sort key an `after` names (the inverse of [`cursor_out`]; no sort
/// key of a list holds `_`).
fn cursor_in(after: &str) -> String {
    after.replace('_', "#")
}

/// `GET /ops/v1/appeals?status=…&after=…&limit=…`: any appeal state.
pub async fn list_appeals(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let (status, after, limit) = queue_params(req, AppealStatus::QUEUED, AppealStatus::as_str)?;
    let (entries, next) = appeals::queue(app, status, limit, after.as_deref()).await?;
    Ok(page(entries.iter().map(views::appeal_row).collect(), next))
}

/// `GET /ops/v1/appeals/{appeal_id}`: the whole appeal (an audited read).
pub async fn get_appeal(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let appeal_id = path_param(req, "appeal_id");
    if !is_account_id(appeal_id) {
        return Err(crate::flows::FlowError::NotFound("appeal_not_found").into());
    }
    let view = appeals::view(app, appeal_id, operator_id(req)).await?;
    Ok(ApiResponse::json(StatusCode::OK, &views::appeal_for_operator(&view)))
}

/// `POST /ops/v1/appeals/{appeal_id}/decision`.
pub async fn decide_appeal(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let appeal_id = path_param(req, "appeal_id");
    let body: DecideDeletion = req.json()?;
    let mut fields = Fields::default();
    let approve = fields.parse("decision", body.decision.as_deref(), |d| match d {
        "approve" => Ok(true),
        "reject" => Ok(false),
        _ => Err("decision_invalid"),
    });
    let note = fields.optional("note", body.note.as_deref(), bounded_text(500)).filter(|n| !n.is_empty());
    let approve = fields.finish_with(|| approve)?;
    if !is_account_id(appeal_id) {
        return Err(crate::flows::FlowError::NotFound("appeal_not_found").into());
    }
    let appeal = appeals::decide(app, appeal_id, approve, note, operator_id(req)).await?;
    let mut answer = json!({"appeal_id": appeal.appeal_id, "status": appeal.status.as_str(),
        "decided_at": appeal.decided_at.map(rfc3339), "decided_by": appeal.decided_by});
    if let Some(at) = appeal.effective_at {
        answer["effective_at"] = json!(rfc3339(at));
    }
    Ok(ApiResponse::json(StatusCode::OK, &answer))
}

#[derive(Deserialize)]
struct DecideDeletion {
    decision: Option<String>,
    note: Option<String>,
}

/// `POST /ops/v1/deletion-requests/{request_id}/decision`.
pub async fn decide_deletion(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let request_id = path_param(req, "request_id");
    let body: DecideDeletion = req.json()?;
    let mut fields = Fields::default();
    let approve = fields.parse("decision", body.decision.as_deref(), |d| match d {
        "approve" => Ok(true),
        "reject" => Ok(false),
        _ => Err("decision_invalid"),
    });
    let note = fields.optional("note", body.note.as_deref(), bounded_text(500));
    let approve = fields.finish_with(|| approve)?;
    if !is_account_id(request_id) {
        return Err(crate::flows::FlowError::NotFound("deletion_request_not_found").into());
    }
    let decided = deletion::decide(app, request_id, approve, note, operator_id(req)).await?;
    Ok(ApiResponse::json(StatusCode::OK, &views::deletion(&decided)))
}

/// The `status` (default `pending_review`; one of the queue's `statuses`,
/// named by `name`), `after` cursor and `limit` of a queue listing, all
/// checked.
fn queue_params<S: Copy>(
    req: &ApiRequest,
    statuses: &[S],
    name: fn(S) -> &'static str,
) -> Result<(S, Option<String>, usize), ApiError> {
    let mut fields = Fields::default();
    let wanted = req.query.first("status").unwrap_or("pending_review");
    let status = statuses.iter().copied().find(|s| name(*s) == wanted);
    if status.is_none() {
        fields.fail("status", "status_invalid");
    }
    let after = req.query.first("after").map(cursor_in);
    if !after.as_deref().is_none_or(is_cursor) {
        fields.fail("after", "cursor_invalid");
    }
    let limit = page_limit(req, &mut fields);
    let (status, limit) = fields.finish_with(|| Some((status?, limit?)))?;
    Ok((status, after, limit))
}

/// An audit cursor: the sort key of a record, `<12 digits>.<9 digits>#<6 hex>`.
fn is_audit_cursor(cursor: &str) -> bool {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    cursor.split_once('#').is_some_and(|(time, tie)| {
        time.split_once('.').is_some_and(|(secs, nanos)| digits(secs, 12) && digits(nanos, 9))
            && tie.len() == 6
            && tie.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// A queue cursor: 12 digits, `#`, a 32-hex id.
fn is_cursor(cursor: &str) -> bool {
    cursor
        .split_once('#')
        .is_some_and(|(t, id)| t.len() == 12 && t.bytes().all(|b| b.is_ascii_digit()) && is_account_id(id))
}
