//! Answers about an account: sign-up, the account itself, its links, its
//! sub-accounts, the SMS regions.

use serde::Serialize;

use crate::clock::rfc3339;
use crate::domain::password_policy::PasswordPolicy;
use crate::domain::sub_account_policy::SubAccountPolicy;
use crate::domain::{Account, AccountId, AccountKind, AccountStatus, account::VerificationStatus};
use crate::i18n::Lang;

#[cfg(feature = "schema")]
use schemars::JsonSchema;

/// `200`: the regions whose mobile numbers get SMS, for the pages' region
/// picker (the first is the default).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct SmsRegionList {
    /// In the order of `ACCOUNTS_SMS_REGIONS`.
    pub regions: Vec<SmsRegion>,
}

/// One region of [`SmsRegionList`].
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct SmsRegion {
    /// ISO 3166 alpha-2 code.
    pub region: String,
    /// The country calling code, without `+`.
    pub calling_code: u16,
    /// The national trunk prefix (`0` in China), dropped when a national
    /// number is written in E.164; `null` if the region has none.
    pub national_prefix: Option<String>,
}

/// `200` for `GET /v1/password-policy`: the active preset's rules as
/// data, so the pages render the rules the service enforces.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct PasswordPolicyView {
    /// `alaya`, `alibaba` or `nist`.
    pub preset: &'static str,
    /// Fewest characters (code points after NFC for `nist`).
    pub min_length: usize,
    /// Most characters.
    pub max_length: usize,
    /// Only printable ASCII.
    pub ascii_only: bool,
    /// Whether a space may appear.
    pub spaces_allowed: bool,
    /// The classes that count: `uppercase`, `lowercase`, `digit`, `symbol`.
    pub character_classes: Vec<&'static str>,
    /// How many of them a password needs (all four for `alaya`).
    pub min_classes: usize,
    /// Whether a password containing the username is refused.
    pub refuses_username: bool,
    /// Whether a known-common password is refused.
    pub refuses_common: bool,
    /// Whether a password found in breaches is refused (a list is configured).
    pub refuses_breached: bool,
}

impl PasswordPolicyView {
    /// The view of `policy`, with whether a breached-password list is on.
    pub fn of(policy: PasswordPolicy, refuses_breached: bool) -> Self {
        let rules = policy.rules();
        Self {
            preset: policy.name(),
            min_length: rules.length.0,
            max_length: rules.length.1,
            ascii_only: rules.ascii_only,
            spaces_allowed: rules.spaces_allowed,
            character_classes: rules.classes.iter().map(|class| class.name()).collect(),
            min_classes: rules.min_classes,
            refuses_username: rules.refuses_username,
            refuses_common: rules.refuses_common,
            refuses_breached,
        }
    }
}

/// `201` for a new (pending) account or sub-account.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct AccountCreated {
    /// Its id.
    pub account_id: AccountId,
    /// Its username.
    pub username: String,
    /// `pending_activation`.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub status: AccountStatus,
}

impl From<&Account> for AccountCreated {
    fn from(account: &Account) -> Self {
        Self {
            account_id: account.account_id.clone(),
            username: account.username.as_str().to_owned(),
            status: account.status,
        }
    }
}

/// Where real-name verification stands, in the account's view.
#[derive(Debug, Clone, Copy, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct VerificationState {
    /// `unverified`, `pending_review`, `approved` or `rejected`.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub status: VerificationStatus,
}

/// Two-factor sign-in, in the account's view.
#[derive(Debug, Clone, Copy, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct MfaState {
    /// Whether TOTP is on.
    pub totp: bool,
    /// Recovery codes not used yet.
    pub recovery_codes_left: usize,
}

/// The account as `GET /v1/me` and a new session show it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct AccountView {
    /// Its id.
    pub account_id: AccountId,
    /// Its username.
    pub username: String,
    /// Its email, as given.
    pub email: String,
    /// Its phone (E.164), if any.
    pub phone: Option<String>,
    /// The organisation given at sign-up.
    pub organization: Option<String>,
    /// `primary` or `sub`.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub kind: AccountKind,
    /// `pending_activation`, `active` or `deleting`.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub status: AccountStatus,
    /// Real-name verification.
    pub verification: VerificationState,
    /// Two-factor sign-in.
    pub mfa: MfaState,
    /// When it signed up.
    pub created_at: String,
    /// `en` or `zh-CN`: the language of its emails and SMS.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub language: Lang,
    /// `true` when the session may only set TOTP up (`GET /v1/me` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mfa_enrolment_required: Option<bool>,
}

impl From<&Account> for AccountView {
    fn from(account: &Account) -> Self {
        Self {
            account_id: account.account_id.clone(),
            username: account.username.as_str().to_owned(),
            email: account.email.as_str().to_owned(),
            phone: account.phone.as_ref().map(|p| p.as_str().to_owned()),
            organization: account.organization.clone(),
            kind: account.kind,
            status: account.status,
            verification: VerificationState { status: account.verification_status },
            mfa: MfaState {
                totp: account.mfa.is_some(),
                recovery_codes_left: account.mfa.as_ref().map_or(0, |mfa| mfa.recovery_codes.len()),
            },
            created_at: rfc3339(account.created_at),
            language: account.language,
            mfa_enrolment_required: None,
        }
    }
}

/// `POST /v1/password/link`: whose link it is, without using it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct LinkInfo {
    /// `activate` or `reset`.
    pub purpose: &'static str,
    /// Whose link it is.
    pub username: String,
    /// The account's phone, masked.
    pub phone: Option<String>,
    /// When it stops working.
    pub expires_at: String,
}

/// A sub-account in its primary account's list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct SubAccountItem {
    /// Its id.
    pub account_id: AccountId,
    /// Its username.
    pub username: String,
    /// Its email.
    pub email: String,
    /// Its phone, if any.
    pub phone: Option<String>,
    /// `pending_activation`, `active`, `disabled` or `suspended` (an
    /// operator's suspension wins over its primary's disable).
    pub status: &'static str,
    /// Whether TOTP is on.
    pub mfa: bool,
    /// When it was created.
    pub created_at: String,
    /// When it last signed in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_sign_in_at: Option<String>,
}

impl SubAccountItem {
    /// `account`, which last signed in at `last_sign_in_at`.
    pub fn listed(account: &Account, last_sign_in_at: Option<i64>) -> Self {
        let status = if account.suspension.is_some() {
            "suspended"
        } else if account.disabled.is_some() {
            "disabled"
        } else if account.status == AccountStatus::PendingActivation {
            "pending_activation"
        } else {
            "active"
        };
        Self {
            account_id: account.account_id.clone(),
            username: account.username.as_str().to_owned(),
            email: account.email.as_str().to_owned(),
            phone: account.phone.as_ref().map(|p| p.as_str().to_owned()),
            status,
            mfa: account.mfa.is_some(),
            created_at: rfc3339(account.created_at),
            last_sign_in_at: last_sign_in_at.map(rfc3339),
        }
    }
}

/// A primary account's policy for its sub-accounts.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct PolicyView {
    /// Sub-accounts need TOTP (or a passkey sign-in).
    pub mfa_required: bool,
    /// Hours a sub-account's session lasts at most.
    pub session_hours: u8,
    /// CIDR blocks sub-accounts may act from; empty: anywhere.
    pub allowed_networks: Vec<String>,
}

impl From<&SubAccountPolicy> for PolicyView {
    fn from(policy: &SubAccountPolicy) -> Self {
        Self {
            mfa_required: policy.mfa_required,
            session_hours: policy.session_hours,
            allowed_networks: policy.allowed_networks.iter().map(ToString::to_string).collect(),
        }
    }
}
