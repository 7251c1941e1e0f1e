//! Mentoring: pairings and their limits (also under concurrency), session logs with
//! acknowledgement, dispute and reminders, graduation at its boundary, the no-contact nudge, the
//! pair thread with read receipts and delta sync, and who may see what.

use crate::helpers::{NowUtc, PASSWORD, Session, TestApp, TwoStations, eventually, spawn_app};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};
use serde_json::{Value, json};
use uuid::Uuid;

/// `n` signed-in people of `role` with home unit `unit`, inserted straight into the database.
pub async fn quick_people(app: &TestApp, role: &str, n: usize, unit: &str) -> Vec<Session> {
    let people = app.quick_volunteers(n, Some(unit)).await;
    if role == "volunteer" {
        return people;
    }
    let mut out = Vec::with_capacity(n);
    for p in people {
        use entity::user::{Column, Entity, Role};
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
        let r = if role == "social_worker" { Role::SocialWorker } else { Role::StationAdmin };
        let id: Uuid = p.user_id.parse().unwrap();
        Entity::update_many()
            .col_expr(Column::Role, Expr::value(r))
            .filter(Column::Id.eq(id))
            .exec(app.db())
            .await
            .unwrap();
        out.push(app.login(&p.phone, PASSWORD).await);
    }
    out
}

async fn one(app: &TestApp, role: &str, unit: &str) -> Session {
    quick_people(app, role, 1, unit).await.remove(0)
}

async fn propose(app: &TestApp, by: &Session, mentor: &Session, mentee: &Session) -> crate::helpers::Resp {
    app.post(
        "/api/v1/mentoring/pairings",
        Some(&by.access),
        json!({"mentorId": mentor.user_id, "menteeId": mentee.user_id, "goals": ["熟悉入户探访流程"]}),
    )
    .await
}

/// An active pairing of `mentor` and `mentee`, proposed by the mentor; its id.
async fn active_pair(app: &TestApp, mentor: &Session, mentee: &Session) -> String {
    let id = propose(app, mentor, mentor, mentee).await.expect(201).str("id");
    let r = app.post(&format!("/api/v1/mentoring/pairings/{id}/accept"), Some(&mentee.access), json!({})).await;
    assert_eq!(r.expect(200).body["status"], "active");
    id
}

fn session_body(at: DateTime<Utc>, minutes: i64) -> Value {
    json!({"heldAt": at, "minutes": minutes, "mode": "in_person", "topics": ["沟通技巧"], "notes": "私密备注"})
}

async fn log(app: &TestApp, mentor: &Session, pairing: &str, minutes: i64) -> String {
    let at = app.clock.now_utc() - Duration::hours(1);
    app.post(&format!("/api/v1/mentoring/pairings/{pairing}/sessions"), Some(&mentor.access), session_body(at, minutes))
        .await
        .expect(201)
        .str("id")
}

async fn ack(app: &TestApp, mentee: &Session, session: &str) -> crate::helpers::Resp {
    app.post(&format!("/api/v1/mentoring/sessions/{session}/acknowledge"), Some(&mentee.access), json!({})).await
}

async fn inbox(app: &TestApp, s: &Session) -> Vec<Value> {
    let r = app.get("/api/v1/me/notifications?limit=100", Some(&s.access)).await.expect(200);
    r.body["items"].as_array().unwrap().clone()
}

async fn inbox_with(app: &TestApp, s: &Session, template: &str) -> usize {
    notes_of(app, s).await.into_iter().filter(|n| n.template == template).count()
}

/// The inbox rows of a person, straight from the database.
async fn notes_of(app: &TestApp, s: &Session) -> Vec<entity::notification::Model> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let id: Uuid = s.user_id.parse().unwrap();
    entity::notification::Entity::find()
        .filter(entity::notification::Column::UserId.eq(id))
        .all(app.db())
        .await
        .unwrap()
}

#[tokio::test]
async fn pairing_lifecycle_and_its_rules() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let [east, west] = &f.stations;
    let sw = &east.social_worker;
    let v = &east.volunteer;

    // The social worker proposes themselves; the volunteer sees it and accepts.
    let p = propose(&app, sw, sw, v).await.expect(201);
    assert_eq!(p.body["status"], "proposed");
    assert_eq!(p.body["goals"], json!([{"title": "熟悉入户探访流程", "status": "set"}]));
    assert!(p.body["mentorAcceptedAt"].is_string() && p.body["menteeAcceptedAt"].is_null());
    let id = p.str("id");
    let mine = app.get("/api/v1/me/mentoring", Some(&v.access)).await.expect(200);
    assert_eq!(mine.body["proposals"][0]["id"], id.as_str());
    // Nobody else of the station sees it, not even another social worker.
    let other_sw = one(&app, "social_worker", &east.room).await;
    let other_v = one(&app, "volunteer", &east.room).await;
    for s in [&other_sw, &other_v, &west.admin] {
        app.get(&format!("/api/v1/mentoring/pairings/{id}"), Some(&s.access)).await.expect_problem(404, "not_found");
    }
    app.get(&format!("/api/v1/mentoring/pairings/{id}"), Some(&east.admin.access)).await.expect(200);
    let a = app.post(&format!("/api/v1/mentoring/pairings/{id}/accept"), Some(&v.access), json!({})).await.expect(200);
    assert_eq!(a.body["status"], "active");
    assert!(a.body["activatedAt"].is_string());
    app.post(&format!("/api/v1/mentoring/pairings/{id}/accept"), Some(&v.access), json!({}))
        .await
        .expect_problem(409, "not_proposed");

    // One active mentor per volunteer.
    propose(&app, &other_sw, &other_sw, v).await.expect_problem(409, "mentee_has_mentor");
    // Bad pairings: a mentor who is not a social worker, a mentee who is not a volunteer,
    // someone else as mentor, people of another station.
    propose(&app, &east.admin, &other_v, v).await.expect_problem(400, "mentor_not_social_worker");
    propose(&app, &east.admin, sw, &other_sw).await.expect_problem(400, "mentee_not_volunteer");
    propose(&app, &other_sw, sw, &other_v).await.expect_problem(403, "forbidden");
    propose(&app, sw, sw, &west.volunteer).await.expect_problem(404, "not_found");
    propose(&app, &east.admin, sw, &west.volunteer).await.expect_problem(404, "not_found");
    propose(&app, &other_v, sw, &other_v).await.expect_problem(403, "forbidden");
    assert_eq!(app.count("mentoring_pairings").await, 1, "refusals change nothing");

    // A city administrator pairs across stations; both sides must accept.
    let cross = propose(&app, &f.city_admin, &west.social_worker, &other_v).await.expect(201);
    let cross_id = cross.str("id");
    let r = app
        .post(&format!("/api/v1/mentoring/pairings/{cross_id}/accept"), Some(&west.social_worker.access), json!({}))
        .await
        .expect(200);
    assert_eq!(r.body["status"], "proposed", "still waiting for the mentee");
    app.post(&format!("/api/v1/mentoring/pairings/{cross_id}/accept"), Some(&f.city_admin.access), json!({}))
        .await
        .expect_problem(403, "forbidden");
    let r = app
        .post(&format!("/api/v1/mentoring/pairings/{cross_id}/accept"), Some(&other_v.access), json!({}))
        .await
        .expect(200);
    assert_eq!(r.body["status"], "active");

    // Goals: the mentor updates them; the mentee may not.
    let goals =
        json!({"goals": [{"title": "独立完成探访", "status": "in_progress"}, {"title": "掌握台账", "status": "met"}]});
    let g =
        app.put(&format!("/api/v1/mentoring/pairings/{id}/goals"), Some(&sw.access), goals.clone()).await.expect(200);
    assert_eq!(g.body["goals"][1]["status"], "met");
    app.put(&format!("/api/v1/mentoring/pairings/{id}/goals"), Some(&v.access), goals.clone())
        .await
        .expect_problem(403, "forbidden");
    app.put(
        &format!("/api/v1/mentoring/pairings/{id}/goals"),
        Some(&sw.access),
        json!({"goals": [{"title": "", "status": "set"}]}),
    )
    .await
    .expect(400);

    // Ending: a reason is required; ended pairings stay as history and free the volunteer.
    app.post(&format!("/api/v1/mentoring/pairings/{id}/end"), Some(&v.access), json!({"reason": ""})).await.expect(400);
    let e = app
        .post(&format!("/api/v1/mentoring/pairings/{id}/end"), Some(&v.access), json!({"reason": "搬家"}))
        .await
        .expect(200);
    assert_eq!(e.body["status"], "ended");
    assert_eq!(e.body["endReason"], "搬家");
    app.post(&format!("/api/v1/mentoring/pairings/{id}/end"), Some(&v.access), json!({"reason": "再次"}))
        .await
        .expect_problem(409, "not_active");
    let history = app.get("/api/v1/mentoring/pairings?status=ended", Some(&east.admin.access)).await.expect(200);
    assert_eq!(history.body["items"].as_array().unwrap().len(), 1);

    // Declining, then proposing again.
    let again = propose(&app, &other_sw, &other_sw, v).await.expect(201).str("id");
    let d = app
        .post(&format!("/api/v1/mentoring/pairings/{again}/decline"), Some(&v.access), json!({"reason": "时间不合"}))
        .await
        .expect(200);
    assert_eq!(d.body["status"], "declined");
    propose(&app, &other_sw, &other_sw, v).await.expect(201);
    // Duplicate open proposals are refused.
    propose(&app, &other_sw, &other_sw, v).await.expect_problem(409, "pairing_exists");
    // An administrator withdraws a proposal that is still waiting.
    let waiting = propose(&app, &east.admin, sw, &one(&app, "volunteer", &east.room).await).await.expect(201).str("id");
    let w = app
        .post(&format!("/api/v1/mentoring/pairings/{waiting}/end"), Some(&east.admin.access), json!({"reason": "撤回"}))
        .await
        .expect(200);
    assert_eq!(w.body["status"], "declined");
    assert_eq!(w.body["endReason"], "撤回");
    // Unknown fields are refused.
    app.post(
        "/api/v1/mentoring/pairings",
        Some(&sw.access),
        json!({"mentorId": sw.user_id, "menteeId": v.user_id, "extra": 1}),
    )
    .await
    .expect(400);
}

async fn active_pairings(app: &TestApp) -> i64 {
    let row = app
        .db()
        .query_one_raw(sea_orm::Statement::from_string(
            app.db().get_database_backend(),
            "SELECT COUNT(*) AS n FROM mentoring_pairings WHERE status = 'active'".to_string(),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

#[tokio::test]
async fn twenty_concurrent_acceptances_never_exceed_the_mentor_cap() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let east = &f.stations[0];
    let sw = &east.social_worker;
    let volunteers = quick_people(&app, "volunteer", 20, &east.room).await;
    let mut ids = Vec::new();
    for v in &volunteers {
        ids.push(propose(&app, sw, sw, v).await.expect(201).str("id"));
    }
    let app = &app;
    let answers = futures::future::join_all(ids.iter().zip(&volunteers).map(|(id, v)| {
        let path = format!("/api/v1/mentoring/pairings/{id}/accept");
        async move { app.post(&path, Some(&v.access), json!({})).await }
    }))
    .await;
    let ok = answers.iter().filter(|r| r.status == 200).count();
    let full = answers.iter().filter(|r| r.status == 409 && r.body["code"] == "mentor_at_capacity").count();
    assert_eq!((ok, full), (8, 12), "{:?}", answers.iter().map(|r| r.status).collect::<Vec<_>>());
    assert_eq!(active_pairings(app).await, 8);
    let me = app.get("/api/v1/me/mentoring", Some(&sw.access)).await.expect(200);
    assert_eq!(me.body["record"]["activeMentees"], 8);
    assert_eq!(me.body["pairs"].as_array().unwrap().len(), 8);
    // Ending one frees a place.
    let (id, _) = ids.iter().zip(&answers).find(|(_, r)| r.status == 200).unwrap();
    app.post(&format!("/api/v1/mentoring/pairings/{id}/end"), Some(&sw.access), json!({"reason": "结业"}))
        .await
        .expect(200);
    let (id, v) = ids.iter().zip(&volunteers).zip(&answers).find(|(_, r)| r.status == 409).map(|(p, _)| p).unwrap();
    app.post(&format!("/api/v1/mentoring/pairings/{id}/accept"), Some(&v.access), json!({})).await.expect(200);
    assert_eq!(active_pairings(app).await, 8);
}

#[tokio::test]
async fn concurrent_acceptances_give_a_volunteer_one_active_mentor() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let east = &f.stations[0];
    let v = &east.volunteer;
    let mentors = quick_people(&app, "social_worker", 20, &east.room).await;
    let mut ids = Vec::new();
    for m in &mentors {
        ids.push(propose(&app, m, m, v).await.expect(201).str("id"));
    }
    let app = &app;
    let answers = futures::future::join_all(ids.iter().map(|id| {
        let path = format!("/api/v1/mentoring/pairings/{id}/accept");
        async move { app.post(&path, Some(&v.access), json!({})).await }
    }))
    .await;
    let ok = answers.iter().filter(|r| r.status == 200).count();
    let refused = answers.iter().filter(|r| r.status == 409 && r.body["code"] == "mentee_has_mentor").count();
    assert_eq!((ok, refused), (1, 19), "{:?}", answers.iter().map(|r| r.body.clone()).collect::<Vec<_>>());
    assert_eq!(active_pairings(app).await, 1);
    let row = app
        .db()
        .query_one_raw(sea_orm::Statement::from_string(
            app.db().get_database_backend(),
            "SELECT COALESCE(SUM(active_mentees), 0) AS n FROM mentor_loads".to_string(),
        ))
        .await
        .unwrap()
        .unwrap();
    let load = row.try_get::<i64>("", "n").unwrap_or_else(|_| row.try_get::<i32>("", "n").map(i64::from).unwrap());
    assert_eq!(load, 1, "refused activations gave their mentor's place back");
}

struct Pair {
    app: TestApp,
    f: TwoStations,
    mentor: Session,
    mentee: Session,
    id: String,
}

async fn pair() -> Pair {
    pair_with(|_| {}).await
}

async fn pair_with(adjust: impl FnOnce(&mut wushe::config::Config)) -> Pair {
    let app = crate::helpers::spawn_app_with(adjust).await;
    // Daytime in Shanghai: pushes are not held for quiet hours.
    app.clock.set(DateTime::parse_from_rfc3339("2026-11-27T03:00:00Z").unwrap().with_timezone(&Utc));
    let f = app.two_stations().await;
    let mentor = f.stations[0].social_worker.clone();
    let mentee = f.stations[0].volunteer.clone();
    let id = active_pair(&app, &mentor, &mentee).await;
    Pair { app, f, mentor, mentee, id }
}

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

async fn approved_minutes(app: &TestApp, volunteer: &Session, unit: &str, minutes: i32) {
    use entity::hours_entry::{self, HoursSource, HoursStatus};
    let now = app.clock.now_utc();
    let vid: Uuid = volunteer.user_id.parse().unwrap();
    hours_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        volunteer_id: Set(vid),
        task_id: Set(None),
        org_unit_id: Set(unit.parse().unwrap()),
        source: Set(HoursSource::SelfReport),
        minutes: Set(minutes),
        status: Set(HoursStatus::Approved),
        service_date: Set(now.date_naive()),
        description: Set(Some("服务".into())),
        adjusts_id: Set(None),
        reason: Set(None),
        flagged: Set(false),
        disputed_at: Set(None),
        dispute_comment: Set(None),
        created_by: Set(vid),
        decided_by: Set(Some(vid)),
        decided_at: Set(Some(now)),
        created_at: Set(now),
        entry_key: Set(None),
    }
    .insert(app.db())
    .await
    .unwrap();
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
async fn the_pair_thread_syncs_deltas_and_read_receipts_and_never_pushes_the_text() {
    let Pair { app, f, mentor, mentee, id } = pair().await;
    let [east, west] = &f.stations;
    app.post("/api/v1/me/devices", Some(&mentee.access), json!({"platform": "android", "token": "mentee-phone"}))
        .await
        .expect(201);
    app.start_workers();
    let path = format!("/api/v1/mentoring/pairings/{id}/messages");
    let secret = "周六上午九点在社区服务中心见";
    let m1 = app.post(&path, Some(&mentor.access), json!({"body": secret})).await.expect(201);
    assert_eq!(m1.body["recipientId"], mentee.user_id.as_str());
    app.post(&path, Some(&mentor.access), json!({"body": "x".repeat(1001)})).await.expect(400);
    app.post(&path, Some(&mentor.access), json!({"body": "   "})).await.expect(400);
    // The mentee's inbox says who wrote; the push says neither who nor what, and collapses per
    // thread.
    let of_message = || app.pushes().into_iter().map(|p| p.message).find(|m| m.data.contains_key("messageId"));
    eventually(20, "the push", || async { of_message().is_some() }).await;
    let push = of_message().unwrap();
    let text = format!("{} {} {:?}", push.title, push.body, push.data);
    assert!(!text.contains(secret) && !text.contains("测试"), "{text}");
    assert_eq!(push.collapse_key.as_deref(), Some(format!("mentoring-thread:{id}").as_str()));
    assert_eq!(push.data["senderId"], mentor.user_id);
    let items = inbox(&app, &mentee).await;
    assert!(!items[0]["body"].as_str().unwrap().contains(secret));

    // Delta sync and read receipts.
    let t0 = app.clock.now_utc();
    app.clock.advance(Duration::minutes(1));
    let m2 = app.post(&path, Some(&mentee.access), json!({"body": "好的"})).await.expect(201).str("id");
    let since = |t: DateTime<Utc>| format!("{path}?since={}", urlencoding(&t.to_rfc3339()));
    let d = app.get(since(t0), Some(&mentor.access)).await.expect(200);
    let ids: Vec<&str> = d.body["items"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![m2.as_str()]);
    let t1 = app.clock.now_utc();
    app.clock.advance(Duration::minutes(1));
    let r = app.post(&format!("{path}/read"), Some(&mentee.access), json!({"upTo": m1.str("id")})).await.expect(200);
    assert_eq!(r.body["marked"], 1);
    let d = app.get(since(t1), Some(&mentor.access)).await.expect(200);
    assert_eq!(d.body["items"][0]["id"], m1.body["id"]);
    assert!(d.body["items"][0]["readAt"].is_string());
    // Pages: newest first, with a cursor.
    let p1 = app.get(format!("{path}?limit=1"), Some(&mentee.access)).await.expect(200);
    assert_eq!(p1.body["items"][0]["id"], m2.as_str());
    let cursor = p1.str("nextCursor");
    let p2 = app.get(format!("{path}?limit=1&cursor={cursor}"), Some(&mentee.access)).await.expect(200);
    assert_eq!(p2.body["items"][0]["id"], m1.body["id"]);

    // Who reads and writes.
    let other_v = one(&app, "volunteer", &east.room).await;
    let other_sw = one(&app, "social_worker", &east.room).await;
    for s in [&other_v, &other_sw, &west.admin] {
        app.get(&path, Some(&s.access)).await.expect_problem(404, "not_found");
    }
    for s in [&other_v, &other_sw] {
        app.post(&path, Some(&s.access), json!({"body": "hi"})).await.expect_problem(404, "not_found");
    }
    app.post(&path, Some(&west.admin.access), json!({"body": "hi"})).await.expect_problem(403, "forbidden");
    app.get(&path, Some(&east.admin.access)).await.expect(200);
    app.post(&path, Some(&east.admin.access), json!({"body": "hi"})).await.expect_problem(403, "forbidden");

    // Read-only after the pairing ends.
    app.post(&format!("/api/v1/mentoring/pairings/{id}/end"), Some(&mentor.access), json!({"reason": "结束"}))
        .await
        .expect(200);
    app.post(&path, Some(&mentee.access), json!({"body": "还在吗"})).await.expect_problem(409, "thread_read_only");
    let all = app.get(&path, Some(&mentee.access)).await.expect(200);
    assert_eq!(all.body["items"].as_array().unwrap().len(), 2);
}

fn urlencoding(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

async fn give_skills(app: &TestApp, who: &Session, skills: &[&str]) {
    for s in skills {
        entity::user_skill::ActiveModel { user_id: Set(who.user_id.parse().unwrap()), skill: Set(s.to_string()) }
            .insert(app.db())
            .await
            .unwrap();
    }
}

async fn set_load(app: &TestApp, who: &Session, n: i32) {
    entity::mentor_load::ActiveModel {
        mentor_id: Set(who.user_id.parse().unwrap()),
        active_mentees: Set(n),
        updated_at: Set(app.clock.now_utc()),
    }
    .insert(app.db())
    .await
    .unwrap();
}

#[tokio::test]
async fn suggestions_rank_free_mentors_of_the_station_by_shared_skills_then_load() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let [east, west] = &f.stations;
    let v = &east.volunteer;
    give_skills(&app, v, &["急救", "心理疏导"]).await;
    // Two shared skills, two mentees; one shared skill, none; nothing shared, none; a full
    // mentor with both skills; a mentor of another station with both skills.
    let a = one(&app, "social_worker", &east.room).await;
    give_skills(&app, &a, &["急救", "心理疏导", "法律"]).await;
    set_load(&app, &a, 2).await;
    let b = one(&app, "social_worker", &east.id).await;
    give_skills(&app, &b, &["急救"]).await;
    let full = one(&app, "social_worker", &east.room).await;
    give_skills(&app, &full, &["急救", "心理疏导"]).await;
    set_load(&app, &full, 8).await;
    give_skills(&app, &west.social_worker, &["急救", "心理疏导"]).await;
    let c = &east.social_worker;

    let path = format!("/api/v1/mentoring/suggestions?volunteerId={}", v.user_id);
    let r = app.get(&path, Some(&east.admin.access)).await.expect(200);
    let ids: Vec<&str> = r.body["items"].as_array().unwrap().iter().map(|s| s["mentorId"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![a.user_id.as_str(), b.user_id.as_str(), c.user_id.as_str()]);
    let first = &r.body["items"][0];
    assert_eq!(first["sharedSkills"], json!(["心理疏导", "急救"]));
    assert_eq!(first["freePlaces"], 6);
    assert!(first["reasons"].as_array().unwrap().iter().any(|x| x.as_str().unwrap().contains("急救")));
    // Out of scope, or not a volunteer.
    app.get(&path, Some(&west.admin.access)).await.expect_problem(404, "not_found");
    app.get(&path, Some(&c.access)).await.expect_problem(403, "forbidden");
    app.get(&format!("/api/v1/mentoring/suggestions?volunteerId={}", c.user_id), Some(&east.admin.access))
        .await
        .expect_problem(400, "mentee_not_volunteer");
}

#[tokio::test]
async fn a_repeated_proposal_with_the_same_idempotency_key_replays_the_first() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let east = &f.stations[0];
    let body = json!({"mentorId": east.social_worker.user_id, "menteeId": east.volunteer.user_id});
    let send = || async {
        let r = app
            .client
            .post(format!("{}/api/v1/mentoring/pairings", app.base))
            .bearer_auth(&east.social_worker.access)
            .header("Idempotency-Key", "7b0e4c1e-mentoring")
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json::<Value>().await.unwrap())
    };
    let (s1, b1) = send().await;
    let (s2, b2) = send().await;
    assert_eq!((s1, s2), (201, 201));
    assert_eq!(b1["id"], b2["id"]);
    assert_eq!(app.count("mentoring_pairings").await, 1);
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

#[tokio::test]
async fn the_hourly_cron_scan_nudges_the_mentor() {
    let Pair { app, mentor, .. } = pair().await;
    app.start_workers();
    // Two minutes after the hourly slot (:20), fifteen days after the pairing began.
    app.clock.set(DateTime::parse_from_rfc3339("2026-12-12T03:22:00Z").unwrap().with_timezone(&Utc));
    eventually(30, "the cron scan's nudge", || async { inbox_with(&app, &mentor, "mentoring.no_contact").await == 1 })
        .await;
}
