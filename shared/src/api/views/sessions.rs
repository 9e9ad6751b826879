//! Answers of signing in and of the security centre: sessions, passkeys,
//! two-factor enrolment and recovery codes.

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use super::AccountView;
use crate::clock::rfc3339;
use crate::domain::devices::RememberedDevice;
use crate::domain::records::Passkey;
use crate::domain::{ChallengeId, DeviceId, PasskeyId, RegistrationId, SessionId};
use crate::flows::security::SessionView;

#[cfg(feature = "schema")]
use schemars::JsonSchema;

/// `201` of a sign-in: the session's token (also set as the cookie).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct SessionCreated {
    /// The bearer token.
    pub token: String,
    /// When it ends whatever its use.
    pub expires_at: String,
    /// The signed-in account.
    pub account: AccountView,
    /// `true` when the session may only set TOTP up (its primary account's
    /// policy requires two-factor sign-in); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mfa_enrolment_required: Option<bool>,
    /// A remembered device's token, when the second step asked for one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_token: Option<String>,
}

/// `200` of a sign-in with two-factor sign-in on: no session yet.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct MfaRequired {
    /// Always `true`.
    pub mfa_required: bool,
    /// The token of the second step.
    pub mfa_token: String,
    /// Seconds it stays valid.
    pub expires_in: i64,
    /// `email_code` when the code is emailed (a new device); absent for
    /// a TOTP or recovery code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
}

/// A remembered device in the account centre's list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct DeviceItem {
    /// Its public id.
    pub device_id: DeviceId,
    /// When it was remembered.
    pub created_at: String,
    /// When it last stood in for the second step.
    pub last_used_at: String,
    /// The browser's user agent when it was remembered.
    pub user_agent: String,
    /// Its browser and major version (`Chrome 120`), if the agent says.
    pub browser: Option<String>,
    /// Its operating system (`Windows 10`), if the agent says.
    pub os: Option<String>,
}

impl From<&RememberedDevice> for DeviceItem {
    fn from(device: &RememberedDevice) -> Self {
        let (browser, os) = device_of(&device.user_agent);
        Self {
            device_id: device.device_id.clone(),
            created_at: rfc3339(device.created_at),
            last_used_at: rfc3339(device.last_used_at),
            user_agent: device.user_agent.clone(),
            browser,
            os,
        }
    }
}

/// The browser (with its major version, `Chrome 120`) and the operating
/// system (`Windows 10`, `Mac OSX 10.15.7`, `iPhone 17.4`) a user agent
/// names, as Project Woothee's parser reads it; `None` for what it cannot
/// tell.
pub fn device_of(user_agent: &str) -> (Option<String>, Option<String>) {
    let Some(parsed) = woothee::parser::Parser::new().parse(user_agent) else {
        return (None, None);
    };
    let known = |value: &str| !value.is_empty() && value != woothee::woothee::VALUE_UNKNOWN;
    let browser = known(parsed.name).then(|| match parsed.version.split('.').next().filter(|v| known(v)) {
        Some(major) => format!("{} {major}", parsed.name),
        None => parsed.name.to_owned(),
    });
    let version = parsed.os_version.trim();
    // Windows names carry their version already ("Windows 10", not "NT 10.0").
    let os = known(parsed.os).then(|| {
        if known(version) && !parsed.os.starts_with("Windows") {
            format!("{} {version}", parsed.os)
        } else {
            parsed.os.to_owned()
        }
    });
    (browser, os)
}

/// A session in the account centre's list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct SessionItem {
    /// Its public id (not the token).
    pub session_id: SessionId,
    /// Sign-in time.
    pub created_at: String,
    /// Last use (to within a minute).
    pub last_seen_at: String,
    /// The client IP at sign-in.
    pub ip: String,
    /// The user agent at sign-in.
    pub user_agent: String,
    /// Its browser and major version (`Chrome 120`), if the agent says.
    pub browser: Option<String>,
    /// Its operating system (`Windows 10`), if the agent says.
    pub os: Option<String>,
    /// Whether it is the session asking.
    pub current: bool,
}

impl From<&SessionView> for SessionItem {
    fn from(session: &SessionView) -> Self {
        let (browser, os) = device_of(&session.user_agent);
        Self {
            session_id: session.session_id.clone(),
            created_at: rfc3339(session.created_at),
            last_seen_at: rfc3339(session.last_seen_at),
            ip: session.ip.clone(),
            user_agent: session.user_agent.clone(),
            browser,
            os,
            current: session.current,
        }
    }
}

/// A passkey registration begun: the options for
/// `PublicKeyCredential.parseCreationOptionsFromJSON`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct PasskeyRegistration {
    /// What `POST /v1/me/passkeys` names.
    pub registration_id: RegistrationId,
    /// `PublicKeyCredentialCreationOptions` as JSON.
    pub options: serde_json::Value,
}

/// A passkey sign-in begun: the options for
/// `PublicKeyCredential.parseRequestOptionsFromJSON`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct PasskeyChallenge {
    /// What `POST /v1/sessions/passkey` names.
    pub challenge_id: ChallengeId,
    /// `PublicKeyCredentialRequestOptions` as JSON.
    pub options: serde_json::Value,
}

/// A passkey just added.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct PasskeyCreated {
    /// Its id.
    pub passkey_id: PasskeyId,
    /// Its name.
    pub name: String,
    /// When it was added.
    pub created_at: String,
}

impl From<&Passkey> for PasskeyCreated {
    fn from(passkey: &Passkey) -> Self {
        Self {
            passkey_id: passkey.passkey_id.clone(),
            name: passkey.name.clone(),
            created_at: rfc3339(passkey.created_at),
        }
    }
}

/// A passkey in the account centre's list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct PasskeyItem {
    /// Its id.
    pub passkey_id: PasskeyId,
    /// Its name.
    pub name: String,
    /// When it was added.
    pub created_at: String,
    /// When it last signed in, if ever.
    pub last_used_at: Option<String>,
    /// Whether it is backed up (synced between devices).
    pub backed_up: bool,
}

impl From<&Passkey> for PasskeyItem {
    fn from(passkey: &Passkey) -> Self {
        Self {
            passkey_id: passkey.passkey_id.clone(),
            name: passkey.name.clone(),
            created_at: rfc3339(passkey.created_at),
            last_used_at: passkey.last_used_at.map(rfc3339),
            backed_up: passkey.backed_up,
        }
    }
}

/// `201` of TOTP enrolment: the secret to type or scan.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Enrolment {
    /// The secret, base32.
    pub secret: String,
    /// The `otpauth://` URI.
    pub otpauth_uri: String,
    /// A QR code of the URI, as SVG.
    pub qr_svg: String,
}

/// Recovery codes, shown once.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct RecoveryCodes {
    /// Ten codes, each working once.
    pub recovery_codes: Vec<String>,
}

impl RecoveryCodes {
    /// The codes, shown once: the one place they leave their secret type.
    pub fn shown(codes: &[SecretString]) -> Self {
        Self { recovery_codes: codes.iter().map(|c| c.expose_secret().to_owned()).collect() }
    }
}

#[cfg(test)]
mod tests {
    use super::device_of;

    fn browser_of(agent: &str) -> Option<String> {
        device_of(agent).0
    }

    fn os_of(agent: &str) -> Option<String> {
        device_of(agent).1
    }

    #[test]
    fn agents_read_as_browser_and_os() {
        let chrome_mac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) \
                          Chrome/120.0.0.0 Safari/537.36";
        assert_eq!(browser_of(chrome_mac).as_deref(), Some("Chrome 120"));
        assert_eq!(os_of(chrome_mac).as_deref(), Some("Mac OSX 10.15.7"));
        let edge_windows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                            Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91";
        assert_eq!(browser_of(edge_windows).as_deref(), Some("Edge 120"));
        assert_eq!(os_of(edge_windows).as_deref(), Some("Windows 10"));
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) \
                      Version/17.4 Mobile/15E148 Safari/604.1";
        assert_eq!(browser_of(iphone).as_deref(), Some("Safari 17"));
        assert_eq!(os_of(iphone).as_deref(), Some("iPhone 17.4"));
        for unknown in ["", "curl/8.5.0", "x".repeat(600).as_str(), "\u{202e}evil"] {
            assert_eq!(os_of(unknown), None, "{unknown:?}");
        }
    }
}
