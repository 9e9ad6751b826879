//! Calls to the operator routes: the dev server's bearer token, or SigV4
//! (service `execute-api`) with credentials from the standard AWS chain,
//! over the AWS SDK's own HTTP client.

use std::fmt;
use std::time::{Duration, SystemTime};

use aws_config::BehaviorVersion;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::http::HttpConnector;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
use aws_smithy_types::error::display::DisplayErrorContext;
use serde_json::Value;

use crate::Cli;

/// The longest a call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// How calls are authorised.
pub enum Auth {
    /// The dev server's operator token.
    Token(String),
    /// SigV4 with the chain's credentials, for the API's region.
    SigV4 { credentials: SharedCredentialsProvider, region: String },
}

/// The API and how to call it.
pub struct Client {
    base: String,
    auth: Auth,
    http: aws_smithy_http_client::Connector,
}

/// Why a call did not succeed.
#[derive(Debug)]
pub enum Failure {
    /// The service answered problem JSON.
    Problem { status: u16, title: String, detail: String, errors: Vec<(String, String)> },
    /// Something else refused it (API Gateway or IAM: `{"message"}`).
    Refused { status: u16, message: String },
    /// No answer.
    Transport(String),
    /// No credentials to sign with.
    Credentials(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Problem { status, title, detail, errors } => {
                writeln!(f, "{title} ({status})")?;
                if detail != title {
                    writeln!(f, "{detail}")?;
                }
                errors.iter().try_for_each(|(field, code)| writeln!(f, "  {field}: {code}"))
            }
            Failure::Refused { status, message } if message.contains("expired") => writeln!(
                f,
                "{message} ({status}).\nYour AWS credentials have expired: renew them (e.g. `aws sso login`) and run this again."
            ),
            Failure::Refused { status, message } => writeln!(f, "{message} ({status})"),
            Failure::Transport(e) => writeln!(f, "no answer from the API: {e}"),
            Failure::Credentials(e) => writeln!(f, "no AWS credentials to sign with: {e}"),
        }
    }
}

impl Client {
    /// The client `cli` asks for: the token if one is given, else SigV4.
    pub async fn new(cli: &Cli) -> Result<Self, String> {
        let base = cli.api_url.trim_end_matches('/').to_owned();
        check_url(&base)?;
        let auth = match &cli.token {
            Some(token) => Auth::Token(token.clone()),
            None => sigv4(cli, &base).await?,
        };
        Ok(Self { base, auth, http: connector() })
    }

    /// Sends `method path` (with `body` as JSON); the JSON answer of a 2xx.
    pub async fn send(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, Failure> {
        let url = format!("{}{path}", self.base);
        let body = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        let authority = url.split("://").nth(1).and_then(|rest| rest.split('/').next()).unwrap_or_default().to_owned();
        let mut headers = vec![("host".to_owned(), authority), ("accept".to_owned(), "application/json".to_owned())];
        if !body.is_empty() {
            headers.push(("content-type".to_owned(), "application/json".to_owned()));
        }
        match &self.auth {
            Auth::Token(token) => headers.push(("authorization".to_owned(), format!("Bearer {token}"))),
            Auth::SigV4 { credentials, region } => {
                headers.extend(signature(credentials, region, method, &url, &headers, &body).await?);
            }
        }
        let mut request = http::Request::builder().method(method).uri(&url);
        for (name, value) in &headers {
            request = request.header(name, value);
        }
        let request = request.body(SdkBody::from(body)).map_err(|e| Failure::Transport(e.to_string()))?;
        let request = request
            .try_into()
            .map_err(|e: aws_smithy_runtime_api::http::HttpError| Failure::Transport(e.to_string()))?;
        let answer = tokio::time::timeout(CALL_TIMEOUT, self.http.call(request))
            .await
            .map_err(|_| Failure::Transport(format!("no answer in {} s", CALL_TIMEOUT.as_secs())))?
            .map_err(|e| Failure::Transport(DisplayErrorContext(e).to_string()))?;
        let status = answer.status().as_u16();
        let bytes = ByteStream::new(answer.into_body())
            .collect()
            .await
            .map_err(|e| Failure::Transport(e.to_string()))?
            .into_bytes();
        let json: Value =
            if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap_or(Value::Null) };
        if (200..300).contains(&status) {
            return Ok(json);
        }
        Err(failure(status, &json, &bytes))
    }
}

/// Only `https` URLs name an API, or `http` on this machine (the dev
/// server): a signed request or a token sent in clear to another host could
/// be read and replayed on the way.
fn check_url(base: &str) -> Result<(), String> {
    let parsed = url::Url::parse(base).map_err(|_| format!("--api-url must be an http(s) URL, not {base:?}"))?;
    let loopback = match parsed.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err(format!("--api-url must be https unless it is this machine (localhost), not {base:?}")),
        _ => Err(format!("--api-url must be an http(s) URL, not {base:?}")),
    }
}

/// The AWS configuration of the standard credential chain, with
/// `--profile` and `--region` when given.
pub async fn sdk_config(cli: &Cli) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(
        aws_smithy_http_client::Builder::new().tls_provider(tls::Provider::Rustls(CryptoMode::Ring)).build_https(),
    );
    if let Some(profile) = &cli.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &cli.region {
        loader = loader.region(aws_config::Region::new(region.clone()));
    }
    loader.load().await
}

async fn sigv4(cli: &Cli, base: &str) -> Result<Auth, String> {
    let config = sdk_config(cli).await;
    let credentials = config
        .credentials_provider()
        .ok_or("no AWS credential source: set AWS_PROFILE, AWS_* variables or log in with `aws sso login`")?;
    let region = config
        .region()
        .map(|r| r.to_string())
        .or_else(|| region_of(base))
        .ok_or("no region: give --region (or AWS_REGION)")?;
    Ok(Auth::SigV4 { credentials, region })
}

/// The region of an `https://<id>.execute-api.<region>.amazonaws.com` URL.
fn region_of(base: &str) -> Option<String> {
    let host = base.split("://").nth(1)?.split(['/', ':']).next()?;
    let (_, rest) = host.split_once(".execute-api.")?;
    rest.split('.').next().map(str::to_owned)
}

/// The headers that sign `method url` with `headers` and `body`.
async fn signature(
    credentials: &SharedCredentialsProvider,
    region: &str,
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<Vec<(String, String)>, Failure> {
    let credentials = credentials
        .provide_credentials()
        .await
        .map_err(|e| Failure::Credentials(DisplayErrorContext(e).to_string()))?;
    let identity = credentials.into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("execute-api")
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| Failure::Credentials(e.to_string()))?
        .into();
    let signable = SignableRequest::new(
        method,
        url,
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(body),
    )
    .map_err(|e| Failure::Transport(e.to_string()))?;
    let (instructions, _) = sign(signable, &params).map_err(|e| Failure::Credentials(e.to_string()))?.into_parts();
    Ok(instructions.headers().map(|(k, v)| (k.to_owned(), v.to_owned())).collect())
}

/// Rustls over ring, the platform's roots: an API may sit behind any
/// certificate (a custom domain), unlike the functions' AWS-only calls.
fn connector() -> aws_smithy_http_client::Connector {
    aws_smithy_http_client::Connector::builder().tls_provider(tls::Provider::Rustls(CryptoMode::Ring)).build()
}

fn failure(status: u16, json: &Value, bytes: &[u8]) -> Failure {
    let text = |key: &str| json[key].as_str().map(str::to_owned);
    if let Some(title) = text("title") {
        let errors = json["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| (e["field"].as_str().unwrap_or("").to_owned(), e["code"].as_str().unwrap_or("").to_owned()))
            .collect();
        return Failure::Problem { status, detail: text("detail").unwrap_or_else(|| title.clone()), title, errors };
    }
    let message =
        text("message").or_else(|| text("Message")).unwrap_or_else(|| String::from_utf8_lossy(bytes).trim().to_owned());
    Failure::Refused { status, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_leave_this_machine_only_over_https() {
        for fine in [
            "https://a1b2c3.execute-api.eu-west-1.amazonaws.com",
            "http://127.0.0.1:3000",
            "http://localhost:3000",
            "http://[::1]:3000",
        ] {
            assert_eq!(check_url(fine), Ok(()), "{fine}");
        }
        for refused in [
            "http://a1b2c3.execute-api.eu-west-1.amazonaws.com",
            "http://10.0.0.5:3000",
            "http://localhost.evil.example",
            "ftp://127.0.0.1",
            "127.0.0.1:3000",
        ] {
            assert!(check_url(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn the_region_is_read_from_an_execute_api_url() {
        assert_eq!(region_of("https://a1b2c3.execute-api.eu-west-1.amazonaws.com").as_deref(), Some("eu-west-1"));
        assert_eq!(region_of("http://127.0.0.1:3000"), None);
    }

    #[test]
    fn a_problem_shows_its_title_detail_and_field_errors() {
        let json = serde_json::json!({"title": "Check the highlighted fields.", "detail": "The reason is too long.",
            "status": 422, "errors": [{"field": "reason", "code": "too_long"}]});
        let shown = failure(422, &json, b"").to_string();
        assert_eq!(shown, "Check the highlighted fields. (422)\nThe reason is too long.\n  reason: too_long\n");
        let expired = serde_json::json!({"message": "The security token included in the request is expired"});
        assert!(failure(403, &expired, b"").to_string().contains("Your AWS credentials have expired"));
    }
}
