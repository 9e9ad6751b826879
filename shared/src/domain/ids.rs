//! The ids of the service's records: each is 128 random bits in hex (what
//! [`new_id`] draws), a type of its own, so a
//! flow never takes one kind of id for another (an appeal's id where an
//! account's goes does not compile), and parsed once at the edge, so no
//! client text of another shape reaches a key. Stored as plain strings.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::random::Random;

/// A fresh random identifier (128 bits, hex): opaque and unguessable.
pub fn new_id(random: &dyn Random) -> String {
    let mut bytes = [0u8; 16];
    random.fill(&mut bytes);
    hex::encode(bytes)
}

/// What every id type is: parsed from its text, shown as its text.
pub trait RecordId: Sized + Clone {
    /// The id in `text`, if it has an id's shape.
    fn parse(text: &str) -> Option<Self>;
    /// The id as stored.
    fn as_str(&self) -> &str;
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The id in `text`, if it has an id's shape (32 hex digits).
            pub fn parse(text: &str) -> Option<Self> {
                let well_formed = text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit());
                well_formed.then(|| Self(text.to_ascii_lowercase()))
            }

            /// A new, random id.
            pub fn new(random: &dyn Random) -> Self {
                Self(new_id(random))
            }

            /// The id as stored.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl RecordId for $name {
            fn parse(text: &str) -> Option<Self> {
                $name::parse(text)
            }

            fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                "String".into()
            }

            fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                String::json_schema(generator)
            }
        }
    };
}

id_type!(
    /// An account's id.
    AccountId
);
id_type!(
    /// A recovery appeal's id.
    AppealId
);
id_type!(
    /// A deletion request's id.
    RequestId
);
id_type!(
    /// A passkey's public id (not its WebAuthn credential id).
    PasskeyId
);
id_type!(
    /// A verification material's id.
    MaterialId
);
id_type!(
    /// A passkey registration waiting for the browser.
    RegistrationId
);
id_type!(
    /// A passkey sign-in waiting for the browser.
    ChallengeId
);
id_type!(
    /// A remembered device's public id.
    DeviceId
);
id_type!(
    /// A session's public id: derived from its stored hash, never its token.
    SessionId
);

impl SessionId {
    /// The public id of the session whose secret hashes to `secret_hash`:
    /// one more SHA-256, so it names the session without leading to it.
    pub fn of_secret_hash(secret_hash: &str) -> Self {
        use sha2::{Digest, Sha256};
        Self(hex::encode(&Sha256::digest(format!("session-id:{secret_hash}").as_bytes())[..16]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_32_hex_digits() {
        let id = "0123456789abcdef0123456789ABCDEF";
        assert_eq!(AccountId::parse(id).map(|a| a.to_string()), Some(id.to_lowercase()));
        for bad in ["", "0123", &"g".repeat(32), &"a".repeat(33), "../../etc/passwd"] {
            assert!(AppealId::parse(bad).is_none() && RequestId::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn an_id_is_stored_as_its_text() {
        let id = AccountId::parse("0123456789abcdef0123456789abcdef").unwrap();
        assert_eq!(serde_json::to_value(&id).unwrap(), serde_json::json!("0123456789abcdef0123456789abcdef"));
        let back: AccountId = serde_json::from_value(serde_json::json!("0123456789abcdef0123456789abcdef")).unwrap();
        assert_eq!(back, id);
        assert!(SessionId::parse(SessionId::of_secret_hash("abc").as_str()).is_some());
    }
}
