//! The SES v2 mailer: one `SendEmail` with a text and an HTML part, tagged
//! with what it is about (the configuration set's notifications carry the
//! tags back: `flows::message_events`).

use async_trait::async_trait;
use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message, MessageTag};

use super::{EmailMessage, Mailer, SendError};
use crate::aws_errors::{describe, is_transient};

/// Sends through SES v2 from a verified sender.
#[derive(Clone)]
pub struct SesMailer {
    client: Client,
    from: String,
    configuration_set: Option<String>,
}

impl SesMailer {
    /// A mailer sending as `from` (an address, or a display name and an
    /// address: [`super::sender`]).
    pub fn new(client: Client, from: impl Into<String>) -> Self {
        Self { client, from: from.into(), configuration_set: None }
    }

    /// Sends through `configuration_set` (the template's, which publishes
    /// bounces and complaints), when one is named.
    pub fn with_configuration_set(mut self, configuration_set: Option<String>) -> Self {
        self.configuration_set = configuration_set;
        self
    }
}

fn tag(name: &str, value: String) -> Result<MessageTag, SendError> {
    MessageTag::builder().name(name).value(value).build().map_err(|e| SendError::Rejected(e.to_string()))
}

fn utf8(data: String) -> Result<Content, SendError> {
    Content::builder().data(data).charset("UTF-8").build().map_err(|e| SendError::Rejected(e.to_string()))
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send_email(&self, message: EmailMessage) -> Result<(), SendError> {
        let body = Body::builder().text(utf8(message.text)?).html(utf8(message.html)?).build();
        let content = EmailContent::builder()
            .simple(Message::builder().subject(utf8(message.subject)?).body(body).build())
            .build();
        let tags = message.tags;
        let mut request = self
            .client
            .send_email()
            .from_email_address(&self.from)
            .set_configuration_set_name(self.configuration_set.clone());
        for (name, value) in [("account_id", tags.account_id), ("purpose", Some(tags.purpose))] {
            if let Some(value) = value.filter(|v| !v.is_empty()) {
                request = request.email_tags(tag(name, value)?);
            }
        }
        request
            .destination(Destination::builder().to_addresses(message.to).build())
            .content(content)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| {
                if is_transient(&e) { SendError::Unavailable(describe(&e)) } else { SendError::Rejected(describe(&e)) }
            })
    }
}
