//! Check-in and check-out: the rotating code (forged, stale, for another task), the time
//! window, the distance, manual attendance, and the stays they turn into hours.

use crate::helpers::Session;
use crate::service_fixture::{LAT, LNG, Service};
use base64::Engine;
use chrono::Duration;
use serde_json::{Value, json};

async fn code(s: &Service, task: &str) -> String {
    s.app.get(&format!("/api/v1/tasks/{task}/check-in-code"), Some(&s.organiser.access)).await.expect(200).str("code")
}

async fn check(
    s: &Service,
    task: &str,
    who: &Session,
    which: &str,
    code: &str,
    lat: f64,
    lng: f64,
) -> crate::helpers::Resp {
    s.app
        .post(
            &format!("/api/v1/tasks/{task}/{which}"),
            Some(&who.access),
            json!({"code": code, "lat": lat, "lng": lng}),
        )
        .await
}

/// A published 4-hour task in two days with one confirmed volunteer; the clock at its start.
async fn at_start() -> (Service, String, Session, Value) {
    let s = Service::new().await;
    let task = s.publish(s.task_body(Duration::days(2), 4, 5)).await;
    let v = s.app.register_volunteer().await;
    let su = s.sign_up(&task, &v).await;
    s.app.clock.advance(Duration::days(2));
    (s, task, v, su)
}

#[tokio::test]
async fn codes_that_are_forged_stale_or_for_another_task_are_refused() {
    let (s, task, v, _) = at_start().await;
    let other = s.publish(s.task_body(Duration::hours(1), 2, 5)).await;
    let good = code(&s, &task).await;
    let mut forged = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&good).unwrap();
    forged[30] ^= 0x55;
    let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(forged);
    check(&s, &task, &v, "check-in", &forged, LAT, LNG).await.expect_problem(400, "check_in_code_invalid");
    check(&s, &task, &v, "check-in", "hello", LAT, LNG).await.expect_problem(400, "check_in_code_invalid");
    let wrong = code(&s, &other).await;
    check(&s, &task, &v, "check-in", &wrong, LAT, LNG).await.expect_problem(400, "check_in_code_wrong_task");
    s.app.clock.advance(Duration::seconds(120));
    check(&s, &task, &v, "check-in", &good, LAT, LNG).await.expect_problem(400, "check_in_code_expired");
    assert_eq!(s.app.count("attendance").await, 0);
    let fresh = code(&s, &task).await;
    check(&s, &task, &v, "check-in", &fresh, LAT, LNG).await.expect(200);
}

#[tokio::test]
async fn check_in_needs_a_seat_the_window_and_the_place() {
    let s = Service::new().await;
    let task = s.publish(s.task_body(Duration::days(2), 4, 1)).await;
    let v = s.app.register_volunteer().await;
    let w = s.app.register_volunteer().await;
    s.sign_up(&task, &v).await;
    s.sign_up(&task, &w).await; // waitlisted
    s.app.clock.advance(Duration::days(2) - Duration::minutes(31));
    let c = code(&s, &task).await;
    check(&s, &task, &v, "check-in", &c, LAT, LNG).await.expect_problem(409, "outside_check_in_window");
    s.app.clock.advance(Duration::minutes(2));
    let c = code(&s, &task).await;
    check(&s, &task, &w, "check-in", &c, LAT, LNG).await.expect_problem(409, "not_confirmed");
    // About 1.1 km away with a 300 m radius.
    check(&s, &task, &v, "check-in", &c, LAT + 0.01, LNG).await.expect_problem(409, "too_far");
    s.app
        .post(&format!("/api/v1/tasks/{task}/check-in"), Some(&v.access), json!({"code": c}))
        .await
        .expect_problem(400, "location_required");
    let r = check(&s, &task, &v, "check-in", &c, LAT + 0.001, LNG).await.expect(200);
    assert_eq!(r.body["checkInMethod"], "code");
    // Checking in again returns the same check-in.
    let again = check(&s, &task, &v, "check-in", &c, LAT, LNG).await.expect(200);
    assert_eq!(again.body["checkedInAt"], r.body["checkedInAt"]);
    assert_eq!(s.app.count("attendance").await, 1);
    // Only the leader and organisers get codes.
    s.app.get(&format!("/api/v1/tasks/{task}/check-in-code"), Some(&v.access)).await.expect_problem(403, "forbidden");
}

async fn stay(arrive_min: i64, leave_min: i64) -> Value {
    let (s, task, v, _) = at_start().await;
    s.app.clock.advance(Duration::minutes(arrive_min));
    let c = code(&s, &task).await;
    check(&s, &task, &v, "check-in", &c, LAT, LNG).await.expect(200);
    s.app.clock.advance(Duration::minutes(leave_min - arrive_min));
    let c = code(&s, &task).await;
    let r = check(&s, &task, &v, "check-out", &c, LAT, LNG).await.expect(200);
    check(&s, &task, &v, "check-out", &c, LAT, LNG).await.expect_problem(409, "already_checked_out");
    r.body["hours"].clone()
}

#[tokio::test]
async fn stays_become_pending_hours_by_the_schedule() {
    // Early arrival counts from the start; the whole 4 hours.
    let h = stay(-20, 240).await;
    assert_eq!(
        (h["minutes"].as_i64(), h["status"].as_str(), h["source"].as_str()),
        (Some(240), Some("pending"), Some("check_in"))
    );
    // Late arrival counts from arrival.
    assert_eq!(stay(30, 240).await["minutes"], 210);
    // Leaving early shortens it.
    assert_eq!(stay(0, 180).await["minutes"], 180);
    // Exactly 60% counts; less earns nothing and is flagged.
    let h = stay(0, 144).await;
    assert_eq!((h["minutes"].as_i64(), h["flagged"].as_bool()), (Some(144), Some(false)));
    let h = stay(0, 143).await;
    assert_eq!((h["minutes"].as_i64(), h["flagged"].as_bool()), (Some(0), Some(true)));
}

#[tokio::test]
async fn manual_attendance_needs_a_reason_and_the_leader() {
    let (s, _task, v, su) = at_start().await;
    let sid = su["id"].as_str().unwrap();
    let path = format!("/api/v1/signups/{sid}/attendance");
    s.app
        .post(&path, Some(&v.access), json!({"action": "check_in", "reason": "x"}))
        .await
        .expect_problem(403, "forbidden");
    s.app.post(&path, Some(&s.organiser.access), json!({"action": "check_in", "reason": ""})).await.expect(400);
    s.app
        .post(&path, Some(&s.organiser.access), json!({"action": "check_out", "reason": "忘记签退"}))
        .await
        .expect_problem(409, "not_checked_in");
    s.app.post(&path, Some(&s.organiser.access), json!({"action": "check_in", "reason": "手机没电"})).await.expect(200);
    s.app.clock.advance(Duration::hours(3));
    s.app
        .post(
            &path,
            Some(&s.organiser.access),
            json!({"action": "check_out", "reason": "忘记签退", "at": s.now() + Duration::hours(1)}),
        )
        .await
        .expect_problem(400, "time_in_future");
    s.app
        .post(&path, Some(&s.organiser.access), json!({"action": "check_out", "reason": "忘记签退"}))
        .await
        .expect(200);
    let mine = s.app.get("/api/v1/me/hours", Some(&v.access)).await.expect(200);
    assert_eq!(mine.body["pendingMinutes"], 180);
}

#[tokio::test]
async fn the_end_of_a_task_closes_open_stays_and_records_no_shows() {
    let s = Service::new().await;
    let task = s.publish(s.task_body(Duration::days(2), 2, 5)).await;
    let came = s.app.register_volunteer().await;
    let absent = s.app.register_volunteer().await;
    s.sign_up(&task, &came).await;
    let su_absent = s.sign_up(&task, &absent).await;
    s.app.clock.advance(Duration::days(2));
    let c = code(&s, &task).await;
    check(&s, &task, &came, "check-in", &c, LAT, LNG).await.expect(200);
    s.app.clock.advance(Duration::hours(3));
    let now = s.now();
    assert_eq!(wushe::domain::volunteering::attendance::close_open_stays(s.app.db(), now).await.unwrap(), 1);
    assert_eq!(wushe::domain::volunteering::attendance::close_open_stays(s.app.db(), now).await.unwrap(), 0, "once");
    assert_eq!(wushe::domain::volunteering::signups::mark_no_shows(s.app.db(), now).await.unwrap(), 1);
    assert_eq!(wushe::domain::volunteering::tasks::complete_ended(s.app.db(), now).await.unwrap(), 1);
    let mine = s.app.get("/api/v1/me/hours", Some(&came.access)).await.expect(200);
    assert_eq!(mine.body["pendingMinutes"], 120, "closed at the task's end");
    let a = s
        .app
        .get(&format!("/api/v1/signups/{}", su_absent["id"].as_str().unwrap()), Some(&absent.access))
        .await
        .expect(200);
    assert_eq!(a.body["signup"]["noShow"], true);
    let t = s.app.get(&format!("/api/v1/tasks/{task}"), Some(&came.access)).await.expect(200);
    assert_eq!(t.body["status"], "completed");
}
