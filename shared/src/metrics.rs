//! Business metrics as CloudWatch Embedded Metric Format lines: one JSON
//! line on stdout per event, which Lambda's log group turns into a metric of
//! the `Accounts` namespace (no API call, no extra latency). Dimensions hold
//! no personal data: an SMS purpose and a region code at most.
//!
//! `infra/template.yaml`'s dashboard and alarms name these metrics; a test
//! holds them to [`Metric::NAMES`].

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

/// The namespace every metric is published in.
pub const NAMESPACE: &str = "Accounts";

/// Something worth counting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Metric {
    /// An account was signed up (pending).
    SignUp,
    /// An account was activated.
    Activation,
    /// A session was created.
    SignIn,
    /// A sign-in failed on a known account (password or second factor).
    SignInFailure,
    /// A login name was locked.
    Lockout,
    /// An SMS left, for a purpose, to a region (ISO 3166 alpha-2).
    SmsSent {
        /// `sign_up`, `reset_password`, `change_phone` or `username`.
        purpose: &'static str,
        /// The number's region.
        region: String,
    },
    /// An email left.
    EmailSent,
    /// The email provider refused or failed a message.
    EmailFailed,
    /// The SMS provider refused or failed a message.
    SmsFailed,
    /// SES reported a message delivered to the recipient's mail server.
    EmailDelivered,
    /// SES reported a bounce (`Permanent`, `Transient` or `Undetermined`).
    EmailBounced {
        /// SES's bounce type.
        kind: &'static str,
    },
    /// SES reported a complaint (the recipient marked it as spam).
    EmailComplained,
    /// A real-name verification was submitted.
    VerificationSubmitted,
    /// An operator decided a verification.
    VerificationDecided,
    /// A recovery appeal of an existing account was confirmed (queued).
    AppealConfirmed,
    /// An operator decided an appeal.
    AppealDecided,
    /// A deletion was requested.
    DeletionRequested,
    /// An account was erased.
    AccountErased,
    /// An operator suspended an account.
    AccountSuspended,
    /// Gauge: verifications waiting for review (the queue watch).
    VerificationsWaiting(u64),
    /// Gauge: seconds the oldest waiting verification has waited.
    OldestVerificationWait(i64),
    /// Gauge: appeals waiting for review.
    AppealsWaiting(u64),
    /// Gauge: seconds the oldest waiting appeal has waited.
    OldestAppealWait(i64),
    /// Gauge: approved deletions whose erase has not finished after
    /// [`ERASE_GRACE_SECS`](crate::flows::queue_watch::ERASE_GRACE_SECS).
    ErasuresUnfinished(u64),
    /// The breached-password range API could not be asked (unreachable,
    /// slower than its timeout, or answering anything but `200`): the
    /// check was skipped.
    BreachCheckSkipped,
}

impl Metric {
    /// Every metric name, as the dashboard and alarms use them.
    pub const NAMES: &[&str] = &[
        "SignUps",
        "Activations",
        "SignIns",
        "SignInFailures",
        "Lockouts",
        "SmsSent",
        "EmailsSent",
        "EmailsFailed",
        "SmsFailed",
        "EmailsDelivered",
        "EmailsBounced",
        "EmailsComplained",
        "VerificationsSubmitted",
        "VerificationsDecided",
        "AppealsConfirmed",
        "AppealsDecided",
        "DeletionsRequested",
        "AccountsErased",
        "AccountsSuspended",
        "VerificationsWaiting",
        "OldestVerificationWaitSeconds",
        "AppealsWaiting",
        "OldestAppealWaitSeconds",
        "ErasuresUnfinished",
        "BreachChecksSkipped",
    ];

    /// The metric's name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::SignUp => "SignUps",
            Self::Activation => "Activations",
            Self::SignIn => "SignIns",
            Self::SignInFailure => "SignInFailures",
            Self::Lockout => "Lockouts",
            Self::SmsSent { .. } => "SmsSent",
            Self::EmailSent => "EmailsSent",
            Self::EmailFailed => "EmailsFailed",
            Self::SmsFailed => "SmsFailed",
            Self::EmailDelivered => "EmailsDelivered",
            Self::EmailBounced { .. } => "EmailsBounced",
            Self::EmailComplained => "EmailsComplained",
            Self::VerificationSubmitted => "VerificationsSubmitted",
            Self::VerificationDecided => "VerificationsDecided",
            Self::AppealConfirmed => "AppealsConfirmed",
            Self::AppealDecided => "AppealsDecided",
            Self::DeletionRequested => "DeletionsRequested",
            Self::AccountErased => "AccountsErased",
            Self::AccountSuspended => "AccountsSuspended",
            Self::VerificationsWaiting(_) => "VerificationsWaiting",
            Self::OldestVerificationWait(_) => "OldestVerificationWaitSeconds",
            Self::AppealsWaiting(_) => "AppealsWaiting",
            Self::OldestAppealWait(_) => "OldestAppealWaitSeconds",
            Self::ErasuresUnfinished(_) => "ErasuresUnfinished",
            Self::BreachCheckSkipped => "BreachChecksSkipped",
        }
    }

    /// The value and unit of one occurrence: 1 of a count, or a gauge's.
    fn value(&self) -> (i64, &'static str) {
        match self {
            Self::VerificationsWaiting(n) | Self::AppealsWaiting(n) | Self::ErasuresUnfinished(n) => {
                (i64::try_from(*n).unwrap_or(i64::MAX), "Count")
            }
            Self::OldestVerificationWait(secs) | Self::OldestAppealWait(secs) => (*secs, "Seconds"),
            _ => (1, "Count"),
        }
    }

    /// The EMF line of one occurrence at `unix_millis`. SMS are counted twice:
    /// in total (no dimension, what the dashboard and alarms read) and by
    /// purpose and region.
    pub fn emf(&self, unix_millis: i64) -> Value {
        let name = self.name();
        let (value, unit) = self.value();
        let (dimensions, values) = match self {
            Self::SmsSent { purpose, region } => {
                (json!([[], ["Purpose", "Region"]]), json!({"Purpose": purpose, "Region": region}))
            }
            Self::EmailBounced { kind } => (json!([[], ["BounceType"]]), json!({"BounceType": kind})),
            _ => (json!([[]]), json!({})),
        };
        let mut line = json!({
            "_aws": {
                "Timestamp": unix_millis,
                "CloudWatchMetrics": [{
                    "Namespace": NAMESPACE,
                    "Dimensions": dimensions,
                    "Metrics": [{"Name": name, "Unit": unit}],
                }],
            },
            name: value,
        });
        if let (Some(line), Some(values)) = (line.as_object_mut(), values.as_object()) {
            line.extend(values.clone());
        }
        line
    }
}

/// Where metrics go.
#[derive(Clone, Default)]
pub enum Metrics {
    /// Nowhere (the dev server, unless asked).
    #[default]
    Off,
    /// EMF lines on stdout (Lambda; `ACCOUNTS_METRICS=emf`).
    Emf,
    /// Kept in memory, for tests.
    Recorded(Arc<Mutex<Vec<Metric>>>),
}

impl Metrics {
    /// Counts one `metric` at `unix_millis`.
    pub fn count(&self, metric: Metric, unix_millis: i64) {
        match self {
            Self::Off => {}
            // One write of a whole line: Lambda keeps lines whole.
            Self::Emf => println!("{}", metric.emf(unix_millis)),
            Self::Recorded(kept) => {
                if let Ok(mut kept) = kept.lock() {
                    kept.push(metric);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_cloudwatch_embedded_metric_format() {
        let line = Metric::SmsSent { purpose: "sign_up", region: "CN".into() }.emf(1_795_374_238_000);
        let directive = &line["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], "Accounts");
        assert_eq!(directive["Metrics"][0], json!({"Name": "SmsSent", "Unit": "Count"}));
        assert_eq!(directive["Dimensions"], json!([[], ["Purpose", "Region"]]));
        assert_eq!(line["_aws"]["Timestamp"], 1_795_374_238_000i64);
        assert_eq!(
            (line["SmsSent"].clone(), line["Purpose"].clone(), line["Region"].clone()),
            (json!(1), json!("sign_up"), json!("CN"))
        );
        let gauge = Metric::OldestVerificationWait(90_000).emf(0);
        assert_eq!(gauge["OldestVerificationWaitSeconds"], 90_000);
        assert_eq!(gauge["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Unit"], "Seconds");
        let plain = Metric::SignUp.emf(0);
        assert_eq!(plain["SignUps"], 1);
        assert_eq!(plain["_aws"]["CloudWatchMetrics"][0]["Dimensions"], json!([[]]));
    }

    #[test]
    fn every_metric_is_named_in_the_list() {
        let all = [
            Metric::SignUp,
            Metric::Activation,
            Metric::SignIn,
            Metric::SignInFailure,
            Metric::Lockout,
            Metric::SmsSent { purpose: "sign_up", region: "CN".into() },
            Metric::EmailSent,
            Metric::EmailFailed,
            Metric::SmsFailed,
            Metric::EmailDelivered,
            Metric::EmailBounced { kind: "Permanent" },
            Metric::EmailComplained,
            Metric::VerificationSubmitted,
            Metric::VerificationDecided,
            Metric::AppealConfirmed,
            Metric::AppealDecided,
            Metric::DeletionRequested,
            Metric::AccountErased,
            Metric::AccountSuspended,
            Metric::VerificationsWaiting(3),
            Metric::OldestVerificationWait(90_000),
            Metric::AppealsWaiting(1),
            Metric::OldestAppealWait(60),
            Metric::ErasuresUnfinished(0),
            Metric::BreachCheckSkipped,
        ];
        let names: Vec<&str> = all.iter().map(Metric::name).collect();
        assert_eq!(names, Metric::NAMES);
    }
}
