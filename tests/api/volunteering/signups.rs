//! Signing up: seats and the FIFO waitlist under heavy concurrency, idempotency, schedule
//! conflicts, deadlines, cut-offs, managed sign-ups and the roster.

use crate::service_fixture::Service;
use chrono::Duration;
use entity::signup::{self, SignupStatus};
use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use std::collections::HashSet;

#[tokio::test]
async fn two_hundred_volunteers_race_for_ten_seats() {
    let s = Service::new().await;
    let task = s.task(10).await;
    let vols = s.app.quick_volunteers(200, Some(&s.room)).await;
    let path = format!("/api/v1/tasks/{task}/signups");
    let results = futures::future::join_all(vols.iter().map(|v| s.app.post(&path, Some(&v.access), json!({})))).await;
    assert!(results.iter().all(|r| r.status == 201), "every sign-up is accepted");
    let confirmed = results.iter().filter(|r| r.body["status"] == "confirmed").count();
    let waitlisted: Vec<i64> = results
        .iter()
        .filter(|r| r.body["status"] == "waitlisted")
        .map(|r| r.body["position"].as_i64().unwrap())
        .collect();
    assert_eq!(confirmed, 10);
    assert_eq!(waitlisted.len(), 190);
    let mut positions = waitlisted.clone();
    positions.sort();
    assert_eq!(positions, (1..=190).collect::<Vec<i64>>(), "a gapless FIFO order");

    let rows = signup::Entity::find()
        .filter(signup::Column::TaskId.eq(task.parse::<uuid::Uuid>().unwrap()))
        .all(s.app.db())
        .await
        .unwrap();
    assert_eq!(rows.len(), 200, "no duplicates");
    assert_eq!(rows.iter().filter(|r| r.status == SignupStatus::Confirmed).count(), 10);
    let t = s.app.get(&format!("/api/v1/tasks/{task}"), Some(&vols[0].access)).await.expect(200);
    assert_eq!((t.body["filled"].as_i64(), t.body["seatsLeft"].as_i64()), (Some(10), Some(0)));

    // Five confirmed volunteers cancel at once: exactly the five at the head of the queue move up.
    let confirmed_ids: Vec<&serde_json::Value> =
        results.iter().filter(|r| r.body["status"] == "confirmed").map(|r| &r.body).collect();
    let cancels = futures::future::join_all(confirmed_ids.iter().take(5).map(|b| {
        let who = vols.iter().find(|v| v.user_id == b["volunteerId"].as_str().unwrap()).unwrap();
        s.app.post(format!("/api/v1/signups/{}/cancel", b["id"].as_str().unwrap()), Some(&who.access), json!({}))
    }))
    .await;
    let mut promoted = Vec::new();
    for c in &cancels {
        assert_eq!(c.status, 200, "{}", c.body);
        promoted.extend(c.body["promoted"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()));
    }
    assert_eq!(promoted.len(), 5);
    let by_position: Vec<String> = {
        let mut w: Vec<&serde_json::Value> =
            results.iter().filter(|r| r.body["status"] == "waitlisted").map(|r| &r.body).collect();
        w.sort_by_key(|b| b["position"].as_i64());
        w.iter().take(5).map(|b| b["id"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(
        promoted.into_iter().collect::<HashSet<_>>(),
        by_position.into_iter().collect::<HashSet<_>>(),
        "in order"
    );
    let rows = signup::Entity::find()
        .filter(signup::Column::TaskId.eq(task.parse::<uuid::Uuid>().unwrap()))
        .order_by_asc(signup::Column::Id)
        .all(s.app.db())
        .await
        .unwrap();
    assert_eq!(rows.iter().filter(|r| r.status == SignupStatus::Confirmed).count(), 10, "capacity holds");
    assert_eq!(rows.iter().filter(|r| r.status == SignupStatus::Waitlisted).count(), 185);
}

#[tokio::test]
async fn signing_up_twice_is_one_sign_up() {
    let s = Service::new().await;
    let task = s.task(5).await;
    let v = s.app.register_volunteer().await;
    let path = format!("/api/v1/tasks/{task}/signups");
    let results = futures::future::join_all((0..10).map(|_| s.app.post(&path, Some(&v.access), json!({})))).await;
    let ids: HashSet<String> = results.iter().map(|r| r.body["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(results.iter().filter(|r| r.status == 201).count(), 1);
    assert_eq!(results.iter().filter(|r| r.status == 200).count(), 9);
    let t = s.app.get(&format!("/api/v1/tasks/{task}"), Some(&v.access)).await.expect(200);
    assert_eq!(t.body["filled"], 1);
}

#[tokio::test]
async fn overlapping_sign_ups_conflict() {
    let s = Service::new().await;
    let a = s.publish(s.task_body(Duration::days(2), 3, 5)).await;
    let b = s.publish(s.task_body(Duration::days(2) + Duration::hours(2), 3, 5)).await;
    let c = s.publish(s.task_body(Duration::days(2) + Duration::hours(3), 3, 5)).await;
    let v = s.app.register_volunteer().await;
    s.sign_up(&a, &v).await;
    s.app
        .post(&format!("/api/v1/tasks/{b}/signups"), Some(&v.access), json!({}))
        .await
        .expect_problem(409, "schedule_conflict");
    // Back to back is not an overlap.
    s.sign_up(&c, &v).await;

    // Two overlapping sign-ups at the same instant: one wins.
    let d = s.publish(s.task_body(Duration::days(5), 3, 5)).await;
    let e = s.publish(s.task_body(Duration::days(5) + Duration::hours(1), 3, 5)).await;
    let w = s.app.register_volunteer().await;
    let (pd, pe) = (format!("/api/v1/tasks/{d}/signups"), format!("/api/v1/tasks/{e}/signups"));
    let (rd, re) =
        tokio::join!(s.app.post(&pd, Some(&w.access), json!({})), s.app.post(&pe, Some(&w.access), json!({})));
    let mut statuses = [rd.status.as_u16(), re.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [201, 409]);
}

#[tokio::test]
async fn deadline_and_cut_off() {
    let s = Service::new().await;
    let mut body = s.task_body(Duration::days(2), 3, 1);
    body["signupDeadline"] = json!(s.now() + Duration::days(1));
    body["cancelCutoffHours"] = json!(24);
    let task = s.publish(body).await;
    let early = s.app.register_volunteer().await;
    let waiting = s.app.register_volunteer().await;
    let first = s.sign_up(&task, &early).await;
    let second = s.sign_up(&task, &waiting).await;
    assert_eq!(second["status"], "waitlisted");
    s.app.clock.advance(Duration::days(1) + Duration::minutes(1));
    let late = s.app.register_volunteer().await;
    s.app
        .post(&format!("/api/v1/tasks/{task}/signups"), Some(&late.access), json!({}))
        .await
        .expect_problem(409, "signup_closed");

    // Cancelling inside the 24 h cut-off is allowed, recorded as late, and promotes the waitlist.
    let r = s
        .app
        .post(
            &format!("/api/v1/signups/{}/cancel", first["id"].as_str().unwrap()),
            Some(&early.access),
            json!({"reason": "生病"}),
        )
        .await
        .expect(200);
    assert_eq!(r.body["signup"]["status"], "cancelled");
    assert_eq!(r.body["signup"]["lateCancellation"], true);
    assert_eq!(r.body["promoted"], json!([second["id"]]));
    let w = s
        .app
        .get(&format!("/api/v1/signups/{}", second["id"].as_str().unwrap()), Some(&waiting.access))
        .await
        .expect(200);
    assert_eq!(w.body["signup"]["status"], "confirmed");
    assert!(w.body["signup"]["position"].is_null());
    // Cancelling twice, or someone else's, is refused.
    s.app
        .post(&format!("/api/v1/signups/{}/cancel", first["id"].as_str().unwrap()), Some(&early.access), json!({}))
        .await
        .expect_problem(409, "signup_not_live");
    s.app
        .post(&format!("/api/v1/signups/{}/cancel", second["id"].as_str().unwrap()), Some(&early.access), json!({}))
        .await
        .expect_problem(404, "not_found");
}

/// `position` is the place in line, not the ticket: after promotions the head shows 1.
#[tokio::test]
async fn the_waitlist_shows_the_place_in_line() {
    let s = Service::new().await;
    let task = s.task(1).await;
    let vols = s.app.quick_volunteers(5, Some(&s.room)).await;
    let mut signups = Vec::new();
    for v in &vols {
        signups.push(s.sign_up(&task, v).await);
    }
    assert_eq!(signups[0]["status"], "confirmed");
    let places: Vec<i64> = signups[1..].iter().map(|b| b["position"].as_i64().unwrap()).collect();
    assert_eq!(places, [1, 2, 3, 4]);

    // The seat passes down the line twice: the first two waiting are promoted in turn.
    for i in 0..2 {
        let r = s
            .app
            .post(
                format!("/api/v1/signups/{}/cancel", signups[i]["id"].as_str().unwrap()),
                Some(&vols[i].access),
                json!({}),
            )
            .await
            .expect(200);
        assert_eq!(r.body["promoted"], json!([signups[i + 1]["id"]]));
    }
    // And the fourth in line leaves the waitlist of their own accord.
    s.app
        .post(
            format!("/api/v1/signups/{}/cancel", signups[4]["id"].as_str().unwrap()),
            Some(&vols[4].access),
            json!({}),
        )
        .await
        .expect(200);

    // The one left waiting (third in line at first) is now the head, wherever it is read.
    let head = signups[3]["id"].as_str().unwrap();
    let one = s.app.get(format!("/api/v1/signups/{head}"), Some(&vols[3].access)).await.expect(200);
    assert_eq!(
        (one.body["signup"]["status"].as_str(), one.body["signup"]["position"].as_i64()),
        (Some("waitlisted"), Some(1))
    );
    let mine = s.app.get("/api/v1/me/signups", Some(&vols[3].access)).await.expect(200);
    assert_eq!(mine.body["items"][0]["signup"]["position"], 1);
    let again = s.sign_up(&task, &vols[3]).await;
    assert_eq!(again["position"], 1, "signing up twice answers the same place");
    let roster = s
        .app
        .get(format!("/api/v1/tasks/{task}/signups?status=waitlisted"), Some(&s.organiser.access))
        .await
        .expect(200);
    assert_eq!(roster.body["items"][0]["signup"]["position"], 1);
    assert_eq!(roster.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn early_cancellation_is_not_late_and_frees_the_seat() {
    let s = Service::new().await;
    let task = s.task(1).await;
    let v = s.app.register_volunteer().await;
    let su = s.sign_up(&task, &v).await;
    // The body (a reason) is optional: a request with none at all, as generated clients send it.
    let r = s
        .app
        .call(Method::POST, format!("/api/v1/signups/{}/cancel", su["id"].as_str().unwrap()), Some(&v.access), None)
        .await
        .expect(200);
    assert_eq!(r.body["signup"]["status"], "cancelled");
    assert_eq!(r.body["signup"]["lateCancellation"], false);
    let t = s.app.get(&format!("/api/v1/tasks/{task}"), Some(&v.access)).await.expect(200);
    assert_eq!(t.body["seatsLeft"], 1);
    // Signing up again revives the same sign-up.
    let again = s.sign_up(&task, &v).await;
    assert_eq!(again["id"], su["id"]);
    assert_eq!(again["status"], "confirmed");
}

#[tokio::test]
async fn managed_sign_ups_wait_for_the_organiser() {
    let s = Service::new().await;
    let mut body = s.task_body(Duration::days(2), 3, 1);
    body["signupMode"] = json!("managed");
    let task = s.publish(body).await;
    let a = s.app.register_volunteer().await;
    let b = s.app.register_volunteer().await;
    let c = s.app.register_volunteer().await;
    let sa = s.sign_up(&task, &a).await;
    let sb = s.sign_up(&task, &b).await;
    let sc = s.sign_up(&task, &c).await;
    assert_eq!(sa["status"], "pending");
    let t = s.app.get(&format!("/api/v1/tasks/{task}"), Some(&a.access)).await.expect(200);
    assert_eq!(t.body["filled"], 0, "pending sign-ups hold no seat");

    let id = |v: &serde_json::Value| v["id"].as_str().unwrap().to_string();
    // Volunteers cannot approve, themselves or others.
    s.app
        .post(&format!("/api/v1/signups/{}/approve", id(&sa)), Some(&a.access), json!({}))
        .await
        .expect_problem(403, "forbidden");
    let r = s
        .app
        .post(&format!("/api/v1/signups/{}/approve", id(&sa)), Some(&s.organiser.access), json!({}))
        .await
        .expect(200);
    assert_eq!(r.body["status"], "confirmed");
    let r = s
        .app
        .post(&format!("/api/v1/signups/{}/approve", id(&sb)), Some(&s.organiser.access), json!({}))
        .await
        .expect(200);
    assert_eq!(r.body["status"], "waitlisted");
    s.app
        .post(&format!("/api/v1/signups/{}/deny", id(&sc)), Some(&s.organiser.access), json!({"reason": ""}))
        .await
        .expect(400);
    let r = s
        .app
        .post(&format!("/api/v1/signups/{}/deny", id(&sc)), Some(&s.organiser.access), json!({"reason": "需要驾照"}))
        .await
        .expect(200);
    assert_eq!(r.body["status"], "denied");
    s.app
        .post(&format!("/api/v1/tasks/{task}/signups"), Some(&c.access), json!({}))
        .await
        .expect_problem(409, "signup_refused");

    // Removing the confirmed person promotes the waitlisted one.
    let r = s
        .app
        .post(&format!("/api/v1/signups/{}/remove", id(&sa)), Some(&s.organiser.access), json!({"reason": "重复报名"}))
        .await
        .expect(200);
    assert_eq!(r.body["promoted"], json!([sb["id"]]));

    let roster = s.app.get(&format!("/api/v1/tasks/{task}/signups"), Some(&s.organiser.access)).await.expect(200);
    let items = roster.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert!(items.iter().all(|i| i["phone"].as_str().unwrap().contains("****")), "phones are masked on the roster");
    let confirmed = s
        .app
        .get(&format!("/api/v1/tasks/{task}/signups?status=confirmed"), Some(&s.organiser.access))
        .await
        .expect(200);
    assert_eq!(confirmed.body["items"][0]["signup"]["id"], sb["id"]);
}

#[tokio::test]
async fn answering_the_reminder() {
    let s = Service::new().await;
    let task = s.task(1).await;
    let a = s.app.register_volunteer().await;
    let b = s.app.register_volunteer().await;
    let sa = s.sign_up(&task, &a).await;
    let sb = s.sign_up(&task, &b).await;
    let path = |x: &serde_json::Value| format!("/api/v1/signups/{}/respond", x["id"].as_str().unwrap());
    let r = s.app.post(&path(&sa), Some(&a.access), json!({"attending": true})).await.expect(200);
    assert!(r.body["signup"]["confirmedAttendanceAt"].is_string());
    s.app.post(&path(&sb), Some(&b.access), json!({"attending": true})).await.expect_problem(409, "not_confirmed");
    s.app.post(&path(&sa), Some(&a.access), json!({"attending": false})).await.expect_problem(400, "validation_failed");
    let r =
        s.app.post(&path(&sa), Some(&a.access), json!({"attending": false, "reason": "临时加班"})).await.expect(200);
    assert_eq!(r.body["signup"]["status"], "cancelled");
    assert_eq!(r.body["promoted"], json!([sb["id"]]));
}

#[tokio::test]
async fn volunteers_see_only_their_own_sign_ups() {
    let s = Service::new().await;
    let task = s.task(3).await;
    let a = s.app.register_volunteer().await;
    let b = s.app.register_volunteer().await;
    let sa = s.sign_up(&task, &a).await;
    s.sign_up(&task, &b).await;
    let mine = s.app.get("/api/v1/me/signups", Some(&b.access)).await.expect(200);
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(mine.body["items"][0]["task"]["id"], task.as_str());
    s.app
        .get(&format!("/api/v1/signups/{}", sa["id"].as_str().unwrap()), Some(&b.access))
        .await
        .expect_problem(404, "not_found");
    s.app.get(&format!("/api/v1/tasks/{task}/signups"), Some(&b.access)).await.expect_problem(403, "forbidden");
    s.app.get(&format!("/api/v1/signups/{}", sa["id"].as_str().unwrap()), Some(&s.organiser.access)).await.expect(200);
}

#[tokio::test]
async fn children_under_fourteen_sign_up_only_with_a_guardians_consent() {
    let s = Service::new().await;
    let task = s.task(5).await;
    let child = s.app.register_volunteer().await;
    let birth = (s.now().date_naive() - Duration::days(365 * 10)).format("%Y%m%d").to_string();
    let number = crate::helpers::id_number_born(&birth);
    s.app
        .put(
            "/api/v1/me/identity",
            Some(&child.access),
            json!({"idNumber": number, "realName": "王小明", "consentVersion": "2026-01"}),
        )
        .await
        .expect(200);
    let path = format!("/api/v1/tasks/{task}/signups");
    s.app.post(&path, Some(&child.access), json!({})).await.expect_problem(403, "guardian_consent_required");
    assert_eq!(s.app.count("signups").await, 0, "nothing changed");
    s.app
        .put(
            "/api/v1/me/guardian",
            Some(&child.access),
            json!({"name": "王爸爸", "phone": "13911112222", "relationship": "parent"}),
        )
        .await
        .expect(200);
    // Recorded but not yet confirmed by the guardian: still refused.
    s.app.post(&path, Some(&child.access), json!({})).await.expect_problem(403, "guardian_consent_required");
    let code = s.app.code_sent_to("+8613911112222").await.expect("the guardian is sent a code");
    s.app
        .post("/api/v1/me/guardian/confirm", Some(&child.access), json!({"code": code, "consentVersion": "g1"}))
        .await
        .expect(200);
    s.app.post(&path, Some(&child.access), json!({})).await.expect(201);
}

#[tokio::test]
async fn required_skills_gate_sign_up_only_where_the_organiser_chose_so() {
    let s = Service::new().await;
    let vols = s.app.quick_volunteers(3, Some(&s.room)).await;
    let (skilled, unskilled, other) = (&vols[0], &vols[1], &vols[2]);
    s.app.patch("/api/v1/me", Some(&skilled.access), json!({"skills": ["First Aid", "driving"]})).await.expect(200);
    s.app.patch("/api/v1/me", Some(&unskilled.access), json!({"skills": ["driving"]})).await.expect(200);

    let mut gated = s.task_body(Duration::days(2), 3, 10);
    gated["requiredSkills"] = json!(["first aid"]);
    gated["skillsRequiredForSignup"] = json!(true);
    let gated = s.publish(gated).await;
    let got = s.app.get(&format!("/api/v1/tasks/{gated}"), Some(&unskilled.access)).await.expect(200);
    assert_eq!(got.body["skillsRequiredForSignup"], true);
    let path = format!("/api/v1/tasks/{gated}/signups");
    let r = s.app.post(&path, Some(&unskilled.access), json!({})).await.expect_problem(409, "skills_missing");
    assert!(r.body["detail"].as_str().unwrap().contains("first aid"), "{}", r.body);
    let refused: uuid::Uuid = unskilled.user_id.parse().unwrap();
    let rows = signup::Entity::find().filter(signup::Column::VolunteerId.eq(refused)).all(s.app.db()).await.unwrap();
    assert!(rows.is_empty(), "a refused sign-up leaves nothing behind");
    s.app.post(&path, Some(&skilled.access), json!({})).await.expect(201);

    // By default the skills only steer dispatch; the organiser can switch the gate either way.
    let mut open = s.task_body(Duration::days(3), 3, 10);
    open["requiredSkills"] = json!(["first aid"]);
    let open = s.publish(open).await;
    let got = s.app.get(&format!("/api/v1/tasks/{open}"), Some(&unskilled.access)).await.expect(200);
    assert_eq!(got.body["skillsRequiredForSignup"], false);
    s.app.post(&format!("/api/v1/tasks/{open}/signups"), Some(&unskilled.access), json!({})).await.expect(201);
    s.app
        .patch(&format!("/api/v1/tasks/{open}"), Some(&s.organiser.access), json!({"skillsRequiredForSignup": true}))
        .await
        .expect(200);
    s.app
        .post(&format!("/api/v1/tasks/{open}/signups"), Some(&other.access), json!({}))
        .await
        .expect_problem(409, "skills_missing");
    s.app
        .patch(&format!("/api/v1/tasks/{gated}"), Some(&s.organiser.access), json!({"skillsRequiredForSignup": false}))
        .await
        .expect(200);
    s.app.post(&path, Some(&unskilled.access), json!({})).await.expect(201);
    s.app
        .patch(&format!("/api/v1/tasks/{gated}"), Some(&s.organiser.access), json!({"skillsRequiredForSignup": "yes"}))
        .await
        .expect(400);
}
