//! The account service's one shared crate: the domain, the flows over their
//! ports, the adapters, and the HTTP edge every Lambda function runs.
//! `ARCHITECTURE.md` at the repository root has the map.

pub mod api;
pub mod app;
pub mod aws_environment;
pub mod aws_errors;
pub mod aws_http;
pub mod breach;
pub mod clock;
pub mod config;
pub mod documents;
pub mod domain;
pub mod flows;
pub mod i18n;
pub mod lambda;
pub mod metrics;
pub mod notify;
pub mod passkeys;
pub mod persistence;
#[cfg(feature = "dev")]
pub mod provision;
pub mod random;
pub mod sealing;
pub mod store;
pub mod telemetry;

pub use app::App;
pub use config::Config;
/// Secrets as types: no `Debug` or log line can print one.
pub use secrecy::{ExposeSecret, SecretString};
