//! `ACCOUNTS_CREATE_TABLE=1`: creates, on a local AWS emulator, what
//! `infra/template.yaml` creates deployed — the table (same keys, TTL and
//! billing; `tests/surface.rs` holds the two to each other), the bucket and
//! the verified sender identity and the KMS key that seals TOTP secrets. Each step does nothing if the resource is
//! already there.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, PointInTimeRecoverySpecification, ScalarAttributeType,
    TableStatus, TimeToLiveSpecification,
};
use aws_types::SdkConfig;

use crate::aws_errors::describe;
use crate::config::Config;

/// The table's partition key attribute.
pub const PARTITION_KEY: &str = "pk";
/// The table's sort key attribute.
pub const SORT_KEY: &str = "sk";
/// The table's TTL attribute.
pub const TTL_ATTRIBUTE: &str = "expires_at";
/// The table's billing mode, as the template spells it.
pub const BILLING_MODE: &str = "PAY_PER_REQUEST";

/// A resource could not be created.
#[derive(Debug, thiserror::Error)]
#[error("provisioning {resource}: {problem}")]
pub struct ProvisionError {
    resource: &'static str,
    problem: String,
}

fn failed(resource: &'static str) -> impl Fn(String) -> ProvisionError {
    move |problem| ProvisionError { resource, problem }
}

/// Creates the table, bucket and sender identity of `config` if missing.
pub async fn ensure_resources(sdk: &SdkConfig, config: &Config) -> Result<(), ProvisionError> {
    ensure_table(&aws_sdk_dynamodb::Client::new(sdk), &config.table).await?;
    ensure_bucket(&crate::documents::s3::client(sdk), &config.bucket, sdk).await?;
    ensure_sender(&aws_sdk_sesv2::Client::new(sdk), &config.email_from).await?;
    ensure_sealing_key(&aws_sdk_kms::Client::new(sdk), &config.kms_key_id).await
}

/// Creates a symmetric KMS key under the alias `key_id` names (as the
/// template's `TotpKey` and its alias), unless the alias resolves.
pub async fn ensure_sealing_key(client: &aws_sdk_kms::Client, key_id: &str) -> Result<(), ProvisionError> {
    let fail = failed("sealing key");
    if client.describe_key().key_id(key_id).send().await.is_ok() {
        return Ok(());
    }
    let Some(alias) = key_id.strip_prefix("alias/").map(|_| key_id) else {
        return Err(fail(format!("{key_id} does not resolve, and only an alias can be created")));
    };
    let key = client
        .create_key()
        .description("Seals TOTP secrets (accounts-dev)")
        .send()
        .await
        .map_err(|e| fail(describe(&e)))?;
    let key_arn = key.key_metadata.map(|m| m.key_id).ok_or_else(|| fail("no key id".into()))?;
    match client.create_alias().alias_name(alias).target_key_id(key_arn).send().await {
        Ok(_) => Ok(()),
        // Another server starting at the same moment made it first.
        Err(e) if e.as_service_error().is_some_and(|e| e.is_already_exists_exception()) => Ok(()),
        Err(e) => Err(fail(describe(&e))),
    }
}

/// Creates the table with its TTL and point-in-time recovery.
pub async fn ensure_table(client: &aws_sdk_dynamodb::Client, table: &str) -> Result<(), ProvisionError> {
    let fail = failed("table");
    if client.describe_table().table_name(table).send().await.is_ok() {
        return Ok(());
    }
    let attribute =
        |name: &str| AttributeDefinition::builder().attribute_name(name).attribute_type(ScalarAttributeType::S).build();
    let key = |name: &str, kind| KeySchemaElement::builder().attribute_name(name).key_type(kind).build();
    let created = client
        .create_table()
        .table_name(table)
        .attribute_definitions(attribute(PARTITION_KEY).map_err(|e| fail(e.to_string()))?)
        .attribute_definitions(attribute(SORT_KEY).map_err(|e| fail(e.to_string()))?)
        .key_schema(key(PARTITION_KEY, KeyType::Hash).map_err(|e| fail(e.to_string()))?)
        .key_schema(key(SORT_KEY, KeyType::Range).map_err(|e| fail(e.to_string()))?)
        .billing_mode(BillingMode::from(BILLING_MODE))
        .send()
        .await;
    if let Err(e) = created {
        // Another process may have created it meanwhile.
        if !e.as_service_error().is_some_and(|s| s.is_resource_in_use_exception()) {
            return Err(fail(describe(&e)));
        }
    }
    wait_until_active(client, table).await?;
    let ttl = TimeToLiveSpecification::builder()
        .attribute_name(TTL_ATTRIBUTE)
        .enabled(true)
        .build()
        .map_err(|e| fail(e.to_string()))?;
    client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(ttl)
        .send()
        .await
        .map_err(|e| fail(describe(&e)))?;
    let pitr = PointInTimeRecoverySpecification::builder()
        .point_in_time_recovery_enabled(true)
        .build()
        .map_err(|e| fail(e.to_string()))?;
    if let Err(e) =
        client.update_continuous_backups().table_name(table).point_in_time_recovery_specification(pitr).send().await
    {
        tracing::warn!(error = %describe(&e), "point-in-time recovery not enabled (emulator?)");
    }
    Ok(())
}

async fn wait_until_active(client: &aws_sdk_dynamodb::Client, table: &str) -> Result<(), ProvisionError> {
    for _ in 0..120 {
        let status = client
            .describe_table()
            .table_name(table)
            .send()
            .await
            .ok()
            .and_then(|d| d.table)
            .and_then(|t| t.table_status);
        if status == Some(TableStatus::Active) {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    Err(failed("table")("not active after 30 s".into()))
}

/// Creates the bucket.
pub async fn ensure_bucket(client: &aws_sdk_s3::Client, bucket: &str, sdk: &SdkConfig) -> Result<(), ProvisionError> {
    if client.head_bucket().bucket(bucket).send().await.is_ok() {
        return Ok(());
    }
    let mut request = client.create_bucket().bucket(bucket);
    if let Some(region) = sdk.region().map(|r| r.as_ref().to_owned()).filter(|r| r != "us-east-1") {
        let location = aws_sdk_s3::types::CreateBucketConfiguration::builder()
            .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(region.as_str()))
            .build();
        request = request.create_bucket_configuration(location);
    }
    match request.send().await {
        Ok(_) => Ok(()),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_bucket_already_owned_by_you()) => Ok(()),
        Err(e) => Err(failed("bucket")(describe(&e))),
    }
}

/// Creates the sender's email identity, so that SES v2 will send from it.
pub async fn ensure_sender(client: &aws_sdk_sesv2::Client, from: &str) -> Result<(), ProvisionError> {
    if client.get_email_identity().email_identity(from).send().await.is_ok() {
        return Ok(());
    }
    match client.create_email_identity().email_identity(from).send().await {
        Ok(_) => Ok(()),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_already_exists_exception()) => Ok(()),
        Err(e) => Err(failed("sender identity")(describe(&e))),
    }
}
