//! The dev server's sealer: AES-256-GCM with a random nonce per value and
//! the context as associated data, under `ACCOUNTS_SEALING_KEY` (64 hex
//! characters) or, when that is unset, a key created once in the data
//! directory.

use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use secrecy::SecretBox;

use super::{SealError, Sealer};
use crate::random::Random;

const PREFIX: &str = "local1:";

/// AES-256-GCM under one key.
#[derive(Clone)]
pub struct LocalSealer {
    cipher: Aes256Gcm,
}

impl LocalSealer {
    /// A sealer under `key`.
    pub fn new(key: &[u8; 32]) -> Self {
        Self { cipher: Aes256Gcm::new(key.into()) }
    }

    /// The sealer of `configured` (hex), else of the key kept in `data_dir`,
    /// created on first use.
    pub fn open(configured: Option<&str>, data_dir: &Path, random: &dyn Random) -> Result<Self, SealError> {
        let internal = |e: std::io::Error| SealError::Internal(format!("sealing key: {e}"));
        if let Some(hex_key) = configured {
            let key: [u8; 32] = hex::decode(hex_key)
                .ok()
                .and_then(|k| k.try_into().ok())
                .ok_or_else(|| SealError::Internal("ACCOUNTS_SEALING_KEY is not 64 hex characters".into()))?;
            return Ok(Self::new(&key));
        }
        std::fs::create_dir_all(data_dir).map_err(internal)?;
        let path = data_dir.join("sealing.key");
        let key: [u8; 32] = match std::fs::read(&path).ok().and_then(|k| k.try_into().ok()) {
            Some(key) => key,
            None => {
                let mut key = [0u8; 32];
                random.fill(&mut key);
                std::fs::write(&path, key).map_err(internal)?;
                key
            }
        };
        Ok(Self::new(&key))
    }

    fn seal_with(&self, plaintext: &[u8], context: &str, nonce: [u8; 12]) -> Result<String, SealError> {
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plaintext, aad: context.as_bytes() })
            .map_err(|_| SealError::Internal("encryption failed".into()))?;
        Ok(format!("{PREFIX}{}", STANDARD.encode([nonce.as_slice(), &sealed].concat())))
    }
}

#[async_trait]
impl Sealer for LocalSealer {
    async fn seal(&self, plaintext: &[u8], context: &str) -> Result<String, SealError> {
        let mut nonce = [0u8; 12];
        crate::random::OsRandom.fill(&mut nonce);
        self.seal_with(plaintext, context, nonce)
    }

    async fn open(&self, sealed: &str, context: &str) -> Result<SecretBox<Vec<u8>>, SealError> {
        let corrupt = || SealError::Internal("sealed value does not open".into());
        let bytes = sealed.strip_prefix(PREFIX).and_then(|b64| STANDARD.decode(b64).ok()).ok_or_else(corrupt)?;
        if bytes.len() < 12 {
            return Err(corrupt());
        }
        let (nonce, ciphertext) = bytes.split_at(12);
        let plaintext = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ciphertext, aad: context.as_bytes() })
            .map_err(|_| corrupt())?;
        Ok(SecretBox::new(Box::new(plaintext)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[tokio::test]
    async fn a_sealed_secret_opens_only_with_its_key_and_its_account() {
        let sealer = LocalSealer::new(&[7; 32]);
        let sealed = sealer.seal(b"totp secret", "account-a").await.unwrap();
        assert!(!sealed.contains("totp"));
        assert_eq!(sealer.open(&sealed, "account-a").await.unwrap().expose_secret(), b"totp secret");
        assert!(sealer.open(&sealed, "account-b").await.is_err(), "moved to another account");
        assert!(LocalSealer::new(&[8; 32]).open(&sealed, "account-a").await.is_err(), "another key");
        assert_ne!(sealed, sealer.seal(b"totp secret", "account-a").await.unwrap(), "a fresh nonce each time");
    }
}
