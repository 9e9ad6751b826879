//! The SNS SMS sender: a direct publish to the phone number, marked
//! transactional so carriers deliver it as a one-time code.

use async_trait::async_trait;
use aws_sdk_sns::Client;
use aws_sdk_sns::types::MessageAttributeValue;

use super::{SendError, SmsMessage, SmsSender};
use crate::aws_errors::{describe, is_transient};

/// Sends SMS through SNS.
#[derive(Clone)]
pub struct SnsSmsSender {
    client: Client,
}

impl SnsSmsSender {
    /// A sender over `client`.
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

#[async_trait]
impl SmsSender for SnsSmsSender {
    async fn send_sms(&self, message: SmsMessage) -> Result<(), SendError> {
        let transactional = MessageAttributeValue::builder()
            .data_type("String")
            .string_value("Transactional")
            .build()
            .map_err(|e| SendError::Rejected(e.to_string()))?;
        self.client
            .publish()
            .phone_number(message.to)
            .message(message.text)
            .message_attributes("AWS.SNS.SMS.SMSType", transactional)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| {
                if is_transient(&e) { SendError::Unavailable(describe(&e)) } else { SendError::Rejected(describe(&e)) }
            })
    }
}
