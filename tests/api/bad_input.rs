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

/// NUL and other control characters in any string a request carries (body, query, path; signed
/// in or not) are 400 `invalid_text`, never the 500 PostgreSQL answered when it met NUL in text;
/// names also refuse invisible formatting characters; free text keeps its line breaks.
#[tokio::test]
async fn control_and_invisible_characters_are_invalid_text_and_change_nothing() {
    let app = spawn_app().await;
    let phone = app.new_phone();
    let with_nul = format!("{}\u{0}", &phone[..phone.len() - 1]);
    app.post("/api/v1/auth/codes", None, json!({"phone": with_nul, "purpose": "registration"}))
        .await
        .expect_problem(400, "invalid_text");
    let code = app.request_code(&phone, "registration").await;
    let codes = app.count("verification_codes").await;
    let reg = |details: serde_json::Value| json!({"phone": phone, "code": code, "registration": details});
    for name in
        ["张\u{0}三", "张三\n", "张\t三", "李\u{1b}[31m四", "abc\u{202E}gpj.exe", "王\u{2067}五", "赵\u{200B}六"]
    {
        let r = app.post("/api/v1/auth/register", None, reg(new_volunteer(name, "1990-01-01"))).await;
        let r = r.expect_problem(400, "invalid_text");
        assert!(r.body["detail"].as_str().unwrap().contains("registration.name"), "{}", r.body);
    }
    let mut password = new_volunteer("张三", "1990-01-01");
    password["password"] = json!("correct horse\u{0} battery");
    app.post("/api/v1/auth/register", None, reg(password)).await.expect_problem(400, "invalid_text");
    let url = format!("{}/api/v1/auth/register", app.base);
    let key = r#"{"phone": "13800138000", "code": "123456", "k\u0000": 1}"#;
    let r = app.client.post(&url).header("content-type", "application/json").body(key).send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["code"], "invalid_text");
    assert_eq!(app.count("users").await, 0, "no registration went through");
    assert_eq!(app.count("verification_codes").await, codes);

    // The code still works for a clean name.
    let v = session_of(&app.post("/api/v1/auth/register", None, reg(new_volunteer("张三", "1990-01-01"))).await);
    let admin = app.city_admin().await;
    app.get("/api/v1/users?q=%00", Some(&admin.access)).await.expect_problem(400, "invalid_text");
    app.get("/api/v1/users?q=a%0Ab", Some(&admin.access)).await.expect_problem(400, "invalid_text");
    app.get("/api/v1/users/%00", Some(&admin.access)).await.expect_problem(400, "invalid_text");
    // Free text keeps line breaks and tabs, and nothing else.
    for bio in ["a\u{0}b", "a\r\nb", "a\u{85}b", "a\u{2028}b"] {
        app.patch("/api/v1/me", Some(&v.access), json!({"bio": bio})).await.expect_problem(400, "invalid_text");
    }
    app.patch("/api/v1/me", Some(&v.access), json!({"name": "名\u{202D}字"})).await.expect_problem(400, "invalid_text");
    let me = app.patch("/api/v1/me", Some(&v.access), json!({"bio": "第一行\n\t第二行 \u{202E}"})).await.expect(200);
    assert_eq!(me.body["volunteer"]["bio"], "第一行\n\t第二行 \u{202E}", "free text may hold a direction mark");
    assert_eq!(me.body["name"], "张三");
}

fn session_of(r: &crate::helpers::Resp) -> crate::helpers::Session {
    crate::helpers::session_from(r)
}

/// Invalid requests never answer with what was sent: distinctive values (a password, a phone,
/// made-up enum values and keys) sent wrongly to many operations never appear in a body.
#[tokio::test]
async fn problem_details_never_echo_submitted_values() {
    let app = spawn_app().await;
    let v = app.register_volunteer().await;
    let admin = app.city_admin().await;
    const SECRET: &str = "Xq7SecretPassw0rd";
    const PHONE: &str = "13987654321";
    let url = |p: &str| format!("{}{p}", app.base);
    let mut answers = Vec::new();
    let bodies: Vec<(&str, Option<&str>, serde_json::Value)> = vec![
        ("/api/v1/auth/login", None, json!({"phone": PHONE, "password": 13987654321u64})),
        ("/api/v1/auth/login", None, json!({"phone": 13987654321u64, "password": SECRET})),
        ("/api/v1/auth/login", None, json!({"phone": PHONE, "password": SECRET, "Xq7SecretKey": 1})),
        ("/api/v1/auth/login", None, json!({"phone": [PHONE], "password": {"p": SECRET}})),
        ("/api/v1/auth/codes", None, json!({"phone": PHONE, "purpose": SECRET})),
        ("/api/v1/auth/codes", None, json!({"phone": format!("+86{PHONE}999"), "purpose": "signIn"})),
        ("/api/v1/auth/register", None, json!({"phone": PHONE, "code": SECRET, "registration": {"name": 1}})),
        (
            "/api/v1/auth/register",
            None,
            json!({"phone": PHONE, "code": "123456", "registration": new_volunteer("x", "1990-01-01").as_object().unwrap().clone().into_iter().chain([("password".to_string(), json!(SECRET.repeat(10)))]).collect::<serde_json::Map<_, _>>()}),
        ),
        ("/api/v1/me/password", Some(&v.access), json!({"currentPassword": SECRET, "newPassword": 1})),
        ("/api/v1/me/phone/code", Some(&v.access), json!({"phone": format!("{PHONE}{SECRET}")})),
        ("/api/v1/users", Some(&admin.access), json!({"phone": PHONE, "name": SECRET, "role": SECRET})),
    ];
    for (path, token, body) in bodies {
        let mut r = app.client.post(url(path)).json(&body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        answers.push((path.to_string(), r.send().await.unwrap()));
    }
    let patches =
        [json!({"timeZone": format!("Mars/{SECRET}")}), json!({"locale": SECRET}), json!({"birthDate": PHONE})];
    for body in patches {
        answers.push((
            "PATCH /me".into(),
            app.client.patch(url("/api/v1/me")).bearer_auth(&v.access).json(&body).send().await.unwrap(),
        ));
    }
    for path in [
        format!("/api/v1/users/{SECRET}"),
        format!("/api/v1/users?role={SECRET}"),
        format!("/api/v1/users?limit={PHONE}{PHONE}"),
        format!("/api/v1/users?orgUnitId={SECRET}"),
        format!("/api/v1/talent?credentialKind={SECRET}"),
    ] {
        answers.push((path.clone(), app.client.get(url(&path)).bearer_auth(&admin.access).send().await.unwrap()));
    }
    let r = app.client.post(url("/api/v1/auth/login")).header("content-type", format!("text/{SECRET}")).body("x");
    answers.push(("content type".into(), r.send().await.unwrap()));
    for (what, r) in answers {
        let status = r.status();
        let body = r.text().await.unwrap();
        assert!(status.is_client_error(), "{what}: {status} {body}");
        for secret in [SECRET, PHONE, "Xq7"] {
            assert!(!body.contains(secret), "{what} echoes what was sent: {body}");
        }
    }
}
