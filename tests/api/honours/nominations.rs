//! Nominations: window, scope, role and length; the quota under concurrency; retries.

use super::setup::*;
use super::support::*;
use crate::helpers::{NowUtc, Session, spawn_app};
use entity::honour_programme::ProgrammeState;
use serde_json::json;

#[tokio::test]
async fn nominations_respect_window_scope_role_and_length() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let c = city(&f.city_admin);
    let [east, west] = &f.stations;
    let p = nominating(&app, &c, 5, Vec::new()).await;
    let path = format!("/api/v1/honour-programmes/{p}/nominations");
    let body = |who: &Session| json!({"nomineeId": who.user_id, "statement": "热心服务"});
    app.post(&path, Some(&east.volunteer.access), body(&east.social_worker)).await.expect_problem(403, "forbidden");
    app.post(&path, Some(&east.social_worker.access), body(&east.volunteer)).await.expect_problem(403, "forbidden");
    app.post(&path, Some(&east.admin.access), body(&west.volunteer)).await.expect_problem(404, "not_found");
    app.post(&path, Some(&east.admin.access), body(&east.admin)).await.expect_problem(403, "self_nomination");
    let long = json!({"nomineeId": east.volunteer.user_id, "statement": "长".repeat(2001)});
    assert_eq!(app.post(&path, Some(&east.admin.access), long).await.status, 400);
    let many = json!({"nomineeId": east.volunteer.user_id, "statement": "x", "evidence": vec!["e"; 11]});
    assert_eq!(app.post(&path, Some(&east.admin.access), many).await.status, 400);
    // A programme for social workers only.
    let mut input = input(&app, 5, Vec::new());
    input.nominee_role = Some(entity::user::Role::SocialWorker);
    let sw_only = wushe::domain::honours::create(app.db(), &c, app.clock.now_utc(), input).await.unwrap().row.id;
    advance(&app, &c, sw_only, ProgrammeState::Nominating).await;
    app.post(
        format!("/api/v1/honour-programmes/{sw_only}/nominations"),
        Some(&east.admin.access),
        body(&east.volunteer),
    )
    .await
    .expect_problem(422, "wrong_role");
    // Outside the window.
    close_review(&app, p).await;
    app.post(&path, Some(&east.admin.access), body(&east.volunteer)).await.expect_problem(409, "nomination_closed");
    assert_eq!(app.count("honour_nominations").await, 0);
    // A draft is not found by a station admin.
    let d = draft(&app, &c, 5, Vec::new()).await;
    app.post(format!("/api/v1/honour-programmes/{d}/nominations"), Some(&east.admin.access), body(&east.volunteer))
        .await
        .expect_problem(404, "not_found");
}

#[tokio::test]
async fn twenty_concurrent_nominations_for_a_quota_of_three_make_exactly_three() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let c = city(&f.city_admin);
    let east = &f.stations[0];
    let p = nominating(&app, &c, 3, Vec::new()).await;
    let people = app.quick_volunteers(20, Some(&east.room)).await;
    let path = format!("/api/v1/honour-programmes/{p}/nominations");
    let calls = people
        .iter()
        .map(|v| app.post(&path, Some(&east.admin.access), json!({"nomineeId": v.user_id, "statement": "热心服务"})));
    let results = futures::future::join_all(calls).await;
    let created = results.iter().filter(|r| r.status == 201).count();
    let refused = results.iter().filter(|r| r.status == 409 && r.body["code"] == "quota_exceeded").count();
    assert_eq!((created, refused), (3, 17), "{:?}", results.iter().map(|r| r.status).collect::<Vec<_>>());
    assert_eq!(app.count("honour_nominations").await, 3);
    // The city administrator is not limited by a station's quota.
    let extra =
        app.post(&path, Some(&f.city_admin.access), json!({"nomineeId": people[19].user_id, "statement": "x"})).await;
    assert!(extra.status == 201 || extra.body["code"] == "already_nominated", "{}", extra.body);
    // Declining gives the place back; the nominator is told.
    let mine = app.get(&path, Some(&east.admin.access)).await.expect(200);
    let first = mine.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["nominatorId"] == json!(east.admin.user_id))
        .unwrap()
        .clone();
    let nominee = people.iter().find(|v| json!(v.user_id) == first["nominee"]["id"]).unwrap();
    let id = first["id"].as_str().unwrap();
    app.post(format!("/api/v1/honour-nominations/{id}/decline"), Some(&east.admin.access), json!({}))
        .await
        .expect_problem(404, "not_found");
    let d = app
        .post(
            format!("/api/v1/honour-nominations/{id}/decline"),
            Some(&nominee.access),
            json!({"reason": "让给年轻人"}),
        )
        .await
        .expect(200);
    assert_eq!(d.body["status"], "declined");
    assert!(told(&app, &east.admin.user_id, "honour.declined").await);
    let spare = people
        .iter()
        .find(|v| {
            !results.iter().any(|r| r.body["nominee"]["id"] == json!(v.user_id)) && v.user_id != people[19].user_id
        })
        .unwrap();
    app.post(&path, Some(&east.admin.access), json!({"nomineeId": spare.user_id, "statement": "补充推荐"}))
        .await
        .expect(201);
}

#[tokio::test]
async fn a_retried_nomination_with_the_same_key_is_made_once() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let c = city(&f.city_admin);
    let east = &f.stations[0];
    let p = nominating(&app, &c, 1, Vec::new()).await;
    let path = format!("{}/api/v1/honour-programmes/{p}/nominations", app.base);
    let body = json!({"nomineeId": east.volunteer.user_id, "statement": "热心服务"});
    let send = async || {
        let r = app
            .client
            .post(&path)
            .bearer_auth(&east.admin.access)
            .header("idempotency-key", "nominate-1")
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.headers().get("idempotent-replayed").is_some(), r.text().await.unwrap())
    };
    let first = send().await;
    let again = send().await;
    assert_eq!((first.0, first.1), (201, false));
    assert_eq!((again.0, again.1), (201, true));
    assert_eq!(first.2, again.2, "the first answer, byte for byte");
    assert_eq!(app.count("honour_nominations").await, 1);
}
