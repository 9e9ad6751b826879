//! Documents on the dev server's disk. URLs are signed like S3's presigned
//! URLs (HMAC-SHA256 over operation, key, type, size and expiry, with a key
//! kept in the data directory), so the dev server checks them statelessly
//! at `/_dev/objects/<key>`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{DocumentError, DocumentStore, StoredObject};
use crate::clock::Clock;
use crate::random::Random;

type HmacSha256 = Hmac<Sha256>;

/// A signed request for one object, as the dev server receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// `put` or `get`.
    pub op: String,
    /// Object key.
    pub key: String,
    /// Content type the upload must carry (empty for `get`).
    pub content_type: String,
    /// Exact size the upload must have (0 for `get`).
    pub size: u64,
    /// Unix seconds after which the URL is void.
    pub expires: i64,
    /// Hex HMAC.
    pub signature: String,
}

/// Documents under `<data dir>/objects`.
#[derive(Clone)]
pub struct LocalDocuments {
    root: PathBuf,
    signing_key: Arc<Vec<u8>>,
    public_url: String,
    clock: Arc<dyn Clock>,
    /// When the uploads were last swept (Unix seconds).
    last_sweep: Arc<AtomicI64>,
}

/// The least time between two sweeps of stale uploads: a directory walk per
/// upload would cost more than the upload itself (S3's lifecycle rule runs
/// once a day).
const SWEEP_EVERY_SECS: i64 = 60;

fn internal(e: impl std::fmt::Display) -> DocumentError {
    DocumentError::Internal(e.to_string())
}

/// Whether `key` is one we make: lowercase letters, digits, `-` and `/`
/// between non-empty segments (so it never leaves the root).
pub fn is_safe_key(key: &str) -> bool {
    !key.is_empty()
        && key.split('/').all(|seg| {
            !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

impl LocalDocuments {
    /// Opens the store in `data_dir`, creating its signing key once.
    pub fn open(
        data_dir: &Path,
        public_url: &str,
        clock: Arc<dyn Clock>,
        random: &dyn Random,
    ) -> Result<Self, DocumentError> {
        let key_path = data_dir.join("signing.key");
        let signing_key = match std::fs::read(&key_path) {
            Ok(key) if key.len() == 32 => key,
            _ => {
                let mut key = vec![0u8; 32];
                random.fill(&mut key);
                std::fs::create_dir_all(data_dir).map_err(internal)?;
                std::fs::write(&key_path, &key).map_err(internal)?;
                key
            }
        };
        Ok(Self {
            root: data_dir.join("objects"),
            signing_key: Arc::new(signing_key),
            public_url: public_url.to_owned(),
            clock,
            last_sweep: Arc::new(AtomicI64::new(i64::MIN / 2)),
        })
    }

    fn sign(&self, op: &str, key: &str, content_type: &str, size: u64, expires: i64) -> String {
        let mut mac = HmacSha256::new_from_slice(&self.signing_key).expect("HMAC takes any key length");
        mac.update(format!("{op}\n{key}\n{content_type}\n{size}\n{expires}").as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    fn url(&self, op: &str, key: &str, content_type: &str, size: u64, expires_in: Duration) -> String {
        let expires = self.clock.now() + expires_in.as_secs() as i64;
        let signature = self.sign(op, key, content_type, size, expires);
        let ct = content_type.replace('/', "%2F");
        format!("{}/_dev/objects/{key}?op={op}&ct={ct}&size={size}&expires={expires}&sig={signature}", self.public_url)
    }

    /// Whether `request` carries a valid, unexpired signature.
    pub fn verify(&self, request: &SignedRequest) -> bool {
        let Ok(signature) = hex::decode(&request.signature) else { return false };
        let mut mac = HmacSha256::new_from_slice(&self.signing_key).expect("HMAC takes any key length");
        mac.update(
            format!("{}\n{}\n{}\n{}\n{}", request.op, request.key, request.content_type, request.size, request.expires)
                .as_bytes(),
        );
        // verify_slice compares in constant time.
        mac.verify_slice(&signature).is_ok() && request.expires > self.clock.now() && is_safe_key(&request.key)
    }

    fn path(&self, key: &str) -> Result<PathBuf, DocumentError> {
        if !is_safe_key(key) {
            return Err(internal(format!("unsafe key {key:?}")));
        }
        Ok(self.root.join(key))
    }

    /// Stores an upload the dev server accepted.
    pub async fn write(&self, key: &str, bytes: Vec<u8>) -> Result<(), DocumentError> {
        let path = self.path(key)?;
        // Stamped with the server's clock, which `/_dev/clock` moves, so
        // that stale uploads age with it.
        let stamp = std::time::UNIX_EPOCH + Duration::from_secs(self.clock.now().max(0) as u64);
        tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(path.parent().expect("keys have a parent")).map_err(internal)?;
            std::fs::write(&path, bytes).map_err(internal)?;
            std::fs::File::options().write(true).open(&path).and_then(|f| f.set_modified(stamp)).map_err(internal)
        })
        .await
        .map_err(internal)?
    }

    /// Whether an object exists at `key`.
    pub fn exists(&self, key: &str) -> bool {
        self.path(key).is_ok_and(|path| path.is_file())
    }

    /// Reads an object for a signed download.
    pub async fn read(&self, key: &str) -> Result<Option<Vec<u8>>, DocumentError> {
        let path = self.path(key)?;
        match tokio::fs::read(path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(internal(e)),
        }
    }
}

#[async_trait]
impl DocumentStore for LocalDocuments {
    async fn upload_url(
        &self,
        key: &str,
        content_type: &str,
        size: u64,
        expires_in: Duration,
    ) -> Result<String, DocumentError> {
        Ok(self.url("put", key, content_type, size, expires_in))
    }

    async fn download_url(&self, key: &str, expires_in: Duration) -> Result<String, DocumentError> {
        Ok(self.url("get", key, "", 0, expires_in))
    }

    async fn inspect(&self, key: &str) -> Result<Option<StoredObject>, DocumentError> {
        Ok(self
            .read(key)
            .await?
            .map(|bytes| StoredObject { size: bytes.len() as u64, head: bytes.into_iter().take(16).collect() }))
    }

    async fn delete(&self, key: &str) -> Result<(), DocumentError> {
        match tokio::fs::remove_file(self.path(key)?).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(internal(e)),
        }
    }

    async fn copy(&self, from: &str, to: &str) -> Result<bool, DocumentError> {
        match self.read(from).await? {
            Some(bytes) => self.write(to, bytes).await.map(|()| true),
            None => Ok(false),
        }
    }

    async fn delete_prefix(&self, prefix: &str) -> Result<(), DocumentError> {
        let folder = self.path(prefix.trim_end_matches('/'))?;
        match tokio::fs::remove_dir_all(folder).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(internal(e)),
        }
    }

    async fn forget_stale_uploads(&self, max_age_secs: i64) -> Result<(), DocumentError> {
        let now = self.clock.now();
        let last = self.last_sweep.load(Ordering::Relaxed);
        if (last..last + SWEEP_EVERY_SECS).contains(&now)
            || self.last_sweep.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_err()
        {
            return Ok(());
        }
        let cutoff = std::time::UNIX_EPOCH + Duration::from_secs((self.clock.now() - max_age_secs).max(0) as u64);
        let uploads = self.root.join(super::UPLOADS);
        tokio::task::spawn_blocking(move || remove_files_older_than(&uploads, cutoff)).await.map_err(internal)?
    }
}

/// Removes every file under `dir` last written before `cutoff`.
fn remove_files_older_than(dir: &Path, cutoff: std::time::SystemTime) -> Result<(), DocumentError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(internal(e)),
    };
    for entry in entries {
        let entry = entry.map_err(internal)?;
        let metadata = entry.metadata().map_err(internal)?;
        if metadata.is_dir() {
            remove_files_older_than(&entry.path(), cutoff)?;
        } else if metadata.modified().map_err(internal)? < cutoff {
            std::fs::remove_file(entry.path()).map_err(internal)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;
    use crate::random::OsRandom;

    #[test]
    fn keys_never_leave_the_root() {
        assert!(is_safe_key("materials/abc123/def-456"));
        for bad in ["", "/abs", "a//b", "../x", "a/../b", "a/B", "a/b/", "a b"] {
            assert!(!is_safe_key(bad), "{bad}");
        }
    }

    #[test]
    fn signatures_bind_every_part_and_expire() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(SystemClock::default());
        let docs = LocalDocuments::open(dir.path(), "http://x", clock.clone(), &OsRandom).unwrap();
        let expires = clock.now() + 60;
        let good = SignedRequest {
            op: "put".into(),
            key: "materials/a/b".into(),
            content_type: "image/png".into(),
            size: 10,
            expires,
            signature: docs.sign("put", "materials/a/b", "image/png", 10, expires),
        };
        assert!(docs.verify(&good));
        assert!(!docs.verify(&SignedRequest { size: 11, ..good.clone() }));
        assert!(!docs.verify(&SignedRequest { op: "get".into(), ..good.clone() }));
        assert!(!docs.verify(&SignedRequest { key: "materials/a/c".into(), ..good.clone() }));
        clock.advance(60);
        assert!(!docs.verify(&good));
    }
}
