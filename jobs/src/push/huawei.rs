//! Huawei Push Kit (HMS Core, Android): `POST {endpoint}/v1/{appId}/messages:send` with
//! `Authorization: Bearer {access token}`, the token from Huawei's OAuth 2.0 client-credentials
//! endpoint (`https://oauth-login.cloud.huawei.com/oauth2/v3/token`, cached: [`super::oauth`]).
//! One request reaches up to [`MAX_TOKENS`] devices (`message.token` is a list).
//!
//! References: Push Kit server "Sending Downlink Messages" and "Downlink Message Sending
//! Response Codes" (developer.huawei.com/consumer/en/doc/HMSCore-References/
//! https-send-api-0000001050986197 and …/ response code pages; the v3 scenario-based response
//! page developer.huawei.com/consumer/en/doc/doccenter-references/api/
//! push-scenariozed-api-response gives the HTTP codes: 401 authentication failed, 503 traffic
//! control), "Obtaining an App-level Access Token" (…/HMSCore-Guides/open-platform-oauth-
//! 0000001053629189), and "Message Classification" (…/HMSCore-Guides/message-classification-
//! 0000001149358835).
//!
//! Message: `{"validate_only": false, "message": {"data": "<JSON string>", "android":
//! {"category", "urgency", "ttl": "3600s", "notification": {"title", "body", "importance",
//! "tag", "click_action": {"type": 3}}}, "token": [...]}}`. At most 4096 bytes (80300008), taken
//! to be the message without its tokens (up to 1,000 tokens of ~130 bytes could never fit);
//! not confirmed.
//!
//! Answers (HTTP 200 unless said; `code` is a string):
//! - `80000000`: delivered to every token.
//! - `80100000` (some tokens refused): `msg` is a JSON string listing them (`illegal_tokens`, or
//!   `illegalTokens` grouped by cause in the v3 API): those are dropped, the rest delivered.
//! - `80300007` (every token invalid, or of another app): every token dropped.
//! - `80200003` (token expired) or HTTP 401: the access token is refreshed once and the request
//!   sent again; `80200001` (OAuth error: a token of another app) after a fresh token, and
//!   `80300002` (the app may not send), are configuration faults.
//! - HTTP 503 (traffic control): retried after `Retry-After`, or after [`THROTTLE_PAUSE`] when it
//!   gives none; `81000001` (internal error), 500 and 502: retried.
//! - Other `801…`/`803…` codes (bad structure, TTL, size, sensitive words): our payload is
//!   wrong: fatal.
//!
//! Not confirmed from the documents: whether HTTP 503 carries `Retry-After` (honoured if it
//! does); whether the 2023 classification reads `android.category` or
//! `android.notification.importance` for notification messages (both are sent, consistently).

use super::oauth::{ClientCredentials, TokenCache};
use super::{Answer, PushMessage, PushOutcome, PushTarget, config_fault, read_answer, transport};
use serde_json::{Value, json};
use std::time::Duration;

pub const DEFAULT_ENDPOINT: &str = "https://push-api.cloud.huawei.com";
pub const DEFAULT_TOKEN_URL: &str = "https://oauth-login.cloud.huawei.com/oauth2/v3/token";
/// Most tokens in one request.
pub const MAX_TOKENS: usize = 1000;
/// Largest message Push Kit accepts.
pub const MAX_MESSAGE_BYTES: usize = 4096;
/// The wait after traffic control that gave no `Retry-After`.
pub const THROTTLE_PAUSE: Duration = Duration::from_secs(60);
const NAME: &str = "huawei";

/// Sends through Huawei Push Kit.
pub struct HuaweiProvider {
    tokens: TokenCache,
    http: reqwest::Client,
    send_url: String,
    concurrency: usize,
}

impl HuaweiProvider {
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
        let send_url = format!("{}/v1/{app_id}/messages:send", endpoint.trim_end_matches('/'));
        Ok(HuaweiProvider {
            tokens: TokenCache::new(NAME, credentials, http.clone()),
            http,
            send_url,
            concurrency: concurrency.max(1),
        })
    }

    async fn post(&self, body: &Value, token: String) -> Result<Answer, PushOutcome> {
        let resp = self.http.post(&self.send_url).bearer_auth(token).json(body).send().await.map_err(transport)?;
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

batch_provider!(HuaweiProvider, NAME, MAX_TOKENS);

/// Whether Push Kit refused our access token: HTTP 401, `80200003` (expired) or `80200001` (an
/// OAuth error).
fn token_refused(a: &Answer) -> bool {
    a.0 == 401 || matches!(code(&a.2), "80200001" | "80200003")
}

/// The request body for one message to `tokens`, refused as Push Kit would refuse it.
pub fn build_message(tokens: &[&str], m: &PushMessage) -> Result<Value, String> {
    if tokens.is_empty() || tokens.len() > MAX_TOKENS {
        return Err(format!("{} tokens: one to {MAX_TOKENS} per request", tokens.len()));
    }
    let c = &m.class.huawei;
    let mut notification = json!({
        "title": m.title,
        "body": m.body,
        "importance": c.importance,
        "click_action": { "type": 3 },
    });
    if let Some(tag) = &m.tag {
        notification["tag"] = json!(tag);
    }
    let mut android = json!({ "category": c.category, "urgency": c.urgency, "notification": notification });
    if let Some(ttl) = m.ttl {
        android["ttl"] = json!(format!("{}s", ttl.as_secs()));
    }
    let data = serde_json::to_string(&m.data).map_err(|e| e.to_string())?;
    // The limit is the message's own: a request may carry 1,000 tokens of ~130 bytes each.
    let message = json!({ "data": data, "android": android });
    let size = serde_json::to_vec(&message).map(|v| v.len()).unwrap_or(usize::MAX);
    if size > MAX_MESSAGE_BYTES {
        return Err(format!("the message is {size} bytes, more than {MAX_MESSAGE_BYTES}"));
    }
    let mut body = json!({ "validate_only": false, "message": message });
    body["message"]["token"] = json!(tokens);
    Ok(body)
}

/// The `code` of an answer ("" when it has none).
pub fn code(body: &Value) -> &str {
    body.get("code").and_then(Value::as_str).unwrap_or("")
}

/// The tokens an answer names as refused: `msg` is a JSON string with `illegal_tokens` (a list)
/// or `illegalTokens` (lists by cause).
pub fn illegal_tokens(body: &Value) -> Vec<String> {
    let msg: Value =
        body.get("msg").and_then(Value::as_str).and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default();
    let strings = |v: &Value| -> Vec<String> {
        v.as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect()
    };
    let mut out = strings(&msg["illegal_tokens"]);
    if let Some(groups) = msg.get("illegalTokens").and_then(Value::as_object) {
        out.extend(groups.values().flat_map(strings));
    }
    out
}

/// What an answer means for each of `tokens`.
pub fn classify(status: u16, retry_after: Option<Duration>, body: &Value, tokens: &[&str]) -> Vec<PushOutcome> {
    let all = |o: PushOutcome| vec![o; tokens.len()];
    let code = code(body);
    match (status, code) {
        (200, "80000000") => all(PushOutcome::Delivered),
        (_, "80100000") => {
            let refused = illegal_tokens(body);
            tokens
                .iter()
                .map(|t| {
                    if refused.iter().any(|r| r == t) {
                        PushOutcome::DropToken("80100000: token refused".into())
                    } else {
                        PushOutcome::Delivered
                    }
                })
                .collect()
        }
        (_, "80300007") => all(PushOutcome::DropToken("80300007: invalid token".into())),
        (_, "80300002") => all(config_fault(NAME, "80300002: the app may not send pushes")),
        (_, "80200001") => all(config_fault(NAME, "80200001: OAuth authentication error")),
        (503, _) => all(PushOutcome::Retry {
            after: Some(retry_after.unwrap_or(THROTTLE_PAUSE)),
            reason: "traffic control".into(),
        }),
        (_, "81000001") => all(PushOutcome::Retry { after: retry_after, reason: "81000001: internal error".into() }),
        (429, _) => {
            all(PushOutcome::Retry { after: Some(retry_after.unwrap_or(THROTTLE_PAUSE)), reason: "HTTP 429".into() })
        }
        (s, _) if s >= 500 => all(PushOutcome::Retry { after: retry_after, reason: format!("HTTP {s}") }),
        (401, _) => all(PushOutcome::Retry { after: retry_after, reason: "unauthorized".into() }),
        (s, c) if c.starts_with("801") || c.starts_with("803") => {
            all(PushOutcome::Fatal(format!("HTTP {s} {c}: payload refused")))
        }
        (s, c) => all(PushOutcome::Fatal(format!("HTTP {s} {c}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_size_limit_is_the_message_without_its_tokens() {
        let mut m = PushMessage {
            title: "t".into(),
            body: "b".into(),
            data: Default::default(),
            high_priority: false,
            ttl: None,
            collapse_key: None,
            tag: Some("announcement:1".into()),
            class: Default::default(),
        };
        let tokens: Vec<String> = (0..MAX_TOKENS).map(|i| format!("{i:0>130}")).collect();
        let tokens: Vec<&str> = tokens.iter().map(String::as_str).collect();
        let b = build_message(&tokens, &m).unwrap();
        assert_eq!(b["message"]["token"].as_array().unwrap().len(), MAX_TOKENS);
        m.body = "长".repeat(1400);
        assert!(build_message(&tokens[..1], &m).unwrap_err().contains("more than 4096"));
    }

    #[test]
    fn classifies_each_answer_per_token() {
        let ok = json!({"code": "80000000", "msg": "Success", "requestId": "1"});
        assert_eq!(classify(200, None, &ok, &["a", "b"]), vec![PushOutcome::Delivered; 2]);
        let partial = json!({"code": "80100000", "msg": "{\"success\":1,\"failure\":1,\"illegal_tokens\":[\"b\"]}"});
        let o = classify(200, None, &partial, &["a", "b"]);
        assert_eq!(o[0], PushOutcome::Delivered);
        assert!(matches!(o[1], PushOutcome::DropToken(_)));
        let v3 = json!({"code": "80100000", "msg": "{\"illegalTokens\":{\"noRight\":[\"a\"]},\"failure\":1}"});
        assert!(matches!(classify(200, None, &v3, &["a", "b"])[0], PushOutcome::DropToken(_)));
        let invalid = json!({"code": "80300007", "msg": "All the tokens are invalid"});
        assert!(classify(400, None, &invalid, &["a"]).iter().all(|o| matches!(o, PushOutcome::DropToken(_))));
        let flow = classify(503, None, &json!({}), &["a"]);
        assert_eq!(flow[0], PushOutcome::Retry { after: Some(THROTTLE_PAUSE), reason: "traffic control".into() });
        assert!(classify(403, None, &json!({"code": "80300002"}), &["a"])[0].is_config_fault());
        assert!(matches!(classify(400, None, &json!({"code": "80100003"}), &["a"])[0], PushOutcome::Fatal(_)));
        assert!(matches!(classify(500, None, &json!({"code": "81000001"}), &["a"])[0], PushOutcome::Retry { .. }));
    }
}
