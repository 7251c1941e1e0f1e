//! Programmes: their states, who moves them, and eligibility at its boundaries.

use super::setup::*;
use super::support::*;
use crate::helpers::{NowUtc, Session, spawn_app};
use chrono::{Datelike, Duration};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

#[tokio::test]
async fn programmes_move_forward_only_by_the_city_admin_and_tell_people() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let city = &f.city_admin.access;
    let east = &f.stations[0];
    app.post("/api/v1/honour-programmes", Some(&east.admin.access), programme_body(&app))
        .await
        .expect_problem(403, "forbidden");
    let mut bad = programme_body(&app);
    bad["reviewClosesAt"] = json!(app.clock.now_utc());
    app.post("/api/v1/honour-programmes", Some(city), bad).await.expect_problem(400, "invalid_windows");
    let mut bad = programme_body(&app);
    bad["rules"] = json!([{"rule": "min_star_level"}]);
    app.post("/api/v1/honour-programmes", Some(city), bad).await.expect_problem(400, "invalid_rule");
    let mut bad = programme_body(&app);
    bad["surprise"] = json!(1);
    assert_eq!(app.post("/api/v1/honour-programmes", Some(city), bad).await.status, 400);
    assert_eq!(app.count("honour_programmes").await, 0, "nothing was created by bad input");

    let p = app.post("/api/v1/honour-programmes", Some(city), programme_body(&app)).await.expect(201);
    assert_eq!(p.body["state"], "draft");
    assert_eq!(p.body["noticeWorkingDays"], 5);
    assert_eq!(p.body["rules"][0]["period"], "all_time");
    let id = p.str("id");
    // Drafts are the city's own.
    app.get(&format!("/api/v1/honour-programmes/{id}"), Some(&east.admin.access))
        .await
        .expect_problem(404, "not_found");
    let advance = |to: &'static str| {
        let path = format!("/api/v1/honour-programmes/{id}/advance");
        async move { (path, json!({"to": to})) }
    };
    let (path, body) = advance("reviewing").await;
    app.post(&path, Some(city), body).await.expect_problem(409, "invalid_transition");
    // A draft changes freely; bad changes change nothing.
    let at = format!("/api/v1/honour-programmes/{id}");
    let changed = app.patch(&at, Some(city), json!({"stationQuota": 5, "rules": []})).await.expect(200);
    assert_eq!(
        (changed.body["stationQuota"].as_i64(), changed.body["rules"].as_array().map(Vec::len)),
        (Some(5), Some(0))
    );
    app.patch(&at, Some(city), json!({"reviewClosesAt": app.clock.now_utc()}))
        .await
        .expect_problem(400, "invalid_windows");
    app.patch(&at, Some(&east.admin.access), json!({"awards": 9})).await.expect_problem(403, "forbidden");
    let (path, body) = advance("nominating").await;
    app.post(&path, Some(&east.admin.access), body.clone()).await.expect_problem(403, "forbidden");
    app.post(&path, Some(city), body).await.expect(200);
    assert!(told(&app, &east.admin.user_id, "honour.call").await, "station admins hear the call");
    assert!(told(&app, &f.stations[1].admin.user_id, "honour.call").await);
    app.get(&format!("/api/v1/honour-programmes/{id}"), Some(&east.volunteer.access)).await.expect(200);
    let (path, body) = advance("decided").await;
    app.post(&path, Some(city), body).await.expect_problem(409, "invalid_transition");
    // While nominating, only the deadlines move.
    app.patch(&at, Some(city), json!({"awards": 9})).await.expect_problem(409, "programme_locked");
    let later = app.clock.now_utc() + Duration::days(15);
    let moved = app.patch(&at, Some(city), json!({"nominationClosesAt": later})).await.expect(200);
    assert_eq!(moved.body["awards"], 2);
    assert_eq!(moved.body["stationQuota"], 5);
    let (path, body) = advance("reviewing").await;
    app.post(&path, Some(city), body).await.expect(200);
    let (path, body) = advance("decided").await;
    app.post(&path, Some(city), body).await.expect_problem(409, "decision_required");
    assert_eq!(audit_count(&app, "honour_programme.advance").await, 2);
    assert_eq!(audit_count(&app, "honour_programme.update").await, 2);
    assert_eq!(audit_count(&app, "honour_programme.create").await, 1);
}

#[tokio::test]
async fn each_eligibility_rule_at_its_boundary() {
    use wushe::domain::honours::eligibility::{HoursPeriod, Rule};
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let c = city(&f.city_admin);
    let east = &f.stations[0];
    let now = app.clock.now_utc();
    let year = now.year();
    let rules = vec![
        Rule::MinVolunteerHours { hours: 100, period: HoursPeriod::Year },
        Rule::MinVolunteerHours { hours: 150, period: HoursPeriod::AllTime },
    ];
    // Two rules of the same name are refused; so each rule gets its own programme.
    assert!(wushe::domain::honours::eligibility::validate_rules(&rules).is_err());
    let check = async |p: Uuid, who: &Session| -> Value {
        app.get(format!("/api/v1/honour-programmes/{p}/eligibility/{}", who.user_id), Some(&f.city_admin.access))
            .await
            .expect(200)
            .body[0]
            .clone()
    };
    let v = app.quick_volunteers(1, Some(&east.room)).await.remove(0);
    let this_year = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
    let last_year = chrono::NaiveDate::from_ymd_opt(year - 1, 6, 1).unwrap();
    approved(&app, &v.user_id, &east.room, 99 * 60, this_year).await;
    approved(&app, &v.user_id, &east.room, 50 * 60, last_year).await;
    let in_year = nominating(&app, &c, 10, vec![rules[0]]).await;
    let all_time = nominating(&app, &c, 10, vec![rules[1]]).await;
    let r = check(in_year, &v).await;
    assert_eq!(
        (r["outcome"].as_str(), r["required"].as_i64(), r["actual"].as_i64()),
        (Some("not_met"), Some(100), Some(99))
    );
    assert_eq!(check(all_time, &v).await["outcome"], "not_met", "149 h < 150 h");
    approved(&app, &v.user_id, &east.room, 60, this_year).await;
    assert_eq!(check(in_year, &v).await["outcome"], "met", "exactly 100 h in the year");
    assert_eq!(check(all_time, &v).await["outcome"], "met", "exactly 150 h all time");

    // Star level: from the recorded star levels.
    let stars = nominating(&app, &c, 10, vec![Rule::MinStarLevel { level: 1 }]).await;
    assert_eq!(check(stars, &v).await["actual"], 0);
    wushe::domain::volunteering::stars::award_stars(app.db(), v.user_id.parse().unwrap(), now, &[100, 300])
        .await
        .unwrap();
    assert_eq!(check(stars, &v).await["outcome"], "met");

    // Active months: from the account's creation.
    let months = nominating(&app, &c, 10, vec![Rule::ActiveMonths { months: 6 }]).await;
    let set_created = async |at: chrono::DateTime<chrono::Utc>| {
        use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};
        let u = entity::user::Entity::find_by_id(v.user_id.parse::<Uuid>().unwrap()).one(app.db()).await.unwrap();
        let mut am = u.unwrap().into_active_model();
        am.created_at = Set(at);
        am.update(app.db()).await.unwrap();
    };
    set_created(now.checked_sub_months(chrono::Months::new(6)).unwrap() + Duration::seconds(1)).await;
    assert_eq!(check(months, &v).await["outcome"], "not_met");
    set_created(now.checked_sub_months(chrono::Months::new(6)).unwrap()).await;
    assert_eq!(check(months, &v).await["outcome"], "met");

    // Front-line years: from the social-work profile; none on it → not evaluated.
    let sw = &east.social_worker;
    let front = nominating(&app, &c, 10, vec![Rule::FrontLineYears { years: 2 }]).await;
    let r = check(front, sw).await;
    assert_eq!(r["outcome"], "not_evaluated");
    assert!(r["note"].is_string());
    let today = wushe::domain::kernel::time::local_date(now, "Asia/Shanghai");
    let set_since = async |d: chrono::NaiveDate| {
        use sea_orm::{ActiveValue::Set, sea_query::OnConflict};
        let row = entity::social_worker_profile::ActiveModel {
            user_id: Set(sw.user_id.parse().unwrap()),
            qualification_level: Set(None),
            employer_org_unit_id: Set(None),
            front_line_since: Set(Some(d)),
            updated_at: Set(now),
        };
        entity::social_worker_profile::Entity::insert(row)
            .on_conflict(
                OnConflict::column(entity::social_worker_profile::Column::UserId)
                    .update_column(entity::social_worker_profile::Column::FrontLineSince)
                    .to_owned(),
            )
            .exec_without_returning(app.db())
            .await
            .unwrap();
    };
    set_since(today.with_year(today.year() - 2).unwrap() + Duration::days(1)).await;
    assert_eq!(check(front, sw).await["outcome"], "not_met");
    set_since(today.with_year(today.year() - 2).unwrap()).await;
    assert_eq!(check(front, sw).await["outcome"], "met");

    // No honour of the same kind in the last N years (other programmes', published or decided).
    let fresh = nominating(&app, &c, 10, vec![Rule::NoSameKindAwardWithin { years: 2 }]).await;
    assert_eq!(check(fresh, sw).await["outcome"], "met");
    let old = published(&app, &sw.user_id).await;
    {
        use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};
        let h = entity::honour::Entity::find_by_id(old).one(app.db()).await.unwrap().unwrap();
        let mut am = h.into_active_model();
        am.kind = Set(entity::honour_programme::ProgrammeKind::MostBeautifulSocialWorker);
        am.year = Set(year - 3);
        am.update(app.db()).await.unwrap();
    }
    assert_eq!(check(fresh, sw).await["outcome"], "met", "three years ago is outside the last two");
    {
        use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};
        let h = entity::honour::Entity::find_by_id(old).one(app.db()).await.unwrap().unwrap();
        let mut am = h.into_active_model();
        am.year = Set(year - 2);
        am.update(app.db()).await.unwrap();
    }
    let r = check(fresh, sw).await;
    assert_eq!((r["outcome"].as_str(), r["actual"].as_i64()), (Some("not_met"), Some(1)));

    // A rule that cannot be evaluated (no certificate: no CE requirement) is never passed silently.
    use entity::social_worker_profile::QualificationLevel;
    for rule in [Rule::CeRequirementMet] {
        let p = nominating(&app, &c, 10, vec![rule]).await;
        let r = check(p, sw).await;
        assert_eq!(r["outcome"], "not_evaluated", "{rule:?}");
        assert!(r["actual"].is_null() && r["note"].is_string());
    }
    // The verified level comes from credentials: a declared level alone does not count.
    let p =
        nominating(&app, &c, 10, vec![Rule::MinSocialWorkLevel { level: QualificationLevel::AssistantSocialWorker }])
            .await;
    let r = check(p, sw).await;
    assert_eq!((r["outcome"].as_str(), r["actual"].as_i64()), (Some("not_met"), Some(0)));
    // Once a social-worker certificate is verified, it counts.
    let today = app.clock.now_utc().date_naive();
    let cred = app
        .post(
            "/api/v1/me/credentials",
            Some(&sw.access),
            json!({"kind": "social_worker", "number": "SW-2026-0001", "issuingBody": "民政部", "issuedOn": today,
                   "evidenceRef": "files/cert.pdf"}),
        )
        .await
        .expect(201);
    app.post(format!("/api/v1/credentials/{}/verify", cred.str("id")), Some(&east.admin.access), json!(null))
        .await
        .expect(200);
    let r = check(p, sw).await;
    assert_eq!((r["outcome"].as_str(), r["actual"].as_i64()), (Some("met"), Some(2)));
    // With a certificate comes a continuing-education requirement, not yet met (0 of 90 hours).
    let p = nominating(&app, &c, 10, vec![Rule::CeRequirementMet]).await;
    let r = check(p, sw).await;
    assert_eq!((r["outcome"].as_str(), r["actual"].as_i64()), (Some("not_met"), Some(0)));
    // Mentoring sessions come from the mentoring log: none logged as a mentor this year.
    let p = nominating(&app, &c, 10, vec![Rule::MentoringSessionsInYear { sessions: 1 }]).await;
    let r = check(p, sw).await;
    assert_eq!((r["outcome"].as_str(), r["actual"].as_i64()), (Some("not_met"), Some(0)));
}

#[tokio::test]
async fn ineligible_nominees_are_refused_unless_the_city_overrides_with_a_reason() {
    use wushe::domain::honours::eligibility::{HoursPeriod, Rule};
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let c = city(&f.city_admin);
    let east = &f.stations[0];
    let rules = vec![Rule::MinVolunteerHours { hours: 10, period: HoursPeriod::AllTime }, Rule::CeRequirementMet];
    let p = nominating(&app, &c, 5, rules).await;
    let path = format!("/api/v1/honour-programmes/{p}/nominations");
    let v = &east.volunteer;
    let body = json!({"nomineeId": v.user_id, "statement": "热心服务"});
    let r = app.post(&path, Some(&east.admin.access), body.clone()).await.expect_problem(422, "not_eligible");
    assert!(r.body["detail"].as_str().unwrap().contains("min_volunteer_hours"));
    assert!(!r.body["detail"].as_str().unwrap().contains("ce_requirement_met"), "not evaluated is not failing");
    let mut over = body.clone();
    over["overrideReason"] = json!("抗疫一线表现突出");
    app.post(&path, Some(&east.admin.access), over.clone()).await.expect_problem(403, "override_not_allowed");
    assert_eq!(app.count("honour_nominations").await, 0);
    let n = app.post(&path, Some(&f.city_admin.access), over).await.expect(201);
    assert_eq!(n.body["overrideReason"], "抗疫一线表现突出");
    let outcomes: Vec<&str> =
        n.body["evaluation"].as_array().unwrap().iter().map(|e| e["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["not_met", "not_evaluated"]);
    let audit = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::Action.eq("honour_nomination.create"))
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(audit.reason.as_deref(), Some("抗疫一线表现突出"));
    assert!(told(&app, &v.user_id, "honour.nominated").await, "the nominee is told");
    // Once per person per programme.
    app.post(
        &path,
        Some(&f.city_admin.access),
        json!({"nomineeId": v.user_id, "statement": "x", "overrideReason": "y"}),
    )
    .await
    .expect_problem(409, "already_nominated");
}
