//! Push providers behind one trait: `send(device, message)` answers [`PushOutcome::Delivered`],
//! [`PushOutcome::DropToken`] (the token is dead: deactivate the device),
//! [`PushOutcome::Retry`] (not delivered; try later, after the provider's `Retry-After` if it
//! gave one), [`PushOutcome::Unknown`] (the request may have reached the provider: a timeout or a
//! connection lost mid-request) or [`PushOutcome::Fatal`] (retrying cannot help). Each device row
//! names its provider, so vendor channels used in mainland China (Huawei, Xiaomi, APNs direct) can
//! be added beside FCM.
//!
//! Each provider has its own concurrency limit ([`PushProvider::concurrency`]), held in
//! [`PushProviders`] as a semaphore: a sender takes a permit before each send and may give up
//! waiting for one, so a slow provider slows its own sends and nothing else, and nothing is cut
//! off mid-request. A message carries a `tag` (the notification's id) that phones use to show a
//! message sent twice only once.
//!
//! Shipped: [`fcm::FcmProvider`] (FCM HTTP v1) and [`log::LogProvider`] (records what would have
//! been sent; used when no FCM credentials are configured). Payloads carry no personal data:
//! FCM crosses borders, so a message holds ids and a generic text and the app fetches details
//! over the API. Tokens never appear in logs: [`token_hash`] names them.

pub mod fcm;
pub mod log;

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// The phone a push goes to.
#[derive(Clone, Debug)]
pub struct PushTarget {
    pub device_id: Uuid,
    /// `android` or `ios`.
    pub platform: String,
    /// The provider's registration token. Never log it.
    pub token: String,
}

/// What a push says: generic text and ids only.
#[derive(Clone, Debug, PartialEq)]
pub struct PushMessage {
    pub title: String,
    pub body: String,
    /// Deep-link data: ids and kinds, all strings.
    pub data: BTreeMap<String, String>,
    /// Wake the phone now (rescue call-outs).
    pub high_priority: bool,
    /// Drop it if not delivered within this long (reminders expire).
    pub ttl: Option<Duration>,
    /// A newer message with the same key replaces an undelivered older one.
    pub collapse_key: Option<String>,
    /// The message's own identity (the notification id): a second copy with the same tag
    /// replaces the first on the phone instead of showing twice.
    pub tag: Option<String>,
}

/// How one send ended.
#[derive(Clone, Debug, PartialEq)]
pub enum PushOutcome {
    /// Accepted by the provider.
    Delivered,
    /// The token is dead (unregistered, wrong sender, invalid): deactivate the device.
    DropToken(String),
    /// Not delivered; try again later, after `after` if the provider said.
    Retry { after: Option<Duration>, reason: String },
    /// The request may or may not have reached the provider (it timed out, or the connection
    /// broke mid-request): sending again may deliver twice.
    Unknown(String),
    /// Retrying cannot help (our payload is wrong, the provider's credentials are broken).
    Fatal(String),
}

impl PushOutcome {
    /// A short name for metrics.
    pub fn label(&self) -> &'static str {
        match self {
            PushOutcome::Delivered => "delivered",
            PushOutcome::DropToken(_) => "drop_token",
            PushOutcome::Retry { .. } => "retry",
            PushOutcome::Unknown(_) => "unknown",
            PushOutcome::Fatal(_) => "fatal",
        }
    }
}

/// Sends pushes through one provider.
#[async_trait]
pub trait PushProvider: Send + Sync + 'static {
    /// The provider's name, as stored on device rows (`fcm`) or `log`.
    fn name(&self) -> &str;
    /// Most sends in flight at once through this provider (across all jobs of the process).
    fn concurrency(&self) -> usize {
        64
    }
    /// Sends one message to one device. Bounded in time by the provider's own timeout.
    async fn send(&self, target: &PushTarget, message: &PushMessage) -> PushOutcome;
}

/// A provider with the permits that bound its concurrency.
#[derive(Clone)]
pub struct Lane {
    pub provider: Arc<dyn PushProvider>,
    permits: Arc<tokio::sync::Semaphore>,
}

impl Lane {
    /// Waits for a free slot of this provider until `deadline`; `None` if none came in time
    /// (nothing was sent, so giving up is safe).
    pub async fn permit(&self, deadline: tokio::time::Instant) -> Option<tokio::sync::OwnedSemaphorePermit> {
        tokio::time::timeout_at(deadline, self.permits.clone().acquire_owned()).await.ok()?.ok()
    }
}

/// The providers of a process, by the name device rows carry.
#[derive(Clone, Default)]
pub struct PushProviders {
    by_name: HashMap<String, Lane>,
}

impl PushProviders {
    /// No providers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Devices whose provider is `device_provider` are reached through `provider`.
    pub fn with(mut self, device_provider: &str, provider: Arc<dyn PushProvider>) -> Self {
        let permits = Arc::new(tokio::sync::Semaphore::new(provider.concurrency().max(1)));
        self.by_name.insert(device_provider.to_string(), Lane { provider, permits });
        self
    }

    /// The provider (and its permits) for devices of `device_provider`.
    pub fn get(&self, device_provider: &str) -> Option<&Lane> {
        self.by_name.get(device_provider)
    }
}

/// Installs ring as the process's TLS crypto provider (reqwest is built without a bundled one;
/// ring is already linked by sqlx). Call before building any HTTP client; repeated calls are
/// harmless.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A short, stable name for a token that reveals nothing of it, for logs.
pub fn token_hash(token: &str) -> String {
    hex::encode(&Sha256::digest(token.as_bytes())[..6])
}
