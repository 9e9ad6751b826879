//! The `operator` Lambda function: the operator API (IAM-authorised routes under /ops/v1).
//! Dependencies are built once per cold start; the handler lives in `shared`.

use shared::api::routes::Function;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::run(Function::Operator).await
}
