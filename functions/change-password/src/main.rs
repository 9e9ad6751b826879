//! The `change-password` Lambda function: changing the password while signed in (PUT /v1/me/password).
//! Dependencies are built once per cold start; the handlers live in `shared`,
//! and only this function's are linked.

use shared::api::functions;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::run(&functions::CHANGE_PASSWORD).await
}
