//! Breached passwords: a k-anonymity range API in the Pwned Passwords
//! format (`GET {base}{first 5 hex digits of the SHA-1, upper case}`
//! answers `SUFFIX:COUNT` lines). Only the 5-character prefix leaves the
//! service; the request asks for padding (`Add-Padding: true`) so the
//! answer's size says nothing, and padding lines (count 0) are ignored.
//!
//! The check never blocks anyone: unreachable, slower than
//! [`TIMEOUT`], a redirect, any status but `200`, or a body over
//! [`MAX_BODY_BYTES`] is [`Verdict::Unknown`], which callers treat as "not
//! breached" (and count as [`Metric::BreachCheckSkipped`](crate::metrics::Metric)).

use secrecy::{ExposeSecret, SecretString};
use sha1::{Digest, Sha1};

/// The whole call's limit: connect, TLS, request and body.
pub const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(1);
/// A padded range answer is ~40 KB; anything far larger is not one.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// What the range API said about a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// It appears in a breach.
    Breached,
    /// It does not.
    NotFound,
    /// The API could not be asked (the check is skipped).
    Unknown,
}

/// Where breached passwords are looked up.
#[async_trait::async_trait]
pub trait BreachList: Send + Sync {
    /// Whether `password` is known to the list.
    async fn verdict(&self, password: &SecretString) -> Verdict;
    /// Whether the check is on at all.
    fn enabled(&self) -> bool {
        true
    }
}

/// `ACCOUNTS_BREACHED_PASSWORDS=off`: nothing is looked up.
pub struct Off;

#[async_trait::async_trait]
impl BreachList for Off {
    async fn verdict(&self, _: &SecretString) -> Verdict {
        Verdict::NotFound
    }

    fn enabled(&self) -> bool {
        false
    }
}

/// The SHA-1 of `password` in upper-case hex, split into the prefix that is
/// sent and the suffix that is looked for in the answer.
pub fn split_hash(password: &SecretString) -> (String, String) {
    let hex = hex::encode_upper(Sha1::digest(password.expose_secret().as_bytes()));
    let (prefix, suffix) = hex.split_at(5);
    (prefix.to_owned(), suffix.to_owned())
}

/// Whether the range answer `body` lists `suffix` with a count above zero.
/// Lines that are not `SUFFIX:COUNT` are skipped.
pub fn lists(body: &str, suffix: &str) -> bool {
    body.lines().filter_map(|line| line.trim().split_once(':')).any(|(listed, count)| {
        listed.eq_ignore_ascii_case(suffix) && count.trim().parse::<u64>().is_ok_and(|count| count > 0)
    })
}

/// The range API over HTTPS (or plain HTTP to this machine, for tests).
#[cfg(feature = "breach")]
pub struct RangeApi {
    client: hyper_util::client::legacy::Client<
        hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
        http_body_util::Empty<hyper::body::Bytes>,
    >,
    base: String,
}

#[cfg(feature = "breach")]
impl RangeApi {
    /// A client for the range API at `base` (the prefix is appended).
    pub fn new(base: &str) -> Self {
        let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("ring supports the default TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let mut http = hyper_util::client::legacy::connect::HttpConnector::new();
        http.set_connect_timeout(Some(TIMEOUT));
        http.enforce_http(false);
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build(connector);
        Self { client, base: base.to_owned() }
    }

    async fn fetch(&self, prefix: &str) -> Result<String, String> {
        use http_body_util::BodyExt as _;
        let request = hyper::Request::get(format!("{}{prefix}", self.base))
            .header("add-padding", "true")
            .header("user-agent", "accounts-service")
            .body(http_body_util::Empty::new())
            .map_err(|e| e.to_string())?;
        let response = self.client.request(request).await.map_err(|e| e.to_string())?;
        if response.status() != hyper::StatusCode::OK {
            return Err(format!("status {}", response.status().as_u16()));
        }
        let mut body = response.into_body();
        let mut read = Vec::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| e.to_string())?;
            if let Some(chunk) = frame.data_ref() {
                if read.len() + chunk.len() > MAX_BODY_BYTES {
                    return Err("answer too large".into());
                }
                read.extend_from_slice(chunk);
            }
        }
        String::from_utf8(read).map_err(|_| "answer not UTF-8".into())
    }
}

#[cfg(feature = "breach")]
#[async_trait::async_trait]
impl BreachList for RangeApi {
    async fn verdict(&self, password: &SecretString) -> Verdict {
        let (prefix, suffix) = split_hash(password);
        // One limit over connecting, TLS, the request and the body.
        match tokio::time::timeout(TIMEOUT, self.fetch(&prefix)).await {
            Ok(Ok(body)) if lists(&body, &suffix) => Verdict::Breached,
            Ok(Ok(_)) => Verdict::NotFound,
            Ok(Err(problem)) => {
                tracing::warn!(%problem, "breached-password check skipped");
                Verdict::Unknown
            }
            Err(_) => {
                tracing::warn!("breached-password check skipped: timed out");
                Verdict::Unknown
            }
        }
    }
}

/// Whether `url` may be the range API: HTTPS, or HTTP to this machine.
pub fn acceptable_url(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| match u.scheme() {
        "https" => u.host().is_some(),
        "http" => matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_is_five_upper_case_hex_digits_of_the_sha1() {
        // SHA-1("password") = 5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8.
        let (prefix, suffix) = split_hash(&SecretString::from("password"));
        assert_eq!(prefix, "5BAA6");
        assert_eq!(suffix, "1E4C9B93F3F0682250B6CF8331B7EE68FD8");
    }

    #[test]
    fn padding_and_garbage_lines_count_for_nothing() {
        let suffix = "1E4C9B93F3F0682250B6CF8331B7EE68FD8";
        assert!(lists(&format!("0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n{suffix}:9545824\r\n"), suffix));
        assert!(lists(&format!("{}:3", suffix.to_lowercase()), suffix));
        assert!(!lists(&format!("{suffix}:0"), suffix), "padding");
        assert!(!lists(&format!("{suffix}\n{suffix}:x\n:5\n\u{0}\u{fffd}"), suffix), "garbage");
        assert!(!lists("", suffix));
    }

    #[test]
    fn only_https_or_this_machine() {
        assert!(acceptable_url("https://api.pwnedpasswords.com/range/"));
        assert!(acceptable_url("http://127.0.0.1:8080/range/"));
        assert!(!acceptable_url("http://api.pwnedpasswords.com/range/"));
        assert!(!acceptable_url("ftp://example.com/"));
        assert!(!acceptable_url("not a url"));
    }
}
