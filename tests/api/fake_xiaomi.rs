//! A fake Xiaomi MiPush: `POST /v3/message/regid` checks `Authorization: key={AppSecret}` (else
//! `{"result": "error", "code": 21301}`), a form body with `restricted_package_name` (the app's
//! package), `registration_id` (comma-joined), `title`, `description`, `pass_through` 0/1,
//! `notify_type` a number, `extra.channel_id` and `time_to_live` a number (else code 10017).
//! `invalid` regids are answered in `data.bad_regids` (every regid invalid: code 20301);
//! `throttle` regids make the request answer 429 once with `Retry-After: 1`. Delivered messages
//! are recorded as the form's fields in a JSON object.

use crate::fake_vendor::{FakeVendor, VendorState, answer};
use poem::http::StatusCode;
use poem::web::{Data, Form};
use poem::{Response, Route, handler};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

pub const APP_SECRET: &str = "fake-xiaomi-secret";
pub const PACKAGE: &str = "cn.wushe.app";

pub async fn start() -> FakeVendor {
    FakeVendor::start(Route::new().at("/v3/message/regid", poem::post(send))).await
}

pub use crate::fake_vendor::regid;

fn check(form: &HashMap<String, String>) -> Result<Vec<String>, String> {
    if form.get("restricted_package_name").map(String::as_str) != Some(PACKAGE) {
        return Err("restricted_package_name is not the app's".into());
    }
    for k in ["title", "description", "extra.channel_id"] {
        if form.get(k).is_none_or(|v| v.is_empty()) {
            return Err(format!("{k} missing"));
        }
    }
    if !matches!(form.get("pass_through").map(String::as_str), Some("0" | "1")) {
        return Err("pass_through must be 0 or 1".into());
    }
    for k in ["notify_type", "time_to_live", "notify_id"] {
        if form.get(k).is_some_and(|v| v.parse::<i64>().is_err()) {
            return Err(format!("{k} must be a number"));
        }
    }
    let regids: Vec<String> =
        form.get("registration_id").map(|r| r.split(',').map(str::to_string).collect()).unwrap_or_default();
    if regids.is_empty() || regids.iter().any(String::is_empty) {
        return Err("registration_id missing".into());
    }
    Ok(regids)
}

#[handler]
async fn send(
    state: Data<&Arc<VendorState>>,
    req: &poem::Request,
    form: poem::Result<Form<HashMap<String, String>>>,
) -> Response {
    state.send_requests.fetch_add(1, Ordering::SeqCst);
    let error = |code: i64, reason: &str| {
        answer(StatusCode::OK, json!({"result": "error", "code": code, "reason": reason, "trace_id": "t"}), false)
    };
    if req.headers().get("authorization").and_then(|v| v.to_str().ok()) != Some(&format!("key={APP_SECRET}")) {
        return error(21301, "认证失败");
    }
    let form = match form {
        Ok(Form(f)) => f,
        Err(_) => {
            state.refuse("not a form");
            return error(10017, "参数错误");
        }
    };
    let regids = match check(&form) {
        Ok(r) => r,
        Err(why) => {
            state.refuse(why);
            return error(10017, "参数错误");
        }
    };
    if regids.iter().any(|r| r.starts_with("throttle") && state.first_failure(r)) {
        return answer(
            StatusCode::TOO_MANY_REQUESTS,
            json!({"result": "error", "code": 200001, "reason": "qps limit"}),
            true,
        );
    }
    let (bad, good): (Vec<String>, Vec<String>) = regids.into_iter().partition(|r| r.starts_with("invalid"));
    if good.is_empty() {
        return error(20301, "No valid targets!");
    }
    let fields: Map<String, Value> = form.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
    let message = Value::Object(fields);
    for r in &good {
        state.record(r, &message);
    }
    let data = json!({"id": "m1", "bad_regids": bad.join(",")});
    answer(
        StatusCode::OK,
        json!({"result": "ok", "code": 0, "data": data, "description": "成功", "trace_id": "t"}),
        false,
    )
}
