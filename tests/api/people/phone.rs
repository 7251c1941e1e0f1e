//! Phone identity: verification codes (neutral answers, one code under a crowd, limits, tries,
//! expiry, reuse), sign-in by code through a password lockout and registering in the same step,
//! password reset ending every session, phone change told to the old number, and reset codes
//! sent by administrators.

use crate::helpers::{PASSWORD, Resp, eventually, new_volunteer, spawn_app, spawn_app_with};
use serde_json::{Value, json};
use wushe::config::Limit;

fn code_request(phone: &str, purpose: &str) -> Value {
    json!({"phone": phone, "purpose": purpose})
}

/// What a client can observe of an answer, without the per-request headers.
fn observable(r: &Resp) -> (u16, Value, Option<String>) {
    let ct = r.headers.get("content-type").map(|v| v.to_str().unwrap().to_string());
    (r.status.as_u16(), r.body.clone(), ct)
}

#[tokio::test]
async fn asking_for_a_code_answers_alike_for_registered_and_unknown_numbers() {
    let app = spawn_app().await;
    let known = app.register_volunteer().await;
    app.clock.advance(chrono::Duration::seconds(61));
    let unknown = app.new_phone();
    for purpose in ["registration", "signIn", "passwordReset"] {
        let a = app.post("/api/v1/auth/codes", None, code_request(&known.phone, purpose)).await;
        let b = app.post("/api/v1/auth/codes", None, code_request(&unknown, purpose)).await;
        assert_eq!(observable(&a), observable(&b), "{purpose}");
        assert_eq!(a.status, 202);
        assert_eq!(a.body["message"], "if this number can receive a code, it has been sent");
        app.clock.advance(chrono::Duration::seconds(61));
    }
    // The same work was done for both: a code row per number and purpose.
    assert_eq!(app.count("verification_codes").await, 6);
    app.deliver_codes().await;
    let to = |p: &str| -> Vec<(String, bool)> {
        let national = p.trim_start_matches("+86").to_string();
        app.sms()
            .into_iter()
            .filter(|m| m.phone == national)
            .map(|m| (m.template, m.params.contains_key("code")))
            .collect()
    };
    // The registered number: its registration code (at sign-up), then a note instead of a new
    // registration code, a sign-in code and a reset code.
    assert_eq!(
        to(&known.phone),
        vec![("code".into(), true), ("account_exists".into(), false), ("code".into(), true), ("code".into(), true)]
    );
    // The unknown number: a registration and a sign-in code; no reset code for a number without
    // an account.
    assert_eq!(to(&unknown), vec![("code".into(), true), ("code".into(), true)]);
}

#[tokio::test]
async fn twenty_concurrent_requests_for_one_number_send_one_code() {
    let app = spawn_app().await;
    let phone = app.new_phone();
    let answers = futures::future::join_all(
        (0..20).map(|_| app.post("/api/v1/auth/codes", None, code_request(&phone, "signIn"))),
    )
    .await;
    assert_eq!(answers.iter().filter(|r| r.status == 202).count(), 1, "one request wins");
    for r in answers.iter().filter(|r| r.status != 202) {
        assert_eq!(r.status, 429);
        assert!(r.headers.contains_key("retry-after"));
    }
    assert_eq!(app.count("verification_codes").await, 1);
    app.deliver_codes().await;
    assert_eq!(app.sms().len(), 1, "exactly one text");
}

#[tokio::test]
async fn codes_are_limited_per_number_per_device_and_per_address() {
    let app = spawn_app_with(|c| {
        c.sms.per_phone = vec![Limit::per(1, 60), Limit::per(3, 3600)];
        c.sms.per_device = Limit::per(2, 3600);
        c.sms.per_ip = Limit::per(6, 3600);
    })
    .await;
    // Fixed windows: start just after the hour, so the steps below stay in one hourly window.
    let hour = app.clock_now().timestamp() / 3600 * 3600;
    app.clock.set(chrono::DateTime::from_timestamp(hour + 5, 0).unwrap());
    let phone = app.new_phone();
    for _ in 0..3 {
        app.post("/api/v1/auth/codes", None, code_request(&phone, "signIn")).await.expect(202);
        app.post("/api/v1/auth/codes", None, code_request(&phone, "signIn")).await.expect_problem(429, "rate_limited");
        app.clock.advance(chrono::Duration::seconds(61));
    }
    let r =
        app.post("/api/v1/auth/codes", None, code_request(&phone, "signIn")).await.expect_problem(429, "rate_limited");
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 60, "the hourly budget is spent: {retry}");
    // Per device: two numbers, then the third is refused.
    let device = |p: String| json!({"phone": p, "purpose": "signIn", "deviceId": "install-1"});
    app.post("/api/v1/auth/codes", None, device(app.new_phone())).await.expect(202);
    app.post("/api/v1/auth/codes", None, device(app.new_phone())).await.expect(202);
    app.post("/api/v1/auth/codes", None, device(app.new_phone())).await.expect_problem(429, "rate_limited");
    // Per address: 3 + 3 (a refused request counts too) spent the six; a new number is refused.
    app.post("/api/v1/auth/codes", None, code_request(&app.new_phone(), "signIn"))
        .await
        .expect_problem(429, "rate_limited");
    assert_eq!(app.count("verification_codes").await, 3, "refused requests issue nothing");
}

#[tokio::test]
async fn wrong_expired_and_reused_codes_are_refused_and_counted() {
    let app = spawn_app().await;
    let v = app.register_volunteer().await;
    app.clock.advance(chrono::Duration::seconds(61));
    let code = app.request_code(&v.phone, "signIn").await;
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let login = |c: &str| json!({"phone": v.phone, "code": c});
    for left in [4, 3, 2, 1] {
        let r = app.post("/api/v1/auth/login/code", None, login(wrong)).await.expect_problem(400, "code_invalid");
        assert!(r.body["detail"].as_str().unwrap().contains(&format!("{left} tries left")), "{}", r.body);
        assert!(!r.body.to_string().contains(&code) && !r.body.to_string().contains(wrong));
    }
    // The fifth try is the right code: accepted; once only.
    app.post("/api/v1/auth/login/code", None, login(&code)).await.expect(200);
    app.post("/api/v1/auth/login/code", None, login(&code)).await.expect_problem(400, "code_invalid");

    app.clock.advance(chrono::Duration::seconds(61));
    let code = app.request_code(&v.phone, "signIn").await;
    for _ in 0..5 {
        app.post("/api/v1/auth/login/code", None, login(wrong)).await.expect_problem(400, "code_invalid");
    }
    let r =
        app.post("/api/v1/auth/login/code", None, login(&code)).await.expect_problem(429, "code_attempts_exhausted");
    assert!(r.headers.contains_key("retry-after"));

    app.clock.advance(chrono::Duration::seconds(61));
    let code = app.request_code(&v.phone, "signIn").await;
    // A code is good for its purpose only.
    app.clock.advance(chrono::Duration::seconds(61));
    let reset = app.request_code(&v.phone, "passwordReset").await;
    app.post("/api/v1/auth/login/code", None, login(&reset)).await.expect_problem(400, "code_invalid");
    // Five minutes after it was sent, the sign-in code has expired.
    app.clock.advance(chrono::Duration::minutes(4));
    app.post("/api/v1/auth/login/code", None, login(&code)).await.expect_problem(400, "code_expired");
    // Malformed codes never reach the check.
    app.post("/api/v1/auth/login/code", None, login("12a456")).await.expect_problem(400, "validation_failed");
}

#[tokio::test]
async fn sign_in_by_code_gets_through_a_password_lockout_and_registers_new_numbers() {
    let app = spawn_app().await;
    let v = app.register_volunteer().await;
    for _ in 0..5 {
        app.post("/api/v1/auth/login", None, json!({"phone": v.phone, "password": "guessing!"})).await.expect(401);
    }
    app.post("/api/v1/auth/login", None, json!({"phone": v.phone, "password": PASSWORD}))
        .await
        .expect_problem(429, "account_locked");
    app.clock.advance(chrono::Duration::seconds(61));
    let code = app.request_code(&v.phone, "signIn").await;
    let r = app.post("/api/v1/auth/login/code", None, json!({"phone": v.phone, "code": code})).await.expect(200);
    assert_eq!(r.body["user"]["id"], v.user_id.as_str());
    // The owner's code sign-in lifted the lock.
    app.login(&v.phone, PASSWORD).await;

    // A number without an account: the details are asked for, the code stays usable.
    let phone = app.new_phone();
    let code = app.request_code(&phone, "signIn").await;
    app.post("/api/v1/auth/login/code", None, json!({"phone": phone, "code": code}))
        .await
        .expect_problem(422, "registration_required");
    assert_eq!(app.count("users").await, 1);
    let mut details = new_volunteer("新人", "1995-03-04");
    details.as_object_mut().unwrap().remove("password");
    let r = app
        .post("/api/v1/auth/login/code", None, json!({"phone": phone, "code": code, "registration": details}))
        .await
        .expect(201);
    let access = r.str("accessToken");
    let consents = app.get("/api/v1/me/consents", Some(&access)).await.expect(200);
    assert_eq!(consents.body[0]["purpose"], "account");
    assert_eq!(consents.body[0]["version"], "2026-11");
    // No password was set: password sign-in fails until a reset sets one.
    app.post("/api/v1/auth/login", None, json!({"phone": phone, "password": PASSWORD})).await.expect(401);
}

#[tokio::test]
async fn a_password_reset_ends_every_session_and_administrators_only_send_the_code() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let v = app.create_user(&f.stations[0].admin, "volunteer", Some(&f.stations[0].room)).await;
    let other_device = app.login(&v.phone, PASSWORD).await;
    app.post(
        &format!("/api/v1/users/{}/password-reset-code", v.user_id),
        Some(&f.stations[0].admin.access),
        json!(null),
    )
    .await
    .expect(202);
    app.post(
        &format!("/api/v1/users/{}/password-reset-code", v.user_id),
        Some(&f.stations[1].admin.access),
        json!(null),
    )
    .await
    .expect_problem(404, "not_found");
    app.deliver_codes().await;
    let national = v.phone.trim_start_matches("+86");
    let code = app.sms().into_iter().rev().find(|m| m.phone == national).unwrap().params["code"].clone();
    let reset = json!({"phone": v.phone, "code": code, "newPassword": "a brand new one"});
    let r = app.post("/api/v1/auth/password-reset", None, reset.clone()).await.expect(200);
    for old in [&v, &other_device] {
        app.get("/api/v1/me", Some(&old.access)).await.expect_problem(401, "unauthorized");
        app.post("/api/v1/auth/refresh", None, json!({"refreshToken": old.refresh})).await.expect(401);
    }
    app.get("/api/v1/me", Some(&r.str("accessToken"))).await.expect(200);
    app.post("/api/v1/auth/login", None, json!({"phone": v.phone, "password": PASSWORD})).await.expect(401);
    app.login(&v.phone, "a brand new one").await;
    app.post("/api/v1/auth/password-reset", None, reset).await.expect_problem(400, "code_invalid");
    // Weak passwords are refused before the code is spent.
    app.clock.advance(chrono::Duration::seconds(61));
    let code = app.request_code(&v.phone, "passwordReset").await;
    app.post("/api/v1/auth/password-reset", None, json!({"phone": v.phone, "code": code, "newPassword": "short"}))
        .await
        .expect_problem(400, "validation_failed");
}

#[tokio::test]
async fn a_phone_change_is_verified_on_the_new_number_and_told_to_the_old() {
    let app = spawn_app().await;
    let v = app.register_volunteer().await;
    let taken = app.register_volunteer().await;
    let new_phone = app.new_phone();
    app.post("/api/v1/me/phone/code", Some(&v.access), json!({"phone": new_phone})).await.expect(202);
    let code = app.code_sent_to(&new_phone).await.unwrap();
    // Someone else cannot use the code meant for this account.
    app.put("/api/v1/me/phone", Some(&taken.access), json!({"phone": new_phone, "code": code}))
        .await
        .expect_problem(400, "code_invalid");
    let r = app.put("/api/v1/me/phone", Some(&v.access), json!({"phone": new_phone, "code": code})).await.expect(200);
    assert_eq!(r.body["phone"], new_phone.as_str());
    app.login(&new_phone, PASSWORD).await;
    app.post("/api/v1/auth/login", None, json!({"phone": v.phone, "password": PASSWORD})).await.expect(401);
    app.start_workers();
    let old = v.phone.trim_start_matches("+86").to_string();
    eventually(20, "the old number is told", || async {
        app.sms().iter().any(|m| m.phone == old && m.template == "phone_changed")
    })
    .await;
    // Moving onto a number that has an account: its holder got the code, and learns it is taken.
    app.clock.advance(chrono::Duration::seconds(61));
    app.post("/api/v1/me/phone/code", Some(&v.access), json!({"phone": taken.phone})).await.expect(202);
    let code = app.code_sent_to(&taken.phone).await.unwrap();
    app.put("/api/v1/me/phone", Some(&v.access), json!({"phone": taken.phone, "code": code}))
        .await
        .expect_problem(409, "phone_taken");
}
