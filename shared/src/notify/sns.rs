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
    sender_id: Option<String>,
    origination_number: Option<String>,
}

impl SnsSmsSender {
    /// A sender over `client`, leaving SNS to choose where a message comes from.
    pub fn new(client: Client) -> Self {
        Self { client, sender_id: None, origination_number: None }
    }

    /// Sends with this alphanumeric sender id (where a region supports one)
    /// and from this origination number (which the US and Canada require).
    pub fn from_origin(mut self, sender_id: Option<String>, origination_number: Option<String>) -> Self {
        self.sender_id = sender_id;
        self.origination_number = origination_number;
        self
    }
}

fn text_attribute(value: &str) -> Result<MessageAttributeValue, SendError> {
    MessageAttributeValue::builder()
        .data_type("String")
        .string_value(value)
        .build()
        .map_err(|e| SendError::Rejected(e.to_string()))
}

#[async_trait]
impl SmsSender for SnsSmsSender {
    async fn send_sms(&self, message: SmsMessage) -> Result<(), SendError> {
        let mut request = self
            .client
            .publish()
            .phone_number(message.to)
            .message(message.text)
            .message_attributes("AWS.SNS.SMS.SMSType", text_attribute("Transactional")?);
        if let Some(sender_id) = &self.sender_id {
            request = request.message_attributes("AWS.SNS.SMS.SenderID", text_attribute(sender_id)?);
        }
        if let Some(number) = &self.origination_number {
            request = request.message_attributes("AWS.MM.SMS.OriginationNumber", text_attribute(number)?);
        }
        request.send().await.map(|_| ()).map_err(|e| {
            if is_transient(&e) { SendError::Unavailable(describe(&e)) } else { SendError::Rejected(describe(&e)) }
        })
    }
}
