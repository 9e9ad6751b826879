//! Configuration: one typed struct, read from the environment once at start.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::domain::password_policy::PasswordPolicy;
use crate::domain::phone::SmsRegions;

/// Where state and messages go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// On-disk redb store; email and SMS to the outbox.
    Embedded,
    /// DynamoDB, SES v2, SNS and S3.
    Aws,
}

/// Every setting of the service (see the README's table).
#[derive(Debug, Clone)]
pub struct Config {
    /// `ACCOUNTS_ADDR`: the dev server's listen address.
    pub addr: SocketAddr,
    /// `ACCOUNTS_BACKEND`.
    pub backend: Backend,
    /// `ACCOUNTS_DATA_DIR`: the embedded store's directory.
    pub data_dir: PathBuf,
    /// `ACCOUNTS_TABLE`: the DynamoDB table.
    pub table: String,
    /// `ACCOUNTS_BUCKET`: the S3 bucket for verification materials.
    pub bucket: String,
    /// `ACCOUNTS_EMAIL_FROM`: the sender address.
    pub email_from: String,
    /// `ACCOUNTS_EMAIL_FROM_NAME`: the sender's display name (empty: none).
    pub email_from_name: String,
    /// `ACCOUNTS_SMS_SIGNATURE`: text put before every SMS (mainland
    /// carriers require a registered signature such as `【GPU云】`).
    pub sms_signature: String,
    /// `ACCOUNTS_SMS_SENDER_ID`: the alphanumeric sender id SNS shows where
    /// a region supports one (empty: none).
    pub sms_sender_id: Option<String>,
    /// `ACCOUNTS_SMS_ORIGINATION_NUMBER`: the number (or id) SNS sends from,
    /// which the US and Canada require (empty: SNS's choice).
    pub sms_origination_number: Option<String>,
    /// `ACCOUNTS_SES_CONFIGURATION_SET`: the SES configuration set to send
    /// through (bounce and complaint events), if any.
    pub ses_configuration_set: Option<String>,
    /// `ACCOUNTS_CREATE_TABLE=1`: create table, bucket and sender if missing.
    pub create_table: bool,
    /// Whether a Lambda function opens its DynamoDB connection during init
    /// (`lambda::run`): when DynamoDB is reached over TLS, i.e. no
    /// plain-HTTP `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL` override.
    pub warm_up_store: bool,
    /// `ACCOUNTS_PASSWORD_POLICY`.
    pub password_policy: PasswordPolicy,
    /// `ACCOUNTS_OPS_TOKEN`: the dev server's operator token.
    pub ops_token: Option<String>,
    /// `ACCOUNTS_SITE_DIR`: the dev server's site directory, whose
    /// `site.json` and `brand/` files stand in for web/'s (deployed,
    /// `scripts/publish-pages --site` publishes the same).
    pub site_dir: Option<std::path::PathBuf>,
    /// `ACCOUNTS_PUBLIC_URL`: base of links in emails, without trailing `/`.
    pub public_url: String,
    /// `ACCOUNTS_SESSION_TTL_SECS`: absolute session lifetime.
    pub session_absolute_secs: i64,
    /// `ACCOUNTS_SESSION_IDLE_SECS`: idle timeout of a session.
    pub session_idle_secs: i64,
    /// `ACCOUNTS_FORGOT_MIN_MILLIS`: the least time a forgot-password answer
    /// takes, so that known and unknown logins take as long.
    pub forgot_min_duration: std::time::Duration,
    /// `ACCOUNTS_SMS_REGIONS`: regions whose mobile numbers may get SMS.
    pub sms_regions: SmsRegions,
    /// `ACCOUNTS_SMS_DAILY_BUDGET`: SMS the whole service sends a UTC day.
    pub sms_daily_budget: u64,
    /// Per-client limits (each a template parameter, see [`ClientLimits`]).
    pub limits: ClientLimits,
    /// The KMS key that seals TOTP secrets (aws backend).
    pub kms_key_id: String,
    /// The dev server's sealing key, 64 hex characters (embedded backend;
    /// when unset, a key kept in the data directory).
    pub sealing_key: Option<String>,
    /// `ACCOUNTS_APPEAL_HOLD_HOURS`, in seconds: how long an approved
    /// recovery appeal waits before it takes effect (its owner can cancel).
    pub appeal_hold_secs: i64,
    /// Business metrics as EMF lines on stdout (`ACCOUNTS_METRICS=emf`, as
    /// the template sets it).
    pub emf_metrics: bool,
    /// `ACCOUNTS_ORIGIN_SECRET`: the value the CloudFront distribution
    /// sends in `X-Origin-Verify` (the edge's `ORIGIN_HEADER`). Only a
    /// request carrying it is believed about its viewer's address
    /// (`CloudFront-Viewer-Address`); unset, none is.
    pub origin_secret: Option<secrecy::SecretString>,
    /// `ACCOUNTS_WEBAUTHN_RP_ID`: the passkeys' relying party, when not the
    /// host of `ACCOUNTS_PUBLIC_URL` (a parent domain of it).
    pub webauthn_rp_id: Option<String>,
    /// `ACCOUNTS_BREACHED_PASSWORDS`: the base URL of a breached-password
    /// range API (`off`, the default: none).
    pub breached_passwords: Option<String>,
    /// `ACCOUNTS_NEW_DEVICE_CHECK=on`: a sign-in from a new device proves
    /// itself with an emailed code.
    pub new_device_check: bool,
}

/// The limits that count per client IP or network. Deployed, API Gateway's
/// `sourceIp` is the client; a test stack behind one emulator sees every
/// caller as `127.0.0.1`, so each is a setting (a template parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientLimits {
    /// `ACCOUNTS_LIMIT_SMS_PER_IP_HOUR`: SMS one client IP may cause an hour.
    pub sms_per_ip_hour: u64,
    /// `ACCOUNTS_LIMIT_SMS_PER_NETWORK_HOUR`: SMS one client network (IPv4
    /// /24, IPv6 /64) may cause an hour.
    pub sms_per_network_hour: u64,
    /// `ACCOUNTS_LIMIT_FORGOT_PER_IP_HOUR`: forgot-password and
    /// forgot-username requests of one client IP an hour.
    pub forgot_per_ip_hour: u64,
    /// `ACCOUNTS_LIMIT_APPEALS_PER_IP_HOUR`: recovery appeals one client IP
    /// may file an hour.
    pub appeals_per_ip_hour: u64,
}

impl Default for ClientLimits {
    /// The contract's figures.
    fn default() -> Self {
        Self { sms_per_ip_hour: 20, sms_per_network_hour: 60, forgot_per_ip_hour: 20, appeals_per_ip_hour: 5 }
    }
}

/// `off`, or the range API's base URL (HTTPS, or HTTP to this machine).
fn breached_passwords(value: &str) -> Result<Option<String>, ConfigError> {
    if value == "off" {
        return Ok(None);
    }
    if !crate::breach::acceptable_url(value) {
        let problem = "off, or an https:// URL (http:// only to this machine)".to_owned();
        return Err(ConfigError { name: "ACCOUNTS_BREACHED_PASSWORDS", problem });
    }
    Ok(Some(value.to_owned()))
}

fn on_or_off(name: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value {
        "on" => Ok(true),
        "off" => Ok(false),
        other => Err(ConfigError { name, problem: format!("{other:?}: on or off") }),
    }
}

/// A setting that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {problem}")]
pub struct ConfigError {
    name: &'static str,
    problem: String,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `get` (the environment, or a map in tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let text = |name: &'static str, default: &str| {
            get(name).filter(|v| !v.is_empty()).unwrap_or_else(|| default.to_owned())
        };
        let parsed = |name: &'static str, default: &str| -> Result<i64, ConfigError> {
            text(name, default).parse().map_err(|e| ConfigError { name, problem: format!("{e}") })
        };
        let count = |name: &'static str, default: u64| -> Result<u64, ConfigError> {
            text(name, &default.to_string()).parse().map_err(|e| ConfigError { name, problem: format!("{e}") })
        };
        let limits = ClientLimits::default();
        let backend = match text("ACCOUNTS_BACKEND", "embedded").as_str() {
            "embedded" => Backend::Embedded,
            "aws" => Backend::Aws,
            other => {
                return Err(ConfigError {
                    name: "ACCOUNTS_BACKEND",
                    problem: format!("unknown backend {other:?} (embedded or aws)"),
                });
            }
        };
        Ok(Self {
            addr: text("ACCOUNTS_ADDR", "127.0.0.1:3000")
                .parse()
                .map_err(|e| ConfigError { name: "ACCOUNTS_ADDR", problem: format!("{e}") })?,
            backend,
            data_dir: PathBuf::from(text("ACCOUNTS_DATA_DIR", "./.accounts-dev")),
            table: text("ACCOUNTS_TABLE", "accounts"),
            bucket: text("ACCOUNTS_BUCKET", "accounts-materials"),
            email_from: text("ACCOUNTS_EMAIL_FROM", "no-reply@example.com"),
            email_from_name: text("ACCOUNTS_EMAIL_FROM_NAME", "").trim().to_owned(),
            sms_signature: text("ACCOUNTS_SMS_SIGNATURE", ""),
            sms_sender_id: get("ACCOUNTS_SMS_SENDER_ID").filter(|v| !v.is_empty()),
            sms_origination_number: get("ACCOUNTS_SMS_ORIGINATION_NUMBER").filter(|v| !v.is_empty()),
            ses_configuration_set: get("ACCOUNTS_SES_CONFIGURATION_SET").filter(|v| !v.is_empty()),
            create_table: text("ACCOUNTS_CREATE_TABLE", "") == "1",
            warm_up_store: crate::aws_http::dynamodb_over_tls(
                get("AWS_ENDPOINT_URL_DYNAMODB").or_else(|| get("AWS_ENDPOINT_URL")).as_deref(),
            ),
            password_policy: text("ACCOUNTS_PASSWORD_POLICY", "alaya")
                .parse()
                .map_err(|problem| ConfigError { name: "ACCOUNTS_PASSWORD_POLICY", problem })?,
            ops_token: get("ACCOUNTS_OPS_TOKEN").filter(|v| !v.is_empty()),
            site_dir: get("ACCOUNTS_SITE_DIR").filter(|v| !v.is_empty()).map(Into::into),
            public_url: text("ACCOUNTS_PUBLIC_URL", "http://localhost:3000").trim_end_matches('/').to_owned(),
            session_absolute_secs: parsed("ACCOUNTS_SESSION_TTL_SECS", "43200")?,
            session_idle_secs: parsed("ACCOUNTS_SESSION_IDLE_SECS", "3600")?,
            forgot_min_duration: std::time::Duration::from_millis(
                parsed("ACCOUNTS_FORGOT_MIN_MILLIS", "300")?.max(0) as u64
            ),
            sms_regions: text("ACCOUNTS_SMS_REGIONS", "CN")
                .parse()
                .map_err(|problem| ConfigError { name: "ACCOUNTS_SMS_REGIONS", problem })?,
            sms_daily_budget: count("ACCOUNTS_SMS_DAILY_BUDGET", 5000)?,
            limits: ClientLimits {
                sms_per_ip_hour: count("ACCOUNTS_LIMIT_SMS_PER_IP_HOUR", limits.sms_per_ip_hour)?,
                sms_per_network_hour: count("ACCOUNTS_LIMIT_SMS_PER_NETWORK_HOUR", limits.sms_per_network_hour)?,
                forgot_per_ip_hour: count("ACCOUNTS_LIMIT_FORGOT_PER_IP_HOUR", limits.forgot_per_ip_hour)?,
                appeals_per_ip_hour: count("ACCOUNTS_LIMIT_APPEALS_PER_IP_HOUR", limits.appeals_per_ip_hour)?,
            },
            kms_key_id: text("ACCOUNTS_KMS_KEY_ID", "alias/accounts-totp"),
            sealing_key: get("ACCOUNTS_SEALING_KEY").filter(|v| !v.is_empty()),
            emf_metrics: text("ACCOUNTS_METRICS", "") == "emf",
            webauthn_rp_id: get("ACCOUNTS_WEBAUTHN_RP_ID").filter(|v| !v.is_empty()),
            origin_secret: get("ACCOUNTS_ORIGIN_SECRET").filter(|v| !v.is_empty()).map(secrecy::SecretString::from),
            appeal_hold_secs: appeal_hold_hours(count("ACCOUNTS_APPEAL_HOLD_HOURS", 72)?)? * 3600,
            breached_passwords: breached_passwords(&text("ACCOUNTS_BREACHED_PASSWORDS", "off"))?,
            new_device_check: on_or_off("ACCOUNTS_NEW_DEVICE_CHECK", &text("ACCOUNTS_NEW_DEVICE_CHECK", "off"))?,
        })
    }
}

/// The hold of an approved appeal: at least an hour (without one, the
/// owner has no time to cancel an appeal someone else filed) and at most
/// ten years.
fn appeal_hold_hours(hours: u64) -> Result<i64, ConfigError> {
    match hours {
        1..=87_600 => Ok(hours as i64),
        _ => Err(ConfigError { name: "ACCOUNTS_APPEAL_HOLD_HOURS", problem: "must be 1 to 87600 hours".into() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_match_the_contract() {
        let c = config(&[]).unwrap();
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.backend, Backend::Embedded);
        assert_eq!(c.data_dir, PathBuf::from("./.accounts-dev"));
        assert_eq!((c.table.as_str(), c.bucket.as_str()), ("accounts", "accounts-materials"));
        assert_eq!(c.email_from, "no-reply@example.com");
        assert_eq!(c.password_policy, PasswordPolicy::Alaya);
        assert_eq!(c.public_url, "http://localhost:3000");
        assert_eq!((c.session_absolute_secs, c.session_idle_secs), (43_200, 3_600));
        assert!(!c.create_table && c.ops_token.is_none());
        assert_eq!(c.sms_regions, SmsRegions::default());
        assert_eq!(c.sms_daily_budget, 5000);
        assert_eq!(c.appeal_hold_secs, 72 * 3600);
        assert_eq!(
            c.limits,
            ClientLimits {
                sms_per_ip_hour: 20,
                sms_per_network_hour: 60,
                forgot_per_ip_hour: 20,
                appeals_per_ip_hour: 5
            }
        );
    }

    #[test]
    fn reads_overrides_and_refuses_nonsense() {
        let c = config(&[
            ("ACCOUNTS_BACKEND", "aws"),
            ("ACCOUNTS_PASSWORD_POLICY", "nist"),
            ("ACCOUNTS_PUBLIC_URL", "https://a.test/"),
        ])
        .unwrap();
        assert_eq!(c.backend, Backend::Aws);
        assert_eq!(c.password_policy, PasswordPolicy::Nist);
        assert_eq!(c.public_url, "https://a.test");
        assert!(config(&[("ACCOUNTS_BACKEND", "sqlite")]).is_err());
        assert!(config(&[("ACCOUNTS_PASSWORD_POLICY", "weak")]).is_err());
        assert!(config(&[("ACCOUNTS_ADDR", "nowhere")]).is_err());
        assert!(config(&[("ACCOUNTS_SMS_REGIONS", "CN,Narnia")]).is_err());
        assert!(config(&[("ACCOUNTS_SMS_DAILY_BUDGET", "-1")]).is_err());
        assert!(config(&[("ACCOUNTS_APPEAL_HOLD_HOURS", "-1")]).is_err());
        assert!(config(&[("ACCOUNTS_APPEAL_HOLD_HOURS", "0")]).is_err(), "an appeal must leave time to cancel it");
        assert_eq!(config(&[("ACCOUNTS_APPEAL_HOLD_HOURS", "1")]).unwrap().appeal_hold_secs, 3600);
        let raised = config(&[("ACCOUNTS_LIMIT_SMS_PER_IP_HOUR", "100000")]).unwrap();
        assert_eq!(raised.limits.sms_per_ip_hour, 100_000);
    }
}
