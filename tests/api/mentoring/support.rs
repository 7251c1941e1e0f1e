//! What the mentoring tests share: people, pairs, session logs and inbox checks.

use crate::helpers::{NowUtc, PASSWORD, Session, TestApp, TwoStations};
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
        if r == Role::SocialWorker {
            // Mentors hold a verified credential; tests of the rule itself start from `volunteer`.
            crate::credential_fixture::qualify(app, id).await;
        }
        out.push(app.login(&p.phone, PASSWORD).await);
    }
    out
}

pub(super) async fn one(app: &TestApp, role: &str, unit: &str) -> Session {
    quick_people(app, role, 1, unit).await.remove(0)
}

pub(super) async fn propose(app: &TestApp, by: &Session, mentor: &Session, mentee: &Session) -> crate::helpers::Resp {
    app.post(
        "/api/v1/mentoring/pairings",
        Some(&by.access),
        json!({"mentorId": mentor.user_id, "menteeId": mentee.user_id, "goals": ["熟悉入户探访流程"]}),
    )
    .await
}

/// An active pairing of `mentor` and `mentee`, proposed by the mentor; its id.
pub(super) async fn active_pair(app: &TestApp, mentor: &Session, mentee: &Session) -> String {
    let id = propose(app, mentor, mentor, mentee).await.expect(201).str("id");
    let r = app.post(&format!("/api/v1/mentoring/pairings/{id}/accept"), Some(&mentee.access), json!({})).await;
    assert_eq!(r.expect(200).body["status"], "active");
    id
}

pub(super) fn session_body(at: DateTime<Utc>, minutes: i64) -> Value {
    json!({"heldAt": at, "minutes": minutes, "mode": "in_person", "topics": ["沟通技巧"], "notes": "私密备注"})
}

pub(super) async fn log(app: &TestApp, mentor: &Session, pairing: &str, minutes: i64) -> String {
    let at = app.clock.now_utc() - Duration::hours(1);
    app.post(&format!("/api/v1/mentoring/pairings/{pairing}/sessions"), Some(&mentor.access), session_body(at, minutes))
        .await
        .expect(201)
        .str("id")
}

pub(super) async fn ack(app: &TestApp, mentee: &Session, session: &str) -> crate::helpers::Resp {
    app.post(&format!("/api/v1/mentoring/sessions/{session}/acknowledge"), Some(&mentee.access), json!({})).await
}

pub(super) async fn inbox(app: &TestApp, s: &Session) -> Vec<Value> {
    let r = app.get("/api/v1/me/notifications?limit=100", Some(&s.access)).await.expect(200);
    r.body["items"].as_array().unwrap().clone()
}

pub(super) async fn inbox_with(app: &TestApp, s: &Session, template: &str) -> usize {
    notes_of(app, s).await.into_iter().filter(|n| n.template == template).count()
}

/// The inbox rows of a person, straight from the database.
pub(super) async fn notes_of(app: &TestApp, s: &Session) -> Vec<entity::notification::Model> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let id: Uuid = s.user_id.parse().unwrap();
    entity::notification::Entity::find()
        .filter(entity::notification::Column::UserId.eq(id))
        .all(app.db())
        .await
        .unwrap()
}

pub(super) async fn active_pairings(app: &TestApp) -> i64 {
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

pub(super) struct Pair {
    pub(super) app: TestApp,
    pub(super) f: TwoStations,
    pub(super) mentor: Session,
    pub(super) mentee: Session,
    pub(super) id: String,
}

/// Two stations whose social workers hold the verified credential a mentor needs.
pub(super) async fn stations(app: &TestApp) -> TwoStations {
    let f = app.two_stations().await;
    for s in &f.stations {
        crate::credential_fixture::qualify(app, s.social_worker.user_id.parse().unwrap()).await;
    }
    f
}

pub(super) async fn pair() -> Pair {
    pair_with(|_| {}).await
}

pub(super) async fn pair_with(adjust: impl FnOnce(&mut wushe::config::Config)) -> Pair {
    let app = crate::helpers::spawn_app_with(adjust).await;
    // Daytime in Shanghai: pushes are not held for quiet hours.
    app.clock.set(DateTime::parse_from_rfc3339("2026-11-27T03:00:00Z").unwrap().with_timezone(&Utc));
    let f = stations(&app).await;
    let mentor = f.stations[0].social_worker.clone();
    let mentee = f.stations[0].volunteer.clone();
    let id = active_pair(&app, &mentor, &mentee).await;
    Pair { app, f, mentor, mentee, id }
}

pub(super) async fn approved_minutes(app: &TestApp, volunteer: &Session, unit: &str, minutes: i32) {
    use entity::hours_entry::HoursStatus;
    let today = app.clock.now_utc().date_naive();
    crate::service_fixture::ledger_line(app, &volunteer.user_id, unit, minutes, today, HoursStatus::Approved).await;
}

pub(super) fn urlencoding(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

pub(super) async fn give_skills(app: &TestApp, who: &Session, skills: &[&str]) {
    for s in skills {
        entity::user_skill::ActiveModel { user_id: Set(who.user_id.parse().unwrap()), skill: Set(s.to_string()) }
            .insert(app.db())
            .await
            .unwrap();
    }
}

pub(super) async fn set_load(app: &TestApp, who: &Session, n: i32) {
    entity::mentor_load::ActiveModel {
        mentor_id: Set(who.user_id.parse().unwrap()),
        active_mentees: Set(n),
        updated_at: Set(app.clock.now_utc()),
    }
    .insert(app.db())
    .await
    .unwrap();
}
