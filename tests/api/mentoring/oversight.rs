//! Oversight: the no-contact nudge, the hourly scan, export and erasure.

use super::support::*;
use crate::helpers::{NowUtc, PASSWORD, eventually};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

#[tokio::test]
async fn the_mentor_is_told_once_per_lapse_of_contact() {
    let Pair { app, f, mentor, id, .. } = pair().await;
    app.start_workers();
    let cfg = app.state.config.mentoring.clone();
    let scan =
        || async { wushe::domain::mentoring::oversight::scan(app.db(), &cfg, app.clock.now_utc()).await.unwrap() };
    app.clock.advance(Duration::days(13));
    assert_eq!(scan().await, 0);
    app.clock.advance(Duration::days(1));
    assert_eq!(scan().await, 1);
    app.clock.advance(Duration::days(1));
    scan().await;
    eventually(20, "the nudge", || async { inbox_with(&app, &mentor, "mentoring.no_contact").await == 1 }).await;
    let mentor = app.login(&mentor.phone, PASSWORD).await;
    let o = app.get("/api/v1/me/mentoring", Some(&mentor.access)).await.expect(200);
    assert_eq!(o.body["pairs"][0]["noContact"], true);
    assert_eq!(o.body["pairs"][0]["daysSinceLastSession"], 15);
    let admin = app.login(&f.stations[0].admin.phone, PASSWORD).await;
    let o = app.get("/api/v1/mentoring/oversight", Some(&admin.access)).await.expect(200);
    assert_eq!(o.body["pairsWithoutContact"], 1);
    assert_eq!(o.body["pairsWithoutSession"], json!([id]));
    assert_eq!(o.body["pairs"][0]["noContact"], true);
    // Contact resumes, then lapses again: told again, once.
    log(&app, &mentor, &id, 30).await;
    app.clock.advance(Duration::days(14));
    scan().await;
    scan().await;
    eventually(20, "the second nudge", || async { inbox_with(&app, &mentor, "mentoring.no_contact").await == 2 }).await;
    // The weekly digest reaches the mentor and the station administrator once a week.
    let sent = wushe::domain::mentoring::oversight::weekly_digest(app.db(), &cfg, app.clock.now_utc()).await.unwrap();
    assert_eq!(sent, 2);
    wushe::domain::mentoring::oversight::weekly_digest(app.db(), &cfg, app.clock.now_utc()).await.unwrap();
    eventually(20, "the digest", || async { inbox_with(&app, &mentor, "mentoring.weekly_digest").await == 1 }).await;
}

#[tokio::test]
async fn the_hourly_cron_scan_nudges_the_mentor() {
    let Pair { app, mentor, .. } = pair().await;
    app.start_workers();
    // Two minutes after the hourly slot (:20), fifteen days after the pairing began.
    app.clock.set(DateTime::parse_from_rfc3339("2026-12-12T03:22:00Z").unwrap().with_timezone(&Utc));
    eventually(30, "the cron scan's nudge", || async { inbox_with(&app, &mentor, "mentoring.no_contact").await == 1 })
        .await;
}

#[tokio::test]
async fn export_holds_the_mentoring_and_erasure_ends_pairs_and_clears_what_the_person_wrote() {
    let Pair { app, mentor, mentee, id, .. } = pair().await;
    let s = log(&app, &mentor, &id, 30).await;
    app.post(&format!("/api/v1/mentoring/sessions/{s}/dispute"), Some(&mentee.access), json!({"comment": "不同意"}))
        .await
        .expect(200);
    let path = format!("/api/v1/mentoring/pairings/{id}/messages");
    app.post(&path, Some(&mentee.access), json!({"body": "我的私信"})).await.expect(201);
    let e = app.get("/api/v1/me/export", Some(&mentee.access)).await.expect(200);
    let m = &e.body["sections"]["mentoring"];
    assert_eq!(m["pairings"][0]["id"], id.as_str());
    assert_eq!(m["sessions"][0]["dispute_comment"], "不同意");
    assert_eq!(m["messages"][0]["body"], "我的私信");

    app.post("/api/v1/me/erase", Some(&mentee.access), json!({"password": PASSWORD})).await.expect(204);
    let p = app.get(&format!("/api/v1/mentoring/pairings/{id}"), Some(&mentor.access)).await.expect(200);
    assert_eq!(p.body["status"], "ended");
    let me = app.get("/api/v1/me/mentoring", Some(&mentor.access)).await.expect(200);
    assert_eq!(me.body["record"]["activeMentees"], 0, "the mentor's place is free again");
    let thread = app.get(&path, Some(&mentor.access)).await.expect(200);
    assert_eq!(thread.body["items"][0]["body"], "");
    let log = app.get(&format!("/api/v1/mentoring/sessions/{s}"), Some(&mentor.access)).await.expect(200);
    assert!(log.body["disputeComment"].is_null());
    assert_eq!(log.body["notes"], "私密备注", "the mentor's own notes stay");
}
