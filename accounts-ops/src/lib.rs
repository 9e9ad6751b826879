//! `accounts-ops`, the operators' command line: one subcommand per operator
//! route of the contract, signed with SigV4 by the standard AWS credential
//! chain (or, on the dev server, its operator token). Tables for people,
//! `--json` for scripts; exit status 0, 1 (refused or failed) or 2 (bad
//! usage).

mod client;
mod output;
pub mod preflight;

use std::ffi::OsString;
use std::io::Write;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::{Value, json};

pub use client::{Auth, Client};

/// Exit status: done.
pub const DONE: u8 = 0;
/// Exit status: the service refused, or the call failed.
pub const FAILED: u8 = 1;
/// Exit status: bad usage (clap's own, too).
pub const BAD_USAGE: u8 = 2;

const EXAMPLES: &str = "\
Examples:
  accounts-ops --api-url https://abc123.execute-api.us-east-1.amazonaws.com verifications
  accounts-ops account 13800138000
  accounts-ops verification decide 01JD3Q7… approve
  accounts-ops audit 01JD3Q7… --newest --event signed_in --since 2026-12-01T00:00:00Z
  accounts-ops sign-out alice --reason \"ticket 4711\" --yes
  accounts-ops --api-url http://127.0.0.1:3000 --token dev-token account alice

Deployed, calls are signed with SigV4 by the standard AWS credential chain
(AWS_* variables, --profile or AWS_PROFILE, IAM Identity Center SSO after
`aws sso login`); the principal needs the stack's OperatorsReadPolicy to look
up, its OperatorsInvokePolicy to decide. Approving a deletion or an appeal,
suspending and signing out ask for confirmation on a terminal; --yes confirms
in a script.";

/// The operators' command line of the account service.
#[derive(Debug, Parser)]
#[command(name = "accounts-ops", version, about, after_help = EXAMPLES)]
pub struct Cli {
    /// The API's base URL: the stack's ApiUrl output, or the dev server's address.
    #[arg(long, env = "ACCOUNTS_API_URL", global = true, default_value = "http://127.0.0.1:3000")]
    pub api_url: String,
    /// The dev server's operator token (ACCOUNTS_OPS_TOKEN there); without it, calls are signed with SigV4.
    #[arg(long, env = "ACCOUNTS_OPS_TOKEN", global = true, hide_env_values = true)]
    pub token: Option<String>,
    /// The AWS profile to sign with (default: the credential chain's).
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// The API's region (default: the profile's, else read from the ApiUrl).
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// Print the answers as JSON (one document) instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    /// Confirm a destructive command without asking (for scripts).
    #[arg(long, short = 'y', global = true)]
    pub yes: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// One subcommand per operator route.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// An account, by any identifier a ticket names (an audited read).
    #[command(after_help = "Examples:\n  accounts-ops account alice\n  accounts-ops account alice@example.com\n  \
                      accounts-ops account 13800138000\n  accounts-ops account +8613800138000\n  \
                      accounts-ops account alice --username")]
    Account {
        /// Its username, email, phone (E.164, or as dialled in the first SMS region) or account id.
        login: String,
        /// Look up this exact username only.
        #[arg(long)]
        username: bool,
    },
    /// An account's live sessions (an audited read: addresses and user agents).
    #[command(after_help = "Example:\n  accounts-ops sessions alice")]
    Sessions {
        /// Its username.
        username: String,
    },
    /// End every session of an account; it stays usable.
    #[command(after_help = "Example:\n  accounts-ops sign-out alice --reason \"ticket 4711: unknown sign-in\"")]
    SignOut {
        /// Its username.
        username: String,
        /// Why (kept in the audit trail).
        #[arg(long)]
        reason: String,
    },
    /// Email a pending account a fresh invitation (the lost one stops working).
    #[command(after_help = "Example:\n  accounts-ops resend-invitation alice")]
    ResendInvitation {
        /// Its username.
        username: String,
    },
    /// An account's audit trail, oldest first unless --newest.
    #[command(after_help = "Examples:\n  accounts-ops audit 01JD3Q7… --all\n  \
                      accounts-ops audit 01JD3Q7… --newest --event sign_in_failed --since 2026-12-07T00:00:00+08:00")]
    Audit {
        /// The account's id (`account` shows it).
        account_id: String,
        /// Newest first.
        #[arg(long)]
        newest: bool,
        /// Only this event (e.g. signed_in, sign_in_failed, sms_sent).
        #[arg(long)]
        event: Option<String>,
        /// Nothing earlier than this RFC 3339 time.
        #[arg(long)]
        since: Option<String>,
        #[command(flatten)]
        pages: Pages,
    },
    /// The verification queue.
    #[command(after_help = "Example:\n  accounts-ops verifications --status pending_review")]
    Verifications {
        /// Which queue.
        #[arg(long, value_enum, default_value_t = Review::PendingReview)]
        status: Review,
        #[command(flatten)]
        pages: Pages,
    },
    /// One submission in full (an audited read), or `decide` it.
    #[command(
        args_conflicts_with_subcommands = true,
        after_help = "Examples:\n  accounts-ops verification 01JD3Q7…\n  \
                      accounts-ops verification decide 01JD3Q7… reject --reason \"the photo is unreadable\""
    )]
    Verification {
        /// The account whose submission to show.
        #[arg(required = true)]
        account_id: Option<String>,
        #[command(subcommand)]
        decide: Option<VerificationDecide>,
    },
    /// The deletion queue.
    #[command(after_help = "Example:\n  accounts-ops deletions")]
    Deletions {
        /// Which queue.
        #[arg(long, value_enum, default_value_t = Review::PendingReview)]
        status: Review,
        #[command(flatten)]
        pages: Pages,
    },
    /// Decide a deletion request.
    #[command(after_help = "Example:\n  accounts-ops deletion decide 01JD3R2… approve")]
    Deletion {
        #[command(subcommand)]
        decide: DeletionDecide,
    },
    /// The recovery-appeal queue.
    #[command(after_help = "Example:\n  accounts-ops appeals --status approved")]
    Appeals {
        /// Which queue.
        #[arg(long, value_enum, default_value_t = AppealStatus::PendingReview)]
        status: AppealStatus,
        #[command(flatten)]
        pages: Pages,
    },
    /// One appeal in full, with the account's side (an audited read), or `decide` it.
    #[command(
        args_conflicts_with_subcommands = true,
        after_help = "Examples:\n  accounts-ops appeal 01JD3S9…\n  accounts-ops appeal decide 01JD3S9… approve"
    )]
    Appeal {
        /// The appeal to show.
        #[arg(required = true)]
        appeal_id: Option<String>,
        #[command(subcommand)]
        decide: Option<AppealDecide>,
    },
    /// Suspend an account (and its sub-accounts): sessions end, sign-in is refused.
    #[command(after_help = "Example:\n  accounts-ops suspend alice --reason \"card fraud, ticket 4411\"")]
    Suspend {
        /// Its username.
        username: String,
        /// Why (kept in the audit trail).
        #[arg(long)]
        reason: String,
    },
    /// Lift an account's suspension.
    #[command(after_help = "Example:\n  accounts-ops unsuspend alice")]
    Unsuspend {
        /// Its username.
        username: String,
    },
    /// Check an AWS account is ready to deploy and deliver: quotas,
    /// sandboxes, sender registrations, the certificate (read-only).
    #[command(
        after_help = "Examples:\n  accounts-ops preflight\n  accounts-ops preflight --stack-name accounts --fix\n\n\
                            Exit status 0 when no check fails. Without --stack-name, the account is judged against\n\
                            the template's defaults (what a first deploy needs)."
    )]
    Preflight {
        /// The deployed stack whose settings to judge the account against.
        #[arg(long)]
        stack_name: Option<String>,
        /// Do what SNS offers no template resource for: log SMS delivery status with the stack's role.
        #[arg(long)]
        fix: bool,
    },
}

/// Paging of a list.
#[derive(Debug, Args)]
pub struct Pages {
    /// Follow `next` to the end instead of printing one page.
    #[arg(long)]
    pub all: bool,
    /// Items per page (1–200).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=200))]
    pub limit: Option<u16>,
    /// Start after this `next` of an earlier page.
    #[arg(long)]
    pub after: Option<String>,
}

/// A review queue's status.
#[derive(Debug, Clone, Copy, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum Review {
    PendingReview,
    Approved,
    Rejected,
}

/// An appeal queue's status.
#[derive(Debug, Clone, Copy, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum AppealStatus {
    PendingReview,
    Approved,
    Done,
    Rejected,
    Cancelled,
    Failed,
}

/// An operator's decision.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Decision {
    Approve,
    Reject,
}

#[derive(Debug, Subcommand)]
pub enum VerificationDecide {
    /// Approve or reject a submission.
    Decide {
        /// The account whose submission it is.
        account_id: String,
        /// The decision.
        #[arg(value_enum)]
        decision: Decision,
        /// Why (shown to the customer on a rejection).
        #[arg(long)]
        reason: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum DeletionDecide {
    /// Approve (erase the account) or reject a deletion request.
    Decide {
        /// The request's id (`deletions` shows it).
        request_id: String,
        /// The decision.
        #[arg(value_enum)]
        decision: Decision,
        /// A note for the audit trail.
        #[arg(long)]
        note: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AppealDecide {
    /// Approve (after the hold, the account's contact details are replaced) or reject an appeal.
    Decide {
        /// The appeal's id.
        appeal_id: String,
        /// The decision.
        #[arg(value_enum)]
        decision: Decision,
        /// A note for the audit trail.
        #[arg(long)]
        note: Option<String>,
    },
}

/// What a command asks of the API.
struct Call {
    method: &'static str,
    path: String,
    body: Option<Value>,
    /// The list's query (paged with `after`), if it is a list.
    pages: Option<PagesOf>,
    /// How to show the answer to a person.
    shape: output::Shape,
}

struct PagesOf {
    all: bool,
}

impl Command {
    fn call(self) -> Call {
        use output::Shape;
        let one = |method, path: String, body, shape| Call { method, path, body, pages: None, shape };
        let list = |path: &str, mut query: Vec<(&str, String)>, pages: Pages, shape| {
            query.extend(pages.limit.map(|l| ("limit", l.to_string())));
            query.extend(pages.after.map(|a| ("after", a)));
            Call {
                method: "GET",
                path: with_query(path, &query),
                body: None,
                pages: Some(PagesOf { all: pages.all }),
                shape,
            }
        };
        match self {
            Command::Account { login, username: true } => {
                one("GET", format!("/ops/v1/accounts/{}", segment(&login)), None, Shape::Record)
            }
            Command::Account { login, username: false } => {
                one("GET", with_query("/ops/v1/accounts", &[("login", login)]), None, Shape::Found)
            }
            Command::Sessions { username } => {
                one("GET", format!("/ops/v1/accounts/{}/sessions", segment(&username)), None, Shape::SESSIONS)
            }
            Command::SignOut { username, reason } => one(
                "DELETE",
                format!("/ops/v1/accounts/{}/sessions", segment(&username)),
                Some(json!({ "reason": reason })),
                Shape::Record,
            ),
            Command::ResendInvitation { username } => {
                one("POST", format!("/ops/v1/accounts/{}/invitation", segment(&username)), None, Shape::Record)
            }
            Command::Audit { account_id, newest, event, since, pages } => {
                let mut query = vec![("account_id", account_id)];
                query.extend(newest.then(|| ("order", "newest".to_owned())));
                query.extend(event.map(|e| ("event", e)));
                query.extend(since.map(|t| ("since", t)));
                list("/ops/v1/audit", query, pages, Shape::AUDIT)
            }
            Command::Verifications { status, pages } => {
                list("/ops/v1/verifications", vec![("status", value_name(status))], pages, Shape::VERIFICATIONS)
            }
            Command::Verification { account_id: Some(id), decide: None } => {
                one("GET", format!("/ops/v1/verifications/{}", segment(&id)), None, Shape::Record)
            }
            Command::Verification {
                decide: Some(VerificationDecide::Decide { account_id, decision, reason }), ..
            } => one(
                "POST",
                format!("/ops/v1/verifications/{}/decision", segment(&account_id)),
                Some(decision_body(decision, "reason", reason)),
                Shape::Record,
            ),
            Command::Verification { account_id: None, decide: None } => unreachable!("clap requires one"),
            Command::Deletions { status, pages } => {
                list("/ops/v1/deletion-requests", vec![("status", value_name(status))], pages, Shape::DELETIONS)
            }
            Command::Deletion { decide: DeletionDecide::Decide { request_id, decision, note } } => one(
                "POST",
                format!("/ops/v1/deletion-requests/{}/decision", segment(&request_id)),
                Some(decision_body(decision, "note", note)),
                Shape::Record,
            ),
            Command::Appeals { status, pages } => {
                list("/ops/v1/appeals", vec![("status", value_name(status))], pages, Shape::APPEALS)
            }
            Command::Appeal { appeal_id: Some(id), decide: None } => {
                one("GET", format!("/ops/v1/appeals/{}", segment(&id)), None, Shape::Record)
            }
            Command::Appeal { decide: Some(AppealDecide::Decide { appeal_id, decision, note }), .. } => one(
                "POST",
                format!("/ops/v1/appeals/{}/decision", segment(&appeal_id)),
                Some(decision_body(decision, "note", note)),
                Shape::Record,
            ),
            Command::Appeal { appeal_id: None, decide: None } => unreachable!("clap requires one"),
            Command::Suspend { username, reason } => one(
                "POST",
                format!("/ops/v1/accounts/{}/suspension", segment(&username)),
                Some(json!({ "reason": reason })),
                Shape::Record,
            ),
            Command::Unsuspend { username } => {
                one("DELETE", format!("/ops/v1/accounts/{}/suspension", segment(&username)), None, Shape::Record)
            }
            Command::Preflight { .. } => unreachable!("preflight calls AWS, not the API"),
        }
    }
}

impl Command {
    /// What a destructive command does, as its confirmation asks it; none
    /// for the others.
    fn destructive(&self) -> Option<String> {
        match self {
            Command::Deletion { decide: DeletionDecide::Decide { request_id, decision: Decision::Approve, .. } } => {
                Some(format!(
                    "Approve deletion request {request_id}: the account and its personal data are erased for good?"
                ))
            }
            Command::Appeal {
                decide: Some(AppealDecide::Decide { appeal_id, decision: Decision::Approve, .. }),
                ..
            } => Some(format!(
                "Approve appeal {appeal_id}: after the hold, the account's email changes and two-factor sign-in goes off?"
            )),
            Command::Suspend { username, .. } => {
                Some(format!("Suspend {username} (and its sub-accounts): every session ends, sign-in is refused?"))
            }
            Command::SignOut { username, .. } => Some(format!("End every session of {username}?")),
            _ => None,
        }
    }
}

/// Whether the operator confirmed `question`: `--yes`, or `y` typed on a
/// terminal. Without a terminal and without `--yes`, nothing is asked and
/// nothing is done.
fn confirmed(question: &str, yes: bool, terminal: &mut Option<&mut dyn std::io::BufRead>, err: &mut dyn Write) -> bool {
    if yes {
        return true;
    }
    let Some(input) = terminal else {
        let _ = writeln!(err, "accounts-ops: {question}\nNot confirmed: run it on a terminal, or add --yes.");
        return false;
    };
    let _ = write!(err, "{question} [y/N] ");
    let _ = err.flush();
    let mut answer = String::new();
    let _ = input.read_line(&mut answer);
    matches!(answer.trim().to_lowercase().as_str(), "y" | "yes")
}

fn decision_body(decision: Decision, field: &str, text: Option<String>) -> Value {
    let mut body = json!({ "decision": value_name(decision) });
    if let Some(text) = text {
        body[field] = Value::from(text);
    }
    body
}

fn value_name(value: impl ValueEnum) -> String {
    value.to_possible_value().expect("no skipped values").get_name().to_owned()
}

/// What RFC 3986 leaves unencoded: letters, digits, `-._~`.
const UNRESERVED: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// A path segment or query value, percent-encoded.
fn segment(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, UNRESERVED).to_string()
}

fn with_query(path: &str, pairs: &[(&str, String)]) -> String {
    let encoded: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={}", segment(v))).collect();
    if encoded.is_empty() { path.to_owned() } else { format!("{path}?{}", encoded.join("&")) }
}

/// Parses `args` and runs the command, writing answers to `out` and
/// problems to `err`; the exit status. A destructive command asks on
/// `terminal` (the operator's, when stdin is one) unless `--yes`.
pub async fn run(
    args: impl IntoIterator<Item = OsString>,
    mut terminal: Option<&mut dyn std::io::BufRead>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { BAD_USAGE } else { DONE };
            let text = e.render().to_string();
            let _ = if e.use_stderr() { err.write_all(text.as_bytes()) } else { out.write_all(text.as_bytes()) };
            return code;
        }
    };
    if let Command::Preflight { stack_name, fix } = &cli.command {
        let sdk = client::sdk_config(&cli).await;
        return preflight_report(&preflight::Aws::new(&sdk), stack_name.as_deref(), *fix, cli.json, out, err).await;
    }
    let client = match Client::new(&cli).await {
        Ok(client) => client,
        Err(problem) => {
            let _ = writeln!(err, "accounts-ops: {problem}");
            return BAD_USAGE;
        }
    };
    if let Some(question) = cli.command.destructive()
        && !confirmed(&question, cli.yes, &mut terminal, err)
    {
        return BAD_USAGE;
    }
    let json_output = cli.json;
    let call = cli.command.call();
    match execute(&client, &call).await {
        Ok(answer) => {
            let shown = if json_output { output::json(&answer) } else { output::table(&answer, &call.shape) };
            let _ = out.write_all(shown.as_bytes());
            DONE
        }
        Err(failure) => {
            let _ = err.write_all(failure.to_string().as_bytes());
            FAILED
        }
    }
}

/// Runs preflight against `aws` and shows its checks; `FAILED` when one
/// fails (or preflight could not run), else `DONE`.
pub async fn preflight_report(
    aws: &preflight::Aws,
    stack_name: Option<&str>,
    fix: bool,
    json_output: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let checks = match preflight::run(aws, stack_name, fix).await {
        Ok(checks) => checks,
        Err(problem) => {
            let _ = writeln!(err, "accounts-ops preflight: {problem}");
            return FAILED;
        }
    };
    let shown = output::checks(&checks, json_output);
    let _ = out.write_all(shown.as_bytes());
    if checks.iter().any(|c| c.verdict == preflight::Verdict::Fail) { FAILED } else { DONE }
}

/// The answer of `call`; a list followed to its end with `--all` (one
/// `items` array).
async fn execute(client: &Client, call: &Call) -> Result<Value, client::Failure> {
    let first = client.send(call.method, &call.path, call.body.as_ref()).await?;
    let Some(PagesOf { all: true }) = call.pages else { return Ok(first) };
    let mut items = first["items"].as_array().cloned().unwrap_or_default();
    let mut next = first["next"].as_str().map(str::to_owned);
    while let Some(after) = next {
        let path = replace_after(&call.path, &after);
        let page = client.send("GET", &path, None).await?;
        items.extend(page["items"].as_array().cloned().unwrap_or_default());
        next = page["next"].as_str().map(str::to_owned);
    }
    Ok(json!({ "items": items }))
}

/// `path` asking for the page after `after` (an earlier `after` replaced).
fn replace_after(path: &str, after: &str) -> String {
    let (base, query) = path.split_once('?').unwrap_or((path, ""));
    let mut pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty() && !p.starts_with("after=")).collect();
    let encoded = format!("after={}", segment(after));
    pairs.push(&encoded);
    format!("{base}?{}", pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("accounts-ops").chain(args.iter().copied()))
    }

    /// Each case: arguments, the route they call, and the path they send.
    const CASES: &[(&[&str], &str, &str)] = &[
        (&["account", "li lei", "--username"], "GET /ops/v1/accounts/{username}", "/ops/v1/accounts/li%20lei"),
        (&["account", "+86 138"], "GET /ops/v1/accounts", "/ops/v1/accounts?login=%2B86%20138"),
        (&["sessions", "alice"], "GET /ops/v1/accounts/{username}/sessions", "/ops/v1/accounts/alice/sessions"),
        (
            &["sign-out", "alice", "--reason", "ticket 1"],
            "DELETE /ops/v1/accounts/{username}/sessions",
            "/ops/v1/accounts/alice/sessions",
        ),
        (
            &["resend-invitation", "alice"],
            "POST /ops/v1/accounts/{username}/invitation",
            "/ops/v1/accounts/alice/invitation",
        ),
        (&["audit", "A1", "--limit", "2"], "GET /ops/v1/audit", "/ops/v1/audit?account_id=A1&limit=2"),
        (
            &["audit", "A1", "--newest", "--event", "signed_in", "--since", "2026-12-07T08:00:00+08:00"],
            "GET /ops/v1/audit",
            "/ops/v1/audit?account_id=A1&order=newest&event=signed_in&since=2026-12-07T08%3A00%3A00%2B08%3A00",
        ),
        (&["verifications"], "GET /ops/v1/verifications", "/ops/v1/verifications?status=pending_review"),
        (
            &["verifications", "--status", "approved"],
            "GET /ops/v1/verifications",
            "/ops/v1/verifications?status=approved",
        ),
        (&["verification", "A1"], "GET /ops/v1/verifications/{account_id}", "/ops/v1/verifications/A1"),
        (
            &["verification", "decide", "A1", "reject", "--reason", "blurred"],
            "POST /ops/v1/verifications/{account_id}/decision",
            "/ops/v1/verifications/A1/decision",
        ),
        (&["deletions"], "GET /ops/v1/deletion-requests", "/ops/v1/deletion-requests?status=pending_review"),
        (
            &["deletion", "decide", "R1", "approve"],
            "POST /ops/v1/deletion-requests/{request_id}/decision",
            "/ops/v1/deletion-requests/R1/decision",
        ),
        (&["appeals", "--status", "done"], "GET /ops/v1/appeals", "/ops/v1/appeals?status=done"),
        (&["appeal", "P1"], "GET /ops/v1/appeals/{appeal_id}", "/ops/v1/appeals/P1"),
        (
            &["appeal", "decide", "P1", "approve", "--note", "checked ID"],
            "POST /ops/v1/appeals/{appeal_id}/decision",
            "/ops/v1/appeals/P1/decision",
        ),
        (
            &["suspend", "alice", "--reason", "fraud"],
            "POST /ops/v1/accounts/{username}/suspension",
            "/ops/v1/accounts/alice/suspension",
        ),
        (&["unsuspend", "alice"], "DELETE /ops/v1/accounts/{username}/suspension", "/ops/v1/accounts/alice/suspension"),
    ];

    #[test]
    fn every_command_parses_to_its_route() {
        for (args, route, path) in CASES {
            let call = parse(args).unwrap_or_else(|e| panic!("{args:?}: {e}")).command.call();
            let method = route.split(' ').next().unwrap();
            assert_eq!((call.method, call.path.as_str()), (method, *path), "{args:?}");
        }
        let decided = parse(&["verification", "decide", "A1", "reject", "--reason", "blurred"]).unwrap().command.call();
        assert_eq!(decided.body, Some(json!({"decision": "reject", "reason": "blurred"})));
        let noted = parse(&["appeal", "decide", "P1", "approve", "--note", "checked ID"]).unwrap().command.call();
        assert_eq!(noted.body, Some(json!({"decision": "approve", "note": "checked ID"})));
    }

    /// One subcommand per operator route of the route table, and no other.
    #[test]
    fn the_commands_cover_exactly_the_operator_routes() {
        use shared::api::routes::{Access, ROUTES};
        let covered: std::collections::BTreeSet<String> = CASES.iter().map(|(_, route, _)| route.to_string()).collect();
        let operator: std::collections::BTreeSet<String> =
            ROUTES.iter().filter(|r| r.access == Access::Operator).map(|r| r.key()).collect();
        assert_eq!(covered, operator);
    }

    #[test]
    fn bad_usage_is_refused_before_any_call() {
        for args in [
            &["verification"][..],
            &["verification", "decide", "A1", "maybe"],
            &["suspend", "alice"],
            &["audit", "A1", "--limit", "0"],
            &["appeals", "--status", "lost"],
            &["frobnicate"],
        ] {
            let error = parse(args).expect_err(&format!("{args:?} is refused"));
            assert!(error.use_stderr(), "{args:?}");
        }
    }

    #[test]
    fn destructive_commands_ask_and_only_a_yes_goes_on() {
        let asks = |args: &[&str]| parse(args).unwrap().command.destructive().is_some();
        for args in [
            &["deletion", "decide", "R1", "approve"][..],
            &["appeal", "decide", "P1", "approve"],
            &["suspend", "alice", "--reason", "r"],
            &["sign-out", "alice", "--reason", "r"],
        ] {
            assert!(asks(args), "{args:?}");
        }
        for args in [&["deletion", "decide", "R1", "reject"][..], &["unsuspend", "alice"], &["account", "alice"]] {
            assert!(!asks(args), "{args:?}");
        }
        let mut err = Vec::new();
        for (typed, expected) in [("y\n", true), ("YES\n", true), ("\n", false), ("n\n", false), ("", false)] {
            let mut input = std::io::Cursor::new(typed.as_bytes());
            let mut terminal: Option<&mut dyn std::io::BufRead> = Some(&mut input);
            assert_eq!(confirmed("Erase?", false, &mut terminal, &mut err), expected, "{typed:?}");
        }
        assert!(String::from_utf8_lossy(&err).contains("Erase? [y/N]"));
        let mut err = Vec::new();
        assert!(!confirmed("Erase?", false, &mut None, &mut err), "no terminal, no --yes: nothing done");
        assert!(String::from_utf8_lossy(&err).contains("--yes"));
        assert!(confirmed("Erase?", true, &mut None, &mut Vec::new()));
    }

    #[test]
    fn following_next_replaces_the_earlier_after() {
        assert_eq!(
            replace_after("/ops/v1/audit?account_id=A&after=x", "y/z"),
            "/ops/v1/audit?account_id=A&after=y%2Fz"
        );
        assert_eq!(replace_after("/ops/v1/appeals?status=done", "n"), "/ops/v1/appeals?status=done&after=n");
    }
}
