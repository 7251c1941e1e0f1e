//! Session logs: acknowledgement, dispute and privacy, the reminder of an unacknowledged log, graduation.

use super::support::*;
use crate::helpers::{NowUtc, eventually};
use chrono::Duration;
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn session_logs_are_acknowledged_or_disputed_and_private_to_the_pair() {
    let Pair { app, f, mentor, mentee, id } = pair().await;
    let [east, west] = &f.stations;
    let path = format!("/api/v1/mentoring/pairings/{id}/sessions");
    let now = app.clock.now_utc();
    // Bad input changes nothing.
    for (body, code) in [
        (session_body(now, 0), "invalid_duration"),
        (session_body(now, -5), "invalid_duration"),
        (session_body(now, 721), "invalid_duration"),
        (session_body(now + Duration::hours(2), 60), "session_in_future"),
        (json!({"heldAt": now, "minutes": 30, "mode": "on_task"}), "task_required"),
    ] {
        app.post(&path, Some(&mentor.access), body).await.expect_problem(400, code);
    }
    app.post(&path, Some(&mentor.access), json!({"heldAt": now, "minutes": 30, "mode": "teleport"})).await.expect(400);
    let unknown_task = json!({"heldAt": now, "minutes": 30, "mode": "on_task", "taskId": Uuid::now_v7()});
    app.post(&path, Some(&mentor.access), unknown_task).await.expect_problem(404, "not_found");
    app.post(&path, Some(&mentee.access), session_body(now, 60)).await.expect_problem(403, "forbidden");
    let stranger = one(&app, "social_worker", &east.room).await;
    app.post(&path, Some(&stranger.access), session_body(now, 60)).await.expect_problem(404, "not_found");
    assert_eq!(app.count("mentoring_sessions").await, 0);

    let first = log(&app, &mentor, &id, 60).await;
    // Only the pair and administrators in scope read it (notes included).
    let other_v = one(&app, "volunteer", &east.room).await;
    for s in [&stranger, &other_v, &west.admin, &west.social_worker] {
        app.get(&format!("/api/v1/mentoring/sessions/{first}"), Some(&s.access)).await.expect_problem(404, "not_found");
        app.get(&path, Some(&s.access)).await.expect_problem(404, "not_found");
    }
    for s in [&mentor, &mentee, &east.admin, &f.city_admin] {
        let r = app.get(&format!("/api/v1/mentoring/sessions/{first}"), Some(&s.access)).await.expect(200);
        assert_eq!(r.body["notes"], "私密备注");
    }
    // Acknowledged once; then it never changes.
    app.post(&format!("/api/v1/mentoring/sessions/{first}/acknowledge"), Some(&mentor.access), json!({}))
        .await
        .expect_problem(403, "forbidden");
    let a = ack(&app, &mentee, &first).await.expect(200);
    assert_eq!(a.body["status"], "acknowledged");
    ack(&app, &mentee, &first).await.expect_problem(409, "session_answered");
    app.post(&format!("/api/v1/mentoring/sessions/{first}/dispute"), Some(&mentee.access), json!({"comment": "x"}))
        .await
        .expect_problem(409, "session_answered");

    // A dispute, with a comment the station administrator sees.
    let second = log(&app, &mentor, &id, 45).await;
    app.post(&format!("/api/v1/mentoring/sessions/{second}/dispute"), Some(&mentee.access), json!({"comment": ""}))
        .await
        .expect(400);
    let d = app
        .post(
            &format!("/api/v1/mentoring/sessions/{second}/dispute"),
            Some(&mentee.access),
            json!({"comment": "那天没有见面"}),
        )
        .await
        .expect(200);
    assert_eq!(d.body["status"], "disputed");
    let o = app.get("/api/v1/mentoring/oversight", Some(&east.admin.access)).await.expect(200);
    assert_eq!(o.body["disputedLogs"], 1);
    assert_eq!(o.body["acknowledgedLogs"], 1);
    assert_eq!(o.body["disputes"][0]["disputeComment"], "那天没有见面");
    assert_eq!(o.body["mentors"][0]["activeMentees"], 1);
    assert_eq!(o.body["pairs"][0]["pairingId"], id.as_str());
    assert_eq!(o.body["pairsWithoutSession"], json!([]));
    let o = app.get("/api/v1/mentoring/oversight?withoutSessionDays=1", Some(&east.admin.access)).await.expect(200);
    assert_eq!(o.body["pairsWithoutSession"], json!([]), "the last session was an hour ago");
    app.get("/api/v1/mentoring/oversight?withoutSessionDays=0", Some(&east.admin.access)).await.expect(400);
    app.get(format!("/api/v1/mentoring/oversight?unitId={}", west.id), Some(&east.admin.access))
        .await
        .expect_problem(404, "not_found");
    let w = app.get("/api/v1/mentoring/oversight", Some(&west.admin.access)).await.expect(200);
    assert_eq!(w.body["disputedLogs"], 0);
    assert!(w.body["pairs"].as_array().unwrap().is_empty());
    app.start_workers();
    eventually(20, "the station administrator is told of the dispute", || async {
        inbox_with(&app, &east.admin, "mentoring.session_disputed").await == 1
    })
    .await;

    // Records: minutes given and received, from acknowledged logs.
    let rec = app.get(&format!("/api/v1/users/{}/mentoring-record", mentor.user_id), Some(&east.admin.access)).await;
    assert_eq!(rec.expect(200).body["mentoringMinutes"], 60);
    let rec = app.get(&format!("/api/v1/users/{}/mentoring-record", mentee.user_id), Some(&mentee.access)).await;
    assert_eq!(rec.expect(200).body["trainingMinutes"], 60);
    app.get(&format!("/api/v1/users/{}/mentoring-record", mentee.user_id), Some(&west.admin.access))
        .await
        .expect_problem(404, "not_found");

    // A correction is a new log; once acknowledged it replaces the one it corrects.
    let mut body = session_body(app.clock.now_utc() - Duration::hours(1), 90);
    body["correctsId"] = json!(first);
    let fix = app.post(&path, Some(&mentor.access), body).await.expect(201).str("id");
    ack(&app, &mentee, &fix).await.expect(200);
    let rec = app.get("/api/v1/me/mentoring", Some(&mentee.access)).await.expect(200);
    assert_eq!(rec.body["record"]["trainingMinutes"], 90);
    assert_eq!(rec.body["record"]["trainingSessions"], 1);
    let list = app.get(&path, Some(&mentee.access)).await.expect(200);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 3, "the corrected log stays");
    // Nothing is logged on an ended pairing.
    app.post(&format!("/api/v1/mentoring/pairings/{id}/end"), Some(&east.admin.access), json!({"reason": "调岗"}))
        .await
        .expect(200);
    app.post(&path, Some(&mentor.access), session_body(app.clock.now_utc(), 30))
        .await
        .expect_problem(409, "pairing_not_active");
}

#[tokio::test]
async fn an_unacknowledged_log_is_reminded_once_after_three_days() {
    let Pair { app, mentor, mentee, id, .. } = pair().await;
    app.start_workers();
    let waiting = log(&app, &mentor, &id, 30).await;
    let answered = log(&app, &mentor, &id, 30).await;
    ack(&app, &mentee, &answered).await.expect(200);
    eventually(20, "the mentee is asked to acknowledge", || async {
        inbox_with(&app, &mentee, "mentoring.session_logged").await == 2
    })
    .await;
    assert_eq!(inbox_with(&app, &mentee, "mentoring.session_reminder").await, 0);
    let scans = app.state.jobs.metrics.processed("scheduled.scan");
    app.clock.advance(Duration::days(3) - Duration::minutes(5));
    eventually(20, "a scan before the three days", || async {
        app.state.jobs.metrics.processed("scheduled.scan") > scans
    })
    .await;
    assert_eq!(inbox_with(&app, &mentee, "mentoring.session_reminder").await, 0);
    app.clock.advance(Duration::minutes(10));
    eventually(20, "the reminder", || async { inbox_with(&app, &mentee, "mentoring.session_reminder").await >= 1 })
        .await;
    let scans = app.state.jobs.metrics.processed("scheduled.scan");
    app.clock.advance(Duration::days(2));
    eventually(20, "later scans", || async { app.state.jobs.metrics.processed("scheduled.scan") > scans + 1 }).await;
    let reminders: Vec<_> =
        notes_of(&app, &mentee).await.into_iter().filter(|n| n.template == "mentoring.session_reminder").collect();
    assert_eq!(reminders.len(), 1, "exactly once");
    assert!(reminders[0].data.contains(&waiting), "for the unanswered log only");
}

#[tokio::test]
async fn graduation_is_recorded_once_at_its_boundary() {
    let Pair { app, f, mentor, mentee, id } = pair().await;
    let room = f.stations[0].room.clone();
    let get =
        || async { app.get(&format!("/api/v1/mentoring/pairings/{id}"), Some(&mentee.access)).await.expect(200).body };
    // 20 hours less a minute of service, and five acknowledged sessions: not yet.
    approved_minutes(&app, &mentee, &room, 20 * 60 - 1).await;
    for _ in 0..5 {
        let s = log(&app, &mentor, &id, 60).await;
        ack(&app, &mentee, &s).await.expect(200);
    }
    let b = get().await;
    assert_eq!(b["progress"]["acknowledgedSessions"], 5);
    assert!(b["graduatedAt"].is_null());
    // The sixth session meets the session bar, but the hours still fall a minute short.
    let s = log(&app, &mentor, &id, 60).await;
    ack(&app, &mentee, &s).await.expect(200);
    let b = get().await;
    assert_eq!(b["progress"]["serviceMinutes"], 20 * 60 - 1);
    assert!(b["graduatedAt"].is_null());
    // The last minute, approved later, is picked up by the scan.
    approved_minutes(&app, &mentee, &room, 1).await;
    let cfg = app.state.config.mentoring.clone();
    wushe::domain::mentoring::oversight::scan(app.db(), &cfg, app.clock.now_utc()).await.unwrap();
    let b = get().await;
    let at = b["graduatedAt"].as_str().expect("graduated").to_string();
    app.clock.advance(Duration::minutes(5));
    wushe::domain::mentoring::oversight::scan(app.db(), &cfg, app.clock.now_utc()).await.unwrap();
    assert_eq!(get().await["graduatedAt"], at.as_str(), "recorded once");
    // On both records.
    for s in [&mentor, &mentee] {
        let r = app.get("/api/v1/me/mentoring", Some(&s.access)).await.expect(200);
        assert_eq!(r.body["record"]["graduations"][0]["pairingId"], id.as_str());
    }
}
