//! The `sessions` Lambda function: sign-in (both steps with MFA on),
//! sign-out and GET /v1/me.
//! Dependencies are built once per cold start; the handlers live in `shared`,
//! and only this function's are linked.

use shared::api::functions;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::run(&functions::SESSIONS).await
}
