//! Bearer secrets handed to a client (session tokens, password links): 256
//! random bits, given out once, stored only as their SHA-256.
//!
//! A token reads `<account_id>.<secret>`: the account id routes the look-up to
//! the account's items without an index; only the secret's hash is stored.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::SecretString;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

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
pub struct PresentedToken {
    /// The account the token claims to belong to.
    pub account_id: String,
    /// Hex SHA-256 of the presented secret.
    pub hash: String,
}

/// Mints a 256-bit token for `account_id`.
pub fn mint(account_id: &str, random: &dyn Random) -> MintedToken {
    let mut secret = [0u8; 32];
    random.fill(&mut secret);
    let secret = URL_SAFE_NO_PAD.encode(secret);
    MintedToken { hash: hash_secret(&secret), token: format!("{account_id}.{secret}").into() }
}

/// Splits a presented token; `None` if it cannot be one of ours.
pub fn parse(token: &str) -> Option<PresentedToken> {
    let (account_id, secret) = token.split_once('.')?;
    let well_formed = !account_id.is_empty()
        && account_id.len() <= 64
        && account_id.bytes().all(|b| b.is_ascii_alphanumeric())
        && secret.len() == 43
        && URL_SAFE_NO_PAD.decode(secret).is_ok();
    well_formed.then(|| PresentedToken { account_id: account_id.to_owned(), hash: hash_secret(secret) })
}

/// Compares two stored hashes without leaking where they differ.
pub fn hashes_match(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A fresh random identifier (128 bits, hex): opaque and unguessable.
pub fn new_id(random: &dyn Random) -> String {
    let mut bytes = [0u8; 16];
    random.fill(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::OsRandom;
    use secrecy::ExposeSecret;

    #[test]
    fn a_minted_token_parses_back_to_its_hash() {
        let minted = mint("abc123", &OsRandom);
        let parsed = parse(minted.token.expose_secret()).unwrap();
        assert_eq!(parsed.account_id, "abc123");
        assert!(hashes_match(&parsed.hash, &minted.hash));
        assert!(!minted.token.expose_secret().contains(&minted.hash));
        // A secret never prints.
        assert!(!format!("{:?}", minted.token).contains(minted.token.expose_secret()));
    }

    #[test]
    fn tokens_are_unique() {
        assert_ne!(mint("a", &OsRandom).token.expose_secret(), mint("a", &OsRandom).token.expose_secret());
    }

    #[test]
    fn garbage_is_not_a_token() {
        for bad in
            ["", "abc", ".", "abc.", ".xyz", "a b.xyz", "abc.short", "ab/c.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"]
        {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn tampering_changes_the_hash() {
        let minted = mint("abc", &OsRandom);
        // Flip the secret's first character (the last one also carries
        // padding bits, so changing it may just make the token malformed).
        let (account, secret) = minted.token.expose_secret().split_once('.').unwrap();
        let first = if secret.starts_with('A') { 'B' } else { 'A' };
        let tampered = format!("{account}.{first}{}", &secret[1..]);
        let parsed = parse(&tampered).unwrap();
        assert!(!hashes_match(&parsed.hash, &minted.hash));
    }
}
