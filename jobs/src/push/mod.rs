//! Push providers behind one trait: `send(device, message)` answers [`PushOutcome::Delivered`],
//! [`PushOutcome::DropToken`] (the token is dead: deactivate the device),
//! [`PushOutcome::Retry`] (not delivered; try later, after the provider's `Retry-After` if it
//! gave one), [`PushOutcome::Unknown`] (the request may have reached the provider: a timeout or a
//! connection lost mid-request) or [`PushOutcome::Fatal`] (retrying cannot help). Each device row
//! names its provider; each provider is one module: FCM, and the mainland vendor channels (most
//! Android phones sold in mainland China have no Google services) Huawei Push Kit, Honor Push and
//! Xiaomi MiPush, OPPO Push and vivo Push; and APNs for iPhones directly. A message carries its [`classes::PushClass`]: the class each provider sorts it
//! into (service or marketing, urgency).
//!
//! Vendors that take many tokens in one request say so in [`PushProvider::max_batch`] and answer
//! per token in [`PushProvider::send_many`]; `send` is a batch of one. A configuration fault
//! (credentials refused, unknown app) is [`PushOutcome::Fatal`] with a reason starting with
//! [`CONFIG_FAULT`] (see [`PushOutcome::is_config_fault`]), logged once at error level by the
//! provider ([`alert`]) and counted by the worker (`wushe_push_total{outcome="config_fault"}`); a provider whose credentials were refused
//! stops asking for a while instead of retrying ([`oauth`]).
//!
//! Each provider has its own concurrency limit ([`PushProvider::concurrency`]), held in
//! [`PushProviders`] as a semaphore: a sender takes a permit before each send and may give up
//! waiting for one, so a slow provider slows its own sends and nothing else, and nothing is cut
//! off mid-request. A message carries a `tag` (the notification's id) that phones use to show a
//! message sent twice only once.
//!
//! Shipped: [`fcm::FcmProvider`] (FCM HTTP v1), [`huawei::HuaweiProvider`],
//! [`honor::HonorProvider`], [`xiaomi::XiaomiProvider`], [`oppo::OppoProvider`],
//! [`vivo::VivoProvider`], [`apns::ApnsProvider`] and [`log::LogProvider`] (records what would have
//! been sent; used when no FCM credentials are configured). Payloads carry no personal data:
//! FCM crosses borders, so a message holds ids and a generic text and the app fetches details
//! over the API. Tokens never appear in logs: [`token_hash`] names them.

/// Implements [`PushProvider`] for a provider that sends one message to several devices in one
/// request: `$ty` has a `concurrency` field and `async fn send_batch(&self, &[PushTarget],
/// &PushMessage) -> Vec<PushOutcome>` (one outcome per target); `send` is a batch of one and
/// `send_many` sends batches of at most `$max`.
macro_rules! batch_provider {
    ($ty:ty, $name:expr, $max:expr) => {
        #[::async_trait::async_trait]
        impl $crate::push::PushProvider for $ty {
            fn name(&self) -> &str {
                $name
            }

            fn concurrency(&self) -> usize {
                self.concurrency
            }

            fn max_batch(&self) -> usize {
                $max
            }

            async fn send(
                &self,
                target: &$crate::push::PushTarget,
                m: &$crate::push::PushMessage,
            ) -> $crate::push::PushOutcome {
                $crate::push::only(self.send_batch(std::slice::from_ref(target), m).await)
            }

            async fn send_many(
                &self,
                targets: &[$crate::push::PushTarget],
                m: &$crate::push::PushMessage,
            ) -> Vec<$crate::push::PushOutcome> {
                $crate::push::in_batches(targets, $max, |batch| self.send_batch(batch, m)).await
            }
        }
    };
}

pub mod apns;
pub mod classes;
pub mod fcm;
pub mod honor;
pub mod huawei;
pub mod log;
pub mod oauth;
pub mod oppo;
pub mod vivo;
pub mod xiaomi;

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
    /// The class of the message with each provider (service or marketing, urgency).
    pub class: classes::PushClass,
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
    /// A short name for metrics (`config_fault` for a configuration fault: alert).
    pub fn label(&self) -> &'static str {
        if self.is_config_fault() {
            return "config_fault";
        }
        match self {
            PushOutcome::Delivered => "delivered",
            PushOutcome::DropToken(_) => "drop_token",
            PushOutcome::Retry { .. } => "retry",
            PushOutcome::Unknown(_) => "unknown",
            PushOutcome::Fatal(_) => "fatal",
        }
    }

    /// A fault of our configuration with the provider (credentials refused, unknown app): every
    /// push through it fails until someone fixes it.
    pub fn is_config_fault(&self) -> bool {
        matches!(self, PushOutcome::Fatal(reason) if reason.starts_with(CONFIG_FAULT))
    }
}

/// How the reason of a configuration fault begins.
pub const CONFIG_FAULT: &str = "configuration fault";

/// The outcome of a configuration fault of `provider`.
pub fn config_fault(provider: &str, why: &str) -> PushOutcome {
    PushOutcome::Fatal(format!("{CONFIG_FAULT}: {provider}: {why}"))
}

/// Raises the alarm about a configuration fault: one log line at error level, when it is found
/// (sends refused while it lasts say nothing more; the worker counts each in
/// `wushe_push_total{outcome="config_fault"}`).
pub fn alert(provider: &str, why: &str) {
    tracing::error!(provider, why, "push provider configuration fault: pushes through it fail until it is fixed");
}

/// An HTTP client for a provider: pooled, with a connect timeout and a request timeout.
pub fn http_client(timeout: Duration) -> reqwest::Result<reqwest::Client> {
    client_builder(timeout).build()
}

/// The settings of [`http_client`], for a provider that adds its own.
pub fn client_builder(timeout: Duration) -> reqwest::ClientBuilder {
    install_crypto_provider();
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5).min(timeout))
        .timeout(timeout)
        .pool_idle_timeout(Duration::from_secs(90))
        .http2_keep_alive_interval(Duration::from_secs(30))
}

/// How long until a provider's daily quota starts again: the next midnight in Beijing time
/// (UTC+8), when the mainland vendors reset their daily counts.
pub fn until_quota_resets(now: chrono::DateTime<chrono::Utc>) -> Duration {
    let beijing = now.naive_utc() + chrono::Duration::hours(8);
    let next = (beijing.date() + chrono::Days::new(1)).and_time(chrono::NaiveTime::MIN);
    Duration::from_secs((next - beijing).num_seconds().max(60) as u64)
}

/// An HTTP answer of a provider: status, the `Retry-After` it gave, its JSON body (null if none).
pub type Answer = (u16, Option<Duration>, serde_json::Value);

/// Reads a provider's answer.
pub async fn read_answer(resp: reqwest::Response) -> Answer {
    let status = resp.status().as_u16();
    let retry_after = resp.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(fcm::parse_retry_after);
    (status, retry_after, resp.json().await.unwrap_or(serde_json::Value::Null))
}

/// Sends to `targets` in batches of at most `max` through `send_batch` (one outcome per target of
/// the batch, in order); the outcomes of all, in order.
pub async fn in_batches<'a, F, Fut>(targets: &'a [PushTarget], max: usize, mut send_batch: F) -> Vec<PushOutcome>
where
    F: FnMut(&'a [PushTarget]) -> Fut,
    Fut: std::future::Future<Output = Vec<PushOutcome>>,
{
    let mut outcomes = Vec::with_capacity(targets.len());
    for batch in targets.chunks(max.max(1)) {
        outcomes.extend(send_batch(batch).await);
    }
    outcomes
}

/// The one outcome of a batch of one.
pub fn only(mut outcomes: Vec<PushOutcome>) -> PushOutcome {
    outcomes.pop().unwrap_or_else(|| PushOutcome::Fatal("no outcome".into()))
}

/// What a transport error means: nothing sent (the connection was never made), or unknown (the
/// request may have been received before the timeout or the broken connection).
pub fn transport(e: reqwest::Error) -> PushOutcome {
    if e.is_connect() || e.is_builder() {
        PushOutcome::Retry { after: None, reason: format!("unreachable: {}", e.without_url()) }
    } else if e.is_timeout() {
        PushOutcome::Unknown("timed out".into())
    } else {
        PushOutcome::Unknown(format!("connection lost: {}", e.without_url()))
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
    /// Most devices one request of this provider reaches (1: no batch sends).
    fn max_batch(&self) -> usize {
        1
    }
    /// Sends one message to several devices (at most [`Self::max_batch`]) in as few requests as
    /// the provider allows; one outcome per target, in order. By default one send each.
    async fn send_many(&self, targets: &[PushTarget], message: &PushMessage) -> Vec<PushOutcome> {
        let mut outcomes = Vec::with_capacity(targets.len());
        for t in targets {
            outcomes.push(self.send(t, message).await);
        }
        outcomes
    }
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
