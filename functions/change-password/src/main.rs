//! The `change-password` Lambda function: changing the password while signed in (PUT /v1/me/password).
//! Dependencies are built once per cold start; the handler lives in `shared`.

use shared::api::routes::Function;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::run(Function::ChangePassword).await
}
