//! The `queue-watch` Lambda function, run every 15 minutes by EventBridge:
//! counts what waits for operators (verifications, appeals, unfinished
//! erasures) and writes the gauges the dashboard and alarms read. It serves
//! no route.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::run_scheduled(&shared::lambda::QUEUE_WATCH).await
}
