//! The document port: verification materials are uploaded by the client
//! straight to storage (S3 deployed, a directory of the dev server locally)
//! through a short-lived URL that only allows that one object, type and
//! size. The service itself only inspects and deletes objects.

#[cfg(feature = "dev")]
pub mod local;
#[cfg(feature = "s3")]
pub mod s3;

use crate::domain::{AccountId, MaterialId};
use std::time::Duration;

use async_trait::async_trait;

/// The content types accepted for materials, with their leading bytes.
pub const ACCEPTED_TYPES: &[(&str, &[u8])] =
    &[("image/jpeg", &[0xFF, 0xD8, 0xFF]), ("image/png", b"\x89PNG\r\n\x1a\n"), ("application/pdf", b"%PDF-")];

/// Largest accepted material, in bytes.
pub const MAX_SIZE: u64 = 10 * 1024 * 1024;

/// Whether `head` (an object's first bytes) starts like `content_type`.
pub fn looks_like(content_type: &str, head: &[u8]) -> bool {
    ACCEPTED_TYPES.iter().any(|(ct, magic)| *ct == content_type && head.starts_with(magic))
}

/// What is known of a stored object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    /// Its size in bytes.
    pub size: u64,
    /// Its first (up to 16) bytes.
    pub head: Vec<u8>,
}

/// Why a document operation failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DocumentError {
    /// Throttled or down: retry later.
    #[error("document store unavailable: {0}")]
    Unavailable(String),
    /// A fault on our side.
    #[error("document store failure: {0}")]
    Internal(String),
}

/// Where materials are kept.
#[async_trait]
pub trait DocumentStore: Send + Sync {
    /// A URL to PUT exactly `size` bytes of `content_type` to `key`.
    async fn upload_url(
        &self,
        key: &str,
        content_type: &str,
        size: u64,
        expires_in: Duration,
    ) -> Result<String, DocumentError>;

    /// A URL to GET `key`.
    async fn download_url(&self, key: &str, expires_in: Duration) -> Result<String, DocumentError>;

    /// The object at `key`, if uploaded.
    async fn inspect(&self, key: &str) -> Result<Option<StoredObject>, DocumentError>;

    /// Removes the object at `key` (absent is fine).
    async fn delete(&self, key: &str) -> Result<(), DocumentError>;

    /// Copies the object at `from` to `to`; `false` when `from` is absent.
    async fn copy(&self, from: &str, to: &str) -> Result<bool, DocumentError>;

    /// Removes every object whose key starts with `prefix`.
    async fn delete_prefix(&self, prefix: &str) -> Result<(), DocumentError>;

    /// Deletes uploads (keys under [`UPLOADS`]) older than `max_age_secs`.
    /// S3 leaves this to the bucket's lifecycle rule (a no-op here); the dev
    /// server's directory does it itself.
    async fn forget_stale_uploads(&self, max_age_secs: i64) -> Result<(), DocumentError>;
}

/// Where customers' uploads land, one folder per account: anything here is
/// unsubmitted and deleted after a day (the bucket's lifecycle rule).
pub const UPLOADS: &str = "uploads";
/// Where submitted materials are copied: the only bytes operators see, out
/// of reach of any upload URL.
pub const SUBMITTED: &str = "submitted";

/// The upload key of a material.
pub fn upload_key(account_id: &AccountId, material_id: &MaterialId) -> String {
    format!("{UPLOADS}/{account_id}/{material_id}")
}

/// The key of a material's submitted copy.
pub fn submitted_key(account_id: &AccountId, material_id: &MaterialId) -> String {
    format!("{SUBMITTED}/{account_id}/{material_id}")
}

/// The key prefixes holding an account's objects, for erasure.
pub fn account_prefixes(account_id: &AccountId) -> [String; 2] {
    [format!("{UPLOADS}/{account_id}/"), format!("{SUBMITTED}/{account_id}/")]
}

/// Stands in for document storage in a function built without it (see
/// `notify::NotInThisBinary`): every call is a fault of ours.
pub struct NoDocuments;

#[async_trait]
impl DocumentStore for NoDocuments {
    async fn upload_url(&self, _: &str, _: &str, _: u64, _: Duration) -> Result<String, DocumentError> {
        Err(Self::missing())
    }
    async fn download_url(&self, _: &str, _: Duration) -> Result<String, DocumentError> {
        Err(Self::missing())
    }
    async fn inspect(&self, _: &str) -> Result<Option<StoredObject>, DocumentError> {
        Err(Self::missing())
    }
    async fn delete(&self, _: &str) -> Result<(), DocumentError> {
        Err(Self::missing())
    }
    async fn copy(&self, _: &str, _: &str) -> Result<bool, DocumentError> {
        Err(Self::missing())
    }
    async fn delete_prefix(&self, _: &str) -> Result<(), DocumentError> {
        Err(Self::missing())
    }
    async fn forget_stale_uploads(&self, _: i64) -> Result<(), DocumentError> {
        Ok(())
    }
}

impl NoDocuments {
    fn missing() -> DocumentError {
        DocumentError::Internal("document storage is not in this function".into())
    }
}
