//! Sessions, under their account's partition by the hash of their secret;
//! second-factor challenges (likewise); and the account's sign-in history.

use super::{Changes, Conflict, Expiry, Records, Stored, item, keys};
use crate::domain::{AccountId, SessionId};

use crate::domain::records::{MfaChallenge, SessionRecord, SignInHistory};
use crate::store::{Cond, StoreError};

impl Records<'_> {
    /// The live session of `account_id` whose secret hashes to `secret_hash`.
    pub async fn session(
        &self,
        account_id: &AccountId,
        secret_hash: &str,
    ) -> Result<Option<Stored<SessionRecord>>, StoreError> {
        self.read(keys::session(account_id, secret_hash)).await
    }

    /// Every live session of `account_id`.
    pub async fn sessions(&self, account_id: &AccountId) -> Result<Vec<Stored<SessionRecord>>, StoreError> {
        self.read_all_stored(&keys::account_partition(account_id), keys::SESSION_PREFIX).await
    }
}

impl Changes {
    /// A new session, valid until `expires_at` ([`Conflict::SessionIdTaken`]
    /// on a collision of random secrets).
    pub fn create_session(
        &mut self,
        account_id: &AccountId,
        secret_hash: &str,
        session: &SessionRecord,
        expires_at: i64,
    ) -> &mut Self {
        let item = item(keys::session(account_id, secret_hash), session, Some(expires_at));
        self.put(item, Cond::Absent, Conflict::SessionIdTaken)
    }

    /// `stored` refreshed to `session`, valid until `expires_at`, unless it
    /// changed or ended meanwhile ([`Conflict::SessionChanged`]).
    pub fn touch_session(
        &mut self,
        stored: &Stored<SessionRecord>,
        session: &SessionRecord,
        expires_at: i64,
    ) -> &mut Self {
        self.replace(stored, session, Expiry::At(expires_at), Conflict::SessionChanged)
    }

    /// `stored` rewritten as `session` whatever its version, as long as it
    /// has not ended ([`Conflict::SessionChanged`]).
    pub fn rewrite_session(
        &mut self,
        stored: &Stored<SessionRecord>,
        session: &SessionRecord,
        expires_at: i64,
    ) -> &mut Self {
        let item = item(stored.key.clone(), session, Some(expires_at));
        self.put(item, Cond::Present, Conflict::SessionChanged)
    }

    /// The session `stored` ended.
    pub fn end_session(&mut self, stored: &Stored<SessionRecord>) -> &mut Self {
        self.remove(stored.key.clone())
    }
}

impl Stored<SessionRecord> {
    /// The session's public id: derived from the stored hash of its secret
    /// (one more SHA-256), so it names the session without being, or
    /// leading to, its token.
    pub fn session_id(&self) -> SessionId {
        SessionId::of_secret_hash(self.key.sk.strip_prefix(keys::SESSION_PREFIX).unwrap_or_default())
    }
}

impl Records<'_> {
    /// The live second-factor challenge of `account_id` whose token's secret
    /// hashes to `secret_hash`.
    pub async fn mfa_challenge(
        &self,
        account_id: &AccountId,
        secret_hash: &str,
    ) -> Result<Option<Stored<MfaChallenge>>, StoreError> {
        self.read(keys::mfa_challenge(account_id, secret_hash)).await
    }

    /// The clients `account_id` signed in from lately; `None` before its
    /// first sign-in.
    pub async fn sign_in_history(&self, account_id: &AccountId) -> Result<Option<SignInHistory>, StoreError> {
        Ok(self.read(keys::sign_in_history(account_id)).await?.map(|stored| stored.record))
    }
}

impl Changes {
    /// A new challenge, valid until `expires_at`.
    pub fn create_mfa_challenge(
        &mut self,
        account_id: &AccountId,
        secret_hash: &str,
        challenge: &MfaChallenge,
        expires_at: i64,
    ) -> &mut Self {
        let item = item(keys::mfa_challenge(account_id, secret_hash), challenge, Some(expires_at));
        self.put(item, Cond::Absent, Conflict::IdTaken)
    }

    /// `stored` with its wrong codes counted as in `challenge`, unless it
    /// changed meanwhile ([`Conflict::ChallengeChanged`]).
    pub fn count_mfa_miss(&mut self, stored: &Stored<MfaChallenge>, challenge: &MfaChallenge) -> &mut Self {
        self.replace(stored, challenge, Expiry::Keep, Conflict::ChallengeChanged)
    }

    /// The challenge `stored` used up, exactly once
    /// ([`Conflict::ChallengeChanged`] when it was used or voided meanwhile).
    pub fn consume_mfa_challenge(&mut self, stored: &Stored<MfaChallenge>) -> &mut Self {
        self.delete(stored.key.clone(), Cond::Version(stored.version), Conflict::ChallengeChanged)
    }

    /// `account_id`'s sign-in history replaced by `history`.
    pub fn put_sign_in_history(&mut self, account_id: &AccountId, history: &SignInHistory) -> &mut Self {
        self.overwrite(item(keys::sign_in_history(account_id), history, None))
    }
}
