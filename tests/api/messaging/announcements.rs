//! Announcements: who may announce to whom (station administrators to their subtree, city
//! administrators anywhere, nobody else), role filters, and a fan-out to 5,000 people in
//! batches with every inbox row present exactly once, even when a batch runs twice, and its pushes
//! to phones of every provider in one request per vendor batch.

use crate::fake_push::{self, AllFakes};
use crate::helpers::{TestApp, eventually, spawn_app, spawn_app_with};
use chrono::{DateTime, Utc};
use entity::user::{self, Locale, Role, UserStatus};
use entity::{device, notification};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;
use wushe::config::PushVendorsConfig;
use wushe::domain::messaging::announcements::Fanout;

/// Inserts `n` active people of `role` under `unit` straight into the database (hashing 5,000
/// passwords through the API would take minutes); returns their ids.
async fn insert_people(app: &TestApp, unit: &str, role: Role, n: usize) -> Vec<Uuid> {
    let unit: Uuid = unit.parse().unwrap();
    let now = app.clock_now();
    let base = rand_base();
    let rows: Vec<user::ActiveModel> = (0..n)
        .map(|i| user::ActiveModel {
            id: Set(Uuid::now_v7()),
            phone: Set(format!("+86159{:08}", base + i)),
            name: Set(format!("志愿者{i}")),
            password_hash: Set("not-a-hash".into()),
            role: Set(role),
            org_unit_id: Set(Some(unit)),
            status: Set(UserStatus::Active),
            locale: Set(if i % 2 == 0 { Locale::ZhCn } else { Locale::En }),
            time_zone: Set("Asia/Shanghai".into()),
            volunteer_number: Set(format!("B{:010}", base + i)),
            token_version: Set(0),
            created_by: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .collect();
    let ids = rows.iter().map(|r| *r.id.as_ref()).collect();
    for chunk in rows.chunks(500) {
        user::Entity::insert_many(chunk.to_vec()).exec_without_returning(app.db()).await.unwrap();
    }
    ids
}

/// An active phone of `provider` registered by `user`, as a row.
fn phone(user: Uuid, provider: &str, token: String, now: DateTime<Utc>) -> device::ActiveModel {
    device::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user),
        provider: Set(provider.into()),
        platform: Set(match fake_push::platform_of(provider) {
            "ios" => device::Platform::Ios,
            _ => device::Platform::Android,
        }),
        token: Set(token),
        token_hash: Set("x".into()),
        app_version: Set(None),
        locale: Set(None),
        active: Set(true),
        last_seen_at: Set(now),
        created_at: Set(now),
        deactivated_at: Set(None),
        deactivated_reason: Set(None),
        installation_id: Set(None),
        app_id: Set(None),
        session_id: Set(None),
    }
}

fn rand_base() -> usize {
    (Uuid::new_v4().as_u128() % 1_000_000) as usize * 10_000
}

fn noon() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T04:00:00Z").unwrap().with_timezone(&Utc)
}

#[tokio::test]
async fn who_may_announce_to_whom() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let [east, west] = &f.stations;
    let post = |s: &crate::helpers::Session, body: serde_json::Value| {
        let token = s.access.clone();
        let app = &app;
        async move { app.post("/api/v1/announcements", Some(&token), body).await }
    };
    // Station administrators: their own subtree (by default their unit), never another's.
    let own = post(&east.admin, json!({"title": "通知", "body": "周六活动"})).await.expect(201);
    assert_eq!(own.body["orgUnitId"], east.id.as_str());
    post(&east.admin, json!({"title": "t", "body": "b", "orgUnitId": east.room})).await.expect(201);
    post(&east.admin, json!({"title": "t", "body": "b", "orgUnitId": west.id})).await.expect_problem(404, "not_found");
    post(&east.admin, json!({"title": "t", "body": "b", "orgUnitId": f.city})).await.expect_problem(404, "not_found");
    // Others may not announce at all.
    for s in [&east.volunteer, &east.social_worker] {
        post(s, json!({"title": "t", "body": "b"})).await.expect_problem(403, "forbidden");
    }
    // City administrators: anywhere, but must name where, as the field's documentation says.
    let doc: serde_json::Value = serde_json::from_str(&wushe::api::openapi_json()).unwrap();
    let field = &doc["components"]["schemas"]["CreateAnnouncementRequest"]["properties"]["orgUnitId"];
    assert!(field["description"].as_str().unwrap().contains("org_unit_required"), "{field}");
    post(&f.city_admin, json!({"title": "t", "body": "b", "orgUnitId": f.city})).await.expect(201);
    post(&f.city_admin, json!({"title": "t", "body": "b"})).await.expect_problem(400, "org_unit_required");
    post(&f.city_admin, json!({"title": "", "body": "b", "orgUnitId": f.city}))
        .await
        .expect_problem(400, "validation_failed");
    post(&f.city_admin, json!({"title": "t", "body": "b", "orgUnitId": Uuid::now_v7()}))
        .await
        .expect_problem(404, "not_found");

    // Reading: each administrator sees those to their scope.
    let id = own.str("id");
    app.get(&format!("/api/v1/announcements/{id}"), Some(&east.admin.access)).await.expect(200);
    app.get(&format!("/api/v1/announcements/{id}"), Some(&west.admin.access)).await.expect_problem(404, "not_found");
    app.get(&format!("/api/v1/announcements/{id}"), Some(&f.city_admin.access)).await.expect(200);
    app.get(&format!("/api/v1/announcements/{id}"), Some(&east.volunteer.access))
        .await
        .expect_problem(403, "forbidden");
    let mine = app.get("/api/v1/announcements", Some(&east.admin.access)).await.expect(200);
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 2);
    assert!(
        app.get("/api/v1/announcements", Some(&west.admin.access)).await.expect(200).body["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        app.get("/api/v1/announcements", Some(&f.city_admin.access)).await.expect(200).body["items"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let audit = app.get("/api/v1/audit-log?action=announcement.create", Some(&f.city_admin.access)).await.expect(200);
    assert_eq!(audit.body["items"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn role_filters_and_inboxes() {
    let app = spawn_app().await;
    app.clock.set(noon());
    app.start_workers();
    let f = app.two_stations().await;
    let [east, west] = &f.stations;
    let a = app
        .post(
            "/api/v1/announcements",
            Some(&east.admin.access),
            json!({"title": "社工例会", "body": "周五下午", "roles": ["social_worker"]}),
        )
        .await
        .expect(201);
    let id = a.str("id");
    // The answer to publishing counts deliveries so far, named for what it is.
    assert_eq!(a.body["delivered"], 0);
    assert!(a.body["completedAt"].is_null());
    assert!(a.body.get("recipients").is_none());
    eventually(20, "the fan-out to finish", || async {
        app.get(&format!("/api/v1/announcements/{id}"), Some(&east.admin.access)).await.body["completedAt"].is_string()
    })
    .await;
    let done = app.get(&format!("/api/v1/announcements/{id}"), Some(&east.admin.access)).await.expect(200);
    assert_eq!(done.body["delivered"], 1);
    assert_eq!(done.body["roles"], json!(["social_worker"]));
    let inbox = app.get("/api/v1/me/notifications", Some(&east.social_worker.access)).await.expect(200);
    assert_eq!(inbox.body["items"][0]["title"], "社工例会");
    assert_eq!(inbox.body["items"][0]["category"], "announcement");
    assert_eq!(inbox.body["items"][0]["data"]["announcementId"], id.as_str());
    for s in [&east.volunteer, &west.social_worker, &east.admin] {
        let n = app.get("/api/v1/me/notifications", Some(&s.access)).await.expect(200);
        assert!(n.body["items"].as_array().unwrap().is_empty());
    }
}

#[tokio::test]
async fn people_list_the_announcements_sent_to_them_apart_from_the_inbox() {
    let app = spawn_app().await;
    app.clock.set(noon());
    app.start_workers();
    let f = app.two_stations().await;
    let [east, west] = &f.stations;
    let announce = |who: &crate::helpers::Session, body: serde_json::Value| {
        let (token, app) = (who.access.clone(), &app);
        async move {
            let id = app.post("/api/v1/announcements", Some(&token), body).await.expect(201).str("id");
            eventually(20, "the fan-out to finish", || async {
                app.get(&format!("/api/v1/announcements/{id}"), Some(&token)).await.body["completedAt"].is_string()
            })
            .await;
            id
        }
    };
    let first = announce(&east.admin, json!({"title": "周六义诊", "body": "上午九点"})).await;
    let city = announce(&f.city_admin, json!({"title": "全市通知", "body": "寒潮预警", "orgUnitId": f.city})).await;
    let west_only = announce(&west.admin, json!({"title": "西站通知", "body": "x"})).await;
    // Something else in the inbox, which is not an announcement.
    let now = app.clock_now();
    let other = Uuid::now_v7();
    notification::Entity::insert(notification::ActiveModel {
        id: Set(other),
        user_id: Set(east.volunteer.user_id.parse().unwrap()),
        category: Set(notification::Category::System),
        template: Set("account.notice".into()),
        title: Set("别的".into()),
        body: Set("别的".into()),
        data: Set("{}".into()),
        dedupe_key: Set(format!("other:{other}")),
        created_at: Set(now),
        updated_at: Set(now),
        read_at: Set(None),
    })
    .exec(app.db())
    .await
    .unwrap();

    for who in [&east.volunteer, &east.social_worker] {
        let mine = app.get("/api/v1/me/announcements", Some(&who.access)).await.expect(200);
        let items = mine.body["items"].as_array().unwrap();
        let ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
        assert_eq!(ids, [city.as_str(), first.as_str()], "newest first, only those sent to them");
        assert_eq!((&items[1]["title"], &items[1]["body"]), (&json!("周六义诊"), &json!("上午九点")));
        assert!(items[1]["readAt"].is_null());
    }
    let west_ids: Vec<String> =
        app.get("/api/v1/me/announcements", Some(&west.volunteer.access)).await.expect(200).body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect();
    assert_eq!(west_ids, [west_only.clone(), city.clone()]);

    // Pages, and reading it in the inbox reads it here.
    let page = app.get("/api/v1/me/announcements?limit=1", Some(&east.volunteer.access)).await.expect(200);
    assert_eq!(page.body["items"][0]["id"], city.as_str());
    let cursor = page.str("nextCursor");
    let next =
        app.get(&format!("/api/v1/me/announcements?limit=1&cursor={cursor}"), Some(&east.volunteer.access)).await;
    let next = next.expect(200);
    assert_eq!(next.body["items"][0]["id"], first.as_str());
    let note = next.body["items"][0]["notificationId"].as_str().unwrap().to_string();
    app.post(&format!("/api/v1/me/notifications/{note}/read"), Some(&east.volunteer.access), json!(null))
        .await
        .expect(200);
    let again = app.get("/api/v1/me/announcements", Some(&east.volunteer.access)).await.expect(200);
    assert!(again.body["items"][1]["readAt"].is_string());
    app.get("/api/v1/me/announcements?limit=0", Some(&east.volunteer.access)).await.expect(400);
    assert_eq!(app.get("/api/v1/me/announcements", None).await.status, 401);
}

#[tokio::test]
async fn fan_out_to_5000_people_writes_each_inbox_row_exactly_once() {
    let app = spawn_app().await;
    app.clock.set(noon());
    let admin = app.city_admin().await;
    let city = app.create_unit(&admin, "city_center", None, "测试市").await;
    let station = app.create_unit(&admin, "town_station", Some(&city), "大站").await;
    let people = insert_people(&app, &station, Role::Volunteer, 5000).await;
    // One in fifty has a phone registered.
    let now = app.clock_now();
    let devices: Vec<device::ActiveModel> =
        people.iter().step_by(50).map(|u| phone(*u, "fcm", format!("token-{u}"), now)).collect();
    device::Entity::insert_many(devices).exec_without_returning(app.db()).await.unwrap();

    app.start_workers();
    let a = app
        .post(
            "/api/v1/announcements",
            Some(&admin.access),
            json!({"title": "全市通知", "body": "请更新应用", "orgUnitId": station}),
        )
        .await
        .expect(201);
    let id: Uuid = a.str("id").parse().unwrap();
    eventually(120, "the fan-out to finish", || async {
        app.get(&format!("/api/v1/announcements/{id}"), Some(&admin.access)).await.body["completedAt"].is_string()
    })
    .await;
    let key = format!("announcement:{id}");
    let rows = || notification::Entity::find().filter(notification::Column::DedupeKey.eq(&key));
    assert_eq!(rows().count(app.db()).await.unwrap(), 5000);
    let distinct = rows()
        .select_only()
        .column(notification::Column::UserId)
        .distinct()
        .into_tuple::<Uuid>()
        .all(app.db())
        .await
        .unwrap();
    assert_eq!(distinct.len(), 5000, "one row per person");
    let done = app.get(&format!("/api/v1/announcements/{id}"), Some(&admin.access)).await.expect(200);
    assert_eq!(done.body["delivered"], 5000);
    eventually(60, "100 pushes", || async { app.pushes().len() == 100 }).await;

    // A batch delivered again (a redelivery after a crash) changes nothing.
    wushe::worker::announce::fanout(&app.state, Fanout { announcement_id: id, after: None }).await.unwrap();
    wushe::worker::announce::fanout(&app.state, Fanout { announcement_id: id, after: Some(people[2499]) })
        .await
        .unwrap();
    assert_eq!(rows().count(app.db()).await.unwrap(), 5000);
    let done = app.get(&format!("/api/v1/announcements/{id}"), Some(&admin.access)).await.expect(200);
    assert_eq!(done.body["delivered"], 5000);
    eventually(20, "the outbox relayed", || async { jobs::outbox::pending(app.db()).await.unwrap() == 0 }).await;
    eventually(20, "no jobs left behind", || async {
        let mut left = 0;
        for q in app.state.jobs.queues() {
            let stats = q.stats().await.unwrap();
            left += stats.ready + stats.delayed + stats.running;
        }
        left == 0
    })
    .await;
    assert_eq!(app.pushes().len(), 100, "no second push");
    // The English half reads it as written (announcements are authored text).
    let en = notification::Entity::find()
        .filter(notification::Column::UserId.eq(people[1]))
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(en.title, "全市通知");
}

#[tokio::test]
async fn an_announcement_reaches_every_provider_in_batches_and_each_phone_once() {
    let fakes = AllFakes::start().await;
    let dir = tempfile::tempdir().unwrap();
    let env: HashMap<String, String> = fakes.env(dir.path(), 8).into_iter().collect();
    let vendors = PushVendorsConfig::from_vars(&|k: &'static str| env.get(k).cloned()).unwrap();
    let fcm = (env["WUSHE_FCM_CREDENTIALS"].clone(), env["WUSHE_FCM_ENDPOINT"].clone());
    let app = spawn_app_with(|c| {
        c.jobs.vendors = vendors;
        c.jobs.fcm_credentials = Some(fcm.0.into());
        c.jobs.fcm_endpoint = Some(fcm.1);
    })
    .await;
    app.clock.set(noon());
    let f = app.two_stations().await;
    let station = f.stations[0].id.clone();
    let people = insert_people(&app, &station, Role::Volunteer, 600).await;
    let now = app.clock_now();
    let mut phones: BTreeMap<&str, usize> = BTreeMap::new();
    let devices: Vec<device::ActiveModel> = people
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let provider = fake_push::provider_of(i);
            *phones.entry(provider).or_default() += 1;
            phone(*u, provider, fake_push::token(provider, "t", i), now)
        })
        .collect();
    device::Entity::insert_many(devices).exec_without_returning(app.db()).await.unwrap();
    app.start_workers();
    let body = json!({"title": "寒潮预警", "body": "注意保暖"});
    app.post("/api/v1/announcements", Some(&f.stations[0].admin.access), body).await.expect(201);
    eventually(60, "every phone reached", || async { fakes.delivered_count() >= 600 }).await;

    assert!(fakes.refused().is_empty(), "every request as the vendor documents it: {:?}", fakes.refused());
    let mut per_token: HashMap<String, usize> = HashMap::new();
    for (_, token, message) in fakes.delivered() {
        *per_token.entry(token).or_default() += 1;
        assert!(message.to_string().contains("announcementId"), "the push names the announcement: {message}");
    }
    assert_eq!(per_token.len(), 600, "each phone reached");
    assert!(per_token.values().all(|n| *n == 1), "and once");
    // The 603 recipients (the station's three staff have no phone) make two fan-out batches, of
    // 497 and 100 phones: seven push jobs of up to 100, half of each in either locale. A vendor
    // that takes many tokens in one request gets at most one request per job and locale (vivo
    // two: the message, then the list), where one per phone would be 60 to 150; FCM and APNs
    // take one per phone.
    let requests: BTreeMap<&str, usize> = fakes.send_requests().into_iter().collect();
    for vendor in ["huawei", "honor", "xiaomi", "oppo"] {
        assert!(requests[vendor] <= 14, "{vendor}: {} requests for {} phones", requests[vendor], phones[vendor]);
    }
    assert!(requests["vivo"] <= 28, "vivo: {} requests for {} phones", requests["vivo"], phones["vivo"]);
    assert_eq!(requests["fcm"], phones["fcm"]);
    assert_eq!(requests["apns"], phones["apns"]);
}
