//! Liveness and readiness, including Redis when one is configured.

use crate::helpers::{redis_url, spawn_app, spawn_app_with};

#[tokio::test]
async fn health_and_readiness() {
    let app = spawn_app().await;
    let r = app.get("/healthz", None).await.expect(200);
    assert_eq!(r.body["status"], "ok");
    app.get("/readyz", None).await.expect(200);
    let r = app.get("/healthz", None).await;
    assert!(r.headers.contains_key("x-request-id"), "responses carry a request id");
}

#[tokio::test]
async fn readiness_checks_redis_when_configured() {
    let Some(url) = redis_url() else { return };
    let app = spawn_app_with(|c| c.redis_url = Some(url)).await;
    app.get("/readyz", None).await.expect(200);

    // A Redis that does not answer makes the instance unready (but still alive).
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = spawn_app_with(|c| c.redis_url = Some(format!("redis://127.0.0.1:{closed}"))).await;
    app.get("/readyz", None).await.expect_problem(503, "unavailable");
    app.get("/healthz", None).await.expect(200);
}
