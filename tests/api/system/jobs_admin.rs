//! Job runs as operators see them: dead letters through the API (city administrators only),
//! the metrics endpoint, and the `job` span on every log line of a run.

use crate::helpers::{eventually, spawn_app};
use crate::logs::{capture_logs, captured_logs};
use jobs::NewJob;
use jobs::job::Enqueued;
use sea_orm::TransactionTrait;
use serde_json::{Value, json};
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

#[tokio::test]
async fn a_job_whose_payload_does_not_parse_is_a_dead_letter_on_its_first_failure() {
    let app = spawn_app().await;
    let admin = app.city_admin().await;
    // A notify job as a broken producer might write it: retrying cannot make it parse.
    let broken = NewJob::new("notify", json!({"recipient": "nobody", "template": 7}));
    let Enqueued::New(id) = app.state.jobs.queue.enqueue(broken).await.unwrap() else { panic!("enqueued") };
    app.start_workers();
    eventually(20, "a dead letter", || async { app.state.jobs.queue.stats().await.unwrap().dead == 1 }).await;

    let list = app.get("/api/v1/admin/jobs/dead", Some(&admin.access)).await.expect(200);
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", list.body);
    let dead = &items[0];
    assert_eq!(dead["id"], id.to_string());
    assert_eq!(dead["kind"], "notify");
    assert_eq!(dead["queue"], "main");
    assert_eq!(dead["attempts"], 1, "buried on its first failure: {dead}");
    let error = dead["error"].as_str().unwrap();
    assert!(error.contains("invalid payload") && error.contains("notify"), "the reason is recorded: {error}");
    assert_eq!(dead["payload"], json!({"recipient": "nobody", "template": 7}));
    assert_eq!(app.state.jobs.metrics.processed("notify"), 0);
}

#[tokio::test]
async fn a_jobs_log_lines_carry_its_kind_id_and_attempt() {
    capture_logs();
    let app = spawn_app().await;
    let Enqueued::New(id) = app.state.jobs.queue.enqueue(NewJob::new("outbox.sweep", json!({}))).await.unwrap() else {
        panic!("enqueued")
    };
    app.start_workers();
    let id = id.to_string();
    let line = || {
        String::from_utf8_lossy(&captured_logs())
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .find(|l| l["message"] == "outbox swept" && l["span"]["job_id"] == id.as_str())
    };
    eventually(20, "the sweep's log line", || async { line().is_some() }).await;
    let span = &line().unwrap()["span"];
    assert_eq!(span["name"], "job");
    assert_eq!(span["kind"], "outbox.sweep");
    assert_eq!(span["attempt"], 1);
}
