//! OPPO Push (OPPO, OnePlus and realme phones, ColorOS): form-encoded `POST`s to
//! `{endpoint}/server/v1/…` carrying an `auth_token`, which comes from `POST /server/v1/auth`
//! with `app_key`, `timestamp` (milliseconds) and `sign` = lower-case hex
//! sha256(app_key + timestamp + master_secret); it lives 24 hours and is cached and replaced
//! before then, and once when refused ([`super::oauth::TokenCache`]). One device is reached with
//! `notification/unicast` (`message`: one JSON message), several with
//! `notification/unicast_batch` (`messages`: a JSON list of up to [`MAX_MESSAGES`]).
//!
//! References: OPPO open platform "OPPO推送服务端API" — "调用地址，公共参数和返回码"
//! (open.oppomobile.com/new/developmentDoc/info?id=11235: the hosts, `auth_token` in the request
//! body, the common codes), "鉴权" (…?id=11234: the sign), "单点推送" (…?id=11238: `unicast`,
//! `unicast_batch` of at most 1000 messages, its per-message `errorCode`, code 10000 invalid
//! registration_id), "通知栏消息" (…?id=11236: the notification fields) and "推送消息分类"
//! (`channel_id`, `category`, `notify_level`); the 2017–2018 PDF "OPPO推送平台服务端API" gives
//! the same auth answer (`data.auth_token`, `data.create_time`).
//!
//! A message: `{"target_type": 2, "target_value": "<registration id>", "notification": {"title",
//! "content", "click_action_type": 0, "action_parameters": "<data as JSON>", "off_line": true,
//! "off_line_ttl": <s>, "channel_id", "category", "notify_level", "app_message_id"}}`. The class
//! of the message chooses the channel: `wushe_urgent` and `wushe_service` are private-message
//! channels (service and communication, no daily cap) that the app creates and registers with
//! OPPO; nothing we send goes to the public (marketing) channel. `app_message_id` is the message
//! tag with the device's token hash: the same message to the same phone keeps its id when sent
//! again.
//!
//! Answers (`{"code": 0, "message": "…", "data": …}`):
//! - `0`: sent; a batch's `data` lists each message with `registrationId` and, when that one
//!   failed, `errorCode`: 10000 (invalid registration_id) drops that device.
//! - `10000` (unicast): invalid registration_id: the device is dropped.
//! - `11` (invalid auth_token): refreshed once and sent again; refused again, a configuration
//!   fault. `14` (invalid app key), `16` (invalid sign), `26` (IP black list), `27` (access
//!   denied), `28` (app disabled), `30` (no API push permission): configuration faults, after
//!   which sends fail at once for [`REFUSED_PAUSE`](super::oauth::REFUSED_PAUSE).
//! - `-2` (flow control), `13` (call limit), `55` (call frequency), HTTP 429/503: retried after
//!   `Retry-After`, else [`THROTTLE_PAUSE`]; `33` (daily message limit): retried when the daily
//!   count starts again (midnight, Beijing time); `-1` and 5xx: retried.
//! - Other codes (`40`/`41` bad arguments, `67` category or notify_level refused): fatal.
//!
//! Not confirmed from the documents: whether OPPO sends `Retry-After` (honoured if it does);
//! that `app_message_id` deduplicates a resent unicast (the documents call it the developer's
//! message id); the daily-limit reset hour; the shape of a batch's `data` (parsed both as a JSON
//! list and as a string holding one).

use super::oauth::{Fetch, TokenCache, TokenFetch, fetch_answer};
use super::{
    Answer, PushMessage, PushOutcome, PushTarget, config_fault, read_answer, token_hash, transport, until_quota_resets,
};
use async_trait::async_trait;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::time::Duration;

pub const DEFAULT_ENDPOINT: &str = "https://api.push.oppomobile.com";
/// Most messages in one `unicast_batch`.
pub const MAX_MESSAGES: usize = 1000;
/// How long an auth_token lives.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// The wait after flow control that gave no `Retry-After`.
pub const THROTTLE_PAUSE: Duration = Duration::from_secs(60);
/// Invalid registration_id.
pub const INVALID_REGISTRATION_ID: i64 = 10000;
const NAME: &str = "oppo";

/// The signed auth request of an app.
struct OppoAuth {
    http: reqwest::Client,
    url: String,
    app_key: String,
    master_secret: String,
}

/// The `sign` of an auth request: lower-case hex sha256(app_key + timestamp + master_secret).
pub fn sign(app_key: &str, timestamp: &str, master_secret: &str) -> String {
    hex::encode(Sha256::digest(format!("{app_key}{timestamp}{master_secret}").as_bytes()))
}

#[async_trait]
impl TokenFetch for OppoAuth {
    async fn fetch(&self) -> Result<(String, Duration), Fetch> {
        let timestamp = chrono::Utc::now().timestamp_millis().to_string();
        let form = [
            ("app_key", self.app_key.clone()),
            ("timestamp", timestamp.clone()),
            ("sign", sign(&self.app_key, &timestamp, &self.master_secret)),
        ];
        let body = fetch_answer(self.http.post(&self.url).form(&form).send().await).await?;
        match (code(&body), body.pointer("/data/auth_token").and_then(Value::as_str)) {
            (0, Some(token)) => Ok((token.to_string(), TOKEN_LIFETIME)),
            (c @ (14 | 15 | 16 | 17 | 26 | 27 | 28 | 30), _) => Err(Fetch::Refused(format!("auth answered code {c}"))),
            (c, _) => Err(Fetch::Failed(format!("auth answered code {c}"))),
        }
    }
}

/// Sends through OPPO Push.
pub struct OppoProvider {
    tokens: TokenCache,
    http: reqwest::Client,
    endpoint: String,
    concurrency: usize,
}

impl OppoProvider {
    /// A provider for the app `app_key` with its `master_secret`, sending to `endpoint`, at most
    /// `concurrency` requests at once, each given up after `timeout`.
    pub fn new(
        app_key: &str,
        master_secret: &str,
        endpoint: &str,
        concurrency: usize,
        timeout: Duration,
    ) -> reqwest::Result<Self> {
        let http = super::http_client(timeout)?;
        let endpoint = endpoint.trim_end_matches('/').to_string();
        let auth = OppoAuth {
            http: http.clone(),
            url: format!("{endpoint}/server/v1/auth"),
            app_key: app_key.into(),
            master_secret: master_secret.into(),
        };
        Ok(OppoProvider {
            tokens: TokenCache::from_source(NAME, Box::new(auth)),
            http,
            endpoint,
            concurrency: concurrency.max(1),
        })
    }

    async fn post(&self, path: &str, field: &str, value: &str, token: String) -> Result<Answer, PushOutcome> {
        let url = format!("{}/server/v1/message/notification/{path}", self.endpoint);
        let form = [("auth_token", token.as_str()), (field, value)];
        let resp = self.http.post(url).form(&form).send().await.map_err(transport)?;
        Ok(read_answer(resp).await)
    }

    async fn send_batch(&self, targets: &[PushTarget], m: &PushMessage) -> Vec<PushOutcome> {
        let regids: Vec<&str> = targets.iter().map(|t| t.token.as_str()).collect();
        let messages = match build_messages(&regids, m) {
            Ok(list) => list,
            Err(e) => return vec![PushOutcome::Fatal(format!("invalid message: {e}")); targets.len()],
        };
        let (path, field, value) = if messages.len() == 1 {
            ("unicast", "message", messages[0].to_string())
        } else {
            ("unicast_batch", "messages", Value::Array(messages).to_string())
        };
        let post = |token| self.post(path, field, &value, token);
        let classify = |(status, retry_after, body): Answer| classify(status, retry_after, &body, &regids);
        self.tokens.send_classified(regids.len(), token_refused, post, classify).await
    }
}

batch_provider!(OppoProvider, NAME, MAX_MESSAGES);

/// Whether OPPO refused our auth_token: code 11 (invalid) or 29 (missing).
fn token_refused(a: &Answer) -> bool {
    matches!(code(&a.2), 11 | 29)
}

/// One message per registration id, as `unicast` and `unicast_batch` take them.
pub fn build_messages(regids: &[&str], m: &PushMessage) -> Result<Vec<Value>, String> {
    if regids.is_empty() || regids.len() > MAX_MESSAGES {
        return Err(format!("{} registration ids: one to {MAX_MESSAGES} per request", regids.len()));
    }
    let c = &m.class.oppo;
    let parameters = serde_json::to_string(&m.data).map_err(|e| e.to_string())?;
    let ttl = m.ttl.map_or(24 * 3600, |t| t.as_secs());
    Ok(regids
        .iter()
        .map(|regid| {
            let mut notification = json!({
                "title": m.title,
                "content": m.body,
                "click_action_type": 0,
                "action_parameters": parameters,
                "off_line": true,
                "off_line_ttl": ttl,
                "channel_id": c.channel_id,
                "category": c.category,
                "notify_level": c.notify_level,
            });
            if let Some(tag) = &m.tag {
                notification["app_message_id"] = json!(format!("{tag}:{}", token_hash(regid)));
            }
            json!({ "target_type": 2, "target_value": regid, "notification": notification })
        })
        .collect())
}

/// The answer's `code` (-100 when it has none).
pub fn code(body: &Value) -> i64 {
    body.get("code").and_then(Value::as_i64).unwrap_or(-100)
}

/// The per-message results of a batch answer: (registration id, error code if it failed).
fn batch_results(body: &Value) -> Vec<(String, Option<i64>)> {
    let data = match body.get("data") {
        Some(Value::String(s)) => serde_json::from_str(s).unwrap_or_default(),
        Some(v) => v.clone(),
        None => Value::Null,
    };
    let list = data.as_array().cloned().unwrap_or_default();
    list.iter()
        .filter_map(|r| {
            let id = r.get("registrationId").and_then(Value::as_str)?;
            Some((id.to_string(), r.get("errorCode").and_then(Value::as_i64)))
        })
        .collect()
}

/// What one failed code means for the messages it covers.
fn failure(code: i64, retry_after: Option<Duration>) -> PushOutcome {
    let throttled = |reason: String| PushOutcome::Retry { after: Some(retry_after.unwrap_or(THROTTLE_PAUSE)), reason };
    match code {
        INVALID_REGISTRATION_ID => PushOutcome::DropToken(format!("{code}: invalid registration_id")),
        -2 | 13 | 55 => throttled(format!("{code}: flow control")),
        33 => PushOutcome::Retry {
            after: Some(until_quota_resets(chrono::Utc::now())),
            reason: "33: daily message limit".into(),
        },
        11 | 29 => config_fault(NAME, &format!("{code}: a fresh auth_token was refused")),
        14..=17 | 26..=28 | 30 => config_fault(NAME, &format!("{code}: the app's credentials or rights were refused")),
        -1 => PushOutcome::Retry { after: retry_after, reason: "-1: service unavailable".into() },
        c => PushOutcome::Fatal(format!("{c}: message refused")),
    }
}

/// What an answer means for each of `regids`.
pub fn classify(status: u16, retry_after: Option<Duration>, body: &Value, regids: &[&str]) -> Vec<PushOutcome> {
    let all = |o: PushOutcome| vec![o; regids.len()];
    if status == 429 || status == 503 {
        return all(PushOutcome::Retry {
            after: Some(retry_after.unwrap_or(THROTTLE_PAUSE)),
            reason: format!("HTTP {status}"),
        });
    }
    if status >= 500 {
        return all(PushOutcome::Retry { after: retry_after, reason: format!("HTTP {status}") });
    }
    match code(body) {
        0 if regids.len() == 1 => all(PushOutcome::Delivered),
        0 => {
            let results = batch_results(body);
            regids
                .iter()
                .map(|r| match results.iter().find(|(id, _)| id == r) {
                    Some((_, Some(c))) => failure(*c, retry_after),
                    _ => PushOutcome::Delivered,
                })
                .collect()
        }
        -100 if status != 200 => all(PushOutcome::Retry { after: retry_after, reason: format!("HTTP {status}") }),
        c => all(failure(c, retry_after)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_as_documented() {
        // sha256("key" + "1" + "secret") in lower-case hex, as any sha256 tool gives it.
        assert_eq!(sign("key", "1", "secret"), "0bf81ee73ae51e84d47cb77616babb919f457b6501a5adda997e5d52c9ee2d5f");
    }

    #[test]
    fn classifies_each_answer_per_registration_id() {
        let ok = json!({"code": 0, "message": "", "data": {"messageId": "m"}});
        assert_eq!(classify(200, None, &ok, &["a"]), vec![PushOutcome::Delivered]);
        let batch = json!({"code": 0, "data": [
            {"messageId": "1", "registrationId": "a"},
            {"messageId": "2", "registrationId": "b", "errorCode": 10000, "errorMessage": "bad"}
        ]});
        let o = classify(200, None, &batch, &["a", "b"]);
        assert_eq!(o[0], PushOutcome::Delivered);
        assert!(matches!(o[1], PushOutcome::DropToken(_)));
        let as_string = json!({"code": 0, "data": batch["data"].to_string()});
        assert!(matches!(classify(200, None, &as_string, &["a", "b"])[1], PushOutcome::DropToken(_)));
        assert!(matches!(classify(200, None, &json!({"code": 10000}), &["a"])[0], PushOutcome::DropToken(_)));
        assert_eq!(
            classify(200, None, &json!({"code": -2}), &["a"])[0],
            PushOutcome::Retry { after: Some(THROTTLE_PAUSE), reason: "-2: flow control".into() }
        );
        let PushOutcome::Retry { after: Some(wait), .. } = &classify(200, None, &json!({"code": 33}), &["a"])[0] else {
            panic!("33 retries")
        };
        assert!(*wait <= Duration::from_secs(24 * 3600));
        assert!(classify(200, None, &json!({"code": 16}), &["a"])[0].is_config_fault());
        assert!(matches!(classify(200, None, &json!({"code": 41}), &["a"])[0], PushOutcome::Fatal(_)));
        assert!(matches!(classify(502, None, &Value::Null, &["a"])[0], PushOutcome::Retry { .. }));
    }
}
