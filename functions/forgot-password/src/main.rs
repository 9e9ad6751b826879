//! The `forgot-password` Lambda function: forgot password: a reset link by email or a code by SMS, and the reset with that code.
//! Dependencies are built once per cold start; the handler lives in `shared`.

use shared::api::routes::Function;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::run(Function::ForgotPassword).await
}
