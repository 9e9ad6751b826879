//! The `email-events` Lambda function, subscribed to the topic SES's
//! configuration set publishes to: each delivery, bounce, complaint and
//! reject goes to the trail of the account the email was about, and to
//! metrics. It serves no route.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::run_email_events().await
}
