//! Devices belong to the installation and the session that registered them: an installation id
//! keeps one row across token refreshes, signing out removes the session's device (no push
//! reaches it afterwards), and a second account signing in on the same phone takes it over.

use crate::helpers::{PASSWORD, Session, TestApp, eventually, spawn_app};
use chrono::{DateTime, Utc};
use entity::device;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use serde_json::json;
use wushe::domain::messaging::notifications::{self, Category, Message};

/// An app with workers, at noon in Shanghai (pushes go out at once).
async fn daytime_app() -> TestApp {
    let app = spawn_app().await;
    app.clock.set(DateTime::parse_from_rfc3339("2026-11-27T04:00:00Z").unwrap().with_timezone(&Utc));
    app.start_workers();
    app
}

async fn register(app: &TestApp, s: &Session, installation: &str, token: &str) -> crate::helpers::Resp {
    register_with(app, s, "fcm", installation, token).await
}

async fn register_with(
    app: &TestApp,
    s: &Session,
    provider: &str,
    installation: &str,
    token: &str,
) -> crate::helpers::Resp {
    let body = json!({"platform": "android", "provider": provider, "token": token,
        "installationId": installation, "appId": "cn.suzhou.wushe"});
    app.post("/api/v1/me/devices", Some(&s.access), body).await
}

async fn tell(app: &TestApp, to: &Session, key: &str) {
    let txn = app.db().begin().await.unwrap();
    let m = Message::new(to.user_id.parse().unwrap(), Category::RescueCallout, "rescue.callout", key)
        .param("place", "东湖小区3号楼");
    notifications::tell(&txn, m).await.unwrap();
    txn.commit().await.unwrap();
}

/// The device ids that pushes went to.
fn pushed_to(app: &TestApp) -> Vec<uuid::Uuid> {
    app.pushes().iter().map(|p| p.device_id).collect()
}

async fn device_of(app: &TestApp, installation: &str) -> Option<device::Model> {
    device::Entity::find().filter(device::Column::InstallationId.eq(installation)).one(app.db()).await.unwrap()
}

#[tokio::test]
async fn an_installation_keeps_one_device_across_token_refreshes() {
    let app = spawn_app().await;
    let a = app.register_volunteer().await;
    let hms = "IQAAAACy0kYcAADe5b1mX0zN7tq3Vh8_wQ-6d2bV5Rk9rNwQpLx4oIzZ1hT7cFgYwA";
    // A Huawei token must look like one (`messaging::push_tokens`).
    register_with(&app, &a, "huawei", "inst-1", "token-1").await.expect_problem(400, "invalid_token");
    let first = register_with(&app, &a, "huawei", "inst-1", hms).await.expect(201);
    assert_eq!(first.body["provider"], "huawei");
    assert_eq!(first.body["installationId"], "inst-1");
    assert_eq!(first.body["appId"], "cn.suzhou.wushe");
    let again = register(&app, &a, "inst-1", "token-2").await.expect(200);
    assert_eq!(again.str("id"), first.str("id"));
    assert_eq!(device_of(&app, "inst-1").await.unwrap().token, "token-2");
    // An old build that sends no installation id finds the row by its token.
    app.post("/api/v1/me/devices", Some(&a.access), json!({"platform": "android", "token": "token-2"}))
        .await
        .expect(200);
    // Another installation that is handed the same token takes it: still one row per token.
    register(&app, &a, "inst-2", "token-2").await.expect(201);
    assert!(device_of(&app, "inst-1").await.is_none());
    assert_eq!(app.count("devices").await, 1);
    for (body, code) in [
        (json!({"platform": "android", "provider": "apns", "token": "t"}), "validation_failed"),
        (json!({"platform": "android", "provider": "nokia", "token": "t"}), "validation_failed"),
        (json!({"platform": "android", "token": "t", "installationId": "has space"}), "validation_failed"),
        (json!({"platform": "android", "token": "t", "installationId": "x".repeat(65)}), "validation_failed"),
    ] {
        app.post("/api/v1/me/devices", Some(&a.access), body).await.expect_problem(400, code);
    }
    assert_eq!(app.count("devices").await, 1);
}

#[tokio::test]
async fn signing_out_removes_the_sessions_device() {
    let app = daytime_app().await;
    let a = app.register_volunteer().await;
    let phone = register(&app, &a, "phone", "token-phone").await.expect(201).str("id");
    let tablet_session = app.login(&a.phone, PASSWORD).await;
    let tablet = register(&app, &tablet_session, "tablet", "token-tablet").await.expect(201).str("id");

    app.post("/api/v1/auth/logout", None, json!({"refreshToken": a.refresh})).await.expect(204);
    assert!(device_of(&app, "phone").await.is_none(), "the signed-out session's device is gone");
    assert!(device_of(&app, "tablet").await.is_some(), "the other session's device stays");

    tell(&app, &a, "after-sign-out").await;
    eventually(20, "the push to the tablet", || async { !app.pushes().is_empty() }).await;
    let to = pushed_to(&app);
    assert_eq!(to.iter().map(ToString::to_string).collect::<Vec<_>>(), vec![tablet.clone()]);
    assert!(!to.iter().any(|d| d.to_string() == phone));

    // Revocation of every session (a password reset, suspension or erasure does this) removes
    // the rest.
    let person = a.user_id.parse().unwrap();
    wushe::db::write(app.db(), async |txn| {
        wushe::domain::people::sessions::revoke_all(txn, person, app.clock_now(), "test", None).await
    })
    .await
    .unwrap();
    assert_eq!(app.count("devices").await, 0);
}

#[tokio::test]
async fn a_second_account_on_the_same_phone_takes_the_device_over() {
    let app = daytime_app().await;
    let (a, b) = (app.register_volunteer().await, app.register_volunteer().await);
    let id = register(&app, &a, "shared-phone", "token-a").await.expect(201).str("id");
    // A hands the phone on without signing out; B signs in on it and the app registers.
    let b = app.login(&b.phone, PASSWORD).await;
    let taken = register(&app, &b, "shared-phone", "token-b").await.expect(200);
    assert_eq!(taken.str("id"), id, "the same installation's row");
    assert!(
        app.get("/api/v1/me/devices", Some(&a.access)).await.expect(200).body["items"].as_array().unwrap().is_empty()
    );

    tell(&app, &a, "for-a").await;
    tell(&app, &b, "for-b").await;
    eventually(20, "B's push", || async { !app.pushes().is_empty() }).await;
    eventually(20, "both inbox rows", || async { app.count("notifications").await == 2 }).await;
    // A's push had nowhere to go; B's went to the phone, once.
    let pushes = app.pushes();
    assert_eq!(pushes.len(), 1, "{:?}", pushed_to(&app));
    assert_eq!(pushes[0].device_id.to_string(), id);

    // A signing out of the old session later leaves B's device alone.
    app.post("/api/v1/auth/logout", None, json!({"refreshToken": a.refresh})).await.expect(204);
    assert_eq!(device_of(&app, "shared-phone").await.unwrap().user_id.to_string(), b.user_id);
}
