//! argon2id password hashing, run off the async workers with bounded
//! concurrency so that a burst of sign-ins cannot starve other requests.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::random::Random;

/// A PHC string of the same parameters, verified when there is no real hash
/// (unknown login, pending account) so that both paths cost the same.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2Zbkd9VWSW1SXVjCf4C2cVtvqTgSqHt2lq0NOmKA46M";

/// Hashes and verifies passwords with argon2id (m = 19456 KiB, t = 2, p = 1,
/// OWASP's recommendation).
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    params: Params,
    dummy_hash: Arc<str>,
    /// Hashes on the caller's task instead of the blocking pool (only at
    /// the minimal cost, where a thread hand-off costs more than the hash).
    inline: bool,
}

impl PasswordHasher {
    /// At most `concurrency` hashes run at once (use the number of cores).
    pub fn new(concurrency: usize) -> Self {
        let params = Params::new(19_456, 2, 1, None).expect("static argon2 parameters are valid");
        Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            params,
            dummy_hash: DUMMY_HASH.into(),
            inline: false,
        }
    }

    /// argon2id at its smallest cost (8 KiB, one pass), run inline: for
    /// benchmarks that measure everything but the hash, and for fuzzing.
    /// Never for accounts.
    pub fn minimal_cost(concurrency: usize) -> Self {
        let params = Params::new(Params::MIN_M_COST, 1, 1, None).expect("argon2's minimum parameters are valid");
        let dummy_hash = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
            .hash_password(b"dummy", &SaltString::encode_b64(b"somesaltsomesalt").expect("a valid salt"))
            .expect("argon2 with valid parameters cannot fail")
            .to_string();
        Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            params,
            dummy_hash: dummy_hash.into(),
            inline: true,
        }
    }

    fn argon2(params: Params) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }

    /// Hashes `password` with a fresh 16-byte salt, returning a PHC string.
    pub async fn hash(&self, password: String, random: &dyn Random) -> String {
        let mut salt = [0u8; 16];
        random.fill(&mut salt);
        let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt length");
        let params = self.params.clone();
        self.blocking(move || {
            Self::argon2(params)
                .hash_password(password.as_bytes(), &salt)
                .expect("argon2 with valid parameters cannot fail")
                .to_string()
        })
        .await
    }

    /// Verifies `password` against `phc`, or against a dummy hash when there
    /// is none (always false then, at the same cost).
    pub async fn verify(&self, password: String, phc: Option<String>) -> bool {
        let has_real_hash = phc.is_some();
        let phc = phc.unwrap_or_else(|| self.dummy_hash.to_string());
        let params = self.params.clone();
        let matches = self
            .blocking(move || {
                PasswordHash::new(&phc)
                    .map(|parsed| Self::argon2(params).verify_password(password.as_bytes(), &parsed).is_ok())
                    .unwrap_or(false)
            })
            .await;
        matches && has_real_hash
    }

    async fn blocking<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> T {
        let _permit = self.permits.acquire().await.expect("the semaphore is never closed");
        if self.inline {
            return work();
        }
        tokio::task::spawn_blocking(work).await.expect("password hashing does not panic")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::OsRandom;

    #[tokio::test]
    async fn hashes_with_owasp_parameters_and_verifies() {
        let hasher = PasswordHasher::new(2);
        let phc = hasher.hash("Gpu#Cl0ud".into(), &OsRandom).await;
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(hasher.verify("Gpu#Cl0ud".into(), Some(phc.clone())).await);
        assert!(!hasher.verify("Gpu#Cl0ue".into(), Some(phc)).await);
    }

    #[tokio::test]
    async fn the_minimal_cost_is_only_cheaper_argon2id() {
        let hasher = PasswordHasher::minimal_cost(1);
        let phc = hasher.hash("Gpu#Cl0ud".into(), &OsRandom).await;
        assert!(phc.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{phc}");
        assert!(hasher.verify("Gpu#Cl0ud".into(), Some(phc)).await);
        assert!(!hasher.verify("Gpu#Cl0ud".into(), None).await);
    }

    #[tokio::test]
    async fn a_missing_hash_never_verifies() {
        let hasher = PasswordHasher::new(1);
        assert!(!hasher.verify("anything".into(), None).await);
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }
}
