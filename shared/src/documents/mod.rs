//! The document port: verification materials are uploaded by the client
//! straight to storage (S3 deployed, a directory of the dev server locally)
//! through a short-lived URL that only allows that one object, type and
//! size. The service itself only inspects and deletes objects.

pub mod local;
pub mod s3;

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
#[derive(Debug, thiserror::Error)]
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
}
