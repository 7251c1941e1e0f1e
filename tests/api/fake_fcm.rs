//! A fake FCM on 127.0.0.1 with a fake OAuth token endpoint. It checks each request the way FCM
//! does (a bearer token it issued and has not expired, one target, string data values, at most
//! 4096 bytes, a TTL like `3600s`) and answers errors by device token prefix:
//! `unregistered-`, `sender-mismatch-`, `bad-token-`, `bad-payload-`, `quota-` (once, with
//! `Retry-After: 1`), `unavailable-` (once), `internal-` (once), `third-party-`, `slow-` (the
//! first request is accepted, but answered only after [`SLOW`]: longer than a client's timeout,
//! so the client cannot know it was delivered). Anything else is delivered. Optionally slow
//! ([`FakeFcm::set_latency`]: a few lanes, each answer delayed), to play a provider at capacity
//! and so that a fan-out lasts long enough to be interrupted. Used by the push tests, the fault
//! suite and the fan-out benchmark.

use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::{Data, Form};
use poem::{EndpointExt, IntoResponse, Request, Response, Route, handler};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Sends a slowed fake serves at once (see [`FakeFcm::set_latency`]).
pub const LANES: usize = 4;

/// The throwaway key pair of the test service account.
pub const PRIVATE_KEY: &str = include_str!("../fixtures/fcm-test-key.pem");
pub const PUBLIC_KEY: &str = include_str!("../fixtures/fcm-test-key.pub.pem");
pub const PROJECT: &str = "wushe-test";
pub const CLIENT_EMAIL: &str = "push@wushe-test.iam.gserviceaccount.com";

/// How long the first answer to a `slow-` token takes.
pub const SLOW: Duration = Duration::from_secs(2);

#[derive(Default)]
pub struct FakeState {
    pub token_requests: AtomicUsize,
    pub send_requests: AtomicUsize,
    valid_tokens: Mutex<HashSet<String>>,
    /// Accepted messages: (device token, message; `null` with `forget_requests`).
    pub delivered: Mutex<Vec<(String, Value)>>,
    /// Whether `delivered` keeps only the tokens (see `fake_vendor::VendorState`).
    pub forget_requests: std::sync::atomic::AtomicBool,
    /// Device tokens already failed once (for the fail-once behaviours).
    failed_once: Mutex<HashSet<String>>,
    /// Requests refused by validation, with why.
    pub refused: Mutex<Vec<String>>,
    token_uri: Mutex<String>,
    /// Time each send takes, and the lanes sends queue for while it is set.
    latency: Mutex<Option<(Duration, Arc<tokio::sync::Semaphore>)>>,
}

/// A running fake.
pub struct FakeFcm {
    pub base: String,
    pub state: Arc<FakeState>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl FakeFcm {
    pub async fn start() -> FakeFcm {
        let state = Arc::new(FakeState::default());
        let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await.unwrap();
        let addr = acceptor.local_addr()[0].as_socket_addr().cloned().unwrap();
        let base = format!("http://{addr}");
        *state.token_uri.lock().unwrap() = format!("{base}/token");
        let app = Route::new()
            .at("/token", poem::post(token_endpoint))
            .at("/*path", poem::post(send_endpoint))
            .data(state.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = poem::Server::new_with_acceptor(acceptor)
                .run_with_graceful_shutdown(
                    app,
                    async {
                        let _ = rx.await;
                    },
                    None,
                )
                .await;
        });
        FakeFcm { base, state, _stop: tx }
    }

    /// A service-account key file for this fake, written to `dir`.
    pub fn credentials_file(&self, dir: &std::path::Path) -> std::path::PathBuf {
        let path = dir.join("service-account.json");
        let json = json!({
            "type": "service_account",
            "project_id": PROJECT,
            "private_key_id": "test-key-1",
            "private_key": PRIVATE_KEY,
            "client_email": CLIENT_EMAIL,
            "token_uri": format!("{}/token", self.base),
        });
        std::fs::write(&path, json.to_string()).unwrap();
        path
    }

    /// Expires every access token issued so far (the next send gets a plain 401).
    pub fn expire_tokens(&self) {
        self.state.valid_tokens.lock().unwrap().clear();
    }

    pub fn delivered(&self) -> Vec<(String, Value)> {
        self.state.delivered.lock().unwrap().clone()
    }

    pub fn token_requests(&self) -> usize {
        self.state.token_requests.load(Ordering::SeqCst)
    }

    /// Makes every later send take `per_send` (zero: answer at once), with at most [`LANES`]
    /// served at a time, so the fake's throughput is bounded like a real endpoint's.
    pub fn set_latency(&self, per_send: Duration) {
        let slow = (!per_send.is_zero()).then(|| (per_send, Arc::new(tokio::sync::Semaphore::new(LANES))));
        *self.state.latency.lock().unwrap() = slow;
    }
}

#[derive(serde::Deserialize)]
struct TokenForm {
    grant_type: String,
    assertion: String,
}

#[derive(serde::Deserialize)]
struct Claims {
    iss: String,
    scope: String,
    aud: String,
    iat: i64,
    exp: i64,
}

#[handler]
async fn token_endpoint(state: Data<&Arc<FakeState>>, form: Form<TokenForm>) -> Response {
    state.token_requests.fetch_add(1, Ordering::SeqCst);
    if form.grant_type != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
        return (StatusCode::BAD_REQUEST, "unsupported_grant_type").into_response();
    }
    let key = jsonwebtoken::DecodingKey::from_rsa_pem(PUBLIC_KEY.as_bytes()).unwrap();
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    v.set_audience(&[state.token_uri.lock().unwrap().clone()]);
    v.set_required_spec_claims(&["exp", "aud", "iss"]);
    let claims = match jsonwebtoken::decode::<Claims>(&form.assertion, &key, &v) {
        Ok(c) => c.claims,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("invalid_grant: {e}")).into_response(),
    };
    if claims.iss != CLIENT_EMAIL
        || claims.scope != "https://www.googleapis.com/auth/firebase.messaging"
        || claims.exp - claims.iat > 3600
        || claims.aud.is_empty()
    {
        return (StatusCode::BAD_REQUEST, "invalid_grant").into_response();
    }
    let n = state.token_requests.load(Ordering::SeqCst);
    let access = format!("ya29.fake-{n}-{}", uuid::Uuid::new_v4().simple());
    state.valid_tokens.lock().unwrap().insert(access.clone());
    poem::web::Json(json!({"access_token": access, "expires_in": 3599, "token_type": "Bearer"})).into_response()
}

fn fcm_error(status: StatusCode, grpc: &str, code: &str, extra: Option<Value>) -> Response {
    let mut details = vec![json!({"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": code})];
    details.extend(extra);
    let body =
        json!({"error": {"code": status.as_u16(), "message": format!("{code}"), "status": grpc, "details": details}});
    (status, poem::web::Json(body)).into_response()
}

fn check_message(body: &Value) -> Result<(String, Value), String> {
    let msg = body.get("message").and_then(Value::as_object).ok_or("no message")?;
    let targets = ["token", "topic", "condition"].iter().filter(|k| msg.contains_key(**k)).count();
    if targets != 1 {
        return Err("exactly one target".into());
    }
    let token = msg.get("token").and_then(Value::as_str).ok_or("token target expected")?.to_string();
    if let Some(data) = msg.get("data")
        && !data.as_object().ok_or("data not an object")?.values().all(Value::is_string)
    {
        return Err("data values must be strings".into());
    }
    if let Some(ttl) = msg.get("android").and_then(|a| a.get("ttl")) {
        let ttl = ttl.as_str().ok_or("ttl not a string")?;
        let n = ttl.strip_suffix('s').ok_or("ttl needs an s suffix")?;
        if n.parse::<f64>().is_err() {
            return Err("ttl is not a duration".into());
        }
    }
    if serde_json::to_vec(msg).unwrap().len() > 4096 {
        return Err("message too big".into());
    }
    Ok((token, Value::Object(msg.clone())))
}

#[handler]
async fn send_endpoint(state: Data<&Arc<FakeState>>, req: &Request, body: poem::Body) -> Response {
    state.send_requests.fetch_add(1, Ordering::SeqCst);
    let latency = state.latency.lock().unwrap().clone();
    if let Some((per_send, lanes)) = latency {
        let _lane = lanes.acquire().await;
        tokio::time::sleep(per_send).await;
    }
    if !req.uri().path().ends_with(&format!("/v1/projects/{PROJECT}/messages:send")) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let bearer =
        req.headers().get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    if !bearer.is_some_and(|b| state.valid_tokens.lock().unwrap().contains(b)) {
        return (
            StatusCode::UNAUTHORIZED,
            poem::web::Json(json!({"error": {"code": 401, "status": "UNAUTHENTICATED"}})),
        )
            .into_response();
    }
    let body: Value = match body.into_json().await {
        Ok(b) => b,
        Err(_) => return fcm_error(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", "INVALID_ARGUMENT", None),
    };
    let (token, message) = match check_message(&body) {
        Ok(x) => x,
        Err(why) => {
            state.refused.lock().unwrap().push(why);
            return fcm_error(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", "INVALID_ARGUMENT", None);
        }
    };
    let first_failure = || state.failed_once.lock().unwrap().insert(token.clone());
    let answer = if token.starts_with("unregistered-") {
        Some(fcm_error(StatusCode::NOT_FOUND, "NOT_FOUND", "UNREGISTERED", None))
    } else if token.starts_with("sender-mismatch-") {
        Some(fcm_error(StatusCode::FORBIDDEN, "PERMISSION_DENIED", "SENDER_ID_MISMATCH", None))
    } else if token.starts_with("bad-token-") {
        let v = json!({"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [{"field": "message.token", "description": "Invalid registration token"}]});
        Some(fcm_error(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", "INVALID_ARGUMENT", Some(v)))
    } else if token.starts_with("bad-payload-") {
        Some(fcm_error(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", "INVALID_ARGUMENT", None))
    } else if token.starts_with("third-party-") {
        Some(fcm_error(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR", None))
    } else if token.starts_with("quota-") && first_failure() {
        let mut r = fcm_error(StatusCode::TOO_MANY_REQUESTS, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", None);
        r.headers_mut().insert("retry-after", "1".parse().unwrap());
        Some(r)
    } else if token.starts_with("unavailable-") && first_failure() {
        Some(fcm_error(StatusCode::SERVICE_UNAVAILABLE, "UNAVAILABLE", "UNAVAILABLE", None))
    } else if token.starts_with("internal-") && first_failure() {
        Some(fcm_error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "INTERNAL", None))
    } else {
        None
    };
    if let Some(a) = answer {
        return a;
    }
    let slow = token.starts_with("slow-") && first_failure();
    let kept = if state.forget_requests.load(Ordering::Relaxed) { Value::Null } else { message };
    state.delivered.lock().unwrap().push((token, kept));
    if slow {
        tokio::time::sleep(SLOW).await;
    }
    poem::web::Json(json!({"name": format!("projects/{PROJECT}/messages/{}", uuid::Uuid::new_v4())})).into_response()
}
