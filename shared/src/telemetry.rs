//! Logging: JSON lines in Lambda (CloudWatch), compact text locally. Request
//! bodies, tokens and personal data are never logged; flows log account ids.

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// Installs the global subscriber once; `RUST_LOG` overrides the level
/// (`warn`, or per target: `info,shared::store=debug`). `Targets` rather
/// than `EnvFilter`: the same directives without span-field matching, and
/// without linking the regex engine into functions that parse no phone.
pub fn init(json: bool) {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|directives| directives.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO));
    let registry = tracing_subscriber::registry().with(filter);
    let fmt = tracing_subscriber::fmt::layer().with_target(false);
    let _ = if json {
        registry.with(fmt.json().without_time()).try_init()
    } else {
        registry.with(fmt.compact()).try_init()
    };
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
