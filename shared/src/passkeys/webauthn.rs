//! The ceremonies of webauthn-rs's core (docs/decisions/0040): its
//! verification of attestation and assertion — CBOR, COSE keys, signatures,
//! origin, relying party, challenge, flags and counter — with the choices
//! the contract makes: a discoverable credential (`residentKey: required`),
//! user verification required, ES256, EdDSA and RS256, `none` attestation.

use std::time::Duration;

use serde_json::Value;
use url::Url;
use webauthn_rs_core::WebauthnCore;
use webauthn_rs_core::error::WebauthnError;
use webauthn_rs_core::proto::{
    AttestationConveyancePreference, AuthenticationState, COSEAlgorithm, Credential, PublicKeyCredential,
    RegisterPublicKeyCredential, RegistrationState, RequestRegistrationExtensions, UserVerificationPolicy,
};

use super::{Asserted, Ceremonies, CeremonyError, Challenge, Claimed, MAX_CREDENTIAL_ID_BYTES, NewCredential};

/// How long the browser may take (the table keeps a challenge as long).
const TIMEOUT: Duration = Duration::from_secs(300);

/// The relying party of one origin.
pub struct WebauthnCeremonies {
    core: WebauthnCore,
}

impl WebauthnCeremonies {
    /// The relying party `rp_id` (default: the host of `public_url`) for the
    /// origin of `public_url`. Browsers refuse an IP address as relying
    /// party, and the id must be the origin's host or a parent domain of it.
    pub fn new(public_url: &str, rp_id: Option<&str>) -> Result<Self, String> {
        let url = Url::parse(public_url).map_err(|e| format!("ACCOUNTS_PUBLIC_URL: {e}"))?;
        let origin = Url::parse(&url.origin().ascii_serialization()).map_err(|e| e.to_string())?;
        let host = origin.domain().ok_or("the relying party must be a domain name, not an IP address")?.to_owned();
        let rp_id = rp_id.unwrap_or(&host);
        if host != rp_id && !host.ends_with(&format!(".{rp_id}")) {
            return Err(format!("the relying party {rp_id} is not {host} or a parent domain of it"));
        }
        // The constructor skips the check just made (hence its name).
        let core = WebauthnCore::new_unsafe_experts_only(rp_id, rp_id, vec![origin], TIMEOUT, Some(false), Some(false));
        Ok(Self { core })
    }
}

fn refused(error: WebauthnError) -> CeremonyError {
    CeremonyError::Refused(error.to_string())
}

/// Read in place: `from_value` would take (so clone) the whole tree.
fn parse<T: serde::de::DeserializeOwned>(value: &Value) -> Result<T, CeremonyError> {
    T::deserialize(value).map_err(|e| CeremonyError::Refused(format!("malformed credential: {e}")))
}

/// State and stored credentials are ours, written by this adapter.
fn ours<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, CeremonyError> {
    serde_json::from_str(text).map_err(|e| CeremonyError::Unavailable(format!("unreadable passkey state: {e}")))
}

fn text(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).expect("WebAuthn state serialises")
}

impl Ceremonies for WebauthnCeremonies {
    fn registration_options(
        &self,
        user_handle: &[u8],
        username: &str,
        exclude: &[Vec<u8>],
    ) -> Result<Challenge, CeremonyError> {
        let extensions = RequestRegistrationExtensions { cred_props: Some(true), ..Default::default() };
        let builder = self
            .core
            .new_challenge_register_builder(user_handle, username, username)
            .map_err(refused)?
            .attestation(AttestationConveyancePreference::None)
            .user_verification_policy(UserVerificationPolicy::Required)
            .credential_algorithms(vec![COSEAlgorithm::ES256, COSEAlgorithm::EDDSA, COSEAlgorithm::RS256])
            .require_resident_key(true)
            .exclude_credentials(Some(exclude.iter().map(|id| id.clone().into()).collect()))
            .extensions(Some(extensions));
        let (options, state) = self.core.generate_challenge_register(builder).map_err(refused)?;
        let options = serde_json::to_value(&options.public_key).expect("options serialise");
        Ok(Challenge { options, state: text(&state) })
    }

    fn register(&self, credential: &Value, state: &str) -> Result<NewCredential, CeremonyError> {
        let answer: RegisterPublicKeyCredential = parse(credential)?;
        let state: RegistrationState = ours(state)?;
        let registered = self.core.register_credential(&answer, &state, None).map_err(refused)?;
        if registered.cred_id.len() > MAX_CREDENTIAL_ID_BYTES {
            return Err(CeremonyError::Refused("credential id too long".into()));
        }
        Ok(NewCredential {
            credential_id: registered.cred_id.to_vec(),
            backed_up: registered.backup_state,
            stored: text(&registered),
        })
    }

    fn sign_in_options(&self) -> Result<Challenge, CeremonyError> {
        let builder = self
            .core
            .new_challenge_authenticate_builder(Vec::new(), Some(UserVerificationPolicy::Required))
            .map_err(refused)?;
        let (options, state) = self.core.generate_challenge_authenticate(builder).map_err(refused)?;
        let options = serde_json::to_value(&options.public_key).expect("options serialise");
        Ok(Challenge { options, state: text(&state) })
    }

    fn claimed(&self, credential: &Value) -> Result<Claimed, CeremonyError> {
        let answer: PublicKeyCredential = parse(credential)?;
        let user_handle = answer.get_user_unique_id().ok_or(CeremonyError::Refused("no user handle".into()))?;
        Ok(Claimed { credential_id: answer.get_credential_id().to_vec(), user_handle: user_handle.to_vec() })
    }

    fn assert(&self, credential: &Value, state: &str, stored: &str) -> Result<Asserted, CeremonyError> {
        let answer: PublicKeyCredential = parse(credential)?;
        let mut state: AuthenticationState = ours(state)?;
        let mut stored: Credential = ours(stored)?;
        state.set_allowed_credentials(vec![stored.clone()]);
        let result = self.core.authenticate_credential(&answer, &state).map_err(|e| match e {
            WebauthnError::CredentialPossibleCompromise => CeremonyError::CounterWentBackwards,
            e => refused(e),
        })?;
        stored.counter = result.counter();
        stored.backup_state = result.backup_state();
        Ok(Asserted { backed_up: stored.backup_state, stored: text(&stored) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relying_party_is_a_domain_of_the_public_url() {
        assert!(WebauthnCeremonies::new("http://localhost:3000", None).is_ok());
        assert!(WebauthnCeremonies::new("https://console.example.com", Some("example.com")).is_ok());
        for (url, rp_id) in [
            ("http://127.0.0.1:3000", None),
            ("https://console.example.com", Some("other.com")),
            ("https://console.example.com", Some("le.com")),
            ("not a url", None),
        ] {
            assert!(WebauthnCeremonies::new(url, rp_id).is_err(), "{url} {rp_id:?}");
        }
    }

    #[test]
    fn creation_options_ask_for_a_discoverable_verified_credential() {
        let ceremonies = WebauthnCeremonies::new("https://accounts.example.com", None).unwrap();
        let challenge = ceremonies.registration_options(&[7; 16], "alice", &[vec![1, 2, 3]]).unwrap();
        let options = challenge.options;
        assert_eq!(options["rp"]["id"], "accounts.example.com");
        assert_eq!(options["authenticatorSelection"]["residentKey"], "required");
        assert_eq!(options["authenticatorSelection"]["userVerification"], "required");
        let algorithms: Vec<i64> =
            options["pubKeyCredParams"].as_array().unwrap().iter().map(|p| p["alg"].as_i64().unwrap()).collect();
        assert_eq!(algorithms, [-7, -8, -257]);
        assert_eq!(options["excludeCredentials"][0]["id"], "AQID");
        assert_eq!(options["attestation"], "none");
        let request = ceremonies.sign_in_options().unwrap().options;
        assert_eq!(request["userVerification"], "required");
        assert!(request["allowCredentials"].as_array().is_none_or(Vec::is_empty));
        assert_eq!(request["rpId"], "accounts.example.com");
    }
}
