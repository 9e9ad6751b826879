//! The notification ports (email and SMS), their message types and the email
//! templates.

#[cfg(feature = "dev")]
pub mod outbox;
#[cfg(feature = "ses")]
pub mod ses;
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
}

/// An SMS ready to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsMessage {
    /// E.164 recipient.
    pub to: String,
    /// The text.
    pub text: String,
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
