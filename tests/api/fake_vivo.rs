//! A fake vivo Push: `POST /message/auth` checks `{appId, appKey, timestamp, sign}` (the app's
//! id and key, a millisecond timestamp within ten minutes of now, `sign` = lower-case hex
//! md5(appId + appKey + timestamp + appSecret); else result 10200) and issues an `authToken`.
//! The sends check the `authToken` header (issued, not expired; else result 10000) and the
//! documented body (`appId` the app's, else 10094; `notifyType` 1–4, `title` at most 40 and
//! `content` at most 100 characters counting a Chinese one as two, `timeToLive` 60 s to 7 days,
//! `skipType` 1–4, `classification` 0 or 1 with a `category`, `clientCustomMap` of at most 10
//! text values, `requestId` of 1–64 characters; else 10055): `/message/send` one `regId`;
//! `/message/saveListPayload` the message, answered with a `taskId`; `/message/pushToList` 2 to
//! 1000 `regIds` and a known `taskId`. `invalid` regIds come back in `invalidUser(s)` with status
//! 1; `throttle` regIds make the request answer 10071 (frequency limit) once with
//! `Retry-After: 1`.

use crate::fake_vendor::{FakeVendor, VendorState, answer};
use md5::{Digest, Md5};
use poem::http::StatusCode;
use poem::web::{Data, Json};
use poem::{Response, Route, handler};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, OnceLock};

pub const APP_ID: &str = "10004";
pub const APP_KEY: &str = "fake-vivo-app-key";
pub const APP_SECRET: &str = "fake-vivo-app-secret";

pub async fn start() -> FakeVendor {
    let routes = Route::new()
        .at("/message/auth", poem::post(auth))
        .at("/message/send", poem::post(send))
        .at("/message/saveListPayload", poem::post(save_list_payload))
        .at("/message/pushToList", poem::post(push_to_list));
    FakeVendor::start(routes).await
}

/// Saved list payloads by task id (across fakes: task ids are unique).
fn tasks() -> &'static Mutex<HashMap<String, Value>> {
    static TASKS: OnceLock<Mutex<HashMap<String, Value>>> = OnceLock::new();
    TASKS.get_or_init(Mutex::default)
}

fn reply(result: i64, desc: &str, extra: Value) -> Response {
    let mut body = json!({"result": result, "desc": desc});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    answer(StatusCode::OK, body, false)
}

#[handler]
async fn auth(state: Data<&Arc<VendorState>>, Json(b): Json<Value>) -> Response {
    let stamp = b["timestamp"].as_i64().unwrap_or(0);
    let expected = hex::encode(Md5::digest(format!("{APP_ID}{APP_KEY}{stamp}{APP_SECRET}").as_bytes()));
    let fresh = (chrono::Utc::now().timestamp_millis() - stamp).abs() <= 600_000;
    if b["appId"] != APP_ID || b["appKey"] != APP_KEY || b["sign"] != expected.as_str() || !fresh {
        state.token_requests.fetch_add(1, Ordering::SeqCst);
        return reply(10200, "鉴权失败", json!({}));
    }
    reply(0, "请求成功", json!({"authToken": state.issue_token()}))
}

/// Text length as vivo counts it: a Chinese character counts two.
fn units(v: &Value) -> usize {
    v.as_str().map_or(usize::MAX, |s| s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum())
}

fn check_message(b: &Value) -> Result<(), String> {
    if !matches!(b["notifyType"].as_u64(), Some(1..=4)) {
        return Err("notifyType must be 1 to 4".into());
    }
    if units(&b["title"]) > 40 || units(&b["content"]) > 100 {
        return Err("title or content missing or too long".into());
    }
    if !matches!(b["timeToLive"].as_u64(), Some(60..=604_800)) {
        return Err("timeToLive must be 60 s to 7 days".into());
    }
    if !matches!(b["skipType"].as_u64(), Some(1..=4)) {
        return Err("skipType must be 1 to 4".into());
    }
    if !matches!(b["classification"].as_u64(), Some(0 | 1)) || !b["category"].is_string() {
        return Err("classification must be 0 or 1, with a category".into());
    }
    let map = b["clientCustomMap"].as_object().cloned().unwrap_or_default();
    if map.len() > 10 || map.values().any(|v| !v.is_string()) {
        return Err("clientCustomMap: at most 10 text values".into());
    }
    Ok(())
}

/// Checks the token, the app and the request id; the answer to give when one is wrong.
fn check_request(state: &VendorState, req: &poem::Request, b: &Value) -> Result<(), Box<Response>> {
    state.send_requests.fetch_add(1, Ordering::SeqCst);
    let token = req.headers().get("authToken").and_then(|v| v.to_str().ok());
    if !token.is_some_and(|t| state.holds(t)) {
        return Err(Box::new(reply(10000, "权限认证失败", json!({}))));
    }
    if b["appId"] != APP_ID {
        return Err(Box::new(reply(10094, "appId不一致", json!({}))));
    }
    if !b["requestId"].as_str().is_some_and(|r| (1..=64).contains(&r.len())) {
        state.refuse("requestId must be 1 to 64 characters");
        return Err(Box::new(reply(10055, "参数不合法", json!({}))));
    }
    Ok(())
}

fn throttled(state: &VendorState, regids: &[String]) -> Option<Response> {
    regids
        .iter()
        .any(|r| r.starts_with("throttle") && state.first_failure(r))
        .then(|| answer(StatusCode::OK, json!({"result": 10071, "desc": "超过频率限制"}), true))
}

/// Records `message` delivered to the good regIds; the invalid ones.
fn deliver(state: &VendorState, regids: &[String], message: &Value) -> Vec<Value> {
    let (bad, good): (Vec<&String>, Vec<&String>) = regids.iter().partition(|r| r.starts_with("invalid"));
    for r in good {
        state.record(r, message);
    }
    bad.into_iter().map(|r| json!({"userid": r, "status": 1})).collect()
}

#[handler]
async fn send(state: Data<&Arc<VendorState>>, req: &poem::Request, Json(b): Json<Value>) -> Response {
    if let Err(r) = check_request(&state, req, &b) {
        return *r;
    }
    let regid = b["regId"].as_str().unwrap_or("").to_string();
    if let Err(why) =
        check_message(&b).and_then(|_| if regid.is_empty() { Err("regId missing".into()) } else { Ok(()) })
    {
        state.refuse(why);
        return reply(10055, "参数不合法", json!({}));
    }
    if let Some(r) = throttled(&state, std::slice::from_ref(&regid)) {
        return r;
    }
    let invalid = deliver(&state, std::slice::from_ref(&regid), &b);
    let mut extra = json!({"taskId": uuid::Uuid::new_v4().simple().to_string()});
    if let Some(user) = invalid.first() {
        extra["invalidUser"] = user.clone();
    }
    reply(0, "请求成功", extra)
}

#[handler]
async fn save_list_payload(state: Data<&Arc<VendorState>>, req: &poem::Request, Json(b): Json<Value>) -> Response {
    if let Err(r) = check_request(&state, req, &b) {
        return *r;
    }
    if let Err(why) = check_message(&b) {
        state.refuse(why);
        return reply(10055, "参数不合法", json!({}));
    }
    let task = uuid::Uuid::new_v4().simple().to_string();
    tasks().lock().unwrap().insert(task.clone(), b);
    reply(0, "请求成功", json!({"taskId": task}))
}

#[handler]
async fn push_to_list(state: Data<&Arc<VendorState>>, req: &poem::Request, Json(b): Json<Value>) -> Response {
    if let Err(r) = check_request(&state, req, &b) {
        return *r;
    }
    let regids: Vec<String> =
        b["regIds"].as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect();
    let payload = b["taskId"].as_str().and_then(|t| tasks().lock().unwrap().get(t).cloned());
    let Some(payload) = payload.filter(|_| (2..=1000).contains(&regids.len())) else {
        state.refuse("pushToList needs 2 to 1000 regIds and a saved taskId");
        return reply(10055, "参数不合法", json!({}));
    };
    if let Some(r) = throttled(&state, &regids) {
        return r;
    }
    let invalid = deliver(&state, &regids, &payload);
    reply(0, "请求成功", json!({"requestId": b["requestId"], "invalidUsers": invalid}))
}
