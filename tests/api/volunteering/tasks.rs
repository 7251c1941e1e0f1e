//! Service tasks: creating, validating, publishing, editing, cancelling, who may do it, and
//! browsing what is open.

use crate::service_fixture::{LAT, LNG, Service};
use chrono::Duration;
use serde_json::{Value, json};

fn titles(body: &Value) -> Vec<String> {
    body["items"].as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_task_goes_from_draft_to_published() {
    let s = Service::new().await;
    let mut body = s.task_body(Duration::days(1), 4, 10);
    body["requiredSkills"] = json!(["First Aid"]);
    body["minHeadcount"] = json!(3);
    let r = s.app.post("/api/v1/tasks", Some(&s.organiser.access), body).await.expect(201);
    assert_eq!(r.body["status"], "draft");
    assert_eq!(r.body["seatsLeft"], 10);
    assert_eq!(r.body["requiredSkills"], json!(["first aid"]));
    assert_eq!(r.body["checkInRadiusM"], 300);
    assert_eq!(r.body["minPresencePct"], 60);
    assert_eq!(r.body["signupDeadline"], r.body["startsAt"], "the deadline defaults to the start");
    let id = r.str("id");

    // A draft is invisible to volunteers, and cannot be signed up for.
    let v = s.app.register_volunteer().await;
    s.app.get(&format!("/api/v1/tasks/{id}"), Some(&v.access)).await.expect_problem(404, "not_found");
    s.app
        .post(&format!("/api/v1/tasks/{id}/signups"), Some(&v.access), json!({}))
        .await
        .expect_problem(404, "not_found");

    let r = s.app.post(&format!("/api/v1/tasks/{id}/publish"), Some(&s.organiser.access), json!({})).await.expect(200);
    assert_eq!(r.body["status"], "published");
    assert!(r.body["publishedAt"].is_string());
    s.app.get(&format!("/api/v1/tasks/{id}"), Some(&v.access)).await.expect(200);
    s.app
        .post(&format!("/api/v1/tasks/{id}/publish"), Some(&s.organiser.access), json!({}))
        .await
        .expect_problem(409, "not_a_draft");
}

#[tokio::test]
async fn bad_tasks_are_refused_and_nothing_is_created() {
    let s = Service::new().await;
    let post = |patch: Value| {
        let mut body = s.task_body(Duration::days(1), 2, 5);
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        s.app.post("/api/v1/tasks", Some(&s.organiser.access), body)
    };
    post(json!({"capacity": 0})).await.expect_problem(400, "invalid_capacity");
    let start = s.now() + Duration::days(1);
    post(json!({"endsAt": start - Duration::hours(1)})).await.expect_problem(400, "invalid_time_range");
    post(json!({"lat": 91.0})).await.expect_problem(400, "validation_failed");
    post(json!({"lng": 200.0})).await.expect_problem(400, "validation_failed");
    post(json!({"lat": null})).await.expect_problem(400, "invalid_coordinates");
    post(json!({"actionLine": "party"})).await.expect_problem(400, "validation_failed");
    post(json!({"signupDeadline": start + Duration::hours(1)})).await.expect_problem(400, "invalid_deadline");
    post(json!({"title": "   "})).await.expect_problem(400, "validation_failed");
    post(json!({"startsAt": "9999-01-01T00:00:00Z", "endsAt": "9999-01-01T02:00:00Z"}))
        .await
        .expect_problem(400, "invalid_time_range");
    post(json!({"orgUnitId": uuid::Uuid::now_v7()})).await.expect_problem(400, "org_unit_not_found");
    assert_eq!(s.app.count("tasks").await, 0);
}

#[tokio::test]
async fn publishing_checks_insurance_and_the_start() {
    let s = Service::new().await;
    let mut body = s.task_body(Duration::days(1), 2, 5);
    body["actionLine"] = json!("rescue");
    body["requiresInsurance"] = json!(true);
    let id = s.app.post("/api/v1/tasks", Some(&s.organiser.access), body).await.expect(201).str("id");
    s.app
        .post(&format!("/api/v1/tasks/{id}/publish"), Some(&s.organiser.access), json!({}))
        .await
        .expect_problem(400, "insurance_required");
    s.app
        .patch(
            &format!("/api/v1/tasks/{id}"),
            Some(&s.organiser.access),
            json!({"insurancePolicyRef": "PICC-2026-0042"}),
        )
        .await
        .expect(200);
    s.app.post(&format!("/api/v1/tasks/{id}/publish"), Some(&s.organiser.access), json!({})).await.expect(200);
    // Dropping the policy of a published task that needs it is refused.
    s.app
        .patch(&format!("/api/v1/tasks/{id}"), Some(&s.organiser.access), json!({"insurancePolicyRef": null}))
        .await
        .expect_problem(400, "insurance_required");

    let late = s
        .app
        .post("/api/v1/tasks", Some(&s.organiser.access), s.task_body(Duration::hours(1), 2, 5))
        .await
        .expect(201)
        .str("id");
    s.app.clock.advance(Duration::hours(2));
    s.app
        .post(&format!("/api/v1/tasks/{late}/publish"), Some(&s.organiser.access), json!({}))
        .await
        .expect_problem(400, "starts_in_past");
}

#[tokio::test]
async fn only_organisers_in_scope_run_tasks() {
    let s = Service::new().await;
    let v = s.app.register_volunteer().await;
    s.app
        .post("/api/v1/tasks", Some(&v.access), s.task_body(Duration::days(1), 2, 5))
        .await
        .expect_problem(403, "forbidden");
    // A social worker of another station cannot create tasks here, nor run this one.
    let city =
        s.app.get(&format!("/api/v1/org-units/{}/ancestors", s.room), Some(&s.city_admin.access)).await.expect(200);
    let city_id = city.body[0]["id"].as_str().unwrap().to_string();
    let other_station = s.app.create_unit(&s.city_admin, "town_station", Some(&city_id), "西山镇社工站").await;
    let other = s.app.create_user(&s.city_admin, "social_worker", Some(&other_station)).await;
    s.app
        .post("/api/v1/tasks", Some(&other.access), s.task_body(Duration::days(1), 2, 5))
        .await
        .expect_problem(403, "forbidden");
    let id = s.task(5).await;
    for who in [&v, &other] {
        s.app
            .patch(&format!("/api/v1/tasks/{id}"), Some(&who.access), json!({"title": "x"}))
            .await
            .expect_problem(403, "forbidden");
        s.app
            .post(&format!("/api/v1/tasks/{id}/cancel"), Some(&who.access), json!({"reason": "x"}))
            .await
            .expect_problem(403, "forbidden");
        s.app
            .get(&format!("/api/v1/tasks/{id}/check-in-code"), Some(&who.access))
            .await
            .expect_problem(403, "forbidden");
        s.app.get(&format!("/api/v1/tasks/{id}/signups"), Some(&who.access)).await.expect_problem(403, "forbidden");
    }
    // The station admin runs every task in the station.
    s.app.patch(&format!("/api/v1/tasks/{id}"), Some(&s.admin.access), json!({"title": "改名"})).await.expect(200);
    let managed = s.app.get("/api/v1/tasks/managed", Some(&s.admin.access)).await.expect(200);
    assert_eq!(managed.body["items"].as_array().unwrap().len(), 1);
    let none = s.app.get("/api/v1/tasks/managed", Some(&other.access)).await.expect(200);
    assert!(none.body["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn editing_moves_and_capacity() {
    let s = Service::new().await;
    let id = s.task(2).await;
    let vols = s.app.quick_volunteers(4, Some(&s.room)).await;
    for v in &vols {
        s.sign_up(&id, v).await;
    }
    // Lowering capacity below the confirmed seats is refused.
    s.app
        .patch(&format!("/api/v1/tasks/{id}"), Some(&s.organiser.access), json!({"capacity": 1}))
        .await
        .expect_problem(409, "capacity_below_confirmed");
    // Raising it confirms the waitlist in order.
    let r = s
        .app
        .patch(&format!("/api/v1/tasks/{id}"), Some(&s.organiser.access), json!({"capacity": 3}))
        .await
        .expect(200);
    assert_eq!(r.body["filled"], 3);
    let me = s.app.get("/api/v1/me/signups", Some(&vols[2].access)).await.expect(200);
    assert_eq!(me.body["items"][0]["signup"]["status"], "confirmed");
    let me = s.app.get("/api/v1/me/signups", Some(&vols[3].access)).await.expect(200);
    assert_eq!(me.body["items"][0]["signup"]["status"], "waitlisted");

    // A published task cannot move into the past.
    s.app
        .patch(
            &format!("/api/v1/tasks/{id}"),
            Some(&s.organiser.access),
            json!({"startsAt": s.now() - Duration::hours(1)}),
        )
        .await
        .expect_problem(400, "starts_in_past");
    // Moving the start drags a default deadline with it.
    let later = s.now() + Duration::days(3);
    let r = s
        .app
        .patch(
            &format!("/api/v1/tasks/{id}"),
            Some(&s.organiser.access),
            json!({"startsAt": later, "endsAt": later + Duration::hours(2)}),
        )
        .await
        .expect(200);
    assert_eq!(r.body["signupDeadline"], r.body["startsAt"]);
}

#[tokio::test]
async fn cancelling_a_task_closes_it() {
    let s = Service::new().await;
    let id = s.task(5).await;
    s.app
        .post(&format!("/api/v1/tasks/{id}/cancel"), Some(&s.organiser.access), json!({"reason": ""}))
        .await
        .expect(400);
    let r = s
        .app
        .post(&format!("/api/v1/tasks/{id}/cancel"), Some(&s.organiser.access), json!({"reason": "台风预警"}))
        .await
        .expect(200);
    assert_eq!(r.body["status"], "cancelled");
    assert_eq!(r.body["cancelReason"], "台风预警");
    let v = s.app.register_volunteer().await;
    s.app
        .post(&format!("/api/v1/tasks/{id}/signups"), Some(&v.access), json!({}))
        .await
        .expect_problem(409, "signup_closed");
    s.app
        .patch(&format!("/api/v1/tasks/{id}"), Some(&s.organiser.access), json!({"title": "x"}))
        .await
        .expect_problem(409, "task_closed");
}

#[tokio::test]
async fn browse_filters_sorts_and_pages() {
    let s = Service::new().await;
    let mk = |title: &str, start_days: i64, lat: f64, lng: f64, line: &str, skills: Value| {
        let mut b = s.task_body(Duration::days(start_days), 2, 3);
        b["title"] = json!(title);
        b["lat"] = json!(lat);
        b["lng"] = json!(lng);
        b["actionLine"] = json!(line);
        b["requiredSkills"] = skills;
        b
    };
    // Roughly 0.5 km, 3 km and 20 km from the room.
    s.publish(mk("近", 3, LAT + 0.0045, LNG, "help", json!([]))).await;
    s.publish(mk("中", 1, LAT + 0.027, LNG, "home", json!(["driving"]))).await;
    s.publish(mk("远", 2, LAT + 0.18, LNG, "help", json!([]))).await;
    let draft = mk("草稿", 1, LAT, LNG, "help", json!([]));
    s.app.post("/api/v1/tasks", Some(&s.organiser.access), draft).await.expect(201);

    let v = s.app.register_volunteer().await;
    let get = |q: &str| s.app.get(format!("/api/v1/tasks?{q}"), Some(&v.access));
    assert_eq!(titles(&get("").await.expect(200).body), vec!["中", "远", "近"], "soonest first, drafts hidden");
    let near = get(&format!("near={LAT},{LNG}&radiusKm=5")).await.expect(200);
    assert_eq!(titles(&near.body), vec!["近", "中"], "nearest first within the radius");
    let d = near.body["items"][0]["distanceKm"].as_f64().unwrap();
    assert!((d - 0.5).abs() < 0.05, "{d}");
    assert_eq!(
        titles(&get(&format!("near={LAT},{LNG}&radiusKm=50&sort=start")).await.expect(200).body),
        vec!["中", "远", "近"]
    );
    assert_eq!(titles(&get("actionLine=home").await.expect(200).body), vec!["中"]);
    assert_eq!(titles(&get("skill=Driving").await.expect(200).body), vec!["中"]);
    let from = (s.now() + Duration::days(2) - Duration::hours(1)).to_rfc3339().replace('+', "%2B");
    assert_eq!(titles(&get(&format!("from={from}")).await.expect(200).body), vec!["远", "近"]);
    assert_eq!(titles(&get(&format!("orgUnitId={}", s.station)).await.expect(200).body).len(), 3);
    assert_eq!(titles(&get(&format!("orgUnitId={}", uuid::Uuid::now_v7())).await.expect(200).body).len(), 0);
    get("sort=distance").await.expect_problem(400, "validation_failed");
    get("near=abc").await.expect_problem(400, "invalid_coordinates");
    get("near=95,120").await.expect_problem(400, "invalid_coordinates");

    // Pages, by start and by distance, visit every task once.
    for q in ["limit=1".to_string(), format!("near={LAT},{LNG}&radiusKm=50&limit=1")] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("{q}&cursor={c}"),
                None => q.clone(),
            };
            let r = get(&path).await.expect(200);
            seen.extend(titles(&r.body));
            match r.body["nextCursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
        }
        seen.sort();
        assert_eq!(seen, vec!["中", "近", "远"], "{q}");
    }
    get("cursor=zzz").await.expect_problem(400, "invalid_cursor");

    // Started tasks drop out.
    s.app.clock.advance(Duration::days(1) + Duration::hours(1));
    assert_eq!(titles(&get("").await.expect(200).body), vec!["远", "近"]);
}
