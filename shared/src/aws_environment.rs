//! The AWS SDK's configuration, read from the variables Lambda sets.
//!
//! Lambda gives a function its region and its role's credentials as
//! environment variables (`AWS_REGION`, `AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`); emulators add
//! `AWS_ENDPOINT_URL` (or `AWS_ENDPOINT_URL_<SERVICE>`). That is all a
//! function needs, so it does not link `aws-config`'s default chain (profile
//! files, SSO, STS web identity, IMDS, ECS): 0.13–0.33 MB of every zip, and
//! no provider chain walked at init (docs/decisions/0042).
//! accounts-dev reads the same variables: with a profile or SSO, export them
//! first (`aws configure export-credentials --format env`).

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_runtime_api::client::behavior_version::BehaviorVersion;
use aws_types::SdkConfig;
use aws_types::region::Region;
use aws_types::service_config::{LoadServiceConfig, ServiceConfigKey};
use std::sync::Arc;

/// A variable the SDK configuration needs is not set.
#[derive(Debug, thiserror::Error)]
#[error("{0} is not set (Lambda sets it; elsewhere export it, see README)")]
pub struct MissingVariable(&'static str);

/// The SDK configuration from the process's environment.
pub fn sdk_config() -> Result<SdkConfig, MissingVariable> {
    from_variables(|name| std::env::var(name).ok().filter(|value| !value.is_empty()))
}

fn from_variables(get: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Result<SdkConfig, MissingVariable> {
    let required = |name: &'static str| get(name).ok_or(MissingVariable(name));
    let region = get("AWS_REGION").or_else(|| get("AWS_DEFAULT_REGION")).ok_or(MissingVariable("AWS_REGION"))?;
    let credentials = Credentials::new(
        required("AWS_ACCESS_KEY_ID")?,
        required("AWS_SECRET_ACCESS_KEY")?,
        get("AWS_SESSION_TOKEN"),
        None,
        "lambda-environment",
    );
    let endpoint = get("AWS_ENDPOINT_URL");
    let mut builder = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region))
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .http_client(crate::aws_http::https_client())
        .service_config(ServiceEndpoints(Arc::new(get)));
    if let Some(endpoint) = endpoint {
        builder = builder.endpoint_url(endpoint);
    }
    Ok(builder.build())
}

type Variables = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// `AWS_ENDPOINT_URL_<SERVICE>` for each service client, as `aws-config`
/// names them (the service id upper-cased, spaces as underscores). A client
/// built from the configuration asks for it first and falls back to
/// `AWS_ENDPOINT_URL`.
struct ServiceEndpoints(Variables);

impl LoadServiceConfig for ServiceEndpoints {
    fn load_config(&self, key: ServiceConfigKey<'_>) -> Option<String> {
        (self.0)(&format!("{}_{}", key.env(), key.service_id().to_uppercase().replace(' ', "_")))
    }
}

impl std::fmt::Debug for ServiceEndpoints {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("ServiceEndpoints")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variables(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + Send + Sync + 'static {
        let pairs: Vec<(String, String)> =
            pairs.iter().map(|(key, value)| (key.to_string(), value.to_string())).collect();
        move |name| pairs.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone())
    }

    const LAMBDA: &[(&str, &str)] = &[
        ("AWS_REGION", "eu-west-1"),
        ("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("AWS_SESSION_TOKEN", "token"),
    ];

    #[tokio::test]
    async fn takes_region_and_role_credentials_from_lambda_variables() {
        use aws_credential_types::provider::ProvideCredentials as _;
        let sdk = from_variables(variables(LAMBDA)).expect("complete");
        assert_eq!(sdk.region().map(Region::as_ref), Some("eu-west-1"));
        assert_eq!(sdk.endpoint_url(), None);
        let credentials = sdk.credentials_provider().expect("set").provide_credentials().await.expect("static");
        assert_eq!(credentials.access_key_id(), "ASIAEXAMPLE");
        assert_eq!(credentials.session_token(), Some("token"));
    }

    #[test]
    fn honours_an_emulator_endpoint_and_the_default_region() {
        let sdk = from_variables(variables(&[
            ("AWS_DEFAULT_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"),
        ]))
        .expect("complete");
        assert_eq!(sdk.region().map(Region::as_ref), Some("us-east-1"));
        assert_eq!(sdk.endpoint_url(), Some("http://127.0.0.1:5000"));
    }

    #[test]
    fn names_the_missing_variable() {
        for missing in ["AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] {
            let without: Vec<_> = LAMBDA.iter().copied().filter(|(key, _)| *key != missing).collect();
            let error = from_variables(variables(&without)).expect_err("incomplete");
            assert!(error.to_string().starts_with(missing), "{error}");
        }
    }

    /// Each SDK client asks the configuration for its own endpoint with the
    /// key its generated code builds (service id, `AWS_ENDPOINT_URL`,
    /// `endpoint_url`) before falling back to `AWS_ENDPOINT_URL`; the
    /// variable named is `aws-config`'s. (A client is not built here: the SDK
    /// crates stay in the adapters, tests/architecture.rs.)
    #[test]
    fn a_service_endpoint_is_read_under_aws_configs_name() {
        let mut pairs = LAMBDA.to_vec();
        pairs.push(("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"));
        pairs.push(("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000"));
        pairs.push(("AWS_ENDPOINT_URL_SESV2", "http://127.0.0.1:8025"));
        let sdk = from_variables(variables(&pairs)).expect("complete");
        let endpoint = |service_id| {
            let key = ServiceConfigKey::builder()
                .service_id(service_id)
                .env("AWS_ENDPOINT_URL")
                .profile("endpoint_url")
                .build()
                .expect("a complete key");
            sdk.service_config().expect("installed").load_config(key)
        };
        assert_eq!(endpoint("DynamoDB").as_deref(), Some("http://127.0.0.1:8000"));
        assert_eq!(endpoint("SESv2").as_deref(), Some("http://127.0.0.1:8025"));
        assert_eq!(endpoint("SNS"), None, "unset: the client falls back to AWS_ENDPOINT_URL");
        assert_eq!(sdk.endpoint_url(), Some("http://127.0.0.1:4566"));
    }
}
