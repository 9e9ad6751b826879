//! KMS as the sealer: `Encrypt` and `Decrypt` under the template's key, with
//! the account id as encryption context (so CloudTrail shows whose secret
//! was opened, and a value moved to another account does not open).

use async_trait::async_trait;
use aws_sdk_kms::Client;
use aws_sdk_kms::primitives::Blob;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use secrecy::SecretBox;

use super::{SealError, Sealer};
use crate::aws_errors::{describe, is_transient};

const PREFIX: &str = "kms1:";
const CONTEXT_KEY: &str = "account_id";

/// KMS under one key (id, ARN or alias).
pub struct KmsSealer {
    client: Client,
    key_id: String,
}

impl KmsSealer {
    /// A sealer using `key_id` through `client`.
    pub fn new(client: Client, key_id: String) -> Self {
        Self { client, key_id }
    }
}

fn classify<E: aws_sdk_kms::error::ProvideErrorMetadata>(
    e: &aws_sdk_kms::error::SdkError<E, aws_sdk_kms::config::http::HttpResponse>,
) -> SealError {
    if is_transient(e) { SealError::Unavailable(describe(e)) } else { SealError::Internal(describe(e)) }
}

#[async_trait]
impl Sealer for KmsSealer {
    async fn seal(&self, plaintext: &[u8], context: &str) -> Result<String, SealError> {
        let output = self
            .client
            .encrypt()
            .key_id(&self.key_id)
            .plaintext(Blob::new(plaintext))
            .encryption_context(CONTEXT_KEY, context)
            .send()
            .await
            .map_err(|e| classify(&e))?;
        let blob = output.ciphertext_blob.ok_or_else(|| SealError::Internal("KMS returned no ciphertext".into()))?;
        Ok(format!("{PREFIX}{}", STANDARD.encode(blob.as_ref())))
    }

    async fn open(&self, sealed: &str, context: &str) -> Result<SecretBox<Vec<u8>>, SealError> {
        let blob = sealed
            .strip_prefix(PREFIX)
            .and_then(|b64| STANDARD.decode(b64).ok())
            .ok_or_else(|| SealError::Internal("sealed value is not KMS's".into()))?;
        let output = self
            .client
            .decrypt()
            .key_id(&self.key_id)
            .ciphertext_blob(Blob::new(blob))
            .encryption_context(CONTEXT_KEY, context)
            .send()
            .await
            .map_err(|e| classify(&e))?;
        let plaintext = output.plaintext.ok_or_else(|| SealError::Internal("KMS returned no plaintext".into()))?;
        Ok(SecretBox::new(Box::new(plaintext.into_inner())))
    }
}
