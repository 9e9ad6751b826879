//! A software WebAuthn authenticator and client, for the passkey tests: it
//! answers the service's options as a browser's `PublicKeyCredential.toJSON()`
//! would, with an ES256 key of its own, and can be told to answer wrongly
//! (another origin or relying party, no user verification, a bad signature,
//! an older counter) so that every refusal of the contract can be tried.
//! CBOR and COSE come from ciborium and coset, signatures from p256.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use coset::{CborSerializable as _, CoseKeyBuilder, iana};
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{DerSignature, SigningKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Flags of authenticator data.
const USER_PRESENT: u8 = 0x01;
const USER_VERIFIED: u8 = 0x04;
const ATTESTED_CREDENTIAL: u8 = 0x40;

/// How an answer departs from a correct one.
#[derive(Debug, Clone, Default)]
pub struct Tamper {
    /// The origin the client data names instead of the service's.
    pub origin: Option<String>,
    /// The relying party whose id hash the authenticator data carries.
    pub rp_id: Option<String>,
    /// Leave the user-verified flag off.
    pub no_user_verification: bool,
    /// Sign something else.
    pub bad_signature: bool,
    /// Present this signature counter.
    pub counter: Option<u32>,
    /// Return this user handle.
    pub user_handle: Option<Vec<u8>>,
    /// Answer this challenge instead of the options'.
    pub challenge: Option<String>,
}

/// One passkey on a software authenticator.
pub struct Authenticator {
    key: SigningKey,
    /// The credential's id.
    pub credential_id: Vec<u8>,
    /// The signature counter of the last assertion.
    pub counter: u32,
    origin: String,
    rp_id: String,
    user_handle: Vec<u8>,
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("randomness");
    bytes
}

impl Authenticator {
    /// A new authenticator for the site at `origin` (its host the relying
    /// party), holding no credential until it registers one.
    pub fn new(origin: &str) -> Self {
        let key = loop {
            if let Ok(key) = SigningKey::from_slice(&random::<32>()) {
                break key;
            }
        };
        let rp_id = url::Url::parse(origin).unwrap().host_str().unwrap().to_owned();
        Self {
            key,
            credential_id: random::<32>().to_vec(),
            counter: 0,
            origin: origin.trim_end_matches('/').to_owned(),
            rp_id,
            user_handle: Vec::new(),
        }
    }

    /// The credential id as the service lists it.
    pub fn credential_id_b64(&self) -> String {
        B64.encode(&self.credential_id)
    }

    fn client_data(&self, kind: &str, challenge: &str, tamper: &Tamper) -> Vec<u8> {
        let origin = tamper.origin.as_deref().unwrap_or(&self.origin);
        let challenge = tamper.challenge.as_deref().unwrap_or(challenge);
        json!({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": false}).to_string().into_bytes()
    }

    fn authenticator_data(&self, flags: u8, counter: u32, tamper: &Tamper) -> Vec<u8> {
        let rp_id = tamper.rp_id.as_deref().unwrap_or(&self.rp_id);
        let flags = if tamper.no_user_verification { flags & !USER_VERIFIED } else { flags };
        let mut data = Sha256::digest(rp_id.as_bytes()).to_vec();
        data.push(flags);
        data.extend_from_slice(&counter.to_be_bytes());
        data
    }

    fn cose_key(&self) -> Vec<u8> {
        let point = self.key.verifying_key().to_encoded_point(false);
        CoseKeyBuilder::new_ec2_pub_key(
            iana::EllipticCurve::P_256,
            point.x().unwrap().to_vec(),
            point.y().unwrap().to_vec(),
        )
        .algorithm(iana::Algorithm::ES256)
        .build()
        .to_vec()
        .expect("a COSE key encodes")
    }

    /// Answers creation `options` (`POST /v1/me/passkeys/options`).
    pub fn register(&mut self, options: &Value) -> Value {
        self.register_with(options, &Tamper::default())
    }

    /// Answers creation `options`, departing as `tamper` says.
    pub fn register_with(&mut self, options: &Value, tamper: &Tamper) -> Value {
        self.user_handle = B64.decode(options["user"]["id"].as_str().expect("a user id")).expect("base64url");
        let client_data = self.client_data("webauthn.create", options["challenge"].as_str().unwrap(), tamper);
        let mut auth_data =
            self.authenticator_data(USER_PRESENT | USER_VERIFIED | ATTESTED_CREDENTIAL, self.counter, tamper);
        auth_data.extend_from_slice(&[0u8; 16]); // AAGUID: none
        auth_data.extend_from_slice(&(self.credential_id.len() as u16).to_be_bytes());
        auth_data.extend_from_slice(&self.credential_id);
        auth_data.extend_from_slice(&self.cose_key());
        let attestation = ciborium::Value::Map(vec![
            (ciborium::Value::Text("fmt".into()), ciborium::Value::Text("none".into())),
            (ciborium::Value::Text("attStmt".into()), ciborium::Value::Map(vec![])),
            (ciborium::Value::Text("authData".into()), ciborium::Value::Bytes(auth_data)),
        ]);
        let mut attestation_object = Vec::new();
        ciborium::ser::into_writer(&attestation, &mut attestation_object).expect("CBOR encodes");
        json!({
            "id": self.credential_id_b64(),
            "rawId": self.credential_id_b64(),
            "type": "public-key",
            "response": {
                "clientDataJSON": B64.encode(&client_data),
                "attestationObject": B64.encode(&attestation_object),
                "transports": ["internal"],
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {"credProps": {"rk": true}},
        })
    }

    /// Answers request `options` (`POST /v1/sessions/passkey/options`).
    pub fn assert(&mut self, options: &Value) -> Value {
        self.assert_with(options, &Tamper::default())
    }

    /// Answers request `options`, departing as `tamper` says.
    pub fn assert_with(&mut self, options: &Value, tamper: &Tamper) -> Value {
        self.counter += 1;
        let counter = tamper.counter.unwrap_or(self.counter);
        let client_data = self.client_data("webauthn.get", options["challenge"].as_str().unwrap(), tamper);
        let auth_data = self.authenticator_data(USER_PRESENT | USER_VERIFIED, counter, tamper);
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(&client_data));
        if tamper.bad_signature {
            signed.push(0);
        }
        let signature: DerSignature = self.key.sign(&signed);
        let user_handle = tamper.user_handle.as_ref().unwrap_or(&self.user_handle);
        json!({
            "id": self.credential_id_b64(),
            "rawId": self.credential_id_b64(),
            "type": "public-key",
            "response": {
                "clientDataJSON": B64.encode(&client_data),
                "authenticatorData": B64.encode(&auth_data),
                "signature": B64.encode(signature.as_bytes()),
                "userHandle": B64.encode(user_handle),
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        })
    }
}
