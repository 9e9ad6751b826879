//! Account deletion: the request, its queue row and lookup, and the
//! erasures under way.

use serde::{Deserialize, Serialize};

use crate::domain::account::DeletionStatus;
use crate::domain::{AccountId, RequestId, Username};

/// A deletion request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletionRequest {
    /// Opaque id.
    pub request_id: RequestId,
    /// The account to delete.
    pub account_id: AccountId,
    /// Where it stands.
    pub status: DeletionStatus,
    /// Unix seconds.
    pub requested_at: i64,
    /// The customer's reason, if given.
    pub reason: Option<String>,
    /// Unix seconds of the decision.
    pub decided_at: Option<i64>,
    /// The operator's note.
    pub note: Option<String>,
    /// The operator who decided.
    pub decided_by: Option<String>,
}

/// A row of a deletion queue; an approved one keeps no username.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletionQueueEntry {
    /// The request.
    pub request_id: RequestId,
    /// The account.
    pub account_id: AccountId,
    /// Its username while the account exists.
    pub username: Option<Username>,
    /// Unix seconds.
    pub requested_at: i64,
}

/// Finds a request's account by request id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RequestLookup {
    /// The account.
    pub account_id: AccountId,
}

/// An approved deletion whose erase has not finished yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureUnderWay {
    /// The account being erased.
    pub account_id: AccountId,
    /// Unix seconds of the approval.
    pub since: i64,
}
