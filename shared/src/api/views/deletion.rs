//! Answers of account deletion requests.

use serde::Serialize;

use crate::clock::rfc3339;
use crate::domain::records::DeletionQueueEntry;
use crate::domain::{AccountId, RequestId};
use crate::flows::deletion::DeletionRequest;

#[cfg(feature = "schema")]
use schemars::JsonSchema;

/// `202` of a deletion request.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct DeletionCreated {
    /// Its id.
    pub request_id: RequestId,
    /// `pending_review`.
    pub status: &'static str,
}

/// A deletion request, as its owner and operators see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct DeletionView {
    /// Its id.
    pub request_id: RequestId,
    /// The account.
    pub account_id: AccountId,
    /// Where it stands.
    pub status: &'static str,
    /// When it was made.
    pub requested_at: String,
    /// When it was decided.
    pub decided_at: Option<String>,
    /// The operator's note.
    pub note: Option<String>,
}

impl From<&DeletionRequest> for DeletionView {
    fn from(request: &DeletionRequest) -> Self {
        Self {
            request_id: request.request_id.clone(),
            account_id: request.account_id.clone(),
            status: request.status.as_str(),
            requested_at: rfc3339(request.requested_at),
            decided_at: request.decided_at.map(rfc3339),
            note: request.note.clone(),
        }
    }
}

/// A row of a deletion queue (no username once approved).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct DeletionRow {
    /// The request.
    pub request_id: RequestId,
    /// The account.
    pub account_id: AccountId,
    /// Its username while the account exists.
    pub username: Option<String>,
    /// When it was made.
    pub requested_at: String,
}

impl From<&DeletionQueueEntry> for DeletionRow {
    fn from(entry: &DeletionQueueEntry) -> Self {
        Self {
            request_id: entry.request_id.clone(),
            account_id: entry.account_id.clone(),
            username: entry.username.as_ref().map(|u| u.as_str().to_owned()),
            requested_at: rfc3339(entry.requested_at),
        }
    }
}

/// A deletion request's state, in an operator's account view.
#[derive(Debug, Clone, Copy, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct DeletionState {
    /// `none`, `pending_review`, `approved` or `rejected`.
    pub status: &'static str,
}
