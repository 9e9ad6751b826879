//! `accounts-ops`: see the crate documentation and `accounts-ops --help`.

use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let status = accounts_ops::run(std::env::args_os(), &mut std::io::stdout(), &mut std::io::stderr()).await;
    ExitCode::from(status)
}
