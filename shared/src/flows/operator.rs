//! What operators read about an account: its state, verification and
//! audit trail. (Decisions live with their flows.)

use super::FlowError;
use super::accounts::{Guard, load};
use super::verification::{self, Verification};
use crate::app::App;
use crate::domain::{Account, Username};
use crate::store::keys;

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
    let guard = app.store.get(&keys::username_guard(username.as_str())).await?.ok_or_else(not_found)?;
    let account_id = guard.decode::<Guard>()?.account_id;
    let (_, account) = load(app, &account_id).await?.ok_or_else(not_found)?;
    let verification = verification::current(app, &account_id).await?;
    Ok(AccountOverview { account, verification })
}
