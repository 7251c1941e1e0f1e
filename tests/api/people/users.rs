//! People and scope: who may create, see and change whom, the audit trail of those changes, and
//! the people list's filters and pages.

use crate::helpers::{PASSWORD, spawn_app};
use entity::audit_log;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use std::collections::HashSet;

fn ids(body: &Value) -> HashSet<String> {
    body["items"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn first_admin_creates_a_station_its_admin_and_a_social_worker() {
    let app = spawn_app().await;
    let admin = app.city_admin().await;
    let city = app.create_unit(&admin, "city_center", None, "苏州市").await;
    let station = app.create_unit(&admin, "town_station", Some(&city), "金鸡湖街道社工站").await;
    let sa = app.create_user(&admin, "station_admin", Some(&station)).await;
    let room = app.create_unit(&admin, "community_room", Some(&station), "湖东社区社工室").await;
    let r = app
        .post(
            "/api/v1/users",
            Some(&sa.access),
            json!({"phone": "13912345678", "name": "王社工", "password": PASSWORD, "role": "social_worker",
                   "orgUnitId": room, "qualificationLevel": "social_worker"}),
        )
        .await
        .expect(201);
    assert_eq!(r.body["role"], "social_worker");
    assert_eq!(r.body["orgUnitId"], room.as_str());
    assert_eq!(r.body["socialWorker"]["qualificationLevel"], "social_worker");
    let sw = app.login("13912345678", PASSWORD).await;
    let me = app.get("/api/v1/me", Some(&sw.access)).await.expect(200);
    assert_eq!(me.body["role"], "social_worker");
}

#[tokio::test]
async fn station_admin_sees_and_changes_only_their_subtree() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let [east, west] = &f.stations;

    let listed = app.get("/api/v1/users", Some(&east.admin.access)).await.expect(200);
    let seen = ids(&listed.body);
    assert!(seen.contains(&east.volunteer.user_id) && seen.contains(&east.social_worker.user_id));
    assert!(seen.contains(&east.admin.user_id), "an admin sees themselves in their unit");
    assert!(!seen.contains(&west.volunteer.user_id) && !seen.contains(&west.admin.user_id));
    assert!(!seen.contains(&f.city_admin.user_id));

    app.get(&format!("/api/v1/users/{}", east.volunteer.user_id), Some(&east.admin.access)).await.expect(200);
    app.get(&format!("/api/v1/users/{}", west.volunteer.user_id), Some(&east.admin.access))
        .await
        .expect_problem(404, "not_found");
    app.patch(
        &format!("/api/v1/users/{}", west.volunteer.user_id),
        Some(&east.admin.access),
        json!({"status": "suspended"}),
    )
    .await
    .expect_problem(404, "not_found");
    app.patch(&format!("/api/v1/users/{}", east.volunteer.user_id), Some(&east.admin.access), json!({"name": "改名"}))
        .await
        .expect(200);
    // Moving someone of one's own into another station's unit is refused.
    app.patch(
        &format!("/api/v1/users/{}", east.volunteer.user_id),
        Some(&east.admin.access),
        json!({"orgUnitId": west.room}),
    )
    .await
    .expect_problem(403, "forbidden");
    // Creating people outside the subtree is refused.
    app.post(
        "/api/v1/users",
        Some(&east.admin.access),
        json!({"phone": app.new_phone(), "name": "x", "password": PASSWORD, "role": "social_worker", "orgUnitId": west.room}),
    )
    .await
    .expect_problem(403, "forbidden");
    // Filtering on another station's unit reveals nothing.
    app.get(&format!("/api/v1/users?orgUnitId={}", west.id), Some(&east.admin.access))
        .await
        .expect_problem(404, "not_found");

    let all = app.get("/api/v1/users?limit=100", Some(&f.city_admin.access)).await.expect(200);
    assert_eq!(ids(&all.body).len(), 8, "the city admin sees everyone");
}

#[tokio::test]
async fn non_admins_cannot_list_or_read_others() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let [east, _] = &f.stations;
    for s in [&east.volunteer, &east.social_worker] {
        app.get("/api/v1/users", Some(&s.access)).await.expect_problem(403, "forbidden");
        app.get(&format!("/api/v1/users/{}", east.admin.user_id), Some(&s.access))
            .await
            .expect_problem(404, "not_found");
        app.get(&format!("/api/v1/users/{}", s.user_id), Some(&s.access)).await.expect(200);
    }
}

#[tokio::test]
async fn roles_are_granted_only_up_to_ones_own() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let [east, _] = &f.stations;
    let create = |role: &str| json!({"phone": app.new_phone(), "name": "x", "password": PASSWORD, "role": role, "orgUnitId": east.room});
    app.post("/api/v1/users", Some(&east.admin.access), create("city_admin")).await.expect_problem(403, "forbidden");
    // Only the level above creates administrators: not even a peer.
    app.post("/api/v1/users", Some(&east.admin.access), create("station_admin")).await.expect_problem(403, "forbidden");
    app.post("/api/v1/users", Some(&east.admin.access), create("social_worker")).await.expect(201);
    app.patch(
        &format!("/api/v1/users/{}", east.volunteer.user_id),
        Some(&east.admin.access),
        json!({"role": "city_admin"}),
    )
    .await
    .expect_problem(403, "forbidden");
    // A station admin cannot manage a peer at their own unit, nor themselves.
    app.patch(
        &format!("/api/v1/users/{}", east.admin.user_id),
        Some(&east.admin.access),
        json!({"role": "city_admin"}),
    )
    .await
    .expect_problem(403, "forbidden");
    app.patch(
        &format!("/api/v1/users/{}", f.city_admin.user_id),
        Some(&f.city_admin.access),
        json!({"status": "suspended"}),
    )
    .await
    .expect_problem(403, "forbidden");
    // Promotion by a city admin works and takes effect on the next request.
    app.patch(
        &format!("/api/v1/users/{}", east.volunteer.user_id),
        Some(&f.city_admin.access),
        json!({"role": "social_worker"}),
    )
    .await
    .expect(200);
    let me = app.get("/api/v1/me", Some(&east.volunteer.access)).await.expect(200);
    assert_eq!(me.body["role"], "social_worker");
    assert!(me.body["socialWorker"].is_object(), "a social-worker profile comes with the role");
}

#[tokio::test]
async fn social_workers_and_admins_cannot_move_themselves() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let [east, west] = &f.stations;
    for s in [&east.social_worker, &east.admin] {
        app.patch("/api/v1/me", Some(&s.access), json!({"orgUnitId": west.room}))
            .await
            .expect_problem(403, "forbidden");
    }
    // A volunteer chooses their own community.
    let r = app.patch("/api/v1/me", Some(&east.volunteer.access), json!({"orgUnitId": west.room})).await.expect(200);
    assert_eq!(r.body["orgUnitId"], west.room.as_str());
}

#[tokio::test]
async fn profile_edits() {
    let app = spawn_app().await;
    let v = app.register_volunteer().await;
    let r = app
        .patch(
            "/api/v1/me",
            Some(&v.access),
            json!({"name": "新名字", "locale": "en", "timeZone": "Asia/Urumqi", "skills": ["First Aid", "first aid", "driving"],
                   "bio": "退休教师", "serviceArea": {"lat": 31.3, "lng": 120.6, "radiusKm": 5}}),
        )
        .await
        .expect(200);
    assert_eq!(r.body["name"], "新名字");
    assert_eq!(r.body["locale"], "en");
    assert_eq!(r.body["timeZone"], "Asia/Urumqi");
    assert_eq!(r.body["skills"], json!(["driving", "first aid"]));
    assert_eq!(r.body["volunteer"]["bio"], "退休教师");
    assert_eq!(r.body["volunteer"]["serviceArea"]["radiusKm"], 5.0);
    let r = app
        .patch("/api/v1/me", Some(&v.access), json!({"bio": null, "serviceArea": null, "skills": []}))
        .await
        .expect(200);
    assert!(r.body["volunteer"]["bio"].is_null());
    assert!(r.body["volunteer"]["serviceArea"].is_null());
    assert_eq!(r.body["skills"], json!([]));
    app.patch("/api/v1/me", Some(&v.access), json!({"timeZone": "Mars/Olympus"}))
        .await
        .expect_problem(400, "invalid_time_zone");
    app.patch("/api/v1/me", Some(&v.access), json!({"frontLineSince": "2020-01-01"}))
        .await
        .expect_problem(400, "not_a_social_worker");
}

#[tokio::test]
async fn admin_changes_are_audited_and_only_city_admins_read_the_log() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let [east, _] = &f.stations;
    app.patch(
        &format!("/api/v1/users/{}", east.volunteer.user_id),
        Some(&east.admin.access),
        json!({"status": "suspended", "reason": "no-show three times"}),
    )
    .await
    .expect(200);
    let rows =
        audit_log::Entity::find().filter(audit_log::Column::Action.eq("user.suspend")).all(app.db()).await.unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.actor_id.map(|a| a.to_string()), Some(east.admin.user_id.clone()));
    assert_eq!(row.before.as_ref().unwrap()["status"], "active");
    assert_eq!(row.after.as_ref().unwrap()["status"], "suspended");
    assert_eq!(row.reason.as_deref(), Some("no-show three times"));
    assert!(
        !row.after.as_ref().unwrap().to_string().contains(&east.volunteer.phone[3..]),
        "phones are masked in the log"
    );

    let log = app
        .get(&format!("/api/v1/audit-log?targetId={}", east.volunteer.user_id), Some(&f.city_admin.access))
        .await
        .expect(200);
    let actions: Vec<&str> =
        log.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, vec!["user.suspend", "user.create"], "newest first");
    app.get("/api/v1/audit-log", Some(&east.admin.access)).await.expect_problem(403, "forbidden");
    app.get("/api/v1/audit-log", Some(&east.volunteer.access)).await.expect(401);
    // Every org unit and account the fixture created by an admin is in the log.
    let creates =
        audit_log::Entity::find().filter(audit_log::Column::Action.eq("user.create")).all(app.db()).await.unwrap();
    assert_eq!(creates.len(), 8);
}

#[tokio::test]
async fn people_list_pages_and_filters() {
    let app = spawn_app().await;
    let admin = app.city_admin().await;
    let mut created = HashSet::new();
    for _ in 0..23 {
        created.insert(app.register_volunteer().await.user_id);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/users?role=volunteer&limit=10&cursor={c}"),
            None => "/api/v1/users?role=volunteer&limit=10".to_string(),
        };
        let r = app.get(&path, Some(&admin.access)).await.expect(200);
        pages += 1;
        seen.extend(ids(&r.body));
        match r.body["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 23, "no duplicates across pages");
    assert_eq!(seen.into_iter().collect::<HashSet<_>>(), created);

    let one = app.register_volunteer().await;
    let by_phone = app.get(&format!("/api/v1/users?q={}", &one.phone[3..]), Some(&admin.access)).await.expect(200);
    assert_eq!(ids(&by_phone.body), HashSet::from([one.user_id.clone()]));
    let by_name = app.get("/api/v1/users?q=%E5%B8%82%E7%AE%A1", Some(&admin.access)).await.expect(200);
    assert_eq!(ids(&by_name.body), HashSet::from([admin.user_id.clone()]));
    let big = app.get("/api/v1/users?limit=100000", Some(&admin.access)).await.expect(200);
    assert_eq!(big.body["items"].as_array().unwrap().len(), 25, "the limit is capped, not refused");
}

#[tokio::test]
async fn a_volunteer_without_a_home_unit_is_told_that_no_local_news_reaches_them() {
    let s = crate::service_fixture::Service::new().await;
    let body = s.app.registration("无社区志愿者", None).await;
    let v = crate::helpers::session_from(&s.app.post("/api/v1/auth/register", None, body).await.expect(201));
    let me = s.app.get("/api/v1/me", Some(&v.access)).await.expect(200);
    assert_eq!(me.body["receivesLocalNews"], false, "{}", me.body);
    let me = s.app.patch("/api/v1/me", Some(&v.access), json!({"orgUnitId": s.room})).await.expect(200);
    assert_eq!(me.body["receivesLocalNews"], true, "{}", me.body);
    let me = s.app.get("/api/v1/me", Some(&v.access)).await.expect(200);
    assert_eq!(me.body["receivesLocalNews"], true);
}
