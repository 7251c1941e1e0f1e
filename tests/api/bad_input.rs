//! Each class of bad input gets a 4xx problem+json with a stable code, and changes nothing.

use crate::helpers::{new_volunteer, spawn_app};
use serde_json::json;

#[tokio::test]
async fn malformed_and_mistyped_bodies() {
    let app = spawn_app().await;
    let url = format!("{}/api/v1/auth/register", app.base);
    let send = |body: &'static str| app.client.post(&url).header("content-type", "application/json").body(body).send();
    const R: &str = r#""birthDate": "1990-01-01", "privacyPolicyVersion": "v1""#;
    let bodies = [
        "{not json".to_string(),
        "[]".to_string(),
        format!(r#"{{"phone": "13800138000", "code": "123456", "registration": {{"name": ["x"], {R}}}}}"#),
        format!(r#"{{"phone": {{"n": 1}}, "code": "123456", "registration": {{"name": "x", {R}}}}}"#),
        format!(r#"{{"phone": "13800138000", "code": "123456", "registration": {{{R}}}}}"#),
        format!(
            r#"{{"phone": "13800138000", "code": "123456", "registration": {{"name": "x", "locale": "fr", {R}}}}}"#
        ),
        format!(r#"{{"phone": "13800138000", "code": "123456", "extra": 1, "registration": {{"name": "x", {R}}}}}"#),
        format!(
            r#"{{"phone": "13800138000", "code": "123456", "registration": {{"name": "x", "password": "short", {R}}}}}"#
        ),
        format!(r#"{{"phone": "13800138000", "code": "12345", "registration": {{"name": "x", {R}}}}}"#),
        r#"{"phone": "13800138000", "code": "123456", "registration": {"name": "x", "birthDate": "1990-02-30", "privacyPolicyVersion": "v1"}}"#.to_string(),
        format!(
            r#"{{"phone": "13800138000", "code": "123456", "registration": {{"name": "x", "orgUnitId": "not-a-uuid", {R}}}}}"#
        ),
    ];
    for body in bodies {
        let body: &'static str = Box::leak(body.into_boxed_str());
        let r = send(body).await.unwrap();
        assert_eq!(r.status(), 400, "{body}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let p: serde_json::Value = r.json().await.unwrap();
        assert_eq!(p["code"], "validation_failed", "{body}: {p}");
    }
    assert_eq!(app.count("users").await, 0);
}

#[tokio::test]
async fn over_long_strings_are_refused() {
    let app = spawn_app().await;
    let long = "字".repeat(51);
    let reg =
        |phone: String, details: serde_json::Value| json!({"phone": phone, "code": "123456", "registration": details});
    app.post("/api/v1/auth/register", None, reg("13800138000".into(), new_volunteer(&long, "1990-01-01")))
        .await
        .expect_problem(400, "validation_failed");
    app.post("/api/v1/auth/register", None, reg("1".repeat(33), new_volunteer("x", "1990-01-01")))
        .await
        .expect_problem(400, "validation_failed");
    let mut long_password = new_volunteer("x", "1990-01-01");
    long_password["password"] = json!("p".repeat(129));
    app.post("/api/v1/auth/register", None, reg("13800138000".into(), long_password))
        .await
        .expect_problem(400, "validation_failed");
    let v = app.register_volunteer().await;
    app.patch("/api/v1/me", Some(&v.access), json!({"bio": "x".repeat(1001)}))
        .await
        .expect_problem(400, "validation_failed");
    let skills: Vec<String> = (0..21).map(|i| format!("s{i}")).collect();
    app.patch("/api/v1/me", Some(&v.access), json!({"skills": skills})).await.expect_problem(400, "validation_failed");
    app.patch("/api/v1/me", Some(&v.access), json!({"skills": ["x".repeat(33)]}))
        .await
        .expect_problem(400, "validation_failed");
    assert_eq!(app.count("users").await, 1);
    assert_eq!(app.count("user_skills").await, 0);
}

#[tokio::test]
async fn invalid_values_are_refused() {
    let app = spawn_app().await;
    let reg =
        |phone: &str, details: serde_json::Value| json!({"phone": phone, "code": "123456", "registration": details});
    for phone in ["12345", "+86 12800138000", "abcdefghijk"] {
        app.post("/api/v1/auth/register", None, reg(phone, new_volunteer("x", "1990-01-01")))
            .await
            .expect_problem(400, "invalid_phone");
        app.post("/api/v1/auth/codes", None, json!({"phone": phone, "purpose": "signIn"}))
            .await
            .expect_problem(400, "invalid_phone");
    }
    // A birth date in the future, or 131 years ago.
    for birth in ["2999-01-01", "1890-01-01"] {
        app.post("/api/v1/auth/register", None, reg("13800138000", new_volunteer("x", birth)))
            .await
            .expect_problem(400, "invalid_birth_date");
    }
    let v = app.register_volunteer().await;
    app.patch("/api/v1/me", Some(&v.access), json!({"serviceArea": {"lat": 91, "lng": 0, "radiusKm": 1}}))
        .await
        .expect_problem(400, "validation_failed");
    app.patch("/api/v1/me", Some(&v.access), json!({"serviceArea": {"lat": 30, "lng": 120, "radiusKm": 0}}))
        .await
        .expect_problem(400, "validation_failed");
    app.patch("/api/v1/me", Some(&v.access), json!({"serviceArea": {"lat": "north", "lng": 0, "radiusKm": 1}}))
        .await
        .expect_problem(400, "validation_failed");
    app.patch("/api/v1/me", Some(&v.access), json!({"name": ""})).await.expect_problem(400, "validation_failed");
    let mut elsewhere = new_volunteer("x", "1990-01-01");
    elsewhere["orgUnitId"] = json!(uuid::Uuid::now_v7());
    app.post("/api/v1/auth/register", None, reg("13800138000", elsewhere))
        .await
        .expect_problem(400, "org_unit_not_found");
    assert_eq!(app.count("verification_codes").await, 1, "only the volunteer's registration asked for a code");
    assert_eq!(app.count("users").await, 1);
}

#[tokio::test]
async fn oversized_bodies_are_413_declared_or_streamed() {
    let app = spawn_app().await;
    let url = format!("{}/api/v1/auth/register", app.base);
    let big = format!(r#"{{"phone": "13800138000", "code": "123456", "name": "{}"}}"#, "x".repeat(70 * 1024));
    let r = app.client.post(&url).header("content-type", "application/json").body(big.clone()).send().await.unwrap();
    assert_eq!(r.status(), 413);
    let p: serde_json::Value = r.json().await.unwrap();
    assert_eq!(p["code"], "payload_too_large");

    // Without a Content-Length (chunked), the limit still holds.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = big.into_bytes().chunks(4096).map(|c| Ok(c.to_vec())).collect();
    let stream = futures::stream::iter(chunks);
    let r = app
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(app.count("users").await, 0);
}

#[tokio::test]
async fn bad_paths_params_and_media_types() {
    let app = spawn_app().await;
    let admin = app.city_admin().await;
    app.get("/api/v1/users/not-a-uuid", Some(&admin.access)).await.expect_problem(400, "validation_failed");
    app.get("/api/v1/users?limit=0", Some(&admin.access)).await.expect_problem(400, "validation_failed");
    app.get("/api/v1/users?limit=-1", Some(&admin.access)).await.expect_problem(400, "validation_failed");
    app.get("/api/v1/users?cursor=%21%21%21", Some(&admin.access)).await.expect_problem(400, "invalid_cursor");
    app.get("/api/v1/users?role=emperor", Some(&admin.access)).await.expect_problem(400, "validation_failed");
    app.get(&format!("/api/v1/users/{}", uuid::Uuid::now_v7()), Some(&admin.access))
        .await
        .expect_problem(404, "not_found");
    app.get("/api/v1/nothing-here", None).await.expect_problem(404, "not_found");
    app.call(reqwest::Method::DELETE, "/api/v1/me", Some(&admin.access), None)
        .await
        .expect_problem(405, "method_not_allowed");
    let r = app
        .client
        .post(format!("{}/api/v1/auth/login", app.base))
        .header("content-type", "text/plain")
        .body("phone=1&password=2")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    let p: serde_json::Value = r.json().await.unwrap();
    assert_eq!(p["code"], "unsupported_media_type");
}

#[tokio::test]
async fn paths_the_document_does_not_describe_are_refused_at_the_gate() {
    let app = spawn_app().await;
    let v = app.register_volunteer().await;
    // Unknown paths under /api/: 404 problem, signed in or not.
    for token in [None, Some(v.access.as_str())] {
        let r = app.get("/api/v1/no-such-thing", token).await.expect_problem(404, "not_found");
        assert_eq!(r.body["detail"], "no such operation");
        app.get("/api/v1/tasks/1/2/3/4", token).await.expect_problem(404, "not_found");
    }
    // A known path with a method it does not take: 405 with the methods it does.
    let r = app.call(reqwest::Method::DELETE, "/api/v1/me/password", Some(&v.access), None).await;
    let r = r.expect_problem(405, "method_not_allowed");
    assert_eq!(r.headers.get("allow").map(|v| v.to_str().unwrap()), Some("POST"));
    // What the application serves outside the document still answers.
    app.get("/api/openapi.json", None).await.expect(200);
}
