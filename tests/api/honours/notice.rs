//! Public notice, objections, publication, the wall and revocation; automatic honours; export and erasure.

use super::setup::*;
use super::support::*;
use crate::helpers::{NowUtc, Session, spawn_app};
use crate::statistics::support::{people_fresh, people_kept};
use chrono::Datelike;
use sea_orm::EntityTrait;
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn public_notice_objections_publication_wall_and_revocation() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let c = city(&f.city_admin);
    let [east, west] = &f.stations;
    let (p, h) = in_notice(&app, &c, &east.social_worker.user_id).await;
    let notices = app.get("/api/v1/honour-notices", None).await.expect(200);
    assert_eq!(notices.body["items"][0]["id"], json!(h));
    assert!(notices.body["items"][0]["noticeEndsAt"].is_string());
    assert_eq!(notices.body["items"][0]["station"], "东站");
    let wall = app.get("/api/v1/honours", None).await.expect(200);
    assert!(wall.body["items"].as_array().unwrap().is_empty(), "nothing on the wall before publication");
    assert!(told(&app, &east.social_worker.user_id, "honour.notice").await);

    let object = async |who: &Session| {
        app.post(format!("/api/v1/honours/{h}/objections"), Some(&who.access), json!({"statement": "事迹有出入"})).await
    };
    app.post(format!("/api/v1/honours/{h}/objections"), None, json!({"statement": "x"})).await.expect(401);
    let o = object(&west.volunteer).await.expect(201);
    object(&west.volunteer).await.expect_problem(409, "already_objected");
    let advance = |to: &str| {
        app.post(format!("/api/v1/honour-programmes/{p}/advance"), Some(&f.city_admin.access), json!({"to": to}))
    };
    advance("published").await.expect_problem(409, "notice_running");
    end_notice(&app, p).await;
    object(&west.social_worker).await.expect_problem(409, "notice_closed");
    advance("published").await.expect_problem(409, "objections_open");
    let resolve = format!("/api/v1/honour-objections/{}/resolve", o.str("id"));
    app.post(&resolve, Some(&east.admin.access), json!({"upheld": false, "reason": "x"}))
        .await
        .expect_problem(403, "forbidden");
    app.post(&resolve, Some(&f.city_admin.access), json!({"upheld": false, "reason": "经核实无误"})).await.expect(200);
    app.post(&resolve, Some(&f.city_admin.access), json!({"upheld": true, "reason": "x"}))
        .await
        .expect_problem(409, "already_resolved");
    advance("published").await.expect(200);
    assert!(told(&app, &east.social_worker.user_id, "honour.published").await);
    // Statistics counts the published honour at the recipient's units, as the honours have it.
    let honours_at_city = async || {
        let kept = people_kept(&app).await;
        assert_eq!(kept, people_fresh(&app).await);
        let city = f.city.parse::<Uuid>().unwrap();
        kept.iter().filter(|((u, fig, _), _)| *u == city && fig.starts_with("honour:")).map(|(_, n)| *n).sum::<i64>()
    };
    assert_eq!(honours_at_city().await, 1);

    // The wall: published only, nothing private.
    let other = in_notice(&app, &c, &west.social_worker.user_id).await;
    let wall = app.get("/api/v1/honours", None).await.expect(200);
    let items = wall.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", wall.body);
    let line = &items[0];
    assert_eq!(line["id"], json!(h));
    assert_eq!(line["citation"], "扎根社区十年");
    assert_eq!(line["station"], "东站");
    let text = wall.body.to_string();
    for private in [east.social_worker.phone.as_str(), "phone", "volunteerNumber", "statement", "evidence"] {
        assert!(!text.contains(private), "the wall shows {private}: {text}");
    }
    let profile = app.get(format!("/api/v1/honours?personId={}", east.social_worker.user_id), None).await.expect(200);
    assert_eq!(profile.body["items"].as_array().unwrap().len(), 1);
    let mine = app.get("/api/v1/me/honours", Some(&west.social_worker.access)).await.expect(200);
    assert_eq!(mine.body["items"][0]["id"], json!(other.1));
    assert_eq!(mine.body["items"][0]["status"], "decided");

    // An upheld objection withdraws; a published honour can be revoked and leaves the wall.
    let o2 = object(&east.volunteer).await;
    assert_eq!(o2.status, 404, "the first programme's notice is over");
    let o3 = app
        .post(
            format!("/api/v1/honours/{}/objections", other.1),
            Some(&east.volunteer.access),
            json!({"statement": "不实"}),
        )
        .await
        .expect(201);
    app.post(
        format!("/api/v1/honour-objections/{}/resolve", o3.str("id")),
        Some(&f.city_admin.access),
        json!({"upheld": true, "reason": "材料不实"}),
    )
    .await
    .expect(200);
    let withdrawn = entity::honour::Entity::find_by_id(other.1).one(app.db()).await.unwrap().unwrap();
    assert_eq!(withdrawn.status, entity::honour::HonourStatus::Withdrawn);
    app.post(format!("/api/v1/honours/{}/revoke", other.1), Some(&f.city_admin.access), json!({"reason": "x"}))
        .await
        .expect_problem(409, "not_published");
    app.post(format!("/api/v1/honours/{h}/revoke"), Some(&f.city_admin.access), json!({"reason": "材料造假"}))
        .await
        .expect(200);
    assert!(app.get("/api/v1/honours", None).await.expect(200).body["items"].as_array().unwrap().is_empty());
    assert_eq!(audit_count(&app, "honour.revoke").await, 1);
    assert_eq!(honours_at_city().await, 0);
    // A published programme's results stay as they are.
    app.post(
        format!("/api/v1/honour-programmes/{p}/decision"),
        Some(&f.city_admin.access),
        json!({"awardees": [{"nominationId": Uuid::now_v7(), "citation": "x"}]}),
    )
    .await
    .expect_problem(409, "invalid_transition");
}

#[tokio::test]
async fn an_automatic_star_honour_is_made_once_when_two_approvals_cross_100_hours() {
    let s = crate::service_fixture::Service::new().await;
    let v = s.app.register_volunteer().await;
    let today = s.today();
    // 99 h recorded earlier (a day holds 24 h at most, so not on the day of the claims).
    approved(&s.app, &v.user_id, &s.room, 99 * 60, today - chrono::Days::new(7)).await;
    let mut pair = Vec::new();
    for _ in 0..2 {
        let e = s
            .app
            .post(
                "/api/v1/me/hours/claims",
                Some(&v.access),
                json!({"orgUnitId": s.room, "serviceDate": today, "minutes": 40, "description": "x"}),
            )
            .await
            .expect(201);
        pair.push(e.str("id"));
    }
    let (a, b) = tokio::join!(
        s.app.post("/api/v1/hours/decisions", Some(&s.organiser.access), json!({"ids": [pair[0]], "approve": true})),
        s.app.post("/api/v1/hours/decisions", Some(&s.admin.access), json!({"ids": [pair[1]], "approve": true})),
    );
    a.expect(200);
    b.expect(200);
    let honours = entity::honour::Entity::find().all(s.app.db()).await.unwrap();
    assert_eq!(honours.len(), 1, "{honours:?}");
    assert_eq!(honours[0].title, "1星志愿者");
    let wall = s.app.get(format!("/api/v1/honours?personId={}", v.user_id), None).await.expect(200);
    assert_eq!(wall.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn five_consecutive_years_of_service_make_one_automatic_honour() {
    let s = crate::service_fixture::Service::new().await;
    let v = s.app.register_volunteer().await;
    let today = s.today();
    for back in [1, 2, 3, 4, 7] {
        let d = chrono::NaiveDate::from_ymd_opt(today.year() - back, 6, 1).unwrap();
        approved(&s.app, &v.user_id, &s.room, 60, d).await;
    }
    let mut pair = Vec::new();
    for _ in 0..2 {
        let e = s
            .app
            .post(
                "/api/v1/me/hours/claims",
                Some(&v.access),
                json!({"orgUnitId": s.room, "serviceDate": today, "minutes": 30, "description": "x"}),
            )
            .await
            .expect(201);
        pair.push(e.str("id"));
    }
    let (a, b) = tokio::join!(
        s.app.post("/api/v1/hours/decisions", Some(&s.organiser.access), json!({"ids": [pair[0]], "approve": true})),
        s.app.post("/api/v1/hours/decisions", Some(&s.admin.access), json!({"ids": [pair[1]], "approve": true})),
    );
    a.expect(200);
    b.expect(200);
    let honours = entity::honour::Entity::find().all(s.app.db()).await.unwrap();
    assert_eq!(honours.len(), 1, "{honours:?}");
    assert_eq!(honours[0].year, today.year());
    assert!(honours[0].title.contains('5'), "{}", honours[0].title);
}

#[tokio::test]
async fn honours_are_in_the_export_and_erasure_keeps_awards_but_not_what_people_wrote() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let c = city(&f.city_admin);
    let [east, west] = &f.stations;
    let v = &east.volunteer;
    let (_, h) = in_notice(&app, &c, &v.user_id).await;
    let objection = wushe::domain::honours::notice::object(
        app.db(),
        &actor(&west.volunteer, entity::user::Role::Volunteer, None),
        app.clock.now_utc(),
        h,
        "我认识他，事迹属实吗？",
    )
    .await
    .unwrap();
    let p = nominating(&app, &c, 5, Vec::new()).await;
    let running = nominate(&app, &c, p, &v.user_id).await;
    let export = app.get("/api/v1/me/export", Some(&v.access)).await.expect(200);
    let section = &export.body["sections"]["honours"];
    assert_eq!(section["honours"][0]["id"], json!(h), "{section}");
    assert_eq!(section["nominationsOfMe"].as_array().unwrap().len(), 2);
    let theirs = app.get("/api/v1/me/export", Some(&west.volunteer.access)).await.expect(200);
    assert_eq!(theirs.body["sections"]["honours"]["objections"][0]["id"], json!(objection.id));

    app.post("/api/v1/me/erase", Some(&west.volunteer.access), json!({"password": crate::helpers::PASSWORD}))
        .await
        .expect(204);
    let o = entity::honour_objection::Entity::find_by_id(objection.id).one(app.db()).await.unwrap().unwrap();
    assert!(!o.statement.contains("我认识他"), "the objector's words are gone");
    app.post("/api/v1/me/erase", Some(&v.access), json!({"password": crate::helpers::PASSWORD})).await.expect(204);
    let n = entity::honour_nomination::Entity::find_by_id(running).one(app.db()).await.unwrap().unwrap();
    assert_eq!(n.status, entity::honour_nomination::NominationStatus::Declined, "out of the running");
    assert!(!n.statement.contains("长期扎根社区"));
    assert!(entity::honour::Entity::find_by_id(h).one(app.db()).await.unwrap().is_some(), "the award stays");
}
