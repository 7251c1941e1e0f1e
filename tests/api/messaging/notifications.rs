//! The inbox and preferences: messages told through `domain::notifications` land once per
//! recipient and dedupe key, in the person's language; a person sees only their own; quiet hours
//! defer pushes (moving the manual clock), urgent categories bypass them, muted categories
//! reach the inbox only; the typed category, muted-category and role columns round-trip and
//! refuse names they do not know.

use crate::helpers::{NowUtc, PASSWORD, Session, TestApp, eventually, spawn_app};
use chrono::{DateTime, Utc};
use jobs::entity::outbox;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use serde_json::json;
use uuid::Uuid;
use wushe::domain::messaging::notifications::{self, Category, Message};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Tells `to` a system message, as domain code does: in a transaction, through the outbox.
async fn tell(app: &TestApp, to: &Session, key: &str, text: &str, category: Category) {
    let txn = app.db().begin().await.unwrap();
    let m =
        Message::new(to.user_id.parse().unwrap(), category, "system.message", key).param("text", text).data("ref", 7);
    notifications::tell(&txn, m).await.unwrap();
    txn.commit().await.unwrap();
}

async fn processed(app: &TestApp, kind: &str) -> u64 {
    app.state.jobs.metrics.processed(kind)
}

async fn unread(app: &TestApp, s: &Session) -> u64 {
    app.get("/api/v1/me/notifications/unread-count", Some(&s.access)).await.expect(200).body["count"].as_u64().unwrap()
}

#[tokio::test]
async fn inbox_is_ones_own_read_state_and_delta_sync() {
    let app = spawn_app().await;
    app.start_workers();
    let a = app.register_volunteer().await;
    let b = app.register_volunteer().await;
    app.patch("/api/v1/me", Some(&b.access), json!({"locale": "en"})).await.expect(200);
    for i in 0..3 {
        tell(&app, &a, &format!("k{i}"), &format!("第{i}条"), Category::System).await;
    }
    tell(&app, &b, "k0", "hello", Category::System).await;
    // The same message again (a retried request): no second job, no second notification.
    tell(&app, &a, "k0", "第0条", Category::System).await;
    eventually(20, "the outbox relayed", || async { jobs::outbox::pending(app.db()).await.unwrap() == 0 }).await;
    eventually(20, "four notify jobs", || async { processed(&app, "notify").await >= 4 }).await;
    assert_eq!(unread(&app, &a).await, 3);
    assert_eq!(unread(&app, &b).await, 1);

    let list = app.get("/api/v1/me/notifications", Some(&a.access)).await.expect(200);
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    let ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first");
    let mut bodies: Vec<&str> = items.iter().map(|i| i["body"].as_str().unwrap()).collect();
    bodies.sort();
    assert_eq!(bodies, ["第0条", "第1条", "第2条"]);
    assert_eq!(items[0]["title"], "系统通知", "in the person's language (zh-CN)");
    assert_eq!(items[0]["category"], "system");
    assert_eq!(items[0]["data"]["ref"], "7");
    let theirs = app.get("/api/v1/me/notifications", Some(&b.access)).await.expect(200);
    assert_eq!(theirs.body["items"][0]["title"], "Notice", "in the person's language (en)");

    // Someone else's notification does not exist for me.
    let first = items[2]["id"].as_str().unwrap().to_string();
    app.post(&format!("/api/v1/me/notifications/{first}/read"), Some(&b.access), json!({}))
        .await
        .expect_problem(404, "not_found");

    let before_read = app.clock.now_utc();
    app.clock.advance(chrono::Duration::minutes(5));
    let r = app.post(&format!("/api/v1/me/notifications/{first}/read"), Some(&a.access), json!({})).await.expect(200);
    assert!(r.body["readAt"].is_string());
    app.post(&format!("/api/v1/me/notifications/{first}/read"), Some(&a.access), json!({})).await.expect(200);
    assert_eq!(unread(&app, &a).await, 2);
    let unread_only = app.get("/api/v1/me/notifications?unread=true", Some(&a.access)).await.expect(200);
    assert_eq!(unread_only.body["items"].as_array().unwrap().len(), 2);
    let since = before_read.to_rfc3339().replace('+', "%2B");
    let delta = app.get(&format!("/api/v1/me/notifications?since={since}"), Some(&a.access)).await.expect(200);
    let delta = delta.body["items"].as_array().unwrap();
    assert_eq!(delta.len(), 1, "only what changed since");
    assert_eq!(delta[0]["id"], first.as_str());

    let page = app.get("/api/v1/me/notifications?limit=2", Some(&a.access)).await.expect(200);
    let cursor = page.str("nextCursor");
    let rest = app.get(&format!("/api/v1/me/notifications?limit=2&cursor={cursor}"), Some(&a.access)).await.expect(200);
    assert_eq!(rest.body["items"].as_array().unwrap().len(), 1);

    let all = app.post("/api/v1/me/notifications/read-all", Some(&a.access), json!({})).await.expect(200);
    assert_eq!(all.body["updated"], 2);
    assert_eq!(unread(&app, &a).await, 0);
    app.get("/api/v1/me/notifications", None).await.expect_problem(401, "unauthorized");
}

#[tokio::test]
async fn preferences_default_validate_and_refuse_muting_urgent_categories() {
    let app = spawn_app().await;
    let v = app.register_volunteer().await;
    let p = app.get("/api/v1/me/notification-preferences", Some(&v.access)).await.expect(200);
    assert_eq!(
        p.body,
        json!({"quietHoursEnabled": true, "quietHoursStart": "22:00", "quietHoursEnd": "08:00",
        "mutedCategories": [], "timeZone": "Asia/Shanghai"})
    );
    let p = app
        .patch(
            "/api/v1/me/notification-preferences",
            Some(&v.access),
            json!({"quietHoursStart": "23:30", "mutedCategories": ["announcement", "honour", "announcement"]}),
        )
        .await
        .expect(200);
    assert_eq!(p.body["quietHoursStart"], "23:30");
    assert_eq!(p.body["quietHoursEnd"], "08:00");
    assert_eq!(p.body["mutedCategories"], json!(["announcement", "honour"]));
    let again = app.get("/api/v1/me/notification-preferences", Some(&v.access)).await.expect(200);
    assert_eq!(again.body, p.body);
    for bad in [json!({"quietHoursEnd": "25:00"}), json!({"quietHoursStart": "9am"})] {
        app.patch("/api/v1/me/notification-preferences", Some(&v.access), bad)
            .await
            .expect_problem(400, "invalid_time");
    }
    app.patch("/api/v1/me/notification-preferences", Some(&v.access), json!({"mutedCategories": ["rescue_callout"]}))
        .await
        .expect_problem(400, "category_not_mutable");
    app.patch("/api/v1/me/notification-preferences", Some(&v.access), json!({"mutedCategories": ["nonsense"]}))
        .await
        .expect_problem(400, "validation_failed");
    app.patch("/api/v1/me/notification-preferences", Some(&v.access), json!({"quietHours": "off"}))
        .await
        .expect_problem(400, "validation_failed");
}

async fn push_jobs_for(app: &TestApp, notification: &str) -> usize {
    outbox::Entity::find()
        .filter(outbox::Column::Kind.eq("push.send"))
        .filter(outbox::Column::Payload.contains(notification))
        .all(app.db())
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn quiet_hours_defer_pushes_urgent_ones_bypass_them_muted_ones_stay_in_the_inbox() {
    let app = spawn_app().await;
    // 23:30 in Shanghai.
    app.clock.set(at("2026-11-27T15:30:00Z"));
    app.start_workers();
    let v = app.register_volunteer().await;
    app.post("/api/v1/me/devices", Some(&v.access), json!({"platform": "android", "token": "phone-1"}))
        .await
        .expect(201);

    tell(&app, &v, "night", "晚上的消息", Category::TaskChange).await;
    tell(&app, &v, "rescue", "救援", Category::RescueCallout).await;
    eventually(20, "the urgent push", || async { app.pushes().len() == 1 }).await;
    let urgent = &app.pushes()[0].message;
    assert!(urgent.high_priority);
    assert_eq!(urgent.data["kind"], "rescue_callout");
    assert!(!urgent.body.contains("救援") || urgent.body == "有紧急救援任务，请打开应用查看。", "generic text only");
    eventually(20, "both in the inbox", || async { unread(&app, &v).await == 2 }).await;
    assert_eq!(app.pushes().len(), 1, "the other push waits for the morning");
    eventually(20, "the push job waiting for the morning", || async {
        app.state.jobs.push_queue.stats().await.unwrap().delayed == 1
    })
    .await;

    // 08:00 in Shanghai: quiet hours are over and the deferred push goes.
    app.clock.set(at("2026-11-28T00:00:01Z"));
    let v = app.login(&v.phone, PASSWORD).await;
    eventually(20, "the deferred push", || async { app.pushes().len() == 2 }).await;
    assert_eq!(app.pushes()[1].message.data["kind"], "task_change");

    // Muted: the inbox gets it, no push is even scheduled.
    app.patch("/api/v1/me/notification-preferences", Some(&v.access), json!({"mutedCategories": ["system"]}))
        .await
        .expect(200);
    let notify_done = processed(&app, "notify").await;
    tell(&app, &v, "muted", "静音", Category::System).await;
    eventually(20, "the muted message's job", || async { processed(&app, "notify").await > notify_done }).await;
    let muted = app.get("/api/v1/me/notifications?limit=1", Some(&v.access)).await.expect(200);
    assert_eq!(muted.body["items"][0]["body"], "静音");
    let id = muted.body["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(push_jobs_for(&app, &id).await, 0);
}

#[tokio::test]
async fn reminders_move_cancel_and_fire_once_at_their_instant() {
    let app = spawn_app().await;
    app.clock.set(at("2026-11-27T02:00:00Z"));
    app.start_workers();
    let v = app.register_volunteer().await;
    let user: Uuid = v.user_id.parse().unwrap();
    let due = at("2026-11-27T03:00:00Z");
    let msg = |key: &str| {
        Message::new(user, Category::TaskReminder, "task.reminder_1h", key)
            .param("task", "敬老院探访")
            .param("start", "10:00")
    };
    let txn = app.db().begin().await.unwrap();
    notifications::remind_at(&txn, "signup:1:1h", due, msg("signup:1:1h")).await.unwrap();
    notifications::remind_at(&txn, "signup:2:1h", due, msg("signup:2:1h")).await.unwrap();
    txn.commit().await.unwrap();
    // Signup 2 is cancelled; signup 1's task moves an hour later.
    assert!(notifications::cancel_reminder(app.db(), "signup:2:1h").await.unwrap());
    notifications::remind_at(app.db(), "signup:1:1h", due + chrono::Duration::hours(1), msg("signup:1:1h"))
        .await
        .unwrap();

    let scans = processed(&app, "scheduled.scan").await;
    app.clock.set(due + chrono::Duration::minutes(1));
    let v = app.login(&v.phone, PASSWORD).await;
    eventually(20, "a scan after the original instant", || async { processed(&app, "scheduled.scan").await > scans })
        .await;
    assert_eq!(unread(&app, &v).await, 0, "moved: not due yet");
    app.clock.set(due + chrono::Duration::hours(1) + chrono::Duration::minutes(1));
    let v = app.login(&v.phone, PASSWORD).await;
    eventually(20, "the reminder at its new instant", || async { unread(&app, &v).await == 1 }).await;
    let n = app.get("/api/v1/me/notifications", Some(&v.access)).await.expect(200);
    assert_eq!(n.body["items"][0]["category"], "task_reminder");
    assert!(n.body["items"][0]["body"].as_str().unwrap().contains("敬老院探访"));
    // Later scans do not fire it again.
    let scans = processed(&app, "scheduled.scan").await;
    app.clock.advance(chrono::Duration::minutes(2));
    eventually(20, "another scan", || async { processed(&app, "scheduled.scan").await > scans }).await;
    assert_eq!(unread(&app, &v).await, 1);
}

/// Reads one text column of one row, as stored.
async fn stored_text(app: &TestApp, sql: &str) -> String {
    use sea_orm::ConnectionTrait;
    let row = app
        .db()
        .query_one_raw(sea_orm::Statement::from_string(app.db().get_database_backend(), sql.to_string()))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<String>(0).unwrap()
}

async fn run(app: &TestApp, sql: &str) {
    use sea_orm::ConnectionTrait;
    app.db().execute_unprepared(sql).await.unwrap();
}

#[tokio::test]
async fn typed_message_columns_round_trip_and_refuse_names_they_do_not_know() {
    use entity::announcement::{self, AnnouncementRoles};
    use entity::notification;
    use entity::notification_preference::{self, MutedCategories};
    use entity::user::Role;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let app = spawn_app().await;
    let admin = app.city_admin().await;
    let city = app.create_unit(&admin, "city_center", None, "市").await;
    let v = app.register_volunteer().await;
    let me: Uuid = v.user_id.parse().unwrap();
    let now = app.clock.now_utc();

    let n = notification::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(me),
        category: Set(Category::TaskCancelledShortNotice),
        template: Set("system.notice".into()),
        title: Set("t".into()),
        body: Set("b".into()),
        data: Set("{}".into()),
        dedupe_key: Set("typed".into()),
        created_at: Set(now),
        updated_at: Set(now),
        read_at: Set(None),
    }
    .insert(app.db())
    .await
    .unwrap();
    let muted = MutedCategories(vec![Category::Announcement, Category::Honour]);
    notification_preference::ActiveModel {
        user_id: Set(me),
        quiet_hours_enabled: Set(true),
        quiet_start_minute: Set(22 * 60),
        quiet_end_minute: Set(8 * 60),
        muted_categories: Set(muted.clone()),
        updated_at: Set(now),
    }
    .insert(app.db())
    .await
    .unwrap();
    let roles = AnnouncementRoles(vec![Role::Volunteer, Role::SocialWorker]);
    let a = announcement::ActiveModel {
        id: Set(Uuid::now_v7()),
        author_id: Set(None),
        org_unit_id: Set(city.parse().unwrap()),
        roles: Set(roles.clone()),
        title: Set("t".into()),
        body: Set("b".into()),
        created_at: Set(now),
        recipients: Set(0),
        completed_at: Set(None),
    }
    .insert(app.db())
    .await
    .unwrap();

    // Read back as the same values, stored as the same strings as before they were typed.
    assert_eq!(notification::Entity::find_by_id(n.id).one(app.db()).await.unwrap().unwrap().category, n.category);
    let p = notification_preference::Entity::find_by_id(me).one(app.db()).await.unwrap().unwrap();
    assert_eq!(p.muted_categories, muted);
    assert_eq!(announcement::Entity::find_by_id(a.id).one(app.db()).await.unwrap().unwrap().roles, roles);
    assert_eq!(
        stored_text(&app, "SELECT category FROM notifications WHERE dedupe_key = 'typed'").await,
        "task_cancelled_short_notice"
    );
    assert_eq!(
        stored_text(&app, "SELECT muted_categories FROM notification_preferences").await,
        r#"["announcement","honour"]"#
    );
    assert_eq!(stored_text(&app, "SELECT roles FROM announcements").await, r#"["volunteer","social_worker"]"#);
    assert_eq!(wushe::domain::messaging::notifications::preferences(app.db(), me).await.unwrap().muted, muted.0);

    // A name this build does not know fails the read and says which; it is not read as another
    // category or as "nothing muted".
    run(&app, "UPDATE notifications SET category = 'carrier_pigeon' WHERE dedupe_key = 'typed'").await;
    let err = notification::Entity::find_by_id(n.id).one(app.db()).await.unwrap_err().to_string();
    assert!(err.contains("carrier_pigeon"), "{err}");
    run(&app, r#"UPDATE notification_preferences SET muted_categories = '["announcement","carrier_pigeon"]'"#).await;
    let err = wushe::domain::messaging::notifications::preferences(app.db(), me).await.unwrap_err().to_string();
    assert!(err.contains("carrier_pigeon"), "{err}");
    run(&app, r#"UPDATE announcements SET roles = '["wizard"]'"#).await;
    let err = announcement::Entity::find_by_id(a.id).one(app.db()).await.unwrap_err().to_string();
    assert!(err.contains("wizard"), "{err}");
}
