//! The limits of the hours ledger: at most 24 hours per person per local day over every source
//! (at claim and at approval, under concurrency too), claims beside recorded stays, corrections
//! inside their entry's window; and the audit trail of make-ups, decisions and corrections.

use crate::helpers::{Resp, Session, TestApp};
use crate::service_fixture::{Service, ledger_line};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use entity::hours_entry::{self, HoursStatus};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;
use wushe::domain::kernel::time::{at_local, local_date};

const SHANGHAI: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

async fn claim(s: &Service, v: &Session, date: NaiveDate, minutes: i64, starts_at: Option<DateTime<Utc>>) -> Resp {
    let mut body = json!({"orgUnitId": s.room, "serviceDate": date, "minutes": minutes, "description": "社区服务"});
    if let Some(at) = starts_at {
        body["startsAt"] = json!(at);
    }
    s.app.post("/api/v1/me/hours/claims", Some(&v.access), body).await
}

async fn decide(s: &Service, ids: &[String], approve: bool) -> Resp {
    s.app
        .post(
            "/api/v1/hours/decisions",
            Some(&s.organiser.access),
            json!({"ids": ids, "approve": approve, "reason": "核实"}),
        )
        .await
}

/// A pending claim written straight to the ledger, as one made before the daily limit existed.
async fn earlier_pending(app: &TestApp, v: &Session, unit: &str, minutes: i32, date: NaiveDate) -> String {
    ledger_line(app, &v.user_id, unit, minutes, date, HoursStatus::Pending).await.to_string()
}

async fn status_of(app: &TestApp, id: &str) -> HoursStatus {
    hours_entry::Entity::find_by_id(id.parse::<Uuid>().unwrap()).one(app.db()).await.unwrap().unwrap().status
}

/// The volunteer's minutes on `date` that count (pending and approved).
async fn minutes_on(app: &TestApp, v: &Session, date: NaiveDate, status: HoursStatus) -> i64 {
    hours_entry::Entity::find()
        .filter(hours_entry::Column::VolunteerId.eq(v.user_id.parse::<Uuid>().unwrap()))
        .filter(hours_entry::Column::ServiceDate.eq(date))
        .filter(hours_entry::Column::Status.eq(status))
        .all(app.db())
        .await
        .unwrap()
        .iter()
        .map(|e| i64::from(e.minutes))
        .sum()
}

fn remaining_in(r: &Resp, minutes: i64) {
    let detail = r.body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains(&format!(" {minutes} ")), "the detail says {minutes} minutes remain: {detail}");
}

#[tokio::test]
async fn two_whole_day_claims_for_one_date_never_make_48_hours() {
    let s = Service::new().await;
    let v = s.app.register_volunteer().await;
    let date = s.today() - chrono::Days::new(1);
    let first = claim(&s, &v, date, 1440, None).await.expect(201).str("id");
    let r = claim(&s, &v, date, 1440, None).await.expect_problem(409, "day_limit_exceeded");
    remaining_in(&r, 0);
    assert!(!r.body["detail"].as_str().unwrap().contains("1440"), "the submitted minutes are not echoed");
    // A claim made before the limit existed, still pending beside the first: approving both at
    // once, or the second after the first, is refused, and nothing changes.
    let earlier = earlier_pending(&s.app, &v, &s.room, 1440, date).await;
    decide(&s, &[first.clone(), earlier.clone()], true).await.expect_problem(409, "day_limit_exceeded");
    assert_eq!(status_of(&s.app, &first).await, HoursStatus::Pending, "all or nothing");
    decide(&s, std::slice::from_ref(&first), true).await.expect(200);
    decide(&s, std::slice::from_ref(&earlier), true).await.expect_problem(409, "day_limit_exceeded");
    assert_eq!(status_of(&s.app, &earlier).await, HoursStatus::Pending);
    assert_eq!(minutes_on(&s.app, &v, date, HoursStatus::Approved).await, 1440);
    // Declining it is still possible; the certificate of that day shows 24 hours, no more.
    decide(&s, std::slice::from_ref(&earlier), false).await.expect(200);
    let cert = s
        .app
        .post("/api/v1/me/service-records", Some(&v.access), json!({"orgUnitId": s.room, "from": date, "to": date}))
        .await
        .expect(201);
    assert_eq!(cert.body["totalMinutes"], 1440);
}

#[tokio::test]
async fn the_limit_counts_every_source_and_says_what_remains() {
    let s = Service::new().await;
    // A twelve-hour task from 08:00, so that it lies within one local day.
    let tomorrow = s.today() + Duration::days(1);
    s.app.clock.set(at_local(tomorrow, NaiveTime::from_hms_opt(8, 0, 0).unwrap(), SHANGHAI));
    let task = s.publish(s.task_body(Duration::days(1), 12, 5)).await;
    let v = s.app.quick_volunteers(1, Some(&s.room)).await.remove(0);
    s.sign_up(&task, &v).await;
    s.app.clock.advance(Duration::days(1) + Duration::hours(13));
    let day = s.today();
    s.app
        .post(
            &format!("/api/v1/tasks/{task}/hours"),
            Some(&s.admin.access),
            json!({"kind": "makeup", "volunteerId": v.user_id, "minutes": 600, "reason": "补录"}),
        )
        .await
        .expect(201);
    // The day's other 14 hours may be claimed, no more.
    let r = claim(&s, &v, day, 841, None).await.expect_problem(409, "day_limit_exceeded");
    remaining_in(&r, 840);
    let id = claim(&s, &v, day, 840, None).await.expect(201).str("id");
    decide(&s, &[id], true).await.expect(200);
    // The task still has room (two of its twelve hours), the day has none.
    s.app
        .post(
            &format!("/api/v1/tasks/{task}/hours"),
            Some(&s.organiser.access),
            json!({"kind": "leader_entry", "volunteerId": v.user_id, "minutes": 1, "reason": "补记"}),
        )
        .await
        .expect_problem(409, "day_limit_exceeded");
    assert_eq!(minutes_on(&s.app, &v, day, HoursStatus::Approved).await, 1440);
}

#[tokio::test]
async fn a_claim_across_midnight_counts_to_each_day_its_part() {
    let s = Service::new().await;
    let v = s.app.register_volunteer().await;
    let d = s.today() - chrono::Days::new(3);
    let next = d + Duration::days(1);
    claim(&s, &v, next, 1400, None).await.expect(201);
    // From 23:00 for two hours: an hour on each day; the next day has 40 minutes left.
    let eleven = at_local(d, NaiveTime::from_hms_opt(23, 0, 0).unwrap(), SHANGHAI);
    let r = claim(&s, &v, d, 120, Some(eleven)).await.expect_problem(409, "day_limit_exceeded");
    remaining_in(&r, 40);
    // From 23:20 for 80 minutes: 40 on each day, which fits.
    claim(&s, &v, d, 80, Some(eleven + Duration::minutes(20))).await.expect(201);
    // The first day now holds 40 minutes: 1401 more do not fit, 1400 do.
    let r = claim(&s, &v, d, 1401, None).await.expect_problem(409, "day_limit_exceeded");
    remaining_in(&r, 1400);
    claim(&s, &v, d, 1400, None).await.expect(201);
    // A start that is not on the service date is refused, and so is one whose end is to come.
    claim(&s, &v, next, 30, Some(eleven)).await.expect_problem(400, "starts_at_not_on_date");
    let today = s.today();
    claim(&s, &v, today, 30, Some(s.now() - Duration::minutes(10))).await.expect_problem(400, "date_in_future");
    assert_eq!(minutes_on(&s.app, &v, d, HoursStatus::Pending).await, 1480);
}

#[tokio::test]
async fn claims_overlapping_a_recorded_stay_are_refused() {
    let s = Service::new().await;
    let task = s.publish(s.task_body(Duration::days(1), 4, 5)).await;
    let v = s.app.quick_volunteers(1, Some(&s.room)).await.remove(0);
    let su = s.sign_up(&task, &v).await;
    s.app.clock.advance(Duration::days(1));
    let start = s.now();
    let path = format!("/api/v1/signups/{}/attendance", su["id"].as_str().unwrap());
    s.app.post(&path, Some(&s.organiser.access), json!({"action": "check_in", "reason": "手机没电"})).await.expect(200);
    s.app.clock.advance(Duration::hours(4));
    s.app
        .post(&path, Some(&s.organiser.access), json!({"action": "check_out", "reason": "忘记签退"}))
        .await
        .expect(200);
    let on = |at: DateTime<Utc>| local_date(at, "Asia/Shanghai");
    let inside = start + Duration::hours(1);
    let before = claim(&s, &v, on(inside), 30, Some(inside)).await.expect_problem(409, "overlaps_recorded_stay");
    assert!(before.body["detail"].as_str().is_some());
    // Ending inside the stay overlaps too; a claim without a start covers its whole day.
    let early = start - Duration::minutes(20);
    claim(&s, &v, on(early), 30, Some(early)).await.expect_problem(409, "overlaps_recorded_stay");
    claim(&s, &v, on(start), 30, None).await.expect_problem(409, "overlaps_recorded_stay");
    assert_eq!(s.app.count("hours_windows").await, 0, "nothing was recorded");
    // Time just before the stay is another matter.
    let earlier = start - Duration::minutes(30);
    claim(&s, &v, on(earlier), 30, Some(earlier)).await.expect(201);
    assert_eq!(s.app.count("hours_windows").await, 1);
}

#[tokio::test]
async fn corrections_stay_inside_their_entry_window_and_the_day() {
    let s = Service::new().await;
    let v = s.app.register_volunteer().await;
    let d = s.today() - chrono::Days::new(2);
    let nine = at_local(d, NaiveTime::from_hms_opt(9, 0, 0).unwrap(), SHANGHAI);
    let timed = claim(&s, &v, d, 60, Some(nine)).await.expect(201).str("id");
    let whole = claim(&s, &v, d, 1000, None).await.expect(201).str("id");
    decide(&s, &[timed.clone(), whole.clone()], true).await.expect(200);
    let correct = |id: &str, delta: i64| {
        s.app.post(
            format!("/api/v1/hours/{id}/corrections"),
            Some(&s.organiser.access),
            json!({"deltaMinutes": delta, "reason": "核对记录"}),
        )
    };
    // The timed claim ran 09:00 to 10:00: it cannot grow, only shrink.
    correct(&timed, 1).await.expect_problem(409, "exceeds_entry_window");
    correct(&timed, -10).await.expect(201);
    // The whole-day claim cannot pass its day, nor the day's limit beside the other (50 minutes).
    correct(&whole, 441).await.expect_problem(409, "exceeds_entry_window");
    let r = correct(&whole, 391).await.expect_problem(409, "day_limit_exceeded");
    remaining_in(&r, 390);
    correct(&whole, 390).await.expect(201);
    assert_eq!(minutes_on(&s.app, &v, d, HoursStatus::Approved).await, 1440);
}

#[tokio::test]
async fn concurrent_claims_for_one_day_cannot_pass_together() {
    let s = Service::new().await;
    let v = s.app.register_volunteer().await;
    let d = s.today() - chrono::Days::new(1);
    let rs = futures::future::join_all((0..8).map(|_| claim(&s, &v, d, 500, None))).await;
    let passed = rs.iter().filter(|r| r.status == 201).count();
    let refused = rs.iter().filter(|r| r.status == 409 && r.body["code"] == "day_limit_exceeded").count();
    assert_eq!((passed, refused), (2, 6), "{:?}", rs.iter().map(|r| r.status).collect::<Vec<_>>());
    assert_eq!(minutes_on(&s.app, &v, d, HoursStatus::Pending).await, 1000);
}

#[tokio::test]
async fn concurrent_approvals_for_one_day_cannot_pass_together() {
    let s = Service::new().await;
    let v = s.app.register_volunteer().await;
    let d = s.today() - chrono::Days::new(1);
    let mut ids = Vec::new();
    for _ in 0..6 {
        ids.push(earlier_pending(&s.app, &v, &s.room, 500, d).await);
    }
    let rs = futures::future::join_all(ids.iter().map(|id| decide(&s, std::slice::from_ref(id), true))).await;
    let passed = rs.iter().filter(|r| r.status == 200).count();
    let refused = rs.iter().filter(|r| r.status == 409 && r.body["code"] == "day_limit_exceeded").count();
    assert_eq!((passed, refused), (2, 4), "{:?}", rs.iter().map(|r| r.status).collect::<Vec<_>>());
    assert_eq!(minutes_on(&s.app, &v, d, HoursStatus::Approved).await, 1000);
    assert_eq!(minutes_on(&s.app, &v, d, HoursStatus::Pending).await, 2000);
}

/// The audit rows about one entry, newest first.
async fn audit_of(s: &Service, id: &str) -> Vec<Value> {
    let r = s.app.get(format!("/api/v1/audit-log?targetId={id}"), Some(&s.city_admin.access)).await.expect(200);
    r.body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn makeups_decisions_and_corrections_are_in_the_audit_log() {
    let s = Service::new().await;
    let task = s.publish(s.task_body(Duration::days(1), 4, 5)).await;
    let v = s.app.quick_volunteers(1, Some(&s.room)).await.remove(0);
    s.sign_up(&task, &v).await;
    s.app.clock.advance(Duration::days(1) + Duration::hours(5));
    let makeup = s
        .app
        .post(
            &format!("/api/v1/tasks/{task}/hours"),
            Some(&s.admin.access),
            json!({"kind": "makeup", "volunteerId": v.user_id, "minutes": 120, "reason": "补录签到"}),
        )
        .await
        .expect(201)
        .str("id");
    let rows = audit_of(&s, &makeup).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0]["action"].as_str(), rows[0]["actorId"].as_str()),
        (Some("hours.makeup"), Some(s.admin.user_id.as_str()))
    );
    assert_eq!((rows[0]["before"].clone(), rows[0]["after"]["minutes"].clone()), (Value::Null, json!(120)));
    assert_eq!(rows[0]["reason"], "补录签到");

    let d = s.today() - chrono::Days::new(3);
    let kept = claim(&s, &v, d, 90, None).await.expect(201).str("id");
    let dropped = claim(&s, &v, d, 30, None).await.expect(201).str("id");
    decide(&s, std::slice::from_ref(&kept), true).await.expect(200);
    decide(&s, std::slice::from_ref(&dropped), false).await.expect(200);
    let rows = audit_of(&s, &kept).await;
    assert_eq!(
        (rows[0]["action"].as_str(), rows[0]["actorId"].as_str()),
        (Some("hours.approve"), Some(s.organiser.user_id.as_str()))
    );
    assert_eq!(
        (rows[0]["before"]["status"].as_str(), rows[0]["after"]["status"].as_str()),
        (Some("pending"), Some("approved"))
    );
    assert_eq!(rows[0]["after"]["decidedBy"], s.organiser.user_id.as_str());
    assert!(rows[0]["after"].get("description").is_none(), "the claim's text stays out of the log");
    let rows = audit_of(&s, &dropped).await;
    assert_eq!(rows[0]["action"], "hours.decline");
    assert_eq!(
        (rows[0]["before"]["status"].as_str(), rows[0]["after"]["status"].as_str()),
        (Some("pending"), Some("declined"))
    );

    let adj = s
        .app
        .post(
            &format!("/api/v1/hours/{kept}/corrections"),
            Some(&s.organiser.access),
            json!({"deltaMinutes": -30, "reason": "核对记录"}),
        )
        .await
        .expect(201)
        .str("id");
    let rows = audit_of(&s, &kept).await;
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0]["action"].as_str(), rows[0]["actorId"].as_str()),
        (Some("hours.correct"), Some(s.organiser.user_id.as_str()))
    );
    assert_eq!((rows[0]["before"]["minutes"].as_i64(), rows[0]["after"]["minutes"].as_i64()), (Some(90), Some(60)));
    assert_eq!(rows[0]["after"]["adjustmentId"], adj.as_str());
    assert_eq!(rows[0]["reason"], "核对记录");
    // A refused change leaves no row.
    s.app
        .post(
            &format!("/api/v1/hours/{kept}/corrections"),
            Some(&s.organiser.access),
            json!({"deltaMinutes": 2000, "reason": "x"}),
        )
        .await
        .expect(400);
    assert_eq!(audit_of(&s, &kept).await.len(), 2);
}
