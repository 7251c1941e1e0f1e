//! A fake Huawei Push Kit: `POST /v1/{appId}/messages:send` checks what Push Kit checks (a bearer
//! token it issued and has not expired, else HTTP 401 `80200003`; the documented message shape:
//! `validate_only`, `message.token` a list of 1–1000, `message.data` a string,
//! `android.category`, `android.urgency` `HIGH`/`NORMAL`, `android.ttl` like `3600s`,
//! `android.notification` with title, body, `importance` `LOW`/`NORMAL` and `click_action.type`;
//! at most 4096 bytes without the tokens, else 400 `80100003`). Answers per token prefix: `invalid` tokens are listed
//! in an `80100000` answer (or `80300007` when every token is invalid); `throttle` tokens make the
//! request answer 503 (traffic control) once with `Retry-After: 1`.

use crate::fake_vendor::{APP_ID, FakeVendor, VendorState, answer, is_duration};
use poem::http::StatusCode;
use poem::web::Data;
use poem::{Response, Route, handler};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;

pub async fn start() -> FakeVendor {
    FakeVendor::start(Route::new().at(format!("/v1/{APP_ID}/messages:send"), poem::post(send))).await
}

fn check(body: &Value) -> Result<Vec<String>, String> {
    if !body.get("validate_only").is_some_and(Value::is_boolean) {
        return Err("validate_only missing".into());
    }
    let m = body.get("message").ok_or("no message")?;
    let tokens: Vec<String> = m
        .get("token")
        .and_then(Value::as_array)
        .ok_or("message.token is not a list")?
        .iter()
        .map(|t| t.as_str().map(str::to_string).ok_or("a token is not a string"))
        .collect::<Result<_, _>>()?;
    if tokens.is_empty() || tokens.len() > 1000 {
        return Err("1 to 1000 tokens".into());
    }
    if !m.get("data").is_none_or(Value::is_string) {
        return Err("message.data must be a string".into());
    }
    let a = m.get("android").ok_or("no android")?;
    if !a.get("category").is_some_and(Value::is_string) {
        return Err("android.category missing".into());
    }
    if !matches!(a.get("urgency").and_then(Value::as_str), Some("HIGH" | "NORMAL")) {
        return Err("android.urgency must be HIGH or NORMAL".into());
    }
    if a.get("ttl").is_some_and(|t| !is_duration(t)) {
        return Err("android.ttl must be like 3600s".into());
    }
    let n = a.get("notification").ok_or("no android.notification")?;
    for k in ["title", "body"] {
        if !n.get(k).is_some_and(Value::is_string) {
            return Err(format!("notification.{k} missing"));
        }
    }
    if !matches!(n.get("importance").and_then(Value::as_str), Some("LOW" | "NORMAL")) {
        return Err("notification.importance must be LOW or NORMAL".into());
    }
    if !n.pointer("/click_action/type").is_some_and(Value::is_u64) {
        return Err("click_action.type missing".into());
    }
    let mut own = m.clone();
    own.as_object_mut().unwrap().remove("token");
    if serde_json::to_vec(&own).unwrap().len() > 4096 {
        return Err("message over 4096 bytes (without its tokens)".into());
    }
    Ok(tokens)
}

#[handler]
async fn send(state: Data<&Arc<VendorState>>, req: &poem::Request, body: poem::Body) -> Response {
    state.send_requests.fetch_add(1, Ordering::SeqCst);
    if !state.authorised(req) {
        return answer(StatusCode::UNAUTHORIZED, json!({"code": "80200003", "msg": "Oauth Token expired"}), false);
    }
    let body: Value = body.into_json().await.unwrap_or(Value::Null);
    let tokens = match check(&body) {
        Ok(t) => t,
        Err(why) => {
            state.refuse(why);
            return answer(
                StatusCode::BAD_REQUEST,
                json!({"code": "80100003", "msg": "Message structure error"}),
                false,
            );
        }
    };
    if tokens.iter().any(|t| t.starts_with("throttle") && state.first_failure(t)) {
        return answer(StatusCode::SERVICE_UNAVAILABLE, json!({"code": "80300011", "msg": "flow control"}), true);
    }
    let (bad, good): (Vec<String>, Vec<String>) = tokens.into_iter().partition(|t| t.starts_with("invalid"));
    let mut message = body["message"].clone();
    message.as_object_mut().map(|m| m.remove("token"));
    for t in &good {
        state.record(t, &message);
    }
    let id = "1";
    match (bad.is_empty(), good.is_empty()) {
        (true, _) => answer(StatusCode::OK, json!({"code": "80000000", "msg": "Success", "requestId": id}), false),
        (false, true) => answer(
            StatusCode::BAD_REQUEST,
            json!({"code": "80300007", "msg": "All the tokens are invalid", "requestId": id}),
            false,
        ),
        (false, false) => {
            let msg = json!({"success": good.len(), "failure": bad.len(), "illegal_tokens": bad}).to_string();
            answer(StatusCode::OK, json!({"code": "80100000", "msg": msg, "requestId": id}), false)
        }
    }
}
