//! What operators read about an account: its state, verification and
//! audit trail. (Decisions live with their flows.)

use super::FlowError;
use super::verification::{self, Verification};
use crate::app::App;
use crate::domain::{Account, Username};

/// An account as an operator sees it.
pub struct AccountOverview {
    /// The account.
    pub account: Account,
    /// Its latest verification submission.
    pub verification: Option<Verification>,
}

/// Looks an account up by username.
pub async fn account_by_username(app: &App, username: &str) -> Result<AccountOverview, FlowError> {
    let not_found = || FlowError::NotFound("account_not_found");
    let username = Username::parse(username).map_err(|_| not_found())?;
    let account = app.records().account_by_username(&username).await?.ok_or_else(not_found)?.record;
    let verification = verification::current(app, &account.account_id).await?;
    Ok(AccountOverview { account, verification })
}
