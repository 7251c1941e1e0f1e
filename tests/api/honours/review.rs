//! The panel's review: conflicts of interest, blind scores, ranking with ties.

use super::setup::*;
use super::support::*;
use crate::helpers::{Session, spawn_app};
use entity::honour_programme::ProgrammeState;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn conflicts_of_interest_are_hidden_and_refused() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let c = city(&f.city_admin);
    let [east, west] = &f.stations;
    let reviewer = &east.admin;
    let (p, ids) =
        reviewing_with(&app, &f, &c, &[&reviewer.user_id, &east.volunteer.user_id, &west.volunteer.user_id]).await;
    seat(&app, p, &reviewer.user_id, &c).await;
    // One they nominated: a second city administrator (no station of their own) nominates.
    let city2 = app.city_admin().await;
    let strangers = app.quick_volunteers(2, Some(&west.room)).await;
    let q = nominating(&app, &c, 10, Vec::new()).await;
    let mine = nominate(&app, &city(&city2), q, &strangers[0].user_id).await;
    let theirs = nominate(&app, &c, q, &strangers[1].user_id).await;
    advance(&app, &c, q, ProgrammeState::Reviewing).await;
    seat(&app, q, &city2.user_id, &c).await;
    let queue = app.get(format!("/api/v1/honour-programmes/{p}/review"), Some(&reviewer.access)).await.expect(200);
    let listed: Vec<&str> =
        queue.body.as_array().unwrap().iter().map(|i| i["nomination"]["id"].as_str().unwrap()).collect();
    assert_eq!(listed, [ids[2].to_string()], "self and same-station nominations are hidden");
    assert_eq!(queue.body[0]["unverifiedChecks"], json!([]), "every conflict, mentoring included, is checked");
    for (id, why) in [(ids[0], "self"), (ids[1], "same_station")] {
        let r = app
            .post(format!("/api/v1/honour-nominations/{id}/scores"), Some(&reviewer.access), score_body([8, 8, 8]))
            .await;
        let r = r.expect_problem(403, "conflict_of_interest");
        assert!(r.body["detail"].as_str().unwrap().contains(why));
    }
    let queue = app.get(format!("/api/v1/honour-programmes/{q}/review"), Some(&city2.access)).await.expect(200);
    let listed: Vec<&str> =
        queue.body.as_array().unwrap().iter().map(|i| i["nomination"]["id"].as_str().unwrap()).collect();
    assert_eq!(listed, [theirs.to_string()], "one they nominated is hidden");
    let r =
        app.post(format!("/api/v1/honour-nominations/{mine}/scores"), Some(&city2.access), score_body([8, 8, 8])).await;
    assert!(r.expect_problem(403, "conflict_of_interest").body["detail"].as_str().unwrap().contains("nominator"));
    assert_eq!(app.count("honour_scores").await, 0);
    // Not on the panel; out of range; wrong count.
    app.post(format!("/api/v1/honour-nominations/{}/scores", ids[2]), Some(&west.admin.access), score_body([8, 8, 8]))
        .await
        .expect_problem(403, "not_a_reviewer");
    app.post(format!("/api/v1/honour-nominations/{}/scores", ids[2]), Some(&reviewer.access), score_body([8, 11, 8]))
        .await
        .expect_problem(400, "score_out_of_range");
    app.post(format!("/api/v1/honour-nominations/{}/scores", ids[2]), Some(&reviewer.access), score_body([8, 0, 8]))
        .await
        .expect_problem(400, "score_out_of_range");
    app.post(
        format!("/api/v1/honour-nominations/{}/scores", ids[2]),
        Some(&reviewer.access),
        json!({"scores": [8, 8], "comment": "x"}),
    )
    .await
    .expect_problem(400, "invalid_scores");
    assert_eq!(app.count("honour_scores").await, 0);
    // The reviewer recuses themselves (their mentee, say): hidden and refused from then on.
    let recuse = format!("/api/v1/honour-nominations/{}/recuse", ids[2]);
    app.post(&recuse, Some(&west.admin.access), json!({"reason": "x"})).await.expect_problem(403, "not_a_reviewer");
    app.post(&recuse, Some(&reviewer.access), json!({"reason": "系我的结对志愿者"})).await.expect(204);
    app.post(&recuse, Some(&reviewer.access), json!({"reason": "again"})).await.expect(204);
    let queue = app.get(format!("/api/v1/honour-programmes/{p}/review"), Some(&reviewer.access)).await.expect(200);
    assert!(queue.body.as_array().unwrap().is_empty(), "{}", queue.body);
    let r = app
        .post(format!("/api/v1/honour-nominations/{}/scores", ids[2]), Some(&reviewer.access), score_body([8, 8, 8]))
        .await;
    assert!(r.expect_problem(403, "conflict_of_interest").body["detail"].as_str().unwrap().contains("declared"));
}

#[tokio::test]
async fn scores_are_blind_until_one_scores_and_ranking_breaks_ties() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let c = city(&f.city_admin);
    let [east, west] = &f.stations;
    let nominees = app.quick_volunteers(4, Some(&west.room)).await;
    let names: Vec<&str> = nominees.iter().map(|s| s.user_id.as_str()).collect();
    let (p, ids) = reviewing_with(&app, &f, &c, &names).await;
    let r1 = &east.admin;
    let r2 = app.create_user(&f.city_admin, "station_admin", Some(&east.id)).await;
    let r3 = app.city_admin().await;
    for r in [r1, &r2, &r3] {
        seat(&app, p, &r.user_id, &c).await;
    }
    let score = async |who: &Session, n: Uuid, s: [i32; 3]| {
        app.post(format!("/api/v1/honour-nominations/{n}/scores"), Some(&who.access), score_body(s)).await.expect(201)
    };
    // A: 8 and 8 (two reviews); B: 8 (one review); C: 8 and 8, nominated after A; D: 6.
    score(r1, ids[0], [8, 8, 8]).await;
    let queue = app.get(format!("/api/v1/honour-programmes/{p}/review"), Some(&r2.access)).await.expect(200);
    let a = queue.body.as_array().unwrap().iter().find(|i| i["nomination"]["id"] == json!(ids[0])).unwrap();
    assert!(a["allScores"].is_null() && a["myScore"].is_null(), "no peeking before scoring: {a}");
    let second = score(&r2, ids[0], [8, 8, 8]).await;
    assert!(second.body["allScores"].is_null(), "two of three have scored: {}", second.body);
    assert!(second.body.to_string().find(&r1.user_id).is_none(), "no names next to scores");
    score(&r3, ids[1], [8, 8, 8]).await;
    score(r1, ids[2], [9, 7, 8]).await; // default weights 40/30/30: 8.1
    score(&r2, ids[2], [7, 9, 8]).await; // 7.9: mean 8.0, spread 0.2
    score(&r3, ids[3], [6, 6, 6]).await;
    app.post(format!("/api/v1/honour-nominations/{}/scores", ids[0]), Some(&r1.access), score_body([1, 1, 1]))
        .await
        .expect_problem(409, "already_scored");
    let queue = app.get(format!("/api/v1/honour-programmes/{p}/review"), Some(&r1.access)).await.expect(200);
    let c_item = queue.body.as_array().unwrap().iter().find(|i| i["nomination"]["id"] == json!(ids[2])).unwrap();
    assert_eq!(c_item["myScore"]["weighted"], 8.1);
    assert!(c_item["allScores"].is_null(), "the third reviewer has not scored C");
    app.get(format!("/api/v1/honour-programmes/{p}/ranking"), Some(&east.admin.access))
        .await
        .expect_problem(403, "forbidden");
    let ranking =
        app.get(format!("/api/v1/honour-programmes/{p}/ranking"), Some(&f.city_admin.access)).await.expect(200);
    let order: Vec<&str> =
        ranking.body.as_array().unwrap().iter().map(|l| l["nomination"]["id"].as_str().unwrap()).collect();
    assert_eq!(order, [ids[0].to_string(), ids[2].to_string(), ids[1].to_string(), ids[3].to_string()]);
    assert_eq!(ranking.body[0]["rank"], 1);
    assert_eq!(ranking.body[0]["scores"].as_array().unwrap().len(), 2);
    assert!(ranking.body[0]["scores"][0]["reviewerName"].is_string(), "the city administrator sees who scored");

    // The decision: not before the review closes; a deviation needs a reason.
    let decide = |awardees: Vec<Uuid>, reason: Option<&str>| {
        let body = json!({"awardees": awardees.iter().map(|n| json!({"nominationId": n, "citation": "扎根社区"})).collect::<Vec<_>>(), "reason": reason});
        app.post(format!("/api/v1/honour-programmes/{p}/decision"), Some(&f.city_admin.access), body)
    };
    decide(vec![ids[0], ids[2]], None).await.expect_problem(409, "review_not_closed");
    close_review(&app, p).await;
    let queue = app.get(format!("/api/v1/honour-programmes/{p}/review"), Some(&r1.access)).await.expect(200);
    let c_item = queue.body.as_array().unwrap().iter().find(|i| i["nomination"]["id"] == json!(ids[2])).unwrap();
    assert!((c_item["allScores"]["spread"].as_f64().unwrap() - 0.2).abs() < 1e-9, "shown once the window closed");
    assert_eq!(c_item["allScores"]["reviews"], 2);
    app.post(format!("/api/v1/honour-nominations/{}/scores", ids[0]), Some(&r3.access), score_body([9, 9, 9]))
        .await
        .expect_problem(409, "review_closed");
    decide(vec![ids[0], ids[1]], None).await.expect_problem(422, "deviation_reason_required");
    decide(vec![ids[0], ids[1], ids[2], ids[3]], None).await.expect_problem(422, "invalid_awardee_count");
    let d = decide(vec![ids[0], ids[1]], Some("B 在防疫中表现突出")).await.expect(200);
    assert_eq!(d.body["deviatesFromRanking"], true);
    assert_eq!(d.body["programme"]["state"], "decided");
    let audit = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::Action.eq("honour_programme.decide"))
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(audit.reason.as_deref(), Some("B 在防疫中表现突出"));
    decide(vec![ids[0], ids[2]], None).await.expect_problem(409, "invalid_transition");
}

#[tokio::test]
async fn reviewers_learn_neither_the_nominator_nor_another_score_until_all_have_scored_or_the_window_closed() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let c = city(&f.city_admin);
    let [east, west] = &f.stations;
    let nominees = app.quick_volunteers(2, Some(&west.room)).await;
    let (p, ids) = reviewing_with(&app, &f, &c, &[&nominees[0].user_id, &nominees[1].user_id]).await;
    let (r1, r2) = (&east.admin, app.city_admin().await);
    // A third seat in the nominees' own station: in conflict, so not waited for.
    for r in [&r1.user_id, &r2.user_id, &west.admin.user_id] {
        seat(&app, p, r, &c).await;
    }
    let item = async |who: &Session, n: Uuid| {
        let q = app.get(format!("/api/v1/honour-programmes/{p}/review"), Some(&who.access)).await.expect(200);
        q.body.as_array().unwrap().iter().find(|i| i["nomination"]["id"] == json!(n)).cloned().unwrap()
    };
    let seen = item(r1, ids[0]).await;
    assert!(seen["nomination"].get("nominatorId").is_none(), "no nominator: {seen}");
    assert!(seen["nomination"].get("overrideReason").is_none());
    assert!(!seen.to_string().contains(&f.city_admin.user_id), "the nominator's id appears nowhere");
    assert_eq!(seen["nomination"]["nominee"]["id"], nominees[0].user_id.as_str(), "the nominee is shown");

    let first = app
        .post(format!("/api/v1/honour-nominations/{}/scores", ids[0]), Some(&r1.access), score_body([9, 9, 9]))
        .await
        .expect(201);
    assert!(first.body["allScores"].is_null(), "{}", first.body);
    assert!(item(&r2, ids[0]).await["allScores"].is_null(), "the second sees no score before scoring");
    let mine = item(r1, ids[0]).await;
    assert_eq!(mine["myScore"]["weighted"], 9.0);
    assert!(mine["allScores"].is_null(), "the first sees only their own until the second has scored");

    let second = app
        .post(format!("/api/v1/honour-nominations/{}/scores", ids[0]), Some(&r2.access), score_body([7, 7, 7]))
        .await
        .expect(201);
    assert_eq!(second.body["allScores"]["reviews"], 2, "every assigned reviewer has scored");
    assert_eq!(second.body["allScores"]["mean"], 8.0);
    assert_eq!(item(r1, ids[0]).await["allScores"]["reviews"], 2);

    // One score of two on the other nomination: hidden until the review window closes.
    app.post(format!("/api/v1/honour-nominations/{}/scores", ids[1]), Some(&r1.access), score_body([6, 6, 6]))
        .await
        .expect(201);
    assert!(item(r1, ids[1]).await["allScores"].is_null());
    close_review(&app, p).await;
    let after = item(r1, ids[1]).await;
    assert_eq!(after["allScores"]["reviews"], 1, "shown once the window has closed: {after}");
    assert_eq!(after["allScores"]["mean"], 6.0);
}

#[tokio::test]
async fn social_workers_sit_on_a_panel_only_with_a_verified_current_credential_of_the_level() {
    use entity::social_worker_profile::QualificationLevel as L;
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let c = city(&f.city_admin);
    let east = &f.stations[0];
    let p = draft(&app, &c, 1, Vec::new()).await;
    let people =
        crate::credential_fixture::candidates(&app, &east.admin, &east.room, L::SeniorSocialWorker, L::SocialWorker)
            .await;
    let panel = format!("/api/v1/honour-programmes/{p}/panel");
    for (how, who) in people.short() {
        let r = app.put(&panel, Some(&f.city_admin.access), json!({"reviewerIds": [who.user_id]})).await;
        assert_eq!(r.body["code"], "reviewer_not_qualified", "{how}: {}", r.body);
        r.expect_problem(422, "reviewer_not_qualified");
    }
    assert_eq!(app.count("honour_reviewers").await, 0, "refusals change nothing");
    let ok = app
        .put(&panel, Some(&f.city_admin.access), json!({"reviewerIds": [people.qualified.user_id, east.admin.user_id]}))
        .await
        .expect(200);
    assert_eq!(ok.body.as_array().unwrap().len(), 2, "a qualified social worker and an administrator");
    assert_eq!(app.count("honour_reviewers").await, 2);
    let listed = app.get(&panel, Some(&f.city_admin.access)).await.expect(200);
    let mut ids: Vec<&str> = listed.body.as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    ids.sort();
    let mut want = vec![people.qualified.user_id.as_str(), east.admin.user_id.as_str()];
    want.sort();
    assert_eq!(ids, want, "the panel reads back as appointed: {}", listed.body);
    app.get(&panel, Some(&east.admin.access)).await.expect_problem(403, "forbidden");
}
