//! Talent: the credential lifecycle and who may decide it, qualification levels derived from
//! credentials (and lost when one expires), registration renewal needing continuing education,
//! enrolment under heavy concurrency, attendance crediting the learning ledger, and
//! continuing-education progress with mixed entries.

mod training_credit;

use crate::helpers::{Resp, Session};
use crate::service_fixture::Service;
use chrono::{Duration, NaiveDate};
use entity::enrolment::{self, EnrolmentStatus};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

fn today(s: &Service) -> NaiveDate {
    s.app.clock_now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive()
}

async fn submit(
    s: &Service,
    who: &Session,
    kind: &str,
    number: &str,
    issued: NaiveDate,
    expires: Option<NaiveDate>,
    registered: Option<NaiveDate>,
) -> String {
    s.app
        .post(
            "/api/v1/me/credentials",
            Some(&who.access),
            json!({"kind": kind, "number": number, "issuingBody": "民政部", "issuedOn": issued,
                   "expiresOn": expires, "evidenceRef": "files/cert.pdf", "registeredOn": registered}),
        )
        .await
        .expect(201)
        .str("id")
}

async fn verify(s: &Service, id: &str) {
    s.app.post(format!("/api/v1/credentials/{id}/verify"), Some(&s.admin.access), json!(null)).await.expect(200);
}

async fn verify_as(s: &Service, who: &Session, id: &str) -> Resp {
    s.app.post(format!("/api/v1/credentials/{id}/verify"), Some(&who.access), json!(null)).await
}

async fn level(s: &Service, who: &Session) -> Value {
    s.app.get("/api/v1/me", Some(&who.access)).await.expect(200).body["socialWorker"]["qualificationLevel"].clone()
}

#[tokio::test]
async fn credentials_are_decided_by_admins_in_scope_never_by_their_holder() {
    let s = Service::new().await;
    let sw = s.app.create_user(&s.city_admin, "social_worker", Some(&s.room)).await;
    let d = today(&s);

    // Bad input changes nothing.
    let base = json!({"kind": "social_worker", "number": "SW-1", "issuingBody": "部", "issuedOn": d - Duration::days(100),
                      "evidenceRef": "files/a.pdf"});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let path = "/api/v1/me/credentials";
    s.app.post(path, Some(&sw.access), with("kind", json!("astronaut"))).await.expect_problem(400, "unknown_kind");
    s.app
        .post(path, Some(&sw.access), with("expiresOn", json!(d - Duration::days(200))))
        .await
        .expect_problem(400, "invalid_dates");
    assert_eq!(s.app.post(path, Some(&sw.access), with("colour", json!("red"))).await.status, 400);
    assert_eq!(s.app.post(path, Some(&sw.access), with("number", json!("x".repeat(65)))).await.status, 400);
    assert_eq!(s.app.count("credentials").await, 0);

    let id = s.app.post(path, Some(&sw.access), base.clone()).await.expect(201).str("id");
    let c = s.app.get(format!("/api/v1/credentials/{id}"), Some(&sw.access)).await.expect(200);
    assert_eq!(
        (c.body["status"].as_str(), c.body["registration"]["status"].as_str()),
        (Some("submitted"), Some("unregistered"))
    );
    // The same number of the same kind, by anyone: 409, nothing recorded.
    let other = s.app.create_user(&s.city_admin, "social_worker", Some(&s.room)).await;
    s.app.post(path, Some(&other.access), base.clone()).await.expect_problem(409, "duplicate_number");
    assert_eq!(s.app.count("credentials").await, 1);

    // The holder edits it while submitted; only administrators in scope decide.
    s.app
        .patch(format!("/api/v1/credentials/{id}"), Some(&sw.access), json!({"issuingBody": "民政部"}))
        .await
        .expect(200);
    assert_eq!(verify_as(&s, &sw, &id).await.status, 403);
    assert_eq!(verify_as(&s, &s.organiser, &id).await.status, 403);
    let far_city = s.app.create_unit(&s.city_admin, "city_center", None, "别市").await;
    let far_station = s.app.create_unit(&s.city_admin, "town_station", Some(&far_city), "别处社工站").await;
    let far_admin = s.app.create_user(&s.city_admin, "station_admin", Some(&far_station)).await;
    verify_as(&s, &far_admin, &id).await.expect_problem(404, "not_found");
    assert_eq!(level(&s, &sw).await, Value::Null);
    verify_as(&s, &s.admin, &id).await.expect(200);
    assert_eq!(level(&s, &sw).await, "social_worker");
    verify_as(&s, &s.admin, &id).await.expect_problem(409, "invalid_credential_state");
    s.app
        .patch(format!("/api/v1/credentials/{id}"), Some(&sw.access), json!({"number": "SW-2"}))
        .await
        .expect_problem(409, "credential_locked");

    // Nobody verifies their own, not even an administrator; the city administrator may.
    let own = submit(&s, &s.admin, "assistant_social_worker", "A-1", d, None, None).await;
    verify_as(&s, &s.admin, &own).await.expect_problem(403, "decision_not_yours");
    verify_as(&s, &s.city_admin, &own).await.expect(200);

    // Rejected with a reason, edited, submitted again.
    let r = submit(&s, &other, "assistant_social_worker", "A-2", d, None, None).await;
    let reject = format!("/api/v1/credentials/{r}/reject");
    assert_eq!(s.app.post(&reject, Some(&s.admin.access), json!({"reason": ""})).await.status, 400);
    let rejected = s.app.post(&reject, Some(&s.admin.access), json!({"reason": "照片不清楚"})).await.expect(200);
    assert_eq!(rejected.body["status"], "rejected");
    let again = s
        .app
        .patch(format!("/api/v1/credentials/{r}"), Some(&other.access), json!({"evidenceRef": "files/b.pdf"}))
        .await
        .expect(200);
    assert_eq!((again.body["status"].as_str(), again.body["reason"].as_str()), (Some("submitted"), None));

    // Revoked: the level goes with it.
    s.app
        .post(format!("/api/v1/credentials/{id}/revoke"), Some(&s.admin.access), json!({"reason": "证书作废"}))
        .await
        .expect(200);
    assert_eq!(level(&s, &sw).await, Value::Null);
    // Someone else's credential is not visible to a volunteer or social worker.
    assert_eq!(s.app.get(format!("/api/v1/credentials/{id}"), Some(&other.access)).await.status, 404);
    // Decisions are audited.
    assert!(s.app.count("audit_log").await >= 4);
    // Administrators list what waits for them.
    let waiting = s.app.get("/api/v1/credentials?status=submitted", Some(&s.admin.access)).await.expect(200);
    assert_eq!(waiting.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_level_falls_back_when_a_higher_credential_expires() {
    let s = Service::new().await;
    let sw = s.app.create_user(&s.city_admin, "social_worker", Some(&s.room)).await;
    let d = today(&s);
    let low = submit(&s, &sw, "assistant_social_worker", "A-9", d - Duration::days(400), None, None).await;
    let high =
        submit(&s, &sw, "senior_social_worker", "S-9", d - Duration::days(400), Some(d + Duration::days(10)), None)
            .await;
    verify(&s, &low).await;
    verify(&s, &high).await;
    assert_eq!(level(&s, &sw).await, "senior_social_worker");

    s.app.clock.advance(Duration::days(12));
    let now = s.app.clock_now();
    assert_eq!(wushe::domain::talent::credentials::expire_due(s.app.db(), now).await.unwrap(), 1);
    assert_eq!(wushe::domain::talent::credentials::expire_due(s.app.db(), now).await.unwrap(), 0, "once");
    assert_eq!(level(&s, &sw).await, "assistant_social_worker");
    let c = s.app.get(format!("/api/v1/credentials/{high}"), Some(&sw.access)).await.expect(200);
    assert_eq!(c.body["status"], "expired");
    // An expired credential can no longer be revoked or verified.
    s.app
        .post(format!("/api/v1/credentials/{high}/revoke"), Some(&s.admin.access), json!({"reason": "x"}))
        .await
        .expect_problem(409, "invalid_credential_state");
}

async fn course(s: &Service, minutes: i32, ce: bool) -> String {
    s.app
        .post(
            "/api/v1/courses",
            Some(&s.admin.access),
            json!({"orgUnitId": s.room, "title": "社会工作伦理", "category": "ethics", "creditMinutes": minutes,
                   "countsAsCe": ce, "targetLevels": ["social_worker"]}),
        )
        .await
        .expect(201)
        .str("id")
}

async fn session(s: &Service, course: &str, capacity: i32) -> String {
    session_lasting(s, course, capacity, Duration::hours(3)).await
}

/// A session in two days lasting `length`, trained by the organiser.
async fn session_lasting(s: &Service, course: &str, capacity: i32, length: Duration) -> String {
    let start = s.now() + Duration::days(2);
    s.app
        .post(
            format!("/api/v1/courses/{course}/sessions"),
            Some(&s.admin.access),
            json!({"trainerId": s.organiser.user_id, "startsAt": start, "endsAt": start + length,
                   "place": "社工站三楼", "capacity": capacity, "enrolDeadline": start - Duration::hours(1)}),
        )
        .await
        .expect(201)
        .str("id")
}

#[tokio::test]
async fn a_hundred_people_race_for_ten_training_seats() {
    let s = Service::new().await;
    let c = course(&s, 120, true).await;
    let sid = session(&s, &c, 10).await;
    let people = s.app.quick_volunteers(100, Some(&s.room)).await;
    let path = format!("/api/v1/training-sessions/{sid}/enrolments");
    let results =
        futures::future::join_all(people.iter().map(|p| s.app.post(&path, Some(&p.access), json!(null)))).await;
    assert!(results.iter().all(|r| r.status == 201), "every enrolment is accepted");
    assert_eq!(results.iter().filter(|r| r.body["status"] == "confirmed").count(), 10);
    let mut positions: Vec<i64> = results
        .iter()
        .filter(|r| r.body["status"] == "waitlisted")
        .map(|r| r.body["position"].as_i64().unwrap())
        .collect();
    positions.sort();
    assert_eq!(positions, (1..=90).collect::<Vec<i64>>(), "a gapless FIFO waitlist");
    let sid_uuid: uuid::Uuid = sid.parse().unwrap();
    let rows =
        enrolment::Entity::find().filter(enrolment::Column::SessionId.eq(sid_uuid)).all(s.app.db()).await.unwrap();
    assert_eq!(rows.len(), 100);
    assert_eq!(rows.iter().filter(|r| r.status == EnrolmentStatus::Confirmed).count(), 10);
    let listed = s.app.get(format!("/api/v1/courses/{c}/sessions"), Some(&people[0].access)).await.expect(200);
    assert_eq!(listed.body["items"][0]["seatsLeft"], 0);

    // Enrolling again returns the first enrolment.
    let again = s.app.post(&path, Some(&people[0].access), json!(null)).await.expect(200);
    assert_eq!(again.body["id"], results[0].body["id"]);

    // Three confirmed people cancel at once: the head of the waitlist moves up, in order.
    let confirmed: Vec<(usize, &Value)> = results
        .iter()
        .enumerate()
        .filter(|(_, r)| r.body["status"] == "confirmed")
        .map(|(i, r)| (i, &r.body))
        .take(3)
        .collect();
    let cancels = futures::future::join_all(confirmed.iter().map(|(i, b)| {
        s.app.post(
            format!("/api/v1/enrolments/{}/cancel", b["id"].as_str().unwrap()),
            Some(&people[*i].access),
            json!(null),
        )
    }))
    .await;
    let mut promoted: Vec<String> = cancels
        .iter()
        .map(|c| {
            assert_eq!(c.status, 200, "{}", c.body);
            c.body["promoted"].as_str().unwrap().to_string()
        })
        .collect();
    promoted.sort();
    let mut head: Vec<String> = results
        .iter()
        .filter(|r| r.body["status"] == "waitlisted" && r.body["position"].as_i64().unwrap() <= 3)
        .map(|r| r.body["id"].as_str().unwrap().to_string())
        .collect();
    head.sort();
    assert_eq!(promoted, head);
    let rows =
        enrolment::Entity::find().filter(enrolment::Column::SessionId.eq(sid_uuid)).all(s.app.db()).await.unwrap();
    assert_eq!(rows.iter().filter(|r| r.status == EnrolmentStatus::Confirmed).count(), 10);
    // Every confirmed seat, and only those, has its day-before reminder; cancelling moved them.
    let reminders = jobs::entity::scheduled_job::Entity::find()
        .filter(jobs::entity::scheduled_job::Column::Key.starts_with("enrolment:"))
        .all(s.app.db())
        .await
        .unwrap();
    let confirmed_ids: Vec<String> = rows
        .iter()
        .filter(|r| r.status == EnrolmentStatus::Confirmed)
        .map(|r| format!("enrolment:{}:24h", r.id))
        .collect();
    let mut keys: Vec<String> = reminders.into_iter().map(|r| r.key).collect();
    keys.sort();
    let mut expected = confirmed_ids.clone();
    expected.sort();
    assert_eq!(keys, expected);
    // Someone else's enrolment cannot be cancelled.
    let theirs = results
        .iter()
        .find(|r| r.body["status"] == "confirmed" && r.body["personId"] != people[5].user_id.as_str())
        .unwrap();
    let r = s
        .app
        .post(
            format!("/api/v1/enrolments/{}/cancel", theirs.body["id"].as_str().unwrap()),
            Some(&people[5].access),
            json!(null),
        )
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn ones_enrolments_say_what_when_where_and_what_they_credit() {
    let s = Service::new().await;
    let v = s.app.register_volunteer().await;
    let c = course(&s, 120, true).await;
    let sid = session(&s, &c, 5).await;
    let e = s
        .app
        .post(format!("/api/v1/training-sessions/{sid}/enrolments"), Some(&v.access), json!(null))
        .await
        .expect(201);
    let mine = s.app.get("/api/v1/me/enrolments", Some(&v.access)).await.expect(200);
    let item = &mine.body["items"][0];
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 1);
    assert_eq!((&item["id"], &item["sessionId"], &item["status"]), (&e.body["id"], &json!(sid), &json!("confirmed")));
    assert_eq!(item["session"]["id"], sid.as_str());
    assert_eq!(item["session"]["place"], "社工站三楼");
    assert_eq!(item["session"]["status"], "scheduled");
    let starts: chrono::DateTime<chrono::Utc> = item["session"]["startsAt"].as_str().unwrap().parse().unwrap();
    let ends: chrono::DateTime<chrono::Utc> = item["session"]["endsAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(ends - starts, Duration::hours(3));
    assert_eq!(item["course"]["id"], c.as_str());
    assert_eq!(item["course"]["title"], "社会工作伦理");
    assert_eq!((&item["course"]["creditMinutes"], &item["course"]["countsAsCe"]), (&json!(120), &json!(true)));

    // The session itself, for whoever may see the course's sessions.
    let one = s.app.get(format!("/api/v1/training-sessions/{sid}"), Some(&v.access)).await.expect(200);
    assert_eq!(
        (&one.body["id"], &one.body["seatsLeft"], &one.body["course"]["title"]),
        (&json!(sid), &json!(4), &json!("社会工作伦理"))
    );
    assert_eq!(one.body["startsAt"], item["session"]["startsAt"]);
    s.app
        .get(format!("/api/v1/training-sessions/{}", uuid::Uuid::now_v7()), Some(&v.access))
        .await
        .expect_problem(404, "not_found");
    assert_eq!(s.app.get(format!("/api/v1/training-sessions/{sid}"), None).await.status, 401);
}

async fn claim(s: &Service, who: &Session, minutes: i32, on: NaiveDate, degree: bool) -> String {
    s.app
        .post(
            "/api/v1/me/learning/claims",
            Some(&who.access),
            json!({"title": "外部培训", "minutes": minutes, "completedOn": on, "countsAsCe": true,
                   "evidenceRef": "files/claim.pdf", "degree": degree}),
        )
        .await
        .expect(201)
        .str("id")
}

async fn decide(s: &Service, id: &str, approve: bool) {
    s.app
        .post(
            format!("/api/v1/learning/{id}/decision"),
            Some(&s.admin.access),
            json!({"approve": approve, "reason": "不符合"}),
        )
        .await
        .expect(200);
}

#[tokio::test]
async fn attendance_credits_the_ledger_and_progress_counts_only_what_counts() {
    let s = Service::new().await;
    let sw = s.app.create_user(&s.city_admin, "social_worker", Some(&s.room)).await;
    let stranger = s.app.create_user(&s.city_admin, "volunteer", Some(&s.room)).await;
    let d = today(&s);
    let cred =
        submit(&s, &sw, "social_worker", "SW-77", d - Duration::days(800), None, Some(d - Duration::days(365))).await;
    verify(&s, &cred).await;

    let c = course(&s, 120, true).await;
    let sid = session(&s, &c, 5).await;
    let enrolled = s
        .app
        .post(format!("/api/v1/training-sessions/{sid}/enrolments"), Some(&sw.access), json!(null))
        .await
        .expect(201);
    assert_eq!(enrolled.body["status"], "confirmed");
    let attend = format!("/api/v1/training-sessions/{sid}/attendance");
    let mark = |who: &Session, attended: bool| json!({"personId": who.user_id, "attended": attended});
    s.app.post(&attend, Some(&s.organiser.access), mark(&sw, true)).await.expect_problem(409, "session_not_started");

    s.app.clock.advance(Duration::days(2) + Duration::minutes(30));
    s.app
        .post(format!("/api/v1/training-sessions/{sid}/enrolments"), Some(&stranger.access), json!(null))
        .await
        .expect_problem(409, "enrolment_closed");
    s.app.post(&attend, Some(&s.organiser.access), mark(&stranger, true)).await.expect_problem(409, "not_enrolled");
    assert_eq!(s.app.post(&attend, Some(&sw.access), mark(&sw, true)).await.status, 404, "not the trainer");
    let a = s.app.post(&attend, Some(&s.organiser.access), mark(&sw, true)).await.expect(200);
    assert_eq!(a.body["status"], "attended");
    s.app.post(&attend, Some(&s.organiser.access), mark(&sw, true)).await.expect(200);
    s.app.post(&attend, Some(&s.organiser.access), mark(&sw, false)).await.expect_problem(409, "attendance_recorded");
    assert_eq!(s.app.count("learning_entries").await, 1, "credited once");

    // Mixed claims: approved, rejected, pending, and one completed before the period.
    let d = today(&s);
    let approved = claim(&s, &sw, 600, d - Duration::days(10), false).await;
    decide(&s, &approved, true).await;
    let rejected = claim(&s, &sw, 300, d - Duration::days(10), false).await;
    decide(&s, &rejected, false).await;
    claim(&s, &sw, 240, d - Duration::days(5), false).await;
    let old = claim(&s, &sw, 480, d - Duration::days(700), false).await;
    decide(&s, &old, true).await;
    // Nobody decides their own claim.
    let own = claim(&s, &s.admin, 60, d, false).await;
    assert_eq!(
        s.app
            .post(format!("/api/v1/learning/{own}/decision"), Some(&s.admin.access), json!({"approve": true}))
            .await
            .status,
        403
    );

    let t = s.app.get("/api/v1/me/training", Some(&sw.access)).await.expect(200);
    assert_eq!(t.body["level"], "social_worker");
    assert_eq!(t.body["requiredHours"], 90.0);
    assert_eq!(t.body["completedHours"], 12.0, "2 h course + 10 h approved claim: {}", t.body);
    assert_eq!(t.body["pendingHours"], 4.0);
    assert_eq!(t.body["missingHours"], 78.0);
    let ledger = s.app.get("/api/v1/me/learning", Some(&sw.access)).await.expect(200);
    assert_eq!(ledger.body["items"].as_array().unwrap().len(), 5);

    // The report lists them as behind; renewal is refused until the hours are there.
    let report = s.app.get("/api/v1/training/ce-report", Some(&s.admin.access)).await.expect(200);
    let line = report.body.as_array().unwrap().iter().find(|l| l["personId"] == sw.user_id.as_str()).cloned().unwrap();
    assert_eq!(line["progress"]["missingHours"], 78.0);

    // A degree counts once, however often it is claimed.
    for _ in 0..2 {
        let deg = claim(&s, &sw, 0, d - Duration::days(3), true).await;
        decide(&s, &deg, true).await;
    }
    let t = s.app.get("/api/v1/me/training", Some(&sw.access)).await.expect(200);
    assert_eq!(t.body["completedHours"], 102.0, "{}", t.body);
    assert_eq!(t.body["missingHours"], 0.0);
}

#[tokio::test]
async fn renewing_a_registration_needs_the_periods_continuing_education() {
    let s = Service::new().await;
    let sw = s.app.create_user(&s.city_admin, "social_worker", Some(&s.room)).await;
    let d = today(&s);
    // Registered 35 months ago: the renewal window (the last 3 months) is open.
    let registered = d.checked_sub_months(chrono::Months::new(35)).unwrap();
    let id =
        submit(&s, &sw, "assistant_social_worker", "A-55", registered - Duration::days(30), None, Some(registered))
            .await;
    verify(&s, &id).await;
    let c = s.app.get(format!("/api/v1/credentials/{id}"), Some(&sw.access)).await.expect(200);
    assert_eq!(c.body["registration"]["status"], "renewal_open");
    let renew = format!("/api/v1/credentials/{id}/registration");
    s.app.post(&renew, Some(&sw.access), json!({"registeredOn": d})).await.expect_problem(409, "ce_incomplete");
    let hours = claim(&s, &sw, 72 * 60, d - Duration::days(30), false).await;
    decide(&s, &hours, true).await;
    let r = s.app.post(&renew, Some(&sw.access), json!({"registeredOn": d})).await.expect(200);
    assert_eq!(r.body["registration"]["status"], "registered");
    assert_eq!(r.body["registeredOn"], json!(d));
}

#[tokio::test]
async fn recording_a_registration_shows_first_how_it_moves_the_ce_period() {
    let s = Service::new().await;
    let sw = s.app.create_user(&s.city_admin, "social_worker", Some(&s.room)).await;
    let d = today(&s);
    let issued = d - Duration::days(200);
    let id = submit(&s, &sw, "social_worker", "SW-90", issued, None, None).await;
    verify(&s, &id).await;
    let hours = claim(&s, &sw, 600, d - Duration::days(100), false).await;
    decide(&s, &hours, true).await;
    let before = s.app.get("/api/v1/me/training", Some(&sw.access)).await.expect(200);
    assert_eq!(before.body["completedHours"], 10.0);

    let path = format!("/api/v1/credentials/{id}/registration");
    let preview = s.app.post(&path, Some(&sw.access), json!({"registeredOn": d, "dryRun": true})).await.expect(200);
    assert_eq!(preview.body["recorded"], false);
    assert!(preview.body["registeredOn"].is_null(), "a preview records nothing: {}", preview.body);
    let ch = &preview.body["periodChange"];
    assert_eq!(ch["before"]["start"], json!(issued));
    assert_eq!(ch["after"]["start"], json!(d));
    assert_eq!((&ch["completedMinutesBefore"], &ch["completedMinutesAfter"]), (&json!(600), &json!(0)));
    assert_eq!(ch["minutesNoLongerCounting"], 600);
    let c = s.app.get(format!("/api/v1/credentials/{id}"), Some(&sw.access)).await.expect(200);
    assert!(c.body["registeredOn"].is_null());
    assert_eq!(s.app.get("/api/v1/me/training", Some(&sw.access)).await.expect(200).body["completedHours"], 10.0);
    s.app
        .post(&path, Some(&sw.access), json!({"registeredOn": d + Duration::days(1), "dryRun": true}))
        .await
        .expect_problem(400, "invalid_dates");

    // Registering on the day of the claim keeps it in the period.
    let kept = s
        .app
        .post(&path, Some(&sw.access), json!({"registeredOn": d - Duration::days(100), "dryRun": true}))
        .await
        .expect(200);
    assert_eq!(kept.body["periodChange"]["minutesNoLongerCounting"], 0);

    // Recorded: the answer says the same.
    let r = s.app.post(&path, Some(&sw.access), json!({"registeredOn": d})).await.expect(200);
    assert_eq!((&r.body["recorded"], &r.body["registeredOn"]), (&json!(true), &json!(d)));
    assert_eq!(r.body["periodChange"], preview.body["periodChange"]);
    assert_eq!(s.app.get("/api/v1/me/training", Some(&sw.access)).await.expect(200).body["completedHours"], 0.0);
}

async fn scan_twice(s: &Service) -> (u64, u64) {
    let (db, cfg, now) = (s.app.db(), &s.app.state.config.talent, s.app.clock_now());
    let (a, b) = futures::join!(
        wushe::domain::talent::reminders::daily(db, cfg, now),
        wushe::domain::talent::reminders::daily(db, cfg, now)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    (a.reminders + b.reminders, a.expired + b.expired)
}

async fn inbox(s: &Service, who: &Session, template: &str) -> usize {
    use entity::notification;
    let id: uuid::Uuid = who.user_id.parse().unwrap();
    notification::Entity::find()
        .filter(notification::Column::UserId.eq(id))
        .filter(notification::Column::Template.eq(template))
        .all(s.app.db())
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn each_expiry_reminder_goes_out_once_as_the_days_pass_with_two_workers() {
    let s = Service::new().await;
    let sw = s.app.create_user(&s.city_admin, "social_worker", Some(&s.room)).await;
    s.app
        .post("/api/v1/credential-kinds", Some(&s.city_admin.access), json!({"code": "first_aid", "name": "急救证"}))
        .await
        .expect(201);
    let start = s.now();
    let d0 = today(&s);
    let aid = submit(&s, &sw, "first_aid", "FA-1", d0 - Duration::days(300), Some(d0 + Duration::days(60)), None).await;
    verify(&s, &aid).await;
    let valid_until = d0 + Duration::days(100);
    let registered = valid_until.checked_sub_months(chrono::Months::new(36)).unwrap();
    let valid_until = registered.checked_add_months(chrono::Months::new(36)).unwrap();
    let window = valid_until.checked_sub_months(chrono::Months::new(3)).unwrap();
    let sw_cert =
        submit(&s, &sw, "social_worker", "SW-5", registered - Duration::days(10), None, Some(registered)).await;
    verify(&s, &sw_cert).await;

    let day = |date: NaiveDate| (date - d0).num_days();
    let steps = [
        (0, 0, "60 days out: nothing yet"),
        (day(window), 1, "the renewal window opens"),
        (30, 1, "the first-aid certificate in 30 days"),
        (31, 0, "nothing new the next day"),
        (53, 1, "the first-aid certificate in 7 days"),
        (61, 0, "expired: flipped, no reminder"),
        (day(valid_until) - 30, 1, "the registration in 30 days"),
        (day(valid_until) - 7, 1, "the registration in 7 days"),
        (day(valid_until) - 6, 0, "nothing new"),
    ];
    for (n, expected, what) in steps {
        s.app.clock.set(start + Duration::days(n));
        let (sent, expired) = scan_twice(&s).await;
        assert_eq!(sent, expected, "day {n}: {what}");
        assert_eq!(expired, u64::from(n == 61), "day {n}: expiry flips once");
        if n == 30 {
            let (db, cfg, now) = (s.app.db(), &s.app.state.config.talent, s.app.clock_now());
            assert_eq!(wushe::domain::talent::reminders::weekly_digest(db, cfg, now).await.unwrap(), 1);
            assert_eq!(wushe::domain::talent::reminders::weekly_digest(db, cfg, now).await.unwrap(), 0, "once a week");
        }
    }
    assert_eq!(s.app.count("talent_reminders").await, 6, "five reminders and one digest");
    let aid: uuid::Uuid = aid.parse().unwrap();
    let c = entity::credential::Entity::find_by_id(aid).one(s.app.db()).await.unwrap().unwrap();
    assert_eq!(c.status, entity::credential::CredentialStatus::Expired);

    s.app.start_workers();
    crate::helpers::eventually(20, "the inbox rows", || async {
        inbox(&s, &sw, "credential.expiring").await == 2
            && inbox(&s, &sw, "registration.expiring").await == 2
            && inbox(&s, &sw, "registration.window_open").await == 1
            && inbox(&s, &sw, "credential.expired").await == 1
            && inbox(&s, &s.admin, "talent.digest").await == 1
    })
    .await;
    // The texts name the kinds as people know them, never by their codes.
    let id: uuid::Uuid = sw.user_id.parse().unwrap();
    let rows = entity::notification::Entity::find()
        .filter(entity::notification::Column::UserId.eq(id))
        .all(s.app.db())
        .await
        .unwrap();
    for n in rows.iter().filter(|n| n.template.starts_with("credential.") || n.template.starts_with("registration.")) {
        let text = format!("{} {}", n.title, n.body);
        assert!(!text.contains("first_aid") && !text.contains("social_worker"), "{}: {text}", n.template);
        assert!(text.contains("急救证") || text.contains("社会工作师"), "{}: {text}", n.template);
        if n.template.starts_with("registration.") {
            assert!(text.contains("社会工作师"), "{}: {text}", n.template);
        }
    }
}

#[tokio::test]
async fn sign_up_and_enrolment_refuse_whoever_lacks_the_prerequisites() {
    let s = Service::new().await;
    let task = s.task(5).await;
    let path = format!("/api/v1/tasks/{task}/prerequisites");
    let put = |body: Value| s.app.put(&path, Some(&s.organiser.access), body);
    assert_eq!(put(json!({"items": [{"kind": "level", "credentialKind": "social_worker"}]})).await.status, 400);
    put(json!({"items": [{"kind": "credential", "credentialKind": "astronaut"}]}))
        .await
        .expect_problem(400, "unknown_kind");
    put(json!({"items": [{"kind": "level", "minLevel": "social_worker"}]})).await.expect(200);
    let listed = s.app.get(&path, Some(&s.admin.access)).await.expect(200);
    assert_eq!(listed.body["items"][0]["minLevel"], "social_worker");

    let volunteer = s.app.create_user(&s.city_admin, "volunteer", Some(&s.room)).await;
    let r = s.app.post(format!("/api/v1/tasks/{task}/signups"), Some(&volunteer.access), json!({})).await;
    r.expect_problem(409, "prerequisite_missing");
    assert_eq!(s.app.count("signups").await, 0, "nothing changed");

    let sw = s.app.create_user(&s.city_admin, "social_worker", Some(&s.room)).await;
    let d = today(&s);
    let low = submit(&s, &sw, "assistant_social_worker", "A-31", d - Duration::days(30), None, None).await;
    verify(&s, &low).await;
    let r = s.app.post(format!("/api/v1/tasks/{task}/signups"), Some(&sw.access), json!({})).await;
    let r = r.expect_problem(409, "prerequisite_missing");
    assert!(r.body["detail"].as_str().unwrap().contains("level social worker or higher"), "{}", r.body);
    let r = s
        .app
        .call_in(
            None,
            reqwest::Method::POST,
            &format!("/api/v1/tasks/{task}/signups"),
            Some(&sw.access),
            Some(&json!({})),
        )
        .await;
    let r = r.expect_problem(409, "prerequisite_missing");
    assert_eq!(r.body["detail"], "尚未满足：社会工作师及以上职业水平", "in Chinese by default: {}", r.body);
    let high = submit(&s, &sw, "social_worker", "S-31", d - Duration::days(30), None, None).await;
    verify(&s, &high).await;
    s.app.post(format!("/api/v1/tasks/{task}/signups"), Some(&sw.access), json!({})).await.expect(201);

    // A course that needs another course first.
    let basics = course(&s, 60, true).await;
    let advanced = course(&s, 60, true).await;
    s.app
        .put(
            &format!("/api/v1/courses/{advanced}/prerequisites"),
            Some(&s.admin.access),
            json!({"items": [{"kind": "course", "courseId": basics}]}),
        )
        .await
        .expect(200);
    let session = session(&s, &advanced, 5).await;
    let r = s.app.post(format!("/api/v1/training-sessions/{session}/enrolments"), Some(&sw.access), json!(null)).await;
    let r = r.expect_problem(409, "prerequisite_missing");
    assert!(r.body["detail"].as_str().unwrap().contains("社会工作伦理"), "{}", r.body);
    assert_eq!(s.app.count("enrolments").await, 0);
}

#[tokio::test]
async fn the_talent_directory_finds_people_and_exports_them_masked_unless_asked() {
    let s = Service::new().await;
    let sw = s.app.create_user(&s.city_admin, "social_worker", Some(&s.room)).await;
    let plain = s.app.create_user(&s.city_admin, "social_worker", Some(&s.room)).await;
    let d = today(&s);
    let c = submit(&s, &sw, "social_worker", "SW-88", d - Duration::days(30), None, None).await;
    verify(&s, &c).await;

    let found = s.app.get("/api/v1/talent?minLevel=assistant_social_worker", Some(&s.admin.access)).await.expect(200);
    let items = found.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", found.body);
    assert_eq!(items[0]["personId"], sw.user_id.as_str());
    assert_eq!(items[0]["credentialKinds"], json!(["social_worker"]));
    assert_eq!(items[0]["progress"]["missingHours"], 90.0);
    assert!(!items[0]["phone"].as_str().unwrap().contains(&sw.phone[6..]), "masked");
    let none = s.app.get("/api/v1/talent?minLevel=senior_social_worker", Some(&s.admin.access)).await.expect(200);
    assert!(none.body["items"].as_array().unwrap().is_empty());
    let behind = s.app.get("/api/v1/talent?ceBehind=true", Some(&s.admin.access)).await.expect(200);
    assert_eq!(behind.body["items"].as_array().unwrap().len(), 1);
    s.app
        .get("/api/v1/talent?credentialKind=astronaut", Some(&s.admin.access))
        .await
        .expect_problem(400, "unknown_kind");
    assert_eq!(s.app.get("/api/v1/talent", Some(&sw.access)).await.status, 403);

    let audits = s.app.count("audit_log").await;
    let masked = s.app.get("/api/v1/talent.csv?credentialKind=social_worker", Some(&s.admin.access)).await.expect(200);
    let text = masked.body.as_str().unwrap().to_string();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "name,volunteer_number,phone,level,credential_kinds,skills,ce_required_hours,ce_completed_hours,ce_missing_hours"
    );
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[1].contains("social_worker") && lines[1].contains(",90,0,90"), "{}", lines[1]);
    assert!(!text.contains(&sw.phone) && !text.contains(&sw.phone[3..]), "phones masked: {text}");
    assert!(!text.contains(&plain.user_id));
    assert_eq!(s.app.count("audit_log").await, audits, "a masked export is not audited");

    let full =
        s.app.get("/api/v1/talent.csv?credentialKind=social_worker&fullPhones=true", Some(&s.admin.access)).await;
    let text = full.expect(200).body.as_str().unwrap().to_string();
    assert!(text.contains(&sw.phone), "{text}");
    assert_eq!(s.app.count("audit_log").await, audits + 1, "full numbers are audited");
}

#[tokio::test]
async fn social_workers_create_courses_once_a_station_admin_allows_them() {
    let s = Service::new().await;
    let body = json!({"orgUnitId": s.room, "title": "个案管理", "category": "casework", "creditMinutes": 90,
                      "countsAsCe": true});
    s.app.post("/api/v1/courses", Some(&s.organiser.access), body.clone()).await.expect_problem(403, "forbidden");
    let grant = format!("/api/v1/users/{}/course-organiser", s.organiser.user_id);
    s.app.put(&grant, Some(&s.organiser.access), json!({"allowed": true})).await.expect_problem(403, "forbidden");
    s.app.put(&grant, Some(&s.admin.access), json!({"allowed": true})).await.expect(200);
    let c = s.app.post("/api/v1/courses", Some(&s.organiser.access), body.clone()).await.expect(201).str("id");
    let start = s.now() + Duration::days(3);
    s.app
        .post(
            format!("/api/v1/courses/{c}/sessions"),
            Some(&s.organiser.access),
            json!({"trainerId": s.organiser.user_id, "startsAt": start, "endsAt": start + Duration::hours(2),
                   "onlineLink": "https://meeting.example/123", "capacity": 30}),
        )
        .await
        .expect(201);
    s.app.put(&grant, Some(&s.admin.access), json!({"allowed": false})).await.expect(200);
    s.app.post("/api/v1/courses", Some(&s.organiser.access), body).await.expect_problem(403, "forbidden");
}
