//! `accounts-ops preflight`: what a new AWS account must have before the
//! stack can deploy and deliver (the contract's "Day one on a real AWS
//! account"). Read-only checks, each answered pass, warn or fail with its
//! fix in one line; `--fix` does only what SNS offers no template resource
//! for (naming the role that logs SMS delivery status).
//!
//! The checks judge the account against the stack's own settings (its
//! parameters and outputs, with `--stack-name`) or, before a deploy, the
//! template's defaults. Gathering ([`Aws`]) and judging ([`judge`]) are
//! apart, so every verdict is tested without AWS.

use std::collections::HashMap;

use aws_config::SdkConfig;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Ready.
    Pass,
    /// Works, but not as a deployment should run (or cannot be told).
    Warn,
    /// Messages will not go out, or the deploy will fail.
    Fail,
}

/// One check's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What was checked (`lambda-concurrency`, …).
    pub name: &'static str,
    /// How it came out.
    pub verdict: Verdict,
    /// What was found.
    pub finding: String,
    /// What to do about it, in one line (empty when it passed).
    pub fix: String,
}

impl Check {
    fn pass(name: &'static str, finding: impl Into<String>) -> Self {
        Self { name, verdict: Verdict::Pass, finding: finding.into(), fix: String::new() }
    }

    fn warn(name: &'static str, finding: impl Into<String>, fix: impl Into<String>) -> Self {
        Self { name, verdict: Verdict::Warn, finding: finding.into(), fix: fix.into() }
    }

    fn fail(name: &'static str, finding: impl Into<String>, fix: impl Into<String>) -> Self {
        Self { name, verdict: Verdict::Fail, finding: finding.into(), fix: fix.into() }
    }
}

/// The functions that reserve `HashingReservedConcurrency` each.
pub const HASHING_FUNCTIONS: u32 = 9;
/// What Lambda keeps unreserved in every account.
pub const UNRESERVED_MINIMUM: i64 = 100;

/// What the checks judge the account against: the stack's parameters and
/// outputs, or the template's defaults before a deploy.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Whether these are a deployed stack's (else the template's defaults).
    pub from_stack: bool,
    /// `HashingReservedConcurrency` (0: nothing reserved).
    pub reserved_per_function: u32,
    /// `EmailFrom` (unknown before a deploy).
    pub email_from: Option<String>,
    /// `SmsRegions`.
    pub sms_regions: Vec<String>,
    /// `SmsSignature`.
    pub sms_signature: String,
    /// `SmsOriginationNumber`.
    pub sms_origination_number: String,
    /// `SmsMonthlySpendAlarmUsd`.
    pub spend_alarm_usd: f64,
    /// `PagesDomain` and `PagesCertificateArn`.
    pub pages_domain: String,
    /// The certificate for `pages_domain`.
    pub certificate_arn: String,
    /// The alarm topic (output `AlarmTopicArn`), once deployed.
    pub alarm_topic: Option<String>,
    /// The role SNS logs delivery status with (output
    /// `SmsDeliveryStatusRoleArn`), once deployed.
    pub delivery_status_role: Option<String>,
}

impl Settings {
    /// The template's defaults: what a first deploy would ask of the account.
    pub fn template_defaults() -> Self {
        Self {
            from_stack: false,
            reserved_per_function: 0,
            email_from: None,
            sms_regions: vec!["CN".into()],
            sms_signature: String::new(),
            sms_origination_number: String::new(),
            spend_alarm_usd: 0.8,
            pages_domain: String::new(),
            certificate_arn: String::new(),
            alarm_topic: None,
            delivery_status_role: None,
        }
    }

    /// A stack's settings from its parameters and outputs (missing ones
    /// keep the template's defaults).
    pub fn of_stack(parameters: &HashMap<String, String>, outputs: &HashMap<String, String>) -> Self {
        let defaults = Self::template_defaults();
        let text = |name: &str| parameters.get(name).cloned().unwrap_or_default();
        Self {
            from_stack: true,
            reserved_per_function: text("HashingReservedConcurrency").trim().parse().unwrap_or(0),
            email_from: parameters.get("EmailFrom").cloned().filter(|v| !v.is_empty()),
            sms_regions: parameters
                .get("SmsRegions")
                .map(|r| r.split(',').map(|c| c.trim().to_uppercase()).filter(|c| !c.is_empty()).collect())
                .unwrap_or(defaults.sms_regions),
            sms_signature: text("SmsSignature"),
            sms_origination_number: text("SmsOriginationNumber"),
            spend_alarm_usd: text("SmsMonthlySpendAlarmUsd").parse().unwrap_or(defaults.spend_alarm_usd),
            pages_domain: text("PagesDomain"),
            certificate_arn: text("PagesCertificateArn"),
            alarm_topic: outputs.get("AlarmTopicArn").cloned(),
            delivery_status_role: outputs.get("SmsDeliveryStatusRoleArn").cloned(),
        }
    }
}

/// What the account answered (an `Err` says why a call failed).
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    /// Lambda's concurrent-execution quota.
    pub lambda_concurrency: Answer<i64>,
    /// SES: production access, sending enabled, the 24-hour quota.
    pub ses_account: Answer<SesAccount>,
    /// SES: the sender's identity (the address's, else its domain's).
    pub ses_sender: Answer<Option<SesIdentity>>,
    /// SNS: whether SMS are in the sandbox.
    pub sms_sandbox: Answer<bool>,
    /// SNS's account SMS attributes (`MonthlySpendLimit`, `DeliveryStatusIAMRole`, …).
    pub sms_attributes: Answer<HashMap<String, String>>,
    /// SNS's origination numbers: `(number, ISO country, status)`.
    pub origination_numbers: Answer<Vec<(String, String, String)>>,
    /// ACM: the certificate's status and the names it covers.
    pub certificate: Answer<Option<(String, Vec<String>)>>,
    /// SNS: the alarm topic's subscriptions (their ARNs, or `PendingConfirmation`).
    pub alarm_subscriptions: Answer<Vec<String>>,
}

/// An answer, or why there is none.
pub type Answer<T> = Result<T, String>;

/// SES's account.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SesAccount {
    /// Out of the sandbox.
    pub production_access: bool,
    /// Sending not paused.
    pub sending_enabled: bool,
    /// Messages a day.
    pub max_24_hour_send: f64,
}

/// An SES identity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SesIdentity {
    /// The identity checked (the address, or its domain).
    pub name: String,
    /// Verified for sending.
    pub verified: bool,
    /// DKIM's status (`SUCCESS`, `PENDING`, `NOT_STARTED`, …).
    pub dkim: String,
}

/// Regions whose SMS need an origination number (a toll-free number or a
/// 10DLC registration).
const NEEDS_ORIGINATION: &[&str] = &["US", "CA"];

/// Judges the account's `facts` against `settings`: one check each.
pub fn judge(settings: &Settings, facts: &Facts) -> Vec<Check> {
    vec![
        lambda_concurrency(settings, &facts.lambda_concurrency),
        ses_production(&facts.ses_account),
        ses_sender(settings, &facts.ses_sender),
        sms_sandbox(&facts.sms_sandbox),
        sms_spend(settings, &facts.sms_attributes),
        sms_origination(settings, &facts.origination_numbers),
        sms_signature(settings),
        sms_delivery_logging(settings, &facts.sms_attributes),
        certificate(settings, &facts.certificate),
        alarm_subscription(settings, &facts.alarm_subscriptions),
    ]
}

fn unanswered(name: &'static str, why: &str) -> Check {
    Check::warn(name, format!("could not ask: {why}"), "run with credentials allowed to read it (see docs/deploy.md)")
}

fn lambda_concurrency(settings: &Settings, quota: &Answer<i64>) -> Check {
    const NAME: &str = "lambda-concurrency";
    let quota = match quota {
        Ok(quota) => *quota,
        Err(why) => return unanswered(NAME, why),
    };
    let reserved = i64::from(settings.reserved_per_function) * i64::from(HASHING_FUNCTIONS);
    // A reservation must leave Lambda its unreserved minimum; without one,
    // any quota deploys.
    let needed = if reserved > 0 { reserved + UNRESERVED_MINIMUM } else { 0 };
    let finding =
        format!("quota {quota}; the stack reserves {reserved}, and Lambda keeps {UNRESERVED_MINIMUM} unreserved");
    if quota < needed {
        let fix = format!(
            "ask Service Quotas for Lambda concurrent executions of at least {needed}, or lower HashingReservedConcurrency"
        );
        Check::fail(NAME, finding, fix)
    } else if quota < 1000 {
        let fix =
            "ask Service Quotas for 1000 concurrent executions (a new account's small quota throttles a sign-up wave)";
        Check::warn(NAME, finding, fix)
    } else {
        Check::pass(NAME, finding)
    }
}

fn ses_production(account: &Answer<SesAccount>) -> Check {
    const NAME: &str = "ses-production";
    let account = match account {
        Ok(account) => account,
        Err(why) => return unanswered(NAME, why),
    };
    let quota = format!("{} emails a day", account.max_24_hour_send);
    if !account.sending_enabled {
        Check::fail(
            NAME,
            format!("sending is paused ({quota})"),
            "read the SES console's reputation page and ask AWS to resume sending",
        )
    } else if !account.production_access {
        let fix = "request SES production access (SES console > Account dashboard); until then only verified recipients get mail";
        Check::fail(NAME, format!("in the SES sandbox ({quota})"), fix)
    } else {
        Check::pass(NAME, format!("production access, {quota}"))
    }
}

fn ses_sender(settings: &Settings, identity: &Answer<Option<SesIdentity>>) -> Check {
    const NAME: &str = "ses-sender";
    let Some(sender) = &settings.email_from else {
        return Check::warn(
            NAME,
            "no sender known before a deploy",
            "name the stack (--stack-name) to check EmailFrom's identity",
        );
    };
    let identity = match identity {
        Ok(identity) => identity,
        Err(why) => return unanswered(NAME, why),
    };
    let domain = sender.rsplit_once('@').map_or(sender.as_str(), |(_, d)| d);
    match identity {
        None => Check::fail(
            NAME,
            format!("{sender}: no SES identity"),
            format!("verify the domain {domain} in SES with Easy DKIM (three CNAME records) and wait for SUCCESS"),
        ),
        Some(identity) if !identity.verified => Check::fail(
            NAME,
            format!("{}: not verified for sending (DKIM {})", identity.name, identity.dkim),
            format!("publish the DKIM CNAME records of {domain} and wait for SES to verify it"),
        ),
        Some(identity) if identity.dkim != "SUCCESS" => Check::warn(
            NAME,
            format!("{}: verified, DKIM {}", identity.name, identity.dkim),
            format!("sign with DKIM: verify the domain {domain} with Easy DKIM"),
        ),
        Some(identity) => Check::pass(NAME, format!("{}: verified, DKIM SUCCESS", identity.name)),
    }
}

fn sms_sandbox(in_sandbox: &Answer<bool>) -> Check {
    const NAME: &str = "sns-sms-sandbox";
    match in_sandbox {
        Err(why) => unanswered(NAME, why),
        Ok(true) => Check::fail(
            NAME,
            "SMS in the SNS sandbox: only verified numbers get texts",
            "move SNS SMS out of the sandbox (SNS console > Text messaging (SMS) > Sandbox)",
        ),
        Ok(false) => Check::pass(NAME, "out of the sandbox"),
    }
}

fn sms_spend(settings: &Settings, attributes: &Answer<HashMap<String, String>>) -> Check {
    const NAME: &str = "sns-spend-limit";
    let attributes = match attributes {
        Ok(attributes) => attributes,
        Err(why) => return unanswered(NAME, why),
    };
    // Unset, SNS's limit is a new account's $1.
    let limit: f64 = attributes.get("MonthlySpendLimit").and_then(|v| v.parse().ok()).unwrap_or(1.0);
    let alarm = settings.spend_alarm_usd;
    let finding = format!("SNS stops every SMS past ${limit} a month; the spend alarm fires at ${alarm}");
    if alarm >= limit {
        let fix = "lower SmsMonthlySpendAlarmUsd below the limit, or raise the limit (a support case above $1) and the alarm with it";
        Check::fail(NAME, finding, fix)
    } else if limit <= 1.0 {
        let fix = "raise the SNS monthly spend limit (a support case) to what a month's sign-ups will text";
        Check::warn(NAME, finding, fix)
    } else {
        Check::pass(NAME, finding)
    }
}

fn sms_origination(settings: &Settings, numbers: &Answer<Vec<(String, String, String)>>) -> Check {
    const NAME: &str = "sms-origination";
    let needing: Vec<&str> =
        settings.sms_regions.iter().map(String::as_str).filter(|r| NEEDS_ORIGINATION.contains(r)).collect();
    if needing.is_empty() {
        return Check::pass(NAME, "no SMS region needs an origination number");
    }
    let regions = needing.join(", ");
    let wanted = &settings.sms_origination_number;
    if wanted.is_empty() {
        return Check::fail(
            NAME,
            format!("{regions} need an origination number; SmsOriginationNumber is empty"),
            "buy a toll-free number (or register 10DLC) in AWS End User Messaging SMS and set SmsOriginationNumber",
        );
    }
    let numbers = match numbers {
        Ok(numbers) => numbers,
        Err(why) => return unanswered(NAME, why),
    };
    match numbers.iter().find(|(number, _, _)| number == wanted) {
        Some((_, _, status)) if status == "ACTIVE" => Check::pass(NAME, format!("{wanted} is active")),
        Some((_, _, status)) => {
            Check::fail(NAME, format!("{wanted} is {status}"), "wait for its registration to finish")
        }
        None => Check::fail(
            NAME,
            format!("{wanted} is not one of the account's origination numbers"),
            "set SmsOriginationNumber to a number the account owns",
        ),
    }
}

fn sms_signature(settings: &Settings) -> Check {
    const NAME: &str = "sms-signature";
    if !settings.sms_regions.iter().any(|r| r == "CN") {
        return Check::pass(NAME, "mainland China is not an SMS region");
    }
    let signature = settings.sms_signature.trim();
    if signature.is_empty() {
        Check::fail(
            NAME,
            "CN is an SMS region and SmsSignature is empty: mainland carriers drop texts without a registered signature",
            "register a sender and its 【signature】 and templates for China (docs/deploy.md), then set SmsSignature",
        )
    } else if !(signature.starts_with('【') && signature.ends_with('】')) {
        Check::warn(
            NAME,
            format!("SmsSignature {signature} is not of the form 【…】"),
            "set it to the registered 【signature】",
        )
    } else {
        Check::pass(NAME, format!("texts open with {signature}"))
    }
}

fn sms_delivery_logging(settings: &Settings, attributes: &Answer<HashMap<String, String>>) -> Check {
    const NAME: &str = "sms-delivery-logging";
    let attributes = match attributes {
        Ok(attributes) => attributes,
        Err(why) => return unanswered(NAME, why),
    };
    let role = attributes.get("DeliveryStatusIAMRole").filter(|r| !r.is_empty());
    match (role, &settings.delivery_status_role) {
        (Some(role), Some(ours)) if role == ours => Check::pass(NAME, "SNS logs each SMS's delivery status"),
        (Some(role), _) => Check::pass(NAME, format!("SNS logs delivery status with {role}")),
        (None, Some(_)) => Check::warn(
            NAME,
            "SNS does not log SMS delivery status: a dropped SMS leaves no trace",
            "run `accounts-ops preflight --stack-name <name> --fix`",
        ),
        (None, None) => Check::warn(
            NAME,
            "SNS does not log SMS delivery status",
            "deploy, then run `accounts-ops preflight --stack-name <name> --fix`",
        ),
    }
}

fn certificate(settings: &Settings, certificate: &Answer<Option<(String, Vec<String>)>>) -> Check {
    const NAME: &str = "certificate";
    let domain = settings.pages_domain.trim();
    if domain.is_empty() {
        return Check::pass(NAME, "no domain of your own: the distribution's address");
    }
    let certificate = match certificate {
        Ok(certificate) => certificate,
        Err(why) => return unanswered(NAME, why),
    };
    let request = format!(
        "request an ACM certificate for {domain} in us-east-1 (where CloudFront reads them) and validate it by DNS"
    );
    match certificate {
        None => {
            Check::fail(NAME, format!("PagesCertificateArn names no certificate in us-east-1 for {domain}"), request)
        }
        Some((status, _)) if status != "ISSUED" => {
            Check::fail(NAME, format!("the certificate for {domain} is {status}"), "publish its DNS validation record")
        }
        Some((_, names)) if !names.iter().any(|name| covers(name, domain)) => {
            Check::fail(NAME, format!("the certificate covers {} but not {domain}", names.join(", ")), request)
        }
        Some(_) => Check::pass(NAME, format!("an issued certificate in us-east-1 covers {domain}")),
    }
}

/// Whether a certificate's `name` (perhaps `*.example.com`) covers `domain`.
fn covers(name: &str, domain: &str) -> bool {
    match name.strip_prefix("*.") {
        Some(parent) => domain.split_once('.').is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(parent)),
        None => name.eq_ignore_ascii_case(domain),
    }
}

fn alarm_subscription(settings: &Settings, subscriptions: &Answer<Vec<String>>) -> Check {
    const NAME: &str = "alarm-subscription";
    if settings.alarm_topic.is_none() {
        return Check::warn(
            NAME,
            "no alarm topic known before a deploy",
            "set AlarmEmail, deploy, then confirm the email AWS sends",
        );
    }
    match subscriptions {
        Err(why) => unanswered(NAME, why),
        Ok(arns) if arns.is_empty() => Check::warn(
            NAME,
            "nobody is subscribed to the alarms",
            "set AlarmEmail (or subscribe a pager) to the AlarmTopicArn output",
        ),
        Ok(arns) if arns.iter().any(|arn| arn == "PendingConfirmation") => Check::warn(
            NAME,
            "an alarm subscription waits for its confirmation: alarms reach nobody",
            "open the email \"AWS Notification - Subscription Confirmation\" and confirm",
        ),
        Ok(arns) => Check::pass(NAME, format!("{} confirmed subscription(s)", arns.len())),
    }
}

/// The AWS clients preflight asks (ACM in us-east-1, where CloudFront reads
/// certificates).
pub struct Aws {
    lambda: aws_sdk_lambda::Client,
    ses: aws_sdk_sesv2::Client,
    sns: aws_sdk_sns::Client,
    acm: aws_sdk_acm::Client,
    cloudformation: aws_sdk_cloudformation::Client,
}

fn why(error: impl std::error::Error) -> String {
    aws_sdk_sns::error::DisplayErrorContext(error).to_string()
}

impl Aws {
    /// The clients of `sdk`.
    pub fn new(sdk: &SdkConfig) -> Self {
        let acm = aws_sdk_acm::config::Builder::from(sdk).region(aws_sdk_acm::config::Region::new("us-east-1")).build();
        Self {
            lambda: aws_sdk_lambda::Client::new(sdk),
            ses: aws_sdk_sesv2::Client::new(sdk),
            sns: aws_sdk_sns::Client::new(sdk),
            acm: aws_sdk_acm::Client::from_conf(acm),
            cloudformation: aws_sdk_cloudformation::Client::new(sdk),
        }
    }

    /// The settings of the stack `name`: its parameters and outputs.
    pub async fn stack_settings(&self, name: &str) -> Result<Settings, String> {
        let answer = self.cloudformation.describe_stacks().stack_name(name).send().await.map_err(why)?;
        let stack = answer.stacks().first().ok_or_else(|| format!("no stack {name}"))?;
        let parameters = stack
            .parameters()
            .iter()
            .filter_map(|p| Some((p.parameter_key()?.to_owned(), p.parameter_value().unwrap_or_default().to_owned())))
            .collect();
        let outputs = stack
            .outputs()
            .iter()
            .filter_map(|o| Some((o.output_key()?.to_owned(), o.output_value()?.to_owned())))
            .collect();
        Ok(Settings::of_stack(&parameters, &outputs))
    }

    /// Everything the checks judge, asked of the account.
    pub async fn facts(&self, settings: &Settings) -> Facts {
        Facts {
            lambda_concurrency: self.lambda_concurrency().await,
            ses_account: self.ses_account().await,
            ses_sender: match &settings.email_from {
                Some(sender) => self.ses_sender(sender).await,
                None => Ok(None),
            },
            sms_sandbox: self.sns.get_sms_sandbox_account_status().send().await.map(|a| a.is_in_sandbox()).map_err(why),
            sms_attributes: self
                .sns
                .get_sms_attributes()
                .send()
                .await
                .map(|a| a.attributes().cloned().unwrap_or_default())
                .map_err(why),
            origination_numbers: self.origination_numbers().await,
            certificate: self.certificate(&settings.certificate_arn).await,
            alarm_subscriptions: match &settings.alarm_topic {
                Some(topic) => self.subscriptions(topic).await,
                None => Ok(Vec::new()),
            },
        }
    }

    async fn lambda_concurrency(&self) -> Answer<i64> {
        let settings = self.lambda.get_account_settings().send().await.map_err(why)?;
        let limit = settings.account_limit().ok_or("no account limit in the answer")?;
        Ok(i64::from(limit.concurrent_executions()))
    }

    async fn ses_account(&self) -> Answer<SesAccount> {
        let account = self.ses.get_account().send().await.map_err(why)?;
        Ok(SesAccount {
            production_access: account.production_access_enabled(),
            sending_enabled: account.sending_enabled(),
            max_24_hour_send: account.send_quota().map_or(0.0, |q| q.max24_hour_send()),
        })
    }

    /// The sender's identity: the address's own, else its domain's.
    async fn ses_sender(&self, sender: &str) -> Answer<Option<SesIdentity>> {
        let domain = sender.rsplit_once('@').map_or(sender, |(_, d)| d);
        for name in [sender, domain] {
            match self.ses.get_email_identity().email_identity(name).send().await {
                Ok(identity) => {
                    let dkim =
                        identity.dkim_attributes().and_then(|d| d.status()).map_or("NOT_STARTED", |s| s.as_str());
                    return Ok(Some(SesIdentity {
                        name: name.to_owned(),
                        verified: identity.verified_for_sending_status(),
                        dkim: dkim.to_owned(),
                    }));
                }
                Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found_exception()) => continue,
                Err(e) => return Err(why(e)),
            }
        }
        Ok(None)
    }

    async fn origination_numbers(&self) -> Answer<Vec<(String, String, String)>> {
        let answer = self.sns.list_origination_numbers().send().await.map_err(why)?;
        Ok(answer
            .phone_numbers()
            .iter()
            .map(|n| {
                let text = |v: Option<&str>| v.unwrap_or_default().to_owned();
                (text(n.phone_number()), text(n.iso2_country_code()), text(n.status()))
            })
            .collect())
    }

    async fn certificate(&self, arn: &str) -> Answer<Option<(String, Vec<String>)>> {
        if arn.trim().is_empty() {
            return Ok(None);
        }
        match self.acm.describe_certificate().certificate_arn(arn).send().await {
            Ok(answer) => Ok(answer.certificate().map(|c| {
                let status = c.status().map_or("UNKNOWN", |s| s.as_str()).to_owned();
                let mut names: Vec<String> = c.subject_alternative_names().to_vec();
                names.extend(c.domain_name().map(str::to_owned));
                (status, names)
            })),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_resource_not_found_exception()) => Ok(None),
            Err(e) => Err(why(e)),
        }
    }

    async fn subscriptions(&self, topic: &str) -> Answer<Vec<String>> {
        let answer = self.sns.list_subscriptions_by_topic().topic_arn(topic).send().await.map_err(why)?;
        Ok(answer.subscriptions().iter().filter_map(|s| s.subscription_arn().map(str::to_owned)).collect())
    }

    /// `--fix`: names the stack's role in the account's SMS settings, so SNS
    /// logs each SMS's delivery status (every one, not a sample).
    pub async fn log_sms_delivery(&self, role: &str) -> Result<(), String> {
        self.sns
            .set_sms_attributes()
            .attributes("DeliveryStatusIAMRole", role)
            .attributes("DeliveryStatusSuccessSamplingRate", "100")
            .send()
            .await
            .map(|_| ())
            .map_err(why)
    }
}

/// Runs preflight: the stack's settings (or the template's defaults), the
/// account's facts, `--fix` when asked and possible, and the verdicts.
pub async fn run(aws: &Aws, stack_name: Option<&str>, fix: bool) -> Result<Vec<Check>, String> {
    let settings = match stack_name {
        Some(name) => aws.stack_settings(name).await?,
        None => Settings::template_defaults(),
    };
    if fix {
        let role = settings.delivery_status_role.as_deref().ok_or("--fix needs --stack-name of a deployed stack")?;
        aws.log_sms_delivery(role).await?;
    }
    Ok(judge(&settings, &aws.facts(&settings).await))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready() -> (Settings, Facts) {
        let settings = Settings {
            from_stack: true,
            reserved_per_function: 50,
            email_from: Some("no-reply@gpu.example".into()),
            sms_regions: vec!["CN".into(), "US".into()],
            sms_signature: "【GPU云】".into(),
            sms_origination_number: "+18005550100".into(),
            spend_alarm_usd: 80.0,
            pages_domain: "console.gpu.example".into(),
            certificate_arn: "arn:aws:acm:us-east-1:123456789012:certificate/c".into(),
            alarm_topic: Some("arn:aws:sns:us-east-1:123456789012:alarms".into()),
            delivery_status_role: Some("arn:aws:iam::123456789012:role/sms".into()),
        };
        let facts = Facts {
            lambda_concurrency: Ok(1000),
            ses_account: Ok(SesAccount { production_access: true, sending_enabled: true, max_24_hour_send: 50_000.0 }),
            ses_sender: Ok(Some(SesIdentity { name: "gpu.example".into(), verified: true, dkim: "SUCCESS".into() })),
            sms_sandbox: Ok(false),
            sms_attributes: Ok(HashMap::from([
                ("MonthlySpendLimit".into(), "100".into()),
                ("DeliveryStatusIAMRole".into(), "arn:aws:iam::123456789012:role/sms".into()),
            ])),
            origination_numbers: Ok(vec![("+18005550100".into(), "US".into(), "ACTIVE".into())]),
            certificate: Ok(Some(("ISSUED".into(), vec!["*.gpu.example".into()]))),
            alarm_subscriptions: Ok(vec!["arn:aws:sns:us-east-1:123456789012:alarms:1".into()]),
        };
        (settings, facts)
    }

    fn verdict_of(checks: &[Check], name: &str) -> Verdict {
        checks.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("{name}")).verdict
    }

    #[test]
    fn a_ready_account_passes_every_check() {
        let (settings, facts) = ready();
        let checks = judge(&settings, &facts);
        assert_eq!(checks.len(), 10);
        for check in &checks {
            assert_eq!(check.verdict, Verdict::Pass, "{check:?}");
            assert!(check.fix.is_empty());
        }
    }

    /// Each failure alone: one fact or setting broken, one check fails (or
    /// warns), the others still pass.
    #[test]
    fn each_failure_alone_is_named_with_its_fix() {
        type Break = fn(&mut Settings, &mut Facts);
        let cases: &[(&str, Verdict, Break)] = &[
            ("lambda-concurrency", Verdict::Fail, |_, f| f.lambda_concurrency = Ok(549)),
            ("lambda-concurrency", Verdict::Warn, |s, f| {
                s.reserved_per_function = 0;
                f.lambda_concurrency = Ok(10);
            }),
            ("ses-production", Verdict::Fail, |_, f| {
                f.ses_account =
                    Ok(SesAccount { production_access: false, sending_enabled: true, max_24_hour_send: 200.0 })
            }),
            ("ses-production", Verdict::Fail, |_, f| {
                f.ses_account =
                    Ok(SesAccount { production_access: true, sending_enabled: false, max_24_hour_send: 1.0 })
            }),
            ("ses-sender", Verdict::Fail, |_, f| f.ses_sender = Ok(None)),
            ("ses-sender", Verdict::Fail, |_, f| {
                f.ses_sender =
                    Ok(Some(SesIdentity { name: "gpu.example".into(), verified: false, dkim: "PENDING".into() }))
            }),
            ("ses-sender", Verdict::Warn, |_, f| {
                f.ses_sender =
                    Ok(Some(SesIdentity { name: "a@gpu.example".into(), verified: true, dkim: "NOT_STARTED".into() }))
            }),
            ("sns-sms-sandbox", Verdict::Fail, |_, f| f.sms_sandbox = Ok(true)),
            ("sns-spend-limit", Verdict::Fail, |s, _| s.spend_alarm_usd = 100.0),
            ("sns-spend-limit", Verdict::Fail, |_, f| {
                f.sms_attributes.as_mut().unwrap().remove("MonthlySpendLimit");
            }),
            ("sms-origination", Verdict::Fail, |s, _| s.sms_origination_number.clear()),
            ("sms-origination", Verdict::Fail, |_, f| f.origination_numbers = Ok(Vec::new())),
            ("sms-origination", Verdict::Fail, |_, f| {
                f.origination_numbers = Ok(vec![("+18005550100".into(), "US".into(), "PENDING".into())])
            }),
            ("sms-signature", Verdict::Fail, |s, _| s.sms_signature.clear()),
            ("sms-signature", Verdict::Warn, |s, _| s.sms_signature = "GPU".into()),
            ("sms-delivery-logging", Verdict::Warn, |_, f| {
                f.sms_attributes.as_mut().unwrap().remove("DeliveryStatusIAMRole");
            }),
            ("certificate", Verdict::Fail, |_, f| f.certificate = Ok(None)),
            ("certificate", Verdict::Fail, |_, f| f.certificate = Ok(Some(("PENDING_VALIDATION".into(), vec![])))),
            ("certificate", Verdict::Fail, |_, f| {
                f.certificate = Ok(Some(("ISSUED".into(), vec!["other.example".into()])))
            }),
            ("alarm-subscription", Verdict::Warn, |_, f| {
                f.alarm_subscriptions = Ok(vec!["PendingConfirmation".into()])
            }),
            ("alarm-subscription", Verdict::Warn, |_, f| f.alarm_subscriptions = Ok(Vec::new())),
        ];
        for (name, verdict, broken) in cases {
            let (mut settings, mut facts) = ready();
            broken(&mut settings, &mut facts);
            let checks = judge(&settings, &facts);
            let check = checks.iter().find(|c| c.name == *name).unwrap();
            assert_eq!(check.verdict, *verdict, "{check:?}");
            assert!(!check.fix.is_empty() && !check.fix.contains('\n'), "one line of fix: {check:?}");
            for other in checks.iter().filter(|c| c.name != *name) {
                assert_eq!(other.verdict, Verdict::Pass, "only {name} is broken: {other:?}");
            }
        }
    }

    #[test]
    fn a_fresh_account_before_its_first_deploy_is_told_what_to_do_first() {
        let facts = Facts {
            lambda_concurrency: Ok(10),
            ses_account: Ok(SesAccount { production_access: false, sending_enabled: true, max_24_hour_send: 200.0 }),
            ses_sender: Ok(None),
            sms_sandbox: Ok(true),
            sms_attributes: Ok(HashMap::new()),
            origination_numbers: Ok(Vec::new()),
            certificate: Ok(None),
            alarm_subscriptions: Ok(Vec::new()),
        };
        let checks = judge(&Settings::template_defaults(), &facts);
        assert_eq!(verdict_of(&checks, "lambda-concurrency"), Verdict::Warn, "nothing reserved: it deploys");
        assert_eq!(verdict_of(&checks, "ses-production"), Verdict::Fail);
        assert_eq!(verdict_of(&checks, "sns-sms-sandbox"), Verdict::Fail);
        assert_eq!(verdict_of(&checks, "sns-spend-limit"), Verdict::Warn, "$0.8 alarm under the $1 limit");
        assert_eq!(verdict_of(&checks, "sms-signature"), Verdict::Fail, "CN needs a signature");
        assert_eq!(verdict_of(&checks, "sms-origination"), Verdict::Pass, "CN needs no number");
        assert_eq!(verdict_of(&checks, "certificate"), Verdict::Pass);
    }

    #[test]
    fn a_stacks_settings_come_from_its_parameters_and_outputs() {
        let parameters: HashMap<String, String> = [
            ("HashingReservedConcurrency", ""),
            ("EmailFrom", "no-reply@gpu.example"),
            ("SmsRegions", "CN, us"),
            ("SmsMonthlySpendAlarmUsd", "0.8"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let outputs = HashMap::from([("AlarmTopicArn".to_owned(), "arn:topic".to_owned())]);
        let settings = Settings::of_stack(&parameters, &outputs);
        assert_eq!(settings.reserved_per_function, 0);
        assert_eq!(settings.sms_regions, ["CN", "US"]);
        assert_eq!(settings.alarm_topic.as_deref(), Some("arn:topic"));
        assert_eq!(settings.email_from.as_deref(), Some("no-reply@gpu.example"));
    }
}
