//! The `appeal-hold` Lambda function, run every 15 minutes by EventBridge:
//! carries out the recovery appeals whose hold has passed (the contact
//! email becomes the account's, two-factor sign-in is turned off, sessions
//! end, the old email and phone are told). It serves no route.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::run_scheduled(&shared::lambda::APPEAL_HOLD).await
}
