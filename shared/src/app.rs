//! The bundle of ports every flow runs over, and how it is wired for each
//! backend.

use std::sync::Arc;

use aws_config::BehaviorVersion;

use crate::clock::{Clock, SystemClock};
use crate::config::{Backend, Config};
use crate::documents::DocumentStore;
use crate::documents::local::LocalDocuments;
use crate::documents::s3::S3Documents;
use crate::domain::password_hash::PasswordHasher;
use crate::notify::outbox::Outbox;
use crate::notify::ses::SesMailer;
use crate::notify::sns::SnsSmsSender;
use crate::notify::{Mailer, SmsSender};
use crate::random::{OsRandom, Random};
use crate::store::dynamodb::DynamoStore;
use crate::store::embedded::{EmbeddedStore, open_database};
use crate::store::memory::MemoryStore;
use crate::store::{Store, StoreError};

/// The ports (and settings) a flow needs; cheap to clone.
#[derive(Clone)]
pub struct App {
    /// Settings.
    pub config: Arc<Config>,
    /// The single table.
    pub store: Arc<dyn Store>,
    /// Email.
    pub mailer: Arc<dyn Mailer>,
    /// SMS.
    pub sms: Arc<dyn SmsSender>,
    /// Verification materials.
    pub documents: Arc<dyn DocumentStore>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Randomness for secrets and ids.
    pub random: Arc<dyn Random>,
    /// argon2id, bounded.
    pub hasher: PasswordHasher,
}

/// An app and the handles only a dev server uses: the clock it may advance
/// and, on the embedded backend, the outbox.
#[derive(Clone)]
pub struct Wired {
    /// The app.
    pub app: App,
    /// The app's clock.
    pub clock: Arc<SystemClock>,
    /// Where email and SMS went (embedded backend only).
    pub outbox: Option<Outbox>,
    /// The dev server's document directory (embedded backend only).
    pub local_documents: Option<LocalDocuments>,
}

/// Why the app could not be wired.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// The embedded store could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// `ACCOUNTS_CREATE_TABLE` could not create a resource.
    #[error(transparent)]
    Provision(#[from] crate::provision::ProvisionError),
    /// The local document directory could not be opened.
    #[error(transparent)]
    Documents(#[from] crate::documents::DocumentError),
}

/// Number of argon2 hashes allowed at once: one per core.
pub fn hashing_concurrency() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Wires the app for `config.backend`.
pub async fn wire(config: Config) -> Result<Wired, WireError> {
    match config.backend {
        Backend::Embedded => Ok(EmbeddedApp::open(config)?.into()),
        Backend::Aws => wire_aws(config).await,
    }
}

/// Wires DynamoDB, SES v2 and SNS from the standard AWS configuration chain
/// (`AWS_ENDPOINT_URL` honoured).
async fn wire_aws(config: Config) -> Result<Wired, WireError> {
    let sdk = aws_config::defaults(BehaviorVersion::latest()).load().await;
    if config.create_table {
        crate::provision::ensure_resources(&sdk, &config).await?;
    }
    let clock = Arc::new(SystemClock::default());
    let app = App {
        store: Arc::new(DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), config.table.clone(), clock.clone())),
        mailer: Arc::new(
            SesMailer::new(aws_sdk_sesv2::Client::new(&sdk), config.email_from.clone())
                .with_configuration_set(config.ses_configuration_set.clone()),
        ),
        sms: Arc::new(SnsSmsSender::new(aws_sdk_sns::Client::new(&sdk))),
        documents: Arc::new(S3Documents::new(crate::documents::s3::client(&sdk), config.bucket.clone())),
        config: Arc::new(config),
        clock: clock.clone(),
        random: Arc::new(OsRandom),
        hasher: PasswordHasher::new(hashing_concurrency()),
    };
    Ok(Wired { app, clock, outbox: None, local_documents: None })
}

/// An app on the embedded backend, with the dev-only handles to its outbox
/// and clock.
#[derive(Clone)]
pub struct EmbeddedApp {
    /// The app.
    pub app: App,
    /// Where email and SMS went.
    pub outbox: Outbox,
    /// The clock `/_dev/clock` advances.
    pub clock: Arc<SystemClock>,
    /// Where uploads go.
    pub documents: LocalDocuments,
}

impl From<EmbeddedApp> for Wired {
    fn from(embedded: EmbeddedApp) -> Self {
        Self {
            app: embedded.app,
            clock: embedded.clock,
            outbox: Some(embedded.outbox),
            local_documents: Some(embedded.documents),
        }
    }
}

impl EmbeddedApp {
    /// Opens the store in `config.data_dir` and wires the outbox.
    pub fn open(config: Config) -> Result<Self, WireError> {
        let clock = Arc::new(SystemClock::default());
        let db = open_database(&config.data_dir)?;
        let store = Arc::new(EmbeddedStore::new(db.clone(), clock.clone()));
        Self::with(config, store, Outbox::new(db, clock.clone()), clock)
    }

    /// The same app with the store and outbox in memory (nothing survives
    /// the process): for benchmarks and fuzzing. Uploads still go to
    /// `config.data_dir`.
    pub fn open_in_memory(config: Config) -> Result<Self, WireError> {
        let clock = Arc::new(SystemClock::default());
        let store = Arc::new(MemoryStore::new(clock.clone()));
        Self::with(config, store, Outbox::in_memory(clock.clone()), clock)
    }

    fn with(config: Config, store: Arc<dyn Store>, outbox: Outbox, clock: Arc<SystemClock>) -> Result<Self, WireError> {
        let documents = LocalDocuments::open(&config.data_dir, &config.public_url, clock.clone(), &OsRandom)?;
        let app = App {
            config: Arc::new(config),
            store,
            mailer: Arc::new(outbox.clone()),
            sms: Arc::new(outbox.clone()),
            documents: Arc::new(documents.clone()),
            clock: clock.clone(),
            random: Arc::new(OsRandom),
            hasher: PasswordHasher::new(hashing_concurrency()),
        };
        Ok(Self { app, outbox, clock, documents })
    }
}
