//! `accounts-dev`: serves every function's routes, the pages and the dev
//! routes in one process. Settings come from the environment (README).

use shared::Config;

#[tokio::main]
async fn main() -> Result<(), accounts_dev::StartError> {
    shared::telemetry::init_text();
    let config = Config::from_env()?;
    let server = accounts_dev::DevServer::start(config).await?;
    println!("accounts-dev listening on http://{}", server.addr());
    println!("operator token: {}", server.ops_token());
    tokio::signal::ctrl_c().await?;
    Ok(())
}
