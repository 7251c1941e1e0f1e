//! vivo Push (vivo and iQOO phones, OriginOS / Funtouch OS): JSON `POST`s to `{endpoint}/message/…`
//! with an `authToken` header, which comes from `POST /message/auth` with `{appId, appKey,
//! timestamp (milliseconds), sign}`, `sign` = lower-case hex md5(appId + appKey + timestamp +
//! appSecret); it lives a day and is cached and replaced before then, and once when refused
//! ([`super::oauth::TokenCache`]). One device is reached with `/message/send`; two to
//! [`MAX_REGIDS`] with `/message/saveListPayload` (the message, answered with a `taskId`) and then
//! `/message/pushToList` (`taskId` and `regIds`).
//!
//! References: vivo open platform "PUSH-UPS-API接口文档" (dev.vivo.com.cn/documentCenter/doc/362:
//! the host `https://api-push.vivo.com.cn`, `authToken` in the header, the auth sign, the send,
//! saveListPayload and pushToList bodies, `regIds` two to 1000, `requestId` at most 64
//! characters, `invalidUser(s)` with `status` 1 (no such regId), 2 (uninstalled or
//! notifications off), 3 (offline 90 days), 4 (not a test user), the over-quota codes 10070 and
//! 10252, `appId` mismatch 10094) and "消息分类说明" (…/doc/359: `classification` 0 operational,
//! 1 system; `category` per class), also reproduced in integration notes (yimenapp.com
//! kb-yimen/12123, the Go package github.com/modood/pushapi/vivopush).
//!
//! A message: `{"appId", "regId", "notifyType": 4 (sound and vibration), "title" (at most 20
//! Chinese characters, cut with `…`), "content" (at most 50),
//! "timeToLive": <s>, "skipType": 1 (open the app), "clientCustomMap": <data>,
//! "classification", "category", "requestId", "pushMode": 0}`. Every category we send is a
//! system message (`classification` 1) with the category of its row (`IM`, `ACCOUNT`, `TODO`,
//! `SUBSCRIPTION`). `requestId` is the message tag with the device's (or the batch's) hash: a
//! message sent again to the same phone carries the same id, so vivo can drop the copy.
//!
//! Answers (`{"result": 0, "desc": "…", "taskId": "…"}`):
//! - `0`: sent; regIds in `invalidUser` / `invalidUsers` with status 1, 2 or 3 are dropped.
//! - `10000` (authentication failed): the authToken is refreshed once and the request sent
//!   again; refused again, a configuration fault, as are `10094` (appId mismatch) and refused
//!   auth requests, after which sends fail at once for
//!   [`REFUSED_PAUSE`](super::oauth::REFUSED_PAUSE).
//! - `10070`, `10252` (daily total exceeded): retried when the daily count starts again
//!   (midnight, Beijing time); a `desc` naming a frequency limit, and HTTP 429/503: retried
//!   after `Retry-After`, else [`THROTTLE_PAUSE`]; 5xx: retried.
//! - Other codes (bad arguments, text too long): fatal.
//!
//! Not confirmed from the documents: the code of an expired or invalid authToken (taken as
//! 10000, "权限认证失败"); vivo's frequency-limit codes (matched on `desc`); whether `requestId`
//! deduplicates across requests; whether vivo sends `Retry-After`.

use super::oauth::{Fetch, TokenCache, TokenFetch, fetch_answer};
use super::{
    Answer, PushMessage, PushOutcome, PushTarget, config_fault, read_answer, token_hash, transport, until_quota_resets,
};
use async_trait::async_trait;
use md5::{Digest, Md5};
use serde_json::{Value, json};
use std::time::Duration;

pub const DEFAULT_ENDPOINT: &str = "https://api-push.vivo.com.cn";
/// Most regIds in one `pushToList`.
pub const MAX_REGIDS: usize = 1000;
/// How long an authToken lives.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// The wait after a frequency limit that gave no `Retry-After`.
pub const THROTTLE_PAUSE: Duration = Duration::from_secs(60);
/// Longest title and content, counting a Chinese character as two.
pub const MAX_TITLE_UNITS: usize = 40;
pub const MAX_CONTENT_UNITS: usize = 100;
/// Authentication failed (an expired or unknown authToken).
pub const AUTH_FAILED: i64 = 10000;
const NAME: &str = "vivo";

/// The `sign` of an auth request: lower-case hex md5(appId + appKey + timestamp + appSecret).
pub fn sign(app_id: &str, app_key: &str, timestamp: i64, app_secret: &str) -> String {
    hex::encode(Md5::digest(format!("{app_id}{app_key}{timestamp}{app_secret}").as_bytes()))
}

/// The app's credentials.
#[derive(Clone)]
pub struct VivoApp {
    pub app_id: String,
    pub app_key: String,
    pub app_secret: String,
}

struct VivoAuth {
    http: reqwest::Client,
    url: String,
    app: VivoApp,
}

#[async_trait]
impl TokenFetch for VivoAuth {
    async fn fetch(&self) -> Result<(String, Duration), Fetch> {
        let a = &self.app;
        let timestamp = chrono::Utc::now().timestamp_millis();
        let body = json!({
            "appId": a.app_id,
            "appKey": a.app_key,
            "timestamp": timestamp,
            "sign": sign(&a.app_id, &a.app_key, timestamp, &a.app_secret),
        });
        let answer = fetch_answer(self.http.post(&self.url).json(&body).send().await).await?;
        match (result(&answer), answer.get("authToken").and_then(Value::as_str)) {
            (0, Some(token)) => Ok((token.to_string(), TOKEN_LIFETIME)),
            (c, _) if throttled(&answer) => Err(Fetch::Failed(format!("auth answered {c}: frequency limit"))),
            (c, _) => Err(Fetch::Refused(format!("auth answered {c}"))),
        }
    }
}

/// Sends through vivo Push.
pub struct VivoProvider {
    tokens: TokenCache,
    http: reqwest::Client,
    endpoint: String,
    app_id: String,
    concurrency: usize,
}

impl VivoProvider {
    /// A provider for `app`, sending to `endpoint`, at most `concurrency` requests at once, each
    /// given up after `timeout`.
    pub fn new(app: VivoApp, endpoint: &str, concurrency: usize, timeout: Duration) -> reqwest::Result<Self> {
        let http = super::http_client(timeout)?;
        let endpoint = endpoint.trim_end_matches('/').to_string();
        let app_id = app.app_id.clone();
        let auth = VivoAuth { http: http.clone(), url: format!("{endpoint}/message/auth"), app };
        Ok(VivoProvider {
            tokens: TokenCache::from_source(NAME, Box::new(auth)),
            http,
            endpoint,
            app_id,
            concurrency: concurrency.max(1),
        })
    }

    async fn post(&self, path: &str, body: &Value, token: String) -> Result<Answer, PushOutcome> {
        let url = format!("{}/message/{path}", self.endpoint);
        let resp = self.http.post(url).header("authToken", token).json(body).send().await.map_err(transport)?;
        Ok(read_answer(resp).await)
    }

    async fn send_batch(&self, targets: &[PushTarget], m: &PushMessage) -> Vec<PushOutcome> {
        let regids: Vec<&str> = targets.iter().map(|t| t.token.as_str()).collect();
        let classify = |(status, retry_after, body): Answer| classify(status, retry_after, &body, &regids);
        let mut payload = match build_payload(&self.app_id, m) {
            Ok(p) => p,
            Err(e) => return vec![PushOutcome::Fatal(format!("invalid message: {e}")); targets.len()],
        };
        let request_id = request_id(m, &regids);
        payload["requestId"] = json!(request_id);
        if let [regid] = regids.as_slice() {
            payload["regId"] = json!(regid);
            let post = |token| self.post("send", &payload, token);
            return self.tokens.send_classified(1, token_refused, post, classify).await;
        }
        let saved = match self.tokens.send(token_refused, |t| self.post("saveListPayload", &payload, t)).await {
            Ok(answer) => answer,
            Err(o) => return vec![o; regids.len()],
        };
        let task_id = match saved.2.get("taskId") {
            Some(Value::String(t)) if result(&saved.2) == 0 => t.clone(),
            Some(Value::Number(t)) if result(&saved.2) == 0 => t.to_string(),
            _ => return self.tokens.checked(classify(saved)).await,
        };
        let list = json!({
            "appId": self.app_id, "regIds": regids, "taskId": task_id, "requestId": request_id, "pushMode": 0,
        });
        let post = |token| self.post("pushToList", &list, token);
        self.tokens.send_classified(regids.len(), token_refused, post, classify).await
    }
}

batch_provider!(VivoProvider, NAME, MAX_REGIDS);

/// Whether vivo refused our authToken.
fn token_refused(a: &Answer) -> bool {
    a.0 == 401 || result(&a.2) == AUTH_FAILED
}

/// The `requestId` of a message to `regids`: its tag and the regIds' hash (at most 64
/// characters), the same whenever the same message goes to the same phones.
pub fn request_id(m: &PushMessage, regids: &[&str]) -> String {
    let tag = m.tag.as_deref().unwrap_or("untagged");
    let mut id = format!("{tag}:{}", token_hash(&regids.join(",")));
    id.truncate(64);
    id
}

/// The message body without its targets and requestId.
pub fn build_payload(app_id: &str, m: &PushMessage) -> Result<Value, String> {
    if m.data.len() > 10 {
        return Err(format!("{} custom keys, at most 10", m.data.len()));
    }
    let c = &m.class.vivo;
    // vivo keeps a message from 60 s to 7 days.
    let ttl = m.ttl.map_or(24 * 3600, |t| t.as_secs().clamp(60, 7 * 24 * 3600));
    Ok(json!({
        "appId": app_id,
        "notifyType": 4,
        "title": fit(&m.title, MAX_TITLE_UNITS),
        "content": fit(&m.body, MAX_CONTENT_UNITS),
        "timeToLive": ttl,
        "skipType": 1,
        "clientCustomMap": m.data,
        "classification": c.classification,
        "category": c.category,
        "pushMode": 0,
    }))
}

/// `text` cut to `units` as vivo counts them (a Chinese character counts two), with `…` when cut.
pub fn fit(text: &str, units: usize) -> String {
    let width = |c: char| if c.is_ascii() { 1 } else { 2 };
    if text.chars().map(width).sum::<usize>() <= units {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 2;
    for c in text.chars() {
        if used + width(c) > units {
            break;
        }
        used += width(c);
        out.push(c);
    }
    out.push('…');
    out
}

/// The answer's `result` (-100 when it has none).
pub fn result(body: &Value) -> i64 {
    body.get("result").and_then(Value::as_i64).unwrap_or(-100)
}

/// Whether an answer names a frequency limit.
fn throttled(body: &Value) -> bool {
    let desc = body.get("desc").and_then(Value::as_str).unwrap_or("").to_lowercase();
    ["频率", "频次", "limit", "frequency"].iter().any(|w| desc.contains(w))
}

/// The regIds an answer calls dead (`invalidUser` or `invalidUsers` with status 1, 2 or 3).
fn invalid_users(body: &Value) -> Vec<String> {
    let mut users: Vec<&Value> =
        body.get("invalidUsers").and_then(Value::as_array).map(|l| l.iter().collect()).unwrap_or_default();
    users.extend(body.get("invalidUser").filter(|v| v.is_object()));
    users
        .into_iter()
        .filter(|u| matches!(u.get("status").and_then(Value::as_i64), Some(1..=3)))
        .filter_map(|u| u.get("userid").map(|v| v.to_string().trim_matches('"').to_string()))
        .collect()
}

/// What an answer means for each of `regids`.
pub fn classify(status: u16, retry_after: Option<Duration>, body: &Value, regids: &[&str]) -> Vec<PushOutcome> {
    let all = |o: PushOutcome| vec![o; regids.len()];
    let pause = Some(retry_after.unwrap_or(THROTTLE_PAUSE));
    if status == 429 || status == 503 {
        return all(PushOutcome::Retry { after: pause, reason: format!("HTTP {status}") });
    }
    if status >= 500 {
        return all(PushOutcome::Retry { after: retry_after, reason: format!("HTTP {status}") });
    }
    match result(body) {
        0 => {
            let dead = invalid_users(body);
            regids
                .iter()
                .map(|r| {
                    if dead.iter().any(|d| d == r) {
                        PushOutcome::DropToken("invalid regId".into())
                    } else {
                        PushOutcome::Delivered
                    }
                })
                .collect()
        }
        c @ (10070 | 10252) => all(PushOutcome::Retry {
            after: Some(until_quota_resets(chrono::Utc::now())),
            reason: format!("{c}: daily total exceeded"),
        }),
        _ if throttled(body) => all(PushOutcome::Retry { after: pause, reason: "frequency limit".into() }),
        c @ (AUTH_FAILED | 10094) => all(config_fault(NAME, &format!("{c}: the app's credentials were refused"))),
        -100 => all(PushOutcome::Retry { after: retry_after, reason: format!("HTTP {status}") }),
        c => all(PushOutcome::Fatal(format!("{c}: message refused"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_as_documented() {
        // md5("1" + "k" + "2" + "s") in lower-case hex, as any md5 tool gives it.
        assert_eq!(sign("1", "k", 2, "s"), "d5fbc1b551d03bdd9eb33777953b51c1");
        assert_eq!(sign("app", "key", 1_600_000_000_000, "secret"), "cebb4acfeb0bd08516c728b6513ab057");
    }

    #[test]
    fn long_texts_are_cut_as_vivo_counts_them() {
        assert_eq!(fit("短标题", 40), "短标题");
        let cut = fit(&"救".repeat(30), MAX_TITLE_UNITS);
        assert_eq!(cut.chars().count(), 20);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn classifies_each_answer_per_regid() {
        let ok = json!({"result": 0, "desc": "请求成功", "taskId": "1", "invalidUsers": [{"userid": "b", "status": 1}, {"userid": "c", "status": 4}]});
        let o = classify(200, None, &ok, &["a", "b", "c"]);
        assert_eq!(o[0], PushOutcome::Delivered);
        assert!(matches!(o[1], PushOutcome::DropToken(_)));
        assert_eq!(o[2], PushOutcome::Delivered);
        let single = json!({"result": 0, "taskId": "1", "invalidUser": {"userid": "a", "status": 3}});
        assert!(matches!(classify(200, None, &single, &["a"])[0], PushOutcome::DropToken(_)));
        let PushOutcome::Retry { after: Some(wait), .. } = &classify(200, None, &json!({"result": 10070}), &["a"])[0]
        else {
            panic!("10070 retries")
        };
        assert!(*wait <= Duration::from_secs(24 * 3600));
        assert_eq!(
            classify(200, None, &json!({"result": 10099, "desc": "超过频率限制"}), &["a"])[0],
            PushOutcome::Retry { after: Some(THROTTLE_PAUSE), reason: "frequency limit".into() }
        );
        assert!(classify(200, None, &json!({"result": 10094}), &["a"])[0].is_config_fault());
        assert!(matches!(classify(200, None, &json!({"result": 10055}), &["a"])[0], PushOutcome::Fatal(_)));
        assert!(matches!(classify(500, None, &Value::Null, &["a"])[0], PushOutcome::Retry { .. }));
    }
}
