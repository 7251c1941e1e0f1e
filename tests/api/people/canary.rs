//! The canary test: people with recognisable names, phones and identity numbers go through a
//! full scenario (registration by code with retries, sign-in and password reset by code, failed and good sign-ins, duplicates, real-name
//! identity, health notes, a guardian, searches, audited reads, an administrator's change,
//! a push to their phone, export, erasure); then the captured logs, every error body, the push
//! payloads and the raw database (SQLite file or `pg_dump`) are scanned. No identity number may be found in plaintext anywhere; no name or
//! phone in logs or error bodies; after erasure, none of the person's data in the database.

use crate::helpers::{PASSWORD, id_number_born, new_volunteer, spawn_app};
use crate::logs::{capture_logs, captured_logs};
use serde_json::{Value, json};

fn find(haystack: &[u8], needle: &str) -> bool {
    let n = needle.as_bytes();
    haystack.windows(n.len()).any(|w| w == n)
}

#[tokio::test]
async fn no_canary_reaches_logs_error_bodies_or_the_database_in_plaintext() {
    capture_logs();
    let app = spawn_app().await;
    // Noon in Shanghai, so the canary's push is not held back by quiet hours (22:00–08:00).
    let noon = chrono::Utc::now().date_naive().and_hms_opt(4, 0, 0).unwrap().and_utc();
    app.clock.set(noon);
    let name = "金丝雀甲乙丙";
    let phone_national = "13812340987";
    let phone = format!("+86{phone_national}");
    let id_number = id_number_born("19851203");
    let guardian_name = "金丝雀监护人";
    let guardian_phone = "13812340988";
    let health = "金丝雀病历哮喘";
    let mut errors: Vec<Value> = Vec::new();
    let mut keep = |r: crate::helpers::Resp| {
        if !r.status.is_success() {
            errors.push(r.body.clone());
        }
        r
    };

    let f = app.two_stations().await;
    // Registration with a code, retried with a key, and once more without.
    let mut codes = vec![app.request_code(phone_national, "registration").await];
    let body = json!({"phone": phone_national, "code": codes[0], "registration": new_volunteer(name, "1985-12-03")});
    for _ in 0..2 {
        let r = app
            .client
            .post(format!("{}/api/v1/auth/register", app.base))
            .header("idempotency-key", "canary-registration")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    keep(app.post("/api/v1/auth/register", None, body.clone()).await.expect_problem(400, "code_invalid"));
    keep(
        app.post("/api/v1/auth/login", None, json!({"phone": phone_national, "password": "wrong pw!"}))
            .await
            .expect(401),
    );
    let mut too_long = body.clone();
    too_long["registration"]["name"] = json!(name.repeat(10));
    keep(app.post("/api/v1/auth/register", None, too_long).await.expect(400));
    let mut unknown_field = body.clone();
    unknown_field["idNumber"] = json!(id_number);
    keep(app.post("/api/v1/auth/register", None, unknown_field).await.expect(400));
    // Sign-in by code, a wrong code, and a password reset by code.
    // One code a minute per number.
    app.clock.advance(chrono::Duration::seconds(61));
    codes.push(app.request_code(phone_national, "signIn").await);
    let wrong = if codes[1] == "000000" { "000001" } else { "000000" };
    keep(
        app.post("/api/v1/auth/login/code", None, json!({"phone": phone_national, "code": wrong}))
            .await
            .expect_problem(400, "code_invalid"),
    );
    keep(
        app.post("/api/v1/auth/login/code", None, json!({"phone": phone_national, "code": codes[1]})).await.expect(200),
    );
    app.clock.advance(chrono::Duration::seconds(61));
    codes.push(app.request_code(phone_national, "passwordReset").await);
    let reset = json!({"phone": phone_national, "code": codes[2], "newPassword": PASSWORD});
    keep(app.post("/api/v1/auth/password-reset", None, reset).await.expect(200));
    let me = app.login(&phone, PASSWORD).await;
    keep(app.patch("/api/v1/me", Some(&me.access), json!({"name": name, "bio": name})).await.expect(200));

    // Real-name identity: refused, accepted, clashing; health notes; a guardian.
    let mut bad = id_number.clone();
    bad.replace_range(17.., if id_number.ends_with('1') { "2" } else { "1" });
    keep(
        app.put(
            "/api/v1/me/identity",
            Some(&me.access),
            json!({"idNumber": bad, "realName": name, "consentVersion": "v1"}),
        )
        .await
        .expect(400),
    );
    let identity = json!({"idNumber": id_number, "realName": name, "consentVersion": "v1"});
    keep(app.put("/api/v1/me/identity", Some(&me.access), identity.clone()).await.expect(200));
    keep(app.put("/api/v1/me/identity", Some(&f.stations[0].volunteer.access), identity).await.expect(202));
    keep(
        app.put("/api/v1/me/health-notes", Some(&me.access), json!({"notes": health, "consentVersion": "v1"}))
            .await
            .expect(200),
    );
    let guardian = json!({"name": guardian_name, "phone": guardian_phone, "relationship": "parent"});
    keep(app.put("/api/v1/me/guardian", Some(&me.access), guardian).await.expect(200));
    codes.push(app.code_sent_to(&format!("+86{guardian_phone}")).await.expect("the guardian's code"));
    let confirm = json!({"code": codes[3], "consentVersion": "g1"});
    keep(app.post("/api/v1/me/guardian/confirm", Some(&me.access), confirm).await.expect(200));

    // Administrators search, read, change and look up.
    let admin = &f.city_admin;
    keep(app.get(&format!("/api/v1/users?q={phone_national}"), Some(&admin.access)).await.expect(200));
    keep(app.get(&format!("/api/v1/users?q={name}"), Some(&admin.access)).await.expect(200));
    keep(app.get(&format!("/api/v1/users/{}/sensitive", me.user_id), Some(&admin.access)).await.expect(200));
    keep(
        app.post("/api/v1/users/identity-lookup", Some(&admin.access), json!({"idNumber": id_number}))
            .await
            .expect(200),
    );
    keep(
        app.post("/api/v1/users/identity-lookup", Some(&f.stations[0].admin.access), json!({"idNumber": id_number}))
            .await
            .expect(403),
    );
    keep(
        app.patch(
            &format!("/api/v1/users/{}", me.user_id),
            Some(&admin.access),
            json!({"reason": format!("{name} 申请")}),
        )
        .await
        .expect(200),
    );
    keep(
        app.post(
            "/api/v1/users",
            Some(&admin.access),
            json!({"phone": phone_national, "name": name, "password": PASSWORD, "role": "volunteer"}),
        )
        .await
        .expect(409),
    );
    // A push to the canary's phone: its text is generic, its data ids only.
    keep(
        app.post(
            "/api/v1/me/devices",
            Some(&me.access),
            json!({"platform": "android", "token": "canary-device-token"}),
        )
        .await
        .expect(201),
    );
    let txn = sea_orm::TransactionTrait::begin(app.db()).await.unwrap();
    let message = wushe::domain::messaging::notifications::Message::new(
        me.user_id.parse().unwrap(),
        wushe::domain::messaging::notifications::Category::System,
        "system.message",
        "canary-push",
    )
    .param("text", format!("{name} {phone_national}"));
    wushe::domain::messaging::notifications::tell(&txn, message).await.unwrap();
    txn.commit().await.unwrap();
    app.start_workers();
    crate::helpers::eventually(20, "the canary's push", || async { !app.pushes().is_empty() }).await;
    let pushes = format!("{:?}", app.pushes());
    for secret in [name, phone_national, "canary-device-token"].into_iter().chain(codes.iter().map(String::as_str)) {
        assert!(!pushes.contains(secret), "{secret} in a push payload: {pushes}");
    }

    let export = keep(app.get("/api/v1/me/export", Some(&me.access)).await.expect(200));
    assert_eq!(export.body["sections"]["sensitive"]["idNumber"], id_number.as_str(), "the export is whole");

    // Before erasure: the identity number, health notes and guardian exist only sealed.
    let before = app.raw_dump();
    assert!(find(&before, &me.user_id) || find(&before, &me.user_id.replace('-', "")), "the dump holds the data");
    for secret in [id_number.as_str(), health, guardian_name, guardian_phone] {
        assert!(!find(&before, secret), "{secret} in plaintext in the database");
    }
    // Codes: only as keyed hashes (and a 6-digit string may occur by chance in other bytes, so
    // each is looked for as the JSON value it would be stored as).
    for code in &codes {
        assert!(!find(&before, &format!("\"{code}\"")), "code {code} in plaintext in the database");
    }

    keep(app.post("/api/v1/me/erase", Some(&me.access), json!({"password": PASSWORD})).await.expect(204));
    keep(app.get("/api/v1/me", Some(&me.access)).await.expect(401));

    // After erasure: none of the person's data in the database.
    let after = app.raw_dump();
    for secret in [id_number.as_str(), health, guardian_name, guardian_phone, name, phone_national, &phone] {
        assert!(!find(&after, secret), "{secret} survived erasure in the database");
    }

    // Error bodies and logs never held any of it, nor a token.
    assert!(errors.len() >= 9, "the scenario produced its errors: {errors:?}");
    for e in &errors {
        let text = e.to_string();
        for secret in [id_number.as_str(), name, phone_national, guardian_phone, bad.as_str()] {
            assert!(!text.contains(secret), "error body {text} holds {secret}");
        }
        for code in &codes {
            assert!(!text.contains(code.as_str()), "error body {text} holds a code");
        }
    }
    let logs = captured_logs();
    assert!(find(&logs, "/api/v1/me/identity"), "logs were captured");
    for secret in [
        id_number.as_str(),
        bad.as_str(),
        name,
        phone_national,
        guardian_name,
        guardian_phone,
        health,
        me.access.as_str(),
        me.refresh.as_str(),
    ] {
        assert!(!find(&logs, secret), "the logs hold {secret}");
    }
    assert!(find(&logs, "sms (log provider"), "the texts were logged, masked");
    for code in &codes {
        assert!(!find(&logs, &format!("\"{code}\"")) && !find(&logs, &format!("code={code}")), "the logs hold a code");
    }
}
