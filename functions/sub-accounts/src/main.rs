//! The `sub-accounts` Lambda function: sub-accounts: create, list and send a password reset.
//! Dependencies are built once per cold start; the handler lives in `shared`.

use shared::api::routes::Function;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::run(Function::SubAccounts).await
}
