//! The `security` Lambda function: the account centre's sessions and
//! two-factor sign-in (GET/DELETE /v1/me/sessions, /v1/me/mfa).
//! Dependencies are built once per cold start; the handlers live in `shared`,
//! and only this function's are linked.

use shared::api::functions;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::run(&functions::SECURITY).await
}
