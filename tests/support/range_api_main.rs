//! The breached-password range API fake (`support/range_api.rs`) as a
//! process of its own, for the deployed stack: `range-api PORT`.

#[tokio::main]
async fn main() {
    let port: u16 = std::env::args().nth(1).and_then(|p| p.parse().ok()).expect("usage: range-api PORT");
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.expect("the port is free");
    accounts_tests::range_api::serve(listener).await;
}
