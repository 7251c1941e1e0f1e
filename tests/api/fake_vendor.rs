//! What the fake push servers (Huawei, Honor, Xiaomi, OPPO, vivo, APNs) share: a poem server on
//! 127.0.0.1 (HTTP/1.1, and HTTP/2 with prior knowledge), an OAuth 2.0 client-credentials token
//! endpoint (Huawei and Honor) that issues access tokens of a settable lifetime and refuses a
//! wrong secret, the access tokens issued and expired, and the record of what was sent. The send
//! endpoints are in `fake_huawei`, `fake_honor`, `fake_xiaomi`, `fake_oppo`, `fake_vivo` and
//! `fake_apns`; each answers errors by device token prefix: `invalid` (a dead token), `throttle`
//! (throttled once, `Retry-After: 1`; APNs, whose tokens are hex, has its own prefixes).
//! Anything else is delivered.

use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::{Data, Form};
use poem::{Endpoint, EndpointExt, IntoResponse, Response, Route, handler};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The client the fakes know.
pub const CLIENT_ID: &str = "10086";
pub const CLIENT_SECRET: &str = "fake-client-secret";
pub const APP_ID: &str = "10086";

/// State of one fake vendor.
pub struct VendorState {
    pub token_requests: AtomicUsize,
    pub send_requests: AtomicUsize,
    /// `expires_in` of the access tokens issued next.
    pub token_lifetime: AtomicU64,
    valid_tokens: Mutex<HashSet<String>>,
    /// Every access token ever accepted, expired or not.
    seen_tokens: Mutex<HashSet<String>>,
    /// Accepted messages: (device token, the request as JSON).
    pub delivered: Mutex<Vec<(String, Value)>>,
    failed_once: Mutex<HashSet<String>>,
    /// Requests refused by the shape checks, with why.
    pub refused: Mutex<Vec<String>>,
    /// Milliseconds each send request takes before it is answered (0: at once).
    pub latency_ms: AtomicU64,
    /// Whether `delivered` keeps only the token (with `null` for the request), so that a
    /// benchmark's memory is the service's, not the fake's.
    pub forget_requests: AtomicBool,
}

impl Default for VendorState {
    fn default() -> Self {
        VendorState {
            token_requests: AtomicUsize::new(0),
            send_requests: AtomicUsize::new(0),
            token_lifetime: AtomicU64::new(3600),
            valid_tokens: Mutex::default(),
            seen_tokens: Mutex::default(),
            delivered: Mutex::default(),
            failed_once: Mutex::default(),
            refused: Mutex::default(),
            latency_ms: AtomicU64::new(0),
            forget_requests: AtomicBool::new(false),
        }
    }
}

impl VendorState {
    /// Whether `bearer` is an access token this fake issued and has not expired.
    pub fn authorised(&self, req: &poem::Request) -> bool {
        let bearer =
            req.headers().get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        bearer.is_some_and(|b| self.holds(b))
    }

    /// Whether `token` was issued (or accepted) and has not expired.
    pub fn holds(&self, token: &str) -> bool {
        self.valid_tokens.lock().unwrap().contains(token)
    }

    /// Issues a new access token (counted as a token request).
    pub fn issue_token(&self) -> String {
        let token = format!("fake-access-{}", uuid::Uuid::new_v4().simple());
        self.accept_token(&token);
        token
    }

    /// Takes `token` (one the client made itself, as an APNs provider token) as valid until
    /// expired; false if it was taken before and has expired since.
    pub fn accept_token(&self, token: &str) -> bool {
        if self.seen_tokens.lock().unwrap().insert(token.to_string()) {
            self.token_requests.fetch_add(1, Ordering::SeqCst);
            self.valid_tokens.lock().unwrap().insert(token.to_string());
        }
        self.holds(token)
    }

    /// True the first time a device token fails (for the fail-once behaviours).
    pub fn first_failure(&self, token: &str) -> bool {
        self.failed_once.lock().unwrap().insert(token.to_string())
    }

    /// Records a push accepted for `token`.
    pub fn record(&self, token: &str, message: &Value) {
        let kept = if self.forget_requests.load(Ordering::Relaxed) { Value::Null } else { message.clone() };
        self.delivered.lock().unwrap().push((token.to_string(), kept));
    }

    pub fn refuse(&self, why: impl Into<String>) {
        self.refused.lock().unwrap().push(why.into());
    }
}

/// A running fake vendor.
pub struct FakeVendor {
    pub base: String,
    pub state: Arc<VendorState>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl FakeVendor {
    /// Serves `send` (a route of the vendor's send endpoint) and the token endpoint at `/token`.
    pub async fn start(send: Route) -> FakeVendor {
        let state = Arc::new(VendorState::default());
        let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await.unwrap();
        let addr = acceptor.local_addr()[0].as_socket_addr().cloned().unwrap();
        let slow = state.clone();
        let app = send
            .at("/token", poem::post(token_endpoint))
            .around(move |ep, req| {
                let latency = Duration::from_millis(slow.latency_ms.load(Ordering::Relaxed));
                async move {
                    // Sends take the vendor's time; the token endpoint answers at once.
                    if !latency.is_zero() && req.uri().path() != "/token" {
                        tokio::time::sleep(latency).await;
                    }
                    ep.call(req).await
                }
            })
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
        FakeVendor { base: format!("http://{addr}"), state, _stop: tx }
    }

    pub fn token_url(&self) -> String {
        format!("{}/token", self.base)
    }

    pub fn delivered(&self) -> Vec<(String, Value)> {
        self.state.delivered.lock().unwrap().clone()
    }

    pub fn token_requests(&self) -> usize {
        self.state.token_requests.load(Ordering::SeqCst)
    }

    pub fn send_requests(&self) -> usize {
        self.state.send_requests.load(Ordering::SeqCst)
    }

    pub fn refused(&self) -> Vec<String> {
        self.state.refused.lock().unwrap().clone()
    }

    /// Expires every access token issued so far (the next send gets a 401).
    pub fn expire_tokens(&self) {
        self.state.valid_tokens.lock().unwrap().clear();
    }

    /// Access tokens issued from now on live `secs` seconds.
    pub fn set_token_lifetime(&self, secs: u64) {
        self.state.token_lifetime.store(secs, Ordering::SeqCst);
    }
}

#[derive(serde::Deserialize)]
struct TokenForm {
    grant_type: String,
    client_id: String,
    client_secret: String,
}

#[handler]
async fn token_endpoint(state: Data<&Arc<VendorState>>, form: Form<TokenForm>) -> Response {
    if form.grant_type != "client_credentials" {
        state.token_requests.fetch_add(1, Ordering::SeqCst);
        return (StatusCode::BAD_REQUEST, poem::web::Json(json!({"error": "unsupported_grant_type"}))).into_response();
    }
    if form.client_id != CLIENT_ID || form.client_secret != CLIENT_SECRET {
        state.token_requests.fetch_add(1, Ordering::SeqCst);
        return (
            StatusCode::UNAUTHORIZED,
            poem::web::Json(json!({"error": 1101, "error_description": "invalid client"})),
        )
            .into_response();
    }
    let access = state.issue_token();
    let lifetime = state.token_lifetime.load(Ordering::SeqCst);
    poem::web::Json(json!({"access_token": access, "expires_in": lifetime, "token_type": "Bearer"})).into_response()
}

/// A JSON answer with a status and, optionally, `Retry-After: 1`.
pub fn answer(status: StatusCode, body: Value, retry_after: bool) -> Response {
    let mut r = (status, poem::web::Json(body)).into_response();
    if retry_after {
        r.headers_mut().insert("retry-after", "1".parse().unwrap());
    }
    r
}

/// A registration id of valid shape for Xiaomi, OPPO and vivo, starting with `prefix`.
pub fn regid(prefix: &str) -> String {
    format!("{prefix}{}", "x".repeat(30))
}

/// A device token of valid shape for Huawei and Honor (32+ characters), starting with `prefix`.
pub fn hms_token(prefix: &str) -> String {
    format!("{prefix}{}", "A".repeat(40))
}

/// `"3600s"`-like.
pub fn is_duration(v: &Value) -> bool {
    v.as_str().and_then(|s| s.strip_suffix('s')).is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}
