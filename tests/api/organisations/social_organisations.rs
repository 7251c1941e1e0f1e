//! `/api/v1/social-organisations`: registering with a checked credit code, reading and filtering
//! the registry, editing within scope with an audit trail, every refusal changing nothing, and a
//! code registered once however many ask at the same time.

use crate::helpers::{TestApp, TwoStations, credit_code, spawn_app};
use entity::social_organisation as org;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

const PATH: &str = "/api/v1/social-organisations";

fn body(code: &str, unit: &str) -> Value {
    json!({
        "creditCode": code,
        "name": "姑苏区阳光社工服务中心",
        "kind": "social_service",
        "registrationAuthority": "苏州市姑苏区民政局",
        "evaluation": {"grade": 4, "evaluatedOn": "2025-06-30"},
        "serviceUnitId": unit,
        "contactName": "王主任",
        "servicePhone": "0512-6788 1234",
    })
}

async fn rows(app: &TestApp) -> u64 {
    org::Entity::find().count(app.db()).await.unwrap()
}

async fn audited(app: &TestApp, action: &str, id: &str) -> usize {
    entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::Action.eq(action))
        .filter(entity::audit_log::Column::TargetId.eq(uuid::Uuid::parse_str(id).unwrap()))
        .count(app.db())
        .await
        .unwrap() as usize
}

#[tokio::test]
async fn an_organisation_is_registered_read_by_everyone_and_edited_within_scope() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let [east, west] = &f.stations;
    let code = credit_code();
    // Typed with spaces and in lower case: stored as the code.
    let typed = format!(" {} ", code.to_lowercase());
    let created = app.post(PATH, Some(&east.admin.access), body(&typed, &east.room)).await.expect(201);
    let id = created.str("id");
    assert_eq!(created.body["creditCode"], code.as_str());
    assert_eq!(created.body["kind"], "social_service");
    assert_eq!(created.body["evaluation"], json!({"grade": 4, "evaluatedOn": "2025-06-30"}));
    assert_eq!(created.body["serviceUnitId"], east.room.as_str());
    assert_eq!(created.body["status"], "active");
    assert_eq!(audited(&app, "social_organisation.register", &id).await, 1);

    // Public to everyone signed in, in any station.
    let read = app.get(format!("{PATH}/{id}"), Some(&west.volunteer.access)).await.expect(200);
    assert_eq!(read.body["name"], "姑苏区阳光社工服务中心");
    // Another, in the other station, by the city.
    let other = app.post(PATH, Some(&f.city_admin.access), other_body(&west.room)).await.expect(201).str("id");

    let ids = |r: crate::helpers::Resp| -> Vec<String> {
        r.body["items"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap().to_string()).collect()
    };
    let all = app.get(PATH, Some(&east.volunteer.access)).await.expect(200);
    assert_eq!(ids(all), [id.as_str(), other.as_str()]);
    let under_east = app.get(format!("{PATH}?under={}", east.id), Some(&east.volunteer.access)).await.expect(200);
    assert_eq!(ids(under_east), [id.as_str()]);
    let foundations = app.get(format!("{PATH}?kind=foundation"), Some(&east.volunteer.access)).await.expect(200);
    assert_eq!(ids(foundations), [other.as_str()]);
    let by_code = app.get(format!("{PATH}?q={}", code.to_lowercase()), Some(&east.admin.access)).await.expect(200);
    assert_eq!(ids(by_code), [id.as_str()]);
    let by_name = app.get(format!("{PATH}?q=%E9%98%B3%E5%85%89"), Some(&east.admin.access)).await.expect(200);
    assert_eq!(ids(by_name), [id.as_str()], "阳光 is part of the first name only");
    let paged = app.get(format!("{PATH}?limit=1"), Some(&east.admin.access)).await.expect(200);
    let cursor = paged.str("nextCursor");
    let next = app.get(format!("{PATH}?limit=1&cursor={cursor}"), Some(&east.admin.access)).await.expect(200);
    assert_eq!(ids(next), [other.as_str()]);

    // The station's administrator edits: the grade cleared, a summary, deregistered.
    let edited = app
        .patch(
            format!("{PATH}/{id}"),
            Some(&east.admin.access),
            json!({"evaluation": null, "summary": "  为困境老人提供上门服务 ", "status": "inactive"}),
        )
        .await
        .expect(200);
    assert_eq!(edited.body["evaluation"], Value::Null);
    assert_eq!(edited.body["summary"], "为困境老人提供上门服务");
    assert_eq!(edited.body["status"], "inactive");
    assert_eq!(edited.body["contactName"], "王主任", "absent fields stay");
    assert_eq!(audited(&app, "social_organisation.edit", &id).await, 1);
    let active = app.get(format!("{PATH}?status=active"), Some(&east.admin.access)).await.expect(200);
    assert_eq!(ids(active), [other.as_str()]);

    // The other station's organisation is not the east administrator's to edit (as if absent),
    // nor may they move theirs there; the city may.
    app.patch(format!("{PATH}/{other}"), Some(&east.admin.access), json!({"summary": "x"}))
        .await
        .expect_problem(404, "not_found");
    app.patch(format!("{PATH}/{id}"), Some(&east.admin.access), json!({"serviceUnitId": west.room}))
        .await
        .expect_problem(403, "forbidden");
    let moved = app
        .patch(format!("{PATH}/{id}"), Some(&f.city_admin.access), json!({"serviceUnitId": west.room}))
        .await
        .expect(200);
    assert_eq!(moved.body["serviceUnitId"], west.room.as_str());
    let stored = org::Entity::find_by_id(uuid::Uuid::parse_str(&id).unwrap()).one(app.db()).await.unwrap().unwrap();
    assert_eq!(stored.service_unit_id.to_string(), west.room);
    assert_eq!(stored.evaluation_grade, None);
}

fn other_body(unit: &str) -> Value {
    json!({"creditCode": credit_code(), "name": "苏州慈善基金会", "kind": "foundation",
           "registrationAuthority": "苏州市民政局", "serviceUnitId": unit})
}

#[tokio::test]
async fn bad_registrations_and_edits_are_refused_with_their_codes_and_change_nothing() {
    let app = spawn_app().await;
    let f: TwoStations = app.two_stations().await;
    let [east, west] = &f.stations;
    let admin = Some(east.admin.access.as_str());
    let good = credit_code();
    let mut wrong_check = good.clone();
    let last = wrong_check.pop().unwrap();
    wrong_check.push(if last == '0' { '1' } else { '0' });

    for bad in [&good[..17], "53100000I00021676K", wrong_check.as_str(), "91350100M000100Y44", ""] {
        app.post(PATH, admin, body(bad, &east.room)).await.expect_problem(400, "invalid_credit_code");
    }
    let mut future = body(&good, &east.room);
    future["evaluation"]["evaluatedOn"] = json!("2099-01-01");
    app.post(PATH, admin, future).await.expect_problem(400, "invalid_evaluation");
    let mut grade = body(&good, &east.room);
    grade["evaluation"]["grade"] = json!(6);
    app.post(PATH, admin, grade).await.expect_problem(400, "validation_failed");
    let mut phone = body(&good, &east.room);
    phone["servicePhone"] = json!("call us");
    app.post(PATH, admin, phone).await.expect_problem(400, "validation_failed");
    let mut unknown = body(&good, &east.room);
    unknown["founded"] = json!("2001");
    app.post(PATH, admin, unknown).await.expect_problem(400, "validation_failed");
    let nowhere = uuid::Uuid::now_v7().to_string();
    app.post(PATH, admin, body(&good, &nowhere)).await.expect_problem(400, "org_unit_not_found");
    app.post(PATH, admin, body(&good, &west.room)).await.expect_problem(403, "forbidden");
    app.post(PATH, Some(&east.social_worker.access), body(&good, &east.room)).await.expect_problem(403, "forbidden");
    app.post(PATH, Some(&east.volunteer.access), body(&good, &east.room)).await.expect_problem(403, "forbidden");
    app.post(PATH, None, body(&good, &east.room)).await.expect_problem(401, "unauthorized");
    assert_eq!(rows(&app).await, 0, "nothing was registered");

    let id = app.post(PATH, admin, body(&good, &east.room)).await.expect(201).str("id");
    app.post(PATH, Some(&f.city_admin.access), body(&good, &west.room)).await.expect_problem(409, "credit_code_taken");
    let before = app.get(format!("{PATH}/{id}"), admin).await.expect(200).body;
    let path = format!("{PATH}/{id}");
    app.patch(&path, admin, json!({"evaluation": {"grade": 5, "evaluatedOn": "2099-01-01"}}))
        .await
        .expect_problem(400, "invalid_evaluation");
    app.patch(&path, admin, json!({"name": ""})).await.expect_problem(400, "validation_failed");
    app.patch(&path, admin, json!({"name": "   "})).await.expect_problem(400, "validation_failed");
    app.patch(&path, admin, json!({"creditCode": credit_code()})).await.expect_problem(400, "validation_failed");
    app.patch(&path, admin, json!({"serviceUnitId": nowhere})).await.expect_problem(400, "org_unit_not_found");
    app.patch(&path, Some(&east.social_worker.access), json!({"summary": "x"})).await.expect_problem(403, "forbidden");
    app.patch(format!("{PATH}/{nowhere}"), admin, json!({})).await.expect_problem(404, "not_found");
    let after = app.get(format!("{PATH}/{id}"), admin).await.expect(200).body;
    assert_eq!(before, after, "refused edits change nothing");
    assert_eq!(rows(&app).await, 1);
}

#[tokio::test]
async fn a_credit_code_asked_for_twenty_times_at_once_is_registered_once() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let code = credit_code();
    let tries = (0..20).map(|i| {
        let (app, f, code) = (&app, &f, code.clone());
        async move {
            let unit = &f.stations[i % 2].room;
            app.post(PATH, Some(&f.city_admin.access), body(&code, unit)).await
        }
    });
    let answers = futures::future::join_all(tries).await;
    let created = answers.iter().filter(|r| r.status == 201).count();
    assert_eq!(created, 1, "{:?}", answers.iter().map(|r| r.status).collect::<Vec<_>>());
    for r in answers.into_iter().filter(|r| r.status != 201) {
        r.expect_problem(409, "credit_code_taken");
    }
    assert_eq!(org::Entity::find().filter(org::Column::CreditCode.eq(code)).count(app.db()).await.unwrap(), 1);
}
