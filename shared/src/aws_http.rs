//! The HTTPS client every AWS SDK client of a function shares.
//!
//! rustls over *ring*, trusting only the roots AWS service endpoints chain
//! to (Amazon Trust Services' Root CA 1–4 and the Starfield Services G2
//! root that cross-signs them: `data/aws-roots.pem`). The SDK's default
//! client reads the platform's whole certificate store at every cold start
//! (Debian: 300 files, most of a function's init) and trusts ~140 roots for
//! connections that only ever go to AWS; aws-lc-rs, its default crypto,
//! adds ~1 MB to every zip. Plain-HTTP endpoints (the local emulators) are
//! unaffected. A deployment behind a TLS-intercepting proxy would add the
//! proxy's root here.

use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

const AWS_ROOTS: &[u8] = include_bytes!("../data/aws-roots.pem");

/// A client trusting AWS's roots only, for every SDK client.
pub fn https_client() -> SharedHttpClient {
    let trust = TrustStore::empty().with_native_roots(false).with_pem_certificate(AWS_ROOTS);
    let context = TlsContext::builder().with_trust_store(trust).build().expect("a trust store of PEM roots is valid");
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .tls_context(context)
        .build_https()
}

/// Whether the SDK's DynamoDB endpoint is reached over TLS, so that opening
/// its connection during init spares the first request a handshake. Local
/// emulators (`AWS_ENDPOINT_URL=http://…`) have none to spare.
pub fn dynamodb_over_tls(endpoint_override: Option<&str>) -> bool {
    endpoint_override.is_none_or(|url| !url.starts_with("http://"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusts_the_five_aws_roots() {
        use rustls_pki_types::pem::PemObject as _;
        let roots = rustls_pki_types::CertificateDer::pem_slice_iter(AWS_ROOTS).collect::<Result<Vec<_>, _>>();
        assert_eq!(roots.expect("the roots parse").len(), 5);
        let _ = https_client();
    }

    #[test]
    fn warms_up_only_over_tls() {
        assert!(dynamodb_over_tls(None));
        assert!(dynamodb_over_tls(Some("https://dynamodb.eu-west-1.amazonaws.com")));
        assert!(!dynamodb_over_tls(Some("http://127.0.0.1:5077")));
    }
}
