//! Passkey credentials as a client sends them: arbitrary JSON, and real
//! registration and sign-in answers with one field replaced by arbitrary
//! bytes, through webauthn-rs's parsing of CBOR, COSE keys and client data
//! (`shared::passkeys::webauthn`). Never a panic; and a sign-in answer whose
//! signed parts (client data, authenticator data) were changed never
//! verifies.
#![no_main]

#[path = "../../tests/support/authenticator.rs"]
#[allow(dead_code)]
mod authenticator;

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use shared::passkeys::Ceremonies;
use shared::passkeys::webauthn::WebauthnCeremonies;

const PUBLIC_URL: &str = "https://console.example.com";

/// One ceremony of each kind, answered correctly once, to mutate.
struct Fixture {
    ceremonies: WebauthnCeremonies,
    registration_state: String,
    registration: Value,
    sign_in_state: String,
    stored: String,
    assertion: Value,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let ceremonies = WebauthnCeremonies::new(PUBLIC_URL, None).expect("a relying party");
        let mut authenticator = authenticator::Authenticator::new(PUBLIC_URL);
        let started = ceremonies.registration_options(&[7; 16], "alice", &[]).expect("options");
        let registration = authenticator.register(&started.options);
        let stored = ceremonies.register(&registration, &started.state).expect("a correct registration").stored;
        let sign_in = ceremonies.sign_in_options().expect("options");
        let assertion = authenticator.assert(&sign_in.options);
        ceremonies.assert(&assertion, &sign_in.state, &stored).expect("a correct assertion");
        Fixture {
            ceremonies,
            registration_state: started.state,
            registration,
            sign_in_state: sign_in.state,
            stored,
            assertion,
        }
    })
}

#[derive(Debug, Arbitrary)]
enum Field {
    Id,
    RawId,
    ClientData,
    AttestationObject,
    AuthenticatorData,
    Signature,
    UserHandle,
}

impl Field {
    fn pointer(&self) -> &'static str {
        match self {
            Field::Id => "/id",
            Field::RawId => "/rawId",
            Field::ClientData => "/response/clientDataJSON",
            Field::AttestationObject => "/response/attestationObject",
            Field::AuthenticatorData => "/response/authenticatorData",
            Field::Signature => "/response/signature",
            Field::UserHandle => "/response/userHandle",
        }
    }

    /// Whether the assertion's signature covers it.
    fn signed(&self) -> bool {
        matches!(self, Field::ClientData | Field::AuthenticatorData)
    }
}

#[derive(Debug, Arbitrary)]
enum Input<'a> {
    /// Any text as the whole credential.
    Raw(&'a [u8]),
    /// A correct registration answer with one field's bytes replaced.
    Registration(Field, Vec<u8>),
    /// A correct sign-in answer with one field's bytes replaced.
    Assertion(Field, Vec<u8>),
}

fn replaced(credential: &Value, field: &Field, bytes: &[u8]) -> Option<Value> {
    let mut credential = credential.clone();
    *credential.pointer_mut(field.pointer())? = Value::String(B64.encode(bytes));
    Some(credential)
}

fn original(credential: &Value, field: &Field) -> Option<Vec<u8>> {
    B64.decode(credential.pointer(field.pointer())?.as_str()?).ok()
}

fuzz_target!(|input: Input| {
    let f = fixture();
    match input {
        Input::Raw(raw) => {
            let Ok(credential) = serde_json::from_slice::<Value>(raw) else { return };
            let _ = f.ceremonies.register(&credential, &f.registration_state);
            let _ = f.ceremonies.claimed(&credential);
            let _ = f.ceremonies.assert(&credential, &f.sign_in_state, &f.stored);
        }
        Input::Registration(field, bytes) => {
            let Some(credential) = replaced(&f.registration, &field, &bytes) else { return };
            let _ = f.ceremonies.register(&credential, &f.registration_state);
        }
        Input::Assertion(field, bytes) => {
            let Some(credential) = replaced(&f.assertion, &field, &bytes) else { return };
            let _ = f.ceremonies.claimed(&credential);
            let verdict = f.ceremonies.assert(&credential, &f.sign_in_state, &f.stored);
            if field.signed() && original(&f.assertion, &field).as_deref() != Some(bytes.as_slice()) {
                assert!(verdict.is_err(), "a changed {field:?} verified");
            }
        }
    }
});
