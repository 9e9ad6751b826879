//! The `contact-details` Lambda function: changing the account's email
//! (POST /v1/me/email, /v1/me/email/confirm) and phone (POST
//! /v1/me/phone/sms-code, PUT /v1/me/phone).
//! Dependencies are built once per cold start; the handlers live in `shared`,
//! and only this function's are linked.

use shared::api::functions;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::run(&functions::CONTACT_DETAILS).await
}
