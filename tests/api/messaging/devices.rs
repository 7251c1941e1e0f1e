//! Devices: registering upserts by token (a token re-registered by someone else moves to them),
//! refreshes `lastSeenAt`, lists and deletes one's own only; stale tokens are deactivated.

use crate::helpers::spawn_app;
use entity::device;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

#[tokio::test]
async fn register_refresh_move_list_and_delete() {
    let app = spawn_app().await;
    let a = app.register_volunteer().await;
    let b = app.register_volunteer().await;
    let body = json!({"platform": "android", "token": "fcm-token-a", "appVersion": "1.2.0", "locale": "zh-CN"});
    let first = app.post("/api/v1/me/devices", Some(&a.access), body.clone()).await.expect(201);
    let id = first.str("id");
    assert_eq!(first.body["platform"], "android");
    assert_eq!(first.body["provider"], "fcm");
    assert!(first.body.get("token").is_none(), "tokens are not echoed");

    app.clock.advance(chrono::Duration::days(20));
    let a = app.login(&a.phone, crate::helpers::PASSWORD).await;
    let b = app.login(&b.phone, crate::helpers::PASSWORD).await;
    let again = app
        .post(
            "/api/v1/me/devices",
            Some(&a.access),
            json!({"platform": "android", "token": "fcm-token-a", "appVersion": "1.3.0"}),
        )
        .await
        .expect(200);
    assert_eq!(again.str("id"), id, "same device");
    assert_eq!(again.body["appVersion"], "1.3.0");
    assert!(again.str("lastSeenAt") > first.str("lastSeenAt"), "refreshed");
    let listed = app.get("/api/v1/me/devices", Some(&a.access)).await.expect(200);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    // The app tells whether its current token is registered by its SHA-256 (hex).
    let sha256_of_token_a = "ea9dd8140f636be3c7472e20a6d64442bcbdf671927a64118140d59698352759";
    assert_eq!(listed.body["items"][0]["tokenSha256"], sha256_of_token_a);
    assert_eq!(first.body["tokenSha256"], sha256_of_token_a);

    // The phone changes hands: the token moves.
    let moved = app
        .post("/api/v1/me/devices", Some(&b.access), json!({"platform": "ios", "token": "fcm-token-a"}))
        .await
        .expect(200);
    assert_eq!(moved.str("id"), id);
    assert!(
        app.get("/api/v1/me/devices", Some(&a.access)).await.expect(200).body["items"].as_array().unwrap().is_empty()
    );
    assert_eq!(app.get("/api/v1/me/devices", Some(&b.access)).await.expect(200).body["items"][0]["platform"], "ios");

    app.call(reqwest::Method::DELETE, &format!("/api/v1/me/devices/{id}"), Some(&a.access), None)
        .await
        .expect_problem(404, "not_found");
    app.call(reqwest::Method::DELETE, &format!("/api/v1/me/devices/{id}"), Some(&b.access), None).await.expect(204);
    assert_eq!(app.count("devices").await, 0);
}

#[tokio::test]
async fn bad_registrations_are_refused() {
    let app = spawn_app().await;
    let a = app.register_volunteer().await;
    for (body, code) in [
        (json!({"platform": "windows", "token": "t"}), "validation_failed"),
        (json!({"platform": "android", "token": ""}), "validation_failed"),
        (json!({"platform": "android", "token": "has space"}), "invalid_token"),
        (json!({"platform": "android", "token": "x".repeat(600)}), "validation_failed"),
        (json!({"platform": "android", "token": "t", "extra": 1}), "validation_failed"),
    ] {
        app.post("/api/v1/me/devices", Some(&a.access), body).await.expect_problem(400, code);
    }
    app.post("/api/v1/me/devices", None, json!({"platform": "android", "token": "t"}))
        .await
        .expect_problem(401, "unauthorized");
    assert_eq!(app.count("devices").await, 0);
}

#[tokio::test]
async fn concurrent_registrations_of_one_token_make_one_device() {
    let app = spawn_app().await;
    let people = futures::future::join_all((0..3).map(|_| app.register_volunteer())).await;
    let answers = futures::future::join_all((0..12).map(|i| {
        let s = &people[i % 3];
        app.post("/api/v1/me/devices", Some(&s.access), json!({"platform": "android", "token": "shared-token"}))
    }))
    .await;
    assert!(
        answers.iter().all(|r| r.status == 200 || r.status == 201),
        "{:?}",
        answers.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert_eq!(answers.iter().filter(|r| r.status == 201).count(), 1);
    assert_eq!(app.count("devices").await, 1);
}

#[tokio::test]
async fn tokens_not_refreshed_for_270_days_are_deactivated() {
    let app = spawn_app().await;
    let a = app.register_volunteer().await;
    app.post("/api/v1/me/devices", Some(&a.access), json!({"platform": "android", "token": "old"})).await.expect(201);
    app.clock.advance(chrono::Duration::days(200));
    let a = app.login(&a.phone, crate::helpers::PASSWORD).await;
    app.post("/api/v1/me/devices", Some(&a.access), json!({"platform": "android", "token": "fresh"})).await.expect(201);
    app.clock.advance(chrono::Duration::days(71));
    let n = wushe::domain::messaging::devices::prune_stale(app.db(), app.clock_now()).await.unwrap();
    assert_eq!(n, 1);
    let old = device::Entity::find().filter(device::Column::Token.eq("old")).one(app.db()).await.unwrap().unwrap();
    assert!(!old.active);
    assert_eq!(old.deactivated_reason.as_deref(), Some("stale"));
    let a = app.login(&a.phone, crate::helpers::PASSWORD).await;
    let listed = app.get("/api/v1/me/devices", Some(&a.access)).await.expect(200);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
}
