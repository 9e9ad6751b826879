//! Bearer secrets handed to a client (session tokens, password links): 256
//! random bits, given out once, stored only as their SHA-256.
//!
//! A token reads `<id>.<secret>`: the record's id (an account's, an
//! appeal's) routes the look-up to its items without an index; only the
//! secret's hash is stored.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::SecretString;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::ids::RecordId;
use crate::random::Random;

/// A freshly minted token and the hash to store for it.
pub struct MintedToken {
    /// Sent to the client, never stored or logged.
    pub token: SecretString,
    /// Hex SHA-256 of the secret part; what the store keeps.
    pub hash: String,
}

/// A token as presented by a client, split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentedToken<Id> {
    /// The record the token claims to belong to (an account, an appeal).
    pub id: Id,
    /// Hex SHA-256 of the presented secret.
    pub hash: String,
}

/// Mints a 256-bit token for the record `id`.
pub fn mint(id: &impl RecordId, random: &dyn Random) -> MintedToken {
    let mut secret = [0u8; 32];
    random.fill(&mut secret);
    let secret = URL_SAFE_NO_PAD.encode(secret);
    MintedToken { hash: hash_secret(&secret), token: format!("{}.{secret}", id.as_str()).into() }
}

/// Splits a presented token; `None` if it cannot be one of ours for a
/// record of type `Id`.
pub fn parse<Id: RecordId>(token: &str) -> Option<PresentedToken<Id>> {
    let (id, secret) = token.split_once('.')?;
    let id = Id::parse(id)?;
    let well_formed = secret.len() == 43 && URL_SAFE_NO_PAD.decode(secret).is_ok();
    well_formed.then(|| PresentedToken { id, hash: hash_secret(secret) })
}

/// Compares two stored hashes without leaking where they differ.
pub fn hashes_match(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{AccountId, AppealId};
    use crate::random::OsRandom;
    use secrecy::ExposeSecret;

    fn account() -> AccountId {
        AccountId::new(&OsRandom)
    }

    #[test]
    fn a_minted_token_parses_back_to_its_hash() {
        let id = account();
        let minted = mint(&id, &OsRandom);
        let parsed: PresentedToken<AccountId> = parse(minted.token.expose_secret()).unwrap();
        assert_eq!(parsed.id, id);
        assert!(hashes_match(&parsed.hash, &minted.hash));
        assert!(!minted.token.expose_secret().contains(&minted.hash));
        // A secret never prints.
        assert!(!format!("{:?}", minted.token).contains(minted.token.expose_secret()));
    }

    #[test]
    fn tokens_are_unique() {
        let id = account();
        assert_ne!(mint(&id, &OsRandom).token.expose_secret(), mint(&id, &OsRandom).token.expose_secret());
    }

    #[test]
    fn garbage_is_not_a_token() {
        let id = "0123456789abcdef0123456789abcdef";
        for bad in [
            "",
            "abc",
            ".",
            "abc.",
            ".xyz",
            "a b.xyz",
            &format!("{id}.short"),
            "abc.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            &format!("{}/.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &id[1..]),
        ] {
            assert_eq!(parse::<AppealId>(bad), None, "{bad}");
        }
        assert!(parse::<AppealId>(&format!("{id}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).is_some());
    }

    #[test]
    fn tampering_changes_the_hash() {
        let minted = mint(&account(), &OsRandom);
        // Flip the secret's first character (the last one also carries
        // padding bits, so changing it may just make the token malformed).
        let (id, secret) = minted.token.expose_secret().split_once('.').unwrap();
        let first = if secret.starts_with('A') { 'B' } else { 'A' };
        let tampered = format!("{id}.{first}{}", &secret[1..]);
        let parsed: PresentedToken<AccountId> = parse(&tampered).unwrap();
        assert!(!hashes_match(&parsed.hash, &minted.hash));
    }
}
