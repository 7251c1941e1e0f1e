//! `/api/v1/needs` and `/api/v1/resources`: a need recorded without identifying the resident,
//! resources offered around it, suggestions in order with their reasons (and nothing from
//! elsewhere, for another kind of need or expired), the need answered by a project once, and bad
//! input refused with nothing stored.

use crate::helpers::{NowUtc, TestApp, credit_code, spawn_app};
use chrono::Duration;
use entity::{community_need, community_resource};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

async fn offer(app: &TestApp, token: &str, body: Value) -> String {
    app.post("/api/v1/resources", Some(token), body).await.expect(201).str("id")
}

#[tokio::test]
async fn a_need_is_matched_to_resources_around_it_and_answered_by_a_project() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let [east, west] = &f.stations;
    let sw = east.social_worker.access.as_str();
    let need = app
        .post(
            "/api/v1/needs",
            Some(sw),
            json!({"orgUnitId": east.room, "kind": "elderly_care", "title": "独居老人午餐无人照料", "households": 12,
                   "urgency": "urgent", "place": "3 号楼", "contactConsented": true, "contact": "楼长 0512-6666 0000"}),
        )
        .await
        .expect(201);
    assert_eq!(need.body["status"], "open");
    let need = need.str("id");

    let graded = app
        .post(
            "/api/v1/social-organisations",
            Some(&east.admin.access),
            json!({"creditCode": credit_code(), "name": "颐养社工服务中心", "kind": "social_service",
                   "registrationAuthority": "苏州市民政局", "evaluation": {"grade": 5, "evaluatedOn": "2025-01-01"},
                   "serviceUnitId": east.id}),
        )
        .await
        .expect(201)
        .str("id");
    let fund = app
        .post("/api/v1/charity-funds", Some(&f.city_admin.access), json!({"orgUnitId": f.city, "name": "市慈善基金"}))
        .await
        .expect(201)
        .str("id");
    let neighbour = app.create_unit(&f.city_admin, "community_room", Some(&east.id), "邻近社区").await;
    let yesterday = wushe::domain::kernel::time::local_date(app.clock.now_utc(), "Asia/Shanghai") - Duration::days(1);

    let venue = offer(&app, sw, json!({"orgUnitId": east.room, "kind": "venue", "title": "社区食堂"})).await;
    let service = offer(
        &app,
        &east.admin.access,
        json!({"orgUnitId": east.id, "kind": "organisation_service", "title": "助餐配送", "serves": "elderly_care",
               "organisationId": graded}),
    )
    .await;
    let money = offer(
        &app,
        &f.city_admin.access,
        json!({"orgUnitId": f.city, "kind": "fund_money", "title": "应急救助金", "fundId": fund}),
    )
    .await;
    let skills = offer(
        &app,
        sw,
        json!({"orgUnitId": neighbour, "kind": "volunteer_skill", "title": "志愿者送餐", "serves": "elderly_care"}),
    )
    .await;
    // Not for this need: another kind, another station, expired.
    offer(&app, sw, json!({"orgUnitId": east.room, "kind": "venue", "title": "儿童活动室", "serves": "child_care"}))
        .await;
    offer(&app, &west.social_worker.access, json!({"orgUnitId": west.room, "kind": "goods", "title": "西站物资"}))
        .await;
    offer(&app, sw, json!({"orgUnitId": east.room, "kind": "goods", "title": "过期物资", "availableUntil": yesterday}))
        .await;

    let got = app.get(format!("/api/v1/needs/{need}/suggestions"), Some(sw)).await.expect(200);
    let found: Vec<(String, i64, Vec<String>)> = got
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let reasons = s["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_string()).collect();
            (s["resource"]["id"].as_str().unwrap().to_string(), s["score"].as_i64().unwrap(), reasons)
        })
        .collect();
    let want = |id: &str, score: i64, reasons: &[&str]| {
        (id.to_string(), score, reasons.iter().map(|r| r.to_string()).collect())
    };
    assert_eq!(
        found,
        vec![
            want(&service, 6, &["from_above", "fits_kind", "graded_organisation"]),
            want(&skills, 5, &["nearby", "fits_kind"]),
            want(&venue, 4, &["same_unit", "general"]),
            want(&money, 4, &["from_above", "general", "quick_money"]),
        ]
    );
    app.get(format!("/api/v1/needs/{need}/suggestions"), Some(&west.social_worker.access))
        .await
        .expect_problem(404, "not_found");
    app.get(format!("/api/v1/needs/{need}/suggestions"), Some(&east.volunteer.access))
        .await
        .expect_problem(403, "forbidden");

    // Listed to those who serve the unit, contact included; not to the other station.
    let mine = app.get("/api/v1/needs", Some(sw)).await.expect(200);
    assert_eq!(mine.body["items"][0]["contact"], "楼长 0512-6666 0000");
    let theirs = app.get("/api/v1/needs", Some(&west.social_worker.access)).await.expect(200);
    assert_eq!(theirs.body["items"], json!([]));
    let all = app.get("/api/v1/resources?kind=venue", Some(&east.volunteer.access)).await.expect(200);
    assert_eq!(all.body["items"].as_array().unwrap().len(), 2);

    // Answered by a project of the station, once; another station's project does not answer it.
    let project = |owner: &str| json!({"name": "长者助餐项目", "ownerUnitId": owner, "actionLine": "help", "startsOn": "2026-01-01", "endsOn": "2027-06-30"});
    let ours = app.post("/api/v1/projects", Some(&east.admin.access), project(&east.id)).await.expect(201).str("id");
    let elsewhere =
        app.post("/api/v1/projects", Some(&f.city_admin.access), project(&west.id)).await.expect(201).str("id");
    let answer = format!("/api/v1/needs/{need}/answer");
    app.post(&answer, Some(&east.admin.access), json!({"projectId": elsewhere}))
        .await
        .expect_problem(400, "project_not_found");
    app.post(&answer, Some(sw), json!({"projectId": ours})).await.expect_problem(403, "forbidden");
    let answered = app.post(&answer, Some(&east.admin.access), json!({"projectId": ours})).await.expect(200);
    assert_eq!(
        (answered.body["status"].as_str(), answered.body["projectId"].as_str()),
        (Some("answered"), Some(ours.as_str()))
    );
    app.post(&answer, Some(&f.city_admin.access), json!({"projectId": ours}))
        .await
        .expect_problem(409, "need_answered");
}

#[tokio::test]
async fn bad_needs_and_resources_are_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let [east, west] = &f.stations;
    let sw = Some(east.social_worker.access.as_str());
    let need = json!({"orgUnitId": east.room, "kind": "health", "title": "慢病随访", "urgency": "normal"});
    let with = |base: &Value, k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    app.post("/api/v1/needs", sw, with(&need, "contact", json!("王阿姨 138xxxx")))
        .await
        .expect_problem(400, "consent_required");
    app.post("/api/v1/needs", sw, with(&need, "households", json!(0))).await.expect_problem(400, "validation_failed");
    app.post("/api/v1/needs", sw, with(&need, "residentName", json!("王阿姨")))
        .await
        .expect_problem(400, "validation_failed");
    app.post("/api/v1/needs", sw, with(&need, "urgency", json!("someday")))
        .await
        .expect_problem(400, "validation_failed");
    app.post("/api/v1/needs", sw, with(&need, "orgUnitId", json!(uuid::Uuid::now_v7())))
        .await
        .expect_problem(400, "org_unit_not_found");
    app.post("/api/v1/needs", sw, with(&need, "orgUnitId", json!(west.room))).await.expect_problem(403, "forbidden");
    app.post("/api/v1/needs", Some(&east.volunteer.access), need.clone()).await.expect_problem(403, "forbidden");
    assert_eq!(community_need::Entity::find().count(app.db()).await.unwrap(), 0);

    let resource = json!({"orgUnitId": east.room, "kind": "organisation_service", "title": "上门护理"});
    app.post("/api/v1/resources", sw, resource.clone()).await.expect_problem(400, "resource_source_required");
    app.post("/api/v1/resources", sw, with(&resource, "organisationId", json!(uuid::Uuid::now_v7())))
        .await
        .expect_problem(400, "recipient_not_found");
    let money =
        json!({"orgUnitId": east.room, "kind": "fund_money", "title": "救助金", "fundId": uuid::Uuid::now_v7()});
    app.post("/api/v1/resources", sw, money).await.expect_problem(400, "resource_source_required");
    app.post("/api/v1/resources", sw, with(&resource, "kind", json!("magic")))
        .await
        .expect_problem(400, "validation_failed");
    assert_eq!(community_resource::Entity::find().count(app.db()).await.unwrap(), 0);
}
