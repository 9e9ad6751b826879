//! The answers of the routes, as typed values: each is what its route's
//! success response carries, field for field, as the contract and
//! `openapi.yaml` describe it (a surface test holds each type to the
//! schema its route declares there, through `schemars` with the `schema`
//! feature). Times are RFC 3339 strings; enums travel as their wire names.

mod accounts;
mod appeals;
mod deletion;
mod operator;
mod sessions;
mod verification;

pub use accounts::*;
pub use appeals::*;
pub use deletion::*;
pub use operator::*;
pub use sessions::*;
pub use verification::*;

use serde::Serialize;

use crate::persistence::Cursor;

#[cfg(feature = "schema")]
use schemars::JsonSchema;

/// `204 No Content`: no body at all.
#[derive(Debug, Clone, Copy, Default)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct NoContent;

/// `{}`: an answer that says only that the request was taken.
#[derive(Debug, Clone, Copy, Default, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Empty {}

/// `202` after an SMS code went out.
#[derive(Debug, Clone, Copy, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct CodeSent {
    /// Seconds the code stays valid.
    pub expires_in: i64,
    /// Seconds until another may be asked for.
    pub retry_after: i64,
}

/// A whole list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Items<T> {
    /// The items.
    pub items: Vec<T>,
}

/// A page of an operator's list, and the cursor of the next page.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct PageOf<T> {
    /// The items.
    pub items: Vec<T>,
    /// Pass as `after` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

impl<T> PageOf<T> {
    /// A page whose next starts at `next`.
    pub fn new(items: Vec<T>, next: Option<&Cursor>) -> Self {
        Self { items, next: next.map(Cursor::as_param) }
    }
}
