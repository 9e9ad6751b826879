//! The flows: plain async functions over the ports in [`App`](crate::app::App).
//! They know nothing of HTTP; [`FlowError`] is mapped to problem JSON once,
//! in `api::problem`.

pub mod accounts;
pub mod appeal_hold;
pub mod appeal_notices;
pub mod appeal_queue;
pub mod appeal_review;
pub mod appeals;
pub mod audit;
pub mod authentication;
pub mod change_password;
pub mod contact_details;
pub mod deletion;
pub mod devices;
pub mod erasure;
pub mod forgot_password;
pub mod lockout;
pub mod message_events;
pub mod operator;
pub mod passkeys;
pub mod queue_watch;
pub mod second_factor;
pub mod second_step;
pub mod security;
pub mod sessions;
pub mod set_password;
pub mod sign_up;
pub mod signed_in;
pub mod sms_codes;
pub mod sms_sign_in;
pub mod sub_accounts;
pub mod verification;

#[cfg(all(test, feature = "dev"))]
mod tests;

use crate::documents::DocumentError;
use crate::domain::{Code, Input, Refusal};
use crate::notify::SendError;
use crate::persistence::{Conflict, NotCommitted};
use crate::sealing::SealError;
use crate::store::StoreError;

/// Why a flow did not succeed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FlowError {
    /// Inputs failed their rules (422).
    #[error("validation failed: {0:?}")]
    Validation(Vec<Refusal>),
    /// Unique values already taken (409).
    #[error("conflict: {0:?}")]
    Conflict(Vec<Refusal>),
    /// Unknown, used or superseded password link (404).
    #[error("invalid link")]
    InvalidLink,
    /// The password link has expired (410).
    #[error("link expired")]
    LinkExpired,
    /// Wrong login or password at sign-in (401).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// A signed-in customer re-entered a wrong password (403).
    #[error("wrong password")]
    WrongPassword,
    /// Not allowed for this account (403); the code goes in `detail`.
    #[error("forbidden: {0}")]
    Forbidden(Code),
    /// Refused with a code of its own (403): `account_disabled`,
    /// `network_not_allowed`, `mfa_enrolment_required`,
    /// `mfa_required_by_policy`.
    #[error("denied: {0}")]
    Denied(Code),
    /// No such resource (404), with its code.
    #[error("not found: {0}")]
    NotFound(Code),
    /// The resource's state forbids the change (409), with its code.
    #[error("conflicting state: {0}")]
    Conflicting(Code),
    /// No valid session (401).
    #[error("unauthenticated")]
    Unauthenticated,
    /// The right password of an account an operator suspended (403).
    #[error("account suspended")]
    AccountSuspended,
    /// Too many requests or failures; retry after the given seconds (429).
    #[error("rate limited ({code}), retry after {retry_after}s")]
    RateLimited {
        /// `rate_limited` or `too_many_attempts`.
        code: Code,
        /// Seconds until a retry may succeed.
        retry_after: i64,
    },
    /// A dependency is throttling or down, or a write lost a race (503).
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// A dependency failed; the failure is kept as the source.
    /// [`Dependency::is_transient`] tells a `503` from a `500`.
    #[error("dependency failed")]
    Dependency(#[source] Dependency),
    /// A fault on our side (500); never caused by client input.
    #[error("internal: {0}")]
    Internal(String),
}

/// What failed below the flows, kept whole so that logs show the cause.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Dependency {
    /// The store.
    #[error("store")]
    Store(#[from] StoreError),
    /// A commit: the store, or a condition no flow expected to fail (a race
    /// lost to a concurrent request: the client may simply retry).
    #[error("commit")]
    Commit(#[from] NotCommitted),
    /// The email or SMS provider.
    #[error("provider")]
    Send(#[from] SendError),
    /// Document storage.
    #[error("document storage")]
    Documents(#[from] DocumentError),
    /// The key service that seals secrets.
    #[error("sealing")]
    Sealing(#[from] SealError),
}

impl Dependency {
    /// Whether a retry may succeed (`503`), rather than a fault of ours
    /// (`500`).
    pub fn is_transient(&self) -> bool {
        let store = |e: &StoreError| !matches!(e, StoreError::Internal(_));
        match self {
            Self::Store(e) | Self::Commit(NotCommitted::Store(e)) => store(e),
            Self::Commit(NotCommitted::Conflict(_)) | Self::Send(_) => true,
            Self::Documents(e) => matches!(e, DocumentError::Unavailable(_)),
            Self::Sealing(e) => matches!(e, SealError::Unavailable(_)),
        }
    }
}

impl From<StoreError> for FlowError {
    fn from(e: StoreError) -> Self {
        Self::Dependency(e.into())
    }
}

impl From<NotCommitted> for FlowError {
    fn from(e: NotCommitted) -> Self {
        Self::Dependency(e.into())
    }
}

impl From<SendError> for FlowError {
    fn from(e: SendError) -> Self {
        Self::Dependency(e.into())
    }
}

impl From<DocumentError> for FlowError {
    fn from(e: DocumentError) -> Self {
        Self::Dependency(e.into())
    }
}

impl From<SealError> for FlowError {
    fn from(e: SealError) -> Self {
        Self::Dependency(e.into())
    }
}

/// A race a commit can lose: a condition failed because another request
/// changed the records first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Race {
    /// Any of the commit's conditions.
    Any,
    /// The one condition that means this.
    On(Conflict),
}

impl Race {
    fn lost(self, not_committed: &NotCommitted) -> bool {
        match self {
            Self::Any => matches!(not_committed, NotCommitted::Conflict(_)),
            Self::On(conflict) => not_committed.is(conflict),
        }
    }
}

/// The one way a flow answers a commit: a lost race in the flow's own
/// words, a store failure (or a race nobody expected) as a dependency's.
pub trait Committed {
    /// Whether it committed: `false` when `race` was lost, and what the
    /// records are now stands.
    fn unless_lost(self, race: Race) -> Result<bool, FlowError>;

    /// Committed, or the answer of the first race of `answers` it lost.
    fn answering<const N: usize>(self, answers: [(Race, FlowError); N]) -> Result<(), FlowError>;
}

impl Committed for Result<(), NotCommitted> {
    fn unless_lost(self, race: Race) -> Result<bool, FlowError> {
        match self {
            Ok(()) => Ok(true),
            Err(e) if race.lost(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    fn answering<const N: usize>(self, answers: [(Race, FlowError); N]) -> Result<(), FlowError> {
        let Err(e) = self else { return Ok(()) };
        match answers.into_iter().find(|(race, _)| race.lost(&e)) {
            Some((_, answer)) => Err(answer),
            None => Err(e.into()),
        }
    }
}

impl FlowError {
    /// One input refused (422).
    pub fn refused(input: Input, code: Code) -> Self {
        Self::Validation(vec![Refusal::new(input, code)])
    }
}
