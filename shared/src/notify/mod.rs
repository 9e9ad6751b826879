//! The notification ports (email and SMS), their message types and the email
//! templates.

#[cfg(feature = "dev")]
pub mod outbox;
#[cfg(feature = "ses")]
pub mod ses;
pub mod ses_events;
#[cfg(feature = "sns")]
pub mod sns;
pub mod templates;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// An email ready to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailMessage {
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
    /// What it is about, for the provider's own records.
    #[serde(default)]
    pub tags: MessageTags,
}

/// What a message is about, carried beside it (never in it) for the
/// provider's own records: SES sends them as message tags, and its delivery
/// notifications bring them back, so a bounce finds the account's trail.
/// Never personal data: an account id and a purpose.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageTags {
    /// The account the message is about, if any (an appeal's contact
    /// address has none).
    pub account_id: Option<String>,
    /// Why it was sent: the template's name (`invitation`, …).
    pub purpose: String,
}

/// An SMS ready to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsMessage {
    /// E.164 recipient.
    pub to: String,
    /// The text.
    pub text: String,
}

/// What happened to an email after it left, as the provider reports it
/// (`ses_events` reads SES's notifications; `flows::message_events`
/// records them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The recipient's mail server took it.
    Delivered,
    /// It bounced: `Permanent` (a hard bounce), `Transient` or `Undetermined`.
    Bounced(&'static str),
    /// The recipient marked it as spam.
    Complained,
    /// The provider refused to send it (a virus, say).
    Rejected,
}

/// A provider's report on one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// What happened.
    pub outcome: Outcome,
    /// The account the message was about (its tag), if any.
    pub account_id: Option<String>,
    /// Why it was sent (its tag), if known.
    pub purpose: Option<String>,
}

/// The `From` of an email: `address` alone, or with a display `name` —
/// quoted when it is ASCII, as an RFC 2047 encoded word when it is not
/// (`=?UTF-8?B?…?=`, what SES asks for a non-ASCII name).
pub fn sender(name: &str, address: &str) -> String {
    use base64::Engine as _;
    let name = name.trim();
    if name.is_empty() {
        address.to_owned()
    } else if name.is_ascii() && !name.chars().any(|c| c.is_ascii_control()) {
        let quoted = name.replace('\\', "\\\\").replace('"', "\\\"");
        format!("\"{quoted}\" <{address}>")
    } else {
        let encoded = base64::engine::general_purpose::STANDARD.encode(name.as_bytes());
        format!("=?UTF-8?B?{encoded}?= <{address}>")
    }
}

/// Why a message could not be handed to the provider.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SendError {
    /// Throttled or down: retry later.
    #[error("provider unavailable: {0}")]
    Unavailable(String),
    /// Refused for good (bad address, unverified sender, …).
    #[error("provider refused the message: {0}")]
    Rejected(String),
}

/// Sends email (SES v2 deployed, the outbox locally).
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Hands `message` to the provider.
    async fn send_email(&self, message: EmailMessage) -> Result<(), SendError>;
}

/// Sends SMS (SNS deployed, the outbox locally).
#[async_trait]
pub trait SmsSender: Send + Sync {
    /// Hands `message` to the provider.
    async fn send_sms(&self, message: SmsMessage) -> Result<(), SendError>;
}

/// Stands in for a provider this binary was built without. The route table
/// sends a function only routes it has the adapters for, so a call here is
/// a bug of ours (`500`), never a client's doing.
pub struct NotInThisBinary(pub &'static str);

#[async_trait]
impl Mailer for NotInThisBinary {
    async fn send_email(&self, _message: EmailMessage) -> Result<(), SendError> {
        Err(SendError::Rejected(format!("{} is not in this function", self.0)))
    }
}

#[async_trait]
impl SmsSender for NotInThisBinary {
    async fn send_sms(&self, _message: SmsMessage) -> Result<(), SendError> {
        Err(SendError::Rejected(format!("{} is not in this function", self.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::sender;

    #[test]
    fn a_display_name_is_quoted_or_encoded() {
        assert_eq!(sender("", "no-reply@gpu.example"), "no-reply@gpu.example");
        assert_eq!(sender("GPU Cloud", "no-reply@gpu.example"), "\"GPU Cloud\" <no-reply@gpu.example>");
        assert_eq!(sender("A \"B\" \\ C", "x@y.example"), "\"A \\\"B\\\" \\\\ C\" <x@y.example>");
        assert_eq!(sender("GPU云", "no-reply@gpu.example"), "=?UTF-8?B?R1BV5LqR?= <no-reply@gpu.example>");
    }
}
