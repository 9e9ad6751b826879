//! Answers shown to people (tables) or to scripts (`--json`).

use comfy_table::{ContentArrangement, Table, presets::UTF8_BORDERS_ONLY};
use serde_json::Value;

/// How a command's answer reads best.
pub enum Shape {
    /// One object: a field per row (nested fields as `a.b`).
    Record,
    /// A list's `items`: these columns, in this order (those present).
    List(&'static [&'static str]),
    /// A look-up's `items`: the one found as a record, or that none was.
    Found,
}

impl Shape {
    pub const AUDIT: Shape = Shape::List(&["at", "event", "actor", "method", "detail"]);
    pub const SESSIONS: Shape = Shape::List(&["session_id", "created_at", "last_seen_at", "ip", "user_agent"]);
    pub const VERIFICATIONS: Shape = Shape::List(&["account_id", "username", "type", "submitted_at"]);
    pub const DELETIONS: Shape = Shape::List(&["request_id", "username", "reason", "requested_at"]);
    pub const APPEALS: Shape =
        Shape::List(&["appeal_id", "username", "contact_email", "identity_match", "submitted_at", "effective_at"]);
}

/// The answer as one pretty JSON document.
pub fn json(answer: &Value) -> String {
    format!("{}\n", serde_json::to_string_pretty(answer).expect("JSON values serialise"))
}

/// The answer as a table (`Done.` for an empty one).
pub fn table(answer: &Value, shape: &Shape) -> String {
    match shape {
        _ if answer.is_null() || answer.as_object().is_some_and(|o| o.is_empty()) => "Done.\n".to_owned(),
        Shape::Record => record(answer),
        Shape::List(columns) => list(answer, columns),
        Shape::Found => match answer["items"].as_array().map(Vec::as_slice) {
            Some([]) | None => "No account is named that.\n".to_owned(),
            Some(found) => found.iter().map(record).collect(),
        },
    }
}

fn record(answer: &Value) -> String {
    let mut rows = Vec::new();
    flatten("", answer, &mut rows);
    let mut table = new_table();
    for (field, value) in rows {
        table.add_row(vec![field, value]);
    }
    format!("{table}\n")
}

fn list(answer: &Value, columns: &[&str]) -> String {
    let items = answer["items"].as_array().cloned().unwrap_or_default();
    if items.is_empty() {
        return "Nothing.\n".to_owned();
    }
    let present: Vec<&str> = columns.iter().copied().filter(|c| items.iter().any(|i| !i[*c].is_null())).collect();
    let mut table = new_table();
    table.set_header(present.iter().copied());
    for item in &items {
        table.add_row(present.iter().map(|c| cell(&item[*c])));
    }
    let more = match answer["next"].as_str() {
        Some(next) => format!("\nMore: --after {next} (or --all)\n"),
        None => String::new(),
    };
    format!("{table}\n{more}")
}

/// Preflight's checks: a table for people (verdict, check, what was found,
/// the fix), or JSON.
pub fn checks(checks: &[crate::preflight::Check], as_json: bool) -> String {
    use crate::preflight::Verdict;
    let verdict = |v: Verdict| match v {
        Verdict::Pass => "pass",
        Verdict::Warn => "warn",
        Verdict::Fail => "FAIL",
    };
    if as_json {
        let items: Vec<Value> = checks
            .iter()
            .map(|c| {
                serde_json::json!({"check": c.name, "verdict": verdict(c.verdict).to_lowercase(),
                "finding": c.finding, "fix": c.fix})
            })
            .collect();
        return json(&serde_json::json!({ "checks": items }));
    }
    let mut table = new_table();
    table.set_header(["", "check", "found", "fix"]);
    for check in checks {
        table.add_row([verdict(check.verdict), check.name, check.finding.as_str(), check.fix.as_str()]);
    }
    let failed = checks.iter().filter(|c| c.verdict == Verdict::Fail).count();
    let warned = checks.iter().filter(|c| c.verdict == Verdict::Warn).count();
    format!("{table}\n{failed} failed, {warned} to look at, {} ready.\n", checks.len() - failed - warned)
}

fn new_table() -> Table {
    let mut table = Table::new();
    table.load_preset(UTF8_BORDERS_ONLY).set_content_arrangement(ContentArrangement::Dynamic);
    table
}

/// `value`'s leaves as `(path, text)`.
fn flatten(prefix: &str, value: &Value, rows: &mut Vec<(String, String)>) {
    match value {
        Value::Object(fields) => {
            for (key, field) in fields {
                let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                flatten(&path, field, rows);
            }
        }
        _ => rows.push((prefix.to_owned(), cell(value))),
    }
}

fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => shown(text),
        Value::Object(fields) if fields.contains_key("kind") => {
            // An audit record's actor: its kind and id.
            [fields["kind"].as_str(), fields.get("id").and_then(Value::as_str)]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ")
        }
        other => other.to_string(),
    }
}

/// Customer text (an appeal's story, a name) as a terminal may show it:
/// control characters, line breaks and the invisible characters that
/// reorder or hide text (bidirectional overrides, zero-width ones) are
/// written as escapes, so no row can forge, hide or break another row an
/// operator decides on.
fn shown(text: &str) -> String {
    let invisible =
        |c: char| matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}');
    text.chars()
        .map(|c| if c.is_control() || invisible(c) { c.escape_unicode().to_string() } else { c.to_string() })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_list_shows_its_columns_and_how_to_go_on() {
        let answer = json!({"items": [{"at": "2026-12-02T10:00:00Z", "event": "suspended",
            "actor": {"kind": "operator", "id": "arn:aws:iam::1:user/ops"}, "detail": "fraud", "account_id": "A"}],
            "next": "CUR"});
        let shown = table(&answer, &Shape::AUDIT);
        for expected in ["event", "suspended", "operator arn:aws:iam::1:user/ops", "--after CUR"] {
            assert!(shown.contains(expected), "{expected} in\n{shown}");
        }
        assert!(!shown.contains("account_id"), "only the columns asked for");
        assert_eq!(table(&json!({"items": []}), &Shape::AUDIT), "Nothing.\n");
    }

    #[test]
    fn a_record_shows_its_nested_fields_by_path() {
        let shown = table(&json!({"username": "alice", "verification": {"status": "approved"}}), &Shape::Record);
        assert!(shown.contains("verification.status") && shown.contains("approved"), "{shown}");
        assert_eq!(table(&Value::Null, &Shape::Record), "Done.\n");
        assert_eq!(table(&json!({}), &Shape::Record), "Done.\n");
        assert_eq!(table(&json!({"items": []}), &Shape::Found), "No account is named that.\n");
        let found = table(&json!({"items": [{"username": "alice", "sessions": 2}]}), &Shape::Found);
        assert!(found.contains("sessions") && found.contains("alice"), "{found}");
    }

    #[test]
    fn customer_text_cannot_forge_or_hide_a_row() {
        let story = "lost my phone\n| appeal | approved |\u{1b}[2K\u{202e}evil\u{200b}";
        let answer = serde_json::json!({"items": [{"description": story}]});
        let shown = table(&answer, &Shape::List(&["description"]));
        assert!(!shown.contains('\u{1b}') && !shown.contains('\u{202e}') && !shown.contains('\u{200b}'), "{shown}");
        assert!(shown.contains("\\u{a}| appeal |"), "the line break is shown, not made: {shown}");
        assert!(shown.contains("\\u{1b}[2K\\u{202e}evil\\u{200b}"), "{shown}");
        let row = shown.lines().find(|line| line.contains("lost my phone")).expect("the row");
        assert!(row.contains("evil"), "the story stays on its own row: {shown}");
    }
}
