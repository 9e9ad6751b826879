//! The `sub-accounts` Lambda function: sub-accounts: create, list and send a password reset.
//! Dependencies are built once per cold start; the handlers live in `shared`,
//! and only this function's are linked.

use shared::api::functions;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::run(&functions::SUB_ACCOUNTS).await
}
