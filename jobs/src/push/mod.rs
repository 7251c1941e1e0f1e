//! Push providers behind one trait: `send(device, message)` answers [`PushOutcome::Delivered`],
//! [`PushOutcome::DropToken`] (the token is dead: deactivate the device),
//! [`PushOutcome::Retry`] (try later, after the provider's `Retry-After` if it gave one) or
//! [`PushOutcome::Fatal`] (retrying cannot help). Each device row names its provider, so vendor
//! channels used in mainland China (Huawei, Xiaomi, APNs direct) can be added beside FCM.
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
}

/// How one send ended.
#[derive(Clone, Debug, PartialEq)]
pub enum PushOutcome {
    /// Accepted by the provider.
    Delivered,
    /// The token is dead (unregistered, wrong sender, invalid): deactivate the device.
    DropToken(String),
    /// Try again later; after `after` if the provider said.
    Retry { after: Option<Duration>, reason: String },
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
            PushOutcome::Fatal(_) => "fatal",
        }
    }
}

/// Sends pushes through one provider.
#[async_trait]
pub trait PushProvider: Send + Sync + 'static {
    /// The provider's name, as stored on device rows (`fcm`) or `log`.
    fn name(&self) -> &str;
    /// Sends one message to one device.
    async fn send(&self, target: &PushTarget, message: &PushMessage) -> PushOutcome;
}

/// The providers of a process, by the name device rows carry.
#[derive(Clone, Default)]
pub struct PushProviders {
    by_name: HashMap<String, Arc<dyn PushProvider>>,
}

impl PushProviders {
    /// No providers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Devices whose provider is `device_provider` are reached through `provider`.
    pub fn with(mut self, device_provider: &str, provider: Arc<dyn PushProvider>) -> Self {
        self.by_name.insert(device_provider.to_string(), provider);
        self
    }

    /// The provider for devices of `device_provider`.
    pub fn get(&self, device_provider: &str) -> Option<&Arc<dyn PushProvider>> {
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
