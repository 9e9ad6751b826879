//! The `passkeys` Lambda function: registering, listing, renaming and
//! removing passkeys (`/v1/me/passkeys…`) and signing in with one
//! (`/v1/sessions/passkey…`). The only binary that links the WebAuthn
//! library; the handlers live in `shared`.

use shared::api::functions;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::run(&functions::PASSKEYS).await
}
