//! Passkeys: one item per passkey under its account, one per credential id
//! naming its owner (unique across accounts, so that a usernameless sign-in
//! finds the account), and the ceremonies waiting for the browser — a
//! registration under the account, a sign-in on its own — each expiring
//! after 5 minutes and used up once.

use super::{Changes, Conflict, Expiry, Records, Stored, item, keys};
use crate::domain::records::{Passkey, PasskeyCeremony, PasskeyOwner};
use crate::domain::{AccountId, ChallengeId, PasskeyId, RegistrationId};
use crate::store::{Cond, StoreError};

impl Records<'_> {
    /// The passkeys of `account_id`, oldest id first.
    pub async fn passkeys(&self, account_id: &AccountId) -> Result<Vec<Stored<Passkey>>, StoreError> {
        self.read_all_stored(&keys::account_partition(account_id), keys::PASSKEY_PREFIX).await
    }

    /// The passkey `passkey_id` of `account_id`.
    pub async fn passkey(
        &self,
        account_id: &AccountId,
        passkey_id: &PasskeyId,
    ) -> Result<Option<Stored<Passkey>>, StoreError> {
        self.read(keys::passkey(account_id, passkey_id)).await
    }

    /// Whose passkey the credential `credential_id` is.
    pub async fn passkey_owner(&self, credential_id: &[u8]) -> Result<Option<PasskeyOwner>, StoreError> {
        Ok(self.read(keys::passkey_owner(credential_id)).await?.map(|stored| stored.record))
    }

    /// The live registration `registration_id` of `account_id`.
    pub async fn passkey_registration(
        &self,
        account_id: &AccountId,
        registration_id: &RegistrationId,
    ) -> Result<Option<Stored<PasskeyCeremony>>, StoreError> {
        self.read(keys::passkey_registration(account_id, registration_id)).await
    }

    /// The live sign-in challenge `challenge_id`.
    pub async fn passkey_sign_in(
        &self,
        challenge_id: &ChallengeId,
    ) -> Result<Option<Stored<PasskeyCeremony>>, StoreError> {
        self.read(keys::passkey_sign_in(challenge_id)).await
    }
}

impl Changes {
    /// A new passkey of `account_id` and its owner entry
    /// ([`Conflict::PasskeyTaken`] if another account registered the same
    /// credential; [`Conflict::IdTaken`] on an id collision).
    pub fn add_passkey(&mut self, account_id: &AccountId, passkey: &Passkey, credential_id: &[u8]) -> &mut Self {
        let owner = PasskeyOwner { account_id: account_id.to_owned(), passkey_id: passkey.passkey_id.clone() };
        self.put(item(keys::passkey_owner(credential_id), &owner, None), Cond::Absent, Conflict::PasskeyTaken);
        let passkey_item = item(keys::passkey(account_id, &passkey.passkey_id), passkey, None);
        self.put(passkey_item, Cond::Absent, Conflict::IdTaken)
    }

    /// `stored` changed to `passkey` (renamed, or used: its counter, backup
    /// state and last use), unless it changed or went meanwhile
    /// ([`Conflict::PasskeyChanged`]).
    pub fn update_passkey(&mut self, stored: &Stored<Passkey>, passkey: &Passkey) -> &mut Self {
        self.replace(stored, passkey, Expiry::Never, Conflict::PasskeyChanged)
    }

    /// The passkey `stored` of `account_id` gone, with its owner entry.
    pub fn remove_passkey(&mut self, stored: &Stored<Passkey>, credential_id: &[u8]) -> &mut Self {
        self.remove(keys::passkey_owner(credential_id));
        self.delete(stored.key.clone(), Cond::Present, Conflict::PasskeyChanged)
    }

    /// The owner entry of a passkey whose item goes otherwise (erasure).
    pub fn unindex_passkey(&mut self, credential_id: &[u8]) -> &mut Self {
        self.remove(keys::passkey_owner(credential_id))
    }

    /// A registration of `account_id` waiting until `expires_at`.
    pub fn begin_passkey_registration(
        &mut self,
        account_id: &AccountId,
        registration_id: &RegistrationId,
        ceremony: &PasskeyCeremony,
        expires_at: i64,
    ) -> &mut Self {
        let key = keys::passkey_registration(account_id, registration_id);
        self.put(item(key, ceremony, Some(expires_at)), Cond::Absent, Conflict::IdTaken)
    }

    /// A sign-in challenge waiting until `expires_at`.
    pub fn begin_passkey_sign_in(
        &mut self,
        challenge_id: &ChallengeId,
        ceremony: &PasskeyCeremony,
        expires_at: i64,
    ) -> &mut Self {
        self.put(item(keys::passkey_sign_in(challenge_id), ceremony, Some(expires_at)), Cond::Absent, Conflict::IdTaken)
    }

    /// The ceremony `stored` used up, exactly once
    /// ([`Conflict::ChallengeChanged`] when it was used meanwhile).
    pub fn consume_passkey_ceremony(&mut self, stored: &Stored<PasskeyCeremony>) -> &mut Self {
        self.delete(stored.key.clone(), Cond::Version(stored.version), Conflict::ChallengeChanged)
    }
}
