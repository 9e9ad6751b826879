//! The ids a client names in a path or query: an account, an appeal, a
//! deletion request. Each is the 128-bit random hex `new_id` draws, parsed
//! once at the edge, so a flow never takes one kind of id for another and no
//! client text of another shape reaches a key.

use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            /// The id in `text`, if it has an id's shape (32 hex digits).
            pub fn parse(text: &str) -> Option<Self> {
                let well_formed = text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit());
                well_formed.then(|| Self(text.to_ascii_lowercase()))
            }

            /// The id as stored.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
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
}
