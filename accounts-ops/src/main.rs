//! `accounts-ops`: see the crate documentation and `accounts-ops --help`.

use std::io::IsTerminal;
use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock();
    // A destructive command asks only a person at a terminal.
    let terminal: Option<&mut dyn std::io::BufRead> = std::io::stdin().is_terminal().then_some(&mut lines);
    let status = accounts_ops::run(std::env::args_os(), terminal, &mut std::io::stdout(), &mut std::io::stderr()).await;
    ExitCode::from(status)
}
