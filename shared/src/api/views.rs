//! JSON views of domain records, as the contract shows them.

use serde_json::{Value, json};

use crate::clock::rfc3339;
use crate::domain::Account;
use crate::domain::phone::mask_phone;
use crate::domain::records::{AppealQueueEntry, Subject};
use crate::flows::appeals::AppealView;
use crate::flows::deletion::DeletionRequest;
use crate::flows::sessions::SessionView;
use crate::flows::verification::{QueueEntry, Verification};

/// The account as `GET /v1/me` and `POST /v1/sessions` show it.
pub fn account(account: &Account) -> Value {
    json!({
        "account_id": account.account_id,
        "username": account.username,
        "email": account.email,
        "phone": account.phone,
        "organization": account.organization,
        "kind": account.kind,
        "status": account.status,
        "verification": { "status": account.verification_status },
        "mfa": {
            "totp": account.mfa.is_some(),
            "recovery_codes_left": account.mfa.as_ref().map_or(0, |mfa| mfa.recovery_codes.len()),
        },
        "created_at": rfc3339(account.created_at),
    })
}

/// The account as operators see it: its view, plus deletion and suspension.
pub fn account_for_operator(account: &Account) -> Value {
    let mut view = self::account(account);
    view["deletion"] = json!({"status": account.deletion_status.as_str()});
    view["suspension"] = match &account.suspension {
        Some(s) => json!({"reason": s.reason, "at": rfc3339(s.at), "by": s.by}),
        None => Value::Null,
    };
    view
}

/// A session in the account centre's list.
pub fn session(session: &SessionView) -> Value {
    json!({
        "session_id": session.session_id,
        "created_at": rfc3339(session.created_at),
        "last_seen_at": rfc3339(session.last_seen_at),
        "ip": session.ip,
        "user_agent": session.user_agent,
        "current": session.current,
    })
}

/// `GET /v1/me/verification`.
pub fn verification_status(submission: Option<&Verification>) -> Value {
    let Some(v) = submission else { return json!({"status": "unverified"}) };
    let mut view = json!({
        "status": v.status,
        "type": v.subject.kind(),
        "submitted_at": rfc3339(v.submitted_at),
    });
    if let Some(at) = v.decided_at {
        view["decided_at"] = json!(rfc3339(at));
    }
    if let Some(reason) = &v.reason {
        view["reason"] = json!(reason);
    }
    view
}

/// A submission for operators: in full (`masked = false`, the review page)
/// or with numbers and names masked (lists).
pub fn verification_for_operator(v: &Verification, masked: bool) -> Value {
    let subject = if masked { v.subject.masked() } else { v.subject.clone() };
    let mut view = serde_json::to_value(&subject).unwrap_or_else(|_| json!({}));
    view["account_id"] = json!(v.account_id);
    view["status"] = json!(v.status);
    view["submitted_at"] = json!(rfc3339(v.submitted_at));
    view["decided_at"] = json!(v.decided_at.map(rfc3339));
    view["reason"] = json!(v.reason);
    view["decided_by"] = json!(v.decided_by);
    view["material_ids"] = json!(v.material_ids);
    view
}

/// A queue row.
pub fn queue_entry(entry: &QueueEntry) -> Value {
    json!({
        "account_id": entry.account_id,
        "username": entry.username,
        "type": entry.kind,
        "submitted_at": rfc3339(entry.submitted_at),
    })
}

/// A deletion request, as its owner and operators see it.
pub fn deletion(request: &DeletionRequest) -> Value {
    json!({
        "request_id": request.request_id,
        "account_id": request.account_id,
        "status": request.status.as_str(),
        "requested_at": rfc3339(request.requested_at),
        "decided_at": request.decided_at.map(rfc3339),
        "note": request.note,
    })
}

/// A sub-account in its primary account's list.
pub fn sub_account(account: &Account) -> Value {
    json!({
        "account_id": account.account_id,
        "username": account.username,
        "email": account.email,
        "phone": account.phone,
        "status": account.status,
        "created_at": rfc3339(account.created_at),
    })
}

/// A row of an appeal queue: the contact email masked.
pub fn appeal_row(entry: &AppealQueueEntry) -> Value {
    let mut row = json!({
        "appeal_id": entry.appeal_id,
        "account_id": entry.account_id,
        "username": entry.username,
        "submitted_at": rfc3339(entry.submitted_at),
        "contact_email": entry.contact_email,
        "identity_match": entry.identity_match,
    });
    if let Some(at) = entry.effective_at {
        row["effective_at"] = json!(rfc3339(at));
    }
    row
}

/// `GET /ops/v1/appeals/{appeal_id}`: the whole appeal, its identity in
/// full, and the account's side (its email and phone masked).
pub fn appeal_for_operator(view: &AppealView) -> Value {
    let appeal = &view.appeal;
    let account = &view.account;
    let mut body = json!({
        "appeal_id": appeal.appeal_id,
        "status": appeal.status.as_str(),
        "submitted_at": rfc3339(appeal.submitted_at),
        "contact_email": appeal.contact_email,
        "description": appeal.description,
        "identity_match": view.identity_match,
        "account": {
            "account_id": account.account_id,
            "username": account.username,
            "email": account.email.masked(),
            "phone": account.phone.as_ref().map(|p| mask_phone(p.as_str())),
            "created_at": rfc3339(account.created_at),
            "last_sign_in_at": view.last_sign_in_at.map(rfc3339),
            "mfa": account.mfa.is_some(),
            "previous_appeals": view.previous_appeals,
        },
    });
    if let Some(at) = appeal.effective_at {
        body["effective_at"] = json!(rfc3339(at));
    }
    if let Some(at) = appeal.decided_at {
        body["decided_at"] = json!(rfc3339(at));
        body["decided_by"] = json!(appeal.decided_by);
        body["note"] = json!(appeal.note);
    }
    match &appeal.identity {
        Some(Subject::Individual { real_name, id_number, .. }) => {
            body["real_name"] = json!(real_name);
            body["id_number"] = json!(id_number);
        }
        Some(Subject::Enterprise { company_name, credit_code, .. }) => {
            body["company_name"] = json!(company_name);
            body["credit_code"] = json!(credit_code);
        }
        None => {}
    }
    body
}
