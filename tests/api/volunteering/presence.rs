//! Attendance that proves presence: nobody records their own, a leader who is not staff needs
//! an organiser's confirmation, strict mode's personal codes make a forwarded task code useless,
//! and stays recorded far from the task are flagged for review.

use crate::helpers::Session;
use crate::service_fixture::{LAT, LNG, Service};
use chrono::Duration;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

/// A published 4-hour task in two days led by a volunteer, with that leader and another
/// volunteer confirmed; the clock at its start. `strict` sets the task's check-in mode.
struct Day {
    s: Service,
    task: String,
    leader: Session,
    leader_signup: String,
    volunteer: Session,
    signup: String,
}

async fn day(strict: bool) -> Day {
    let s = Service::new().await;
    let leader = s.app.register_volunteer().await;
    let mut body = s.task_body(Duration::days(2), 4, 5);
    body["leaderId"] = json!(leader.user_id);
    if strict {
        body["checkInMode"] = json!("strict");
    }
    let task = s.publish(body).await;
    let volunteer = s.app.register_volunteer().await;
    let leader_signup = s.sign_up(&task, &leader).await["id"].as_str().unwrap().to_string();
    let signup = s.sign_up(&task, &volunteer).await["id"].as_str().unwrap().to_string();
    s.app.clock.advance(Duration::days(2));
    Day { s, task, leader, leader_signup, volunteer, signup }
}

async fn record(d: &Day, who: &Session, signup: &str, action: &str) -> crate::helpers::Resp {
    d.s.app
        .post(
            format!("/api/v1/signups/{signup}/attendance"),
            Some(&who.access),
            json!({"action": action, "reason": "手机没电"}),
        )
        .await
}

async fn decide(d: &Day, who: &Session, id: &str, confirm: bool) -> crate::helpers::Resp {
    d.s.app
        .post(
            format!("/api/v1/manual-attendance/{id}/decision"),
            Some(&who.access),
            json!({"confirm": confirm, "reason": "已核实"}),
        )
        .await
}

async fn pending_minutes(d: &Day, who: &Session) -> Value {
    d.s.app.get("/api/v1/me/hours", Some(&who.access)).await.expect(200).body["pendingMinutes"].clone()
}

#[tokio::test]
async fn a_leader_never_records_their_own_attendance() {
    let d = day(false).await;
    for action in ["check_in", "no_show"] {
        record(&d, &d.leader, &d.leader_signup, action).await.expect_problem(403, "own_attendance");
    }
    // Nor does an organiser who signed up for their own task.
    let su = d.s.sign_up(&d.task, &d.s.organiser).await;
    record(&d, &d.s.organiser, su["id"].as_str().unwrap(), "check_in").await.expect_problem(403, "own_attendance");
    assert_eq!(d.s.app.count("attendance").await, 0);
    assert_eq!(d.s.app.count("manual_attendance").await, 0);
    assert!(d.s.audited("attendance.record_manually").await.is_empty());
    assert!(d.s.audited("attendance.hold").await.is_empty());
}

#[tokio::test]
async fn a_volunteer_leaders_record_credits_nothing_until_an_organiser_confirms_it() {
    let d = day(false).await;
    let held_in = record(&d, &d.leader, &d.signup, "check_in").await.expect(202);
    assert_eq!((held_in.body["status"].as_str(), held_in.body["action"].as_str()), (Some("pending"), Some("check_in")));
    assert_eq!(d.s.app.count("attendance").await, 0, "held, not applied");
    d.s.app.clock.advance(Duration::hours(3));
    let held_out = record(&d, &d.leader, &d.signup, "check_out").await.expect(202);
    assert_eq!(d.s.app.count("hours_entries").await, 0);
    assert_eq!(pending_minutes(&d, &d.volunteer).await, 0);

    // The organisers see what waits; the leader and the volunteer decide nothing.
    let path = format!("/api/v1/tasks/{}/manual-attendance", d.task);
    let list = d.s.app.get(&path, Some(&d.s.organiser.access)).await.expect(200);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 2);
    d.s.app.get(&path, Some(&d.leader.access)).await.expect_problem(403, "forbidden");
    let (in_id, out_id) = (held_in.str("id"), held_out.str("id"));
    decide(&d, &d.leader, &in_id, true).await.expect_problem(403, "forbidden");
    decide(&d, &d.volunteer, &in_id, true).await.expect_problem(403, "forbidden");

    // Confirmed, each applies as the leader recorded it, once.
    let c = decide(&d, &d.s.organiser, &in_id, true).await.expect(200);
    assert_eq!(
        (c.body["status"].as_str(), c.body["decidedBy"].as_str()),
        (Some("confirmed"), Some(&*d.s.organiser.user_id))
    );
    decide(&d, &d.s.admin, &in_id, true).await.expect_problem(409, "not_pending");
    decide(&d, &d.s.organiser, &out_id, true).await.expect(200);
    assert_eq!(pending_minutes(&d, &d.volunteer).await, 180);
    let a = entity::attendance::Entity::find_by_id(d.signup.parse::<uuid::Uuid>().unwrap())
        .one(d.s.app.db())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (a.check_in_method, a.recorded_by.map(|r| r.to_string())),
        (entity::attendance::AttendanceMethod::Manual, Some(d.leader.user_id.clone()))
    );
    assert_eq!(d.s.app.get(&path, Some(&d.s.organiser.access)).await.expect(200).body["items"], json!([]));
    assert_eq!(d.s.audited("attendance.hold").await.len(), 2);
    let confirms = d.s.audited("attendance.confirm").await;
    assert_eq!(confirms.len(), 2);
    assert_eq!(confirms[0].before.as_ref().unwrap()["status"], "pending");
    assert_eq!(confirms[0].after.as_ref().unwrap()["status"], "confirmed");
}

#[tokio::test]
async fn a_rejected_record_changes_nothing_and_staff_records_apply_audited() {
    let d = day(false).await;
    let held = record(&d, &d.leader, &d.signup, "no_show").await.expect(202);
    let r = decide(&d, &d.s.organiser, &held.str("id"), false).await.expect(200);
    assert_eq!((r.body["status"].as_str(), r.body["decisionReason"].as_str()), (Some("rejected"), Some("已核实")));
    let su = d.s.app.get(format!("/api/v1/signups/{}", d.signup), Some(&d.volunteer.access)).await.expect(200);
    assert_eq!(su.body["signup"]["noShow"], false);
    assert_eq!(d.s.audited("attendance.reject").await.len(), 1);

    // What staff record applies at once, with the state before and after in the audit log.
    let applied = record(&d, &d.s.organiser, &d.signup, "check_in").await.expect(200);
    assert_eq!(applied.body["id"].as_str(), Some(&*d.signup));
    let rows = d.s.audited("attendance.record_manually").await;
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.before.as_ref().unwrap()["attendance"], Value::Null);
    assert_eq!(row.after.as_ref().unwrap()["attendance"]["check_in_method"], "manual");
    assert_eq!(row.reason.as_deref(), Some("手机没电"));
    assert_eq!(row.actor_id.map(|a| a.to_string()), Some(d.s.organiser.user_id.clone()));
}

#[tokio::test]
async fn two_organisers_confirming_at_once_apply_the_record_once() {
    let d = day(false).await;
    let id = record(&d, &d.leader, &d.signup, "check_in").await.expect(202).str("id");
    let (a, b) = tokio::join!(decide(&d, &d.s.organiser, &id, true), decide(&d, &d.s.admin, &id, true));
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{} / {}", a.body, b.body);
    assert_eq!(d.s.app.count("attendance").await, 1);
    assert_eq!(d.s.audited("attendance.confirm").await.len(), 1);
}

async fn personal_code(d: &Day, who: &Session, signup: &str) -> crate::helpers::Resp {
    d.s.app.get(format!("/api/v1/signups/{signup}/presence-code"), Some(&who.access)).await
}

async fn scan(d: &Day, code: &str, action: &str, lat: f64) -> crate::helpers::Resp {
    d.s.app
        .post(
            format!("/api/v1/tasks/{}/scans", d.task),
            Some(&d.leader.access),
            json!({"code": code, "action": action, "lat": lat, "lng": LNG}),
        )
        .await
}

#[tokio::test]
async fn in_strict_mode_a_forwarded_task_code_is_useless_and_the_leader_scans_personal_codes() {
    let d = day(true).await;
    let t = d.s.app.get(format!("/api/v1/tasks/{}", d.task), Some(&d.volunteer.access)).await.expect(200);
    assert_eq!(t.body["checkInMode"], "strict");
    // The task's code, photographed and sent to someone at home, checks nobody in.
    let task_code =
        d.s.app.get(format!("/api/v1/tasks/{}/check-in-code", d.task), Some(&d.s.organiser.access)).await.expect(200);
    d.s.app
        .post(
            format!("/api/v1/tasks/{}/check-in", d.task),
            Some(&d.volunteer.access),
            json!({"code": task_code.str("code"), "lat": LAT, "lng": LNG}),
        )
        .await
        .expect_problem(409, "strict_check_in");
    scan(&d, &task_code.str("code"), "check_in", LAT).await.expect_problem(400, "check_in_code_wrong_kind");
    assert_eq!(d.s.app.count("attendance").await, 0);

    // Only the volunteer gets their personal code; the leader cannot scan their own.
    personal_code(&d, &d.leader, &d.signup).await.expect(404);
    let own = personal_code(&d, &d.leader, &d.leader_signup).await.expect(200).str("code");
    scan(&d, &own, "check_in", LAT).await.expect_problem(403, "own_attendance");
    let code = personal_code(&d, &d.volunteer, &d.signup).await.expect(200).str("code");
    d.s.app
        .post(
            format!("/api/v1/tasks/{}/scans", d.task),
            Some(&d.leader.access),
            json!({"code": code, "action": "check_in"}),
        )
        .await
        .expect_problem(400, "location_required");
    let a = scan(&d, &code, "check_in", LAT).await.expect(200);
    assert_eq!(a.body["attendance"]["checkInMethod"], "scan");
    assert_eq!(a.body["hours"], Value::Null);
    // A code lives about a minute.
    d.s.app.clock.advance(Duration::hours(4));
    scan(&d, &code, "check_out", LAT).await.expect_problem(400, "check_in_code_expired");
    let code = personal_code(&d, &d.volunteer, &d.signup).await.expect(200).str("code");
    let out = scan(&d, &code, "check_out", LAT).await.expect(200);
    assert_eq!(
        (
            out.body["hours"]["minutes"].as_i64(),
            out.body["hours"]["status"].as_str(),
            out.body["hours"]["flagged"].as_bool()
        ),
        (Some(240), Some("pending"), Some(false))
    );

    // A personal code of another task's sign-up is not for this task.
    let other = d.s.publish(d.s.task_body(Duration::hours(1), 2, 5)).await;
    let su = d.s.sign_up(&other, &d.volunteer).await;
    let foreign = personal_code(&d, &d.volunteer, su["id"].as_str().unwrap()).await.expect(200).str("code");
    scan(&d, &foreign, "check_in", LAT).await.expect_problem(400, "check_in_code_wrong_task");
}

#[tokio::test]
async fn a_stay_scanned_far_from_the_task_is_recorded_and_held_for_review() {
    let d = day(true).await;
    let code = personal_code(&d, &d.volunteer, &d.signup).await.expect(200).str("code");
    // About 1.1 km away with a 300 m radius: recorded, not refused.
    scan(&d, &code, "check_in", LAT + 0.01).await.expect(200);
    d.s.app.clock.advance(Duration::hours(4));
    let code = personal_code(&d, &d.volunteer, &d.signup).await.expect(200).str("code");
    let out = scan(&d, &code, "check_out", LAT).await.expect(200);
    let h = &out.body["hours"];
    assert_eq!(
        (h["status"].as_str(), h["flagged"].as_bool(), h["minutes"].as_i64()),
        (Some("pending"), Some(true), Some(240))
    );
    assert!(h["reason"].as_str().unwrap().contains("1113 m"), "{h}");
    // The reviewer sees the flag and the reason.
    let review = d.s.app.get("/api/v1/hours?status=pending", Some(&d.s.organiser.access)).await.expect(200);
    let line = review.body["items"].as_array().unwrap().iter().find(|e| e["id"] == h["id"]).cloned().unwrap();
    assert_eq!(line["flagged"], true, "{line}");
}
