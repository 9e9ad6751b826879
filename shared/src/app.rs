//! The bundle of ports every flow runs over, and how it is wired for each
//! backend.

use std::sync::Arc;

use aws_types::SdkConfig;

use crate::breach::BreachList;
use crate::clock::{Clock, SystemClock};
use crate::config::{Backend, Config};
use crate::documents::DocumentStore;
#[cfg(feature = "dev")]
use crate::documents::local::LocalDocuments;
use crate::domain::password_hash::PasswordHasher;
use crate::metrics::{Metric, Metrics};
#[cfg(feature = "dev")]
use crate::notify::outbox::Outbox;
use crate::notify::{Mailer, SmsSender};
use crate::passkeys::Ceremonies;
use crate::persistence::{Counters, Records};
use crate::random::{OsRandom, Random};
use crate::sealing::Sealer;
#[cfg(feature = "dev")]
use crate::sealing::local::LocalSealer;
use crate::store::dynamodb::DynamoStore;
#[cfg(feature = "dev")]
use crate::store::embedded::{EmbeddedStore, open_database};
#[cfg(feature = "dev")]
use crate::store::memory::MemoryStore;
use crate::store::traced::Traced;
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
    /// Encryption of secrets we must read back (TOTP secrets).
    pub sealer: Arc<dyn Sealer>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Randomness for secrets and ids.
    pub random: Arc<dyn Random>,
    /// argon2id, bounded.
    pub hasher: PasswordHasher,
    /// Business metrics (EMF lines in Lambda).
    pub metrics: Metrics,
    /// The WebAuthn ceremonies of passkeys.
    pub ceremonies: Arc<dyn Ceremonies>,
    /// The breached-password list (`ACCOUNTS_BREACHED_PASSWORDS`).
    pub breach: Arc<dyn BreachList>,
}

impl App {
    /// Counts one `metric` now.
    pub fn count(&self, metric: Metric) {
        let millis = self.clock.now() * 1000 + i64::from(self.clock.subsec_nanos() / 1_000_000);
        self.metrics.count(metric, millis);
    }

    /// The table's records (the persistence layer over [`App::store`]).
    pub fn records(&self) -> Records<'_> {
        Records::new(self.store.as_ref())
    }

    /// The table's counters and markers, written at once.
    pub fn counters(&self) -> Counters<'_> {
        Counters::new(self.store.as_ref())
    }
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
    #[cfg(feature = "dev")]
    pub outbox: Option<Outbox>,
    /// The dev server's document directory (embedded backend only).
    #[cfg(feature = "dev")]
    pub local_documents: Option<LocalDocuments>,
}

/// Why the app could not be wired.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// The embedded store could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// `ACCOUNTS_CREATE_TABLE` could not create a resource.
    #[cfg(feature = "dev")]
    #[error(transparent)]
    Provision(#[from] crate::provision::ProvisionError),
    /// The AWS environment is incomplete.
    #[error(transparent)]
    AwsEnvironment(#[from] crate::aws_environment::MissingVariable),
    /// The embedded backend belongs to accounts-dev, not to a function.
    #[error("this binary has no embedded backend (ACCOUNTS_BACKEND=aws)")]
    NoEmbeddedBackend,
    /// The local document directory could not be opened.
    #[error(transparent)]
    Documents(#[from] crate::documents::DocumentError),
    /// The local sealing key could not be read or made.
    #[error(transparent)]
    Sealing(#[from] crate::sealing::SealError),
}

/// Number of argon2 hashes allowed at once: one per core.
pub fn hashing_concurrency() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Wires the app for `config.backend`.
pub async fn wire(config: Config) -> Result<Wired, WireError> {
    match config.backend {
        #[cfg(feature = "dev")]
        Backend::Embedded => Ok(EmbeddedApp::open(config)?.into()),
        #[cfg(not(feature = "dev"))]
        Backend::Embedded => Err(WireError::NoEmbeddedBackend),
        Backend::Aws => wire_aws(config).await,
    }
}

/// Wires DynamoDB and whichever of SES v2, SNS and S3 this binary was built
/// with, configured from Lambda's environment variables.
async fn wire_aws(config: Config) -> Result<Wired, WireError> {
    let sdk = crate::aws_environment::sdk_config()?;
    #[cfg(feature = "dev")]
    if config.create_table {
        crate::provision::ensure_resources(&sdk, &config).await?;
    }
    let clock = Arc::new(SystemClock::default());
    let metrics = if config.emf_metrics { Metrics::Emf } else { Metrics::Off };
    let ceremonies = Arc::from(crate::passkeys::for_config(&config));
    let app = App {
        store: Arc::new(Traced(DynamoStore::new(
            aws_sdk_dynamodb::Client::new(&sdk),
            config.table.clone(),
            clock.clone(),
        ))),
        mailer: mailer(&sdk, &config),
        sms: sms_sender(&sdk, &config),
        documents: documents(&sdk, &config),
        sealer: sealer(&sdk, &config),
        breach: breach_list(&config),
        ceremonies,
        config: Arc::new(config),
        clock: clock.clone(),
        random: Arc::new(OsRandom),
        hasher: PasswordHasher::new(hashing_concurrency()),
        metrics: metrics.clone(),
    };
    Ok(Wired {
        app,
        clock,
        #[cfg(feature = "dev")]
        outbox: None,
        #[cfg(feature = "dev")]
        local_documents: None,
    })
}

/// The range API this binary asks, if it was built with the client
/// (`breach`: the functions that set or check passwords) and one is set.
pub fn breach_list(config: &Config) -> Arc<dyn BreachList> {
    #[cfg(feature = "breach")]
    if let Some(base) = &config.breached_passwords {
        return Arc::new(crate::breach::RangeApi::new(base));
    }
    let _ = config;
    Arc::new(crate::breach::Off)
}

#[cfg(feature = "ses")]
fn mailer(sdk: &SdkConfig, config: &Config) -> Arc<dyn Mailer> {
    let from = crate::notify::sender(&config.email_from_name, &config.email_from);
    let mailer = crate::notify::ses::SesMailer::new(aws_sdk_sesv2::Client::new(sdk), from);
    Arc::new(mailer.with_configuration_set(config.ses_configuration_set.clone()))
}

#[cfg(not(feature = "ses"))]
fn mailer(_: &SdkConfig, _: &Config) -> Arc<dyn Mailer> {
    Arc::new(crate::notify::NotInThisBinary("email"))
}

#[cfg(feature = "sns")]
fn sms_sender(sdk: &SdkConfig, config: &Config) -> Arc<dyn SmsSender> {
    let sender = crate::notify::sns::SnsSmsSender::new(aws_sdk_sns::Client::new(sdk));
    Arc::new(sender.from_origin(config.sms_sender_id.clone(), config.sms_origination_number.clone()))
}

#[cfg(not(feature = "sns"))]
fn sms_sender(_: &SdkConfig, _: &Config) -> Arc<dyn SmsSender> {
    Arc::new(crate::notify::NotInThisBinary("SMS"))
}

#[cfg(feature = "s3")]
fn documents(sdk: &SdkConfig, config: &Config) -> Arc<dyn DocumentStore> {
    Arc::new(crate::documents::s3::S3Documents::new(crate::documents::s3::client(sdk), config.bucket.clone()))
}

#[cfg(not(feature = "s3"))]
fn documents(_: &SdkConfig, _: &Config) -> Arc<dyn DocumentStore> {
    Arc::new(crate::documents::NoDocuments)
}

#[cfg(feature = "kms")]
fn sealer(sdk: &SdkConfig, config: &Config) -> Arc<dyn Sealer> {
    Arc::new(crate::sealing::kms::KmsSealer::new(aws_sdk_kms::Client::new(sdk), config.kms_key_id.clone()))
}

#[cfg(not(feature = "kms"))]
fn sealer(_: &SdkConfig, _: &Config) -> Arc<dyn Sealer> {
    Arc::new(crate::sealing::NoSealer)
}

/// An app on the embedded backend, with the dev-only handles to its outbox
/// and clock.
#[cfg(feature = "dev")]
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

#[cfg(feature = "dev")]
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

#[cfg(feature = "dev")]
impl EmbeddedApp {
    /// Opens the store in `config.data_dir` and wires the outbox.
    pub fn open(config: Config) -> Result<Self, WireError> {
        let clock = Arc::new(SystemClock::default());
        let db = open_database(&config.data_dir)?;
        let store = Arc::new(Traced(EmbeddedStore::new(db.clone(), clock.clone())));
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
        let sealer = LocalSealer::open(config.sealing_key.as_deref(), &config.data_dir, &OsRandom)?;
        let ceremonies = Arc::from(crate::passkeys::for_config(&config));
        let config_ref = config.clone();
        let app = App {
            config: Arc::new(config),
            store,
            mailer: Arc::new(outbox.clone()),
            sms: Arc::new(outbox.clone()),
            documents: Arc::new(documents.clone()),
            sealer: Arc::new(sealer),
            clock: clock.clone(),
            random: Arc::new(OsRandom),
            hasher: PasswordHasher::new(hashing_concurrency()),
            metrics: Metrics::default(),
            breach: breach_list(&config_ref),
            ceremonies,
        };
        Ok(Self { app, outbox, clock, documents })
    }
}
