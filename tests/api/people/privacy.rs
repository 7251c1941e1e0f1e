//! Personal information under PIPL: real-name identity (GB 11643, encrypted, blind-indexed,
//! masked, whole only for a city administrator with an audited read), health notes, guardians
//! and the under-14 rule, consents and their withdrawal, export of every field, and erasure that
//! leaves no personal data while service records stay under a pseudonym.

use crate::helpers::{NowUtc, PASSWORD, id_number, id_number_born, spawn_app};
use entity::{audit_log, consent, identity, user};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

fn identity_body(number: &str) -> Value {
    json!({"idNumber": number, "realName": "王小明", "consentVersion": "2026-01"})
}

#[tokio::test]
async fn identity_is_checked_encrypted_unique_masked_and_read_whole_only_by_a_city_admin() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let v = &f.stations[0].volunteer;
    let number = id_number();
    let mut wrong = number.clone();
    wrong.replace_range(17.., if number.ends_with('0') { "1" } else { "0" });
    app.put("/api/v1/me/identity", Some(&v.access), identity_body(&wrong))
        .await
        .expect_problem(400, "invalid_id_number");
    assert_eq!(app.count("consents").await, 0, "a refused identity records no consent");

    let r = app
        .call(reqwest::Method::PUT, "/api/v1/me/identity", Some(&v.access), Some(&identity_body(&number)))
        .await
        .expect(200);
    assert_eq!(r.body["masked"], true);
    assert_eq!(r.body["idNumber"], format!("{}***********{}", &number[..3], &number[14..]));
    assert_eq!(r.body["realName"], "王**");
    assert_eq!(r.body["birthDate"], "1990-01-01");
    let row = identity::Entity::find().one(app.db()).await.unwrap().unwrap();
    assert!(!String::from_utf8_lossy(&row.number_sealed).contains(&number[6..14]));
    assert!(!row.number_index.contains(&number[..6]));
    let c = consent::Entity::find().one(app.db()).await.unwrap().unwrap();
    assert_eq!((c.purpose, c.version.as_str()), (consent::Purpose::Identity, "2026-01"));

    // Unique through the blind index: a second claim is reviewed, not refused, and changes nothing.
    let other = &f.stations[1].volunteer;
    let review = app.put("/api/v1/me/identity", Some(&other.access), identity_body(&number)).await.expect(202);
    assert!(review.body["disputeId"].is_string());
    assert_eq!(app.get("/api/v1/me/sensitive", Some(&other.access)).await.expect(200).body["idNumber"], Value::Null);

    // The person sees it masked; only a city admin sees it whole, and that read is audited.
    let mine = app.get("/api/v1/me/sensitive", Some(&v.access)).await.expect(200);
    assert_eq!(mine.body["idNumber"], r.body["idNumber"]);
    let path = format!("/api/v1/users/{}/sensitive", v.user_id);
    app.get(&path, Some(&f.stations[0].admin.access)).await.expect_problem(403, "forbidden");
    app.get(&path, Some(&v.access)).await.expect_problem(403, "forbidden");
    let whole = app.get(&path, Some(&f.city_admin.access)).await.expect(200);
    assert_eq!((whole.body["masked"].as_bool(), whole.body["idNumber"].as_str()), (Some(false), Some(number.as_str())));
    assert_eq!(whole.body["realName"], "王小明");
    let reads = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("person.sensitive_read"))
        .all(app.db())
        .await
        .unwrap();
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0].actor_id.map(|a| a.to_string()), Some(f.city_admin.user_id.clone()));
    assert!(reads[0].before.is_none() && reads[0].after.is_none(), "the audit row holds no personal data");

    // Exact look-up through the blind index, audited; nothing for an unknown number.
    let found = app
        .post("/api/v1/users/identity-lookup", Some(&f.city_admin.access), json!({"idNumber": number.to_lowercase()}))
        .await
        .expect(200);
    assert_eq!(found.body["id"], v.user_id.as_str());
    app.post("/api/v1/users/identity-lookup", Some(&f.city_admin.access), json!({"idNumber": id_number()}))
        .await
        .expect_problem(404, "not_found");
    app.post("/api/v1/users/identity-lookup", Some(&f.stations[0].admin.access), json!({"idNumber": number}))
        .await
        .expect_problem(403, "forbidden");
}

#[tokio::test]
async fn withdrawing_a_consent_deletes_what_it_covered_and_nothing_else() {
    let app = spawn_app().await;
    let v = app.register_volunteer().await;
    app.put("/api/v1/me/identity", Some(&v.access), identity_body(&id_number())).await.expect(200);
    app.put("/api/v1/me/health-notes", Some(&v.access), json!({"notes": "花粉过敏", "consentVersion": "v1"}))
        .await
        .expect(200);
    let s = app.get("/api/v1/me/sensitive", Some(&v.access)).await.expect(200);
    assert_eq!(s.body["healthNotes"], "(4 characters recorded)");
    let location = app
        .post("/api/v1/me/consents", Some(&v.access), json!({"purpose": "location", "version": "v3"}))
        .await
        .expect(201);
    let list = app.get("/api/v1/me/consents", Some(&v.access)).await.expect(200);
    assert_eq!(list.body.as_array().unwrap().len(), 4, "account (at registration), identity, health, location");
    let identity_consent = list.body.as_array().unwrap().iter().find(|c| c["purpose"] == "identity").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    let w = app
        .post(&format!("/api/v1/me/consents/{identity_consent}/withdraw"), Some(&v.access), json!(null))
        .await
        .expect(200);
    assert!(w.body["withdrawnAt"].is_string());
    let s = app.get("/api/v1/me/sensitive", Some(&v.access)).await.expect(200);
    assert!(s.body["idNumber"].is_null(), "the identity went with its consent");
    assert_eq!(s.body["healthNotes"], "(4 characters recorded)", "other purposes stay");
    assert_eq!(app.count("identities").await, 0);
    // The core service goes on.
    app.get("/api/v1/me", Some(&v.access)).await.expect(200);
    app.patch("/api/v1/me", Some(&v.access), json!({"bio": "仍可使用"})).await.expect(200);
    // Someone else's consent does not exist for you.
    let other = app.register_volunteer().await;
    app.post(&format!("/api/v1/me/consents/{}/withdraw", location.str("id")), Some(&other.access), json!(null))
        .await
        .expect_problem(404, "not_found");
}

#[tokio::test]
async fn under_fourteens_need_a_guardian_consent_to_sign_up() {
    let app = spawn_app().await;
    let today = app.clock.now_utc().date_naive();
    let child_birth = (today - chrono::Duration::days(365 * 10)).format("%Y%m%d").to_string();
    let child = app.register_volunteer().await;
    let adult = app.register_volunteer().await;
    let nobody_knows = app.register_volunteer().await;
    let id = |s: &crate::helpers::Session| s.user_id.parse::<uuid::Uuid>().unwrap();
    let may = async |s: &crate::helpers::Session| {
        wushe::domain::people::guardians::ensure_may_sign_up(app.db(), id(s), today).await.map_err(|e| e.to_string())
    };
    app.put("/api/v1/me/identity", Some(&child.access), identity_body(&id_number_born(&child_birth))).await.expect(200);
    app.put("/api/v1/me/identity", Some(&adult.access), identity_body(&id_number())).await.expect(200);
    assert!(may(&child).await.is_err(), "a child without a guardian's consent");
    assert!(may(&adult).await.is_ok());
    assert!(may(&nobody_knows).await.is_ok(), "age unknown without an identity");

    let g = app
        .call(
            reqwest::Method::PUT,
            "/api/v1/me/guardian",
            Some(&child.access),
            Some(&json!({"name": "王爸爸", "phone": "13911112222", "relationship": "parent"})),
        )
        .await
        .expect(200);
    assert_eq!(g.body["guardian"]["phone"], "+86139****2222");
    assert_eq!(g.body["guardian"]["name"], "王**");
    assert_eq!(g.body["guardian"]["confirmed"], false);
    assert!(may(&child).await.is_err(), "recorded, not yet confirmed by the guardian");
    let code = app.code_sent_to("+8613911112222").await.expect("the guardian is sent a code");
    let c = app
        .post("/api/v1/me/guardian/confirm", Some(&child.access), json!({"code": code, "consentVersion": "g1"}))
        .await
        .expect(200);
    assert_eq!(c.body["guardian"]["confirmed"], true);
    assert!(may(&child).await.is_ok(), "with the guardian's consent");
    let guardian_consent = consent::Entity::find()
        .filter(consent::Column::Purpose.eq(consent::Purpose::Guardian))
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(guardian_consent.given_by, consent::GivenBy::Guardian);
    app.post(&format!("/api/v1/me/consents/{}/withdraw", guardian_consent.id), Some(&child.access), json!(null))
        .await
        .expect(200);
    let err = may(&child).await.unwrap_err();
    assert!(err.contains("guardian"), "{err}");
    assert_eq!(app.count("guardians").await, 0);
}

/// Every string leaf of a JSON value.
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(o) => o.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

#[tokio::test]
async fn export_holds_every_field_and_erasure_leaves_none() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let admin = &f.stations[0].admin;
    let v = app.create_user(admin, "volunteer", Some(&f.stations[0].room)).await;
    let number = id_number();
    app.patch(
        "/api/v1/me",
        Some(&v.access),
        json!({"name": "赵导出", "bio": "周末有空", "skills": ["急救"], "serviceArea": {"lat": 31.3, "lng": 120.6, "radiusKm": 5}}),
    )
    .await
    .expect(200);
    app.put("/api/v1/me/identity", Some(&v.access), identity_body(&number)).await.expect(200);
    app.put("/api/v1/me/health-notes", Some(&v.access), json!({"notes": "高血压", "consentVersion": "v1"}))
        .await
        .expect(200);
    app.put(
        "/api/v1/me/guardian",
        Some(&v.access),
        json!({"name": "赵家长", "phone": "13955556666", "relationship": "parent"}),
    )
    .await
    .expect(200);
    let code = app.code_sent_to("+8613955556666").await.unwrap();
    app.post("/api/v1/me/guardian/confirm", Some(&v.access), json!({"code": code, "consentVersion": "g1"}))
        .await
        .expect(200);
    app.patch(&format!("/api/v1/users/{}", v.user_id), Some(&admin.access), json!({"reason": "赵导出 changed"}))
        .await
        .expect(200);

    let e = app.get("/api/v1/me/export", Some(&v.access)).await.expect(200);
    assert_eq!(e.body["subject"], v.user_id.as_str());
    let s = &e.body["sections"];
    for section in ["account", "consents", "sensitive", "sessions", "auditTrail", "idempotentAnswers"] {
        assert!(!s[section].is_null(), "section {section} missing: {}", e.body);
    }
    assert_eq!(s["account"]["user"]["phone"], v.phone.as_str());
    assert_eq!(s["account"]["user"]["name"], "赵导出");
    assert!(s["account"]["user"].get("passwordHash").is_none() && s["account"]["user"].get("password_hash").is_none());
    assert_eq!(s["account"]["volunteerProfile"]["bio"], "周末有空");
    assert_eq!(s["account"]["skills"], json!(["急救"]));
    assert_eq!(s["sensitive"]["idNumber"], number.as_str());
    assert_eq!(s["sensitive"]["realName"], "王小明");
    assert_eq!(s["sensitive"]["healthNotes"], "高血压");
    assert_eq!(s["sensitive"]["guardian"]["phone"], "+8613955556666");
    assert_eq!(s["consents"].as_array().unwrap().len(), 3);
    assert!(!s["sessions"].as_array().unwrap().is_empty());
    assert!(s["auditTrail"].as_array().unwrap().iter().any(|a| a["action"] == "user.create"));

    // Erasure needs the password, then leaves nothing personal behind.
    app.post("/api/v1/me/erase", Some(&v.access), json!({"password": "not it"}))
        .await
        .expect_problem(400, "wrong_password");
    app.post("/api/v1/me/erase", Some(&v.access), json!({"password": PASSWORD})).await.expect(204);
    app.get("/api/v1/me", Some(&v.access)).await.expect_problem(401, "unauthorized");
    app.post("/api/v1/auth/refresh", None, json!({"refreshToken": v.refresh})).await.expect(401);
    app.post("/api/v1/auth/login", None, json!({"phone": v.phone, "password": PASSWORD})).await.expect(401);

    let erased =
        user::Entity::find_by_id(v.user_id.parse::<uuid::Uuid>().unwrap()).one(app.db()).await.unwrap().unwrap();
    assert_eq!(erased.status, user::UserStatus::Erased);
    assert!(erased.name.contains(&erased.volunteer_number), "pseudonym: {}", erased.name);
    // The number is replaced by a random placeholder (`~` and hex digits) that cannot be a phone.
    let national = v.phone.trim_start_matches("+86");
    assert!(!erased.phone.contains(national) && erased.phone.starts_with('~'), "{}", erased.phone);
    for table in ["identities", "health_notes", "guardians", "user_skills", "idempotency_keys"] {
        let n = app.count(table).await;
        assert_eq!(n, 0, "{table} keeps {n} rows");
    }
    let consents = consent::Entity::find().all(app.db()).await.unwrap();
    assert!(consents.iter().all(|c| c.withdrawn_at.is_some()), "every consent withdrawn, records kept");
    // The audit log's copies of the person's data went too; the erasure itself is recorded.
    let rows = audit_log::Entity::find().all(app.db()).await.unwrap();
    let mut texts = Vec::new();
    for r in &rows {
        for j in [&r.before, &r.after].into_iter().flatten() {
            strings(j, &mut texts);
        }
        texts.extend(r.reason.clone());
    }
    let national = v.phone.trim_start_matches("+86");
    let masked = wushe::domain::people::phone::mask(&v.phone);
    for t in &texts {
        assert!(!t.contains("赵导出") && !t.contains(national) && !t.contains(&masked), "audit keeps {t:?}");
    }
    assert!(rows.iter().any(|r| r.action == "person.erase" && r.target_id == Some(erased.id)));
    // Administrators still see the (pseudonymous) account in scope.
    let seen = app.get(&format!("/api/v1/users/{}", v.user_id), Some(&admin.access)).await.expect(200);
    assert_eq!(seen.body["status"], "erased");
    assert_eq!(seen.body["volunteerNumber"], erased.volunteer_number.as_str());
}

#[tokio::test]
async fn administrators_erase_people_they_manage_once() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let [east, west] = &f.stations;
    let path = |s: &crate::helpers::Session| format!("/api/v1/users/{}/erase", s.user_id);
    app.post(&path(&west.volunteer), Some(&east.admin.access), json!({})).await.expect_problem(404, "not_found");
    app.post(&path(&east.admin), Some(&east.admin.access), json!({})).await.expect_problem(403, "forbidden");
    app.post(&path(&east.volunteer), Some(&east.social_worker.access), json!({}))
        .await
        .expect_problem(403, "forbidden");
    app.post(&path(&east.volunteer), Some(&east.admin.access), json!({"reason": "本人书面申请"})).await.expect(204);
    app.get("/api/v1/me", Some(&east.volunteer.access)).await.expect_problem(401, "unauthorized");
    app.post(&path(&east.volunteer), Some(&f.city_admin.access), json!({})).await.expect_problem(409, "already_erased");
    let row = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("person.erase"))
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.reason.as_deref(), Some("本人书面申请"));
    assert_eq!(row.actor_id.map(|a| a.to_string()), Some(east.admin.user_id.clone()));
}

#[tokio::test]
async fn messaging_and_volunteer_service_are_exported_then_erased_or_pseudonymised() {
    use crate::service_fixture::{LAT, LNG, Service};
    use chrono::Duration;
    use entity::{attendance, device, notification, service_record, signup};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    let s = Service::new().await;
    let app = &s.app;
    let v = app.register_volunteer().await;
    let vid: uuid::Uuid = v.user_id.parse().unwrap();
    app.post("/api/v1/me/devices", Some(&v.access), json!({"platform": "android", "token": "fcm-secret-token"}))
        .await
        .expect(201);
    let txn = sea_orm::TransactionTrait::begin(app.db()).await.unwrap();
    let m = wushe::domain::messaging::notifications::Message::new(
        vid,
        wushe::domain::messaging::notifications::Category::System,
        "system.message",
        "privacy-test",
    )
    .param("text", "欢迎");
    wushe::domain::messaging::notifications::tell(&txn, m).await.unwrap();
    txn.commit().await.unwrap();
    app.start_workers();
    crate::helpers::eventually(20, "the inbox row", || async {
        notification::Entity::find().filter(notification::Column::UserId.eq(vid)).one(app.db()).await.unwrap().is_some()
    })
    .await;

    // A stay with a position, approved hours, a certificate, and a future sign-up.
    let past = s.publish(s.task_body(Duration::hours(1), 2, 5)).await;
    let future = s.task(1).await;
    s.sign_up(&past, &v).await;
    let seat = s.sign_up(&future, &v).await;
    assert_eq!(seat["status"], "confirmed");
    let waiting = app.register_volunteer().await;
    assert_eq!(s.sign_up(&future, &waiting).await["status"], "waitlisted");
    app.clock.advance(Duration::hours(1));
    let code = app.get(&format!("/api/v1/tasks/{past}/check-in-code"), Some(&s.organiser.access)).await.str("code");
    app.post(&format!("/api/v1/tasks/{past}/check-in"), Some(&v.access), json!({"code": code, "lat": LAT, "lng": LNG}))
        .await
        .expect(200);
    // Out a minute before the end: at the end, the closing cron may close the stay first.
    app.clock.advance(Duration::hours(2) - Duration::minutes(1));
    let code = app.get(&format!("/api/v1/tasks/{past}/check-in-code"), Some(&s.organiser.access)).await.str("code");
    let out = app
        .post(
            &format!("/api/v1/tasks/{past}/check-out"),
            Some(&v.access),
            json!({"code": code, "lat": LAT, "lng": LNG}),
        )
        .await
        .expect(200);
    let entry = out.body["hours"]["id"].as_str().unwrap().to_string();
    app.post("/api/v1/hours/decisions", Some(&s.organiser.access), json!({"ids": [entry], "approve": true}))
        .await
        .expect(200);
    // The service ended a moment ago: near midnight it may have been yesterday, locally.
    let today = s.today();
    let (from, to) = (today - Duration::days(1), today);
    let record = app
        .post("/api/v1/me/service-records", Some(&v.access), json!({"orgUnitId": s.room, "from": from, "to": to}))
        .await
        .expect(201);

    let export = app.get("/api/v1/me/export", Some(&v.access)).await.expect(200);
    let messaging = &export.body["sections"]["messaging"];
    assert_eq!(messaging["devices"].as_array().unwrap().len(), 1);
    assert!(!export.body.to_string().contains("fcm-secret-token"), "push tokens are not exported");
    // Reminders of the tasks may have joined the welcome message by now.
    let notes = messaging["notifications"].as_array().unwrap();
    assert!(notes.iter().any(|n| n["body"] == "欢迎"), "{notes:?}");
    let service = &export.body["sections"]["volunteerService"];
    assert_eq!(service["signups"].as_array().unwrap().len(), 2);
    assert_eq!(service["attendance"][0]["check_in_lat"], LAT);
    assert_eq!(service["hours"].as_array().unwrap().len(), 1);
    assert_eq!(service["serviceRecords"].as_array().unwrap().len(), 1);

    app.post("/api/v1/me/erase", Some(&v.access), json!({"password": crate::helpers::PASSWORD})).await.expect(204);
    assert_eq!(device::Entity::find().filter(device::Column::UserId.eq(vid)).all(app.db()).await.unwrap().len(), 0);
    assert_eq!(
        notification::Entity::find().filter(notification::Column::UserId.eq(vid)).all(app.db()).await.unwrap().len(),
        0
    );
    let stay = attendance::Entity::find()
        .filter(attendance::Column::VolunteerId.eq(vid))
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    assert!(stay.check_in_lat.is_none() && stay.check_out_lng.is_none(), "where they were is forgotten");
    let cert = service_record::Entity::find()
        .filter(service_record::Column::VolunteerId.eq(vid))
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    assert!(cert.volunteer_name.starts_with("已注销用户"), "{}", cert.volunteer_name);
    let verify = app.get(&format!("/api/v1/service-records/{}", record.str("code")), None).await.expect(200);
    assert_eq!(
        (verify.body["valid"].as_bool(), verify.body["totalMinutes"].as_i64()),
        (Some(true), Some(119)),
        "still verifiable"
    );
    let seats = signup::Entity::find().filter(signup::Column::VolunteerId.eq(vid)).all(app.db()).await.unwrap();
    assert!(seats.iter().all(|s| !s.status.is_live()));
    let w = app.get("/api/v1/me/signups", Some(&waiting.access)).await.expect(200);
    assert_eq!(w.body["items"][0]["signup"]["status"], "confirmed", "the freed seat went to the waitlist");
}

/// What a person wrote, and what others wrote about them, on their service records is wiped by
/// erasure: claim descriptions, decision reasons, cancellation reasons; the minutes stay.
#[tokio::test]
async fn erasure_wipes_the_free_text_of_claims_and_reasons() {
    use crate::service_fixture::Service;
    use entity::{hours_entry, signup};
    let s = Service::new().await;
    let app = &s.app;
    let v = app.register_volunteer().await;
    let vid: uuid::Uuid = v.user_id.parse().unwrap();
    let claim =
        json!({"orgUnitId": s.room, "serviceDate": s.today(), "minutes": 90, "description": "帮12号楼王阿姨搬家"});
    let kept = app.post("/api/v1/me/hours/claims", Some(&v.access), claim.clone()).await.expect(201).str("id");
    let declined = app.post("/api/v1/me/hours/claims", Some(&v.access), claim).await.expect(201).str("id");
    let decide = |id: &str, approve: bool| json!({"ids": [id], "approve": approve, "reason": "王阿姨电话核实"});
    app.post("/api/v1/hours/decisions", Some(&s.organiser.access), decide(&kept, true)).await.expect(200);
    app.post("/api/v1/hours/decisions", Some(&s.organiser.access), decide(&declined, false)).await.expect(200);
    let task = s.task(5).await;
    let seat = s.sign_up(&task, &v).await;
    let seat = seat["id"].as_str().unwrap().to_string();
    app.post(&format!("/api/v1/signups/{seat}/cancel"), Some(&v.access), json!({"reason": "陪母亲去医院"}))
        .await
        .expect(200);
    let texts = || async {
        let hours =
            hours_entry::Entity::find().filter(hours_entry::Column::VolunteerId.eq(vid)).all(app.db()).await.unwrap();
        let seats = signup::Entity::find().filter(signup::Column::VolunteerId.eq(vid)).all(app.db()).await.unwrap();
        let mut texts: Vec<String> =
            hours.iter().flat_map(|h| [h.description.clone(), h.reason.clone()]).flatten().collect();
        texts.extend(seats.iter().filter_map(|s| s.reason.clone()));
        (texts, hours.iter().map(|h| h.minutes).sum::<i32>())
    };
    let (before, minutes) = texts().await;
    assert!(before.iter().any(|t| t.contains("王阿姨")) && before.iter().any(|t| t.contains("医院")), "{before:?}");

    app.post("/api/v1/me/erase", Some(&v.access), json!({"password": PASSWORD})).await.expect(204);
    let (after, minutes_after) = texts().await;
    assert_eq!(after, Vec::<String>::new(), "no free text about the person remains");
    assert_eq!(minutes_after, minutes, "the ledger itself stays");
}
