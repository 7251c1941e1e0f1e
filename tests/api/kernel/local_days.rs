//! Local days and clocks: a unit inherits its parent's zone and a person their home unit's; a
//! child's age, the daily invitation cap, training reminders, hours claims and quiet hours follow
//! the zone of whoever (or wherever) they concern, not the city's, at instants near midnight
//! where the two calendars disagree.

use crate::helpers::{Session, TestApp, eventually, id_number_born};
use crate::service_fixture::Service;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use entity::task_invitation::{self, InvitationKind};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

fn uid(s: &Session) -> Uuid {
    s.user_id.parse().unwrap()
}

/// The first instant at or after `after` that the wall clock in `zone` reads `hh:mm`.
fn next_wall_clock(after: DateTime<Utc>, zone: Tz, hh: u32, mm: u32) -> DateTime<Utc> {
    let mut day = after.with_timezone(&zone).date_naive();
    loop {
        let t = zone.from_local_datetime(&day.and_time(NaiveTime::from_hms_opt(hh, mm, 0).unwrap())).earliest();
        if let Some(t) = t.map(|t| t.with_timezone(&Utc)).filter(|t| *t >= after) {
            return t;
        }
        day = day.succ_opt().unwrap();
    }
}

async fn unit_with_zone(app: &TestApp, admin: &Session, kind: &str, parent: &str, tz: Option<&str>) -> String {
    let mut body = json!({"kind": kind, "parentId": parent, "name": format!("{kind} {tz:?}")});
    if let Some(tz) = tz {
        body["timeZone"] = json!(tz);
    }
    app.post("/api/v1/org-units", Some(&admin.access), body).await.expect(201).str("id")
}

async fn zone_of_unit(app: &TestApp, admin: &Session, unit: &str) -> String {
    app.get(format!("/api/v1/org-units/{unit}"), Some(&admin.access)).await.expect(200).str("timeZone")
}

async fn register_in(app: &TestApp, unit: Option<&str>) -> Session {
    let body = app.registration("测试志愿者", unit).await;
    crate::helpers::session_from(&app.post("/api/v1/auth/register", None, body).await.expect(201))
}

async fn my_zone(app: &TestApp, who: &Session) -> String {
    app.get("/api/v1/me", Some(&who.access)).await.expect(200).str("timeZone")
}

#[tokio::test]
async fn units_inherit_their_parents_zone_and_people_their_home_units() {
    let app = crate::helpers::spawn_app().await;
    let admin = app.city_admin().await;
    let city = app.create_unit(&admin, "city_center", None, "市").await;
    assert_eq!(zone_of_unit(&app, &admin, &city).await, "Asia/Shanghai", "the root takes the city default");
    let abroad = unit_with_zone(&app, &admin, "town_station", &city, Some("Pacific/Auckland")).await;
    let room = unit_with_zone(&app, &admin, "community_room", &abroad, None).await;
    assert_eq!(zone_of_unit(&app, &admin, &room).await, "Pacific/Auckland", "a room keeps its station's clock");
    let london = unit_with_zone(&app, &admin, "community_room", &abroad, Some("Europe/London")).await;
    assert_eq!(zone_of_unit(&app, &admin, &london).await, "Europe/London", "a zone given wins");

    let volunteer = register_in(&app, Some(&room)).await;
    assert_eq!(my_zone(&app, &volunteer).await, "Pacific/Auckland");
    let nowhere = register_in(&app, None).await;
    assert_eq!(my_zone(&app, &nowhere).await, "Asia/Shanghai");
    let worker = app.create_user(&admin, "social_worker", Some(&london)).await;
    assert_eq!(my_zone(&app, &worker).await, "Europe/London");
}

#[tokio::test]
async fn a_child_turns_fourteen_at_their_own_midnight() {
    let s = Service::new().await;
    let app = &s.app;
    let new_york = unit_with_zone(app, &s.city_admin, "community_room", &s.station, Some("America/New_York")).await;
    let task = s.publish(s.task_body(Duration::days(5), 2, 10)).await;

    // 00:30 in Shanghai on the fourteenth birthday: still the day before in New York.
    let at = next_wall_clock(s.now() + Duration::hours(1), chrono_tz::Asia::Shanghai, 0, 30);
    let birthday = at.with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let born = NaiveDate::from_ymd_opt(birthday.year() - 14, birthday.month(), birthday.day())
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(birthday.year() - 14, 3, 1).unwrap());
    let born = born.format("%Y%m%d").to_string();
    let identity = |n: String| json!({"idNumber": n, "realName": "王小明", "consentVersion": "2026-01"});
    let in_new_york = register_in(app, Some(&new_york)).await;
    let in_shanghai = register_in(app, Some(&s.room)).await;
    for child in [&in_new_york, &in_shanghai] {
        app.put("/api/v1/me/identity", Some(&child.access), identity(id_number_born(&born))).await.expect(200);
    }
    app.clock.set(at);

    let path = format!("/api/v1/tasks/{task}/signups");
    app.post(&path, Some(&in_new_york.access), json!({})).await.expect_problem(403, "guardian_consent_required");
    let r = app.post(&path, Some(&in_shanghai.access), json!({})).await;
    assert_eq!(r.status, 201, "fourteen today in Shanghai: {}", r.body);
}

async fn invited(app: &TestApp, task: &str) -> Vec<Uuid> {
    task_invitation::Entity::find()
        .filter(task_invitation::Column::TaskId.eq(task.parse::<Uuid>().unwrap()))
        .filter(task_invitation::Column::Kind.eq(InvitationKind::Dispatch))
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.user_id)
        .collect()
}

async fn publish_and_dispatch(s: &Service, start_in: Duration) -> String {
    let app = &s.app;
    let before = app.state.jobs.metrics.processed("task.dispatch");
    let task = s.publish(s.task_body(start_in, 2, 10)).await;
    eventually(30, "the dispatch", || async { app.state.jobs.metrics.processed("task.dispatch") > before }).await;
    task
}

#[tokio::test]
async fn the_daily_invitation_cap_counts_the_volunteers_own_day() {
    let s = Service::with(|c| c.dispatch.per_volunteer_per_day = 1).await;
    let app = &s.app;
    app.start_workers();
    let people = app.quick_volunteers(2, Some(&s.room)).await;
    let auckland = &people[0];
    let mut am: entity::user::ActiveModel =
        entity::user::Entity::find_by_id(uid(auckland)).one(app.db()).await.unwrap().unwrap().into();
    am.time_zone = Set("Pacific/Auckland".into());
    am.update(app.db()).await.unwrap();

    // 23:30 in Auckland, an evening in Shanghai; an hour later Auckland has a new day and
    // Shanghai does not.
    app.clock.set(next_wall_clock(s.now() + Duration::hours(1), chrono_tz::Pacific::Auckland, 23, 30));
    let first = publish_and_dispatch(&s, Duration::days(2)).await;
    assert_eq!(invited(app, &first).await.len(), 2, "both get their first invitation of the day");
    app.clock.advance(Duration::hours(1));
    let second = publish_and_dispatch(&s, Duration::days(3)).await;
    assert_eq!(invited(app, &second).await, vec![uid(auckland)], "only Auckland has begun a new day");
}

async fn training_reminder(app: &TestApp, who: &Session) -> Option<String> {
    entity::notification::Entity::find()
        .filter(entity::notification::Column::UserId.eq(uid(who)))
        .filter(entity::notification::Column::Template.eq("training.reminder_24h"))
        .one(app.db())
        .await
        .unwrap()
        .map(|n| n.body)
}

#[tokio::test]
async fn training_reminders_tell_the_time_on_the_clock_where_the_session_is_joined() {
    let s = Service::new().await;
    let app = &s.app;
    app.start_workers();
    let london = unit_with_zone(app, &s.city_admin, "community_room", &s.station, Some("Europe/London")).await;
    let course = app
        .post(
            "/api/v1/courses",
            Some(&s.admin.access),
            json!({"orgUnitId": london, "title": "伦理", "category": "ethics", "creditMinutes": 60,
                   "countsAsCe": true, "targetLevels": ["social_worker"]}),
        )
        .await
        .expect(201)
        .str("id");
    // Starts at 00:30 in London, which is 08:30 (or 07:30) the same day in Shanghai.
    let start = next_wall_clock(s.now() + Duration::days(2), chrono_tz::Europe::London, 0, 30);
    let session = |place: Option<&str>, link: Option<&str>| {
        json!({"trainerId": s.organiser.user_id, "startsAt": start, "endsAt": start + Duration::hours(2),
               "place": place, "onlineLink": link, "capacity": 5, "enrolDeadline": start - Duration::hours(30)})
    };
    let path = format!("/api/v1/courses/{course}/sessions");
    let in_room =
        app.post(&path, Some(&s.admin.access), session(Some("伦敦社区三楼"), None)).await.expect(201).str("id");
    let online = app
        .post(&path, Some(&s.admin.access), session(None, Some("https://meet.example/x")))
        .await
        .expect(201)
        .str("id");
    let people = app.quick_volunteers(2, Some(&s.room)).await;
    let (attendee, remote) = (&people[0], &people[1]);
    let mut am: entity::user::ActiveModel =
        entity::user::Entity::find_by_id(uid(remote)).one(app.db()).await.unwrap().unwrap().into();
    am.time_zone = Set("Pacific/Auckland".into());
    am.update(app.db()).await.unwrap();
    app.post(format!("/api/v1/training-sessions/{in_room}/enrolments"), Some(&attendee.access), json!(null))
        .await
        .expect(201);
    app.post(format!("/api/v1/training-sessions/{online}/enrolments"), Some(&remote.access), json!(null))
        .await
        .expect(201);

    app.clock.set(start - Duration::hours(23));
    for who in [attendee, remote] {
        eventually(30, "the day-before reminder", || async { training_reminder(app, who).await.is_some() }).await;
    }
    let text = |zone: Tz| start.with_timezone(&zone).format("%m-%d %H:%M").to_string();
    let in_room_text = training_reminder(app, attendee).await.unwrap();
    assert!(in_room_text.contains(&text(chrono_tz::Europe::London)), "{in_room_text}");
    assert!(!in_room_text.contains(&text(chrono_tz::Asia::Shanghai)), "{in_room_text}");
    let online_text = training_reminder(app, remote).await.unwrap();
    assert!(online_text.contains(&text(chrono_tz::Pacific::Auckland)), "{online_text}");
}

#[tokio::test]
async fn a_unit_with_an_unknown_zone_counts_days_on_the_city_calendar_not_utcs() {
    let s = Service::new().await;
    let app = &s.app;
    // A zone this build does not know (written before zones were checked, or dropped from the
    // zone database since).
    let room: Uuid = s.room.parse().unwrap();
    let mut am: entity::org_unit::ActiveModel =
        entity::org_unit::Entity::find_by_id(room).one(app.db()).await.unwrap().unwrap().into();
    am.time_zone = Set("Mars/Olympus".into());
    am.update(app.db()).await.unwrap();
    // 00:30 in Shanghai is 16:30 the day before in UTC.
    let at = next_wall_clock(s.now() + Duration::hours(1), chrono_tz::Asia::Shanghai, 0, 30);
    app.clock.set(at);
    let shanghai_today = at.with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    assert_eq!(shanghai_today, at.date_naive() + Duration::days(1));
    let volunteer = app.quick_volunteers(1, Some(&s.room)).await.remove(0);
    let r = app
        .post(
            "/api/v1/me/hours/claims",
            Some(&volunteer.access),
            json!({"orgUnitId": s.room, "serviceDate": shanghai_today, "minutes": 60, "description": "社区清洁"}),
        )
        .await;
    assert_eq!(r.status, 201, "today in the city is not a day in the future: {}", r.body);
}

#[tokio::test]
async fn quiet_hours_of_a_person_with_an_unknown_zone_keep_their_home_units_clock() {
    use wushe::domain::messaging::notifications::{self, Category, Message};
    let s = Service::new().await;
    let app = &s.app;
    let auckland = unit_with_zone(app, &s.city_admin, "community_room", &s.station, Some("Pacific/Auckland")).await;
    // 01:00 in Auckland is 20:00 or 21:00 in Shanghai: quiet hours there only.
    let at = next_wall_clock(s.now() + Duration::hours(1), chrono_tz::Pacific::Auckland, 1, 0);
    app.clock.set(at);
    let volunteer = app.quick_volunteers(1, Some(&auckland)).await.remove(0);
    // The person's own zone is one this build does not know: their home unit's clock counts.
    let mut am: entity::user::ActiveModel =
        entity::user::Entity::find_by_id(uid(&volunteer)).one(app.db()).await.unwrap().unwrap().into();
    am.time_zone = Set("Mars/Olympus".into());
    am.update(app.db()).await.unwrap();
    app.post("/api/v1/me/devices", Some(&volunteer.access), json!({"platform": "android", "token": "phone-nz"}))
        .await
        .expect(201);
    app.start_workers();
    let txn = sea_orm::TransactionTrait::begin(app.db()).await.unwrap();
    let m = Message::new(uid(&volunteer), Category::TaskChange, "system.message", "night").param("text", "晚上");
    notifications::tell(&txn, m).await.unwrap();
    txn.commit().await.unwrap();
    eventually(20, "the push job waiting for the Auckland morning", || async {
        app.state.jobs.push_queue.stats().await.unwrap().delayed == 1
    })
    .await;
    assert!(app.pushes().is_empty(), "not pushed in the night of the person's home unit");
}
