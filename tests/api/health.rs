//! Liveness and readiness, including Redis when one is configured.

use crate::helpers::{redis_url, spawn_app, spawn_app_with};

#[tokio::test]
async fn health_and_readiness() {
    let app = spawn_app().await;
    let r = app.get("/healthz", None).await.expect(200);
    assert_eq!(r.body["status"], "ok");
    let ready = app.get("/readyz", None).await.expect(200);
    assert_eq!(ready.body["status"], "ok");
    let redis = if redis_url().is_some() { "ok" } else { "absent" };
    assert_eq!(ready.body["checks"]["redis"], redis, "Redis when the tests have one, else the embedded setup");
    let r = app.get("/healthz", None).await;
    assert!(r.headers.contains_key("x-request-id"), "responses carry a request id");
}

#[tokio::test]
async fn readiness_checks_redis_when_configured() {
    let Some(url) = redis_url() else { return };
    let app = spawn_app_with(|c| c.redis_url = Some(url)).await;
    let ready = app.get("/readyz", None).await.expect(200);
    assert_eq!((ready.body["status"].as_str(), ready.body["checks"]["redis"].as_str()), (Some("ok"), Some("ok")));

    // A Redis that does not answer leaves the instance ready but degraded: it serves without it.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = spawn_app_with(|c| c.redis_url = Some(format!("redis://127.0.0.1:{closed}"))).await;
    let ready = app.get("/readyz", None).await.expect(200);
    assert_eq!(ready.body["status"], "degraded");
    assert_eq!(ready.body["checks"], serde_json::json!({"database": "ok", "redis": "down"}));
    app.get("/healthz", None).await.expect(200);
    let metrics = app.get("/metrics", None).await.expect(200).body.as_str().unwrap_or("").to_string();
    assert!(metrics.contains("wushe_redis_circuit_open 1"), "{metrics}");
}
