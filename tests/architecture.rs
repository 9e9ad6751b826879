//! The layering rules of ARCHITECTURE.md that a machine can check, over the
//! shared crate's sources: each names the modules allowed to use a thing.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// `(path relative to shared/src, text)` of every source file.
fn shared_sources() -> Vec<(String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/src");
    let mut found = Vec::new();
    sources(&root, &mut found);
    found
        .into_iter()
        .map(|p| {
            let relative = p.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
            (relative, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// Asserts that only files under `allowed` prefixes mention `needle`.
fn only_in(needle: &str, allowed: &[&str]) {
    for (path, text) in shared_sources() {
        if text.contains(needle) {
            assert!(allowed.iter().any(|a| path.starts_with(a)), "{path} uses {needle}; only {allowed:?} may");
        }
    }
}

#[test]
fn flows_and_the_domain_never_reach_the_http_edge() {
    only_in("crate::api", &["api/", "lambda.rs"]);
    only_in("super::api", &["api/"]);
}

#[test]
fn lambda_http_stays_at_the_edge() {
    only_in("lambda_http", &["api/", "lambda.rs"]);
}

#[test]
fn aws_sdks_stay_in_adapters_and_wiring() {
    for sdk in ["aws_sdk_dynamodb", "aws_sdk_sesv2", "aws_sdk_sns", "aws_sdk_s3", "aws_sdk_kms"] {
        only_in(
            sdk,
            &[
                "store/dynamodb.rs",
                "notify/ses.rs",
                "notify/sns.rs",
                "documents/s3.rs",
                "sealing/kms.rs",
                "app.rs",
                "provision.rs",
                "aws_errors.rs",
            ],
        );
    }
}

#[test]
fn time_comes_from_the_clock_port() {
    only_in("SystemTime::now", &["clock.rs"]);
}

#[test]
fn keys_and_item_shapes_belong_to_the_persistence_layer() {
    only_in("Key {", &["store/", "persistence/"]);
    only_in("keys::", &["persistence/"]);
    // Sort-key literals of the table's items live in persistence::keys.
    for literal in [
        "\"PROFILE\"",
        "\"VERIFICATION\"",
        "\"DELETION\"",
        "\"MATERIAL#",
        "\"SUB#",
        "\"AUDIT#",
        "\"VERIFYQ#",
        "\"DELETEQ#",
    ] {
        only_in(literal, &["persistence/"]);
    }
}

#[test]
fn flows_speak_in_records_never_in_items() {
    // Writes are gathered as persistence::Changes; the store's items,
    // conditions and operations stay below that layer.
    for needle in ["WriteOp", "Cond::", "Item::", ".store.", "StoreExt"] {
        only_in(needle, &["store/", "persistence/", "app.rs"]);
    }
}
