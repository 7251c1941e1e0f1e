//! FCM HTTP v1: one request per message to `{endpoint}/v1/projects/{project}/messages:send`
//! (the batch endpoint is gone), over a pooled HTTP/2 client with a connect timeout and a request
//! timeout (`WUSHE_FCM_TIMEOUT`); how many requests run at once is [`PushProvider::concurrency`]
//! (`WUSHE_FCM_CONCURRENCY`), enforced by the caller's permits.
//!
//! Reference: "Send a message using FCM HTTP v1 API" and the `projects.messages` REST reference
//! (firebase.google.com/docs/cloud-messaging/send-message, /docs/reference/fcm/rest/v1/
//! projects.messages), "Authorize send requests" for the OAuth 2.0 service-account flow.
//!
//! A failure before the request left (connection refused, DNS, TLS) is a plain retry: nothing was
//! sent. A timeout or a connection lost after the request was written is [`PushOutcome::Unknown`]:
//! FCM may have accepted it, and it offers no idempotency key, so a second send may deliver twice.
//! To make such a duplicate harmless each message carries the notification's id as the Android
//! notification `tag` (a message with the same tag replaces the one shown) and, unless the
//! message names its own collapse key, as `apns-collapse-id` (the same on iOS).
//!
//! Access tokens: the service-account JSON (`WUSHE_FCM_CREDENTIALS`) signs an RS256 JWT
//! assertion, exchanged at the file's `token_uri`; the token is cached until about five minutes
//! before it expires, refreshed by one caller while the others wait (100 concurrent sends make
//! one token request), and refreshed once more when FCM answers a plain 401.
//!
//! Messages are validated before sending: exactly one target, string data values, at most 4096
//! bytes serialized, a TTL like `3600s` of at most four weeks. Answers are read from the
//! `FcmError` detail's `errorCode` (see [`classify`]). Tokens and credentials are never logged.

use super::{PushMessage, PushOutcome, PushProvider, PushTarget, token_hash, transport};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// The production FCM endpoint.
pub const DEFAULT_ENDPOINT: &str = "https://fcm.googleapis.com";
const SCOPE: &str = "https://www.googleapis.com/auth/firebase.messaging";
/// Largest serialized message FCM accepts for a token target.
pub const MAX_MESSAGE_BYTES: usize = 4096;
/// Longest TTL FCM accepts: four weeks.
pub const MAX_TTL: Duration = Duration::from_secs(28 * 86_400);
/// Refresh a cached access token this long before it expires.
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// The fields of a Google service-account key file that FCM needs.
#[derive(Clone, Deserialize)]
pub struct ServiceAccount {
    pub project_id: String,
    pub private_key: String,
    #[serde(default)]
    pub private_key_id: Option<String>,
    pub client_email: String,
    pub token_uri: String,
}

impl std::fmt::Debug for ServiceAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceAccount").field("project_id", &self.project_id).finish_non_exhaustive()
    }
}

/// Why the FCM provider could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum FcmSetupError {
    #[error("reading the FCM credentials file: {0}")]
    Io(#[from] std::io::Error),
    #[error("the FCM credentials file is not a service-account key: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the FCM credentials' private key: {0}")]
    Key(#[from] jsonwebtoken::errors::Error),
    #[error("HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

struct CachedToken {
    token: String,
    refresh_after: Instant,
}

/// Sends through FCM HTTP v1.
pub struct FcmProvider {
    account: ServiceAccount,
    key: jsonwebtoken::EncodingKey,
    http: reqwest::Client,
    send_url: String,
    token: Mutex<Option<CachedToken>>,
    concurrency: usize,
}

impl FcmProvider {
    /// Reads a service-account key file; `endpoint` overrides the FCM base URL (tests).
    pub fn from_file(
        path: &std::path::Path,
        endpoint: Option<&str>,
        concurrency: usize,
        timeout: Duration,
    ) -> Result<Self, FcmSetupError> {
        let account: ServiceAccount = serde_json::from_str(&std::fs::read_to_string(path)?)?;
        Self::new(account, endpoint.unwrap_or(DEFAULT_ENDPOINT), concurrency, timeout)
    }

    /// A provider for `account`, sending to `endpoint`, at most `concurrency` requests at once,
    /// each given up after `timeout`.
    pub fn new(
        account: ServiceAccount,
        endpoint: &str,
        concurrency: usize,
        timeout: Duration,
    ) -> Result<Self, FcmSetupError> {
        let key = jsonwebtoken::EncodingKey::from_rsa_pem(account.private_key.as_bytes())?;
        let http = super::http_client(timeout)?;
        let send_url = format!("{}/v1/projects/{}/messages:send", endpoint.trim_end_matches('/'), account.project_id);
        Ok(FcmProvider { account, key, http, send_url, token: Mutex::new(None), concurrency: concurrency.max(1) })
    }

    /// A valid access token: the cached one unless it is near expiry or is `rejected`.
    async fn access_token(&self, rejected: Option<&str>) -> Result<String, String> {
        let mut cached = self.token.lock().await;
        if let Some(t) = cached.as_ref()
            && Instant::now() < t.refresh_after
            && rejected != Some(t.token.as_str())
        {
            return Ok(t.token.clone());
        }
        let fresh = self.fetch_token().await?;
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    async fn fetch_token(&self) -> Result<CachedToken, String> {
        #[derive(Serialize)]
        struct Claims<'a> {
            iss: &'a str,
            scope: &'a str,
            aud: &'a str,
            iat: i64,
            exp: i64,
        }
        #[derive(Deserialize)]
        struct TokenReply {
            access_token: String,
            #[serde(default)]
            expires_in: Option<u64>,
        }
        let iat = chrono::Utc::now().timestamp();
        let claims = Claims {
            iss: &self.account.client_email,
            scope: SCOPE,
            aud: &self.account.token_uri,
            iat,
            exp: iat + 3600,
        };
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        header.kid = self.account.private_key_id.clone();
        let assertion =
            jsonwebtoken::encode(&header, &claims, &self.key).map_err(|e| format!("signing the assertion: {e}"))?;
        let resp = self
            .http
            .post(&self.account.token_uri)
            .form(&[("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", assertion.as_str())])
            .send()
            .await
            .map_err(|e| format!("token endpoint unreachable: {}", e.without_url()))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(format!("token endpoint answered {status}"));
        }
        let reply: TokenReply = resp.json().await.map_err(|e| format!("token endpoint reply: {}", e.without_url()))?;
        let lifetime = Duration::from_secs(reply.expires_in.unwrap_or(3600));
        tracing::info!(lifetime_s = lifetime.as_secs(), "FCM access token refreshed");
        Ok(CachedToken {
            token: reply.access_token,
            refresh_after: Instant::now() + lifetime.saturating_sub(REFRESH_MARGIN),
        })
    }

    async fn post(&self, body: &Value, token: &str) -> Result<(u16, Option<Duration>, Value), PushOutcome> {
        let resp = self.http.post(&self.send_url).bearer_auth(token).json(body).send().await.map_err(transport)?;
        let status = resp.status().as_u16();
        let retry_after = resp.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(parse_retry_after);
        let body = resp.json::<Value>().await.unwrap_or(Value::Null);
        Ok((status, retry_after, body))
    }
}

#[async_trait]
impl PushProvider for FcmProvider {
    fn name(&self) -> &str {
        "fcm"
    }

    fn concurrency(&self) -> usize {
        self.concurrency
    }

    async fn send(&self, target: &PushTarget, message: &PushMessage) -> PushOutcome {
        let body = match build_message(target, message, chrono::Utc::now()) {
            Ok(b) => b,
            Err(e) => return PushOutcome::Fatal(format!("invalid message: {e}")),
        };
        let token = match self.access_token(None).await {
            Ok(t) => t,
            Err(e) => return PushOutcome::Retry { after: None, reason: e },
        };
        let mut answer = self.post(&body, &token).await;
        if let Ok((401, _, b)) = &answer
            && error_code(b).is_none()
        {
            // Our access token was refused: refresh it once and try again.
            let token = match self.access_token(Some(&token)).await {
                Ok(t) => t,
                Err(e) => return PushOutcome::Retry { after: None, reason: e },
            };
            answer = self.post(&body, &token).await;
        }
        let outcome = match answer {
            Err(outcome) => outcome,
            Ok((status, retry_after, body)) => classify(status, retry_after, &body),
        };
        if let PushOutcome::Fatal(reason) = &outcome
            && reason.starts_with("THIRD_PARTY_AUTH_ERROR")
        {
            tracing::error!(device = %token_hash(&target.token), "FCM THIRD_PARTY_AUTH_ERROR: the APNs credentials in the Firebase project are broken; iOS pushes fail until they are fixed");
        }
        outcome
    }
}

/// The FCM v1 request body for one message to one token, validated as FCM would.
pub fn build_message(
    target: &PushTarget,
    m: &PushMessage,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Value, String> {
    let mut android = json!({ "priority": m.class.fcm_priority });
    let mut apns_headers = json!({ "apns-priority": m.class.apns.priority.to_string() });
    if let Some(ttl) = m.ttl {
        android["ttl"] = json!(format!("{}s", ttl.as_secs()));
        apns_headers["apns-expiration"] = json!((now.timestamp() + ttl.as_secs() as i64).to_string());
    }
    if let Some(key) = &m.collapse_key {
        android["collapse_key"] = json!(key);
    }
    if let Some(id) = m.collapse_key.as_ref().or(m.tag.as_ref()) {
        apns_headers["apns-collapse-id"] = json!(id);
    }
    if let Some(tag) = &m.tag {
        android["notification"] = json!({ "tag": tag });
    }
    let body = json!({
        "message": {
            "token": target.token,
            "notification": { "title": m.title, "body": m.body },
            "data": m.data,
            "android": android,
            "apns": { "headers": apns_headers },
        }
    });
    validate(&body)?;
    Ok(body)
}

/// Checks a request body the way FCM does: one target, string data values, size, TTL format.
pub fn validate(body: &Value) -> Result<(), String> {
    let msg = body.get("message").and_then(Value::as_object).ok_or("no message object")?;
    let targets = ["token", "topic", "condition"].iter().filter(|t| msg.contains_key(**t)).count();
    if targets != 1 {
        return Err(format!("a message needs exactly one of token, topic, condition (has {targets})"));
    }
    if let Some(data) = msg.get("data") {
        let data = data.as_object().ok_or("data is not an object")?;
        if let Some((k, _)) = data.iter().find(|(_, v)| !v.is_string()) {
            return Err(format!("data value {k:?} is not a string"));
        }
    }
    if let Some(ttl) = msg.get("android").and_then(|a| a.get("ttl")) {
        let ttl = ttl.as_str().ok_or("android.ttl is not a string")?;
        let secs = parse_ttl(ttl).ok_or_else(|| format!("android.ttl {ttl:?} is not a duration like \"3600s\""))?;
        if secs > MAX_TTL.as_secs_f64() {
            return Err("android.ttl is longer than four weeks".into());
        }
    }
    let size = serde_json::to_vec(msg).map(|v| v.len()).unwrap_or(usize::MAX);
    if size > MAX_MESSAGE_BYTES {
        return Err(format!("the message is {size} bytes, more than {MAX_MESSAGE_BYTES}"));
    }
    Ok(())
}

/// `"3600s"` or `"3.5s"` → seconds.
pub fn parse_ttl(s: &str) -> Option<f64> {
    let n = s.strip_suffix('s')?;
    let (whole, frac) = n.split_once('.').unwrap_or((n, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 9
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    n.parse().ok()
}

/// `Retry-After` as seconds or an HTTP date.
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let secs = (at.timestamp() - chrono::Utc::now().timestamp()).max(0) as u64;
    Some(Duration::from_secs(secs))
}

/// The `errorCode` of the `google.firebase.fcm.v1.FcmError` detail, if any.
pub fn error_code(body: &Value) -> Option<&str> {
    body.pointer("/error/details")?.as_array()?.iter().find_map(|d| {
        let t = d.get("@type")?.as_str()?;
        if t.ends_with("google.firebase.fcm.v1.FcmError") { d.get("errorCode")?.as_str() } else { None }
    })
}

/// Whether an INVALID_ARGUMENT names the registration token as the bad field.
fn token_is_the_bad_field(body: &Value) -> bool {
    let violations = body
        .pointer("/error/details")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|d| d.get("fieldViolations").and_then(Value::as_array));
    let named = violations.flatten().any(|v| v.get("field").and_then(Value::as_str) == Some("message.token"));
    let message = body.pointer("/error/message").and_then(Value::as_str).unwrap_or("").to_ascii_lowercase();
    named || message.contains("registration token")
}

/// What an FCM answer means for the device and the job.
pub fn classify(status: u16, retry_after: Option<Duration>, body: &Value) -> PushOutcome {
    if (200..300).contains(&status) {
        return PushOutcome::Delivered;
    }
    let code = error_code(body)
        .map(str::to_string)
        .unwrap_or_else(|| body.pointer("/error/status").and_then(Value::as_str).unwrap_or("").to_string());
    match code.as_str() {
        "UNREGISTERED" | "SENDER_ID_MISMATCH" => PushOutcome::DropToken(code),
        "INVALID_ARGUMENT" if token_is_the_bad_field(body) => PushOutcome::DropToken("INVALID_ARGUMENT: token".into()),
        "INVALID_ARGUMENT" => PushOutcome::Fatal("INVALID_ARGUMENT: payload".into()),
        "QUOTA_EXCEEDED" => {
            PushOutcome::Retry { after: Some(retry_after.unwrap_or(Duration::from_secs(60))), reason: code }
        }
        "UNAVAILABLE" | "INTERNAL" => PushOutcome::Retry { after: retry_after, reason: code },
        "THIRD_PARTY_AUTH_ERROR" => PushOutcome::Fatal("THIRD_PARTY_AUTH_ERROR".into()),
        _ if status == 401 => PushOutcome::Retry { after: retry_after, reason: "unauthorized".into() },
        _ if status == 429 || status >= 500 => {
            PushOutcome::Retry { after: retry_after, reason: format!("HTTP {status}") }
        }
        _ => PushOutcome::Fatal(format!("HTTP {status} {code}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn target() -> PushTarget {
        PushTarget { device_id: uuid::Uuid::nil(), platform: "android".into(), token: "tok".into() }
    }

    fn message() -> PushMessage {
        PushMessage {
            title: "t".into(),
            body: "b".into(),
            data: BTreeMap::from([("kind".into(), "task_reminder".into())]),
            high_priority: false,
            ttl: Some(Duration::from_secs(3600)),
            collapse_key: Some("reminder".into()),
            tag: Some("n-1".into()),
            class: Default::default(),
        }
    }

    #[test]
    fn builds_a_v1_message_with_android_and_apns_settings() {
        let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let b = build_message(&target(), &message(), now).unwrap();
        assert_eq!(b["message"]["token"], "tok");
        assert_eq!(b["message"]["android"]["ttl"], "3600s");
        assert_eq!(b["message"]["android"]["priority"], "NORMAL");
        assert_eq!(b["message"]["android"]["collapse_key"], "reminder");
        assert_eq!(b["message"]["apns"]["headers"]["apns-expiration"], "1700003600");
        assert_eq!(b["message"]["apns"]["headers"]["apns-collapse-id"], "reminder");
        assert_eq!(b["message"]["apns"]["headers"]["apns-priority"], "5");
        assert_eq!(b["message"]["android"]["notification"]["tag"], "n-1");
        let mut untagged = message();
        untagged.collapse_key = None;
        let b = build_message(&target(), &untagged, now).unwrap();
        assert_eq!(b["message"]["apns"]["headers"]["apns-collapse-id"], "n-1", "the tag collapses on iOS too");
        assert!(b["message"]["android"].get("collapse_key").is_none());
    }

    #[test]
    fn validation_refuses_what_fcm_refuses() {
        let mut m = message();
        m.body = "x".repeat(5000);
        assert!(build_message(&target(), &m, chrono::Utc::now()).unwrap_err().contains("bytes"));
        m = message();
        m.ttl = Some(Duration::from_secs(40 * 86_400));
        assert!(build_message(&target(), &m, chrono::Utc::now()).is_err());
        assert!(validate(&json!({"message": {"token": "a", "topic": "b"}})).is_err());
        assert!(validate(&json!({"message": {"token": "a", "data": {"n": 1}}})).is_err());
        assert!(validate(&json!({"message": {"token": "a", "android": {"ttl": "1h"}}})).is_err());
        assert!(validate(&json!({"message": {"token": "a", "android": {"ttl": "3.5s"}}})).is_ok());
    }

    #[test]
    fn retry_after_takes_seconds_or_a_date() {
        assert_eq!(parse_retry_after("120"), Some(Duration::from_secs(120)));
        let later = (chrono::Utc::now() + chrono::Duration::seconds(90)).to_rfc2822().replace("+0000", "GMT");
        let d = parse_retry_after(&later).unwrap();
        assert!(d <= Duration::from_secs(90) && d >= Duration::from_secs(85), "{d:?}");
        assert_eq!(parse_retry_after("soon"), None);
    }

    fn fcm_error(status: &str, code: &str) -> Value {
        json!({"error": {"code": 400, "message": "m", "status": status, "details": [
            {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": code}]}})
    }

    #[test]
    fn classifies_each_error_code() {
        assert_eq!(classify(200, None, &json!({"name": "x"})), PushOutcome::Delivered);
        assert!(matches!(classify(404, None, &fcm_error("NOT_FOUND", "UNREGISTERED")), PushOutcome::DropToken(_)));
        assert!(matches!(
            classify(403, None, &fcm_error("PERMISSION_DENIED", "SENDER_ID_MISMATCH")),
            PushOutcome::DropToken(_)
        ));
        let mut bad_token = fcm_error("INVALID_ARGUMENT", "INVALID_ARGUMENT");
        bad_token["error"]["details"].as_array_mut().unwrap().push(
            json!({"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [{"field": "message.token"}]}),
        );
        assert!(matches!(classify(400, None, &bad_token), PushOutcome::DropToken(_)));
        assert!(matches!(
            classify(400, None, &fcm_error("INVALID_ARGUMENT", "INVALID_ARGUMENT")),
            PushOutcome::Fatal(_)
        ));
        assert_eq!(
            classify(429, None, &fcm_error("RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED")),
            PushOutcome::Retry { after: Some(Duration::from_secs(60)), reason: "QUOTA_EXCEEDED".into() }
        );
        assert_eq!(
            classify(503, Some(Duration::from_secs(7)), &fcm_error("UNAVAILABLE", "UNAVAILABLE")),
            PushOutcome::Retry { after: Some(Duration::from_secs(7)), reason: "UNAVAILABLE".into() }
        );
        assert!(matches!(classify(500, None, &fcm_error("INTERNAL", "INTERNAL")), PushOutcome::Retry { .. }));
        assert!(matches!(
            classify(401, None, &fcm_error("UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR")),
            PushOutcome::Fatal(_)
        ));
    }
}
