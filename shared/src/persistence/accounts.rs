//! Account profiles and the uniqueness guards of their username, email and
//! phone (one item each, holding the account id).

use super::{Changes, Conflict, Expiry, Records, Stored, item, keys};
use crate::domain::records::Guard;
use crate::domain::{Account, AccountId, Code, Input, LoginName, Username};
use crate::store::{Cond, Key, StoreError};

/// A value only one account may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UniqueField {
    /// The username.
    Username,
    /// The email, case-insensitively.
    Email,
    /// The phone.
    Phone,
}

impl UniqueField {
    /// The input it came from.
    pub fn input(self) -> Input {
        match self {
            Self::Username => Input::Username,
            Self::Email => Input::Email,
            Self::Phone => Input::Phone,
        }
    }

    /// The field-error code of a taken value.
    pub fn taken_code(self) -> Code {
        match self {
            Self::Username => Code::UsernameTaken,
            Self::Email => Code::EmailTaken,
            Self::Phone => Code::PhoneTaken,
        }
    }
}

/// The guard of `value` (canonical) of `field`.
fn guard_key(field: UniqueField, value: &str) -> Key {
    match field {
        UniqueField::Username => keys::username_guard(value),
        UniqueField::Email => keys::email_guard(value),
        UniqueField::Phone => keys::phone_guard(value),
    }
}

/// The guard keys of an account's username, email and phone.
fn guard_keys(account: &Account) -> Vec<(UniqueField, Key)> {
    let mut keys = vec![
        (UniqueField::Username, guard_key(UniqueField::Username, account.username.as_str())),
        (UniqueField::Email, guard_key(UniqueField::Email, &account.email.canonical())),
    ];
    if let Some(phone) = &account.phone {
        keys.push((UniqueField::Phone, guard_key(UniqueField::Phone, phone.as_str())));
    }
    keys
}

impl UniqueField {
    /// Every unique field.
    pub const ALL: &[UniqueField] = &[Self::Username, Self::Email, Self::Phone];
}

impl Records<'_> {
    /// The account `account_id`, if it exists.
    pub async fn account(&self, account_id: &AccountId) -> Result<Option<Stored<Account>>, StoreError> {
        self.read(keys::account(account_id)).await
    }

    /// The account a login name (as typed, canonicalised) refers to; a name
    /// no account can have is not looked up.
    pub async fn account_by_login(&self, login: &LoginName) -> Result<Option<Stored<Account>>, StoreError> {
        match keys::login_guard(login) {
            Some(guard) => self.account_by_guard(guard).await,
            None => Ok(None),
        }
    }

    /// Whether some account holds `value` of `field` (canonical form).
    pub async fn is_taken(&self, field: UniqueField, value: &str) -> Result<bool, StoreError> {
        Ok(self.store.get(&guard_key(field, value)).await?.is_some())
    }

    /// The account holding `username`.
    pub async fn account_by_username(&self, username: &Username) -> Result<Option<Stored<Account>>, StoreError> {
        self.account_by_guard(keys::username_guard(username.as_str())).await
    }

    async fn account_by_guard(&self, guard: Key) -> Result<Option<Stored<Account>>, StoreError> {
        match self.read::<Guard>(guard).await? {
            Some(guard) => self.account(&guard.record.account_id).await,
            None => Ok(None),
        }
    }
}

impl Changes {
    /// A new, pending account with the guards of its username, email and
    /// phone; each guard fails as [`Conflict::Taken`] when the value is
    /// held. Like the account, the guards expire after 7 days unless
    /// activation keeps them.
    pub fn insert_account(&mut self, account: &Account) -> &mut Self {
        let until = account.pending_until();
        let profile = item(keys::account(&account.account_id), account, Some(until));
        self.put(profile, Cond::Absent, Conflict::AccountIdTaken);
        let guard = Guard { account_id: account.account_id.clone() };
        for (field, key) in guard_keys(account) {
            self.put(item(key, &guard, Some(until)), Cond::Absent, Conflict::Taken(field));
        }
        self
    }

    /// `stored` changed to `account`, unless it changed meanwhile
    /// ([`Conflict::AccountChanged`]).
    pub fn update_account(&mut self, stored: &Stored<Account>, account: &Account) -> &mut Self {
        self.replace(stored, account, Expiry::Keep, Conflict::AccountChanged)
    }

    /// `stored` activated as `account`: it no longer expires, nor do its
    /// claims on its username, email and phone, which it must still hold
    /// ([`Conflict::GuardLost`]).
    pub fn activate_account(&mut self, stored: &Stored<Account>, account: &Account) -> &mut Self {
        self.replace(stored, account, Expiry::Never, Conflict::AccountChanged);
        let guard = Guard { account_id: account.account_id.clone() };
        for (_, key) in guard_keys(account) {
            self.put(item(key, &guard, None), Cond::HeldBy(account.account_id.to_string()), Conflict::GuardLost);
        }
        self
    }

    /// `account`'s claim on `field` moved from `old` (a value it holds, or
    /// none) to `new`: the new guard fails as [`Conflict::Taken`] when the
    /// value is held, and the old one goes only while it still names the
    /// account.
    pub fn move_unique(&mut self, account: &Account, field: UniqueField, old: Option<&str>, new: &str) -> &mut Self {
        let guard = Guard { account_id: account.account_id.clone() };
        self.put(item(guard_key(field, new), &guard, None), Cond::Absent, Conflict::Taken(field));
        if let Some(old) = old.filter(|old| *old != new) {
            self.delete(guard_key(field, old), Cond::HeldBy(account.account_id.to_string()), Conflict::GuardLost);
        }
        self
    }

    /// `account`'s guard of `field` deleted, only while it still names the
    /// account ([`Conflict::GuardLost`] when someone else holds the value
    /// by now: leave it). Nothing for a phone it does not have.
    pub fn release_guard(&mut self, account: &Account, field: UniqueField) -> &mut Self {
        if let Some((_, key)) = guard_keys(account).into_iter().find(|(f, _)| *f == field) {
            self.delete(key, Cond::HeldBy(account.account_id.to_string()), Conflict::GuardLost);
        }
        self
    }

    /// The profile of `account_id` gone.
    pub fn delete_account(&mut self, account_id: &AccountId) -> &mut Self {
        self.remove(keys::account(account_id))
    }
}
