//! The `set-password` Lambda function: setting a password through an emailed link (POST /v1/password/set).
//! Dependencies are built once per cold start; the handler lives in `shared`.

use shared::api::routes::Function;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::run(Function::SetPassword).await
}
