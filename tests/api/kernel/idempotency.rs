//! `Idempotency-Key`: a repeat replays the first answer byte for byte, another request under the
//! same key is 422, a repeat while the first runs is 409, keys are per person, answers expire
//! after 24 hours, and 50 concurrent requests with one key have exactly one effect.

use crate::helpers::{NowUtc, PASSWORD, TestApp, spawn_app};
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use wushe::domain::kernel::idempotency::{self, Begin, Claim};

/// Sends a POST with a key; returns status, headers and the raw body.
async fn post_keyed(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    key: &str,
    body: &Value,
) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let mut r = app.client.post(format!("{}{path}", app.base)).header("idempotency-key", key).json(body);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let resp = r.send().await.unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    (status, headers, resp.bytes().await.unwrap().to_vec())
}

fn code(body: &[u8]) -> String {
    serde_json::from_slice::<Value>(body).unwrap()["code"].as_str().unwrap_or("").to_string()
}

#[tokio::test]
async fn a_repeat_replays_the_first_answer_byte_for_byte() {
    let app = spawn_app().await;
    let body = app.registration("重试", None).await;
    let (s1, h1, b1) = post_keyed(&app, "/api/v1/auth/register", None, "key-1", &body).await;
    assert_eq!(s1, 201);
    assert!(h1.get("idempotent-replayed").is_none());
    let (s2, h2, b2) = post_keyed(&app, "/api/v1/auth/register", None, "key-1", &body).await;
    assert_eq!(s2, 201);
    assert_eq!(b1, b2, "byte-identical replay");
    assert_eq!(h2["idempotent-replayed"], "true");
    assert_eq!(h2["content-type"], h1["content-type"]);
    assert_eq!(app.count("users").await, 1, "one effect");
    // The stored answer holds tokens: it is sealed, never plain in the database.
    let row = entity::idempotency_key::Entity::find().all(app.db()).await.unwrap();
    let sealed = row[0].response.clone().unwrap();
    assert!(!String::from_utf8_lossy(&sealed).contains("accessToken"));

    // The same key with another body is refused and changes nothing.
    let other = app.registration("另一个", None).await;
    let (s3, _, b3) = post_keyed(&app, "/api/v1/auth/register", None, "key-1", &other).await;
    assert_eq!(s3, 422);
    assert_eq!(code(&b3), "idempotency_key_reused");
    assert_eq!(app.count("users").await, 1);

    // Without a key, nothing is remembered.
    app.post("/api/v1/auth/register", None, other).await.expect(201);
    assert_eq!(app.count("users").await, 2);
}

#[tokio::test]
async fn keys_belong_to_one_person_and_expire_after_a_day() {
    let app = spawn_app().await;
    let a = app.city_admin().await;
    let b = app.city_admin().await;
    let create = |phone: String| json!({"phone": phone, "name": "x", "password": PASSWORD, "role": "volunteer"});
    let body_a = create(app.new_phone());
    let (s, _, first) = post_keyed(&app, "/api/v1/users", Some(&a.access), "shared", &body_a).await;
    assert_eq!(s, 201);
    // Another person's identical key is theirs alone.
    let (s, h, _) = post_keyed(&app, "/api/v1/users", Some(&b.access), "shared", &create(app.new_phone())).await;
    assert_eq!(s, 201);
    assert!(h.get("idempotent-replayed").is_none());

    // Within 24 h the answer replays; after, the request runs again (and meets its own effect).
    app.clock.advance(chrono::Duration::hours(23));
    let a = app.login(&a.phone, PASSWORD).await;
    let (s, _, again) = post_keyed(&app, "/api/v1/users", Some(&a.access), "shared", &body_a).await;
    assert_eq!((s.as_u16(), &again), (201, &first));
    app.clock.advance(chrono::Duration::hours(2));
    let a2 = app.login(&a.phone, PASSWORD).await;
    let (s, _, b) = post_keyed(&app, "/api/v1/users", Some(&a2.access), "shared", &body_a).await;
    assert_eq!(s, 409);
    assert_eq!(code(&b), "phone_taken");
}

#[tokio::test]
async fn a_repeat_while_the_first_runs_is_409_until_its_lease_ends() {
    let app = spawn_app().await;
    let admin = app.city_admin().await;
    let body = json!({"phone": app.new_phone(), "name": "x", "password": PASSWORD, "role": "volunteer"});
    // A first request that is still running (or died) holds the key.
    let fp =
        idempotency::fingerprint(&app.state.data_key, "POST", "/api/v1/users", &serde_json::to_vec(&body).unwrap());
    let claim = Claim {
        scope: admin.user_id.clone(),
        key: "k",
        operation: "createUser",
        fingerprint: fp,
        user_id: Some(admin.user_id.parse().unwrap()),
    };
    let begun = idempotency::begin(app.db(), &app.state.data_key, &claim, app.clock.now_utc()).await.unwrap();
    assert!(matches!(begun, Begin::Proceed(_)));
    let (s, _, b) = post_keyed(&app, "/api/v1/users", Some(&admin.access), "k", &body).await;
    assert_eq!(s, 409);
    assert_eq!(code(&b), "idempotency_key_in_use");
    assert_eq!(app.count("users").await, 1);
    // A request that died releases the key when its lease ends.
    app.clock.advance(idempotency::LEASE + chrono::Duration::seconds(1));
    let admin = app.login(&admin.phone, PASSWORD).await;
    let (s, _, _) = post_keyed(&app, "/api/v1/users", Some(&admin.access), "k", &body).await;
    assert_eq!(s, 201);
    assert_eq!(app.count("users").await, 2);
}

#[tokio::test]
async fn fifty_concurrent_requests_with_one_key_have_one_effect() {
    let app = spawn_app().await;
    let admin = app.city_admin().await;
    let body = json!({"phone": app.new_phone(), "name": "并发", "password": PASSWORD, "role": "volunteer"});
    let results = futures::future::join_all(
        (0..50).map(|_| post_keyed(&app, "/api/v1/users", Some(&admin.access), "one-key", &body)),
    )
    .await;
    let created: Vec<&Vec<u8>> = results.iter().filter(|r| r.0 == 201).map(|r| &r.2).collect();
    assert!(!created.is_empty());
    assert!(created.windows(2).all(|w| w[0] == w[1]), "every 201 is the same answer");
    for (s, _, b) in &results {
        assert!(s.as_u16() == 201 || (s.as_u16() == 409 && code(b) == "idempotency_key_in_use"), "{s} {b:?}");
    }
    assert_eq!(app.count("users").await, 2, "the admin and exactly one new person");
    // Once done, every repeat replays.
    let (s, h, b) = post_keyed(&app, "/api/v1/users", Some(&admin.access), "one-key", &body).await;
    assert_eq!(s, 201);
    assert_eq!(h["idempotent-replayed"], "true");
    assert_eq!(&b, created[0]);
}

#[tokio::test]
async fn malformed_keys_are_400_and_unkeyed_operations_ignore_them() {
    let app = spawn_app().await;
    let body = app.registration("x", None).await;
    let (s, _, b) = post_keyed(&app, "/api/v1/auth/register", None, &"k".repeat(129), &body).await;
    assert_eq!(s, 400);
    assert_eq!(code(&b), "invalid_idempotency_key");
    assert_eq!(app.count("users").await, 0);
    // Operations that are not idempotent by the table simply run.
    let v = app.register_volunteer().await;
    let (s, _, _) =
        post_keyed(&app, "/api/v1/auth/login", None, "k", &json!({"phone": v.phone, "password": PASSWORD})).await;
    assert_eq!(s, 200);
    assert_eq!(app.count("idempotency_keys").await, 0);
}
