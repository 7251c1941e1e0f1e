//! Registration, sign-in, refresh rotation and reuse detection, sign-out, lockout, token expiry,
//! suspension and password change.

use crate::helpers::{PASSWORD, new_volunteer, spawn_app};
use entity::{session, user};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

#[tokio::test]
async fn register_then_use_the_session() {
    let app = spawn_app().await;
    let code = app.request_code("+8613800138000", "registration").await;
    let r = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"phone": "138 0013 8000", "code": code, "registration": new_volunteer("  小李  ", "1990-01-01")}),
        )
        .await
        .expect(201);
    assert_eq!(r.body["tokenType"], "Bearer");
    assert_eq!(r.body["expiresIn"], 900);
    assert_eq!(r.body["user"]["phone"], "+8613800138000", "normalised to E.164");
    assert_eq!(r.body["user"]["name"], "小李", "trimmed");
    assert_eq!(r.body["user"]["role"], "volunteer");
    assert_eq!(r.body["user"]["status"], "active");
    let number = r.body["user"]["volunteerNumber"].as_str().unwrap();
    assert!(number.starts_with('V') && number.len() == 12);
    let access = r.str("accessToken");

    let me = app.get("/api/v1/me", Some(&access)).await.expect(200);
    assert_eq!(me.body["id"], r.body["user"]["id"]);
    assert_eq!(me.body["locale"], "zh-CN");
    assert_eq!(me.body["timeZone"], "Asia/Shanghai");

    let stored = user::Entity::find().one(app.db()).await.unwrap().unwrap();
    assert!(stored.password_hash.starts_with("$argon2id$"), "argon2id hash stored");
    assert_ne!(stored.password_hash, PASSWORD);
}

#[tokio::test]
async fn one_account_per_phone_even_under_concurrency() {
    let app = spawn_app().await;
    let code = app.request_code("+8613800138001", "registration").await;
    let body = json!({"phone": "13800138001", "code": code, "registration": new_volunteer("同号", "1990-01-01")});
    let results =
        futures::future::join_all((0..12).map(|_| app.post("/api/v1/auth/register", None, body.clone()))).await;
    let created = results.iter().filter(|r| r.status == 201).count();
    assert_eq!(created, 1, "exactly one registration wins");
    for r in results.into_iter().filter(|r| r.status != 201) {
        // The code is used once (or its tries run out under the crowd).
        assert!(
            [(400, "code_invalid"), (429, "code_attempts_exhausted")]
                .contains(&(r.status.as_u16(), r.body["code"].as_str().unwrap())),
            "{:?}",
            r.body
        );
    }
    assert_eq!(app.count("users").await, 1);
}

#[tokio::test]
async fn login_with_wrong_password_or_unknown_phone_is_401() {
    let app = spawn_app().await;
    let s = app.register_volunteer().await;
    app.post("/api/v1/auth/login", None, json!({"phone": s.phone, "password": "wrong password"}))
        .await
        .expect_problem(401, "invalid_credentials");
    app.post("/api/v1/auth/login", None, json!({"phone": "13999999999", "password": PASSWORD}))
        .await
        .expect_problem(401, "invalid_credentials");
    let ok = app.login(&s.phone, PASSWORD).await;
    app.get("/api/v1/me", Some(&ok.access)).await.expect(200);
}

#[tokio::test]
async fn refresh_rotates_and_reuse_ends_the_session() {
    let app = spawn_app().await;
    let s = app.register_volunteer().await;

    let r1 = app.post("/api/v1/auth/refresh", None, json!({"refreshToken": s.refresh})).await.expect(200);
    let second = r1.str("refreshToken");
    assert_ne!(second, s.refresh, "a new refresh token each time");
    let access2 = r1.str("accessToken");
    app.get("/api/v1/me", Some(&access2)).await.expect(200);

    // A retry of the same refresh a moment later (a phone that lost the answer) is forgiven.
    app.clock.advance(chrono::Duration::seconds(3));
    app.post("/api/v1/auth/refresh", None, json!({"refreshToken": s.refresh})).await.expect(200);

    // Long after, presenting the used token again means it leaked: the whole session ends.
    app.clock.advance(chrono::Duration::minutes(5));
    app.post("/api/v1/auth/refresh", None, json!({"refreshToken": s.refresh}))
        .await
        .expect_problem(401, "refresh_token_reused");
    app.post("/api/v1/auth/refresh", None, json!({"refreshToken": second}))
        .await
        .expect_problem(401, "invalid_refresh_token");
    app.get("/api/v1/me", Some(&access2)).await.expect_problem(401, "unauthorized");
    let revoked = session::Entity::find().one(app.db()).await.unwrap().unwrap();
    assert_eq!(revoked.revoked_reason.as_deref(), Some("reuse_detected"));
}

/// The grace the refresh operation documents: a used token presented again within 10 seconds
/// gets another new pair (both pairs work); at 11 seconds the session ends.
#[tokio::test]
async fn refresh_grace_is_ten_seconds_and_answers_a_new_pair() {
    let app = spawn_app().await;
    let doc: serde_json::Value = serde_json::from_str(&wushe::api::openapi_json()).unwrap();
    let op = &doc["paths"]["/api/v1/auth/refresh"]["post"];
    let described =
        format!("{} {}", op["summary"].as_str().unwrap_or_default(), op["description"].as_str().unwrap_or_default());
    assert!(described.contains("within 10 seconds"), "the grace is documented: {described}");

    let s = app.register_volunteer().await;
    let first = app.post("/api/v1/auth/refresh", None, json!({"refreshToken": s.refresh})).await.expect(200);
    app.clock.advance(chrono::Duration::seconds(10));
    let retry = app.post("/api/v1/auth/refresh", None, json!({"refreshToken": s.refresh})).await.expect(200);
    assert_ne!(retry.str("refreshToken"), first.str("refreshToken"), "a new pair");
    app.get("/api/v1/me", Some(&first.str("accessToken"))).await.expect(200);
    app.get("/api/v1/me", Some(&retry.str("accessToken"))).await.expect(200);
    app.post("/api/v1/auth/refresh", None, json!({"refreshToken": retry.str("refreshToken")})).await.expect(200);
    app.post("/api/v1/auth/refresh", None, json!({"refreshToken": first.str("refreshToken")})).await.expect(200);

    let late = app.register_volunteer().await;
    app.post("/api/v1/auth/refresh", None, json!({"refreshToken": late.refresh})).await.expect(200);
    app.clock.advance(chrono::Duration::seconds(11));
    app.post("/api/v1/auth/refresh", None, json!({"refreshToken": late.refresh}))
        .await
        .expect_problem(401, "refresh_token_reused");
}

#[tokio::test]
async fn concurrent_refreshes_of_one_token_all_land_in_one_live_session() {
    let app = spawn_app().await;
    let s = app.register_volunteer().await;
    let body = json!({"refreshToken": s.refresh});
    let results = futures::future::join_all((0..8).map(|_| app.post("/api/v1/auth/refresh", None, body.clone()))).await;
    // Same instant: the winner rotates, the others are forgiven retries; nobody is logged out.
    for r in &results {
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let sessions = session::Entity::find().all(app.db()).await.unwrap();
    assert_eq!(sessions.len(), 1);
    assert!(sessions[0].revoked_at.is_none());
}

#[tokio::test]
async fn garbage_refresh_tokens_are_401() {
    let app = spawn_app().await;
    app.post("/api/v1/auth/refresh", None, json!({"refreshToken": "rt_nonsense"}))
        .await
        .expect_problem(401, "invalid_refresh_token");
}

#[tokio::test]
async fn refresh_tokens_expire() {
    let app = spawn_app().await;
    let s = app.register_volunteer().await;
    app.clock.advance(chrono::Duration::days(31));
    app.post("/api/v1/auth/refresh", None, json!({"refreshToken": s.refresh}))
        .await
        .expect_problem(401, "invalid_refresh_token");
}

#[tokio::test]
async fn logout_ends_the_session_at_once() {
    let app = spawn_app().await;
    let s = app.register_volunteer().await;
    let other = app.login(&s.phone, PASSWORD).await;
    app.post("/api/v1/auth/logout", None, json!({"refreshToken": s.refresh})).await.expect(204);
    app.get("/api/v1/me", Some(&s.access)).await.expect_problem(401, "unauthorized");
    app.post("/api/v1/auth/refresh", None, json!({"refreshToken": s.refresh}))
        .await
        .expect_problem(401, "invalid_refresh_token");
    // Other sessions of the same person continue.
    app.get("/api/v1/me", Some(&other.access)).await.expect(200);
    // Logging out twice is not an error.
    app.post("/api/v1/auth/logout", None, json!({"refreshToken": s.refresh})).await.expect(204);
}

#[tokio::test]
async fn access_tokens_expire() {
    let app = spawn_app().await;
    let s = app.register_volunteer().await;
    app.clock.advance(chrono::Duration::seconds(899));
    app.get("/api/v1/me", Some(&s.access)).await.expect(200);
    app.clock.advance(chrono::Duration::seconds(1));
    app.get("/api/v1/me", Some(&s.access)).await.expect_problem(401, "unauthorized");
    // The refresh token still yields a fresh one.
    let r = app.post("/api/v1/auth/refresh", None, json!({"refreshToken": s.refresh})).await.expect(200);
    app.get("/api/v1/me", Some(&r.str("accessToken"))).await.expect(200);
}

#[tokio::test]
async fn forged_tokens_are_401() {
    let app = spawn_app().await;
    let s = app.register_volunteer().await;
    let mut parts: Vec<String> = s.access.split('.').map(str::to_string).collect();
    parts[2] = "AAAA".into();
    for bad in [parts.join("."), "not.a.jwt".into(), s.refresh.clone(), String::new()] {
        app.get("/api/v1/me", Some(&bad)).await.expect_problem(401, "unauthorized");
    }
    app.get("/api/v1/me", None).await.expect_problem(401, "unauthorized");
}

#[tokio::test]
async fn five_failures_lock_the_phone_for_fifteen_minutes() {
    let app = spawn_app().await;
    let s = app.register_volunteer().await;
    let wrong = json!({"phone": s.phone, "password": "wrong password"});
    for _ in 0..5 {
        app.post("/api/v1/auth/login", None, wrong.clone()).await.expect_problem(401, "invalid_credentials");
    }
    // Even the right password is refused while locked, with a Retry-After.
    let locked = app
        .post("/api/v1/auth/login", None, json!({"phone": s.phone, "password": PASSWORD}))
        .await
        .expect_problem(429, "account_locked");
    let retry: u64 = locked.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 900, "retry-after {retry}");

    app.clock.advance(chrono::Duration::minutes(14));
    app.post("/api/v1/auth/login", None, json!({"phone": s.phone, "password": PASSWORD}))
        .await
        .expect_problem(429, "account_locked");
    app.clock.advance(chrono::Duration::minutes(1));
    app.login(&s.phone, PASSWORD).await;
}

#[tokio::test]
async fn failures_outside_the_window_do_not_add_up() {
    let app = spawn_app().await;
    let s = app.register_volunteer().await;
    let wrong = json!({"phone": s.phone, "password": "wrong password"});
    for _ in 0..4 {
        app.post("/api/v1/auth/login", None, wrong.clone()).await.expect(401);
    }
    app.clock.advance(chrono::Duration::minutes(16));
    for _ in 0..4 {
        app.post("/api/v1/auth/login", None, wrong.clone()).await.expect(401);
    }
    app.login(&s.phone, PASSWORD).await;
}

#[tokio::test]
async fn concurrent_guessing_still_locks() {
    let app = spawn_app().await;
    let s = app.register_volunteer().await;
    let wrong = json!({"phone": s.phone, "password": "wrong password"});
    let results = futures::future::join_all((0..20).map(|_| app.post("/api/v1/auth/login", None, wrong.clone()))).await;
    assert!(results.iter().all(|r| r.status == 401 || r.status == 429));
    app.post("/api/v1/auth/login", None, json!({"phone": s.phone, "password": PASSWORD}))
        .await
        .expect_problem(429, "account_locked");
}

#[tokio::test]
async fn suspension_takes_effect_at_once() {
    let app = spawn_app().await;
    let admin = app.city_admin().await;
    let v = app.register_volunteer().await;
    app.get("/api/v1/me", Some(&v.access)).await.expect(200);
    app.patch(
        &format!("/api/v1/users/{}", v.user_id),
        Some(&admin.access),
        json!({"status": "suspended", "reason": "test"}),
    )
    .await
    .expect(200);
    app.get("/api/v1/me", Some(&v.access)).await.expect_problem(401, "unauthorized");
    app.post("/api/v1/auth/refresh", None, json!({"refreshToken": v.refresh}))
        .await
        .expect_problem(401, "invalid_refresh_token");
    app.post("/api/v1/auth/login", None, json!({"phone": v.phone, "password": PASSWORD}))
        .await
        .expect_problem(403, "account_suspended");
    // Reinstated, they can sign in again.
    app.patch(&format!("/api/v1/users/{}", v.user_id), Some(&admin.access), json!({"status": "active"}))
        .await
        .expect(200);
    app.login(&v.phone, PASSWORD).await;
}

#[tokio::test]
async fn password_change_ends_other_sessions() {
    let app = spawn_app().await;
    let a = app.register_volunteer().await;
    let b = app.login(&a.phone, PASSWORD).await;
    app.post(
        "/api/v1/me/password",
        Some(&a.access),
        json!({"currentPassword": "wrong one", "newPassword": "new password 1"}),
    )
    .await
    .expect_problem(400, "wrong_password");
    let r = app
        .post(
            "/api/v1/me/password",
            Some(&a.access),
            json!({"currentPassword": PASSWORD, "newPassword": "new password 1"}),
        )
        .await
        .expect(200);
    let fresh = r.str("accessToken");
    app.get("/api/v1/me", Some(&fresh)).await.expect(200);
    app.get("/api/v1/me", Some(&a.access)).await.expect_problem(401, "unauthorized");
    app.get("/api/v1/me", Some(&b.access)).await.expect_problem(401, "unauthorized");
    app.post("/api/v1/auth/refresh", None, json!({"refreshToken": b.refresh})).await.expect(401);
    // This session's refresh token continues.
    app.post("/api/v1/auth/refresh", None, json!({"refreshToken": a.refresh})).await.expect(200);
    app.post("/api/v1/auth/login", None, json!({"phone": a.phone, "password": PASSWORD})).await.expect(401);
    app.login(&a.phone, "new password 1").await;
}

#[tokio::test]
async fn role_cannot_be_raised_through_anything_a_user_controls() {
    let app = spawn_app().await;
    let v = app.register_volunteer().await;
    let mut body = app.registration("x", None).await;
    body["registration"]["role"] = json!("city_admin");
    app.post("/api/v1/auth/register", None, body.clone()).await.expect_problem(400, "validation_failed");
    body["role"] = json!("city_admin");
    body["registration"].as_object_mut().unwrap().remove("role");
    app.post("/api/v1/auth/register", None, body).await.expect_problem(400, "validation_failed");
    for body in [json!({"role": "city_admin"}), json!({"status": "active", "name": "x"}), json!({"tokenVersion": 0})] {
        app.patch("/api/v1/me", Some(&v.access), body).await.expect_problem(400, "validation_failed");
    }
    app.patch(&format!("/api/v1/users/{}", v.user_id), Some(&v.access), json!({"role": "city_admin"}))
        .await
        .expect_problem(403, "forbidden");
    app.post(
        "/api/v1/users",
        Some(&v.access),
        json!({"phone": app.new_phone(), "name": "x", "password": PASSWORD, "role": "city_admin"}),
    )
    .await
    .expect_problem(403, "forbidden");
    let stored = user::Entity::find().filter(user::Column::Phone.eq(&v.phone)).one(app.db()).await.unwrap().unwrap();
    assert_eq!(stored.role, user::Role::Volunteer);
    assert_eq!(app.count("users").await, 1);
}
