//! The sealing port: secrets we must read back (TOTP secrets) are stored
//! encrypted, bound to the account they belong to. KMS seals them in AWS
//! (`kms.rs`, feature `kms`); the dev server seals them with AES-256-GCM under
//! a key of its own configuration (`local.rs`, feature `dev`).

#[cfg(feature = "kms")]
pub mod kms;
#[cfg(feature = "dev")]
pub mod local;

use async_trait::async_trait;
use secrecy::SecretBox;

/// Why sealing or opening failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    /// The key service is throttling or down: retry later.
    #[error("sealing unavailable: {0}")]
    Unavailable(String),
    /// A fault on our side (wrong key, corrupt value, not in this binary).
    #[error("sealing failure: {0}")]
    Internal(String),
}

/// Encrypts and decrypts small secrets.
#[async_trait]
pub trait Sealer: Send + Sync {
    /// `plaintext` encrypted and bound to `context` (an account id): the
    /// sealed text opens only with the same context.
    async fn seal(&self, plaintext: &[u8], context: &str) -> Result<String, SealError>;

    /// The plaintext of `sealed`, if it was sealed with `context`.
    async fn open(&self, sealed: &str, context: &str) -> Result<SecretBox<Vec<u8>>, SealError>;
}

/// The stand-in of a binary built without a key service: the route table
/// keeps it unreachable, and it fails if ever called.
pub struct NoSealer;

#[async_trait]
impl Sealer for NoSealer {
    async fn seal(&self, _: &[u8], _: &str) -> Result<String, SealError> {
        Err(SealError::Internal("sealing is not in this function".into()))
    }

    async fn open(&self, _: &str, _: &str) -> Result<SecretBox<Vec<u8>>, SealError> {
        Err(SealError::Internal("sealing is not in this function".into()))
    }
}
