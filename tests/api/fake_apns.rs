//! A fake APNs: `POST /3/device/{token}` over HTTP/2 only (an HTTP/1.1 request is refused and
//! recorded), checking what APNs checks: `authorization: bearer` an ES256 JWT whose signature
//! verifies against the public half of `tests/fixtures/apns-test-key.p8`, with `kid` the key id,
//! `iss` the team id and an `iat` of the last hour (else 403 `InvalidProviderToken`; a token the
//! test expired, 403 `ExpiredProviderToken`); `apns-topic` the app's bundle id (else 400
//! `BadTopic`); `apns-push-type: alert`, `apns-priority` 5 or 10, `apns-expiration` a number,
//! `apns-collapse-id` of at most 64 bytes, a device token of 64 hex digits, a JSON payload of at
//! most 4096 bytes with `aps.alert.title` and `body` (else 400 with the documented reason).
//! Device tokens choose the answer: `dead…` 410 `Unregistered`, `0bad…` 400 `BadDeviceToken`,
//! `5e55…` 503 `ServiceUnavailable` once and `7777…` 429 `TooManyRequests` once (both with
//! `Retry-After: 1`); others are delivered (the record holds the headers and the payload).

use crate::fake_vendor::{FakeVendor, VendorState, answer};
use poem::http::{StatusCode, Version};
use poem::web::{Data, Path};
use poem::{IntoResponse, Response, Route, handler};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;

pub const KEY_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/apns-test-key.p8");
pub const PUBLIC_KEY: &str = include_str!("../fixtures/apns-test-key.pub.pem");
pub const KEY_ID: &str = "FAKEKEY123";
pub const TEAM_ID: &str = "FAKETEAM45";
pub const TOPIC: &str = "cn.wushe.app";

pub async fn start() -> FakeVendor {
    FakeVendor::start(Route::new().at("/3/device/:token", poem::post(send))).await
}

/// A device token of valid shape (64 hex digits) starting with `prefix` (hex).
pub fn device_token(prefix: &str) -> String {
    format!("{prefix}{}", "a".repeat(64 - prefix.len()))
}

fn error(status: StatusCode, reason: &str) -> Response {
    answer(status, json!({ "reason": reason }), false)
}

#[derive(serde::Deserialize)]
struct Claims {
    iss: String,
    iat: i64,
}

/// Checks the provider token: None if APNs would take it, else the reason it gives.
fn check_token(state: &VendorState, req: &poem::Request) -> Option<&'static str> {
    let auth = req.headers().get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("");
    let Some(jwt) = auth.strip_prefix("bearer ").or_else(|| auth.strip_prefix("Bearer ")) else {
        return Some("MissingProviderToken");
    };
    let key = jsonwebtoken::DecodingKey::from_ec_pem(PUBLIC_KEY.as_bytes()).expect("the fixture's public key");
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    v.required_spec_claims.clear();
    v.validate_exp = false;
    let decoded = match jsonwebtoken::decode::<Claims>(jwt, &key, &v) {
        Ok(d) => d,
        Err(_) => return Some("InvalidProviderToken"),
    };
    let age = chrono::Utc::now().timestamp() - decoded.claims.iat;
    if decoded.header.kid.as_deref() != Some(KEY_ID) || decoded.claims.iss != TEAM_ID || !(-60..3600).contains(&age) {
        return Some("InvalidProviderToken");
    }
    (!state.accept_token(jwt)).then_some("ExpiredProviderToken")
}

/// Checks the headers and payload: the reason APNs gives for the first fault, if any.
fn check_request(req: &poem::Request, token: &str, body: &[u8]) -> Result<Value, &'static str> {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    if header("apns-topic") != Some(TOPIC) {
        return Err("BadTopic");
    }
    if header("apns-push-type") != Some("alert") {
        return Err("InvalidPushType");
    }
    if !matches!(header("apns-priority"), Some("5" | "10")) {
        return Err("BadPriority");
    }
    if header("apns-expiration").is_some_and(|e| e.parse::<u64>().is_err()) {
        return Err("BadExpirationDate");
    }
    if header("apns-collapse-id").is_some_and(|c| c.len() > 64) {
        return Err("BadCollapseId");
    }
    if token.len() != 64 || !token.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err("BadDeviceToken");
    }
    if body.len() > 4096 {
        return Err("PayloadTooLarge");
    }
    let payload: Value = serde_json::from_slice(body).map_err(|_| "BadPayload")?;
    let alert = &payload["aps"]["alert"];
    if !alert["title"].is_string() || !alert["body"].is_string() {
        return Err("BadPayload");
    }
    let headers: serde_json::Map<String, Value> =
        ["apns-topic", "apns-push-type", "apns-priority", "apns-expiration", "apns-collapse-id"]
            .iter()
            .filter_map(|h| header(h).map(|v| (h.to_string(), Value::String(v.into()))))
            .collect();
    Ok(json!({ "headers": headers, "payload": payload }))
}

#[handler]
async fn send(
    state: Data<&Arc<VendorState>>,
    req: &poem::Request,
    Path(token): Path<String>,
    body: poem::Body,
) -> Response {
    state.send_requests.fetch_add(1, Ordering::SeqCst);
    if req.version() != Version::HTTP_2 {
        state.refuse(format!("{:?}: APNs speaks HTTP/2 only", req.version()));
        return StatusCode::HTTP_VERSION_NOT_SUPPORTED.into_response();
    }
    if let Some(reason) = check_token(&state, req) {
        return error(StatusCode::FORBIDDEN, reason);
    }
    let body = body.into_vec().await.unwrap_or_default();
    let record = match check_request(req, &token, &body) {
        Ok(r) => r,
        Err(reason) => {
            if reason != "BadTopic" {
                state.refuse(reason);
            }
            return error(StatusCode::BAD_REQUEST, reason);
        }
    };
    let once = |status: StatusCode, reason: &str| answer(status, json!({ "reason": reason }), true);
    match &token[..4] {
        "dead" => {
            answer(StatusCode::GONE, json!({"reason": "Unregistered", "timestamp": 1_700_000_000_000_i64}), false)
        }
        "0bad" => error(StatusCode::BAD_REQUEST, "BadDeviceToken"),
        "5e55" if state.first_failure(&token) => once(StatusCode::SERVICE_UNAVAILABLE, "ServiceUnavailable"),
        "7777" if state.first_failure(&token) => once(StatusCode::TOO_MANY_REQUESTS, "TooManyRequests"),
        _ => {
            state.record(&token, &record);
            let mut r = StatusCode::OK.into_response();
            r.headers_mut().insert("apns-id", uuid::Uuid::new_v4().to_string().parse().unwrap());
            r
        }
    }
}
