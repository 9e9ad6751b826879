//! Passkeys: registering one from the security centre (after the one
//! re-check of the person), listing, renaming and removing them, and the
//! usernameless sign-in. The WebAuthn ceremonies are `App::ceremonies`;
//! their state waits in the table for 5 minutes and is used once, since a
//! function keeps nothing between requests.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::SecretString;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::accounts::{load, send_email};
use super::audit::{self, Actor, AuditEvent, SignInMethod};
use super::authentication::Authenticated;
use super::lockout::{Proof, reauthenticate};
use super::signed_in::{NewSession, Proven, admit, complete};
use super::{Committed, FlowError, Race};
use crate::app::App;
use crate::domain::network::Client;
use crate::domain::records::{Detail, Guarded, Passkey, PasskeyCeremony};
use crate::domain::{Account, AccountId, AccountStatus, ChallengeId, Code, Input, PasskeyId, RegistrationId};
use crate::notify::templates::{Template, Var};
use crate::passkeys::{CeremonyError, Challenge};
use crate::persistence::{Changes, Conflict, Limit, Stored};

/// Passkeys an account may have.
pub const MAX_PASSKEYS: usize = 10;
/// How long a ceremony waits for the browser.
pub const CEREMONY_SECS: i64 = 300;
/// The longest passkey name, in characters.
pub const NAME_MAX_CHARS: usize = 64;
/// A passkey's name when the owner gives none.
const DEFAULT_NAME: &str = "Passkey";

/// The WebAuthn user handle of an account: opaque, stable, and no personal
/// data (the first 16 bytes of a hash of the account id).
pub fn user_handle(account_id: &AccountId) -> Vec<u8> {
    Sha256::digest(format!("passkey-user:{account_id}").as_bytes())[..16].to_vec()
}

/// A ceremony's options for the browser, and the id to answer with.
#[derive(Debug, Clone)]
pub struct Started<Id> {
    /// A [`RegistrationId`] or a [`ChallengeId`].
    pub id: Id,
    /// The WebAuthn options (JSON).
    pub options: Value,
}

/// A name of 1–64 characters (trimmed), or `invalid_name`.
pub fn parse_name(name: &str) -> Result<String, Code> {
    let name = name.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > NAME_MAX_CHARS || name.chars().any(char::is_control) {
        return Err(Code::InvalidName);
    }
    Ok(name.to_owned())
}

fn unavailable(error: CeremonyError) -> FlowError {
    match error {
        CeremonyError::Unavailable(why) => FlowError::Unavailable(why),
        refused => FlowError::Internal(refused.to_string()),
    }
}

fn too_many_passkeys() -> FlowError {
    FlowError::Conflicting(Code::PasskeyLimit)
}

/// Starts a registration for the signed-in account, after the password
/// (and, with two-factor sign-in on, a code) re-check: creation options for
/// a discoverable credential, its own passkeys excluded.
pub async fn begin_registration(
    app: &App,
    current: &Authenticated,
    password: &SecretString,
    code: Option<&SecretString>,
) -> Result<Started<RegistrationId>, FlowError> {
    let proof = Proof { password: Some(password), code, action: Guarded::AddPasskey };
    let checked = reauthenticate(app, current, proof).await?;
    let account = checked.account();
    let passkeys = app.records().passkeys(&account.account_id).await?;
    if passkeys.len() >= MAX_PASSKEYS {
        return Err(too_many_passkeys());
    }
    let exclude: Vec<Vec<u8>> = passkeys.iter().map(|p| p.record.credential_id_bytes()).collect();
    let Challenge { options, state } = app
        .ceremonies
        .registration_options(&user_handle(&account.account_id), account.username.as_str(), &exclude)
        .map_err(unavailable)?;
    let registration_id = RegistrationId::new(app.random.as_ref());
    let mut changes = Changes::new();
    changes.begin_passkey_registration(
        &account.account_id,
        &registration_id,
        &PasskeyCeremony { state },
        app.clock.now() + CEREMONY_SECS,
    );
    // The code the re-check spent is spent now that the request succeeds.
    checked.write(&mut changes, &account);
    app.records().commit(changes).await?;
    Ok(Started { id: registration_id, options })
}

/// Finishes the registration `registration_id` with the browser's
/// `credential`: verified (origin, relying party, challenge, user
/// verification; any of them wrong is `422` on `credential` and stores
/// nothing), stored under `name`, audited and told to the owner.
pub async fn finish_registration(
    app: &App,
    current: &Authenticated,
    registration_id: &RegistrationId,
    credential: &Value,
    name: Option<String>,
) -> Result<Passkey, FlowError> {
    let account = &current.account;
    let records = app.records();
    let ceremony = records
        .passkey_registration(&account.account_id, registration_id)
        .await?
        .ok_or_else(|| FlowError::refused(Input::Registration, Code::InvalidRegistration))?;
    let verified = app.ceremonies.register(credential, &ceremony.record.state).map_err(|e| match e {
        CeremonyError::Refused(why) => {
            tracing::info!(account_id = %account.account_id, %why, "passkey registration refused");
            FlowError::refused(Input::Credential, Code::InvalidCredential)
        }
        other => unavailable(other),
    })?;
    if records.passkeys(&account.account_id).await?.len() >= MAX_PASSKEYS {
        return Err(too_many_passkeys());
    }
    let passkey = Passkey {
        passkey_id: PasskeyId::new(app.random.as_ref()),
        name: name.unwrap_or_else(|| DEFAULT_NAME.to_owned()),
        created_at: app.clock.now(),
        last_used_at: None,
        backed_up: verified.backed_up,
        credential_id: URL_SAFE_NO_PAD.encode(&verified.credential_id),
        credential: verified.stored,
    };
    let mut changes = Changes::new();
    changes.consume_passkey_ceremony(&ceremony).add_passkey(&account.account_id, &passkey, &verified.credential_id);
    let detail = Some(Detail::PasskeyId(passkey.passkey_id.clone()));
    audit::add(app, &mut changes, &account.account_id, AuditEvent::PasskeyAdded, Actor::Customer, detail);
    records.commit(changes).await.answering([
        (Race::On(Conflict::PasskeyTaken), FlowError::Conflicting(Code::PasskeyTaken)),
        (Race::On(Conflict::ChallengeChanged), FlowError::refused(Input::Registration, Code::InvalidRegistration)),
    ])?;
    tracing::info!(account_id = %account.account_id, "passkey added");
    send_email(app, account, Template::PasskeyAdded, account.language, None, &[(Var::Name, passkey.name.as_str())])
        .await;
    Ok(passkey)
}

/// The signed-in account's passkeys, oldest first.
pub async fn list(app: &App, current: &Authenticated) -> Result<Vec<Passkey>, FlowError> {
    let mut passkeys: Vec<Passkey> =
        app.records().passkeys(&current.account.account_id).await?.into_iter().map(|s| s.record).collect();
    passkeys.sort_by(|a, b| (a.created_at, &a.passkey_id).cmp(&(b.created_at, &b.passkey_id)));
    Ok(passkeys)
}

async fn own_passkey(app: &App, account: &Account, passkey_id: &PasskeyId) -> Result<Stored<Passkey>, FlowError> {
    app.records().passkey(&account.account_id, passkey_id).await?.ok_or(FlowError::NotFound(Code::PasskeyNotFound))
}

/// Renames one of the signed-in account's passkeys.
pub async fn rename(
    app: &App,
    current: &Authenticated,
    passkey_id: &PasskeyId,
    name: String,
) -> Result<Passkey, FlowError> {
    let stored = own_passkey(app, &current.account, passkey_id).await?;
    let renamed = Passkey { name, ..stored.record.clone() };
    let mut changes = Changes::new();
    changes.update_passkey(&stored, &renamed);
    app.records()
        .commit(changes)
        .await
        .answering([(Race::On(Conflict::PasskeyChanged), FlowError::NotFound(Code::PasskeyNotFound))])?;
    Ok(renamed)
}

/// Removes one of the signed-in account's passkeys, after the re-check of
/// the person; audited and told to the owner.
pub async fn remove(
    app: &App,
    current: &Authenticated,
    passkey_id: &PasskeyId,
    password: &SecretString,
    code: Option<&SecretString>,
) -> Result<(), FlowError> {
    let stored = own_passkey(app, &current.account, passkey_id).await?;
    let proof = Proof { password: Some(password), code, action: Guarded::RemovePasskey };
    let checked = reauthenticate(app, current, proof).await?;
    let account = checked.account();
    let mut changes = Changes::new();
    changes.remove_passkey(&stored, &stored.record.credential_id_bytes());
    checked.write(&mut changes, &account);
    let detail = Some(Detail::PasskeyId(stored.record.passkey_id.clone()));
    audit::add(app, &mut changes, &account.account_id, AuditEvent::PasskeyRemoved, Actor::Customer, detail);
    app.records()
        .commit(changes)
        .await
        .answering([(Race::On(Conflict::PasskeyChanged), FlowError::NotFound(Code::PasskeyNotFound))])?;
    tracing::info!(account_id = %account.account_id, "passkey removed");
    let name = stored.record.name.as_str();
    send_email(app, &account, Template::PasskeyRemoved, account.language, None, &[(Var::Name, name)]).await;
    Ok(())
}

/// Starts a usernameless sign-in: request options with no credentials
/// listed (the browser offers the user's passkeys) and user verification
/// required.
pub async fn begin_sign_in(app: &App) -> Result<Started<ChallengeId>, FlowError> {
    let Challenge { options, state } = app.ceremonies.sign_in_options().map_err(unavailable)?;
    let challenge_id = ChallengeId::new(app.random.as_ref());
    let mut changes = Changes::new();
    changes.begin_passkey_sign_in(&challenge_id, &PasskeyCeremony { state }, app.clock.now() + CEREMONY_SECS);
    app.records().commit(changes).await?;
    Ok(Started { id: challenge_id, options })
}

/// Signs in with the browser's answer to the challenge `challenge_id`. The
/// challenge is used up first; then every refusal — an unknown, removed or
/// mismatching credential, a wrong origin or relying party, no user
/// verification, a bad signature — is `InvalidCredentials` alike. A
/// signature counter that went backwards refuses and tells the owner.
pub async fn sign_in(
    app: &App,
    challenge_id: &ChallengeId,
    credential: &Value,
    client: &Client,
) -> Result<NewSession, FlowError> {
    let records = app.records();
    let ceremony = records.passkey_sign_in(challenge_id).await?.ok_or(FlowError::InvalidCredentials)?;
    let mut used = Changes::new();
    used.consume_passkey_ceremony(&ceremony);
    records.commit(used).await.answering([(Race::On(Conflict::ChallengeChanged), FlowError::InvalidCredentials)])?;

    let claimed = app.ceremonies.claimed(credential).map_err(refusal)?;
    let owner = records.passkey_owner(&claimed.credential_id).await?.ok_or(FlowError::InvalidCredentials)?;
    if claimed.user_handle != user_handle(&owner.account_id) {
        return Err(FlowError::InvalidCredentials);
    }
    let passkey = records.passkey(&owner.account_id, &owner.passkey_id).await?.ok_or(FlowError::InvalidCredentials)?;
    let stored = load(app, &owner.account_id).await?.ok_or(FlowError::InvalidCredentials)?;
    let account = stored.record.clone();
    let asserted = match app.ceremonies.assert(credential, &ceremony.record.state, &passkey.record.credential) {
        Err(CeremonyError::CounterWentBackwards) => {
            counter_went_backwards(app, &account, &passkey.record).await?;
            return Err(FlowError::InvalidCredentials);
        }
        other => other.map_err(refusal)?,
    };
    if account.status != AccountStatus::Active {
        return Err(FlowError::InvalidCredentials);
    }
    admit(&account, client)?;
    let used = Passkey {
        last_used_at: Some(app.clock.now()),
        backed_up: asserted.backed_up,
        credential: asserted.stored,
        ..passkey.record.clone()
    };
    let mut changes = Changes::new();
    changes.update_passkey(&passkey, &used);
    let streak = app.counters().counted(Limit::LoginStreak(&account.account_id)).await?;
    complete(app, &stored, account, streak, client, changes, Proven::by(SignInMethod::Passkey)).await
}

/// Any refusal of an assertion is an unknown credential to the client.
fn refusal(error: CeremonyError) -> FlowError {
    match error {
        CeremonyError::Refused(why) => {
            tracing::info!(%why, "passkey sign-in refused");
            FlowError::InvalidCredentials
        }
        CeremonyError::CounterWentBackwards => FlowError::InvalidCredentials,
        other => unavailable(other),
    }
}

/// A cloned authenticator? Audited, and the owner is told.
async fn counter_went_backwards(app: &App, account: &Account, passkey: &Passkey) -> Result<(), FlowError> {
    tracing::warn!(account_id = %account.account_id, "a passkey's signature counter went backwards");
    let mut changes = Changes::new();
    let detail = Some(Detail::PasskeyId(passkey.passkey_id.clone()));
    audit::add(
        app,
        &mut changes,
        &account.account_id,
        AuditEvent::PasskeyCounterWentBackwards,
        Actor::Customer,
        detail,
    );
    app.records().commit(changes).await.unless_lost(Race::Any)?;
    send_email(app, account, Template::PasskeyCloned, account.language, None, &[(Var::Name, passkey.name.as_str())])
        .await;
    Ok(())
}
