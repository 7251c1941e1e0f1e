//! A small service setting shared by the volunteer-service tests: a city, one station with a
//! room (at known coordinates), a station admin and a social worker who organises tasks.

use crate::helpers::{NowUtc, Session, TestApp, spawn_app_with};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::hours_entry::{self, HoursSource, HoursStatus};
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde_json::{Value, json};
use uuid::Uuid;

/// Coordinates of the room where tasks happen.
pub const LAT: f64 = 31.3000;
pub const LNG: f64 = 120.6000;

pub struct Service {
    pub app: TestApp,
    pub city_admin: Session,
    pub city: String,
    pub station: String,
    pub room: String,
    pub admin: Session,
    pub organiser: Session,
}

impl Service {
    pub async fn new() -> Service {
        Service::with(|_| {}).await
    }

    /// The setting, with the app's configuration adjusted first.
    pub async fn with(adjust: impl FnOnce(&mut wushe::config::Config)) -> Service {
        // These tests move the clock by days; tokens must outlive that.
        let app = spawn_app_with(|c| {
            c.access_token_ttl = std::time::Duration::from_secs(90 * 86400);
            c.refresh_token_ttl = std::time::Duration::from_secs(180 * 86400);
            adjust(c);
        })
        .await;
        let city_admin = app.city_admin().await;
        let city = app.create_unit(&city_admin, "city_center", None, "市").await;
        let station = app.create_unit(&city_admin, "town_station", Some(&city), "东湖街道社工站").await;
        let room = app.create_unit(&city_admin, "community_room", Some(&station), "湖东社区社工室").await;
        let admin = app.create_user(&city_admin, "station_admin", Some(&station)).await;
        let organiser = app.create_user(&admin, "social_worker", Some(&room)).await;
        // The organiser stands for a social worker the station employs, not an account its
        // administrator made to decide for: the administrator decides on their records.
        app.forget_creator(&[&organiser]).await;
        Service { app, city_admin, city, station, room, admin, organiser }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.app.clock.now_utc()
    }

    /// Today on the units' calendar (Asia/Shanghai): from 16:00 UTC it is already tomorrow there,
    /// and service dates, months and certificates count in local days.
    pub fn today(&self) -> chrono::NaiveDate {
        wushe::domain::kernel::time::local_date(self.now(), "Asia/Shanghai")
    }

    /// A task body starting `start_in` from now, lasting `hours`, at the room, for `capacity`.
    pub fn task_body(&self, start_in: Duration, hours: i64, capacity: i32) -> Value {
        let starts = self.now() + start_in;
        json!({
            "title": "社区助老服务",
            "description": "陪伴独居老人",
            "actionLine": "help",
            "orgUnitId": self.room,
            "address": "湖东社区活动中心",
            "lat": LAT,
            "lng": LNG,
            "startsAt": starts,
            "endsAt": starts + Duration::hours(hours),
            "capacity": capacity,
        })
    }

    /// Creates and publishes a task from `body`; returns its id.
    pub async fn publish(&self, body: Value) -> String {
        let id = self.app.post("/api/v1/tasks", Some(&self.organiser.access), body).await.expect(201).str("id");
        self.app
            .post(&format!("/api/v1/tasks/{id}/publish"), Some(&self.organiser.access), json!({}))
            .await
            .expect(200);
        id
    }

    /// A published task starting in two days, three hours long.
    pub async fn task(&self, capacity: i32) -> String {
        self.publish(self.task_body(Duration::days(2), 3, capacity)).await
    }

    /// Signs `who` up; returns the sign-up's JSON.
    pub async fn sign_up(&self, task: &str, who: &Session) -> Value {
        let r = self.app.post(&format!("/api/v1/tasks/{task}/signups"), Some(&who.access), json!({})).await;
        assert!(r.status == 201 || r.status == 200, "sign-up failed: {} {}", r.status, r.body);
        r.body
    }

    /// The audit rows of one action, oldest first.
    pub async fn audited(&self, action: &str) -> Vec<entity::audit_log::Model> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
        entity::audit_log::Entity::find()
            .filter(entity::audit_log::Column::Action.eq(action))
            .order_by_asc(entity::audit_log::Column::Id)
            .all(self.app.db())
            .await
            .unwrap()
    }
}

/// A self-reported ledger line written straight to the database (history a test needs, or a
/// claim made before a rule existed): `minutes` on `date` in `status`. Returns its id.
pub async fn ledger_line(
    app: &TestApp,
    volunteer: &str,
    unit: &str,
    minutes: i32,
    date: NaiveDate,
    status: HoursStatus,
) -> Uuid {
    let (vid, now): (Uuid, DateTime<Utc>) = (volunteer.parse().unwrap(), app.clock_now());
    let decided = status != HoursStatus::Pending;
    let id = Uuid::now_v7();
    let line = hours_entry::ActiveModel {
        id: Set(id),
        volunteer_id: Set(vid),
        task_id: Set(None),
        org_unit_id: Set(unit.parse().unwrap()),
        source: Set(HoursSource::SelfReport),
        minutes: Set(minutes),
        status: Set(status),
        service_date: Set(date),
        description: Set(Some("服务".into())),
        adjusts_id: Set(None),
        reason: Set(None),
        flagged: Set(false),
        disputed_at: Set(None),
        dispute_comment: Set(None),
        created_by: Set(vid),
        decided_by: Set(decided.then_some(vid)),
        decided_at: Set(decided.then_some(now)),
        created_at: Set(now),
        entry_key: Set(None),
    }
    .insert(app.db())
    .await
    .unwrap();
    // History written straight to the ledger counts in the per-period totals, as the migration
    // that created them would have counted it.
    wushe::domain::volunteering::hours_totals::add_approved(app.db(), std::slice::from_ref(&line)).await.unwrap();
    id
}
