//! The `sms-codes` Lambda function: sending one-time SMS codes (POST /v1/sms-codes).
//! Dependencies are built once per cold start; the handler lives in `shared`.

use shared::api::routes::Function;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::run(Function::SmsCodes).await
}
