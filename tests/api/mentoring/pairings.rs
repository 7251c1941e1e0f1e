//! Pairings: their lifecycle and rules, the mentor cap and one mentor per volunteer under concurrency, suggestions and retried proposals.

use super::support::*;
use crate::helpers::spawn_app;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

#[tokio::test]
async fn pairing_lifecycle_and_its_rules() {
    let app = spawn_app().await;
    let f = stations(&app).await;
    let [east, west] = &f.stations;
    let sw = &east.social_worker;
    let v = &east.volunteer;

    // The social worker proposes themselves; the volunteer sees it and accepts.
    let p = propose(&app, sw, sw, v).await.expect(201);
    assert_eq!(p.body["status"], "proposed");
    assert_eq!(p.body["goals"], json!([{"title": "熟悉入户探访流程", "status": "set"}]));
    assert!(p.body["mentorAcceptedAt"].is_string() && p.body["menteeAcceptedAt"].is_null());
    let id = p.str("id");
    let mine = app.get("/api/v1/me/mentoring", Some(&v.access)).await.expect(200);
    assert_eq!(mine.body["proposals"][0]["id"], id.as_str());
    // Nobody else of the station sees it, not even another social worker.
    let other_sw = one(&app, "social_worker", &east.room).await;
    let other_v = one(&app, "volunteer", &east.room).await;
    for s in [&other_sw, &other_v, &west.admin] {
        app.get(&format!("/api/v1/mentoring/pairings/{id}"), Some(&s.access)).await.expect_problem(404, "not_found");
    }
    app.get(&format!("/api/v1/mentoring/pairings/{id}"), Some(&east.admin.access)).await.expect(200);
    let a = app.post(&format!("/api/v1/mentoring/pairings/{id}/accept"), Some(&v.access), json!({})).await.expect(200);
    assert_eq!(a.body["status"], "active");
    assert!(a.body["activatedAt"].is_string());
    app.post(&format!("/api/v1/mentoring/pairings/{id}/accept"), Some(&v.access), json!({}))
        .await
        .expect_problem(409, "not_proposed");

    // One active mentor per volunteer.
    propose(&app, &other_sw, &other_sw, v).await.expect_problem(409, "mentee_has_mentor");
    // Bad pairings: a mentor who is not a social worker, a mentee who is not a volunteer,
    // someone else as mentor, people of another station.
    propose(&app, &east.admin, &other_v, v).await.expect_problem(400, "mentor_not_social_worker");
    propose(&app, &east.admin, sw, &other_sw).await.expect_problem(400, "mentee_not_volunteer");
    propose(&app, &other_sw, sw, &other_v).await.expect_problem(403, "forbidden");
    propose(&app, sw, sw, &west.volunteer).await.expect_problem(404, "not_found");
    propose(&app, &east.admin, sw, &west.volunteer).await.expect_problem(404, "not_found");
    propose(&app, &other_v, sw, &other_v).await.expect_problem(403, "forbidden");
    assert_eq!(app.count("mentoring_pairings").await, 1, "refusals change nothing");

    // A city administrator pairs across stations; both sides must accept.
    let cross = propose(&app, &f.city_admin, &west.social_worker, &other_v).await.expect(201);
    let cross_id = cross.str("id");
    let r = app
        .post(&format!("/api/v1/mentoring/pairings/{cross_id}/accept"), Some(&west.social_worker.access), json!({}))
        .await
        .expect(200);
    assert_eq!(r.body["status"], "proposed", "still waiting for the mentee");
    app.post(&format!("/api/v1/mentoring/pairings/{cross_id}/accept"), Some(&f.city_admin.access), json!({}))
        .await
        .expect_problem(403, "forbidden");
    let r = app
        .post(&format!("/api/v1/mentoring/pairings/{cross_id}/accept"), Some(&other_v.access), json!({}))
        .await
        .expect(200);
    assert_eq!(r.body["status"], "active");

    // Goals: the mentor updates them; the mentee may not.
    let goals =
        json!({"goals": [{"title": "独立完成探访", "status": "in_progress"}, {"title": "掌握台账", "status": "met"}]});
    let g =
        app.put(&format!("/api/v1/mentoring/pairings/{id}/goals"), Some(&sw.access), goals.clone()).await.expect(200);
    assert_eq!(g.body["goals"][1]["status"], "met");
    app.put(&format!("/api/v1/mentoring/pairings/{id}/goals"), Some(&v.access), goals.clone())
        .await
        .expect_problem(403, "forbidden");
    app.put(
        &format!("/api/v1/mentoring/pairings/{id}/goals"),
        Some(&sw.access),
        json!({"goals": [{"title": "", "status": "set"}]}),
    )
    .await
    .expect(400);

    // Ending: a reason is required; ended pairings stay as history and free the volunteer.
    app.post(&format!("/api/v1/mentoring/pairings/{id}/end"), Some(&v.access), json!({"reason": ""})).await.expect(400);
    let e = app
        .post(&format!("/api/v1/mentoring/pairings/{id}/end"), Some(&v.access), json!({"reason": "搬家"}))
        .await
        .expect(200);
    assert_eq!(e.body["status"], "ended");
    assert_eq!(e.body["endReason"], "搬家");
    app.post(&format!("/api/v1/mentoring/pairings/{id}/end"), Some(&v.access), json!({"reason": "再次"}))
        .await
        .expect_problem(409, "not_active");
    let history = app.get("/api/v1/mentoring/pairings?status=ended", Some(&east.admin.access)).await.expect(200);
    assert_eq!(history.body["items"].as_array().unwrap().len(), 1);

    // Declining, then proposing again.
    let again = propose(&app, &other_sw, &other_sw, v).await.expect(201).str("id");
    let d = app
        .post(&format!("/api/v1/mentoring/pairings/{again}/decline"), Some(&v.access), json!({"reason": "时间不合"}))
        .await
        .expect(200);
    assert_eq!(d.body["status"], "declined");
    propose(&app, &other_sw, &other_sw, v).await.expect(201);
    // Duplicate open proposals are refused.
    propose(&app, &other_sw, &other_sw, v).await.expect_problem(409, "pairing_exists");
    // An administrator withdraws a proposal that is still waiting.
    let waiting = propose(&app, &east.admin, sw, &one(&app, "volunteer", &east.room).await).await.expect(201).str("id");
    let w = app
        .post(&format!("/api/v1/mentoring/pairings/{waiting}/end"), Some(&east.admin.access), json!({"reason": "撤回"}))
        .await
        .expect(200);
    assert_eq!(w.body["status"], "declined");
    assert_eq!(w.body["endReason"], "撤回");
    // Unknown fields are refused.
    app.post(
        "/api/v1/mentoring/pairings",
        Some(&sw.access),
        json!({"mentorId": sw.user_id, "menteeId": v.user_id, "extra": 1}),
    )
    .await
    .expect(400);
}

#[tokio::test]
async fn twenty_concurrent_acceptances_never_exceed_the_mentor_cap() {
    let app = spawn_app().await;
    let f = stations(&app).await;
    let east = &f.stations[0];
    let sw = &east.social_worker;
    let volunteers = quick_people(&app, "volunteer", 20, &east.room).await;
    let mut ids = Vec::new();
    for v in &volunteers {
        ids.push(propose(&app, sw, sw, v).await.expect(201).str("id"));
    }
    let app = &app;
    let answers = futures::future::join_all(ids.iter().zip(&volunteers).map(|(id, v)| {
        let path = format!("/api/v1/mentoring/pairings/{id}/accept");
        async move { app.post(&path, Some(&v.access), json!({})).await }
    }))
    .await;
    let ok = answers.iter().filter(|r| r.status == 200).count();
    let full = answers.iter().filter(|r| r.status == 409 && r.body["code"] == "mentor_at_capacity").count();
    assert_eq!((ok, full), (8, 12), "{:?}", answers.iter().map(|r| r.status).collect::<Vec<_>>());
    assert_eq!(active_pairings(app).await, 8);
    let me = app.get("/api/v1/me/mentoring", Some(&sw.access)).await.expect(200);
    assert_eq!(me.body["record"]["activeMentees"], 8);
    assert_eq!(me.body["pairs"].as_array().unwrap().len(), 8);
    // Ending one frees a place.
    let (id, _) = ids.iter().zip(&answers).find(|(_, r)| r.status == 200).unwrap();
    app.post(&format!("/api/v1/mentoring/pairings/{id}/end"), Some(&sw.access), json!({"reason": "结业"}))
        .await
        .expect(200);
    let (id, v) = ids.iter().zip(&volunteers).zip(&answers).find(|(_, r)| r.status == 409).map(|(p, _)| p).unwrap();
    app.post(&format!("/api/v1/mentoring/pairings/{id}/accept"), Some(&v.access), json!({})).await.expect(200);
    assert_eq!(active_pairings(app).await, 8);
}

#[tokio::test]
async fn concurrent_acceptances_give_a_volunteer_one_active_mentor() {
    let app = spawn_app().await;
    let f = stations(&app).await;
    let east = &f.stations[0];
    let v = &east.volunteer;
    let mentors = quick_people(&app, "social_worker", 20, &east.room).await;
    let mut ids = Vec::new();
    for m in &mentors {
        ids.push(propose(&app, m, m, v).await.expect(201).str("id"));
    }
    let app = &app;
    let answers = futures::future::join_all(ids.iter().map(|id| {
        let path = format!("/api/v1/mentoring/pairings/{id}/accept");
        async move { app.post(&path, Some(&v.access), json!({})).await }
    }))
    .await;
    let ok = answers.iter().filter(|r| r.status == 200).count();
    let refused = answers.iter().filter(|r| r.status == 409 && r.body["code"] == "mentee_has_mentor").count();
    assert_eq!((ok, refused), (1, 19), "{:?}", answers.iter().map(|r| r.body.clone()).collect::<Vec<_>>());
    assert_eq!(active_pairings(app).await, 1);
    let row = app
        .db()
        .query_one_raw(sea_orm::Statement::from_string(
            app.db().get_database_backend(),
            "SELECT COALESCE(SUM(active_mentees), 0) AS n FROM mentor_loads".to_string(),
        ))
        .await
        .unwrap()
        .unwrap();
    let load = row.try_get::<i64>("", "n").unwrap_or_else(|_| row.try_get::<i32>("", "n").map(i64::from).unwrap());
    assert_eq!(load, 1, "refused activations gave their mentor's place back");
}

#[tokio::test]
async fn suggestions_rank_free_mentors_of_the_station_by_shared_skills_then_load() {
    let app = spawn_app().await;
    let f = stations(&app).await;
    let [east, west] = &f.stations;
    let v = &east.volunteer;
    give_skills(&app, v, &["急救", "心理疏导"]).await;
    // Two shared skills, two mentees; one shared skill, none; nothing shared, none; a full
    // mentor with both skills; a mentor of another station with both skills.
    let a = one(&app, "social_worker", &east.room).await;
    give_skills(&app, &a, &["急救", "心理疏导", "法律"]).await;
    set_load(&app, &a, 2).await;
    let b = one(&app, "social_worker", &east.id).await;
    give_skills(&app, &b, &["急救"]).await;
    let full = one(&app, "social_worker", &east.room).await;
    give_skills(&app, &full, &["急救", "心理疏导"]).await;
    set_load(&app, &full, 8).await;
    give_skills(&app, &west.social_worker, &["急救", "心理疏导"]).await;
    let c = &east.social_worker;

    let path = format!("/api/v1/mentoring/suggestions?volunteerId={}", v.user_id);
    let r = app.get(&path, Some(&east.admin.access)).await.expect(200);
    let ids: Vec<&str> = r.body["items"].as_array().unwrap().iter().map(|s| s["mentorId"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![a.user_id.as_str(), b.user_id.as_str(), c.user_id.as_str()]);
    let first = &r.body["items"][0];
    assert_eq!(first["sharedSkills"], json!(["心理疏导", "急救"]));
    assert_eq!(first["freePlaces"], 6);
    assert!(first["reasons"].as_array().unwrap().iter().any(|x| x.as_str().unwrap().contains("急救")));
    // Out of scope, or not a volunteer.
    app.get(&path, Some(&west.admin.access)).await.expect_problem(404, "not_found");
    app.get(&path, Some(&c.access)).await.expect_problem(403, "forbidden");
    app.get(&format!("/api/v1/mentoring/suggestions?volunteerId={}", c.user_id), Some(&east.admin.access))
        .await
        .expect_problem(400, "mentee_not_volunteer");
}

#[tokio::test]
async fn a_repeated_proposal_with_the_same_idempotency_key_replays_the_first() {
    let app = spawn_app().await;
    let f = stations(&app).await;
    let east = &f.stations[0];
    let body = json!({"mentorId": east.social_worker.user_id, "menteeId": east.volunteer.user_id});
    let send = || async {
        let r = app
            .client
            .post(format!("{}/api/v1/mentoring/pairings", app.base))
            .bearer_auth(&east.social_worker.access)
            .header("Idempotency-Key", "7b0e4c1e-mentoring")
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json::<Value>().await.unwrap())
    };
    let (s1, b1) = send().await;
    let (s2, b2) = send().await;
    assert_eq!((s1, s2), (201, 201));
    assert_eq!(b1["id"], b2["id"]);
    assert_eq!(app.count("mentoring_pairings").await, 1);
}

#[tokio::test]
async fn only_a_social_worker_with_a_verified_current_credential_of_the_level_mentors() {
    use entity::credential::{Column, CredentialStatus, Entity};
    use entity::social_worker_profile::QualificationLevel as L;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let app = crate::helpers::spawn_app_with(|c| c.mentoring.mentor_level = L::SocialWorker).await;
    let f = app.two_stations().await;
    let east = &f.stations[0];
    let people =
        crate::credential_fixture::candidates(&app, &east.admin, &east.room, L::SocialWorker, L::AssistantSocialWorker)
            .await;
    let mentees = app.quick_volunteers(2, Some(&east.room)).await;
    for (how, who) in people.short() {
        let r = propose(&app, &east.admin, who, &mentees[0]).await;
        assert_eq!(r.body["code"], "mentor_not_qualified", "{how}: {}", r.body);
        r.expect_problem(422, "mentor_not_qualified");
        // Proposing oneself is no way round it.
        propose(&app, who, who, &mentees[0]).await.expect_problem(422, "mentor_not_qualified");
    }
    assert_eq!(app.count("mentoring_pairings").await, 0, "refusals change nothing");

    // The qualified one is proposed; the credential is revoked before both sides have accepted:
    // the pairing does not become active.
    let qualified = &people.qualified;
    let id = propose(&app, &east.admin, qualified, &mentees[1]).await.expect(201).str("id");
    app.post(&format!("/api/v1/mentoring/pairings/{id}/accept"), Some(&qualified.access), json!({})).await.expect(200);
    Entity::update_many()
        .col_expr(Column::Status, Expr::value(CredentialStatus::Revoked))
        .filter(Column::HolderId.eq(qualified.user_id.parse::<uuid::Uuid>().unwrap()))
        .exec(app.db())
        .await
        .unwrap();
    app.post(&format!("/api/v1/mentoring/pairings/{id}/accept"), Some(&mentees[1].access), json!({}))
        .await
        .expect_problem(422, "mentor_not_qualified");
    let p = app.get(&format!("/api/v1/mentoring/pairings/{id}"), Some(&east.admin.access)).await.expect(200);
    assert_eq!(p.body["status"], "proposed");
    assert_eq!(active_pairings(&app).await, 0);
}
