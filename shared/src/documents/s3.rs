//! Documents in S3: presigned PUT URLs that sign the content type and
//! length, presigned GETs for operators, `HeadObject` and a ranged
//! `GetObject` of the first bytes to inspect an upload.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::presigning::PresigningConfig;

use super::{DocumentError, DocumentStore, StoredObject};
use crate::aws_errors::{describe, is_transient};

/// An S3 client; path-style addressing when an endpoint is overridden
/// (local emulators have no per-bucket host names).
pub fn client(sdk: &aws_types::SdkConfig) -> Client {
    let config = aws_sdk_s3::config::Builder::from(sdk).force_path_style(sdk.endpoint_url().is_some()).build();
    Client::from_conf(config)
}

/// The [`DocumentStore`] over one bucket.
#[derive(Clone)]
pub struct S3Documents {
    client: Client,
    bucket: String,
}

impl S3Documents {
    /// Documents in `bucket`.
    pub fn new(client: Client, bucket: impl Into<String>) -> Self {
        Self { client, bucket: bucket.into() }
    }
}

fn sdk_error<E: aws_sdk_s3::error::ProvideErrorMetadata>(
    e: &aws_sdk_s3::error::SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
) -> DocumentError {
    if is_transient(e) { DocumentError::Unavailable(describe(e)) } else { DocumentError::Internal(describe(e)) }
}

fn presigning(expires_in: Duration) -> Result<PresigningConfig, DocumentError> {
    PresigningConfig::expires_in(expires_in).map_err(|e| DocumentError::Internal(e.to_string()))
}

#[async_trait]
impl DocumentStore for S3Documents {
    async fn upload_url(
        &self,
        key: &str,
        content_type: &str,
        size: u64,
        expires_in: Duration,
    ) -> Result<String, DocumentError> {
        let request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .content_length(size as i64)
            .presigned(presigning(expires_in)?)
            .await
            .map_err(|e| sdk_error(&e))?;
        Ok(request.uri().to_owned())
    }

    async fn download_url(&self, key: &str, expires_in: Duration) -> Result<String, DocumentError> {
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .presigned(presigning(expires_in)?)
            .await
            .map_err(|e| sdk_error(&e))?;
        Ok(request.uri().to_owned())
    }

    async fn inspect(&self, key: &str) -> Result<Option<StoredObject>, DocumentError> {
        let head = match self.client.head_object().bucket(&self.bucket).key(key).send().await {
            Ok(head) => head,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => return Ok(None),
            Err(e) if is_forbidden(e.raw_response()) => {
                missing_or_forbidden("HeadObject");
                return Ok(None);
            }
            Err(e) => return Err(sdk_error(&e)),
        };
        let size = head.content_length().unwrap_or(0).max(0) as u64;
        if size == 0 {
            return Ok(Some(StoredObject { size, head: Vec::new() }));
        }
        let first = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .range("bytes=0-15")
            .send()
            .await
            .map_err(|e| sdk_error(&e))?;
        let bytes = first.body.collect().await.map_err(|e| DocumentError::Unavailable(e.to_string()))?.into_bytes();
        Ok(Some(StoredObject { size, head: bytes.iter().take(16).copied().collect() }))
    }

    async fn delete(&self, key: &str) -> Result<(), DocumentError> {
        self.client.delete_object().bucket(&self.bucket).key(key).send().await.map(|_| ()).map_err(|e| sdk_error(&e))
    }

    async fn copy(&self, from: &str, to: &str) -> Result<bool, DocumentError> {
        let source = format!("{}/{from}", self.bucket);
        match self.client.copy_object().bucket(&self.bucket).copy_source(source).key(to).send().await {
            Ok(_) => Ok(true),
            Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 404) => Ok(false),
            Err(e) if is_forbidden(e.raw_response()) => {
                missing_or_forbidden("CopyObject");
                Ok(false)
            }
            Err(e) => Err(sdk_error(&e)),
        }
    }

    async fn delete_prefix(&self, prefix: &str) -> Result<(), DocumentError> {
        let mut pages = self.client.list_objects_v2().bucket(&self.bucket).prefix(prefix).into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sdk_error(&e))?;
            for object in page.contents() {
                if let Some(key) = object.key() {
                    self.delete(key).await?;
                }
            }
        }
        Ok(())
    }

    async fn forget_stale_uploads(&self, _max_age_secs: i64) -> Result<(), DocumentError> {
        // The bucket's lifecycle rule expires `uploads/` (infra/template.yaml).
        Ok(())
    }
}

/// Whether S3 answered `403`. Without `s3:ListBucket` (which the roles do
/// not hold), S3 answers a request for a missing key with `403`, not `404`.
fn is_forbidden(response: Option<&aws_smithy_runtime_api::http::Response>) -> bool {
    response.is_some_and(|r| r.status().as_u16() == 403)
}

/// A `403` for an object the role may read by key is a missing object (the
/// customer never uploaded it): the submission is a `422`, not a `500`. A
/// role that lost its grants looks alike to the customer, so it is logged.
fn missing_or_forbidden(operation: &str) {
    tracing::warn!(operation, "S3 answered 403: a missing object, or the role's grants changed");
}
