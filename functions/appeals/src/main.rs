//! The `appeals` Lambda function: recovery appeals of customers who lost
//! both phone and email (POST /v1/appeals, /v1/appeals/confirm,
//! /v1/appeals/cancel).
//! Dependencies are built once per cold start; the handlers live in `shared`,
//! and only this function's are linked.

use shared::api::functions;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::run(&functions::APPEALS).await
}
