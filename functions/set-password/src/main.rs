//! The `set-password` Lambda function: setting a password through an emailed link (POST /v1/password/set).
//! Dependencies are built once per cold start; the handlers live in `shared`,
//! and only this function's are linked.

use shared::api::functions;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::run(&functions::SET_PASSWORD).await
}
