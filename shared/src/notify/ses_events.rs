//! SES's event records, as its configuration set publishes them to SNS
//! ("Contents of event data that Amazon SES publishes to Amazon SNS"), read
//! into [`Report`]s. Only what the trail and the metrics need
//! is read; the rest (recipients, headers) never leaves this module.

use std::collections::HashMap;

use serde::Deserialize;

use super::{Outcome, Report};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    /// `notificationType` in the identity notifications sent without a
    /// configuration set.
    #[serde(alias = "notificationType")]
    event_type: String,
    #[serde(default)]
    mail: Mail,
    #[serde(default)]
    bounce: Option<Bounce>,
}

#[derive(Default, Deserialize)]
struct Mail {
    /// Each tag's values (SES sends a list).
    #[serde(default)]
    tags: HashMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bounce {
    bounce_type: String,
}

/// The report in an SES event record (the `Message` of an SNS
/// notification); `None` for event types nobody reads (sends, opens,
/// clicks) and for what is not an SES record at all.
pub fn report(message: &str) -> Option<Report> {
    let record: Record = serde_json::from_str(message).ok()?;
    let outcome = match record.event_type.as_str() {
        "Delivery" => Outcome::Delivered,
        "Bounce" => Outcome::Bounced(match record.bounce.as_ref().map(|b| b.bounce_type.as_str()) {
            Some("Permanent") => "Permanent",
            Some("Transient") => "Transient",
            _ => "Undetermined",
        }),
        "Complaint" => Outcome::Complained,
        "Reject" => Outcome::Rejected,
        _ => return None,
    };
    let tag = |name: &str| record.mail.tags.get(name).and_then(|values| values.first()).cloned();
    Some(Report { outcome, account_id: tag("account_id"), purpose: tag("purpose") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_event_type_reads_as_its_outcome_with_the_message_tags() {
        let bounce = r#"{"eventType": "Bounce", "bounce": {"bounceType": "Permanent", "bouncedRecipients": []},
            "mail": {"tags": {"account_id": ["a1"], "purpose": ["invitation"], "ses:configuration-set": ["c"]}}}"#;
        assert_eq!(
            report(bounce),
            Some(Report {
                outcome: Outcome::Bounced("Permanent"),
                account_id: Some("a1".into()),
                purpose: Some("invitation".into())
            })
        );
        let delivery = report(r#"{"notificationType": "Delivery", "mail": {}}"#).unwrap();
        assert_eq!((delivery.outcome, delivery.account_id), (Outcome::Delivered, None));
        assert_eq!(report(r#"{"eventType": "Reject", "mail": {}}"#).unwrap().outcome, Outcome::Rejected);
        assert_eq!(report(r#"{"eventType": "Bounce", "mail": {}}"#).unwrap().outcome, Outcome::Bounced("Undetermined"));
        assert_eq!(report(r#"{"eventType": "Open", "mail": {}}"#), None);
        assert_eq!(report("not json"), None);
    }
}
