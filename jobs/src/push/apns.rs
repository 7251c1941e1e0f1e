//! APNs, the Apple Push Notification service, reached directly (not through FCM's relay):
//! `POST {endpoint}/3/device/{device token}` over HTTP/2 with `authorization: bearer {provider
//! token}`. The provider token is an ES256 JWT (header `alg` ES256 and `kid` the key id; claims
//! `iss` the team id and `iat`) signed with the team's `.p8` key; it is reused for
//! [`TOKEN_LIFETIME`] less the cache's five-minute margin (about 50 minutes: Apple refuses one
//! older than an hour and throttles one renewed more often than every 20 minutes), and renewed
//! once when APNs calls it expired or invalid ([`super::oauth::TokenCache`]).
//!
//! One HTTP/2 connection carries every request as its own stream: APNs takes one device per
//! request and many requests at once on one connection. Against Apple (`https://`) reqwest
//! offers HTTP/2 by ALPN during the TLS handshake; against a plain-text `http://` endpoint (the
//! test fake) it speaks HTTP/2 with prior knowledge (`http2_prior_knowledge`), as there is no
//! handshake to agree on it.
//!
//! References: Apple "Sending notification requests to APNs" (developer.apple.com/documentation/
//! usernotifications/sending-notification-requests-to-apns: the path, headers `apns-topic`,
//! `apns-push-type`, `apns-priority` 10 or 5, `apns-expiration` a UNIX time, `apns-collapse-id`
//! at most 64 bytes, a payload of at most 4096 bytes), "Establishing a token-based connection to
//! APNs" (…/establishing-a-token-based-connection-to-apns: the JWT), "Handling notification
//! responses from APNs" (…/handling-notification-responses-from-apns: the status codes and
//! `reason`s) and "Generating a remote notification" (`aps.alert`, `interruption-level`).
//!
//! Headers: `apns-topic` the app's bundle id, `apns-push-type: alert`, `apns-priority` from the
//! message class (10 urgent, 5 otherwise), `apns-expiration` now + ttl when the message has one,
//! `apns-collapse-id` the collapse key (a longer key is replaced by its sha256 in hex, 64 bytes).
//! Payload: `{"aps": {"alert": {"title", "body"}, "sound": "default", "interruption-level"},
//! "data": {…}}`.
//!
//! Answers: 200 delivered. `reason` `BadDeviceToken`, `DeviceTokenNotForTopic` (400) and
//! `Unregistered` (410): the device is dropped. `ExpiredProviderToken`, `InvalidProviderToken`,
//! `MissingProviderToken` (403): the token is renewed once and the request sent again; refused
//! again, a configuration fault. `BadTopic`, `TopicDisallowed`, `MissingTopic`, `BadCertificate`,
//! `BadCertificateEnvironment`, `Forbidden`: configuration faults, after which sends fail at once
//! for [`REFUSED_PAUSE`](super::oauth::REFUSED_PAUSE). 429 (`TooManyRequests`,
//! `TooManyProviderTokenUpdates`): retried after `Retry-After`, else [`THROTTLE_PAUSE`]. 5xx
//! (`InternalServerError`, `ServiceUnavailable`, `Shutdown`): retried, after `Retry-After` if
//! given. Other answers (`PayloadTooLarge`, `BadCollapseId`, `BadPriority`, …): fatal.
//!
//! Not confirmed from the documents: whether APNs sends `Retry-After` with 429 or 503 (Apple
//! documents none; honoured if present).

use super::oauth::{Fetch, TokenCache, TokenFetch};
use super::{Answer, PushMessage, PushOutcome, PushProvider, PushTarget, config_fault, read_answer, transport};
use async_trait::async_trait;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::time::Duration;

pub const DEFAULT_ENDPOINT: &str = "https://api.push.apple.com";
/// How long a provider token is used (less the cache's margin): Apple refuses one older than an
/// hour.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(55 * 60);
/// The wait after a 429 that gave no `Retry-After`.
pub const THROTTLE_PAUSE: Duration = Duration::from_secs(60);
/// Largest payload APNs accepts.
pub const MAX_PAYLOAD_BYTES: usize = 4096;
/// Longest `apns-collapse-id`.
pub const MAX_COLLAPSE_ID_BYTES: usize = 64;
const NAME: &str = "apns";

/// Why the APNs provider could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ApnsSetupError {
    #[error("reading the APNs key file: {0}")]
    Io(#[from] std::io::Error),
    #[error("the APNs key is not an EC P-256 private key in PEM (.p8): {0}")]
    Key(#[from] jsonwebtoken::errors::Error),
    #[error("HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

/// The team's signing key.
pub struct ApnsKey {
    /// The `.p8` file's text.
    pub pem: Vec<u8>,
    pub key_id: String,
    pub team_id: String,
}

struct ProviderToken {
    key: jsonwebtoken::EncodingKey,
    key_id: String,
    team_id: String,
    /// The `iat` of the last token: a renewed token is never the same text as the one APNs
    /// refused, even within the same second.
    last_iat: std::sync::atomic::AtomicI64,
}

#[async_trait]
impl TokenFetch for ProviderToken {
    async fn fetch(&self) -> Result<(String, Duration), Fetch> {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        header.kid = Some(self.key_id.clone());
        let now = chrono::Utc::now().timestamp();
        let last = self.last_iat.fetch_max(now, std::sync::atomic::Ordering::SeqCst);
        let iat = if last >= now { self.last_iat.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 } else { now };
        let claims = json!({ "iss": self.team_id, "iat": iat });
        match jsonwebtoken::encode(&header, &claims, &self.key) {
            Ok(jwt) => Ok((jwt, TOKEN_LIFETIME)),
            Err(e) => Err(Fetch::Refused(format!("signing the provider token: {e}"))),
        }
    }
}

/// Sends to iPhones through APNs.
pub struct ApnsProvider {
    tokens: TokenCache,
    http: reqwest::Client,
    endpoint: String,
    topic: String,
    concurrency: usize,
}

impl ApnsProvider {
    /// A provider signing with `key` for the app `topic` (its bundle id), sending to `endpoint`,
    /// at most `concurrency` requests at once, each given up after `timeout`.
    pub fn new(
        key: ApnsKey,
        topic: &str,
        endpoint: &str,
        concurrency: usize,
        timeout: Duration,
    ) -> Result<Self, ApnsSetupError> {
        let signing = jsonwebtoken::EncodingKey::from_ec_pem(&key.pem)?;
        let mut http = super::client_builder(timeout);
        if endpoint.starts_with("http://") {
            http = http.http2_prior_knowledge();
        }
        let source = ProviderToken { key: signing, key_id: key.key_id, team_id: key.team_id, last_iat: 0.into() };
        Ok(ApnsProvider {
            tokens: TokenCache::from_source(NAME, Box::new(source)),
            http: http.build()?,
            endpoint: endpoint.trim_end_matches('/').to_string(),
            topic: topic.into(),
            concurrency: concurrency.max(1),
        })
    }

    /// As [`Self::new`], with the key read from the `.p8` file at `path`.
    pub fn from_file(
        path: &std::path::Path,
        key_id: &str,
        team_id: &str,
        topic: &str,
        endpoint: &str,
        concurrency: usize,
        timeout: Duration,
    ) -> Result<Self, ApnsSetupError> {
        let key = ApnsKey { pem: std::fs::read(path)?, key_id: key_id.into(), team_id: team_id.into() };
        Self::new(key, topic, endpoint, concurrency, timeout)
    }

    async fn post(
        &self,
        device: &str,
        headers: &[(&'static str, String)],
        body: &[u8],
        token: String,
    ) -> Result<Answer, PushOutcome> {
        let url = format!("{}/3/device/{device}", self.endpoint);
        let mut req = self.http.post(url).header("authorization", format!("bearer {token}"));
        for (name, value) in headers {
            req = req.header(*name, value);
        }
        let resp =
            req.header("content-type", "application/json").body(body.to_vec()).send().await.map_err(transport)?;
        Ok(read_answer(resp).await)
    }
}

#[async_trait]
impl PushProvider for ApnsProvider {
    fn name(&self) -> &str {
        NAME
    }

    fn concurrency(&self) -> usize {
        self.concurrency
    }

    async fn send(&self, target: &PushTarget, m: &PushMessage) -> PushOutcome {
        let body = match build_payload(m) {
            Ok(b) => b,
            Err(e) => return PushOutcome::Fatal(format!("invalid message: {e}")),
        };
        let headers = headers(&self.topic, m, chrono::Utc::now().timestamp());
        let post = |token| self.post(&target.token, &headers, &body, token);
        let classify = |(status, retry_after, body): Answer| vec![classify(status, retry_after, &body)];
        super::only(self.tokens.send_classified(1, token_refused, post, classify).await)
    }

    /// One request per device, all at once on the one connection.
    async fn send_many(&self, targets: &[PushTarget], message: &PushMessage) -> Vec<PushOutcome> {
        futures::future::join_all(targets.iter().map(|t| self.send(t, message))).await
    }
}

/// Whether APNs refused our provider token.
fn token_refused(a: &Answer) -> bool {
    matches!(reason(&a.2), "ExpiredProviderToken" | "InvalidProviderToken" | "MissingProviderToken")
}

/// The request headers of `m` (`now` in UNIX seconds).
pub fn headers(topic: &str, m: &PushMessage, now: i64) -> Vec<(&'static str, String)> {
    let mut h = vec![
        ("apns-topic", topic.to_string()),
        ("apns-push-type", "alert".to_string()),
        ("apns-priority", m.class.apns.priority.to_string()),
    ];
    if let Some(ttl) = m.ttl {
        h.push(("apns-expiration", (now + ttl.as_secs() as i64).to_string()));
    }
    if let Some(key) = &m.collapse_key {
        h.push(("apns-collapse-id", collapse_id(key)));
    }
    h
}

/// A collapse key as APNs takes it: itself when short enough, else its sha256 in hex (64 bytes).
pub fn collapse_id(key: &str) -> String {
    if key.len() <= MAX_COLLAPSE_ID_BYTES { key.to_string() } else { hex::encode(Sha256::digest(key.as_bytes())) }
}

/// The JSON payload of `m`, refused when APNs would refuse its size.
pub fn build_payload(m: &PushMessage) -> Result<Vec<u8>, String> {
    let body = json!({
        "aps": {
            "alert": { "title": m.title, "body": m.body },
            "sound": "default",
            "interruption-level": m.class.apns.interruption_level,
        },
        "data": m.data,
    });
    let bytes = serde_json::to_vec(&body).map_err(|e| e.to_string())?;
    if bytes.len() > MAX_PAYLOAD_BYTES {
        return Err(format!("the payload is {} bytes, more than {MAX_PAYLOAD_BYTES}", bytes.len()));
    }
    Ok(bytes)
}

/// The `reason` of an error answer ("" when none).
pub fn reason(body: &Value) -> &str {
    body.get("reason").and_then(Value::as_str).unwrap_or("")
}

/// What an answer means.
pub fn classify(status: u16, retry_after: Option<Duration>, body: &Value) -> PushOutcome {
    let why = reason(body);
    match (status, why) {
        (200, _) => PushOutcome::Delivered,
        (_, "BadDeviceToken" | "DeviceTokenNotForTopic" | "Unregistered") | (410, _) => {
            PushOutcome::DropToken(format!("{status} {why}"))
        }
        (
            _,
            "ExpiredProviderToken"
            | "InvalidProviderToken"
            | "MissingProviderToken"
            | "BadTopic"
            | "TopicDisallowed"
            | "MissingTopic"
            | "BadCertificate"
            | "BadCertificateEnvironment"
            | "Forbidden",
        ) => config_fault(NAME, &format!("{status} {why}")),
        (429, _) => {
            PushOutcome::Retry { after: Some(retry_after.unwrap_or(THROTTLE_PAUSE)), reason: format!("429 {why}") }
        }
        (s, _) if s >= 500 => PushOutcome::Retry { after: retry_after, reason: format!("{s} {why}") },
        (s, _) => PushOutcome::Fatal(format!("{s} {why}: request refused")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_each_reason() {
        let r = |reason: &str| json!({ "reason": reason });
        assert_eq!(classify(200, None, &Value::Null), PushOutcome::Delivered);
        assert!(matches!(classify(400, None, &r("BadDeviceToken")), PushOutcome::DropToken(_)));
        assert!(matches!(classify(410, None, &r("Unregistered")), PushOutcome::DropToken(_)));
        assert!(classify(403, None, &r("ExpiredProviderToken")).is_config_fault());
        assert!(classify(400, None, &r("BadTopic")).is_config_fault());
        assert!(classify(400, None, &r("TopicDisallowed")).is_config_fault());
        assert_eq!(
            classify(429, None, &r("TooManyRequests")),
            PushOutcome::Retry { after: Some(THROTTLE_PAUSE), reason: "429 TooManyRequests".into() }
        );
        let wait = Some(Duration::from_secs(7));
        assert_eq!(
            classify(503, wait, &r("ServiceUnavailable")),
            PushOutcome::Retry { after: wait, reason: "503 ServiceUnavailable".into() }
        );
        assert!(matches!(classify(413, None, &r("PayloadTooLarge")), PushOutcome::Fatal(_)));
    }

    #[test]
    fn long_collapse_keys_are_hashed_to_64_bytes() {
        assert_eq!(collapse_id("thread-1"), "thread-1");
        let long = "k".repeat(100);
        assert_eq!(collapse_id(&long).len(), MAX_COLLAPSE_ID_BYTES);
        assert_eq!(collapse_id(&long), collapse_id(&long));
    }
}
