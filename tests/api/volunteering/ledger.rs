//! The hours ledger: approval by the right people only, corrections as new entries, disputes,
//! make-up caps, totals, star levels (and their crossing under concurrency), leaderboards and
//! service record certificates.

use crate::helpers::{Session, eventually};
use crate::service_fixture::Service;
use chrono::Duration;
use entity::star_award;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

/// A finished 4-hour task with `n` confirmed volunteers; the clock after its end.
async fn finished(n: usize) -> (Service, String, Vec<Session>) {
    let s = Service::new().await;
    let task = s.publish(s.task_body(Duration::days(1), 4, 50)).await;
    let vols = s.app.quick_volunteers(n, Some(&s.room)).await;
    for v in &vols {
        s.sign_up(&task, v).await;
    }
    s.app.clock.advance(Duration::days(1) + Duration::hours(5));
    (s, task, vols)
}

async fn enter(s: &Service, task: &str, who: &Session, v: &Session, kind: &str, minutes: i64) -> crate::helpers::Resp {
    s.app
        .post(
            &format!("/api/v1/tasks/{task}/hours"),
            Some(&who.access),
            json!({"kind": kind, "volunteerId": v.user_id, "minutes": minutes, "reason": "补录"}),
        )
        .await
}

#[tokio::test]
async fn claims_are_decided_by_social_workers_in_scope_never_by_volunteers() {
    let s = Service::new().await;
    let v = s.app.register_volunteer().await;
    let other = s.app.register_volunteer().await;
    let today = s.today();
    let claim = |minutes: i64, date: chrono::NaiveDate| json!({"orgUnitId": s.room, "serviceDate": date, "minutes": minutes, "description": "帮邻居搬家"});
    s.app
        .post("/api/v1/me/hours/claims", Some(&v.access), claim(0, today))
        .await
        .expect_problem(400, "invalid_minutes");
    s.app
        .post("/api/v1/me/hours/claims", Some(&v.access), claim(60, today + chrono::Days::new(2)))
        .await
        .expect_problem(400, "date_in_future");
    let e = s.app.post("/api/v1/me/hours/claims", Some(&v.access), claim(90, today)).await.expect(201);
    assert_eq!((e.body["status"].as_str(), e.body["source"].as_str()), (Some("pending"), Some("self_report")));
    let id = e.str("id");
    let decide = |approve: bool| json!({"ids": [id], "approve": approve, "reason": "核实"});
    s.app.post("/api/v1/hours/decisions", Some(&v.access), decide(true)).await.expect_problem(403, "forbidden");
    s.app.post("/api/v1/hours/decisions", Some(&other.access), decide(true)).await.expect_problem(403, "forbidden");
    s.app.get("/api/v1/hours", Some(&v.access)).await.expect_problem(403, "forbidden");
    let queue = s.app.get("/api/v1/hours?status=pending", Some(&s.organiser.access)).await.expect(200);
    assert_eq!(queue.body["items"][0]["id"], id.as_str());
    s.app
        .post("/api/v1/hours/decisions", Some(&s.organiser.access), json!({"ids": [id], "approve": false}))
        .await
        .expect_problem(400, "reason_required");
    let r = s.app.post("/api/v1/hours/decisions", Some(&s.organiser.access), decide(true)).await.expect(200);
    assert_eq!(r.body["entries"][0]["status"], "approved");
    s.app
        .post("/api/v1/hours/decisions", Some(&s.organiser.access), decide(true))
        .await
        .expect_problem(409, "already_decided");
    let mine = s.app.get("/api/v1/me/hours", Some(&v.access)).await.expect(200);
    assert_eq!((mine.body["approvedMinutes"].as_i64(), mine.body["pendingMinutes"].as_i64()), (Some(90), Some(0)));
}

#[tokio::test]
async fn nobody_decides_their_own_hours() {
    let s = Service::new().await;
    let today = s.today();
    let e = s
        .app
        .post(
            "/api/v1/me/hours/claims",
            Some(&s.organiser.access),
            json!({"orgUnitId": s.room, "serviceDate": today, "minutes": 60, "description": "义诊"}),
        )
        .await
        .expect(201);
    s.app
        .post("/api/v1/hours/decisions", Some(&s.organiser.access), json!({"ids": [e.str("id")], "approve": true}))
        .await
        .expect_problem(403, "decision_not_yours");
    s.app
        .post("/api/v1/hours/decisions", Some(&s.admin.access), json!({"ids": [e.str("id")], "approve": true}))
        .await
        .expect(200);
}

#[tokio::test]
async fn bulk_decisions_are_all_or_nothing() {
    let (s, task, vols) = finished(3).await;
    let today = s.today();
    let mut ids = Vec::new();
    for v in &vols {
        let e = s
            .app
            .post(
                "/api/v1/me/hours/claims",
                Some(&v.access),
                json!({"orgUnitId": s.room, "serviceDate": today, "minutes": 30, "description": "x"}),
            )
            .await
            .expect(201);
        ids.push(e.str("id"));
    }
    let _ = task;
    let mut with_bad = ids.clone();
    with_bad.push(uuid::Uuid::now_v7().to_string());
    s.app
        .post("/api/v1/hours/decisions", Some(&s.organiser.access), json!({"ids": with_bad, "approve": true}))
        .await
        .expect(404);
    let q = s.app.get("/api/v1/hours?status=pending", Some(&s.organiser.access)).await.expect(200);
    assert_eq!(q.body["items"].as_array().unwrap().len(), 3, "nothing changed");
    let r = s
        .app
        .post("/api/v1/hours/decisions", Some(&s.organiser.access), json!({"ids": ids, "approve": true}))
        .await
        .expect(200);
    assert_eq!(r.body["entries"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn the_review_list_names_each_volunteer() {
    let s = Service::new().await;
    let vols = s.app.quick_volunteers(2, Some(&s.room)).await;
    let today = s.today();
    for v in &vols {
        s.app
            .post(
                "/api/v1/me/hours/claims",
                Some(&v.access),
                json!({"orgUnitId": s.room, "serviceDate": today, "minutes": 30, "description": "陪伴老人"}),
            )
            .await
            .expect(201);
    }
    let q = s.app.get("/api/v1/hours?status=pending", Some(&s.organiser.access)).await.expect(200);
    let items = q.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for (i, (item, v)) in items.iter().zip(&vols).enumerate() {
        let person = entity::user::Entity::find_by_id(v.user_id.parse::<uuid::Uuid>().unwrap())
            .one(s.app.db())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(item["volunteerId"], v.user_id.as_str(), "oldest first");
        assert_eq!(item["volunteerName"], format!("志愿者{i}"));
        assert_eq!(item["volunteerNumber"], person.volunteer_number.as_str());
        assert_eq!(item["minutes"], 30, "the entry's own fields stay where they were");
    }
}

#[tokio::test]
async fn corrections_are_new_entries_and_totals_follow() {
    let (s, task, vols) = finished(1).await;
    let v = &vols[0];
    let e = enter(&s, &task, &s.organiser, v, "leader_entry", 200).await.expect(201);
    assert_eq!(e.body["status"], "approved");
    let id = e.str("id");
    let correct = |delta: i64| json!({"deltaMinutes": delta, "reason": "签到时间有误"});
    s.app
        .post(&format!("/api/v1/hours/{id}/corrections"), Some(&v.access), correct(30))
        .await
        .expect_problem(403, "forbidden");
    s.app
        .post(&format!("/api/v1/hours/{id}/corrections"), Some(&s.organiser.access), correct(i64::from(i32::MIN)))
        .await
        .expect_problem(400, "invalid_minutes");
    s.app
        .post(&format!("/api/v1/hours/{id}/corrections"), Some(&s.organiser.access), correct(-201))
        .await
        .expect_problem(400, "invalid_minutes");
    s.app
        .post(&format!("/api/v1/hours/{id}/corrections"), Some(&s.organiser.access), correct(41))
        .await
        .expect_problem(409, "exceeds_task_length");
    let adj = s
        .app
        .post(&format!("/api/v1/hours/{id}/corrections"), Some(&s.organiser.access), correct(-20))
        .await
        .expect(201);
    assert_eq!((adj.body["source"].as_str(), adj.body["adjustsId"].as_str()), (Some("adjustment"), Some(id.as_str())));
    s.app
        .post(&format!("/api/v1/hours/{}/corrections", adj.str("id")), Some(&s.organiser.access), correct(5))
        .await
        .expect_problem(409, "not_correctable");
    let mine = s.app.get("/api/v1/me/hours", Some(&v.access)).await.expect(200);
    assert_eq!(mine.body["approvedMinutes"], 180);
    let entries = mine.body["entries"]["items"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "the original entry is kept, unchanged");
    assert!(entries.iter().any(|e| e["minutes"] == 200 && e["status"] == "approved"));

    // A dispute, once.
    s.app
        .post(&format!("/api/v1/hours/{id}/dispute"), Some(&v.access), json!({"comment": "我到得更早"}))
        .await
        .expect(200);
    s.app
        .post(&format!("/api/v1/hours/{id}/dispute"), Some(&v.access), json!({"comment": "再说一次"}))
        .await
        .expect_problem(409, "already_disputed");
    let disputed = s.app.get("/api/v1/hours?disputed=true", Some(&s.organiser.access)).await.expect(200);
    assert_eq!(disputed.body["items"][0]["disputeComment"], "我到得更早");
}

#[tokio::test]
async fn make_up_entries_are_for_admins_and_capped_at_the_task_length() {
    let (s, task, vols) = finished(1).await;
    let v = &vols[0];
    enter(&s, &task, &s.organiser, v, "makeup", 60).await.expect_problem(403, "forbidden");
    enter(&s, &task, &s.admin, v, "makeup", 241).await.expect_problem(409, "exceeds_task_length");
    enter(&s, &task, &s.admin, v, "makeup", 180).await.expect(201);
    enter(&s, &task, &s.organiser, v, "leader_entry", 61).await.expect_problem(409, "exceeds_task_length");
    enter(&s, &task, &s.organiser, v, "leader_entry", 60).await.expect(201);
    let stranger = s.app.register_volunteer().await;
    enter(&s, &task, &s.admin, &stranger, "makeup", 10).await.expect_problem(400, "not_signed_up");
    let mine = s.app.get("/api/v1/me/hours", Some(&v.access)).await.expect(200);
    assert_eq!(mine.body["approvedMinutes"], 240);
}

#[tokio::test]
async fn star_levels_at_their_boundaries() {
    let s = Service::new().await;
    let v = s.app.register_volunteer().await;
    let today = s.today();
    let mut ids = Vec::new();
    // 99 h 59 min in claims of at most 24 h, each on its own day (a day holds 24 h at most).
    for (days_ago, minutes) in [(4, 1440), (3, 1440), (2, 1440), (1, 1440), (0, 239)] {
        let date = today - chrono::Days::new(days_ago);
        let e = s
            .app
            .post(
                "/api/v1/me/hours/claims",
                Some(&v.access),
                json!({"orgUnitId": s.room, "serviceDate": date, "minutes": minutes, "description": "长期服务"}),
            )
            .await
            .expect(201);
        ids.push(e.str("id"));
    }
    let r = s
        .app
        .post("/api/v1/hours/decisions", Some(&s.organiser.access), json!({"ids": ids, "approve": true}))
        .await
        .expect(200);
    assert!(r.body["starsReached"].as_array().unwrap().is_empty());
    let mine = s.app.get("/api/v1/me/hours", Some(&v.access)).await.expect(200);
    assert_eq!(mine.body["approvedMinutes"], 5999);
    assert_eq!(
        (mine.body["stars"]["level"].as_i64(), mine.body["stars"]["minutesToNext"].as_i64()),
        (Some(0), Some(1))
    );
    let e = s
        .app
        .post(
            "/api/v1/me/hours/claims",
            Some(&v.access),
            json!({"orgUnitId": s.room, "serviceDate": today, "minutes": 1, "description": "x"}),
        )
        .await
        .expect(201);
    let r = s
        .app
        .post("/api/v1/hours/decisions", Some(&s.organiser.access), json!({"ids": [e.str("id")], "approve": true}))
        .await
        .expect(200);
    assert_eq!(r.body["starsReached"], json!([{"volunteerId": v.user_id, "level": 1}]));
    let mine = s.app.get("/api/v1/me/hours", Some(&v.access)).await.expect(200);
    assert_eq!(
        (mine.body["stars"]["level"].as_i64(), mine.body["stars"]["minutesToNext"].as_i64()),
        (Some(1), Some(200 * 60))
    );
}

#[tokio::test]
async fn two_concurrent_approvals_crossing_a_level_record_it_once() {
    let s = Service::new().await;
    let v = s.app.register_volunteer().await;
    let today = s.today();
    let mut first = Vec::new();
    for days_ago in 1..=4 {
        let date = today - chrono::Days::new(days_ago);
        let e = s
            .app
            .post(
                "/api/v1/me/hours/claims",
                Some(&v.access),
                json!({"orgUnitId": s.room, "serviceDate": date, "minutes": 1440, "description": "x"}),
            )
            .await
            .expect(201);
        first.push(e.str("id"));
    }
    s.app
        .post("/api/v1/hours/decisions", Some(&s.organiser.access), json!({"ids": first, "approve": true}))
        .await
        .expect(200);
    // 96 h approved; two claims of 3 h each, approved at once by two people, cross 100 h together.
    let mut pair = Vec::new();
    for _ in 0..2 {
        let e = s
            .app
            .post(
                "/api/v1/me/hours/claims",
                Some(&v.access),
                json!({"orgUnitId": s.room, "serviceDate": today, "minutes": 180, "description": "x"}),
            )
            .await
            .expect(201);
        pair.push(e.str("id"));
    }
    let (a, b) = tokio::join!(
        s.app.post("/api/v1/hours/decisions", Some(&s.organiser.access), json!({"ids": [pair[0]], "approve": true})),
        s.app.post("/api/v1/hours/decisions", Some(&s.admin.access), json!({"ids": [pair[1]], "approve": true})),
    );
    let reached: usize = [a, b].iter().map(|r| r.body["starsReached"].as_array().map_or(0, |x| x.len())).sum();
    assert_eq!(reached, 1, "the crossing is seen exactly once");
    assert_eq!(star_award::Entity::find().count(s.app.db()).await.unwrap(), 1);
}

#[tokio::test]
async fn leaderboards_rank_with_ties_and_show_my_place() {
    let s = Service::new().await;
    let vols = s.app.quick_volunteers(4, Some(&s.room)).await;
    let today = s.today();
    for (v, minutes) in vols.iter().zip([300, 500, 300, 100]) {
        let e = s
            .app
            .post(
                "/api/v1/me/hours/claims",
                Some(&v.access),
                json!({"orgUnitId": s.room, "serviceDate": today, "minutes": minutes, "description": "x"}),
            )
            .await
            .expect(201);
        s.app
            .post("/api/v1/hours/decisions", Some(&s.organiser.access), json!({"ids": [e.str("id")], "approve": true}))
            .await
            .expect(200);
    }
    let r = s
        .app
        .get(&format!("/api/v1/leaderboards?orgUnitId={}&period=month&limit=3", s.station), Some(&vols[3].access))
        .await
        .expect(200);
    let top: Vec<(i64, i64)> = r.body["top"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["rank"].as_i64().unwrap(), l["minutes"].as_i64().unwrap()))
        .collect();
    assert_eq!(top, vec![(1, 500), (2, 300), (2, 300)]);
    assert_eq!((r.body["me"]["rank"].as_i64(), r.body["me"]["minutes"].as_i64()), (Some(4), Some(100)));
    let none = s.app.get("/api/v1/leaderboards", Some(&s.organiser.access)).await.expect(200);
    assert!(none.body["me"].is_null());
    assert_eq!(none.body["top"].as_array().unwrap().len(), 4);
}

async fn approved_stay(s: &Service, task: &str, v: &Session, minutes: i64) {
    let e = enter(s, task, &s.organiser, v, "leader_entry", minutes).await.expect(201);
    assert_eq!(e.body["status"], "approved");
}

#[tokio::test]
async fn service_records_are_issued_by_the_recording_unit_and_verifiable() {
    let (s, task, vols) = finished(1).await;
    let v = &vols[0];
    approved_stay(&s, &task, v, 240).await;
    let today = s.today();
    let from = today - chrono::Days::new(30);
    // A unit that recorded nothing for this volunteer cannot certify.
    let other = s.app.create_unit(&s.city_admin, "community", Some(&s.station), "别的社区").await;
    s.app
        .post("/api/v1/me/service-records", Some(&v.access), json!({"orgUnitId": other, "from": from, "to": today}))
        .await
        .expect_problem(409, "nothing_to_certify");
    s.app
        .post("/api/v1/me/service-records", Some(&v.access), json!({"orgUnitId": s.station, "from": today, "to": from}))
        .await
        .expect_problem(400, "invalid_period");
    // The station (above the room that recorded) can.
    let r = s
        .app
        .post("/api/v1/me/service-records", Some(&v.access), json!({"orgUnitId": s.station, "from": from, "to": today}))
        .await
        .expect(201);
    assert_eq!(r.body["totalMinutes"], 240);
    assert_eq!(r.body["content"], "社区助老服务");
    assert_eq!(r.body["issuerName"], "东湖街道社工站");
    let code = r.str("code");
    let number = r.str("certificateNumber");
    assert!(r.str("verifyUrl").ends_with(&format!("/api/v1/service-records/{code}/page")));

    // Public verification, without signing in, shows a masked name and nothing private.
    let p = s.app.get(&format!("/api/v1/service-records/{code}"), None).await.expect(200);
    assert_eq!(p.body["valid"], true);
    assert_eq!(p.body["certificateNumber"], number.as_str());
    assert_eq!(p.body["totalMinutes"], 240);
    assert_eq!(p.body["volunteerName"], "志**0", "partly masked");
    let text = p.body.to_string();
    assert!(!text.contains(&v.phone) && !text.contains(&v.user_id), "{text}");
    let html = s.app.client.get(format!("{}/api/v1/service-records/{code}/page", s.app.base)).send().await.unwrap();
    assert_eq!(html.status(), 200);
    assert!(html.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = html.text().await.unwrap();
    assert!(html.contains("<svg") && html.contains(&number) && html.contains(&format!("{code}/page")));
    s.app.get("/api/v1/service-records/nope", None).await.expect_problem(404, "not_found");

    // Revocation by an admin in scope, with a reason.
    let path = format!("/api/v1/service-records/{code}/revoke");
    s.app.post(&path, Some(&v.access), json!({"reason": "x"})).await.expect_problem(403, "forbidden");
    s.app.post(&path, Some(&s.admin.access), json!({"reason": "时长造假"})).await.expect(200);
    s.app.post(&path, Some(&s.admin.access), json!({"reason": "again"})).await.expect_problem(409, "already_revoked");
    let p = s.app.get(&format!("/api/v1/service-records/{code}"), None).await.expect(200);
    assert_eq!(p.body["valid"], false);
    let mine = s.app.get("/api/v1/me/service-records", Some(&v.access)).await.expect(200);
    assert_eq!(mine.body.as_array().unwrap().len(), 1);
    let _: Value = mine.body;
}

#[tokio::test]
async fn a_certificate_shows_the_real_name_only_when_chosen_recorded_and_consented() {
    let (s, task, vols) = finished(1).await;
    let v = &vols[0];
    approved_stay(&s, &task, v, 120).await;
    let today = s.today();
    let ask =
        |name: Value| json!({"orgUnitId": s.station, "from": today - chrono::Days::new(7), "to": today, "name": name});
    let post = |body: Value| s.app.post("/api/v1/me/service-records", Some(&v.access), body);
    post(ask(json!("real_name"))).await.expect_problem(409, "real_name_unavailable");
    post(ask(json!("legal"))).await.expect(400);
    assert_eq!(s.app.count("service_records").await, 0, "nothing issued");
    let shown = post(ask(json!("display_name"))).await.expect(201);
    assert_eq!(shown.body["volunteerName"], "志愿者0");

    s.app
        .put(
            "/api/v1/me/identity",
            Some(&v.access),
            json!({"idNumber": crate::helpers::id_number(), "realName": "张晓红", "consentVersion": "2026-01"}),
        )
        .await
        .expect(200);
    let real = post(ask(json!("real_name"))).await.expect(201);
    assert_eq!(real.body["volunteerName"], "张晓红");
    let public = s.app.get(&format!("/api/v1/service-records/{}", real.str("code")), None).await.expect(200);
    assert_eq!(public.body["volunteerName"], "张*红", "masked for verifiers, as before");
    let by_default = post(ask(Value::Null)).await.expect(201);
    assert_eq!(by_default.body["volunteerName"], "志愿者0", "the display name unless asked");

    // Once the consent is withdrawn, the real name is no longer used.
    let consents = s.app.get("/api/v1/me/consents", Some(&v.access)).await.expect(200);
    let id = consents.body.as_array().unwrap().iter().find(|c| c["purpose"] == "identity").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    s.app.post(&format!("/api/v1/me/consents/{id}/withdraw"), Some(&v.access), json!({})).await.expect(200);
    post(ask(json!("real_name"))).await.expect_problem(409, "real_name_unavailable");
    assert_eq!(s.app.count("service_records").await, 3);
}

async fn csv(s: &Service, path: &str, token: &str) -> (u16, String) {
    let r = s.app.client.get(format!("{}{path}", s.app.base)).bearer_auth(token).send().await.unwrap();
    let status = r.status().as_u16();
    if status == 200 {
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        assert!(r.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
    }
    (status, r.text().await.unwrap())
}

#[tokio::test]
async fn hours_and_rosters_export_as_csv_in_scope() {
    let (s, task, vols) = finished(3).await;
    for v in &vols {
        approved_stay(&s, &task, v, 120).await;
    }
    let (status, body) = csv(&s, "/api/v1/hours/export.csv", &s.admin.access).await;
    assert_eq!(status, 200);
    assert!(body.starts_with('\u{feff}'), "a byte-order mark for spreadsheets");
    let lines: Vec<&str> = body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0], "date,volunteer,volunteer_number,task,org_unit,source,minutes,status,decided_at,reason");
    assert_eq!(lines.len(), 4);
    assert!(lines[1].contains("社区助老服务") && lines[1].contains(",120,approved,"));
    assert!(!body.contains(&vols[0].phone[3..]), "no phone numbers in the export");

    let (status, _) = csv(&s, "/api/v1/hours/export.csv", &vols[0].access).await;
    assert_eq!(status, 403);
    let (status, _) = csv(&s, "/api/v1/hours/export.csv", &s.organiser.access).await;
    assert_eq!(status, 403);
    let (status, body) =
        csv(&s, &format!("/api/v1/hours/export.csv?orgUnitId={}&status=pending", s.station), &s.city_admin.access)
            .await;
    assert_eq!((status, body.lines().count()), (200, 1), "nothing pending");

    let (status, body) = csv(&s, &format!("/api/v1/tasks/{task}/roster.csv"), &s.organiser.access).await;
    assert_eq!(status, 200);
    let lines: Vec<&str> = body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(lines[1].contains("****") && lines[1].ends_with(",120"), "{}", lines[1]);
    let (status, _) = csv(&s, &format!("/api/v1/tasks/{task}/roster.csv"), &vols[0].access).await;
    assert_eq!(status, 403);
}

/// The titles in a person's inbox.
async fn inbox_titles(s: &Service, who: &Session) -> Vec<String> {
    let inbox = s.app.get("/api/v1/me/notifications?limit=100", Some(&who.access)).await.expect(200);
    inbox.body["items"].as_array().unwrap().iter().map(|n| n["title"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn volunteers_hear_of_decisions_once_a_batch_and_organisers_of_disputes() {
    let s = Service::new().await;
    let v = s.app.quick_volunteers(1, Some(&s.room)).await.remove(0);
    let today = s.today();
    let mut ids = Vec::new();
    for minutes in [60, 90, 30] {
        let body = json!({"orgUnitId": s.room, "serviceDate": today, "minutes": minutes, "description": "x"});
        ids.push(s.app.post("/api/v1/me/hours/claims", Some(&v.access), body).await.expect(201).str("id"));
    }
    let decide = |ids: &[String], approve: bool| {
        let body = json!({"ids": ids, "approve": approve, "reason": if approve { None } else { Some("日期不符") }});
        s.app.post("/api/v1/hours/decisions", Some(&s.organiser.access), body)
    };
    decide(&ids[..2], true).await.expect(200);
    decide(&ids[2..], false).await.expect(200);
    s.app
        .post(
            &format!("/api/v1/hours/{}/corrections", ids[0]),
            Some(&s.organiser.access),
            json!({"deltaMinutes": -15, "reason": "提前离开"}),
        )
        .await
        .expect(201);
    s.app
        .post(&format!("/api/v1/hours/{}/dispute", ids[2]), Some(&v.access), json!({"comment": "我那天在"}))
        .await
        .expect(200);
    s.app.start_workers();
    eventually(20, "the news arrives", || async {
        inbox_titles(&s, &v).await.len() >= 3 && !inbox_titles(&s, &s.organiser).await.is_empty()
    })
    .await;
    let mut mine = inbox_titles(&s, &v).await;
    mine.sort();
    assert_eq!(mine, ["服务时长已更正", "服务时长已确认", "服务时长未通过"], "one message per batch");
    let inbox = s.app.get("/api/v1/me/notifications", Some(&v.access)).await.expect(200);
    let bodies: Vec<&str> =
        inbox.body["items"].as_array().unwrap().iter().map(|n| n["body"].as_str().unwrap()).collect();
    assert!(bodies.iter().any(|b| b.contains("2条") && b.contains("2.50小时")), "{bodies:?}");
    assert!(bodies.iter().any(|b| b.contains("日期不符")), "{bodies:?}");
    assert!(bodies.iter().any(|b| b.contains("-0.25小时")), "{bodies:?}");
    assert_eq!(inbox_titles(&s, &s.organiser).await, ["服务时长有申诉"]);
}
