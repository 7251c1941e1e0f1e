//! A fake Honor Push: `POST /api/v1/{appId}/sendMessage` checks a bearer token it issued (else
//! HTTP 401 `80200003`), the `timestamp` header (milliseconds, within five minutes of now) and
//! the documented shape (`token` a list, `data` a string, `android.notification` with title,
//! body, `clickAction.type` and `importance` `LOW`/`NORMAL`, `android.ttl` like `3600s`; else 400
//! `80100003`). Answers `{"code": 200, "data": {"sendResult": true, "expireTokens": [...]}}` with
//! `invalid` tokens as expired; `throttle` tokens make the request answer 429 once with
//! `Retry-After: 1`.

use crate::fake_vendor::{APP_ID, FakeVendor, VendorState, answer, is_duration};
use poem::http::StatusCode;
use poem::web::Data;
use poem::{Response, Route, handler};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;

pub async fn start() -> FakeVendor {
    FakeVendor::start(Route::new().at(format!("/api/v1/{APP_ID}/sendMessage"), poem::post(send))).await
}

fn check(req: &poem::Request, body: &Value) -> Result<Vec<String>, String> {
    let stamp = req.headers().get("timestamp").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<i64>().ok());
    let now = chrono::Utc::now().timestamp_millis();
    if stamp.is_none_or(|s| (now - s).abs() >= 300_000) {
        return Err("timestamp header missing or not now in milliseconds".into());
    }
    let tokens: Vec<String> = body
        .get("token")
        .and_then(Value::as_array)
        .ok_or("token is not a list")?
        .iter()
        .filter_map(|t| t.as_str().map(str::to_string))
        .collect();
    if tokens.is_empty() {
        return Err("no token".into());
    }
    if !body.get("data").is_none_or(Value::is_string) {
        return Err("data must be a string".into());
    }
    let a = body.get("android").ok_or("no android")?;
    if a.get("ttl").is_some_and(|t| !is_duration(t)) {
        return Err("android.ttl must be like 3600s".into());
    }
    let n = a.get("notification").ok_or("no android.notification")?;
    for k in ["title", "body"] {
        if !n.get(k).is_some_and(Value::is_string) {
            return Err(format!("notification.{k} missing"));
        }
    }
    if !n.pointer("/clickAction/type").is_some_and(Value::is_u64) {
        return Err("clickAction.type missing".into());
    }
    if !matches!(n.get("importance").and_then(Value::as_str), Some("LOW" | "NORMAL")) {
        return Err("importance must be LOW or NORMAL".into());
    }
    Ok(tokens)
}

#[handler]
async fn send(state: Data<&Arc<VendorState>>, req: &poem::Request, body: poem::Body) -> Response {
    state.send_requests.fetch_add(1, Ordering::SeqCst);
    if !state.authorised(req) {
        return answer(StatusCode::UNAUTHORIZED, json!({"code": 80200003, "message": "token expired"}), false);
    }
    let body: Value = body.into_json().await.unwrap_or(Value::Null);
    let tokens = match check(req, &body) {
        Ok(t) => t,
        Err(why) => {
            state.refuse(why);
            return answer(StatusCode::BAD_REQUEST, json!({"code": 80100003, "message": "bad message"}), false);
        }
    };
    if tokens.iter().any(|t| t.starts_with("throttle") && state.first_failure(t)) {
        return answer(StatusCode::TOO_MANY_REQUESTS, json!({"code": 80300011, "message": "flow control"}), true);
    }
    let (expired, good): (Vec<String>, Vec<String>) = tokens.into_iter().partition(|t| t.starts_with("invalid"));
    let mut message = body.clone();
    message.as_object_mut().map(|m| m.remove("token"));
    for t in &good {
        state.record(t, &message);
    }
    let data = json!({"sendResult": true, "requestId": "1", "failTokens": [], "expireTokens": expired});
    answer(StatusCode::OK, json!({"code": 200, "message": "success", "data": data}), false)
}
