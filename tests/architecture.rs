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

/// Asserts that only files under `allowed` prefixes name the module `module`
/// as a path segment (`keys::`, not `passkeys::`).
fn module_only_in(module: &str, allowed: &[&str]) {
    let segment = regex_lite::Regex::new(&format!(r"(^|[^A-Za-z0-9_]){module}::")).unwrap();
    for (path, text) in shared_sources() {
        if segment.is_match(&text) {
            assert!(allowed.iter().any(|a| path.starts_with(a)), "{path} uses {module}::; only {allowed:?} may");
        }
    }
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
    module_only_in("keys", &["persistence/"]);
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
    for needle in ["WriteOp", "Cond::", "Item::new(", "Item::of(", "store::Item", ".store.", "StoreExt"] {
        only_in(needle, &["store/", "persistence/", "app.rs"]);
    }
}

/// The layers, top down: a module may use its own layer and the ones below,
/// never one above. `api` is the HTTP edge, `flows` the use cases,
/// `persistence` the records over the `store` port, `domain` pure values.
const LAYERS: &[(&str, &[&str])] = &[
    ("flows/", &["crate::api", "super::api", "lambda_http"]),
    ("persistence/", &["crate::api", "crate::flows", "crate::app"]),
    ("store/", &["crate::api", "crate::flows", "crate::persistence", "crate::app"]),
    ("domain/", &["crate::api", "crate::flows", "crate::persistence", "crate::store", "crate::app"]),
];

#[test]
fn no_module_imports_from_a_layer_above_its_own() {
    for (path, text) in shared_sources() {
        for (layer, above) in LAYERS {
            if path.starts_with(layer) {
                for needle in *above {
                    assert!(!text.contains(needle), "{path} reaches up to {needle}");
                }
            }
        }
    }
}

#[test]
fn the_audit_trail_is_a_flow_over_a_record() {
    // The record is a record like any other; writing and paging it are the
    // flows' (`flows::audit`), which the operator handler calls.
    only_in("pub struct AuditRecord", &["domain/records/audit.rs"]);
    only_in("audit_page(", &["persistence/", "flows/audit.rs"]);
}

#[test]
fn only_counters_write_at_once() {
    // Records reads; Changes gathers writes for one commit; Counters (rate
    // limits, lockouts, budgets) are the one thing written at once.
    for write in [".store.put(", ".store.delete(", ".store.increment(", ".store.decrement("] {
        only_in(write, &["persistence/counters.rs", "store/"]);
    }
}

/// `docs/table.md` is the item catalogue; it names every key prefix the
/// persistence layer builds and every rate kind of `Limit`, so that a new
/// item or limit cannot go undocumented.
#[test]
fn the_table_catalogue_names_every_key_and_rate_kind() {
    let doc = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/table.md")).unwrap();
    let sources = shared_sources();
    let text = |file: &str| sources.iter().find(|(p, _)| p == file).map(|(_, t)| t.clone()).unwrap();
    let keys = text("persistence/keys.rs");
    let literal = regex_lite::Regex::new(r#""([A-Z][A-Z-]*#?)"#).unwrap();
    for prefix in literal.captures_iter(&keys).map(|c| c[1].to_owned()) {
        assert!(doc.contains(&prefix), "docs/table.md does not name the key part {prefix}");
    }
    let rate = regex_lite::Regex::new(r#"rate\("([a-z-]+)""#).unwrap();
    for file in ["persistence/keys.rs", "persistence/counters.rs"] {
        for kind in rate.captures_iter(&text(file)).map(|c| c[1].to_owned()) {
            assert!(doc.contains(&format!("`{kind}`")), "docs/table.md does not name the rate kind {kind}");
        }
    }
}

#[test]
fn a_password_is_judged_only_at_sign_in_and_in_the_one_re_check() {
    // Every route that takes the current password goes through
    // flows::lockout::reauthenticate; only sign-in verifies one otherwise.
    only_in("hasher.verify(", &["flows/lockout.rs", "flows/sessions.rs", "domain/password_hash.rs"]);
    only_in("second_factor::check(", &["flows/lockout.rs", "flows/sessions.rs"]);
}

/// Record ids are types (`AccountId`, `AppealId`, …, in `domain/ids.rs`):
/// past the HTTP edge no flow, record or view takes or holds one as a bare
/// string, so an appeal's id cannot go where an account's does. The one
/// raw list is a submission's `material_ids`, parsed in the flow because
/// each bad entry is reported on its own index.
#[test]
fn record_ids_past_the_edge_are_typed() {
    let bare = regex_lite::Regex::new(
        r"\b(account|appeal|request|passkey|material|registration|challenge|session)_ids?: (&(\x27\w+ )?str|String|Option<(&)?(str|String)>|Vec<String>|&\[String\])",
    )
    .unwrap();
    for (path, text) in shared_sources() {
        let layer = ["flows/", "persistence/", "domain/", "documents/", "api/views/"];
        if !layer.iter().any(|l| path.starts_with(l)) {
            continue;
        }
        for (n, line) in text.lines().enumerate() {
            let raw_submission = path == "flows/verification.rs" && line.contains("material_ids: Vec<String>");
            if bare.is_match(line) && !raw_submission {
                panic!("{path}:{}: a record id held as a bare string: {}", n + 1, line.trim());
            }
        }
    }
}

/// A flow refuses inputs (`domain::Refusal`); only the HTTP edge knows what
/// a request calls them.
#[test]
fn only_the_edge_names_request_fields() {
    only_in("FieldError", &["api/"]);
}

/// The flows' shared parts, the only flow modules another flow may use: so
/// a flow reads without opening a second one, and `flows/` stays shallow.
const FLOW_PARTS: &[&str] = &[
    "accounts",
    "appeal_notices",
    "appeal_queue",
    "audit",
    "authentication",
    "erasure",
    "lockout",
    "second_factor",
    "second_step",
    "signed_in",
    "sms_codes",
];

#[test]
fn a_flow_uses_only_the_shared_parts_never_another_flow() {
    let flows: Vec<(String, String)> = shared_sources()
        .into_iter()
        .filter_map(|(path, text)| Some((path.strip_prefix("flows/")?.strip_suffix(".rs")?.to_owned(), text)))
        .collect();
    let names: Vec<&str> = flows.iter().map(|(name, _)| name.as_str()).filter(|n| *n != "mod").collect();
    let used = regex_lite::Regex::new(r"super::(\{[^}]*\}|\w+)").unwrap();
    for (name, text) in &flows {
        if name == "mod" || name == "tests" {
            continue;
        }
        for found in used.captures_iter(text) {
            for other in found[1].trim_matches(|c| c == '{' || c == '}').split(',').map(|s| s.trim()) {
                let other = other.split("::").next().unwrap_or_default();
                if names.contains(&other) && !FLOW_PARTS.contains(&other) {
                    panic!("flows/{name}.rs uses the flow {other}; move what they share into a part ({FLOW_PARTS:?})");
                }
            }
        }
    }
}

/// A flow answers a commit one way, `flows::Committed` (a lost race in its
/// own words), not by matching on the store's conflicts. Inserting an
/// account names each taken value; a hold whose email was taken meanwhile
/// ends the appeal: the two that look inside.
#[test]
fn commits_are_answered_through_the_one_helper() {
    for (path, text) in shared_sources() {
        if !path.starts_with("flows/") || ["flows/mod.rs", "flows/tests.rs"].contains(&path.as_str()) {
            continue;
        }
        let looks_inside = text.matches("match app.records().commit(").count() + text.matches(".is(Conflict::").count();
        let allowed = usize::from(path == "flows/accounts.rs" || path == "flows/appeal_hold.rs");
        assert!(looks_inside <= allowed, "{path} matches on a commit's conflicts; use flows::Committed");
    }
}

/// One name per capability at every level: the Lambda function
/// `functions/<name>`, its handlers `api::handlers::<name>` (every route it
/// serves is declared with a handler there) and its flow `flows::<name>`.
#[test]
fn a_capability_has_one_name_from_its_function_to_its_flow() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let declarations = std::fs::read_to_string(root.join("shared/src/api/routes.rs")).unwrap();
    for function in shared::api::routes::Function::ALL {
        let name = function.name();
        let module = name.replace('-', "_");
        assert!(root.join("functions").join(name).is_dir(), "functions/{name}");
        assert!(root.join(format!("shared/src/api/handlers/{module}.rs")).is_file(), "api/handlers/{module}.rs");
        assert!(root.join(format!("shared/src/flows/{module}.rs")).is_file(), "flows/{module}.rs");
        let block = declarations.split(&format!("\"{name}\"")).nth(1).unwrap().split('}').next().unwrap();
        for handler in block.split("=> ").skip(1) {
            assert!(handler.starts_with(&format!("{module}::")), "a route of {name} is served by {handler:.40}");
        }
    }
}
