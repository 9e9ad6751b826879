//! The `deletion` Lambda function: account deletion requests: ask, read and cancel.
//! Dependencies are built once per cold start; the handler lives in `shared`.

use shared::api::routes::Function;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::run(Function::Deletion).await
}
