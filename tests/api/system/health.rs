//! Liveness and readiness, including Redis when one is configured.

use crate::helpers::{redis_url, spawn_app, spawn_app_with};
use sea_orm::ConnectionTrait;

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

#[tokio::test]
async fn a_500_names_its_request_and_the_whole_cause_in_the_log() {
    crate::logs::capture_logs();
    let app = spawn_app().await;
    let admin = app.city_admin().await;
    // A table the audit log reads is gone: the query fails the way a broken deployment would.
    app.db().execute_unprepared("DROP TABLE audit_log").await.unwrap();
    let r = app
        .client
        .get(format!("{}/api/v1/audit-log", app.base))
        .bearer_auth(&admin.access)
        .header("x-request-id", "forced-500-request")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 500);
    assert_eq!(r.headers()["x-request-id"], "forced-500-request");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["code"], "internal_error");
    assert!(!body.to_string().contains("audit_log"), "the cause stays out of the answer: {body}");
    let lines = crate::logs::log_lines_with("forced-500-request");
    let cause = lines
        .iter()
        .find(|l| l["message"] == "internal error")
        .unwrap_or_else(|| panic!("no error line in the request's span: {lines:?}"));
    assert_eq!(cause["span"]["request_id"], "forced-500-request");
    assert_eq!(cause["span"]["op"], "listAuditLog");
    assert_eq!(cause["span"]["user_id"], admin.user_id);
    assert!(cause["error"].as_str().unwrap_or("").contains("audit_log"), "the chain names the cause: {cause}");
}
