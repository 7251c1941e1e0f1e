//! A fake OPPO Push: `POST /server/v1/auth` checks the form (`app_key` the app's, `timestamp`
//! milliseconds within ten minutes of now, `sign` = hex sha256(app_key + timestamp +
//! master_secret); else code 14 or 16) and issues an `auth_token`. The form-encoded sends check
//! an `auth_token` it issued and has not expired (else code 11), and the documented message
//! shape (`target_type` 2, `target_value`, `notification` with `title`, `content`,
//! `click_action_type`, `action_parameters` a JSON object as text, `off_line_ttl` a number of
//! seconds up to ten days, `channel_id`, `category` of the documented list, `notify_level` 1, 2
//! or 16, `app_message_id` at most 64 characters; else code 41): `notification/unicast` one
//! `message`, `notification/unicast_batch` `messages`, a JSON list of 1 to 1000. `invalid` ids
//! are answered with 10000 (per message in a batch); `throttle` ids make the request answer code
//! -2 (flow control) once with `Retry-After: 1`.

use crate::fake_vendor::{FakeVendor, VendorState, answer};
use poem::http::StatusCode;
use poem::web::{Data, Form};
use poem::{Response, Route, handler};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

pub const APP_KEY: &str = "fake-oppo-app-key";
pub const MASTER_SECRET: &str = "fake-oppo-master-secret";
const CATEGORIES: [&str; 10] =
    ["IM", "ACCOUNT", "DEVICE_REMINDER", "ORDER", "TODO", "SUBSCRIPTION", "NEWS", "CONTENT", "MARKETING", "SOCIAL"];

pub async fn start() -> FakeVendor {
    let routes = Route::new()
        .at("/server/v1/auth", poem::post(auth))
        .at("/server/v1/message/notification/unicast", poem::post(unicast))
        .at("/server/v1/message/notification/unicast_batch", poem::post(unicast_batch));
    FakeVendor::start(routes).await
}

fn ok(data: Value) -> Response {
    answer(StatusCode::OK, json!({"code": 0, "message": "Success", "data": data}), false)
}

fn error(code: i64, message: &str) -> Response {
    answer(StatusCode::OK, json!({"code": code, "message": message}), false)
}

#[handler]
async fn auth(state: Data<&Arc<VendorState>>, Form(f): Form<HashMap<String, String>>) -> Response {
    let field = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    let stamp = field("timestamp").parse::<i64>().unwrap_or(0);
    if field("app_key") != APP_KEY {
        state.token_requests.fetch_add(1, Ordering::SeqCst);
        return error(14, "Invalid App Key");
    }
    let expected = hex::encode(Sha256::digest(format!("{APP_KEY}{stamp}{MASTER_SECRET}").as_bytes()));
    if field("sign") != expected || (chrono::Utc::now().timestamp_millis() - stamp).abs() > 600_000 {
        state.token_requests.fetch_add(1, Ordering::SeqCst);
        return error(16, "Invalid Signature");
    }
    let token = state.issue_token();
    ok(json!({"auth_token": token, "create_time": chrono::Utc::now().timestamp_millis()}))
}

/// The target of one message, if it has the documented shape.
fn check(m: &Value) -> Result<String, String> {
    if m.get("target_type").and_then(Value::as_i64) != Some(2) {
        return Err("target_type must be 2".into());
    }
    let target = m.get("target_value").and_then(Value::as_str).ok_or("target_value missing")?;
    let n = m.get("notification").ok_or("no notification")?;
    for k in ["title", "content", "channel_id"] {
        if n.get(k).and_then(Value::as_str).is_none_or(str::is_empty) {
            return Err(format!("notification.{k} missing"));
        }
    }
    if !n.get("click_action_type").is_some_and(Value::is_u64) {
        return Err("click_action_type missing".into());
    }
    let params = n.get("action_parameters").and_then(Value::as_str).unwrap_or("{}");
    if !serde_json::from_str::<Value>(params).is_ok_and(|v| v.is_object()) {
        return Err("action_parameters must be a JSON object as text".into());
    }
    if n.get("off_line_ttl").is_some_and(|t| t.as_u64().is_none_or(|s| s > 864_000)) {
        return Err("off_line_ttl must be seconds, at most ten days".into());
    }
    if !n.get("category").and_then(Value::as_str).is_some_and(|c| CATEGORIES.contains(&c)) {
        return Err("category is not one of OPPO's".into());
    }
    if !matches!(n.get("notify_level").and_then(Value::as_u64), Some(1 | 2 | 16)) {
        return Err("notify_level must be 1, 2 or 16".into());
    }
    if n.get("app_message_id").is_some_and(|v| v.as_str().is_none_or(|s| s.len() > 64)) {
        return Err("app_message_id must be text of at most 64 characters".into());
    }
    Ok(target.to_string())
}

/// The messages of a request if it holds a valid auth_token and well-shaped messages; else the
/// answer to give.
fn messages(state: &VendorState, form: &HashMap<String, String>, field: &str) -> Result<Vec<Value>, Box<Response>> {
    state.send_requests.fetch_add(1, Ordering::SeqCst);
    if !form.get("auth_token").is_some_and(|t| state.holds(t)) {
        return Err(Box::new(error(11, "Invalid AuthToken")));
    }
    let parsed: Option<Value> = form.get(field).and_then(|v| serde_json::from_str(v).ok());
    let list = match (field, parsed) {
        ("message", Some(m)) => vec![m],
        ("messages", Some(Value::Array(l))) if (1..=1000).contains(&l.len()) => l,
        _ => {
            state.refuse(format!("{field} is not the documented JSON"));
            return Err(Box::new(error(41, "Invalid Arguments")));
        }
    };
    for m in &list {
        if let Err(why) = check(m) {
            state.refuse(why);
            return Err(Box::new(error(41, "Invalid Arguments")));
        }
    }
    let target = |m: &Value| m["target_value"].as_str().unwrap_or("").to_string();
    if list.iter().any(|m| target(m).starts_with("throttle") && state.first_failure(&target(m))) {
        return Err(Box::new(answer(StatusCode::OK, json!({"code": -2, "message": "Service in Flow Control"}), true)));
    }
    Ok(list)
}

/// Records a delivered message; the id it was given.
fn deliver(state: &VendorState, m: &Value) -> String {
    let id = format!("fake-{}-1-1-{}", APP_KEY, uuid::Uuid::new_v4().simple());
    state.record(m["target_value"].as_str().unwrap_or(""), m);
    id
}

#[handler]
async fn unicast(state: Data<&Arc<VendorState>>, Form(f): Form<HashMap<String, String>>) -> Response {
    match messages(&state, &f, "message") {
        Err(r) => *r,
        Ok(list) if list[0]["target_value"].as_str().unwrap_or("").starts_with("invalid") => {
            error(10000, "Invalid Registration_id")
        }
        Ok(list) => ok(json!({"messageId": deliver(&state, &list[0])})),
    }
}

#[handler]
async fn unicast_batch(state: Data<&Arc<VendorState>>, Form(f): Form<HashMap<String, String>>) -> Response {
    let list = match messages(&state, &f, "messages") {
        Ok(l) => l,
        Err(r) => return *r,
    };
    let results: Vec<Value> = list
        .iter()
        .map(|m| {
            let target = m["target_value"].as_str().unwrap_or("");
            if target.starts_with("invalid") {
                json!({"registrationId": target, "errorCode": 10000, "errorMessage": "Invalid Registration_id"})
            } else {
                json!({"registrationId": target, "messageId": deliver(&state, m)})
            }
        })
        .collect();
    ok(Value::Array(results))
}
