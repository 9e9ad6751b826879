//! The `unmatched` Lambda function: the HTTP API's `$default` route. A
//! request no route matched gets the dev server's problem JSON `404` (or
//! `405` with `Allow` when its path serves other methods) in the caller's
//! language, instead of API Gateway's own `{"message":"Not Found"}`.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::run_unmatched().await
}
