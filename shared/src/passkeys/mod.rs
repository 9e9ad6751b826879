//! Passkeys (WebAuthn): the two ceremonies a flow asks of a WebAuthn library
//! (registration, and usernameless sign-in), behind a port, so that only the
//! binaries that serve passkeys link one. Options go out and credentials
//! come in as the browser's JSON (WebAuthn Level 3: `toJSON()`,
//! `parse…OptionsFromJSON`); the ceremony's state and the stored credential
//! are the adapter's own text, which the table keeps opaque.

#[cfg(feature = "passkeys")]
pub mod webauthn;

use serde_json::Value;

use crate::config::Config;

/// The longest credential id WebAuthn allows (bytes).
pub const MAX_CREDENTIAL_ID_BYTES: usize = 1023;

/// Options for the browser and the state to check its answer against.
#[derive(Debug, Clone)]
pub struct Challenge {
    /// `PublicKeyCredentialCreationOptions` or `…RequestOptions`, as JSON.
    pub options: Value,
    /// What verifying the answer needs (kept in the table, 5 minutes).
    pub state: String,
}

/// A credential that registration verified.
#[derive(Debug, Clone)]
pub struct NewCredential {
    /// Its id (at most [`MAX_CREDENTIAL_ID_BYTES`]).
    pub credential_id: Vec<u8>,
    /// The credential as the adapter keeps it (public key, counter, flags).
    pub stored: String,
    /// Whether it is backed up (synced between devices).
    pub backed_up: bool,
}

/// Whom an assertion claims to be, before it is verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    /// The credential's id.
    pub credential_id: Vec<u8>,
    /// The user handle the authenticator returned.
    pub user_handle: Vec<u8>,
}

/// A verified assertion.
#[derive(Debug, Clone)]
pub struct Asserted {
    /// The stored credential, its counter and backup state updated.
    pub stored: String,
    /// Whether it is backed up now.
    pub backed_up: bool,
}

/// Why a ceremony failed.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum CeremonyError {
    /// The credential does not verify (origin, relying party, challenge,
    /// user verification, signature, format): the client's doing.
    #[error("refused: {0}")]
    Refused(String),
    /// The signature counter went backwards: the authenticator may have
    /// been cloned.
    #[error("the signature counter went backwards")]
    CounterWentBackwards,
    /// Passkeys cannot be served (this binary has no WebAuthn library, or
    /// the relying party is misconfigured).
    #[error("passkeys unavailable: {0}")]
    Unavailable(String),
}

/// The WebAuthn ceremonies.
pub trait Ceremonies: Send + Sync {
    /// Creation options for a discoverable credential with user
    /// verification, for the user `user_handle` named `username`, excluding
    /// the credentials it has.
    fn registration_options(
        &self,
        user_handle: &[u8],
        username: &str,
        exclude: &[Vec<u8>],
    ) -> Result<Challenge, CeremonyError>;

    /// Verifies a registration answer against `state`.
    fn register(&self, credential: &Value, state: &str) -> Result<NewCredential, CeremonyError>;

    /// Request options for a usernameless sign-in with user verification.
    fn sign_in_options(&self) -> Result<Challenge, CeremonyError>;

    /// Reads which credential and user an assertion names (nothing verified).
    fn claimed(&self, credential: &Value) -> Result<Claimed, CeremonyError>;

    /// Verifies an assertion against `state` and the `stored` credential.
    fn assert(&self, credential: &Value, state: &str, stored: &str) -> Result<Asserted, CeremonyError>;
}

/// The ceremonies of `config`'s relying party: the host of
/// `ACCOUNTS_PUBLIC_URL` (or `ACCOUNTS_WEBAUTHN_RP_ID`), its origin the only
/// one accepted. Misconfigured, or in a binary without the `passkeys`
/// feature, every ceremony is [`CeremonyError::Unavailable`].
pub fn for_config(config: &Config) -> Box<dyn Ceremonies> {
    #[cfg(feature = "passkeys")]
    {
        match webauthn::WebauthnCeremonies::new(&config.public_url, config.webauthn_rp_id.as_deref()) {
            Ok(ceremonies) => Box::new(ceremonies),
            Err(problem) => {
                tracing::warn!(%problem, "passkeys are unavailable");
                Box::new(Unavailable(problem))
            }
        }
    }
    #[cfg(not(feature = "passkeys"))]
    {
        let _ = config;
        Box::new(Unavailable("this binary serves no passkeys".into()))
    }
}

/// Ceremonies that cannot run, saying why.
pub struct Unavailable(pub String);

impl Ceremonies for Unavailable {
    fn registration_options(&self, _: &[u8], _: &str, _: &[Vec<u8>]) -> Result<Challenge, CeremonyError> {
        Err(CeremonyError::Unavailable(self.0.clone()))
    }
    fn register(&self, _: &Value, _: &str) -> Result<NewCredential, CeremonyError> {
        Err(CeremonyError::Unavailable(self.0.clone()))
    }
    fn sign_in_options(&self) -> Result<Challenge, CeremonyError> {
        Err(CeremonyError::Unavailable(self.0.clone()))
    }
    fn claimed(&self, _: &Value) -> Result<Claimed, CeremonyError> {
        Err(CeremonyError::Unavailable(self.0.clone()))
    }
    fn assert(&self, _: &Value, _: &str, _: &str) -> Result<Asserted, CeremonyError> {
        Err(CeremonyError::Unavailable(self.0.clone()))
    }
}
