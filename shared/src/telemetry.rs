//! Logging: JSON lines in Lambda (CloudWatch), compact text locally. Request
//! bodies, tokens and personal data are never logged; flows log account ids.

use tracing_subscriber::Layer;
use tracing_subscriber::Registry;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Layered, SubscriberExt as _};
use tracing_subscriber::util::SubscriberInitExt as _;

/// JSON lines without a time (CloudWatch stamps each line): the functions.
pub fn init_json() {
    install(tracing_subscriber::fmt::layer().with_target(false).json().without_time());
}

/// Compact, coloured text for a terminal: accounts-dev. Functions never
/// write it, so their binaries carry neither it nor ANSI colours.
#[cfg(feature = "dev")]
pub fn init_text() {
    install(tracing_subscriber::fmt::layer().with_target(false).compact());
}

/// Installs the global subscriber once; `RUST_LOG` overrides the level
/// (`warn`, or per target: `info,shared::store=debug`). `Targets` rather
/// than `EnvFilter`: the same directives without span-field matching, and
/// without linking the regex engine into functions that parse no phone.
fn install(format: impl Layer<Layered<Targets, Registry>> + Send + Sync + 'static) {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|directives| directives.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO));
    let _ = tracing_subscriber::registry().with(filter).with(format).try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_log_directives_parse_as_targets() {
        let targets: Targets = "warn,shared::store=debug".parse().unwrap();
        assert!(targets.would_enable("shared::store", &tracing::Level::DEBUG));
        assert!(!targets.would_enable("shared::flows", &tracing::Level::INFO));
    }
}
