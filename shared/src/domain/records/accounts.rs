//! What the table keeps beside an account: its uniqueness guards and its
//! sub-accounts' index entries.

use serde::{Deserialize, Serialize};

use crate::domain::{Account, AccountId, Username};

/// A uniqueness guard item: which account holds a username, email or phone.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Guard {
    /// The holder.
    pub account_id: AccountId,
}

/// The index entry under the primary account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubAccountLink {
    /// The sub-account.
    pub account_id: AccountId,
    /// Its username.
    pub username: Username,
}

impl SubAccountLink {
    /// The entry of `sub_account`.
    pub fn of(sub_account: &Account) -> Self {
        Self { account_id: sub_account.account_id.clone(), username: sub_account.username.clone() }
    }
}
