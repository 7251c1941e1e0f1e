//! Dead letters through the API (city administrators only) and the metrics endpoint.

use crate::helpers::{eventually, spawn_app};
use sea_orm::TransactionTrait;
use serde_json::json;
use wushe::domain::messaging::notifications::{self, Category, Message};

#[tokio::test]
async fn city_admins_list_retry_and_discard_dead_jobs() {
    let app = spawn_app().await;
    app.start_workers();
    let f = app.two_stations().await;
    let v = &f.stations[0].volunteer;
    // Two messages whose template does not exist: retrying cannot help, so they die at once.
    let txn = app.db().begin().await.unwrap();
    for key in ["a", "b"] {
        let m = Message::new(v.user_id.parse().unwrap(), Category::System, "no.such.template", key);
        notifications::tell(&txn, m).await.unwrap();
    }
    txn.commit().await.unwrap();
    eventually(20, "two dead letters", || async { app.state.jobs.queue.stats().await.unwrap().dead == 2 }).await;

    let list = app.get("/api/v1/admin/jobs/dead?limit=1", Some(&f.city_admin.access)).await.expect(200);
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["kind"], "notify");
    assert_eq!(items[0]["attempts"], 1);
    assert!(items[0]["error"].as_str().unwrap().contains("no template"), "{}", items[0]);
    let cursor = list.str("nextCursor");
    let rest = app
        .get(&format!("/api/v1/admin/jobs/dead?limit=1&cursor={cursor}"), Some(&f.city_admin.access))
        .await
        .expect(200);
    assert_eq!(rest.body["items"].as_array().unwrap().len(), 1);
    assert!(rest.body["nextCursor"].is_null());
    let first = items[0]["id"].as_str().unwrap().to_string();
    let second = rest.body["items"][0]["id"].as_str().unwrap().to_string();

    for s in [&f.stations[0].admin, &f.stations[0].social_worker, v] {
        app.get("/api/v1/admin/jobs/dead", Some(&s.access)).await.expect_problem(403, "forbidden");
        app.post(&format!("/api/v1/admin/jobs/dead/{first}/retry"), Some(&s.access), json!({}))
            .await
            .expect_problem(403, "forbidden");
    }
    app.get("/api/v1/admin/jobs/dead", None).await.expect_problem(401, "unauthorized");

    // Retried: it runs again (and, its template still missing, dies again).
    app.post(&format!("/api/v1/admin/jobs/dead/{first}/retry"), Some(&f.city_admin.access), json!({}))
        .await
        .expect(204);
    eventually(20, "the retried job to run", || async {
        app.get("/metrics", None).await.body.as_str().unwrap_or("").contains("wushe_jobs_dead_total{kind=\"notify\"} 3")
    })
    .await;
    app.call(reqwest::Method::DELETE, &format!("/api/v1/admin/jobs/dead/{second}"), Some(&f.city_admin.access), None)
        .await
        .expect(204);
    app.call(reqwest::Method::DELETE, &format!("/api/v1/admin/jobs/dead/{second}"), Some(&f.city_admin.access), None)
        .await
        .expect_problem(404, "not_found");
    app.post(&format!("/api/v1/admin/jobs/dead/{second}/retry"), Some(&f.city_admin.access), json!({}))
        .await
        .expect_problem(404, "not_found");
    eventually(20, "one dead letter left", || async { app.state.jobs.queue.stats().await.unwrap().dead == 1 }).await;
    let left = app.get("/api/v1/admin/jobs/dead", Some(&f.city_admin.access)).await.expect(200);
    assert_eq!(left.body["items"][0]["id"], first.as_str());
}

#[tokio::test]
async fn metrics_are_prometheus_text() {
    let app = spawn_app().await;
    app.start_workers();
    // The scheduler fires the current minute's reminder scan on start.
    eventually(20, "a scan", || async { app.state.jobs.metrics.processed("scheduled.scan") >= 1 }).await;
    let r = app.get("/metrics", None).await.expect(200);
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = r.body.as_str().unwrap();
    for needle in [
        "# TYPE wushe_jobs_processed_total counter",
        "wushe_jobs_processed_total{kind=\"scheduled.scan\"}",
        "wushe_job_duration_seconds_bucket{kind=\"scheduled.scan\",le=\"+Inf\"}",
        "wushe_queue_depth{queue=\"main\",state=\"ready\"}",
        "wushe_queue_oldest_pending_seconds{queue=\"main\"}",
        "wushe_dead_letters{queue=\"main\"} 0",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
}
