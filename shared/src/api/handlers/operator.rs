//! The operator routes. The operator's identity is the IAM principal (the
//! dev server's operator token stands in for it locally).

use serde::{Deserialize, Serialize};

use crate::api::problem::ApiError;
use crate::api::request::ApiRequest;
use crate::api::response::Reply;
use crate::api::validate::{Fields, bounded_text};
use crate::api::views::{
    AppealDecided, AppealDetail, AppealRow, AuditItem, DeletionRow, DeletionView, Empty, Items, MaterialView,
    OperatorAccountView, OperatorSessionItem, PageOf, SignedOut, SubmissionView, VerificationRow,
};
use crate::app::App;
use crate::clock::{parse_rfc3339, rfc3339};
use crate::domain::records::{AppealQueueEntry, DeletionQueueEntry, QueueEntry};
use crate::domain::{AccountId, Code, LoginName};
use crate::flows::audit::{AuditEvent, TrailQuery};
use crate::flows::verification::{self, Decision};
use crate::flows::{appeal_review, audit, deletion, operator};
use crate::persistence::{Cursor, List, Order, Queued};

/// Items per page of an operator list, unless `limit` says otherwise.
const PAGE_SIZE: usize = 50;
/// The largest `limit` (a page stays far below Lambda's 6 MB answer).
const MAX_PAGE_SIZE: usize = 200;

/// The operator's principal (the edge refuses operator routes without one,
/// so an empty one is never written).
fn operator_id(req: &ApiRequest) -> &str {
    req.operator.as_deref().unwrap_or_default()
}

/// `GET /ops/v1/accounts/{username}`.
pub async fn account(app: &App, req: &ApiRequest) -> Result<Reply<OperatorAccountView>, ApiError> {
    let overview = operator::account_by_username(app, req.path_param("username"), operator_id(req)).await?;
    Ok(Reply::new(OperatorAccountView::of(&overview)))
}

/// `GET /ops/v1/accounts?login=…`: the account a username, email, phone
/// or account id names, if any. A login longer than any of them is `422`.
pub async fn find_accounts(app: &App, req: &ApiRequest) -> Result<Reply<Items<OperatorAccountView>>, ApiError> {
    let mut fields = Fields::default();
    let login = fields.parse("login", req.query.first("login").map(str::trim), |raw| {
        if raw.chars().count() > LoginName::MAX_LEN { Err(Code::TooLong) } else { Ok(raw.to_owned()) }
    });
    let login = fields.finish_with(|| login)?;
    let found = operator::find_accounts(app, &login, operator_id(req)).await?;
    Ok(Reply::new(Items { items: found.iter().map(OperatorAccountView::of).collect() }))
}

/// `GET /ops/v1/accounts/{username}/sessions`.
pub async fn sessions(app: &App, req: &ApiRequest) -> Result<Reply<Items<OperatorSessionItem>>, ApiError> {
    let sessions = operator::sessions(app, req.path_param("username"), operator_id(req)).await?;
    Ok(Reply::new(Items { items: sessions.iter().map(OperatorSessionItem::from).collect() }))
}

/// `DELETE /ops/v1/accounts/{username}/sessions` `{"reason"}`.
pub async fn sign_out(app: &App, req: &ApiRequest) -> Result<Reply<SignedOut>, ApiError> {
    let reason = required_reason(req)?;
    let ended = operator::sign_out(app, req.path_param("username"), reason, operator_id(req)).await?;
    Ok(Reply::new(SignedOut { sessions_ended: ended }))
}

/// `POST /ops/v1/accounts/{username}/invitation`.
pub async fn resend_invitation(app: &App, req: &ApiRequest) -> Result<Reply<Empty>, ApiError> {
    operator::resend_invitation(app, req.path_param("username"), operator_id(req)).await?;
    Ok(Reply::new(Empty {}))
}

#[derive(Deserialize)]
struct Suspend {
    reason: Option<String>,
}

/// The `reason` of an operator's action: required, at most 500 characters.
fn required_reason(req: &ApiRequest) -> Result<String, ApiError> {
    let body: Suspend = req.json()?;
    let mut fields = Fields::default();
    let reason = fields.parse("reason", body.reason.as_deref(), bounded_text(500));
    fields.finish_with(|| reason)
}

/// `POST /ops/v1/accounts/{username}/suspension`.
pub async fn suspend(app: &App, req: &ApiRequest) -> Result<Reply<OperatorAccountView>, ApiError> {
    let reason = required_reason(req)?;
    let account = operator::suspend(app, req.path_param("username"), reason, operator_id(req)).await?;
    Ok(Reply::new(OperatorAccountView::of(&operator::overview(app, account).await?)))
}

/// `DELETE /ops/v1/accounts/{username}/suspension`.
pub async fn lift_suspension(app: &App, req: &ApiRequest) -> Result<Reply<OperatorAccountView>, ApiError> {
    let account = operator::lift_suspension(app, req.path_param("username"), operator_id(req)).await?;
    Ok(Reply::new(OperatorAccountView::of(&operator::overview(app, account).await?)))
}

/// The page size of an operator list: `limit` (default 50, at most 200).
fn page_limit(req: &ApiRequest, fields: &mut Fields) -> Option<usize> {
    match req.query.first("limit") {
        None => Some(PAGE_SIZE),
        Some(raw) => fields.check(
            "limit",
            raw.parse::<usize>().ok().filter(|n| (1..=MAX_PAGE_SIZE).contains(n)).ok_or(Code::LimitOutOfRange),
        ),
    }
}

/// The `after` cursor of a page of `list`, if one was sent.
fn page_after(req: &ApiRequest, list: List, fields: &mut Fields) -> Option<Cursor> {
    let after = req.query.first("after")?;
    fields.check("after", Cursor::parse(after, list).ok_or(Code::CursorInvalid))
}

/// What a queue listing asks for.
struct QueueQuery<S> {
    status: S,
    after: Option<Cursor>,
    limit: usize,
}

/// The `status` (default `pending_review`; one with a queue), `after`
/// cursor and `limit` of a listing of the queue of `E`, all checked.
fn queue_query<E: Queued>(req: &ApiRequest) -> Result<QueueQuery<E::Status>, ApiError> {
    let mut fields = Fields::default();
    let wanted = req.query.first("status").unwrap_or("pending_review");
    let status = E::STATUSES.iter().copied().find(|s| E::status_name(*s) == wanted);
    if status.is_none() {
        fields.fail("status", Code::StatusInvalid);
    }
    let after = page_after(req, List::Queue, &mut fields);
    let limit = page_limit(req, &mut fields);
    let (status, limit) = fields.finish_with(|| Some((status?, limit?)))?;
    Ok(QueueQuery { status, after, limit })
}

/// A page of the queue of `E` as the rows `R` (one listing for every review
/// queue).
async fn list_queue<E, R>(app: &App, req: &ApiRequest) -> Result<Reply<PageOf<R>>, ApiError>
where
    E: Queued,
    R: Serialize + for<'a> From<&'a E>,
{
    let query = queue_query::<E>(req)?;
    let page = operator::queue::<E>(app, query.status, query.limit, query.after.as_ref()).await?;
    let rows: Vec<R> = page.items.iter().map(R::from).collect();
    Ok(Reply::new(PageOf::new(rows, page.next.as_ref())))
}

/// `GET /ops/v1/verifications?status=…&after=…`.
pub async fn list_verifications(app: &App, req: &ApiRequest) -> Result<Reply<PageOf<VerificationRow>>, ApiError> {
    list_queue::<QueueEntry, VerificationRow>(app, req).await
}

/// `GET /ops/v1/verifications/{account_id}`.
pub async fn get_verification(app: &App, req: &ApiRequest) -> Result<Reply<SubmissionView>, ApiError> {
    let account_id = req.path_id("account_id", Code::NoVerification)?;
    let (submission, materials) = verification::for_review(app, &account_id, operator_id(req)).await?;
    let view = SubmissionView {
        materials: Some(materials.iter().map(MaterialView::from).collect()),
        ..SubmissionView::of(&submission, false)
    };
    Ok(Reply::new(view))
}

#[derive(Deserialize)]
struct DecideVerification {
    decision: Option<String>,
    reason: Option<String>,
}

/// `approve` or `reject`, as the `decision` field.
fn decision(fields: &mut Fields, raw: Option<&str>) -> Option<Decision> {
    fields.parse("decision", raw, |d| match d {
        "approve" => Ok(Decision::Approve),
        "reject" => Ok(Decision::Reject),
        _ => Err(Code::DecisionInvalid),
    })
}

/// `POST /ops/v1/verifications/{account_id}/decision`.
pub async fn decide(app: &App, req: &ApiRequest) -> Result<Reply<SubmissionView>, ApiError> {
    let body: DecideVerification = req.json()?;
    let mut fields = Fields::default();
    let decision = decision(&mut fields, body.decision.as_deref());
    let reason = fields.optional("reason", body.reason.as_deref(), bounded_text(500)).filter(|r| !r.is_empty());
    if decision == Some(Decision::Reject) && reason.is_none() {
        fields.fail("reason", Code::ReasonRequired);
    }
    let decision = fields.finish_with(|| decision)?;
    let account_id = req.path_id("account_id", Code::AccountNotFound)?;
    let decided = verification::decide(app, &account_id, decision, reason, operator_id(req)).await?;
    Ok(Reply::new(SubmissionView::of(&decided, true)))
}

/// `GET /ops/v1/audit?account_id=…&limit=…&after=…&order=…&event=…&since=…`:
/// a page of the trail (an id of no account's shape, or an event name the
/// service never writes, has an empty one).
pub async fn audit_trail(app: &App, req: &ApiRequest) -> Result<Reply<PageOf<AuditItem>>, ApiError> {
    let mut fields = Fields::default();
    let account_id = fields.required("account_id", req.query.first("account_id"));
    let limit = page_limit(req, &mut fields);
    let after = page_after(req, List::AuditTrail, &mut fields);
    let order = fields.optional("order", req.query.first("order"), |raw| match raw {
        "oldest" => Ok(Order::Ascending),
        "newest" => Ok(Order::Descending),
        _ => Err(Code::OrderInvalid),
    });
    let since = fields.optional("since", req.query.first("since"), |raw| parse_rfc3339(raw).ok_or(Code::SinceInvalid));
    let (account_id, limit) = fields.finish_with(|| Some((account_id?, limit?)))?;
    let event = req.query.first("event").filter(|e| !e.is_empty()).map(AuditEvent::named);
    let (Some(account_id), None | Some(Some(_))) = (AccountId::parse(account_id), event) else {
        return Ok(Reply::new(PageOf::<AuditItem>::new(Vec::new(), None)));
    };
    let query = TrailQuery { limit, after, order: order.unwrap_or_default(), event: event.flatten(), since };
    let page = audit::page(app, &account_id, query).await?;
    let items = page.items.iter().map(AuditItem::from).collect();
    Ok(Reply::new(PageOf::new(items, page.next.as_ref())))
}

/// `GET /ops/v1/deletion-requests?status=…&after=…`.
pub async fn list_deletions(app: &App, req: &ApiRequest) -> Result<Reply<PageOf<DeletionRow>>, ApiError> {
    list_queue::<DeletionQueueEntry, DeletionRow>(app, req).await
}

/// The body of a deletion's or an appeal's decision.
#[derive(Deserialize)]
struct DecideWithNote {
    decision: Option<String>,
    note: Option<String>,
}

/// `approve` (`true`) or `reject`, and the optional note.
fn decision_with_note(req: &ApiRequest) -> Result<(bool, Option<String>), ApiError> {
    let body: DecideWithNote = req.json()?;
    let mut fields = Fields::default();
    let approve = decision(&mut fields, body.decision.as_deref()).map(|d| d == Decision::Approve);
    let note = fields.optional("note", body.note.as_deref(), bounded_text(500)).filter(|n| !n.is_empty());
    let approve = fields.finish_with(|| approve)?;
    Ok((approve, note))
}

/// `POST /ops/v1/deletion-requests/{request_id}/decision`.
pub async fn decide_deletion(app: &App, req: &ApiRequest) -> Result<Reply<DeletionView>, ApiError> {
    let (approve, note) = decision_with_note(req)?;
    let request_id = req.path_id("request_id", Code::DeletionRequestNotFound)?;
    let decided = deletion::decide(app, &request_id, approve, note, operator_id(req)).await?;
    Ok(Reply::new(DeletionView::from(&decided)))
}

/// `GET /ops/v1/appeals?status=…&after=…&limit=…`: any appeal state.
pub async fn list_appeals(app: &App, req: &ApiRequest) -> Result<Reply<PageOf<AppealRow>>, ApiError> {
    list_queue::<AppealQueueEntry, AppealRow>(app, req).await
}

/// `GET /ops/v1/appeals/{appeal_id}`: the whole appeal (an audited read).
pub async fn get_appeal(app: &App, req: &ApiRequest) -> Result<Reply<AppealDetail>, ApiError> {
    let appeal_id = req.path_id("appeal_id", Code::AppealNotFound)?;
    let view = appeal_review::view(app, &appeal_id, operator_id(req)).await?;
    Ok(Reply::new(AppealDetail::from(&view)))
}

/// `POST /ops/v1/appeals/{appeal_id}/decision`.
pub async fn decide_appeal(app: &App, req: &ApiRequest) -> Result<Reply<AppealDecided>, ApiError> {
    let (approve, note) = decision_with_note(req)?;
    let appeal_id = req.path_id("appeal_id", Code::AppealNotFound)?;
    let appeal = appeal_review::decide(app, &appeal_id, approve, note, operator_id(req)).await?;
    let decided = AppealDecided {
        appeal_id: appeal.appeal_id,
        status: appeal.status.as_str(),
        effective_at: appeal.effective_at.map(rfc3339),
        // A decided appeal has both.
        decided_at: appeal.decided_at.map(rfc3339).unwrap_or_default(),
        decided_by: appeal.decided_by.unwrap_or_default(),
    };
    Ok(Reply::new(decided))
}
