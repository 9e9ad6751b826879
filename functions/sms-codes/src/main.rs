//! The `sms-codes` Lambda function: sending one-time SMS codes (POST /v1/sms-codes).
//! Dependencies are built once per cold start; the handlers live in `shared`,
//! and only this function's are linked.

use shared::api::functions;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::run(&functions::SMS_CODES).await
}
