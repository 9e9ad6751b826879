//! argon2id password hashing, run off the async workers with bounded
//! concurrency so that a burst of sign-ins cannot starve other requests.
//!
//! Each running hash works in a reused 19 MiB memory buffer (one per permit):
//! allocating it per hash costs page faults, and glibc keeps freed blocks of
//! that size in per-thread arenas, so `accounts-dev` grew to 1.5 GiB resident
//! under a sign-up load (BENCHMARKS.md). With the pool it stays near 60 MiB.

use std::sync::{Arc, Mutex};

use argon2::password_hash::{Output, PasswordHash, PasswordHasher as _, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;

use super::password_policy::NewPassword;
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
    /// Working memory of finished hashes, taken by the next (never more
    /// buffers than permits).
    memory: Arc<Mutex<Vec<Vec<Block>>>>,
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
            memory: Arc::default(),
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
            memory: Arc::default(),
            params,
            dummy_hash: dummy_hash.into(),
            inline: true,
        }
    }

    fn argon2(params: Params) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }

    /// Hashes `password` with a fresh 16-byte salt, returning a PHC string.
    pub async fn hash(&self, password: NewPassword, random: &dyn Random) -> String {
        let mut salt = [0u8; 16];
        random.fill(&mut salt);
        let params = self.params.clone();
        self.blocking(move |memory| hash_in(&params, password.expose().as_bytes(), &salt, memory)).await
    }

    /// Verifies `password` against `phc`, or against a dummy hash when there
    /// is none (always false then, at the same cost).
    pub async fn verify(&self, password: SecretString, phc: Option<String>) -> bool {
        let has_real_hash = phc.is_some();
        let phc = phc.unwrap_or_else(|| self.dummy_hash.to_string());
        let matches = self.blocking(move |memory| verify_in(password.expose_secret().as_bytes(), &phc, memory)).await;
        matches && has_real_hash
    }

    /// Runs `work` with a permit and a memory buffer, on the blocking pool.
    async fn blocking<T: Send + 'static>(&self, work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static) -> T {
        let _permit = self.permits.acquire().await.expect("the semaphore is never closed");
        let pool = self.memory.clone();
        let blocks = self.params.block_count();
        let run = move || {
            let taken = pool.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop();
            let mut memory = taken.unwrap_or_else(|| vec![Block::default(); blocks]);
            let result = work(&mut memory);
            pool.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(memory);
            result
        };
        if self.inline {
            return run();
        }
        tokio::task::spawn_blocking(run).await.expect("password hashing does not panic")
    }
}

/// argon2id of `password` and `salt` at `params` in `memory`, as a PHC string.
fn hash_in(params: &Params, password: &[u8], salt: &[u8], memory: &mut [Block]) -> String {
    let argon2 = PasswordHasher::argon2(params.clone());
    let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        argon2.hash_password_into_with_memory(password, salt, out, &mut *memory).map_err(Into::into)
    })
    .expect("argon2 with valid parameters and enough memory cannot fail");
    let salt = SaltString::encode_b64(salt).expect("16 bytes is a valid salt length");
    PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: params.try_into().expect("valid parameters have a PHC form"),
        salt: Some(salt.as_salt()),
        hash: Some(output),
    }
    .to_string()
}

/// Whether `password` matches the argon2 PHC string `phc`, computed in
/// `memory` (or in a buffer of its own if `phc` asks for more) and compared
/// in constant time. A malformed `phc` never matches.
fn verify_in(password: &[u8], phc: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else { return false };
    let (Some(expected), Some(salt)) = (parsed.hash, parsed.salt) else { return false };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else { return false };
    let Ok(version) = parsed.version.map_or(Ok(Version::V0x13), Version::try_from) else { return false };
    let Ok(params) = Params::try_from(&parsed) else { return false };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else { return false };
    let mut own = Vec::new();
    let memory = if memory.len() >= params.block_count() {
        memory
    } else {
        own.resize(params.block_count(), Block::default());
        &mut own
    };
    let argon2 = Argon2::new(algorithm, version, params);
    let computed = Output::init_with(expected.len(), |out| {
        argon2.hash_password_into_with_memory(password, salt, out, &mut **memory).map_err(Into::into)
    });
    computed.is_ok_and(|computed| computed.as_bytes().ct_eq(expected.as_bytes()).into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::password_policy::PasswordPolicy;
    use crate::random::OsRandom;

    fn accepted(password: &str) -> NewPassword {
        PasswordPolicy::Alibaba.check(&password.into(), "nobody").expect("a password the policy takes")
    }

    #[tokio::test]
    async fn hashes_with_owasp_parameters_and_verifies() {
        let hasher = PasswordHasher::new(2);
        let phc = hasher.hash(accepted("Gpu#Cl0ud"), &OsRandom).await;
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(hasher.verify("Gpu#Cl0ud".into(), Some(phc.clone())).await);
        assert!(!hasher.verify("Gpu#Cl0ue".into(), Some(phc)).await);
    }

    #[tokio::test]
    async fn the_minimal_cost_is_only_cheaper_argon2id() {
        let hasher = PasswordHasher::minimal_cost(1);
        let phc = hasher.hash(accepted("Gpu#Cl0ud"), &OsRandom).await;
        assert!(phc.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{phc}");
        assert!(hasher.verify("Gpu#Cl0ud".into(), Some(phc)).await);
        assert!(!hasher.verify("Gpu#Cl0ud".into(), None).await);
    }

    #[tokio::test]
    async fn hashes_agree_with_the_argon2_crates_own_phc_functions() {
        use argon2::password_hash::PasswordVerifier;
        let hasher = PasswordHasher::new(1);
        let ours = hasher.hash(accepted("Gpu#Cl0ud"), &OsRandom).await;
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default().verify_password(b"Gpu#Cl0ud", &parsed).is_ok());
        let salt = SaltString::encode_b64(b"anothersaltvalue").unwrap();
        let theirs = PasswordHasher::argon2(hasher.params.clone()).hash_password(b"Gpu#Cl0ud", &salt).unwrap();
        assert!(hasher.verify("Gpu#Cl0ud".into(), Some(theirs.to_string())).await);
        assert!(!hasher.verify("Gpu#Cl0ue".into(), Some(theirs.to_string())).await);
    }

    #[tokio::test]
    async fn a_hash_needing_more_memory_than_the_pool_still_verifies() {
        let hasher = PasswordHasher::minimal_cost(1);
        let bigger = Params::new(64, 1, 1, None).unwrap();
        let phc = hash_in(&bigger, b"Gpu#Cl0ud", b"somesaltsomesalt", &mut vec![Block::default(); 64]);
        assert!(phc.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{phc}");
        assert!(hasher.verify("Gpu#Cl0ud".into(), Some(phc)).await);
    }

    #[tokio::test]
    async fn malformed_hashes_never_verify() {
        let hasher = PasswordHasher::minimal_cost(1);
        let good = hasher.hash(accepted("Gpu#Cl0ud"), &OsRandom).await;
        let (without_output, _) = good.rsplit_once('$').unwrap();
        for phc in ["", "plain", "$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHQ", without_output, "$bcrypt$x$y$z"] {
            assert!(!hasher.verify("Gpu#Cl0ud".into(), Some(phc.into())).await, "{phc}");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn the_memory_pool_never_outgrows_the_permits() {
        let hasher = PasswordHasher::minimal_cost(2);
        let phc = hasher.hash(accepted("Gpu#Cl0ud"), &OsRandom).await;
        let checks = (0..32).map(|_| {
            let (hasher, phc) = (hasher.clone(), phc.clone());
            tokio::spawn(async move { hasher.verify("Gpu#Cl0ud".into(), Some(phc)).await })
        });
        for check in checks.collect::<Vec<_>>() {
            assert!(check.await.unwrap());
        }
        let buffers = hasher.memory.lock().unwrap().len();
        assert!((1..=2).contains(&buffers), "{buffers} buffers");
    }

    #[tokio::test]
    async fn a_missing_hash_never_verifies() {
        let hasher = PasswordHasher::new(1);
        assert!(!hasher.verify("anything".into(), None).await);
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }
}
