//! Redis stopped while people write. The API and the worker share a `redis-server` of the
//! scenario's own, which keeps nothing on disk. Once an announcement has gone through, Redis is
//! killed; while it is down an administrator signs in, publishes announcements, creates an org
//! unit and registers a device, and each of these writes must answer 2xx within a second (the
//! database is the record; the queue catches up from the outbox). `/readyz` says the service is
//! degraded, not down. Redis then starts again, empty, on the same port, and everything published
//! during the outage must reach every recipient: inbox rows and pushes.

use crate::fake_fcm::FakeFcm;
use crate::harness::{self, Outcome, TempDb, Wushe, describe, eventually, redis_answers};
use crate::own_redis::OwnRedis;
use crate::seed;
use serde_json::json;
use std::time::Duration;
use uuid::Uuid;

const RECIPIENTS: usize = 20;

#[tokio::test(flavor = "multi_thread")]
async fn redis_stopped_during_writes() {
    let Some(env) = harness::env("redis_stopped_during_writes") else { return };
    let fake = FakeFcm::start().await;
    let db = TempDb::create(&env.database_url).await;
    let mut redis = OwnRedis::new();
    let mut wushe = Wushe::new(&env, &db.url, &redis.url(), &harness::fresh_prefix());
    wushe.push_to(&fake);
    redis.start(&wushe).await;
    let mut app = wushe.deploy().await;
    let conn = harness::connect(&db.url).await;
    let people = seed::recipients(&conn, app.unit, RECIPIENTS, |_| "fcm").await;
    let _worker = wushe.worker("worker");
    let (c, f, p) = (&conn, &fake, &people);

    // First an announcement goes through, so that what follows tests the outage, not the set-up.
    let before = app
        .api
        .call("POST", "/api/v1/announcements", Some(&app.token), Some(app.announcement("演练：故障前")))
        .await
        .expect_status(201, "an announcement before the outage")
        .id();
    eventually(Duration::from_secs(60), "the announcement before the outage to reach everyone", move || async move {
        seed::delivery(c, f, p, before).await.complete(p)
    })
    .await;

    redis.kill();
    assert!(!redis_answers(&redis.url()).await, "Redis is down");

    let mut writes: Vec<(String, Outcome)> = Vec::new();
    let login = app
        .api
        .send(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(json!({"phone": harness::ADMIN_PHONE, "password": harness::ADMIN_PASSWORD})),
        )
        .await;
    let token = login
        .as_ref()
        .ok()
        .and_then(|r| r.body["accessToken"].as_str())
        .map_or_else(|| app.token.clone(), str::to_string);
    writes.push(("sign in".into(), login));
    for i in 1..=3 {
        let body = app.announcement(&format!("演练：Redis 停机中 {i}"));
        let r = app.api.send("POST", "/api/v1/announcements", Some(&token), Some(body)).await;
        writes.push((format!("announcement {i}"), r));
    }
    let unit = json!({"kind": "town_station", "name": "演练社工站", "parentId": app.unit});
    writes.push(("org unit".into(), app.api.send("POST", "/api/v1/org-units", Some(&token), Some(unit)).await));
    let device = json!({"platform": "android", "token": "fault-admin-phone", "appVersion": "1.0.0"});
    writes.push(("device".into(), app.api.send("POST", "/api/v1/me/devices", Some(&token), Some(device)).await));
    let ready = app.api.send("GET", "/readyz", None, None).await;

    let listed: Vec<String> = writes.iter().map(|(what, r)| describe(what, r)).collect();
    println!("redis down: {}; {}", listed.join(", "), describe("GET /readyz", &ready));
    let bad: Vec<String> = writes
        .iter()
        .filter(|(_, r)| {
            !r.as_ref().is_ok_and(|r| (200..300).contains(&r.status) && r.elapsed <= Duration::from_secs(1))
        })
        .map(|(what, r)| match r {
            Ok(reply) => format!("{}; body {}", describe(what, r), reply.body),
            Err(_) => describe(what, r),
        })
        .collect();
    assert!(bad.is_empty(), "while Redis is down every write answers 2xx within 1 s; these did not: {bad:#?}");
    let ready = ready.unwrap_or_else(|e| panic!("GET /readyz while Redis is down got no answer: {e}"));
    assert!(
        ready.status == 200 && ready.body["checks"]["redis"] == "down" && ready.body["checks"]["database"] == "ok",
        "GET /readyz while Redis is down: 200 with checks.redis \"down\" and checks.database \"ok\"; got {} {}",
        ready.status,
        ready.body
    );
    assert_eq!(ready.body["status"], "degraded", "GET /readyz while Redis is down: {}", ready.body);

    redis.start(&wushe).await;
    let during: Vec<Uuid> = writes
        .iter()
        .filter(|(what, _)| what.starts_with("announcement"))
        .filter_map(|(_, r)| r.as_ref().ok().filter(|r| r.status == 201).map(|r| r.id()))
        .collect();
    let all = during.clone();
    let all = &all;
    let delivered = harness::until(Duration::from_secs(60), move || async move {
        seed::deliveries(c, f, p, all).await.values().all(|d| d.complete(p))
    })
    .await;
    let accounts = seed::deliveries(c, f, p, &during).await;
    let duplicates: usize = accounts.values().map(seed::Delivery::duplicates).sum();
    let sends: usize = accounts.values().map(|d| d.sends).sum();
    println!(
        "redis back: {} announcements made during the outage, {}; duplicates {duplicates} of {sends} sends",
        during.len(),
        if delivered { "all delivered" } else { "NOT all delivered" }
    );
    assert!(app.serving(), "the API process lived through the outage");
    for (id, d) in &accounts {
        assert!(
            d.missing.is_empty() && d.inbox_people == RECIPIENTS,
            "announcement {id} made while Redis was down, 60 s after it came back: inbox rows for {} of \
             {RECIPIENTS}, {} devices without the push",
            d.inbox_people,
            d.missing.len()
        );
        assert_eq!(d.inbox_rows, RECIPIENTS, "announcement {id}: one inbox row per recipient");
    }
}
