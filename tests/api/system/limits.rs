//! Rate limits: per client IP on sign-in and registration, per person and per IP on writes,
//! 429 with `Retry-After`, windows that reset, and counters shared through Redis by every
//! instance.

use crate::helpers::{PASSWORD, redis_url, spawn_app_with};
use serde_json::json;
use wushe::config::Limit;

/// A registration with a made-up code.
fn registration(phone: &str) -> serde_json::Value {
    json!({"phone": phone, "code": "123456", "registration": crate::helpers::new_volunteer("x", "1990-01-01")})
}

#[tokio::test]
async fn sign_in_and_registration_are_limited_per_ip() {
    let app = spawn_app_with(|c| c.rate_limits.auth_per_ip = Limit::per(3, 60)).await;
    let v = app.quick_volunteers(1, None).await.remove(0);
    let login = json!({"phone": v.phone, "password": PASSWORD});
    for _ in 0..3 {
        app.post("/api/v1/auth/login", None, login.clone()).await.expect(200);
    }
    let r = app.post("/api/v1/auth/login", None, login.clone()).await.expect_problem(429, "rate_limited");
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    app.post("/api/v1/auth/register", None, registration(&app.new_phone())).await.expect_problem(429, "rate_limited");
    app.post("/api/v1/auth/codes", None, json!({"phone": app.new_phone(), "purpose": "signIn"}))
        .await
        .expect_problem(429, "rate_limited");
    assert_eq!(app.count("users").await, 1, "a refused registration changes nothing");
    assert_eq!(app.count("verification_codes").await, 0, "a refused code request changes nothing");
    app.clock.advance(chrono::Duration::seconds(retry as i64));
    app.post("/api/v1/auth/login", None, login).await.expect(200);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_ip_has_its_own_budget() {
    let app = spawn_app_with(|c| {
        c.rate_limits.auth_per_ip = Limit::per(1, 60);
        c.trusted_proxy_hops = 1;
    })
    .await;
    // A made-up code: 400 `code_invalid` within the budget, 429 past it.
    let register = |ip: &'static str| {
        let body = registration(&app.new_phone());
        app.client
            .post(format!("{}/api/v1/auth/register", app.base))
            .header("x-forwarded-for", format!("10.0.0.99, {ip}"))
            .json(&body)
            .send()
    };
    assert_eq!(register("203.0.113.1").await.unwrap().status(), 400);
    assert_eq!(register("203.0.113.2").await.unwrap().status(), 400);
    assert_eq!(register("203.0.113.1").await.unwrap().status(), 429);
}

#[tokio::test]
async fn writes_are_limited_per_person_and_reads_are_not() {
    let app = spawn_app_with(|c| c.rate_limits.write_per_user = Limit::per(2, 60)).await;
    let a = app.register_volunteer().await;
    let b = app.register_volunteer().await;
    for _ in 0..2 {
        app.patch("/api/v1/me", Some(&a.access), json!({"bio": "x"})).await.expect(200);
    }
    app.patch("/api/v1/me", Some(&a.access), json!({"bio": "y"})).await.expect_problem(429, "rate_limited");
    app.patch("/api/v1/me", Some(&b.access), json!({"bio": "y"})).await.expect(200);
    for _ in 0..5 {
        app.get("/api/v1/me", Some(&a.access)).await.expect(200);
    }
}

#[tokio::test]
async fn write_limits_also_count_per_ip() {
    let app = spawn_app_with(|c| c.rate_limits.write_per_ip = Limit::per(3, 60)).await;
    let a = app.register_volunteer().await;
    let b = app.register_volunteer().await;
    app.patch("/api/v1/me", Some(&a.access), json!({})).await.expect(200);
    app.patch("/api/v1/me", Some(&b.access), json!({})).await.expect(200);
    app.patch("/api/v1/me", Some(&a.access), json!({})).await.expect(200);
    app.patch("/api/v1/me", Some(&b.access), json!({})).await.expect_problem(429, "rate_limited");
}

#[tokio::test]
async fn instances_sharing_redis_share_one_budget() {
    let Some(url) = redis_url() else {
        return; // runs in CI's PostgreSQL + Redis pass
    };
    let prefix = format!("wushe-test:{}:rl:", uuid::Uuid::new_v4().simple());
    let config = |c: &mut wushe::config::Config| {
        c.redis_url = Some(url.clone());
        c.rate_limits.key_prefix = prefix.clone();
        c.rate_limits.auth_per_ip = Limit::per(3, 60);
    };
    let a = spawn_app_with(config).await;
    let b = spawn_app_with(config).await;
    // Both instances start at the same second of their clocks so they count in one window.
    b.clock.set(wushe::clock::Clock::now(&a.clock));
    let register = async |app: &crate::helpers::TestApp| {
        app.post("/api/v1/auth/register", None, registration(&app.new_phone())).await.status.as_u16()
    };
    // A made-up code: 400 `code_invalid` within the budget.
    assert_eq!(register(&a).await, 400);
    assert_eq!(register(&b).await, 400);
    assert_eq!(register(&a).await, 400);
    assert_eq!(register(&b).await, 429, "the fourth request of the window, whichever instance gets it");
}

#[tokio::test]
async fn instances_sharing_redis_send_a_number_one_code_a_minute_between_them() {
    let Some(url) = redis_url() else {
        return; // runs in CI's PostgreSQL + Redis pass
    };
    let prefix = format!("wushe-test:{}:rl:", uuid::Uuid::new_v4().simple());
    let config = |c: &mut wushe::config::Config| {
        c.redis_url = Some(url.clone());
        c.rate_limits.key_prefix = prefix.clone();
    };
    // Two instances, each with a database of its own: only Redis can tell them apart.
    let a = spawn_app_with(config).await;
    let b = spawn_app_with(config).await;
    b.clock.set(wushe::clock::Clock::now(&a.clock));
    let ask = json!({"phone": "+8613912345678", "purpose": "signIn"});
    a.post("/api/v1/auth/codes", None, ask.clone()).await.expect(202);
    b.post("/api/v1/auth/codes", None, ask).await.expect_problem(429, "rate_limited");
    assert_eq!(b.count("verification_codes").await, 0);
}

#[tokio::test]
async fn with_redis_unreachable_writes_answer_at_once_and_limits_count_per_instance() {
    // Redis refuses connections: the rate limiter, readiness and the job queue all meet it.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = spawn_app_with(|c| {
        c.redis_url = Some(format!("redis://127.0.0.1:{closed}"));
        c.rate_limits.write_per_user = Limit::per(5, 60);
    })
    .await;
    let v = app.register_volunteer().await;
    let started = std::time::Instant::now();
    for i in 0..5 {
        let t = std::time::Instant::now();
        app.patch("/api/v1/me", Some(&v.access), json!({"bio": format!("{i}")})).await.expect(200);
        assert!(t.elapsed() < std::time::Duration::from_secs(1), "write {i} took {:?}", t.elapsed());
    }
    app.patch("/api/v1/me", Some(&v.access), json!({"bio": "x"})).await.expect_problem(429, "rate_limited");
    assert!(started.elapsed() < std::time::Duration::from_secs(3), "{:?}", started.elapsed());
    let ready = app.get("/readyz", None).await.expect(200);
    assert_eq!(ready.body["checks"]["redis"], "down");
}
