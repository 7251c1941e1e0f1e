//! Xiaomi MiPush (Xiaomi and Redmi phones, MIUI / HyperOS): `POST {endpoint}/v3/message/regid`,
//! form-encoded, with `Authorization: key={AppSecret}`. There is no access token to cache: the
//! app secret itself authenticates every request. `registration_id` takes several regids joined
//! by commas: one request reaches up to [`MAX_REGIDS`] devices.
//!
//! References: MiPush "服务端 HTTP 接口文档" (Server API, dev.mi.com/console/doc/detail?pId=1163,
//! "向某个 regid 或一组 regid 列表推送某条消息", `/v3/message/regid`) and "推送消息分类"
//! (channel classification, dev.mi.com/console/doc/detail?pId=2422); the parameter list is also
//! summarised in third-party integration notes (e.g. geeksrepos.com/xinlingqudongX/AggregatePush).
//!
//! Form fields: `registration_id`, `restricted_package_name` (the app's package),
//! `pass_through=0` (a notification), `notify_type` and `extra.channel_id` from the message class,
//! `title`, `description`, `payload` (our data as JSON), `time_to_live` (milliseconds),
//! `notify_id` (a number derived from the message tag: a second copy replaces the first on the
//! phone), `extra.notify_foreground=1`.
//!
//! Answers (HTTP 200, JSON): `{"result": "ok", "code": 0, "data": {"id": "…", "bad_regids":
//! "a,b"}}`: regids in `bad_regids` are dropped, the rest delivered. `{"result": "error", "code":
//! N, "reason": "…"}`: 21301 (authentication failed: a wrong app secret) is a configuration
//! fault, after which sends fail at once for [`oauth::REFUSED_PAUSE`](super::oauth::REFUSED_PAUSE)
//! without asking again; 20301 (no valid target) drops every regid; a reason naming a limit or
//! quota, and HTTP 429/503, are throttling, retried after `Retry-After` or [`THROTTLE_PAUSE`];
//! 5xx and other error codes are retried.
//!
//! Not confirmed from the documents: the codes 21301 and 20301 and the `bad_regids` field
//! (taken from Xiaomi's server SDK behaviour); Xiaomi's quota error codes (matched on the reason's
//! words instead); whether throttling answers carry `Retry-After`.

use super::{PushMessage, PushOutcome, PushTarget, config_fault, read_answer, transport};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const DEFAULT_ENDPOINT: &str = "https://api.xmpush.xiaomi.com";
/// Most regids in one request.
pub const MAX_REGIDS: usize = 1000;
/// The wait after throttling that gave no `Retry-After`.
pub const THROTTLE_PAUSE: Duration = Duration::from_secs(60);
/// Authentication failed: the app secret is wrong.
pub const AUTH_FAILED: i64 = 21301;
/// No valid target among the regids.
pub const NO_VALID_TARGET: i64 = 20301;
const NAME: &str = "xiaomi";

/// Sends through Xiaomi MiPush.
pub struct XiaomiProvider {
    http: reqwest::Client,
    send_url: String,
    auth: String,
    package: String,
    concurrency: usize,
    refused: Mutex<Option<(String, Instant)>>,
}

impl XiaomiProvider {
    /// A provider for the app `package` with its `app_secret`, sending to `endpoint`, at most
    /// `concurrency` requests at once, each given up after `timeout`.
    pub fn new(
        app_secret: &str,
        package: &str,
        endpoint: &str,
        concurrency: usize,
        timeout: Duration,
    ) -> reqwest::Result<Self> {
        Ok(XiaomiProvider {
            http: super::http_client(timeout)?,
            send_url: format!("{}/v3/message/regid", endpoint.trim_end_matches('/')),
            auth: format!("key={app_secret}"),
            package: package.into(),
            concurrency: concurrency.max(1),
            refused: Mutex::new(None),
        })
    }

    fn refused_now(&self) -> Option<String> {
        let r = self.refused.lock().unwrap_or_else(|e| e.into_inner());
        r.as_ref().filter(|(_, until)| Instant::now() < *until).map(|(why, _)| why.clone())
    }

    async fn send_batch(&self, targets: &[PushTarget], m: &PushMessage) -> Vec<PushOutcome> {
        let all = |o: PushOutcome| vec![o; targets.len()];
        if let Some(why) = self.refused_now() {
            return all(config_fault(NAME, &why));
        }
        let regids: Vec<&str> = targets.iter().map(|t| t.token.as_str()).collect();
        let form = match build_form(&regids, m, &self.package) {
            Ok(f) => f,
            Err(e) => return all(PushOutcome::Fatal(format!("invalid message: {e}"))),
        };
        let resp = match self.http.post(&self.send_url).header("authorization", &self.auth).form(&form).send().await {
            Ok(r) => r,
            Err(e) => return all(transport(e)),
        };
        let (status, retry_after, body) = read_answer(resp).await;
        let outcomes = classify(status, retry_after, &body, &regids);
        if let Some(PushOutcome::Fatal(reason)) = outcomes.first().filter(|o| o.is_config_fault()) {
            super::alert(NAME, reason);
            let pause = Instant::now() + super::oauth::REFUSED_PAUSE;
            *self.refused.lock().unwrap_or_else(|e| e.into_inner()) = Some((reason.clone(), pause));
        }
        outcomes
    }
}

batch_provider!(XiaomiProvider, NAME, MAX_REGIDS);

/// A notification id from the message's tag: the same tag, the same id (a copy replaces the
/// one shown).
pub fn notify_id(tag: &str) -> u32 {
    let d = Sha256::digest(tag.as_bytes());
    u32::from_be_bytes([d[0], d[1], d[2], d[3]]) & 0x7fff_ffff
}

/// The form of one message to `regids`.
pub fn build_form(regids: &[&str], m: &PushMessage, package: &str) -> Result<Vec<(&'static str, String)>, String> {
    if regids.is_empty() || regids.len() > MAX_REGIDS {
        return Err(format!("{} regids: one to {MAX_REGIDS} per request", regids.len()));
    }
    if let Some(bad) = regids.iter().find(|r| r.contains(',')) {
        return Err(format!("regid {} contains a comma", super::token_hash(bad)));
    }
    let c = &m.class.xiaomi;
    let mut form = vec![
        ("registration_id", regids.join(",")),
        ("restricted_package_name", package.to_string()),
        ("pass_through", "0".to_string()),
        ("notify_type", c.notify_type.to_string()),
        ("title", m.title.clone()),
        ("description", m.body.clone()),
        ("payload", serde_json::to_string(&m.data).map_err(|e| e.to_string())?),
        ("extra.channel_id", c.channel_id.to_string()),
        ("extra.notify_foreground", "1".to_string()),
    ];
    if let Some(ttl) = m.ttl {
        form.push(("time_to_live", (ttl.as_millis() as u64).to_string()));
    }
    if let Some(tag) = &m.tag {
        form.push(("notify_id", notify_id(tag).to_string()));
    }
    Ok(form)
}

/// What an answer means for each of `regids`.
pub fn classify(status: u16, retry_after: Option<Duration>, body: &Value, regids: &[&str]) -> Vec<PushOutcome> {
    let all = |o: PushOutcome| vec![o; regids.len()];
    let throttled = |reason: String| PushOutcome::Retry { after: Some(retry_after.unwrap_or(THROTTLE_PAUSE)), reason };
    if status == 429 || status == 503 {
        return all(throttled(format!("HTTP {status}")));
    }
    if status == 401 || status == 403 {
        return all(config_fault(NAME, &format!("HTTP {status}: the app secret was refused")));
    }
    if status >= 500 {
        return all(PushOutcome::Retry { after: retry_after, reason: format!("HTTP {status}") });
    }
    let code = body.get("code").and_then(Value::as_i64).unwrap_or(-1);
    let reason = body.get("reason").and_then(Value::as_str).unwrap_or("").to_string();
    match body.get("result").and_then(Value::as_str) {
        Some("ok") => {
            let bad: Vec<&str> =
                body.pointer("/data/bad_regids").and_then(Value::as_str).unwrap_or("").split(',').collect();
            regids
                .iter()
                .map(
                    |r| {
                        if bad.contains(r) {
                            PushOutcome::DropToken("bad regid".into())
                        } else {
                            PushOutcome::Delivered
                        }
                    },
                )
                .collect()
        }
        _ if code == AUTH_FAILED => all(config_fault(NAME, &format!("{code}: authentication failed"))),
        _ if code == NO_VALID_TARGET => all(PushOutcome::DropToken(format!("{code}: no valid target"))),
        _ if ["limit", "quota", "qps", "频率", "超"].iter().any(|w| reason.to_lowercase().contains(w)) => {
            all(throttled(format!("{code}: throttled")))
        }
        _ => all(PushOutcome::Retry { after: retry_after, reason: format!("HTTP {status} code {code}") }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn classifies_each_answer_per_regid() {
        let ok = json!({"result": "ok", "code": 0, "data": {"id": "m1", "bad_regids": "b"}});
        let o = classify(200, None, &ok, &["a", "b"]);
        assert_eq!(o[0], PushOutcome::Delivered);
        assert!(matches!(o[1], PushOutcome::DropToken(_)));
        assert!(
            classify(200, None, &json!({"result": "error", "code": 21301, "reason": "认证失败"}), &["a"])[0]
                .is_config_fault()
        );
        assert!(matches!(
            classify(200, None, &json!({"result": "error", "code": 20301, "reason": "No valid targets!"}), &["a"])[0],
            PushOutcome::DropToken(_)
        ));
        assert_eq!(
            classify(429, Some(Duration::from_secs(2)), &Value::Null, &["a"])[0],
            PushOutcome::Retry { after: Some(Duration::from_secs(2)), reason: "HTTP 429".into() }
        );
        assert!(matches!(classify(502, None, &Value::Null, &["a"])[0], PushOutcome::Retry { .. }));
    }

    #[test]
    fn the_same_tag_gives_the_same_notify_id() {
        assert_eq!(notify_id("n-1"), notify_id("n-1"));
        assert_ne!(notify_id("n-1"), notify_id("n-2"));
        assert!(notify_id("n-1") <= i32::MAX as u32);
    }
}
