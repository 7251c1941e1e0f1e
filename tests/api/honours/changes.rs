//! Changing a programme after nominations opened: cancelling it with a reason (nominations end,
//! quota freed, people told, never listed as open again, even with nominations racing the
//! cancellation) and correcting its rules with a reason until the review opens (nominations
//! evaluated again).

use super::setup::*;
use super::support::*;
use crate::helpers::{NowUtc, spawn_app};
use entity::honour_nomination::{self, NominationStatus};
use entity::honour_programme::ProgrammeState;
use entity::user::Role;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

async fn statuses(app: &crate::helpers::TestApp, p: Uuid) -> Vec<NominationStatus> {
    honour_nomination::Entity::find()
        .filter(honour_nomination::Column::ProgrammeId.eq(p))
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.status)
        .collect()
}

async fn quota_used(app: &crate::helpers::TestApp, p: Uuid) -> i32 {
    entity::honour_quota_use::Entity::find()
        .filter(entity::honour_quota_use::Column::ProgrammeId.eq(p))
        .all(app.db())
        .await
        .unwrap()
        .iter()
        .map(|q| q.used)
        .sum()
}

#[tokio::test]
async fn a_cancelled_programme_ends_its_nominations_frees_the_quota_and_tells_people_why() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let c = city(&f.city_admin);
    let east = &f.stations[0];
    let by = actor(&east.admin, Role::StationAdmin, Some(&east.id));
    let p = nominating(&app, &c, 2, Vec::new()).await;
    nominate(&app, &by, p, &east.volunteer.user_id).await;
    nominate(&app, &by, p, &east.social_worker.user_id).await;
    let reviewer = &f.stations[1].admin;
    seat(&app, p, &reviewer.user_id, &c).await;
    assert_eq!(quota_used(&app, p).await, 2);

    let path = format!("/api/v1/honour-programmes/{p}/cancel");
    app.post(&path, Some(&east.admin.access), json!({"reason": "x"})).await.expect_problem(403, "forbidden");
    app.post(&path, Some(&f.city_admin.access), json!({"reason": ""})).await.expect_problem(400, "validation_failed");
    app.post(&path, Some(&f.city_admin.access), json!({"reason": "   "})).await.expect(400);
    app.post(
        &format!("/api/v1/honour-programmes/{}/cancel", Uuid::now_v7()),
        Some(&f.city_admin.access),
        json!({"reason": "x"}),
    )
    .await
    .expect_problem(404, "not_found");
    assert_eq!(statuses(&app, p).await, [NominationStatus::Nominated; 2], "nothing changed");

    let r = app.post(&path, Some(&f.city_admin.access), json!({"reason": "评选标准有误，重新发布"})).await.expect(200);
    assert_eq!((&r.body["state"], &r.body["cancelReason"]), (&json!("cancelled"), &json!("评选标准有误，重新发布")));
    assert_eq!(statuses(&app, p).await, [NominationStatus::Cancelled; 2]);
    assert_eq!(quota_used(&app, p).await, 0, "the quota is freed");
    for who in [&east.volunteer, &east.social_worker, &east.admin, reviewer] {
        assert!(told(&app, &who.user_id, "honour.cancelled").await, "{} is told", who.user_id);
    }
    assert!(!told(&app, &f.stations[1].volunteer.user_id, "honour.cancelled").await);
    assert_eq!(audit_count(&app, "honour_programme.cancel").await, 1);

    // No longer listed as open, nominations refused, and it stays cancelled.
    let open = app.get("/api/v1/honour-programmes?state=nominating", Some(&east.admin.access)).await.expect(200);
    assert!(open.body["items"].as_array().unwrap().iter().all(|i| i["id"] != p.to_string().as_str()));
    let listed = app.get("/api/v1/honour-programmes?state=cancelled", Some(&east.admin.access)).await.expect(200);
    assert_eq!(listed.body["items"][0]["id"], p.to_string().as_str());
    app.post(
        &format!("/api/v1/honour-programmes/{p}/nominations"),
        Some(&east.admin.access),
        json!({"nomineeId": east.volunteer.user_id, "statement": "再次推荐"}),
    )
    .await
    .expect_problem(409, "nomination_closed");
    app.post(&path, Some(&f.city_admin.access), json!({"reason": "again"}))
        .await
        .expect_problem(409, "programme_locked");
    app.post(&format!("/api/v1/honour-programmes/{p}/advance"), Some(&f.city_admin.access), json!({"to": "reviewing"}))
        .await
        .expect_problem(409, "invalid_transition");
    assert_eq!(audit_count(&app, "honour_programme.cancel").await, 1);
}

#[tokio::test]
async fn nominations_racing_a_cancellation_end_cancelled_or_refused_and_no_quota_stays_taken() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let c = city(&f.city_admin);
    let east = &f.stations[0];
    let p = nominating(&app, &c, 10, Vec::new()).await;
    let people = app.quick_volunteers(8, Some(&east.room)).await;
    let path = format!("/api/v1/honour-programmes/{p}/nominations");
    let nominations = people
        .iter()
        .map(|v| app.post(&path, Some(&east.admin.access), json!({"nomineeId": v.user_id, "statement": "热心服务"})));
    let cancel_path = format!("/api/v1/honour-programmes/{p}/cancel");
    let cancel = app.post(&cancel_path, Some(&f.city_admin.access), json!({"reason": "取消"}));
    let (results, cancelled) = tokio::join!(futures::future::join_all(nominations), cancel);
    cancelled.expect(200);
    for r in &results {
        assert!(r.status == 201 || (r.status == 409 && r.body["code"] == "nomination_closed"), "{:?}", r.body);
    }
    let made = results.iter().filter(|r| r.status == 201).count();
    assert_eq!(statuses(&app, p).await, vec![NominationStatus::Cancelled; made], "none left in the running");
    assert_eq!(quota_used(&app, p).await, 0);
    let row = entity::honour_programme::Entity::find_by_id(p).one(app.db()).await.unwrap().unwrap();
    assert_eq!(row.state, ProgrammeState::Cancelled);
}

#[tokio::test]
async fn corrected_rules_are_audited_and_the_nominations_evaluated_again_until_the_review_opens() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let c = city(&f.city_admin);
    let east = &f.stations[0];
    let by = actor(&east.admin, Role::StationAdmin, Some(&east.id));
    let p = nominating(&app, &c, 5, Vec::new()).await;
    let today = app.clock.now_utc().with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    approved(&app, &east.social_worker.user_id, &east.room, 20 * 60, today).await;
    let short = nominate(&app, &by, p, &east.volunteer.user_id).await;
    let enough = nominate(&app, &by, p, &east.social_worker.user_id).await;

    let path = format!("/api/v1/honour-programmes/{p}/rule-corrections");
    let rules = json!([{"rule": "min_volunteer_hours", "value": 10, "period": "all_time"}]);
    let body = json!({"rules": rules, "reason": "漏写了时长条件"});
    app.post(&path, Some(&east.admin.access), body.clone()).await.expect_problem(403, "forbidden");
    app.post(&path, Some(&f.city_admin.access), json!({"rules": rules, "reason": ""}))
        .await
        .expect_problem(400, "validation_failed");
    app.post(&path, Some(&f.city_admin.access), json!({"rules": rules})).await.expect(400);
    assert_eq!(audit_count(&app, "honour_programme.correct_rules").await, 0, "nothing changed");

    let r = app.post(&path, Some(&f.city_admin.access), body.clone()).await.expect(200);
    assert_eq!(r.body["programme"]["rules"][0]["rule"], "min_volunteer_hours");
    let verdict = |id: Uuid| {
        r.body["nominations"].as_array().unwrap().iter().find(|n| n["nominationId"] == id.to_string().as_str()).cloned()
    };
    assert_eq!(verdict(short).unwrap()["eligible"], false);
    assert_eq!(verdict(enough).unwrap()["eligible"], true);
    let stored = |id: Uuid| {
        let db = app.db();
        async move { honour_nomination::Entity::find_by_id(id).one(db).await.unwrap().unwrap().evaluation }
    };
    assert_eq!(stored(short).await[0]["outcome"], "not_met");
    assert_eq!(stored(enough).await[0]["outcome"], "met");
    assert_eq!(statuses(&app, p).await, [NominationStatus::Nominated; 2], "still in the running, for the panel");
    assert!(told(&app, &east.admin.user_id, "honour.rules_corrected").await, "the nominator is told");
    let audit = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::Action.eq("honour_programme.correct_rules"))
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(audit.reason.as_deref(), Some("漏写了时长条件"));
    let got = app.get(&format!("/api/v1/honour-programmes/{p}"), Some(&east.admin.access)).await.expect(200);
    assert_eq!(got.body["rules"], r.body["programme"]["rules"]);

    // Once the review opens, the rules stand.
    advance(&app, &c, p, ProgrammeState::Reviewing).await;
    app.post(&path, Some(&f.city_admin.access), body).await.expect_problem(409, "programme_locked");
    assert_eq!(audit_count(&app, "honour_programme.correct_rules").await, 1);
}
