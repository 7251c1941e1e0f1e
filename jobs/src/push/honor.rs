//! Honor Push (Honor phones since the 2020 split from Huawei; newer ones have no HMS Core):
//! `POST {endpoint}/api/v1/{appId}/sendMessage` with `Authorization: Bearer {access token}` and a
//! `timestamp` header (milliseconds), the token from Honor's OAuth 2.0 client-credentials endpoint
//! (`https://iam.developer.honor.com/auth/realms/developer/protocol/openid-connect/token`, cached:
//! [`super::oauth`]). `token` is a list: one request reaches several devices.
//!
//! References: Honor developer documents "发送下行消息" (server guide) and "下行消息接口" /
//! "下行消息响应码" (developer.honor.com/cn/docs/11002/reference/downlink-message and
//! …/guides/server-push; reproduced in Honor's own article at
//! my.oschina.net/u/5873522/blog/10140231), "获取鉴权接口" for the token.
//!
//! Message: `{"data": "<JSON string>", "android": {"ttl": "3600s", "notification": {"title",
//! "body", "clickAction": {"type": 3}, "importance", "tag"}}, "token": [...]}`.
//!
//! Answers: `{"code": 200, "message": "success", "data": {"sendResult": true, "failTokens": [...],
//! "expireTokens": [...]}}`: `expireTokens` are dropped, `failTokens` retried, the rest delivered.
//! Error codes follow Huawei Push Kit's family (Honor Push grew out of it): `80300007` invalid
//! tokens (dropped), `80200003` / HTTP 401 an expired access token (refreshed once), `80200001`
//! after a fresh token and `80300002` configuration faults, `81000001` and 5xx retried, HTTP
//! 429/503 (flow control) retried after `Retry-After` or [`THROTTLE_PAUSE`], other `801…`/`803…`
//! codes payload faults.
//!
//! Not confirmed from the documents: the most tokens per request (we send at most
//! [`MAX_TOKENS`]); the exact error codes beyond success and the token fields (taken to mirror
//! Huawei's); whether `failTokens` can hold dead tokens (treated as retryable, so a dead token
//! dies with the job's attempts rather than being dropped by mistake).

use super::oauth::{ClientCredentials, TokenCache};
use super::{Answer, PushMessage, PushOutcome, PushTarget, config_fault, read_answer, transport};
use serde_json::{Value, json};
use std::time::Duration;

pub const DEFAULT_ENDPOINT: &str = "https://push-api.cloud.honor.com";
pub const DEFAULT_TOKEN_URL: &str =
    "https://iam.developer.honor.com/auth/realms/developer/protocol/openid-connect/token";
/// Most tokens we put in one request.
pub const MAX_TOKENS: usize = 100;
/// Largest message we send (Honor documents 4 KB as Huawei does).
pub const MAX_MESSAGE_BYTES: usize = 4096;
/// The wait after flow control that gave no `Retry-After`.
pub const THROTTLE_PAUSE: Duration = Duration::from_secs(60);
const NAME: &str = "honor";

/// Sends through Honor Push.
pub struct HonorProvider {
    tokens: TokenCache,
    http: reqwest::Client,
    send_url: String,
    concurrency: usize,
}

impl HonorProvider {
    /// A provider for the app `app_id`, sending to `endpoint`, at most `concurrency` requests at
    /// once, each given up after `timeout`.
    pub fn new(
        app_id: &str,
        credentials: ClientCredentials,
        endpoint: &str,
        concurrency: usize,
        timeout: Duration,
    ) -> reqwest::Result<Self> {
        let http = super::http_client(timeout)?;
        let send_url = format!("{}/api/v1/{app_id}/sendMessage", endpoint.trim_end_matches('/'));
        Ok(HonorProvider {
            tokens: TokenCache::new(NAME, credentials, http.clone()),
            http,
            send_url,
            concurrency: concurrency.max(1),
        })
    }

    async fn post(&self, body: &Value, token: String) -> Result<Answer, PushOutcome> {
        let resp = self
            .http
            .post(&self.send_url)
            .bearer_auth(token)
            .header("timestamp", chrono::Utc::now().timestamp_millis().to_string())
            .json(body)
            .send()
            .await
            .map_err(transport)?;
        Ok(read_answer(resp).await)
    }

    async fn send_batch(&self, targets: &[PushTarget], m: &PushMessage) -> Vec<PushOutcome> {
        let tokens: Vec<&str> = targets.iter().map(|t| t.token.as_str()).collect();
        let answer = match build_message(&tokens, m) {
            Ok(body) => self.tokens.send(token_refused, |token| self.post(&body, token)).await,
            Err(e) => Err(PushOutcome::Fatal(format!("invalid message: {e}"))),
        };
        match answer {
            Ok((status, retry_after, body)) => classify(status, retry_after, &body, &tokens),
            Err(o) => vec![o; targets.len()],
        }
    }
}

batch_provider!(HonorProvider, NAME, MAX_TOKENS);

/// Whether Honor refused our access token: HTTP 401, `80200003` (expired) or `80200001`.
fn token_refused(a: &Answer) -> bool {
    a.0 == 401 || matches!(code(&a.2).as_str(), "80200001" | "80200003")
}

/// The request body for one message to `tokens`.
pub fn build_message(tokens: &[&str], m: &PushMessage) -> Result<Value, String> {
    if tokens.is_empty() || tokens.len() > MAX_TOKENS {
        return Err(format!("{} tokens: one to {MAX_TOKENS} per request", tokens.len()));
    }
    let mut notification = json!({
        "title": m.title,
        "body": m.body,
        "clickAction": { "type": 3 },
        "importance": m.class.honor_importance,
    });
    if let Some(tag) = &m.tag {
        notification["tag"] = json!(tag);
    }
    let mut android = json!({ "notification": notification });
    if let Some(ttl) = m.ttl {
        android["ttl"] = json!(format!("{}s", ttl.as_secs()));
    }
    let data = serde_json::to_string(&m.data).map_err(|e| e.to_string())?;
    // The limit is the message's own, without the tokens (as Huawei's).
    let mut body = json!({ "data": data, "android": android });
    let size = serde_json::to_vec(&body).map(|v| v.len()).unwrap_or(usize::MAX);
    if size > MAX_MESSAGE_BYTES {
        return Err(format!("the message is {size} bytes, more than {MAX_MESSAGE_BYTES}"));
    }
    body["token"] = json!(tokens);
    Ok(body)
}

/// The answer's `code` as text (Honor writes it as a number).
pub fn code(body: &Value) -> String {
    match body.get("code") {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    }
}

/// The tokens an answer lists under `data.{field}`.
fn listed<'a>(body: &'a Value, field: &str) -> Vec<&'a str> {
    let list = body.get("data").and_then(|d| d.get(field)).and_then(Value::as_array);
    list.into_iter().flatten().filter_map(Value::as_str).collect()
}

/// What an answer means for each of `tokens`.
pub fn classify(status: u16, retry_after: Option<Duration>, body: &Value, tokens: &[&str]) -> Vec<PushOutcome> {
    let all = |o: PushOutcome| vec![o; tokens.len()];
    let code = code(body);
    match (status, code.as_str()) {
        (200, "200") => {
            let (expired, failed) = (listed(body, "expireTokens"), listed(body, "failTokens"));
            tokens
                .iter()
                .map(|t| {
                    if expired.contains(t) {
                        PushOutcome::DropToken("expired token".into())
                    } else if failed.contains(t) {
                        PushOutcome::Retry { after: None, reason: "failed token".into() }
                    } else {
                        PushOutcome::Delivered
                    }
                })
                .collect()
        }
        (_, "80300007") => all(PushOutcome::DropToken("80300007: invalid token".into())),
        (_, "80300002") => all(config_fault(NAME, "80300002: the app may not send pushes")),
        (_, "80200001") => all(config_fault(NAME, "80200001: authentication error")),
        (429 | 503, _) => all(PushOutcome::Retry {
            after: Some(retry_after.unwrap_or(THROTTLE_PAUSE)),
            reason: format!("flow control (HTTP {status})"),
        }),
        (_, "81000001") => all(PushOutcome::Retry { after: retry_after, reason: "81000001: internal error".into() }),
        (s, _) if s >= 500 => all(PushOutcome::Retry { after: retry_after, reason: format!("HTTP {s}") }),
        (401, _) => all(PushOutcome::Retry { after: retry_after, reason: "unauthorized".into() }),
        (s, c) => all(PushOutcome::Fatal(format!("HTTP {s} {c}: payload refused"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_each_answer_per_token() {
        let ok = json!({"code": 200, "message": "success", "data": {"sendResult": true, "failTokens": ["c"], "expireTokens": ["b"]}});
        let o = classify(200, None, &ok, &["a", "b", "c"]);
        assert_eq!(o[0], PushOutcome::Delivered);
        assert!(matches!(o[1], PushOutcome::DropToken(_)));
        assert!(matches!(o[2], PushOutcome::Retry { .. }));
        assert!(matches!(classify(200, None, &json!({"code": 80300007}), &["a"])[0], PushOutcome::DropToken(_)));
        assert!(classify(200, None, &json!({"code": 80200001}), &["a"])[0].is_config_fault());
        assert_eq!(
            classify(429, Some(Duration::from_secs(3)), &json!({}), &["a"])[0],
            PushOutcome::Retry { after: Some(Duration::from_secs(3)), reason: "flow control (HTTP 429)".into() }
        );
        assert!(matches!(classify(400, None, &json!({"code": 80100003}), &["a"])[0], PushOutcome::Fatal(_)));
    }
}
