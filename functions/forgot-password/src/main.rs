//! The `forgot-password` Lambda function: forgot password: a reset link by email or a code by SMS, and the reset with that code.
//! Dependencies are built once per cold start; the handlers live in `shared`,
//! and only this function's are linked.

use shared::api::functions;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::run(&functions::FORGOT_PASSWORD).await
}
