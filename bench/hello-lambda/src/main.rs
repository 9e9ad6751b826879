//! The cold-start baseline of `bench/coldstart.py`: `lambda_http`'s hello
//! world, built by the same release profile as the functions, on the same
//! single-threaded runtime they use. What a function's init and first
//! response add to this is what it does itself.

use lambda_http::{Body, Error, Request, Response, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    lambda_http::run(service_fn(|_: Request| async { Ok::<_, Error>(Response::new(Body::from("hello"))) })).await
}
